"""xent_ref's guarantees at their edges: huge inputs, tiny rates and gradients, long rows.

Each test pins one stated guarantee at the inputs where an earlier version
broke it. Reference values come from mpmath at 50 digits (or a closed form
evaluated in mpmath), from PyTorch, or from SciPy, as each test says.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F

import xent_ref as xr
from tests._loss_cases import LOSS_CASES, case_id
from tests._oracles import ulp_error, ulp_of
from xent_ref import unification
from xent_ref._validation import SUM_TOLERANCE, sum_tolerance
from xent_ref.distributions import POISSON_SAMPLE_MAX_RATE, Categorical, Laplace, Normal, Poisson

mpmath.mp.dps = 50
MAX = mpmath.mpf(np.finfo(np.float64).max)


def mp(v) -> mpmath.mpf:
    return mpmath.mpf(float(v))


def rounds_to(exact) -> float:
    """The float64 an exact value rounds to: +-inf beyond the float range."""
    if abs(exact) > MAX:
        return math.copysign(math.inf, float(mpmath.sign(exact)))
    return float(exact)


# ---------------------------------------------------------------------------
# poisson_nll_loss: no inf - inf, no overflowing intermediate
# ---------------------------------------------------------------------------


def mp_poisson_nll(pred, target, *, log_input=True, full=False, eps=1e-8):
    """PyTorch's formula, exactly: rate - y log-rate (+ Stirling where y > 1)."""
    x, y = mp(pred), mp(target)
    rate, log_rate = (mpmath.exp(x), x) if log_input else (x, mpmath.log(x + mp(eps)))
    loss = rate - y * log_rate
    if full and y > 1:
        loss += y * mpmath.log(y) - y + mpmath.log(2 * mpmath.pi * y) / 2
    return loss


def documented_bound(pred, target, *, log_input=True, full=False, eps=1e-8):
    """The error bound of the Notes: with full=True (y > 1), 4 (ulp + |mu - y| 2**-53);
    otherwise 4 ulp of the largest of y and the two terms, which cancel."""
    x, y = mp(pred), mp(target)
    if full and y > 1:
        mu = mpmath.exp(x) if log_input else x + mp(eps)
        return 4 * (ulp_of(mp_poisson_nll(pred, target, log_input=log_input, full=True, eps=eps))
                    + abs(mu - y) * mpmath.mpf(2) ** -53)
    rate, log_rate = (mpmath.exp(x), x) if log_input else (x, mpmath.log(x + mp(eps)))
    return 4 * ulp_of(min(max(abs(rate), abs(y * log_rate), y), MAX))


@pytest.mark.parametrize(
    ("pred", "target", "options"),
    [
        (800.0, 1e306, {}),  # e^800 outweighs y z: +inf (was inf - inf = NaN)
        (math.log(1e307), 1e307, {"full": True}),  # finite (was -inf + inf = NaN)
        (709.9, 2.5e305, {}),  # e^z overflows, the loss is 2.47e307 (was inf)
        (709.9, 2.5e305, {"full": True}),
        (1.7e308, 2.6e305, {"log_input": False}),  # y log x overflows, the loss is finite
        (1.7e308, 1.7e308, {"log_input": False, "full": True}),
        (1e300, 1e-300, {"log_input": False}),
        (1.7e308, 1.7e308, {}),  # +inf, without a warning
        (2.0, 1.7e308, {}),  # -inf, without a warning
        (1e10, 1.7e308, {"log_input": False}),
        (-1e308, 1e10, {}),  # -y z = 1e318: +inf
        (-1e308, 1e10, {"full": True}),
        (710.0, 1.7e308, {"full": True}),
        (5.0, 1e300, {"full": True}),  # y log y alone overflows; the loss is finite
    ],
)
def test_poisson_nll_loss_has_no_spurious_inf_or_nan(pred, target, options):
    got = float(xr.poisson_nll_loss([pred], [target], reduction="sum", **options))
    with mpmath.workdps(400):  # the formula cancels: y log y - y log(x + eps) at x ~ 1e308
        exact = mp_poisson_nll(pred, target, **options)
        bound = documented_bound(pred, target, **options)
    assert not math.isnan(got)
    if abs(exact) > MAX:
        assert got == rounds_to(exact)
    else:
        assert abs(mp(got) - exact) <= bound, (got, exact)


