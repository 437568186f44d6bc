"""Every Python block of every page is collected by sybil.

The count of blocks comes from markdown-it-py, independently of sybil's lexers;
a page whose blocks stop being collected (an unhandled language, a new kind of
directive) fails here instead of passing untested.
"""

import os
from pathlib import Path

import pytest

from tests.docs_guard import collected_lines, python_blocks, uncollected

DOCS = Path(os.environ.get("XENT_DOCS_DIR", Path(__file__).resolve().parents[2] / "docs"))
PAGES = sorted(DOCS.rglob("*.md"))


def test_there_are_pages():
    assert PAGES, f"no MyST pages found under {DOCS}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_python_block_is_collected(page):
    missing = uncollected(page)
    assert not missing, f"{page.name}: blocks sybil does not collect: {missing}"
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    assert len(set(collected_lines(page))) >= len(blocks)
