"""Information measures of discrete distributions: entropy, cross-entropy, KL divergence.

A distribution is a probability vector along ``axis``: entries in [0, 1]
summing to 1 within ``max(1e-6, C * eps)`` (checked, never renormalised),
for a vector of ``C`` entries whose floating dtype has machine epsilon ``eps``
(float64's for any other dtype): 1e-6 for float64 input of fewer than 4.5e9
entries. Logs are natural
(nats) unless ``base`` is given.
"""

from __future__ import annotations

import numpy as np

from xent_ref._exact import _two_product_error, _two_sum_error
from xent_ref._validation import (
    check_base,
    check_probabilities,
    check_same_shape,
    input_result_dtype,
    to_result_dtype,
)

__all__ = ["cross_entropy", "entropy", "kl_divergence"]

#: ``2j + 1`` for the series terms ``w**j / (2j + 1)``, ``j = 1 .. 36``: at
#: ``w <= 0.36`` (``1/4 <= p/q``) the first omitted term is below 2**-55 of
#: the sum.
_SERIES_DENOMINATORS = 2.0 * np.arange(1, 37) + 1.0


def _in_base(value, base):
    """Convert a value in nats to ``base`` (``None`` keeps nats); 0-d arrays become scalars."""
    if base is not None:
        value = value / np.log(base)
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _two_distributions(p, q, axis):
    p = check_probabilities(p, "p", axis=axis)
    q = check_probabilities(q, "q", axis=axis)
    check_same_shape(p, q, "p", "q")
    return p, q


def entropy(p, *, axis: int = -1, base: float | None = None):
    r"""Compute the Shannon entropy of the distributions ``p`` along an axis.

    Parameters
    ----------
    p : array_like
        Probability vectors along ``axis``: entries in [0, 1] that sum to 1
        (within :math:`\max(10^{-6}, C\varepsilon)` for vectors of :math:`C`
        entries, :math:`\varepsilon` the machine epsilon of their floating
        dtype, of float64 for any other dtype; never renormalised).
    axis : int, optional
        Axis holding the outcomes. Default is the last.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits.
        Must be finite, > 0 and != 1.

    Returns
    -------
    numpy.ndarray or numpy.floating
        :math:`H(P)` for each vector, with ``axis`` removed; a NumPy float64
        scalar for a single vector.

    Raises
    ------
    ValueError
        If ``p`` is 0-d, has NaN, an entry outside [0, 1], or a vector that
        does not sum to 1; if ``base`` is not > 0 and != 1; if ``axis`` is out
        of range.
    TypeError
        If ``p`` is not real-valued, ``base`` is not a real number or
        ``axis`` is not an integer.

    See Also
    --------
    cross_entropy, kl_divergence
    scipy.stats.entropy : The SciPy function (which renormalises ``p``).
    scipy.special.entr : The elementwise term :math:`-p \log p`.

    Notes
    -----
    .. math::

        H(P) = -\sum_i p_i \log p_i,
        \qquad
        -p \log p =
        \begin{cases}
        -p \log p & p > 0, \\
        0 & p = 0 \quad (\text{the limit } \lim_{p \to 0^+} p \log p = 0).
        \end{cases}

    Every term is :math:`\ge 0`, so the sum does not cancel. In base
    :math:`b` the value is divided by :math:`\ln b` [1]_.

    Dtype: the result is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, ch. 2.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> float(xr.entropy([0.5, 0.5], base=2))
    1.0
    >>> float(xr.entropy([1.0, 0.0]))
    0.0

    The uniform distribution on :math:`n` outcomes has the maximum,
    :math:`\log n`, and bits are nats divided by :math:`\ln 2`:

    >>> p = np.full(8, 1 / 8)
    >>> print(f"{xr.entropy(p):.6f}", f"{np.log(8):.6f}")
    2.079442 2.079442
    >>> print(f"{xr.entropy(p, base=2):.6f}", f"{np.log(8) / np.log(2):.6f}")
    3.000000 3.000000
    """
    base = check_base(base)
    dtype = input_result_dtype(p, "p")
    p = check_probabilities(p, "p", axis=axis)
    # p log p with 0 log 0 = 0: the log is taken only where p > 0.
    plogp = np.zeros_like(p)
    np.log(p, out=plogp, where=p > 0)
    plogp *= p
    # 0 - sum rather than -sum: a certain outcome has entropy +0.0, not -0.0.
    return to_result_dtype(_in_base(np.subtract(0.0, np.sum(plogp, axis=axis)), base), dtype)


