"""Tests of the stable primitives: logsumexp, softmax, log_softmax, sigmoid, log_sigmoid.

Oracles: mpmath at 50 digits on the same float64 inputs (``tests/_oracles.py``),
errors measured in ulp of the exact value; ``scipy.special`` on random seeded
inputs; closed-form limits at ``±inf``; hypothesis for identities.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special as sc
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xent_ref as xr
from tests._adversarial import ADVERSARIAL_ROWS, FMAX, INF, SIGMOID_POINTS, log_probability_rows
from tests._bad_input import FIELDS, assert_raises_naming, cases
from tests._oracles import (
    mp_log_sigmoid,
    mp_log_softmax,
    mp_logsumexp,
    mp_sigmoid,
    mp_softmax,
    ulp_error,
)

MAX_ULP = 4.0

# --------------------------------------------------------------------------
# Adversarial inputs, measured against mpmath
# --------------------------------------------------------------------------

def _assert_rows_within_ulp(fn, oracle, rows, *, elementwise=True):
    worst = 0.0
    for row in rows:
        row = np.asarray(row, dtype=np.float64)
        got = fn(row)
        exact = oracle(list(row))
        pairs = zip(np.ravel(got), exact) if elementwise else [(got, exact)]
        for g, e in pairs:
            if not mpmath.isinf(e) and abs(e) > FMAX:
                continue  # e.g. log_softmax of [1e308, -1e308]: -2e308 is not a float64
            err = ulp_error(g, e)
            assert err <= MAX_ULP, f"{fn.__name__}({row.tolist()}): {err:.2f} ulp ({g!r} vs {e})"
            worst = max(worst, err)
    return worst


# softmax of an all -inf row raises instead (test_all_minus_inf_row).
SOFTMAX_ROWS = {k: v for k, v in ADVERSARIAL_ROWS.items() if not all(e == -INF for e in v)}


@pytest.mark.parametrize("row", SOFTMAX_ROWS.values(), ids=SOFTMAX_ROWS.keys())
@pytest.mark.parametrize(
    ("fn", "oracle"),
    [(xr.softmax, mp_softmax), (xr.log_softmax, mp_log_softmax)],
    ids=["softmax", "log_softmax"],
)
def test_softmax_family_adversarial_rows_within_4_ulp(fn, oracle, row):
    _assert_rows_within_ulp(fn, oracle, [row])


@pytest.mark.parametrize("row", ADVERSARIAL_ROWS.values(), ids=ADVERSARIAL_ROWS.keys())
def test_logsumexp_adversarial_rows_within_4_ulp(row):
    _assert_rows_within_ulp(xr.logsumexp, mp_logsumexp, [row], elementwise=False)


def _random_rows(seed):
    """Seeded rows of several scales and lengths, plus rows with one dominant logit."""
    rng = np.random.default_rng(seed)
    rows = []
    for scale in (1.0, 5.0, 30.0, 300.0, 1e4):
        for n in (2, 3, 10, 100):
            for _ in range(3):
                rows.append(rng.standard_normal(n) * scale + rng.standard_normal() * scale)
    for _ in range(60):
        n = int(rng.integers(2, 20))
        row = rng.uniform(-60.0, -20.0, n) + 5.0 * rng.standard_normal()
        row[rng.integers(n)] = 10.0 * rng.standard_normal()
        rows.append(row)
    rows.append(rng.standard_normal(1000))
    return rows


RANDOM_ROWS = _random_rows(20240601)


@pytest.mark.parametrize(
    ("fn", "oracle", "elementwise"),
    [
        (xr.logsumexp, mp_logsumexp, False),
        (xr.log_softmax, mp_log_softmax, True),
        (xr.softmax, mp_softmax, True),
    ],
    ids=["logsumexp", "log_softmax", "softmax"],
)
def test_softmax_family_random_rows_within_4_ulp(fn, oracle, elementwise):
    _assert_rows_within_ulp(fn, oracle, RANDOM_ROWS, elementwise=elementwise)


def test_dominant_logit_needs_more_than_the_textbook_formula():
    # The oracle tells the two apart: x_k - m - log(sum exp(x - m)) is 0 for a
    # dominant logit, the exact value is about -exp(-40.4).
    row = np.array([0.1, -40.3])
    exact = mp_log_softmax(list(row))[0]
    textbook = (row[0] - row.max()) - np.log(np.sum(np.exp(row - row.max())))
    assert ulp_error(textbook, exact) > 1e10
    assert ulp_error(xr.log_softmax(row)[0], exact) <= MAX_ULP


def _condition_scale(row) -> mpmath.mpf:
    """``sum_j |x_j| p_j``, ``p = softmax(x)``: the scale of logsumexp's unavoidable error."""
    lse = mp_logsumexp(list(row))
    with mpmath.workdps(50):
        return mpmath.fsum(
            abs(mpmath.mpf(v)) * mpmath.exp(mpmath.mpf(v) - lse) for v in row if v != -INF
        )


