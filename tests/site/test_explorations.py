"""The explorations' JavaScript agrees with xent_ref, and the widgets respond.

``xent_sphinx/static/xent-explore.js`` computes every value the softmax, BCE and KL
widgets show. Its formulas are evaluated here in Chromium (the engine readers
use, driven by Playwright with Debian's /usr/bin/chromium), or in node when
Chromium is missing, and compared with ``xent_ref`` at many points, extreme
logits included; gradients are also checked against mpmath at 50 digits and
against central differences of xent_ref's losses. The widgets are then loaded
into a blank page in Chromium, driven through their sliders, radio buttons
and keyboard, and their readouts compared with xent_ref.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import queue
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import mpmath
import numpy as np
import pytest

import xent_ref as xr
from tools.chromium import find_chromium
from xent_sphinx import explore as xent_explore

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "xent_sphinx" / "static" / "xent-explore.js"
CSS = ROOT / "docs" / "_static" / "xent.css"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Calls go to JS as [name, args] and come back with non-finite numbers as
# strings, so that node's JSON and Playwright's bridge return the same thing.
CALL_ALL = """
(calls) => {
  const enc = (v) => Array.isArray(v) ? v.map(enc)
    : (typeof v === "number" && !Number.isFinite(v)) ? String(v) : v;
  return calls.map(([name, args]) => {
    try {
      return enc(XentExplore.math[name](...args));
    } catch (error) {
      return {error: String(error.message)};
    }
  });
}
"""


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, str):
        return float(value)  # "Infinity", "-Infinity", "NaN"
    return value


class BrowserThread:
    """Debian's Chromium, driven by Playwright in a thread of its own.

    Playwright's sync API refuses to start in a thread where another
    Playwright is running, as the browser suite's session-scoped one is when
    both files run in one session. In a thread of its own it never meets
    another. ``run(check)`` calls ``check(browser)`` in that thread and
    returns its result or raises its exception.
    """

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue()
        self._ready: concurrent.futures.Future = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._serve, name="chromium", daemon=True)
        self._thread.start()
        self._ready.result(timeout=120)

    def _serve(self):
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                path, _ = find_chromium()
                browser = pw.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
                self._ready.set_result(None)
                while (job := self._jobs.get()) is not None:
                    check, future = job
                    try:
                        future.set_result(check(browser))
                    except BaseException as error:  # handed to the test's thread
                        future.set_exception(error)
                browser.close()
        except BaseException as error:
            if not self._ready.done():
                self._ready.set_exception(error)

    def run(self, check):
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((check, future))
        return future.result(timeout=300)

    def close(self):
        self._jobs.put(None)
        self._thread.join(timeout=120)


class Chromium:
    """The formulas, evaluated in a blank Chromium page."""

    def __init__(self, thread: BrowserThread):
        self.thread = thread

        def open_page(browser):
            page = browser.new_page()
            # A blank page: nothing may be fetched.
            page.route("**/*", lambda route: route.abort())
            page.set_content("<!doctype html><title>t</title>")
            page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
            return page

        self.page = thread.run(open_page)

    def calls(self, calls):
        results = self.thread.run(lambda browser: self.page.evaluate(CALL_ALL, calls))
        return [_decode(v) if not isinstance(v, dict) else v for v in results]

    def close(self):
        self.thread.run(lambda browser: self.page.close())


class Node:
    def __init__(self, node):
        self.node = node

    def calls(self, calls):
        program = (
            f"globalThis.XentExplore = require({json.dumps(str(SCRIPT))});"
            f"const run = {CALL_ALL};"
            "process.stdout.write(JSON.stringify(run(JSON.parse(process.argv[1]))));"
        )
        out = subprocess.run(
            [self.node, "-e", program, json.dumps(calls)],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        return [_decode(v) if not isinstance(v, dict) else v for v in json.loads(out)]

    def close(self):
        pass


@pytest.fixture(scope="module")
def chromium():
    """A :class:`BrowserThread`, or None when no Chromium is found (tools/chromium.py)."""
    if find_chromium()[0] is None:
        yield None
        return
    thread = BrowserThread()
    yield thread
    thread.close()


@pytest.fixture(scope="module")
def js(chromium):
    """The formulas' engine: Chromium, or node when Chromium is missing."""
    if chromium is not None:
        engine = Chromium(chromium)
    elif shutil.which("node"):
        engine = Node(shutil.which("node"))
    else:
        pytest.fail(
            "no JavaScript engine: install Debian's chromium (apt-get install chromium); "
            "node also works for the formula tests"
        )
    yield engine
    engine.close()


