r"""The unification, as data: which loss is the NLL of which distribution.

Every standard loss is, up to a positive scale and a shift that do not depend
on the prediction, the mean negative log-likelihood (NLL) of the targets
under a distribution whose parameters the prediction sets:

.. math::

    \ell(\hat y, y) = a\,\overline{\mathrm{NLL}} + b, \qquad
    \overline{\mathrm{NLL}} = \frac1n\sum_{i=1}^n -\log p(y_i \mid \theta_i(\hat y)),
    \qquad a > 0.

So minimising the loss is maximum likelihood. :data:`RECORDS` holds one
:class:`Record` per loss of ``xent_ref`` stating the distribution, the
parameter map :math:`\hat y \mapsto \theta` and the constants :math:`a` and
:math:`b`, or that there are none (the focal and hinge losses, and the Brier
score: a proper scoring rule that is not an NLL).

Three functions use the records:

- :func:`check` verifies the relation numerically on given inputs;
- :func:`likelihood_check` asks "is this loss a likelihood?": does
  :math:`e^{-\ell(y;\theta)/a}`, with the record's own scale :math:`a`, sum
  or integrate over :math:`y` to the same constant at each tested
  :math:`\theta`?

The records hold numbers and functions only; the documentation renders its
table of losses from them, so the table is never typed by hand.

:func:`huber_normaliser` is the closed-form normalising constant that makes
the Huber loss an NLL.

Examples
--------
>>> import numpy as np
>>> from xent_ref.unification import RECORDS, check, likelihood_check
>>> rec = {r.name: r for r in RECORDS}["mse_loss"]
>>> rec.distribution.__name__, dict(rec.hyper)
('Normal', {'sigma': 1.0})
>>> rng = np.random.default_rng(0)
>>> pred, y = rng.normal(size=5), rng.normal(size=5)
>>> check(rec, pred, y)
True
>>> likelihood_check({r.name: r for r in RECORDS}["hinge_loss"]).passed
False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from xent_ref._classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    sigmoid_focal_loss,
    softmax_cross_entropy,
)
from xent_ref._regression import (
    gaussian_nll_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    poisson_nll_loss,
)
from xent_ref._scoring import brier_score
from xent_ref._validation import (
    as_finite_array,
    as_unit_interval_array,
    check_nonnegative,
    check_reduction,
    check_same_shape,
    check_scalar,
    reduce,
)
from xent_ref.distributions import (
    Bernoulli,
    Beta,
    Categorical,
    Gamma,
    GaussianMixture,
    Laplace,
    NegativeBinomial,
    Normal,
    Poisson,
    StudentT,
    VonMises,
)
from xent_ref._exact import _LOG_2PI, _lgamma, _log_factorial

__all__ = [
    "RECORDS",
    "LikelihoodCheck",
    "Record",
    "Support",
    "beta_nll",
    "check",
    "gamma_nll",
    "gaussian_mixture_nll",
    "huber_normaliser",
    "likelihood_check",
    "negative_binomial_nll",
    "student_t_nll",
    "von_mises_nll",
]


# ---------------------------------------------------------------------------
# The Huber normaliser
# ---------------------------------------------------------------------------


def huber_normaliser(delta: float = 1.0) -> np.float64:
    r"""Normalising constant :math:`Z_\delta = \int e^{-\mathrm{huber}_\delta(r)}\,dr`.

    With it, :math:`p(y \mid \mu) = e^{-\mathrm{huber}_\delta(y-\mu)}/Z_\delta`
    is a density, so the Huber loss is the NLL of that distribution minus
    :math:`\log Z_\delta`.

    Parameters
    ----------
    delta : float, optional
        The Huber threshold :math:`\delta`; finite and > 0 (default 1.0).

    Returns
    -------
    numpy.float64
        :math:`Z_\delta`.

    Raises
    ------
    TypeError
        If ``delta`` is not a real number.
    ValueError
        If ``delta`` is not finite and > 0.

    See Also
    --------
    xent_ref.huber_loss : :math:`\mathrm{huber}_\delta`, elementwise.

    Notes
    -----
    With :math:`\mathrm{huber}_\delta(r) = r^2/2` for :math:`\lvert r\rvert <
    \delta` and :math:`\delta(\lvert r\rvert - \delta/2)` otherwise, the
    integral splits into a Gaussian core and two exponential tails:

    .. math::

        Z_\delta = \int_{-\delta}^{\delta} e^{-r^2/2}\,dr
                   + 2\int_\delta^\infty e^{-\delta r + \delta^2/2}\,dr
                 = \sqrt{2\pi}\,\operatorname{erf}\!\bigl(\delta/\sqrt2\bigr)
                   + \frac{2}{\delta}\,e^{-\delta^2/2}
                 = 2\Bigl[\sqrt{2\pi}\,\bigl(\Phi(\delta) - \tfrac12\bigr)
                   + \frac{e^{-\delta^2/2}}{\delta}\Bigr].

    As :math:`\delta \to \infty` it tends to :math:`\sqrt{2\pi}` (the
    Gaussian); as :math:`\delta \to 0`, to :math:`2/\delta` (a Laplace
    density of scale :math:`1/\delta`).

    References
    ----------
    .. [1] P. J. Huber, "Robust Estimation of a Location Parameter", *Annals
       of Mathematical Statistics* 35(1), 73-101, 1964 (the least favourable
       density, proportional to :math:`e^{-\mathrm{huber}_\delta}`).

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.unification import huber_normaliser
    >>> print(round(float(huber_normaliser(1.0)), 10))
    2.9243101032
    >>> bool(np.isclose(huber_normaliser(40.0), np.sqrt(2 * np.pi), rtol=1e-15, atol=0))
    True
    """
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)):
        raise TypeError(f"delta: must be a real number, got {delta!r}")
    d = float(delta)
    if not 0.0 < d < math.inf:
        raise ValueError(f"delta: must be finite and > 0, got {delta!r}")
    core = math.sqrt(2.0 * math.pi) * math.erf(d / math.sqrt(2.0))
    tails = 2.0 * math.exp(-0.5 * d * d) / d
    return np.float64(core + tails)


def _huber(r: np.ndarray, delta: float) -> np.ndarray:
    """huber_delta(r), written as q (|r| - q/2) with q = min(|r|, delta) (no r**2 overflow)."""
    a = np.abs(r)
    q = np.minimum(a, delta)
    return q * (a - 0.5 * q)


# ---------------------------------------------------------------------------
# Supports: where y lives, and the weights of the sum or quadrature over it
# ---------------------------------------------------------------------------


class Support(NamedTuple):
    r"""Points ``y`` and log-weights for :math:`Z = \sum_j e^{\log w_j - \ell(y_j)}`.

    For a discrete ``y`` the weights are the base measure (1, or ``1/y!``
    for counts); for a continuous ``y`` they are trapezoid-rule weights.

    Attributes
    ----------
    values : numpy.ndarray
        The points ``y``.
    log_weights : numpy.ndarray
        :math:`\log w_j`, one per point.
    method : str
        How :math:`Z` is computed (sum or quadrature).
    base_measure : str
        :math:`h(y)` when it is not 1 (``"1/y!"``), else ``""``.
    """

    values: np.ndarray
    log_weights: np.ndarray
    method: str
    base_measure: str = ""


def _points(*values: float) -> Callable[..., Support]:
    """A finite support with unit weights, e.g. {0, 1}."""

    def support(thetas, **_) -> Support:
        y = np.array(values, dtype=np.float64)
        shown = ", ".join(f"{v:g}" for v in values)
        return Support(y, np.zeros(y.size), f"sum over y in {{{shown}}}")

    return support


def _classes(thetas, **_) -> Support:
    """Class indices 0 .. C-1, C from the length of the logit vectors."""
    c = np.shape(thetas[0][0])[-1]
    return Support(np.arange(c), np.zeros(c), f"sum over the {c} classes")


def _counts(rate_of: Callable[..., np.ndarray]) -> Callable[..., Support]:
    """Counts 0 .. K with base measure 1/y!, K far in the tail of the largest rate."""

    def support(thetas, **kw) -> Support:
        top = max(float(np.max(rate_of(*theta, **kw))) for theta in thetas)
        # Beyond rate + 12 sqrt(rate) + 30 the Poisson mass is below 1e-25.
        k = int(math.ceil(top + 12.0 * math.sqrt(top) + 30.0))
        y = np.arange(k + 1, dtype=np.float64)
        return Support(y, -_log_factorial(y), f"sum over y = 0..{k} with base measure 1/y!", "1/y!")

    return support


#: Step of the trapezoid rule for a continuous ``y``. Where the integrand
#: has a kink (Laplace at the location) the rule's error is about
#: step**2 / 4 relative, 6e-8 here; elsewhere it is far smaller.
_QUADRATURE_STEP = 5e-4


def _real_line(halfwidth_of: Callable[..., float]) -> Callable[..., Support]:
    """A trapezoid grid covering every theta's location +- its half-width.

    The grid is the same for every theta and not centred on any of them, so
    the locations fall on or between nodes and the quadrature error differs
    between them: the check does not get translation invariance for free.
    """

    def support(thetas, **kw) -> Support:
        centres = [float(np.max(np.abs(theta[0]))) for theta in thetas]
        reach = max(c + halfwidth_of(*theta, **kw) for c, theta in zip(centres, thetas))
        n = int(math.ceil(2 * reach / _QUADRATURE_STEP)) + 1
        y = np.linspace(-reach, reach, n)
        h = y[1] - y[0]
        log_w = np.full(n, math.log(h))
        log_w[[0, -1]] = math.log(h / 2)
        return Support(y, log_w, f"trapezoid rule, {n} nodes on [{-reach:g}, {reach:g}]")

    return support


# ---------------------------------------------------------------------------
# The record
# ---------------------------------------------------------------------------


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Record:
    r"""One loss, the distribution it is the NLL of, and the affine relation.

    Calling convention: the loss is called as ``loss(*inputs, **options,
    reduction=...)`` where ``inputs`` are its positional arguments, named in
    ``inputs`` (the prediction first, the target second, then any others,
    e.g. ``var``). Every callable field receives the same positional
    ``inputs`` (``parameters`` receives them without the target) and, as
    keywords, the ``options`` and ``hyper`` constants.

    Attributes
    ----------
    name : str
        Row label: the ``xent_ref`` function and the options that define the
        row, e.g. ``"poisson_nll_loss(log_input=False)"``.
    loss : callable
        The ``xent_ref`` loss function.
    inputs : tuple of str
        Names of the loss's positional arguments.
    options : mapping
        Keyword options passed to the loss (fixed for this row).
    hyper : mapping
        Constants of the distributional assumption that the loss does not
        take, e.g. the fixed :math:`\sigma` behind MSE.
    is_nll : bool
        Whether the loss is an NLL (then ``a`` and ``b`` are set) or not
        (focal, hinge, Brier: then neither is).
    distribution : type or None
        The class from :mod:`xent_ref.distributions`, or None when the
        density has no class here (Huber: then ``nll`` is given).
    parameters : callable or None
        ``parameters(prediction, *extra, **constants) -> dict`` of keyword
        arguments for ``distribution``.
    nll : callable or None
        ``nll(*inputs, **constants) -> ndarray``: elementwise NLL, for a
        density without a class.
    a, b : float or callable
        The relation :math:`\ell = a\,\overline{\mathrm{NLL}} + b`; a callable
        gets ``(*inputs, **constants)``. :math:`a > 0`. Neither depends on
        the prediction; ``b`` may depend on the *targets* (the Poisson
        :math:`\log y!`) and on fixed options.
    support : callable
        ``support(thetas, **constants) -> Support``: where ``y`` lives, for
        :func:`likelihood_check`.
    thetas : tuple
        Default parameter settings for :func:`likelihood_check`; each is a
        tuple of the non-target inputs (the prediction first).
    """

    name: str
    loss: Callable[..., Any]
    inputs: tuple[str, ...]
    is_nll: bool
    support: Callable[..., Support]
    thetas: tuple
    options: Mapping[str, Any] = field(default_factory=dict)
    hyper: Mapping[str, float] = field(default_factory=dict)
    distribution: type | None = None
    parameters: Callable[..., dict] | None = None
    nll: Callable[..., np.ndarray] | None = None
    a: float | Callable[..., float] | None = None
    b: float | Callable[..., float] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", _frozen(self.options))
        object.__setattr__(self, "hyper", _frozen(self.hyper))

    @property
    def constants(self) -> dict[str, Any]:
        """``options`` and ``hyper`` together: the keywords every callable gets."""
        return {**self.options, **self.hyper}

    def _require_nll(self) -> None:
        if not self.is_nll:
            raise ValueError(f"record: {self.name} is not an NLL: it has no a, b or distribution")

    def elementwise_nll(self, *inputs) -> np.ndarray:
        r"""The NLL of each target under the distribution the prediction sets.

        Parameters
        ----------
        *inputs : array_like
            The loss's positional arguments, named in ``inputs``.

        Returns
        -------
        numpy.ndarray
            :math:`-\log p(y_i \mid \theta_i)`, one per target.

        Raises
        ------
        ValueError
            If the record is not an NLL.
        """
        self._require_nll()
        if self.distribution is None:
            # An NLL record names its density: a distribution or an nll.
            assert self.nll is not None
            return np.asarray(self.nll(*inputs, **self.constants))
        assert self.parameters is not None
        prediction, target, *extra = inputs
        params = self.parameters(prediction, *extra, **self.constants)
        return np.asarray(self.distribution(**params).nll(target))

    def mean_nll(self, *inputs) -> np.float64:
        r""":math:`\overline{\mathrm{NLL}}`, the mean of :meth:`elementwise_nll`.

        Parameters
        ----------
        *inputs : array_like
            The loss's positional arguments, named in ``inputs``.

        Returns
        -------
        numpy.float64
            The mean NLL of the targets.
        """
        return np.float64(np.mean(self.elementwise_nll(*inputs)))

    def coefficients(self, *inputs) -> tuple[float, float]:
        r"""``(a, b)`` for these inputs.

        Parameters
        ----------
        *inputs : array_like
            The loss's positional arguments, named in ``inputs``.

        Returns
        -------
        a, b : float
            The scale and the shift of :math:`\ell = a\,\overline{\mathrm{NLL}} + b`.

        Raises
        ------
        ValueError
            If the record is not an NLL.
        """
        self._require_nll()
        a = self.a(*inputs, **self.constants) if callable(self.a) else self.a
        b = self.b(*inputs, **self.constants) if callable(self.b) else self.b
        # Every NLL record states both constants.
        assert a is not None and b is not None
        return float(a), float(b)


# ---------------------------------------------------------------------------
# The records
# ---------------------------------------------------------------------------


def _targets_mean_log_factorial(target) -> float:
    r""":math:`\overline{\log y!}` over the targets: b of the Poisson NLL loss."""
    return float(np.mean(_log_factorial(np.asarray(target, dtype=np.float64))))


def _gaussian_scale(pred, var, *, eps, **_) -> np.ndarray:
    """sqrt(max(var, eps)), with var laid out against pred as torch does."""
    v = np.asarray(var, dtype=np.float64)
    pred = np.asarray(pred)
    if v.ndim and v.shape != pred.shape and v.shape == pred.shape[:-1]:
        v = v[..., np.newaxis]
    return np.sqrt(np.maximum(v, eps))



# Locations off the quadrature grid (step 5e-4) except 0, so a kink of the
# integrand falls between nodes as well as on one.
_LOCATIONS = ((-2.9871,), (-0.37123,), (0.0,), (1.50027,), (4.2219,))
_LOCATIONS_AND_VARIANCES = ((0.0, 1.0), (1.3007, 0.25), (-2.10031, 4.0), (0.71234, 2.2))


# ---------------------------------------------------------------------------
# The six newer families: textbook NLLs written from their formulas
# ---------------------------------------------------------------------------

# The textbook NLLs of the six newer families, written from their formulas: an
# implementation separate from the classes' saddle-point and series
# evaluations, so that check() compares two computations. They are the losses
# of the unification rows; xent_ref.distributions gives the same numbers
# through each class's .nll.


# Bounds of the fixed parameters. Beyond _MAX_SHAPE the log-gamma terms of the
# formulas, of size about k log k, cancel to a loss of order log k and take
# more than half of its digits with them (the classes of
# xent_ref.distributions evaluate these regimes stably). np.i0 overflows
# float64 past about 709, so the von Mises formula stops at _MAX_KAPPA.
_MAX_SHAPE = 1e8
_MAX_KAPPA = 700.0
# Counts above 2**53 are not all representable in float64.
_MAX_COUNT = 2.0**53


def student_t_nll(pred, target, *, df: float, scale: float, reduction: str = "mean"):
    r"""Student-t NLL of ``target`` with location ``pred``, from the formula.

    .. math::

        \ell = \log\frac{\Gamma(\nu/2)\sqrt{\nu\pi}\,s}{\Gamma((\nu+1)/2)}
        + \frac{\nu+1}{2}\log\Bigl(1 + \frac{(y - \hat y)^2}{\nu s^2}\Bigr)

    Parameters
    ----------
    pred, target : array_like
        Locations :math:`\hat y` and real targets :math:`y`, finite, of the
        same shape.
    df : float
        Degrees of freedom :math:`\nu`, fixed: at least the smallest normal
        float64 (2.2e-308) and at most 1e8 (beyond, the two log-gamma terms,
        of size :math:`\nu\log\nu`, cancel and take most of the digits).
    scale : float
        The scale :math:`s > 0`, finite, fixed.
    reduction : {"mean", "sum", "none"}, optional

    Returns
    -------
    loss : float or ndarray
        A residual so large that :math:`(y - \hat y)^2` overflows is handled
        in logarithms (:math:`\log(1 + t^2) = 2\log t + \log(1 + t^{-2})`);
        a loss beyond float64's range is ``inf``, its correct rounding.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``pred`` or ``target`` has a NaN or infinite entry, their shapes
        differ, ``df`` or ``scale`` is not a finite scalar in its range, or
        ``reduction`` is not one of the three.

    See Also
    --------
    xent_ref.distributions.StudentT : ``StudentT(df, loc=pred, scale=scale).nll(target)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from xent_ref.unification import student_t_nll
    >>> print(f"{student_t_nll(0.0, 0.0, df=1.0, scale=1.0):.6f}", f"{np.log(np.pi):.6f}")
    1.144730 1.144730
    >>> pred, y = np.array([0.0, 1.0]), np.array([2.0, 1.5])
    >>> print(f"{student_t_nll(pred, y, df=3.0, scale=0.5):.6f}")
    2.441250
    >>> print(f"{-stats.t.logpdf(y, 3.0, loc=pred, scale=0.5).mean():.6f}")
    2.441250
    """
    pred, target = as_finite_array(pred, "pred"), as_finite_array(target, "target")
    check_same_shape(pred, target, "pred", "target")
    df = check_scalar(df, "df", lower=float(np.finfo(np.float64).tiny), upper=_MAX_SHAPE, allow_lower=True)
    scale = check_scalar(scale, "scale")
    check_reduction(reduction)
    # An overflow here is repaired just below, in logarithms.
    with np.errstate(over="ignore"):
        z = (target - pred) / scale
        q = np.asarray(np.log1p(z * z / df))
    big = ~np.isfinite(q)
    if np.any(big):
        # Halves do not overflow; t = |y - pred| / (s sqrt(df)) > 1e154 here.
        log_t = (np.log(np.abs(0.5 * target[big] - 0.5 * pred[big])) + math.log(2.0)
                 - math.log(scale) - 0.5 * math.log(df))
        q[big] = 2.0 * log_t + np.log1p(np.exp(-2.0 * log_t))
    const = (math.lgamma(df / 2) - math.lgamma((df + 1) / 2)
             + 0.5 * (math.log(df) + math.log(math.pi)) + math.log(scale))
    # A loss beyond float64's range is inf, its correct rounding.
    with np.errstate(over="ignore"):
        loss = const + (df + 1) / 2 * q
    return reduce(np.asarray(loss, float), reduction)


def gamma_nll(log_mean, target, *, concentration: float, reduction: str = "mean"):
    r"""Gamma NLL of positive ``target`` with mean :math:`e^{\text{log\_mean}}`, from the formula.

    With shape :math:`k` and rate :math:`r = k\,e^{-\text{log\_mean}}`,

    .. math::

        \ell = -k\log r - (k - 1)\log y + r y + \log\Gamma(k).

    At :math:`y = 0` the loss is its limit: :math:`+\infty` for
    :math:`k > 1`, :math:`-\log r` for :math:`k = 1` and :math:`-\infty` for
    :math:`k < 1` (the density is unbounded there).

    Parameters
    ----------
    log_mean, target : array_like
        Log-means (finite) and targets :math:`y \ge 0` (finite), of the same
        shape.
    concentration : float
        The shape :math:`k`, fixed: > 0 and at most 1e8 (beyond, the terms of
        size :math:`k\log k` cancel and take most of the digits).
    reduction : {"mean", "sum", "none"}, optional

    Returns
    -------
    loss : float or ndarray
        :math:`\log r` and :math:`r y = e^{\log r + \log y}` are formed in
        logarithms, so no mean overflows; a loss beyond float64's range is
        ``inf``, its correct rounding.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``log_mean`` or ``target`` has a NaN or infinite entry, a target
        is negative, the shapes differ, ``concentration`` is not a scalar in
        (0, 1e8], or ``reduction`` is not one of the three.

    See Also
    --------
    xent_ref.distributions.Gamma : ``Gamma(k, rate=k * exp(-log_mean)).nll(target)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from xent_ref.unification import gamma_nll
    >>> print(f"{gamma_nll(0.0, 2.0, concentration=1.0):.6f}")  # Exponential(1): y
    2.000000
    >>> log_mean, y = np.array([0.0, 1.0]), np.array([2.0, 1.5])
    >>> print(f"{gamma_nll(log_mean, y, concentration=2.0):.6f}")
    1.616219
    >>> print(f"{-stats.gamma.logpdf(y, 2.0, scale=np.exp(log_mean) / 2.0).mean():.6f}")
    1.616219
    """
    log_mean, y = as_finite_array(log_mean, "log_mean"), as_finite_array(target, "target")
    check_nonnegative(y, "target")
    check_same_shape(log_mean, y, "log_mean", "target")
    k = check_scalar(concentration, "concentration", upper=_MAX_SHAPE)
    check_reduction(reduction)
    log_rate = math.log(k) - log_mean
    # log 0 = -inf at y = 0 is the limit the density takes there.
    with np.errstate(divide="ignore"):
        log_y = np.log(y)
    # (k - 1) log y is 0 for k = 1 even at y = 0 (no 0 * -inf).
    shape_term = 0.0 if k == 1 else (k - 1) * log_y
    with np.errstate(over="ignore"):
        loss = -k * log_rate - shape_term + np.exp(log_rate + log_y) + math.lgamma(k)
    return reduce(np.asarray(loss, float), reduction)


def beta_nll(logit_mean, target, *, precision: float, reduction: str = "mean"):
    r"""Beta NLL of ``target`` in [0, 1] with mean sigmoid(``logit_mean``), from the formula.

    With :math:`\mu = \operatorname{sigmoid}(\text{logit\_mean})`,
    :math:`a = \mu\phi` and :math:`b = (1 - \mu)\phi`,

    .. math::

        \ell = -(a - 1)\log y - (b - 1)\log(1 - y) + \log\Gamma(a) + \log\Gamma(b) - \log\Gamma(\phi).

    At :math:`y = 0` or :math:`1` the loss is its limit (:math:`\pm\infty`,
    or finite when the exponent there is 0).

    Parameters
    ----------
    logit_mean, target : array_like
        Logits of the mean (finite) and targets :math:`y \in [0, 1]`, of the
        same shape.
    precision : float
        The precision :math:`\phi = a + b`, fixed: > 0 and at most 1e8
        (beyond, the log-gamma terms cancel and take most of the digits).
    reduction : {"mean", "sum", "none"}, optional

    Returns
    -------
    loss : float or ndarray
        The NLL, reduced as ``reduction`` says. At a target of exactly 0 or 1
        it is its limit there: ``inf`` where the density vanishes (:math:`a > 1`
        at 0, :math:`b > 1` at 1), ``-inf`` where the density grows without
        bound (:math:`a < 1` at 0, :math:`b < 1` at 1).

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``logit_mean`` or ``target`` has a NaN or infinite entry, a target
        is outside [0, 1], the shapes differ, ``precision`` is not a scalar in
        (0, 1e8], :math:`\mu`, :math:`1 - \mu`, ``a`` or ``b`` falls below the
        smallest normal float64 (``|logit_mean|`` beyond about 708, or less
        for a small ``precision``), or ``reduction`` is not one of the three.

    See Also
    --------
    xent_ref.distributions.Beta : ``Beta(mu * precision, (1 - mu) * precision).nll(target)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import special, stats
    >>> from xent_ref.unification import beta_nll
    >>> print(f"{beta_nll(0.0, 0.3, precision=2.0):.6f}")  # Beta(1, 1) is uniform
    0.000000
    >>> logit_mean, y = np.array([0.0, 1.0]), np.array([0.3, 0.9])
    >>> print(f"{beta_nll(logit_mean, y, precision=5.0):.6f}")
    -0.555355
    >>> mu = special.expit(logit_mean)
    >>> print(f"{-stats.beta.logpdf(y, 5.0 * mu, 5.0 * (1 - mu)).mean():.6f}")
    -0.555355
    """
    logit_mean = as_finite_array(logit_mean, "logit_mean")
    y = as_unit_interval_array(target, "target")
    check_same_shape(logit_mean, y, "logit_mean", "target")
    precision = check_scalar(precision, "precision", upper=_MAX_SHAPE)
    check_reduction(reduction)
    # sigmoid(x) = exp(-log(1 + e^-x)), which does not overflow for any x.
    mu = np.exp(-np.logaddexp(0.0, -logit_mean))
    one_minus_mu = np.exp(-np.logaddexp(0.0, logit_mean))
    a, b = precision * mu, precision * one_minus_mu
    # A subnormal mu, 1 - mu, a or b has lost digits (or is 0), and log Gamma
    # of it, about -log a, carries that loss into the result.
    tiny = np.finfo(np.float64).tiny
    if a.size and not min(np.min(mu), np.min(one_minus_mu), np.min(a), np.min(b)) >= tiny:
        raise ValueError(
            "logit_mean: |logit_mean| is so large that mu, 1 - mu, a = mu * precision or "
            "b = (1 - mu) * precision falls below the smallest normal float64 (2.2e-308); "
            "the formula needs them all normal"
        )
    # log 0 = -inf at an end of [0, 1] is the limit the density takes there;
    # an exponent of exactly 0 contributes 0 there (no 0 * -inf).
    with np.errstate(divide="ignore", invalid="ignore"):
        term_a = np.where(a == 1, 0.0, (a - 1) * np.log(y))
        term_b = np.where(b == 1, 0.0, (b - 1) * np.log1p(-y))
    loss = -(term_a + term_b - _lgamma(a) - _lgamma(b) + math.lgamma(precision))
    return reduce(np.asarray(loss, float), reduction)


def negative_binomial_nll(log_mean, target, *, total_count: float, reduction: str = "mean"):
    r"""Negative binomial NLL of counts ``target`` with mean :math:`e^{\text{log\_mean}}`, from the formula.

    With mean :math:`\mu` and total count :math:`r` (variance :math:`\mu + \mu^2/r`),

    .. math::

        \ell = -\log\frac{\Gamma(y + r)}{\Gamma(r)\,y!}
               - r\log\frac{r}{r + \mu} - y\log\frac{\mu}{r + \mu}.

    Parameters
    ----------
    log_mean, target : array_like
        Log-means (finite) and counts :math:`y \in \{0, 1, \dots\}` (whole
        numbers up to :math:`2^{53}`), of the same shape.
    total_count : float
        :math:`r`, fixed: > 0 and at most 1e8 (beyond, the log-gamma terms
        cancel and take most of the digits).
    reduction : {"mean", "sum", "none"}, optional

    Returns
    -------
    loss : float or ndarray
        The two log-ratios are formed as
        :math:`-\log(1 + e^{\pm(\log\mu - \log r)})` (``np.logaddexp``), so
        no mean overflows.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``log_mean`` or ``target`` has a NaN or infinite entry, a target is
        negative, not whole or above :math:`2^{53}`, the shapes differ,
        ``total_count`` is not a scalar in (0, 1e8], or ``reduction`` is not
        one of the three.

    See Also
    --------
    xent_ref.distributions.NegativeBinomial : ``NegativeBinomial(r, mean=exp(log_mean)).nll(target)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from xent_ref.unification import negative_binomial_nll
    >>> print(f"{negative_binomial_nll(0.0, 0.0, total_count=1.0):.6f}", f"{np.log(2):.6f}")
    0.693147 0.693147
    >>> log_mean, y = np.array([0.0, 1.0]), np.array([0, 4])
    >>> print(f"{negative_binomial_nll(log_mean, y, total_count=2.0):.6f}")
    1.561933
    >>> mean = np.exp(log_mean)
    >>> print(f"{-stats.nbinom.logpmf(y, 2.0, 2.0 / (2.0 + mean)).mean():.6f}")
    1.561933
    """
    log_mean, y = as_finite_array(log_mean, "log_mean"), as_finite_array(target, "target")
    check_nonnegative(y, "target")
    if y.size and not (np.max(y) <= _MAX_COUNT and np.all(y == np.floor(y))):
        bad = y[(y != np.floor(y)) | (y > _MAX_COUNT)].flat[0]
        raise ValueError(f"target: counts must be whole numbers up to 2**53, got {float(bad)!r}")
    check_same_shape(log_mean, y, "log_mean", "target")
    r = check_scalar(total_count, "total_count", upper=_MAX_SHAPE)
    check_reduction(reduction)
    log_ratio = log_mean - math.log(r)
    loss = -(_lgamma(y + r) - math.lgamma(r) - _lgamma(y + 1)
             - r * np.logaddexp(0.0, log_ratio) - y * np.logaddexp(0.0, -log_ratio))
    return reduce(np.asarray(loss, float), reduction)


def von_mises_nll(pred, target, *, concentration: float, reduction: str = "mean"):
    r"""von Mises NLL of angles ``target`` with mean direction ``pred``, from the formula.

    .. math::

        \ell = -\kappa\cos(y - \hat y) + \log\bigl(2\pi I_0(\kappa)\bigr),

    with NumPy's own Bessel function ``numpy.i0``.

    Parameters
    ----------
    pred, target : array_like
        Mean directions and angles, in radians, finite, of the same shape.
    concentration : float
        :math:`\kappa`, fixed: in [0, 700]. ``numpy.i0`` overflows float64
        past :math:`\kappa \approx 709`; ``xent_ref.distributions.VonMises``
        takes any finite :math:`\kappa`.
    reduction : {"mean", "sum", "none"}, optional

    Returns
    -------
    loss : float or ndarray
        The NLL, reduced as ``reduction`` says.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``pred`` or ``target`` has a NaN or infinite entry, the shapes
        differ, ``concentration`` is not a scalar in [0, 700], or
        ``reduction`` is not one of the three.

    See Also
    --------
    xent_ref.distributions.VonMises : ``VonMises(pred, concentration).nll(target)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from xent_ref.unification import von_mises_nll
    >>> print(f"{von_mises_nll(0.0, 1.0, concentration=0.0):.6f}", f"{np.log(2 * np.pi):.6f}")
    1.837877 1.837877
    >>> pred, y = np.array([0.0, 3.0]), np.array([0.5, -3.0])
    >>> print(f"{von_mises_nll(pred, y, concentration=2.0):.6f}")
    0.824118
    >>> print(f"{-stats.vonmises.logpdf(y, 2.0, loc=pred).mean():.6f}")
    0.824118
    """
    pred, target = as_finite_array(pred, "pred"), as_finite_array(target, "target")
    check_same_shape(pred, target, "pred", "target")
    k = check_scalar(concentration, "concentration", upper=_MAX_KAPPA, allow_lower=True)
    check_reduction(reduction)
    # A difference of two angles near +-1.8e308 overflows; cos(y - pred) is
    # then taken from the angle-difference formula instead.
    with np.errstate(over="ignore"):
        d = target - pred
    cos_d = np.cos(np.where(np.isfinite(d), d, 0.0))
    far = ~np.isfinite(d)
    if np.any(far):
        cos_d[far] = (np.cos(target[far]) * np.cos(pred[far])
                      + np.sin(target[far]) * np.sin(pred[far]))
    loss = -k * cos_d + math.log(2 * math.pi * float(np.i0(k)))
    return reduce(np.asarray(loss, float), reduction)


def gaussian_mixture_nll(logits, target, loc, scale, *, reduction: str = "mean"):
    r"""Gaussian-mixture NLL of ``target``, weights softmax(``logits``), from the formula.

    .. math::

        \ell = -\log\sum_{c} \operatorname{softmax}(z)_c\,
               \mathcal N(y;\, \mu_c, s_c^2),

    evaluated as a log-sum-exp of the log-terms (NumPy's ``logaddexp``).

    Parameters
    ----------
    logits : array_like, shape (..., C)
        Logits :math:`z` of the component weights, finite; :math:`C \ge 1`.
    target : array_like, shape (...)
        Real targets :math:`y`, finite.
    loc, scale : array_like, shape (..., C)
        Component means :math:`\mu_c` (finite) and standard deviations
        :math:`s_c > 0` (finite), of the shape of ``logits``.
    reduction : {"mean", "sum", "none"}, optional

    Returns
    -------
    loss : float or ndarray
        A loss beyond float64's range (every component farther than about
        :math:`1.9\times10^{154}` standard deviations) is ``inf``, its
        correct rounding.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If an argument has a NaN or infinite entry, ``logits`` is 0-d or has
        no components, ``loc`` or ``scale`` does not have the shape of
        ``logits``, ``target`` does not have the shape of ``logits`` without
        its last axis, a scale is <= 0, or ``reduction`` is not one of the
        three.

    See Also
    --------
    xent_ref.distributions.GaussianMixture : ``GaussianMixture(loc, scale, logits=logits).nll(target)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from xent_ref.unification import gaussian_mixture_nll

    Two equal components at 0 are one standard normal, with NLL
    :math:`\tfrac12 \log 2\pi` at 0:

    >>> print(f"{gaussian_mixture_nll([0.0, 0.0], 0.0, [0.0, 0.0], [1.0, 1.0]):.6f}")
    0.918939
    >>> print(f"{0.5 * np.log(2 * np.pi):.6f}")
    0.918939

    Weights 1/4 and 3/4:

    >>> logits, loc, scale = np.log([1.0, 3.0]), np.array([-1.0, 2.0]), np.array([1.0, 0.5])
    >>> print(f"{gaussian_mixture_nll(logits, 0.5, loc, scale):.6f}")
    3.243497
    >>> print(f"{-np.log(np.array([0.25, 0.75]) @ stats.norm.pdf(0.5, loc, scale)):.6f}")
    3.243497
    """
    logits = as_finite_array(logits, "logits")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits: must have a last axis of at least one component, got shape {logits.shape}")
    loc, scale = as_finite_array(loc, "loc"), as_finite_array(scale, "scale")
    check_same_shape(logits, loc, "logits", "loc")
    check_same_shape(logits, scale, "logits", "scale")
    if scale.size and not np.min(scale) > 0:
        raise ValueError(f"scale: entries must be > 0, got minimum {float(np.min(scale))!r}")
    y = as_finite_array(target, "target")
    if y.shape != logits.shape[:-1]:
        raise ValueError(
            f"target: shape {y.shape} does not match logits shape {logits.shape} without its "
            f"last (component) axis, {logits.shape[:-1]} (no broadcasting)"
        )
    check_reduction(reduction)
    # NumPy's logaddexp, a reduction separate from xr.logsumexp; the direct
    # sum of densities would underflow to log 0 far from every component.
    log_w = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)
    # Halves do not overflow: half_z is exactly z / 2, and z * half_z is
    # z^2 / 2 rounded once, overflowing only when z^2 / 2 itself is beyond
    # float64's range (the component's log-term is then -inf, its rounding).
    half_z = (0.5 * y[..., None] - 0.5 * loc) / scale
    with np.errstate(over="ignore"):
        log_terms = log_w - (2.0 * half_z) * half_z - np.log(scale) - 0.5 * _LOG_2PI
    return reduce(-np.logaddexp.reduce(log_terms, axis=-1), reduction)


# Supports for the new domains. Each substitution makes the integrand smooth
# and fast-decaying in the new variable, so the trapezoid rule is accurate.
_SUBSTITUTION_NODES = 40_001


def _tangent_line(thetas, **_) -> Support:
    """y = tan(u), u on (-pi/2, pi/2): heavy (polynomial) tails become bounded."""
    u = np.linspace(-math.pi / 2, math.pi / 2, _SUBSTITUTION_NODES)[1:-1]
    h = u[1] - u[0]
    return Support(np.tan(u), np.log(h) - 2 * np.log(np.cos(u)),
                   f"trapezoid rule in u = arctan y, {u.size} nodes")


def _positive_line(thetas, **_) -> Support:
    """y = e^u, u in [-60, 60]: dy = e^u du."""
    u = np.linspace(-60.0, 60.0, _SUBSTITUTION_NODES)
    h = u[1] - u[0]
    return Support(np.exp(u), np.log(h) + u, f"trapezoid rule in u = log y, {u.size} nodes on [-60, 60]")


def _unit_interval(thetas, **_) -> Support:
    """y = sigmoid(u), u in [-30, 30] (y < 1 in float64): dy = y (1 - y) du."""
    u = np.linspace(-30.0, 30.0, _SUBSTITUTION_NODES)
    h = u[1] - u[0]
    log_y, log_1my = -np.logaddexp(0, -u), -np.logaddexp(0, u)
    return Support(np.exp(log_y), np.log(h) + log_y + log_1my,
                   f"trapezoid rule in u = logit y, {u.size} nodes on [-30, 30]")


def _circle(thetas, **_) -> Support:
    """[-pi, pi) with equal weights: the trapezoid rule on a periodic integrand."""
    n = 4096
    y = -math.pi + 2 * math.pi * np.arange(n) / n
    return Support(y, np.full(n, math.log(2 * math.pi / n)), f"periodic trapezoid rule, {n} nodes")


def _all_counts(thetas, **_) -> Support:
    """Counts 0..4000 with base measure 1 (the NLL keeps its log y! term)."""
    y = np.arange(4001, dtype=np.float64)
    return Support(y, np.zeros(y.size), "sum over y = 0..4000")


def _mixture_line(thetas, **_) -> Support:
    """A trapezoid grid over every component's mean +- 12 sd."""
    lo = min(float(np.min(np.asarray(t[1]) - 12 * np.asarray(t[2]))) for t in thetas)
    hi = max(float(np.max(np.asarray(t[1]) + 12 * np.asarray(t[2]))) for t in thetas)
    n = int(math.ceil((hi - lo) / 5e-4)) + 1
    y = np.linspace(lo, hi, n)
    log_w = np.full(n, math.log(y[1] - y[0]))
    log_w[[0, -1]] -= math.log(2)
    return Support(y, log_w, f"trapezoid rule, {n} nodes on [{lo:g}, {hi:g}]")


