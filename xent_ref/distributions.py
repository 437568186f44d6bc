"""Distributions whose negative log-likelihoods are the standard losses.

Five families, vectorised over broadcasting parameters, in the style of
``torch.distributions`` and ``scipy.stats``:

- :class:`Normal` ``(loc, scale)``: the NLL of mean squared error;
- :class:`Laplace` ``(loc, scale)``: the NLL of mean absolute error;
- :class:`Bernoulli` ``(probs=None, *, logits=None)``: binary cross-entropy;
- :class:`Categorical` ``(probs=None, *, logits=None)``: softmax cross-entropy;
- :class:`Poisson` ``(rate=None, *, log_rate=None)``: Poisson NLL loss.

Each has ``log_prob(x)`` (the ``scipy.stats`` ``logpdf``/``logpmf``),
``nll(x) = -log_prob(x)``, ``entropy()`` and ``sample(size, rng)``.
``xent_ref.unification`` states which loss is which NLL.

Conventions shared by all five:

- Parameters broadcast against each other; their broadcast shape is the
  *batch shape* (for :class:`Categorical` the classes are the last axis and
  are not part of it). ``log_prob(x)`` broadcasts ``x`` against it.
- Invalid parameters raise ``ValueError`` (``TypeError`` for non-numeric
  input) whose message starts with the argument's name and a colon.
- ``sample(size, rng)`` needs a :class:`numpy.random.Generator` and returns
  an array of shape ``size + batch_shape``.
- Results are float64; a 0-d result is returned as a ``numpy.float64``.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from xent_ref._primitives import log_sigmoid, log_softmax, sigmoid, softmax
from xent_ref._validation import (
    as_float_array,
    as_index_array,
    check_finite,
    check_nonnegative,
    check_probabilities,
    check_unit_interval,
)

__all__ = ["Bernoulli", "Categorical", "Laplace", "Normal", "Poisson"]

_LOG_2PI = math.log(2.0 * math.pi)
_LOG_2 = math.log(2.0)


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
    if x.size and not np.all((x == 0) | (x == 1)):
        bad = x[(x != 0) & (x != 1)].flat[0]
        raise ValueError(f"{name}: Bernoulli outcomes must be 0 or 1, got {float(bad)!r}")


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
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`."""
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
    >>> print(round(float(d.log_prob(1.0)), 6))
    -1.737086
    >>> bool(np.isclose(d.entropy(), 0.5 * np.log(2 * np.pi * np.e * 4.0), rtol=1e-13, atol=0))
    True

    The mean squared error of ``pred`` is, up to a scale and a shift, the
    mean NLL of the targets under ``Normal(pred, 1)``:

    >>> pred, y = np.array([0.5, -1.0, 2.0]), np.array([0.0, -1.5, 3.0])
    >>> mse = np.mean((y - pred) ** 2)
    >>> bool(np.isclose(mse, 2 * Normal(pred, 1.0).nll(y).mean() - np.log(2 * np.pi),
    ...      rtol=1e-13, atol=0))
    True
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
        r"""Differential entropy :math:`\tfrac12\log(2\pi e\sigma^2)` (nats), of ``batch_shape``."""
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
    >>> print(round(float(d.log_prob(2.0)), 6))
    -2.0
    >>> bool(np.isclose(d.entropy(), 1 + np.log(2 * 0.5), rtol=1e-13, atol=0))
    True

    The mean absolute error is the mean NLL under ``Laplace(pred, 1)`` minus
    ``log 2``:

    >>> pred, y = np.array([0.5, -1.0, 2.0]), np.array([0.0, -1.5, 3.0])
    >>> bool(np.isclose(np.mean(np.abs(y - pred)), Laplace(pred, 1.0).nll(y).mean() - np.log(2),
    ...      rtol=1e-13, atol=0))
    True
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
        """
        z = self._standardise(x)
        # log 2 + log b, not log(2 b): 2 b overflows for b > 9e307.
        return _scalar_or_array(-np.abs(z) - (_LOG_2 + np.log(self.scale)))

    def entropy(self):
        r"""Differential entropy :math:`1 + \log(2b)` in nats, of ``batch_shape``."""
        h = 1.0 + _LOG_2 + np.log(self.scale)
        return _scalar_or_array(np.broadcast_to(h, self.batch_shape).copy())

    def sample(self, size, rng):
        """Draw samples of shape ``size + batch_shape`` (see :meth:`Normal.sample`)."""
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
    >>> bool(np.isclose(Bernoulli(probs=0.2).entropy(), -(0.2 * np.log(0.2) + 0.8 * np.log(0.8)),
    ...      rtol=1e-13, atol=0))
    True
    >>> d1, d2 = Bernoulli(probs=0.25), Bernoulli(logits=np.log(0.25 / 0.75))
    >>> bool(np.allclose(d1.log_prob([0, 1]), d2.log_prob([0, 1]), rtol=1e-13, atol=0))
    True
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
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`."""
        return -self.log_prob(x)

    def entropy(self):
        r"""Entropy :math:`-p\log p - (1-p)\log(1-p)` in nats (0 at p = 0 and 1)."""
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

        See :meth:`Normal.sample` for the arguments.
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
        [0, 1] and summing to 1 within
        ``xent_ref._validation.sum_tolerance`` (1e-6 for float64, more for
        long float32 rows; never renormalised).
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
    >>> bool(np.isclose(Categorical(p).entropy(), 1.5 * np.log(2), rtol=1e-13, atol=0))
    True
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
        """Negative log-likelihood ``-log_prob(x)``; see :meth:`log_prob`."""
        return -self.log_prob(x)

    def entropy(self):
        r"""Entropy :math:`-\sum_c p_c\log p_c` (nats; :math:`0\log 0 = 0`), of ``batch_shape``."""
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
        See :meth:`Normal.sample` for the arguments.
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

