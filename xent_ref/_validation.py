"""Shared argument checks for ``xent_ref``.

Every public function validates its arguments with these helpers, so every
bad input gets the same kind of error: a ``TypeError`` (wrong kind of value)
or ``ValueError`` (right kind, bad value) whose message starts with the
argument's name and a colon, e.g. ``"p: entries must lie in [0, 1]"``.

The checks avoid full-size temporaries: NaN and range checks use one
``min``/``max`` reduction (both propagate NaN) instead of a boolean mask, so
validating a large array costs one read of it and no extra memory.

Helpers and their contracts
---------------------------
``as_float_array(x, name) -> ndarray``
    ``x`` as a float64 ndarray (any shape, 0-d for scalars). Booleans,
    integers and floats of any precision are accepted (booleans as 0/1);
    complex, object, string and other dtypes raise ``TypeError``; ragged
    nested sequences raise ``ValueError``; NaN raises ``ValueError``;
    ``±inf`` is allowed (use :func:`check_finite` to refuse it). No copy is
    made when ``x`` is already a float64 ndarray, so the result may *be* the
    caller's array: never write into it.
``as_float_input(x, name) -> (ndarray, dtype)``
    :func:`as_float_array` of ``x`` and the dtype a loss of ``x`` returns
    (:func:`result_dtype`), from one conversion.
``result_dtype(dtype) -> dtype``
    The dtype policy of the losses: a floating ``dtype`` is kept, anything
    else (integers, booleans) gives float64.
``input_result_dtype(x, name) -> dtype``
    :func:`result_dtype` of ``x`` as NumPy converts it.
``to_result_dtype(value, dtype)``
    A float64 result (scalar or array) rounded once to ``dtype``; a value
    beyond ``dtype``'s range becomes ``±inf``, its correct rounding.
``as_unit_interval_array(x, name) -> ndarray``
    :func:`as_float_array` then :func:`check_unit_interval` in one pass
    fewer (the range ``min`` also finds a NaN); for large target arrays.
``as_index_array(x, name) -> ndarray``
    ``x`` as an integer ndarray (any integer dtype; kept, not cast). Floats,
    even whole-valued, booleans and everything else raise ``TypeError``.
``as_finite_array(x, name) -> ndarray``
    :func:`as_float_array` then :func:`check_finite`: NaN and ``±inf``
    refused by name.
``as_finite_pair(a, b, name_a, name_b) -> (ndarray, ndarray)``
    Two finite float64 arrays of one shape (:func:`check_same_shape`).
``check_real(value, name) -> float``
    A real number (``bool`` refused, ``TypeError``) as a Python float.
``check_positive(value, name) -> float``
    :func:`check_real`, then finite and > 0 (``ValueError``).
``check_scalar(value, name, *, lower=0.0, upper=inf, allow_lower=False) -> float``
    A 0-d real (array-likes accepted) in ``(lower, upper]`` or
    ``[lower, upper]``, finite, as a Python float.
``check_integer(value, name, *, minimum=None, or_none=False) -> int``
    An integer (``operator.index``; ``bool`` refused, ``TypeError``),
    ``>= minimum`` if given (``ValueError``).
``check_flag(value, name) -> bool``
    ``True`` or ``False`` (Python or NumPy bool), else ``TypeError``.
``check_binary(a, name, *, what="outcomes") -> None``
    ``ValueError`` unless every entry is exactly 0 or 1.
``check_finite(a, name) -> None``
    ``ValueError`` if ``a`` has an infinite entry (NaN is assumed already
    refused by :func:`as_float_array`).
``check_nonnegative(a, name) -> None``
    ``ValueError`` if ``a`` has an entry < 0 (or NaN).
``check_unit_interval(a, name) -> None``
    ``ValueError`` if ``a`` has an entry outside [0, 1] (or NaN).
``check_probabilities(p, name, *, axis) -> ndarray``
    ``p`` as float64 (via :func:`as_float_array`) after checking that it is at
    least 1-d, ``axis`` is a valid axis, every entry is in [0, 1], and every
    vector along ``axis`` sums to 1 within ``sum_tolerance(n, dtype)``
    (absolute; :data:`SUM_TOLERANCE` = 1e-6 for float64 vectors, more for
    long float32 or float16 ones). Never renormalises. An empty axis sums
    to 0 and is refused.
``sum_tolerance(n, dtype) -> float``
    ``max(SUM_TOLERANCE, n * eps(dtype))``: how far from 1 the sum of ``n``
    probabilities computed in ``dtype`` may be.
``normalize_axis(axis, ndim, name="axis") -> int``
    ``axis`` as a non-negative int (NumPy's ``normalize_axis_index``);
    ``TypeError`` if not an integer, ``ValueError`` naming ``name`` if out
    of range for ``ndim`` dimensions.
``check_same_shape(a, b, name_a, name_b) -> None``
    ``ValueError`` naming ``name_b`` unless ``a.shape == b.shape`` exactly
    (no broadcasting).
``check_base(base) -> float | None``
    ``None`` (natural log) passes through; otherwise ``base`` must be a real
    number (``TypeError``; ``bool`` is refused) that is finite, > 0 and
    != 1 (``ValueError``). Returns it as a Python float.
``check_reduction(reduction) -> str``
    ``reduction`` must be one of ``"mean"``, ``"sum"``, ``"none"``;
    anything else (including non-strings) raises ``ValueError`` naming
    ``reduction``. Returns it.
``reduce(loss, reduction, *, weights=None, name="reduction")``
    Applies a (checked) reduction to an elementwise loss array.
    ``"none"`` returns ``loss`` unchanged (an ndarray). ``"sum"`` returns
    ``np.float64(loss.sum())`` (0.0 for an empty array). ``"mean"`` returns
    ``np.float64(loss.sum() / n)`` where ``n`` is ``loss.size`` or, if
    ``weights`` is given, ``weights.sum()`` (``loss`` is expected to already
    contain the per-element weights, as in ``torch`` cross-entropy). A mean
    over zero elements or a zero total weight raises ``ValueError`` whose
    message starts with ``name + ": "`` instead of returning NaN.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.exceptions import AxisError
from numpy.lib.array_utils import normalize_axis_index

__all__ = [
    "SUM_TOLERANCE",
    "REDUCTIONS",
    "as_float_array",
    "as_finite_array",
    "as_finite_pair",
    "as_float_input",
    "as_index_array",
    "as_unit_interval_array",
    "check_base",
    "check_binary",
    "check_finite",
    "check_flag",
    "check_integer",
    "check_nonnegative",
    "check_positive",
    "check_probabilities",
    "check_real",
    "check_reduction",
    "check_same_shape",
    "check_scalar",
    "check_unit_interval",
    "input_result_dtype",
    "normalize_axis",
    "reduce",
    "result_dtype",
    "sum_tolerance",
    "to_result_dtype",
]

#: Smallest accepted ``|sum(p) - 1|`` bound for a probability vector, the
#: tolerance of ``torch.distributions.constraints.simplex``: tight enough to
#: catch an unnormalised vector. A longer or lower-precision vector gets the
#: larger bound of :func:`sum_tolerance`.
SUM_TOLERANCE = 1e-6

#: The accepted values of ``reduction``.
REDUCTIONS = ("mean", "sum", "none")


def _asarray(x: npt.ArrayLike, name: str) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError as exc:
        # NumPy >= 1.24 refuses ragged nested sequences.
        raise ValueError(f"{name}: cannot be converted to an array ({exc})") from None


def as_float_array(x: npt.ArrayLike, name: str) -> np.ndarray:
    """Return ``x`` as a float64 ndarray, refusing non-numeric input and NaN."""
    a = _asarray(x, name)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected real numbers, got an array of dtype {a.dtype}")
    a = np.asarray(a, dtype=np.float64)
    # min propagates NaN, so this finds a NaN without a boolean temporary.
    if a.size and np.isnan(np.min(a)):
        raise ValueError(f"{name}: contains NaN")
    return a


def result_dtype(dtype: npt.DTypeLike) -> np.dtype[Any]:
    """The dtype of a loss of an input of ``dtype``: floating kept, anything else float64."""
    dt = np.dtype(dtype)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def as_float_input(x: npt.ArrayLike, name: str) -> tuple[np.ndarray, np.dtype[Any]]:
    """``x`` as float64 (see :func:`as_float_array`) and the dtype its loss is returned in."""
    a = _asarray(x, name)
    return as_float_array(a, name), result_dtype(a.dtype)


def input_result_dtype(x: npt.ArrayLike, name: str) -> np.dtype[Any]:
    """The dtype a loss whose first argument is ``x`` returns (see :func:`result_dtype`)."""
    return result_dtype(_asarray(x, name).dtype)


def to_result_dtype(value: Any, dtype: np.dtype[Any]) -> Any:
    """The float64 ``value`` (a scalar or an array) rounded once to ``dtype``."""
    if dtype == np.float64:
        return value
    # a value beyond dtype's range rounds to +-inf, its correct rounding
    with np.errstate(over="ignore"):
        if isinstance(value, np.ndarray):
            return value.astype(dtype)
        return dtype.type(value)


def as_index_array(x: npt.ArrayLike, name: str) -> np.ndarray:
    """Return ``x`` as an integer ndarray; floats (even whole-valued) are refused."""
    a = _asarray(x, name)
    if a.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: class indices must have an integer dtype, got {a.dtype}"
        )
    return a


def as_finite_array(x: npt.ArrayLike, name: str) -> np.ndarray:
    """``x`` as a finite float64 array; NaN and ``±inf`` are refused by name."""
    a = as_float_array(x, name)
    check_finite(a, name)
    return a


def as_finite_pair(
    a: npt.ArrayLike, b: npt.ArrayLike, name_a: str = "pred", name_b: str = "target"
) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as finite float64 arrays of one shape (no broadcasting)."""
    x = as_finite_array(a, name_a)
    y = as_finite_array(b, name_b)
    check_same_shape(x, y, name_a, name_b)
    return x, y