def test_poisson_nll_loss_full_near_the_minimum_is_accurate():
    # At z = fl(log y) the exact loss of these floats is 2.68e279, not the
    # 1/2 log(2 pi y) = 354 of z = log y: z is off by 2.3e-14. Summing
    # y log y - y with e^z - y z would leave an error of a few ulp of
    # y log y (7e309), some 1e14 times the loss.
    z, y = math.log(1e307), 1e307
    exact = mp_poisson_nll(z, y, full=True)
    assert 2.6e279 < exact < 2.7e279
    got = float(xr.poisson_nll_loss([z], [y], full=True))
    assert abs(mp(got) - exact) <= documented_bound(z, y, full=True)
    assert abs(mp(got) - exact) <= exact / 50


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [True, False])
def test_poisson_nll_loss_within_its_documented_bound(log_input, full):
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.integers(0, 30, 40), np.exp(rng.uniform(-5, 700, 160))])
    z = np.log(np.maximum(y, 1e-3)) + rng.normal(size=200) * 10.0 ** rng.uniform(-16, 1, 200)
    x = z if log_input else np.exp(z)
    got = xr.poisson_nll_loss(x, y, log_input=log_input, full=full, reduction="none")
    with mpmath.workdps(400):  # the formula cancels: y log y - y log(x + eps) at x ~ 1e300
        for i in range(200):
            exact = mp_poisson_nll(x[i], y[i], log_input=log_input, full=full)
            bound = documented_bound(x[i], y[i], log_input=log_input, full=full)
            assert abs(mp(got[i]) - exact) <= bound, (x[i], y[i], got[i], exact)


# ---------------------------------------------------------------------------
# Normal and Laplace: no overflow of 2 * scale, x - loc or z * z
# ---------------------------------------------------------------------------


def test_laplace_log_prob_at_a_huge_scale():
    got = Laplace(0.0, 1e308).log_prob(0.0)
    exact = -mpmath.log(2 * mp(1e308))
    assert ulp_error(got, exact) <= 1
    assert got == pytest.approx(scipy.stats.laplace.logpdf(0.0, 0.0, 1e308), rel=1e-15, abs=0)
    assert Laplace(0.0, 1e308).entropy() == pytest.approx(1 - exact, rel=1e-15, abs=0)


def test_normal_log_prob_where_x_minus_loc_overflows():
    got = Normal(-1e308, 1e308).log_prob(1e308)
    # (x - loc) / scale = 2 exactly
    exact = -2 - mpmath.log(mp(1e308)) - mpmath.log(2 * mpmath.pi) / 2
    assert ulp_error(got, exact) <= 2
    assert float(exact) == pytest.approx(-712.1151471753708, rel=1e-15, abs=0)
    got = Laplace([-1e308, 1e308], 1e308).log_prob([1e308, -1e308])
    exact = -2 - mpmath.log(2 * mp(1e308))
    assert all(ulp_error(g, exact) <= 2 for g in got)


def test_normal_log_prob_where_z_squared_overflows():
    # z = 1.8e154: z * z = 3.24e308 overflows, z * z / 2 = 1.62e308 does not
    got = Normal(0.0, 1.0).log_prob(1.8e154)
    exact = -mp(1.8e154) ** 2 / 2 - mpmath.log(2 * mpmath.pi) / 2
    assert ulp_error(got, exact) <= 2
    assert Normal(0.0, 1.0).log_prob(1e308) == -math.inf  # exact -5e615


def test_gaussian_nll_loss_where_the_squared_difference_overflows():
    got = float(xr.gaussian_nll_loss([1e200], [0.0], [1e300]))
    exact = (mpmath.log(mp(1e300)) + mp(1e200) ** 2 / mp(1e300)) / 2
    assert ulp_error(got, exact) <= 2
    # Normal's NLL is gaussian_nll_loss with full=True, here too
    full = float(xr.gaussian_nll_loss([1e200], [0.0], [1e300], full=True))
    assert full == pytest.approx(float(Normal(1e200, 1e150).nll(0.0)), rel=1e-15, abs=0)
    # 0.5 d**2 is finite where d**2 is not
    got = float(xr.gaussian_nll_loss([1.5e154], [0.0], [1.0]))
    assert ulp_error(got, mp(1.5e154) ** 2 / 2) <= 2


