"""Proof that the test machinery bites.

Each fixture page under ``tests/fixtures/proof/`` carries one defect. The
suite's own sybil configuration, run over that page alone in a fresh pytest
process, must fail; the control page ``good.md`` must pass, which shows the
failures come from the defects and not from the harness.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "proof"

CONFTEST = """
from pathlib import Path

from tests.sybil_config import docs_sybil

pytest_collect_file = docs_sybil(Path(__file__).parent / "docs").pytest()
"""


@pytest.fixture
def run_page(pytester, monkeypatch):
    """Run the docs Sybil over one fixture page in a separate pytest process."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    def run(name: str):
        docs = pytester.path / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copy(FIXTURES / name, docs / name)
        pytester.makeconftest(CONFTEST)
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "docs")

    return run


def test_control_page_passes(run_page):
    result = run_page("good.md")
    # Three cells (one of them must raise, and does), one doctest example,
    # one invisible block and the skip marker itself; the fence after the
    # marker is reported as skipped, not as passed.
    result.assert_outcomes(passed=6, skipped=1)


def test_wrong_doctest_output_fails(run_page):
    result = run_page("bad_doctest.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Expected:*", "*3*", "*Got:*", "*2*"])


def test_raising_code_cell_fails(run_page):
    result = run_page("raising_cell.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RuntimeError: this cell is broken*"])


def test_cell_tagged_to_raise_must_raise(run_page):
    result = run_page("tagged_cell_does_not_raise.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*tagged raises-exception did not raise*"])


def test_name_error_in_fence_fails(run_page):
    result = run_page("name_error_fence.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*NameError*undefined_name*"])


def test_uncollected_block_fails_the_guard(tmp_path):
    """The real guard test, pointed at a page with a block sybil cannot see."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FIXTURES / "uncollected.md", docs / "uncollected.md")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
         str(ROOT / "tests" / "test_docs_collected.py")],
        cwd=ROOT,
        env={**os.environ, "XENT_DOCS_DIR": str(docs)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "blocks sybil does not collect" in result.stdout
    assert "fence py" in result.stdout