def check_real(value: Any, name: str) -> float:
    """``value`` as a Python float; ``TypeError`` unless it is a real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: must be a real number, got {value!r}")
    return float(value)


def check_positive(value: Any, name: str) -> float:
    """``value`` as a Python float after checking it is a finite real > 0."""
    v = check_real(value, name)
    if not 0.0 < v < math.inf:
        raise ValueError(f"{name}: must be finite and > 0, got {value!r}")
    return v


def check_scalar(
    value: Any,
    name: str,
    *,
    lower: float = 0.0,
    upper: float = math.inf,
    allow_lower: bool = False,
) -> float:
    """A fixed (0-d) real parameter as a float: finite, > ``lower`` (or >=), <= ``upper``."""
    a = as_float_array(value, name)
    if a.ndim != 0:
        raise ValueError(
            f"{name}: must be a scalar (one value for every target), got shape {a.shape}"
        )
    v = float(a)
    if not math.isfinite(v):
        raise ValueError(f"{name}: must be finite, got {v!r}")
    if not ((v >= lower if allow_lower else v > lower) and v <= upper):
        low = f">= {lower!r}" if allow_lower else f"> {lower!r}"
        high = "" if upper == math.inf else f" and <= {upper!r}"
        raise ValueError(f"{name}: must be {low}{high}, got {v!r}")
    return v


def check_integer(
    value: Any, name: str, *, minimum: int | None = None, or_none: bool = False
) -> int:
    """``value`` as a Python int; ``TypeError`` unless it is an integer (not a bool).

    ``or_none`` only words the message for an argument that may also be
    ``None`` (the caller handles ``None``); ``minimum`` is checked if given.
    """
    kind = "an integer or None" if or_none else "an integer"
    if isinstance(value, bool):
        raise TypeError(f"{name}: must be {kind}, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: must be {kind}, got {value!r}") from None
    if minimum is not None and v < minimum:
        raise ValueError(f"{name}: must be >= {minimum}, got {v}")
    return v


def check_flag(value: Any, name: str) -> bool:
    """``value`` as a bool; ``TypeError`` unless it is ``True`` or ``False``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: must be True or False, got {value!r}")
    return bool(value)


