"""Every loss against PyTorch (float64 tensors), for every option combination.

PyTorch is the oracle for the semantics (what ``weight``, ``ignore_index``,
``label_smoothing``, ``pos_weight``, ``full`` ... mean, and what each
reduction divides by). Where PyTorch is not the exact value (the clamped log
of ``binary_cross_entropy``, Stirling's approximation in
``poisson_nll_loss(full=True)``, the NaN of an all-ignored mean, the NaN of
an infinite logit), the test says so and checks ``xent_ref`` against a
closed form instead.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
import sklearn.metrics
import torch
import torch.nn.functional as F

import xent_ref as xr

REDUCTIONS = ["mean", "sum", "none"]
RTOL = 1e-12  # float64 against float64: only the order of operations differs


def T(a) -> torch.Tensor:
    """A float64 (or int64) tensor of ``a``, sharing no memory with it."""
    a = np.array(a)
    return torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a)


def close(ours, theirs, *, rtol=RTOL, atol=0.0):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def check_type(result, reduction, shape):
    """A reduction is a NumPy float64 scalar; "none" a float64 array of the loss's shape."""
    if reduction == "none":
        assert isinstance(result, np.ndarray) and result.dtype == np.float64
        assert result.shape == shape
    else:
        assert type(result) is np.float64


# ---------------------------------------------------------------------------
# softmax_cross_entropy vs F.cross_entropy
# ---------------------------------------------------------------------------

N, C = 9, 5


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("ignore_index", [None, 2, -100])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_indices(weighted, ignore_index, label_smoothing, reduction):
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3.0, size=(N, C))
    y = rng.integers(0, C, size=N)
    y[[1, 4]] = 2  # class 2 is present, so ignore_index=2 ignores something
    if ignore_index == -100:
        y[[0, 6]] = -100  # torch's default ignore value, out of range otherwise
    w = rng.uniform(0.2, 3.0, size=C) if weighted else None
    z0, y0 = z.copy(), y.copy()

    ours = xr.softmax_cross_entropy(
        z, y, weight=w, ignore_index=ignore_index, label_smoothing=label_smoothing,
        reduction=reduction,
    )
    theirs = F.cross_entropy(
        T(z), T(y), weight=None if w is None else T(w),
        ignore_index=-100 if ignore_index is None else ignore_index,
        label_smoothing=label_smoothing, reduction=reduction,
    )
    close(ours, theirs, atol=1e-15)
    check_type(ours, reduction, (N,))
    assert np.array_equal(z, z0) and np.array_equal(y, y0)  # inputs untouched


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.int64])
def test_cross_entropy_accepts_any_integer_dtype(dtype):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    close(xr.softmax_cross_entropy(z, y.astype(dtype)), F.cross_entropy(T(z), T(y)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probabilities(weighted, label_smoothing, reduction):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=2.0, size=(N, C))
    q = rng.dirichlet(np.full(C, 0.7), size=N)
    q[0] = np.eye(C)[3]  # a one-hot row: zeros in the target
    w = rng.uniform(0.2, 3.0, size=C) if weighted else None
    ours = xr.softmax_cross_entropy(
        z, q, weight=w, label_smoothing=label_smoothing, reduction=reduction
    )
    theirs = F.cross_entropy(
        T(z), T(q), weight=None if w is None else T(w),
        label_smoothing=label_smoothing, reduction=reduction,
    )
    close(ours, theirs)
    check_type(ours, reduction, (N,))


def test_cross_entropy_masked_logits():
    # -inf masks a class: a finite loss unless the target sits on a masked class
    z = np.array([[0.5, -np.inf, 2.0], [-np.inf, 1.0, -np.inf], [3.0, -np.inf, 0.0]])
    y = np.array([0, 1, 1])
    ours = xr.softmax_cross_entropy(z, y, reduction="none")
    theirs = F.cross_entropy(T(z), T(y), reduction="none")
    close(ours, theirs)
    assert ours[2] == np.inf
    assert ours[1] == 0.0  # the only unmasked class is certain


def test_cross_entropy_all_ignored_mean_raises_where_torch_is_nan():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(4, 3))
    y = np.full(4, -100)
    assert math.isnan(F.cross_entropy(T(z), T(y)).item())  # torch: 0 / 0
    with pytest.raises(ValueError, match=r"^target: every target equals ignore_index=-100"):
        xr.softmax_cross_entropy(z, y, ignore_index=-100)
    # "sum" and "none" are well defined, and agree with torch
    close(xr.softmax_cross_entropy(z, y, ignore_index=-100, reduction="sum"),
          F.cross_entropy(T(z), T(y), reduction="sum"))
    close(xr.softmax_cross_entropy(z, y, ignore_index=-100, reduction="none"),
          F.cross_entropy(T(z), T(y), reduction="none"))


