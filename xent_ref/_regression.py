"""Regression losses: squared, absolute and Huber error; Gaussian and Poisson NLL.

Each is the PyTorch function of the same name, applied elementwise in one
NumPy expression and reduced on the path of the classification losses
(:func:`xent_ref._blocking._elementwise`), with the same error messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xent_ref._blocking import _elementwise, _reduce_loss
from xent_ref._exact import _LOG_2PI
from xent_ref._validation import (
    as_finite_array,
    as_finite_pair,
    check_flag,
    check_nonnegative,
    check_positive,
    check_reduction,
    input_result_dtype,
    to_result_dtype,
)

__all__ = ["gaussian_nll_loss", "huber_loss", "l1_loss", "mse_loss", "poisson_nll_loss"]


def _squared_error(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # a square beyond the float range is +inf, its correct rounding
    with np.errstate(over="ignore"):
        return (x - y) ** 2


def _absolute_error(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.abs(x - y)


def mse_loss(pred, target, *, reduction: str = "mean"):
    r"""Mean squared error.

    The Gaussian negative log-likelihood with unit variance, up to the
    affine map :math:`\ell = 2\,\mathrm{NLL} - \log 2\pi`, with the
    semantics of ``torch.nn.functional.mse_loss`` [1]_.

    Parameters
    ----------
    pred : array_like
        Predictions :math:`\hat y`, finite, any shape.
    target : array_like
        Targets :math:`y`, finite, the shape of ``pred``.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.floating or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If the shapes differ, an input is NaN or infinite, the reduction is
        unknown, or ``"mean"`` has no element.
    TypeError
        If ``pred`` or ``target`` is not real-valued.

    See Also
    --------
    gaussian_nll_loss : The likelihood it is, with a learned variance.
    xent_ref.grad.mse_loss_grad : Its gradient, :math:`2(\hat y - y)/n`.

    Notes
    -----
    .. math::

        \ell = (\hat y - y)^2.

    The difference is rounded once, so :math:`\ell` is within about 1.5 ulp
    of exact; a square beyond the float range is :math:`+\infty`.

    Difference from PyTorch: the shapes must be equal; PyTorch broadcasts
    them (with a warning).

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.mse_loss``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.mse_loss.html

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> print(f"{xr.mse_loss([1.0, 2.0, 4.0], [1.0, 3.0, 2.0]):.6f}", f"{5 / 3:.6f}")
    1.666667 1.666667

    It is twice the unit-variance Gaussian NLL, less :math:`\log 2\pi`:

    >>> x, y = np.array([0.3, -1.2]), np.array([0.0, 0.5])
    >>> print(f"{xr.mse_loss(x, y):.6f}")  # (0.3**2 + 1.7**2) / 2
    1.490000
    >>> nll = xr.gaussian_nll_loss(x, y, 1.0, full=True)
    >>> print(f"{nll:.6f}")  # -scipy.stats.norm.logpdf(y, x).mean(): 1.663939
    1.663939
    >>> print(f"{2 * nll - np.log(2 * np.pi):.6f}")
    1.490000
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_pair(pred, target)
    loss = _elementwise(_squared_error, reduction, x.shape, "pred", x, y)
    return to_result_dtype(loss, dtype)