def _logsumexp_error_in_condition_ulp(row) -> float:
    """logsumexp's error in ulp of ``max(|LSE|, sum_j |x_j| p_j)``, the docstring's bound."""
    exact = mp_logsumexp(list(row))
    return ulp_error(xr.logsumexp(row), exact, scale=_condition_scale(row))


#: logsumexp's ill-conditioned inputs: |LSE| below sum_j |x_j| p_j.
ILL_CONDITIONED_ROWS = {
    "log 2 twice": [-math.log(2.0), -math.log(2.0)],
    # |LSE| < |max| without -log n < max < 0: the old statement's region missed it
    "-100, -100.5": [-100.0, -100.5],
    "log(0.3), log(0.7)": [math.log(0.3), math.log(0.7)],
    "log(1e-3), log1p(-1e-3)": [math.log(1e-3), math.log1p(-1e-3)],
    # |LSE| > |max|, outside the old statement's region, yet sum |x_j| p_j is
    # 8.8 |LSE| (the error was once 5.85 ulp of the result)
    "long row, |LSE| > |max|": [-0.44752860667838007] + [-6.899182569526649] * 999,
}


@pytest.mark.parametrize("row", ILL_CONDITIONED_ROWS.values(), ids=ILL_CONDITIONED_ROWS.keys())
def test_logsumexp_within_4_ulp_of_its_condition_scale(row):
    row = np.array(row)
    exact = mp_logsumexp(list(row))
    assert _condition_scale(row) > abs(exact)  # these are ill-conditioned
    assert _logsumexp_error_in_condition_ulp(row) <= MAX_ULP


def test_logsumexp_ill_conditioned_log_2_example():
    # the docstring's example: exact 2.3e-17, computed 0; 0.2 ulp of log 2
    x = np.array([-math.log(2.0), -math.log(2.0)])
    exact = mp_logsumexp(list(x))
    assert 2.2e-17 < exact < 2.4e-17
    assert xr.logsumexp(x) == 0.0
    assert 0.1 < _logsumexp_error_in_condition_ulp(x) < 0.3


def test_logsumexp_log_probability_rows_within_4_ulp_of_the_condition_scale():
    # Rows x = log(w) for w on the simplex (LSE near 0), slightly perturbed.
    for x in log_probability_rows(200):
        assert _logsumexp_error_in_condition_ulp(x) <= MAX_ULP, x.tolist()


# Long rows whose tail is one value repeated: a plain sum of 999 equal terms is
# about 3 ulp off, and with s small that error is the result's.
EQUAL_TAIL_ROWS = {
    "C = 1000, gap 529.54": (1000, 529.544959149779),
    "C = 1000, s = 1e-3": (1000, math.log(999) + math.log(1e3)),
    "C = 1000, s = 0.5": (1000, math.log(999) + math.log(2.0)),
    "C = 1000, s = 3": (1000, math.log(999) - math.log(3.0)),
    "C = 50257, s = 1e-5": (50257, math.log(50256) + math.log(1e5)),
    "C = 50257, s = 0.9": (50257, math.log(50256) - math.log(0.9)),
}


def _equal_tail_exact(c: int, gap: float):
    """``L = log1p((C - 1) e^-gap)`` for the row ``[0] + [-gap] * (C - 1)``."""
    with mpmath.workdps(50):
        return mpmath.log1p((c - 1) * mpmath.exp(-mpmath.mpf(gap)))


