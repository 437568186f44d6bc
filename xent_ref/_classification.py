"""Classification losses: softmax and binary cross-entropy, focal and hinge loss.

Each loss is written once, for a block of rows, and run over the batch by
:func:`xent_ref._blocking.map_row_blocks`, so its temporaries stay in cache
and its extra memory stays a few blocks, however large the batch.
"""

from __future__ import annotations

import math

from typing import Any

import numpy as np
import numpy.typing as npt

from xent_ref._blocking import BLOCK_ELEMENTS, _elementwise, _reduce_blocks
from xent_ref._exact import _two_sum
from xent_ref._primitives import (
    _logsumexp_parts, _underflowed_tail, log_softmax, logsumexp, sigmoid,
)
from xent_ref._validation import (
    as_float_array,
    as_float_input,
    as_index_array,
    as_unit_interval_array,
    check_finite,
    check_integer,
    check_nonnegative,
    check_real,
    check_reduction,
    check_same_shape,
    input_result_dtype,
    to_result_dtype,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "sigmoid_focal_loss",
    "softmax_cross_entropy",
]


# ---------------------------------------------------------------------------
# Argument checks shared by the losses of this module
# ---------------------------------------------------------------------------


def _ndim(x, name: str) -> int:
    """Number of dimensions of the array-like ``x``, refusing ragged sequences."""
    try:
        return np.ndim(x)
    except ValueError:
        raise ValueError(f"{name}: cannot be converted to an array (ragged sequence?)") from None


def _weights(weight, name: str, shape: tuple[int, ...], of: str, *, exact: bool = False):
    """``weight`` as float64: finite, >= 0, broadcastable to ``shape`` (``exact``: of it)."""
    w = as_float_array(weight, name)
    check_finite(w, name)
    check_nonnegative(w, name)
    try:
        fits = np.broadcast_shapes(w.shape, shape) == shape and (w.shape == shape or not exact)
    except ValueError:
        fits = False
    if not fits:
        how = "is not" if exact else "does not broadcast to"
        raise ValueError(f"{name}: shape {w.shape} {how} the {of} shape {shape}")
    return w


