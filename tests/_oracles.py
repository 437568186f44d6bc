"""High-precision oracles (mpmath) and an ulp-error measure for the accuracy tests.

Every reference value here is computed by mpmath from the same float64
inputs the function under test sees, at ``DPS`` decimal digits (more where a
formula cancels), so it is the exact value to far below float64 resolution.
Nothing here calls ``xent_ref``.
"""

from __future__ import annotations

import math
from decimal import Decimal

import mpmath
import numpy as np

#: Working precision of the oracles, in decimal digits.
DPS = 50

_TWO = mpmath.mpf(2)
#: Spacing of float64 numbers below 2**-1022 (subnormals): 2**-1074.
_SUBNORMAL_ULP = _TWO ** (-1074)
_MAX = mpmath.mpf(np.finfo(np.float64).max)


def _mpf(value) -> mpmath.mpf:
    """``value`` (an mpmath number, a float, or a decimal string or ``Decimal``) as an mpf.

    Converted at ``DPS + 20`` digits, so a 50-digit decimal string keeps every digit.
    """
    with mpmath.workdps(DPS + 20):
        return mpmath.mpf(str(value) if isinstance(value, Decimal) else value)


def ulp_of(exact) -> mpmath.mpf:
    """Spacing of float64 numbers at the value ``exact`` (any type :func:`ulp_error` takes).

    For ``2**e <= |exact| < 2**(e + 1)`` this is ``2**(e - 52)``, and
    ``2**-1074`` in the subnormal range (and at 0). It is taken at the exact
    value, not at its float64 rounding: just below a power of two the spacing
    is the smaller one.
    """
    exact = _mpf(exact)
    if exact == 0:
        return _SUBNORMAL_ULP
    _, e = mpmath.frexp(exact)  # |exact| in [2**(e - 1), 2**e)
    return max(_TWO ** (e - 1 - 52), _SUBNORMAL_ULP)


def ulp_error(computed: float, exact, *, scale=None) -> float:
    """Error of a float64 ``computed`` against ``exact``, in ulp of ``exact`` (or of ``scale``).

    ``exact`` is an mpmath number, or a decimal string (as the golden vectors
    store it). With ``scale``, the unit is the ulp of ``max(|exact|, scale)``:
    where a function's Notes say its formula cancels (log-sum-exp near 0), the
    error is bounded in ulp of that condition scale, not of the result.

    Infinite ``exact`` values (limits) must be matched exactly (error 0, or
    ``inf`` if not); a NaN or infinite ``computed`` against a finite ``exact``
    has error ``inf``. A finite ``exact`` beyond the float64 range is not
    representable; the caller must not ask.
    """
    computed = float(computed)
    exact = _mpf(exact)
    if mpmath.isinf(exact):
        return 0.0 if computed == float(exact) else math.inf
    assert abs(exact) <= _MAX, "exact value not representable in float64"
    if math.isinf(computed) or math.isnan(computed):
        return math.inf
    unit = ulp_of(exact if scale is None else max(abs(exact), _mpf(scale)))
    with mpmath.workdps(DPS + 20):
        return float(abs(mpmath.mpf(computed) - exact) / unit)


def _mp(v: float):
    return mpmath.mpf(float(v))


def _mp_shifted(row):
    """Return ``(m, k, L)``: the max, its first index and ``log1p(sum_{j != k} exp(x_j - m))``.

    ``logsumexp = m + L`` is an identity; evaluating it in this form keeps
    mpmath's 50 digits *relative to each part*, where ``log(sum(exp(x)))``
    would lose them to cancellation (``x_k - logsumexp(x)`` for a dominant
    logit is about ``-exp(-40)`` or smaller).
    """
    k = max(range(len(row)), key=lambda j: (row[j], -j))
    m = _mp(row[k])
    s = mpmath.fsum(mpmath.exp(_mp(v) - m) for j, v in enumerate(row) if j != k and v != -math.inf)
    return m, k, mpmath.log1p(s)


def mp_logsumexp(row) -> mpmath.mpf:
    """``log(sum(exp(x)))`` of one float64 vector; ``-inf`` for an empty or all ``-inf`` row."""
    with mpmath.workdps(DPS):
        if any(v == math.inf for v in row):
            return mpmath.inf
        if all(v == -math.inf for v in row):
            return mpmath.ninf
        m, _, L = _mp_shifted(row)
        return m + L


def mp_log_softmax(row) -> list:
    """``x_i - logsumexp(x)`` of one vector with at most one ``+inf`` (the limit at ``+inf``)."""
    with mpmath.workdps(DPS):
        if any(v == math.inf for v in row):
            return [mpmath.mpf(0) if v == math.inf else mpmath.ninf for v in row]
        m, _, L = _mp_shifted(row)
        return [mpmath.ninf if v == -math.inf else (_mp(v) - m) - L for v in row]


def mp_softmax(row) -> list:
    """``exp(x_i - logsumexp(x))`` of one vector with at most one ``+inf``."""
    with mpmath.workdps(DPS):
        return [mpmath.mpf(0) if mpmath.isinf(v) else mpmath.exp(v) for v in mp_log_softmax(row)]


def mp_sigmoid(x: float) -> mpmath.mpf:
    """``1 / (1 + exp(-x))``."""
    with mpmath.workdps(DPS):
        if math.isinf(x):
            return mpmath.mpf(1 if x > 0 else 0)
        return 1 / (1 + mpmath.exp(-_mp(x)))


def mp_log_sigmoid(x: float) -> mpmath.mpf:
    """``-log(1 + exp(-x))``."""
    with mpmath.workdps(DPS):
        if math.isinf(x):
            return mpmath.mpf(0) if x > 0 else mpmath.ninf
        return -mpmath.log1p(mpmath.exp(-_mp(x)))


def mp_entropy(p) -> mpmath.mpf:
    """``-sum p log p`` with ``0 log 0 = 0``."""
    with mpmath.workdps(DPS):
        return -mpmath.fsum(_mp(v) * mpmath.log(_mp(v)) for v in p if v > 0)


def mp_cross_entropy(p, q) -> mpmath.mpf:
    """``-sum p log q`` with ``0 log q = 0`` and ``+inf`` where ``p > 0 = q``."""
    with mpmath.workdps(DPS):
        if any(a > 0 and b == 0 for a, b in zip(p, q)):
            return mpmath.inf
        return -mpmath.fsum(_mp(a) * mpmath.log(_mp(b)) for a, b in zip(p, q) if a > 0)


def mp_kl_divergence(p, q) -> mpmath.mpf:
    """``sum p log(p/q) - p + q`` (the documented form; equals KL when both sum to 1).

    Each term cancels from about ``|p - q|`` down to ``(p - q)**2 / q``,
    losing up to 17 digits when ``p`` and ``q`` differ in the last bit, so
    the working precision is raised by 40 digits.
    """
    if any(a > 0 and b == 0 for a, b in zip(p, q)):
        return mpmath.inf
    with mpmath.workdps(DPS + 40):
        total = mpmath.fsum(
            (_mp(a) * mpmath.log(_mp(a) / _mp(b)) if a > 0 else 0) - _mp(a) + _mp(b)
            for a, b in zip(p, q)
        )
    return +total