def cross_entropy(p, q, *, axis: int = -1, base: float | None = None):
    """Compute the cross-entropy of ``q`` relative to ``p`` along an axis.

    Parameters
    ----------
    p : array_like
        The true distributions: probability vectors along ``axis`` (entries
        in [0, 1] summing to 1 within 1e-6 for float64, more for long float32
        vectors; never renormalised).
    q : array_like
        The model distributions, the same shape as ``p`` (no broadcasting).
    axis : int, optional
        Axis holding the outcomes. Default is the last.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits.
        Must be finite, > 0 and != 1.

    Returns
    -------
    numpy.ndarray or numpy.floating
        :math:`H(P, Q)` for each pair of vectors, with ``axis`` removed; a
        NumPy float64 scalar for a single pair.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is 0-d, has NaN, an entry outside [0, 1], or a
        vector that does not sum to 1; if their shapes differ; if ``base`` is
        not > 0 and != 1; if ``axis`` is out of range.
    TypeError
        If ``p`` or ``q`` is not real-valued, ``base`` is not a real number or
        ``axis`` is not an integer.

    See Also
    --------
    entropy, kl_divergence
    softmax_cross_entropy : The same quantity with ``q`` given by logits.

    Notes
    -----
    .. math::

        H(P, Q) = -\\sum_i p_i \\log q_i = H(P) + D_{\\mathrm{KL}}(P \\,\\|\\, Q),
        \\qquad
        -p \\log q =
        \\begin{cases}
        0 & p = 0 \\ (\\text{any } q), \\\\
        +\\infty & p > 0 = q, \\\\
        -p \\log q & \\text{otherwise}.
        \\end{cases}

    It is the expected code length, or the expected negative log-likelihood
    of :math:`Q`, when outcomes follow :math:`P` [1]_. Every term is
    :math:`\\ge 0`, so the sum does not cancel.

    Dtype: the result is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, sec. 5.4.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> p = np.array([0.5, 0.25, 0.25])
    >>> q = np.array([0.25, 0.5, 0.25])
    >>> print(f"{xr.cross_entropy(p, q):.6f}", f"{1.75 * np.log(2):.6f}")
    1.213008 1.213008

    It is the entropy, :math:`1.5 \\log 2`, plus the KL divergence,
    :math:`0.25 \\log 2`:

    >>> print(f"{xr.entropy(p):.6f}", f"{xr.kl_divergence(p, q):.6f}")
    1.039721 0.173287
    >>> print(f"{1.5 * np.log(2):.6f}", f"{0.25 * np.log(2):.6f}")
    1.039721 0.173287

    Against itself it is the entropy, and a one-hot ``p`` gives the negative
    log-likelihood of the observed outcome, :math:`-\\log 0.5`:

    >>> print(f"{xr.cross_entropy(p, p):.6f}")
    1.039721
    >>> print(f"{xr.cross_entropy([0.0, 1.0, 0.0], q):.6f}", f"{-np.log(0.5):.6f}")
    0.693147 0.693147
    >>> float(xr.cross_entropy([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    base = check_base(base)
    dtype = input_result_dtype(p, "p")
    p, q = _two_distributions(p, q, axis)
    # p log q with 0 log q = 0; where p > 0 = q, log 0 = -inf is the intended
    # limit, so the divide-by-zero flag is silenced.
    plogq = np.zeros_like(p)
    with np.errstate(divide="ignore"):
        np.log(q, out=plogq, where=p > 0)
    plogq *= p
    return to_result_dtype(_in_base(np.subtract(0.0, np.sum(plogq, axis=axis)), base), dtype)


def _log_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Return ``log(p / q)`` for ``p, q > 0``, free of the rounding error of ``p / q``.

    ``p`` and ``q`` are first scaled by the same power of two (exact) to put
    ``q`` in [0.5, 1), so that neither ``p / q`` nor the products below
    under- or overflow when ``p`` and ``q`` are tiny. Then ``r = fl(p / q)``,
    its residual ``p - r q`` is exact (Dekker), and
    ``log(p / q) = log(r) + (p - r q) / p`` to first order. Where ``p / q``
    itself is out of range, ``log p - log q`` (of large logs, which cancel
    little) is used instead.
    """
    q_scaled, e = np.frexp(q)
    with np.errstate(over="ignore", under="ignore"):
        p_scaled = np.ldexp(p, -e)
        r = p_scaled / q_scaled
        moderate = (r > 2.0**-900) & (r < 2.0**900)
    out = np.log(p) - np.log(q)
    pm, qm, rm = p_scaled[moderate], q_scaled[moderate], r[moderate]
    prod = rm * qm
    residual = (pm - prod) - _two_product_error(rm, qm, prod)
    out[moderate] = np.log(rm) + residual / pm
    return out


