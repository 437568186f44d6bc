"""Relations every loss must satisfy, exactness on adversarial inputs, and gradients.

* identities between the losses (class indices = one-hot probabilities;
  shift invariance of softmax cross-entropy; BCE of the sigmoid = BCE with
  logits; ignoring = slicing), drawn by hypothesis;
* accuracy: within 4 ulp of mpmath (50 digits, on the same float64 inputs)
  for logits of +-700 and +-1e4, extreme label smoothing, tiny probabilities;
* the analytic gradients of ``xr.grad`` against central finite differences
  and against torch autograd.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xent_ref as xr

from tests._adversarial import BCE_LOGITS, EXTREME_ROWS
from tests._oracles import ulp_error

mpmath.mp.dps = 50
MP = mpmath.mpf
ULPS = 4


def mp_softplus(x):
    """log(1 + e^x) in 50 digits."""
    return mpmath.log1p(mpmath.exp(MP(float(x))))


def mp_nll(row, y):
    """-log softmax(row)[y] in 50 digits, on the float64 logits as given.

    As (m - z_y) + log1p(sum_{j != k} e^(z_j - m)): 50 digits of log(1 + s)
    would still round away an s below 1e-50.
    """
    row = [MP(float(v)) for v in row]
    k = max(range(len(row)), key=lambda j: row[j])
    rest = mpmath.fsum(mpmath.exp(v - row[k]) for j, v in enumerate(row) if j != k)
    return (row[k] - row[y]) + mpmath.log1p(rest)


def T(a) -> torch.Tensor:
    a = np.array(a)
    return torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a)


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

finite_logits = st.floats(-50.0, 50.0, allow_nan=False, allow_infinity=False)


@st.composite
def logits_and_classes(draw, max_rows=6, max_classes=5):
    n = draw(st.integers(1, max_rows))
    c = draw(st.integers(1, max_classes))
    z = draw(hnp.arrays(np.float64, (n, c), elements=finite_logits))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return z, y


# ---------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------


@settings(max_examples=100)
@given(logits_and_classes(), st.sampled_from([0.0, 0.1, 1.0]), st.booleans())
def test_class_indices_equal_one_hot_probabilities(zy, label_smoothing, weighted):
    z, y = zy
    c = z.shape[1]
    w = np.linspace(0.5, 2.0, c) if weighted else None
    one_hot = np.eye(c)[y]
    kw = dict(weight=w, label_smoothing=label_smoothing, reduction="none")
    np.testing.assert_allclose(
        xr.softmax_cross_entropy(z, y, **kw), xr.softmax_cross_entropy(z, one_hot, **kw),
        rtol=1e-13, atol=1e-300,
    )
    if not weighted:  # with weights, "mean" divides by the target weights vs by N (as torch)
        np.testing.assert_allclose(
            xr.softmax_cross_entropy(z, y, label_smoothing=label_smoothing),
            xr.softmax_cross_entropy(z, one_hot, label_smoothing=label_smoothing),
            rtol=1e-13, atol=1e-300,
        )


@settings(max_examples=100)
@given(
    logits_and_classes(),
    st.lists(st.integers(-(2**20), 2**20), min_size=6, max_size=6),
)
def test_cross_entropy_unchanged_by_a_row_constant(zy, shifts):
    z, y = zy
    # logits on a 2**-20 grid below 2**20 plus integers: every sum is exact, so
    # the shifted logits are exactly the same distribution. The loss may still
    # move in its last bits (the exponentials are taken about a shift that
    # depends on where the row sits), but each value is within 4 ulp of the
    # same exact loss, so the two agree to 8 ulp.
    z = np.round(z * 2**20) / 2**20
    shifted = z + np.array(shifts[: len(z)], dtype=np.float64)[:, None]
    np.testing.assert_allclose(
        xr.softmax_cross_entropy(shifted, y, reduction="none"),
        xr.softmax_cross_entropy(z, y, reduction="none"),
        rtol=8 * 2.0**-52,
        atol=0,
    )


@settings(max_examples=50)
@given(logits_and_classes(), st.floats(-1e6, 1e6))
def test_cross_entropy_unchanged_by_any_row_constant_up_to_its_rounding(zy, shift):
    z, y = zy
    shifted = z + shift
    # the rounding of z + shift moves each logit by up to half an ulp of the sum
    tol = 2 * np.spacing(np.abs(shifted).max()) + 1e-300
    np.testing.assert_allclose(
        xr.softmax_cross_entropy(shifted, y, reduction="none"),
        xr.softmax_cross_entropy(z, y, reduction="none"),
        rtol=1e-14, atol=4 * tol,
    )


@settings(max_examples=150)
@given(
    hnp.arrays(np.float64, 8, elements=st.floats(-30.0, 30.0)),
    hnp.arrays(np.float64, 8, elements=st.floats(0.0, 1.0)),
)
def test_bce_of_sigmoid_equals_bce_with_logits(z, y):
    p = xr.sigmoid(z)
    from_probs = xr.binary_cross_entropy(p, y, reduction="none")
    from_logits = xr.binary_cross_entropy_with_logits(z, y, reduction="none")
    both = np.isfinite(from_probs) & np.isfinite(from_logits)
    # p carries the rounding of sigmoid(z): up to eps / min(p, 1 - p) in -log p, -log(1 - p)
    tol = 4 * np.finfo(float).eps * (1 + 1 / np.minimum(p, 1 - p))
    err = np.abs(from_probs - from_logits)[both]
    assert np.all(err <= tol[both] * np.maximum(1.0, from_logits[both]))


@settings(max_examples=100)
@given(
    logits_and_classes(max_rows=8),
    hnp.arrays(np.bool_, 8),
    st.sampled_from([0.0, 0.2]),
    st.booleans(),
)
def test_ignoring_equals_slicing(zy, drop, label_smoothing, weighted):
    z, y = zy
    drop = drop[: len(y)]
    if drop.all():
        drop[0] = False
    c = z.shape[1]
    w = np.linspace(0.5, 2.0, c) if weighted else None
    marked = np.where(drop, -1, y)
    for reduction in ("mean", "sum"):
        ignored = xr.softmax_cross_entropy(
            z, marked, weight=w, ignore_index=-1, label_smoothing=label_smoothing,
            reduction=reduction,
        )
        sliced = xr.softmax_cross_entropy(
            z[~drop], y[~drop], weight=w, label_smoothing=label_smoothing, reduction=reduction,
        )
        assert ignored == pytest.approx(sliced, rel=1e-14, abs=1e-300)


# ---------------------------------------------------------------------------
# Exactness against mpmath on adversarial inputs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("row", EXTREME_ROWS, ids=str)
def test_cross_entropy_within_4_ulp_of_mpmath(row):
    z = np.array([row])
    for y in range(3):
        exact = mp_nll(row, y) if np.isfinite(row[y]) else mpmath.inf
        got = float(xr.softmax_cross_entropy(z, [y]))
        assert ulp_error(got, exact) <= ULPS, (y, got, exact)


@pytest.mark.parametrize("label_smoothing", [1e-300, 1e-10, 0.5, 1.0])
def test_label_smoothing_within_4_ulp_of_mpmath(label_smoothing):
    z = np.array([[1e4, -1e4, 0.0], [30.0, 0.0, -5.0]])
    y = np.array([0, 0])
    eps = MP(label_smoothing)
    got = xr.softmax_cross_entropy(z, y, label_smoothing=label_smoothing, reduction="none")
    for i in range(2):
        nll = [mp_nll(z[i], c) for c in range(3)]
        exact = (1 - eps) * nll[y[i]] + eps / 3 * mpmath.fsum(nll)
        assert ulp_error(got[i], exact) <= ULPS


def test_probability_targets_within_4_ulp_of_mpmath():
    z = np.array([[1e4, -1e4, 0.0], [700.0, 699.0, -700.0]])
    q = np.array([[1 - 1e-12, 1e-12, 0.0], [0.25, 0.75, 0.0]])
    got = xr.softmax_cross_entropy(z, q, reduction="none")
    for i in range(2):
        exact = mpmath.fsum(MP(float(q[i, c])) * mp_nll(z[i], c) for c in range(3))
        assert ulp_error(got[i], exact) <= ULPS


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3, 1e-300])
def test_bce_with_logits_within_4_ulp_of_mpmath(y):
    z = np.array(BCE_LOGITS)
    got = xr.binary_cross_entropy_with_logits(z, np.full(z.size, y), reduction="none")
    for zi, gi in zip(z, got):
        exact = MP(y) * mp_softplus(-zi) + (1 - MP(y)) * mp_softplus(zi)
        assert ulp_error(gi, exact) <= ULPS, (zi, gi)


@pytest.mark.parametrize("pos_weight", [0.5, 3.0])
def test_bce_with_logits_pos_weight_within_4_ulp_of_mpmath(pos_weight):
    z = np.array(BCE_LOGITS)
    y = 0.7
    got = xr.binary_cross_entropy_with_logits(
        z, np.full(z.size, y), pos_weight=[pos_weight], reduction="none"
    )
    for zi, gi in zip(z, got):
        exact = MP(pos_weight) * MP(y) * mp_softplus(-zi) + (1 - MP(y)) * mp_softplus(zi)
        assert ulp_error(gi, exact) <= ULPS, (zi, gi)


def test_bce_within_4_ulp_of_mpmath_near_0_and_1():
    p = np.array([1e-300, 1e-100, 1e-20, 0.5, 1 - 2**-40, 1 - 2**-53])
    for y in (0.0, 1.0, 0.25):
        got = xr.binary_cross_entropy(p, np.full(p.size, y), reduction="none")
        for pi, gi in zip(p, got):
            pm = MP(float(pi))
            exact = -(MP(y) * mpmath.log(pm) + (1 - MP(y)) * mpmath.log1p(-pm))
            assert ulp_error(gi, exact) <= ULPS, (pi, y, gi)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_focal_loss_within_4_ulp_of_mpmath(y):
    z = np.array([-700.0, -40.0, -3.0, 0.5, 40.0, 700.0])
    got = xr.sigmoid_focal_loss(z, np.full(z.size, y), alpha=0.25, gamma=2.0)
    for zi, gi in zip(z, got):
        zm, ym = MP(float(zi)), MP(y)
        p = 1 / (1 + mpmath.exp(-zm))
        one_minus_pt = ym * (1 - p) + (1 - ym) * p
        bce = ym * mp_softplus(-zi) + (1 - ym) * mp_softplus(zi)
        alpha_t = MP("0.25") * ym + MP("0.75") * (1 - ym)
        exact = alpha_t * one_minus_pt**2 * bce
        assert ulp_error(gi, exact) <= ULPS, (zi, gi)


REGRESSION_CASES = [
    # (loss, pred, target, options, exact(pred, target) in mpmath); inputs chosen where the
    # formula has no cancellation (gaussian and poisson NLL have one near their minimum,
    # documented in their Notes)
    (xr.mse_loss, [1e150, 0.1, 3e-160, -7.5], [-3e149, 0.3, -1e-160, 2.25], {},
     lambda x, y: (x - y) ** 2),
    (xr.l1_loss, [1e300, 0.1, 5e-324], [-1e300, 0.3, 0.0], {}, lambda x, y: abs(x - y)),
    (xr.huber_loss, [0.5, 1e10, 1.0000001, -3.0], [0.0, 0.0, 0.0, 0.1], {"delta": 1.0},
     lambda x, y: (x - y) ** 2 / 2 if abs(x - y) < 1 else abs(x - y) - MP(1) / 2),
    (xr.poisson_nll_loss, [700.0, -700.0, 3.0, -2.0], [0.0, 5.0, 0.5, 1e6], {},
     lambda x, y: mpmath.exp(x) - y * x),
    (xr.gaussian_nll_loss, [1e150, 0.0, 3.0], [0.0, 1e-3, -4.0], {"var": [1e300, 1e-300, 2.0]},
     lambda x, y, v: (mpmath.log(v) + (x - y) ** 2 / v) / 2),
]


@pytest.mark.parametrize("loss, pred, target, options, exact", REGRESSION_CASES,
                         ids=lambda v: getattr(v, "__name__", None))
def test_regression_losses_within_4_ulp_of_mpmath(loss, pred, target, options, exact):
    options = dict(options)
    var = options.pop("var", None)
    args = (pred, target) if var is None else (pred, target, var)
    got = loss(*args, reduction="none", **options)
    for i in range(len(pred)):
        inputs = [MP(float(a[i])) for a in args]
        if var is not None:
            inputs[2] = max(inputs[2], MP(1e-6))  # torch's clamp at eps, on the float eps
        assert ulp_error(got[i], exact(*inputs)) <= ULPS, (loss.__name__, i, got[i])


def test_mean_reduction_within_4_ulp_of_mpmath():
    z = np.array([[1e4, -1e4, 0.0], [40.0, 0.0, -40.0], [0.0, 0.0, 0.0]])
    y = np.array([0, 0, 2])
    exact = mpmath.fsum(mp_nll(z[i], y[i]) for i in range(3)) / 3
    assert ulp_error(float(xr.softmax_cross_entropy(z, y)), exact) <= ULPS


def test_extreme_logits_are_finite_where_the_loss_is():
    z = np.array([[1e4, -1e4], [-1e4, 1e4]])
    y = np.array([0, 0])
    got = xr.softmax_cross_entropy(z, y, reduction="none")
    assert got[0] == 0.0  # log1p(e^-2e4) underflows to 0: exact to the last bit
    assert got[1] == 2e4
    assert np.all(np.isfinite(xr.binary_cross_entropy_with_logits(z, [[1.0, 0.0]] * 2)))


# ---------------------------------------------------------------------------
# Gradients: central differences and torch autograd
# ---------------------------------------------------------------------------


def central_difference(f, x, h=1e-6):
    """df/dx elementwise by (f(x + h e_i) - f(x - h e_i)) / 2h."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def autograd(f_torch, x):
    t = T(x).requires_grad_(True)
    out = f_torch(t)
    out.backward(torch.ones_like(out))
    return t.grad.numpy()


