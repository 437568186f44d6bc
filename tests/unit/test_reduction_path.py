"""Every loss is reduced on one path, so the same mistake gets the same message.

The classification losses and the regression losses all reduce through ``xent_ref._blocking``; these tests make each mistake once per
loss and compare the messages, with the argument's name as the only
difference.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import xent_ref as xr
from tests._loss_cases import ELEMENTWISE, LOSS_CASES, ROWWISE


ALL = list(LOSS_CASES.values())


def _id(case) -> str:
    return case.name


@pytest.mark.parametrize("case", ALL, ids=_id)
@pytest.mark.parametrize("bad", ["avg", "Mean", None, 0])
def test_unknown_reduction_same_message(case, bad):
    message = f"reduction: must be one of 'mean', 'sum', 'none', got {bad!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        case.call(*case.make(4), reduction=bad)


# brier_score checks its (N, C) probs before its labels, so an empty batch
# gets the elementwise message, naming probs
@pytest.mark.parametrize("case", [*ELEMENTWISE, LOSS_CASES["brier_score"]], ids=_id)
def test_empty_mean_same_message(case):
    message = f"{case.first}: has no elements, so the mean is undefined"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        case.call(*case.make(0), reduction="mean")


@pytest.mark.parametrize(
    "case", [c for c in ROWWISE if c.fn is not xr.brier_score], ids=_id
)
def test_empty_batch_mean_is_refused_with_the_same_ending(case):
    # a row-wise loss names the argument whose rows are missing
    with pytest.raises(ValueError, match=r"^target: .*, so the mean is undefined$"):
        case.call(*case.make(0))


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_empty_sum_and_none(case):
    # the sum over nothing is 0 (as in torch), "none" an empty float64 array
    total = case.call(*case.make(0), reduction="sum")
    assert type(total) is np.float64 and total == 0.0
    none = case.call(*case.make(0), reduction="none")
    assert isinstance(none, np.ndarray) and none.shape == (0,) and none.dtype == np.float64


@pytest.mark.parametrize(
    "case", [c for c in ELEMENTWISE if c.fn is not xr.gaussian_nll_loss], ids=_id
)
def test_shape_mismatch_same_message(case):
    # gaussian_nll_loss also accepts a target with one dimension of 1 (torch's
    # homoscedastic layout) and says so in its own message
    args = list(case.make(3))
    args[1] = args[1][:2]
    message = f"target: shape (2,) does not match {case.first} shape (3,) (no broadcasting)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        case.call(*args)


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_mean_is_sum_over_count(case):
    # the "mean" of every loss divides its "sum" by the number of elements (rows)
    args = case.make(5)
    each = case.call(*args, reduction="none")
    assert case.call(*args, reduction="sum") == pytest.approx(float(np.sum(each)), rel=1e-15, abs=0)
    assert case.call(*args, reduction="mean") == pytest.approx(
        float(np.sum(each)) / 5, rel=1e-15, abs=0
    )


GRADS = [
    (xr.grad.mse_loss_grad, "pred"),
    (xr.grad.poisson_nll_loss_grad, "pred"),
    (xr.grad.binary_cross_entropy_with_logits_grad, "logits"),
]


@pytest.mark.parametrize(("f", "first"), GRADS, ids=lambda v: getattr(v, "__name__", v))
def test_gradients_refuse_an_empty_mean_with_the_losses_message(f, first):
    message = f"{first}: has no elements, so the mean is undefined"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        f(np.zeros(0), np.zeros(0), reduction="mean")
    with pytest.raises(ValueError, match=r"^reduction: must be one of 'mean', 'sum', 'none'"):
        f(np.zeros(2), np.zeros(2), reduction="avg")