# ---------------------------------------------------------------------------
# Poisson: entropy at tiny rates, sampling limits
# ---------------------------------------------------------------------------


def mp_poisson_entropy(rate: float) -> mpmath.mpf:
    """-sum_k p_k log p_k, summed term by term (far past the mass: rate < 10 here)."""
    lam = mp(rate)

    def term(k):
        log_p = k * mpmath.log(lam) - lam - mpmath.loggamma(k + 1)
        return -mpmath.exp(log_p) * log_p

    return mpmath.fsum(term(k) for k in range(0, 120))


@pytest.mark.parametrize("rate", [1e-300, 1e-20, 1e-8, 1e-3, 0.3, 0.999, 1.0, 2.5, 7.0])
def test_poisson_entropy_at_small_rates(rate):
    assert ulp_error(Poisson(rate).entropy(), mp_poisson_entropy(rate)) <= 2


def test_poisson_entropy_of_the_point_mass_is_zero():
    h = Poisson([0.0, 5e-324]).entropy()
    assert h[0] == 0.0 and not math.copysign(1.0, h[0]) < 0
    assert ulp_error(h[1], mp_poisson_entropy(5e-324)) <= 2


@pytest.mark.parametrize("rate", [POISSON_SAMPLE_MAX_RATE * 10, 1e19, 1e300])
def test_poisson_sample_refuses_rates_beyond_its_limit(rate):
    with pytest.raises(ValueError, match=r"^rate: sampling needs every rate <= 1e\+12"):
        Poisson([1.0, rate]).sample(3, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^rate: "):
        Poisson(log_rate=math.log(rate)).sample(3, np.random.default_rng(0))


def test_numpy_poisson_sampler_inflates_the_variance_beyond_the_limit():
    # The reason for the limit, as the docstring states it: about 0.7 % too
    # much variance at 1e14 and 4 % at 1e15. With 1e6 draws the variance
    # ratio's standard error is sqrt(2 / n) = 0.14 %.
    rng = np.random.default_rng(0)
    ratio = {rate: rng.poisson(rate, size=1_000_000).var() / rate for rate in (1e14, 1e15)}
    assert 1.003 < ratio[1e14] < 1.012
    assert 1.03 < ratio[1e15] < 1.05
    with pytest.raises(ValueError, match="lam value too large"):  # NumPy's own refusal
        rng.poisson(1e19)


def test_poisson_sample_at_its_limit():
    rate = POISSON_SAMPLE_MAX_RATE
    x = Poisson(rate).sample(200_000, np.random.default_rng(0))
    # mean and variance are both rate; their sampling errors are sqrt(rate / n)
    # and rate * sqrt(2 / n): 6 standard errors is a false alarm in 1e-9 runs
    assert abs(x.mean() - rate) <= 6 * math.sqrt(rate / x.size)
    assert abs(x.var() / rate - 1) <= 6 * math.sqrt(2 / x.size)


# ---------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------


def test_softmax_cross_entropy_grad_keeps_the_tiny_target_entry():
    g = xr.grad.softmax_cross_entropy_grad([[40.0, 0.0]], [0], reduction="sum")
    p1 = 1 / (1 + mpmath.exp(40))  # softmax([40, 0])[1]
    assert ulp_error(g[0, 1], p1) <= 1
    assert ulp_error(g[0, 0], -p1) <= 1  # -sum_{j != y} p_j, not p_y - 1 = 0
    assert g[0].sum() == 0.0
    # the BCE gradient of the same model keeps the same value
    b = xr.grad.binary_cross_entropy_with_logits_grad([40.0], [1.0], reduction="sum")
    assert b[0] == pytest.approx(g[0, 0], rel=1e-15, abs=0)


def test_softmax_cross_entropy_grad_against_mpmath_on_confident_rows():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(20, 6))
    y = rng.integers(0, 6, size=20)
    z[np.arange(20), y] += rng.uniform(20, 60, size=20)  # the target dominates
    w = rng.uniform(0.5, 2.0, size=6)
    g = xr.grad.softmax_cross_entropy_grad(z, y, weight=w, reduction="sum")
    for i in range(20):
        row = [mp(v) for v in z[i]]
        m = max(row)
        e = [mpmath.exp(v - m) for v in row]
        total = mpmath.fsum(e)
        for c in range(6):
            p_c = e[c] / total
            exact = mp(w[y[i]]) * (p_c - (1 if c == y[i] else 0))
            if c == y[i]:
                exact = -mp(w[y[i]]) * mpmath.fsum(e[j] for j in range(6) if j != c) / total
            assert ulp_error(g[i, c], exact) <= 8, (i, c)


