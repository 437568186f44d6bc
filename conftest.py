"""Root conftest: sybil collects every snippet of the site and the package.

See ``tests/sybil_config.py`` for what is collected and how it runs.

It also keeps the browser tests honest and cheap to skip:

* every test that drives Chromium is marked ``browser``, whichever file it is
  in: a test that uses a Chromium fixture (``BROWSER_FIXTURES`` in
  ``tests/browser_support.py``), directly or through another fixture, gets
  the mark, so ``-m "not browser"`` (what ``make test-fast`` runs) never
  starts a browser;
* every test that runs a Sphinx build is marked ``build``, found from its
  code (``tests/markers.py``), so ``make test-fast`` runs none;
* when the tests selected include a browser test and no browser can be found
  (``tools/chromium.py``), the run stops before any test runs, with one line
  that says how to get one;
* under pytest-xdist (``make test`` runs ``-n auto``), each test file runs
  whole in one worker, except the browser suite, whose tests (one per page,
  quiz, widget) are spread over the workers.
"""

import os
from pathlib import Path

# Figures drawn by page cells under test go to an off-screen canvas.
os.environ.setdefault("MPLBACKEND", "Agg")

# One thread per process for the math libraries: pytest-xdist already runs
# one worker per core, and a thread pool on top of that oversubscribes them.
# The tests' arrays are small, and handing them between threads costs far
# more than the work: torch's binary_cross_entropy_with_logits on an 8x5
# tensor took 1.3 ms with 2 threads and 7 us with 1 on a busy 2-core machine.
# Set before torch or NumPy's BLAS start, so before the imports below;
# subprocesses the tests start inherit it.
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import pytest
from hypothesis import settings

from tests.browser_support import mark_browser_tests, stop_without_browser
from tests.markers import mark_build_tests
from tests.sybil_config import docs_sybil, package_sybil
from tools.chromium import find_chromium

ROOT = Path(__file__).resolve().parent


# Property tests draw their examples from a fixed seed, so a run is
# repeatable; no example database is written.
settings.register_profile("xent", derandomize=True, deadline=None, database=None)
settings.load_profile("xent")

pytest_plugins = ["pytester"]

pytest_collect_file = (docs_sybil(ROOT / "docs") + package_sybil(ROOT / "xent_ref")).pytest()


#: Test files whose tests pytest-xdist may spread over its workers one by one.
#: Any other file runs whole in one worker: sybil runs a page's (or a
#: module's) examples in order in one namespace, and a file's module-scoped
#: fixtures (a Sphinx build, a browser thread) are then set up once.
SPREAD = frozenset({"tests/site/test_browser.py", "tests/site/test_reader_devices.py"})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    # xdist's own --dist loadgroup cannot do this under pytest 9: it renames
    # nodes through Node._nodeid, which pytest 9 no longer reads. A
    # LoadScopeScheduling whose scope is the file does, for the default
    # --dist load.
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SPREAD else path

    return FileScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the marks must be there before `-m` deselects.
    mark_browser_tests(items)
    mark_build_tests(items)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # With no browser, run in one process even if -n was given (unless -m
    # leaves the browser tests out, as `make test-fast` does): a worker
    # cannot end the session cleanly, and this process can stop it with one
    # line if the tests selected need a browser (or run them if they don't).
    if (getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")
            and "not browser" not in (config.option.markexpr or "")):
        if find_chromium()[0] is None:
            config.option.dist = "no"
            config.option.numprocesses = None


def pytest_collection_finish(session):
    stop_without_browser(session)
