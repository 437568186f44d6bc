"""Stable primitives: logsumexp, softmax, log_softmax, sigmoid, log_sigmoid.

All five are within 4 ulp of the exact value in float64 (logsumexp: of the
larger of its value and its condition scale; results in the subnormal range
carry an absolute allowance; see its Notes). The softmax
family is built on one decomposition of the log-sum-exp of a vector
:math:`x` with maximum :math:`m = x_k`,

.. math::

    \\operatorname{LSE}(x) = m + \\mathop{\\mathrm{log1p}}(s), \\qquad
    s = \\sum_{j \\ne k} e^{x_j - m},

which keeps the small terms' relative accuracy that the textbook
``m + log(sum(exp(x - m)))`` rounds away (Blanchard, Higham and Higham 2021).
"""

from __future__ import annotations

import math

import numpy as np

from xent_ref._exact import _two_sum, _two_sum_error
from xent_ref._validation import as_float_input, normalize_axis, to_result_dtype

__all__ = ["log_sigmoid", "log_softmax", "logsumexp", "sigmoid", "softmax"]

#: Rows whose maximum ``m`` lies in ``[0, _DIRECT_MAX - log C]`` take ``exp``
#: of the logits unshifted: ``C e^m`` stays below ``e^700``, far from overflow.
_DIRECT_MAX = 700.0


def _as_result(a: np.ndarray, dtype: np.dtype):
    """Round the float64 ``a`` once to ``dtype``; a 0-d result as a NumPy scalar."""
    return to_result_dtype(a[()] if a.ndim == 0 else a, dtype)


def _sum_to_odd(
    a: np.ndarray, b: np.ndarray, err: np.ndarray | None = None,
    tail: np.ndarray | float | None = None,
) -> np.ndarray:
    """``a + b + err`` rounded to odd in float64, for a result then rounded to a narrower float.

    ``err`` is the exact rounding error of ``a`` where ``a`` is itself a
    rounded sum (``|err| <= ulp(a) / 2``), and ``a``, ``b`` have the same
    sign, so the exact value lies within one ulp of ``fl(a + b)``: that is
    moved to its odd neighbour on the side of the exact value if they
    differ. Rounding the result to float32 or float16 (at least 2 bits fewer
    than float64's 53) is then the correct rounding of ``a + b + err``
    [Boldo and Melquiond, "Emulation of FMA and correctly rounded sums:
    proved algorithms using rounding to odd", IEEE TC 57(4), 2008]. A plain
    float64 sum rounds twice: a value just off a float32 tie (a float32
    ``x_i - m`` and a ``log1p(s)`` below float64's resolution) would land on
    the tie and then on its even neighbour, half the time the wrong one.
    Infinite sums are returned as they are.

    ``tail`` (broadcast like ``a + b``; +1, -1 or 0) is the sign of a further
    part of the exact value that no float64 operand holds: a tail sum whose
    terms all underflowed to 0, so that ``b`` is 0 though the exact term is
    not (the sticky bit of a rounding). It is smaller than any nonzero
    rounding error of ``a + b + err`` (with float32 or float16 operands
    those are multiples of ``2**-149``, and the tail is below ``C 2**-1073``
    for ``C`` terms), so it decides only where that sum is exact, which is
    just where it is needed: the exact value is then strictly beyond the
    float64 one, towards ``tail``, and rounds to odd on that side.
    """
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    # at least 1-d: on 0-d operands NumPy's ufuncs return scalars, not arrays
    a, b = np.atleast_1d(a, b)
    with np.errstate(over="ignore", invalid="ignore"):
        hi, lo = _two_sum(a, b)
        if err is not None:
            lo += err
    if tail is not None:
        lo = np.where(lo == 0, tail, lo)
    lo = np.where(np.isfinite(hi), lo, 0.0)
    inexact = (lo != 0) & ((hi.view(np.int64) & 1) == 0)
    return np.where(inexact, np.nextafter(hi, np.copysign(np.inf, lo)), hi).reshape(shape)


def _underflowed_tail(xl: np.ndarray, s: np.ndarray, sign: float) -> np.ndarray | None:
    """The ``tail`` of :func:`_sum_to_odd` for rows (keepdims) whose tail sum
    ``s = sum_{j != k} exp(x_j - m)`` is computed as 0 though it is positive:
    every term underflowed, and the row has a finite entry besides its
    maximum. ``sign`` there, 0 elsewhere; None if no row has such a tail. For
    the narrow-dtype paths only: one more look at the rows whose ``s`` is 0.
    """
    hidden = s == 0
    if not hidden.any():
        return None
    rows = hidden[..., 0]
    hidden[rows] = np.count_nonzero(xl[rows] > -np.inf, axis=-1, keepdims=True) > 1
    return np.where(hidden, sign, 0.0) if hidden.any() else None


def _logits_last(x, axis) -> tuple[np.ndarray, int, np.dtype]:
    """Validate logits ``x``; a float64 view with ``axis`` moved last, and the result dtype."""
    x, dtype = as_float_input(x, "x")
    if x.ndim == 0:
        raise ValueError("x: must have at least one dimension (the axis to reduce over)")
    axis = normalize_axis(axis, x.ndim)
    return np.moveaxis(x, axis, -1), axis, dtype


