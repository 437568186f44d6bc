"""Every reader, every device: dark mode, keyboard, phones, print, no
JavaScript, page weight, search, metadata and downloads, on the built site.

The browser checks serve ``_build/html`` (or XENT_SITE_DIR) on 127.0.0.1 and
drive Debian's Chromium; the file checks read the build and the sources.
Budgets are set from measurements of this build and stated in the README.
"""

from __future__ import annotations

import concurrent.futures
import functools
import gzip
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml

from tests.browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    SUB_PATH,
    content_pages,
    missing_site_message,
    page_html,
    site_dir,
)
from tools.chromium import find_chromium

pytestmark = pytest.mark.browser

NO_SITE = "<no site built>"
PAGES = content_pages() or [NO_SITE]
QUIZ_PAGES = [rel for rel in content_pages() if 'class="xent-quiz"' in page_html(rel)] or [NO_SITE]
TIMEOUT_MS = 30_000

# --- Budgets, from measurements of this build (see the README) --------------
#: Bytes a page transfers on a cold cache, text compressed with gzip as a
#: static host (GitHub Pages) serves it.
TRANSFER_BUDGET = 1_000_000
#: Scripts in <head> that block the first render.
BLOCKING_SCRIPTS_BUDGET = 0
#: Cumulative layout shift of a page load: math arrives typeset, as SVG
#: (measured 0.000 to three decimals on every page).
CLS_BUDGET = 0.01

#: The page that teaches each term a reader types into the search box.
SEARCHES = {
    "logsumexp": "losses/softmax-cross-entropy.html",
    "Kullback": "chain/kl-divergence.html",
    "label smoothing": "catalogue/label-smoothing.html",
    "focal": "catalogue/focal.html",
    "Brier": "catalogue/scoring-calibration.html",
}

PHONE_WIDTHS = (360, 390)
# Media types that a static host compresses (GitHub Pages gzips these).
COMPRESSED = re.compile(r"\.(html|js|css|json|svg|txt|xml|ipynb)$")


def _need_page(rel: str) -> None:
    if rel == NO_SITE:
        pytest.fail(missing_site_message() or "no content pages in the build")


# --- Fixtures ---------------------------------------------------------------


# ``site`` and ``server`` come from tests/site/conftest.py.


# Playwright's sync API refuses to start while another sync Playwright (the
# session-wide one of tests/site/test_browser.py) runs in the same thread. This
# module's browser lives in a thread of its own, and every test that drives
# it runs there (``in_browser_thread``).
_BROWSER_THREAD = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="xent-reader")


def in_browser_thread(test):
    """Run ``test`` in the thread that owns this module's browser."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return _BROWSER_THREAD.submit(test, *args, **kwargs).result()

    return run


def _launch():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    path, _ = find_chromium()
    return playwright, playwright.chromium.launch(
        executable_path=str(path), args=CHROMIUM_ARGS, headless=True)


def _close(playwright, chromium):
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="module")
def browser():
    path, why = find_chromium()
    if path is None:
        pytest.fail(why)
    playwright, chromium = _BROWSER_THREAD.submit(_launch).result()
    yield chromium
    _BROWSER_THREAD.submit(_close, playwright, chromium).result()


CLS_OBSERVER = """
window.__xentCLS = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) { window.__xentCLS += entry.value; }
  }
}).observe({type: "layout-shift", buffered: true});
"""


def settle(page) -> None:
    """Wait for the load event and the fonts (math is SVG from the build: nothing to typeset)."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    time.sleep(0.2)


