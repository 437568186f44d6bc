"""xent_ref.unification: every relation and every verdict.

Oracles (tests/_record_oracles.py, one entry per record):
- the relation ``loss = a * mean NLL + b`` is checked twice: with ``check``
  (xent_ref's loss against xent_ref.distributions) on random inputs, and with
  the loss from PyTorch (where it has it, else xent_ref's) against the NLL
  from scipy.stats, which shares no code with xent_ref, using only the
  record's a and b;
- the Huber normaliser against ``scipy.integrate.quad``;
- the likelihood verdicts against closed forms of Z and a least-squares
  argument that no base measure rescues focal, hinge or Brier;
- that the Brier score is proper, against its expected value over a grid.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import xent_ref as xr
from tests._loss_cases import LOSS_CASES
from tests._record_oracles import ORACLES, XR_LOSSES, huber_normaliser_by_quad
from xent_ref import unification
from xent_ref.unification import (
    RECORDS,
    check,
    huber_normaliser,
    likelihood_check,
)

BY_NAME = {r.name: r for r in RECORDS}
NLL_RECORDS = [r for r in RECORDS if r.is_nll]
NOT_NLL = [r for r in RECORDS if not r.is_nll]
ROOT = Path(__file__).resolve().parents[2]


def _inputs(name: str, rng: np.random.Generator, n: int) -> tuple:
    return ORACLES[name].inputs(rng, n)


# ---------------------------------------------------------------------------
# Coverage: one record per loss of the API
# ---------------------------------------------------------------------------


def test_records_cover_every_loss_of_the_api():
    # Every loss of the public API, and each textbook NLL named unification.<function>.
    textbook = {getattr(unification, r.name.split(".", 1)[1]) for r in RECORDS if r.name.startswith("unification.")}
    assert {r.loss for r in RECORDS} == set(XR_LOSSES) | textbook
    assert len(textbook) == 6
    assert len({r.name for r in RECORDS}) == len(RECORDS)
    poisson = [r.options["log_input"] for r in RECORDS if r.loss is xr.poisson_nll_loss]
    assert sorted(poisson) == [False, True]
    assert {r.name for r in NOT_NLL} == {"sigmoid_focal_loss", "hinge_loss", "brier_score"}


def test_every_record_has_an_oracle():
    # Adding a record without its oracle fails here; so does an oracle left behind.
    assert set(ORACLES) == set(BY_NAME)


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_record_is_complete(rec):
    if rec.is_nll:
        assert rec.a is not None and rec.b is not None
        assert (rec.distribution is None) == (rec.nll is not None)
        assert rec.distribution is None or rec.parameters is not None
    else:
        assert (rec.distribution, rec.parameters, rec.nll, rec.a, rec.b) == (None,) * 5
    # The records hold numbers and functions: the words of the table live with the site.
    fields = {f.name for f in dataclasses.fields(rec)}
    assert not fields & {"relation", "reason", "distribution_label", "parameter_map"}


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_oracle_inputs_are_valid_for_the_loss(rec):
    inputs = _inputs(rec.name, np.random.default_rng(5), 12)
    assert np.shape(rec.loss(*inputs, **rec.options, reduction="none"))[0] == 12


# ---------------------------------------------------------------------------
# The relation on random inputs
# ---------------------------------------------------------------------------


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
    first = _inputs(rec.name, np.random.default_rng(1), 30)
    pred = np.asarray(first[0], dtype=np.float64)
    a1, b1 = rec.coefficients(*first)
    # a and b never look at the prediction: a NaN prediction leaves them as they are.
    a2, b2 = rec.coefficients(np.full_like(pred, np.nan), *first[1:])
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


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_relation_holds_between_torch_and_scipy(rec):
    # The loss from PyTorch where it has one, else xent_ref's own (the textbook
    # NLLs); the NLL from SciPy; only a and b from the record.
    oracle = ORACLES[rec.name]
    rng = np.random.default_rng(3)
    for _ in range(5):
        inputs = _inputs(rec.name, rng, 50)
        if oracle.torch_loss is not None:
            inputs = oracle.torch_domain(inputs)
            loss = oracle.torch_loss(rec.constants, *inputs)
        else:
            loss = float(rec.loss(*inputs, **rec.options))
        nll = float(np.mean(oracle.scipy_nll(rec.constants, *inputs)))
        a, b = rec.coefficients(*inputs)
        assert abs(loss - (a * nll + b)) <= 1e-9 * (abs(loss) + abs(a * nll) + abs(b)), (loss, a, nll, b)


def test_the_losses_torch_has_have_a_torch_oracle():
    # torch has a loss when its loss case names a torch.nn.functional counterpart
    names = {r.name for r in RECORDS if ORACLES[r.name].torch_loss is not None}
    with_torch = {r.name for r in RECORDS
                  if r.loss.__name__ in LOSS_CASES and LOSS_CASES[r.loss.__name__].torch}
    assert with_torch and names == with_torch


# ---------------------------------------------------------------------------
# Is this loss a likelihood?
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_likelihood_check_passes_for_every_nll(rec):
    result = likelihood_check(rec)
    assert result.passed, result
    assert result.normalisers.shape == (len(rec.thetas),)


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_likelihood_normalisers_match_closed_forms(rec):
    # Z of exp(-loss / a) at the record's own a (1 for a loss that is not an NLL).
    z = likelihood_check(rec).normalisers
    expected = [ORACLES[rec.name].z(theta, rec.constants) for theta in rec.thetas]
    np.testing.assert_allclose(z, expected, rtol=1e-7, atol=0)


def test_huber_likelihood_normaliser_is_the_closed_form():
    for delta in (0.5, 1.0, 2.5):
        rec = dataclasses.replace(BY_NAME["huber_loss"], options={"delta": delta})
        result = likelihood_check(rec)
        assert result.passed
        np.testing.assert_allclose(result.normalisers, huber_normaliser(delta), rtol=1e-7, atol=0)


@pytest.mark.parametrize("rec", NOT_NLL, ids=lambda r: r.name)
def test_likelihood_check_fails_for_focal_hinge_and_brier(rec):
    result = likelihood_check(rec)
    assert not result.passed and result.spread > 0.1
    # and at every other scale tried, from 0.01 to 100.
    for a in (0.01, 0.1, 10.0, 100.0):
        assert likelihood_check(rec, scale=a).spread > 1e-3, a


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
    return _inputs(rec.name, np.random.default_rng(4), 1)


@pytest.mark.parametrize("rec", NLL_RECORDS, ids=lambda r: r.name)
def test_only_location_families_pass_at_every_scale(rec):
    # exp(-loss(y - mu) / a) is shifted by mu, so its integral cannot depend on mu,
    # whatever a is; every other row normalises only at its own scale.
    own = likelihood_check(rec).scale
    for factor in (0.5, 2.0, 3.0):
        result = likelihood_check(rec, scale=factor * own)
        assert result.passed == ORACLES[rec.name].location_family, (rec.name, factor)


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


@pytest.mark.parametrize("rec", NOT_NLL, ids=lambda r: r.name)
def test_not_nll_normaliser_at_other_settings(rec):
    # The closed form (focal: torchvision's formula in torch) beyond the record's own settings.
    rng = np.random.default_rng(6)
    thetas = [(row,) for row in ORACLES[rec.name].inputs(rng, 7)[0]]
    z = likelihood_check(rec, thetas).normalisers
    expected = [ORACLES[rec.name].z(theta, rec.constants) for theta in thetas]
    np.testing.assert_allclose(z, expected, rtol=1e-13, atol=0)


def test_brier_score_is_proper():
    # Strictly proper: sum_k P_k BS(q, k) is smallest at q = P, on a grid of the
    # simplex of three classes that contains each P tried.
    steps = np.linspace(0.0, 1.0, 41)
    grid = np.array([(u, v, max(1.0 - u - v, 0.0)) for u in steps for v in steps if u + v <= 1 + 1e-12])
    grid /= grid.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(8)
    for p in grid[rng.choice(len(grid), size=10, replace=False)]:
        # The squared distance to each one-hot outcome, written out (not xent_ref's).
        expected = sum(p[k] * np.sum((grid - np.eye(3)[k]) ** 2, axis=1) for k in range(3))
        assert np.allclose(grid[np.argmin(expected)], p, rtol=0, atol=1e-15)
        np.testing.assert_allclose(
            sum(p[k] * xr.brier_score(grid, np.full(len(grid), k), reduction="none") for k in range(3)),
            expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("rec", NOT_NLL, ids=lambda r: r.name)
def test_no_base_measure_makes_a_non_nll_a_likelihood(rec):
    """No weights h(y) on the outcomes make sum_y h(y) exp(-loss(y; theta)) constant.

    Least squares for M h = 1 over the theta grid, M[i, j] = exp(-loss(y_j;
    theta_i)): a zero residual would mean some h works (up to scale).
    """
    y = rec.support(rec.thetas).values
    losses = [rec.loss(np.stack([t[0]] * len(y)), y, **rec.options, reduction="none") for t in rec.thetas]
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


@pytest.mark.parametrize("delta", [0.01, 0.3, 1.0, 1.345, 3.0, 10.0])
def test_huber_normaliser_against_quad(delta):
    np.testing.assert_allclose(huber_normaliser(delta), huber_normaliser_by_quad(delta), rtol=1e-12, atol=0)


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
# No copy of the table in the docs
# ---------------------------------------------------------------------------


def test_no_hand_typed_copy_of_the_table_in_the_docs():
    pages = list((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").exists() else []
    for page in pages:
        for line in page.read_text(encoding="utf-8").splitlines():
            for rec in RECORDS:
                hand_typed = line.lstrip().startswith(f"| `{rec.name}` |")
                assert not hand_typed, f"{page}: hand-typed row {rec.name}"
