"""Tests of the information measures: entropy, cross_entropy, kl_divergence.

Oracles: mpmath (``tests/_oracles.py``) on adversarial float64 inputs with
errors in ulp; ``scipy.stats.entropy`` and ``scipy.special`` (``entr``,
``xlogy``, ``rel_entr``, ``kl_div``) on random seeded inputs; closed forms;
hypothesis for Gibbs' inequality, the decomposition H(P, Q) = H(P) + KL(P||Q)
and the change of base.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import xent_ref as xr
from tests._adversarial import DISTRIBUTIONS, PAIRS
from tests._bad_input import FIELDS, assert_raises_naming, cases
from tests._oracles import mp_cross_entropy, mp_entropy, mp_kl_divergence, ulp_error

MAX_ULP = 4.0
INF = math.inf


@pytest.mark.parametrize("p", DISTRIBUTIONS.values(), ids=DISTRIBUTIONS.keys())
def test_entropy_within_4_ulp(p):
    assert ulp_error(xr.entropy(p), mp_entropy(p)) <= MAX_ULP


@pytest.mark.parametrize(("p", "q"), PAIRS.values(), ids=PAIRS.keys())
def test_cross_entropy_and_kl_within_4_ulp(p, q):
    assert ulp_error(xr.cross_entropy(p, q), mp_cross_entropy(p, q)) <= MAX_ULP
    assert ulp_error(xr.kl_divergence(p, q), mp_kl_divergence(p, q)) <= MAX_ULP


def test_kl_terms_within_4_ulp_across_ratios():
    # Each two-entry pair [a, 1 - a], [b, 1 - b] puts one term at ratio a/b,
    # swept over the series band, its edges, and the closed-form regions.
    rng = np.random.default_rng(17)
    ratios = np.concatenate(
        [
            rng.uniform(0.2, 0.3, 60),  # lower band edge 1/4
            rng.uniform(2.0, 2.5, 60),  # upper band edge 9/4
            rng.uniform(3.0, 5.0, 60),
            1.0 + rng.uniform(-1.0, 1.0, 60) * 10.0 ** rng.uniform(-15, -1, 60),
            np.exp(rng.uniform(-700.0, 700.0, 60)),
        ]
    )
    a = np.concatenate([rng.uniform(0.0, 0.5, 150), 10.0 ** rng.uniform(-300, -1, 150)])
    worst = 0.0
    for ratio, pa in zip(ratios, a):
        qb = pa / ratio
        if not 0.0 < qb < 1.0:
            continue
        p, q = [pa, 1.0 - pa], [qb, 1.0 - qb]
        err = ulp_error(xr.kl_divergence(p, q), mp_kl_divergence(p, q))
        assert err <= MAX_ULP, f"kl_divergence({p}, {q}): {err:.2f} ulp"
        worst = max(worst, err)


def test_kl_keeps_relative_accuracy_where_rel_entr_cancels():
    # For q one ulp away from p the divergence is about 2**-106; the sum of
    # rel_entr terms p log(p/q), each about 2**-53, cancels to noise.
    p = [0.5, 0.5]
    q = [np.nextafter(0.5, 1.0), np.nextafter(0.5, 0.0)]
    exact = mp_kl_divergence(p, q)
    assert 0 < exact < 1e-30
    assert ulp_error(xr.kl_divergence(p, q), exact) <= MAX_ULP
    naive = float(np.sum(sc.rel_entr(p, q)))
    assert ulp_error(naive, exact) > 1e6


# --------------------------------------------------------------------------
# scipy on random seeded inputs
# --------------------------------------------------------------------------


def _random_distributions(rng, shape, axis=-1, zeros=False):
    w = rng.gamma(0.5, size=shape)
    if zeros:
        w[rng.random(shape) < 0.2] = 0.0
        w[..., 0] += 1.0  # keep every vector non-zero
    return w / w.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("base", [None, 2, math.e, 10.0, 0.5])
def test_matches_scipy(axis, base):
    rng = np.random.default_rng(23)
    p = _random_distributions(rng, (6, 9), axis=axis, zeros=True)
    q = _random_distributions(rng, (6, 9), axis=axis)
    ln_base = 1.0 if base is None else math.log(base)
    np.testing.assert_allclose(
        xr.entropy(p, axis=axis, base=base),
        scipy.stats.entropy(p, axis=axis, base=base),
        rtol=1e-13, atol=0,
    )
    np.testing.assert_allclose(
        xr.entropy(p, axis=axis, base=base), np.sum(sc.entr(p), axis=axis) / ln_base, rtol=1e-13, atol=0
    )
    np.testing.assert_allclose(
        xr.cross_entropy(p, q, axis=axis, base=base),
        -np.sum(sc.xlogy(p, q), axis=axis) / ln_base,
        rtol=1e-13, atol=0,
    )
    np.testing.assert_allclose(
        xr.kl_divergence(p, q, axis=axis, base=base),
        scipy.stats.entropy(p, q, axis=axis, base=base),
        rtol=1e-12, atol=0,
    )
    # kl_div is the documented termwise form p log(p/q) - p + q.
    np.testing.assert_allclose(
        xr.kl_divergence(p, q, axis=axis, base=base),
        np.sum(sc.kl_div(p, q), axis=axis) / ln_base,
        rtol=1e-13, atol=0,
    )


def test_conventions_zero_log_zero_and_infinite_cross_entropy():
    assert xr.entropy([0.0, 1.0]) == 0.0
    assert not np.signbit(xr.entropy([0.0, 1.0]))  # +0.0, not -0.0
    assert not np.signbit(xr.cross_entropy([0.0, 1.0], [0.0, 1.0]))
    assert xr.cross_entropy([0.0, 1.0], [0.0, 1.0]) == 0.0  # 0 log 0 = 0
    assert xr.kl_divergence([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert xr.cross_entropy([0.5, 0.5], [1.0, 0.0]) == INF  # p > 0 = q
    assert xr.kl_divergence([0.5, 0.5], [1.0, 0.0]) == INF
    # p = 0 < q contributes q - p to the divergence's second form, which the
    # other entries balance: KL([0, 1] || [1/2, 1/2]) = log 2.
    assert xr.kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15, abs=0)


def test_closed_forms():
    # Uniform on n outcomes: H = log n; one-hot p: H(P, Q) = -log q_k.
    for n in (2, 3, 10, 1000):
        assert xr.entropy(np.full(n, 1.0 / n)) == pytest.approx(math.log(n), rel=1e-15, abs=0)
    q = np.array([0.1, 0.6, 0.3])
    assert xr.cross_entropy([0.0, 1.0, 0.0], q) == pytest.approx(-math.log(0.6), rel=1e-15, abs=0)
    # Bernoulli(a) || Bernoulli(b), written out.
    a, b = 0.3, 0.8
    kl = a * math.log(a / b) + (1 - a) * math.log((1 - a) / (1 - b))
    assert xr.kl_divergence([a, 1 - a], [b, 1 - b]) == pytest.approx(kl, rel=1e-14, abs=0)


def test_return_types_and_shapes():
    p = np.array([[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]])
    for value in (xr.entropy(p[0]), xr.cross_entropy(p[0], p[1]), xr.kl_divergence(p[0], p[1])):
        assert type(value) is np.float64
    assert xr.entropy(p).shape == (3,)
    assert xr.entropy(p.T, axis=0).shape == (3,)
    np.testing.assert_array_equal(xr.entropy(p.T, axis=0), xr.entropy(p))
    assert xr.kl_divergence(p, p).dtype == np.float64
    assert xr.entropy(np.array([0.5, 0.5], dtype=np.float32)).dtype == np.float32


# --------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------


@st.composite
def distribution_pairs(draw):
    n = draw(st.integers(1, 8))
    weights = st.lists(st.floats(0.0, 1.0, allow_subnormal=False), min_size=n, max_size=n)
    wp, wq = np.array(draw(weights)), np.array(draw(weights))
    assume(wp.sum() > 1e-3 and wq.sum() > 1e-3)
    return wp / wp.sum(), wq / wq.sum()


@settings(max_examples=200)
@given(distribution_pairs())
def test_gibbs_inequality(pq):
    p, q = pq
    kl = xr.kl_divergence(p, q)
    assert kl >= 0
    assert xr.kl_divergence(p, p) == 0
    if np.array_equal(p, q):
        assert kl == 0
    else:
        assert kl > 0


@settings(max_examples=200)
@given(distribution_pairs())
def test_cross_entropy_is_entropy_plus_kl(pq):
    p, q = pq
    h_pq = xr.cross_entropy(p, q)
    assume(np.isfinite(h_pq))
    # Exact identity for exactly normalised vectors; these sum to 1 within a
    # few ulp, so allow a few ulp of the largest quantity.
    np.testing.assert_allclose(h_pq, xr.entropy(p) + xr.kl_divergence(p, q), rtol=1e-13, atol=1e-14)


@settings(max_examples=100)
@given(distribution_pairs(), st.sampled_from([2.0, 10.0, 0.5, 3.7]))
def test_change_of_base(pq, base):
    p, q = pq
    for fn, args in ((xr.entropy, (p,)), (xr.cross_entropy, (p, q)), (xr.kl_divergence, (p, q))):
        nats = fn(*args)
        np.testing.assert_allclose(fn(*args, base=base), nats / math.log(base), rtol=1e-15, atol=0)
    np.testing.assert_allclose(xr.entropy(p, base=2), xr.entropy(p) / math.log(2), rtol=1e-15, atol=0)


# --------------------------------------------------------------------------
# Bad input: each raises the promised exception, message starting "<arg>: "
# --------------------------------------------------------------------------

GOOD = [0.5, 0.5]
BAD_INPUTS = [
    ("negative entry", xr.entropy, ([-0.5, 1.5],), {}, ValueError, r"^p: .*\[0, 1\]"),
    ("entry above 1", xr.cross_entropy, (GOOD, [1.5, -0.5]), {}, ValueError, r"^q: "),
    ("NaN p", xr.kl_divergence, ([np.nan, 1.0], GOOD), {}, ValueError, r"^p: .*NaN"),
    ("NaN q", xr.kl_divergence, (GOOD, [0.5, np.nan]), {}, ValueError, r"^q: .*NaN"),
    ("inf p", xr.entropy, ([INF, 0.0],), {}, ValueError, r"^p: "),
    ("does not sum to 1", xr.entropy, ([0.5, 0.6],), {}, ValueError, r"^p: .*sum to 1"),
    ("q sum", xr.kl_divergence, (GOOD, [0.25, 0.25]), {}, ValueError, r"^q: .*sum to 1"),
    ("off by 1e-5", xr.entropy, ([0.5, 0.5 + 1e-5],), {}, ValueError, r"^p: "),
    ("empty axis", xr.entropy, (np.empty(0),), {}, ValueError, r"^p: .*sum to 1"),
    ("0-d", xr.entropy, (1.0,), {}, ValueError, r"^p: "),
    ("shape mismatch", xr.cross_entropy, (GOOD, [0.2, 0.3, 0.5]), {}, ValueError, r"^q: .*shape"),
    (
        "no broadcasting",
        xr.kl_divergence,
        ([[0.5, 0.5], [0.5, 0.5]], GOOD),
        {},
        ValueError,
        r"^q: .*shape",
    ),
    ("base 1", xr.entropy, (GOOD,), {"base": 1}, ValueError, r"^base: "),
    ("base 0", xr.entropy, (GOOD,), {"base": 0.0}, ValueError, r"^base: "),
    ("base negative", xr.kl_divergence, (GOOD, GOOD), {"base": -2.0}, ValueError, r"^base: "),
    ("base inf", xr.cross_entropy, (GOOD, GOOD), {"base": INF}, ValueError, r"^base: "),
    ("base NaN", xr.entropy, (GOOD,), {"base": np.nan}, ValueError, r"^base: "),
    ("base string", xr.entropy, (GOOD,), {"base": "2"}, TypeError, r"^base: "),
    ("base bool", xr.entropy, (GOOD,), {"base": True}, TypeError, r"^base: "),
    ("complex p", xr.entropy, ([0.5 + 0j, 0.5],), {}, TypeError, r"^p: "),
    ("string q", xr.cross_entropy, (GOOD, ["a", "b"]), {}, TypeError, r"^q: "),
    ("axis out of range", xr.entropy, (GOOD,), {"axis": 1}, ValueError, r"^axis: "),
    ("axis float", xr.entropy, (GOOD,), {"axis": 0.5}, TypeError, r"^axis: "),
]


@pytest.mark.parametrize(FIELDS, cases(BAD_INPUTS))
def test_bad_input_raises_naming_the_argument(fn, args, kwargs, exc, match):
    assert_raises_naming(fn, args, kwargs, exc, match)


def test_sum_tolerance_is_accepted_not_renormalised():
    # Off by 1e-7 (< SUM_TOLERANCE = 1e-6): accepted and used as given.
    p = np.array([0.5, 0.5 + 1e-7])
    expected = -(0.5 * math.log(0.5) + p[1] * math.log(p[1]))
    assert xr.entropy(p) == pytest.approx(expected, rel=1e-15, abs=0)


# --------------------------------------------------------------------------
# No floating-point warnings at the extremes; inputs never modified
# --------------------------------------------------------------------------


def test_no_floating_point_warnings_at_extremes():
    p = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1.0 - 1e-16, 1e-16, 0.0], [1.0, 5e-324, 0.0]])
    q = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1e-300, 1.0 - 1e-300, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for a, b in ((p, q), (q, p), (p, p)):
            assert not np.any(np.isnan(xr.cross_entropy(a, b)))
            assert not np.any(np.isnan(xr.kl_divergence(a, b)))
            assert not np.any(np.isnan(xr.entropy(a, base=2)))
    np.testing.assert_array_equal(xr.kl_divergence(p, q)[:2], [INF, INF])


@pytest.mark.parametrize(
    ("fn", "nargs"), [(xr.entropy, 1), (xr.cross_entropy, 2), (xr.kl_divergence, 2)],
    ids=["entropy", "cross_entropy", "kl_divergence"],
)
def test_inputs_are_not_modified(fn, nargs):
    rng = np.random.default_rng(5)
    arrays = [_random_distributions(rng, (4, 5), zeros=True) for _ in range(nargs)]
    before = [a.copy() for a in arrays]
    fn(*arrays)
    fn(*[a.T for a in arrays], axis=0, base=2)
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a, b)
