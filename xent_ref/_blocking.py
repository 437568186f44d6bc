"""Row blocking: run a row-wise computation over blocks of about 64K elements.

A loss over a large batch, written as whole-array NumPy, makes each
intermediate (``z - max``, ``exp(...)``, ...) a full-size temporary that
streams through main memory. Cut into blocks of :data:`BLOCK_ELEMENTS`
elements, the same expressions keep their temporaries in the CPU cache, and
the extra memory stays a few blocks however large the batch is. The loss
functions keep reading as their formulas: each is written once, for a block
of rows, and handed to :func:`map_row_blocks`. Every loss is reduced here, by
:func:`_reduce_blocks` (row-wise losses) or :func:`_elementwise` (elementwise
ones), so a bad reduction or an empty ``"mean"`` gets one message everywhere.
(The softmax losses take blocks four times as large, to spread the fixed cost
of their per-block NumPy calls; see
``xent_ref._classification.SOFTMAX_BLOCK_ELEMENTS``.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from xent_ref._validation import check_reduction

#: Elements per block: 64K float64 values are 512 KiB, so a block and a few
#: temporaries of its size fit in a core's L2 cache.
BLOCK_ELEMENTS = 1 << 16


def _sum(a: np.ndarray) -> float:
    """``sum(a)`` as a Python float; beyond the float range it is +-inf, without a warning."""
    with np.errstate(over="ignore"):
        return float(np.sum(a))


def map_row_blocks(
    fn: Callable[..., np.ndarray],
    *arrays: np.ndarray | None,
    total: bool = False,
    block_elements: int = BLOCK_ELEMENTS,
) -> np.ndarray | np.float64:
    """Apply ``fn`` to consecutive blocks of rows of ``arrays``.

    Parameters
    ----------
    fn : callable
        ``fn(*blocks)`` computes a row-wise result for one block: given the
        rows ``[start, stop)`` of every array (``None`` passed through), it
        returns an array whose axis 0 has ``stop - start`` entries. It must
        treat rows independently.
    *arrays : ndarray or None
        Arrays sharing the length of axis 0 (broadcast views are fine:
        slicing one copies nothing).
    total : bool, optional
        If True, return the sum of all of ``fn``'s outputs without ever
        holding them all; otherwise return them gathered in one array.
    block_elements : int, optional
        Elements per block; :data:`BLOCK_ELEMENTS` by default. A ``fn`` that
        makes many small NumPy calls per block may take more, to spread
        their fixed cost.

    Returns
    -------
    ndarray or numpy.float64
        The outputs of ``fn`` stacked along axis 0, or their sum.

    Notes
    -----
    A block holds ``max(1, block_elements // row_size)`` rows, where
    ``row_size`` is the largest number of elements in one row of any array.
    The sum adds each block's NumPy (pairwise) sum with :func:`math.fsum`, so
    the blocking adds no rounding of its own; a sum beyond the float range
    is returned as ``inf``, its correct rounding, without a warning.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(200_000.0).reshape(100_000, 2)
    >>> rows = map_row_blocks(lambda b: b.sum(axis=1), x)
    >>> bool(np.array_equal(rows, x.sum(axis=1)))
    True
    >>> float(map_row_blocks(lambda b: b.sum(axis=1), x, total=True)) == float(x.sum())
    True

    The block size changes the schedule, never the result:

    >>> small = map_row_blocks(lambda b: b.sum(axis=1), x, block_elements=1000)
    >>> bool(np.array_equal(small, rows))
    True
    """
    present = [a for a in arrays if a is not None]
    n_rows = present[0].shape[0]
    row_size = max(math.prod(a.shape[1:]) for a in present)
    step = max(1, block_elements // max(1, row_size))

    def block(start: int) -> np.ndarray:
        stop = start + step
        return fn(*(None if a is None else a[start:stop] for a in arrays))

    # An empty batch still calls fn once, so the result has fn's trailing shape.
    starts = range(0, n_rows, step) if n_rows else [0]
    if total:
        # A sum beyond the float range is +-inf, its correct rounding.
        sums = [_sum(block(start)) for start in starts]
        try:
            return np.float64(math.fsum(sums))
        except OverflowError:
            return np.float64(sum(sums))
    out: np.ndarray | None = None
    for start in starts:
        rows = block(start)
        if out is None:
            out = np.empty((n_rows,) + rows.shape[1:], dtype=rows.dtype)
        out[start : start + rows.shape[0]] = rows
    assert out is not None  # starts is never empty
    return out


def _mean_divisor(denominator: float, why: str) -> float:
    """``denominator``, what a sum is divided by for ``"mean"``; refused where it is 0.

    ``ValueError(why + ", so the mean is undefined")`` instead of a NaN mean.
    """
    if denominator == 0:
        raise ValueError(f"{why}, so the mean is undefined")
    return denominator


def _reduce_blocks(
    fn: Callable[..., np.ndarray],
    reduction: str,
    denominator: float,
    why: str,
    *arrays: np.ndarray | None,
    block_elements: int,
) -> Any:
    """Run the row-wise loss ``fn`` over ``arrays`` in row blocks and reduce it.

    ``"mean"`` is the sum divided by ``denominator``; if that is 0 the mean
    is undefined and ``ValueError(why + ", so the mean is undefined")`` is
    raised instead of returning NaN.
    """
    check_reduction(reduction)
    if reduction == "none":
        return map_row_blocks(fn, *arrays, block_elements=block_elements)
    total = map_row_blocks(fn, *arrays, total=True, block_elements=block_elements)
    if reduction == "sum":
        return total
    return np.float64(total / _mean_divisor(denominator, why))


def _elementwise(
    fn: Callable[..., np.ndarray],
    reduction: str,
    shape: tuple[int, ...],
    first: str,
    *arrays: np.ndarray | None,
) -> Any:
    """Run the elementwise loss ``fn`` over ``arrays`` broadcast to ``shape``, then reduce.

    ``"mean"`` divides by the number of elements, as in PyTorch; with none,
    ``ValueError(first + ": has no elements, so the mean is undefined")``.
    A 0-d ``"none"`` result is a ``numpy.float64``.
    """
    rows = [
        None if a is None else np.broadcast_to(a, shape).reshape(shape or (1,)) for a in arrays
    ]
    n = math.prod(shape)
    why = f"{first}: has no elements"
    loss = _reduce_blocks(fn, reduction, n, why, *rows, block_elements=BLOCK_ELEMENTS)
    return loss.reshape(shape)[()] if reduction == "none" else loss


def _same(loss: np.ndarray) -> np.ndarray:
    return loss


def _reduce_loss(loss: np.ndarray, reduction: str, first: str) -> Any:
    """Reduce an elementwise ``loss`` already computed, as :func:`_elementwise` does."""
    return _elementwise(_same, reduction, loss.shape, first, loss)

