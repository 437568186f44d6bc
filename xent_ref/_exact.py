"""Exact arithmetic, the log-factorial and the constants shared by ``xent_ref``.

One home for each: the error-free transformations (Knuth's TwoSum,
Dekker's TwoProduct) that the primitives, the classification losses and the
information measures use to keep a rounding error; Stirling's series and the
log-factorial and log-gamma built on it, used by the distributions and the
unification records; and the constants :math:`\\log 2\\pi` and
:math:`\\log 2`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

#: :math:`\log 2\pi` as ``math.log(2 * math.pi)``: the correctly rounded log of
#: the float64 ``2 * pi``, one ulp below the correctly rounded :math:`\log 2\pi`.
_LOG_2PI = math.log(2.0 * math.pi)
#: :math:`\log 2`, correctly rounded.
_LOG_2 = math.log(2.0)

#: Veltkamp's splitting constant 2**27 + 1 (Dekker's exact product).
_SPLITTER = 134217729.0


# ---------------------------------------------------------------------------
# Error-free transformations
# ---------------------------------------------------------------------------


def _two_sum_error(
    a: np.ndarray, b: np.ndarray, s: np.ndarray, *, out: np.ndarray | None = None
) -> np.ndarray:
    """Return the exact rounding error ``(a + b) - s`` of ``s = fl(a + b)`` (Knuth's TwoSum).

    Branch-free and exact for any finite ``a``, ``b`` whatever their
    magnitudes (Fast2Sum would need ``|a| >= |b|``, which logits and their
    maximum do not satisfy). The error of a difference ``a - b`` is that of
    ``a + (-b)``: negation is exact. ``out``, if given, receives the result
    and may be ``s`` itself, saving a full-size buffer.
    """
    b_virtual = np.subtract(s, a)
    a_virtual = np.subtract(s, b_virtual, out=out)
    np.subtract(a, a_virtual, out=a_virtual)
    np.subtract(b, b_virtual, out=b_virtual)
    return np.add(a_virtual, b_virtual, out=a_virtual)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e = a + b`` exactly (Knuth's TwoSum)."""
    s = np.add(a, b)
    return s, _two_sum_error(a, b, s)


def _two_product_error(a: np.ndarray, b: np.ndarray, prod: np.ndarray) -> np.ndarray:
    """Return the exact rounding error ``a * b - prod`` of ``prod = fl(a * b)`` (Dekker).

    Exact while nothing over- or underflows.
    """
    t = _SPLITTER * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLITTER * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    return (((a_hi * b_hi - prod) + a_hi * b_lo) + a_lo * b_hi) + a_lo * b_lo


# ---------------------------------------------------------------------------
# Stirling's series, the log-factorial and log-gamma
# ---------------------------------------------------------------------------

#: stirlerr(n) = log(n!) - (n + 1/2) log(n) + n - log(2 pi) / 2 for n = 1..15,
#: computed with mpmath at 50 digits and rounded to float64 (the tests
#: recompute them). Index 0 is unused.
_STIRLERR_TABLE = np.array([
    np.nan,
    0.08106146679532726,
    0.0413406959554093,
    0.02767792568499834,
    0.020790672103765093,
    0.016644691189821193,
    0.013876128823070748,
    0.01189670994589177,
    0.010411265261972096,
    0.009255462182712733,
    0.00833056343336287,
    0.007573675487951841,
    0.00694284010720953,
    0.006408994188004207,
    0.0059513701127588475,
    0.005554733551962801,
])

#: Coefficients B_2k / (2k (2k - 1)) of the Stirling series
#: stirlerr(n) = sum_k c_k / n**(2k - 1), k = 1..8. For n >= 16 the first
#: omitted term is below 1e-19 relative to stirlerr(n).
_STIRLING_COEFFS = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
    -3617.0 / 122400.0,
)

_lgamma_ufunc = np.frompyfunc(math.lgamma, 1, 1)


def _horner(t: np.ndarray, coeffs) -> np.ndarray:
    """``sum_k coeffs[k] * t**k`` by Horner's rule (the asymptotic series here are in 1/x**2)."""
    acc = np.zeros_like(t)
    for c in reversed(coeffs):
        acc = acc * t + c
    return acc


def _stirling_series(x: np.ndarray) -> np.ndarray:
    r"""Stirling's series :math:`\sum_k c_k / x^{2k-1}` of the error of Stirling's formula.

    For :math:`x \ge 16` the first omitted term is below 1e-19 relative.
    """
    # 1/x squared, not 1/(x*x): x*x overflows for x > 1e154.
    inv = 1.0 / x
    return _horner(inv * inv, _STIRLING_COEFFS) * inv


def _stirlerr(n: np.ndarray) -> np.ndarray:
    r"""Stirling's error :math:`\log n! - (n+\tfrac12)\log n + n - \tfrac12\log 2\pi`, n >= 1."""
    small = n <= 15
    out = np.empty_like(n)
    out[small] = _STIRLERR_TABLE[n[small].astype(np.intp)]
    out[~small] = _stirling_series(n[~small])
    return out


def _log_factorial(n: npt.ArrayLike) -> np.ndarray:
    r""":math:`\log n!` for whole ``n >= 0`` (float64 array), vectorised.

    :math:`n!` is exact in float64 for :math:`n \le 22`; above, the Stirling
    series :func:`_stirlerr` gives :math:`\log n!` to a few ulp.
    """
    n = np.asarray(n, dtype=np.float64)
    exact = np.cumprod(np.concatenate(([1.0], np.arange(1.0, 23.0))))
    small = n <= 22
    out = np.empty_like(n)
    out[small] = np.log(exact[n[small].astype(np.intp)])
    big = n[~small]
    out[~small] = _stirlerr(big) + 0.5 * (_LOG_2PI + np.log(big)) + big * (np.log(big) - 1.0)
    return out


def _lgamma(x: npt.ArrayLike) -> np.ndarray:
    r""":math:`\log\Gamma(x)` for :math:`x > 0`, elementwise through :func:`math.lgamma`.

    CPython's ``lgamma`` is within 3 ulp of :math:`\max(\lvert\log\Gamma(x)
    \rvert, 1)` for :math:`x > 0` (near its zeros at 1 and 2 the error is
    absolute, about 1e-16); NumPy has no lgamma. A large array with many
    repeated values (counts, broadcast parameters) is evaluated once per
    distinct value.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size > 4096:
        distinct, index = np.unique(x, return_inverse=True)
        if distinct.size <= x.size // 4:
            return np.asarray(_lgamma_ufunc(distinct), dtype=np.float64)[index].reshape(x.shape)
    return np.asarray(_lgamma_ufunc(x), dtype=np.float64).reshape(x.shape)
