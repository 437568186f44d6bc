"""Bad input to a loss (or its gradient) raises the promised exception, naming the argument.

Each row of the table is one bad call; the message must start with the name
of the offending argument and a colon. Several rows are inputs PyTorch
accepts (targets outside [0, 1] for BCE with logits and focal loss,
negative weights, a mean over nothing): ``xent_ref`` is stricter by design,
as each docstring's Notes say.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import xent_ref as xr

Z = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]])  # logits, N = 2, C = 3
Y = np.array([0, 2])
Q = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
P = np.array([[0.2, 0.9, 0.5], [0.1, 0.6, 0.3]])  # probabilities, the shape of Z
X = np.array([0.5, -1.0, 2.0])
V = np.array([1.0, 2.0, 3.0])

ce = xr.softmax_cross_entropy
bce = xr.binary_cross_entropy
bcel = xr.binary_cross_entropy_with_logits
focal = xr.sigmoid_focal_loss
gnll = xr.gaussian_nll_loss
pnll = xr.poisson_nll_loss


def case(fn, args, kwargs, exc, name, id):
    return pytest.param(fn, args, kwargs, exc, name, id=id)


CASES = [
    # --- softmax_cross_entropy ---
    case(ce, (1.0, 0), {}, ValueError, "logits", "ce: 0-d logits"),
    case(ce, (Z[0], [0]), {}, ValueError, "target", "ce: (C,) logits, (1,) target"),
    case(ce, (Z[None], Y), {}, ValueError, "target", "ce: (1, N, C) logits, (N,) target"),
    case(ce, (Z[:, :, None], Y[:, None, None]), {}, ValueError, "target",
         "ce: (N, C, 1) logits, (N, 1, 1) target"),
    case(ce, (Z[:, :, None], Q), {}, ValueError, "target", "ce: (N, C, 1) logits, (N, C) probs"),
    case(ce, (np.zeros((2, 0)), Y), {}, ValueError, "logits", "ce: no classes"),
    case(ce, ([[1.0, np.nan, 0.0], [0.0] * 3], Y), {}, ValueError, "logits", "ce: NaN logit"),
    case(ce, ([["a", "b", "c"]] * 2, Y), {}, TypeError, "logits", "ce: string logits"),
    case(ce, ([[-np.inf] * 3, [0.0] * 3], Y), {}, ValueError, "logits", "ce: row all -inf"),
    case(ce, ([[np.inf, np.inf, 0.0], [0.0] * 3], Y), {}, ValueError, "logits", "ce: two +inf"),
    case(ce, (Z, [0.0, 2.0]), {}, TypeError, "target", "ce: whole-valued float indices"),
    case(ce, (Z, [True, False]), {}, TypeError, "target", "ce: bool indices"),
    case(ce, (Z, [0, 3]), {}, ValueError, "target", "ce: index == C"),
    case(ce, (Z, [-1, 0]), {}, ValueError, "target", "ce: negative index"),
    case(ce, (Z, [-100, 0]), {}, ValueError, "target", "ce: torch's -100 without ignore_index"),
    case(ce, (Z, [0, 1, 2]), {}, ValueError, "target", "ce: N mismatch"),
    case(ce, (Z, [[0], [1]]), {}, ValueError, "target", "ce: (N, 1) target"),
    case(ce, (Z, [[0, 1], [2]]), {}, ValueError, "target", "ce: ragged target"),
    case(ce, (Z, Y[None]), {}, ValueError, "target", "ce: (1, N) target"),
    case(ce, (Z, Q[:, :2]), {}, ValueError, "target", "ce: probabilities shape"),
    case(ce, (Z, Q - 0.25), {}, ValueError, "target", "ce: probability < 0"),
    case(ce, (Z, Q * 1.5), {}, ValueError, "target", "ce: probability > 1"),
    case(ce, (Z, Q), {"ignore_index": -100}, ValueError, "ignore_index", "ce: ignore + probs"),
    case(ce, (Z, Y), {"ignore_index": 1.0}, TypeError, "ignore_index", "ce: float ignore_index"),
    case(ce, (Z, Y), {"ignore_index": True}, TypeError, "ignore_index", "ce: bool ignore_index"),
    case(ce, (Z, Y), {"weight": [1.0, 2.0]}, ValueError, "weight", "ce: weight too short"),
    case(ce, (Z, Y), {"weight": [[1.0, 2.0, 3.0]]}, ValueError, "weight", "ce: weight (1, C)"),
    case(ce, (Z, Y), {"weight": [1.0, -2.0, 3.0]}, ValueError, "weight", "ce: negative weight"),
    case(ce, (Z, Y), {"weight": [1.0, np.inf, 3.0]}, ValueError, "weight", "ce: inf weight"),
    case(ce, (Z, Y), {"weight": [1.0, np.nan, 3.0]}, ValueError, "weight", "ce: NaN weight"),
    case(ce, (Z, Y), {"label_smoothing": -0.1}, ValueError, "label_smoothing", "ce: eps < 0"),
    case(ce, (Z, Y), {"label_smoothing": 1.5}, ValueError, "label_smoothing", "ce: eps > 1"),
    case(ce, (Z, Y), {"label_smoothing": np.nan}, ValueError, "label_smoothing", "ce: NaN eps"),
    case(ce, (Z, Y), {"label_smoothing": "0.1"}, TypeError, "label_smoothing", "ce: str eps"),
    case(ce, (Z, Y), {"reduction": "avg"}, ValueError, "reduction", "ce: unknown reduction"),
    case(ce, (Z, Y), {"reduction": "MEAN"}, ValueError, "reduction", "ce: reduction case"),
    case(ce, (Z, Y), {"reduction": None}, ValueError, "reduction", "ce: reduction None"),
    case(ce, (Z, [5, 5]), {"ignore_index": 5}, ValueError, "target", "ce: every target ignored"),
    case(ce, (Z, Y), {"weight": [0.0, 1.0, 0.0]}, ValueError, "weight", "ce: zero total weight"),
    case(ce, (np.zeros((0, 3)), np.zeros(0, int)), {}, ValueError, "target", "ce: empty mean"),
    case(ce, (np.zeros((0, 3)), np.zeros((0, 3))), {}, ValueError, "target", "ce: empty, probs"),
    # --- binary_cross_entropy ---
    case(bce, (P + 0.5, P), {}, ValueError, "probs", "bce: probs > 1"),
    case(bce, (P - 0.5, P), {}, ValueError, "probs", "bce: probs < 0"),
    case(bce, (np.full(3, np.nan), V / 3), {}, ValueError, "probs", "bce: NaN probs"),
    case(bce, (P, P * 2), {}, ValueError, "target", "bce: target > 1"),
    case(bce, (P, -P), {}, ValueError, "target", "bce: target < 0"),
    case(bce, (P, P[0]), {}, ValueError, "target", "bce: target shape"),
    case(bce, (P, P), {"weight": [1.0, 2.0]}, ValueError, "weight", "bce: weight broadcast"),
    case(bce, (P, P), {"weight": np.ones((2, 2, 3))}, ValueError, "weight", "bce: weight grows"),
    case(bce, (P, P), {"weight": -np.ones(3)}, ValueError, "weight", "bce: negative weight"),
    case(bce, (P, P), {"reduction": "total"}, ValueError, "reduction", "bce: unknown reduction"),
    case(bce, (np.zeros(0), np.zeros(0)), {}, ValueError, "probs", "bce: empty mean"),
    # --- binary_cross_entropy_with_logits ---
    case(bcel, (Z, P + 0.5), {}, ValueError, "target", "bcel: target > 1 (torch accepts)"),
    case(bcel, (Z, -P), {}, ValueError, "target", "bcel: target < 0 (torch accepts)"),
    case(bcel, (Z, P.T), {}, ValueError, "target", "bcel: target shape"),
    case(bcel, ([np.nan], [1.0]), {}, ValueError, "logits", "bcel: NaN logit"),
    case(bcel, (Z, P), {"pos_weight": [1.0, 2.0]}, ValueError, "pos_weight", "bcel: r (N,)"),
    case(bcel, (Z, P), {"pos_weight": [1.0, -2.0, 1.0]}, ValueError, "pos_weight", "bcel: r < 0"),
    case(bcel, (Z, P), {"weight": np.ones((3, 3))}, ValueError, "weight", "bcel: w broadcast"),
    case(bcel, (Z, P), {"reduction": "batchmean"}, ValueError, "reduction", "bcel: reduction"),
    # --- sigmoid_focal_loss ---
    case(focal, (Z, P * 2), {}, ValueError, "target", "focal: target > 1 (torchvision accepts)"),
    case(focal, (Z, P[:, :2]), {}, ValueError, "target", "focal: target shape"),
    case(focal, (Z, P), {"alpha": 1.5}, ValueError, "alpha", "focal: alpha > 1"),
    case(focal, (Z, P), {"alpha": np.nan}, ValueError, "alpha", "focal: NaN alpha"),
    case(focal, (Z, P), {"alpha": "0.25"}, TypeError, "alpha", "focal: str alpha"),
    case(focal, (Z, P), {"gamma": -1.0}, ValueError, "gamma", "focal: gamma < 0"),
    case(focal, (Z, P), {"gamma": np.inf}, ValueError, "gamma", "focal: inf gamma"),
    case(focal, (Z, P), {"reduction": "avg"}, ValueError, "reduction", "focal: reduction"),
    # --- hinge_loss ---
    case(xr.hinge_loss, (X, [1, 0, -1]), {}, ValueError, "target", "hinge: 0 label"),
    case(xr.hinge_loss, (X, [1.0, 0.5, -1.0]), {}, ValueError, "target", "hinge: 0.5 label"),
    case(xr.hinge_loss, (X, [1, -1]), {}, ValueError, "target", "hinge: shape"),
    case(xr.hinge_loss, ([np.nan, 0, 0], [1, 1, 1]), {}, ValueError, "scores", "hinge: NaN score"),
    # --- mse / l1 / huber ---
    case(xr.mse_loss, (X, X[:2]), {}, ValueError, "target", "mse: shape (torch broadcasts)"),
    case(xr.mse_loss, (X, X[:, None]), {}, ValueError, "target", "mse: broadcastable shape"),
    case(xr.mse_loss, ([np.inf], [0.0]), {}, ValueError, "pred", "mse: inf pred"),
    case(xr.mse_loss, ([0.0], [np.nan]), {}, ValueError, "target", "mse: NaN target"),
    case(xr.mse_loss, (X, X), {"reduction": "max"}, ValueError, "reduction", "mse: reduction"),
    case(xr.mse_loss, (np.zeros(0), np.zeros(0)), {}, ValueError, "pred", "mse: empty mean"),
    case(xr.l1_loss, (X, X[:2]), {}, ValueError, "target", "l1: shape"),
    case(xr.l1_loss, (["1"], ["2"]), {}, TypeError, "pred", "l1: strings"),
    case(xr.huber_loss, (X, X), {"delta": 0.0}, ValueError, "delta", "huber: delta = 0"),
    case(xr.huber_loss, (X, X), {"delta": -1.0}, ValueError, "delta", "huber: delta < 0"),
    case(xr.huber_loss, (X, X), {"delta": np.inf}, ValueError, "delta", "huber: inf delta"),
    case(xr.huber_loss, (X, X), {"delta": "1"}, TypeError, "delta", "huber: str delta"),
    case(xr.huber_loss, (X, X[:2]), {}, ValueError, "target", "huber: shape"),
    # --- gaussian_nll_loss ---
    case(gnll, (X, X, -V), {}, ValueError, "var", "gauss: negative var"),
    case(gnll, (X, X, -1.0), {}, ValueError, "var", "gauss: negative scalar var"),
    case(gnll, (X, X, [1.0, np.nan, 1.0]), {}, ValueError, "var", "gauss: NaN var"),
    case(gnll, (X, X, [1.0, np.inf, 1.0]), {}, ValueError, "var", "gauss: inf var"),
    case(gnll, (X, X, V[:2]), {}, ValueError, "var", "gauss: var length"),
    case(gnll, (Z, Z, np.ones(3)), {}, ValueError, "var", "gauss: var (D,) for (N, D)"),
    case(gnll, (Z, Z, np.ones((2, 3, 1))), {}, ValueError, "var", "gauss: var extra dim"),
    case(gnll, (np.ones((2, 3, 4)), np.ones((2, 3, 4)), np.ones((1, 1, 4))), {}, ValueError,
         "var", "gauss: var two unit dims"),
    case(gnll, (Z, Z[:, :2], 1.0), {}, ValueError, "target", "gauss: target shape"),
    case(gnll, (Z, Z[:1, :1], 1.0), {}, ValueError, "target", "gauss: target two unit dims"),
    case(gnll, (X, X, V), {"eps": 0.0}, ValueError, "eps", "gauss: eps = 0"),
    case(gnll, (X, X, V), {"full": "yes"}, TypeError, "full", "gauss: str full"),
    case(gnll, (X, X, V), {"reduction": "avg"}, ValueError, "reduction", "gauss: reduction"),
    # --- poisson_nll_loss ---
    case(pnll, (X, -V), {}, ValueError, "target", "poisson: negative count"),
    case(pnll, (X, V[:2]), {}, ValueError, "target", "poisson: shape"),
    case(pnll, (X, V), {"log_input": False}, ValueError, "pred", "poisson: negative rate"),
    case(pnll, (X, V), {"log_input": 0}, TypeError, "log_input", "poisson: int log_input"),
    case(pnll, (X, V), {"full": None}, TypeError, "full", "poisson: None full"),
    case(pnll, (V, V), {"log_input": False, "eps": -1e-8}, ValueError, "eps", "poisson: eps < 0"),
    case(pnll, ([np.inf], [1.0]), {}, ValueError, "pred", "poisson: inf log-rate"),
    case(pnll, (X, V), {"reduction": ""}, ValueError, "reduction", "poisson: reduction"),
    # --- gradients: the same checks ---
    case(xr.grad.softmax_cross_entropy_grad, (Z, [0.0, 1.0]), {}, TypeError, "target",
         "grad ce: float indices"),
    case(xr.grad.softmax_cross_entropy_grad, (Z, [5, 5]), {"ignore_index": 5}, ValueError,
         "target", "grad ce: every target ignored"),
    case(xr.grad.softmax_cross_entropy_grad, (Z, Q), {"ignore_index": 0}, ValueError,
         "ignore_index", "grad ce: ignore_index + probs"),
    case(xr.grad.binary_cross_entropy_with_logits_grad, (Z, P * 2), {}, ValueError, "target",
         "grad bcel: target > 1"),
    case(xr.grad.mse_loss_grad, (X, X), {"reduction": "avg"}, ValueError, "reduction",
         "grad mse: reduction"),
    case(xr.grad.poisson_nll_loss_grad, (X, -V), {}, ValueError, "target",
         "grad poisson: negative count"),
]


@pytest.mark.parametrize("fn, args, kwargs, exc, name", CASES)
def test_bad_input_raises_naming_the_argument(fn, args, kwargs, exc, name):
    with pytest.raises(exc, match=rf"^{name}: "):
        fn(*args, **kwargs)


EXTREMES = [
    # valid inputs whose (correct) results involve inf or underflow: no warning may leak
    (ce, ([[1e308, -1e308, 0.0], [-np.inf, 0.0, 1.0]], [1, 0]), {"reduction": "none"}),
    (ce, ([[np.inf, 0.0, -np.inf]], [0]), {}),
    (ce, ([[1e308, -1e308, 0.0]], [[0.0, 0.5, 0.5]]), {"label_smoothing": 0.1}),
    (bce, ([0.0, 1.0, 1e-320], [1.0, 0.0, 1.0]), {"weight": [0.0, 1.0, 1.0]}),
    (bcel, ([np.inf, -np.inf, 1e308, -1e308], [1.0, 0.0, 0.5, 0.5]), {"pos_weight": [2.0]}),
    (focal, ([np.inf, -np.inf, 800.0, -800.0], [1.0, 1.0, 0.0, 0.0]), {"alpha": 0.0}),
    (xr.mse_loss, ([1e308, -1e200], [-1e308, 1e200]), {}),
    (xr.huber_loss, ([1e308], [-1e308]), {}),
    (gnll, ([1e300], [-1e300], [1e-300]), {}),
    (pnll, ([1000.0, -1000.0], [0.0, 3.0]), {"full": True}),
    (pnll, ([0.0, 0.0], [0.0, 3.0]), {"log_input": False}),
]


@pytest.mark.parametrize("fn, args, kwargs", EXTREMES)
def test_extreme_valid_inputs_leak_no_warning(fn, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fn(*args, **kwargs)
    assert not np.isnan(result).any()


def test_float_and_int_reductions_of_every_option_type():
    # the documented result types, for the record of the error table above
    assert type(ce(Z, Y)) is np.float64
    assert type(bcel(0.3, 1.0)) is np.float64
    assert type(bcel(0.3, 1.0, reduction="none")) is np.float64
    assert isinstance(focal(Z, P), np.ndarray)
