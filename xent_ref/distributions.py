"""Distributions whose negative log-likelihoods are the standard losses.

Eleven families, vectorised over broadcasting parameters, in the style of
``torch.distributions`` and ``scipy.stats``. Five are the distributions of
the standard losses:

- :class:`Normal` ``(loc, scale)``: the NLL of mean squared error;
- :class:`Laplace` ``(loc, scale)``: the NLL of mean absolute error;
- :class:`Bernoulli` ``(probs=None, *, logits=None)``: binary cross-entropy;
- :class:`Categorical` ``(probs=None, *, logits=None)``: softmax cross-entropy;
- :class:`Poisson` ``(rate=None, *, log_rate=None)``: Poisson NLL loss.

Six more go beyond the standard losses: :class:`StudentT`,
:class:`Gamma`, :class:`Beta`, :class:`NegativeBinomial`, :class:`VonMises`
and :class:`GaussianMixture`.

Each has ``log_prob(x)`` (the ``scipy.stats`` ``logpdf``/``logpmf``),
``nll(x) = -log_prob(x)``, ``entropy()`` and ``sample(size, rng)``;
``entropy()`` raises ``NotImplementedError`` for :class:`NegativeBinomial`
and :class:`GaussianMixture`, whose entropies have no closed form here.
:mod:`xent_ref.unification` states which loss is which NLL.

Conventions shared by all:

- Parameters broadcast against each other; their broadcast shape is the
  *batch shape* (for :class:`Categorical` the classes, and for
  :class:`GaussianMixture` the components, are the last axis and are not part
  of it). ``log_prob(x)`` broadcasts ``x`` against it.
- Invalid parameters raise ``ValueError`` (``TypeError`` for non-numeric
  input) whose message starts with the argument's name and a colon.
- ``sample(size, rng)`` needs a ``numpy.random.Generator`` and returns
  an array of shape ``size + batch_shape``.
- Results are float64 whatever the dtype of the parameters and of ``x``
  (float32 in, float64 out; the losses and primitives, by contrast, return
  the floating dtype of their first argument). The class indices that
  :meth:`Categorical.sample` draws are int64; a 0-d result is returned as a
  NumPy scalar.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from xent_ref._exact import (
    _LOG_2,
    _LOG_2PI,
    _horner,
    _lgamma,
    _stirlerr,
    _stirling_series,
)
from xent_ref._primitives import log_sigmoid, log_softmax, sigmoid, softmax
from xent_ref._validation import (
    as_float_array,
    as_index_array,
    check_binary,
    check_finite,
    check_nonnegative,
    check_probabilities,
    check_unit_interval,
)

__all__ = ["Bernoulli", "Categorical", "Laplace", "Normal", "Poisson"]


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------


def _scalar_or_array(a: np.ndarray):
    """Return a 0-d result as ``numpy.float64`` (or int64), anything else as is."""
    return a[()] if a.ndim == 0 else a


def _broadcast_shape(name: str, shape: tuple, other_name: str, other_shape: tuple) -> tuple:
    """Broadcast shape of two arguments; ``ValueError`` naming ``name`` if none."""
    try:
        return np.broadcast_shapes(shape, other_shape)
    except ValueError:
        raise ValueError(
            f"{name}: shape {shape} does not broadcast with {other_name} shape {other_shape}"
        ) from None


def _one_of(name: str, value, other_name: str, other_value) -> None:
    """Exactly one of a pair of alternative parameterisations must be given."""
    if (value is None) == (other_value is None):
        given = "both" if value is not None else "neither"
        raise ValueError(f"{name}: give exactly one of {name} and {other_name}, got {given}")


def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng: expected a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )


def _check_size(size) -> tuple[int, ...]:
    """``size`` as a tuple of non-negative ints (an int means a 1-d sample)."""
    dims = size if isinstance(size, tuple) else (size,)
    try:
        if any(isinstance(d, bool) for d in dims):
            raise TypeError
        dims = tuple(operator.index(d) for d in dims)
    except TypeError:
        raise TypeError(f"size: expected an int or a tuple of ints, got {size!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"size: dimensions must be >= 0, got {size!r}")
    return dims


def _check_binary(x: np.ndarray, name: str = "x") -> None:
    """Bernoulli outcomes are exactly 0 or 1."""
    check_binary(x, name, what="Bernoulli outcomes")


def _check_counts(x: np.ndarray, name: str = "x") -> None:
    """Poisson outcomes are finite, non-negative and whole-valued."""
    if x.size and not (np.min(x) >= 0 and np.isfinite(np.max(x)) and np.all(x == np.floor(x))):
        bad = x[~((x >= 0) & np.isfinite(x) & (x == np.floor(x)))].flat[0]
        raise ValueError(
            f"{name}: Poisson outcomes must be non-negative whole numbers, got {float(bad)!r}"
        )


# ---------------------------------------------------------------------------
# Normal and Laplace: location-scale families
# ---------------------------------------------------------------------------


class _LocScale:
    """Validation and bookkeeping shared by the two location-scale families."""

    def __init__(self, loc, scale) -> None:
        loc = as_float_array(loc, "loc")
        check_finite(loc, "loc")
        scale = as_float_array(scale, "scale")
        check_finite(scale, "scale")
        if scale.size and not np.min(scale) > 0:
            raise ValueError(f"scale: must be > 0, got minimum {float(np.min(scale))!r}")
        self.batch_shape = _broadcast_shape("scale", scale.shape, "loc", loc.shape)
        self.loc = loc
        self.scale = scale

    def _standardise(self, x) -> np.ndarray:
        x = as_float_array(x, "x")
        _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        with np.errstate(over="ignore"):
            z = (x - self.loc) / self.scale
        # x - loc overflows where x and loc are huge and of opposite signs,
        # though (x - loc) / scale may be finite: there x / scale - loc / scale
        # has two terms of opposite signs, so it does not cancel, and it is
        # +-inf only where the exact value is beyond the float range.
        spill = np.isinf(z) & np.isfinite(x)
        if spill.any():
            x, loc, scale = np.broadcast_arrays(x, self.loc, self.scale)
            z = np.array(z)
            with np.errstate(over="ignore"):
                z[spill] = x[spill] / scale[spill] - loc[spill] / scale[spill]
        return z

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Points, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self.batch_shape})"


class Normal(_LocScale):
    r"""Normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``.

    Parameters
    ----------
    loc : array_like
        Mean :math:`\mu`; finite.
    scale : array_like
        Standard deviation :math:`\sigma`; finite and > 0. Broadcasts with
        ``loc``; the broadcast shape is ``batch_shape``.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN or infinite, ``scale <= 0``, or the shapes do
        not broadcast.

    See Also
    --------
    xent_ref.mse_loss : :math:`2\sigma^2` times the mean NLL, minus a constant.
    xent_ref.gaussian_nll_loss : with ``full=True``, the mean NLL with
        ``var = scale**2`` (without ``full``, the NLL less
        :math:`\tfrac12\log 2\pi`).

    Notes
    -----
    .. math::

        \log p(x) = -\frac{(x-\mu)^2}{2\sigma^2} - \log\sigma - \tfrac12\log(2\pi),
        \qquad
        H = \tfrac12\log(2\pi e\sigma^2).

    ``log_prob(±inf)`` is ``-inf``. The entropy is computed as
    :math:`\tfrac12\log(2\pi e) + \log\sigma`, which cannot overflow; in
    ``log_prob``, :math:`z = (x - \mu)/\sigma` falls back to
    :math:`x/\sigma - \mu/\sigma` where :math:`x - \mu` overflows, and
    :math:`z^2/2` is formed as :math:`(z/2)\,z`, so ``log_prob`` is
    ``-inf`` only where the exact value is beyond the float range.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, section 8.1 (differential entropy of the normal).

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import Normal
    >>> d = Normal(0.0, 2.0)
    >>> print(f"{d.log_prob(1.0):.6f}")  # scipy.stats.norm(0, 2).logpdf(1.0): -1.737086
    -1.737086
    >>> print(f"{d.entropy():.6f}", f"{0.5 * np.log(2 * np.pi * np.e * 4.0):.6f}")
    2.112086 2.112086

    The mean squared error of ``pred`` is, up to a scale and a shift, the
    mean NLL of the targets under ``Normal(pred, 1)``:

    >>> pred, y = np.array([0.5, -1.0, 2.0]), np.array([0.0, -1.5, 3.0])
    >>> print(f"{np.mean((y - pred) ** 2):.6f}")
    0.500000
    >>> nll = Normal(pred, 1.0).nll(y).mean()
    >>> print(f"{nll:.6f}", f"{2 * nll - np.log(2 * np.pi):.6f}")
    1.168939 0.500000
    """

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)`, broadcast over ``x`` and the batch.

        Equal to ``scipy.stats.norm.logpdf(x, loc, scale)``.

        Parameters
        ----------
        x : array_like
            Points; must broadcast with ``batch_shape``. ``±inf`` gives ``-inf``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape.
        """
        z = self._standardise(x)
        # (z / 2) * z, not (z * z) / 2: z * z overflows at |z| > 1.3e154, a
        # factor sqrt(2) before the log-density leaves the float range.
        with np.errstate(over="ignore"):
            return _scalar_or_array(-(0.5 * z) * z - np.log(self.scale) - 0.5 * _LOG_2PI)

    def entropy(self):
        r"""Differential entropy :math:`\tfrac12\log(2\pi e\sigma^2)` (nats), of ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        h = 0.5 * (_LOG_2PI + 1.0) + np.log(self.scale)
        return _scalar_or_array(np.broadcast_to(h, self.batch_shape).copy())

    def sample(self, size, rng):
        """Draw samples of shape ``size + batch_shape``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        return _scalar_or_array(np.asarray(rng.normal(self.loc, self.scale, size=shape)))


