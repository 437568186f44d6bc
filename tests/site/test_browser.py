"""The built site, driven in a real browser.

`make test` builds ``_build/html`` first; these tests serve it on 127.0.0.1
under a sub-path (as GitHub Pages serves a project site) and drive Chromium
(found by tools/chromium.py) with Playwright. Set XENT_SITE_DIR to test
another build.

Pages, quizzes, explorations and code blocks are found in the build, so
whatever anyone adds is checked without editing this file. One browser
serves the whole session (one per pytest-xdist worker), and every test gets
a fresh browser context, so no test sees what another stored. Each content
page is opened once, by ``test_page``, and every per-page check runs on that
load as a subtest of its own.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import yaml

from tests.browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    StaticSite,
    content_pages,
    find_chromium,
    is_local,
    missing_site_message,
    page_html,
    screenshot_dir,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.build]

NO_SITE = "<no site built>"
PAGES = content_pages() or [NO_SITE]


def pages_with(marker: str) -> list[str]:
    return [rel for rel in content_pages() if marker in page_html(rel)]


MATH_PAGES = set(pages_with('class="math'))
QUIZ_PAGES = pages_with('class="xent-quiz"')
EXPLORATIONS = [
    (rel, kind)
    for rel in pages_with("data-xent-explore=")
    for kind in re.findall(r'data-xent-explore="([a-z]+)"', page_html(rel))
]

# A page may take this long to load, typeset its math and go quiet.
TIMEOUT_MS = 30_000
# "Quiet" means no request in flight for this long.
QUIET_S = 0.15


# --- Fixtures --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    # The root conftest stops the run before any test when there is no
    # browser, so this finds one.
    path, how = find_chromium()
    if path is None:
        pytest.fail(how)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(path), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """One page load, with everything it did on the wire."""

    page: Page
    origin: str
    rel: str = ""
    status: int = 0
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    pending: dict = field(default_factory=dict)
    last_activity: float = field(default_factory=time.monotonic)

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not is_local(url, self.origin)]

    def problems(self) -> str:
        return "\n".join(self.console_errors + self.failed + self.foreign())


class Tab:
    """A browser tab whose every page load is recorded in a fresh Visit.

    Loading page after page in one tab reuses its renderer process and the
    scripts it has compiled: three times faster than a new tab per page.
    """

    def __init__(self, page, served: StaticSite):
        self.page = page
        self.served = served
        self.visit = Visit(page=page, origin=served.origin)
        page.set_default_timeout(TIMEOUT_MS)
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._failed)
        page.on("response", self._responded)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.visit.console_errors.append(f"uncaught: {error}"))

    def _started(self, request):
        self.visit.requests.append(request.url)
        self.visit.pending[request] = request.url
        self.visit.last_activity = time.monotonic()

    def _ended(self, request):
        self.visit.pending.pop(request, None)
        self.visit.last_activity = time.monotonic()

    def _failed(self, request):
        self._ended(request)
        self.visit.failed.append(f"{request.url}: {request.failure}")

    def _responded(self, response):
        if response.status >= 400:
            self.visit.failed.append(f"{response.url}: HTTP {response.status}")

    def _console(self, message):
        if message.type == "error":
            self.visit.console_errors.append(
                f"console: {message.text} ({message.location.get('url')})")

    def open(self, rel: str) -> Visit:
        """Load *rel*, wait until it has settled, and return its record."""
        # What the previous page still had in flight would be aborted by the
        # navigation and reported against this one.
        wait_quiet(self.visit)
        self.visit = Visit(page=self.page, origin=self.served.origin, rel=rel)
        response = self.page.goto(self.served.url(rel), wait_until="load")
        self.visit.status = response.status
        settle(self.visit)
        return self.visit


def wait_quiet(visit: Visit) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while visit.pending or time.monotonic() - visit.last_activity < QUIET_S:
        if time.monotonic() > deadline:
            raise AssertionError(f"requests still pending: {sorted(visit.pending.values())}")
        visit.page.wait_for_timeout(25)


def settle(visit: Visit) -> None:
    """Wait for the network to go quiet (math arrives typeset, as SVG)."""
    wait_quiet(visit)


def new_context(browser, **options):
    return browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme="light", **options)


@pytest.fixture
def open_page(browser, server):
    """open_page(rel) -> Visit, in a new empty profile: for checks that change stored state."""
    contexts = []

    def _open(rel: str) -> Visit:
        context = new_context(browser)
        contexts.append(context)
        return Tab(context.new_page(), server).open(rel)

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def fresh_tab(browser, server) -> Iterator[Tab]:
    """A tab in a new, empty browser context (it may use the clipboard), closed after the test."""
    context = new_context(browser, permissions=["clipboard-read", "clipboard-write"])
    yield Tab(context.new_page(), server)
    context.close()


# --- Every page: one load, four checks ----------------------------------------


def check_page_loads_cleanly_and_stays_home(loaded: Visit) -> None:
    """No console error, no failed request, no request to another host."""
    assert loaded.requests, "the page made no request at all"
    assert not loaded.console_errors, "\n".join(loaded.console_errors)
    assert not loaded.failed, "failed requests:\n" + "\n".join(loaded.failed)
    assert not loaded.foreign(), f"requests leaving {loaded.origin}:\n" + "\n".join(loaded.foreign())


def check_math_is_typeset(loaded: Visit) -> None:
    """Math in the page's HTML is drawn (SVG typeset at build time), without a TeX error.

    A page without math must show no raw TeX delimiters either: a formula
    MyST failed to parse would otherwise reach the reader as source.
    """
    report = loaded.page.evaluate("""() => {
        const nodes = [...document.querySelectorAll('span.math, div.math')];
        const prose = [...document.querySelectorAll('article p, article li, article td')]
            .filter(n => !n.closest('pre, code, .math, mjx-container'))
            .map(n => n.textContent);
        return {
            total: nodes.length,
            untypeset: nodes.filter(n => !n.querySelector('mjx-container > svg')).map(n => n.textContent.slice(0, 80)),
            errors: [...document.querySelectorAll('mjx-merror, [data-mml-node="merror"]')]
                .map(e => e.getAttribute('data-mjx-error') || e.textContent),
            raw: prose.filter(t => /\\\\\\(|\\\\\\[|\\$\\$/.test(t)).map(t => t.slice(0, 120)),
        };
    }""")
    if loaded.rel in MATH_PAGES:
        assert report["total"] > 0, "math in the HTML but none in the DOM"
        assert not report["untypeset"], f"untypeset math: {report['untypeset']}"
        assert loaded.page.locator("mjx-container").count() >= report["total"]
    else:
        assert report["total"] == 0
    assert not report["errors"], f"TeX errors: {report['errors']}"
    assert not report["raw"], f"raw TeX in the text: {report['raw']}"


def check_full_page_screenshot(loaded: Visit) -> None:
    """A full-page screenshot of each page, in _build/screenshots/ for review."""
    out = screenshot_dir() / (loaded.rel.removesuffix(".html").replace("/", "__") + ".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    loaded.page.screenshot(path=str(out), full_page=True, animations="disabled")
    assert out.stat().st_size > 10_000, f"{out} is suspiciously small"


AXE_BLOCKING = {"serious", "critical"}


def axe_blocking(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in AXE_BLOCKING]


def axe_report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + " | ".join(", ".join(map(str, node["target"])) for node in v["nodes"][:6])
        for v in violations)


def check_accessibility_axe(loaded: Visit) -> None:
    """axe-core finds no serious or critical violation (light mode)."""
    violations = axe_blocking(loaded.page)
    assert not violations, axe_report(violations)


PAGE_CHECKS = (check_page_loads_cleanly_and_stays_home, check_math_is_typeset,
               check_full_page_screenshot, check_accessibility_axe)


@pytest.mark.parametrize("rel", PAGES)
def test_page(fresh_tab, rel, subtests):
    """Each content page, loaded once; each per-page check is a subtest on that load."""
    if rel == NO_SITE:
        pytest.fail(missing_site_message() or "the built site has no content page")
    visit = fresh_tab.open(rel)
    for check in PAGE_CHECKS:
        with subtests.test(msg=check.__name__.removeprefix("check_")):
            check(visit)


# --- Site-wide features ------------------------------------------------------


def test_accessibility_axe_dark_mode(open_page):
    """The dark palette passes axe too, on the richest page (most math, code and widgets)."""
    richest = max(content_pages(), key=lambda rel: len(page_html(rel)))
    visit = open_page(richest)
    visit.page.evaluate("() => { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); }")
    visit.page.reload(wait_until="load")
    settle(visit)
    assert visit.page.get_attribute("html", "data-theme") == "dark"
    violations = axe_blocking(visit.page)
    assert not violations, f"{richest} in dark mode:\n" + axe_report(violations)


def test_dark_mode_toggles_and_persists(open_page, server):
    visit = open_page("index.html")
    page = visit.page
    assert page.get_attribute("html", "data-theme") == "light"
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.click("button.theme-switch-button")
    page.click(".theme-change-button[data-mode='dark']")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark != light, "the theme switched but the page did not change colour"
    other = next(rel for rel in content_pages() if rel != "index.html")
    page.goto(server.url(other), wait_until="load")
    assert page.get_attribute("html", "data-theme") == "dark", f"dark mode lost on {other}"
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == dark
    assert not visit.console_errors, visit.console_errors


def test_search_finds_the_kl_page(open_page):
    visit = open_page("search.html?q=Kullback")
    page = visit.page
    page.wait_for_selector("#search-results ul.search li a", state="attached")
    links = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))")
    assert any("chain/kl-divergence.html" in link for link in links), links
    assert not visit.problems(), visit.problems()


def test_404_page_renders_whole(browser, site):
    """A missing URL gets the 404 page, styled, under the prefix it was built for."""
    html = (site / "404.html").read_text(encoding="utf-8")
    match = re.search(r'<link[^>]+href="([^"]*)_static/styles/theme\.css', html)
    assert match, "404.html does not load the theme's stylesheet"
    prefix = match.group(1)
    assert prefix.startswith("/") and prefix.endswith("/"), (
        f"404.html must use root-relative URLs (it is served at any depth), got {prefix!r}")
    with StaticSite(site, mount=prefix, not_found=site / "404.html") as served:
        context = new_context(browser)
        try:
            visit = Tab(context.new_page(), served).open("no/such/page.html")
            page = visit.page
            assert visit.status == 404
            assert "Page not found" in page.title()
            # The one failure allowed is the missing page itself.
            expected = f"{served.url('no/such/page.html')}: HTTP 404"
            assert visit.failed == [expected], visit.failed
            assert not visit.foreign(), visit.foreign()
            errors = [e for e in visit.console_errors if "status of 404" not in e]
            assert not errors, errors
            # Styled: the theme's stylesheet lays out the header as a flex box.
            assert page.evaluate(
                "() => getComputedStyle(document.querySelector('.bd-header')).display") == "flex"
        finally:
            context.close()


# --- Quizzes -----------------------------------------------------------------


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def quiz_answers(name: str) -> list[tuple[str, int]]:
    """(question id, index of the right choice), read from docs/quizzes/<name>.yaml."""
    data = yaml.safe_load((ROOT / "docs" / "quizzes" / f"{name}.yaml").read_text(encoding="utf-8"))
    answers = []
    for question in data["questions"]:
        right = [i for i, choice in enumerate(question["choices"]) if choice.get("correct")]
        assert len(right) == 1, f"{name}: {question['id']} has {len(right)} right answers"
        answers.append((question["id"], right[0]))
    return answers


def feedback_of(question) -> tuple[str, str]:
    """(verdict, explanation) as the question's feedback region shows them."""
    return tuple(question.locator(".xent-quiz-feedback").evaluate("""f => [
        f.querySelector('.xent-quiz-verdict')?.innerText.trim() ?? f.innerText.trim(),
        f.querySelector('.xent-quiz-explanation')?.innerText.trim() ?? '']"""))


def test_the_final_quiz_page_has_a_quiz():
    assert "quiz.html" in QUIZ_PAGES, f"no quiz on quiz.html; pages with a quiz: {QUIZ_PAGES}"


@pytest.mark.parametrize("rel", QUIZ_PAGES or ["<no quiz on the site>"])
def test_quiz_answers_back(fresh_tab, rel):
    """Every question: a wrong choice says so, the right one says correct, with the explanation."""
    assert rel in QUIZ_PAGES, "no page of the built site has a {quiz}"
    visit = fresh_tab.open(rel)
    page = visit.page
    names = page.eval_on_selector_all("[data-xent-quiz]", "els => els.map(e => e.dataset.xentQuiz)")
    assert names
    for name in names:
        for qid, right in quiz_answers(name):
            question = page.locator(f"#xent-quiz-{qid}")
            built = question.locator(".xent-quiz-answer").get_attribute("data-answer")
            assert built == LETTERS[right], (
                f"{qid}: the site says ({built}), docs/quizzes/{name}.yaml says ({LETTERS[right]}): "
                "the build is older than the quiz file; rebuild")
            choices = question.locator(".xent-quiz-choice label")
            assert feedback_of(question) == ("", ""), f"{qid}: feedback before any answer"
            wrong = right - 1 if right else 1
            choices.nth(wrong).click()
            verdict, explanation = feedback_of(question)
            assert "Not quite." in verdict and "Correct." not in verdict, f"{qid} wrong choice: {verdict!r}"
            assert f"The answer is ({LETTERS[right]})" in verdict
            assert explanation, f"{qid}: no explanation after a wrong choice"
            choices.nth(right).click()
            verdict, explanation = feedback_of(question)
            assert "Correct." in verdict and "Not quite." not in verdict, f"{qid} right choice: {verdict!r}"
            assert explanation, f"{qid}: no explanation after the right choice"
    assert not visit.problems(), visit.problems()


# --- Explorations --------------------------------------------------------------


def shown(text: str) -> float:
    """A number as the widgets display it: U+2212 minus, '∞', a unit after a space."""
    text = text.strip().split(" ")[0].replace("\u2212", "-")
    if text in ("\u221e", "-\u221e"):
        return math.copysign(math.inf, -1.0 if text.startswith("-") else 1.0)
    return float(text)


def assert_shown(text: str, exact: float, what: str) -> None:
    """The displayed *text* is *exact* rounded to the digits it shows."""
    value = shown(text)
    if math.isinf(exact) or math.isinf(value):
        assert value == exact, f"{what}: shows {text!r}, xr gives {exact!r}"
        return
    mantissa = text.strip().split(" ")[0].replace("\u2212", "-")
    digits, _, exponent = mantissa.partition("e")
    decimals = len(digits.partition(".")[2])
    half_unit = 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))
    assert abs(value - exact) <= half_unit * (1 + 1e-9) + 1e-15, (
        f"{what}: shows {text!r}, xr gives {exact!r}")