def call(js, name, *args):
    (result,) = js.calls([[name, list(args)]])
    return result


def tolist(x):
    return np.asarray(x, dtype=float).tolist()


# --- Formulas against xent_ref ------------------------------------------------

LOGIT_ROWS = [
    [1.0, 2.0, 3.0],
    [1e4, 0.0, -1e4],
    [-1000.0, -1000.5],
    [700.0, 700.5, -3.0],
    [0.0, -40.0],  # log1p matters: log(1 + e^-40) would round to 0
    [-745.0, -744.0, -746.5],
    [3.5],
    [1.0, 2.0, -4.0],
    [1.0, 2.0, 6.0],
]


def test_logsumexp_softmax_log_softmax_match_xr(js):
    names = ("logsumexp", "softmax", "logSoftmax")
    results = js.calls([[name, [row]] for row in LOGIT_ROWS for name in names])
    for i, row in enumerate(LOGIT_ROWS):
        lse, sm, lsm = results[3 * i : 3 * i + 3]
        np.testing.assert_allclose(lse, xr.logsumexp(row), rtol=1e-14, atol=0, err_msg=str(row))
        np.testing.assert_allclose(sm, xr.softmax(row), rtol=1e-14, atol=1e-300, err_msg=str(row))
        np.testing.assert_allclose(lsm, xr.log_softmax(row), rtol=1e-14, atol=0, err_msg=str(row))


# The softmax widget: logits (1, 2, z2) with z2 on its slider, plus extremes.
SOFTMAX_Z2 = [*np.linspace(-4.0, 6.0, 11).tolist(), 3.7, -700.0, 700.0, -1e4, 1e4]


def _softmax_cases():
    z0, z1 = xent_explore.SOFTMAX_FIXED_LOGITS
    return [([z0, z1, z2], y) for z2 in SOFTMAX_Z2 for y in range(3)]


def test_softmax_cross_entropy_and_gradient_match_xr(js):
    cases = _softmax_cases()
    results = js.calls(
        [[name, [z, y]] for z, y in cases for name in ("softmaxCrossEntropy", "softmaxCrossEntropyGrad")]
    )
    for i, (z, y) in enumerate(cases):
        loss, grad = results[2 * i], results[2 * i + 1]
        expected = xr.softmax_cross_entropy(np.array([z]), np.array([y]))
        np.testing.assert_allclose(loss, expected, rtol=1e-14, atol=0, err_msg=f"z={z}, y={y}")
        # The gradient is softmax(z) - onehot(y); xr's softmax is the reference,
        # and mpmath's exact value bounds the error where p_y - 1 cancels.
        onehot = np.eye(3)[y]
        np.testing.assert_allclose(grad, xr.softmax(z) - onehot, rtol=1e-13, atol=1e-15)
        with mpmath.workdps(50):
            exact = [mpmath.exp(mpmath.mpf(v)) for v in z]
            total = mpmath.fsum(exact)
            exact = [float(e / total - onehot[k]) for k, e in enumerate(exact)]
        np.testing.assert_allclose(grad, exact, rtol=1e-14, atol=1e-300)
        assert abs(sum(grad)) <= 4e-16 * max(1.0, max(abs(g) for g in grad))


def test_softmax_gradient_is_the_slope_of_xr_loss(js):
    # Independently of the closed form: central differences of xr's loss.
    h = 1e-6
    for z, y in _softmax_cases():
        if max(abs(v) for v in z) > 10:
            continue
        grad = call(js, "softmaxCrossEntropyGrad", z, y)
        for k in range(3):
            step = np.eye(3)[k] * h
            plus = xr.softmax_cross_entropy(np.array([z]) + step, np.array([y]))
            minus = xr.softmax_cross_entropy(np.array([z]) - step, np.array([y]))
            assert abs(grad[k] - (plus - minus) / (2 * h)) < 1e-8


BCE_Z = [-700.0, -30.0, -8.0, -1.5, -0.1, 0.0, 0.1, 1.0, 2.3, 8.0, 30.0, 700.0]


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_and_gradient_match_xr(js, y):
    calls = [[name, [z, y]] for z in BCE_Z for name in ("bceWithLogits", "bceWithLogitsGrad")]
    results = js.calls(calls)
    losses, grads = results[0::2], results[1::2]
    np.testing.assert_allclose(
        losses,
        xr.binary_cross_entropy_with_logits(np.array(BCE_Z), np.full(len(BCE_Z), y), reduction="none"),
        rtol=1e-14,
        atol=0,
    )
    np.testing.assert_allclose(grads, xr.sigmoid(np.array(BCE_Z)) - y, rtol=1e-13, atol=1e-15)
    with mpmath.workdps(50):
        exact = [float(1 / (1 + mpmath.exp(-mpmath.mpf(z))) - y) for z in BCE_Z]
    np.testing.assert_allclose(grads, exact, rtol=1e-14, atol=1e-300)


