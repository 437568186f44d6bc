"""The dtype policy beyond the losses (those are in ``test_dtype.py``).

Policy, stated in each public docstring: the value is computed in float64 and
returned in the floating dtype of the first argument, rounded once; integer
and boolean input gives float64; the first argument alone decides (a float32
``pred`` with a float64 ``target`` gives float32). Oracle: the float64 result
of the same call on the same values, rounded once to the dtype under test.
"""

from __future__ import annotations

import numpy as np
import pytest

import xent_ref as xr

POLICY = (
    "Dtype: {what} is computed in float64 and returned in the floating dtype of the "
    "first argument, rounded once (float32 in, float32 out); integer and boolean input "
    "gives float64."
)

P = np.array([[0.5, 0.25, 0.25], [0.125, 0.75, 0.125]])
Q = np.array([[0.25, 0.25, 0.5], [0.5, 0.25, 0.25]])
X = np.array([[1.5, -0.25, 3.0], [0.125, 2.0, -1.0]])
Y = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]])
CONF = np.array([0.875, 0.25, 0.625, 0.5, 0.75, 0.125])
HIT = np.array([1, 0, 1, 1, 0, 0])

#: name -> (callable of the first argument, its float64 value, what the
#: policy sentence calls the result, whether it takes a reduction). The
#: losses take their cases from ``tests/_loss_cases.py``, in ``test_dtype.py``.
CASES = {
    "entropy": (lambda p, **kw: xr.entropy(p), P, "the result", False),
    "cross_entropy": (lambda p, **kw: xr.cross_entropy(p, Q), P, "the result", False),
    "kl_divergence": (lambda p, **kw: xr.kl_divergence(p, Q), P, "the result", False),
    "expected_calibration_error": (
        lambda p, **kw: xr.expected_calibration_error(p, HIT, n_bins=3), CONF, "the result",
        False),
    "grad.softmax_cross_entropy_grad": (
        lambda z, **kw: xr.grad.softmax_cross_entropy_grad(z, [2, 0], **kw), X, "the gradient",
        True),
    "grad.binary_cross_entropy_with_logits_grad": (
        lambda z, **kw: xr.grad.binary_cross_entropy_with_logits_grad(z, (Y > 0) * 1.0, **kw),
        X, "the gradient", True),
    "grad.mse_loss_grad": (lambda x, **kw: xr.grad.mse_loss_grad(x, Y, **kw), X, "the gradient",
                           True),
    "grad.poisson_nll_loss_grad": (
        lambda x, **kw: xr.grad.poisson_nll_loss_grad(x, Y, **kw), X, "the gradient", True),
}


def _function(name):
    obj = xr
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _reductions(name):
    return ["mean", "sum", "none"] if CASES[name][3] else [None]


def _call(name, first, reduction):
    call = CASES[name][0]
    return call(first) if reduction is None else call(first, reduction=reduction)


@pytest.mark.parametrize("name", sorted(CASES))
def test_policy_is_documented(name):
    sentence = POLICY.format(what=CASES[name][2])
    assert sentence in " ".join(_function(name).__doc__.split())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    ("name", "reduction"), [(n, r) for n in sorted(CASES) for r in _reductions(n)]
)
def test_floating_input_keeps_its_dtype_rounded_once(name, reduction, dtype):
    first = CASES[name][1].astype(dtype)
    got = _call(name, first, reduction)
    # the oracle: the same values in float64, the float64 result rounded once
    wide = _call(name, first.astype(np.float64), reduction)
    assert np.asarray(wide).dtype == np.float64
    assert np.asarray(got).dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.asarray(wide).astype(dtype))
    assert np.ndim(got) == np.ndim(wide)


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8])
@pytest.mark.parametrize(
    "name", [n for n in sorted(CASES) if CASES[n][1] is X]
)
def test_integer_input_gives_float64(name, dtype):
    got = _call(name, np.round(X).astype(dtype) if dtype != np.uint8 else np.abs(np.round(X))
                .astype(dtype), _reductions(name)[-1])
    assert np.asarray(got).dtype == np.float64


def test_boolean_input_gives_float64():
    assert xr.mse_loss(np.array([True, False]), [1.0, 1.0]).dtype == np.float64
    assert xr.entropy(np.array([True, False])).dtype == np.float64


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(np.float32, np.float64, np.float32), (np.float64, np.float32, np.float64),
     (np.float16, np.float32, np.float16), (np.int64, np.float32, np.float64)],
)
def test_mixed_dtypes_follow_the_first_argument(first, second, expected):
    x, y = np.round(X).astype(first), Y.astype(second)
    assert xr.mse_loss(x, y, reduction="none").dtype == expected
    assert xr.l1_loss(x, y).dtype == expected
    p, q = P.astype(first) if np.dtype(first).kind == "f" else P, Q.astype(second)
    if np.dtype(first).kind == "f":
        assert xr.kl_divergence(p, q).dtype == expected


def test_float32_result_beyond_its_range_is_inf():
    # a float64 loss above float32's largest value rounds to +inf, its correct rounding
    big = np.array([2.0**70], dtype=np.float32)
    got = xr.mse_loss(big, np.zeros(1), reduction="sum")
    assert got.dtype == np.float32 and got == np.inf
    assert xr.mse_loss(big.astype(np.float64), np.zeros(1), reduction="sum") == 2.0**140