class Laplace(_LocScale):
    r"""Laplace (double exponential) distribution with location ``loc`` and scale ``scale``.

    Parameters
    ----------
    loc : array_like
        Location (median) :math:`\mu`; finite.
    scale : array_like
        Scale :math:`b`; finite and > 0. Broadcasts with ``loc``.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN or infinite, ``scale <= 0``, or the shapes do
        not broadcast.

    See Also
    --------
    xent_ref.l1_loss : :math:`b` times the mean NLL, minus :math:`b\log(2b)`.

    Notes
    -----
    .. math::

        \log p(x) = -\frac{\lvert x-\mu\rvert}{b} - \log(2b),
        \qquad
        H = 1 + \log(2b).

    The variance is :math:`2b^2`. ``log_prob(±inf)`` is ``-inf``.
    :math:`\log(2b)` is formed as :math:`\log 2 + \log b` (:math:`2b`
    overflows for :math:`b > 9 \times 10^{307}`), and
    :math:`(x - \mu)/b` as :math:`x/b - \mu/b` where :math:`x - \mu`
    overflows.

    References
    ----------
    .. [1] N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
       Distributions*, vol. 2, 2nd ed., Wiley, 1995, chapter 24 (Laplace).

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import Laplace
    >>> d = Laplace(1.0, 0.5)
    >>> print(f"{d.log_prob(2.0):.6f}", f"{-np.log(2 * 0.5) - abs(2.0 - 1.0) / 0.5:.6f}")
    -2.000000 -2.000000
    >>> print(f"{d.entropy():.6f}", f"{1 + np.log(2 * 0.5):.6f}")
    1.000000 1.000000

    The mean absolute error is the mean NLL under ``Laplace(pred, 1)`` minus
    ``log 2``:

    >>> pred, y = np.array([0.5, -1.0, 2.0]), np.array([0.0, -1.5, 3.0])
    >>> print(f"{np.mean(np.abs(y - pred)):.6f}")
    0.666667
    >>> nll = Laplace(pred, 1.0).nll(y).mean()
    >>> print(f"{nll:.6f}", f"{nll - np.log(2):.6f}")
    1.359814 0.666667
    """

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)`, broadcast over ``x`` and the batch.

        Equal to ``scipy.stats.laplace.logpdf(x, loc, scale)``.

        Parameters
        ----------
        x : array_like
            Points; must broadcast with ``batch_shape``. ``±inf`` gives ``-inf``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        z = self._standardise(x)
        # log 2 + log b, not log(2 b): 2 b overflows for b > 9e307.
        return _scalar_or_array(-np.abs(z) - (_LOG_2 + np.log(self.scale)))

    def entropy(self):
        r"""Differential entropy :math:`1 + \log(2b)` in nats, of ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        h = 1.0 + _LOG_2 + np.log(self.scale)
        return _scalar_or_array(np.broadcast_to(h, self.batch_shape).copy())

    def sample(self, size, rng):
        """Draw samples of shape ``size + batch_shape``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        return _scalar_or_array(np.asarray(rng.laplace(self.loc, self.scale, size=shape)))


# ---------------------------------------------------------------------------
# Bernoulli and Categorical: probabilities or logits
# ---------------------------------------------------------------------------


class Bernoulli:
    r"""Bernoulli distribution on {0, 1}, given by ``probs`` or by ``logits``.

    Parameters
    ----------
    probs : array_like, optional
        :math:`p = P(X = 1)`, each in [0, 1].
    logits : array_like, optional, keyword-only
        :math:`z` with :math:`p = \sigma(z)`; any real number, ``±inf``
        allowed. Exactly one of ``probs`` and ``logits`` must be given.

    Raises
    ------
    TypeError
        If the parameter is not real-valued.
    ValueError
        If both or neither of ``probs`` and ``logits`` are given, if one is
        NaN, or if ``probs`` is outside [0, 1].

    See Also
    --------
    xent_ref.binary_cross_entropy : the mean NLL, from ``probs``.
    xent_ref.binary_cross_entropy_with_logits : the mean NLL, from ``logits``.

    Notes
    -----
    .. math::

        \log p(x) = x\log p + (1-x)\log(1-p)
                  = \begin{cases} \log\sigma(z) & x = 1,\\
                                  \log\sigma(-z) & x = 0, \end{cases}

    and :math:`H = -p\log p - (1-p)\log(1-p)` with :math:`0\log 0 = 0`.
    From logits, :math:`\log(1-\sigma(z)) = \log\sigma(-z)`, so both branches
    are exact at any logit (``log_prob(0)`` at :math:`z = 10^4` is
    :math:`-10^4`, not ``-inf``). From probabilities, ``log_prob`` is
    ``-inf`` where the outcome has probability 0.

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*,
       Springer, 2006, section 2.1 and 4.3.2.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import Bernoulli
    >>> print(Bernoulli(logits=1e4).log_prob(0.0))
    -10000.0
    >>> print(f"{Bernoulli(probs=0.2).entropy():.6f}")
    0.500402
    >>> print(f"{-(0.2 * np.log(0.2) + 0.8 * np.log(0.8)):.6f}")
    0.500402

    Probabilities and logits describe the same distribution:

    >>> print(Bernoulli(probs=0.25).log_prob([0, 1]))
    [-0.28768207 -1.38629436]
    >>> print(Bernoulli(logits=np.log(0.25 / 0.75)).log_prob([0, 1]))
    [-0.28768207 -1.38629436]
    >>> print(np.log([0.75, 0.25]))
    [-0.28768207 -1.38629436]
    """

    def __init__(self, probs=None, *, logits=None) -> None:
        _one_of("probs", probs, "logits", logits)
        if probs is not None:
            probs = as_float_array(probs, "probs")
            check_unit_interval(probs, "probs")
            self._probs, self._logits = probs, None
            self.batch_shape = probs.shape
        else:
            logits = as_float_array(logits, "logits")
            self._probs, self._logits = None, logits
            self.batch_shape = logits.shape

    @property
    def probs(self):
        """``P(X = 1)``, as given or ``sigmoid(logits)``."""
        return self._probs if self._logits is None else sigmoid(self._logits)

    @property
    def logits(self):
        """``log(p / (1 - p))``, as given or from ``probs`` (``±inf`` at 0 and 1)."""
        if self._logits is not None:
            return self._logits
        with np.errstate(divide="ignore"):
            return np.log(self._probs) - np.log1p(-self._probs)

    def _log_probs_of_outcomes(self):
        """``(log P(X = 1), log P(X = 0))``, each exact."""
        if self._logits is not None:
            return log_sigmoid(self._logits), log_sigmoid(-self._logits)
        # log 0 = -inf is the intended value where an outcome is impossible.
        with np.errstate(divide="ignore"):
            return np.log(self._probs), np.log1p(-self._probs)

    def log_prob(self, x):
        r"""Log-probability of outcomes ``x`` in {0, 1}.

        Equal to ``scipy.stats.bernoulli.logpmf(x, probs)``.

        Parameters
        ----------
        x : array_like
            Outcomes, each exactly 0 or 1 (bool, int or float); must
            broadcast with ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-probability, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        ValueError
            If an outcome is not 0 or 1, or ``x`` does not broadcast.
        """
        x = as_float_array(x, "x")
        _check_binary(x)
        _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        log_p1, log_p0 = self._log_probs_of_outcomes()
        return _scalar_or_array(np.asarray(np.where(x == 1, log_p1, log_p0), dtype=np.float64))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Outcomes, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-probability, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        r"""Entropy :math:`-p\log p - (1-p)\log(1-p)` in nats (0 at p = 0 and 1).

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        log_p1, log_p0 = self._log_probs_of_outcomes()
        if self._logits is not None:
            # sigma(-z) = 1 - sigma(z) without cancellation.
            p1, p0 = sigmoid(self._logits), sigmoid(-self._logits)
        else:
            p1, p0 = self._probs, 1.0 - self._probs
        # 0 * log 0 = 0: where() drops the 0 * (-inf) = NaN products.
        with np.errstate(invalid="ignore"):
            h = -(np.where(p1 > 0, p1 * log_p1, 0.0) + np.where(p0 > 0, p0 * log_p0, 0.0))
        # + 0.0 turns the -0.0 of a certain outcome into 0.0.
        return _scalar_or_array(np.asarray(h + 0.0, dtype=np.float64))

    def sample(self, size, rng):
        """Draw 0.0/1.0 samples (float64) of shape ``size + batch_shape``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The outcomes, 0.0 or 1.0, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        # u < p with u uniform on [0, 1): P = p exactly, never 1 at p = 0.
        return _scalar_or_array((rng.random(shape) < self.probs).astype(np.float64))

    def __repr__(self) -> str:
        return f"Bernoulli(batch_shape={self.batch_shape})"


class Categorical:
    r"""Categorical distribution over classes ``0 .. C-1`` (the last axis).

    Parameters
    ----------
    probs : array_like, optional
        Class probabilities, shape ``batch_shape + (C,)``, each row in
        [0, 1] and summing to 1 within :math:`\max(10^{-6}, C\varepsilon)`,
        :math:`\varepsilon` the machine epsilon of their floating dtype (of
        float64 for any other dtype; never renormalised).
    logits : array_like, optional, keyword-only
        Unnormalised log-probabilities, :math:`p = \mathrm{softmax}(z)`.
        ``-inf`` entries are impossible classes; a row may hold at most one
        ``+inf`` (the one-hot limit) and must not be all ``-inf``.
        Exactly one of ``probs`` and ``logits`` must be given.

    Raises
    ------
    TypeError
        If the parameter is not real-valued.
    ValueError
        If both or neither are given; if the parameter is 0-d, has no
        classes, or holds NaN; for ``probs``, entries outside [0, 1] or rows
        not summing to 1; for ``logits``, a row with no finite softmax.

    See Also
    --------
    xent_ref.softmax_cross_entropy : the mean NLL of integer targets.

    Notes
    -----
    .. math::

        \log p(x) = \log p_x = z_x - \log\sum_c e^{z_c},
        \qquad
        H = -\sum_c p_c \log p_c \quad (0\log 0 = 0).

    From logits, ``log_prob`` is :func:`xent_ref.log_softmax` at the class,
    exact at any logits; from probabilities it is :math:`\log p_x`
    (``-inf`` where :math:`p_x = 0`).

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*,
       Springer, 2006, section 2.2 and 4.3.4.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import Categorical
    >>> d = Categorical(logits=[[1e4, 0.0, -1e4]])
    >>> print(d.log_prob([2]))
    [-20000.]
    >>> p = np.array([0.5, 0.25, 0.25, 0.0])
    >>> print(f"{Categorical(p).entropy():.6f}", f"{1.5 * np.log(2):.6f}")
    1.039721 1.039721
    """

    def __init__(self, probs=None, *, logits=None) -> None:
        _one_of("probs", probs, "logits", logits)
        if probs is not None:
            probs = check_probabilities(probs, "probs", axis=-1)
            with np.errstate(divide="ignore"):
                log_probs = np.log(probs)
        else:
            logits = as_float_array(logits, "logits")
            if logits.ndim == 0 or logits.shape[-1] == 0:
                raise ValueError(
                    f"logits: must have a class axis of length >= 1, got shape {logits.shape}"
                )
            if np.any(np.all(logits == -np.inf, axis=-1)):
                raise ValueError("logits: a row is -inf in every class, so it has no softmax")
            if np.any(np.sum(logits == np.inf, axis=-1) > 1):
                raise ValueError("logits: a row has more than one +inf, so it has no softmax")
            log_probs = log_softmax(logits, axis=-1)
            probs = softmax(logits, axis=-1)
        self._probs, self._log_probs = probs, log_probs
        self.num_classes = probs.shape[-1]
        self.batch_shape = probs.shape[:-1]

    @property
    def probs(self):
        """Class probabilities, shape ``batch_shape + (C,)``."""
        return self._probs

    @property
    def logits(self):
        """Normalised logits ``log(probs)`` (``-inf`` for impossible classes)."""
        return self._log_probs

    def log_prob(self, x):
        r"""Log-probability :math:`\log p_x` of integer class indices ``x``.

        Equal to ``scipy.stats.multinomial.logpmf(one_hot(x), 1, probs)``.

        Parameters
        ----------
        x : array_like of int
            Class indices in ``[0, C)`` (any integer dtype; floats are
            refused even when whole-valued); must broadcast with
            ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-probability, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        TypeError
            If ``x`` does not have an integer dtype.
        ValueError
            If an index is out of range or ``x`` does not broadcast.
        """
        x = as_index_array(x, "x")
        if x.size and not (np.min(x) >= 0 and np.max(x) < self.num_classes):
            bad = x[(x < 0) | (x >= self.num_classes)].flat[0]
            raise ValueError(f"x: class index {bad} is out of range [0, {self.num_classes})")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        log_probs = np.broadcast_to(self._log_probs, shape + (self.num_classes,))
        index = np.broadcast_to(x, shape)[..., np.newaxis]
        out = np.take_along_axis(log_probs, index, axis=-1)[..., 0]
        return _scalar_or_array(np.array(out, dtype=np.float64))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Class indices, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-probability, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        r"""Entropy :math:`-\sum_c p_c\log p_c` (nats; :math:`0\log 0 = 0`), of ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        p = self._probs
        # 0 * log 0 = 0: where() drops the 0 * (-inf) = NaN products.
        with np.errstate(invalid="ignore"):
            terms = np.where(p > 0, p * self._log_probs, 0.0)
        # + 0.0 turns the -0.0 of a one-hot row into 0.0.
        return _scalar_or_array(np.asarray(-np.sum(terms, axis=-1) + 0.0, dtype=np.float64))

    def sample(self, size, rng):
        """Draw class indices (int64) of shape ``size + batch_shape``.

        Inverse-CDF sampling: the index is the number of cumulative
        probabilities at or below ``u * total`` for ``u`` uniform on [0, 1),
        where ``total`` is the last cumulative sum, so a class of probability
        0 is never drawn and rounding in the sum never yields index ``C``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.int64
            The class indices, int64, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        cdf = np.cumsum(self._probs, axis=-1)
        u = rng.random(shape + (1,)) * cdf[..., -1:]
        return _scalar_or_array(np.sum(cdf <= u, axis=-1, dtype=np.int64))

    def __repr__(self) -> str:
        return f"Categorical(batch_shape={self.batch_shape}, num_classes={self.num_classes})"


# ---------------------------------------------------------------------------
# Poisson
# ---------------------------------------------------------------------------

#: Most terms of the bd0 series: enough for |v| <= 1/2, where term j is
#: below 2**-(2j - 1) relative to the first. Fewer are used when every |v|
#: is smaller (see _bd0).
_BD0_TERMS = 27

#: At and above this rate, the Poisson entropy uses its asymptotic series;
#: the first omitted term, -9/(80 rate**4), is then below 2e-18 relative.
_POISSON_ENTROPY_ASYMPTOTIC = 1e4

#: Below this rate, the Poisson entropy uses its power series in the rate.
_POISSON_ENTROPY_SERIES = 1.0

#: log(k!) / k! for k = 2..23, the coefficients of the series
#: H = rate (1 - log rate) + e^-rate sum_{k>=2} rate**k log(k!) / k!
#: (from H = -sum_k p_k log p_k with log p_k = k log rate - rate - log k!).
#: For rate < 1 the first omitted term is below 1e-21 relative to H.
_POISSON_ENTROPY_COEFFS = tuple(
    math.log(math.factorial(k)) / math.factorial(k) for k in range(2, 24)
)

#: Largest rate :meth:`Poisson.sample` accepts: above about 1e14 NumPy's
#: sampler inflates the variance (by 0.7 % at 1e14, 4 % at 1e15), and above
#: 9.2e18 it refuses; the limit leaves a margin of a hundred.
POISSON_SAMPLE_MAX_RATE = 1e12

#: Half-width of the summation window of the Poisson entropy, in standard
#: deviations plus a constant: the mass outside is below 1e-25.
_POISSON_WINDOW_SIGMAS, _POISSON_WINDOW_PAD = 12.0, 30.0


def _bd0(x: np.ndarray, rate: np.ndarray, log_ratio: np.ndarray) -> np.ndarray:
    r"""Deviance term :math:`x\log(x/\lambda) + \lambda - x \ge 0`, without cancellation.

    Near :math:`x = \lambda` the direct formula subtracts nearly equal
    numbers. With :math:`v = (x-\lambda)/(x+\lambda)`,
    :math:`\log(x/\lambda) = 2\,\mathrm{artanh}\,v` turns it into
    :math:`(x-\lambda)v + 2x\sum_{j\ge1} v^{2j+1}/(2j+1)`, whose first term
    dominates (Loader 2000); it is used for :math:`\lvert v\rvert \le 1/2`.
    """
    out = np.empty_like(x)
    # Halving is exact and keeps x + rate from overflowing for huge counts.
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (0.5 * x - 0.5 * rate) / (0.5 * x + 0.5 * rate)
    near = np.abs(v) <= 0.5
    vn, xn, rn = v[near], x[near], rate[near]
    w = vn * vn
    top = float(np.max(np.abs(vn))) if vn.size else 0.0
    terms = 0 if top == 0.0 else _BD0_TERMS
    if 0.0 < top < 0.5:
        # Term j is below top**(2j - 1) relative to the first: enough terms
        # to take that below 2**-53 (27 at top = 1/2, 9 at top = 0.1).
        terms = math.ceil((53.0 * _LOG_2 / -math.log(top) + 1.0) / 2.0)
    series = np.zeros_like(vn)
    for j in range(terms, 0, -1):
        series = series * w + 1.0 / (2 * j + 1)
    out[near] = (xn - rn) * vn + xn * (2.0 * vn * w * series)
    far = ~near
    # Beyond float range the deviance is +inf, its correct rounding.
    with np.errstate(over="ignore"):
        out[far] = x[far] * log_ratio[far] + rate[far] - x[far]
    return out


class Poisson:
    r"""Poisson distribution with mean ``rate``, or with ``log_rate`` = log(rate).

    Parameters
    ----------
    rate : array_like, optional
        :math:`\lambda \ge 0`, finite (0 is the point mass at 0).
    log_rate : array_like, optional, keyword-only
        :math:`\log\lambda`, in :math:`[-\infty, \log(\text{float max})]`.
        Exactly one of ``rate`` and ``log_rate`` must be given.

    Raises
    ------
    TypeError
        If the parameter is not real-valued.
    ValueError
        If both or neither are given, if one is NaN, if ``rate`` is negative
        or infinite, or if ``exp(log_rate)`` overflows.

    See Also
    --------
    xent_ref.poisson_nll_loss : the mean NLL minus the mean of
        :math:`\log y!`, which does not depend on the prediction.

    Notes
    -----
    The negative log-likelihood is the exact lgamma form

    .. math::

        -\log p(x) = \lambda - x\log\lambda + \log\Gamma(x+1),

    not the Stirling approximation ``torch.nn.functional.poisson_nll_loss``
    uses with ``full=True``. For :math:`x \ge 1` it is evaluated as the sum of
    three non-negative terms [1]_

    .. math::

        -\log p(x) = \tfrac12\log(2\pi x) + \mathrm{stirlerr}(x)
                     + \bigl(x\log\tfrac{x}{\lambda} + \lambda - x\bigr),

    where :math:`\mathrm{stirlerr}(x) = \log x! - (x+\tfrac12)\log x + x -
    \tfrac12\log 2\pi` (a table for :math:`x \le 15`, the Stirling series
    above) and the last term uses a series near :math:`x = \lambda`. So it is
    accurate to a few ulp even where :math:`\lambda \approx x` is large and
    the three terms of the first formula cancel. :math:`-\log p(0) = \lambda`;
    :math:`-\log p(x) = +\infty` for :math:`x \ge 1` at :math:`\lambda = 0`.

    Given ``rate``, the NLL is within 4 ulp of the exact value. Given
    ``log_rate``, the rounding of :math:`\lambda = e^{\log\lambda}` (half an
    ulp) moves the NLL by up to :math:`\lvert\lambda - x\rvert\,2^{-53}`, as
    in any float64 evaluation from ``log_rate``; the error is within
    :math:`4\,(\mathrm{ulp} + \lvert\lambda - x\rvert\,2^{-53})`.

    The entropy has no closed form. For :math:`0 < \lambda < 1` it is the
    power series, from :math:`\log p_k = k\log\lambda - \lambda - \log k!`,

    .. math::

        H = \lambda(1 - \log\lambda)
            + e^{-\lambda} \sum_{k \ge 2} \frac{\lambda^k \log k!}{k!},

    whose terms are all positive (summed to :math:`k = 23`; the rest is
    below 1e-21 relative); :math:`H = 0` at :math:`\lambda = 0`. It is
    :math:`-\sum_k p_k \log p_k` summed over
    :math:`\lambda \pm (12\sqrt\lambda + 30)` (the mass left out is below
    1e-25) for :math:`1 \le \lambda < 10^4`, and the asymptotic series [2]_

    .. math::

        H = \tfrac12\log(2\pi e\lambda) - \frac{1}{12\lambda}
            - \frac{1}{24\lambda^2} - \frac{19}{360\lambda^3}
            + O(\lambda^{-4})

    for :math:`\lambda \ge 10^4`, where the remainder is below 2e-18
    relative.

    References
    ----------
    .. [1] C. Loader, "Fast and Accurate Computation of Binomial
       Probabilities", 2000 (the algorithm of R's ``dpois``).
    .. [2] R. J. Evans, J. Boersma, N. M. Blachman and A. A. Jagers, "The
       entropy of a Poisson distribution: problem 87-6", *SIAM Review* 30(2),
       314-317, 1988.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from xent_ref.distributions import Poisson
    >>> d = Poisson(3.0)
    >>> print(f"{d.nll(2.0):.6f}", f"{3.0 - 2.0 * np.log(3.0) + math.lgamma(3.0):.6f}")
    1.495923 1.495923

    The rate or its log gives the same distribution:

    >>> print(np.round(d.nll([0, 1, 5]), 6))
    [3.       1.901388 2.29443 ]
    >>> print(np.round(Poisson(log_rate=np.log(3.0)).nll([0, 1, 5]), 6))
    [3.       1.901388 2.29443 ]

    At a large count equal to the rate the lgamma form cancels to about
    :math:`\tfrac12\log(2\pi x)`; this evaluation keeps every digit (mpmath
    at 40 digits gives 14.734449091169030), where
    ``-scipy.stats.poisson(x).logpmf(x)`` gives 14.734375:

    >>> x = 1e12
    >>> print(f"{float(Poisson(x).nll(x)):.12f}")
    14.734449091169
    """

    def __init__(self, rate=None, *, log_rate=None) -> None:
        _one_of("rate", rate, "log_rate", log_rate)
        if rate is not None:
            rate = as_float_array(rate, "rate")
            check_nonnegative(rate, "rate")
            check_finite(rate, "rate")
            with np.errstate(divide="ignore"):
                log_rate = np.log(rate)
        else:
            log_rate = as_float_array(log_rate, "log_rate")
            if log_rate.size and not np.max(log_rate) <= math.log(np.finfo(np.float64).max):
                top = float(np.max(log_rate))
                raise ValueError(f"log_rate: exp(log_rate) overflows float64, got maximum {top!r}")
            rate = np.exp(log_rate)
        self.rate, self.log_rate = rate, log_rate
        self.batch_shape = rate.shape

    def log_prob(self, x):
        r"""Log-probability :math:`x\log\lambda - \lambda - \log x!` of counts ``x``.

        Equal to ``scipy.stats.poisson.logpmf(x, rate)`` (which loses
        accuracy where :math:`x \approx \lambda` is large; this does not).

        Parameters
        ----------
        x : array_like
            Counts: finite, non-negative, whole-valued (int or float); must
            broadcast with ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-probability, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        ValueError
            If a count is negative, infinite or not whole, or ``x`` does not
            broadcast.
        """
        return -self.nll(x)

    def nll(self, x):
        r"""Exact NLL :math:`\lambda - x\log\lambda + \log\Gamma(x+1)`; see the class Notes.

        Parameters
        ----------
        x : array_like
            Counts, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-probability, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        x = as_float_array(x, "x")
        _check_counts(x)
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        x = np.broadcast_to(x, shape).ravel()
        rate = np.broadcast_to(self.rate, shape).ravel()
        log_rate = np.broadcast_to(self.log_rate, shape).ravel()
        out = rate.copy()  # -log p(0) = rate
        pos = x > 0
        xp, rp, lp = x[pos], rate[pos], log_rate[pos]
        with np.errstate(divide="ignore", over="ignore", under="ignore"):
            ratio = xp / rp
        # log(x / rate) from the ratio is accurate to an absolute ~1e-16; where
        # the ratio is not a normal float, log x - log rate is huge and exact
        # enough (and at rate = 0 it is +inf, giving nll = +inf).
        usable = np.isfinite(ratio) & (ratio >= np.finfo(np.float64).tiny)
        with np.errstate(divide="ignore"):
            log_ratio = np.where(usable, np.log(np.where(usable, ratio, 1.0)), np.log(xp) - lp)
        out[pos] = 0.5 * (_LOG_2PI + np.log(xp)) + _stirlerr(xp) + _bd0(xp, rp, log_ratio)
        return _scalar_or_array(out.reshape(shape))

    def entropy(self):
        r"""Entropy :math:`-\sum_k p_k\log p_k` in nats, of ``batch_shape``; see the class Notes.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        rate = np.ravel(self.rate)
        out = np.zeros_like(rate)  # the point mass at rate 0 has entropy 0
        big = rate >= _POISSON_ENTROPY_ASYMPTOTIC
        lam = rate[big]
        inv = 1.0 / lam  # the series in 1/rate; rate**2 could overflow
        series = inv * (1.0 / 12.0 + inv * (1.0 / 24.0 + inv * (19.0 / 360.0)))
        out[big] = 0.5 * (_LOG_2PI + 1.0 + np.log(lam)) - series
        small = (rate > 0) & (rate < _POISSON_ENTROPY_SERIES)
        out[small] = self._entropy_by_series(rate[small])
        middle = ~big & ~small & (rate > 0)
        out[middle] = self._entropy_by_summation(rate[middle])
        return _scalar_or_array(out.reshape(self.batch_shape))

    @staticmethod
    def _entropy_by_series(rate: np.ndarray) -> np.ndarray:
        """The entropy for 0 < rate < 1, a sum of positive terms (no exp of a tiny log p)."""
        poly = np.zeros_like(rate)
        for c in reversed(_POISSON_ENTROPY_COEFFS):
            poly = poly * rate + c
        with np.errstate(under="ignore"):
            tail = np.exp(-rate) * (rate * rate) * poly
        return rate * (1.0 - np.log(rate)) + tail

    @staticmethod
    def _entropy_by_summation(rate: np.ndarray) -> np.ndarray:
        """-sum p log p over a window around each rate, in blocks of rows."""
        if rate.size == 0:
            return rate.copy()
        half = _POISSON_WINDOW_SIGMAS * np.sqrt(rate) + _POISSON_WINDOW_PAD
        lo = np.maximum(0.0, np.floor(rate - half))
        width = int(np.max(np.ceil(rate + half) - lo)) + 1
        k = np.arange(width, dtype=np.float64)
        out = np.empty_like(rate)
        # About 2**18 terms per block bounds the temporaries to a few MB.
        step = max(1, (1 << 18) // width)
        for start in range(0, rate.size, step):
            r = rate[start : start + step, np.newaxis]
            counts = lo[start : start + step, np.newaxis] + k
            log_p = -Poisson(r).nll(counts)
            p = np.exp(log_p)
            # 0 * log 0 = 0 where a term underflows or the rate is 0.
            with np.errstate(invalid="ignore"):
                terms = np.where(p > 0, p * log_p, 0.0)
            # + 0.0 turns the -0.0 of rate 0 into 0.0.
            out[start : start + step] = -np.sum(terms, axis=-1) + 0.0
        return out

    def sample(self, size, rng):
        """Draw counts (as float64) of shape ``size + batch_shape``.

        Every rate must be at most :data:`POISSON_SAMPLE_MAX_RATE` (1e12):
        NumPy's sampler, used here, inflates the variance above about 1e14
        (by 0.7 % at 1e14 and 4 % at 1e15) and refuses rates above 9.2e18.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The counts, as float64, of shape ``size + batch_shape``.

        Raises
        ------
        ValueError
            If a rate exceeds :data:`POISSON_SAMPLE_MAX_RATE`.
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        if self.rate.size and not np.max(self.rate) <= POISSON_SAMPLE_MAX_RATE:
            raise ValueError(
                f"rate: sampling needs every rate <= {POISSON_SAMPLE_MAX_RATE:g} (above about "
                "1e14 NumPy's Poisson sampler inflates the variance, and above 9.2e18 it "
                f"refuses), got maximum {float(np.max(self.rate))!r}"
            )
        return _scalar_or_array(np.asarray(rng.poisson(self.rate, size=shape), dtype=np.float64))

    def __repr__(self) -> str:
        return f"Poisson(batch_shape={self.batch_shape})"


# The six families below need logsumexp, which the five above do not.
from xent_ref._primitives import logsumexp as _logsumexp  # noqa: E402

# ---------------------------------------------------------------------------
# Special functions for the six families below: float64, vectorised, NumPy
# and the standard library only
# ---------------------------------------------------------------------------

#: At and above this argument the asymptotic series of stirlerr, R (the
#: digamma remainder) and the gamma-function ratios are used; below it, the
#: argument is shifted up by the recurrences of the gamma function.
_SERIES_MIN = 16.0

#: B_2k / (2k) for k = 1..8: psi(x) = log x - 1/(2x) - sum_k c_k / x**(2k).
#: For x >= 16 the first omitted term is below 1e-21 relative to the sum.
_DIGAMMA_COEFFS = (
    1.0 / 12.0,
    -1.0 / 120.0,
    1.0 / 252.0,
    -1.0 / 240.0,
    1.0 / 132.0,
    -691.0 / 32760.0,
    1.0 / 12.0,
    -3617.0 / 8160.0,
)

#: Terms of the series in v**2 of log1pmx, enough for |v| <= 0.43 (t in
#: [-0.6, 1]): the first omitted term is below 1e-19 relative.
_LOG1PMX_TERMS = 25

def _on_flat(fn):
    """Apply ``fn`` to its first argument flattened to 1-d; reshape the result(s) back.

    The helpers below assign through boolean masks, which 0-d results
    (NumPy scalars) do not support.
    """

    def wrapped(x, *args):
        x = np.asarray(x, dtype=np.float64)
        out = fn(x.ravel(), *args)
        if isinstance(out, tuple):
            return tuple(o.reshape(x.shape) for o in out)
        return out.reshape(x.shape)

    wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
    return wrapped


def _series_terms(w: np.ndarray) -> int:
    """Terms j of a series in w**j (coefficients <= 1/3) to take the first omitted below 2**-60."""
    top = float(np.max(w)) if w.size else 0.0
    if top == 0.0:
        return 0
    return min(_LOG1PMX_TERMS, max(1, math.ceil(60 * _LOG_2 / -math.log(top))))


@_on_flat
def _stirlerr_real(x: np.ndarray) -> np.ndarray:
    r"""Stirling's error :math:`\log\Gamma(x) - (x-\tfrac12)\log x + x - \tfrac12\log 2\pi` for real x > 0.

    The same series as :func:`_stirlerr` for :math:`x \ge 16` (valid for any
    real argument there), the definition through :func:`_lgamma` below.
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    big = x >= _SERIES_MIN
    out[big] = _stirling_series(x[big])
    xs = x[~big]
    out[~big] = _lgamma(xs) - (xs - 0.5) * np.log(xs) + xs - 0.5 * _LOG_2PI
    return out


@_on_flat
def _digamma_remainder(x: np.ndarray) -> np.ndarray:
    r"""The remainder :math:`R(x) = \log x - \frac1{2x} - \psi(x)` of the digamma function, x > 0.

    For :math:`x \ge 16` the asymptotic series :math:`\sum_k
    \frac{B_{2k}}{2k\,x^{2k}}`. For :math:`1 \le x < 16` the recurrence
    :math:`R(x) = R(x+1) - \mathrm{log1pmx}(u) - \frac{u^2}{2(1+u)}`,
    :math:`u = 1/x`, whose terms are :math:`O(u^3)` and summed without the
    cancellation of :math:`\log x - \psi(x)`. Below 1, :math:`R(x) = \log x
    + \frac1{2x} - \psi(x+1)`, where :math:`\frac1{2x}` dominates (and a
    tiny :math:`x` gives no ``inf - inf``).
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    big = x >= _SERIES_MIN
    out[big] = _digamma_series_remainder(x[big])
    tiny = x < 1.0
    xs = x[tiny]
    # 1/(2x) dominates here, so nothing cancels (and no inf - inf near 0).
    with np.errstate(over="ignore"):
        out[tiny] = np.log(xs) + 0.5 / xs - _digamma_shifted(xs + 1.0)
    mid = ~big & ~tiny
    xm = x[mid]
    n = _shift_count(xm)
    acc = _digamma_series_remainder(xm + n)
    for j in range(int(_SERIES_MIN)):
        # R(x) - R(x+1) = -log1pmx(u) - u^2 / (2(1+u)), u = 1/x: both O(u^2).
        u = 1.0 / (xm + j)
        acc += np.where(j < n, -_log1pmx(u) - 0.5 * u * u / (1.0 + u), 0.0)
    out[mid] = acc
    return out


def _digamma_series_remainder(y: np.ndarray) -> np.ndarray:
    inv2 = 1.0 / y
    inv2 = inv2 * inv2
    return _horner(inv2, _DIGAMMA_COEFFS) * inv2


def _digamma_shifted(y: np.ndarray) -> np.ndarray:
    r""":math:`\psi(y)` for :math:`y \ge 1`: shift to :math:`y \ge 16`, then the series."""
    y = y.copy()
    harmonic = np.zeros_like(y)
    for _ in range(int(_SERIES_MIN)):
        low = y < _SERIES_MIN
        if not low.any():
            break
        harmonic[low] += 1.0 / y[low]
        y[low] += 1.0
    return np.log(y) - 0.5 / y - _digamma_series_remainder(y) - harmonic


@_on_flat
def _log1pmx(t: np.ndarray) -> np.ndarray:
    r""":math:`\log(1+t) - t` for :math:`t > -1`, without cancellation near 0.

    With :math:`v = t/(2+t)`, :math:`\log(1+t) = 2\,\mathrm{artanh}\,v` and
    :math:`t - 2v = tv`, so :math:`\log(1+t) - t = -tv + 2v^3\sum_{j\ge0}
    v^{2j}/(2j+3)`: both terms are of order :math:`t^2`, nothing cancels.
    Used for :math:`-0.6 \le t \le 1`; elsewhere the direct difference
    loses at most two bits.
    """
    t = np.asarray(t, dtype=np.float64)
    out = np.empty_like(t)
    near = (t >= -0.6) & (t <= 1.0)
    tn = t[near]
    v = tn / (2.0 + tn)
    w = v * v
    s = np.zeros_like(v)
    # As many terms as the largest |v| needs (25 at t = -0.6, 3 at t = 1e-3).
    for j in range(_series_terms(w), -1, -1):
        s = s * w + 1.0 / (2 * j + 3)
    out[near] = -tn * v + 2.0 * v * w * s
    tf = t[~near]
    # log1p(-1) = -inf is the limit at t = -1; overflow of t gives -inf.
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~near] = np.where(np.isinf(tf), -np.inf, np.log1p(tf) - tf)
    return out


def _log1pmx_over_t(t: np.ndarray) -> np.ndarray:
    r""":math:`(\log(1+t) - t)/t` for :math:`0 < t \le 1`, which does not underflow for tiny t.

    From the series of :func:`_log1pmx`: :math:`-v + 2ws/(2+t)` with
    :math:`w = v^2`.
    """
    v = t / (2.0 + t)
    w = v * v
    s = np.zeros_like(v)
    for j in range(_series_terms(w), -1, -1):
        s = s * w + 1.0 / (2 * j + 3)
    return -v + 2.0 * w * s / (2.0 + t)


def _deviance(x: np.ndarray, m: np.ndarray, log_x: np.ndarray, log_m: np.ndarray) -> np.ndarray:
    r"""Loader's deviance term :math:`x\log(x/m) + m - x \ge 0` for :math:`x > 0`, :math:`m \ge 0`.

    :math:`= -x\,\mathrm{log1pmx}\bigl((m-x)/x\bigr)`, which keeps every digit
    where :math:`m \approx x` (the direct form cancels there). Where
    :math:`m < x/10`, :math:`m` is 0 or subnormal by underflow, or
    :math:`(m-x)/x` overflows, the direct form with the given logs is used
    (nothing cancels there).
    """
    out = np.empty_like(x)
    with np.errstate(over="ignore", invalid="ignore"):
        t = (m - x) / x
    # Below t = -0.9 (m < x/10) log(1 + t) would take the log of a rounded
    # 1 + t; the direct form does not cancel there (x log 10 against 0.9 x).
    ok = np.isfinite(t) & (t >= -0.9) & (m >= np.finfo(np.float64).tiny)
    out[ok] = -x[ok] * _log1pmx(t[ok])
    bad = ~ok
    xb, mb = x[bad], m[bad]
    # log(x/m) from the ratio keeps its relative accuracy; log x - log m only
    # an absolute one (1e-13 at logs near 700), so it is the fallback for
    # ratios beyond the normal float range.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        ratio = xb / mb
        usable = np.isfinite(ratio) & (ratio >= np.finfo(np.float64).tiny)
        log_ratio = np.where(usable, np.log(np.where(usable, ratio, 1.0)), log_x[bad] - log_m[bad])
        direct = xb * log_ratio + mb - xb
    out[bad] = np.where(np.isinf(mb), np.inf, direct)
    return out


def _shift_count(x: np.ndarray) -> np.ndarray:
    """Steps n >= 0 that take x to x + n >= 16 (0 where x is already there)."""
    return np.where(x < _SERIES_MIN, np.ceil(_SERIES_MIN - x), 0.0)


@_on_flat
def _half_gamma_ratio(x: np.ndarray) -> np.ndarray:
    r""":math:`E(x) = \log\Gamma(x+\tfrac12) - \log\Gamma(x) - \tfrac12\log x` for x > 0.

    :math:`E(x) \to -1/(8x)` as :math:`x \to \infty`, where the three terms
    are huge and cancel; from Stirling's formula, for :math:`x \ge 16`,

    .. math::

        E(x) = x\,\mathrm{log1pmx}\bigl(\tfrac1{2x}\bigr)
               + \mathrm{stirlerr}(x+\tfrac12) - \mathrm{stirlerr}(x).

    Below 16, with :math:`n` steps to :math:`y = x+n \ge 16`,
    :math:`E(x) = E(y) + \tfrac12\log\frac{x+n}{x} - \sum_{j<n}
    \log\frac{x+j+1/2}{x+j}`, each log of a ratio formed by ``log1p``.
    """
    x = np.asarray(x, dtype=np.float64)
    n = _shift_count(x)
    y = x + n
    # y log1pmx(1/(2y)) = log1pmx(u) / (2u): the ratio form cannot underflow.
    out = 0.5 * _log1pmx_over_t(0.5 / y) + _stirlerr_real(y + 0.5) - _stirlerr_real(y)
    low = n > 0
    xl, nl = x[low], n[low]
    # j = 0: 1/2 log((x+n)/x) - log((x+1/2)/x), as logs so a tiny x cannot overflow.
    acc = 0.5 * np.log(xl + nl) + 0.5 * np.log(xl) - np.log(xl + 0.5)
    for j in range(1, int(_SERIES_MIN)):
        acc -= np.where(j < nl, np.log1p(0.5 / (xl + j)), 0.0)
    out[low] += acc
    return out


@_on_flat
def _half_digamma_difference(x: np.ndarray) -> np.ndarray:
    r""":math:`\psi(x+\tfrac12) - \psi(x) > 0` for x > 0, without cancellation.

    For :math:`x \ge 16`, :math:`\log(1+\frac1{2x}) + \frac1{2x(2x+1)} -
    R(x+\tfrac12) + R(x)` with :math:`R` the digamma remainder; below, the
    recurrence adds the positive terms :math:`\frac{1/2}{(x+j)(x+j+1/2)}`.
    """
    x = np.asarray(x, dtype=np.float64)
    n = _shift_count(x)
    y = x + n
    out = (
        np.log1p(0.5 / y)
        + (0.5 / y) / (2.0 * y + 1.0)
        - _digamma_series_remainder(y + 0.5)
        + _digamma_series_remainder(y)
    )
    low = n > 0
    xl, nl = x[low], n[low]
    acc = np.zeros_like(xl)
    # ~1/x at j = 0; beyond float range for a subnormal x, where inf is the rounding.
    with np.errstate(over="ignore"):
        for j in range(int(_SERIES_MIN)):
            acc += np.where(j < nl, 0.5 / ((xl + j) * (xl + j + 0.5)), 0.0)
    out[low] += acc
    return out


#: The three regimes of the Bessel functions: power series below 2, the
#: trapezoid rule on the integral representation below 25, the asymptotic
#: expansion at and above 40 (its smallest term, about exp(-2 kappa), is
#: then below 1e-34).
_BESSEL_SERIES_MAX = 2.0
_BESSEL_ASYMPTOTIC_MIN = 40.0
_BESSEL_SERIES_TERMS = 30
_BESSEL_TRAPEZOID_INTERVALS = 64
_BESSEL_ASYMPTOTIC_TERMS = 24


@_on_flat
def _bessel_parts(kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Return :math:`\log(e^{-\kappa}I_0(\kappa))` and :math:`1 - I_1(\kappa)/I_0(\kappa)`, kappa >= 0.

    Three regimes, each free of cancellation:

    - :math:`\kappa < 2`: the power series :math:`I_0 = \sum_k
      (\kappa^2/4)^k/k!^2` (its log through ``log1p`` of the terms after
      the first), :math:`I_1 = \frac\kappa2\sum_k (\kappa^2/4)^k/(k!(k+1)!)`;
    - :math:`2 \le \kappa < 40`: the integrals
      :math:`e^{-\kappa}I_0 = \frac1\pi\int_0^\pi e^{-2\kappa\sin^2(\theta/2)}d\theta`
      and :math:`e^{-\kappa}(I_0 - I_1)` (the same with the factor
      :math:`2\sin^2(\theta/2)`), positive integrands of period
      :math:`2\pi`, for which the trapezoid rule with 64 intervals is exact
      to far below float64 resolution;
    - :math:`\kappa \ge 40`: :math:`I_\nu(\kappa) \sim
      \frac{e^\kappa}{\sqrt{2\pi\kappa}}\sum_k c_k(\nu)\kappa^{-k}`,
      :math:`c_k(\nu) = c_{k-1}(\nu)\frac{(2k-1)^2 - 4\nu^2}{8k}`, with
      :math:`1 - I_1/I_0` summed from :math:`c_k(0) - c_k(1)` (the leading
      terms cancel exactly, so it keeps its digits at :math:`\kappa = 10^8`).
    """
    kappa = np.asarray(kappa, dtype=np.float64)
    log_i0e = np.empty_like(kappa)
    one_minus_ratio = np.empty_like(kappa)

    small = kappa < _BESSEL_SERIES_MAX
    ks = kappa[small]
    t = 0.25 * ks * ks
    term0, term1 = np.ones_like(ks), np.ones_like(ks)
    s0m1, s1 = np.zeros_like(ks), np.ones_like(ks)
    for k in range(1, _BESSEL_SERIES_TERMS):
        term0 = term0 * t / (k * k)
        term1 = term1 * t / (k * (k + 1))
        s0m1 += term0
        s1 += term1
    log_i0e[small] = np.log1p(s0m1) - ks
    one_minus_ratio[small] = 1.0 - 0.5 * ks * s1 / (1.0 + s0m1)

    mid = ~small & (kappa < _BESSEL_ASYMPTOTIC_MIN)
    theta = np.linspace(0.0, np.pi, _BESSEL_TRAPEZOID_INTERVALS + 1)
    half_chord = np.sin(0.5 * theta) ** 2  # (1 - cos theta) / 2, exact near 0
    weights = np.ones_like(theta)
    weights[[0, -1]] = 0.5
    km_all = kappa[mid]
    i0e, gap = np.empty_like(km_all), np.empty_like(km_all)
    # In blocks of 4096 concentrations: the (block, 65) temporaries stay ~2 MB.
    for start in range(0, km_all.size, 4096):
        km = km_all[start : start + 4096, np.newaxis]
        f = np.exp(-2.0 * km * half_chord) * weights
        i0e[start : start + 4096] = np.sum(f, axis=-1)
        gap[start : start + 4096] = np.sum(f * (2.0 * half_chord), axis=-1)
    log_i0e[mid] = np.log(i0e / _BESSEL_TRAPEZOID_INTERVALS)
    one_minus_ratio[mid] = gap / i0e

    big = kappa >= _BESSEL_ASYMPTOTIC_MIN
    kb = kappa[big]
    inv = 1.0 / kb
    c0, c1 = 1.0, 1.0
    s0, diff = np.ones_like(kb), np.zeros_like(kb)
    power = np.ones_like(kb)
    for k in range(1, _BESSEL_ASYMPTOTIC_TERMS):
        c0 *= (2 * k - 1) ** 2 / (8.0 * k)
        c1 *= ((2 * k - 1) ** 2 - 4) / (8.0 * k)
        power = power * inv
        s0 += c0 * power
        diff += (c0 - c1) * power
    log_i0e[big] = np.log(s0) - 0.5 * (_LOG_2PI + np.log(kb))
    one_minus_ratio[big] = diff / s0
    return log_i0e, one_minus_ratio


def _positive(a: np.ndarray, name: str) -> None:
    """``ValueError`` unless every entry is > 0 (NaN is refused earlier)."""
    if a.size and not np.min(a) > 0:
        raise ValueError(f"{name}: must be > 0, got minimum {float(np.min(a))!r}")


def _positive_finite(x, name: str) -> np.ndarray:
    a = as_float_array(x, name)
    check_finite(a, name)
    _positive(a, name)
    return a


def _broadcast_all(names_and_arrays) -> tuple:
    """Broadcast shape of named parameters; ``ValueError`` naming the first that does not fit."""
    (first_name, first), *rest = names_and_arrays
    shape, shape_name = first.shape, first_name
    for name, a in rest:
        shape = _broadcast_shape(name, a.shape, shape_name, shape)
        shape_name = "the other parameters"
    return shape


def _flat(shape: tuple, *arrays) -> list[np.ndarray]:
    """Each array broadcast to ``shape`` and flattened (a copy, safe to index)."""
    return [np.broadcast_to(a, shape).ravel() for a in arrays]


def _check_whole_counts(x: np.ndarray, family: str) -> None:
    """Count outcomes are finite, non-negative and whole-valued."""
    if x.size and not (np.min(x) >= 0 and np.isfinite(np.max(x)) and np.all(x == np.floor(x))):
        bad = x[~((x >= 0) & np.isfinite(x) & (x == np.floor(x)))].flat[0]
        raise ValueError(
            f"x: {family} outcomes must be non-negative whole numbers, got {float(bad)!r}"
        )


# ---------------------------------------------------------------------------
# Student's t
# ---------------------------------------------------------------------------


class StudentT:
    r"""Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale ``scale``.

    Parameters
    ----------
    df : array_like
        Degrees of freedom :math:`\nu`; finite and > 0 (at least the smallest
        normal float64, 2.2e-308).
    loc : array_like, optional
        Location (median) :math:`\mu`; finite. Default 0.
    scale : array_like, optional
        Scale :math:`\sigma`; finite and > 0. Default 1. The three broadcast
        together; the broadcast shape is ``batch_shape``.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN or infinite, ``df <= 0`` or ``scale <= 0``, or
        the shapes do not broadcast.

    See Also
    --------
    Normal : the limit :math:`\nu \to \infty`.
    Laplace : the other heavy-tailed choice for a real target.
    scipy.stats.t : the same distribution, ``t(df, loc, scale)``.

    Notes
    -----
    With :math:`z = (x-\mu)/\sigma`,

    .. math::

        \log p(x) = \log\Gamma\bigl(\tfrac{\nu+1}2\bigr) - \log\Gamma\bigl(\tfrac\nu2\bigr)
                    - \tfrac12\log(\nu\pi) - \log\sigma
                    - \tfrac{\nu+1}2\log\Bigl(1 + \frac{z^2}\nu\Bigr),

    .. math::

        H = \tfrac{\nu+1}2\Bigl[\psi\bigl(\tfrac{\nu+1}2\bigr) - \psi\bigl(\tfrac\nu2\bigr)\Bigr]
            + \log\bigl(\sqrt\nu\,B(\tfrac\nu2, \tfrac12)\bigr) + \log\sigma .

    As a loss, the NLL grows like :math:`(\nu+1)\log\lvert z\rvert` in the
    tails instead of :math:`z^2/2`: its slope in :math:`x`,
    :math:`\frac{(\nu+1)z}{(\nu+z^2)\sigma}`, tends to 0 as
    :math:`\lvert z\rvert` grows, where the normal's, :math:`z/\sigma`,
    grows without bound, so an outlier's pull on the fit is bounded. As
    :math:`\nu \to \infty` both tend to the normal's.

    Evaluation. With :math:`x_h = \nu/2`, the gamma-function ratio is
    :math:`E(x_h) - \tfrac12\log 2\pi` where :math:`E(x) = \log\Gamma(x+\tfrac12)
    - \log\Gamma(x) - \tfrac12\log x \to -1/(8x)`; it is evaluated from
    Stirling's series for :math:`x \ge 16` (smaller :math:`x` are shifted up
    by :math:`\Gamma(x+1) = x\Gamma(x)`), so at :math:`\nu = 10^{300}` it
    does not cancel two numbers near :math:`10^{302}`. The entropy is evaluated as
    :math:`(x_h+\tfrac12)\,D(x_h) + \tfrac12\log 2\pi - E(x_h) + \log\sigma`
    with :math:`D(x) = \psi(x+\tfrac12) - \psi(x) > 0` from a series of
    positive terms. ``log_prob(±inf)`` is ``-inf``; a huge :math:`\lvert z
    \rvert` whose square overflows is handled through :math:`2\log\lvert z
    \rvert - \log\nu`, so the log-density stays finite where it is.

    Accuracy (tested against mpmath at up to 400 digits, with :math:`\nu`
    from 1e-300 to 1e300): the absolute error of ``log_prob`` is at most
    :math:`8\varepsilon(M + K)`, :math:`\varepsilon = 2^{-52}`, where
    :math:`M = \lvert E\rvert + \tfrac12\log 2\pi + \lvert\log\sigma\rvert +
    \tfrac{\nu+1}2\log(1+z^2/\nu)` is the sum of the magnitudes of its terms
    and :math:`K = \tfrac{\nu+1}{\nu+z^2}z^2` the effect of rounding :math:`z`;
    that of ``entropy`` is at most :math:`8\varepsilon` times the sum of the
    magnitudes of its four terms. Where nothing cancels (:math:`M \approx
    \lvert\log p\rvert`), that is within 16 ulp of the result.

    References
    ----------
    .. [1] N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
       Distributions*, vol. 2, 2nd ed., Wiley, 1995, chapter 28 (t).
    .. [2] K. L. Lange, R. J. A. Little and J. M. G. Taylor, "Robust
       Statistical Modeling Using the t Distribution", *Journal of the
       American Statistical Association* 84(408), 881-896, 1989.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import StudentT
    >>> d = StudentT(1.0)  # the standard Cauchy, density 1 / (pi (1 + x^2))
    >>> print(f"{d.log_prob(1.0):.6f}", f"{-np.log(2 * np.pi):.6f}")
    -1.837877 -1.837877
    >>> print(f"{d.entropy():.6f}", f"{np.log(4 * np.pi):.6f}")
    2.531024 2.531024

    The NLL of an outlier grows like a log, not a square:

    >>> print(np.round(StudentT(3.0).nll([0.0, 10.0, 100.0]), 4))  # as scipy.stats.t(3)
    [ 1.0009  8.0731 17.2249]

    At huge ``df`` it is the normal's, :math:`-\tfrac12(1 + \log 2\pi)` at 1:

    >>> print(f"{StudentT(1e300).log_prob(1.0):.12f}", f"{-0.5 * (1 + np.log(2 * np.pi)):.12f}")
    -1.418938533205 -1.418938533205
    """

    def __init__(self, df, loc=0.0, scale=1.0) -> None:
        df = _positive_finite(df, "df")
        tiny = np.finfo(np.float64).tiny
        if df.size and not np.min(df) >= tiny:
            # df / 2 of a subnormal df can round to 0.
            raise ValueError(f"df: must be >= {tiny!r} (not subnormal), got {float(np.min(df))!r}")
        loc = as_float_array(loc, "loc")
        check_finite(loc, "loc")
        scale = _positive_finite(scale, "scale")
        self.batch_shape = _broadcast_all([("df", df), ("loc", loc), ("scale", scale)])
        self.df, self.loc, self.scale = df, loc, scale
        # Terms of the parameters alone, once per parameter rather than per point.
        self._half_df = 0.5 * df
        self._log_norm = _half_gamma_ratio(self._half_df) - 0.5 * _LOG_2PI - np.log(scale)

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)`, broadcast over ``x`` and the batch.

        Equal to ``scipy.stats.t.logpdf(x, df, loc, scale)``.

        Parameters
        ----------
        x : array_like
            Points; must broadcast with ``batch_shape``. ``±inf`` gives ``-inf``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        x = as_float_array(x, "x")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        df, scale = self.df, self.scale
        # Halving first: x - loc cannot overflow.
        half_diff = 0.5 * x - 0.5 * self.loc
        with np.errstate(over="ignore", invalid="ignore"):
            z = (2.0 * half_diff) / scale
            w = (z * z) / df
            log1p_w = np.log1p(w)
        if not np.all(np.isfinite(w)):
            # z^2/df overflows: log1p(w) = 2 log|z| - log df; the rest is below 1e-308.
            with np.errstate(divide="ignore"):
                log_abs_z = np.log(np.abs(half_diff)) + _LOG_2 - np.log(scale)
            log1p_w = np.where(np.isfinite(w), log1p_w, 2.0 * log_abs_z - np.log(df))
        out = self._log_norm - (self._half_df + 0.5) * log1p_w
        return _scalar_or_array(np.array(out, dtype=np.float64))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Points, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        r"""Differential entropy in nats, of ``batch_shape``; see the class Notes.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        half = self._half_df
        with np.errstate(over="ignore"):
            h = (half + 0.5) * _half_digamma_difference(half)
        h = h + 0.5 * _LOG_2PI - _half_gamma_ratio(half) + np.log(self.scale)
        return _scalar_or_array(np.broadcast_to(h, self.batch_shape).copy())

    def sample(self, size, rng):
        """Draw samples of shape ``size + batch_shape``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        t = rng.standard_t(np.broadcast_to(self.df, self.batch_shape), size=shape)
        return _scalar_or_array(np.asarray(self.loc + self.scale * t, dtype=np.float64))

    def __repr__(self) -> str:
        return f"StudentT(batch_shape={self.batch_shape})"