#: The records, one per row of the table of losses: one per loss of
#: ``xent_ref``, one per setting of an option that changes the relation
#: (``full`` of the Gaussian NLL loss, ``log_input`` of the Poisson NLL loss),
#: one per textbook NLL of the six newer families above, and one for the
#: Brier score, a proper scoring rule that is not an NLL.
RECORDS: tuple[Record, ...] = (
    Record(
        name="softmax_cross_entropy",
        loss=softmax_cross_entropy,
        inputs=("logits", "target"),
        is_nll=True,
        distribution=Categorical,
        parameters=lambda logits, **_: {"logits": logits},
        a=1.0,
        b=0.0,
        support=_classes,
        thetas=(
            (np.array([0.0, 0.0, 0.0]),),
            (np.array([2.0, -1.0, 0.5]),),
            (np.array([30.0, -30.0, 0.0]),),
            (np.array([-700.0, 5.0, 1.0]),),
        ),
    ),
    Record(
        name="binary_cross_entropy",
        loss=binary_cross_entropy,
        inputs=("probs", "target"),
        is_nll=True,
        distribution=Bernoulli,
        parameters=lambda probs, **_: {"probs": probs},
        a=1.0,
        b=0.0,
        support=_points(0.0, 1.0),
        thetas=((0.0,), (1e-6,), (0.3,), (0.5,), (0.999,), (1.0,)),
    ),
    Record(
        name="binary_cross_entropy_with_logits",
        loss=binary_cross_entropy_with_logits,
        inputs=("logits", "target"),
        is_nll=True,
        distribution=Bernoulli,
        parameters=lambda logits, **_: {"logits": logits},
        a=1.0,
        b=0.0,
        support=_points(0.0, 1.0),
        thetas=((-40.0,), (-2.0,), (0.0,), (3.0,), (700.0,)),
    ),
    Record(
        name="mse_loss",
        loss=mse_loss,
        inputs=("pred", "target"),
        hyper={"sigma": 1.0},
        is_nll=True,
        distribution=Normal,
        parameters=lambda pred, *, sigma, **_: {"loc": pred, "scale": sigma},
        a=lambda *_, sigma, **__: 2.0 * sigma**2,
        b=lambda *_, sigma, **__: -(sigma**2) * math.log(2.0 * math.pi * sigma**2),
        support=_real_line(lambda *_, **__: 12.0),
        thetas=_LOCATIONS,
    ),
    Record(
        name="l1_loss",
        loss=l1_loss,
        inputs=("pred", "target"),
        hyper={"beta": 1.0},
        is_nll=True,
        distribution=Laplace,
        parameters=lambda pred, *, beta, **_: {"loc": pred, "scale": beta},
        a=lambda *_, beta, **__: beta,
        b=lambda *_, beta, **__: -beta * math.log(2.0 * beta),
        support=_real_line(lambda *_, **__: 45.0),
        thetas=_LOCATIONS,
    ),
    Record(
        name="huber_loss",
        loss=huber_loss,
        inputs=("pred", "target"),
        options={"delta": 1.0},
        is_nll=True,
        nll=lambda pred, target, *, delta, **_: (
            _huber(np.asarray(target, dtype=np.float64) - np.asarray(pred, dtype=np.float64), delta)
            + math.log(huber_normaliser(delta))
        ),
        a=1.0,
        b=lambda *_, delta, **__: -math.log(huber_normaliser(delta)),
        support=_real_line(lambda *_, delta, **__: 45.0 / delta + delta),
        thetas=_LOCATIONS,
    ),
    Record(
        name="gaussian_nll_loss",
        loss=gaussian_nll_loss,
        inputs=("pred", "target", "var"),
        options={"full": False, "eps": 1e-6},
        is_nll=True,
        distribution=Normal,
        parameters=lambda pred, var, **kw: {"loc": pred, "scale": _gaussian_scale(pred, var, **kw)},
        a=1.0,
        b=-0.5 * _LOG_2PI,
        support=_real_line(lambda pred, var, **__: 12.0 * math.sqrt(var)),
        thetas=_LOCATIONS_AND_VARIANCES,
    ),
    Record(
        name="gaussian_nll_loss(full=True)",
        loss=gaussian_nll_loss,
        inputs=("pred", "target", "var"),
        options={"full": True, "eps": 1e-6},
        is_nll=True,
        distribution=Normal,
        parameters=lambda pred, var, **kw: {"loc": pred, "scale": _gaussian_scale(pred, var, **kw)},
        a=1.0,
        b=0.0,
        support=_real_line(lambda pred, var, **__: 12.0 * math.sqrt(var)),
        thetas=_LOCATIONS_AND_VARIANCES,
    ),
    Record(
        name="poisson_nll_loss",
        loss=poisson_nll_loss,
        inputs=("pred", "target"),
        options={"log_input": True, "full": False},
        is_nll=True,
        distribution=Poisson,
        parameters=lambda pred, **_: {"log_rate": pred},
        a=1.0,
        b=lambda pred, target, **_: -_targets_mean_log_factorial(target),
        support=_counts(lambda pred, **_: np.exp(pred)),
        thetas=((-3.0,), (0.0,), (1.2,), (3.0,)),
    ),
    Record(
        name="poisson_nll_loss(log_input=False)",
        loss=poisson_nll_loss,
        inputs=("pred", "target"),
        options={"log_input": False, "full": False, "eps": 1e-8},
        is_nll=True,
        distribution=Poisson,
        parameters=lambda pred, *, eps, **_: {"rate": np.asarray(pred, dtype=np.float64) + eps},
        a=1.0,
        b=lambda pred, target, *, eps, **_: -eps - _targets_mean_log_factorial(target),
        support=_counts(lambda pred, *, eps, **_: np.asarray(pred) + eps),
        thetas=((0.0,), (0.05,), (1.0,), (7.5,), (20.0,)),
    ),
    Record(
        name="unification.student_t_nll",
        loss=student_t_nll,
        inputs=("pred", "target"),
        options={"df": 4.0, "scale": 1.0},
        is_nll=True,
        distribution=StudentT,
        parameters=lambda pred, *, df, scale, **_: {"df": df, "loc": pred, "scale": scale},
        a=1.0, b=0.0,
        support=_tangent_line,
        thetas=((-2.9871,), (0.0,), (1.50027,), (4.2219,)),
    ),
    Record(
        name="unification.gamma_nll",
        loss=gamma_nll,
        inputs=("log_mean", "target"),
        options={"concentration": 2.5},
        is_nll=True,
        distribution=Gamma,
        parameters=lambda log_mean, *, concentration, **_: {
            "concentration": concentration,
            "rate": concentration * np.exp(-np.asarray(log_mean, float))},
        a=1.0, b=0.0,
        support=_positive_line,
        thetas=((-3.0,), (0.0,), (1.2,), (4.0,)),
    ),
    Record(
        name="unification.beta_nll",
        loss=beta_nll,
        inputs=("logit_mean", "target"),
        options={"precision": 6.0},
        is_nll=True,
        distribution=Beta,
        parameters=lambda logit_mean, *, precision, **_: {
            "a": precision / (1 + np.exp(-np.asarray(logit_mean, float))),
            "b": precision / (1 + np.exp(np.asarray(logit_mean, float)))},
        a=1.0, b=0.0,
        support=_unit_interval,
        thetas=((-1.5,), (0.0,), (0.7,), (1.5,)),
    ),
    Record(
        name="unification.negative_binomial_nll",
        loss=negative_binomial_nll,
        inputs=("log_mean", "target"),
        options={"total_count": 2.0},
        is_nll=True,
        distribution=NegativeBinomial,
        parameters=lambda log_mean, *, total_count, **_: {
            "total_count": total_count, "mean": np.exp(np.asarray(log_mean, float))},
        a=1.0, b=0.0,
        support=_all_counts,
        thetas=((-3.0,), (0.0,), (1.2,), (3.0,)),
    ),
    Record(
        name="unification.von_mises_nll",
        loss=von_mises_nll,
        inputs=("pred", "target"),
        options={"concentration": 3.0},
        is_nll=True,
        distribution=VonMises,
        parameters=lambda pred, *, concentration, **_: {"loc": pred, "concentration": concentration},
        a=1.0, b=0.0,
        support=_circle,
        thetas=((-2.9871,), (0.0,), (1.50027,), (3.1,)),
    ),
    Record(
        name="unification.gaussian_mixture_nll",
        loss=gaussian_mixture_nll,
        inputs=("logits", "target", "loc", "scale"),
        is_nll=True,
        distribution=GaussianMixture,
        parameters=lambda logits, loc, scale, **_: {"loc": loc, "scale": scale, "logits": logits},
        a=1.0, b=0.0,
        support=_mixture_line,
        thetas=(
            (np.array([0.0, 0.0]), np.array([-1.0, 2.0]), np.array([0.5, 1.0])),
            (np.array([2.0, -1.0]), np.array([0.3, 0.30071]), np.array([1.0, 0.2])),
            (np.array([-690.0, 0.0]), np.array([-3.0, 1.0]), np.array([0.7, 2.0])),
        ),
    ),
    Record(
        name="sigmoid_focal_loss",
        loss=sigmoid_focal_loss,
        inputs=("logits", "target"),
        options={"alpha": 0.25, "gamma": 2.0},
        is_nll=False,
        support=_points(0.0, 1.0),
        thetas=((-4.0,), (-1.0,), (0.0,), (1.0,), (4.0,)),
    ),
    Record(
        name="hinge_loss",
        loss=hinge_loss,
        inputs=("scores", "target"),
        is_nll=False,
        support=_points(-1.0, 1.0),
        # s = +-1 are the maxima of the sum, 1 + e^-2; s = 0 is its minimum, 2/e.
        thetas=((-2.0,), (-1.0,), (-0.5,), (0.0,), (0.5,), (1.0,), (2.0,)),
    ),
    Record(
        name="brier_score",
        loss=brier_score,
        inputs=("probs", "target"),
        is_nll=False,
        support=_classes,
        # A corner, an edge, the centre and two inner points of the simplex of
        # three classes: Z_a is smallest at a corner and largest at the centre.
        thetas=(
            (np.array([1.0, 0.0, 0.0]),),
            (np.array([0.5, 0.5, 0.0]),),
            (np.array([0.7, 0.2, 0.1]),),
            (np.array([0.05, 0.15, 0.8]),),
            (np.full(3, 1.0 / 3.0),),
        ),
    ),
)
"""The records, one per loss (two for ``gaussian_nll_loss`` and ``poisson_nll_loss``) and one for ``brier_score``."""


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def check(record: Record, *inputs, rtol: float = 1e-10, atol: float = 0.0) -> bool:
    r"""Check :math:`\ell = a\,\overline{\mathrm{NLL}} + b` numerically on ``inputs``.

    Parameters
    ----------
    record : Record
        An NLL record from :data:`RECORDS`.
    *inputs : array_like
        The loss's positional arguments (``record.inputs``), e.g. ``pred,
        target`` or ``pred, target, var``. The targets must be outcomes of the
        distribution: class indices, 0/1, whole counts.
    rtol, atol : float, optional
        The relation holds if :math:`\lvert\ell - (a\,\overline{\mathrm{NLL}}
        + b)\rvert \le \mathrm{atol} + \mathrm{rtol}\,(\lvert\ell\rvert +
        \lvert a\,\overline{\mathrm{NLL}}\rvert + \lvert b\rvert)`: relative to
        the size of the terms, since :math:`a\,\overline{\mathrm{NLL}}` and
        :math:`b` may nearly cancel (MSE of a good fit). Equal infinities
        (``binary_cross_entropy`` at a certain wrong prediction) hold.

    Returns
    -------
    bool
        Always True: a relation that does not hold raises instead, so the
        call can stand alone in a test or a doctest.

    Raises
    ------
    AssertionError
        If the relation does not hold, or :math:`a \le 0`; the message gives
        the loss, :math:`a`, :math:`\overline{\mathrm{NLL}}`, :math:`b`, the
        difference and the tolerance.
    ValueError
        If the record is not an NLL (focal, hinge, Brier), or the inputs are
        invalid for the loss or the distribution.

    See Also
    --------
    likelihood_check : whether :math:`e^{-\ell/a}` sums to one constant at
        each tested :math:`\theta`.

    Notes
    -----
    The loss comes from the record's ``xent_ref`` function with
    ``reduction="mean"``; the NLL from :mod:`xent_ref.distributions` (or the
    record's ``nll`` for Huber): two separate implementations.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.unification import RECORDS, check
    >>> rec = {r.name: r for r in RECORDS}["poisson_nll_loss"]
    >>> check(rec, np.array([0.1, 1.5, -2.0]), np.array([0.0, 4.0, 1.0]))
    True
    """
    record._require_nll()
    loss = float(record.loss(*inputs, **record.options, reduction="mean"))
    nll = float(record.mean_nll(*inputs))
    a, b = record.coefficients(*inputs)
    details = f"{record.name}: loss = {loss!r}, a = {a!r}, mean NLL = {nll!r}, b = {b!r}"
    if not a > 0:
        raise AssertionError(f"{details}: a must be > 0")
    with np.errstate(invalid="ignore"):
        rhs = a * nll + b
    if loss == rhs:
        return True
    tol = atol + rtol * (abs(loss) + abs(a * nll) + abs(b))
    diff = abs(loss - rhs)
    if not diff <= tol:
        raise AssertionError(
            f"{details}: a * NLL + b = {rhs!r} differs from the loss by {diff!r}, "
            f"more than the tolerance {tol!r}"
        )
    return True