def test_sigmoid_family_matches_xr(js):
    results = js.calls([[name, [z]] for z in BCE_Z for name in ("sigmoid", "logSigmoid", "softplus")])
    np.testing.assert_allclose(results[0::3], xr.sigmoid(np.array(BCE_Z)), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(results[1::3], xr.log_sigmoid(np.array(BCE_Z)), rtol=1e-14, atol=0)
    np.testing.assert_allclose(results[2::3], -xr.log_sigmoid(-np.array(BCE_Z)), rtol=1e-14, atol=0)


def _distributions():
    rng = np.random.default_rng(20240611)
    pairs = [(rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))) for _ in range(5)]
    p = np.array([0.5, 0.5, 0.0, 0.0])
    pairs += [
        (p, np.array([0.25, 0.25, 0.25, 0.25])),  # zeros in P: 0 log 0 = 0
        (np.array([0.25, 0.25, 0.25, 0.25]), p),  # Q = 0 < P: +inf
        (np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.4, 0.3, 0.2, 0.1])),  # KL = 0
        (np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.7, 0.1, 0.1, 0.1])),
        (np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.4 + 1e-9, 0.3, 0.2, 0.1 - 1e-9])),
    ]
    return pairs


def test_entropy_cross_entropy_kl_match_xr(js):
    pairs = _distributions()
    calls = []
    for p, q in pairs:
        calls += [["entropy", [tolist(p)]], ["crossEntropy", [tolist(p), tolist(q)]]]
        calls += [["klDivergence", [tolist(p), tolist(q)]]]
    results = js.calls(calls)
    for i, (p, q) in enumerate(pairs):
        h, hpq, kl = results[3 * i : 3 * i + 3]
        assert h == pytest.approx(float(xr.entropy(p)), rel=1e-14, abs=1e-300)
        assert hpq == pytest.approx(float(xr.cross_entropy(p, q)), rel=1e-14, abs=1e-300)
        assert kl == pytest.approx(float(xr.kl_divergence(p, q)), rel=1e-12, abs=1e-17)


def test_normalise_divides_by_the_sum_and_refuses_bad_weights(js):
    weights = [8, 4, 2, 1]
    np.testing.assert_allclose(call(js, "normalise", weights), np.array(weights) / 15, rtol=1e-15, atol=0)
    assert "all are zero" in call(js, "normalise", [0, 0, 0])["error"]
    assert "entry 1" in call(js, "normalise", [1, -1, 2])["error"]


# --- The widgets in a real browser --------------------------------------------

NUMBER = re.compile(r"[\u2212-]?(?:\d+\.?\d*(?:e[\u2212+-]?\d+)?|\u221e)")


def parse(text: str) -> float:
    """A readout as a float: the site prints U+2212 for minus and ∞ for inf.

    A probability within 0.001 of 1 reads "1 − 3.71e−4"; that is 1 - 3.71e-4.
    """
    text = text.strip().replace("\u2212", "-").replace("\u221e", "inf")
    if match := re.fullmatch(r"1 - (\S+)", text):
        return 1.0 - float(match.group(1))
    return float(text.split()[0])


@pytest.fixture
def browser(chromium):
    """Runs a check in Chromium: ``browser(check)`` calls ``check(browser)``."""
    if chromium is None:
        pytest.skip("the widget tests drive Chromium: apt-get install chromium")
    return chromium.run


@contextlib.contextmanager
def widget(browser, kind):
    """A blank page holding one exploration; it must log no error."""
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route("**/*", lambda route: route.abort())
    page.set_content(
        # the site's head script marks <html> xent-js when scripts run
        "<!doctype html><html lang='en' class='xent-js'><head><title>widget</title>"
        f"<style>{CSS.read_text(encoding='utf-8')}</style></head>"
        f"<body><main>{xent_explore.exploration_html(kind)}</main></body></html>"
    )
    page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
    try:
        yield page
        assert not errors, errors
    finally:
        page.close()


def set_range(page, role, value):
    page.eval_on_selector(
        f'[data-role="{role}"]',
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        str(value),
    )


def readout(page, role):
    return parse(page.text_content(f'[data-role="{role}"]'))


# Readouts show three decimals.
DISPLAY = 5.0001e-4


def test_softmax_widget_names_the_true_class_y_star():
    # The page calls the true class y* and the one-hot vector y; so does the widget.
    html = xent_explore.exploration_html("softmax")
    assert "<legend>True class y<sup>*</sup></legend>" in html
    assert "True class y</legend>" not in html