#: stirlerr(n) = log(n!) - (n + 1/2) log(n) + n - log(2 pi) / 2 for n = 1..15,
#: computed with mpmath at 50 digits and rounded to float64 (the tests
#: recompute them). Index 0 is unused.
_STIRLERR_TABLE = np.array([
    np.nan,
    0.08106146679532726,
    0.0413406959554093,
    0.02767792568499834,
    0.020790672103765093,
    0.016644691189821193,
    0.013876128823070748,
    0.01189670994589177,
    0.010411265261972096,
    0.009255462182712733,
    0.00833056343336287,
    0.007573675487951841,
    0.00694284010720953,
    0.006408994188004207,
    0.0059513701127588475,
    0.005554733551962801,
])

#: Coefficients B_2k / (2k (2k - 1)) of the Stirling series
#: stirlerr(n) = sum_k c_k / n**(2k - 1), k = 1..8. For n >= 16 the first
#: omitted term is below 1e-19 relative to stirlerr(n).
_STIRLING_COEFFS = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
    -3617.0 / 122400.0,
)

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


def _stirlerr(n: np.ndarray) -> np.ndarray:
    r"""Stirling's error :math:`\log n! - (n+\tfrac12)\log n + n - \tfrac12\log 2\pi`, n >= 1."""
    small = n <= 15
    out = np.empty_like(n)
    out[small] = _STIRLERR_TABLE[n[small].astype(np.intp)]
    big = n[~small]
    # 1/n squared, not 1/(n*n): n*n overflows for n > 1e154.
    inv = 1.0 / big
    inv2 = inv * inv
    acc = np.zeros_like(big)
    for c in reversed(_STIRLING_COEFFS):
        acc = acc * inv2 + c
    out[~small] = acc * inv
    return out


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
        terms = math.ceil((53.0 * math.log(2.0) / -math.log(top) + 1.0) / 2.0)
    series = np.zeros_like(vn)
    for j in range(terms, 0, -1):
        series = series * w + 1.0 / (2 * j + 1)
    out[near] = (xn - rn) * vn + xn * (2.0 * vn * w * series)
    far = ~near
    # Beyond float range the deviance is +inf, its correct rounding.
    with np.errstate(over="ignore"):
        out[far] = x[far] * log_ratio[far] + rate[far] - x[far]
    return out


def _log_factorial(n) -> np.ndarray:
    r""":math:`\log n!` for whole ``n >= 0`` (float64 array), vectorised.

    :math:`n!` is exact in float64 for :math:`n \le 22`; above, the Stirling
    series :func:`_stirlerr` gives :math:`\log n!` to a few ulp.
    """
    n = np.asarray(n, dtype=np.float64)
    exact = np.cumprod(np.concatenate(([1.0], np.arange(1.0, 23.0))))
    small = n <= 22
    out = np.empty_like(n)
    out[small] = np.log(exact[n[small].astype(np.intp)])
    big = n[~small]
    out[~small] = _stirlerr(big) + 0.5 * (_LOG_2PI + np.log(big)) + big * (np.log(big) - 1.0)
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
    >>> bool(np.isclose(d.nll(2.0), 3.0 - 2.0 * np.log(3.0) + math.lgamma(3.0),
    ...      rtol=1e-13, atol=0))
    True
    >>> bool(np.allclose(Poisson(log_rate=np.log(3.0)).nll([0, 1, 5]), d.nll([0, 1, 5]),
    ...      rtol=1e-13, atol=0))
    True

    At a large count equal to the rate the lgamma form cancels to about
    :math:`\tfrac12\log(2\pi x)`; this evaluation keeps every digit:

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

        Raises
        ------
        ValueError
            If a count is negative, infinite or not whole, or ``x`` does not
            broadcast.
        """
        return -self.nll(x)

    def nll(self, x):
        r"""Exact NLL :math:`\lambda - x\log\lambda + \log\Gamma(x+1)`; see the class Notes."""
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
        r"""Entropy :math:`-\sum_k p_k\log p_k` in nats, of ``batch_shape``; see the class Notes."""
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

        See :meth:`Normal.sample` for the arguments. Every rate must be at
        most :data:`POISSON_SAMPLE_MAX_RATE` (1e12): NumPy's sampler, used
        here, inflates the variance above about 1e14 (by 0.7 % at 1e14 and
        4 % at 1e15) and refuses rates above 9.2e18.

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