@dataclass(frozen=True, eq=False)
class LikelihoodCheck:
    r"""Result of :func:`likelihood_check`.

    Attributes
    ----------
    name : str
        The record's name.
    thetas : tuple
        The parameter settings checked.
    scale : float
        The scale :math:`a` in :math:`e^{-\ell/a}`.
    normalisers : numpy.ndarray
        :math:`Z_a(\theta)` for each setting.
    spread : float
        :math:`(\max Z - \min Z)/\max Z`.
    rtol : float
        The largest spread that passes.
    passed : bool
        Whether :math:`Z_a` is finite, positive and constant within ``rtol``
        over the tested settings.
    method : str
        How :math:`Z_a` was computed (sum, base measure, quadrature).
    base_measure : str
        :math:`h(y)` when it is not 1 (``"1/y!"``), else ``""``.
    """

    name: str
    thetas: tuple
    scale: float
    normalisers: np.ndarray
    spread: float
    rtol: float
    passed: bool
    method: str
    base_measure: str = ""

    @property
    def verdict(self) -> str:
        """One line for the table, e.g. ``"passes at a = 1: Z = 1 at each tested θ"``."""
        z = self.normalisers
        a = f"a = {self.scale:g}"
        if self.passed:
            measure = f" (base measure {self.base_measure})" if self.base_measure else ""
            return f"passes at {a}: Z = {float(z[0]):.6g} at each tested θ{measure}"
        return f"fails at {a}: Z ranges from {float(np.min(z)):.4g} to {float(np.max(z)):.4g} over the tested θ"