def test_equal_tail_row_from_the_accuracy_review():
    # 1000 classes, maximum 0: the exact value is 1.0498126697787274e-227, and
    # an uncompensated tail sum was 4.99 ulp off in all three functions
    x = np.array([0.0] + [-529.544959149779] * 999)
    exact = _equal_tail_exact(1000, 529.544959149779)
    assert float(exact) == 1.0498126697787274e-227
    assert ulp_error(xr.logsumexp(x), exact) <= MAX_ULP
    assert ulp_error(-xr.log_softmax(x)[0], exact) <= MAX_ULP
    assert ulp_error(xr.softmax_cross_entropy(x[None], [0]), exact) <= MAX_ULP


@pytest.mark.parametrize(("c", "gap"), EQUAL_TAIL_ROWS.values(), ids=EQUAL_TAIL_ROWS.keys())
def test_long_equal_tail_rows_within_4_ulp(c, gap):
    x = np.array([0.0] + [-gap] * (c - 1))
    L = _equal_tail_exact(c, gap)
    with mpmath.workdps(50):
        tail = -mpmath.mpf(gap) - L  # log softmax of a tail entry
        p_top, p_tail = mpmath.exp(-L), mpmath.exp(tail)
    assert ulp_error(xr.logsumexp(x), L) <= MAX_ULP
    lsm = xr.log_softmax(x)
    assert ulp_error(lsm[0], -L) <= MAX_ULP
    assert ulp_error(lsm[1], tail) <= MAX_ULP
    p = xr.softmax(x)
    assert ulp_error(p[0], p_top) <= MAX_ULP
    assert ulp_error(p[-1], p_tail) <= MAX_ULP
    loss = xr.softmax_cross_entropy(np.stack([x, x]), [0, c - 1], reduction="none")
    assert ulp_error(loss[0], L) <= MAX_ULP
    assert ulp_error(loss[1], mpmath.mpf(gap) + L) <= MAX_ULP


@pytest.mark.parametrize(
    ("fn", "oracle"), [(xr.sigmoid, mp_sigmoid), (xr.log_sigmoid, mp_log_sigmoid)],
    ids=["sigmoid", "log_sigmoid"],
)
def test_sigmoid_family_within_4_ulp(fn, oracle):
    rng = np.random.default_rng(7)
    xs = np.concatenate(
        [SIGMOID_POINTS, 20 * rng.standard_normal(200), 300 * rng.standard_normal(200)]
    )
    got = fn(xs)
    errors = [ulp_error(g, oracle(float(x))) for g, x in zip(got, xs)]
    worst = int(np.argmax(errors))
    assert errors[worst] <= MAX_ULP, f"{fn.__name__}({xs[worst]!r}): {errors[worst]:.2f} ulp"


# --------------------------------------------------------------------------
# scipy.special on random seeded inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("scale", [1.0, 50.0, 1e3])
def test_matches_scipy_softmax_family(axis, scale):
    rng = np.random.default_rng(11)
    x = scale * rng.standard_normal((7, 13))
    np.testing.assert_allclose(
        xr.logsumexp(x, axis=axis), sc.logsumexp(x, axis=axis), rtol=1e-14, atol=0
    )
    np.testing.assert_allclose(
        xr.logsumexp(x, axis=axis, keepdims=True),
        sc.logsumexp(x, axis=axis, keepdims=True),
        rtol=1e-14,
        atol=0,
    )
    np.testing.assert_allclose(
        xr.softmax(x, axis=axis), sc.softmax(x, axis=axis), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(
        xr.log_softmax(x, axis=axis), sc.log_softmax(x, axis=axis), rtol=1e-13, atol=1e-13
    )


def test_matches_scipy_sigmoid_family():
    rng = np.random.default_rng(12)
    x = np.concatenate([10 * rng.standard_normal(500), [-700.0, -50.0, 0.0, 50.0, 700.0]])
    np.testing.assert_allclose(xr.sigmoid(x), sc.expit(x), rtol=1e-14, atol=0)
    np.testing.assert_allclose(xr.log_sigmoid(x), sc.log_expit(x), rtol=1e-14, atol=0)


def test_three_dimensional_axis_handling_matches_scipy():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 4, 5))
    for axis in range(-3, 3):
        np.testing.assert_allclose(
            xr.softmax(x, axis=axis), sc.softmax(x, axis=axis), rtol=1e-13, atol=0
        )
        assert xr.logsumexp(x, axis=axis).shape == sc.logsumexp(x, axis=axis).shape