def assert_probability_shown(text: str, exact: float, complement: float, what: str) -> None:
    """A probability as the BCE widget shows it: a number, or "1 − c" within 0.001 of 1."""
    if text.strip().startswith("1 \u2212 "):
        assert_shown(text.strip()[4:], complement, f"{what}, shown as 1 - complement")
    else:
        assert_shown(text, exact, what)


def slide(page, slider, key: str, times: int = 1) -> float:
    """Move a range input with the keyboard, as a reader would; its new value."""
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)
    return float(slider.input_value())


def check_softmax(page, root, xr) -> None:
    fixed = [float(v) for v in root.get_attribute("data-fixed-logits").split()]
    slider = root.locator('input[data-role="z"]')
    role = lambda name: root.locator(f'[data-role="{name}"]').first.inner_text()  # noqa: E731
    for y, moves in ((2, [("Home", 1)]), (2, [("End", 1)]), (0, [("Home", 1), ("ArrowRight", 37)]),
                     (1, [("PageDown", 1)])):
        root.locator(f'input[data-role="y"][value="{y}"]').check()
        for key, times in moves:
            z2 = slide(page, slider, key, times)
        z = np.array([*fixed, z2])
        p = xr.softmax(z)
        loss = xr.softmax_cross_entropy(z[None, :], np.array([y]))
        grad = p - np.eye(3)[y]
        assert_shown(role("z-value"), z2, "z2")
        for k in range(3):
            assert_shown(role(f"p-{k}"), p[k], f"softmax(z)[{k}] at z={z}")
            assert_shown(role(f"g-{k}"), grad[k], f"gradient[{k}] at z={z}, y={y}")
        summary = role("summary")
        match = re.search(r"loss (\S+) nats", summary)
        assert match, summary
        assert_shown(match.group(1), loss, f"loss at z={z}, y={y}")


