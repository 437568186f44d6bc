"""``xent_ref`` as a reader installs it: a wheel built from the checkout, installed into a folder.

Used by the packaging test and by the reader-environment tests, which run
every page's visible code against this installed copy rather than the
checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What the build needs of the checkout (pyproject.toml names the package;
#: setuptools adds the licence file to the wheel).
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "xent_ref")


def build_wheel(workdir: Path) -> Path:
    """Build the wheel from a copy of :data:`BUILD_INPUTS`, so that no build/ lands in the checkout."""
    src = workdir / "src"
    src.mkdir(parents=True)
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(ROOT / name, src / name)
    wheels = workdir / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(src)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (wheel,) = wheels.glob("xent_ref-*.whl")
    return wheel


def install_wheel(wheel: Path, site: Path) -> Path:
    """Install ``wheel`` (without dependencies) into the folder ``site``, and return it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target",
         str(site), str(wheel)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    return site