CE_OPTIONS = [
    dict(),
    dict(weight=[0.5, 2.0, 1.0, 3.0]),
    dict(label_smoothing=0.3),
    dict(weight=[0.5, 2.0, 1.0, 3.0], label_smoothing=0.2, ignore_index=1),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", CE_OPTIONS, ids=str)
def test_softmax_cross_entropy_grad(options, reduction):
    rng = np.random.default_rng(20)
    z = rng.normal(size=(5, 4))
    y = np.array([0, 1, 3, 2, 1])
    g = xr.grad.softmax_cross_entropy_grad(z, y, reduction=reduction, **options)
    scalar = "sum" if reduction == "none" else reduction  # "none": the gradient of the sum

    def loss(x):
        return float(xr.softmax_cross_entropy(x, y, reduction=scalar, **options))

    np.testing.assert_allclose(g, central_difference(loss, z), rtol=1e-6, atol=1e-9)
    torch_opts = {k: (T(v) if k == "weight" else v) for k, v in options.items()}
    expected = autograd(lambda t: F.cross_entropy(t, T(y), reduction=reduction, **torch_opts), z)
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_grad_probabilities_and_plain_form():
    rng = np.random.default_rng(21)
    z = rng.normal(size=(4, 3))
    q = rng.dirichlet(np.ones(3), size=4)
    w = np.array([1.0, 0.5, 2.0])
    g = xr.grad.softmax_cross_entropy_grad(z, q, weight=w, label_smoothing=0.1)
    expected = autograd(lambda t: F.cross_entropy(t, T(q), weight=T(w), label_smoothing=0.1), z)
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)
    # without options, the textbook softmax(z) - onehot(y), over N
    y = np.array([2, 0, 1, 1])
    np.testing.assert_allclose(
        xr.grad.softmax_cross_entropy_grad(z, y),
        (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) - np.eye(3)[y]) / 4,
        rtol=1e-13, atol=0,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_grad(pos_weighted, weighted, reduction):
    rng = np.random.default_rng(22)
    z = rng.normal(scale=3.0, size=(4, 3))
    y = rng.uniform(size=(4, 3))
    w = rng.uniform(0.5, 2.0, size=(4, 1)) if weighted else None
    r = rng.uniform(0.5, 4.0, size=3) if pos_weighted else None
    g = xr.grad.binary_cross_entropy_with_logits_grad(
        z, y, weight=w, pos_weight=r, reduction=reduction
    )
    scalar = "sum" if reduction == "none" else reduction

    def loss(x):
        return float(xr.binary_cross_entropy_with_logits(
            x, y, weight=w, pos_weight=r, reduction=scalar))

    np.testing.assert_allclose(g, central_difference(loss, z), rtol=1e-6, atol=1e-9)
    expected = autograd(
        lambda t: F.binary_cross_entropy_with_logits(
            t, T(y), weight=None if w is None else T(w), pos_weight=None if r is None else T(r),
            reduction=reduction),
        z,
    )
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)
    if not (weighted or pos_weighted) and reduction == "mean":
        np.testing.assert_allclose(g, (1 / (1 + np.exp(-z)) - y) / z.size, rtol=1e-12, atol=0)