def test_softmax_widget_shows_xr_values(browser):
    z = np.array([*xent_explore.SOFTMAX_FIXED_LOGITS, 3.7])
    p = xr.softmax(z)
    grad = p - np.eye(3)[0]
    loss = xr.softmax_cross_entropy(z[None], np.array([0]))

    def check(b):
        with widget(b, "softmax") as page:
            page.check('input[data-role="y"][value="0"]')
            set_range(page, "z", 3.7)
            for k in range(3):
                assert readout(page, f"p-{k}") == pytest.approx(p[k], abs=DISPLAY)
                assert readout(page, f"g-{k}") == pytest.approx(grad[k], abs=DISPLAY)
                assert readout(page, f"y-{k}") == (1.0 if k == 0 else 0.0)
            summary = page.text_content('[data-role="summary"]')
            assert summary.startswith("True class y* = 0: ")
            shown = parse(re.search(r"loss (\S+) nats", summary).group(1))
            assert shown == pytest.approx(loss, abs=DISPLAY)
            assert page.locator(".xent-explore-plot path.xent-plot-line").count() == 1

    browser(check)


def test_softmax_widget_answers_the_keyboard(browser):
    step = xent_explore.SOFTMAX_SLIDER["step"]
    start = xent_explore.SOFTMAX_SLIDER["value"]
    true_class = xent_explore.SOFTMAX_TRUE_CLASS

    def check(b):
        with widget(b, "softmax") as page:
            slider = page.locator('input[data-role="z"]')
            slider.focus()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            assert float(slider.input_value()) == pytest.approx(start + 3 * step, abs=1e-9)
            assert readout(page, "z-2") == pytest.approx(start + 3 * step, abs=1e-9)
            # Arrow keys move the true class within its radio group.
            page.focus(f'input[data-role="y"][value="{true_class}"]')
            page.keyboard.press("ArrowLeft")
            assert readout(page, f"y-{true_class - 1}") == 1.0
            assert readout(page, f"y-{true_class}") == 0.0

    browser(check)


def test_softmax_true_class_labels_are_large_enough_to_tap(browser):
    # Each radio and its label form one hit area of at least 24 x 24 CSS
    # pixels, and a tap anywhere in it (here: its corners) picks that class.
    def check(b):
        with widget(b, "softmax") as page:
            labels = page.locator("label.xent-explore-radio")
            assert labels.count() == 3
            sizes = []
            for k in range(3):
                label = labels.nth(k)
                assert label.locator('input[type="radio"]').get_attribute("value") == str(k)
                box = label.bounding_box()
                sizes.append((box["width"], box["height"]))
                for x, y in ((1, 1), (box["width"] - 1, box["height"] - 1)):
                    label.click(position={"x": x, "y": y})
                    assert page.is_checked(f'input[data-role="y"][value="{k}"]')
                    assert readout(page, f"y-{k}") == 1.0
            return sizes

    for width, height in browser(check):
        assert width >= 24 and height >= 24


@pytest.mark.parametrize("z", [-7.9, -2.3, 0.0, 7.9])
def test_bce_widget_shows_xr_values(browser, z):
    expected = {}
    for y in (0, 1):
        expected[f"loss-{y}"] = xr.binary_cross_entropy_with_logits(
            np.array([z]), np.array([float(y)])
        )
        expected[f"g-{y}"] = xr.sigmoid(z) - y
    expected["q"] = xr.sigmoid(z)
    expected["q-complement"] = xr.sigmoid(-z)  # 1 - q, with no cancellation

    def check(b):
        with widget(b, "bce") as page:
            set_range(page, "z", z)
            for role, value in expected.items():
                assert readout(page, role) == pytest.approx(value, abs=DISPLAY), role
            return {role: page.text_content(f'[data-role="{role}"]') for role in ("q", "q-complement")}

    shown = browser(check)
    # Near 0 and 1 a probability keeps its digits: exponent form near 0, and
    # 1 - (complement) near 1, never a bare 1.000 or 0.000.
    for role, text in shown.items():
        assert text not in ("1.000", "0.000"), (role, text)
        value = expected[role]
        if min(value, 1 - value) < 1e-3:
            small = min(xr.sigmoid(z), xr.sigmoid(-z))
            assert parse(text.replace("1 \u2212 ", "")) == pytest.approx(small, rel=5e-3, abs=0), role


