"""The built site, driven in a real browser.

`make test` builds ``_build/html`` first; these tests serve it on 127.0.0.1
under a sub-path (as GitHub Pages serves a project site) and drive Chromium
(found by tools/chromium.py) with Playwright. Set XENT_SITE_DIR to test
another build.

Pages, quizzes, explorations and code blocks are found in the build, so
whatever anyone adds is checked without editing this file. One browser
serves the whole session (one per pytest-xdist worker, the ``browser``
fixture of tests/site/conftest.py), and every test gets a fresh browser
context, so no test sees what another stored.

Each content page is opened twice in all: once with JavaScript
(``test_page_with_javascript``) and once without
(``test_page_without_javascript``). Every per-page check (a clean load that
stays on the site, typeset math, keyboard, weight and layout shift, icons, a
screenshot, axe, phones, print, copy buttons, quizzes; and with scripts off,
no dead controls, readable math, quiz answers) is a subtest on that one load.
Site-wide behaviour (dark mode, search, the 404 page, explorations, copied
code that runs) has tests of its own, here and in test_reader_devices.py.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import yaml

from tests.browser_support import (
    ROOT,
    SUB_PATH,
    TWO_FRAMES,
    StaticSite,
    after_fonts_and_layout,
    content_pages,
    is_local,
    missing_site_message,
    page_html,
    screenshot_dir,
    site_dir,
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

# --- Budgets, from measurements of this build (see the README) --------------
#: Bytes a page transfers on a cold cache, text compressed with gzip as a
#: static host (GitHub Pages) serves it.
TRANSFER_BUDGET = 1_000_000
#: Scripts in <head> that block the first render.
BLOCKING_SCRIPTS_BUDGET = 0
#: Cumulative layout shift of a page load: math arrives typeset, as SVG
#: (measured 0.000 to three decimals on every page).
CLS_BUDGET = 0.01

PHONE_WIDTHS = (360, 390)
PHONE_HEIGHT = 800
DESKTOP = {"width": 1280, "height": 900}
# Media types that a static host compresses (GitHub Pages gzips these).
COMPRESSED = re.compile(r"\.(html|js|css|json|svg|txt|xml|ipynb)$")

#: Installed before any script of the page runs: adds up the layout shifts
#: of the load (those without recent input, as the CLS metric counts them).
CLS_OBSERVER = """
window.__xentCLS = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) { window.__xentCLS += entry.value; }
  }
}).observe({type: "layout-shift", buffered: true});
"""


# --- Fixtures --------------------------------------------------------------
# ``site``, ``server`` and ``browser`` (one per session) come from
# tests/site/conftest.py.


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

    def problems(self, since: tuple[int, int, int] = (0, 0, 0)) -> str:
        """Console errors, failed and foreign requests, those after *since* (a :meth:`mark`) only."""
        errors, failed, requests = since
        foreign = [url for url in self.requests[requests:] if not is_local(url, self.origin)]
        return "\n".join(self.console_errors[errors:] + self.failed[failed:] + foreign)

    def mark(self) -> tuple[int, int, int]:
        """Where the record stands now, for :meth:`problems` of what comes after."""
        return len(self.console_errors), len(self.failed), len(self.requests)


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
    """Wait for the network to go quiet, the fonts to load and the layout to be observed.

    Math arrives typeset, as SVG; xent-math.js marks the equations that
    scroll once the fonts have set their size.
    """
    wait_quiet(visit)
    after_fonts_and_layout(visit.page)


def new_context(browser, **options):
    return browser.new_context(viewport=DESKTOP, color_scheme="light", **options)


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
    """A tab in a new, empty browser context (cold cache; it may use the
    clipboard; layout shifts are counted from the first byte), closed after
    the test."""
    context = new_context(browser, permissions=["clipboard-read", "clipboard-write"])
    context.add_init_script(CLS_OBSERVER)
    yield Tab(context.new_page(), server)
    context.close()


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


def quiz_questions(page) -> list[tuple[str, str, int]]:
    """(quiz name, question id, index of the right choice) of every question on the page."""
    names = page.eval_on_selector_all("[data-xent-quiz]", "els => els.map(e => e.dataset.xentQuiz)")
    assert names, "a quiz page without a [data-xent-quiz] element"
    return [(name, qid, right) for name in names for qid, right in quiz_answers(name)]


def check_quiz_matches_its_file_and_shows_no_feedback_before_an_answer(visit: Visit) -> None:
    """Every question's built answer is the one its YAML file marks right, and
    no question shows feedback before it is answered."""
    page = visit.page
    for name, qid, right in quiz_questions(page):
        question = page.locator(f"#xent-quiz-{qid}")
        built = question.locator(".xent-quiz-answer").get_attribute("data-answer")
        assert built == LETTERS[right], (
            f"{qid}: the site says ({built}), docs/quizzes/{name}.yaml says ({LETTERS[right]}): "
            "the build is older than the quiz file; rebuild")
        assert feedback_of(question) == ("", ""), f"{qid}: feedback before any answer"


def check_quiz_arrow_keys_move_between_options_without_answering(visit: Visit) -> None:
    """Arrow keys move focus between a question's options and pick none; Space
    answers the first question, Enter the second."""
    page = visit.page
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


def check_quiz_answers_back(visit: Visit) -> None:
    """Every question: a wrong choice says so, the right one says correct, with the explanation.

    Clicks, as a reader would. A question already answered (by the keyboard
    check) gets a wrong choice that is not the one picked, so that the click
    changes the answer and the feedback shown is the click's.
    """
    page = visit.page
    # Only what the clicks set off: axe, run earlier on the same load, fetches
    # stylesheets itself (it resolves the theme's @import against the page).
    start = visit.mark()
    for _, qid, right in quiz_questions(page):
        question = page.locator(f"#xent-quiz-{qid}")
        choices = question.locator(".xent-quiz-choice label")
        radios = question.locator('input[type="radio"]')
        picked = [i for i in range(radios.count()) if radios.nth(i).is_checked()]
        wrongs = [right - 1 if right else 1] + [i for i in range(choices.count()) if i != right]
        wrong = next((i for i in wrongs if i not in picked), None)
        if wrong is None:  # the only wrong choice is the one picked: move away from it first
            choices.nth(right).click()
            assert "Correct." in feedback_of(question)[0], f"{qid}: right choice not answered"
            wrong = wrongs[0]
        choices.nth(wrong).click()
        verdict, explanation = feedback_of(question)
        assert "Not quite." in verdict and "Correct." not in verdict, f"{qid} wrong choice: {verdict!r}"
        assert f"The answer is ({LETTERS[right]})" in verdict
        assert explanation, f"{qid}: no explanation after a wrong choice"
        choices.nth(right).click()
        verdict, explanation = feedback_of(question)
        assert "Correct." in verdict and "Not quite." not in verdict, f"{qid} right choice: {verdict!r}"
        assert explanation, f"{qid}: no explanation after the right choice"
    assert not visit.problems(since=start), visit.problems(since=start)


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


def open_hidden_code(page) -> None:
    """Open every <details>: hidden inputs (hide-input cells) are code a reader can copy too."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.fixture