def check_bce(page, root, xr) -> None:
    slider = root.locator('input[data-role="z"]')
    role = lambda name: root.locator(f'[data-role="{name}"]').first.inner_text()  # noqa: E731
    for key, times in (("Home", 1), ("End", 1), ("ArrowLeft", 75), ("ArrowLeft", 13)):
        z = slide(page, slider, key, times)
        assert_shown(role("z-value"), z, "z")
        assert_probability_shown(role("q"), xr.sigmoid(z), xr.sigmoid(-z), f"sigmoid({z})")
        assert_probability_shown(role("q-complement"), xr.sigmoid(-z), xr.sigmoid(z), f"sigmoid({-z})")
        for y in (1, 0):
            loss = xr.binary_cross_entropy_with_logits(np.array([z]), np.array([float(y)]))
            assert_shown(role(f"loss-{y}"), loss, f"BCE(z={z}, y={y})")
            assert_shown(role(f"g-{y}"), xr.sigmoid(z) - y, f"gradient at z={z}, y={y}")


def check_kl(page, root, xr) -> None:
    role = lambda name: root.locator(f'[data-role="{name}"]').first.inner_text()  # noqa: E731

    def weights(dist):
        return np.array([float(root.locator(f'input[data-role="w{dist}-{i}"]').input_value())
                         for i in range(4)])

    def compare(unit: str) -> None:
        base = 2 if unit == "bits" else None
        p, q = weights("p"), weights("q")
        p, q = p / p.sum(), q / q.sum()
        for i in range(4):
            assert_shown(role(f"p-{i}"), p[i], f"P({i})")
            assert_shown(role(f"q-{i}"), q[i], f"Q({i})")
        where = f"P={p}, Q={q}, {unit}"
        assert role("h-p").endswith(unit)
        assert_shown(role("h-p"), xr.entropy(p, base=base), f"H(P), {where}")
        assert_shown(role("h-pq"), xr.cross_entropy(p, q, base=base), f"H(P,Q), {where}")
        assert_shown(role("kl-pq"), xr.kl_divergence(p, q, base=base), f"KL(P||Q), {where}")
        assert_shown(role("kl-qp"), xr.kl_divergence(q, p, base=base), f"KL(Q||P), {where}")

    compare("nats")
    slide(page, root.locator('input[data-role="wp-3"]'), "ArrowRight", 6)
    slide(page, root.locator('input[data-role="wq-0"]'), "ArrowLeft", 2)
    compare("nats")
    root.locator('select[data-role="unit"]').select_option("bits")
    compare("bits")
    # Q gives 0 to an outcome P can produce: cross-entropy and KL are +inf.
    slide(page, root.locator('input[data-role="wq-1"]'), "Home")
    compare("bits")


