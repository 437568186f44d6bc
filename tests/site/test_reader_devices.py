"""Every reader, every device, site-wide: the system colour scheme, a chosen
mode, the colour of math, search ranking, what ships, metadata and downloads,
on the built site.

The browser checks serve ``_build/html`` (or XENT_SITE_DIR) on 127.0.0.1 and
drive Chromium (the session's one ``browser``, tests/site/conftest.py), each
in a fresh context; the file checks read the build and the sources. The
per-page reader checks (keyboard, phones, print, no JavaScript, page weight)
are subtests of the one load of each page in test_browser.py
(``test_page_with_javascript``, ``test_page_without_javascript``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from tests.browser_support import (
    ROOT,
    after_fonts_and_layout,
    content_pages,
    missing_site_message,
    page_html,
    site_dir,
)

pytestmark = pytest.mark.browser

NO_SITE = "<no site built>"
PAGES = content_pages() or [NO_SITE]
TIMEOUT_MS = 30_000

#: The page that teaches each term a reader types into the search box.
SEARCHES = {
    "logsumexp": "losses/softmax-cross-entropy.html",
    "Kullback": "chain/kl-divergence.html",
    "label smoothing": "catalogue/label-smoothing.html",
    "focal": "catalogue/focal.html",
    "Brier": "catalogue/scoring-calibration.html",
}


def _need_page(rel: str) -> None:
    if rel == NO_SITE:
        pytest.fail(missing_site_message() or "no content pages in the build")


# --- Fixtures ---------------------------------------------------------------


# ``site``, ``server`` and ``browser`` (one per session) come from
# tests/site/conftest.py.


def open_fresh(browser, server, rel, **context_options):
    """``rel`` in a new browser profile (empty cache and storage); returns (context, page, urls)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(server.url(rel), wait_until="load", timeout=TIMEOUT_MS)
    after_fonts_and_layout(page)
    return context, page, urls


# --- 1. Dark mode -----------------------------------------------------------


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_first_visit_follows_the_system_colour_scheme(browser, server, scheme):
    """With nothing chosen, the page takes the system's scheme, and storing it
    does not turn it into the reader's choice (the next visit still follows
    the system)."""
    context, page, _ = open_fresh(browser, server, "index.html", color_scheme=scheme)
    try:
        assert page.get_attribute("html", "data-theme") == scheme
        stored = page.evaluate("() => localStorage.getItem('mode')")
        assert stored in (None, "auto"), f"first visit stored mode {stored!r} as a choice"
        other = "light" if scheme == "dark" else "dark"
        page.emulate_media(color_scheme=other)
        page.goto(server.url("quiz.html"), wait_until="load")
        assert page.get_attribute("html", "data-theme") == other
    finally:
        context.close()


def test_a_chosen_mode_wins_over_the_system(browser, server):
    context, page, _ = open_fresh(browser, server, "index.html", color_scheme="dark")
    try:
        page.evaluate("() => { localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light'); }")
        page.goto(server.url("quiz.html"), wait_until="load")
        assert page.get_attribute("html", "data-theme") == "light"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_math_takes_the_text_colour(browser, server, scheme):
    """The SVG paints in currentColor: in dark mode equations are as light as the text."""
    context, page, _ = open_fresh(browser, server, "chain/kl-divergence.html", color_scheme=scheme)
    try:
        colours = page.evaluate("""() => {
            const p = document.querySelector('article p span.math').closest('p');
            const g = p.querySelector('mjx-container > svg > g');
            return {text: getComputedStyle(p).color, math: getComputedStyle(g).fill,
                    stroke: g.getAttribute('stroke')};
        }""")
        assert colours["math"] == colours["text"], f"{scheme}: math {colours['math']} on text {colours['text']}"
        assert colours["stroke"] == "currentColor"
    finally:
        context.close()


# --- 7. Search --------------------------------------------------------------


@pytest.mark.parametrize("query", sorted(SEARCHES))
def test_search_ranks_the_teaching_page_first(browser, server, query):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.url("search.html?q=" + urllib.parse.quote(query)), wait_until="load")
        page.wait_for_selector("#search-results ul.search li a", timeout=TIMEOUT_MS)
        first = page.locator("#search-results ul.search li a").first.get_attribute("href")
        assert first.split("#")[0].split("?")[0].endswith(SEARCHES[query]), f"{query!r}: first hit {first}"
    finally:
        context.close()