def _argmax_last(xl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first argmax ``k`` and the maximum ``m`` along the last axis (keepdims)."""
    k = np.argmax(xl, axis=-1, keepdims=True)
    return k, np.take_along_axis(xl, k, axis=-1)


def _row_sums(a: np.ndarray) -> np.ndarray:
    """``sum(a)`` along the last axis (keepdims) in einsum's order, several
    accumulators, about twice as fast as the pairwise ``np.sum``; its error
    is bounded by ``(C - 1) u sum(|a|)`` only, so it is kept for the sums
    :func:`_exact_sum` can afford it on."""
    return np.einsum("...j->...", a)[..., None]


def _exact_sum(e: np.ndarray, scratch: np.ndarray, plain: np.ndarray | None = None) -> np.ndarray:
    """Sum the non-negative ``e`` along the last axis, to within one rounding (keepdims).

    A plain (pairwise) sum of ``C`` terms can be off by several units in the
    last place: 999 equal terms come out about 3 ulp off. Here each term is
    split exactly, ``e_j = q_j + r_j``, by rounding it to a multiple of the
    spacing of ``sigma >= 4 sum(e)`` (Rump's ExtractVector): ``q_j =
    fl(sigma + e_j) - sigma``, exact (Sterbenz) since ``e_j <= sigma / 4``.
    With ``2**K <= sigma < 2**(K+1)`` the ``q_j`` are multiples of
    ``2**(K-52)`` and their partial sums, in any order, stay below
    ``sigma / 2``: ``sum(q)`` is exact. Each ``|r_j| <= 2**-52 sigma``. Only
    ``sum(q) + sum(r)`` is rounded, once, plus the rounding errors of
    ``sum(r)``, at most ``(C - 1) u sum|r| <= C**2 2**-105 sigma`` in any
    order (``u = 2**-53``).

    Fast path: one scalar ``sigma = 4 max(S)`` for the block, where every
    row's sum ``S`` has ``sigma <= S 2**49 / C**2`` (or ``S = 0``, summed
    exactly anyway). The error of ``sum(r)`` is then below ``2**-56 S``, an
    eighth of ``u S``, so both sums may take einsum's faster order
    (:func:`_row_sums`); and a scalar ``sigma`` makes the two passes that
    split the terms plain vector-scalar operations, several times faster
    than with a column of ``sigma`` broadcast along the rows. Other blocks
    take ``sigma = 4 S`` per row and pairwise sums, whose depth ``h <= 64``
    bounds the error of ``sum(r)`` by ``h u C 2**-50 S``, below ``2**-56 S``
    for any ``C < 2**41``.

    ``plain`` is the plain sum of ``e`` if the caller has it (keepdims; it
    only sets ``sigma``); ``scratch`` is a buffer of ``e``'s shape; ``e`` is
    left intact.
    """
    if plain is None:
        plain = np.sum(e, axis=-1, keepdims=True)
    sigma = 4.0 * plain

    def total(a: np.ndarray) -> np.ndarray:
        return np.sum(a, axis=-1, keepdims=True)

    if plain.size:
        n = e.shape[-1]
        top = float(sigma.max())
        window = top * float(n) ** 2 * 2.0**-49
        if np.all((plain >= window) | (plain == 0.0)):
            sigma, total = top, _row_sums
    q = np.add(e, sigma, out=scratch)
    q -= sigma
    high = total(q)
    r = np.subtract(e, q, out=q)
    return high + total(r)


#: Rows whose tail sum is at least this are summed plainly (pairwise); see
#: :func:`_tail_total`.
_PLAIN_SUM_MIN = 4.0


def _tail_total(
    e: np.ndarray, scratch: np.ndarray, scale: np.ndarray, refine=None
) -> np.ndarray:
    """Return ``s = scale * sum(e)`` per row, the sum exact where it matters (keepdims).

    The plain pairwise sum is off by a few units of ``2**-53`` relative (about
    3 for 999 equal terms). In ``L = log1p(s)`` that error is damped by
    ``s / ((1 + s) log1p(s))``: fully felt for a small ``s`` (a dominant logit,
    where the loss *is* about ``s``), under a half for ``s >= 4``. Rows with
    ``s < 4`` are summed again with :func:`_exact_sum`. The test is on ``s``
    itself, after scaling, since the terms ``e`` are taken about a shift that
    need not be the row's maximum. A caller whose result damps the error
    further (a loss ``(m - x_t) + L``) passes ``refine``, which maps ``s``
    (keepdims) to the boolean mask of the rows to sum again, a subset of
    those with ``s < 4``.
    """
    plain = np.sum(e, axis=-1, keepdims=True)
    s = plain * scale
    small = s[..., 0] < _PLAIN_SUM_MIN
    if refine is not None:
        small &= refine(s)[..., 0]
    rows = int(np.count_nonzero(small))
    if 2 * rows > small.size:
        # Most rows: summing them all costs less than gathering them. The
        # others' sums are passed as 0, so that they neither set sigma nor
        # narrow its window; their results are discarded.
        sums = np.where(small[..., None], plain, 0.0)
        np.copyto(s, _exact_sum(e, scratch, sums) * scale, where=small[..., None])
    elif rows:
        # The rows to refine are copied into the scratch buffer, and e, no
        # longer needed once summed, lends its memory as their scratch: no
        # allocation beyond the two buffers the caller made.
        n = e.shape[-1]
        flat = small.reshape(-1)
        sub = np.compress(flat, e.reshape(-1, n), axis=0,
                          out=scratch.reshape(-1)[: rows * n].reshape(rows, n))
        spare = e.reshape(-1)[: rows * n].reshape(rows, n)
        exact = _exact_sum(sub, spare, plain.reshape(-1, 1)[flat])
        s.reshape(-1)[flat] = exact[:, 0] * scale.reshape(-1)[flat]
    return s


def _tail_sum(
    xl: np.ndarray, k: np.ndarray, m: np.ndarray, work: np.ndarray, refine=None,
    exp_done: bool = False,
) -> np.ndarray:
    """Return ``s = sum_{j != k} exp(x_j - m)`` along the last axis (keepdims).

    Every term keeps its relative accuracy, and so does the sum, however
    small it is (the argmax term ``exp(0) = 1`` is left out rather than
    subtracted later: added first, it would round away every bit of ``s``
    below ``2**-53``). The rounding error of ``x_j - m`` would be multiplied
    by ``|x_j - m|`` in ``exp``: 40 * 2**-53 for a logit 40 below the
    maximum. It is avoided, not corrected, by shifting each row by a
    ``c`` for which ``x_j - c`` is exact wherever ``exp(x_j - c) > 0``:

    * ``0 <= m <= DIRECT_MAX - log C``: ``c = 0``; ``exp(x_j)`` itself, which
      cannot overflow and holds at least the bits of ``exp(x_j - m)``;
    * ``m < 0``: ``c = ceil(m)``, an integer in ``[m, 0]``, so
      ``x_j - c`` lies in ``[x_j, 0]`` and is a multiple of ``ulp(x_j)``:
      exact;

    then ``s = exp(c - m) * sum_j exp(x_j - c)``, with ``c - m`` exact
    (Sterbenz). Rows with a larger maximum are shifted by ``m`` itself, and
    the rounding error of ``x_j - m`` (from TwoSum) is folded back in,
    ``exp(d + err) = exp(d) (1 + err)`` to first order. The sum is
    :func:`_exact_sum` where :func:`_tail_total` (given ``refine``) asks for
    it. Rows whose maximum is infinite get ``s = 0``. ``work`` is a float64
    buffer of shape ``(2,) + xl.shape``; its contents are destroyed, except
    that with ``exp_done`` its first half already holds ``exp(xl)``, used if
    the rows take ``c = 0``.
    """
    n = xl.shape[-1]
    finite = np.isfinite(m)
    direct_max = _DIRECT_MAX - math.log(max(n, 1))
    if m.size == 0 or (finite.all() and m.min() > -1.0 and m.max() <= direct_max):
        # the usual case, a whole block of ordinary logits: no shift at all (for
        # -1 < m < 0 the rule below gives c = ceil(m) = 0 too)
        c = None
        if exp_done:
            e = work[0]
        else:
            with np.errstate(under="ignore"):
                e = np.exp(xl, out=work[0])
    else:
        shifted = finite & (m > direct_max)
        c = np.where(finite, np.minimum(np.ceil(m), 0.0), 0.0)
        np.copyto(c, m, where=shifted)
        with np.errstate(over="ignore", under="ignore"):
            d = np.subtract(xl, c, out=work[0])
            e = np.exp(d, out=d)
        if shifted.any():
            rows = shifted[..., 0]
            x_rows, m_rows = xl[rows], m[rows]
            with np.errstate(over="ignore", invalid="ignore"):
                d_rows = np.subtract(x_rows, m_rows)
                err = _two_sum_error(x_rows, -m_rows, d_rows, out=d_rows)
            # err is NaN exactly where x - m is -inf (x = -inf, or the
            # difference overflowed); exp is 0 there.
            np.copyto(err, 0.0, where=np.isnan(err))
            e_rows = e[rows]
            e[rows] = e_rows + e_rows * err
        if not finite.all():
            e[~finite[..., 0]] = 0.0
    np.put_along_axis(e, k, 0.0, axis=-1)
    if c is None:
        scale = np.exp(-m)
    else:
        with np.errstate(invalid="ignore"):
            scale = np.exp(c - m)
        scale[~finite] = 0.0
    return _tail_total(e, work[1], scale, refine)


#: A loss row ``(m - x_t) + log1p(s)`` is summed exactly only where the damping
#: ``s / ((1 + s) loss)`` of the plain sum's error is at least this; see
#: :func:`_logsumexp_parts`.
_LOSS_DAMPING_MIN = 1.0 / 8.0


def _logsumexp_parts(
    xl: np.ndarray, x_target: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(m, L)`` with ``logsumexp = m + L`` along the last axis (keepdims).

    For the losses: ``xl`` is a validated float64 array (no NaN) with at
    least one entry along its last axis. ``m`` is the row maximum and
    ``L = log1p(sum_{j != argmax} exp(x_j - m))``, accurate to a few ulp
    relative to itself (given ``x_target``, to a few ulp of the loss; see
    below), so ``-log_softmax(x)[t] = (m - x_t) + L`` is a sum
    of two non-negative terms, free of cancellation. Where ``m`` is ``±inf``,
    ``L`` is 0 (so ``m + L = m``, the limit). The scratch space is one
    allocation of twice ``xl``'s size: a caller working in blocks keeps it
    in the cache.

    ``x_target`` (keepdims), the logit of each row's target, says the result
    serves the loss ``(m - x_t) + L``. A relative error ``d`` of the tail sum
    ``s`` moves that loss by ``d s / (1 + s)``, a relative ``d s / ((1 + s)
    loss)``. The plain pairwise sum, ``d`` a few units of ``2**-53``, then
    suffices wherever that damping is below 1/8 (:data:`_LOSS_DAMPING_MIN`):
    it adds at most an eighth of ``d`` to the loss. Only the other rows with
    ``s < 4`` (the rule of :func:`_tail_total`), those whose target is the
    argmax (damping ``s / ((1 + s) log1p(s)) > 0.49`` for ``s < 4``) or whose
    margin ``m - x_t`` is at most ``8 s / (1 + s) - log1p(s)``,
    are summed exactly; a batch of confident or wide logits has few of them.
    """
    work = np.empty((2,) + xl.shape)
    # exp(x) first, on the chance that the rows take c = 0 (nearly always): the
    # pass that first reads a block of logits from memory then does the most
    # arithmetic, and the argmax after it finds them in the cache. Overflow
    # (x > 709.78) only happens in rows with m > _DIRECT_MAX - log C, which are
    # shifted, and then exp is redone.
    with np.errstate(over="ignore", under="ignore"):
        np.exp(xl, out=work[0])
    k, m = _argmax_last(xl)
    refine = None
    if x_target is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            # m - x_t overflows (or is inf - inf) only where the loss is
            # infinite or m is: the comparison is False there, no refinement
            margin = m - x_target

        def refine(s: np.ndarray) -> np.ndarray:
            with np.errstate(invalid="ignore"):
                return s / (1.0 + s) >= _LOSS_DAMPING_MIN * (margin + np.log1p(s))

    s = _tail_sum(xl, k, m, work, refine, exp_done=True)
    return m, np.log1p(s)


def _one_hot_limit_rows(xl: np.ndarray, k: np.ndarray, m: np.ndarray):
    """Check the rows of logits for softmax and replace each +inf row by its limit.

    A row that is -inf everywhere has no softmax (0/0): ``ValueError``. A row
    with one +inf entry has the one-hot limit, which is the softmax of the row
    with that entry set to 0 and all others to -inf; that row is substituted
    (in a copy). Two or more +inf entries have no limit (it depends on how
    they grow): ``ValueError``.
    """
    if np.all(np.isfinite(m)):
        return xl, m
    if np.any(m == -np.inf):
        raise ValueError(
            "x: a vector along axis is -inf in every entry; its softmax (0/0) is undefined"
        )
    rows = m[..., 0] == np.inf
    is_inf = xl[rows] == np.inf
    if np.any(np.count_nonzero(is_inf, axis=-1) > 1):
        raise ValueError(
            "x: a vector along axis has +inf in more than one entry; its softmax has no limit"
        )
    xl = xl.copy()
    xl[rows] = np.where(is_inf, 0.0, -np.inf)
    m = np.take_along_axis(xl, k, axis=-1)
    return xl, m


def logsumexp(x, *, axis: int = -1, keepdims: bool = False):
    """Compute the log of the sum of exponentials of ``x`` along an axis.

    Parameters
    ----------
    x : array_like
        Real numbers, at least 1-d; ``±inf`` allowed, NaN not.
    axis : int, optional
        Axis to reduce over. Default is the last.
    keepdims : bool, optional
        If True, the reduced axis is kept with size 1.

    Returns
    -------
    numpy.ndarray or numpy.floating
        :math:`\\log \\sum_j e^{x_j}` for each vector along ``axis``, in the
        floating dtype of ``x`` (float64 for integer or boolean ``x``); a
        NumPy scalar when the result is 0-d.

    Raises
    ------
    ValueError
        If ``x`` contains NaN, is 0-d, or ``axis`` is out of range.
    TypeError
        If ``x`` is not real-valued or ``axis`` is not an integer.

    See Also
    --------
    softmax, log_softmax
    scipy.special.logsumexp : The SciPy function, with weights.

    Notes
    -----
    With :math:`m = x_k = \\max_j x_j` (the first maximum),

    .. math::

        \\operatorname{LSE}(x) = \\log \\sum_j e^{x_j}
        = m + \\mathop{\\mathrm{log1p}}\\Bigl(\\sum_{j \\ne k} e^{x_j - m}\\Bigr).

    The shift by :math:`m` prevents overflow; leaving the :math:`j = k` term
    (exactly 1) out of the sum and adding it back through ``log1p`` keeps the
    relative accuracy of the other terms. The textbook
    :math:`m + \\log \\sum_j e^{x_j - m}` loses it when one logit dominates:
    for ``x = [0, -40]`` it returns exactly 0 instead of
    :math:`4.2 \\times 10^{-18}` [1]_. The exponentials are taken of
    :math:`x_j - c` with a shift :math:`c` (0, or an integer near :math:`m`)
    for which the subtraction is exact, and scaled by :math:`e^{c - m}`; a
    tail sum below 4 is summed with one rounding (Rump's ExtractVector), so
    even a long tail of equal terms keeps its last digits.

    Edge cases, per vector:

    * empty: :math:`-\\infty` (the log of an empty sum);
    * every entry :math:`-\\infty`: :math:`-\\infty`;
    * any entry :math:`+\\infty`: :math:`+\\infty`.

    Accuracy: with :math:`p = \\operatorname{softmax}(x)`, the error is
    within 4 ulp of :math:`\\max\\bigl(|\\operatorname{LSE}(x)|,
    \\sum_j |x_j| p_j\\bigr)`, for finite inputs. Where
    :math:`|\\operatorname{LSE}(x)| \\ge \\sum_j |x_j| p_j` that is 4 ulp of
    the result. Elsewhere the problem is ill-conditioned: its condition
    number is :math:`\\sum_j |x_j| p_j / |\\operatorname{LSE}(x)|`, so
    rounding the inputs alone moves the result by about
    :math:`2^{-53} \\sum_j |x_j| p_j`, and no float64 algorithm without
    extra precision does better [1]_. The condition number is large where
    the result is small next to the logits that carry the probability, as
    for log-probabilities, whose LSE is 0. For ``x = [-log 2, -log 2]`` the exact
    result is :math:`2.3 \\times 10^{-17}` and the computed one 0, an error
    of 0.2 ulp of :math:`\\sum_j |x_j| p_j = \\log 2`. ``log_softmax`` and
    ``softmax`` have no such exception: 4 ulp of the result.

    Subnormal terms: a term :math:`e^{x_j - m}` below the smallest normal
    number :math:`2^{-1022}` (that is, :math:`x_j - m < -708.4`) is rounded
    to the subnormal grid, whose spacing is :math:`2^{-1074}`, so it carries
    an absolute error of up to :math:`2^{-1075}`. Where the result itself is
    that small, these errors add to the bound above, at most
    :math:`(C - 1)\\,2^{-1075}` for a row of :math:`C` entries. For 999 equal
    entries at :math:`-745` below a maximum of 0 the exact result is
    :math:`2.8 \\times 10^{-321}` and the computed one is off by about 430
    spacings of the subnormal grid, within that allowance.

    Dtype: the result is computed in float64 and returned in the floating
    dtype of the first argument, rounded once (float32 in, float32 out);
    integer and boolean input gives float64. For a narrower dtype the float64
    sum :math:`m + \\mathop{\\mathrm{log1p}}(s)` is first rounded to odd (an
    inexact sum is replaced by whichever float64 neighbour of it is odd), so
    that the one rounding to that dtype is the correct rounding of the sum of
    its float64 terms, not a double rounding that a value just off a tie of
    the narrower format would suffer. A tail :math:`s > 0` whose every term
    underflows to 0 in float64 still counts: the exact value is then taken as
    strictly above :math:`m`.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", IMA Journal of Numerical
       Analysis 41(4), 2311-2330, 2021. https://doi.org/10.1093/imanum/draa038

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> print(f"{xr.logsumexp([0.0, 0.0]):.6f}", f"{np.log(2):.6f}")
    0.693147 0.693147

    It keeps every digit of :math:`\\log(1 + e^{-40})` where the textbook
    formula rounds to zero:

    >>> x = np.array([0.0, -40.0])
    >>> print(f"{xr.logsumexp(x):.6e}", f"{np.log1p(np.exp(-40.0)):.6e}")
    4.248354e-18 4.248354e-18
    >>> float(x.max() + np.log(np.sum(np.exp(x - x.max()))))
    0.0

    Huge logits do not overflow; a common shift passes straight through:

    >>> print(f"{xr.logsumexp([1e4, 1e4]):.6f}", f"{1e4 + np.log(2):.6f}")
    10000.693147 10000.693147
    >>> xr.logsumexp([[1.0, 2.0], [3.0, -np.inf]], axis=1, keepdims=True).shape
    (2, 1)
    """
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims: must be a bool, got {keepdims!r}")
    xl, axis, dtype = _logits_last(x, axis)
    if xl.shape[-1] == 0:
        lse = np.full(xl.shape[:-1] + (1,), -np.inf)
    else:
        m, L = _logsumexp_parts(xl)
        # rounded to odd only for a narrower result: the float64 path pays
        # nothing. L = log1p(s) is 0 exactly where s is; an underflowed s > 0
        # puts the exact value strictly above m.
        if dtype == np.float64:
            lse = np.add(m, L)
        else:
            lse = _sum_to_odd(m, L, tail=_underflowed_tail(xl, L, 1.0))
    lse = np.moveaxis(lse, -1, axis) if keepdims else lse[..., 0]
    return _as_result(lse, dtype)


def log_softmax(x, *, axis: int = -1) -> np.ndarray:
    """Compute the logarithm of the softmax of ``x`` along an axis.

    Parameters
    ----------
    x : array_like
        Logits, real, at least 1-d; ``-inf`` allowed, ``+inf`` at most once
        per vector, NaN not.
    axis : int, optional
        Axis along which the softmax normalises. Default is the last.

    Returns
    -------
    numpy.ndarray
        :math:`\\log \\operatorname{softmax}(x)_i = x_i - \\operatorname{LSE}(x)`,
        the same shape as ``x``, in its floating dtype (float64 for integer
        or boolean ``x``).

    Raises
    ------
    ValueError
        If ``x`` contains NaN or is 0-d; if a vector along ``axis`` is
        :math:`-\\infty` in every entry (0/0) or has :math:`+\\infty` in more
        than one entry (no limit); if ``axis`` is out of range.
    TypeError
        If ``x`` is not real-valued or ``axis`` is not an integer.

    See Also
    --------
    softmax, logsumexp
    scipy.special.log_softmax : The SciPy function.

    Notes
    -----
    With :math:`m = x_k = \\max_j x_j` and
    :math:`s = \\sum_{j \\ne k} e^{x_j - m}`,

    .. math::

        \\log \\operatorname{softmax}(x)_i = (x_i - m) - \\mathop{\\mathrm{log1p}}(s).

    Both terms are :math:`\\le 0`, so nothing cancels: in particular the
    largest entry is :math:`-\\mathop{\\mathrm{log1p}}(s)` computed directly,
    which stays exact when it is tiny, whereas :math:`x_k - \\operatorname{LSE}(x)`
    would subtract two nearly equal numbers [1]_. :math:`s` is computed as
    in :func:`logsumexp`. Accuracy: within 4 ulp of the exact value for
    finite inputs.

    Edge cases, per vector: an entry :math:`-\\infty` gives :math:`-\\infty`;
    a single :math:`+\\infty` entry gives the limit, 0 there and
    :math:`-\\infty` elsewhere; an empty vector gives an empty result.

    Dtype: the result is computed in float64 and returned in the floating
    dtype of the first argument, rounded once (float32 in, float32 out);
    integer and boolean input gives float64. For a narrower dtype the float64
    sum :math:`(x_i - m) - \\mathop{\\mathrm{log1p}}(s)` is first rounded to odd
    (an inexact sum is replaced by whichever float64 neighbour of it is odd),
    so that the one rounding to that dtype is the correct rounding of the sum
    of its float64 terms, not a double rounding that a value just off a tie of
    the narrower format would suffer. A tail :math:`s > 0` whose every term
    underflows to 0 in float64 (every other finite entry about 745 or more
    below :math:`m`) still counts: the exact value is then taken as strictly
    below :math:`x_i - m`, so that a tie of the narrower format minus that tail
    rounds down, and the maximum's entry is :math:`-0.0`.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", IMA Journal of Numerical
       Analysis 41(4), 2311-2330, 2021. https://doi.org/10.1093/imanum/draa038

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> print(np.round(xr.log_softmax(z), 6))
    [-2.407606 -1.407606 -0.407606]
    >>> print(np.round(z - np.log(np.sum(np.exp(z))), 6))
    [-2.407606 -1.407606 -0.407606]

    A dominant logit keeps its tiny log-probability,
    :math:`-\\log(1 + e^{-40})`, about :math:`-e^{-40}`, where
    ``z - log(sum(exp(z)))`` gives 0:

    >>> print(f"{xr.log_softmax([0.0, -40.0])[0]:.6e}", f"{-np.log1p(np.exp(-40.0)):.6e}")
    -4.248354e-18 -4.248354e-18
    >>> print(xr.log_softmax([0.0, np.inf, -np.inf]))
    [-inf   0. -inf]

    float32 in, float32 out:

    >>> xr.log_softmax(np.array([1.0, 2.0], dtype=np.float32)).dtype
    dtype('float32')
    """
    xl, axis, dtype = _logits_last(x, axis)
    if xl.shape[-1] == 0:
        return np.moveaxis(np.empty(xl.shape, dtype=dtype), -1, axis)
    k, m = _argmax_last(xl)
    xl, m = _one_hot_limit_rows(xl, k, m)
    s = _tail_sum(xl, k, m, np.empty((2,) + xl.shape))
    # x - m may overflow to -inf for a finite x far below a finite m: the
    # limit, log softmax = -inf.
    with np.errstate(over="ignore"):
        out = np.subtract(xl, m)
    if dtype == np.float64:
        out -= np.log1p(s)
    else:
        # (x - m) - L rounded to odd, the errors of both roundings kept,
        # before the narrower rounding (no extra pass on the float64 path);
        # an underflowed s > 0 puts the exact value strictly below x - m
        with np.errstate(over="ignore", invalid="ignore"):
            err = _two_sum_error(xl, -m, out)
        out = _sum_to_odd(out, -np.log1p(s), err,
                          tail=_underflowed_tail(xl, s, -1.0))
    return to_result_dtype(np.moveaxis(out, -1, axis), dtype)


def softmax(x, *, axis: int = -1) -> np.ndarray:
    """Compute the softmax of ``x`` along an axis.

    Parameters
    ----------
    x : array_like
        Logits, real, at least 1-d; ``-inf`` allowed, ``+inf`` at most once
        per vector, NaN not.
    axis : int, optional
        Axis along which the result sums to 1. Default is the last.

    Returns
    -------
    numpy.ndarray
        :math:`e^{x_i} / \\sum_j e^{x_j}`, the same shape as ``x``, in its
        floating dtype (float64 for integer or boolean ``x``).

    Raises
    ------
    ValueError
        If ``x`` contains NaN or is 0-d; if a vector along ``axis`` is
        :math:`-\\infty` in every entry (0/0) or has :math:`+\\infty` in more
        than one entry (no limit); if ``axis`` is out of range.
    TypeError
        If ``x`` is not real-valued or ``axis`` is not an integer.

    See Also
    --------
    log_softmax, logsumexp, sigmoid
    scipy.special.softmax : The SciPy function.

    Notes
    -----
    With :math:`m = x_k = \\max_j x_j` and
    :math:`s = \\sum_{j \\ne k} e^{x_j - m}`,

    .. math::

        \\operatorname{softmax}(x)_i = \\frac{e^{x_i - m}}{1 + s}.

    This is the "shift and divide" form, which Blanchard, Higham and Higham
    show to be more accurate than :math:`e^{x_i - \\operatorname{LSE}(x)}`:
    the latter amplifies the rounding error of the exponent by
    :math:`|x_i - \\operatorname{LSE}(x)|` [1]_. Here the rounding error of
    :math:`x_i - m` is recovered exactly (TwoSum) and folded back in,
    :math:`e^{d + \\delta} \\approx e^d (1 + \\delta)`, and :math:`s` is summed
    with one rounding where it is below 4 (above, the denominator
    :math:`1 + s` damps a plain sum's error by more than half), so every
    entry, however small, is within 4 ulp of the exact value.

    Edge cases, per vector: an entry :math:`-\\infty` gives 0; a single
    :math:`+\\infty` entry gives the one-hot limit; an empty vector gives an
    empty result.

    Dtype: the result is computed in float64 and returned in the floating
    dtype of the first argument, rounded once (float32 in, float32 out);
    integer and boolean input gives float64.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", IMA Journal of Numerical
       Analysis 41(4), 2311-2330, 2021. https://doi.org/10.1093/imanum/draa038

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]])
    >>> print(np.round(xr.softmax(z), 6))
    [[0.090031 0.244728 0.665241]
     [1.       0.       0.      ]]
    >>> print(np.round(np.exp(z[0]) / np.sum(np.exp(z[0])), 6))
    [0.090031 0.244728 0.665241]

    Adding a constant to every logit leaves the softmax unchanged, and two
    classes give the sigmoid of the difference, :math:`1/(1 + e^{-1.5})`:

    >>> print(np.round(xr.softmax(z[0] + 100.0), 6))
    [0.090031 0.244728 0.665241]
    >>> print(f"{xr.softmax([2.0, 0.5])[0]:.6f}", f"{1 / (1 + np.exp(-1.5)):.6f}")
    0.817574 0.817574
    >>> print(xr.softmax([0.0, np.inf, -np.inf]))
    [0. 1. 0.]
    """
    xl, axis, dtype = _logits_last(x, axis)
    if xl.shape[-1] == 0:
        return np.moveaxis(np.empty(xl.shape, dtype=dtype), -1, axis)
    k, m = _argmax_last(xl)
    xl, m = _one_hot_limit_rows(xl, k, m)
    # Overflow of x - m (to -inf, exp -> 0) and the NaN rounding error it
    # brings are both harmless: such entries are 0 and their error term is
    # dropped. Two full-size arrays suffice: the rounding error of x - m
    # goes into the result's buffer first, then x - m is recomputed.
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        d = np.subtract(xl, m)
        err = _two_sum_error(xl, -m, d, out=d)
        e = np.subtract(xl, m)
        np.exp(e, out=e)
        # e^(d + err) = e^d (1 + err) to first order; |err| <= |d| * 2**-53.
        p = np.multiply(e, err, out=err)
    np.copyto(p, 0.0, where=np.isnan(p))
    p += e
    np.put_along_axis(p, k, 0.0, axis=-1)
    s = _exact_sum(p, e)
    np.put_along_axis(p, k, 1.0, axis=-1)
    p /= 1.0 + s
    return to_result_dtype(np.moveaxis(p, -1, axis), dtype)


def _exp_minus_abs(x: np.ndarray) -> np.ndarray:
    """Return ``exp(-|x|)`` in a new array (0-d too): in (0, 1], never overflows."""
    t = np.abs(x, out=np.empty(x.shape))
    np.negative(t, out=t)
    with np.errstate(under="ignore"):
        return np.exp(t, out=t)


def sigmoid(x):
    """Compute the logistic sigmoid of ``x`` elementwise.

    Parameters
    ----------
    x : array_like
        Real numbers; ``±inf`` allowed, NaN not.

    Returns
    -------
    numpy.ndarray or numpy.floating
        :math:`\\sigma(x) = 1 / (1 + e^{-x})`, the same shape as ``x``, in
        its floating dtype (float64 for integer or boolean ``x``); a NumPy
        scalar for a scalar input.

    Raises
    ------
    ValueError
        If ``x`` contains NaN.
    TypeError
        If ``x`` is not real-valued.

    See Also
    --------
    log_sigmoid, softmax
    scipy.special.expit : The SciPy function.

    Notes
    -----
    Evaluated with :math:`e^{-|x|} \\le 1`, so nothing overflows:

    .. math::

        \\sigma(x) =
        \\begin{cases}
        1 / (1 + e^{-x}) & x \\ge 0, \\\\
        e^{x} / (1 + e^{x}) & x < 0.
        \\end{cases}

    :math:`\\sigma(+\\infty) = 1`, :math:`\\sigma(-\\infty) = 0`; for
    :math:`x < -745` the result underflows to 0 quietly.

    Dtype: the result is computed in float64 and returned in the floating
    dtype of the first argument, rounded once (float32 in, float32 out);
    integer and boolean input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> float(xr.sigmoid(0.0))
    0.5
    >>> x = np.array([-800.0, -3.0, 0.5, 800.0])
    >>> print(np.round(xr.sigmoid(x), 6))  # e^-800 is below float64's range: 0
    [0.       0.047426 0.622459 1.      ]
    >>> print(np.round(1 / (1 + np.exp(-x[1:3])), 6))
    [0.047426 0.622459]
    >>> print(xr.sigmoid(x) + xr.sigmoid(-x))
    [1. 1. 1. 1.]
    >>> print(xr.sigmoid([-np.inf, np.inf]))
    [0. 1.]
    """
    x, dtype = as_float_input(x, "x")
    e = _exp_minus_abs(x)
    out = np.where(x >= 0, 1.0, e)
    e += 1.0
    out /= e
    return _as_result(out, dtype)


def log_sigmoid(x):
    """Compute the logarithm of the logistic sigmoid of ``x`` elementwise.

    Parameters
    ----------
    x : array_like
        Real numbers; ``±inf`` allowed, NaN not.

    Returns
    -------
    numpy.ndarray or numpy.floating
        :math:`\\log \\sigma(x) = -\\log(1 + e^{-x})`, the same shape as
        ``x``, in its floating dtype (float64 for integer or boolean ``x``);
        a NumPy scalar for a scalar input.

    Raises
    ------
    ValueError
        If ``x`` contains NaN.
    TypeError
        If ``x`` is not real-valued.

    See Also
    --------
    sigmoid, log_softmax
    scipy.special.log_expit : The SciPy function.

    Notes
    -----
    .. math::

        \\log \\sigma(x) = \\min(x, 0) - \\mathop{\\mathrm{log1p}}(e^{-|x|})
        =
        \\begin{cases}
        -\\mathop{\\mathrm{log1p}}(e^{-x}) & x \\ge 0, \\\\
        x - \\mathop{\\mathrm{log1p}}(e^{x}) & x < 0.
        \\end{cases}

    Both terms are :math:`\\le 0`, so nothing cancels, and
    :math:`e^{-|x|} \\le 1` cannot overflow. For large :math:`x` the result
    is :math:`-e^{-x}` to full relative accuracy, for very negative :math:`x`
    it is :math:`x`. :math:`\\log\\sigma(+\\infty) = 0`,
    :math:`\\log\\sigma(-\\infty) = -\\infty`. Note
    :math:`\\log(1 - \\sigma(x)) = \\log\\sigma(-x)`.

    Dtype: the result is computed in float64 and returned in the floating
    dtype of the first argument, rounded once (float32 in, float32 out);
    integer and boolean input gives float64. For a narrower dtype the float64
    sum :math:`\\min(x, 0) - \\mathop{\\mathrm{log1p}}(e^{-|x|})` is first rounded
    to odd (an inexact sum is replaced by whichever float64 neighbour of it is
    odd), so that the one rounding to that dtype is the correct rounding of
    the sum of its float64 terms, not a double rounding that a value just off
    a tie of the narrower format would suffer. Where :math:`e^{-|x|}`
    underflows to 0 in float64 (:math:`|x| > 745`) the exact value is still
    taken as strictly below :math:`\\min(x, 0)`: a large finite :math:`x`
    gives :math:`-0.0`, as :math:`x = 200` does, and only :math:`+\\infty`
    gives :math:`+0.0`.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> print(f"{xr.log_sigmoid(0.0):.6f}", f"{-np.log(2):.6f}")
    -0.693147 -0.693147
    >>> x = np.array([-30.0, -2.0, 0.5, 3.0])
    >>> print(np.round(xr.log_sigmoid(x), 6))  # torch.nn.functional.logsigmoid agrees
    [-30.        -2.126928  -0.474077  -0.048587]
    >>> print(np.round(-np.log1p(np.exp(-x)), 6))
    [-30.        -2.126928  -0.474077  -0.048587]
    >>> print(xr.log_sigmoid(x) - xr.log_sigmoid(-x))  # the log-odds are x
    [-30.   -2.    0.5   3. ]

    It stays exact where ``log(sigmoid(x))`` would take the log of an
    underflowed 0 (``x = -1e4``) or of 1 rounded (``x = 40``):

    >>> float(xr.log_sigmoid(-1e4))
    -10000.0
    >>> print(f"{xr.log_sigmoid(40.0):.6e}", f"{-np.log1p(np.exp(-40.0)):.6e}")
    -4.248354e-18 -4.248354e-18
    """
    x, dtype = as_float_input(x, "x")
    t = _exp_minus_abs(x)
    np.log1p(t, out=t)
    # 0 - t rather than -t, so that log_sigmoid(+inf) is +0.0, not -0.0.
    out = np.minimum(x, 0.0)
    if dtype == np.float64:
        out -= t
    else:
        # rounded to odd before the narrower rounding, as in log_softmax; where
        # e^-|x| underflowed (|x| > 745) the exact value is below the float64 one
        under = (t == 0) & np.isfinite(x)
        out = _sum_to_odd(out, -t, tail=np.where(under, -1.0, 0.0) if under.any() else None)
    return _as_result(out, dtype)