def test_poisson_nll_loss_grad_takes_full():
    z = np.array([0.3, -1.0, 2.0])
    y = np.array([0.0, 3.0, 7.0])
    zt = torch.tensor(z, requires_grad=True)
    F.poisson_nll_loss(zt, torch.tensor(y), full=True).backward()
    g = xr.grad.poisson_nll_loss_grad(z, y, full=True)
    np.testing.assert_allclose(g, zt.grad.numpy(), rtol=1e-14, atol=0)
    assert np.array_equal(g, xr.grad.poisson_nll_loss_grad(z, y, full=False))
    with pytest.raises(TypeError, match=r"^full: "):
        xr.grad.poisson_nll_loss_grad(z, y, full="yes")


# ---------------------------------------------------------------------------
# Ignored rows need no softmax
# ---------------------------------------------------------------------------

IGNORED = np.array([[1.0, 2.0, 0.5], [-np.inf, -np.inf, -np.inf], [0.5, 0.1, -3.0]])
IGNORED_TARGET = np.array([0, -100, 1])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "options", [{}, {"label_smoothing": 0.1}, {"weight": np.array([1.0, 2.0, 0.5])}]
)
def test_an_ignored_row_of_minus_inf_is_ignored_as_in_torch(reduction, options):
    got = xr.softmax_cross_entropy(
        IGNORED, IGNORED_TARGET, ignore_index=-100, reduction=reduction, **options
    )
    topts = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    want = F.cross_entropy(
        torch.tensor(IGNORED), torch.tensor(IGNORED_TARGET), ignore_index=-100,
        reduction=reduction, **topts,
    ).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_the_gradient_of_an_ignored_row_of_minus_inf_is_zero():
    g = xr.grad.softmax_cross_entropy_grad(IGNORED, IGNORED_TARGET, ignore_index=-100)
    assert np.array_equal(g[1], np.zeros(3))
    zt = torch.tensor(IGNORED[[0, 2]], requires_grad=True)
    # the mean over the two kept rows; torch gives NaN on the -inf row itself
    F.cross_entropy(zt, torch.tensor(IGNORED_TARGET[[0, 2]])).backward()
    np.testing.assert_allclose(g[[0, 2]], zt.grad.numpy(), rtol=1e-14, atol=0)


def test_a_kept_row_of_minus_inf_is_still_refused():
    with pytest.raises(ValueError, match=r"^logits: "):
        xr.softmax_cross_entropy(IGNORED, np.array([0, 1, 1]), ignore_index=-100)
    with pytest.raises(ValueError, match=r"^logits: "):
        xr.grad.softmax_cross_entropy_grad(IGNORED, np.array([0, 1, 1]))


# ---------------------------------------------------------------------------
# Sum tolerance: scaled with the row length and the dtype
# ---------------------------------------------------------------------------


def test_sum_tolerance_values():
    assert sum_tolerance(3) == SUM_TOLERANCE == 1e-6
    assert sum_tolerance(10**6, np.int64) == 1e-6
    assert sum_tolerance(50257, np.float32) == 50257 * 2.0**-23
    assert sum_tolerance(10, np.float16) == 10 * 2.0**-10
    assert sum_tolerance(3, np.longdouble) == 1e-6