# --- 6. Weight on disk ------------------------------------------------------


def test_no_mathjax_and_no_source_maps_are_shipped(site):
    """Math is typeset at build time: no MathJax script, font or component ships."""
    static = site / "_static"
    assert not list(static.rglob("*.map")), "source maps are shipped"
    assert not (static / "mathjax").exists(), "_static/mathjax is shipped, but no page loads it"
    assert (static / "xent-math-svg.css").is_file(), "the SVG math stylesheet is missing"
    for rel in content_pages():
        html = page_html(rel)
        assert not re.search(r"<script[^>]*mathjax", html, re.I), f"{rel} loads MathJax"


# --- 8. Metadata ------------------------------------------------------------


def _conf_in_subprocess(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("XENT_PUBLISH", "XENT_BASEURL", "READTHEDOCS_CANONICAL_URL")}
    code = ("import runpy, sys; sys.path.insert(0, '.'); "
            "ns = runpy.run_path('conf.py'); print(ns['html_baseurl'])")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_published_build_needs_its_base_url():
    unset = _conf_in_subprocess(XENT_PUBLISH="1")
    assert unset.returncode != 0 and "XENT_BASEURL" in unset.stderr
    published = _conf_in_subprocess(XENT_PUBLISH="1", XENT_BASEURL="https://example.com/xent")
    assert published.returncode == 0, published.stderr
    assert published.stdout.strip() == "https://example.com/xent/"
    local = _conf_in_subprocess()
    assert local.returncode == 0, local.stderr


def test_repository_links_come_from_one_setting():
    sys.path.insert(0, str(ROOT))
    import runpy

    conf = runpy.run_path(str(ROOT / "conf.py"))
    options = conf["repository_theme_options"]("https://github.com/o/xent", "main")
    assert options["repository_url"] == "https://github.com/o/xent"
    assert options["use_edit_page_button"] and options["use_repository_button"]
    assert options["path_to_docs"] == "docs"
    assert conf["repository_theme_options"]("", "main")["use_edit_page_button"] is False


def test_citation_file_matches_the_project():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert cff["cff-version"] == "1.2.0"
    assert cff["license"] == "MIT" and 'license = "MIT"' in pyproject
    assert f'version = "{cff["version"]}"' in pyproject
    assert cff["title"] == "xent: every loss is a cross-entropy"
    assert cff["authors"]


def test_robots_txt_points_to_the_sitemap(site):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots
    sitemap = re.search(r"^Sitemap: (\S+)$", robots, re.M)
    assert sitemap and sitemap.group(1).endswith("/sitemap.xml")
    assert (site / "sitemap.xml").is_file()


@pytest.mark.parametrize("rel", PAGES)
def test_page_shows_license_citation_and_last_update_from_git(site, rel):
    _need_page(rel)
    html = page_html(rel)
    assert "MIT License" in html and "How to cite" in html
    source = ROOT / "docs" / Path(rel).with_suffix(".md")
    date = subprocess.run(["git", "log", "-1", "--format=%cs", "--", str(source)], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()
    if date:
        assert f"Last updated on {date}" in " ".join(html.split()), f"{rel}: no git date {date}"


# --- 9. Downloads -----------------------------------------------------------


def _downloads() -> list[str]:
    sources = site_dir() / "_sources"
    return sorted(p.relative_to(sources).as_posix() for p in sources.rglob("*.ipynb")) or [NO_SITE]


@pytest.mark.parametrize("rel", _downloads())
def test_download_installs_first_keeps_outputs_and_drops_hidden_checks(site, rel):
    _need_page(rel)
    notebook = json.loads((site / "_sources" / rel).read_text(encoding="utf-8"))
    first = notebook["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and "pip install ." in text and "xent-ref" in text
    executed = json.loads((site.parent / "jupyter_execute" / rel).read_text(encoding="utf-8"))
    kept = [cell for cell in executed["cells"]
            if "remove-cell" not in cell.get("metadata", {}).get("tags", [])]
    assert len(notebook["cells"]) == len(kept) + 1, f"{rel}: remove-cell cells are not dropped"
    for cell in notebook["cells"]:
        assert "remove-cell" not in cell.get("metadata", {}).get("tags", [])
    page = page_html(rel.removesuffix(".ipynb") + ".html")
    if 'class="cell_output' in page:
        assert any(cell.get("outputs") for cell in notebook["cells"]), f"{rel}: outputs dropped"
