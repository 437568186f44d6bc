"""xent_ref.unification: every relation, every verdict, every table row.

Oracles:
- the relation ``loss = a * mean NLL + b`` is checked twice: with ``check``
  (xent_ref's loss against xent_ref.distributions) on random inputs, and with
  PyTorch's loss against scipy.stats' log-density, which shares no code with
  xent_ref, using only the record's a and b;
- the Huber normaliser against ``scipy.integrate.quad``;
- the likelihood verdicts against closed forms of Z and a least-squares
  argument that no base measure rescues focal and hinge.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate as si
import scipy.special as sp
import scipy.stats as st
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as hs

import xent_ref as xr
from tests.unit.test_new_records import _inputs as new_family_inputs
from xent_ref._classification import hinge_loss
from xent_ref.unification import (
    RECORDS,
    beta_nll,
    check,
    gamma_nll,
    gaussian_mixture_nll,
    huber_normaliser,
    likelihood_check,
    negative_binomial_nll,
    student_t_nll,
    table_rows,
    to_markdown,
    von_mises_nll,
)

BY_NAME = {r.name: r for r in RECORDS}
NLL_RECORDS = [r for r in RECORDS if r.is_nll]
NOT_NLL = [r for r in RECORDS if not r.is_nll]
# The rows whose loss torch has; the six newer families (xr.unification's
# textbook NLLs) are checked against scipy.stats in tests/test_new_records.py.
TORCH_RECORDS = [r for r in NLL_RECORDS if not r.name.startswith("unification.")]
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------
# Coverage: one record per loss of the API
# ---------------------------------------------------------------------------


def test_records_cover_every_loss_of_the_api():
    losses = {
        xr.softmax_cross_entropy,
        xr.binary_cross_entropy,
        xr.binary_cross_entropy_with_logits,
        xr.mse_loss,
        xr.l1_loss,
        xr.huber_loss,
        xr.gaussian_nll_loss,
        xr.poisson_nll_loss,
        xr.sigmoid_focal_loss,
        hinge_loss,
        # The six newer families: textbook NLLs of xr.unification.
        student_t_nll,
        gamma_nll,
        beta_nll,
        negative_binomial_nll,
        von_mises_nll,
        gaussian_mixture_nll,
    }
    assert {r.loss for r in RECORDS} == losses
    assert len({r.name for r in RECORDS}) == len(RECORDS)
    poisson = [r.options["log_input"] for r in RECORDS if r.loss is xr.poisson_nll_loss]
    assert sorted(poisson) == [False, True]
    assert {r.name for r in NOT_NLL} == {"sigmoid_focal_loss", "hinge_loss"}


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_record_is_complete(rec):
    if rec.is_nll:
        assert rec.relation and rec.parameter_map and rec.distribution_label and not rec.reason
        assert (rec.distribution is None) == (rec.nll is not None)
        assert rec.distribution is None or rec.parameters is not None
    else:
        assert rec.reason and rec.distribution is None and rec.a is None and rec.b is None
    # No text may contain a bare | (it would split a table cell).
    for text in (rec.name, rec.distribution_label, rec.parameter_map, rec.relation, rec.reason):
        assert "|" not in text


# ---------------------------------------------------------------------------
# Random inputs for each record: outcomes the distribution can produce
# ---------------------------------------------------------------------------


def _inputs(name: str, rng: np.random.Generator, n: int) -> tuple:
    """Random (prediction, target[, var]) for the record ``name``, n elements."""
    if name == "softmax_cross_entropy":
        c = int(rng.integers(2, 7))
        logits = rng.normal(size=(n, c)) * rng.choice([1.0, 30.0, 1e3])
        return logits, rng.integers(0, c, size=n)
    if name == "binary_cross_entropy":
        p = rng.uniform(size=n)
        p[rng.uniform(size=n) < 0.1] = 1.0  # exact 0 loss or +inf
        return p, (rng.uniform(size=n) < 0.5).astype(np.float64)
    if name == "binary_cross_entropy_with_logits":
        logits = rng.normal(size=n) * rng.choice([1.0, 40.0, 800.0])
        return logits, rng.integers(0, 2, n).astype(np.float64)
    if name in ("mse_loss", "l1_loss", "huber_loss"):
        return rng.normal(size=n) * 3, rng.normal(size=n) * 3
    if name.startswith("gaussian_nll_loss"):
        d = int(rng.integers(1, 4))
        pred, target = rng.normal(size=(n, d)), rng.normal(size=(n, d))
        var = np.exp(rng.normal(size=(n, d)) * 2)
        var[rng.uniform(size=(n, d)) < 0.1] = 1e-9  # clamped to eps
        if rng.uniform() < 0.5:
            var = var[:, 0]  # homoscedastic layout (N,) for pred (N, D)
        return pred, target, var
    if name == "poisson_nll_loss":
        pred = rng.normal(size=n) * 2
        return pred, rng.poisson(np.exp(pred)).astype(np.float64)
    if name == "poisson_nll_loss(log_input=False)":
        rate = rng.exponential(3.0, size=n)
        rate[rng.uniform(size=n) < 0.1] = 0.0
        return rate, rng.poisson(rate).astype(np.float64)
    if name.startswith("unification."):  # the six newer families
        return new_family_inputs(name, rng, n)
    raise KeyError(name)


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
@settings(max_examples=40)
@given(seed=hs.integers(0, 2**32 - 1), n=hs.integers(1, 40))
def test_relation_holds_on_random_inputs(rec, seed, n):
    assert check(rec, *_inputs(rec.name, np.random.default_rng(seed), n))


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("mse_loss", {"hyper": {"sigma": 0.3}}),
        ("mse_loss", {"hyper": {"sigma": 7.0}}),
        ("l1_loss", {"hyper": {"beta": 0.25}}),
        ("l1_loss", {"hyper": {"beta": 4.0}}),
        ("huber_loss", {"options": {"delta": 0.1}}),
        ("huber_loss", {"options": {"delta": 3.0}}),
        ("gaussian_nll_loss", {"options": {"full": False, "eps": 1e-2}}),
        (
            "poisson_nll_loss(log_input=False)",
            {"options": {"log_input": False, "full": False, "eps": 0.5}},
        ),
    ],
)
def test_relation_holds_for_other_constants(name, change):
    rec = dataclasses.replace(BY_NAME[name], **change)
    for seed in range(5):
        assert check(rec, *_inputs(name, np.random.default_rng(seed), 25))


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_a_is_positive_and_a_b_do_not_depend_on_the_prediction(rec):
    rng = np.random.default_rng(1)
    first = _inputs(rec.name, rng, 30)
    pred = first[0]
    # Another valid prediction of the same shape, same targets (and var).
    if rec.name == "binary_cross_entropy":
        other = rng.uniform(size=pred.shape)
    elif rec.name == "poisson_nll_loss(log_input=False)":
        other = rng.exponential(size=pred.shape)
    else:
        other = pred + rng.normal(size=pred.shape)
    a1, b1 = rec.coefficients(*first)
    a2, b2 = rec.coefficients(other, *first[1:])
    assert a1 > 0 and (a1, b1) == (a2, b2)


def test_check_detects_a_wrong_relation():
    rec = BY_NAME["mse_loss"]
    pred, y = _inputs("mse_loss", np.random.default_rng(2), 10)
    with pytest.raises(AssertionError, match="mse_loss"):
        check(dataclasses.replace(rec, b=lambda *_, **__: 0.0), pred, y)
    with pytest.raises(AssertionError, match="a must be > 0"):
        check(dataclasses.replace(rec, a=-1.0, b=0.0), pred, y)
    # The Poisson b depends on the targets: drop that and the relation fails.
    rec = BY_NAME["poisson_nll_loss"]
    pred, y = np.zeros(3), np.array([2.0, 3.0, 5.0])
    with pytest.raises(AssertionError):
        check(dataclasses.replace(rec, b=0.0), pred, y)


@pytest.mark.parametrize("rec", NOT_NLL, ids=lambda r: r.name)
def test_check_refuses_a_loss_that_is_not_an_nll(rec):
    with pytest.raises(ValueError, match=r"^record: "):
        check(rec, np.zeros(2), np.ones(2))


def test_check_rejects_targets_the_distribution_cannot_produce():
    with pytest.raises(ValueError, match=r"^x: "):
        check(BY_NAME["poisson_nll_loss"], np.zeros(2), np.array([1.5, 2.0]))


# ---------------------------------------------------------------------------
# The relation with independent oracles: torch's loss, scipy's log-density
# ---------------------------------------------------------------------------


def _t(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def _torch_and_scipy(rec, inputs):
    """(torch loss with reduction mean, elementwise NLL from scipy)."""
    o, h = rec.options, rec.hyper
    if rec.name == "softmax_cross_entropy":
        z, y = inputs
        loss = F.cross_entropy(_t(z), torch.as_tensor(y))
        return loss, -sp.log_softmax(z, axis=-1)[np.arange(len(y)), y]
    if rec.name == "binary_cross_entropy":
        p, y = inputs
        return F.binary_cross_entropy(_t(p), _t(y)), -st.bernoulli.logpmf(y, p)
    if rec.name == "binary_cross_entropy_with_logits":
        z, y = inputs
        # log_expit, not log(expit): exact at large logits.
        nll = -np.where(y == 1, sp.log_expit(z), sp.log_expit(-z))
        return F.binary_cross_entropy_with_logits(_t(z), _t(y)), nll
    if rec.name == "mse_loss":
        x, y = inputs
        return F.mse_loss(_t(x), _t(y)), -st.norm.logpdf(y, x, h["sigma"])
    if rec.name == "l1_loss":
        x, y = inputs
        return F.l1_loss(_t(x), _t(y)), -st.laplace.logpdf(y, x, h["beta"])
    if rec.name == "huber_loss":
        x, y = inputs
        d = o["delta"]
        elementwise = F.huber_loss(_t(x), _t(y), delta=d, reduction="none").numpy()
        z_quad = _huber_z_by_quad(d)
        return F.huber_loss(_t(x), _t(y), delta=d), elementwise + math.log(z_quad)
    if rec.name.startswith("gaussian_nll_loss"):
        x, y, v = inputs
        loss = F.gaussian_nll_loss(_t(x), _t(y), _t(v), full=o["full"], eps=o["eps"])
        v2 = v[:, None] if v.ndim == 1 else v
        return loss, -st.norm.logpdf(y, x, np.sqrt(np.maximum(v2, o["eps"])))
    if rec.name.startswith("poisson_nll_loss"):
        x, y = inputs
        eps = o.get("eps", 1e-8)
        loss = F.poisson_nll_loss(_t(x), _t(y), log_input=o["log_input"], full=False, eps=eps)
        rate = np.exp(x) if o["log_input"] else x + o["eps"]
        return loss, -st.poisson.logpmf(y, rate)
    raise KeyError(rec.name)


@pytest.mark.parametrize("rec", TORCH_RECORDS, ids=lambda r: r.name)
def test_relation_holds_between_torch_and_scipy(rec):
    rng = np.random.default_rng(3)
    for _ in range(5):
        inputs = _inputs(rec.name, rng, 50)
        if rec.name == "binary_cross_entropy":
            # torch clamps log(p) at -100: stay where it computes the exact BCE.
            inputs = (np.clip(inputs[0], 1e-6, 1 - 1e-6), inputs[1])
        loss, nll = _torch_and_scipy(rec, inputs)
        loss = float(loss)
        a, b = rec.coefficients(*inputs)
        rhs = a * float(np.mean(nll)) + b
        assert abs(loss - rhs) <= 1e-9 * (abs(loss) + abs(a * np.mean(nll)) + abs(b))


# ---------------------------------------------------------------------------
# Is this loss a likelihood?
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_likelihood_check_passes_for_every_nll(rec):
    result = likelihood_check(rec)
    assert result.passed, result
    assert result.normalisers.shape == (len(rec.thetas),)


# Z of exp(-loss / a) in closed form, at the record's own a (with its base measure).
EXPECTED_Z = {
    "softmax_cross_entropy": 1.0,
    "binary_cross_entropy": 1.0,
    "binary_cross_entropy_with_logits": 1.0,
    "mse_loss": math.sqrt(2 * math.pi),  # a = 2 sigma^2 = 2: int exp(-r^2 / 2) dr
    "l1_loss": 2.0,  # a = beta = 1: int exp(-|r|) dr
    "gaussian_nll_loss": math.sqrt(2 * math.pi),  # int exp(-(log v + r^2/v)/2) dr
    "gaussian_nll_loss(full=True)": 1.0,
    "poisson_nll_loss": 1.0,  # sum_y exp(-(e^z - y z)) / y! = 1
    "poisson_nll_loss(log_input=False)": math.exp(1e-8),  # e^(lambda + eps) e^(-lambda)
    # The six newer families: a = 1, b = 0, the loss is a normalised NLL.
    **{f"unification.{f}_nll": 1.0
       for f in ("student_t", "gamma", "beta", "negative_binomial", "von_mises", "gaussian_mixture")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_Z))
def test_likelihood_normalisers_match_closed_forms(name):
    z = likelihood_check(BY_NAME[name]).normalisers
    np.testing.assert_allclose(z, EXPECTED_Z[name], rtol=1e-7, atol=0)


def test_huber_likelihood_normaliser_is_the_closed_form():
    for delta in (0.5, 1.0, 2.5):
        rec = dataclasses.replace(BY_NAME["huber_loss"], options={"delta": delta})
        result = likelihood_check(rec)
        assert result.passed
        np.testing.assert_allclose(result.normalisers, huber_normaliser(delta), rtol=1e-7, atol=0)


@pytest.mark.parametrize("rec", NOT_NLL, ids=lambda r: r.name)
def test_likelihood_check_fails_for_focal_and_hinge(rec):
    result = likelihood_check(rec)
    assert not result.passed and result.spread > 0.1


def test_hinge_normaliser_closed_form():
    # Z(s) = exp(-max(0, 1 - s)) + exp(-max(0, 1 + s)).
    s = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    expected = np.exp(-np.maximum(0, 1 - s)) + np.exp(-np.maximum(0, 1 + s))
    z = likelihood_check(BY_NAME["hinge_loss"], s).normalisers
    np.testing.assert_allclose(z, expected, rtol=1e-15, atol=0)


def test_hinge_default_scores_reach_the_extremes_of_the_sum():
    # Z(s) is 2/e at s = 0 (its minimum) and 1 + e^-2 at s = +-1 (its maximum,
    # closed form); the default scores include all three, so the table's range is
    # the true range of Z over all s.
    result = likelihood_check(BY_NAME["hinge_loss"])
    assert np.isclose(result.normalisers.min(), 2 / math.e, rtol=1e-15, atol=0)
    assert np.isclose(result.normalisers.max(), 1 + math.exp(-2), rtol=1e-15, atol=0)
    s = np.linspace(-50.0, 50.0, 100001)
    dense = np.exp(-np.maximum(0, 1 - s)) + np.exp(-np.maximum(0, 1 + s))
    assert dense.min() >= result.normalisers.min() - 1e-15
    assert dense.max() <= result.normalisers.max() + 1e-15
    assert result.verdict == "fails at a = 1: Z ranges from 0.7358 to 1.135 over the tested θ"


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_likelihood_check_uses_the_records_own_scale(rec):
    a, _ = rec.coefficients(*_inputs_for_scale(rec))
    result = likelihood_check(rec)
    assert result.scale == a
    assert result.verdict.startswith(f"passes at a = {a:g}: ")


def _inputs_for_scale(rec):
    # a depends on fixed options only; any valid inputs give it.
    pred = np.array([np.zeros(3)]) if rec.name == "softmax_cross_entropy" else np.array([0.5])
    target = np.array([0]) if rec.name == "softmax_cross_entropy" else np.array([1.0])
    return (pred, target, np.array([1.0])) if "var" in rec.inputs else (pred, target)


# Student-t with a fixed scale and von Mises with a fixed concentration (on the
# circle, where the shift wraps around) are location families too.
LOCATION_FAMILIES = (
    "mse_loss", "l1_loss", "huber_loss", "unification.student_t_nll", "unification.von_mises_nll",
)


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_only_location_families_pass_at_every_scale(rec):
    # exp(-loss(y - mu) / a) is shifted by mu, so its integral cannot depend on mu,
    # whatever a is; every other row normalises only at its own scale.
    own = likelihood_check(rec).scale
    for factor in (0.5, 2.0, 3.0):
        result = likelihood_check(rec, scale=factor * own)
        assert result.passed == (rec.name in LOCATION_FAMILIES), (rec.name, factor)


def test_mse_normaliser_follows_the_scale_in_closed_form():
    # int exp(-r^2 / a) dr = sqrt(pi a): at a = 1 the sqrt(pi) of the unscaled sum.
    for a in (1.0, 2.0, 5.0):
        z = likelihood_check(BY_NAME["mse_loss"], scale=a).normalisers
        np.testing.assert_allclose(z, math.sqrt(math.pi * a), rtol=1e-7, atol=0)


def test_a_scaled_gaussian_nll_passes_at_its_scale():
    # 2 * gaussian NLL fails at a = 1 (below) and passes at a = 2, with Z = sqrt(2 pi).
    rec = BY_NAME["gaussian_nll_loss"]
    doubled = dataclasses.replace(rec, loss=lambda *a, **k: 2 * xr.gaussian_nll_loss(*a, **k))
    result = likelihood_check(doubled, scale=2.0)
    assert result.passed
    np.testing.assert_allclose(result.normalisers, math.sqrt(2 * math.pi), rtol=1e-7, atol=0)


@pytest.mark.parametrize(("scale", "exc"), [(0.0, ValueError), (-1.0, ValueError), (math.inf, ValueError),
                                            (math.nan, ValueError), ("2", TypeError), (True, TypeError)])
def test_likelihood_check_rejects_a_bad_scale(scale, exc):
    with pytest.raises(exc, match="^scale:"):
        likelihood_check(BY_NAME["mse_loss"], scale=scale)


def test_focal_normaliser_closed_form():
    # torchvision's focal loss at y = 1 and y = 0, alpha 0.25, gamma 2.
    z = np.array([-4.0, -1.0, 0.0, 1.0, 4.0])
    p = sp.expit(z)
    fl1 = -0.25 * (1 - p) ** 2 * np.log(p)
    fl0 = -0.75 * p**2 * np.log1p(-p)
    normalisers = likelihood_check(BY_NAME["sigmoid_focal_loss"], z).normalisers
    np.testing.assert_allclose(normalisers, np.exp(-fl1) + np.exp(-fl0), rtol=1e-13, atol=0)


@pytest.mark.parametrize("rec", NOT_NLL, ids=lambda r: r.name)
def test_no_base_measure_makes_focal_or_hinge_a_likelihood(rec):
    """No weights (h(y0), h(y1)) make sum_y h(y) exp(-loss(y; theta)) constant.

    Least squares for M h = 1 over the theta grid, M[i, j] = exp(-loss(y_j;
    theta_i)): a zero residual would mean some h works (up to scale).
    """
    y = rec.support(rec.thetas).values
    losses = [rec.loss(np.full(2, t[0]), y, **rec.options, reduction="none") for t in rec.thetas]
    m = np.exp(-np.array(losses))
    h, *_ = np.linalg.lstsq(m, np.ones(len(rec.thetas)), rcond=None)
    assert np.max(np.abs(m @ h - 1)) > 1e-2


def test_likelihood_check_needs_the_poisson_base_measure():
    # Without 1/y!, sum_y exp(y z - e^z) is a geometric series in e^z: it
    # depends on z (and diverges for z >= 0).
    rec = BY_NAME["poisson_nll_loss"]

    def unit_weights(thetas, **kw):
        support = rec.support(thetas, **kw)
        return support._replace(log_weights=np.zeros_like(support.values), base_measure="")

    assert not likelihood_check(dataclasses.replace(rec, support=unit_weights)).passed


def test_likelihood_check_fails_for_a_scaled_gaussian_nll():
    # 2 * gaussian NLL: exp(-2 loss) integrates to sqrt(pi / var), which depends on var.
    rec = BY_NAME["gaussian_nll_loss"]
    doubled = dataclasses.replace(rec, loss=lambda *a, **k: 2 * xr.gaussian_nll_loss(*a, **k))
    result = likelihood_check(doubled)
    assert not result.passed
    variances = np.array([t[1] for t in rec.thetas])
    np.testing.assert_allclose(result.normalisers, np.sqrt(np.pi / variances), rtol=1e-7, atol=0)


# ---------------------------------------------------------------------------
# The Huber normaliser
# ---------------------------------------------------------------------------


def _huber_z_by_quad(delta: float) -> float:
    """int exp(-huber_delta(r)) dr by scipy quad, split at the kinks +-delta."""

    def f(r):
        a = abs(r)
        return math.exp(-(0.5 * r * r if a < delta else delta * (a - 0.5 * delta)))

    core, _ = si.quad(f, -delta, delta, epsabs=0, epsrel=1e-13)
    tail, _ = si.quad(f, delta, np.inf, epsabs=0, epsrel=1e-13)
    return core + 2 * tail


@pytest.mark.parametrize("delta", [0.01, 0.3, 1.0, 1.345, 3.0, 10.0])
def test_huber_normaliser_against_quad(delta):
    np.testing.assert_allclose(huber_normaliser(delta), _huber_z_by_quad(delta), rtol=1e-12, atol=0)


def test_huber_normaliser_limits():
    assert np.isclose(huber_normaliser(50.0), math.sqrt(2 * math.pi), rtol=1e-15, atol=0)
    # delta -> 0: 2 / delta, the normaliser of exp(-delta |r|).
    assert np.isclose(huber_normaliser(1e-8) * 1e-8, 2.0, rtol=1e-7, atol=0)
    assert isinstance(huber_normaliser(1.0), np.float64)


@pytest.mark.parametrize(
    ("delta", "exc"),
    [
        (0.0, ValueError),
        (-1.0, ValueError),
        (np.inf, ValueError),
        (np.nan, ValueError),
        ("1", TypeError),
        (True, TypeError),
    ],
)
def test_huber_normaliser_rejects_bad_delta(delta, exc):
    with pytest.raises(exc, match=r"^delta: "):
        huber_normaliser(delta)


# ---------------------------------------------------------------------------
# The table is generated from the records
# ---------------------------------------------------------------------------


def test_table_rows_come_from_the_records():
    rows = table_rows()
    assert len(rows) == len(RECORDS)
    for row, rec in zip(rows, RECORDS):
        assert row.loss == rec.name and row.is_nll == rec.is_nll
        if rec.is_nll:
            assert (row.distribution, row.parameter_map, row.relation) == (
                rec.distribution_label,
                rec.parameter_map,
                rec.relation,
            )
        else:
            assert row.relation == f"not an NLL: {rec.reason}"
        # The verdict column is the likelihood check's, run now.
        assert row.likelihood == likelihood_check(rec).verdict
        assert row.likelihood.startswith("passes" if rec.is_nll else "fails")


def test_table_follows_changes_to_the_records():
    renamed = dataclasses.replace(BY_NAME["l1_loss"], name="l1_loss(renamed)", relation=r"\ell = x")
    rows = table_rows([renamed])
    assert [(r.loss, r.relation) for r in rows] == [("l1_loss(renamed)", r"\ell = x")]


def test_markdown_table_has_one_line_per_record():
    lines = to_markdown().splitlines()
    assert len(lines) == 2 + len(RECORDS)
    for line, rec in zip(lines[2:], RECORDS):
        assert line.startswith(f"| `{rec.name}` |")
        assert line.count(" | ") == 4  # five cells: no stray pipe
        if rec.is_nll:
            assert f"{{math}}`{rec.relation}`" in line


def test_no_hand_typed_copy_of_the_table_in_the_docs():
    pages = list((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").exists() else []
    for page in pages:
        for line in page.read_text(encoding="utf-8").splitlines():
            for rec in RECORDS:
                hand_typed = line.lstrip().startswith(f"| `{rec.name}` |")
                assert not hand_typed, f"{page}: hand-typed row {rec.name}"