def open_fresh(browser, server, rel, **context_options):
    """``rel`` in a new browser profile (empty cache and storage); returns (context, page, urls)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(server.url(rel), wait_until="load", timeout=TIMEOUT_MS)
    if context_options.get("java_script_enabled", True):
        settle(page)
    return context, page, urls


# --- 1. Dark mode -----------------------------------------------------------


@pytest.mark.parametrize("scheme", ["dark", "light"])
@in_browser_thread
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


@in_browser_thread
def test_a_chosen_mode_wins_over_the_system(browser, server):
    context, page, _ = open_fresh(browser, server, "index.html", color_scheme="dark")
    try:
        page.evaluate("() => { localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light'); }")
        page.goto(server.url("quiz.html"), wait_until="load")
        assert page.get_attribute("html", "data-theme") == "light"
    finally:
        context.close()


# --- 2. Keyboard, 6. weight: one cold load per page -------------------------


@pytest.fixture(scope="module")
def cold_loads(browser, server):
    """Each content page on a cold cache at desktop width, measured once."""
    results: dict[str, dict] = {}

    def measure(rel: str) -> dict:
        if rel in results:
            return results[rel]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(CLS_OBSERVER)
        page = context.new_page()
        urls: list[str] = []
        failed: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        try:
            page.goto(server.url(rel), wait_until="load", timeout=TIMEOUT_MS)
            settle(page)
            results[rel] = {
                "urls": urls,
                "failed": failed,
                "cls": page.evaluate("() => window.__xentCLS"),
                "blocking": page.evaluate("""() => [...document.head.querySelectorAll('script')]
                    .filter(s => s.src && !s.defer && !s.async && s.type !== 'module')
                    .map(s => s.src)"""),
                "math_tab_stops": page.evaluate("""() => [...document.querySelectorAll('mjx-container')]
                    .filter(m => m.tabIndex >= 0 || m.querySelector('[tabindex]:not([tabindex="-1"])'))
                    .length"""),
                "math": page.evaluate("() => document.querySelectorAll('mjx-container').length"),
                "narrow_tab_stops": page.evaluate("""() => [...document.querySelectorAll('div.math[tabindex]')]
                    .filter(m => m.scrollWidth <= m.clientWidth + 2).length"""),
                "blank_icons": page.evaluate("""() => [...document.querySelectorAll('[class*="fa-"]')]
                    .filter(e => e.getClientRects().length > 0)
                    .filter(e => !/^"..?"$/.test(getComputedStyle(e, '::before').content)
                                 || e.getBoundingClientRect().width === 0)
                    .map(e => e.className)"""),
            }
        finally:
            context.close()
        return results[rel]

    return measure


def transfer_size(site: Path, urls: list[str], origin: str) -> int:
    """Bytes on the wire for these URLs: text gzipped, as a static host sends it."""
    total = 0
    for url in dict.fromkeys(urls):
        parts = urllib.parse.urlsplit(url)
        if url.startswith("data:"):
            continue
        assert f"{parts.scheme}://{parts.netloc}" == origin, f"request leaves the site: {url}"
        path = site / urllib.parse.unquote(parts.path[len(SUB_PATH):])
        if path.is_dir():
            path = path / "index.html"
        data = path.read_bytes()
        total += len(gzip.compress(data, 6, mtime=0)) if COMPRESSED.search(path.name) else len(data)
    return total


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_no_equation_is_a_tab_stop(cold_loads, rel):
    _need_page(rel)
    load = cold_loads(rel)
    assert load["math_tab_stops"] == 0, f"{rel}: {load['math_tab_stops']} of {load['math']} equations are Tab stops"
    # Only a box that scrolls sideways is focusable (to scroll it by keyboard).
    assert load["narrow_tab_stops"] == 0, f"{rel}: equation boxes that don't scroll are Tab stops"


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_page_weight_blocking_scripts_and_layout_shift(cold_loads, site, server, rel):
    _need_page(rel)
    load = cold_loads(rel)
    assert not load["failed"], f"{rel}: failed requests {load['failed']}"
    size = transfer_size(site, load["urls"], server.origin)
    print(f"{rel}: {size} bytes, CLS {load['cls']:.3f}, blocking {len(load['blocking'])}")
    assert size <= TRANSFER_BUDGET, f"{rel} transfers {size:,} bytes (budget {TRANSFER_BUDGET:,})"
    assert len(load["blocking"]) <= BLOCKING_SCRIPTS_BUDGET, f"{rel}: render-blocking {load['blocking']}"
    assert load["cls"] <= CLS_BUDGET, f"{rel}: CLS {load['cls']:.3f} (budget {CLS_BUDGET})"


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_every_icon_draws(cold_loads, rel):
    """The theme's icons come from Font Awesome's fonts (xent-icons.css), not its 1.5 MB script."""
    _need_page(rel)
    load = cold_loads(rel)
    assert not any("fontawesome.js" in url for url in load["urls"])
    assert not load["blank_icons"], f"{rel}: icons without a glyph: {load['blank_icons']}"


@pytest.mark.parametrize("rel", QUIZ_PAGES)
@in_browser_thread
def test_arrow_keys_move_between_quiz_options_without_answering(browser, server, rel):
    _need_page(rel)
    context, page, _ = open_fresh(browser, server, rel)
    try:
        question = page.locator(".xent-quiz-question").first
        radios = question.locator('input[type="radio"]')
        radios.nth(0).focus()
        for key, expected in (("ArrowDown", 1), ("ArrowRight", 2 % radios.count()), ("ArrowUp", 1)):
            page.keyboard.press(key)
            focused = page.evaluate("() => document.activeElement.id")
            assert focused == radios.nth(expected).get_attribute("id"), f"{key} moved focus to {focused}"
            assert page.evaluate(
                "q => [...q.querySelectorAll('input')].some(i => i.checked)",
                question.element_handle()) is False, f"{key} picked an option"
            assert question.locator(".xent-quiz-feedback").inner_text().strip() == "", f"{key} answered"
        page.keyboard.press("Space")
        assert radios.nth(1).is_checked()
        assert question.locator(".xent-quiz-verdict").count() == 1, "Space did not answer"
        second = page.locator(".xent-quiz-question").nth(1)
        second.locator('input[type="radio"]').nth(0).focus()
        page.keyboard.press("Enter")
        assert second.locator('input[type="radio"]').nth(0).is_checked()
        assert second.locator(".xent-quiz-verdict").count() == 1, "Enter did not answer"
    finally:
        context.close()


@in_browser_thread
def test_quiz_answers_open_without_javascript(browser, server):
    rel = QUIZ_PAGES[0]
    _need_page(rel)
    context, page, _ = open_fresh(browser, server, rel, java_script_enabled=False)
    try:
        answer = page.locator("details.xent-quiz-answer").first
        line = answer.locator(".xent-quiz-answer-line")
        assert not line.is_visible()
        answer.locator("summary").click()
        assert line.is_visible()
        assert "Answer" in line.inner_text() or "(" in line.inner_text()
    finally:
        context.close()


# --- 3. Phones, 4. print: one phone load per page ---------------------------


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_phones_and_print(browser, server, rel):
    """At 360 and 390 px nothing is wider than the screen, and a display
    equation that scrolls shows a cue; printed, quiz answers and hidden code
    are open and explorations have no controls."""
    _need_page(rel)
    context, page, _ = open_fresh(browser, server, rel, viewport={"width": PHONE_WIDTHS[0], "height": 800},
                                  is_mobile=True, has_touch=True)
    try:
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            time.sleep(0.1)
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > width:
                culprits = page.evaluate("""w => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 1)
                    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
                    .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))""",
                                         width)
                pytest.fail(f"{rel} is {wide} px wide at {width} px: {culprits}")
            time.sleep(0.3)  # xent-math.js marks wide boxes after a resize
            uncued = page.evaluate("""() => [...document.querySelectorAll('div.math')]
                .filter(m => m.scrollWidth > m.clientWidth + 2)
                .filter(m => !/auto|scroll/.test(getComputedStyle(m).overflowX)
                             || !getComputedStyle(m).backgroundImage.includes('gradient')
                             || m.tabIndex !== 0 || !m.getAttribute('aria-label'))
                .length""")
            assert uncued == 0, f"{rel} at {width} px: {uncued} wide equations scroll without a cue"

        page.emulate_media(media="print")
        time.sleep(0.1)
        hidden_code = page.evaluate("""() => [...document.querySelectorAll('details.hide .cell_input')]
            .filter(e => e.getBoundingClientRect().height === 0).length""")
        assert hidden_code == 0, f"{rel}: {hidden_code} hidden code cells stay closed in print"
        closed = page.evaluate("""() => [...document.querySelectorAll('details.xent-quiz-answer:not([hidden]) .xent-quiz-answer-line')]
            .filter(e => e.getBoundingClientRect().height === 0).length""")
        assert closed == 0, f"{rel}: {closed} quiz answers stay closed in print"
        controls = page.evaluate("""() => [...document.querySelectorAll('.xent-explore input, .xent-explore select, .xent-explore svg, .xent-explore table')]
            .filter(e => e.getBoundingClientRect().height > 0).length""")
        assert controls == 0, f"{rel}: {controls} exploration controls print"
        notes = page.evaluate("""() => [...document.querySelectorAll('.xent-explore')]
            .map(e => getComputedStyle(e, '::after').content)""")
        assert all("interactive" in note.lower() for note in notes), f"{rel}: explorations print without a note: {notes}"
    finally:
        context.close()


# --- 5. No JavaScript -------------------------------------------------------


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_no_javascript_no_empty_shells_or_dead_controls(browser, server, rel):
    _need_page(rel)
    context, page, _ = open_fresh(browser, server, rel, java_script_enabled=False)
    try:
        shells = page.evaluate("""() => [...document.querySelectorAll(
                '.xent-explore input, .xent-explore select, .xent-explore svg, .xent-explore table, .xent-explore output')]
            .filter(e => e.getClientRects().length > 0).length""")
        assert shells == 0, f"{rel}: {shells} exploration parts show without JavaScript"
        dead = page.evaluate("""() => [...document.querySelectorAll(
                '.dropdown-download-buttons, .theme-switch-button, .sidebar-toggle, #pst-back-to-top, .search-button')]
            .filter(e => e.getClientRects().length > 0).map(e => e.className || e.id)""")
        assert not dead, f"{rel}: controls that need a script show without one: {dead}"
        for explore in page.locator(".xent-explore").all():
            assert "needs JavaScript" in explore.inner_text()
    finally:
        context.close()


#: The math of a page, read in the browser: how many equations, how many of
#: them have no drawn SVG or no MathML for screen readers, and any TeX left raw
#: in the text a reader sees.
MATH_REPORT = r"""() => {
  const boxes = [...document.querySelectorAll('span.math, div.math')];
  // The text a reader sees, less code and equations (a doctest may print TeX).
  const prose = [...document.querySelectorAll('article p, article li, article td, article th, article dd, article h1, article h2, article h3')]
    .filter(e => !e.closest('pre, code, .highlight') && e.getClientRects().length > 0)
    .map(e => { const copy = e.cloneNode(true);
      copy.querySelectorAll('pre, code, .highlight, .math').forEach(c => c.remove());
      return copy.textContent; });
  // An equation in a part hidden without JavaScript (an exploration) is not drawn.
  const shown = boxes.filter(b => b.getClientRects().length > 0);
  return {
    total: boxes.length,
    undrawn: boxes.filter(b => !b.querySelector('mjx-container > svg')).map(b => b.textContent.slice(0, 60))
      .concat(shown.filter(b => { const svg = b.querySelector('mjx-container > svg');
        return svg && svg.getBoundingClientRect().width === 0; })
        .map(b => b.textContent.slice(0, 60))),
    unspoken: boxes.filter(b => !b.querySelector('mjx-assistive-mml math')).length,
    raw: prose.filter(t => /\\\(|\\\[|\$\$|\\(frac|sum|mathrm|operatorname)\b/.test(t)).map(t => t.slice(0, 100)),
  };
}"""


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_math_is_readable_without_javascript(browser, server, rel):
    """Every equation is drawn SVG with MathML for screen readers, with
    scripts off; no TeX shows as text."""
    _need_page(rel)
    context, page, _ = open_fresh(browser, server, rel, java_script_enabled=False)
    try:
        report = page.evaluate(MATH_REPORT)
        assert not report["undrawn"], f"{rel}: equations not drawn: {report['undrawn'][:5]}"
        assert report["unspoken"] == 0, f"{rel}: {report['unspoken']} equations without MathML"
        assert not report["raw"], f"{rel}: raw TeX shows: {report['raw'][:5]}"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["dark", "light"])
@in_browser_thread
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
@in_browser_thread
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
