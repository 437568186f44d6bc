"""Root conftest: sybil collects every snippet of the site and the package.

See ``tests/sybil_config.py`` for what is collected and how it runs.
"""

import os
from pathlib import Path

from hypothesis import settings

from tests.sybil_config import docs_sybil, package_sybil

ROOT = Path(__file__).resolve().parent

# Figures drawn by page cells under test go to an off-screen canvas.
os.environ.setdefault("MPLBACKEND", "Agg")

# Property tests draw their examples from a fixed seed, so a run is
# repeatable; no example database is written.
settings.register_profile("xent", derandomize=True, deadline=None, database=None)
settings.load_profile("xent")

pytest_plugins = ["pytester"]

pytest_collect_file = (docs_sybil(ROOT / "docs") + package_sybil(ROOT / "xent_ref")).pytest()