def clipboard_page(fresh_tab):
    def _open(rel: str) -> Visit:
        visit = fresh_tab.open(rel)
        open_hidden_code(visit.page)
        return visit
    return _open


def check_copy_gives_clean_python_for_every_block(visit: Visit) -> None:
    """Every Python block copies as valid Python with no prompt and no output line."""
    rel, page = visit.rel, visit.page
    # Only what copying sets off (see check_quiz_answers_back).
    start = visit.mark()
    open_hidden_code(page)
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
    assert not visit.problems(since=start), visit.problems(since=start)


def test_the_site_has_python_blocks_to_copy():
    assert CODE_PAGES, "no page of the built site has a Python block"


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


# --- Every page with JavaScript: one load, every check a subtest ---------------


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


def check_page_weight_blocking_scripts_and_layout_shift(loaded: Visit) -> None:
    """On a cold cache the page transfers at most TRANSFER_BUDGET bytes, no
    script blocks the first render, and the load shifts the layout by at most
    CLS_BUDGET (counted from the first byte by CLS_OBSERVER)."""
    rel, page = loaded.rel, loaded.page
    http_failures = [f for f in loaded.failed if ": HTTP " in f]
    assert not http_failures, f"{rel}: failed requests {http_failures}"
    size = transfer_size(site_dir(), loaded.requests, loaded.origin)
    cls = page.evaluate("() => window.__xentCLS")
    blocking = page.evaluate("""() => [...document.head.querySelectorAll('script')]
        .filter(s => s.src && !s.defer && !s.async && s.type !== 'module')
        .map(s => s.src)""")
    print(f"{rel}: {size} bytes, CLS {cls:.3f}, blocking {len(blocking)}")
    assert size <= TRANSFER_BUDGET, f"{rel} transfers {size:,} bytes (budget {TRANSFER_BUDGET:,})"
    assert len(blocking) <= BLOCKING_SCRIPTS_BUDGET, f"{rel}: render-blocking {blocking}"
    assert cls <= CLS_BUDGET, f"{rel}: CLS {cls:.3f} (budget {CLS_BUDGET})"


