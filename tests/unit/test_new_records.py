"""The unification rows of the six newer families (Student-t to Gaussian mixture).

Each row's loss (the textbook formula in ``xent_ref.unification``) must equal
the mean NLL of its class (``check``, on random valid inputs), and
``exp(-loss)`` must integrate or sum to 1 over the target's domain for every
parameter setting (``likelihood_check``); a loss scaled by 2 must fail the
latter wherever the prediction moves more than the location.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from tests._record_oracles import ORACLES
from xent_ref import unification
from xent_ref.unification import RECORDS, check, likelihood_check

NEW_RECORDS = [r for r in RECORDS if r.name.startswith("unification.")]
NEW_NAMES = tuple(r.name for r in NEW_RECORDS)


def test_the_six_rows_are_in_records():
    assert [getattr(unification, name.split(".", 1)[1]) for name in NEW_NAMES] == [
        unification.student_t_nll,
        unification.gamma_nll,
        unification.beta_nll,
        unification.negative_binomial_nll,
        unification.von_mises_nll,
        unification.gaussian_mixture_nll,
    ]
    # Each name is the function a reader finds as xr.unification.<name>.
    for rec in NEW_RECORDS:
        assert getattr(unification, rec.name.split(".", 1)[1]) is rec.loss


@pytest.mark.parametrize("rec", NEW_RECORDS, ids=lambda r: r.name)
def test_textbook_loss_is_the_class_nll(rec):
    for seed in range(30):
        rng = np.random.default_rng(seed)
        assert check(rec, *ORACLES[rec.name].inputs(rng, int(rng.integers(1, 40))))


def test_textbook_losses_match_scipy():
    # Oracle: scipy.stats logpdf/logpmf, a third implementation.
    rng = np.random.default_rng(0)
    pred, y = rng.normal(size=20), rng.standard_t(4.0, 20)
    np.testing.assert_allclose(
        unification.student_t_nll(pred, y, df=4.0, scale=1.5, reduction="none"),
        -stats.t.logpdf(y, 4.0, loc=pred, scale=1.5), rtol=1e-13, atol=0)
    log_mean, y = rng.normal(size=20), rng.gamma(2.5, 1.0, 20)
    np.testing.assert_allclose(
        unification.gamma_nll(log_mean, y, concentration=2.5, reduction="none"),
        -stats.gamma.logpdf(y, 2.5, scale=np.exp(log_mean) / 2.5), rtol=1e-12, atol=0)
    logit, y = rng.normal(size=20), rng.beta(2.0, 3.0, 20)
    mu = 1 / (1 + np.exp(-logit))
    np.testing.assert_allclose(
        unification.beta_nll(logit, y, precision=6.0, reduction="none"),
        -stats.beta.logpdf(y, 6 * mu, 6 * (1 - mu)), rtol=1e-11, atol=1e-13)
    log_mean, y = rng.normal(size=20), rng.poisson(3.0, 20).astype(float)
    m = np.exp(log_mean)
    np.testing.assert_allclose(
        unification.negative_binomial_nll(log_mean, y, total_count=2.0, reduction="none"),
        -stats.nbinom.logpmf(y, 2.0, 2.0 / (2.0 + m)), rtol=1e-12, atol=1e-14)
    pred, y = rng.uniform(-3, 3, 20), rng.uniform(-math.pi, math.pi, 20)
    np.testing.assert_allclose(
        unification.von_mises_nll(pred, y, concentration=3.0, reduction="none"),
        -stats.vonmises.logpdf(y, 3.0, loc=pred), rtol=1e-12, atol=1e-14)
    logits, loc, scale = rng.normal(size=(20, 3)), rng.normal(size=(20, 3)), np.exp(rng.normal(size=(20, 3)))
    y = rng.normal(size=20)
    w = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    dens = np.sum(w * stats.norm.pdf(y[:, None], loc, scale), axis=-1)
    np.testing.assert_allclose(
        unification.gaussian_mixture_nll(logits, y, loc, scale, reduction="none"),
        -np.log(dens), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("rec", NEW_RECORDS, ids=lambda r: r.name)
def test_likelihood_check_passes(rec):
    result = likelihood_check(rec)
    assert result.passed, result.verdict
    np.testing.assert_allclose(result.normalisers, 1.0, rtol=1e-9, atol=0)


# For the pure location families (Student-t with a fixed scale, von Mises with
# a fixed concentration) exp(-2 loss) still integrates to the same constant at
# every location, so a doubled loss passes there too; where the prediction
# moves the scale or the shape, it must fail.
LOCATION_ONLY = ("unification.student_t_nll", "unification.von_mises_nll")
SHAPE_CHANGING = [r for r in NEW_RECORDS if r.name not in LOCATION_ONLY]


@pytest.mark.parametrize("rec", SHAPE_CHANGING, ids=lambda r: r.name)
def test_likelihood_check_fails_for_a_scaled_loss(rec):
    def doubled(*args, reduction="mean", **kw):
        return 2.0 * np.asarray(rec.loss(*args, reduction=reduction, **kw))

    assert not likelihood_check(dataclasses.replace(rec, loss=doubled)).passed
