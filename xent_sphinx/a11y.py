"""Accessibility fixes for markup that the theme and docutils write.

axe-core (run on every page by ``tests/site/test_browser.py``) finds two serious
problems that no stylesheet or theme option can fix, so they are fixed in the
HTML as it is written:

* pydata-sphinx-theme's sidebar wraps each expandable entry's children in
  ``<details>`` whose ``<summary>`` holds only a chevron icon, so a screen
  reader announces a nameless button (axe: ``summary-name``). Each such
  summary gets ``aria-label="Sub-pages of <entry title>"``: the theme's
  ``generate_toctree_html`` (0.20.0) is wrapped for this, page by page. No
  pydata-sphinx-theme issue tracks it; the same markup and the same axe rule
  are worked around downstream in
  https://github.com/pytorch/pytorch_sphinx_theme/pull/234.
* docutils writes a bibliography as ``<div role="list">`` of
  ``<div role="doc-biblioentry">``. A list must hold list items, and DPUB-ARIA
  1.1 deprecates ``doc-biblioentry`` for that reason
  (https://github.com/w3c/dpub-aria/pull/22; axe: ``aria-required-children``,
  critical). The entries become ``role="listitem"``.

Both touch only the markup those tools emit, so other markup passes through
unchanged, and the output depends only on the input (builds stay identical).
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

_CITATION_ROLE = 'role="doc-biblioentry"'


def label_sidebar_summaries(soup: BeautifulSoup) -> BeautifulSoup:
    """Give each text-less sidebar ``<summary>`` the title of its entry, in place."""
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.parent.parent.find("a", recursive=False)
        if link is not None:
            summary["aria-label"] = f"Sub-pages of {' '.join(link.get_text().split())}"
    return soup


def list_item_citations(body: str) -> str:
    """Bibliography entries inside ``role="list"`` become list items."""
    return body.replace(_CITATION_ROLE, 'role="listitem"')


def _patch_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    generate = context.get("generate_toctree_html")
    if callable(generate) and not getattr(generate, "_xent_a11y", False):

        def generate_labelled(*args, **kwargs):
            out = generate(*args, **kwargs)
            if isinstance(out, str):
                return str(label_sidebar_summaries(BeautifulSoup(out, "html.parser")))
            return label_sidebar_summaries(out) if isinstance(out, BeautifulSoup) else out

        generate_labelled._xent_a11y = True
        context["generate_toctree_html"] = generate_labelled
    if isinstance(context.get("body"), str) and _CITATION_ROLE in context["body"]:
        context["body"] = list_item_citations(context["body"])


def setup(app) -> dict[str, Any]:
    # After pydata-sphinx-theme puts generate_toctree_html in the context
    # (default priority 500).
    app.connect("html-page-context", _patch_page, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