CHECKS = {"softmax": check_softmax, "bce": check_bce, "kl": check_kl}


@pytest.mark.parametrize(("rel", "kind"), EXPLORATIONS or [("<no exploration on the site>", "")])
def test_exploration_matches_xr(fresh_tab, rel, kind):
    """Moving the controls updates the shown values, which match xent_ref."""
    import xent_ref as xr

    assert kind in CHECKS, f"no exploration on the site, or an unknown kind {kind!r}"
    visit = fresh_tab.open(rel)
    for root in visit.page.locator(f'[data-xent-explore="{kind}"]').all():
        root.scroll_into_view_if_needed()
        CHECKS[kind](visit.page, root, xr)
    assert not visit.problems(), visit.problems()


def test_every_kind_of_exploration_is_on_the_site():
    assert {kind for _, kind in EXPLORATIONS} == set(CHECKS), EXPLORATIONS


# --- Copy buttons ----------------------------------------------------------------

# Blocks that are Python source: code cells (ipython3) and ```python fences
# (Pygments names a fence whose body starts with >>> "python" too, then shows
# the prompts as span.gp).
PYTHON_BLOCKS = ", ".join(
    f"div.highlight-{lexer} div.highlight"
    for lexer in ("ipython3", "python", "python3", "pycon", "ipython", "default"))
