"""Bad input to the six textbook NLLs of ``xent_ref.unification`` raises a named error.

Each row of the table is one bad call; the message must start with the name
of the offending argument and a colon (pytest runs with
``filterwarnings=error``, so a leaked ``RuntimeWarning`` fails too). The
second half checks that valid inputs at the edges of each domain give the
finite loss that SciPy or mpmath (50 digits, from the formula) gives.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

from xent_ref import unification as u

st, gam, bet = u.student_t_nll, u.gamma_nll, u.beta_nll
nb, vm, gm = u.negative_binomial_nll, u.von_mises_nll, u.gaussian_mixture_nll

X = np.array([0.5, -1.0, 2.0])
Y = np.array([0.2, 1.5, 3.0])
U = np.array([0.1, 0.5, 0.9])  # in [0, 1]
N = np.array([0.0, 2.0, 7.0])  # counts
LOGITS = np.zeros((3, 2))
LOC = np.array([[0.0, 1.0]] * 3)
SCALE = np.ones((3, 2))
TINY = float(np.finfo(np.float64).tiny)


def case(fn, args, kwargs, exc, name, id):
    return pytest.param(fn, args, kwargs, exc, name, id=id)


T = {"df": 4.0, "scale": 1.0}
CASES = [
    # --- student_t_nll ---
    case(st, ([0.5, np.nan, 2.0], Y), T, ValueError, "pred", "t: NaN pred"),
    case(st, (X, [0.2, np.inf, 3.0]), T, ValueError, "target", "t: inf target"),
    case(st, (["a", "b", "c"], Y), T, TypeError, "pred", "t: string pred"),
    case(st, (X, Y + 0j), T, TypeError, "target", "t: complex target"),
    case(st, (X, Y[:2]), T, ValueError, "target", "t: shape mismatch"),
    case(st, (X, 1.0), T, ValueError, "target", "t: no broadcasting"),
    case(st, (X, Y), {"df": 0.0, "scale": 1.0}, ValueError, "df", "t: df = 0"),
    case(st, (X, Y), {"df": -1.0, "scale": 1.0}, ValueError, "df", "t: negative df"),
    case(st, (X, Y), {"df": 5e-324, "scale": 1.0}, ValueError, "df", "t: subnormal df"),
    case(st, (X, Y), {"df": 1e9, "scale": 1.0}, ValueError, "df", "t: df above 1e8"),
    case(st, (X, Y), {"df": np.nan, "scale": 1.0}, ValueError, "df", "t: NaN df"),
    case(st, (X, Y), {"df": np.inf, "scale": 1.0}, ValueError, "df", "t: inf df"),
    case(st, (X, Y), {"df": [1.0, 2.0], "scale": 1.0}, ValueError, "df", "t: array df"),
    case(st, (X, Y), {"df": "4", "scale": 1.0}, TypeError, "df", "t: string df"),
    case(st, (X, Y), {"df": 4.0, "scale": 0.0}, ValueError, "scale", "t: scale = 0"),
    case(st, (X, Y), {"df": 4.0, "scale": -2.0}, ValueError, "scale", "t: negative scale"),
    case(st, (X, Y), {"df": 4.0, "scale": np.inf}, ValueError, "scale", "t: inf scale"),
    case(st, (X, Y), {**T, "reduction": "avg"}, ValueError, "reduction", "t: bad reduction"),
    # --- gamma_nll ---
    case(gam, (X, [0.2, -1.0, 3.0]), {"concentration": 2.0}, ValueError, "target",
         "gamma: negative target"),
    case(gam, (X, [0.2, np.inf, 3.0]), {"concentration": 2.0}, ValueError, "target",
         "gamma: inf target"),
    case(gam, (X, [0.2, np.nan, 3.0]), {"concentration": 2.0}, ValueError, "target",
         "gamma: NaN target"),
    case(gam, ([np.nan, 0.0, 0.0], Y), {"concentration": 2.0}, ValueError, "log_mean",
         "gamma: NaN log_mean"),
    case(gam, ([-np.inf, 0.0, 0.0], Y), {"concentration": 2.0}, ValueError, "log_mean",
         "gamma: -inf log_mean"),
    case(gam, (X[:2], Y), {"concentration": 2.0}, ValueError, "target", "gamma: shape mismatch"),
    case(gam, (X, Y), {"concentration": 0.0}, ValueError, "concentration", "gamma: k = 0"),
    case(gam, (X, Y), {"concentration": -1.0}, ValueError, "concentration", "gamma: k < 0"),
    case(gam, (X, Y), {"concentration": 1e9}, ValueError, "concentration", "gamma: k above 1e8"),
    case(gam, (X, Y), {"concentration": np.nan}, ValueError, "concentration", "gamma: NaN k"),
    case(gam, (X, Y), {"concentration": 1j}, TypeError, "concentration", "gamma: complex k"),
    # --- beta_nll ---
    case(bet, (X, [0.1, 1.5, 0.9]), {"precision": 3.0}, ValueError, "target", "beta: target > 1"),
    case(bet, (X, [0.1, -0.1, 0.9]), {"precision": 3.0}, ValueError, "target", "beta: target < 0"),
    case(bet, (X, [0.1, np.nan, 0.9]), {"precision": 3.0}, ValueError, "target", "beta: NaN target"),
    case(bet, ([0.0, np.inf, 0.0], U), {"precision": 3.0}, ValueError, "logit_mean",
         "beta: inf logit_mean"),
    case(bet, ([0.0, 800.0, 0.0], U), {"precision": 3.0}, ValueError, "logit_mean",
         "beta: b underflows to 0"),
    case(bet, ([0.0, -800.0, 0.0], U), {"precision": 3.0}, ValueError, "logit_mean",
         "beta: a underflows to 0"),
    case(bet, ([0.0, 720.0, 0.0], U), {"precision": 3.0}, ValueError, "logit_mean",
         "beta: 1 - mu subnormal"),
    case(bet, (X, U[:2]), {"precision": 3.0}, ValueError, "target", "beta: shape mismatch"),
    case(bet, (X, U), {"precision": 0.0}, ValueError, "precision", "beta: precision = 0"),
    case(bet, (X, U), {"precision": -3.0}, ValueError, "precision", "beta: negative precision"),
    case(bet, (X, U), {"precision": np.inf}, ValueError, "precision", "beta: inf precision"),
    case(bet, (X, U), {"precision": 1e9}, ValueError, "precision", "beta: precision above 1e8"),
    # --- negative_binomial_nll ---
    case(nb, (X, [0.0, 1.5, 7.0]), {"total_count": 2.0}, ValueError, "target", "nb: fractional count"),
    case(nb, (X, [0.0, -1.0, 7.0]), {"total_count": 2.0}, ValueError, "target", "nb: negative count"),
    case(nb, (X, [0.0, np.inf, 7.0]), {"total_count": 2.0}, ValueError, "target", "nb: inf count"),
    case(nb, (X, [0.0, 2.0**54, 7.0]), {"total_count": 2.0}, ValueError, "target",
         "nb: count above 2**53"),
    case(nb, ([0.0, np.inf, 0.0], N), {"total_count": 2.0}, ValueError, "log_mean",
         "nb: inf log_mean"),
    case(nb, (X, N[:2]), {"total_count": 2.0}, ValueError, "target", "nb: shape mismatch"),
    case(nb, (X, N), {"total_count": 0.0}, ValueError, "total_count", "nb: r = 0"),
    case(nb, (X, N), {"total_count": -2.0}, ValueError, "total_count", "nb: r < 0"),
    case(nb, (X, N), {"total_count": np.nan}, ValueError, "total_count", "nb: NaN r"),
    case(nb, (X, N), {"total_count": 1e9}, ValueError, "total_count", "nb: r above 1e8"),
    # --- von_mises_nll ---
    case(vm, ([0.5, np.inf, 2.0], Y), {"concentration": 3.0}, ValueError, "pred", "vm: inf pred"),
    case(vm, (X, [0.2, np.nan, 3.0]), {"concentration": 3.0}, ValueError, "target", "vm: NaN target"),
    case(vm, (X, Y[:2]), {"concentration": 3.0}, ValueError, "target", "vm: shape mismatch"),
    case(vm, (X, Y), {"concentration": -1.0}, ValueError, "concentration", "vm: kappa < 0"),
    case(vm, (X, Y), {"concentration": 701.0}, ValueError, "concentration",
         "vm: kappa above 700 (np.i0 overflows)"),
    case(vm, (X, Y), {"concentration": np.inf}, ValueError, "concentration", "vm: inf kappa"),
    case(vm, (X, Y), {"concentration": [1.0, 2.0, 3.0]}, ValueError, "concentration",
         "vm: array kappa"),
    # --- gaussian_mixture_nll ---
    case(gm, (0.0, 0.0, 0.0, 1.0), {}, ValueError, "logits", "gm: 0-d logits"),
    case(gm, (np.zeros((3, 0)), X, np.zeros((3, 0)), np.zeros((3, 0))), {}, ValueError, "logits",
         "gm: no components"),
    case(gm, (LOGITS, X, LOC[:, :1], SCALE), {}, ValueError, "loc", "gm: loc shape"),
    case(gm, (LOGITS, X, LOC, SCALE[:2]), {}, ValueError, "scale", "gm: scale shape"),
    case(gm, (LOGITS, X[:2], LOC, SCALE), {}, ValueError, "target", "gm: target shape"),
    case(gm, (LOGITS, X[:, None], LOC, SCALE), {}, ValueError, "target", "gm: target with a C axis"),
    case(gm, (LOGITS, X, LOC, [[1.0, 0.0]] * 3), {}, ValueError, "scale", "gm: scale = 0"),
    case(gm, (LOGITS, X, LOC, [[1.0, -1.0]] * 3), {}, ValueError, "scale", "gm: negative scale"),
    case(gm, (LOGITS, X, LOC, [[1.0, np.inf]] * 3), {}, ValueError, "scale", "gm: inf scale"),
    case(gm, ([[0.0, np.inf]] * 3, X, LOC, SCALE), {}, ValueError, "logits", "gm: inf logit"),
    case(gm, ([[0.0, np.nan]] * 3, X, LOC, SCALE), {}, ValueError, "logits", "gm: NaN logit"),
    case(gm, (LOGITS, X, [[0.0, np.nan]] * 3, SCALE), {}, ValueError, "loc", "gm: NaN loc"),
    case(gm, (LOGITS, [0.0, np.inf, 0.0], LOC, SCALE), {}, ValueError, "target", "gm: inf target"),
    case(gm, (LOGITS, X, LOC, SCALE), {"reduction": None}, ValueError, "reduction",
         "gm: bad reduction"),
]


@pytest.mark.parametrize(("fn", "args", "kwargs", "exc", "name"), CASES)
def test_bad_input_raises_a_named_error(fn, args, kwargs, exc, name):
    with pytest.raises(exc, match=rf"^{name}: "):
        fn(*args, **kwargs)


# ---------------------------------------------------------------------------
# Valid inputs at the edges of each domain: finite, and the reference's value
# ---------------------------------------------------------------------------

mp.mp.dps = 50


def _mp_student_t(y, pred, df, scale):
    """The Student-t NLL from its formula in 50-digit arithmetic."""
    y, pred, df, scale = (mp.mpf(v) for v in (y, pred, df, scale))
    z = (y - pred) / scale
    return float(mp.loggamma(df / 2) - mp.loggamma((df + 1) / 2)
                 + mp.log(mp.sqrt(df * mp.pi) * scale) + (df + 1) / 2 * mp.log(1 + z * z / df))


@pytest.mark.parametrize(
    ("pred", "target", "df", "scale"),
    [
        # (y - pred)^2 overflows float64 (and scipy.stats.t.logpdf with it)
        ([0.0, 1e300, -1.7e308, 0.0], [1e200, -1e300, 1.7e308, 3.0], 3.0, 1e-300),
        # the smallest accepted df: z^2 / df overflows for the first two
        ([0.0, 0.0, 0.0], [1e200, 1e10, 1.0], TINY, 1.0),
        ([0.0, 0.0], [1e200, 1.0], 1e8, 1.0),
    ],
)
def test_student_t_extremes_match_mpmath(pred, target, df, scale):
    got = st(np.array(pred), np.array(target), df=df, scale=scale, reduction="none")
    want = [_mp_student_t(y, p, df, scale) for y, p in zip(target, pred)]
    assert np.all(np.isfinite(got))
    # df = 1e8 is the bound where the log-gamma terms cancel most: 8 digits left.
    np.testing.assert_allclose(got, want, rtol=1e-13 if df < 1e8 else 1e-8, atol=0)


def test_gamma_extremes_match_scipy():
    # Oracle: scipy.stats.gamma with scale = mean / k.
    log_mean, y = np.array([700.0, 0.0, -3.0]), np.array([1e300, 1e-300, 1e-5])
    got = gam(log_mean, y, concentration=2.5, reduction="none")
    with np.errstate(over="ignore"):
        want = -stats.gamma.logpdf(y, 2.5, scale=np.exp(log_mean) / 2.5)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # log_mean = 800: exp(800) overflows, the loss does not. Closed form at
    # y = 1: -k log r + r + log Gamma(k), r = k e^-800 (r itself is below 1e-340).
    far = gam(np.array([800.0]), np.array([1.0]), concentration=2.5, reduction="none")[0]
    assert far == pytest.approx(2.5 * (800.0 - math.log(2.5)) + math.lgamma(2.5), rel=1e-15, abs=0)
    # log_mean = -800: the rate is e^800 k; its exact loss is e^800 y + ..., beyond float64.
    assert gam(np.array([-800.0]), np.array([1.0]), concentration=2.5, reduction="none")[0] == np.inf


def test_gamma_at_zero_is_the_limit():
    # Closed forms at y = 0: -log r for k = 1 (rate 1 here), +inf for k > 1, -inf for k < 1.
    zero = np.array([0.0])
    assert gam(zero, zero, concentration=1.0, reduction="none")[0] == 0.0
    assert gam(zero, zero, concentration=2.0, reduction="none")[0] == np.inf
    assert gam(zero, zero, concentration=0.5, reduction="none")[0] == -np.inf
    assert gam(np.array([math.log(2.0)]), zero, concentration=1.0) == pytest.approx(
        math.log(2.0), rel=1e-15, abs=0)


def test_beta_extremes_match_scipy():
    # Oracle: scipy.stats.beta with a = mu phi, b = (1 - mu) phi, mu from scipy.special.expit.
    from scipy.special import expit

    logit, y = np.array([-700.0, 700.0, 30.0, -30.0]), np.array([0.5, 0.5, 1 - 1e-12, 1e-300])
    got = bet(logit, y, precision=3.0, reduction="none")
    want = -stats.beta.logpdf(y, 3.0 * expit(logit), 3.0 * expit(-logit))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_beta_at_the_ends_is_the_limit():
    # Beta(1, 1) is uniform on [0, 1], its ends included: loss 0 (closed form).
    np.testing.assert_array_equal(bet(np.zeros(2), [0.0, 1.0], precision=2.0, reduction="none"), 0.0)
    # a = b = 1.5 > 1: the density is 0 at the ends, the loss +inf.
    np.testing.assert_array_equal(bet(np.zeros(2), [0.0, 1.0], precision=3.0, reduction="none"), np.inf)


def test_negative_binomial_extremes_match_scipy():
    # Oracle: scipy.stats.nbinom(r, p = r / (r + mean)) where it is accurate.
    log_mean, y = np.array([0.0, 5.0, -2.0]), np.array([2.0**53, 3.0, 0.0])
    got = nb(log_mean, y, total_count=2.0, reduction="none")
    want = -stats.nbinom.logpmf(y, 2.0, 2.0 / (2.0 + np.exp(log_mean)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # Means of e^+-700: the formula in 50-digit mpmath, its log-ratios as
    # log1p (scipy rounds the first loss, about e^-700, to -0.0).
    log_mean, y = np.array([-700.0, 700.0]), np.array([0.0, 1e6])
    got = nb(log_mean, y, total_count=2.0, reduction="none")
    r = mp.mpf(2)
    want = [float(mp.loggamma(r) + mp.loggamma(k + 1) - mp.loggamma(k + r)
                  + r * mp.log1p(mp.e ** mp.mpf(m) / r) + k * mp.log1p(r / mp.e ** mp.mpf(m)))
            for m, k in zip(log_mean, map(mp.mpf, y))]
    assert np.all(np.isfinite(got))
    # At y = 1e6, log Gamma(y + r) and log Gamma(y + 1), both about 1.3e7,
    # cancel in float64: about 2e-9 absolute, 1.2e-12 relative.
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=0)
    # log_mean = 800: exp overflows, the loss is finite (closed form r log(1 + mu/r) at y = 0).
    far = nb(np.array([800.0]), np.array([0.0]), total_count=2.0, reduction="none")[0]
    assert far == pytest.approx(2.0 * (800.0 - math.log(2.0)), rel=1e-15, abs=0)


def test_von_mises_extremes():
    # Oracle: scipy.stats.vonmises at the largest accepted concentration.
    pred, y = np.array([0.0, 2.0, -1.0]), np.array([1.0, 2.0, 2.0])
    np.testing.assert_allclose(vm(pred, y, concentration=700.0, reduction="none"),
                               -stats.vonmises.logpdf(y, 700.0, loc=pred), rtol=1e-12, atol=0)
    # Angles whose difference overflows float64: mpmath forms y - pred exactly.
    pred, y = np.array([1.7e308]), np.array([-1.7e308])
    got = vm(pred, y, concentration=3.0, reduction="none")
    d = mp.mpf(y[0]) - mp.mpf(pred[0])
    with mp.workdps(400):
        want = float(-3 * mp.cos(d) + mp.log(2 * mp.pi * mp.besseli(0, 3)))
    np.testing.assert_allclose(got, [want], rtol=1e-12, atol=0)


def test_gaussian_mixture_extremes_match_mpmath():
    logits = np.array([[0.0, 0.0], [-690.0, 0.0]])
    loc = np.array([[-1.7e308, 0.0], [0.0, 1e300]])
    scale = np.array([[1e300, 1.0], [1e-300, 1.0]])
    y = np.array([1.7e308, 1e-299])
    got = gm(logits, y, loc, scale, reduction="none")

    def ref(z, yy, mu, s):
        w = [mp.e ** mp.mpf(v) for v in z]
        terms = [wc / sum(w) * mp.npdf(mp.mpf(yy), mp.mpf(m), mp.mpf(sc))
                 for wc, m, sc in zip(w, mu, s)]
        return float(-mp.log(sum(terms)))

    want = [ref(*row) for row in zip(logits, y, loc, scale)]
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
