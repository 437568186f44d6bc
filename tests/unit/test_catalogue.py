"""The unification table and the catalogue pages.

* Every NLL row of ``xr.unification.RECORDS`` satisfies its affine relation
  ``loss = a * mean NLL + b`` on random seeded inputs: through
  ``xr.unification.check`` (xent_ref's loss against xent_ref's
  distributions), and independently, with the loss from PyTorch (float64)
  and the NLL from SciPy's densities under a parameter map written out here,
  not read from the record.
* The likelihood check's verdict matches ``is_nll`` for every row, fails
  exactly for focal and hinge loss, and agrees with a direct computation of
  ``sum_y exp(-loss)`` from PyTorch's formulas (at a = 1, the scale the
  check tries for them).
* The table on the site is generated from the records: the page has no
  hand-typed table, renders ``to_markdown()`` as MyST, and (when the site is
  built) its HTML names every record.
* Every catalogue page has its label and a two-question quiz.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import integrate, special, stats

import xent_ref as xr
from xent_ref.unification import RECORDS, check, likelihood_check, to_markdown

from tests.unit.test_new_records import NEW_NAMES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "catalogue"
QUIZZES = ROOT / "docs" / "quizzes"
BY_NAME = {rec.name: rec for rec in RECORDS}
NOT_NLL = {"sigmoid_focal_loss", "hinge_loss"}
SEEDS = range(5)


# ---------------------------------------------------------------------------
# Independent oracles, one per row: inputs, the PyTorch loss, the SciPy NLL
# ---------------------------------------------------------------------------


def _huber(r: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def _huber_log_normaliser(delta: float) -> float:
    """log of the integral of exp(-huber) by quadrature (scipy), not the closed form."""
    pieces = [(-np.inf, -delta), (-delta, delta), (delta, np.inf)]
    total = sum(integrate.quad(lambda r: math.exp(-float(_huber(np.array(r), delta))), lo, hi)[0]
                for lo, hi in pieces)
    return math.log(total)


def _inputs(name: str, rng: np.random.Generator, n: int) -> tuple:
    """Valid inputs for the row, with targets drawn from the model by NumPy."""
    if name == "softmax_cross_entropy":
        logits = rng.normal(0.0, 3.0, size=(n, 5))
        probs = special.softmax(logits, axis=1)
        target = np.array([rng.choice(5, p=row) for row in probs])
        return logits, target
    if name == "binary_cross_entropy":
        probs = rng.uniform(0.01, 0.99, size=n)
        return probs, (rng.random(n) < probs).astype(float)
    if name == "binary_cross_entropy_with_logits":
        logits = rng.normal(0.0, 3.0, size=n)
        return logits, (rng.random(n) < special.expit(logits)).astype(float)
    if name in ("mse_loss", "l1_loss", "huber_loss"):
        pred = rng.normal(0.0, 2.0, size=n)
        return pred, pred + rng.standard_t(3, size=n)
    if name.startswith("gaussian_nll_loss"):
        pred, var = rng.normal(0.0, 2.0, size=n), rng.uniform(0.05, 4.0, size=n)
        return pred, rng.normal(pred, np.sqrt(var)), var
    if name == "poisson_nll_loss":
        log_rate = rng.normal(0.5, 1.5, size=n)
        return log_rate, rng.poisson(np.exp(log_rate)).astype(float)
    if name == "poisson_nll_loss(log_input=False)":
        rate = rng.uniform(0.1, 12.0, size=n)
        return rate, rng.poisson(rate).astype(float)
    raise KeyError(name)


def _torch_loss(rec, *inputs) -> float:
    """The row's loss computed by PyTorch on float64 tensors."""
    t = [torch.tensor(np.asarray(x)) for x in inputs]
    base = rec.name.split("(")[0]
    fn = {
        "softmax_cross_entropy": F.cross_entropy,
        "binary_cross_entropy": F.binary_cross_entropy,
        "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
        "mse_loss": F.mse_loss,
        "l1_loss": F.l1_loss,
        "huber_loss": F.huber_loss,
        "gaussian_nll_loss": F.gaussian_nll_loss,
        "poisson_nll_loss": F.poisson_nll_loss,
    }[base]
    return float(fn(*t, **rec.options))


