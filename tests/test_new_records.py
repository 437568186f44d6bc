"""The proposed unification rows of the six newer families (xent_ref._new_records).

Each row's loss (the textbook formula) must equal the mean NLL of its class
(``check``, on random valid inputs), and ``exp(-loss)`` must integrate or sum
to 1 over the target's domain for every parameter setting
(``likelihood_check``); a loss scaled by 2 must fail the latter wherever
the prediction moves more than the location.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from xent_ref._new_records import NEW_RECORDS
from xent_ref.unification import check, likelihood_check, table_rows, to_markdown


def _inputs(name: str, rng: np.random.Generator, n: int) -> tuple:
    if name == "student_t_nll":
        return rng.normal(size=n) * 3, rng.standard_t(4.0, n) * 3
    if name == "gamma_nll":
        return rng.normal(size=n) * 2, rng.gamma(2.5, np.exp(rng.normal(size=n)))
    if name == "beta_nll":
        return rng.normal(size=n) * 2, np.clip(rng.beta(2.0, 3.0, n), 1e-12, 1 - 1e-12)
    if name == "negative_binomial_nll":
        pred = rng.normal(size=n) * 2
        return pred, rng.poisson(rng.gamma(2.0, np.exp(pred) / 2.0)).astype(np.float64)
    if name == "von_mises_nll":
        return rng.uniform(-10, 10, n), rng.uniform(-np.pi, np.pi, n)
    if name == "gaussian_mixture_nll":
        c = int(rng.integers(1, 5))
        return (
            rng.normal(size=(n, c)) * 3,
            rng.normal(size=n) * 4,
            rng.normal(size=(n, c)) * 2,
            np.exp(rng.normal(size=(n, c))),
        )
    raise KeyError(name)


@pytest.mark.parametrize("rec", NEW_RECORDS, ids=lambda r: r.name)
def test_textbook_loss_is_the_class_nll(rec):
    for seed in range(30):
        rng = np.random.default_rng(seed)
        assert check(rec, *_inputs(rec.name, rng, int(rng.integers(1, 40))))


@pytest.mark.parametrize("rec", NEW_RECORDS, ids=lambda r: r.name)
def test_likelihood_check_passes(rec):
    result = likelihood_check(rec)
    assert result.passed, result.verdict
    np.testing.assert_allclose(result.normalisers, 1.0, rtol=1e-9, atol=0)


# For the pure location families (Student-t with a fixed scale, von Mises with
# a fixed concentration) exp(-2 loss) still integrates to the same constant at
# every location, so a doubled loss passes there too; where the prediction
# moves the scale or the shape, it must fail.
SHAPE_CHANGING = [r for r in NEW_RECORDS if r.name not in ("student_t_nll", "von_mises_nll")]


@pytest.mark.parametrize("rec", SHAPE_CHANGING, ids=lambda r: r.name)
def test_likelihood_check_fails_for_a_scaled_loss(rec):
    def doubled(*args, reduction="mean", **kw):
        return 2.0 * np.asarray(rec.loss(*args, reduction=reduction, **kw))

    assert not likelihood_check(dataclasses.replace(rec, loss=doubled)).passed


def test_rows_render():
    rows = table_rows(NEW_RECORDS)
    assert [r.loss for r in rows] == [r.name for r in NEW_RECORDS]
    assert all(r.is_nll and r.likelihood.startswith("passes") for r in rows)
    assert to_markdown(NEW_RECORDS).count("\n") == 2 + len(NEW_RECORDS)