def _record_scale(record: Record) -> float:
    """The record's own a (1 for a record without one: focal, hinge, Brier)."""
    if not record.is_nll:
        return 1.0
    # a depends on fixed options only (the fixed sigma or beta), never on the inputs.
    a = record.a(**record.constants) if callable(record.a) else record.a
    assert a is not None
    return float(a)


def likelihood_check(
    record: Record, thetas: Sequence | None = None, *, scale: float | None = None, rtol: float = 1e-6
) -> LikelihoodCheck:
    r"""Is this loss a likelihood? Check that :math:`e^{-\ell/a}` normalises to a constant.

    The relation :math:`\ell = a\,(-\log p(y \mid \theta)) + b(y)` with
    :math:`a > 0` gives :math:`p(y \mid \theta) = h(y)\,e^{-\ell(y;\theta)/a}
    / Z_a` with :math:`h(y) = e^{b(y)/a}` absorbed into the base measure, so

    .. math::

        Z_a(\theta) = \int e^{-\ell(y;\theta)/a}\,h(y)\,dy
        \quad\text{or}\quad
        Z_a(\theta) = \sum_y e^{-\ell(y;\theta)/a}\,h(y)

    cannot depend on :math:`\theta`. Conversely, if :math:`Z_a` is the same
    finite, positive number for every :math:`\theta`, then
    :math:`h\,e^{-\ell/a}/Z_a` is a distribution and the relation holds with
    that :math:`a`. The check computes :math:`Z_a` at a few settings
    :math:`\theta`, so what it shows is:

    - a pass: :math:`Z_a` agrees, within ``rtol``, at each tested
      :math:`\theta`. That is evidence for the relation at this :math:`a`
      and this :math:`h`, not a proof for every :math:`\theta`;
    - a fail: at this :math:`a` and this :math:`h`, no distribution makes
      the relation hold. It says nothing about another scale or another base
      measure. That the focal and hinge losses and the Brier score fail for
      *every* :math:`a` and :math:`h` is proved on their pages of the
      documentation, not here.

    :math:`h` is 1, except :math:`1/y!` for the Poisson losses, which drop
    the :math:`\log y!` term of the NLL (it depends on the target only).

    Parameters
    ----------
    record : Record
        Any record, NLL or not.
    thetas : sequence, optional
        Parameter settings, each a tuple of the loss's non-target inputs for
        one element (the prediction first; for ``softmax_cross_entropy`` a
        logit vector). Default: ``record.thetas``.
    scale : float, optional
        The scale :math:`a > 0`. Default: the record's own ``a`` (for MSE
        :math:`2\sigma^2`, for L1 :math:`\beta`), and 1 for a record that
        has none (focal, hinge, Brier).
    rtol : float, optional
        Largest relative spread :math:`(\max Z - \min Z)/\max Z` that passes
        (default 1e-6, above the quadrature error).

    Returns
    -------
    LikelihoodCheck
        The normalisers per setting and the verdict.

    Raises
    ------
    ValueError
        If ``scale`` is not finite and > 0.

    See Also
    --------
    check : the relation itself, against :mod:`xent_ref.distributions`.

    Notes
    -----
    The loss is evaluated elementwise (``reduction="none"``) on every ``y``
    of the record's support at once, for each setting in turn. Discrete
    supports are summed exactly: {0, 1}, {-1, +1}, the classes, or counts
    0..K with K past the rate by :math:`12\sqrt{\lambda} + 30` (the mass
    left out is below 1e-25). A continuous :math:`y` is integrated by the
    trapezoid rule with step 5e-4 on one grid for all settings, wide enough
    that the tails left out are below :math:`e^{-40}`; its error is at most
    about 6e-8 relative (at the kink of :math:`e^{-\lvert r\rvert}`), far
    below ``rtol``.

    At its own scale each NLL record passes with :math:`Z_a = e^{-b/a}`
    (the part of :math:`b` that depends on :math:`y` sits in :math:`h`):
    1 for the categorical and Bernoulli rows, the Gaussian with
    ``full=True`` and the Poisson with log-rates; :math:`e^{\varepsilon}`
    for the Poisson with ``log_input=False``; :math:`\sqrt{2\pi}` for the
    Gaussian with ``full=False``; :math:`\sqrt{2\pi\sigma^2}` for MSE and
    :math:`2\beta` for L1, the normalisers of the Gaussian and Laplace
    densities; :math:`Z_\delta` (:func:`huber_normaliser`) for Huber. For
    MSE, L1 and Huber, a location family,
    :math:`\ell` depends on :math:`y - \mu` only, so shifting :math:`\mu`
    shifts the integrand and leaves its integral alone; those rows would
    pass at any scale. The other NLL rows pass only at their own scale.
    The six newer families (Student-t to Gaussian mixture) pass with
    :math:`Z_1 = 1`; their continuous supports are integrated by the
    trapezoid rule after a substitution that makes the integrand smooth
    (:math:`y = \tan u`, :math:`e^u` or :math:`\operatorname{sigmoid}(u)`),
    angles by the periodic trapezoid rule, and negative binomial counts are
    summed over 0..4000. The Student-t and von Mises rows are location
    families as well. The focal, hinge and Brier records fail at :math:`a = 1`.

    Examples
    --------
    >>> from xent_ref.unification import RECORDS, likelihood_check
    >>> by_name = {r.name: r for r in RECORDS}
    >>> print(likelihood_check(by_name["binary_cross_entropy_with_logits"]).verdict)
    passes at a = 1: Z = 1 at each tested θ
    >>> print(likelihood_check(by_name["mse_loss"]).verdict)
    passes at a = 2: Z = 2.50663 at each tested θ
    >>> print(likelihood_check(by_name["hinge_loss"]).verdict)
    fails at a = 1: Z ranges from 0.7358 to 1.135 over the tested θ
    """
    a = _record_scale(record) if scale is None else scale
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)):
        raise TypeError(f"scale: must be a real number, got {scale!r}")
    a = float(a)
    if not 0.0 < a < math.inf:
        raise ValueError(f"scale: must be finite and > 0, got {scale!r}")
    thetas = record.thetas if thetas is None else thetas
    thetas = tuple(t if isinstance(t, tuple) else (t,) for t in thetas)
    kw = record.constants
    support = record.support(thetas, **kw)
    y = support.values
    sums = []
    # A handful of parameter settings; each is vectorised over the support.
    for theta in thetas:
        prediction, *extra = (np.broadcast_to(t, y.shape + np.shape(t)).copy() for t in theta)
        loss = np.asarray(record.loss(prediction, y, *extra, **record.options, reduction="none"))
        # exp(-inf) = 0 where y is impossible under theta.
        sums.append(np.sum(np.exp(support.log_weights - loss / a)))
    z = np.array(sums)
    top = float(np.max(z))
    ok = bool(np.all(np.isfinite(z)) and np.min(z) > 0)
    spread = (top - float(np.min(z))) / top if ok else math.inf
    return LikelihoodCheck(
        name=record.name,
        thetas=thetas,
        scale=a,
        normalisers=z,
        spread=spread,
        rtol=rtol,
        passed=ok and spread <= rtol,
        method=support.method,
        base_measure=support.base_measure,
    )