def check_no_equation_is_a_tab_stop(loaded: Visit) -> None:
    """No equation is a Tab stop; only a display box that scrolls sideways is
    focusable (to scroll it by keyboard)."""
    rel, page = loaded.rel, loaded.page
    report = page.evaluate("""() => ({
        math: document.querySelectorAll('mjx-container').length,
        tabStops: [...document.querySelectorAll('mjx-container')]
            .filter(m => m.tabIndex >= 0 || m.querySelector('[tabindex]:not([tabindex="-1"])')).length,
        narrowTabStops: [...document.querySelectorAll('div.math[tabindex]')]
            .filter(m => m.scrollWidth <= m.clientWidth + 2).length,
    })""")
    assert report["tabStops"] == 0, f"{rel}: {report['tabStops']} of {report['math']} equations are Tab stops"
    assert report["narrowTabStops"] == 0, f"{rel}: equation boxes that don't scroll are Tab stops"


def check_every_icon_draws(loaded: Visit) -> None:
    """The theme's icons come from Font Awesome's fonts (xent-icons.css), not its 1.5 MB script."""
    assert not any("fontawesome.js" in url for url in loaded.requests)
    blank = loaded.page.evaluate("""() => [...document.querySelectorAll('[class*="fa-"]')]
        .filter(e => e.getClientRects().length > 0)
        .filter(e => !/^"..?"$/.test(getComputedStyle(e, '::before').content)
                     || e.getBoundingClientRect().width === 0)
        .map(e => e.className)""")
    assert not blank, f"{loaded.rel}: icons without a glyph: {blank}"


def check_phones_at_360_and_390_px(loaded: Visit) -> None:
    """At 360 and 390 px nothing is wider than the screen, and a display
    equation that scrolls shows a cue (a gradient, and it is a named Tab stop).

    The phone is the same load with the viewport narrowed: Playwright cannot
    turn ``is_mobile``/``has_touch`` on in a context that exists, and on this
    site they change nothing a check here sees. No stylesheet of the site or
    its theme has a ``hover``/``pointer`` media query; the theme's Bootstrap
    reads ``ontouchstart`` only to wire dropdowns and carousels on a tap;
    and, measured on all 42 pages at both widths, a load in a phone context
    (``is_mobile``, ``has_touch``) and this desktop load narrowed gave the
    same page width, viewport width and wide equations, with the same cues.

    The wait after each resize can only make the check stricter: the page
    width is read from a fresh layout, and a wide equation that
    xent-math.js has not marked yet counts as one without a cue.
    """
    rel, page = loaded.rel, loaded.page
    try:
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
            # xent-math.js marks wide boxes from a ResizeObserver, after the layout.
            page.evaluate(TWO_FRAMES)
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            culprits = [] if wide <= width else page.evaluate(
                """w => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))""",
                width)
            assert wide <= width, f"{rel} is {wide} px wide at {width} px: {culprits}"
            uncued = page.evaluate("""() => [...document.querySelectorAll('div.math')]
                .filter(m => m.scrollWidth > m.clientWidth + 2)
                .filter(m => !/auto|scroll/.test(getComputedStyle(m).overflowX)
                             || !getComputedStyle(m).backgroundImage.includes('gradient')
                             || m.tabIndex !== 0 || !m.getAttribute('aria-label'))
                .length""")
            assert uncued == 0, f"{rel} at {width} px: {uncued} wide equations scroll without a cue"
    finally:
        page.set_viewport_size({"width": DESKTOP["width"], "height": DESKTOP["height"]})
        page.evaluate(TWO_FRAMES)


def check_print(loaded: Visit) -> None:
    """Printed, quiz answers and hidden code are open and explorations have no
    controls, only a note that they are interactive."""
    rel, page = loaded.rel, loaded.page
    page.emulate_media(media="print")
    try:
        page.evaluate(TWO_FRAMES)
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
        page.emulate_media(media="screen")
        page.evaluate(TWO_FRAMES)