def _scipy_nll(rec, *inputs) -> np.ndarray:
    """The elementwise NLL under the distribution the row names, from SciPy.

    The parameter maps are written out here from the table's meaning, so a
    record whose ``parameters`` disagreed with its stated map would fail.
    """
    name, kw = rec.name, rec.constants
    pred, y, *extra = inputs
    if name == "softmax_cross_entropy":
        return -special.log_softmax(pred, axis=1)[np.arange(len(y)), y]
    if name == "binary_cross_entropy":
        return -stats.bernoulli.logpmf(y, pred)
    if name == "binary_cross_entropy_with_logits":
        return -stats.bernoulli.logpmf(y, special.expit(pred))
    if name == "mse_loss":
        return -stats.norm.logpdf(y, pred, kw["sigma"])
    if name == "l1_loss":
        return -stats.laplace.logpdf(y, pred, kw["beta"])
    if name == "huber_loss":
        return _huber(y - pred, kw["delta"]) + _huber_log_normaliser(kw["delta"])
    if name.startswith("gaussian_nll_loss"):
        return -stats.norm.logpdf(y, pred, np.sqrt(np.maximum(extra[0], kw["eps"])))
    if name == "poisson_nll_loss":
        return -stats.poisson.logpmf(y, np.exp(pred))
    if name == "poisson_nll_loss(log_input=False)":
        return -stats.poisson.logpmf(y, pred + kw["eps"])
    raise KeyError(name)


#: The textbook NLLs of the newer families (``unification.*_nll``) have no
#: PyTorch loss; tests/test_new_records.py checks them against scipy.stats.
NEWER_FAMILIES = set(NEW_NAMES)
NLL_NAMES = [rec.name for rec in RECORDS if rec.is_nll and rec.name not in NEWER_FAMILIES]


def test_the_records_are_the_catalogued_losses():
    # A new row must come with an oracle above; a vanished row is a lost claim.
    assert set(BY_NAME) == {
        "softmax_cross_entropy",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "mse_loss",
        "l1_loss",
        "huber_loss",
        "gaussian_nll_loss",
        "gaussian_nll_loss(full=True)",
        "poisson_nll_loss",
        "poisson_nll_loss(log_input=False)",
        "sigmoid_focal_loss",
        "hinge_loss",
    } | NEWER_FAMILIES
    assert {rec.name for rec in RECORDS if not rec.is_nll} == NOT_NLL
    for rec in RECORDS:
        assert (rec.reason == "") == rec.is_nll, rec.name


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", NLL_NAMES)
def test_relation_holds_via_check(name, seed):
    rec = BY_NAME[name]
    rng = np.random.default_rng(seed)
    assert check(rec, *_inputs(name, rng, n=int(rng.integers(1, 40))))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", NLL_NAMES)
def test_relation_holds_against_torch_and_scipy(name, seed):
    rec = BY_NAME[name]
    rng = np.random.default_rng(1000 + seed)
    inputs = _inputs(name, rng, n=int(rng.integers(1, 40)))
    loss = _torch_loss(rec, *inputs)
    nll = float(np.mean(_scipy_nll(rec, *inputs)))
    a, b = rec.coefficients(*inputs)
    assert a > 0
    assert abs(loss - (a * nll + b)) <= 1e-9 * (abs(loss) + abs(a * nll) + abs(b)), (loss, a, nll, b)


def test_check_rejects_a_wrong_relation():
    # The check can fail: the MSE row with the wrong scale a = 1 does not hold.
    rec = BY_NAME["mse_loss"]
    pred, y = _inputs("mse_loss", np.random.default_rng(0), n=10)
    loss = float(xr.mse_loss(pred, y))
    nll = float(np.mean(-stats.norm.logpdf(y, pred, 1.0)))
    _, b = rec.coefficients(pred, y)
    assert not math.isclose(loss, nll + b, rel_tol=1e-6, abs_tol=0.0)
    with pytest.raises(ValueError, match="^record:"):
        check(BY_NAME["hinge_loss"], pred, np.sign(y))


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_likelihood_verdict_matches_is_nll(rec):
    verdict = likelihood_check(rec)
    assert verdict.passed == rec.is_nll
    assert verdict.verdict.startswith("passes" if rec.is_nll else "fails")


