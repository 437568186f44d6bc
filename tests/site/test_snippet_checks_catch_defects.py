"""Proof that the test machinery bites.

Each fixture page under ``tests/fixtures/proof/`` carries one defect. The
suite's own sybil configuration, run over those pages in a fresh pytest
process, must fail on each; the control page ``good.md`` must pass, which
shows the failures come from the defects and not from the harness.

One pytest process runs all the pages (a process per page would spend most of
its time importing the same libraries); its JUnit report gives each page's
outcomes and failure messages.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.site import test_docs_collected

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "proof"
PAGES = ["good.md", "bad_doctest.md", "raising_cell.md", "tagged_cell_does_not_raise.md",
         "name_error_fence.md"]

CONFTEST = """
from pathlib import Path

from tests.sybil_config import docs_sybil

pytest_collect_file = docs_sybil(Path(__file__).parent / "docs").pytest()
"""


@dataclass
class PageRun:
    """What the sybil run reported for one fixture page."""

    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def failure_lines(self) -> list[str]:
        return "\n".join(self.failures).splitlines()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, PageRun]:
    """Run the docs Sybil over every fixture page in one separate pytest process."""
    where = tmp_path_factory.mktemp("proofs")
    docs = where / "docs"
    docs.mkdir()
    for name in PAGES:
        shutil.copy(FIXTURES / name, docs / name)
    (where / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    report = where / "report.xml"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--junitxml={report}",
         "--rootdir", str(where), "docs"],
        cwd=where, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
    )
    assert report.is_file(), result.stdout + result.stderr
    pages: dict[str, PageRun] = {name: PageRun() for name in PAGES}
    for case in ET.parse(report).iter("testcase"):
        # sybil's items are named after their page: classname "docs.<page>.md".
        run = pages[case.get("classname", "").removeprefix("docs.")]
        failed = case.find("failure")
        if failed is None:
            failed = case.find("error")
        if failed is not None:
            run.outcomes["failed"] += 1
            run.failures.append((failed.get("message") or "") + "\n" + (failed.text or ""))
        elif case.find("skipped") is not None:
            run.outcomes["skipped"] += 1
        else:
            run.outcomes["passed"] += 1
    return pages


def test_control_page_passes(runs):
    # Three cells (one of them must raise, and does), one doctest example,
    # one invisible block and the skip marker itself; the fence after the
    # marker is reported as skipped, not as passed.
    assert runs["good.md"].outcomes == Counter(passed=6, skipped=1), runs["good.md"]


def assert_lines(lines: list[str], patterns: list[str]) -> None:
    """Each pattern matches a line, in order (as pytester's fnmatch_lines)."""
    position = 0
    for pattern in patterns:
        while position < len(lines) and not fnmatch.fnmatch(lines[position], pattern):
            position += 1
        assert position < len(lines), f"no line matching {pattern!r} in order in:\n" + "\n".join(lines)
        position += 1


def test_wrong_doctest_output_fails(runs):
    run = runs["bad_doctest.md"]
    assert run.outcomes == Counter(failed=1)
    assert_lines(run.failure_lines(), ["*Expected:*", "*3*", "*Got:*", "*2*"])


def test_raising_code_cell_fails(runs):
    run = runs["raising_cell.md"]
    assert run.outcomes == Counter(failed=1)
    assert_lines(run.failure_lines(), ["*RuntimeError: this cell is broken*"])


def test_cell_tagged_to_raise_must_raise(runs):
    run = runs["tagged_cell_does_not_raise.md"]
    assert run.outcomes == Counter(failed=1)
    assert_lines(run.failure_lines(), ["*tagged raises-exception did not raise*"])


def test_name_error_in_fence_fails(runs):
    run = runs["name_error_fence.md"]
    assert run.outcomes == Counter(failed=1)
    assert_lines(run.failure_lines(), ["*NameError*undefined_name*"])


def test_uncollected_block_fails_the_guard():
    """The real guard test, run on a page with a block sybil cannot see."""
    page = FIXTURES / "uncollected.md"
    with pytest.raises(AssertionError, match="blocks sybil does not collect") as failure:
        test_docs_collected.test_every_python_block_is_collected(page)
    assert "fence py" in str(failure.value)