def test_cross_entropy_zero_total_weight_mean_raises_where_torch_is_nan():
    z = np.array([[1.0, 2.0, 0.0], [0.3, 0.1, 0.2]])
    y = np.array([1, 1])
    w = np.array([1.0, 0.0, 2.0])
    assert math.isnan(F.cross_entropy(T(z), T(y), weight=T(w)).item())
    with pytest.raises(ValueError, match=r"^weight: the weights of the non-ignored targets"):
        xr.softmax_cross_entropy(z, y, weight=w)


# ---------------------------------------------------------------------------
# binary_cross_entropy vs F.binary_cross_entropy
# ---------------------------------------------------------------------------

WEIGHT_SHAPES = [None, (4,), (6, 1), (6, 4), ()]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", WEIGHT_SHAPES)
def test_binary_cross_entropy(weight_shape, reduction):
    rng = np.random.default_rng(5)
    p = rng.uniform(0.01, 0.99, size=(6, 4))
    y = rng.uniform(size=(6, 4))
    y[0] = [0.0, 1.0, 0.0, 1.0]
    w = None if weight_shape is None else rng.uniform(0.1, 2.0, size=weight_shape)
    ours = xr.binary_cross_entropy(p, y, weight=w, reduction=reduction)
    theirs = F.binary_cross_entropy(T(p), T(y), weight=None if w is None else T(w),
                                    reduction=reduction)
    close(ours, theirs)
    check_type(ours, reduction, (6, 4))


