"""`make pdf`: the whole site as one PDF, with every page in its outline.

Chromium prints the singlehtml build with an outline (bookmarks) of its
headings; every content page of the HTML site must appear there under its
title. The PDF's outline titles are read from the file itself: Chromium
writes each as a PDF string, literal ``(...)`` or UTF-16BE hex ``<FEFF...>``.

Chromium builds an entry from the heading's laid-out lines: the space at a
line break is lost ("a categorical" becomes "acategorical"), and a wrapped
heading may repeat its first line. A title therefore counts as present when,
without whitespace, it is part of an entry without whitespace.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.browser_support import content_pages, page_html, site_dir

pytestmark = [pytest.mark.build, pytest.mark.slow]

_LITERAL = re.compile(rb"/Title\s*\(((?:\\.|[^\\)])*)\)", re.S)
_HEX = re.compile(rb"/Title\s*<([0-9A-Fa-f\s]*)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(raw: bytes) -> str:
    """A PDF literal string (PDFDocEncoding, ASCII here) with its escapes undone."""
    out = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
                 else _ESCAPES.get(m.group(1), m.group(1)), raw, flags=re.S)
    return out.decode("latin-1")


def _hex(raw: bytes) -> str:
    data = bytes.fromhex(re.sub(rb"\s", b"", raw).decode())
    return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")


def outline_titles(pdf: bytes) -> set[str]:
    """Every ``/Title`` string in the file (the outline's entries and the document title)."""
    titles = [_literal(m.group(1)) for m in _LITERAL.finditer(pdf)]
    titles += [_hex(m.group(1)) for m in _HEX.finditer(pdf)]
    return {" ".join(title.split()) for title in titles}


def test_outline_titles_are_decoded():
    """Both string forms Chromium writes, checked on hand-written PDF fragments."""
    sample = (b"<</Title (Entropy \\(H\\) and cross-entropy)>>"
              b"<</Title <FEFF0053007500620020201C00710075006F007400650064201D>>>")
    assert outline_titles(sample) == {"Entropy (H) and cross-entropy", "Sub \u201cquoted\u201d"}


def page_title(rel: str) -> str:
    """The text of the page's <h1>, without its permalink."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page_html(rel), re.S)
    assert match is not None, f"{rel}: no <h1>"
    h1 = match.group(1)
    h1 = re.sub(r'<a class="headerlink".*?</a>', "", h1, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", h1)).split())


def test_pdf_has_every_page_title():
    pdf_path: Path = site_dir().parent / "pdf" / "xent.pdf"
    if not pdf_path.is_file():
        pytest.fail(f"no PDF at {pdf_path}: run `make pdf` (make test builds it before the site)")
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    titles = outline_titles(pdf)
    pages = [rel for rel in content_pages() if rel != "404.html"]
    assert pages, "no content pages in the built site"
    entries = ["".join(title.split()) for title in titles]
    missing = [(rel, page_title(rel)) for rel in pages
               if not any("".join(page_title(rel).split()) in entry for entry in entries)]
    assert not missing, f"pages whose title is not in the PDF's outline: {missing}"
