"""xent_ref.distributions against scipy.stats, mpmath and closed forms.

Oracles:
- ``scipy.stats`` (norm, laplace, bernoulli, multinomial, poisson) for
  ``log_prob`` and ``entropy``, and for the moments of the samples;
- mpmath at 50 digits for the extreme logits, the Poisson NLL at large counts
  and the Poisson entropy where SciPy's own summation does not converge;
- closed forms for the remaining entropies.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

from xent_ref.distributions import (
    Bernoulli,
    Categorical,
    Laplace,
    Normal,
    Poisson,
)

from tests._oracles import ulp_error

mp.mp.dps = 50
EPS = np.finfo(np.float64).eps


def mp_log_sigmoid(z: float) -> mp.mpf:
    return -mp.log1p(mp.exp(-mp.mpf(z)))


# ---------------------------------------------------------------------------
# log_prob against scipy.stats, with broadcasting parameters
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "ref"), [(Normal, st.norm), (Laplace, st.laplace)])
def test_loc_scale_log_prob_matches_scipy_with_broadcasting(cls, ref):
    rng = np.random.default_rng(0)
    loc = rng.normal(size=(3, 1)) * 5
    scale = rng.uniform(0.1, 10.0, size=(4,))
    x = rng.normal(size=(2, 3, 4)) * 10
    d = cls(loc, scale)
    assert d.batch_shape == (3, 4)
    ours = d.log_prob(x)
    assert ours.shape == (2, 3, 4) and ours.dtype == np.float64
    np.testing.assert_allclose(ours, ref.logpdf(x, loc, scale), rtol=1e-14, atol=0)
    np.testing.assert_array_equal(d.nll(x), -ours)


@pytest.mark.parametrize("cls", [Normal, Laplace])
def test_loc_scale_log_prob_at_infinity_and_huge_distance(cls):
    d = cls([0.0, -1e308], [1.0, 1.0])
    np.testing.assert_array_equal(d.log_prob([np.inf, -np.inf]), [-np.inf, -np.inf])
    # (x - loc) overflows: the limit -inf, without a RuntimeWarning.
    assert d.log_prob([0.0, 1e308])[1] == -np.inf


def test_bernoulli_log_prob_matches_scipy():
    rng = np.random.default_rng(1)
    probs = np.concatenate([rng.uniform(size=20), [0.0, 1.0, 1e-300, 1 - 2**-53]])
    x = rng.integers(0, 2, size=(3, probs.size)).astype(np.float64)
    x[:, -4:] = [[0, 0, 1, 1], [1, 1, 0, 0], [0, 1, 1, 0]]
    with np.errstate(divide="ignore"):
        expected = st.bernoulli.logpmf(x, probs)
    np.testing.assert_allclose(Bernoulli(probs).log_prob(x), expected, rtol=1e-14, atol=0)


def test_bernoulli_logits_match_scipy_at_moderate_logits():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(5, 1)) * 4
    x = rng.integers(0, 2, size=(5, 7))
    # SciPy takes the log of the rounded sigmoid: an absolute error ~ eps.
    np.testing.assert_allclose(
        Bernoulli(logits=logits).log_prob(x),
        st.bernoulli.logpmf(x, sp.expit(logits)),
        rtol=1e-13,
        atol=4 * EPS,
    )


def test_bernoulli_accepts_bool_and_int_outcomes():
    d = Bernoulli(probs=0.3)
    assert d.log_prob(True) == d.log_prob(1.0) == d.log_prob(np.int8(1))
    assert isinstance(d.log_prob(0), np.float64)


def test_categorical_log_prob_matches_scipy_multinomial_and_indexing():
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(5), size=(4, 3))
    probs[0, 0] = [0.5, 0.0, 0.25, 0.25, 0.0]  # zero-probability classes
    x = rng.integers(0, 5, size=(2, 4, 3))
    x[0, 0, 0] = 1
    ours = Categorical(probs).log_prob(x)
    one_hot = np.eye(5, dtype=np.int64)[x]
    with np.errstate(divide="ignore"):
        via_multinomial = st.multinomial.logpmf(one_hot, 1, probs)
        rows = np.broadcast_to(probs, x.shape + (5,))
        via_indexing = np.log(np.take_along_axis(rows, x[..., None], -1)[..., 0])
    assert ours[0, 0, 0] == -np.inf
    np.testing.assert_array_equal(ours, via_indexing)
    # scipy.stats.multinomial replaces the last probability by 1 - sum(others).
    np.testing.assert_allclose(ours, via_multinomial, rtol=1e-13, atol=0)


def test_categorical_logits_match_scipy_log_softmax():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(6, 4)) * 3
    x = rng.integers(0, 4, size=6)
    expected = sp.log_softmax(logits, axis=-1)[np.arange(6), x]
    ours = Categorical(logits=logits).log_prob(x)
    np.testing.assert_allclose(ours, expected, rtol=1e-14, atol=1e-15)


def test_categorical_accepts_any_integer_dtype():
    d = Categorical(logits=[0.0, 1.0, 2.0])
    values = {float(d.log_prob(np.array(2, dtype=t))) for t in (np.int8, np.uint16, np.int64)}
    assert len(values) == 1
    assert np.isclose(values.pop(), sp.log_softmax([0.0, 1.0, 2.0])[2], rtol=1e-15, atol=0)


def test_poisson_log_prob_matches_scipy():
    rng = np.random.default_rng(5)
    rate = np.concatenate([rng.exponential(5.0, size=30), [0.0, 1e-8, 250.0]])
    x = rng.poisson(rate, size=(4, rate.size)).astype(np.float64)
    x[0, -3:] = [3.0, 0.0, 250.0]
    ours = Poisson(rate).log_prob(x)
    with np.errstate(divide="ignore"):
        expected = st.poisson.logpmf(x, rate)
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(ours[~finite], expected[~finite])
    # SciPy sums x log(rate) - rate - gammaln(x + 1), with an error of a few
    # ulp of the largest term; compare on that scale.
    scale = (rate + np.abs(sp.xlogy(x, rate)) + sp.gammaln(x + 1))[finite]
    assert np.all(np.abs(ours[finite] - expected[finite]) <= 8 * EPS * scale)
    from_log_rate = Poisson(log_rate=np.log(rate[:-3])).log_prob(x[:, :-3])
    np.testing.assert_allclose(from_log_rate, ours[:, :-3], rtol=1e-12, atol=0)


def test_poisson_point_mass_at_zero():
    d = Poisson(0.0)
    assert d.log_prob(0) == 0.0 and d.log_prob(3) == -np.inf
    assert Poisson(log_rate=-np.inf).nll(0.0) == 0.0


# ---------------------------------------------------------------------------
# Entropy
# ---------------------------------------------------------------------------


def test_loc_scale_entropy_matches_scipy_and_closed_form():
    rng = np.random.default_rng(6)
    loc, scale = rng.normal(size=(3, 1)), rng.uniform(1e-3, 1e3, size=4)
    h_normal, h_laplace = Normal(loc, scale).entropy(), Laplace(loc, scale).entropy()
    assert h_normal.shape == h_laplace.shape == (3, 4)
    np.testing.assert_allclose(h_normal, st.norm(loc, scale).entropy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(h_normal[0], 0.5 * np.log(2 * np.pi * np.e * scale**2), rtol=1e-14, atol=0)
    np.testing.assert_allclose(h_laplace, st.laplace(loc, scale).entropy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(h_laplace[0], 1 + np.log(2 * scale), rtol=1e-14, atol=0)
    assert isinstance(Normal(0.0, 1.0).entropy(), np.float64)


def test_bernoulli_entropy_matches_scipy_for_probs_and_logits():
    probs = np.array([0.0, 1e-12, 0.1, 0.5, 0.75, 1.0])
    # SciPy evaluates entr(1 - p) with 1 - p rounded: an absolute error ~ eps.
    expected = st.bernoulli(probs).entropy()
    np.testing.assert_allclose(Bernoulli(probs).entropy(), expected, rtol=1e-13, atol=4 * EPS)
    logits = np.array([-5.0, -0.3, 0.0, 2.0, 7.0])
    np.testing.assert_allclose(
        Bernoulli(logits=logits).entropy(), st.bernoulli(sp.expit(logits)).entropy(), rtol=1e-13, atol=0
    )
    h = Bernoulli(probs=[0.0, 1.0]).entropy()
    assert np.array_equal(h, [0.0, 0.0]) and not np.any(np.signbit(h))


def test_categorical_entropy_matches_scipy_with_zeros():
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.ones(6), size=(3, 2))
    probs[1, 1] = [0.0, 0.5, 0.0, 0.5, 0.0, 0.0]
    probs[2, 0] = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    h = Categorical(probs).entropy()
    assert h.shape == (3, 2)
    np.testing.assert_allclose(h, st.entropy(probs, axis=-1), rtol=1e-14, atol=0)
    assert h[2, 0] == 0.0 and not np.signbit(h[2, 0])
    logits = np.log(probs[0])
    h_logits = Categorical(logits=logits).entropy()
    np.testing.assert_allclose(h_logits, st.entropy(probs[0], axis=-1), rtol=1e-13, atol=0)


def test_poisson_entropy_matches_scipy_where_scipy_converges():
    # scipy.stats.poisson.entropy sums the pmf; it is accurate for moderate rates.
    rate = np.array([[1e-3, 0.5, 1.0], [3.3, 40.0, 500.0]])
    np.testing.assert_allclose(Poisson(rate).entropy(), st.poisson(rate).entropy(), rtol=1e-12, atol=0)
    assert Poisson(0.0).entropy() == 0.0 and not np.signbit(Poisson(0.0).entropy())


def mp_poisson_entropy(rate: float) -> mp.mpf:
    """-sum p log p over rate +- (14 sqrt(rate) + 40), at 30 digits."""
    with mp.workdps(30):
        lam = mp.mpf(rate)
        half = 14 * math.sqrt(rate) + 40
        log_lam, total = mp.log(lam), mp.mpf(0)
        for k in range(max(0, int(rate - half)), int(rate + half) + 1):
            log_p = k * log_lam - lam - mp.loggamma(k + 1)
            total -= mp.exp(log_p) * log_p
        return total


@pytest.mark.parametrize("rate", [0.25, 7.0, 999.0, 9999.5, 1e4, 2.5e4])
def test_poisson_entropy_against_mpmath_on_both_sides_of_the_asymptotic_switch(rate):
    assert ulp_error(float(Poisson(rate).entropy()), mp_poisson_entropy(rate)) <= 4


# ---------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------

# Each sample mean and variance is checked to within 5 standard errors, with
# SE(mean) = sqrt(var / n) and the exact SE(sample variance) =
# var * sqrt(kurt / n + 2 / (n - 1)) (kurt the excess kurtosis, from
# scipy.stats). Both statistics are near-normal at this n for the parameters
# used (none is a symmetric Bernoulli, whose sample variance is degenerate),
# so for a correct sampler a deviation that large has probability below 1e-6
# per check; the seed makes every run identical.
N_SAMPLES = 200_000


@pytest.mark.parametrize(
    ("dist", "frozen"),
    [
        (Normal([-1.0, 2.0], [0.5, 3.0]), st.norm([-1.0, 2.0], [0.5, 3.0])),
        (Laplace([0.0, 5.0], [1.0, 0.2]), st.laplace([0.0, 5.0], [1.0, 0.2])),
        (Bernoulli([0.05, 0.3]), st.bernoulli([0.05, 0.3])),
        (Bernoulli(logits=[-2.0, 3.0]), st.bernoulli(sp.expit([-2.0, 3.0]))),
        (Poisson([0.7, 30.0]), st.poisson([0.7, 30.0])),
        (Poisson(log_rate=[0.0, 2.0]), st.poisson(np.exp([0.0, 2.0]))),
    ],
    ids=["normal", "laplace", "bernoulli", "bernoulli-logits", "poisson", "poisson-log-rate"],
)
def test_sample_moments(dist, frozen):
    x = dist.sample(N_SAMPLES, np.random.default_rng(8))
    assert x.shape == (N_SAMPLES, 2) and x.dtype == np.float64
    mean, var, _, kurt = (np.asarray(m) for m in frozen.stats(moments="mvsk"))
    assert np.all(np.abs(x.mean(axis=0) - mean) <= 5 * np.sqrt(var / N_SAMPLES))
    se_var = var * np.sqrt(kurt / N_SAMPLES + 2 / (N_SAMPLES - 1))
    assert np.all(np.abs(x.var(axis=0, ddof=1) - var) <= 5 * se_var)


@pytest.mark.parametrize(
    "dist",
    [
        Categorical([[0.2, 0.0, 0.5, 0.3], [0.0, 0.0, 0.0, 1.0]]),
        Categorical(logits=[[0.0, -np.inf, 1.0, 0.5], [-np.inf, -np.inf, -np.inf, 2.0]]),
    ],
    ids=["probs", "logits"],
)
def test_categorical_sample_frequencies(dist):
    x = dist.sample(N_SAMPLES, np.random.default_rng(9))
    assert x.shape == (N_SAMPLES, 2) and x.dtype == np.int64
    freq = np.stack([(x == c).mean(axis=0) for c in range(4)], axis=-1)
    p = dist.probs
    # Binomial standard error of each frequency; impossible classes never drawn.
    assert np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / N_SAMPLES))
    assert np.all(freq[p == 0] == 0)


def test_sample_shape_is_size_then_batch_shape():
    rng = np.random.default_rng(10)
    d = Normal(np.zeros((3, 1)), np.ones(4))
    assert d.sample((), rng).shape == (3, 4)
    assert d.sample((2, 5), rng).shape == (2, 5, 3, 4)
    assert Categorical(np.full((3, 2), 0.5)).sample(7, rng).shape == (7, 3)
    assert isinstance(Poisson(2.0).sample((), rng), np.float64)


def test_sampling_is_reproducible_from_the_seed():
    a = Laplace(0.0, 1.0).sample(5, np.random.default_rng(11))
    b = Laplace(0.0, 1.0).sample(5, np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), np.random.default_rng])
@pytest.mark.parametrize(
    "dist",
    [Normal(0.0, 1.0), Laplace(0.0, 1.0), Bernoulli(0.5), Categorical([0.5, 0.5]), Poisson(1.0)],
    ids=["normal", "laplace", "bernoulli", "categorical", "poisson"],
)
def test_sample_requires_a_generator(dist, rng):
    with pytest.raises(TypeError, match=r"^rng: "):
        dist.sample(3, rng)


@pytest.mark.parametrize(
    ("size", "exc"),
    [(2.0, TypeError), ((2, 1.5), TypeError), (True, TypeError), ((-1,), ValueError)],
)
def test_sample_rejects_bad_size(size, exc):
    with pytest.raises(exc, match=r"^size: "):
        Normal(0.0, 1.0).sample(size, np.random.default_rng(0))


# ---------------------------------------------------------------------------
# Exactness at extreme logits, against mpmath
# ---------------------------------------------------------------------------

_MAGNITUDES = [1e-10, 0.5, 20.0, 36.7, 100.0, 700.0, 745.0, 1e4]
EXTREME_LOGITS = [0.0] + _MAGNITUDES + [-m for m in _MAGNITUDES]


@pytest.mark.parametrize("z", EXTREME_LOGITS)
def test_bernoulli_log_prob_from_logits_is_exact(z):
    d = Bernoulli(logits=z)
    assert ulp_error(float(d.log_prob(1)), mp_log_sigmoid(z)) <= 4
    assert ulp_error(float(d.log_prob(0)), mp_log_sigmoid(-z)) <= 4


@pytest.mark.parametrize("z", [-700.0, -100.0, -36.7, -2.0, 0.0, 3.0, 36.7, 100.0, 700.0])
def test_bernoulli_entropy_from_logits_is_exact(z):
    # Logs through log1p, so a probability within 1e-304 of 1 keeps its digits.
    log_p1, log_p0 = mp_log_sigmoid(z), mp_log_sigmoid(-z)
    exact = -(mp.exp(log_p1) * log_p1 + mp.exp(log_p0) * log_p0)
    assert ulp_error(float(Bernoulli(logits=z).entropy()), exact) <= 4


@pytest.mark.parametrize(
    "row",
    [
        [1e4, 0.0, -1e4],
        [700.0, -700.0, 0.0, 3.0],
        [-1e4, -1e4 + 1.0, -1e4 + 2.0],
        [36.7, 0.0, 0.0],
        [1e-10, 0.0, -1e-10],
    ],
)
def test_categorical_log_prob_from_logits_is_exact(row):
    d = Categorical(logits=row)
    # log_softmax = (z - m) - log1p(sum of the others' exp(z - m)), so 50
    # digits lose nothing when one logit dominates by 700.
    top = int(np.argmax(row))
    m = mp.mpf(row[top])
    rest = mp.fsum(mp.exp(mp.mpf(v) - m) for c, v in enumerate(row) if c != top)
    for c, v in enumerate(row):
        assert ulp_error(float(d.log_prob(c)), (mp.mpf(v) - m) - mp.log1p(rest)) <= 4


def test_categorical_row_with_one_finite_logit_or_one_inf():
    d = Categorical(logits=[[-np.inf, 5.0, -np.inf], [-np.inf, np.inf, 0.0]])
    expected = [[-np.inf, -np.inf], [0.0, 0.0], [-np.inf, -np.inf]]
    np.testing.assert_array_equal(d.log_prob([[0], [1], [2]]), expected)
    np.testing.assert_array_equal(d.entropy(), [0.0, 0.0])


# ---------------------------------------------------------------------------
# The Poisson NLL is the exact lgamma form, even at large counts
# ---------------------------------------------------------------------------


def mp_poisson_nll(x: float, rate: mp.mpf) -> mp.mpf:
    if x == 0:
        return rate
    return rate - x * mp.log(rate) + mp.loggamma(mp.mpf(x) + 1)


def _adversarial_counts(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    x = np.floor(10 ** rng.uniform(0, 15, n))
    # A third near the rate (where the lgamma form cancels), a third within a
    # factor of 10, a third anywhere.
    kind = rng.integers(0, 3, n)
    rate = np.where(kind == 0, x * (1 + rng.normal(size=n) * 1e-3), 0.0)
    rate = np.where(kind == 1, x * 10 ** rng.uniform(-1, 1, n), rate)
    rate = np.where(kind == 2, 10 ** rng.uniform(-5, 16, n), rate)
    return x, rate


def test_poisson_nll_from_rate_within_4_ulp_of_mpmath_at_large_counts():
    x, rate = _adversarial_counts(12)
    ours = Poisson(rate).nll(x)
    errors = [ulp_error(o, mp_poisson_nll(xi, mp.mpf(r))) for o, xi, r in zip(ours, x, rate)]
    assert max(errors) <= 4


def test_poisson_nll_from_log_rate_within_documented_bound():
    # From log_rate, rate = exp(log_rate) is rounded (half an ulp); the NLL
    # moves by |rate - x| 2**-53 for that, and the documented bound is
    # 4 (ulp + |rate - x| 2**-53).
    x, rate = _adversarial_counts(13)
    log_rate = np.log(rate)
    ours = Poisson(log_rate=log_rate).nll(x)
    for o, xi, lr in zip(ours, x, log_rate):
        lam = mp.exp(mp.mpf(lr))
        exact = mp_poisson_nll(xi, lam)
        bound = 4 * (np.spacing(abs(float(exact))) + abs(float(lam) - xi) * 2.0**-53)
        assert abs(mp.mpf(o) - exact) <= bound


def test_poisson_nll_where_lgamma_form_cancels():
    # At x = rate = 1e12 the three terms are ~1e13 and the NLL ~14.7.
    assert ulp_error(float(Poisson(1e12).nll(1e12)), mp_poisson_nll(1e12, mp.mpf(1e12))) <= 4


# ---------------------------------------------------------------------------
# Bad input: ValueError / TypeError whose message starts with the argument name
# ---------------------------------------------------------------------------

BAD_PARAMETERS = [
    (lambda: Normal(0.0, 0.0), ValueError, "scale"),
    (lambda: Normal(0.0, -1.0), ValueError, "scale"),
    (lambda: Normal(0.0, np.inf), ValueError, "scale"),
    (lambda: Normal(np.nan, 1.0), ValueError, "loc"),
    (lambda: Normal(np.inf, 1.0), ValueError, "loc"),
    (lambda: Normal(0.0, [1.0, np.nan]), ValueError, "scale"),
    (lambda: Normal(np.zeros(3), np.ones(2)), ValueError, "scale"),
    (lambda: Normal("a", 1.0), TypeError, "loc"),
    (lambda: Normal(0.0, 1j), TypeError, "scale"),
    (lambda: Laplace(0.0, 0.0), ValueError, "scale"),
    (lambda: Laplace([1.0, np.nan], 1.0), ValueError, "loc"),
    (lambda: Bernoulli(1.5), ValueError, "probs"),
    (lambda: Bernoulli(-0.1), ValueError, "probs"),
    (lambda: Bernoulli(np.nan), ValueError, "probs"),
    (lambda: Bernoulli(), ValueError, "probs"),
    (lambda: Bernoulli(0.5, logits=0.0), ValueError, "probs"),
    (lambda: Bernoulli(logits=np.nan), ValueError, "logits"),
    (lambda: Categorical([0.5, 0.6]), ValueError, "probs"),
    (lambda: Categorical([0.5, 0.4]), ValueError, "probs"),
    (lambda: Categorical([1.5, -0.5]), ValueError, "probs"),
    (lambda: Categorical(0.5), ValueError, "probs"),
    (lambda: Categorical(), ValueError, "probs"),
    (lambda: Categorical([0.5, 0.5], logits=[0.0, 0.0]), ValueError, "probs"),
    (lambda: Categorical(logits=[0.0, np.nan]), ValueError, "logits"),
    (lambda: Categorical(logits=1.0), ValueError, "logits"),
    (lambda: Categorical(logits=np.zeros((2, 0))), ValueError, "logits"),
    (lambda: Categorical(logits=[-np.inf, -np.inf]), ValueError, "logits"),
    (lambda: Categorical(logits=[np.inf, np.inf, 0.0]), ValueError, "logits"),
    (lambda: Poisson(-1.0), ValueError, "rate"),
    (lambda: Poisson(np.inf), ValueError, "rate"),
    (lambda: Poisson(np.nan), ValueError, "rate"),
    (lambda: Poisson(), ValueError, "rate"),
    (lambda: Poisson(1.0, log_rate=0.0), ValueError, "rate"),
    (lambda: Poisson(log_rate=np.nan), ValueError, "log_rate"),
    (lambda: Poisson(log_rate=np.inf), ValueError, "log_rate"),
    (lambda: Poisson(log_rate=710.0), ValueError, "log_rate"),
    (lambda: Poisson(None, log_rate=None), ValueError, "rate"),
]


@pytest.mark.parametrize(("make", "exc", "arg"), BAD_PARAMETERS)
def test_invalid_parameters_name_the_argument(make, exc, arg):
    with pytest.raises(exc, match=rf"^{arg}: "):
        make()


BAD_OUTCOMES = [
    (lambda: Normal(0.0, 1.0).log_prob(np.nan), ValueError),
    (lambda: Normal(np.zeros(3), 1.0).log_prob(np.zeros(2)), ValueError),
    (lambda: Laplace(0.0, 1.0).nll("x"), TypeError),
    (lambda: Bernoulli(0.5).log_prob(0.5), ValueError),
    (lambda: Bernoulli(0.5).log_prob(2), ValueError),
    (lambda: Bernoulli(np.full(3, 0.5)).log_prob([0, 1]), ValueError),
    (lambda: Categorical([0.5, 0.5]).log_prob(1.0), TypeError),
    (lambda: Categorical([0.5, 0.5]).log_prob(True), TypeError),
    (lambda: Categorical([0.5, 0.5]).log_prob(2), ValueError),
    (lambda: Categorical([0.5, 0.5]).log_prob(-1), ValueError),
    (lambda: Categorical(np.full((3, 2), 0.5)).log_prob([0, 1]), ValueError),
    (lambda: Poisson(1.0).log_prob(1.5), ValueError),
    (lambda: Poisson(1.0).log_prob(-1.0), ValueError),
    (lambda: Poisson(1.0).nll(np.inf), ValueError),
    (lambda: Poisson(1.0).nll(np.nan), ValueError),
]


@pytest.mark.parametrize(("call", "exc"), BAD_OUTCOMES)
def test_invalid_outcomes_name_x(call, exc):
    with pytest.raises(exc, match=r"^x: "):
        call()


def test_inputs_are_not_modified():
    rng = np.random.default_rng(15)
    probs = rng.dirichlet(np.ones(3), size=4)
    logits, loc, scale = rng.normal(size=(4, 3)), rng.normal(size=4), rng.uniform(1, 2, 4)
    rate, x = rng.uniform(1, 5, 4), np.array([0.0, 1.0, 3.0, 7.0])
    copies = [a.copy() for a in (probs, logits, loc, scale, rate, x)]
    Categorical(probs).entropy(), Categorical(logits=logits).log_prob([0, 1, 2, 0])
    Normal(loc, scale).nll(x), Laplace(loc, scale).log_prob(x), Poisson(rate).nll(x)
    Poisson(rate).entropy(), Bernoulli(probs[:, 0]).nll(x.clip(0, 1))
    for before, after in zip(copies, (probs, logits, loc, scale, rate, x)):
        np.testing.assert_array_equal(before, after)
