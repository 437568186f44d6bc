"""brier_score, calibration_curve and expected_calibration_error.

Oracles: scikit-learn (``brier_score_loss``, ``calibration_curve``), the
closed form of the Brier score summed in Python, exact rational arithmetic
(``fractions``) for the Brier score near a certain prediction, the closed
form of its expectation, and a direct per-bin loop for the ECE.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, cast

import numpy as np
import pytest
from sklearn.calibration import calibration_curve as sk_calibration_curve
from sklearn.metrics import brier_score_loss

import xent_ref as xr


def test_brier_score_is_the_multiclass_sum_of_squares():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=50)
    y = rng.integers(0, 4, 50)
    per_sample = xr.brier_score(probs, y, reduction="none")
    expected = [sum((float(p) - (c == t)) ** 2 for c, p in enumerate(row)) for row, t in zip(probs, y)]
    np.testing.assert_allclose(per_sample, expected, rtol=1e-14, atol=1e-16)
    assert np.all((per_sample >= 0) & (per_sample <= 2))
    assert np.isclose(xr.brier_score(probs, y), np.mean(expected), rtol=1e-14, atol=0)
    assert np.isclose(xr.brier_score(probs, y, reduction="sum"), np.sum(expected), rtol=1e-14, atol=0)


def test_brier_score_matches_sklearn_multiclass_unscaled():
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(5) * 0.5, size=200)
    y = rng.integers(0, 5, 200)
    sk = brier_score_loss(y, probs, labels=np.arange(5), scale_by_half=False)
    assert np.isclose(xr.brier_score(probs, y), sk, rtol=1e-13, atol=0)


def test_two_classes_give_twice_sklearns_binary_score():
    # The binary form scores only P(y = 1); the sum over both classes is twice it.
    rng = np.random.default_rng(2)
    p1 = rng.uniform(size=100)
    y = rng.integers(0, 2, 100)
    ours = xr.brier_score(np.stack([1 - p1, p1], axis=1), y)
    assert np.isclose(ours, 2 * brier_score_loss(y, p1), rtol=1e-13, atol=0)
    assert np.isclose(ours, brier_score_loss(y, np.stack([1 - p1, p1], 1), scale_by_half=False), rtol=1e-13, atol=0)


def test_brier_score_keeps_digits_near_a_certain_prediction():
    # p_y = 1 - 1e-10: the score is about 2e-20; 1 - 2 p_y + sum p^2 would lose it.
    p = np.array([[1 - 1e-10, 6e-11, 4e-11]])
    exact = (1 - Fraction(p[0, 0])) ** 2 + Fraction(p[0, 1]) ** 2 + Fraction(p[0, 2]) ** 2
    ours = xr.brier_score(p, np.array([0]))
    assert abs(Fraction(float(ours)) - exact) <= Fraction(4 * 2.0**-52) * exact


def test_brier_score_is_strictly_proper():
    # E_{y~q} BS(p, y) = ||p - q||^2 + 1 - ||q||^2, smallest at p = q.
    rng = np.random.default_rng(3)
    for _ in range(20):
        q = rng.dirichlet(np.ones(4))
        p = rng.dirichlet(np.ones(4))
        classes = np.arange(4)

        def expected_score(pred):
            return float(q @ xr.brier_score(np.tile(pred, (4, 1)), classes, reduction="none"))

        closed_form = np.sum((p - q) ** 2) + 1 - np.sum(q * q)
        assert np.isclose(expected_score(p), closed_form, rtol=1e-13, atol=1e-15)
        assert expected_score(q) < expected_score(p)


def test_brier_score_is_bounded_where_the_log_score_is_not():
    probs = np.array([[1.0, 0.0, 0.0]])
    assert xr.brier_score(probs, np.array([1])) == 2.0
    assert xr.softmax_cross_entropy(np.log(np.array([[1.0, 1e-300, 1e-300]])), np.array([1])) > 690


@pytest.mark.parametrize(
    ("call", "exc", "arg"),
    [
        (lambda: xr.brier_score([0.5, 0.5], np.array([0])), ValueError, "probs"),
        (lambda: xr.brier_score([[0.5, 0.6]], np.array([0])), ValueError, "probs"),
        (lambda: xr.brier_score([[0.5, np.nan]], np.array([0])), ValueError, "probs"),
        (lambda: xr.brier_score([[0.5, 0.5]], np.array([0.0])), TypeError, "target"),
        (lambda: xr.brier_score([[0.5, 0.5]], np.array([2])), ValueError, "target"),
        (lambda: xr.brier_score([[0.5, 0.5]], np.array([0, 1])), ValueError, "target"),
        (lambda: xr.brier_score([[0.5, 0.5]], np.array([0]), reduction="max"), ValueError, "reduction"),
        (lambda: xr.brier_score(np.zeros((0, 2)), np.zeros(0, dtype=int)), ValueError, "probs"),
    ],
)
def test_brier_score_bad_input(call, exc, arg):
    with pytest.raises(exc, match=rf"^{arg}: "):
        call()


# ---------------------------------------------------------------------------
# Calibration curve and ECE
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
def test_calibration_curve_matches_sklearn(strategy, n_bins):
    rng = np.random.default_rng(4)
    p = rng.beta(0.7, 0.9, size=2000)
    # Probabilities exactly on edges, at 0 and at 1.
    p[:8] = [0.0, 1.0, 0.5, 0.2, 0.8, 0.1, 0.9, 0.6]
    y = (rng.uniform(size=p.size) < p).astype(np.int64)
    ours = xr.calibration_curve(p, y, n_bins=n_bins, strategy=strategy)
    sk_true, sk_pred = sk_calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(ours.prob_true, sk_true, rtol=1e-15, atol=0)
    np.testing.assert_allclose(ours.prob_pred, sk_pred, rtol=1e-15, atol=0)
    assert np.sum(ours.counts) == p.size and np.all(ours.counts > 0)
    assert ours.bin_edges.shape == (n_bins + 1,)


def test_inner_edges_close_bins_on_the_right_unlike_numpy_histogram():
    p = np.array([0.5, 0.5, 0.55])
    y = np.array([1, 0, 1])
    curve = xr.calibration_curve(p, y, n_bins=10)
    # 0.5 is in (0.4, 0.5] here, in [0.5, 0.6) for numpy.histogram.
    np.testing.assert_array_equal(curve.counts, [2, 1])
    np.testing.assert_array_equal(curve.prob_pred, [0.5, 0.55])
    hist, _ = np.histogram(p, bins=curve.bin_edges)
    assert hist[4] == 0 and hist[5] == 3
    # The edges are numpy.linspace's floats, not the exact m / B.
    assert curve.bin_edges[3] == 0.30000000000000004 != 0.3


def test_quantile_bins_hold_equal_counts_without_ties_and_fewer_with_them():
    rng = np.random.default_rng(5)
    p = rng.uniform(size=1000)
    y = rng.integers(0, 2, 1000)
    assert np.all(xr.calibration_curve(p, y, n_bins=10, strategy="quantile").counts == 100)
    tied = np.repeat([0.2, 0.7], 500)
    assert xr.calibration_curve(tied, y, n_bins=10, strategy="quantile").counts.size == 2


def ece_by_loop(p, y, edges):
    """Sum over bins (e_{m-1}, e_m] (the first also holding e_0) of n_m / N |freq - conf|."""
    total = 0.0
    for m in range(len(edges) - 1):
        lo, hi = edges[m], edges[m + 1]
        inside = (p <= hi) & ((p > lo) | (m == 0))
        if inside.any():
            total += inside.sum() / p.size * abs(y[inside].mean() - p[inside].mean())
    return total


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_ece_against_a_direct_loop_and_sklearns_curve(strategy):
    rng = np.random.default_rng(6)
    p = rng.uniform(size=500) ** 2
    y = (rng.uniform(size=500) < np.sqrt(p)).astype(float)  # under-confident
    ece = xr.expected_calibration_error(p, y, n_bins=12, strategy=strategy)
    edges = xr.calibration_curve(p, y, n_bins=12, strategy=strategy).bin_edges
    assert np.isclose(ece, ece_by_loop(p, y, edges), rtol=1e-13, atol=0)
    sk_true, sk_pred = sk_calibration_curve(y, p, n_bins=12, strategy=strategy)
    counts = xr.calibration_curve(p, y, n_bins=12, strategy=strategy).counts
    assert np.isclose(ece, np.sum(counts * np.abs(sk_true - sk_pred)) / p.size, rtol=1e-13, atol=0)
    assert 0 < ece <= 1


def test_ece_is_zero_for_the_base_rate_predictor():
    y = np.array([0, 1, 0, 0, 1, 0, 0, 0])  # base rate 1/4, exact in binary
    assert xr.expected_calibration_error(np.full(8, 0.25), y) == 0.0


def test_ece_of_a_calibrated_predictor_is_biased_upwards_at_small_n():
    rng = np.random.default_rng(7)

    def mean_ece(n):
        values = []
        for _ in range(100):
            p = rng.uniform(size=n)
            values.append(xr.expected_calibration_error(p, rng.uniform(size=n) < p))
        return np.mean(values)

    small, large = mean_ece(50), mean_ece(5000)
    # Frequencies of ~5 outcomes per bin scatter by ~0.2; of ~500 by ~0.02.
    assert small > 0.1 and large < 0.03 and small > 4 * large


def test_ece_of_an_overconfident_predictor():
    # Says 0.9 where the event happens half the time: ECE = 0.4 (up to the
    # rounding of the mean of a hundred 0.9s).
    y = np.array([1, 0] * 50)
    assert np.isclose(xr.expected_calibration_error(np.full(100, 0.9), y), 0.4, rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    ("call", "exc", "arg"),
    [
        (lambda: xr.calibration_curve([[0.5]], [1]), ValueError, "probs"),
        (lambda: xr.calibration_curve([], []), ValueError, "probs"),
        (lambda: xr.calibration_curve([1.5], [1]), ValueError, "probs"),
        (lambda: xr.calibration_curve([np.nan], [1]), ValueError, "probs"),
        (lambda: xr.calibration_curve([0.5], [2]), ValueError, "target"),
        (lambda: xr.calibration_curve([0.5], [0.5]), ValueError, "target"),
        (lambda: xr.calibration_curve([0.5, 0.2], [1]), ValueError, "target"),
        (lambda: xr.calibration_curve([0.5], ["a"]), TypeError, "target"),
        (lambda: xr.calibration_curve([0.5], [1], n_bins=0), ValueError, "n_bins"),
        # cast(Any, ...): a wrong type on purpose, which the type checker would refuse
        (lambda: xr.calibration_curve([0.5], [1], n_bins=cast(Any, 2.0)), TypeError, "n_bins"),
        (lambda: xr.calibration_curve([0.5], [1], n_bins=True), TypeError, "n_bins"),
        (lambda: xr.calibration_curve([0.5], [1], strategy="equal"), ValueError, "strategy"),
        (lambda: xr.expected_calibration_error([0.5], [1], strategy=cast(Any, None)), ValueError, "strategy"),
    ],
)
def test_calibration_bad_input(call, exc, arg):
    with pytest.raises(exc, match=rf"^{arg}: "):
        call()