def l1_loss(pred, target, *, reduction: str = "mean"):
    r"""Mean absolute error.

    The Laplace negative log-likelihood with unit scale, up to the affine
    map :math:`\ell = \mathrm{NLL} - \log 2`, with the semantics of
    ``torch.nn.functional.l1_loss`` [1]_.

    Parameters
    ----------
    pred : array_like
        Predictions :math:`\hat y`, finite, any shape.
    target : array_like
        Targets :math:`y`, finite, the shape of ``pred``.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.floating or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If the shapes differ, an input is NaN or infinite, the reduction is
        unknown, or ``"mean"`` has no element.
    TypeError
        If ``pred`` or ``target`` is not real-valued.

    See Also
    --------
    huber_loss : Quadratic near 0, linear beyond ``delta``.
    xent_ref.distributions.Laplace : The distribution it is the NLL of.

    Notes
    -----
    .. math::

        \ell = |\hat y - y|,

    correctly rounded (one rounding, in the difference).

    Difference from PyTorch: the shapes must be equal; PyTorch broadcasts
    them (with a warning).

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.l1_loss``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.l1_loss.html

    Examples
    --------
    >>> import xent_ref as xr
    >>> print(xr.l1_loss([1.0, 2.0, 4.0], [1.0, 3.0, 2.0], reduction="none"))
    [0. 1. 2.]
    >>> print(xr.l1_loss([1.0, 2.0, 4.0], [1.0, 3.0, 2.0]))  # (0 + 1 + 2) / 3
    1.0
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_pair(pred, target)
    loss = _elementwise(_absolute_error, reduction, x.shape, "pred", x, y)
    return to_result_dtype(loss, dtype)


def huber_loss(pred, target, *, delta: float = 1.0, reduction: str = "mean"):
    r"""Huber loss: squared error near 0, absolute error beyond ``delta``.

    Huber's robust loss [1]_, with the semantics of
    ``torch.nn.functional.huber_loss`` [2]_.

    Parameters
    ----------
    pred : array_like
        Predictions :math:`\hat y`, finite, any shape.
    target : array_like
        Targets :math:`y`, finite, the shape of ``pred``.
    delta : float, optional
        The threshold :math:`\delta > 0` (finite) where the loss turns
        linear; default 1.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.floating or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If the shapes differ, an input is NaN or infinite, ``delta <= 0``,
        the reduction is unknown, or ``"mean"`` has no element.
    TypeError
        If ``pred`` or ``target`` is not real-valued, or ``delta`` not a
        real number.

    See Also
    --------
    mse_loss, l1_loss : Its two regimes.

    Notes
    -----
    With :math:`d = \hat y - y`,

    .. math::

        \ell = \begin{cases}
            \tfrac12 d^2 & |d| < \delta, \\
            \delta \left(|d| - \tfrac12 \delta\right) & |d| \ge \delta.
        \end{cases}

    Both pieces and their slopes meet at :math:`|d| = \delta`. Where
    :math:`\hat y - y` overflows (huge values of opposite signs) the linear
    piece is formed from the halved inputs, so the loss is :math:`+\infty`
    only where its exact value is beyond the float range. It is
    :math:`\delta` times PyTorch's ``smooth_l1_loss`` with
    ``beta = delta``. It is the negative log-likelihood of Huber's
    least-favourable distribution, a Gaussian centre with Laplace tails,
    whose normalising constant depends on :math:`\delta` only.

    Difference from PyTorch: the shapes must be equal; PyTorch broadcasts
    them (with a warning).

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] P. J. Huber, "Robust Estimation of a Location Parameter", The
       Annals of Mathematical Statistics 35(1), 73-101 (1964).
    .. [2] PyTorch, ``torch.nn.functional.huber_loss``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.huber_loss.html

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> print(xr.huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none"))
    [0.125 2.5  ]

    Below ``delta`` it is half the squared error, :math:`0.5^2/2`; beyond,
    ``delta`` times the absolute error, less :math:`\delta^2/2`
    (:math:`2 \cdot 9 - 2`):

    >>> print(xr.huber_loss([0.5], [0.0], delta=2.0), 0.5**2 / 2)
    0.125 0.125
    >>> print(xr.huber_loss([9.0], [0.0], delta=2.0), 2 * 9.0 - 2.0**2 / 2)
    16.0 16.0
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_pair(pred, target)
    delta = check_positive(delta, "delta")
    with np.errstate(over="ignore"):
        d = np.abs(x - y)
        loss = np.where(d < delta, (0.5 * d) * d, delta * (d - 0.5 * delta))
        # |x - y| overflows for huge x, y of opposite signs, while
        # delta (|x - y| - delta / 2) may be finite: halve the terms (exact).
        spill = np.isinf(d)
        if spill.any():
            half = np.abs(0.5 * x[spill] - 0.5 * y[spill])
            loss[spill] = 2.0 * (delta * (half - 0.25 * delta))
    return to_result_dtype(_reduce_loss(loss, reduction, "pred"), dtype)


def _homoscedastic_shape(shape: tuple[int, ...], ref: tuple[int, ...]) -> bool:
    """True if ``shape`` is ``ref`` with exactly one dimension of ``ref`` replaced by 1."""
    if len(shape) != len(ref):
        return False
    mismatched = [(s, r) for s, r in zip(shape, ref) if s != r]
    return len(mismatched) == 1 and mismatched[0][0] == 1


def gaussian_nll_loss(
    pred,
    target,
    var,
    *,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
):
    r"""Gaussian negative log-likelihood with a predicted variance.

    The negative log-likelihood of :math:`\mathcal N(\hat y, \sigma^2)`, with
    the semantics of ``torch.nn.functional.gaussian_nll_loss`` [1]_ [2]_.

    Parameters
    ----------
    pred : array_like
        Predicted means :math:`\hat y`, finite, any shape.
    target : array_like
        Targets :math:`y`, finite: the shape of ``pred``, or that shape with
        one dimension equal to 1 (broadcast).
    var : array_like or float
        Variances :math:`\sigma^2 \ge 0`, finite, in one of the layouts
        PyTorch accepts: a scalar (one variance for all); the shape of
        ``pred`` (heteroscedastic); the shape of ``pred`` without its last
        dimension, or with exactly one dimension equal to 1 (homoscedastic
        along that dimension, e.g. (N,) or (N, 1) for ``pred`` of shape
        (N, D)).
    full : bool, optional
        Add the constant :math:`\tfrac12 \log 2\pi` (default False).
    eps : float, optional
        Variances below ``eps`` (finite, > 0; default 1e-6) are raised to it.
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements of
        the broadcast loss.

    Returns
    -------
    numpy.floating or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If a shape is not one of the accepted layouts, ``var`` has a
        negative entry, an input is NaN or infinite, ``eps <= 0``, the
        reduction is unknown, or ``"mean"`` has no element.
    TypeError
        If ``pred``, ``target`` or ``var`` is not real-valued, ``full`` is
        not a bool, or ``eps`` not a real number.

    See Also
    --------
    mse_loss : The case of a fixed unit variance.
    xent_ref.distributions.Normal : ``Normal(pred, sqrt(var)).nll(target)``
        equals this loss with ``full=True`` (for ``var >= eps``).

    Notes
    -----
    With :math:`v = \max(\sigma^2, \epsilon)`,

    .. math::

        \ell = \frac12 \left( \log v + \frac{(\hat y - y)^2}{v} \right)
               \left[ + \frac12 \log 2\pi \right].

    The terms can have opposite signs (:math:`\log v < 0` for
    :math:`v < 1`), so near a zero loss the error is a few ulp of the
    largest term, not of the loss: the cancellation is in the formula.
    :math:`\sigma^2 = 0` is allowed and clamped, as in PyTorch. The
    quotient is formed as :math:`(d/2)(d/v)` with :math:`d = \hat y - y`,
    so it overflows only where the loss is beyond the float range
    (:math:`d^2` alone overflows at :math:`|d| > 1.3 \times 10^{154}`).

    Differences from PyTorch: a 0-d array ``var`` counts as a scalar for
    any shape of ``pred`` (PyTorch takes a 0-d tensor only for 1-d
    ``pred``); ``var`` must be finite and ``eps`` > 0; ``target`` must have
    one of the layouts PyTorch documents (the shape of ``pred``, or that shape
    with one dimension equal to 1), while PyTorch also broadcasts other
    shapes, such as a 0-d ``target``, without a warning.

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.gaussian_nll_loss``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.gaussian_nll_loss.html
    .. [2] D. A. Nix and A. S. Weigend, "Estimating the mean and variance of
       the target probability distribution", ICNN 1994.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> x, y = np.array([0.3, -1.2]), np.array([0.0, 0.5])
    >>> var = np.array([0.5, 2.0])
    >>> print(np.round(xr.gaussian_nll_loss(x, y, var, reduction="none"), 6))
    [-0.256574  1.069074]
    >>> print(np.round(0.5 * (np.log(var) + (x - y) ** 2 / var), 6))
    [-0.256574  1.069074]

    With ``full=True`` it is the Gaussian log-density, negated:

    >>> from scipy import stats
    >>> print(np.round(xr.gaussian_nll_loss(x, y, var, full=True, reduction="none"), 6))
    [0.662365 1.988012]
    >>> print(np.round(-stats.norm.logpdf(y, loc=x, scale=np.sqrt(var)), 6))
    [0.662365 1.988012]
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_array(pred, "pred"), as_finite_array(target, "target")
    if y.shape != x.shape and not _homoscedastic_shape(y.shape, x.shape):
        raise ValueError(
            f"target: shape {y.shape} is neither the pred shape {x.shape} "
            "nor that shape with one dimension equal to 1"
        )
    v = as_finite_array(var, "var")
    check_nonnegative(v, "var")
    if v.ndim and v.shape != x.shape:
        if v.shape == x.shape[:-1]:
            v = v[..., np.newaxis]
        elif not _homoscedastic_shape(v.shape, x.shape):
            raise ValueError(
                f"var: shape {v.shape} is not one of the accepted layouts for pred shape "
                f"{x.shape}: a scalar, {x.shape}, {x.shape[:-1]}, or {x.shape} with one "
                "dimension equal to 1"
            )
    full = check_flag(full, "full")
    eps = check_positive(eps, "eps")

    v = np.maximum(v, eps)
    # d * (d / v), not d**2 / v: d**2 overflows at |d| > 1.3e154 where the
    # quotient is finite. A loss beyond the float range is +inf, its correct
    # rounding (|d| = inf only where d**2 / v > float max for any v).
    with np.errstate(over="ignore", under="ignore"):
        d = x - y
        loss = 0.5 * np.log(v) + (0.5 * d) * (d / v)
    if full:
        loss = loss + 0.5 * _LOG_2PI
    return to_result_dtype(_reduce_loss(loss, reduction, "pred"), dtype)


def poisson_nll_loss(
    pred,
    target,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
):
    r"""Poisson negative log-likelihood of counts.

    The negative log-likelihood of :math:`\mathrm{Poisson}(\lambda)` without
    (or, with ``full=True``, with Stirling's approximation of) the
    :math:`\log y!` term, with the semantics of
    ``torch.nn.functional.poisson_nll_loss`` [1]_.

    Parameters
    ----------
    pred : array_like
        The log-rate :math:`z = \log\lambda` (``log_input=True``, default;
        finite) or the rate :math:`\lambda \ge 0` (``log_input=False``).
    target : array_like
        Counts :math:`y \ge 0` (finite; non-integers accepted, as in
        PyTorch), the shape of ``pred``.
    log_input : bool, optional
        Whether ``pred`` is :math:`\log\lambda` (default True).
    full : bool, optional
        Add Stirling's approximation of :math:`\log y!` where
        :math:`y > 1` (default False).
    eps : float, optional
        With ``log_input=False``, :math:`\log(\lambda + \epsilon)` replaces
        :math:`\log\lambda` (finite, > 0; default 1e-8).
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) divides the sum by the number of elements.

    Returns
    -------
    numpy.floating or ndarray
        The reduced loss, or the elementwise loss for ``"none"``.

    Raises
    ------
    ValueError
        If the shapes differ, ``target`` (or the rate, with
        ``log_input=False``) has a negative entry, an input is NaN or
        infinite, ``eps <= 0``, the reduction is unknown, or ``"mean"`` has
        no element.
    TypeError
        If ``pred`` or ``target`` is not real-valued, ``log_input`` or
        ``full`` is not a bool, or ``eps`` not a real number.

    See Also
    --------
    xent_ref.distributions.Poisson : ``Poisson.nll`` is the exact NLL, with
        :math:`\log y! = \log\Gamma(y + 1)`.
    xent_ref.grad.poisson_nll_loss_grad : Its gradient, :math:`e^z - y`.

    Notes
    -----
    .. math::

        \ell = \begin{cases}
            e^{z} - y\, z & \text{log\_input}, \\
            \lambda - y \log(\lambda + \epsilon) & \text{otherwise},
        \end{cases}

    and with ``full=True``, plus :math:`y \log y - y + \tfrac12 \log(2\pi y)`
    where :math:`y > 1` (0 where :math:`y \le 1`).

    Where PyTorch is not the exact likelihood, and ``xent_ref`` follows
    PyTorch: the exact NLL adds :math:`\log y! = \log\Gamma(y + 1)`; the
    Stirling term is only its asymptotic approximation, which
    underestimates it by about :math:`1/(12y)` (0.041 at :math:`y = 2`,
    less than :math:`10^{-4}` beyond :math:`y = 1000`), and for
    :math:`y \in \{0, 1\}` the term is 0 and exact, since
    :math:`\log 0! = \log 1! = 0`. Use ``Poisson.nll`` for the exact value.

    Accuracy. With ``full=True`` and :math:`y > 1` the loss is evaluated as
    :math:`\mathrm{bd0}(y, \mu) + \tfrac12\log(2\pi y)`, with
    :math:`\mu = e^z` (or :math:`\mu = \lambda + \epsilon`, less
    :math:`\epsilon`) and Loader's deviance
    :math:`\mathrm{bd0}(y, \mu) = y\log(y/\mu) + \mu - y \ge 0` computed
    without cancellation [2]_; it is within
    :math:`4\,(\mathrm{ulp} + \lvert\mu - y\rvert\,2^{-53})` of the exact
    value, the second term from rounding :math:`\mu`. Otherwise the two
    terms of :math:`\ell` have opposite signs, and the error is within 4 ulp
    of the largest of :math:`y` and the two terms (:math:`e^z` and
    :math:`\lvert y z\rvert`, or :math:`\lambda` and
    :math:`\lvert y \log(\lambda + \epsilon)\rvert`), not of :math:`\ell`: the cancellation is in the formula. No
    intermediate overflows: where a term exceeds the float range the terms
    are rescaled by a power of two, so the result is :math:`\pm\infty` only
    where the exact loss is beyond the float range (e.g. :math:`+\infty` at
    :math:`z = 800, y = 10^{306}`, where :math:`e^{800}` outweighs
    :math:`y z`), and never NaN.

    Differences from PyTorch, all stricter: the shapes must be equal
    (PyTorch broadcasts), ``target`` and the rate must be >= 0 and finite,
    and ``eps`` must be > 0.

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] PyTorch, ``torch.nn.functional.poisson_nll_loss``,
       https://pytorch.org/docs/stable/generated/torch.nn.functional.poisson_nll_loss.html
    .. [2] C. Loader, "Fast and Accurate Computation of Binomial
       Probabilities", 2000 (the deviance term of R's ``dpois``).

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> z, y = np.array([0.5, 1.5]), np.array([2.0, 4.0])
    >>> print(np.round(xr.poisson_nll_loss(z, y, reduction="none"), 4))
    [ 0.6487 -1.5183]
    >>> print(np.round(np.exp(z) - y * z, 4))
    [ 0.6487 -1.5183]

    With ``full=True`` it is close to, but not exactly, the Poisson NLL
    (``scipy.stats.poisson.logpmf``, negated); the gap is Stirling's error,
    about :math:`1/(12y)`:

    >>> from scipy import stats
    >>> exact = -stats.poisson.logpmf(y, np.exp(z))
    >>> print(np.round(exact - xr.poisson_nll_loss(z, y, full=True, reduction="none"), 4))
    [0.0413 0.0208]
    >>> print(np.round(1 / (12 * y), 4))
    [0.0417 0.0208]
    """
    check_reduction(reduction)
    dtype = input_result_dtype(pred, "pred")
    x, y = as_finite_pair(pred, target)
    check_nonnegative(y, "target")
    log_input = check_flag(log_input, "log_input")
    full = check_flag(full, "full")
    eps = check_positive(eps, "eps")
    if not log_input:
        check_nonnegative(x, "pred")
    loss = _poisson_nll(x, y, log_input=log_input, full=full, eps=eps)
    return to_result_dtype(_reduce_loss(loss, reduction, "pred"), dtype)


#: Power of two by which the terms of the Poisson NLL are scaled down where
#: they overflow: 2**-64 brings e^z for z < 720 and y * z for any float y
#: and |z| < 720 back into range.
_POISSON_SCALE = 64

#: Above this log-rate e^z exceeds y * z + y for every float y, so the loss
#: is +inf: e^720 / 2**1024 > 2.7e4 > 720.
_POISSON_LOG_RATE_INF = 720.0


def _poisson_nll(x, y, *, log_input: bool, full: bool, eps: float) -> np.ndarray:
    r"""The elementwise Poisson NLL of :func:`poisson_nll_loss`, free of spurious inf and NaN.

    With the rate :math:`\mu` (``e^z``, or ``pred + eps``) the loss is
    :math:`\mu - y\log\mu` (with ``pred`` for :math:`\mu` in the first
    term when ``log_input=False``), and with ``full=True`` where
    :math:`y > 1` it is :math:`\mathrm{bd0}(y, \mu) + \tfrac12\log(2\pi y)`
    (less ``eps``), with Loader's deviance
    :math:`\mathrm{bd0}(y, \mu) = y\log(y/\mu) + \mu - y \ge 0` evaluated
    without cancellation: the Stirling term's :math:`y\log y - y` and the
    loss's :math:`\mu - y\log\mu` nearly cancel at the minimum
    :math:`\mu = y`, and summed as they stand would leave an error of a few
    ulp of :math:`y\log y`. Where a term overflows (the result is then inf
    or NaN, though the exact loss may be finite), the terms are taken scaled
    by :math:`2^{-64}`, which is exact (bd0 is homogeneous of degree 1), and
    the result scaled back: it overflows to :math:`\pm\infty` only if the
    exact loss does.
    """
    stirling = full & (y > 1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if log_input:
            rate, log_rate = np.exp(x), x
        else:
            rate, log_rate = x, np.log(x + eps)
        loss = rate - y * log_rate
    bad = ~np.isfinite(loss) & ~stirling
    if bad.any():
        loss[bad] = _scaled(_poisson_terms_scaled, x[bad], y[bad], log_rate[bad], log_input)
    if stirling.any():
        loss[stirling] = _poisson_deviance_form(x[stirling], y[stirling], log_input, eps)
    return loss


def _scaled(fn, x, *args):
    """``2**64 * fn(...)``: ``fn`` returns its value scaled by ``2**-64``."""
    with np.errstate(over="ignore"):
        return np.ldexp(fn(x, *args), _POISSON_SCALE)


def _rate_scaled(x: np.ndarray, log_input: bool) -> np.ndarray:
    """The rate ``e^z`` (or ``pred``) times ``2**-64``, finite for ``z < 720``."""
    if not log_input:
        return np.ldexp(x, -_POISSON_SCALE)
    # e^z 2**-64 = (e^{z/2} 2**-32)**2: z / 2 is exact, so is the scaling.
    half = np.exp(0.5 * np.minimum(x, _POISSON_LOG_RATE_INF))
    return np.square(np.ldexp(half, -(_POISSON_SCALE // 2)))


def _poisson_terms_scaled(x, y, log_rate, log_input) -> np.ndarray:
    """``(rate - y log-rate) * 2**-64``; +inf where ``z >= 720`` (e^z outweighs any y z)."""
    with np.errstate(over="ignore"):
        out = _rate_scaled(x, log_input) - np.ldexp(y, -_POISSON_SCALE) * log_rate
    if log_input:
        out[x >= _POISSON_LOG_RATE_INF] = np.inf
    return out


def _poisson_deviance_form(x, y, log_input: bool, eps: float) -> np.ndarray:
    """The ``full=True`` loss where ``y > 1``: ``bd0(y, mu) + log(2 pi y) / 2`` (less eps)."""
    # Imported here, not at the top: distributions may come to import the losses.
    from xent_ref.distributions import _bd0

    # Scale by 2**-64 where e^z may overflow (z > 709.78); elsewhere not at all.
    k = np.where(x > 709.0, _POISSON_SCALE, 0) if log_input else np.zeros(x.shape, int)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        if log_input:
            mu = np.where(k > 0, _rate_scaled(x, True), np.exp(np.minimum(x, 709.0)))
            log_mu = x
        else:
            mu = x + eps
            log_mu = np.log(mu)
        ys = np.ldexp(y, -k)
        ratio = ys / mu
    # log(y / mu) from the ratio is accurate to an absolute ~1e-16; where the
    # ratio is not a normal float, log y - log mu is huge and exact enough.
    usable = np.isfinite(ratio) & (ratio >= np.finfo(np.float64).tiny)
    with np.errstate(divide="ignore"):
        log_ratio = np.where(usable, np.log(np.where(usable, ratio, 1.0)), np.log(y) - log_mu)
    with np.errstate(over="ignore"):
        deviance = np.ldexp(_bd0(ys, mu, log_ratio), k)
        out = deviance + 0.5 * (_LOG_2PI + np.log(y))
    if log_input:
        out[x >= _POISSON_LOG_RATE_INF] = np.inf
    else:
        out -= eps
    return out