def test_bce_with_logits_grad_keeps_tiny_gradients():
    # sigma(40) - 1 rounds to 0; the gradient is -sigma(-40) = -1 / (1 + e^40)
    g = xr.grad.binary_cross_entropy_with_logits_grad([40.0], [1.0])
    exact = -1 / (1 + mpmath.exp(40))
    assert ulp_error(g[0], exact) <= ULPS


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_grad(reduction):
    rng = np.random.default_rng(23)
    x = rng.normal(size=(3, 4))
    y = rng.normal(size=(3, 4))
    g = xr.grad.mse_loss_grad(x, y, reduction=reduction)
    scalar = "sum" if reduction == "none" else reduction
    np.testing.assert_allclose(
        g, central_difference(lambda a: float(xr.mse_loss(a, y, reduction=scalar)), x),
        rtol=1e-6, atol=1e-9,
    )
    np.testing.assert_allclose(
        g, autograd(lambda t: F.mse_loss(t, T(y), reduction=reduction), x), rtol=1e-14, atol=0
    )
    n = x.size if reduction == "mean" else 1
    np.testing.assert_array_equal(g, 2 * (x - y) / n)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_loss_grad(log_input, reduction):
    rng = np.random.default_rng(24)
    x = rng.normal(size=6) if log_input else rng.uniform(0.5, 5.0, size=6)
    y = rng.poisson(3.0, size=6).astype(float)
    g = xr.grad.poisson_nll_loss_grad(x, y, log_input=log_input, reduction=reduction)
    scalar = "sum" if reduction == "none" else reduction

    def loss(a):
        return float(xr.poisson_nll_loss(a, y, log_input=log_input, reduction=scalar))

    np.testing.assert_allclose(g, central_difference(loss, x), rtol=1e-6, atol=1e-9)
    expected = autograd(
        lambda t: F.poisson_nll_loss(t, T(y), log_input=log_input, reduction=reduction), x
    )
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)
