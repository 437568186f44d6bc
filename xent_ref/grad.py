r"""Analytic gradients of the losses with respect to the prediction.

For the losses whose model is a canonical exponential family (softmax
cross-entropy, binary cross-entropy with logits, squared error, Poisson with
a log-rate) the gradient with respect to the natural parameter is the same
expression, *prediction minus target*:

======================================  ======================================
loss                                    gradient of the per-sample loss
======================================  ======================================
``softmax_cross_entropy``               :math:`\mathrm{softmax}(z) - y`
``binary_cross_entropy_with_logits``    :math:`\sigma(z) - y`
``mse_loss``                            :math:`2(\hat y - y)`
``poisson_nll_loss``                    :math:`e^{z} - y`
======================================  ======================================

Every function takes the loss's arguments and returns an array shaped like
the prediction. The ``reduction`` convention: ``"mean"`` and ``"sum"`` give
the gradient of the reduced (scalar) loss, e.g. divided by :math:`N` for a
mean; ``"none"`` gives each element's derivative of its own loss,
:math:`\partial \ell_i / \partial x_i`, which is the gradient of the
``"sum"``, as ``loss.backward(torch.ones_like(loss))`` returns it in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from xent_ref._blocking import _mean_divisor
from xent_ref._classification import (
    _binary_inputs,
    _ce_arguments,
    _class_axis_back,
    _product,
    _smoothed_target,
    _weights,
)
from xent_ref._primitives import sigmoid, softmax
from xent_ref._validation import (
    as_finite_pair,
    check_flag,
    check_nonnegative,
    check_positive,
    check_reduction,
    input_result_dtype,
    to_result_dtype,
)

__all__ = [
    "binary_cross_entropy_with_logits_grad",
    "mse_loss_grad",
    "poisson_nll_loss_grad",
    "softmax_cross_entropy_grad",
]


def _divisor(reduction: str, denominator: float, why: str) -> float:
    """What the gradient of the sum is divided by to give that of the reduction."""
    return _mean_divisor(denominator, why) if reduction == "mean" else 1.0


def softmax_cross_entropy_grad(
    logits: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`xent_ref.softmax_cross_entropy` with respect to the logits.

    Every argument means what it means for
    :func:`xent_ref.softmax_cross_entropy`, and is checked in the same way.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Unnormalised log-probabilities :math:`z`, the point of the gradient.
    target : array_like, shape (N,) or (N, C)
        Class indices, or class probabilities per row.
    weight : array_like, shape (C,), optional
        Per-class weights.
    ignore_index : int, optional
        A class index whose samples are left out.
    label_smoothing : float, optional
        :math:`\varepsilon` in [0, 1] (default 0.0).
    reduction : {"mean", "sum", "none"}, optional
        Which loss is differentiated (default ``"mean"``).

    Returns
    -------
    ndarray, the shape of ``logits``: (C,), (N, C) or (N, C, d1, ..., dk)
        :math:`\partial L / \partial z`; the logits of ignored samples get 0.

    Raises
    ------
    ValueError, TypeError
        As :func:`xent_ref.softmax_cross_entropy` raises them.

    See Also
    --------
    xent_ref.softmax_cross_entropy : The loss.

    Notes
    -----
    Write each sample's loss as :math:`\ell_i = -\sum_c t_{ic} \log
    \mathrm{softmax}(z_i)_c` with its smoothed, weighted target :math:`t_i`
    (:math:`t_i = (1 - \varepsilon) w_{y_i} e_{y_i} + \tfrac{\varepsilon}{C} w`
    for a class index, :math:`w \odot ((1 - \varepsilon) q_i +
    \tfrac{\varepsilon}{C})` for probabilities). Since
    :math:`\partial(-\log \mathrm{softmax}(z)_c) / \partial z = \mathrm{softmax}(z) - e_c`,

    .. math::

        \frac{\partial \ell_i}{\partial z_i}
            = \Bigl(\sum_c t_{ic}\Bigr) \mathrm{softmax}(z_i) - t_i,

    which is :math:`\mathrm{softmax}(z_i) - e_{y_i}` without weights or
    smoothing. It is computed as
    :math:`p_c (T_i - t_{ic}) - t_{ic} (1 - p_c)` with
    :math:`T_i = \sum_c t_{ic}`, and :math:`1 - p_c` as
    :math:`\sum_{j \ne c} p_j` at the largest probability, so a confident,
    correct row keeps its tiny target entry, :math:`-\sum_{j \ne y} p_j`
    (e.g. :math:`-4.25 \times 10^{-18}` for logits :math:`[40, 0]`), where
    :math:`p_y - 1` would give 0. ``"mean"`` divides by the loss's
    denominator (the summed target weights, or :math:`N`); see the module
    docstring for ``"none"``. An ignored row's gradient is 0 whatever its
    logits (a row of :math:`-\infty` included).

    Dtype: the gradient is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> y = np.array([0, 1])
    >>> g = xr.grad.softmax_cross_entropy_grad(z, y)
    >>> print(np.round(g, 4))  # PyTorch's autograd gives the same
    [[-0.1705  0.1212  0.0493]
     [ 0.0543 -0.0988  0.0445]]

    It is :math:`(\operatorname{softmax}(z) - y)/N`, with :math:`y` one-hot:

    >>> softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    >>> print(np.round((softmax - np.eye(3)[y]) / 2, 4))
    [[-0.1705  0.1212  0.0493]
     [ 0.0543 -0.0988  0.0445]]

    Each row sums to 0 (adding a constant to a row leaves the loss unchanged):

    >>> bool(np.allclose(g.sum(axis=1), 0.0, rtol=0, atol=1e-16))
    True

    A confident, correct row keeps both of its tiny entries:

    >>> print(xr.grad.softmax_cross_entropy_grad([[40.0, 0.0]], [0], reduction="sum"))
    [[-4.24835426e-18  4.24835426e-18]]
    >>> print(f"{np.exp(-40.0) / (1 + np.exp(-40.0)):.8e}")  # softmax(z)_1
    4.24835426e-18
    """
    check_reduction(reduction)
    z, y, q, w, kept, eps, shape, dtype = _ce_arguments(
        logits, target, weight, ignore_index, label_smoothing
    )
    n, c = z.shape
    if q is not None:
        t = w * ((1 - eps) * q + eps / c)
        denominator, why = n, "target: the batch is empty"
    else:
        w_y = np.where(kept, w[y], 0.0)
        t = _smoothed_target(y, w_y, w, eps, z.shape)
        t[~kept] = 0.0
        denominator = math.fsum(w_y)
        why = (
            "target: the batch is empty"
            if n == 0
            else f"target: every target equals ignore_index={ignore_index}"
            if not kept.any()
            else "weight: the weights of the non-ignored targets sum to 0"
        )
    divisor = _divisor(reduction, denominator, why)
    grad = np.zeros_like(z)
    # An ignored row contributes nothing and is not required to have a softmax.
    rows = slice(None) if kept.all() else kept
    grad[rows] = _softmax_grad_rows(z[rows], t[rows])
    return to_result_dtype(_class_axis_back(grad / divisor, np.shape(logits)), dtype)


