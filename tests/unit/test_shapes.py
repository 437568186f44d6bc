"""``softmax_cross_entropy`` and its gradient take every shape ``F.cross_entropy`` takes.

Oracle: PyTorch in float64, on a seeded grid of every shape (unbatched
``(C,)``, ``(N, C)``, K-dimensional ``(N, C, d1, ..., dk)``), both target
kinds (class indices, probabilities) and every option (``weight``,
``ignore_index``, ``label_smoothing``, ``reduction``). The gradient is
compared with torch's autograd. Where torch returns NaN (a ``"mean"`` whose
every target is ignored, its 0/0), ``xent_ref`` raises ``ValueError``
instead, as its docstring says.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import xent_ref as xr

torch = pytest.importorskip("torch")
F = torch.nn.functional

C = 4
#: logits shapes: unbatched, (N, C), and K = 1, 2, 3 extra dimensions
SHAPES = [(C,), (5, C), (3, C, 4), (2, C, 3, 2), (2, C, 2, 1, 3)]
IGNORED = 1  # a real class, so that some targets are ignored


def _inputs(shape, kind, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=shape)
    if kind == "index":
        loss_shape = () if len(shape) == 1 else shape[:1] + shape[2:]
        return z, rng.integers(0, C, size=loss_shape)
    q = rng.exponential(size=shape)
    axis = 0 if len(shape) == 1 else 1
    return z, q / q.sum(axis=axis, keepdims=True)


GRID = [
    pytest.param(shape, kind, weighted, ignore, eps, reduction,
                 id=f"{len(shape)}d-{kind}-w{int(weighted)}-i{int(ignore)}-ls{eps}-{reduction}")
    for shape, kind, weighted, ignore, eps, reduction in itertools.product(
        SHAPES, ["index", "probs"], [False, True], [False, True], [0.0, 0.2],
        ["mean", "sum", "none"],
    )
    if not (ignore and kind == "probs")  # ignore_index is for class indices only
]


def _torch(z, t, w, ignore, eps, reduction, kind):
    zt = torch.tensor(z, requires_grad=True)
    tt = torch.tensor(t)
    kwargs = dict(label_smoothing=eps, reduction=reduction)
    if w is not None:
        kwargs["weight"] = torch.tensor(w)
    if ignore:
        kwargs["ignore_index"] = IGNORED
    loss = F.cross_entropy(zt, tt, **kwargs)
    loss.backward(torch.ones_like(loss))
    return loss.detach().numpy(), zt.grad.numpy()


@pytest.mark.parametrize("shape, kind, weighted, ignore, eps, reduction", GRID)
def test_matches_torch(shape, kind, weighted, ignore, eps, reduction):
    seed = SHAPES.index(shape) * 10 + (kind == "probs")
    z, t = _inputs(shape, kind, seed)
    w = np.random.default_rng(seed + 1).uniform(0.5, 2.0, size=C) if weighted else None
    expected, expected_grad = _torch(z, t, w, ignore, eps, reduction, kind)
    kwargs = dict(weight=w, label_smoothing=eps, reduction=reduction,
                  ignore_index=IGNORED if ignore else None)
    if np.isnan(expected).any():
        # torch's 0/0: every target ignored under "mean"
        with pytest.raises(ValueError, match="ignore_index"):
            xr.softmax_cross_entropy(z, t, **kwargs)
        with pytest.raises(ValueError, match="ignore_index"):
            xr.grad.softmax_cross_entropy_grad(z, t, **kwargs)
        return
    got = xr.softmax_cross_entropy(z, t, **kwargs)
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    grad = xr.grad.softmax_cross_entropy_grad(z, t, **kwargs)
    assert grad.shape == z.shape
    # torch forms softmax - target by subtraction; its small entries carry
    # absolute, not relative, error
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


def test_grid_ignores_some_targets():
    """The ignore_index cases do ignore targets (the grid would be vacuous otherwise)."""
    ignored = [
        (_inputs(shape, "index", SHAPES.index(shape) * 10)[1] == IGNORED).sum()
        for shape in SHAPES
    ]
    assert sum(ignored) > 0 and min(ignored[1:]) > 0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_kd_equals_flattened_rows(reduction):
    """(N, C, d1, d2) is the (N d1 d2, C) problem with the class axis moved last."""
    z, y = _inputs((2, C, 3, 2), "index", 7)
    rows = np.moveaxis(z, 1, -1).reshape(-1, C)
    flat = xr.softmax_cross_entropy(rows, y.reshape(-1), reduction=reduction)
    kd = xr.softmax_cross_entropy(z, y, reduction=reduction)
    np.testing.assert_array_equal(np.reshape(kd, -1), np.reshape(flat, -1))


def test_unbatched_none_is_zero_dimensional():
    """torch returns a 0-d tensor for one unbatched example with reduction="none"."""
    got = xr.softmax_cross_entropy(np.array([2.0, 1.0, 0.1]), 0, reduction="none")
    assert np.ndim(got) == 0
    # closed form: log(e^2 + e^1 + e^0.1) - 2
    expected = np.log(np.exp(2.0) + np.exp(1.0) + np.exp(0.1)) - 2.0
    assert float(got) == pytest.approx(expected, rel=1e-14, abs=0)


def test_empty_spatial_dimension():
    """(N, C, 0) has no samples: "sum" is 0, "none" is empty and "mean" raises."""
    z = np.zeros((2, C, 0))
    y = np.zeros((2, 0), dtype=np.int64)
    assert float(xr.softmax_cross_entropy(z, y, reduction="sum")) == 0.0
    assert xr.softmax_cross_entropy(z, y, reduction="none").shape == (2, 0)
    with pytest.raises(ValueError, match="^target: "):
        xr.softmax_cross_entropy(z, y)
