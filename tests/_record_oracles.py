"""Independent oracles for every record of ``xent_ref.unification.RECORDS``, by record name.

One :class:`Oracle` per record holds:

- ``inputs(rng, n)``: valid random inputs for the loss (prediction, target,
  then any others), with targets the distribution can produce and the edges
  a caller meets (huge logits, probabilities of exactly 1, clamped variances);
- ``torch_loss(constants, *inputs)``: the loss from PyTorch (float64,
  ``reduction="mean"``), where PyTorch has it;
- ``scipy_nll(constants, *inputs)``: the elementwise NLL under the record's
  distribution, from ``scipy.stats`` (or SciPy's special functions and
  quadrature), with the parameter map written out here, not read from the
  record;
- ``normaliser``: :math:`Z_a` of ``likelihood_check`` at the record's own
  scale, in closed form: a number for an NLL (:math:`e^{-b/a}`), a function
  of the parameter setting for a loss that is not one;
- ``location_family``: whether the loss depends on ``y - pred`` alone (then
  ``exp(-loss / a)`` normalises at every scale ``a``).

Nothing here calls ``xent_ref``'s losses or distributions. Adding a loss
touches :data:`ORACLES` and, for a loss of the public API, the loss cases
(``tests/_loss_cases.py``), from which :data:`XR_LOSSES` is derived.
The site's table page may use this module in a hidden cell only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

from tests._loss_cases import LOSS_CASES

Inputs = tuple
Constants = Mapping[str, float]

#: The losses of ``xent_ref``'s public API (one per loss case); each has a record.
#: The textbook NLLs of ``xent_ref.unification`` are records as well, named
#: ``unification.<function>``.
XR_LOSSES = tuple(case.fn for case in LOSS_CASES.values())


@dataclass(frozen=True)
class Oracle:
    """Inputs and independent reference values for one record (see the module docstring)."""

    inputs: Callable[[np.random.Generator, int], Inputs]
    normaliser: float | Callable[..., float]
    scipy_nll: Callable[..., np.ndarray] | None = None
    torch_loss: Callable[..., float] | None = None
    #: Inputs on which PyTorch computes the exact loss (it clamps log p at -100).
    torch_domain: Callable[[Inputs], Inputs] = lambda inputs: inputs
    location_family: bool = False

    def z(self, theta: tuple, constants: Constants) -> float:
        """The expected ``likelihood_check`` normaliser at one parameter setting."""
        if callable(self.normaliser):
            return self.normaliser(*theta, **constants)
        return self.normaliser


def _t(a):
    import torch  # imported when a torch oracle runs: the table page needs none

    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def _F():
    import torch.nn.functional

    return torch.nn.functional


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def _softmax_inputs(rng, n):
    c = int(rng.integers(2, 7))
    logits = rng.normal(size=(n, c)) * rng.choice([1.0, 30.0, 1e3])
    return logits, rng.integers(0, c, size=n)


def _probs_inputs(rng, n):
    p = rng.uniform(size=n)
    p[rng.uniform(size=n) < 0.1] = 1.0  # exact 0 loss or +inf
    return p, (rng.uniform(size=n) < 0.5).astype(np.float64)


def _logit_inputs(rng, n):
    logits = rng.normal(size=n) * rng.choice([1.0, 40.0, 800.0])
    return logits, rng.integers(0, 2, n).astype(np.float64)


def _location_inputs(rng, n):
    return rng.normal(size=n) * 3, rng.normal(size=n) * 3


def _gaussian_inputs(rng, n):
    d = int(rng.integers(1, 4))
    pred, target = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    var = np.exp(rng.normal(size=(n, d)) * 2)
    var[rng.uniform(size=(n, d)) < 0.1] = 1e-9  # clamped to eps
    if rng.uniform() < 0.5:
        var = var[:, 0]  # homoscedastic layout (N,) for pred (N, D)
    return pred, target, var


def _poisson_log_inputs(rng, n):
    pred = rng.normal(size=n) * 2
    return pred, rng.poisson(np.exp(pred)).astype(np.float64)


def _poisson_rate_inputs(rng, n):
    rate = rng.exponential(3.0, size=n)
    rate[rng.uniform(size=n) < 0.1] = 0.0
    return rate, rng.poisson(rate).astype(np.float64)


def _simplex_inputs(rng, n):
    c = int(rng.integers(2, 6))
    probs = rng.dirichlet(np.ones(c), size=n)
    return probs, np.array([rng.choice(c, p=row / row.sum()) for row in probs], dtype=np.int64)


def _sign_inputs(rng, n):
    return rng.normal(size=n) * 2, rng.choice([-1.0, 1.0], size=n)


# ---------------------------------------------------------------------------
# PyTorch losses and SciPy NLLs
# ---------------------------------------------------------------------------


def _gaussian_torch(kw, x, y, v):
    return float(_F().gaussian_nll_loss(_t(x), _t(y), _t(v), full=kw["full"], eps=kw["eps"]))


def _gaussian_scipy(kw, x, y, v):
    v2 = v[:, None] if v.ndim == 1 and x.ndim == 2 else v
    return -stats.norm.logpdf(y, x, np.sqrt(np.maximum(v2, kw["eps"])))


def _poisson_torch(kw, x, y):
    eps = kw.get("eps", 1e-8)
    return float(_F().poisson_nll_loss(_t(x), _t(y), log_input=kw["log_input"], full=False, eps=eps))


def _huber(r: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def huber_normaliser_by_quad(delta: float) -> float:
    """int exp(-huber_delta(r)) dr by scipy quad, split at the kinks +-delta (not the closed form)."""

    def f(r):
        a = abs(r)
        return math.exp(-(0.5 * r * r if a < delta else delta * (a - 0.5 * delta)))

    core, _ = integrate.quad(f, -delta, delta, epsabs=0, epsrel=1e-13)
    tail, _ = integrate.quad(f, delta, np.inf, epsabs=0, epsrel=1e-13)
    return core + 2 * tail


def _mixture_scipy(kw, logits, y, loc, scale):
    log_w = special.log_softmax(logits, axis=-1)
    return -special.logsumexp(log_w + stats.norm.logpdf(y[:, None], loc, scale), axis=-1)


# ---------------------------------------------------------------------------
# Normalisers of the losses that are not NLLs, at a = 1
# ---------------------------------------------------------------------------


def _focal_z(z, *, alpha, gamma, **_):
    """exp(-FL(z, 1)) + exp(-FL(z, 0)), torchvision's focal loss written in torch."""
    import torch

    logit = torch.tensor([float(z), float(z)], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)
    p = torch.sigmoid(logit)
    p_t = p * y + (1 - p) * (1 - y)
    ce = _F().binary_cross_entropy_with_logits(logit, y, reduction="none")
    loss = (alpha * y + (1 - alpha) * (1 - y)) * ce * (1 - p_t) ** gamma
    return float(torch.exp(-loss).sum())