def _softmax_grad_rows(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    r"""``T p - t`` per row, with ``T = sum_c t_c`` and ``p = softmax(z)``, without cancellation.

    Since :math:`\sum_j p_j = 1`, :math:`T p_c - t_c = p_c (T - t_c) - t_c (1 - p_c)`,
    and :math:`1 - p_c` is taken as :math:`\sum_{j \ne c} p_j` at the row's
    largest probability, where ``1 - p`` would round :math:`e^{-40}` to 0: the
    target entry of a confident, correct row keeps its tiny gradient, and the
    row still sums to 0.
    """
    try:
        p = softmax(z, axis=1)
    except ValueError as exc:
        raise ValueError(f"logits: {str(exc).removeprefix('x: ')}") from None
    k = np.argmax(p, axis=1)[:, np.newaxis]
    rest = 1.0 - p
    tail = p.copy()
    np.put_along_axis(tail, k, 0.0, axis=1)
    np.put_along_axis(rest, k, tail.sum(axis=1, keepdims=True), axis=1)
    total = t.sum(axis=1, keepdims=True)
    return p * (total - t) - t * rest


def binary_cross_entropy_with_logits_grad(
    logits: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    pos_weight: npt.ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`xent_ref.binary_cross_entropy_with_logits` with respect to the logits.

    Every argument means what it means for
    :func:`xent_ref.binary_cross_entropy_with_logits`, and is checked in the
    same way.

    Parameters
    ----------
    logits : array_like
        Logits :math:`z`, the point of the gradient.
    target : array_like
        Targets in [0, 1], the shape of ``logits``.
    weight : array_like, optional
        Per-element weights, broadcastable to the shape of ``logits``.
    pos_weight : array_like, optional
        Weight of the positive term, broadcastable to the shape of ``logits``.
    reduction : {"mean", "sum", "none"}, optional
        Which loss is differentiated (default ``"mean"``).

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, the shape of ``logits``.

    Raises
    ------
    ValueError, TypeError
        As :func:`xent_ref.binary_cross_entropy_with_logits` raises them.

    See Also
    --------
    xent_ref.binary_cross_entropy_with_logits : The loss.

    Notes
    -----
    From :math:`\mathrm{softplus}'(z) = \sigma(z)`,

    .. math::

        \frac{\partial \ell}{\partial z}
            = w \left( (1 - y)\,\sigma(z) - r\, y\, \sigma(-z) \right),

    which is :math:`w(\sigma(z) - y)` when :math:`r = 1`. It is computed in
    the two-term form, which keeps the relative accuracy of a tiny gradient
    (e.g. :math:`-e^{-40}` at :math:`z = 40, y = 1`, where
    :math:`\sigma(z) - y` gives 0). ``"mean"`` divides by the number of
    elements; see the module docstring for ``"none"``.

    Dtype: the gradient is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z = np.array([2.0, -1.0, 0.5])
    >>> y = np.array([1.0, 0.0, 0.3])
    >>> print(np.round(xr.grad.binary_cross_entropy_with_logits_grad(z, y), 4))
    [-0.0397  0.0896  0.1075]

    It is :math:`(\operatorname{sigmoid}(z) - y)/N`:

    >>> print(np.round((1 / (1 + np.exp(-z)) - y) / 3, 4))
    [-0.0397  0.0896  0.1075]
    """
    check_reduction(reduction)
    dtype = input_result_dtype(logits, "logits")
    z, y, w = _binary_inputs(logits, target, weight, x_name="logits", x_in_unit_interval=False)
    if pos_weight is None:
        grad = (1 - y) * sigmoid(z) - y * sigmoid(-z)
        if w is not None:
            grad = w * grad
    else:
        # w r y sigma(-z) overflows in r y where a small w brings it back into range
        r = _weights(pos_weight, "pos_weight", z.shape, "logits")
        one = np.ones(()) if w is None else w
        with np.errstate(over="ignore", invalid="ignore"):
            grad = _product(one, 1 - y, sigmoid(z)) - _product(one, r, y, sigmoid(-z))
    return to_result_dtype(grad / _divisor(reduction, z.size, "logits: has no elements"), dtype)


def mse_loss_grad(
    pred: npt.ArrayLike, target: npt.ArrayLike, *, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`xent_ref.mse_loss` with respect to the prediction.

    Every argument means what it means for :func:`xent_ref.mse_loss`, and is
    checked in the same way.

    Parameters
    ----------
    pred : array_like
        Predictions :math:`\hat y`, the point of the gradient.
    target : array_like
        Targets, the shape of ``pred``.
    reduction : {"mean", "sum", "none"}, optional
        Which loss is differentiated (default ``"mean"``).

    Returns
    -------
    ndarray
        :math:`\partial L / \partial \hat y`, the shape of ``pred``.

    Raises
    ------
    ValueError
        As :func:`xent_ref.mse_loss` raises it.

    See Also
    --------
    xent_ref.mse_loss : The loss.

    Notes
    -----
    .. math::

        \frac{\partial}{\partial \hat y_i} \frac1n \sum_j (\hat y_j - y_j)^2
            = \frac{2 (\hat y_i - y_i)}{n}

    for ``"mean"``, without the :math:`1/n` otherwise.

    Dtype: the gradient is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> print(xr.grad.mse_loss_grad([1.0, 2.0, 4.0], [1.0, 3.0, 2.0]))
    [ 0.         -0.66666667  1.33333333]
    >>> print(2 * np.array([0.0, -1.0, 2.0]) / 3)  # 2 (x - y) / N
    [ 0.         -0.66666667  1.33333333]
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_pair(pred, target)
    with np.errstate(over="ignore"):
        grad = 2 * (x - y)
    return to_result_dtype(grad / _divisor(reduction, x.size, "pred: has no elements"), dtype)


def poisson_nll_loss_grad(
    pred: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`xent_ref.poisson_nll_loss` with respect to the prediction.

    Every argument means what it means for :func:`xent_ref.poisson_nll_loss`,
    and is checked in the same way.

    Parameters
    ----------
    pred : array_like
        The log-rate (``log_input=True``) or the rate, the point of the
        gradient.
    target : array_like
        Counts, the shape of ``pred``.
    log_input : bool, optional
        Whether ``pred`` is the log-rate (default True).
    full : bool, optional
        Whether the loss has its Stirling term (default False). The term
        depends on the target only, so it does not change the gradient; the
        argument is accepted (and checked) so that the loss's arguments can be
        passed unchanged.
    eps : float, optional
        Added to the rate inside the log when ``log_input`` is False
        (default 1e-8).
    reduction : {"mean", "sum", "none"}, optional
        Which loss is differentiated (default ``"mean"``).

    Returns
    -------
    ndarray
        :math:`\partial L / \partial\,\mathrm{pred}`, the shape of ``pred``.

    Raises
    ------
    ValueError, TypeError
        As :func:`xent_ref.poisson_nll_loss` raises them.

    See Also
    --------
    xent_ref.poisson_nll_loss : The loss.

    Notes
    -----
    .. math::

        \frac{\partial \ell}{\partial z} = e^{z} - y \quad (\text{log\_input}),
        \qquad
        \frac{\partial \ell}{\partial \lambda} = 1 - \frac{y}{\lambda + \epsilon}
        \quad (\text{otherwise}),

    divided by the number of elements for ``"mean"``.

    Dtype: the gradient is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z, y = np.array([0.0, 1.0]), np.array([3.0, 1.0])
    >>> print(xr.grad.poisson_nll_loss_grad(z, y, reduction="sum"))
    [-2.          1.71828183]
    >>> print(np.exp(z) - y)  # e^z - y
    [-2.          1.71828183]

    It vanishes where the rate equals the count, :math:`z = \log y`:

    >>> print(xr.grad.poisson_nll_loss_grad([0.0, np.log(4.0)], [1.0, 4.0], reduction="sum"))
    [0. 0.]
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_pair(pred, target)
    check_nonnegative(y, "target")
    log_input = check_flag(log_input, "log_input")
    check_flag(full, "full")
    eps = check_positive(eps, "eps")
    if log_input:
        # e^z beyond the float range is +inf, its correct rounding
        with np.errstate(over="ignore"):
            grad = np.exp(x) - y
    else:
        check_nonnegative(x, "pred")
        # y / (pred + eps) beyond the float range is +inf, its correct rounding
        with np.errstate(over="ignore"):
            grad = 1 - y / (x + eps)
    return to_result_dtype(grad / _divisor(reduction, x.size, "pred: has no elements"), dtype)