CODE_PAGES = pages_with('class="highlight-ipython3') + [
    rel for rel in pages_with('class="highlight-python') if 'class="highlight-ipython3' not in page_html(rel)]
CODE_PAGES = sorted(set(CODE_PAGES))


BLOCK_INFO = """blocks => blocks.map(b => ({
    shown: b.querySelector('pre').innerText,
    prompts: b.querySelectorAll('.gp').length,
    outputs: [...b.querySelectorAll('.go')].map(o => o.innerText).filter(t => t.trim()),
    inTab: !!b.closest('.sd-tab-content'),
}))"""


def copy_block(page, block, *, in_tab: bool = False) -> str:
    """Click the block's copy button, as a reader would; what lands on the clipboard."""
    # A block in a sphinx-design tab that is not selected (tabs are synced
    # across the page, so this changes as other tabs are picked): select it.
    if in_tab and not block.is_visible():
        block.locator("xpath=ancestor::div[contains(@class, 'sd-tab-content')][1]"
                      "/preceding-sibling::label[1]").click()
    block.locator("button.copybtn").click()
    # clipboard.js copies inside the click handler, so the text is there now;
    # empty the clipboard for the next block in the same round trip.
    text = page.evaluate("""async () => {
        const text = await navigator.clipboard.readText();
        await navigator.clipboard.writeText('');
        return text;
    }""")
    assert text.strip(), "the copy button put nothing on the clipboard"
    return text