def check_binary(a: np.ndarray, name: str, *, what: str = "outcomes") -> None:
    """Raise ``ValueError`` unless every entry of ``a`` is exactly 0 or 1."""
    if a.size and not np.all((a == 0) | (a == 1)):
        bad = a[(a != 0) & (a != 1)].flat[0]
        raise ValueError(f"{name}: {what} must be 0 or 1, got {float(bad)!r}")


def check_finite(a: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``a`` has an infinite entry."""
    if a.size and not (np.isfinite(np.min(a)) and np.isfinite(np.max(a))):
        raise ValueError(f"{name}: entries must be finite")


def check_nonnegative(a: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``a`` has an entry < 0 (or NaN)."""
    if a.size and not np.min(a) >= 0:
        raise ValueError(f"{name}: entries must be >= 0, got minimum {float(np.min(a))!r}")


def check_unit_interval(a: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``a`` has an entry outside [0, 1] (or NaN)."""
    if a.size:
        lo, hi = np.min(a), np.max(a)
        if not (lo >= 0 and hi <= 1):
            raise ValueError(
                f"{name}: entries must lie in [0, 1], got range [{float(lo)!r}, {float(hi)!r}]"
            )


def normalize_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` as a non-negative int valid for ``ndim`` dimensions."""
    axis = check_integer(axis, name)
    try:
        return normalize_axis_index(axis, ndim)
    except AxisError:
        raise ValueError(
            f"{name}: {axis} is out of range for an array with {ndim} dimension(s)"
        ) from None


def sum_tolerance(n: int, dtype: npt.DTypeLike = np.float64) -> float:
    """Largest accepted ``|sum(p) - 1|`` for a probability vector of ``n`` entries of ``dtype``.

    ``max(SUM_TOLERANCE, n * eps)`` with ``eps`` the machine epsilon of
    ``dtype`` (of float64 for integer, boolean and wider types). A softmax
    of ``n`` logits computed in ``dtype`` sums to 1 within about
    ``n * eps / 2`` (one rounding per division, and at most ``n - 1`` in its
    sum, to first order), so a float32 softmax over 50257 classes is
    accepted (bound 6.0e-3), while any float64 vector of fewer than 4.5e9
    entries is held to 1e-6.
    """
    dtype = np.dtype(dtype)
    eps = float(np.finfo(np.float64).eps)
    if dtype.kind == "f":
        eps = max(eps, float(np.finfo(dtype).eps))
    return max(SUM_TOLERANCE, n * eps)


def check_probabilities(p: npt.ArrayLike, name: str, *, axis: Any) -> np.ndarray:
    """Return ``p`` as float64 after checking it holds probability vectors along ``axis``."""
    dtype = _asarray(p, name).dtype
    a = as_float_array(p, name)
    if a.ndim == 0:
        raise ValueError(f"{name}: must have at least one dimension (a probability vector)")
    ax = normalize_axis(axis, a.ndim)
    check_unit_interval(a, name)
    if a.size == 0 and a.shape[ax] != 0:
        return a
    # Not renormalised: a vector that does not sum to 1 is a caller's bug.
    err = np.max(np.abs(np.sum(a, axis=ax) - 1.0)) if a.size else 1.0
    tol = sum_tolerance(a.shape[ax], dtype)
    if not err <= tol:
        raise ValueError(
            f"{name}: entries along axis {axis} must sum to 1 (within {tol:.3g}, the "
            f"tolerance for {a.shape[ax]} entries of {dtype}); the largest deviation is "
            f"{float(err):.3g}. If the probabilities were computed in lower precision, "
            "pass them in that dtype (the tolerance grows with its epsilon), or "
            f"renormalise: {name} / {name}.sum(axis={axis}, keepdims=True)"
        )
    return a


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` naming ``name_b`` unless the shapes are identical."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b}: shape {b.shape} does not match {name_a} shape {a.shape} "
            "(no broadcasting)"
        )


def check_base(base: Any) -> float | None:
    """Return ``base`` as a float (or ``None``) after checking it is a valid log base."""
    if base is None:
        return None
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"base: must be a real number or None, got {base!r}")
    b = float(base)
    if not (np.isfinite(b) and b > 0 and b != 1):
        raise ValueError(f"base: must be finite, > 0 and != 1, got {base!r}")
    return b


def check_reduction(reduction: Any) -> str:
    """Return ``reduction`` after checking it is ``"mean"``, ``"sum"`` or ``"none"``."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction: must be one of 'mean', 'sum', 'none', got {reduction!r}"
        )
    return reduction


def reduce(
    loss: np.ndarray,
    reduction: str,
    *,
    weights: np.ndarray | None = None,
    name: str = "reduction",
) -> Any:
    """Reduce an elementwise loss; ``"mean"`` divides by the count or the total weight."""
    check_reduction(reduction)
    if reduction == "none":
        return loss
    total = np.sum(loss, dtype=np.float64)
    if reduction == "sum":
        return np.float64(total)
    if weights is None:
        if loss.size == 0:
            raise ValueError(f"{name}: 'mean' over zero elements is undefined")
        return np.float64(total / loss.size)
    denom = np.sum(weights, dtype=np.float64)
    if denom == 0:
        raise ValueError(f"{name}: 'mean' with a total weight of zero is undefined")
    return np.float64(total / denom)


def as_unit_interval_array(x: npt.ArrayLike, name: str) -> np.ndarray:
    """Return ``x`` as float64 after checking every entry lies in [0, 1].

    The same as :func:`as_float_array` followed by :func:`check_unit_interval`,
    in two reductions instead of three: the ``min`` that finds the range also
    finds a NaN, so no separate NaN pass is made (the losses' targets are
    large arrays). Same errors and messages as those two helpers.
    """
    a = _asarray(x, name)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected real numbers, got an array of dtype {a.dtype}")
    a = np.asarray(a, dtype=np.float64)
    if a.size:
        lo, hi = np.min(a), np.max(a)
        if np.isnan(lo):
            raise ValueError(f"{name}: contains NaN")
        if not (lo >= 0 and hi <= 1):
            raise ValueError(
                f"{name}: entries must lie in [0, 1], got range [{float(lo)!r}, {float(hi)!r}]"
            )
    return a
