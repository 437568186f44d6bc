"""One sample call per public loss of ``xent_ref``: the loss-case table.

A loss of the public API is a function in ``xent_ref.__all__`` that takes a
``reduction`` (:func:`public_losses`). Each has one :class:`LossCase`: valid
float64 inputs of ``n`` elements (rows, for a row-wise loss), the keyword
options of the sample call, its kind, the name of its first argument and the
name of its ``torch.nn.functional`` counterpart, if PyTorch has one.

Tests that apply one check to every loss (the reduction path, the dtype
policy, torch's broadcasting) derive their parametrisation from
:data:`LOSS_CASES`; ``tests/unit/test_loss_cases.py`` checks that every public
loss has a case and every case names a public loss. Together with the record
oracles (``tests/_record_oracles.py``), this is all a new loss adds to the
test tables.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

import xent_ref as xr


def public_losses() -> list[str]:
    """The names in ``xent_ref.__all__`` of functions that take a ``reduction``."""
    names = []
    for name in xr.__all__:
        obj = getattr(xr, name)
        if inspect.isfunction(obj) and "reduction" in inspect.signature(obj).parameters:
            names.append(name)
    return sorted(names)


@dataclass(frozen=True)
class LossCase:
    """A sample call of one public loss (see the module docstring)."""

    fn: Callable[..., object]
    #: the name of the first argument, as the loss's messages spell it
    first: str
    kind: Literal["elementwise", "rowwise"]
    #: valid float64 positional arguments with ``n`` elements (``n`` rows)
    make: Callable[[int], tuple]
    options: Mapping[str, object] = field(default_factory=dict)
    #: the name of the ``torch.nn.functional`` counterpart, or None
    torch: str | None = None
    #: whether rounding the first argument to integers keeps the call valid
    integer_first: bool = True

    @property
    def name(self) -> str:
        return self.fn.__name__

    def call(self, *args, **kwargs):
        """The loss on ``args`` with the case's options (overridden by ``kwargs``)."""
        return self.fn(*args, **{**self.options, **kwargs})

    def on_first(self, first, n: int = 6, **kwargs):
        """The loss with ``first`` in place of the sample's first argument (same shape)."""
        args = self.make(n)
        return self.call(np.asarray(first), *args[1:], **kwargs)


def _unit(n: int) -> np.ndarray:
    # in (0.1, 0.9): valid predictions, probabilities, rates and logits alike
    return np.random.default_rng(0).uniform(0.1, 0.9, n)


def _bits(n: int) -> np.ndarray:
    return (np.random.default_rng(1).uniform(size=n) < 0.5).astype(np.float64)


def _pair(n: int) -> tuple:
    return _unit(n), _bits(n)


def _rows(n: int) -> np.ndarray:
    # n rows of 3 probabilities that sum to one exactly, in float16 as well
    rows = np.array([[0.5, 0.25, 0.25], [0.125, 0.75, 0.125], [0.25, 0.0625, 0.6875]])
    return rows[np.random.default_rng(2).integers(0, 3, n)]


def _labels(n: int) -> np.ndarray:
    return np.random.default_rng(3).integers(0, 3, n)


#: name -> case, one per public loss
LOSS_CASES: dict[str, LossCase] = {
    case.name: case
    for case in [
        LossCase(xr.mse_loss, "pred", "elementwise", _pair, torch="mse_loss"),
        LossCase(xr.l1_loss, "pred", "elementwise", _pair, torch="l1_loss"),
        LossCase(xr.huber_loss, "pred", "elementwise", _pair, {"delta": 0.5}, torch="huber_loss"),
        LossCase(xr.gaussian_nll_loss, "pred", "elementwise",
                 lambda n: (*_pair(n), np.full(n, 0.75)), {"full": True},
                 torch="gaussian_nll_loss"),
        LossCase(xr.poisson_nll_loss, "pred", "elementwise", _pair, torch="poisson_nll_loss"),
        # probabilities rounded to 0 or 1 meet a target they give probability 0
        LossCase(xr.binary_cross_entropy, "probs", "elementwise", _pair,
                 torch="binary_cross_entropy", integer_first=False),
        LossCase(xr.binary_cross_entropy_with_logits, "logits", "elementwise", _pair,
                 torch="binary_cross_entropy_with_logits"),
        # torchvision has it, torch.nn.functional does not
        LossCase(xr.sigmoid_focal_loss, "logits", "elementwise", _pair),
        LossCase(xr.hinge_loss, "scores", "elementwise", lambda n: (_unit(n), 2 * _bits(n) - 1)),
        LossCase(xr.softmax_cross_entropy, "logits", "rowwise",
                 lambda n: (np.log(_rows(n)), _labels(n)), torch="cross_entropy"),
        # rounded probabilities are no longer rows that sum to one
        LossCase(xr.brier_score, "probs", "rowwise", lambda n: (_rows(n), _labels(n)),
                 integer_first=False),
    ]
}

ELEMENTWISE = [c for c in LOSS_CASES.values() if c.kind == "elementwise"]
ROWWISE = [c for c in LOSS_CASES.values() if c.kind == "rowwise"]


def case_id(case: LossCase) -> str:
    return case.name