@pytest.fixture
def clipboard_page(fresh_tab):
    def _open(rel: str) -> Visit:
        visit = fresh_tab.open(rel)
        # Hidden inputs (hide-input cells) are code a reader can copy too.
        visit.page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        return visit
    return _open


@pytest.mark.parametrize("rel", CODE_PAGES or ["<no code on the site>"])
def test_copy_gives_clean_python_for_every_block(clipboard_page, rel):
    """Every Python block copies as valid Python with no prompt and no output line."""
    visit = clipboard_page(rel)
    page = visit.page
    blocks = page.locator(PYTHON_BLOCKS)
    infos = blocks.evaluate_all(BLOCK_INFO)
    assert infos, f"no Python block on {rel}"
    for number, info in enumerate(infos, start=1):
        where = f"{rel} block {number}"
        text = copy_block(page, blocks.nth(number - 1), in_tab=info["inTab"])
        compile(text, where, "exec")
        bad = [line for line in text.splitlines() if re.match(r"(>>>|\.\.\.)( |$)", line)]
        assert not bad, f"{where}: prompts copied: {bad}"
        leaked = [out for out in info["outputs"] if out in text.splitlines()]
        assert not leaked, f"{where}: output lines copied: {leaked}"
        if not info["prompts"]:
            assert text == info["shown"].removesuffix("\n"), f"{where}: copy differs from the code shown"
    assert not visit.problems(), visit.problems()


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    script = tmp_path / "copied.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MPLBACKEND": "Agg"})


def first_block(marker_css: str, contains: str) -> tuple[str, int] | None:
    """(page, index among PYTHON_BLOCKS) of the first block matching, from the HTML alone."""
    for rel in CODE_PAGES:
        html = page_html(rel)
        starts = [m.start() for m in re.finditer(
            r'<div class="highlight-(?:ipython3|python|python3|pycon|ipython|default) ', html)]
        for index, start in enumerate(starts):
            end = html.find("</pre>", start)
            chunk = html[start:end]
            text = re.sub(r"<[^>]+>", "", chunk).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
            if (marker_css in chunk) and contains in text:
                return rel, index
    return None


def test_copied_plain_block_runs(clipboard_page, tmp_path):
    """The first block that imports xent_ref, copied, runs unchanged as Python."""
    found = first_block('class="highlight-', "import xent_ref")
    assert found, "no code block on the site imports xent_ref"
    rel, index = found
    visit = clipboard_page(rel)
    block = visit.page.locator(PYTHON_BLOCKS).nth(index)
    text = copy_block(visit.page, block, in_tab=True)
    result = run_python(text, tmp_path)
    assert result.returncode == 0, f"{rel} block {index + 1}:\n{text}\n---\n{result.stderr}"


def test_copied_doctest_block_runs(clipboard_page, tmp_path):
    """A block with >>> prompts and outputs, copied, runs unchanged: no prompt, no output."""
    found = first_block('class="gp"', "import ")
    assert found, ("no doctest-style block (>>> prompts) with an import on the site: "
                   "nothing shows that the copy button strips prompts and outputs")
    rel, index = found
    visit = clipboard_page(rel)
    block = visit.page.locator(PYTHON_BLOCKS).nth(index)
    outputs = [line for line in block.locator(".go").all_inner_texts() if line.strip()]
    text = copy_block(visit.page, block, in_tab=True)
    assert ">>>" not in text and "... " not in text, text
    assert not [out for out in outputs if out in text.splitlines()], f"outputs copied:\n{text}"
    result = run_python(text, tmp_path)
    assert result.returncode == 0, f"{rel} block {index + 1}:\n{text}\n---\n{result.stderr}"