def _hinge_z(s, **_):
    """exp(-max(0, 1 - s)) + exp(-max(0, 1 + s)): the targets -1 and +1."""
    return math.exp(-max(0.0, 1.0 - float(s))) + math.exp(-max(0.0, 1.0 + float(s)))


def _brier_z(q, **_):
    """sum_k exp(-BS(q, k)), BS(q, k) = sum_c q_c^2 - 2 q_k + 1 (the squared distance to e_k)."""
    q = np.asarray(q, dtype=np.float64)
    return float(np.sum(np.exp(-(np.sum(q * q) - 2.0 * q + 1.0))))


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

#: One oracle per record name.
ORACLES: dict[str, Oracle] = {
    "softmax_cross_entropy": Oracle(
        inputs=_softmax_inputs,
        normaliser=1.0,
        torch_loss=lambda kw, z, y: float(_F().cross_entropy(_t(z), _t(y).long())),
        scipy_nll=lambda kw, z, y: -special.log_softmax(z, axis=-1)[np.arange(len(y)), y],
    ),
    "binary_cross_entropy": Oracle(
        inputs=_probs_inputs,
        normaliser=1.0,
        torch_loss=lambda kw, p, y: float(_F().binary_cross_entropy(_t(p), _t(y))),
        torch_domain=lambda inputs: (np.clip(inputs[0], 1e-6, 1 - 1e-6), inputs[1]),
        scipy_nll=lambda kw, p, y: -stats.bernoulli.logpmf(y, p),
    ),
    "binary_cross_entropy_with_logits": Oracle(
        inputs=_logit_inputs,
        normaliser=1.0,
        torch_loss=lambda kw, z, y: float(_F().binary_cross_entropy_with_logits(_t(z), _t(y))),
        # log_expit, not log(expit): exact at large logits.
        scipy_nll=lambda kw, z, y: -np.where(y == 1, special.log_expit(z), special.log_expit(-z)),
    ),
    "mse_loss": Oracle(
        inputs=_location_inputs,
        normaliser=math.sqrt(2 * math.pi),  # a = 2 sigma^2 = 2: int exp(-r^2 / 2) dr
        torch_loss=lambda kw, x, y: float(_F().mse_loss(_t(x), _t(y))),
        scipy_nll=lambda kw, x, y: -stats.norm.logpdf(y, x, kw["sigma"]),
        location_family=True,
    ),
    "l1_loss": Oracle(
        inputs=_location_inputs,
        normaliser=2.0,  # a = beta = 1: int exp(-|r|) dr
        torch_loss=lambda kw, x, y: float(_F().l1_loss(_t(x), _t(y))),
        scipy_nll=lambda kw, x, y: -stats.laplace.logpdf(y, x, kw["beta"]),
        location_family=True,
    ),
    "huber_loss": Oracle(
        inputs=_location_inputs,
        normaliser=huber_normaliser_by_quad(1.0),  # the record's delta = 1
        torch_loss=lambda kw, x, y: float(_F().huber_loss(_t(x), _t(y), delta=kw["delta"])),
        scipy_nll=lambda kw, x, y: _huber(y - x, kw["delta"]) + math.log(huber_normaliser_by_quad(kw["delta"])),
        location_family=True,
    ),
    "gaussian_nll_loss": Oracle(
        inputs=_gaussian_inputs,
        normaliser=math.sqrt(2 * math.pi),  # int exp(-(log v + r^2 / v) / 2) dr
        torch_loss=_gaussian_torch,
        scipy_nll=_gaussian_scipy,
    ),
    "gaussian_nll_loss(full=True)": Oracle(
        inputs=_gaussian_inputs,
        normaliser=1.0,
        torch_loss=_gaussian_torch,
        scipy_nll=_gaussian_scipy,
    ),
    "poisson_nll_loss": Oracle(
        inputs=_poisson_log_inputs,
        normaliser=1.0,  # sum_y exp(-(e^z - y z)) / y! = 1
        torch_loss=_poisson_torch,
        scipy_nll=lambda kw, x, y: -stats.poisson.logpmf(y, np.exp(x)),
    ),
    "poisson_nll_loss(log_input=False)": Oracle(
        inputs=_poisson_rate_inputs,
        normaliser=math.exp(1e-8),  # e^(lambda + eps) e^(-lambda), eps = 1e-8
        torch_loss=_poisson_torch,
        scipy_nll=lambda kw, x, y: -stats.poisson.logpmf(y, x + kw["eps"]),
    ),
    # The six newer families: a = 1, b = 0, the loss is a normalised NLL; PyTorch has none of them.
    "unification.student_t_nll": Oracle(
        inputs=lambda rng, n: (rng.normal(size=n) * 3, rng.standard_t(4.0, n) * 3),
        normaliser=1.0,
        scipy_nll=lambda kw, x, y: -stats.t.logpdf(y, kw["df"], loc=x, scale=kw["scale"]),
        location_family=True,
    ),
    "unification.gamma_nll": Oracle(
        inputs=lambda rng, n: (rng.normal(size=n) * 2, rng.gamma(2.5, np.exp(rng.normal(size=n)))),
        normaliser=1.0,
        scipy_nll=lambda kw, m, y: -stats.gamma.logpdf(
            y, kw["concentration"], scale=np.exp(m) / kw["concentration"]),
    ),
    "unification.beta_nll": Oracle(
        inputs=lambda rng, n: (rng.normal(size=n) * 2, np.clip(rng.beta(2.0, 3.0, n), 1e-12, 1 - 1e-12)),
        normaliser=1.0,
        scipy_nll=lambda kw, z, y: -stats.beta.logpdf(
            y, kw["precision"] * special.expit(z), kw["precision"] * special.expit(-z)),
    ),
    "unification.negative_binomial_nll": Oracle(
        inputs=lambda rng, n: (lambda pred: (
            pred, rng.poisson(rng.gamma(2.0, np.exp(pred) / 2.0)).astype(np.float64)))(rng.normal(size=n) * 2),
        normaliser=1.0,
        scipy_nll=lambda kw, m, y: -stats.nbinom.logpmf(
            y, kw["total_count"], kw["total_count"] / (kw["total_count"] + np.exp(m))),
    ),
    "unification.von_mises_nll": Oracle(
        inputs=lambda rng, n: (rng.uniform(-10, 10, n), rng.uniform(-np.pi, np.pi, n)),
        normaliser=1.0,
        # scipy's von Mises density is periodic: any location works.
        scipy_nll=lambda kw, x, y: -stats.vonmises.logpdf(y, kw["concentration"], loc=x),
        location_family=True,
    ),
    "unification.gaussian_mixture_nll": Oracle(
        inputs=lambda rng, n: (lambda c: (
            rng.normal(size=(n, c)) * 3,
            rng.normal(size=n) * 4,
            rng.normal(size=(n, c)) * 2,
            np.exp(rng.normal(size=(n, c))),
        ))(int(rng.integers(1, 5))),
        normaliser=1.0,
        scipy_nll=_mixture_scipy,
    ),
    # Not NLLs: the normaliser at a = 1 depends on the parameter setting.
    "sigmoid_focal_loss": Oracle(inputs=_logit_inputs, normaliser=_focal_z),
    "hinge_loss": Oracle(inputs=_sign_inputs, normaliser=_hinge_z),
    "brier_score": Oracle(inputs=_simplex_inputs, normaliser=_brier_z),
}
