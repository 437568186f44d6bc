r"""Proposed rows of :data:`xent_ref.unification.RECORDS` for the six newer families.

Not wired into the table yet: ``unification.RECORDS`` can take them as
``RECORDS = (*existing, *NEW_RECORDS)`` (moving this code into
``unification.py`` avoids the import cycle). Each row's loss is the textbook
NLL written from its formula, an implementation separate from the saddle-point
and series evaluations of the classes, so :func:`~xent_ref.unification.check`
compares two computations; :func:`~xent_ref.unification.likelihood_check`
integrates :math:`e^{-\ell}` over the target's domain with a substitution that
makes the integrand smooth and fast-decaying (tangent for heavy tails, log for
the positive reals, logit for (0, 1), the periodic trapezoid rule on the
circle).
"""

from __future__ import annotations

import math

import numpy as np

from xent_ref._validation import reduce
from xent_ref.distributions import Beta, Gamma, GaussianMixture, NegativeBinomial, StudentT, VonMises
from xent_ref.unification import _NLL_BAR, Record, Support

__all__ = ["NEW_RECORDS"]

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


# The textbook NLLs, written from the formulas (an implementation separate from
# the classes' saddle-point and series evaluations), as losses with a reduction.
def _student_t_nll(pred, target, *, df, scale, reduction="mean"):
    """NLL of ``target`` under StudentT(df, loc=pred, scale), from the formula."""
    z = (np.asarray(target, float) - np.asarray(pred, float)) / scale
    loss = (math.lgamma(df / 2) - math.lgamma((df + 1) / 2) + 0.5 * math.log(df * math.pi)
            + math.log(scale) + (df + 1) / 2 * np.log1p(z * z / df))
    return reduce(np.asarray(loss, float), reduction)


def _gamma_nll(log_mean, target, *, concentration, reduction="mean"):
    """NLL under Gamma(k, rate = k / exp(log_mean)), from the formula."""
    k, y = concentration, np.asarray(target, float)
    rate = k * np.exp(-np.asarray(log_mean, float))
    loss = -(k * np.log(rate) + (k - 1) * np.log(y) - rate * y - math.lgamma(k))
    return reduce(np.asarray(loss, float), reduction)


def _beta_nll(logit_mean, target, *, precision, reduction="mean"):
    """NLL under Beta(mu phi, (1 - mu) phi), mu = sigmoid(logit_mean), from the formula."""
    mu = 1 / (1 + np.exp(-np.asarray(logit_mean, float)))
    a, b, y = mu * precision, (1 - mu) * precision, np.asarray(target, float)
    # log 0 = -inf at an end of [0, 1] is the limit the density takes there.
    with np.errstate(divide="ignore"):
        loss = -((a - 1) * np.log(y) + (b - 1) * np.log1p(-y)
                 - _lgamma(a) - _lgamma(b) + math.lgamma(precision))
    return reduce(np.asarray(loss, float), reduction)


def _negative_binomial_nll(log_mean, target, *, total_count, reduction="mean"):
    """NLL under NegativeBinomial(r, mean = exp(log_mean)), from the formula."""
    r, y = total_count, np.asarray(target, float)
    mu = np.exp(np.asarray(log_mean, float))
    loss = -(_lgamma(y + r) - math.lgamma(r) - _lgamma(y + 1)
             + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))
    return reduce(np.asarray(loss, float), reduction)


def _von_mises_nll(pred, target, *, concentration, reduction="mean"):
    """NLL under VonMises(pred, kappa), with NumPy's own Bessel I0 (``numpy.i0``)."""
    k = concentration
    loss = -k * np.cos(np.asarray(target, float) - np.asarray(pred, float)) + math.log(2 * math.pi * np.i0(k))
    return reduce(np.asarray(loss, float), reduction)


def _mixture_nll(logits, target, loc, scale, *, reduction="mean"):
    """NLL under the Gaussian mixture with weights softmax(logits)."""
    # NumPy's logaddexp, a reduction separate from xr.logsumexp; the direct
    # sum of densities would underflow to log 0 far from every component.
    logits, loc, scale = (np.asarray(v, float) for v in (logits, loc, scale))
    log_w = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)
    z = (np.asarray(target, float)[..., None] - loc) / scale
    log_terms = log_w - 0.5 * z * z - np.log(scale) - 0.5 * math.log(2 * math.pi)
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