def checks_with_javascript(rel: str) -> list[Callable[[Visit], None]]:
    """The checks of one loaded page, in the order they may run on one load.

    The order is what makes one load enough. First the checks that only read
    (the load's record, its weight and layout shift, math, Tab stops, icons,
    the screenshot, axe): the layout shift is read before anything resizes,
    scrolls or clicks, and none of them changes what the page shows. Then the
    phone widths and print, each of which puts the desktop viewport and the
    screen media back when it ends, so the later checks see the page as
    loaded. Last the checks that change the page: copying opens every
    <details> and switches code tabs (after print, which must see hidden code
    closed); the keyboard check answers the first two quiz questions, which
    must be unanswered, and after it the click check answers every question
    (it picks a choice other than the one already picked).
    """
    checks: list[Callable[[Visit], None]] = [
        check_page_loads_cleanly_and_stays_home,
        check_page_weight_blocking_scripts_and_layout_shift,
        check_math_is_typeset,
        check_no_equation_is_a_tab_stop,
        check_every_icon_draws,
    ]
    if rel in QUIZ_PAGES:
        checks.append(check_quiz_matches_its_file_and_shows_no_feedback_before_an_answer)
    checks += [
        check_full_page_screenshot,
        check_accessibility_axe,
        check_phones_at_360_and_390_px,
        check_print,
    ]
    if rel in CODE_PAGES:
        checks.append(check_copy_gives_clean_python_for_every_block)
    if rel in QUIZ_PAGES:
        checks += [check_quiz_arrow_keys_move_between_options_without_answering, check_quiz_answers_back]
    return checks


@pytest.mark.parametrize("rel", PAGES)
def test_page_with_javascript(fresh_tab, rel, subtests):
    """Each content page, loaded once on a cold cache at desktop width; each
    per-page check is a subtest on that load (see checks_with_javascript)."""
    if rel == NO_SITE:
        pytest.fail(missing_site_message() or "the built site has no content page")
    visit = fresh_tab.open(rel)
    for check in checks_with_javascript(rel):
        with subtests.test(msg=check.__name__.removeprefix("check_")):
            check(visit)


# --- Every page without JavaScript: one load, every check a subtest -----------


def check_no_empty_shells_or_dead_controls(page, rel: str) -> None:
    """Exploration parts and controls that need a script are hidden; each
    exploration says it needs JavaScript."""
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


def check_math_is_readable_without_javascript(page, rel: str) -> None:
    """Every equation is drawn SVG with MathML for screen readers, with
    scripts off; no TeX shows as text."""
    report = page.evaluate(MATH_REPORT)
    assert not report["undrawn"], f"{rel}: equations not drawn: {report['undrawn'][:5]}"
    assert report["unspoken"] == 0, f"{rel}: {report['unspoken']} equations without MathML"
    assert not report["raw"], f"{rel}: raw TeX shows: {report['raw'][:5]}"


def check_quiz_answers_open_without_javascript(page, rel: str) -> None:
    """Each question's "Show answer" opens to show the answer, with no script."""
    answers = page.locator("details.xent-quiz-answer")
    assert answers.count() > 0, f"{rel}: a quiz page without a 'Show answer'"
    for answer in answers.all():
        line = answer.locator(".xent-quiz-answer-line")
        assert not line.is_visible()
        answer.locator("summary").click()
        assert line.is_visible()
        assert "Answer" in line.inner_text() or "(" in line.inner_text()


@pytest.mark.parametrize("rel", PAGES)
def test_page_without_javascript(browser, server, rel, subtests):
    """Each content page, loaded once with scripts off; each no-JavaScript
    check is a subtest on that load. The read-only checks run first; opening
    the quiz answers (clicks) comes last."""
    if rel == NO_SITE:
        pytest.fail(missing_site_message() or "the built site has no content page")
    context = new_context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server.url(rel), wait_until="load")
        checks = [check_no_empty_shells_or_dead_controls, check_math_is_readable_without_javascript]
        if rel in QUIZ_PAGES:
            checks.append(check_quiz_answers_open_without_javascript)
        for check in checks:
            with subtests.test(msg=check.__name__.removeprefix("check_")):
                check(page, rel)
    finally:
        context.close()
