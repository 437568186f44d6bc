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


def _pair(first: str, n: int):
    """Valid arguments of ``n`` elements for each elementwise loss (first name, args, kwargs)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.1, 0.9, n)
    y = (rng.uniform(size=n) < 0.5).astype(np.float64)
    return x, y


#: (loss, name of its first argument, arguments of n elements, keyword options)
ELEMENTWISE = [
    (xr.mse_loss, "pred", lambda n: _pair("pred", n), {}),
    (xr.l1_loss, "pred", lambda n: _pair("pred", n), {}),
    (xr.huber_loss, "pred", lambda n: _pair("pred", n), {"delta": 0.5}),
    (xr.gaussian_nll_loss, "pred", lambda n: (*_pair("pred", n), np.ones(n)), {}),
    (xr.poisson_nll_loss, "pred", lambda n: _pair("pred", n), {}),
    (xr.binary_cross_entropy, "probs", lambda n: _pair("probs", n), {}),
    (xr.binary_cross_entropy_with_logits, "logits", lambda n: _pair("logits", n), {}),
    (xr.sigmoid_focal_loss, "logits", lambda n: _pair("logits", n), {}),
    (xr.hinge_loss, "scores", lambda n: (_pair("scores", n)[0], 2 * _pair("", n)[1] - 1), {}),
]

#: Losses over rows of classes: (loss, first argument's name, arguments of n rows)
ROWWISE = [
    (xr.softmax_cross_entropy, "logits", lambda n: (np.zeros((n, 3)), np.zeros(n, dtype=int))),
]

ALL = [(f, first, make, kw) for f, first, make, kw in ELEMENTWISE] + [
    (f, first, make, {}) for f, first, make in ROWWISE
]


def _id(case) -> str:
    return case[0].__name__


@pytest.mark.parametrize("case", ALL, ids=_id)
@pytest.mark.parametrize("bad", ["avg", "Mean", None, 0])
def test_unknown_reduction_same_message(case, bad):
    f, _, make, kw = case
    message = f"reduction: must be one of 'mean', 'sum', 'none', got {bad!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        f(*make(4), **kw, reduction=bad)


@pytest.mark.parametrize("case", ELEMENTWISE, ids=_id)
def test_empty_mean_same_message(case):
    f, first, make, kw = case
    message = f"{first}: has no elements, so the mean is undefined"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        f(*make(0), **kw, reduction="mean")


@pytest.mark.parametrize("case", ROWWISE, ids=_id)
def test_empty_batch_mean_is_refused_with_the_same_ending(case):
    # a row-wise loss names the argument whose rows are missing
    f, _, make = case
    with pytest.raises(ValueError, match=r"^target: .*, so the mean is undefined$"):
        f(*make(0))


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_empty_sum_and_none(case):
    # the sum over nothing is 0 (as in torch), "none" an empty float64 array
    f, _, make, kw = case
    total = f(*make(0), **kw, reduction="sum")
    assert type(total) is np.float64 and total == 0.0
    none = f(*make(0), **kw, reduction="none")
    assert isinstance(none, np.ndarray) and none.shape == (0,) and none.dtype == np.float64


@pytest.mark.parametrize(
    "case", [c for c in ELEMENTWISE if c[0] is not xr.gaussian_nll_loss], ids=_id
)
def test_shape_mismatch_same_message(case):
    # gaussian_nll_loss also accepts a target with one dimension of 1 (torch's
    # homoscedastic layout) and says so in its own message
    f, first, make, kw = case
    args = list(make(3))
    args[1] = args[1][:2]
    message = f"target: shape (2,) does not match {first} shape (3,) (no broadcasting)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        f(*args, **kw)


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_mean_is_sum_over_count(case):
    # the "mean" of every loss divides its "sum" by the number of elements (rows)
    f, _, make, kw = case
    args = make(5)
    each = f(*args, **kw, reduction="none")
    assert f(*args, **kw, reduction="sum") == pytest.approx(float(np.sum(each)), rel=1e-15, abs=0)
    assert f(*args, **kw, reduction="mean") == pytest.approx(
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
