"""The exact-arithmetic helpers and constants of ``xent_ref._exact``.

Oracles: exact rational arithmetic (:class:`fractions.Fraction`) for the
error-free transformations, mpmath at 50 digits for the constants, Stirling's
error, the log-factorial and log-gamma.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from tests._oracles import ulp_error
from xent_ref import _exact
from xent_ref._exact import (
    _LOG_2,
    _LOG_2PI,
    _STIRLERR_TABLE,
    _lgamma,
    _log_factorial,
    _stirlerr,
    _two_product_error,
    _two_sum,
    _two_sum_error,
)

mp.mp.dps = 50


def _spread(rng: np.random.Generator, n: int) -> np.ndarray:
    """Floats of both signs whose magnitudes span 2**-60 .. 2**60."""
    return rng.choice([-1.0, 1.0], n) * np.ldexp(rng.uniform(1.0, 2.0, n), rng.integers(-60, 60, n))


def test_two_sum_is_exact():
    rng = np.random.default_rng(0)
    a, b = _spread(rng, 2000), _spread(rng, 2000)
    s, e = _two_sum(a, b)
    assert np.array_equal(s, a + b)
    for ai, bi, si, ei in zip(a, b, s, e):
        assert Fraction(si) + Fraction(ei) == Fraction(ai) + Fraction(bi)


def test_two_sum_error_of_a_difference_in_the_sums_buffer():
    rng = np.random.default_rng(1)
    a, b = _spread(rng, 2000), _spread(rng, 2000)
    d = np.subtract(a, b)
    kept = d.copy()
    err = _two_sum_error(a, -b, d, out=d)
    assert err is d
    for ai, bi, di, ei in zip(a, b, kept, err):
        assert Fraction(di) + Fraction(ei) == Fraction(ai) - Fraction(bi)


def test_two_sum_error_leaves_its_inputs_intact():
    a, b = np.array([1.0, 1e16]), np.array([1e-17, -3.0])
    a0, b0 = a.copy(), b.copy()
    s = a + b
    _two_sum_error(a, b, s)
    assert np.array_equal(a, a0) and np.array_equal(b, b0)


def test_two_product_error_is_exact():
    rng = np.random.default_rng(2)
    a, b = _spread(rng, 2000), _spread(rng, 2000)
    prod = a * b
    err = _two_product_error(a, b, prod)
    for ai, bi, pi, ei in zip(a, b, prod, err):
        assert Fraction(pi) + Fraction(ei) == Fraction(ai) * Fraction(bi)


def test_log_2_is_correctly_rounded():
    assert _LOG_2 == float(mp.log(2))


def test_log_2pi_is_the_log_of_the_float_2pi():
    # the correctly rounded log of fl(2 pi), one ulp from log(2 pi) itself
    assert _LOG_2PI == float(mp.log(mp.mpf(2 * math.pi)))
    assert ulp_error(_LOG_2PI, mp.log(2 * mp.pi)) <= 1


def test_stirlerr_table_is_mpmath_rounded():
    for n in range(1, 16):
        exact = mp.loggamma(n + 1) - (n + mp.mpf(0.5)) * mp.log(n) + n - mp.log(2 * mp.pi) / 2
        assert _STIRLERR_TABLE[n] == float(exact)


def test_stirlerr_series_against_mpmath():
    n = np.concatenate([np.arange(1.0, 40.0), [1e3, 1e6, 1e12]])
    ours = _stirlerr(n)
    for o, k in zip(ours, n):
        k = mp.mpf(k)
        exact = mp.loggamma(k + 1) - (k + mp.mpf(0.5)) * mp.log(k) + k - mp.log(2 * mp.pi) / 2
        assert ulp_error(float(o), exact) <= 4
    # at 1e200 (1/n**2 would overflow) the series is 1/(12 n) to far below an ulp
    huge = _stirlerr(np.array([1e200]))[0]
    assert ulp_error(float(huge), 1 / (12 * mp.mpf(1e200))) <= 1


def test_log_factorial_against_mpmath():
    large = np.floor(10 ** np.random.default_rng(14).uniform(1.6, 15, 200))
    n = np.concatenate([np.arange(0.0, 40.0), large])
    ours = _log_factorial(n)
    assert ours[0] == 0.0 and ours[1] == 0.0
    assert max(ulp_error(float(o), mp.loggamma(k + 1)) for o, k in zip(ours[2:], n[2:])) <= 4


@pytest.mark.parametrize("size", [5, 5000], ids=["direct", "distinct-values"])
def test_lgamma_against_mpmath(size):
    # 5000 values drawn from 20 distinct ones take the once-per-distinct-value path
    rng = np.random.default_rng(3)
    pool = np.concatenate([[0.5, 1.5, 2.5, 3.0], 10 ** rng.uniform(-3, 8, 16)])
    x = rng.choice(pool, size)
    ours = _lgamma(x)
    assert ours.shape == x.shape
    for o, xi in zip(ours, x):
        exact = mp.loggamma(mp.mpf(xi))
        assert abs(mp.mpf(float(o)) - exact) <= 4 * math.ulp(max(abs(float(exact)), 1.0))


def test_one_home():
    """Every other module uses these objects, not copies of them."""
    import xent_ref._classification as cls
    import xent_ref._information as info
    import xent_ref._primitives as prim
    import xent_ref._regression as reg
    import xent_ref.distributions as dist
    import xent_ref.unification as uni

    assert cls._two_sum is _exact._two_sum
    assert info._two_sum_error is _exact._two_sum_error
    assert info._two_product_error is _exact._two_product_error
    assert prim._two_sum_error is _exact._two_sum_error
    assert reg._LOG_2PI is _exact._LOG_2PI
    assert uni._log_factorial is _exact._log_factorial
    assert uni._lgamma is _exact._lgamma
    assert uni._LOG_2PI is _exact._LOG_2PI
    assert dist._lgamma is _exact._lgamma
    assert dist._LOG_2PI is _exact._LOG_2PI