# ---------------------------------------------------------------------------
# Gamma
# ---------------------------------------------------------------------------


class Gamma:
    r"""Gamma distribution with shape ``concentration`` and inverse scale ``rate``.

    Parameters
    ----------
    concentration : array_like
        Shape :math:`k`; finite and > 0.
    rate : array_like
        Rate :math:`\beta` (the inverse of SciPy's ``scale``); finite and > 0.
        Broadcasts with ``concentration``. The mean is :math:`k/\beta` and
        the variance :math:`k/\beta^2`.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN, infinite or <= 0, or the shapes do not
        broadcast.

    See Also
    --------
    Poisson : the same saddle-point evaluation, for counts.
    scipy.stats.gamma : ``gamma(concentration, scale=1 / rate)``.

    Notes
    -----
    For :math:`x > 0`,

    .. math::

        \log p(x) = k\log\beta + (k-1)\log x - \beta x - \log\Gamma(k),
        \qquad
        H = k - \log\beta + \log\Gamma(k) + (1-k)\psi(k).

    At :math:`x = 0` the density is :math:`+\infty` for :math:`k < 1`,
    :math:`\beta` for :math:`k = 1` and 0 for :math:`k > 1`;
    ``log_prob(inf)`` is ``-inf``. With :math:`k` fixed and the rate set by a
    prediction :math:`\hat y` of the mean (:math:`\beta = k/\hat y`), the
    NLL is, up to terms free of :math:`\hat y`, :math:`k(y/\hat y +
    \log\hat y)`: :math:`k/2` times the gamma deviance of a GLM.

    Evaluation. With :math:`y = \beta x` (from logs where the product
    overflows or underflows), for :math:`k < 16` the formula above is used
    as :math:`k\log y - y - \log\Gamma(k) - \log x`. For :math:`k \ge 16`,
    where :math:`k\log y` and :math:`\log\Gamma(k)` are huge and cancel, it
    is Loader's saddle-point form [1]_

    .. math::

        \log p(x) = -\bigl(k\log\tfrac ky + y - k\bigr) - \mathrm{stirlerr}(k)
                    + \tfrac12\log\tfrac{k}{2\pi} - \log x,

    with the deviance term (in parentheses) from a series near :math:`y = k`.
    The entropy is evaluated for every :math:`k` as

    .. math::

        H = \tfrac12\log(2\pi e k) - \log\beta + \mathrm{stirlerr}(k)
            - \frac1{2k} + (k-1)R(k),

    with :math:`R(k) = \log k - \frac1{2k} - \psi(k)`, so it tends to the
    normal's :math:`\tfrac12\log(2\pi e k/\beta^2)` without cancellation.

    Accuracy (tested against mpmath at up to 400 digits, with :math:`k` from
    1e-300 to 1e300): the absolute error of ``log_prob`` is at most
    :math:`8\varepsilon(M + \lvert y - k\rvert)`, :math:`\varepsilon =
    2^{-52}`, where :math:`M` is the sum of the magnitudes of the terms of the
    form used and :math:`\lvert y - k\rvert` the effect of rounding
    :math:`\beta x`, which any float64 evaluation from ``rate`` and ``x``
    has; that of ``entropy`` is at most :math:`8\varepsilon` times the sum
    of the magnitudes of its terms.

    References
    ----------
    .. [1] C. Loader, "Fast and Accurate Computation of Binomial
       Probabilities", 2000 (the algorithm of R's ``dgamma``).
    .. [2] N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
       Distributions*, vol. 1, 2nd ed., Wiley, 1994, chapter 17 (gamma).

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import Gamma
    >>> d = Gamma(2.0, 3.0)  # mean 2/3, density 9 x e^(-3x)
    >>> print(f"{d.log_prob(2.0):.6f}", f"{np.log(9 * 2.0) - 6.0:.6f}")
    -3.109628 -3.109628
    >>> print(f"{d.entropy():.10f}")  # scipy.stats.gamma(2, scale=1/3).entropy()
    0.4786033762

    With :math:`k = 1` it is the exponential distribution:

    >>> print(Gamma(1.0, 2.0).log_prob([0.0, 1.0]))
    [ 0.69314718 -1.30685282]
    >>> print(np.log(2.0) - 2.0 * np.array([0.0, 1.0]))  # log(2 e^(-2x))
    [ 0.69314718 -1.30685282]
    """

    def __init__(self, concentration, rate) -> None:
        concentration = _positive_finite(concentration, "concentration")
        rate = _positive_finite(rate, "rate")
        self.batch_shape = _broadcast_all([("concentration", concentration), ("rate", rate)])
        self.concentration, self.rate = concentration, rate
        # The terms of k alone in each form, once per parameter: -lgamma(k)
        # below 16, -stirlerr(k) + log(k / 2 pi) / 2 above.
        k = concentration
        big = k >= _SERIES_MIN
        self._log_norm = np.empty_like(k)
        self._log_norm[~big] = -_lgamma(k[~big])
        kb = k[big]
        self._log_norm[big] = -_stirlerr_real(kb) + 0.5 * (np.log(kb) - _LOG_2PI)

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)` of ``x >= 0``, broadcast over ``x`` and the batch.

        Equal to ``scipy.stats.gamma.logpdf(x, concentration, scale=1 / rate)``.

        Parameters
        ----------
        x : array_like
            Points, each >= 0 (``inf`` gives ``-inf``); must broadcast with
            ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        ValueError
            If a point is negative, or ``x`` does not broadcast.
        """
        x = as_float_array(x, "x")
        if x.size and not np.min(x) >= 0:
            raise ValueError(f"x: Gamma outcomes must be >= 0, got {float(np.min(x))!r}")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        x, k, rate, log_norm = _flat(shape, x, self.concentration, self.rate, self._log_norm)
        out = np.empty_like(x)
        zero, inf = x == 0, np.isinf(x)
        kz = k[zero]
        out[zero] = np.where(kz < 1, np.inf, np.where(kz == 1, np.log(rate[zero]), -np.inf))
        out[inf] = -np.inf
        mid = ~zero & ~inf
        xm, km, rm, cm = x[mid], k[mid], rate[mid], log_norm[mid]
        log_x = np.log(xm)
        with np.errstate(over="ignore", under="ignore"):
            y = rm * xm
        normal = np.isfinite(y) & (y >= np.finfo(np.float64).tiny)
        log_y = np.where(normal, np.log(np.where(normal, y, 1.0)), np.log(rm) + log_x)
        res = np.empty_like(xm)
        big = km >= _SERIES_MIN
        kb = km[big]
        res[big] = -_deviance(kb, y[big], np.log(kb), log_y[big]) + cm[big] - log_x[big]
        ks = km[~big]
        res[~big] = ks * log_y[~big] - y[~big] + cm[~big] - log_x[~big]
        out[mid] = res
        return _scalar_or_array(out.reshape(shape))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Points, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        r"""Differential entropy in nats, of ``batch_shape``; see the class Notes.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        k, rate = _flat(self.batch_shape, self.concentration, self.rate)
        # 1/(2k) overflows only for a subnormal k, where H = -inf is the rounding.
        with np.errstate(over="ignore"):
            h = (
                0.5 * (_LOG_2PI + 1.0 + np.log(k))
                - np.log(rate)
                + _stirlerr_real(k)
                - 0.5 / k
                + (k - 1.0) * _digamma_remainder(k)
            )
        return _scalar_or_array(h.reshape(self.batch_shape))

    def sample(self, size, rng):
        """Draw samples of shape ``size + batch_shape``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        g = rng.standard_gamma(np.broadcast_to(self.concentration, self.batch_shape), size=shape)
        return _scalar_or_array(np.asarray(g / self.rate, dtype=np.float64))

    def __repr__(self) -> str:
        return f"Gamma(batch_shape={self.batch_shape})"


# ---------------------------------------------------------------------------
# Beta
# ---------------------------------------------------------------------------


class Beta:
    r"""Beta distribution on [0, 1] with shape parameters ``a`` and ``b``.

    Parameters
    ----------
    a : array_like
        :math:`a`, the exponent of :math:`x`; finite and > 0.
    b : array_like
        :math:`b`, the exponent of :math:`1-x`; finite and > 0, with
        :math:`a + b` finite. Broadcasts with ``a``. The mean is
        :math:`a/(a+b)`.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN, infinite or <= 0, :math:`a + b` overflows, or
        the shapes do not broadcast.

    See Also
    --------
    Bernoulli : a target in {0, 1} rather than in [0, 1].
    scipy.stats.beta : the same distribution, ``beta(a, b)``.

    Notes
    -----
    For :math:`0 < x < 1`,

    .. math::

        \log p(x) = (a-1)\log x + (b-1)\log(1-x) - \log B(a, b),

    .. math::

        H = \log B(a,b) - (a-1)\psi(a) - (b-1)\psi(b) + (a+b-2)\psi(a+b).

    At :math:`x = 0` the density is :math:`+\infty` for :math:`a < 1`,
    :math:`b` for :math:`a = 1` and 0 for :math:`a > 1` (and symmetrically
    at :math:`x = 1`). As a loss for proportions, the mean-precision form
    :math:`a = \mu\phi`, :math:`b = (1-\mu)\phi` is common ("beta
    regression" [2]_).

    Evaluation. With :math:`n = a+b`, for every :math:`a, b` the saddle-point
    form [1]_

    .. math::

        \log p(x) = -d(a, nx) - d(b, n(1-x)) + \tfrac12\log\frac{ab}{2\pi n}
                    - \log x - \log(1-x) - \mathrm{stirlerr}(a)
                    - \mathrm{stirlerr}(b) + \mathrm{stirlerr}(n),

    where :math:`d(s, m) = s\log(s/m) + m - s \ge 0` (a series near
    :math:`m = s`), so huge :math:`a` and :math:`b` do not cancel
    :math:`\log\Gamma` values near :math:`10^{302}`. The entropy is evaluated
    as :math:`\tfrac12\log\frac{2\pi e\,ab}{n^3} + \mathrm{stirlerr}(a) +
    \mathrm{stirlerr}(b) - \mathrm{stirlerr}(n) - \frac1{2a} - \frac1{2b} +
    \frac1n + (a-1)R(a) + (b-1)R(b) - (n-2)R(n)` with :math:`R(s) = \log s
    - \frac1{2s} - \psi(s)`.

    Accuracy (tested against mpmath at up to 400 digits, with :math:`a, b`
    from 1e-300 to 1e300): the absolute error of ``log_prob`` is at most
    :math:`8\varepsilon(M + \lvert nx - a\rvert + \lvert n(1-x) - b\rvert)`,
    :math:`\varepsilon = 2^{-52}`, where :math:`M` is the sum of the
    magnitudes of the terms above and the rest is the effect of rounding
    :math:`nx` and :math:`1-x`; that of ``entropy`` is at most
    :math:`8\varepsilon` times the sum of the magnitudes of its terms.

    References
    ----------
    .. [1] C. Loader, "Fast and Accurate Computation of Binomial
       Probabilities", 2000 (the algorithm of R's ``dbeta``).
    .. [2] S. Ferrari and F. Cribari-Neto, "Beta Regression for Modelling
       Rates and Proportions", *Journal of Applied Statistics* 31(7),
       799-815, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import Beta
    >>> d = Beta(2.0, 3.0)  # density 12 x (1 - x)^2
    >>> print(f"{d.log_prob(0.25):.6f}", f"{np.log(12 * 0.25 * 0.75**2):.6f}")
    0.523248 0.523248
    >>> print(np.round(Beta(1.0, 1.0).log_prob([0.0, 0.3, 1.0]), 12))  # uniform
    [0. 0. 0.]

    The arcsine distribution has entropy :math:`\log(\pi/4)`:

    >>> print(f"{Beta(0.5, 0.5).entropy():.10f}", f"{np.log(np.pi / 4):.10f}")
    -0.2415644753 -0.2415644753
    """

    def __init__(self, a, b) -> None:
        a = _positive_finite(a, "a")
        b = _positive_finite(b, "b")
        self.batch_shape = _broadcast_all([("a", a), ("b", b)])
        with np.errstate(over="ignore"):
            total = a + b
        if total.size and not np.isfinite(np.max(total)):
            raise ValueError("b: a + b overflows float64")
        self.a, self.b = a, b
        # The terms of a and b alone, once per parameter pair.
        a_, b_ = np.broadcast_arrays(a, b)
        n = a_ + b_
        self._log_norm = (
            0.5 * (np.log(a_) + np.log(b_) - np.log(n) - _LOG_2PI)
            - _stirlerr_real(a_)
            - _stirlerr_real(b_)
            + _stirlerr_real(n)
        )

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)` of ``x`` in [0, 1], broadcast over ``x`` and the batch.

        Equal to ``scipy.stats.beta.logpdf(x, a, b)``.

        Parameters
        ----------
        x : array_like
            Points in [0, 1]; must broadcast with ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        ValueError
            If a point is outside [0, 1], or ``x`` does not broadcast.
        """
        x = as_float_array(x, "x")
        if x.size and not (np.min(x) >= 0 and np.max(x) <= 1):
            bad = x[(x < 0) | (x > 1)].flat[0]
            raise ValueError(f"x: Beta outcomes must lie in [0, 1], got {float(bad)!r}")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        x, a, b, log_norm = _flat(shape, x, self.a, self.b, self._log_norm)
        out = np.empty_like(x)
        for end, near, far in ((0.0, a, b), (1.0, b, a)):
            at = x == end
            # Density at the end: (1 - 0)^(far - 1) / B(near, far), times 0^(near - 1).
            with np.errstate(divide="ignore"):
                value = np.where(near[at] == 1, np.log(far[at]), -np.inf)
            out[at] = np.where(near[at] < 1, np.inf, value)
        mid = (x > 0) & (x < 1)
        xm, am, bm = x[mid], a[mid], b[mid]
        n = am + bm
        log_n, log_x, log_q = np.log(n), np.log(xm), np.log1p(-xm)
        with np.errstate(under="ignore"):
            m_a, m_b = n * xm, n * (1.0 - xm)
        out[mid] = (
            -_deviance(am, m_a, np.log(am), log_n + log_x)
            - _deviance(bm, m_b, np.log(bm), log_n + log_q)
            + log_norm[mid]
            - log_x
            - log_q
        )
        return _scalar_or_array(out.reshape(shape))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Points, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        r"""Differential entropy in nats (<= 0), of ``batch_shape``; see the class Notes.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        a, b = _flat(self.batch_shape, self.a, self.b)
        n = a + b
        with np.errstate(over="ignore", invalid="ignore"):
            h = (
                0.5 * (_LOG_2PI + 1.0 + np.log(a) + np.log(b) - 3.0 * np.log(n))
                + _stirlerr_real(a)
                + _stirlerr_real(b)
                - _stirlerr_real(n)
                - 0.5 / a
                - 0.5 / b
                + 1.0 / n
                + (a - 1.0) * _digamma_remainder(a)
                + (b - 1.0) * _digamma_remainder(b)
                - (n - 2.0) * _digamma_remainder(n)
            )
        return _scalar_or_array(h.reshape(self.batch_shape))

    def sample(self, size, rng):
        """Draw samples in [0, 1] of shape ``size + batch_shape``.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        return _scalar_or_array(np.asarray(rng.beta(self.a, self.b, size=shape), dtype=np.float64))

    def __repr__(self) -> str:
        return f"Beta(batch_shape={self.batch_shape})"


# ---------------------------------------------------------------------------
# Negative binomial
# ---------------------------------------------------------------------------


class NegativeBinomial:
    r"""Negative binomial distribution of counts with mean ``mean`` and dispersion ``total_count``.

    Parameters
    ----------
    total_count : array_like
        :math:`r`; finite and > 0 (need not be whole). The variance is
        :math:`\mu + \mu^2/r`: small :math:`r` is strong overdispersion, and
        :math:`r \to \infty` is the Poisson.
    mean : array_like
        :math:`\mu`; finite and >= 0 (0 is the point mass at 0). Broadcasts
        with ``total_count``.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN or infinite, ``total_count <= 0``,
        ``mean < 0``, or the shapes do not broadcast.

    See Also
    --------
    Poisson : the limit :math:`r \to \infty`.
    scipy.stats.nbinom : ``nbinom(total_count, total_count / (total_count + mean))``
        (SciPy's ``p`` is the success probability).

    Notes
    -----
    The mean-dispersion form ("NB2" of count regression, a gamma mixture of
    Poissons: :math:`y \mid \lambda \sim \mathrm{Poisson}(\lambda)`,
    :math:`\lambda \sim \mathrm{Gamma}(r, r/\mu)`):

    .. math::

        \log p(y) = \log\Gamma(y+r) - \log\Gamma(r) - \log y!
                    + r\log\frac{r}{r+\mu} + y\log\frac{\mu}{r+\mu}.

    :math:`\log p(0) = -r\log(1+\mu/r)`. Parameterised by
    :math:`(r, p = \mu/(r+\mu))` it is ``torch.distributions.NegativeBinomial``
    (which counts with success probability ``p``).

    Evaluation, for :math:`y \ge 1`, by Loader's saddle-point form [1]_:

    .. math::

        \log p(y) = -\tfrac12\log(2\pi y) - \tfrac12\log\bigl(1+\tfrac yr\bigr)
                    + \mathrm{stirlerr}(r+y) - \mathrm{stirlerr}(r)
                    - \mathrm{stirlerr}(y) + r\,\mathrm{log1pmx}(t)
                    - d\bigl(y, \mu(1+t)\bigr),

    where :math:`t = (y-\mu)/(r+\mu)`, :math:`\mathrm{log1pmx}(t) =
    \log(1+t) - t` and :math:`d(s, m) = s\log(s/m) + m - s`, each without
    cancellation. As :math:`r \to \infty` it becomes the Poisson's form term
    by term, so :math:`r = 10^{300}` gives the Poisson log-probability.

    The entropy has no closed form, and the tail decays only like
    :math:`y^{r-1}(\mu/(r+\mu))^y`, so for small :math:`r` and large
    :math:`\mu` a summation must run over far more terms than the mean: no
    fixed window is stable for every parameter, and :meth:`entropy` raises
    ``NotImplementedError``.

    Accuracy (tested against mpmath at up to 400 digits, with :math:`r` from
    1e-300 to 1e300): the absolute error of ``log_prob`` is at most
    :math:`8\varepsilon(M + 2\lvert y - \mu\rvert)`, :math:`\varepsilon =
    2^{-52}`, where :math:`M` is the sum of the magnitudes of the terms above
    (for :math:`y = 0`, of the result) and :math:`2\lvert y - \mu\rvert` the
    effect of rounding :math:`t` and :math:`\mu(1+t)`.

    References
    ----------
    .. [1] C. Loader, "Fast and Accurate Computation of Binomial
       Probabilities", 2000 (the algorithm of R's ``dnbinom_mu``).
    .. [2] A. C. Cameron and P. K. Trivedi, *Regression Analysis of Count
       Data*, 2nd ed., Cambridge University Press, 2013, section 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import NegativeBinomial, Poisson
    >>> d = NegativeBinomial(2.0, 3.0)
    >>> print(round(float(d.log_prob(0)), 10), round(-2 * np.log(1 + 3 / 2), 10))
    -1.8325814637 -1.8325814637

    With a huge dispersion it is the Poisson distribution of the same mean:

    >>> print(NegativeBinomial(1e300, 3.0).log_prob([0, 2, 7]))
    [-3.         -1.4959226  -3.83487534]
    >>> print(Poisson(3.0).log_prob([0, 2, 7]))
    [-3.         -1.4959226  -3.83487534]
    """

    def __init__(self, total_count, mean) -> None:
        total_count = _positive_finite(total_count, "total_count")
        mean = as_float_array(mean, "mean")
        check_finite(mean, "mean")
        check_nonnegative(mean, "mean")
        self.batch_shape = _broadcast_all([("total_count", total_count), ("mean", mean)])
        self.total_count, self.mean = total_count, mean
        self._stirlerr_r = _stirlerr_real(total_count)

    def log_prob(self, x):
        r"""Log-probability of counts ``x``; see the class Notes.

        Equal to ``scipy.stats.nbinom.logpmf(x, r, r / (r + mean))``.

        Parameters
        ----------
        x : array_like
            Counts: finite, non-negative, whole-valued (int or float); must
            broadcast with ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-probability, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        ValueError
            If a count is negative, infinite or not whole, or ``x`` does not
            broadcast.
        """
        x = as_float_array(x, "x")
        _check_whole_counts(x, "negative binomial")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        y, r, mu, stirlerr_r = _flat(shape, x, self.total_count, self.mean, self._stirlerr_r)
        out = np.empty_like(y)
        zero = y == 0
        rz, mz = r[zero], mu[zero]
        with np.errstate(over="ignore"):
            ratio = mz / rz
        # mean / r overflows only when r is tiny: log(1 + mean/r) from logs.
        with np.errstate(divide="ignore"):
            log1p_ratio = np.where(
                np.isfinite(ratio), np.log1p(ratio), np.log(mz) - np.log(rz)
            )
        out[zero] = -rz * log1p_ratio
        impossible = ~zero & (mu == 0)
        out[impossible] = -np.inf
        pos = ~zero & (mu > 0)
        yp, rp, mp = y[pos], r[pos], mu[pos]
        with np.errstate(over="ignore"):
            y_over_r = yp / rp
            t = (yp - mp) / (rp + mp)
        log1p_y_over_r = np.where(
            np.isfinite(y_over_r), np.log1p(y_over_r), np.log(yp) - np.log(rp)
        )
        finite_t = np.isfinite(t)
        # t overflows only when y >> r + mean: then r log1pmx(t) from logs.
        r_log1pmx = np.empty_like(t)
        r_log1pmx[finite_t] = rp[finite_t] * _log1pmx(t[finite_t])
        ib = ~finite_t
        r_log1pmx[ib] = rp[ib] * (np.log(yp[ib] + rp[ib]) - np.log(rp[ib] + mp[ib])) - (
            yp[ib] - mp[ib]
        ) * (rp[ib] / (rp[ib] + mp[ib]))
        log1p_t = np.where(finite_t, np.log1p(np.where(finite_t, t, 0.0)), np.inf)
        log1p_t[ib] = np.log(yp[ib] + rp[ib]) - np.log(rp[ib] + mp[ib])
        with np.errstate(over="ignore"):
            m = mp * (1.0 + t)
        log_y = np.log(yp)
        out[pos] = (
            -0.5 * (_LOG_2PI + log_y)
            - 0.5 * log1p_y_over_r
            + _stirlerr_real(rp + yp)
            - stirlerr_r[pos]
            - _stirlerr_real(yp)
            + r_log1pmx
            - _deviance(yp, m, log_y, np.log(mp) + log1p_t)
        )
        return _scalar_or_array(out.reshape(shape))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Counts, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-probability, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        """Not available: no closed form and no stable series (see the class Notes).

        Raises
        ------
        NotImplementedError
            Always. ``-NegativeBinomial(r, mu).log_prob(sample).mean()`` over a
            large sample estimates it.
        """
        raise NotImplementedError(
            "entropy: the negative binomial entropy has no closed form; estimate it as "
            "-log_prob(sample(n, rng)).mean()"
        )

    def sample(self, size, rng):
        """Draw counts (as float64) of shape ``size + batch_shape``.

        As the gamma-Poisson mixture: :math:`\\lambda \\sim
        \\mathrm{Gamma}(r, \\text{rate } r/\\mu)`, then
        :math:`\\mathrm{Poisson}(\\lambda)`.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The counts, as float64, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        r = np.broadcast_to(self.total_count, self.batch_shape)
        lam = rng.standard_gamma(r, size=shape) * (self.mean / self.total_count)
        return _scalar_or_array(np.asarray(rng.poisson(lam), dtype=np.float64))

    def __repr__(self) -> str:
        return f"NegativeBinomial(batch_shape={self.batch_shape})"


# ---------------------------------------------------------------------------
# Von Mises
# ---------------------------------------------------------------------------


class VonMises:
    r"""Von Mises distribution of an angle, with mean direction ``loc`` and ``concentration``.

    Parameters
    ----------
    loc : array_like
        Mean direction :math:`\mu` in radians; finite (any real, taken
        modulo :math:`2\pi`).
    concentration : array_like
        :math:`\kappa`; finite and >= 0 (0 is the uniform distribution on
        the circle). Broadcasts with ``loc``.

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN or infinite, ``concentration < 0``, or the
        shapes do not broadcast.

    See Also
    --------
    Normal : the limit :math:`\kappa \to \infty`, with :math:`\sigma^2 = 1/\kappa`.
    scipy.stats.vonmises : ``vonmises(concentration, loc)`` (note the order).

    Notes
    -----
    The density on the circle (any interval of length :math:`2\pi`) is

    .. math::

        \log p(x) = \kappa\cos(x-\mu) - \log\bigl(2\pi I_0(\kappa)\bigr),
        \qquad
        H = \log\bigl(2\pi I_0(\kappa)\bigr) - \kappa\frac{I_1(\kappa)}{I_0(\kappa)},

    with :math:`I_\nu` the modified Bessel functions. The NLL is
    :math:`\kappa(1 - \cos(x - \mu))` plus a constant: a loss for angles
    that treats :math:`\pi - \epsilon` and :math:`-\pi + \epsilon` as
    neighbours, which a squared error does not.

    Evaluation: :math:`\log p(x) = -2\kappa\sin^2\frac{x-\mu}2 - \log 2\pi -
    \log(e^{-\kappa}I_0(\kappa))` and :math:`H = \kappa(1 - I_1/I_0) +
    \log 2\pi + \log(e^{-\kappa}I_0(\kappa))`, so neither forms
    :math:`e^\kappa`, :math:`\cos - 1` nor :math:`1 - I_1/I_0` by
    cancellation. :math:`e^{-\kappa}I_0` and :math:`1 - I_1/I_0` come from
    the power series (:math:`\kappa < 2`), the trapezoid rule on their
    integral representations (:math:`2 \le \kappa < 40`, where it converges
    geometrically) and the asymptotic expansion (:math:`\kappa \ge 40`). For
    large :math:`\kappa` the entropy exceeds the normal's
    :math:`\tfrac12\log(2\pi e/\kappa)` by :math:`1/(4\kappa) + O(\kappa^{-2})`.

    Accuracy (tested against mpmath, with :math:`\kappa` from 0 to 1e300):
    the absolute error of ``log_prob`` is at most :math:`8\varepsilon(M +
    \kappa\lvert(x-\mu)\sin(x-\mu)\rvert)`, :math:`\varepsilon = 2^{-52}`,
    where :math:`M` is the sum of the magnitudes of its three terms and the
    rest is the effect of rounding :math:`(x-\mu)/2`; that of ``entropy`` is
    at most :math:`8\varepsilon` times the sum of the magnitudes of its three
    terms.

    References
    ----------
    .. [1] K. V. Mardia and P. E. Jupp, *Directional Statistics*, Wiley,
       2000, section 3.5.4.
    .. [2] M. Abramowitz and I. A. Stegun, *Handbook of Mathematical
       Functions*, 1964, 9.6.10, 9.6.16 and 9.7.1 (series, integral and
       asymptotic expansion of :math:`I_\nu`).

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import VonMises
    >>> d = VonMises(0.0, 0.0)  # uniform on the circle
    >>> print(f"{d.log_prob(1.0):.6f}", f"{-np.log(2 * np.pi):.6f}")
    -1.837877 -1.837877

    Angles wrap: :math:`-\pi + 0.1` lies 0.2 from the mean
    :math:`\pi - 0.1`, as :math:`\pi - 0.3` does on the other side:

    >>> d = VonMises(np.pi - 0.1, 4.0)
    >>> print(f"{d.log_prob(-np.pi + 0.1):.6f}", f"{d.log_prob(np.pi - 0.3):.6f}")
    -0.342584 -0.342584
    >>> k = 1e8
    >>> gap = VonMises(0.0, k).entropy() - 0.5 * np.log(2 * np.pi * np.e / k)
    >>> print(round(float(gap * k), 4))  # the gap to the normal is 1 / (4 kappa)
    0.25
    """

    def __init__(self, loc, concentration) -> None:
        loc = as_float_array(loc, "loc")
        check_finite(loc, "loc")
        concentration = as_float_array(concentration, "concentration")
        check_finite(concentration, "concentration")
        check_nonnegative(concentration, "concentration")
        self.batch_shape = _broadcast_all([("loc", loc), ("concentration", concentration)])
        self.loc, self.concentration = loc, concentration
        self._log_i0e, self._one_minus_ratio = _bessel_parts(concentration)

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)` of angles ``x`` (radians), broadcast over the batch.

        Equal to ``scipy.stats.vonmises.logpdf(x, concentration, loc)``, for
        any real ``x`` (the density has period :math:`2\pi`).

        Parameters
        ----------
        x : array_like
            Finite angles in radians; must broadcast with ``batch_shape``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape of ``x`` and ``batch_shape``.

        Raises
        ------
        ValueError
            If an angle is infinite, or ``x`` does not broadcast.
        """
        x = as_float_array(x, "x")
        if x.size and not (np.isfinite(np.min(x)) and np.isfinite(np.max(x))):
            raise ValueError("x: angles must be finite")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        # kappa (cos d - 1) = -2 kappa sin^2(d/2), with d/2 formed without overflow.
        s = np.sin(0.5 * x - 0.5 * self.loc)
        with np.errstate(over="ignore"):
            out = -2.0 * self.concentration * (s * s) - _LOG_2PI - self._log_i0e
        return _scalar_or_array(np.broadcast_to(out, shape).copy())

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Angles in radians, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        r"""Differential entropy in nats, of ``batch_shape``; see the class Notes.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The entropy in nats, of shape ``batch_shape``.
        """
        h = self.concentration * self._one_minus_ratio + _LOG_2PI + self._log_i0e
        return _scalar_or_array(np.broadcast_to(h, self.batch_shape).copy())

    def sample(self, size, rng):
        """Draw angles in :math:`[-\\pi, \\pi]` of shape ``size + batch_shape``.

        NumPy's ``Generator.vonmises`` (Best and Fisher's algorithm).

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        out = rng.vonmises(self.loc, self.concentration, size=shape)
        return _scalar_or_array(np.asarray(out, dtype=np.float64))

    def __repr__(self) -> str:
        return f"VonMises(batch_shape={self.batch_shape})"


# ---------------------------------------------------------------------------
# Gaussian mixture
# ---------------------------------------------------------------------------


class GaussianMixture:
    r"""Mixture of normal distributions, the components on the last axis.

    Parameters
    ----------
    loc : array_like
        Component means :math:`\mu_c`, shape ``batch_shape + (C,)``; finite.
    scale : array_like
        Component standard deviations :math:`\sigma_c`; finite and > 0.
    probs : array_like, optional
        Mixing weights :math:`w_c`, each row in [0, 1] summing to 1 (as for
        :class:`Categorical`; never renormalised).
    logits : array_like, optional, keyword-only
        Unnormalised log-weights, :math:`w = \mathrm{softmax}(z)`, as a
        mixture density network outputs them. Exactly one of ``probs`` and
        ``logits``. The three broadcast together; the weights' last axis is
        the component axis (a scalar ``loc`` or ``scale`` is shared by all
        components).

    Raises
    ------
    TypeError
        If a parameter is not real-valued.
    ValueError
        If a parameter is NaN or invalid (as for :class:`Normal` and
        :class:`Categorical`), or the shapes do not broadcast.

    See Also
    --------
    Normal, Categorical : the components and the mixing distribution.
    xent_ref.logsumexp : the NLL's reduction over the components.

    Notes
    -----
    .. math::

        \log p(x) = \log\sum_c w_c\,\mathcal N(x;\mu_c,\sigma_c^2)
                  = \operatorname{LSE}_c\Bigl(\log w_c - \frac{(x-\mu_c)^2}{2\sigma_c^2}
                    - \log\sigma_c - \tfrac12\log 2\pi\Bigr),

    evaluated with :func:`xent_ref.logsumexp`, so neither a tiny weight
    (:math:`10^{-300}`) nor a point far in every component's tail underflows
    to :math:`\log 0`: it is the NLL of a mixture density network [1]_. The
    entropy has no closed form (the log of a sum does not split), so
    :meth:`entropy` raises ``NotImplementedError``.

    Accuracy (tested against mpmath): the absolute error of ``log_prob`` is
    at most :math:`8\varepsilon\max_c(\lvert\log w_c\rvert +
    \lvert\log\mathcal N(x;\mu_c, \sigma_c^2)\rvert)`, :math:`\varepsilon =
    2^{-52}`.

    References
    ----------
    .. [1] C. M. Bishop, "Mixture Density Networks", Technical Report
       NCRG/94/004, Aston University, 1994.
    .. [2] C. M. Bishop, *Pattern Recognition and Machine Learning*,
       Springer, 2006, section 5.6.

    Examples
    --------
    >>> import numpy as np
    >>> from xent_ref.distributions import GaussianMixture, Normal
    >>> d = GaussianMixture([-2.0, 2.0], [1.0, 0.5], [0.3, 0.7])
    >>> p = (0.3 * np.exp(Normal(-2.0, 1.0).log_prob(0.0))
    ...      + 0.7 * np.exp(Normal(2.0, 0.5).log_prob(0.0)))
    >>> print(f"{d.log_prob(0.0):.6f}", f"{np.log(p):.6f}")
    -4.111410 -4.111410

    Far in the tails the direct sum underflows; the log-sum-exp does not:

    >>> print(f"{d.log_prob(-60.0):.6f}")  # scipy.stats.norm.logpdf, combined by np.logaddexp
    -1684.122911
    >>> print(0.3 * np.exp(Normal(-2.0, 1.0).log_prob(-60.0))
    ...       + 0.7 * np.exp(Normal(2.0, 0.5).log_prob(-60.0)))  # the density, whose log is -inf
    0.0
    """

    def __init__(self, loc, scale, probs=None, *, logits=None) -> None:
        loc = as_float_array(loc, "loc")
        check_finite(loc, "loc")
        scale = _positive_finite(scale, "scale")
        weights = Categorical(probs, logits=logits)
        weight_name = "probs" if probs is not None else "logits"
        full = _broadcast_all(
            [("loc", loc), ("scale", scale), (weight_name, weights.probs)]
        )
        self.loc, self.scale = loc, scale
        self._probs, self._log_probs = weights.probs, weights.logits
        self.num_components = full[-1]
        self.batch_shape = full[:-1]

    @property
    def probs(self):
        """Mixing weights, shape ``(..., C)``."""
        return self._probs

    def log_prob(self, x):
        r"""Log-density :math:`\log p(x)`, broadcast over ``x`` and the batch.

        Parameters
        ----------
        x : array_like
            Points; must broadcast with ``batch_shape``. ``±inf`` gives ``-inf``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        x = as_float_array(x, "x")
        shape = _broadcast_shape("x", x.shape, "the batch", self.batch_shape)
        x = np.broadcast_to(x, shape)[..., np.newaxis]
        with np.errstate(over="ignore", invalid="ignore"):
            z = (x - self.loc) / self.scale
            log_normal = -0.5 * (z * z) - np.log(self.scale) - 0.5 * _LOG_2PI
        # x = ±inf with loc finite: z = ±inf, log density -inf (no NaN arises).
        terms = self._log_probs + log_normal
        full = shape + (self.num_components,)
        return _scalar_or_array(np.asarray(_logsumexp(np.broadcast_to(terms, full), axis=-1)))

    def nll(self, x):
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`.

        Parameters
        ----------
        x : array_like
            Points, as for :meth:`log_prob`.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The negative log-density, of the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -self.log_prob(x)

    def entropy(self):
        """Not available: a Gaussian mixture's entropy has no closed form.

        Raises
        ------
        NotImplementedError
            Always. ``-d.log_prob(d.sample(n, rng)).mean()`` estimates it.
        """
        raise NotImplementedError(
            "entropy: a Gaussian mixture's entropy has no closed form; estimate it as "
            "-log_prob(sample(n, rng)).mean()"
        )

    def sample(self, size, rng):
        """Draw samples of shape ``size + batch_shape``.

        A component by inverse-CDF sampling of the weights (as
        :meth:`Categorical.sample`; a weight of 0 is never drawn), then a
        normal draw from it.

        Parameters
        ----------
        size : int or tuple of int
            Leading sample shape; ``()`` draws one value per batch entry.
        rng : numpy.random.Generator
            The source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        numpy.ndarray or numpy.float64
            The samples, of shape ``size + batch_shape``.

        Raises
        ------
        TypeError
            If ``rng`` is not a Generator or ``size`` is not int(s).
        """
        _check_rng(rng)
        shape = _check_size(size) + self.batch_shape
        full = self.batch_shape + (self.num_components,)
        cdf = np.cumsum(np.broadcast_to(self._probs, full), axis=-1)
        u = rng.random(shape + (1,)) * cdf[..., -1:]
        index = np.sum(cdf <= u, axis=-1, dtype=np.int64)[..., np.newaxis]
        index = np.minimum(index, self.num_components - 1)
        def pick(a):
            a = np.broadcast_to(a, shape + (self.num_components,))
            return np.take_along_axis(a, index, axis=-1)[..., 0]

        out = rng.normal(pick(self.loc), pick(self.scale))
        return _scalar_or_array(np.asarray(out, dtype=np.float64))

    def __repr__(self) -> str:
        return (
            f"GaussianMixture(batch_shape={self.batch_shape}, "
            f"num_components={self.num_components})"
        )


__all__ = [
    *__all__,
    "Beta",
    "Gamma",
    "GaussianMixture",
    "NegativeBinomial",
    "StudentT",
    "VonMises",
]