def _set_kl_weights(page, wp, wq):
    for dist, weights in (("p", wp), ("q", wq)):
        for i, w in enumerate(weights):  # outcomes 0 to 3
            set_range(page, f"w{dist}-{i}", w)


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_kl_widget_renormalises_and_shows_xr_values(browser, unit):
    wp, wq = [0, 5, 3, 2], [1, 1, 4, 8]
    p, q = np.array(wp) / sum(wp), np.array(wq) / sum(wq)
    base = 2 if unit == "bits" else None
    expected = {
        "h-p": xr.entropy(p, base=base),
        "h-pq": xr.cross_entropy(p, q, base=base),
        "kl-pq": xr.kl_divergence(p, q, base=base),
        "h-p-plus-kl": xr.entropy(p, base=base) + xr.kl_divergence(p, q, base=base),
        "kl-qp": xr.kl_divergence(q, p, base=base),
    }
    # Q > 0 = P at outcome 0, so the reverse divergence is infinite.
    assert expected["kl-qp"] == np.inf

    def check(b):
        with widget(b, "kl") as page:
            _set_kl_weights(page, wp, wq)
            page.select_option('[data-role="unit"]', unit)
            for i in range(4):
                assert readout(page, f"p-{i}") == pytest.approx(p[i], abs=DISPLAY)
                assert readout(page, f"q-{i}") == pytest.approx(q[i], abs=DISPLAY)
            for role, value in expected.items():
                shown = page.text_content(f'[data-role="{role}"]')
                assert shown.endswith(unit), role
                assert parse(shown) == pytest.approx(value, abs=DISPLAY), role
            assert "renormalises" in page.text_content(".xent-explore")

    browser(check)


def test_kl_widget_numbers_outcomes_from_0():
    # The site numbers classes and outcomes from 0.
    html = xent_explore.exploration_html("kl")
    rows = re.findall(r'<tr><th scope="row">(\d+)</th>', html)
    assert rows == ["0", "1", "2", "3"]
    assert "Weight of outcome 0 in P" in html and "outcome 4" not in html


def test_kl_widget_reports_weights_it_cannot_renormalise(browser):
    def check(b):
        with widget(b, "kl") as page:
            _set_kl_weights(page, [0, 0, 0, 0], [1, 1, 1, 1])
            assert "all weights are 0" in page.text_content('[data-role="warning"]')
            assert page.text_content('[data-role="h-pq"]') == "\u2014"
            _set_kl_weights(page, [1, 0, 0, 0], [1, 1, 1, 1])
            assert page.text_content('[data-role="warning"]') == ""
            assert parse(page.text_content('[data-role="h-p"]')) == 0.0

    browser(check)


@pytest.mark.parametrize("kind", xent_explore.KINDS)
def test_every_control_has_a_label(browser, kind):
    def check(b):
        with widget(b, kind) as page:
            return page.evaluate(
                """() => Array.from(document.querySelectorAll('input, select'))
                      .filter(el => el.labels.length === 0 || !el.labels[0].textContent.trim())
                      .map(el => el.outerHTML)"""
            )

    assert browser(check) == []


def test_exploration_html_refuses_unknown_kinds():
    with pytest.raises(ValueError, match="^kind: unknown exploration 'mse'"):
        xent_explore.exploration_html("mse")


# --- The directive in a small strict build ----------------------------------


def _build(tmp_path, body: str) -> tuple[subprocess.CompletedProcess, Path]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        'extensions = ["myst_parser", "xent_sphinx.explore"]\n',
        encoding="utf-8",
    )
    (src / "index.md").write_text(body, encoding="utf-8")
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
         str(src), str(out)],
        capture_output=True, text=True, timeout=300,
    )
    return result, out


def test_the_directive_writes_each_widget_and_loads_the_script(tmp_path):
    body = "# Widgets\n\n" + "".join(
        f"```{{exploration}} {kind}\n```\n\n" for kind in (*xent_explore.KINDS, "softmax")
    )
    result, out = _build(tmp_path, body)
    assert result.returncode == 0, result.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    for kind in xent_explore.KINDS:
        assert xent_explore.exploration_html(kind) in html
    # A second widget of a kind on one page gets ids of its own.
    assert xent_explore.exploration_html("softmax", "xent-explore-softmax-2") in html
    # The extension ships its script: the project names no static path.
    assert html.count('src="_static/xent-explore.js') == 1
    assert (out / "_static" / "xent-explore.js").is_file()


def test_a_strict_build_fails_on_an_unknown_exploration(tmp_path):
    result, _ = _build(tmp_path, "# Widgets\n\n```{exploration} mse\n```\n")
    assert result.returncode != 0
    assert "exploration: unknown kind 'mse'; expected one of softmax, bce, kl" in result.stderr
