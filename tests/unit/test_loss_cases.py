"""The loss-case table (``tests/_loss_cases.py``) covers exactly the public losses."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import xent_ref as xr
from tests._loss_cases import LOSS_CASES, case_id, public_losses


def test_every_public_loss_has_a_case():
    assert public_losses(), "no function in xent_ref.__all__ takes a reduction"
    assert sorted(set(public_losses()) - set(LOSS_CASES)) == []


def test_every_case_names_a_public_loss():
    assert sorted(set(LOSS_CASES) - set(public_losses())) == []
    for name, case in LOSS_CASES.items():
        assert getattr(xr, name) is case.fn


@pytest.mark.parametrize("case", LOSS_CASES.values(), ids=case_id)
def test_case_describes_its_loss(case):
    # the first argument's name is the signature's, and the sample call is valid,
    # float64 and has one value per element (per row) under reduction="none"
    assert next(iter(inspect.signature(case.fn).parameters)) == case.first
    args = case.make(5)
    assert all(np.asarray(a).dtype.kind != "f" or np.asarray(a).dtype == np.float64 for a in args)
    each = case.call(*args, reduction="none")
    assert each.dtype == np.float64 and np.all(np.isfinite(each))
    expected = np.shape(args[0]) if case.kind == "elementwise" else np.shape(args[0])[:-1]
    assert each.shape == expected