def _mul0(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * b`` for a product known to be >= 0, with ``0 * inf = 0``.

    A zero weight or target silences an infinite term instead of making it
    NaN: ``0 * inf`` is NaN, and ``fmax(NaN, 0) = 0``.
    """
    # A product beyond the float range is +inf, its correct rounding.
    with np.errstate(invalid="ignore", over="ignore"):
        return np.fmax(a * b, 0.0)


def _product(*factors: np.ndarray) -> np.ndarray:
    """The product of non-negative factors, rounded as ``a * b * ...`` but never
    over- or underflowing in between; ``0 * inf = 0``.

    ``pos_weight * y * softplus(-z)`` overflows at ``pos_weight = 1e308`` even
    where a small ``weight`` brings the loss back into range: the fractions
    (in [1/2, 1)) and the exponents of ``numpy.frexp`` are multiplied and
    added apart, and ``ldexp`` rounds once at the end (to +inf only where the
    exact product is beyond the float range).
    """
    fraction, exponent = np.frexp(factors[0])
    zero = factors[0] == 0
    # inf * 0 = NaN in the fractions where a factor is 0: replaced by 0 below
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for f in factors[1:]:
            m, e = np.frexp(f)
            fraction = fraction * m
            exponent = exponent + e
            zero = zero | (f == 0)
        out = np.ldexp(fraction, exponent)
    return np.where(zero, 0.0, out)


def _all_finite(a: np.ndarray) -> bool:
    """True if ``a`` has no infinite entry (NaN is refused on input), in two cheap reductions."""
    return a.size == 0 or bool(np.isfinite(a.min()) and np.isfinite(a.max()))


#: Elements per block for the softmax losses. Each block of softmax rows costs
#: some 15-30 NumPy calls (argmax, the exponentials, the tail sum and its
#: compensated form for small tails); at 64K elements their fixed cost is a
#: fifth of the time, at 256K (2 MiB, still cache-resident in L3) a twentieth.
SOFTMAX_BLOCK_ELEMENTS = 4 * BLOCK_ELEMENTS


# ---------------------------------------------------------------------------
# Softmax cross-entropy
# ---------------------------------------------------------------------------


def _log_softmax_rows(z: np.ndarray) -> np.ndarray:
    """``log_softmax`` along axis 1, its errors (rows with no softmax) naming ``logits``."""
    try:
        return log_softmax(z, axis=1)
    except ValueError as exc:
        raise ValueError(f"logits: {str(exc).removeprefix('x: ')}") from None


def _nll_rows(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``-log softmax(z)[y]`` for each row, in the form that keeps every digit.

    With ``m = max z`` and ``L = log1p(sum_{j != argmax} exp(z_j - m))``,
    ``-log softmax(z)_y = (m - z_y) + L``: two terms >= 0, so nothing
    cancels, and ``L`` keeps the small terms that ``log(1 + ...)`` would
    round away. No (N, C) temporary survives the call.
    """
    z_y = z[np.arange(len(y)), y]
    # the targets' logits let the tail sum be refined only where the loss needs it
    m, L = _logsumexp_parts(z, z_y[:, None])
    if not np.isfinite(m).all():
        # a row maximum of +-inf: log_softmax takes the limit (or refuses)
        return -np.take_along_axis(_log_softmax_rows(z), y[:, None], axis=1)[:, 0]
    # m - z_y beyond the float range (logits of opposite signs near 1e308) is +inf,
    # its correct rounding
    with np.errstate(over="ignore"):
        return (m[:, 0] - z_y) + L[:, 0]


def _nll_rows_to_odd(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:func:`_nll_rows` rounded to odd, for a result that is then rounded to a narrower float.

    ``(m - z_y) + L`` is formed with its rounding errors kept (two TwoSums),
    and a float64 sum that is not exact is moved to its odd neighbour on the
    side of the exact sum. Rounding that to float32 or float16 (24 or 11 bits,
    at least 2 fewer than 53) gives the correct rounding of ``(m - z_y) + L``
    [Boldo and Melquiond, "Emulation of FMA and correctly rounded sums: proved
    algorithms using rounding to odd", IEEE TC 57(4), 2008]. Without it, a
    loss that is a float32 rounding tie plus a tail below float64's
    resolution (one dominant float32 logit) would round twice, to the even
    neighbour, half the time on the wrong side. A row whose tail sum
    underflowed to 0 (``L = 0``, every other finite logit about 745 or more
    below the maximum) has its exact loss strictly above the float64 sum: an
    exact sum is then moved to its odd neighbour above.
    """
    m, L = _logsumexp_parts(z)
    if not np.isfinite(m).all():
        return _nll_rows(z, y)
    z_y = z[np.arange(len(y)), y]
    with np.errstate(over="ignore", invalid="ignore"):
        a, e1 = _two_sum(m[:, 0], -z_y)
        hi, e2 = _two_sum(a, L[:, 0])
        lo = e1 + e2
    # e1 is a multiple of 2**-149 (float32 or float16 logits), far above the
    # underflowed tail: the tail decides only where the sum is exact
    tail = _underflowed_tail(z, L, 1.0)
    if tail is not None:
        lo = np.where(lo == 0, tail[:, 0], lo)
    lo = np.where(np.isfinite(hi), lo, 0.0)
    even = (hi.view(np.int64) & 1) == 0
    inexact = (lo != 0) & even
    return np.where(inexact, np.nextafter(hi, np.copysign(np.inf, lo)), hi)


def _soft_nll_rows(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``-sum_c t_c log softmax(z)_c`` for each row, with ``0 * log 0 = 0``."""
    return _mul0(t, -_log_softmax_rows(z)).sum(axis=1)


def softmax_cross_entropy(
    logits: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> np.floating[Any] | np.ndarray:
    r"""Cross-entropy between targets and the softmax of logits.

    The negative log-likelihood of the categorical distribution
    :math:`\mathrm{softmax}(z_i)`, with the semantics of
    ``torch.nn.functional.cross_entropy`` [1]_ (differences in the Notes).

    Parameters
    ----------
    logits : array_like, shape (C,), (N, C) or (N, C, d1, ..., dk)
        Unnormalised log-probabilities :math:`z`, the classes along axis 1
        (axis 0 for one unbatched example); ``-inf`` masks a class. With
        :math:`k \ge 1` extra dimensions each position is a sample (e.g.
        a pixel), as in PyTorch.
    target : array_like, shape (), (N,) or (N, d1, ..., dk), or the shape of ``logits``
        Either class indices in ``[0, C)`` of any integer dtype (floats are
        refused, even whole-valued), shaped like ``logits`` without its
        class axis, or class probabilities :math:`q` in ``[0, 1]`` with the
        shape of ``logits``.
    weight : array_like, shape (C,), optional
        Finite, non-negative class weights :math:`w`; all 1 by default.
    ignore_index : int, optional
        With class indices, a target equal to it contributes no loss and no
        weight to the mean, and its row of logits needs no softmax (a row of
        :math:`-\infty`, which PyTorch also accepts there; NaN is still
        refused). ``None`` (default) ignores nothing.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`: the target becomes the mixture
        :math:`(1 - \varepsilon)\,\text{target} + \varepsilon/C`.
    reduction : {"mean", "sum", "none"}, optional
        See the Notes for what ``"mean"`` divides by.

    Returns
    -------
    numpy.floating or ndarray, shape (N,) or (N, d1, ..., dk)
        The reduced loss, or the per-sample losses for ``"none"`` (0 for an
        ignored sample; a scalar for unbatched ``(C,)`` logits).

    Raises
    ------
    ValueError
        If ``logits`` is 0-d or has no class, ``target`` has neither shape, a class index
        is out of range, a probability is outside [0, 1], ``weight`` has the
        wrong shape or a negative entry, ``ignore_index`` is given with
        probability targets, ``label_smoothing`` is outside [0, 1], the
        reduction is unknown, an input is NaN, or ``"mean"`` has nothing to
        average (every target ignored, or zero total weight).
    TypeError
        If ``logits``, probability targets or ``weight`` are not
        real-valued, class indices are not integers, or an option has the
        wrong type.

    See Also
    --------
    xent_ref.log_softmax : The log-probabilities the loss is built from.
    xent_ref.cross_entropy : :math:`H(p, q)` of two probability vectors.
    xent_ref.binary_cross_entropy_with_logits : The two-class (sigmoid) case.
    xent_ref.grad.softmax_cross_entropy_grad : Its gradient, softmax minus target.

    Notes
    -----
    With :math:`\log p_{ic} = z_{ic} - \log\sum_j e^{z_{ij}}`, a sample's
    loss is the cross-entropy of its (smoothed, weighted) target and
    :math:`p_i`. For a class index :math:`y_i`,

    .. math::

        \ell_i = (1 - \varepsilon)\, w_{y_i} \left(-\log p_{i y_i}\right)
                 + \frac{\varepsilon}{C} \sum_{c=1}^{C} w_c \left(-\log p_{ic}\right),

    and :math:`\ell_i = 0` if :math:`y_i` is ``ignore_index``. For
    probabilities :math:`q_i`,

    .. math::

        \ell_i = -\sum_{c=1}^{C} w_c
                 \left((1 - \varepsilon)\, q_{ic} + \frac{\varepsilon}{C}\right) \log p_{ic}.

    ``"sum"`` is :math:`\sum_i \ell_i`. ``"mean"`` is, as in PyTorch,
    :math:`\sum_i \ell_i / \sum_{i \text{ not ignored}} w_{y_i}` for class
    indices (the plain mean over non-ignored samples when there are no
    weights) and :math:`\sum_i \ell_i / M` for probabilities. Here a
    sample :math:`i` is one vector of :math:`C` logits: for logits of shape
    (N, C, d1, ..., dk) the class axis is moved last and the rest
    flattened, so there are :math:`M = N d_1 \cdots d_k` samples (one for
    unbatched (C,) logits), and every formula above applies to these rows.

    Edge cases: a term with target probability 0 is 0 even where
    :math:`p_{ic} = 0` (:math:`0 \cdot \log 0 = 0`); a positive target
    probability on a class with logit :math:`-\infty` gives :math:`+\infty`.
    A row with a logit :math:`+\infty` takes the limit of ``log_softmax``.
    For finite logits of opposite signs near :math:`10^{308}`,
    :math:`-\log p_{ic}` exceeds the float range while a weight or a
    smoothed target below 1 may bring its term back; such rows are
    recomputed from halved logits, so the loss is :math:`+\infty` only where
    its exact value is beyond the float range.

    Without smoothing, :math:`-\log p_{iy}` is computed as
    :math:`(m_i - z_{iy}) + \mathop{\mathrm{log1p}}\bigl(\sum_{j \ne k}
    e^{z_{ij} - m_i}\bigr)` with :math:`m_i = z_{ik} = \max_j z_{ij}`: two
    non-negative terms, and the log1p keeps the relative accuracy that
    :math:`m + \log\sum_j e^{z_j - m}` loses when one logit dominates. Rows
    are processed in blocks of about 256K elements (2 MiB), so no (N, C)
    temporary is made and the extra memory is a few blocks.

    Differences from PyTorch, all stricter:

    * ``ignore_index`` defaults to ``None`` (PyTorch: ``-100``), and with
      probability targets it must be ``None`` (PyTorch ignores it silently).
    * A ``"mean"`` over a batch whose every target is ignored raises
      ``ValueError`` (PyTorch returns NaN, the 0/0 of its formula); so does a
      mean whose weights sum to 0, and a mean over an empty batch.
    * Probability targets must lie in [0, 1] (PyTorch does not check). Rows
      are not required to sum to 1, as in PyTorch; the formula is applied
      as written and nothing is renormalised.
    * ``weight`` must be finite and >= 0, ``label_smoothing`` in [0, 1]
      (PyTorch accepts negative values of both).

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64. Rounding a float64 loss to float32 is
    a second rounding: where the loss is a difference of two float32
    logits, which can lie exactly halfway between two float32 numbers, plus
    a tail below float64's resolution (one dominant logit), the float64
    value is that tie, and rounding it again goes to the even neighbour,
    half the time the wrong one. So for ``reduction="none"`` with class
    indices and no ``weight``, ``label_smoothing`` or ignored target, the
    float64 loss is rounded to odd
    (its rounding error kept and its last bit set towards the exact sum)
    before the one rounding to the narrower dtype, which then gives the
    correctly rounded loss up to the float64 error of the log1p tail [3]_.
    Measured against mpmath on a seeded sample of 4000 float32 rows of 8
    logits (scales 0.1, 1, 10 and 100), 0 per-sample float32 losses
    (0.00%) differ from the correctly rounded float32 of the exact loss,
    where rounding the float64 loss to float32 would give 77 (each a
    float32 rounding tie). Other options and reductions round their float64
    result once more, and are off by one float32 ulp only where it lies
    within its few-ulp error of a float32 rounding tie.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.cross_entropy``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html
    .. [2] C. Szegedy et al., "Rethinking the Inception Architecture for
       Computer Vision", CVPR 2016 (label smoothing).
    .. [3] S. Boldo and G. Melquiond, "Emulation of FMA and Correctly Rounded
       Sums: Proved Algorithms Using Rounding to Odd", IEEE Transactions on
       Computers 57(4), 462-471 (2008).

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> y = np.array([0, 1])
    >>> print(f"{xr.softmax_cross_entropy(z, y):.6f}")  # F.cross_entropy: 0.318540
    0.318540

    It is the mean over the rows of :math:`\log\sum_j e^{z_j} - z_y`, and
    class indices give the same loss as one-hot probabilities:

    >>> per_row = np.log(np.exp(z).sum(axis=1)) - z[[0, 1], y]
    >>> print(np.round(per_row, 6), f"{per_row.mean():.6f}")
    [0.41703 0.22005] 0.318540
    >>> print(f"{xr.softmax_cross_entropy(z, np.eye(3)[y]):.6f}")
    0.318540

    When one logit dominates, the loss is :math:`\log(1 + e^{-40})`, where
    :math:`\log\sum_j e^{z_j} - z_y` evaluated in float64 gives 0 (as
    PyTorch does):

    >>> print(f"{xr.softmax_cross_entropy([[40.0, 0.0]], [0]):.6e}")
    4.248354e-18
    >>> print(f"{np.log1p(np.exp(-40.0)):.6e}")
    4.248354e-18
    >>> print(np.log(np.exp(40.0) + np.exp(0.0)) - 40.0)
    0.0

    One unbatched example, and per-pixel classification with logits of
    shape (N, C, d1), take the shapes ``torch.nn.functional.cross_entropy``
    takes. Equal logits over 3 classes cost :math:`\log 3`:

    >>> print(f"{xr.softmax_cross_entropy(np.array([2.0, 1.0, 0.1]), 0):.4f}")  # as per_row[0]
    0.4170
    >>> pixels = np.zeros((2, 3, 4))
    >>> print(f"{xr.softmax_cross_entropy(pixels, np.zeros((2, 4), dtype=int)):.4f}")
    1.0986
    >>> print(f"{np.log(3):.4f}")
    1.0986
    """
    check_reduction(reduction)
    z, y, q, w, kept, eps, shape, dtype = _ce_arguments(
        logits, target, weight, ignore_index, label_smoothing
    )
    # one rounding to a narrower result dtype needs the float64 loss rounded to odd
    narrow = reduction == "none" and np.finfo(dtype).nmant < 51
    loss = _softmax_ce_rows(
        z, y, q, w, kept, eps, weight is None, ignore_index, reduction, narrow
    )
    if reduction == "none":
        loss = loss.reshape(shape)[()]
    return to_result_dtype(loss, dtype)


def _softmax_ce_rows(z, y, q, w, kept, eps, unweighted, ignore_index, reduction, narrow=False):
    """:func:`softmax_cross_entropy` of (M, C) rows checked by :func:`_ce_arguments`."""
    n, c = z.shape

    if q is not None:

        def soft_rows(zb, qb):
            t = w * ((1 - eps) * qb + eps / c)
            return _without_spurious_inf(_soft_nll_rows(zb, t), zb, lambda mask: t[mask])

        return _reduce_blocks(
            soft_rows, reduction, n, "target: the batch is empty", z, q,
            block_elements=SOFTMAX_BLOCK_ELEMENTS,
        )

    if unweighted and eps == 0.0 and kept.all():
        # the common case: the mean negative log-softmax at the targets
        return _reduce_blocks(
            _nll_rows_to_odd if narrow else _nll_rows, reduction, n,
            "target: the batch is empty", z, y,
            block_elements=SOFTMAX_BLOCK_ELEMENTS,
        )

    w_y = np.where(kept, w[y], 0.0)

    def rows(zb, yb, w_yb, kept_b):
        if not kept_b.all():
            # An ignored sample contributes 0 and its logits are not checked
            # (beyond NaN): a row of -inf has no softmax, but PyTorch ignores it.
            loss = np.zeros(len(zb))
            loss[kept_b] = rows(zb[kept_b], yb[kept_b], w_yb[kept_b], kept_b[kept_b])
            return loss
        def target(mask):
            return _smoothed_target(yb[mask], w_yb[mask], w, eps, (len(yb[mask]), c))

        if eps == 0.0:
            return _without_spurious_inf(_mul0(w_yb, _nll_rows(zb, yb)), zb, target)
        return _without_spurious_inf(_soft_nll_rows(zb, target(slice(None))), zb, target)

    denominator = math.fsum(w_y)
    if n == 0:
        why = "target: the batch is empty"
    elif not kept.any():
        why = f"target: every target equals ignore_index={ignore_index}"
    else:
        why = "weight: the weights of the non-ignored targets sum to 0"
    return _reduce_blocks(
        rows, reduction, denominator, why, z, y, w_y, kept, block_elements=SOFTMAX_BLOCK_ELEMENTS
    )


def _without_spurious_inf(loss: np.ndarray, z: np.ndarray, target) -> np.ndarray:
    """``loss``, the loss ``-sum_c t_c log softmax(z)_c`` of each row, with its infinite
    entries checked; ``target(rows)`` gives the rows' ``t``.

    ``-log softmax(z)_c = LSE(z) - z_c`` overflows for finite logits of
    opposite signs near 1e308, while ``t_c (LSE(z) - z_c)`` with ``t_c < 1``
    (a class weight, or label smoothing) may be finite. On the rare rows
    where ``loss`` is +inf and no logit is +inf, each term is formed
    as ``2 t_c (LSE(z)/2 - z_c/2)``, whose difference of halves cannot
    overflow: the loss is +inf only where its exact value is beyond the
    float range.
    """
    wide = np.isinf(loss)
    if wide.any():
        wide &= ~np.any(z == np.inf, axis=1)
    if wide.any():
        zw, tw = z[wide], target(wide)
        lse = logsumexp(zw, axis=1, keepdims=True)
        with np.errstate(over="ignore"):
            loss[wide] = 2.0 * _mul0(tw, 0.5 * lse - 0.5 * zw).sum(axis=1)
    return loss


def _smoothed_target(y, w_y, w, eps, shape):
    """The smoothed, weighted target ``t_i = (1 - eps) w_{y_i} onehot(y_i) + (eps / C) w``."""
    t = np.broadcast_to(eps / shape[1] * w, shape).copy()
    t[np.arange(shape[0]), y] += (1 - eps) * w_y
    return t


def _class_axis_last(a: np.ndarray) -> np.ndarray:
    """(N, C, d1, ..., dk) as (N d1 ... dk, C); (C,) as (1, C); (N, C) unchanged."""
    if a.ndim == 1:
        return a[np.newaxis, :]
    if a.ndim == 2:
        return a
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _class_axis_back(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The (M, C) ``rows`` of :func:`_class_axis_last` back in the logits' ``shape``."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    return np.moveaxis(rows.reshape(shape[:1] + shape[2:] + shape[1:2]), -1, 1)


def _ce_arguments(logits, target, weight, ignore_index, label_smoothing):
    """Check the arguments of :func:`softmax_cross_entropy`.

    Returns ``(z, y, q, w, kept, eps, shape, dtype)``: the logits as (M, C) rows
    (the class axis moved last and the others flattened, so (C,) is one row
    and (N, C, d1, ..., dk) is N d1 ... dk rows); either class indices ``y``
    (ignored ones replaced by 0) and ``q = None``, or ``y = None`` and
    probabilities ``q`` as (M, C) rows; the (C,) class weights (ones by
    default); the (M,) mask of samples not ignored; the label smoothing; the
    shape of the per-sample loss, ``()``, ``(N,)`` or ``(N, d1, ..., dk)``;
    the dtype of the result.
    """
    z, dtype = as_float_input(logits, "logits")
    if z.ndim == 0:
        raise ValueError(
            "logits: expected shape (C,), (N, C) or (N, C, d1, ..., dk), got a scalar"
        )
    c = z.shape[0] if z.ndim == 1 else z.shape[1]
    shape = z.shape[:0] if z.ndim == 1 else z.shape[:1] + z.shape[2:]
    if c == 0:
        raise ValueError(f"logits: needs at least one class, got shape {z.shape}")
    eps = check_real(label_smoothing, "label_smoothing")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing: must lie in [0, 1], got {label_smoothing!r}")
    w = np.ones(c) if weight is None else _weights(weight, "weight", (c,), "class", exact=True)
    rows = _class_axis_last(z)
    m = rows.shape[0]

    if _ndim(target, "target") == z.ndim:
        if ignore_index is not None:
            raise ValueError(
                "ignore_index: must be None with probability targets (PyTorch ignores it silently)"
            )
        q = as_unit_interval_array(target, "target")
        check_same_shape(z, q, "logits", "target")
        return rows, None, _class_axis_last(q), w, np.ones(m, dtype=bool), eps, shape, dtype

    if np.shape(target) != shape:
        raise ValueError(
            f"target: expected shape {shape} class indices or {z.shape} probabilities, "
            f"got shape {np.shape(target)}"
        )
    y = as_index_array(target, "target").reshape(m)
    if ignore_index is None:
        kept = np.ones(m, dtype=bool)
    else:
        kept = y != check_integer(ignore_index, "ignore_index", or_none=True)
    y_kept = y[kept]
    if y_kept.size and not (y_kept.min() >= 0 and y_kept.max() < c):
        bad = y_kept[(y_kept < 0) | (y_kept >= c)][0]
        # a negative index is usually a padding marker, such as torch's -100
        hint = ""
        if ignore_index is None and bad < 0:
            hint = f"; to ignore it, pass ignore_index={bad}"
        raise ValueError(f"target: class index {bad} is out of range [0, {c}){hint}")
    # An ignored sample's index may be anything (torch's -100): it is stored as
    # class 0, and its row is left out of the loss and its gradient.
    return rows, np.where(kept, y, 0), None, w, kept, eps, shape, dtype


# ---------------------------------------------------------------------------
# Binary cross-entropy
# ---------------------------------------------------------------------------


def _binary_inputs(x, target, weight, *, x_name: str, x_in_unit_interval: bool):
    """Check and convert the arguments shared by the binary losses."""
    a = as_unit_interval_array(x, x_name) if x_in_unit_interval else as_float_array(x, x_name)
    y = as_unit_interval_array(target, "target")
    check_same_shape(a, y, x_name, "target")
    w = None if weight is None else _weights(weight, "weight", a.shape, x_name)
    return a, y, w


def _bce_rows(p, y, w):
    # log(1 - p) as log1p(-p): exact for tiny p, where 1 - p would round to 1.
    # log 0 = -inf is the intended limit (the loss is +inf there), not an error.
    with np.errstate(divide="ignore"):
        loss = _mul0(y, -np.log(p)) + _mul0(1 - y, -np.log1p(-p))
    return loss if w is None else _mul0(w, loss)


def binary_cross_entropy(
    probs: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    reduction: str = "mean",
) -> np.floating[Any] | np.ndarray:
    r"""Binary cross-entropy between target and predicted probabilities.

    The negative log-likelihood of a Bernoulli distribution with success
    probability :math:`p`, with the semantics of
    ``torch.nn.functional.binary_cross_entropy`` [1]_ except that it is
    exact where PyTorch clamps (see the Notes).

    Parameters
    ----------
    probs : array_like
        Predicted probabilities :math:`p \in [0, 1]`, any shape.
    target : array_like
        Target probabilities :math:`y \in [0, 1]`, the shape of ``probs``.
    weight : array_like, optional
        Finite, non-negative weights :math:`w` broadcastable to the shape
        of ``probs``; all 1 by default.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.float64 or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If ``probs`` or ``target`` has an entry outside [0, 1] or NaN, the
        shapes differ, ``weight`` does not broadcast or has a negative
        entry, the reduction is unknown, or ``"mean"`` has no element.
    TypeError
        If ``probs``, ``target`` or ``weight`` is not real-valued.

    See Also
    --------
    binary_cross_entropy_with_logits : The same loss from logits, stable.
    xent_ref.distributions.Bernoulli : The distribution it is the NLL of.

    Notes
    -----
    .. math::

        \ell = -w \left( y \log p + (1 - y) \log(1 - p) \right),

    with :math:`\log(1 - p)` computed as ``log1p(-p)``. Edge cases, stated
    piecewise: a term whose coefficient is 0 is 0
    (:math:`0 \cdot \log 0 = 0`, so :math:`p = y \in \{0, 1\}` gives 0);
    :math:`\ell = +\infty` where :math:`p = 0 < y` or :math:`p = 1 > y`
    (and :math:`w > 0`); a zero weight gives 0 even there.

    Differences from PyTorch:

    * PyTorch clamps each log at :math:`-100`, so where :math:`p = 0 < y`
      it returns :math:`100\,y` (e.g. 100 for :math:`y = 1`) instead of
      :math:`+\infty`; the two agree wherever :math:`p` and :math:`1 - p`
      exceed :math:`e^{-100} \approx 3.7 \times 10^{-44}`.
    * ``weight`` must be finite and >= 0 (PyTorch does not check it; a
      negative weight gives it a negative loss). ``target`` and ``probs``
      must lie in [0, 1], which PyTorch checks too.

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.binary_cross_entropy``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.binary_cross_entropy.html

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> p = np.array([0.9, 0.2, 0.6])
    >>> y = np.array([1.0, 0.0, 1.0])
    >>> print(f"{xr.binary_cross_entropy(p, y):.6f}")  # F.binary_cross_entropy: 0.279777
    0.279777
    >>> print(f"{-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)):.6f}")
    0.279777

    It equals binary cross-entropy with logits at the sigmoid's inverse:

    >>> print(f"{xr.binary_cross_entropy_with_logits(np.log(p / (1 - p)), y):.6f}")
    0.279777

    A certain, wrong prediction costs :math:`+\infty` (PyTorch: 100):

    >>> print(xr.binary_cross_entropy([0.0], [1.0]))
    inf
    """
    check_reduction(reduction)
    dtype = input_result_dtype(probs, "probs")
    p, y, w = _binary_inputs(probs, target, weight, x_name="probs", x_in_unit_interval=True)
    return to_result_dtype(_elementwise(_bce_rows, reduction, p.shape, "probs", p, y, w), dtype)


#: Where ``|z| >= 18.72``, so that ``t = exp(-|z|) <= 2**-27``, ``log1p(t) = t - t**2 / 2``
#: to within ``t**3 / 3``, a relative ``t**2 / 3 <= 2**-55.6`` (under 0.2 ulp);
#: see :func:`_log1p_exp_minus_abs`.
_LOG1P_SERIES_MIN_ABS = 18.72


def _log1p_exp_minus_abs(z: np.ndarray) -> tuple[np.ndarray, bool]:
    """``log1p(exp(-|z|))`` in a new array, the exp unable to overflow, and whether ``z`` is finite.

    A block whose every ``|z|`` is at least :data:`_LOG1P_SERIES_MIN_ABS`
    (saturated logits) takes the two-term series ``t - t*t/2`` instead of
    ``log1p``, three cheap passes for one costly one. Its error: the dropped
    terms, below ``t**3 / 3``, are under 0.2 ulp of the result; ``t*t`` is
    rounded but carries at most ``2**-28`` of the result, so only the final
    subtraction's rounding counts: within 0.7 ulp in all, as good as ``log1p``.
    """
    t = np.abs(z)
    low, high = (t.min(), t.max()) if t.size else (0.0, 0.0)
    np.negative(t, out=t)
    with np.errstate(under="ignore"):
        np.exp(t, out=t)
        if low >= _LOG1P_SERIES_MIN_ABS:
            half_square = np.multiply(t, -0.5)
            half_square *= t
            t += half_square
        else:
            np.log1p(t, out=t)
    return t, bool(np.isfinite(high))


def _bce_logits_rows(z, y, w, pos_weight):
    # softplus(+-z) = relu(+-z) + log1p(exp(-|z|)), where the exp cannot overflow
    log1p_exp, finite = _log1p_exp_minus_abs(z)
    if pos_weight is None:
        # y softplus(-z) + (1 - y) softplus(z) = relu(z) - y z + log1p(exp(-|z|)), and
        # relu(z) - y z = (1[z >= 0] - y) z >= 0 is one rounded product: no cancellation
        if finite:
            # the indicator is written straight into a float buffer: subtracting y
            # from a bool array would cast it in a slower, buffered loop
            loss = np.greater_equal(z, 0.0, out=np.empty(z.shape))
            loss -= y
            loss *= z
        else:
            # only an infinite logit can meet a zero factor (inf * 0)
            loss = _mul0((z >= 0) - y, z)
        loss += log1p_exp
    else:
        # w r y softplus(-z) + w (1 - y) softplus(z), each product formed without
        # an intermediate overflow; a loss beyond the float range is +inf, its
        # correct rounding
        one = np.ones(()) if w is None else w
        with np.errstate(over="ignore"):
            return _product(one, pos_weight, y, np.maximum(-z, 0) + log1p_exp) + _product(
                one, 1 - y, np.maximum(z, 0) + log1p_exp
            )
    return loss if w is None else _mul0(w, loss)


def binary_cross_entropy_with_logits(
    logits: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    pos_weight: npt.ArrayLike | None = None,
    reduction: str = "mean",
) -> np.floating[Any] | np.ndarray:
    r"""Binary cross-entropy between target and the sigmoid of logits.

    The negative log-likelihood of a Bernoulli distribution with logit
    :math:`z`, with the semantics of
    ``torch.nn.functional.binary_cross_entropy_with_logits`` [1]_.

    Parameters
    ----------
    logits : array_like
        Logits :math:`z`, any shape; :math:`\pm\infty` gives the limit.
    target : array_like
        Target probabilities :math:`y \in [0, 1]`, the shape of ``logits``.
    weight : array_like, optional
        Finite, non-negative weights :math:`w` broadcastable to the shape of
        ``logits``; all 1 by default.
    pos_weight : array_like, optional
        Finite, non-negative weight :math:`r` of the positive term,
        broadcastable to the shape of ``logits`` (for multi-label logits of
        shape (N, C), one weight per class: shape (C,)); all 1 by default.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.float64 or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If ``target`` has an entry outside [0, 1], an input is NaN, the
        shapes differ, a weight does not broadcast or has a negative entry,
        the reduction is unknown, or ``"mean"`` has no element.
    TypeError
        If an input or weight is not real-valued.

    See Also
    --------
    binary_cross_entropy : The same loss from probabilities.
    sigmoid_focal_loss : A reweighting of this loss.
    xent_ref.log_sigmoid : :math:`\log\sigma(z)`, whose negative is :math:`\mathrm{softplus}(-z)`.
    xent_ref.grad.binary_cross_entropy_with_logits_grad : Its gradient, :math:`\sigma(z) - y`.

    Notes
    -----
    With :math:`\mathrm{softplus}(x) = \log(1 + e^x) = -\log\sigma(-x)`,

    .. math::

        \ell = w \left( r\, y\, \mathrm{softplus}(-z) + (1 - y)\, \mathrm{softplus}(z) \right)
             = w \left( -r\, y \log\sigma(z) - (1 - y) \log(1 - \sigma(z)) \right).

    It is computed with :math:`\mathrm{softplus}(\pm z) = \max(\pm z, 0) +
    \mathop{\mathrm{log1p}}(e^{-|z|})`, and, when :math:`r = 1`, as
    :math:`z\,([z \ge 0] - y) + \mathop{\mathrm{log1p}}(e^{-|z|})`, where
    :math:`[z \ge 0]` is 1 if :math:`z \ge 0` and 0 otherwise:
    both terms are non-negative, so nothing cancels and the loss keeps its
    relative accuracy at any :math:`z` (e.g. :math:`e^{-700}` at
    :math:`z = 700, y = 1`). Edge cases: at :math:`z = \pm\infty` the loss
    is its limit, 0 where the target agrees (:math:`z = +\infty, y = 1` or
    :math:`z = -\infty, y = 0`; PyTorch returns NaN there) and
    :math:`+\infty` otherwise; a term or weight of 0 silences an infinite
    factor.

    Differences from PyTorch, all stricter: ``target`` must lie in [0, 1],
    and ``weight`` and ``pos_weight`` must be finite and >= 0 (PyTorch
    checks none of these).

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.binary_cross_entropy_with_logits``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.binary_cross_entropy_with_logits.html

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([2.0, -1.0, 0.5])
    >>> y = np.array([1.0, 0.0, 1.0])
    >>> print(f"{xr.binary_cross_entropy_with_logits(z, y):.6f}")  # PyTorch: 0.304756
    0.304756

    It is the mean of :math:`\log(1 + e^{-z})` where :math:`y = 1` and
    :math:`\log(1 + e^{z})` where :math:`y = 0`:

    >>> closed_form = y * np.log1p(np.exp(-z)) + (1 - y) * np.log1p(np.exp(z))
    >>> print(f"{closed_form.mean():.6f}")
    0.304756

    It keeps its digits where :math:`\operatorname{sigmoid}(z)` rounds to
    1, so that :math:`-\log \operatorname{sigmoid}(z)` would give 0:

    >>> print(1 / (1 + np.exp(-40.0)))
    1.0
    >>> print(f"{xr.binary_cross_entropy_with_logits([40.0], [1.0]):.6e}")
    4.248354e-18
    >>> print(f"{np.log1p(np.exp(-40.0)):.6e}")
    4.248354e-18
    """
    check_reduction(reduction)
    dtype = input_result_dtype(logits, "logits")
    z, y, w = _binary_inputs(logits, target, weight, x_name="logits", x_in_unit_interval=False)
    r = None if pos_weight is None else _weights(pos_weight, "pos_weight", z.shape, "logits")
    loss = _elementwise(_bce_logits_rows, reduction, z.shape, "logits", z, y, w, r)
    return to_result_dtype(loss, dtype)


# ---------------------------------------------------------------------------
# Focal loss
# ---------------------------------------------------------------------------


def sigmoid_focal_loss(
    logits: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> np.floating[Any] | np.ndarray:
    r"""Sigmoid focal loss: binary cross-entropy scaled down on easy examples.

    The loss of Lin et al. [1]_, with the semantics and defaults of
    ``torchvision.ops.sigmoid_focal_loss`` [2]_ (note the default
    ``reduction="none"``).

    Parameters
    ----------
    logits : array_like
        Logits :math:`z`, any shape.
    target : array_like
        Targets :math:`y \in [0, 1]` (usually 0 or 1), the shape of ``logits``.
    alpha : float, optional
        Weight :math:`\alpha \in [0, 1]` of the positive class (default
        0.25); a negative value (torchvision's ``-1``) turns the weighting off.
    gamma : float, optional
        Focusing exponent :math:`\gamma \ge 0` (default 2); 0 gives
        (:math:`\alpha`-weighted) binary cross-entropy.
    reduction : {"none", "mean", "sum"}, optional
        ``"mean"`` divides the sum by the number of elements.

    Returns
    -------
    numpy.float64 or ndarray
        The elementwise loss (default) or its reduction.

    Raises
    ------
    ValueError
        If ``target`` has an entry outside [0, 1], an input is NaN, the
        shapes differ, ``alpha > 1``, ``gamma < 0``, the reduction is
        unknown, or ``"mean"`` has no element.
    TypeError
        If ``logits`` or ``target`` is not real-valued, or ``alpha`` or
        ``gamma`` not a real number.

    See Also
    --------
    binary_cross_entropy_with_logits : The loss it scales (:math:`\gamma = 0`).

    Notes
    -----
    With :math:`p = \sigma(z)`, :math:`p_t = p\,y + (1 - p)(1 - y)` and
    :math:`\alpha_t = \alpha y + (1 - \alpha)(1 - y)`,

    .. math::

        \ell = \alpha_t\, (1 - p_t)^\gamma\, \mathrm{BCE}(z, y),
        \qquad \mathrm{BCE}(z, y) = y\, \mathrm{softplus}(-z) + (1 - y)\, \mathrm{softplus}(z).

    :math:`1 - p_t` is computed as :math:`y\,\sigma(-z) + (1 - y)\,\sigma(z)`,
    two non-negative terms, so it keeps its relative accuracy where
    :math:`p_t` rounds to 1 (torchvision's ``1 - p_t`` is 0 there).
    Edge cases: :math:`0^0 = 1` for :math:`\gamma = 0`; a factor 0 silences
    an infinite BCE (:math:`z = \pm\infty`).

    Differences from torchvision, all stricter: ``target`` must lie in
    [0, 1], ``alpha`` must not exceed 1 and ``gamma`` must be >= 0
    (torchvision checks none of these).

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal Loss
       for Dense Object Detection", ICCV 2017, arXiv:1708.02002.
    .. [2] torchvision, ``torchvision.ops.sigmoid_focal_loss``,
       https://pytorch.org/vision/stable/generated/torchvision.ops.sigmoid_focal_loss.html

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([3.0, -0.5, 0.2])
    >>> y = np.array([1.0, 0.0, 0.0])

    With :math:`\gamma = 0` and no :math:`\alpha` it is binary cross-entropy:

    >>> print(np.round(xr.sigmoid_focal_loss(z, y, alpha=-1, gamma=0.0), 4))
    [0.0486 0.4741 0.7981]
    >>> print(np.round(xr.binary_cross_entropy_with_logits(z, y, reduction="none"), 4))
    [0.0486 0.4741 0.7981]

    With the default :math:`\gamma = 2`, each loss is multiplied by
    :math:`(1 - p_t)^2`, where :math:`p_t` is the predicted probability of
    the true label. The confident, correct first example is down-weighted
    the most:

    >>> ratio = xr.sigmoid_focal_loss(z, y, alpha=-1) / xr.binary_cross_entropy_with_logits(
    ...     z, y, reduction="none")
    >>> print(np.round(ratio, 4))
    [0.0022 0.1425 0.3023]
    >>> q = 1 / (1 + np.exp(-z))
    >>> p_t = np.where(y == 1, q, 1 - q)
    >>> print(np.round((1 - p_t) ** 2, 4))
    [0.0022 0.1425 0.3023]
    """
    check_reduction(reduction)
    dtype = input_result_dtype(logits, "logits")
    z, y, _ = _binary_inputs(logits, target, None, x_name="logits", x_in_unit_interval=False)
    a = check_real(alpha, "alpha")
    if not a <= 1.0:
        raise ValueError(
            f"alpha: must lie in [0, 1], or be negative to turn it off, got {alpha!r}"
        )
    g = check_real(gamma, "gamma")
    if not 0.0 <= g < math.inf:
        raise ValueError(f"gamma: must be finite and >= 0, got {gamma!r}")

    def rows(zb, yb):
        bce = _bce_logits_rows(zb, yb, None, None)
        # 1 - p_t = y sigma(-z) + (1 - y) sigma(z): two terms >= 0, exact where p_t rounds to 1
        one_minus_pt = yb * sigmoid(-zb) + (1 - yb) * sigmoid(zb)
        loss = _mul0(one_minus_pt**g, bce)
        if a < 0:
            return loss
        return _mul0(a * yb + (1 - a) * (1 - yb), loss)

    return to_result_dtype(_elementwise(rows, reduction, z.shape, "logits", z, y), dtype)


# ---------------------------------------------------------------------------
# Hinge loss
# ---------------------------------------------------------------------------


def _hinge_rows(s, y):
    return np.maximum(0.0, 1.0 - y * s)


def hinge_loss(
    scores: npt.ArrayLike, target: npt.ArrayLike, *, reduction: str = "mean"
) -> np.floating[Any] | np.ndarray:
    r"""Binary hinge loss of scores against labels :math:`\pm 1`.

    The loss of the support vector machine. It is not the negative
    log-likelihood of any distribution (see the Notes): with
    :func:`sigmoid_focal_loss`, a reweighted likelihood, it is one of the
    catalogue's two losses that are not, and the contrast to the others (the
    Brier score, :func:`brier_score`, a proper scoring rule, is not one either).

    Parameters
    ----------
    scores : array_like
        Real-valued scores (decision values) :math:`s`, any shape.
    target : array_like
        Labels :math:`y \in \{-1, +1\}`, the shape of ``scores``.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.float64 or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If a label is not -1 or +1, an input is NaN, the shapes differ, the
        reduction is unknown, or ``"mean"`` has no element.
    TypeError
        If ``scores`` or ``target`` is not real-valued.

    See Also
    --------
    binary_cross_entropy_with_logits : The logistic loss,
        :math:`\mathrm{softplus}(-y s)` with :math:`y \in \{-1, +1\}`, a
        smooth loss that *is* a negative log-likelihood. Like the hinge
        loss it bounds the 0-1 loss :math:`\mathbb 1[y s \le 0]` from
        above only in base 2, :math:`\log_2(1 + e^{-y s})`; in nats it is
        :math:`\log 2 < 1` at :math:`y s = 0`.
    sklearn.metrics.hinge_loss : The same mean, with labels encoded to
        :math:`\pm 1`.

    Notes
    -----
    .. math::

        \ell = \max(0,\; 1 - y\, s).

    It is 0 once an example is on the right side of the margin
    (:math:`y s \ge 1`) and :math:`+\infty` at :math:`y s = -\infty`.

    A loss is a negative log-likelihood, up to :math:`a\,\ell + b` with
    :math:`a > 0`, only if :math:`\sum_y e^{-(\ell(s, y) - b)/a} = 1` for
    every :math:`s`. For the hinge loss that sum is
    :math:`e^{b/a}(1 + e^{-(1 + s)/a})` for :math:`s \ge 1`, which changes
    with :math:`s` for every :math:`a`: no distribution over the label has
    this loss as its negative log-likelihood [2]_.

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] C. Cortes and V. Vapnik, "Support-Vector Networks", Machine
       Learning 20, 273-297 (1995).
    .. [2] P. Sollich, "Bayesian Methods for Support Vector Machines:
       Evidence and Predictive Class Probabilities", Machine Learning 46,
       21-52 (2002).

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> s = np.array([2.0, 0.3, -0.5])
    >>> y = np.array([1, 1, 1])
    >>> print(xr.hinge_loss(s, y, reduction="none"))
    [0.  0.7 1.5]
    >>> print(np.maximum(0, 1 - y * s))
    [0.  0.7 1.5]

    No normalisation makes it a likelihood: :math:`\sum_y e^{-\ell(s, y)}`
    depends on the score. For :math:`s \ge 1` it is :math:`1 + e^{-(1 + s)}`:

    >>> s = np.array([1.0, 2.0])
    >>> total = (np.exp(-xr.hinge_loss(s, [1, 1], reduction="none"))
    ...          + np.exp(-xr.hinge_loss(s, [-1, -1], reduction="none")))
    >>> print(np.round(total, 4), np.round(1 + np.exp(-(1 + s)), 4))
    [1.1353 1.0498] [1.1353 1.0498]
    """
    check_reduction(reduction)
    s, dtype = as_float_input(scores, "scores")
    y = as_float_array(target, "target")
    check_same_shape(s, y, "scores", "target")
    if y.size and not np.all(np.abs(y) == 1):
        bad = y[np.abs(y) != 1].flat[0]
        raise ValueError(f"target: labels must be -1 or +1, got {float(bad)!r}")
    return to_result_dtype(_elementwise(_hinge_rows, reduction, s.shape, "scores", s, y), dtype)