def test_binary_cross_entropy_is_exact_where_torch_clamps():
    # torch clamps each log at -100, so -log 0 becomes 100 (and -log 1e-50 too)
    p = np.array([0.0, 1.0, 1e-50, 1e-30, 0.0, 1.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    ours = xr.binary_cross_entropy(p, y, reduction="none")
    theirs = F.binary_cross_entropy(T(p), T(y), reduction="none").numpy()
    np.testing.assert_array_equal(theirs[:3], [100.0, 100.0, 100.0])
    # the exact values: -log 0 = +inf; -log 1e-50 = 50 log 10; 0 log 0 = 0
    np.testing.assert_array_equal(ours[:2], [np.inf, np.inf])
    np.testing.assert_allclose(ours[2], 50 * math.log(10), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(ours[4:], [0.0, 0.0])
    # where torch's log is unclamped (p > e^-100), the two agree
    close(ours[3:], theirs[3:])


# ---------------------------------------------------------------------------
# binary_cross_entropy_with_logits vs F.binary_cross_entropy_with_logits
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight_shape", [None, (4,), (1,), (6, 4)])
@pytest.mark.parametrize("weight_shape", WEIGHT_SHAPES)
def test_binary_cross_entropy_with_logits(weight_shape, pos_weight_shape, reduction):
    rng = np.random.default_rng(6)
    z = rng.normal(scale=4.0, size=(6, 4))
    z[0] = [40.0, -40.0, 0.0, -0.0]
    y = rng.uniform(size=(6, 4))
    y[1] = [0.0, 1.0, 1.0, 0.0]
    w = None if weight_shape is None else rng.uniform(0.1, 2.0, size=weight_shape)
    r = None if pos_weight_shape is None else rng.uniform(0.1, 5.0, size=pos_weight_shape)
    ours = xr.binary_cross_entropy_with_logits(z, y, weight=w, pos_weight=r, reduction=reduction)
    theirs = F.binary_cross_entropy_with_logits(
        T(z), T(y), weight=None if w is None else T(w),
        pos_weight=None if r is None else T(r), reduction=reduction,
    )
    close(ours, theirs, atol=1e-15)
    check_type(ours, reduction, (6, 4))


def test_binary_cross_entropy_with_logits_infinite_logits_take_the_limit():
    z = np.array([np.inf, -np.inf, np.inf, -np.inf])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    theirs = F.binary_cross_entropy_with_logits(T(z), T(y), reduction="none").numpy()
    assert np.isnan(theirs[:2]).all()  # torch: (1 - y) z = 0 * inf
    # the limits: a certain, right prediction costs 0; a certain, wrong one +inf
    np.testing.assert_array_equal(
        xr.binary_cross_entropy_with_logits(z, y, reduction="none"), [0.0, 0.0, np.inf, np.inf]
    )


def test_binary_cross_entropy_with_logits_is_bce_of_sigmoid_in_torch_too():
    rng = np.random.default_rng(7)
    z = rng.normal(size=20)
    y = rng.uniform(size=20)
    close(xr.binary_cross_entropy_with_logits(z, y),
          F.binary_cross_entropy(torch.sigmoid(T(z)), T(y)))


# ---------------------------------------------------------------------------
# sigmoid_focal_loss vs torchvision's formula
# ---------------------------------------------------------------------------


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, transcribed line by line.

    Source: torchvision/ops/focal_loss.py (torchvision 0.2x), which cannot be
    imported here (no wheel matches torch 2.13).
    """
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "none":
        pass
    elif reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [0.25, 0.0, 1.0, -1.0])
def test_sigmoid_focal_loss(alpha, gamma, reduction):
    rng = np.random.default_rng(8)
    z = rng.normal(scale=3.0, size=(5, 3))
    y = (rng.uniform(size=(5, 3)) < 0.4).astype(float)
    y[0] = [0.3, 0.5, 0.9]  # soft targets, which torchvision also accepts
    ours = xr.sigmoid_focal_loss(z, y, alpha=alpha, gamma=gamma, reduction=reduction)
    theirs = torchvision_sigmoid_focal_loss(T(z), T(y), alpha, gamma, reduction)
    # 1 - p_t cancels in torchvision's form (we keep it exact), hence the looser rtol
    close(ours, theirs, rtol=1e-9, atol=1e-300)
    check_type(ours, reduction, (5, 3))


def test_sigmoid_focal_loss_closed_form():
    # z = 0: p = 1/2; z = log 3: p = 3/4
    z = np.array([0.0, math.log(3.0), math.log(3.0)])
    y = np.array([1.0, 1.0, 0.0])
    expected = [
        0.25 * 0.25 * math.log(2.0),  # alpha_t (1 - p_t)^2 (-log p_t) = 1/4 * 1/4 * log 2
        0.25 * 0.0625 * math.log(4 / 3),  # 1 - p_t = 1/4
        0.75 * 0.5625 * math.log(4.0),  # p_t = 1/4, alpha_t = 3/4
    ]
    np.testing.assert_allclose(xr.sigmoid_focal_loss(z, y), expected, rtol=1e-15, atol=0)


# ---------------------------------------------------------------------------
# Regression losses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "ours, theirs",
    [(xr.mse_loss, F.mse_loss), (xr.l1_loss, F.l1_loss)],
    ids=["mse", "l1"],
)
def test_mse_and_l1(ours, theirs, reduction):
    rng = np.random.default_rng(9)
    x = rng.normal(scale=2.0, size=(7, 3))
    y = rng.normal(size=(7, 3))
    result = ours(x, y, reduction=reduction)
    close(result, theirs(T(x), T(y), reduction=reduction))
    check_type(result, reduction, (7, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber(delta, reduction):
    rng = np.random.default_rng(10)
    x = rng.normal(scale=3.0, size=40)
    y = rng.normal(size=40)
    x[0], y[0] = 1.0 + delta, 1.0  # exactly at the kink
    close(xr.huber_loss(x, y, delta=delta, reduction=reduction),
          F.huber_loss(T(x), T(y), delta=delta, reduction=reduction))


GAUSSIAN_VAR_LAYOUTS = {
    # name: (pred shape, var shape or "float" for a Python scalar)
    "heteroscedastic (N, D)": ((6, 3), (6, 3)),
    "homoscedastic (N, 1)": ((6, 3), (6, 1)),
    "homoscedastic (N,)": ((6, 3), (6,)),
    "one dim is 1 (4, 1, 5)": ((4, 3, 5), (4, 1, 5)),
    "float": ((6, 3), "float"),
    "1-d pred, 0-d var": ((6,), ()),
    "1-d pred, (N,) var": ((6,), (6,)),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("layout", GAUSSIAN_VAR_LAYOUTS, ids=str)
def test_gaussian_nll(layout, full, reduction):
    pred_shape, var_shape = GAUSSIAN_VAR_LAYOUTS[layout]
    rng = np.random.default_rng(11)
    x = rng.normal(size=pred_shape)
    y = rng.normal(size=pred_shape)
    if var_shape == "float":
        var, var_t = 0.7, 0.7
    else:
        var = rng.uniform(0.05, 3.0, size=var_shape)
        if var.size > 1:
            var.flat[0] = 0.0  # below eps: clamped to eps, in both
            var.flat[1] = 1e-9
        var_t = T(var)
    ours = xr.gaussian_nll_loss(x, y, var, full=full, reduction=reduction)
    theirs = F.gaussian_nll_loss(T(x), T(y), var_t, full=full, reduction=reduction)
    close(ours, theirs)
    check_type(ours, reduction, pred_shape)


@pytest.mark.parametrize("eps", [1e-6, 1e-2])
def test_gaussian_nll_target_with_a_unit_dimension_and_eps(eps):
    rng = np.random.default_rng(12)
    x = rng.normal(size=(5, 3))
    y = rng.normal(size=(5, 1))  # torch's documented "one dimension equal to 1"
    var = rng.uniform(0.0, 0.05, size=(5, 3))
    close(xr.gaussian_nll_loss(x, y, var, eps=eps, reduction="none"),
          F.gaussian_nll_loss(T(x), T(y), T(var), eps=eps, reduction="none"))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll(log_input, full, reduction):
    rng = np.random.default_rng(13)
    y = np.array([0.0, 1.0, 0.5, 1.5, 2.0, 3.0, 10.0, 57.0, 1e4])
    if log_input:
        x = rng.normal(scale=2.0, size=y.size)
    else:
        x = rng.uniform(0.0, 20.0, size=y.size)
        x[0] = 0.0  # log(0 + eps)
    for eps in (1e-8, 0.5):
        ours = xr.poisson_nll_loss(x, y, log_input=log_input, full=full, eps=eps,
                                   reduction=reduction)
        theirs = F.poisson_nll_loss(T(x), T(y), log_input=log_input, full=full, eps=eps,
                                    reduction=reduction)
        close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_poisson_full_is_stirling_where_target_exceeds_one_and_not_exact():
    # torch's full=True adds y log y - y + log(2 pi y)/2 where y > 1, 0 elsewhere;
    # the exact NLL adds log y! = gammaln(y + 1) (scipy). Stirling's series
    # log y! = y log y - y + log(2 pi y)/2 + 1/(12y) - 1/(360y^3) + ... alternates,
    # so for y > 1 the gap lies in (1/(12y) - 1/(360y^3), 1/(12y)).
    y = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0, 100.0, 1e4])
    z = np.full(y.size, 0.3)
    ours = xr.poisson_nll_loss(z, y, full=True, reduction="none")
    close(ours, F.poisson_nll_loss(T(z), T(y), full=True, reduction="none"))
    exact = np.exp(z) - y * z + scipy.special.gammaln(y + 1)
    gap = exact - ours
    tol = 8 * np.spacing(np.abs(exact))  # the rounding of two ~y log y sized numbers
    big = y > 1
    assert np.all(gap[big] > 1 / (12 * y[big]) - 1 / (360 * y[big] ** 3) - tol[big])
    assert np.all(gap[big] < 1 / (12 * y[big]) + tol[big])
    # y in {0, 1}: log y! = 0, so torch's 0 is exact; y = 1/2: log Gamma(3/2) < 0 is dropped
    assert gap[0] == 0.0 and gap[2] == 0.0
    np.testing.assert_allclose(gap[1], scipy.special.gammaln(1.5), rtol=1e-14, atol=0)
    assert gap[1] < 0


# ---------------------------------------------------------------------------
# hinge_loss vs scikit-learn
# ---------------------------------------------------------------------------


def test_hinge_loss_against_sklearn_and_closed_form():
    rng = np.random.default_rng(14)
    s = rng.normal(scale=2.0, size=50)
    y = np.where(rng.uniform(size=50) < 0.5, -1, 1)
    assert xr.hinge_loss(s, y) == pytest.approx(sklearn.metrics.hinge_loss(y, s), rel=1e-14, abs=0)
    np.testing.assert_allclose(xr.hinge_loss(s, y, reduction="none"),
                               np.where(y * s < 1, 1 - y * s, 0.0), rtol=1e-15, atol=0)
    assert xr.hinge_loss(s, y, reduction="sum") == pytest.approx(
        sklearn.metrics.hinge_loss(y, s) * 50, rel=1e-14, abs=0
    )
    np.testing.assert_array_equal(
        xr.hinge_loss([1.0, 0.0, -2.0, 2.0], [1, 1, 1, -1], reduction="none"), [0.0, 1.0, 3.0, 3.0]
    )


# ---------------------------------------------------------------------------
# Inputs spanning many row blocks (the blocks are 64K and 256K elements)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_many_blocks_agree_with_torch(reduction):
    rng = np.random.default_rng(15)
    z = rng.normal(scale=3.0, size=(700, 1000))  # 700K elements: 3 softmax blocks
    y = rng.integers(0, 1000, size=700)
    y[::7] = -100
    w = rng.uniform(0.5, 2.0, size=1000)
    close(xr.softmax_cross_entropy(z, np.where(y < 0, 0, y), reduction=reduction),
          F.cross_entropy(T(z), T(np.where(y < 0, 0, y)), reduction=reduction))
    close(xr.softmax_cross_entropy(z, y, weight=w, ignore_index=-100, label_smoothing=0.1,
                                   reduction=reduction),
          F.cross_entropy(T(z), T(y), weight=T(w), label_smoothing=0.1, reduction=reduction))
    q = rng.dirichlet(np.ones(1000), size=700)
    close(xr.softmax_cross_entropy(z, q, reduction=reduction),
          F.cross_entropy(T(z), T(q), reduction=reduction))

    x = rng.normal(scale=3.0, size=(1000, 300))  # 300K elements: 5 elementwise blocks
    t = rng.uniform(size=(1000, 300))
    r = rng.uniform(0.5, 2.0, size=300)
    close(xr.binary_cross_entropy_with_logits(x, t, pos_weight=r, reduction=reduction),
          F.binary_cross_entropy_with_logits(T(x), T(t), pos_weight=T(r), reduction=reduction))
    close(xr.binary_cross_entropy(1 / (1 + np.exp(-x)), t, reduction=reduction),
          F.binary_cross_entropy(torch.sigmoid(T(x)), T(t), reduction=reduction))
    close(xr.sigmoid_focal_loss(x, t, reduction=reduction),
          torchvision_sigmoid_focal_loss(T(x), T(t), reduction=reduction), rtol=1e-9)