# --------------------------------------------------------------------------
# Infinities, empty vectors, return types
# --------------------------------------------------------------------------


def test_one_plus_inf_gives_the_one_hot_limit():
    x = np.array([[1.0, INF, -INF, 1e308], [0.0, 1.0, 2.0, 3.0]])
    p = xr.softmax(x)
    np.testing.assert_array_equal(p[0], [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], sc.softmax(x[1]), rtol=1e-14, atol=0)
    np.testing.assert_array_equal(xr.log_softmax(x)[0], [-INF, 0.0, -INF, -INF])
    np.testing.assert_array_equal(xr.logsumexp(x)[0], INF)


def test_plus_and_minus_inf_in_one_row():
    assert xr.logsumexp([INF, -INF]) == INF
    assert xr.logsumexp([INF, INF, 3.0]) == INF
    np.testing.assert_array_equal(xr.softmax([-INF, INF]), [0.0, 1.0])


def test_all_minus_inf_row():
    x = np.array([[-INF, -INF], [0.0, 1.0]])
    lse = xr.logsumexp(x)
    assert lse[0] == -INF
    assert lse[1] == pytest.approx(np.log1p(np.e), rel=1e-14, abs=0)
    for fn in (xr.softmax, xr.log_softmax):
        with pytest.raises(ValueError, match=r"^x: .*-inf in every entry"):
            fn(x)


@pytest.mark.parametrize("fn", [xr.softmax, xr.log_softmax])
def test_two_plus_inf_have_no_limit(fn):
    with pytest.raises(ValueError, match=r"^x: .*\+inf in more than one entry"):
        fn([[0.0, 1.0], [INF, INF]])


def test_empty_axis():
    x = np.empty((3, 0))
    np.testing.assert_array_equal(xr.logsumexp(x), [-INF] * 3)  # log of an empty sum
    assert xr.softmax(x).shape == (3, 0)
    assert xr.log_softmax(x).shape == (3, 0)
    assert xr.logsumexp(np.empty((0, 4))).shape == (0,)


def test_sigmoid_limits_and_signs():
    np.testing.assert_array_equal(xr.sigmoid([-INF, INF]), [0.0, 1.0])
    ls = xr.log_sigmoid([-INF, INF, 1e4])
    np.testing.assert_array_equal(ls, [-INF, 0.0, 0.0])
    assert not np.signbit(ls[1])  # +0.0, not -0.0


def test_return_types():
    assert type(xr.logsumexp([1.0, 2.0])) is np.float64
    assert type(xr.sigmoid(0.5)) is np.float64
    assert type(xr.log_sigmoid(0.5)) is np.float64
    assert isinstance(xr.sigmoid([0.5]), np.ndarray)
    for fn in (xr.softmax, xr.log_softmax, xr.logsumexp, xr.sigmoid, xr.log_sigmoid):
        out = fn(np.array([[1, 2], [3, 4]], dtype=np.int32))
        assert out.dtype == np.float64  # float32 in, float32 out: test_dtype_policy.py
    assert xr.logsumexp([[1.0, 2.0]], keepdims=True).shape == (1, 1)
    assert xr.softmax([True, False]).dtype == np.float64  # booleans are 0/1


# --------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------

finite_logits = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6),
    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=150)
@given(finite_logits, st.floats(-1e3, 1e3, allow_nan=False))
def test_softmax_is_invariant_to_a_constant_shift(x, c):
    # Shifting by c rounds each logit; compare with tolerances, not equality.
    p, p_shifted = xr.softmax(x), xr.softmax(x + c)
    scale = max(1.0, float(np.max(np.abs(x))), abs(c))
    np.testing.assert_allclose(p_shifted, p, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-14)