def test_non_nll_sums_vary_by_direct_computation():
    # sum_y exp(-loss) from PyTorch's formulas, at two parameter settings.
    def focal(z, y, alpha=0.25, gamma=2.0):
        z, y = torch.tensor(z, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        p = torch.sigmoid(z)
        p_t = p * y + (1 - p) * (1 - y)
        ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
        return (alpha * y + (1 - alpha) * (1 - y)) * ce * (1 - p_t) ** gamma

    def focal_sum(z):
        return float(torch.exp(-focal([z], [1.0])) + torch.exp(-focal([z], [0.0])))

    def hinge_sum(s):
        return math.exp(-max(0.0, 1 - s)) + math.exp(-max(0.0, 1 + s))

    assert abs(focal_sum(0.0) - focal_sum(3.0)) > 0.1
    assert abs(hinge_sum(0.0) - hinge_sum(2.0)) > 0.1
    zs = likelihood_check(BY_NAME["sigmoid_focal_loss"]).normalisers
    assert np.allclose(zs, [focal_sum(t[0]) for t in BY_NAME["sigmoid_focal_loss"].thetas], rtol=1e-12, atol=0)
    zh = likelihood_check(BY_NAME["hinge_loss"]).normalisers
    assert np.allclose(zh, [hinge_sum(t[0]) for t in BY_NAME["hinge_loss"].thetas], rtol=1e-12, atol=0)
    # And for an NLL the same sum is 1 at every logit: sigmoid(z) + sigmoid(-z).
    z = torch.linspace(-30, 30, 61, dtype=torch.float64)
    bce_sum = torch.exp(-F.binary_cross_entropy_with_logits(z, torch.ones_like(z), reduction="none")) + torch.exp(
        -F.binary_cross_entropy_with_logits(z, torch.zeros_like(z), reduction="none"))
    assert torch.allclose(bce_sum, torch.ones_like(z), rtol=1e-14, atol=0)


def test_huber_normaliser_against_quadrature():
    for delta in (0.3, 1.0, 2.5):
        assert math.isclose(math.log(xr.unification.huber_normaliser(delta)), _huber_log_normaliser(delta),
                            rel_tol=1e-10, abs_tol=0.0)


# ---------------------------------------------------------------------------
# The table on the site comes from the records
# ---------------------------------------------------------------------------


def test_markdown_table_has_one_row_per_record():
    lines = to_markdown().strip().splitlines()
    assert lines[0].startswith("| Loss |") and set(lines[1].replace(" ", "")) <= set("|-")
    rows = lines[2:]
    assert len(rows) == len(RECORDS)
    for row, rec in zip(rows, RECORDS):
        assert row.startswith(f"| `{rec.name}` |")
        assert likelihood_check(rec).verdict.replace("_", r"\_") in row
        assert ("not an NLL" in row) == (not rec.is_nll)


def test_table_page_renders_the_records_and_types_no_rows():
    text = (CATALOGUE / "table.md").read_text(encoding="utf-8")
    # No hand-typed Markdown table anywhere on the page.
    assert not [line for line in text.splitlines() if line.lstrip().startswith("|")]
    # The table comes from a code cell that renders to_markdown() as MyST.
    cell = re.search(r"```\{code-cell\} ipython3\n---\n(.*?)\n---\n(.*?)```", text, re.S)
    assert cell, "the table cell is missing"
    assert "markdown_format: myst" in cell.group(1)
    assert "Markdown(xr.unification.to_markdown())" in cell.group(2)


def _built_table() -> Path:
    build = Path(os.environ.get("XENT_BUILDDIR", ROOT / "_build"))
    return build / "html" / "catalogue" / "table.html"


@pytest.mark.skipif(not _built_table().is_file(), reason="site not built (make html builds it)")
def test_built_table_names_every_record():
    html = _built_table().read_text(encoding="utf-8")
    table = html[html.index("<table"): html.index("</table>")]
    assert table.count("<tr") == len(RECORDS) + 1  # the header and one row per record
    for rec in RECORDS:
        assert rec.name in table, rec.name
    assert table.count("passes at a =") == len(RECORDS) - len(NOT_NLL)
    assert table.count("fails at a = 1: Z ranges") == len(NOT_NLL)
    assert '<span class="math' in table  # the relations render as math, not as raw {math} text
    assert "{math}" not in table


# ---------------------------------------------------------------------------
# Page conventions
# ---------------------------------------------------------------------------

PAGES = sorted(p for p in CATALOGUE.glob("*.md") if p.name != "index.md")


def test_index_lists_every_page_in_order():
    text = (CATALOGUE / "index.md").read_text(encoding="utf-8")
    toc = re.search(r"```\{toctree\}\n(?::.*\n)*\n(.*?)```", text, re.S).group(1).split()
    assert sorted(toc) == sorted(p.stem for p in PAGES)
    assert toc[0] == "table" and toc[-4:] == ["focal", "hinge", "scoring-calibration", "pitfalls"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_label_and_a_quiz_of_two_or_more_questions(page):
    import yaml

    text = page.read_text(encoding="utf-8")
    label = re.search(r"^\((catalogue-[a-z-]+)\)=$", text, re.M).group(1)
    assert text.rstrip().endswith(f"```{{quiz}} {label}\n```")
    quiz = yaml.safe_load((QUIZZES / f"{label}.yaml").read_text(encoding="utf-8"))
    assert len(quiz["questions"]) >= 2
    for q in quiz["questions"]:
        assert q["id"].startswith(label)
        assert sum(bool(c.get("correct")) for c in q["choices"]) == 1
    # Every glue key, equation label and figure name is namespaced by the page label.
    for key in re.findall(r'glue\("([^"]+)"', text) + re.findall(r"^\$\$ \(([^)]+)\)$", text, re.M) + re.findall(
            r"^    name: (\S+)$", text, re.M):
        assert key.startswith(label), key


# ---------------------------------------------------------------------------
# Visible code stands alone, and the alt text names the styles drawn
# ---------------------------------------------------------------------------

_CELL = re.compile(r"```\{code-cell\} ipython3\n(.*?)```", re.S)


def _cells(page: Path):
    """(is_removed, code) for every code cell of a MyST-NB page."""
    for body in _CELL.findall(page.read_text(encoding="utf-8")):
        header = body.split("\n---\n", 1)[0] if body.startswith("---\n") else body.split("\n", 1)[0]
        yield "remove-cell" in header, body


@pytest.mark.parametrize("page", PAGES + [ROOT / "docs" / "in-code.md"], ids=lambda p: p.name)
def test_visible_cells_never_glue(page):
    # A reader runs the visible cells without MyST-NB: glue lives in removed cells.
    for removed, code in _cells(page):
        if not removed:
            assert "myst_nb" not in code and "glue(" not in code, code[:200]


def test_the_fixture_for_visible_cells_bites(tmp_path):
    page = tmp_path / "fixture.md"
    page.write_text("```{code-cell} ipython3\nfrom myst_nb import glue\n```\n"
                    "```{code-cell} ipython3\n:tags: [remove-cell]\n\nfrom myst_nb import glue\n```\n",
                    encoding="utf-8")
    assert [removed for removed, code in _cells(page) if "myst_nb" in code] == [False, True]


def test_focal_alt_text_names_each_curve_style_once():
    # Each curve has its own style, and the alt text names exactly those styles.
    text = (CATALOGUE / "focal.md").read_text(encoding="utf-8")
    alt = re.search(r"alt: (.*?)\n---", text, re.S).group(1)
    alt = " ".join(alt.split())
    styles = re.findall(r'\((?:-1|0\.25), [0-9.]+, "([-.:]+)", "(o?)"', text)
    assert len(styles) == len(set(styles)) == 5
    for word in ("solid gamma 0", "gamma 1 (dashed)", "gamma 2 (dash-dot)", "gamma 5 (dotted)",
                 "solid curve with round markers"):
        assert word in alt, word
    assert "dashed curve for the torchvision" not in alt
