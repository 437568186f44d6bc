"""0-d inputs and broadcastable shapes, against PyTorch in float64.

For each loss with a ``torch.nn.functional`` counterpart: with 0-d inputs, and
with pairs of shapes that broadcast, either ``xr`` gives torch's float64
value, or it refuses on purpose with a ``ValueError`` naming ``target`` (our
rule: no silent broadcasting), and the docstring's Notes state the departure.
Where torch itself refuses, ``xr`` refuses too. Oracle: PyTorch float64.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import xent_ref as xr
from tests._loss_cases import ELEMENTWISE

torch = pytest.importorskip("torch")
F = torch.nn.functional



def _pair_of_calls(case):
    """(xr loss, torch loss) of two arguments, with the case's options.

    Arguments after the target (gaussian_nll_loss's ``var``) take the sample's
    first value: a scalar for ``xr``, a full tensor for torch, which needs one.
    """
    extra = [float(np.asarray(a).flat[0]) for a in case.make(1)[2:]]
    torch_loss = getattr(F, case.torch)

    def ours(x, y, **kw):
        return case.call(x, y, *extra, **kw)

    def theirs(x, y, **kw):
        return torch_loss(x, y, *[torch.full_like(x, v) for v in extra],
                          **{**case.options, **kw})

    return ours, theirs


#: name -> (xr loss, torch loss), for each elementwise loss torch.nn.functional has
LOSSES = {c.name: _pair_of_calls(c) for c in ELEMENTWISE if c.torch is not None}

#: How a loss's Notes state that it refuses a broadcast torch accepts.
DEPARTS = re.compile(r"PyTorch (also )?broadcasts")

#: (pred shape, target shape) pairs that broadcast
PAIRS = [((3,), (1,)), ((3,), ()), ((1,), (3,)), ((2, 3), (3,)), ((2, 3), (2, 1)),
         ((2, 1), (1, 3)), ((), (3,))]


def _values(shape, seed):
    # in (0, 1): valid probabilities, rates, logits and targets for every loss here
    return np.random.default_rng(seed).uniform(0.05, 0.95, shape)


def _torch(name, x, y, reduction):
    with warnings.catch_warnings():
        # torch warns when mse/l1/huber broadcast; that warning is what we test around
        warnings.simplefilter("ignore", UserWarning)
        out = LOSSES[name][1](torch.from_numpy(np.asarray(x)), torch.from_numpy(np.asarray(y)),
                              reduction=reduction)
    return out.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_zero_d_inputs_match_torch(name, reduction):
    x, y = _values((), 0), _values((), 1)
    ours = LOSSES[name][0](x, y, reduction=reduction)
    theirs = _torch(name, x, y, reduction)
    assert np.ndim(ours) == 0 and type(ours) is np.float64
    np.testing.assert_allclose(ours, theirs, rtol=4e-16, atol=0)


@pytest.mark.parametrize(("x_shape", "y_shape"), PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_broadcastable_shapes(name, x_shape, y_shape):
    x, y = _values(x_shape, 2), _values(y_shape, 3)
    try:
        theirs = _torch(name, x, y, "none")
    except (ValueError, RuntimeError):
        theirs = None
    if theirs is None:
        # torch refuses: so do we, naming the argument
        with pytest.raises(ValueError, match=r"^target: shape "):
            LOSSES[name][0](x, y, reduction="none")
        return
    try:
        ours = LOSSES[name][0](x, y, reduction="none")
    except ValueError as exc:
        # a refusal on purpose: named, and stated in the Notes
        assert re.match(r"^target: shape ", str(exc))
        notes = " ".join(getattr(xr, name).__doc__.split("Notes", 1)[1].split())
        assert DEPARTS.search(notes), f"{name} refuses {x_shape} with {y_shape}, which torch " \
            "accepts, and its Notes do not say so"
        return
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=4e-16, atol=0)


def test_gaussian_nll_takes_torchs_documented_homoscedastic_target():
    # a target with one dimension of 1 is torch's documented layout: both accept it
    x, y = _values((2, 3), 4), _values((2, 1), 5)
    ours = LOSSES["gaussian_nll_loss"][0](x, y, reduction="sum")
    np.testing.assert_allclose(ours, _torch("gaussian_nll_loss", x, y, "sum"), rtol=4e-16, atol=0)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("w_shape", [(), (3,), (2, 1), (1, 3)], ids=str)
def test_binary_weight_broadcasts_as_in_torch(name, w_shape):
    x, y, w = _values((2, 3), 6), _values((2, 3), 7), _values(w_shape, 8) * 3
    ours = LOSSES[name][0](x, y, weight=w, reduction="none")
    theirs = LOSSES[name][1](torch.from_numpy(x), torch.from_numpy(y),
                             weight=torch.from_numpy(np.asarray(w)), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=4e-16, atol=0)


@pytest.mark.parametrize("r_shape", [(), (3,), (1, 3)], ids=str)
def test_pos_weight_broadcasts_as_in_torch(r_shape):
    x, y, r = _values((2, 3), 9) * 4 - 2, _values((2, 3), 10), _values(r_shape, 11) * 5
    ours = xr.binary_cross_entropy_with_logits(x, y, pos_weight=r, reduction="none")
    theirs = F.binary_cross_entropy_with_logits(
        torch.from_numpy(x), torch.from_numpy(y), pos_weight=torch.from_numpy(np.asarray(r)),
        reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-15, atol=0)