@settings(max_examples=150)
@given(finite_logits)
def test_log_softmax_log_sum_exp_identities(x):
    lse = xr.logsumexp(x, keepdims=True)
    assert np.all(lse >= x.max(axis=-1, keepdims=True))
    assert np.all(lse <= x.max(axis=-1, keepdims=True) + np.log(x.shape[-1]) + 1e-12)
    lsm = xr.log_softmax(x)
    assert np.all(lsm <= 0)
    scale = max(1.0, float(np.max(np.abs(x))))
    np.testing.assert_allclose(lsm, x - lse, rtol=0, atol=4e-16 * scale)
    np.testing.assert_allclose(np.exp(lsm), xr.softmax(x), rtol=1e-12, atol=1e-300)


@settings(max_examples=150)
@given(st.floats(-1e4, 1e4, allow_nan=False), st.floats(-1e4, 1e4, allow_nan=False))
def test_two_class_softmax_is_the_sigmoid_of_the_difference(a, b):
    d = a - b
    np.testing.assert_allclose(xr.softmax([a, b])[0], xr.sigmoid(d), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(xr.log_softmax([a, b])[0], xr.log_sigmoid(d), rtol=1e-12, atol=0)
    # each term is within its bound and the sum rounds once more: a few units
    # of 2**-53 (sigmoid(3) + sigmoid(-3) comes out 1 + 2**-52)
    assert xr.sigmoid(a) + xr.sigmoid(-a) == pytest.approx(1.0, rel=0, abs=4 * 2.0**-52)
    # log sigma(a) - log sigma(-a) = a; both sides near -log 2 for small a, so
    # the difference is only good to an ulp of max(1, |a|).
    difference = xr.log_sigmoid(a) - xr.log_sigmoid(-a)
    np.testing.assert_allclose(difference, a, rtol=0, atol=4.5e-16 * max(1.0, abs(a)))


# --------------------------------------------------------------------------
# Bad input: each raises the promised exception, message starting "<arg>: "
# --------------------------------------------------------------------------

BAD_INPUTS = [
    ("softmax NaN", xr.softmax, ([0.0, np.nan],), {}, ValueError, r"^x: "),
    ("log_softmax NaN", xr.log_softmax, ([[np.nan, 1.0]],), {}, ValueError, r"^x: "),
    ("logsumexp NaN", xr.logsumexp, ([np.nan],), {}, ValueError, r"^x: "),
    ("sigmoid NaN", xr.sigmoid, (np.nan,), {}, ValueError, r"^x: "),
    ("log_sigmoid NaN", xr.log_sigmoid, ([1.0, np.nan],), {}, ValueError, r"^x: "),
    ("complex", xr.softmax, ([1 + 2j, 0.0],), {}, TypeError, r"^x: "),
    ("string", xr.logsumexp, (["a", "b"],), {}, TypeError, r"^x: "),
    ("object", xr.sigmoid, ([1.0, None],), {}, TypeError, r"^x: "),
    ("ragged", xr.log_softmax, ([[1.0], [1.0, 2.0]],), {}, ValueError, r"^x: "),
    ("0-d softmax", xr.softmax, (1.0,), {}, ValueError, r"^x: "),
    ("0-d logsumexp", xr.logsumexp, (1.0,), {}, ValueError, r"^x: "),
    ("axis out of range", xr.softmax, ([1.0, 2.0],), {"axis": 1}, ValueError, r"^axis: "),
    ("axis negative out of range", xr.logsumexp, ([[1.0]],), {"axis": -3}, ValueError, r"^axis: "),
    ("axis float", xr.log_softmax, ([1.0, 2.0],), {"axis": 0.0}, TypeError, r"^axis: "),
    ("axis None", xr.logsumexp, ([1.0, 2.0],), {"axis": None}, TypeError, r"^axis: "),
    ("keepdims int", xr.logsumexp, ([1.0, 2.0],), {"keepdims": 1}, TypeError, r"^keepdims: "),
    ("all -inf", xr.softmax, ([-INF, -INF],), {}, ValueError, r"^x: "),
    ("two +inf", xr.log_softmax, ([INF, 0.0, INF],), {}, ValueError, r"^x: "),
]


@pytest.mark.parametrize(FIELDS, cases(BAD_INPUTS))
def test_bad_input_raises_naming_the_argument(fn, args, kwargs, exc, match):
    assert_raises_naming(fn, args, kwargs, exc, match)


# --------------------------------------------------------------------------
# No floating-point warnings at the extremes; inputs never modified
# --------------------------------------------------------------------------

EXTREME_LOGITS = np.array(
    [
        [FMAX, -FMAX, 0.0, 5e-324],
        [-FMAX, -FMAX, -FMAX, -FMAX],
        [INF, -INF, 1e308, -1e308],
        [-INF, 0.0, -800.0, -745.5],
        [1e4, -1e4, 710.0, -710.0],
        [0.0, -40.0, -1e300, -INF],
    ]
)


def test_no_floating_point_warnings_at_extremes():
    # errstate raise turns any unintended overflow / divide / invalid into an
    # error even where NumPy would only warn (and the suite errors on warnings).
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for fn in (xr.softmax, xr.log_softmax, xr.logsumexp):
            out = fn(EXTREME_LOGITS)
            assert not np.any(np.isnan(out))
            fn(EXTREME_LOGITS.T, axis=0)
        xs = np.concatenate([EXTREME_LOGITS.ravel(), [-1e4, 1e4]])
        assert not np.any(np.isnan(xr.sigmoid(xs)))
        assert not np.any(np.isnan(xr.log_sigmoid(xs)))
    np.testing.assert_array_equal(xr.softmax(EXTREME_LOGITS)[0], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(xr.softmax(EXTREME_LOGITS)[1], [0.25] * 4)


@pytest.mark.parametrize(
    "fn", [xr.softmax, xr.log_softmax, xr.logsumexp, xr.sigmoid, xr.log_sigmoid],
    ids=lambda f: f.__name__,
)
def test_input_is_not_modified(fn):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 6))
    x[0, 2] = INF  # exercises the one-hot substitution
    x[1, 0] += 50.0  # exercises the dominant-row refinement
    x[2, 3] = -INF
    before = x.copy()
    fn(x)
    fn(x.T, **({} if fn in (xr.sigmoid, xr.log_sigmoid) else {"axis": 0}))
    np.testing.assert_array_equal(x, before)