def _kl_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Return ``f = p log(p/q) - p + q`` elementwise, each term >= 0 and exact to a few ulp.

    * ``p = q``: 0 exactly; ``p = 0``: ``q`` (``0 log 0 = 0``);
      ``p > 0 = q``: ``+inf``;
    * ``1/4 <= p/q <= 9/4``: with ``v = (p - q) / (p + q)``, so that
      ``log(p/q) = 2 artanh(v)``, the series
      ``f = v ((p - q) + 2 p sum_{j>=1} v**(2j) / (2j + 1))`` (as in Loader's
      ``bd0``), in which nothing cancels by more than 8 %;
    * otherwise the closed form with an accurate ``log(p/q)``, grouped as
      ``p (log(p/q) - 1) + q`` for ``p > q`` and ``p log(p/q) + (q - p)``
      for ``p < q`` so that it cancels by at most a factor of about 3.

    The band edges balance the two error bounds (each about 3 units of
    2**-53 at the edges, less inside).
    """
    diff = p - q
    total = p + q
    # q / 4 <= p <= 9 q / 4, and p != q; it implies p > 0 and q > 0.
    near = (4.0 * p >= q) & (4.0 * p <= 9.0 * q) & (diff != 0)
    terms = np.zeros_like(p)  # the value where p == q

    pn, qn, dn, tn = p[near], q[near], diff[near], total[near]
    # p - q and p + q are inexact once p/q > 2; their rounding errors (TwoSum)
    # are folded into v and into the leading term, whose error would
    # otherwise count twice in f ~ (p - q)**2 / (p + q).
    dn_err = _two_sum_error(pn, -qn, dn)
    v = dn / tn
    v += v * (dn_err / dn - _two_sum_error(pn, qn, tn) / tn)
    w = v * v
    series = np.zeros_like(w)
    for c in _SERIES_DENOMINATORS[::-1]:
        # Horner for sum_j w**j / (2j + 1) = w (1/3 + w (1/5 + ...)).
        series += 1.0 / c
        series *= w
    terms[near] = v * (dn + (dn_err + 2.0 * pn * series))

    far = ~near & (diff != 0)
    pf, qf = p[far], q[far]
    far_terms = np.where(pf == 0, qf, np.inf)  # p = 0, and p > 0 = q
    both = (pf > 0) & (qf > 0)
    pb, qb = pf[both], qf[both]
    log_ratio = _log_ratio(pb, qb)
    far_terms[both] = np.where(pb > qb, pb * (log_ratio - 1.0) + qb, pb * log_ratio + (qb - pb))
    terms[far] = far_terms
    return terms


def kl_divergence(p, q, *, axis: int = -1, base: float | None = None):
    """Compute the Kullback-Leibler divergence of ``q`` from ``p`` along an axis.

    Parameters
    ----------
    p : array_like
        The true distributions: probability vectors along ``axis`` (entries
        in [0, 1] summing to 1 within 1e-6 for float64, more for long float32
        vectors; never renormalised).
    q : array_like
        The model distributions, the same shape as ``p`` (no broadcasting).
    axis : int, optional
        Axis holding the outcomes. Default is the last.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits.
        Must be finite, > 0 and != 1.

    Returns
    -------
    numpy.ndarray or numpy.floating
        :math:`D_{\\mathrm{KL}}(P \\,\\|\\, Q) \\ge 0` for each pair of vectors,
        with ``axis`` removed; a NumPy float64 scalar for a single pair.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is 0-d, has NaN, an entry outside [0, 1], or a
        vector that does not sum to 1; if their shapes differ; if ``base`` is
        not > 0 and != 1; if ``axis`` is out of range.
    TypeError
        If ``p`` or ``q`` is not real-valued, ``base`` is not a real number or
        ``axis`` is not an integer.

    See Also
    --------
    entropy, cross_entropy
    scipy.special.rel_entr : The term :math:`p \\log(p/q)`.
    scipy.special.kl_div : The term :math:`p \\log(p/q) - p + q` used here.

    Notes
    -----
    .. math::

        D_{\\mathrm{KL}}(P \\,\\|\\, Q)
        = \\sum_i p_i \\log\\frac{p_i}{q_i}
        = \\sum_i \\Bigl(p_i \\log\\frac{p_i}{q_i} - p_i + q_i\\Bigr),

    the second form because :math:`\\sum_i p_i = \\sum_i q_i = 1`. It is the
    one computed: each of its terms is :math:`\\ge 0` (as
    :math:`\\log t \\le t - 1`), and 0 only where :math:`p_i = q_i`, so

    * :math:`D_{\\mathrm{KL}} \\ge 0` always, and :math:`= 0` exactly when
      ``p == q`` elementwise (Gibbs' inequality [1]_), by construction rather
      than by clamping a rounded result;
    * nothing cancels in the sum: when :math:`Q \\approx P` the divergence,
      of order :math:`\\sum_i (p_i - q_i)^2 / q_i`, keeps full relative
      accuracy, whereas the terms :math:`p_i \\log(p_i/q_i)` are of order
      :math:`|p_i - q_i|` and cancel.

    Each term is evaluated without cancellation (a series in
    :math:`v = (p - q)/(p + q)` where :math:`1/4 \\le p/q \\le 9/4`, as in
    Loader's saddle-point ``bd0`` [2]_). Edge cases per term:
    :math:`p = 0`: :math:`q` (:math:`0 \\log 0 = 0`); :math:`p > 0 = q`:
    :math:`+\\infty`. For vectors that sum to 1 only within the tolerance,
    the value is that of the second form, which stays :math:`\\ge 0`;
    ``sum(scipy.special.rel_entr(p, q))`` differs from it by
    :math:`\\sum_i (q_i - p_i)` and can be negative. A positive divergence
    smaller than the smallest subnormal (:math:`5 \\times 10^{-324}`)
    rounds to 0.

    Dtype: the result is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, thm. 2.6.3.
    .. [2] C. Loader, "Fast and accurate computation of binomial
       probabilities", 2000.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> p = np.array([0.5, 0.25, 0.25])
    >>> q = np.array([0.25, 0.5, 0.25])
    >>> print(f"{xr.kl_divergence(p, q):.6f}", f"{0.25 * np.log(2):.6f}")
    0.173287 0.173287
    >>> float(xr.kl_divergence(p, p))
    0.0

    It is not symmetric in general (``scipy.stats.entropy(p, r)`` gives
    0.116622, and 0.099273 with the arguments swapped), and it is the gap
    between cross-entropy and entropy:

    >>> r = np.array([0.7, 0.2, 0.1])
    >>> print(f"{xr.kl_divergence(p, r):.6f}", f"{xr.kl_divergence(r, p):.6f}")
    0.116622 0.099273
    >>> print(f"{xr.cross_entropy(p, r) - xr.entropy(p):.6f}")
    0.116622

    Close distributions keep their tiny divergence, about
    :math:`\\sum_i (p_i - q_i)^2 / (2 q_i) = 2\\delta^2`:

    >>> delta = (0.5 + 1e-10) - 0.5  # the offset as stored: 0.5 + 1e-10 is not exact
    >>> d = xr.kl_divergence([0.5 + delta, 0.5 - delta], [0.5, 0.5])
    >>> print(f"{d:.6e}", f"{2 * delta**2:.6e}")
    2.000000e-20 2.000000e-20
    """
    base = check_base(base)
    dtype = input_result_dtype(p, "p")
    p, q = _two_distributions(p, q, axis)
    return to_result_dtype(_in_base(np.sum(_kl_terms(p, q), axis=axis), base), dtype)
