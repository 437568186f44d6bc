"""No public function returns NaN, or an infinity where the exact result is finite.

Hypothesis draws inputs of every magnitude up to the float range (|x| up to
1.8e308, subnormals, and the edges where e^x overflows). For each loss, its
gradient and each distribution, the result must never be NaN, and an
infinite result is accepted only where the exact value, computed by mpmath
from the same float64 inputs, is beyond the float range (or is itself
infinite). The derandomised profile of the root conftest makes the run
repeatable.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import xent_ref as xr
from xent_ref.distributions import Bernoulli, Categorical, Laplace, Normal, Poisson

#: Working precision where a formula cancels (x - y at x ~ 1e308, y ~ 1e-300;
#: y log y - y log x at x ~ 1e308), and where nothing does: only the sign
#: and size of the result matter here.
DPS = 400
DPS_PLAIN = 60
FMAX = np.finfo(np.float64).max
MAX = mpmath.mpf(FMAX)
#: An exact value this close to the float maximum may round to inf after a
#: few correctly rounded steps: 4 ulp of it.
NEAR_MAX = MAX * (1 - mpmath.mpf(2) ** -50)

EDGES = [
    0.0, 5e-324, 1e-308, 1e-300, 1e-16, 0.5, 1.0, 2.0, 30.0, 40.0, 700.0, 709.78, 709.9, 710.0,
    745.2, 800.0, 1e10, 1e154, 1.5e154, 1e200, 1e300, 1e306, 1e307, 9e307, 1e308, 1.7e308, FMAX,
]


def _signed(magnitudes):
    return st.builds(lambda m, s: s * m, magnitudes, st.sampled_from([1.0, -1.0]))


#: Magnitudes log-uniform from 1e-320 to 1e308, the edges above, and any float.
MAGNITUDE = st.one_of(
    st.sampled_from(EDGES),
    st.floats(-320, 308.25).map(lambda e: min(10.0**e, FMAX)),
    st.floats(0, FMAX),
)
REAL = _signed(MAGNITUDE)
POSITIVE = MAGNITUDE.filter(lambda v: v > 0)
UNIT = st.one_of(
    st.sampled_from([0.0, 5e-324, 1e-300, 1e-16, 0.25, 0.5, 1 - 2**-53, 1.0]),
    st.floats(0, 1),
    MAGNITUDE.filter(lambda v: v <= 1),
)
WHOLE = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 3.0, 20.0, 1e15, 1e300, 1.7e308]),
    MAGNITUDE.filter(lambda v: v >= 1).map(math.floor).map(float),
)


def mp(v) -> mpmath.mpf:
    return mpmath.mpf(float(v))


def check(got, exact) -> None:
    """``got`` is not NaN, and is infinite only where ``exact`` is beyond the float range."""
    got = float(got)
    assert not math.isnan(got), f"NaN where the exact value is {exact}"
    if math.isinf(got):
        assert mpmath.isinf(exact) or abs(exact) >= NEAR_MAX, (
            f"{got} where the exact value {mpmath.nstr(exact, 8)} is finite"
        )
        assert mpmath.sign(exact) == math.copysign(1, got), (got, exact)


def softplus(x):
    """log(1 + e^x), exact in mpmath at any magnitude."""
    return x + mpmath.log1p(mpmath.exp(-x)) if x > 0 else mpmath.log1p(mpmath.exp(x))


def sigma(x):
    return 1 / (1 + mpmath.exp(-x))


def xlogy(x, y):
    """x log y with 0 log 0 = 0."""
    return mpmath.mpf(0) if x == 0 else x * mpmath.log(y)


# ---------------------------------------------------------------------------
# Regression losses and their gradients
# ---------------------------------------------------------------------------


@settings(max_examples=60)
@given(x=REAL, y=REAL, delta=POSITIVE)
@example(x=9e307, y=-9e307, delta=0.1)  # |x - y| overflows, delta (|x - y| - delta/2) does not
def test_regression_losses(x, y, delta):
    with mpmath.workdps(DPS):
        d = mp(x) - mp(y)
        check(xr.mse_loss([x], [y]), d**2)
        check(xr.l1_loss([x], [y]), abs(d))
        dl = mp(delta)
        huber = d**2 / 2 if abs(d) < dl else dl * (abs(d) - dl / 2)
        check(xr.huber_loss([x], [y], delta=delta), huber)
        check(xr.grad.mse_loss_grad([x], [y], reduction="sum")[0], 2 * d)


@settings(max_examples=40)
@given(x=REAL, y=REAL, var=MAGNITUDE, full=st.booleans())
@example(x=1e200, y=0.0, var=1e300, full=False)  # d**2 overflows, d * (d / v) does not
def test_gaussian_nll_loss(x, y, var, full):
    with mpmath.workdps(DPS):
        v = max(mp(var), mp(1e-6))
        exact = (mpmath.log(v) + (mp(x) - mp(y)) ** 2 / v) / 2
        if full:
            exact += mpmath.log(2 * mpmath.pi) / 2
        check(xr.gaussian_nll_loss([x], [y], [var], full=full), exact)


@settings(max_examples=60)
@given(
    pred=REAL, target=MAGNITUDE, log_input=st.booleans(), full=st.booleans(),
)
@example(pred=800.0, target=1e306, log_input=True, full=False)  # inf - inf
@example(pred=709.9, target=2.5e305, log_input=True, full=True)  # e^z overflows, the loss not
@example(pred=1.7e308, target=2.6e305, log_input=False, full=False)  # y log x overflows
def test_poisson_nll_loss_and_grad(pred, target, log_input, full):
    if not log_input:
        pred = abs(pred)
    with mpmath.workdps(DPS):
        x, y = mp(pred), mp(target)
        rate, log_rate = (mpmath.exp(x), x) if log_input else (x, mpmath.log(x + mp(1e-8)))
        exact = rate - y * log_rate
        if full and y > 1:
            exact += y * mpmath.log(y) - y + mpmath.log(2 * mpmath.pi * y) / 2
        got = xr.poisson_nll_loss([pred], [target], log_input=log_input, full=full)
        check(got, exact)
        grad = mpmath.exp(x) - y if log_input else 1 - y / (x + mp(1e-8))
        g = xr.grad.poisson_nll_loss_grad([pred], [target], log_input=log_input, reduction="sum")
        check(g[0], grad)


# ---------------------------------------------------------------------------
# Binary losses
# ---------------------------------------------------------------------------


@settings(max_examples=60)
@given(p=UNIT, y=UNIT, w=MAGNITUDE)
def test_binary_cross_entropy(p, y, w):
    with mpmath.workdps(DPS_PLAIN):
        P, Y = mp(p), mp(y)
        nll = -(xlogy(Y, P) + xlogy(1 - Y, 1 - P))
        exact = mpmath.mpf(0) if w == 0 else mp(w) * nll
        check(xr.binary_cross_entropy([p], [y], weight=[w]), exact)


@settings(max_examples=60)
@given(z=REAL, y=UNIT, w=MAGNITUDE, r=MAGNITUDE)
@example(z=-1.7e308, y=1.0, w=0.1, r=2.0)  # r softplus(-z) overflows, w r softplus(-z) not
def test_binary_cross_entropy_with_logits_and_grad(z, y, w, r):
    with mpmath.workdps(DPS_PLAIN):
        Z, Y, W, R = mp(z), mp(y), mp(w), mp(r)
        plain = Y * softplus(-Z) + (1 - Y) * softplus(Z)
        check(xr.binary_cross_entropy_with_logits([z], [y]), plain)
        terms = [R * Y * softplus(-Z), (1 - Y) * softplus(Z)]
        exact = W * mpmath.fsum(t for t in terms if t != 0)
        got = xr.binary_cross_entropy_with_logits([z], [y], weight=[w], pos_weight=[r])
        check(got, exact)
        grad = W * ((1 - Y) * sigma(Z) - R * Y * sigma(-Z))
        g = xr.grad.binary_cross_entropy_with_logits_grad(
            [z], [y], weight=[w], pos_weight=[r], reduction="sum"
        )
        check(g[0], grad)


@settings(max_examples=40)
@given(z=REAL, y=UNIT, alpha=st.floats(0, 1), gamma=st.floats(0, 5))
def test_sigmoid_focal_loss(z, y, alpha, gamma):
    with mpmath.workdps(DPS_PLAIN):
        Z, Y, A, G = mp(z), mp(y), mp(alpha), mp(gamma)
        bce = Y * softplus(-Z) + (1 - Y) * softplus(Z)
        one_minus_pt = Y * sigma(-Z) + (1 - Y) * sigma(Z)
        modulation = mpmath.mpf(1) if G == 0 else one_minus_pt**G
        exact = (A * Y + (1 - A) * (1 - Y)) * modulation * bce
        check(xr.sigmoid_focal_loss([z], [y], alpha=alpha, gamma=gamma, reduction="sum"), exact)


@settings(max_examples=30)
@given(s=REAL, y=st.sampled_from([-1.0, 1.0]))
def test_hinge_loss(s, y):
    with mpmath.workdps(DPS):
        check(xr.hinge_loss([s], [y]), max(mpmath.mpf(0), 1 - mp(y) * mp(s)))


# ---------------------------------------------------------------------------
# Softmax cross-entropy and its gradient
# ---------------------------------------------------------------------------


def mp_log_softmax(row):
    m = max(row)
    lse = m + mpmath.log(mpmath.fsum(mpmath.exp(v - m) for v in row))
    return [v - lse for v in row]


@settings(max_examples=60)
@given(
    row=st.lists(REAL, min_size=2, max_size=3),
    target=st.integers(0, 2),
    w=st.lists(MAGNITUDE, min_size=3, max_size=3),
    smoothing=st.sampled_from([0.0, 0.1, 1.0]),
    soft=st.one_of(st.none(), UNIT),
)
@example(row=[1e308, -1e308], target=0, w=[1.0, 1.0, 1.0], smoothing=0.1, soft=None)
@example(row=[1e308, -1e308], target=0, w=[1.0, 1.0, 1.0], smoothing=0.0, soft=0.9)
@example(row=[1e308, -1e308], target=1, w=[1.0, 0.1, 1.0], smoothing=0.0, soft=None)
def test_softmax_cross_entropy_and_grad(row, target, w, smoothing, soft):
    c = len(row)
    target = min(target, c - 1)
    weight = np.array(w[:c])
    if soft is None:  # a class index
        q = np.eye(c)[target]
        y = np.array([target])
    else:  # probabilities: soft on the target, the rest on the next class
        q = np.zeros(c)
        q[target], q[(target + 1) % c] = soft, 1 - soft
        y = q[np.newaxis]
    with mpmath.workdps(DPS_PLAIN):
        z = [mp(v) for v in row]
        log_p = mp_log_softmax(z)
        p = [mpmath.exp(v) for v in log_p]
        t = [mp(wc) * ((1 - mp(smoothing)) * mp(qc) + mp(smoothing) / c)
             for wc, qc in zip(weight, q)]
        exact = -mpmath.fsum(tc * lp for tc, lp in zip(t, log_p) if tc != 0)
        options = {"weight": weight, "label_smoothing": smoothing, "reduction": "sum"}
        check(xr.softmax_cross_entropy(np.array([row]), y, **options), exact)
        g = xr.grad.softmax_cross_entropy_grad(np.array([row]), y, **options)
        total = mpmath.fsum(t)
        for j in range(c):
            check(g[0, j], total * p[j] - t[j])


# ---------------------------------------------------------------------------
# Information measures
# ---------------------------------------------------------------------------


@settings(max_examples=30)
@given(a=UNIT, b=UNIT)
def test_information_measures(a, b):
    p, q = np.array([a, 1 - a]), np.array([b, 1 - b])
    with mpmath.workdps(DPS_PLAIN):
        P, Q = [mp(v) for v in p], [mp(v) for v in q]
        check(xr.entropy(p), -mpmath.fsum(xlogy(v, v) for v in P))
        cross = (
            mpmath.inf if any(u > 0 and v == 0 for u, v in zip(P, Q))
            else -mpmath.fsum(xlogy(u, v) for u, v in zip(P, Q))
        )
        check(xr.cross_entropy(p, q), cross)
        kl = (
            mpmath.inf if any(u > 0 and v == 0 for u, v in zip(P, Q))
            else mpmath.fsum(xlogy(u, u / v) if u > 0 else 0 for u, v in zip(P, Q))
        )
        check(xr.kl_divergence(p, q), kl)


# ---------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------


@settings(max_examples=60)
@given(loc=REAL, scale=POSITIVE, x=REAL)
@example(loc=-1e308, scale=1e308, x=1e308)  # x - loc overflows, (x - loc) / scale does not
@example(loc=0.0, scale=1e308, x=0.0)  # 2 * scale overflows
@example(loc=0.0, scale=1.0, x=1.8e154)  # z * z overflows, z * z / 2 does not
def test_normal_and_laplace(loc, scale, x):
    with mpmath.workdps(DPS):
        zs = (mp(x) - mp(loc)) / mp(scale)
        log_s = mpmath.log(mp(scale))
        check(Normal(loc, scale).log_prob(x), -zs**2 / 2 - log_s - mpmath.log(2 * mpmath.pi) / 2)
        check(Normal(loc, scale).entropy(), (1 + mpmath.log(2 * mpmath.pi)) / 2 + log_s)
        check(Laplace(loc, scale).log_prob(x), -abs(zs) - mpmath.log(2) - log_s)
        check(Laplace(loc, scale).entropy(), 1 + mpmath.log(2) + log_s)


@settings(max_examples=40)
@given(z=REAL, p=UNIT)
def test_bernoulli(z, p):
    with mpmath.workdps(DPS_PLAIN):
        Z = mp(z)
        d = Bernoulli(logits=z)
        check(d.log_prob(1.0), -softplus(-Z))
        check(d.log_prob(0.0), -softplus(Z))
        s1, s0 = sigma(Z), sigma(-Z)
        check(d.entropy(), s1 * softplus(-Z) + s0 * softplus(Z))
        P = mp(p)
        d = Bernoulli(probs=p)
        check(d.log_prob(1.0), mpmath.ninf if P == 0 else mpmath.log(P))
        check(d.log_prob(0.0), mpmath.ninf if P == 1 else mpmath.log(1 - P))
        check(d.entropy(), -(xlogy(P, P) + xlogy(1 - P, 1 - P)))


@settings(max_examples=40)
@given(row=st.lists(REAL, min_size=2, max_size=3), k=st.integers(0, 2))
def test_categorical(row, k):
    k = min(k, len(row) - 1)
    with mpmath.workdps(DPS_PLAIN):
        log_p = mp_log_softmax([mp(v) for v in row])
        d = Categorical(logits=np.array(row))
        check(d.log_prob(k), log_p[k])
        check(d.entropy(), -mpmath.fsum(mpmath.exp(v) * v for v in log_p))


@settings(max_examples=60)
@given(rate=MAGNITUDE, x=WHOLE)
def test_poisson(rate, x):
    with mpmath.workdps(DPS):
        lam, X = mp(rate), mp(x)
        if lam == 0:
            nll = mpmath.mpf(0) if X == 0 else mpmath.inf
        else:
            nll = lam - X * mpmath.log(lam) + mpmath.loggamma(X + 1)
        check(Poisson(rate).nll(x), nll)
        if rate > 0:
            check(Poisson(log_rate=math.log(rate)).nll(x), mpmath.exp(mp(math.log(rate))) - X
                  * mp(math.log(rate)) + mpmath.loggamma(X + 1))
        h = Poisson(rate).entropy()
        # the entropy lies between 0 and 1/2 log(2 pi e (rate + 1/12))
        assert not math.isnan(h) and math.isfinite(h) and h >= 0