def test_tail_sum_is_rounded_once():
    # ExtractVector: the sum of non-negative terms is within 1 ulp of the
    # correctly rounded sum (math.fsum), where a pairwise sum of equal terms
    # is several ulp off
    from xent_ref._primitives import _exact_sum

    rng = np.random.default_rng(7)
    rows = [np.full(999, math.exp(-529.544959149779)), np.full(50256, 0.1)]
    rows += [np.exp(rng.uniform(-700, 0, n)) for n in (2, 7, 1000, 4097)]
    rows += [rng.uniform(0, 1, 3000) ** 8, np.zeros(5), np.array([5e-324, 5e-324])]
    plain_worst = 0.0
    for row in rows:
        got = float(_exact_sum(row[None], np.empty((1, row.size)))[0, 0])
        exact = math.fsum(row)
        assert abs(got - exact) <= math.ulp(exact), row[:3]
        plain_worst = max(plain_worst, abs(float(np.sum(row)) - exact) / math.ulp(exact))
    assert plain_worst >= 2  # the plain sum is not good enough on these rows


def test_small_tail_sum_is_summed_with_one_rounding_whatever_the_shift():
    # A row shifted by c = 0 (0 < m <= 700 - log K) whose tail sum s is small:
    # its terms e^(x_j) sum to far more than 4 before scaling by e^-m, but s
    # itself is 3.6e-6, so the loss is about s and its last digits are the
    # sum's. A plain pairwise sum left it 5.2 ulp off; the exact value is from
    # mpmath at 60 digits.
    m = 506.250306951327
    x = np.full(100, m - 17.115085998069112)
    x[0] = m
    with mpmath.workdps(60):
        lse = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in x))
        exact = mpmath.mpf(m) - lse
        for got in (xr.log_softmax(x)[0], -xr.softmax_cross_entropy(x[None], [0])):
            err = abs(mpmath.mpf(float(got)) - exact) / (abs(exact) * mpmath.mpf(2) ** -52)
            assert err <= 1, float(err)