NEW_RECORDS = (
    Record(
        name="student_t_nll",
        loss=_student_t_nll,
        inputs=("pred", "target"),
        options={"df": 4.0, "scale": 1.0},
        is_nll=True,
        distribution=StudentT,
        distribution_label="Student-t",
        parameter_map="loc = pred, df = ν, scale = s (fixed; ν = 4, s = 1 here)",
        parameters=lambda pred, *, df, scale, **_: {"df": df, "loc": pred, "scale": scale},
        a=1.0, b=0.0, relation=rf"\ell = {_NLL_BAR}",
        support=_tangent_line,
        thetas=((-2.9871,), (0.0,), (1.50027,), (4.2219,)),
    ),
    Record(
        name="gamma_nll",
        loss=_gamma_nll,
        inputs=("log_mean", "target"),
        options={"concentration": 2.5},
        is_nll=True,
        distribution=Gamma,
        distribution_label="Gamma",
        parameter_map="rate = k / exp(log_mean), concentration = k (fixed; k = 2.5 here)",
        parameters=lambda log_mean, *, concentration, **_: {
            "concentration": concentration,
            "rate": concentration * np.exp(-np.asarray(log_mean, float))},
        a=1.0, b=0.0, relation=rf"\ell = {_NLL_BAR}",
        support=_positive_line,
        thetas=((-3.0,), (0.0,), (1.2,), (4.0,)),
    ),
    Record(
        name="beta_nll",
        loss=_beta_nll,
        inputs=("logit_mean", "target"),
        options={"precision": 6.0},
        is_nll=True,
        distribution=Beta,
        distribution_label="Beta",
        parameter_map="a = μφ, b = (1 − μ)φ, μ = sigmoid(logit_mean), φ fixed (φ = 6 here)",
        parameters=lambda logit_mean, *, precision, **_: {
            "a": precision / (1 + np.exp(-np.asarray(logit_mean, float))),
            "b": precision / (1 + np.exp(np.asarray(logit_mean, float)))},
        a=1.0, b=0.0, relation=rf"\ell = {_NLL_BAR}",
        support=_unit_interval,
        thetas=((-1.5,), (0.0,), (0.7,), (1.5,)),
    ),
    Record(
        name="negative_binomial_nll",
        loss=_negative_binomial_nll,
        inputs=("log_mean", "target"),
        options={"total_count": 2.0},
        is_nll=True,
        distribution=NegativeBinomial,
        distribution_label="Negative binomial",
        parameter_map="mean = exp(log_mean), total_count = r (fixed; r = 2 here)",
        parameters=lambda log_mean, *, total_count, **_: {
            "total_count": total_count, "mean": np.exp(np.asarray(log_mean, float))},
        a=1.0, b=0.0, relation=rf"\ell = {_NLL_BAR}",
        support=_all_counts,
        thetas=((-3.0,), (0.0,), (1.2,), (3.0,)),
    ),
    Record(
        name="von_mises_nll",
        loss=_von_mises_nll,
        inputs=("pred", "target"),
        options={"concentration": 3.0},
        is_nll=True,
        distribution=VonMises,
        distribution_label="von Mises",
        parameter_map="loc = pred, concentration = κ (fixed; κ = 3 here)",
        parameters=lambda pred, *, concentration, **_: {"loc": pred, "concentration": concentration},
        a=1.0, b=0.0, relation=rf"\ell = {_NLL_BAR}",
        support=_circle,
        thetas=((-2.9871,), (0.0,), (1.50027,), (3.1,)),
    ),
    Record(
        name="gaussian_mixture_nll",
        loss=_mixture_nll,
        inputs=("logits", "target", "loc", "scale"),
        is_nll=True,
        distribution=GaussianMixture,
        distribution_label="Gaussian mixture",
        parameter_map="weights = softmax(logits), loc = loc, scale = scale",
        parameters=lambda logits, loc, scale, **_: {"loc": loc, "scale": scale, "logits": logits},
        a=1.0, b=0.0, relation=rf"\ell = {_NLL_BAR}",
        support=_mixture_line,
        thetas=(
            (np.array([0.0, 0.0]), np.array([-1.0, 2.0]), np.array([0.5, 1.0])),
            (np.array([2.0, -1.0]), np.array([0.3, 0.30071]), np.array([1.0, 0.2])),
            (np.array([-690.0, 0.0]), np.array([-3.0, 1.0]), np.array([0.7, 2.0])),
        ),
    ),
)