@pytest.mark.parametrize("classes", [50257, 262144])
def test_float32_softmax_over_many_classes_is_accepted(classes):
    g = torch.Generator().manual_seed(0)
    p = torch.softmax(3 * torch.randn(3, classes, generator=g), dim=-1).numpy()
    deviation = np.abs(p.sum(axis=-1, dtype=np.float64) - 1).max()
    assert deviation > 0  # the rounding is real; at 262144 classes it exceeds 1e-6
    h = xr.entropy(p)
    assert h == pytest.approx(xr.entropy(p / p.sum(axis=-1, keepdims=True, dtype=np.float64)),
                              rel=1e-4, abs=0)
    assert np.all(np.isfinite(xr.cross_entropy(p, p)))
    assert np.all(xr.kl_divergence(p, p) == 0)
    Categorical(p)
    if deviation > 1e-6:
        # the same values as float64 are held to 1e-6, and the error says how to fix it
        with pytest.raises(ValueError, match=r"^p: .*pass them in that dtype.*renormalise"):
            xr.entropy(p.astype(np.float64))


def test_an_unnormalised_float32_vector_is_still_refused():
    p = np.full(1000, 1.05 / 1000, dtype=np.float32)
    with pytest.raises(ValueError, match=r"^p: .*sum to 1"):
        xr.entropy(p)


# ---------------------------------------------------------------------------
# What the docstrings claim
# ---------------------------------------------------------------------------


def test_bce_target_range_is_checked_by_torch_too_and_the_weight_only_here():
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([-0.5]))
    with pytest.raises(ValueError, match=r"^target: "):
        xr.binary_cross_entropy([0.5], [-0.5])
    # a negative weight: accepted by torch (a negative loss), refused here
    assert F.binary_cross_entropy(
        torch.tensor([0.5]), torch.tensor([1.0]), weight=torch.tensor([-1.0])
    ) < 0
    with pytest.raises(ValueError, match=r"^weight: "):
        xr.binary_cross_entropy([0.5], [1.0], weight=[-1.0])
    assert "checks neither" not in xr.binary_cross_entropy.__doc__


def test_hinge_loss_docstring_claims():
    not_nll = {r.name for r in unification.RECORDS if not r.is_nll}
    # Besides the Brier score, a scoring rule documented with the scoring
    # functions rather than the losses, the catalogue's losses that are not NLLs.
    assert not_nll == {"hinge_loss", "sigmoid_focal_loss", "brier_score"}
    doc = xr.hinge_loss.__doc__
    assert "Unlike every other loss" not in doc and "sigmoid_focal_loss" in doc
    ys = np.linspace(-5, 5, 1001)
    zero_one = (ys <= 0).astype(float)
    softplus = xr.binary_cross_entropy_with_logits(ys, np.ones_like(ys), reduction="none")
    assert np.all(softplus / math.log(2) >= zero_one)  # in base 2, an upper bound
    assert softplus[500] == pytest.approx(math.log(2), rel=1e-15, abs=0)  # ys = 0
    assert softplus[500] < zero_one[500]  # in nats, not
    assert np.all(xr.hinge_loss(ys, np.ones_like(ys), reduction="none") >= zero_one)


def raises_section(doc: str) -> str:
    match = re.search(r"\n\s*Raises\n\s*-+\n(.*?)(\n\s*\n\s*[A-Z][a-z ]+\n\s*-+\n)", doc, re.S)
    assert match, "no Raises section"
    return match.group(1)


@pytest.mark.parametrize("case", LOSS_CASES.values(), ids=case_id)
def test_raises_lists_the_type_error_a_loss_raises(case):
    # strings in place of the sample's first argument, the other arguments valid
    strings = np.full(np.shape(case.make(2)[0]), "a")
    with pytest.raises(TypeError, match=f"^{case.first}: expected real numbers"):
        case.on_first(strings, n=2)
    assert "TypeError" in raises_section(case.fn.__doc__)


def test_normal_see_also_names_full():
    doc = Normal.__doc__
    see_also = doc[doc.index("See Also") : doc.index("Notes")]
    assert "full=True" in see_also
