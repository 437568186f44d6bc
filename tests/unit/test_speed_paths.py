"""The fast paths of softmax cross-entropy and BCE with logits, against mpmath.

Softmax cross-entropy sums a row's tail ``s`` exactly only where the plain
sum's error can reach the loss ``(m - x_t) + log1p(s)``: the damping
``s / ((1 + s) loss)`` at least 1/8. The exact sum takes one scalar ``sigma``
for a block whose row sums lie within its window, a per-row ``sigma``
otherwise. BCE with logits takes the series ``t - t**2 / 2`` for
``log1p(t)``, ``t = exp(-|z|)``, on blocks where ``t <= 2**-27``. Every path,
and the seeded inputs of every benchmark regime at a small size, stay within
4 ulp of mpmath (50 digits, on the same float64 inputs).
"""

from __future__ import annotations

import importlib.util
import math
import os
from pathlib import Path

import mpmath
import numpy as np
import pytest

import xent_ref as xr
from tests._oracles import DPS, _mp, _mp_shifted, ulp_error

MAX_ULP = 4.0

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    """``benchmarks/bench.py``, for its regimes; its process-wide settings undone after."""
    import torch

    saved_env = {name: os.environ.get(name) for name in
                 ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    saved_threads = torch.get_num_threads()
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    torch.set_num_threads(saved_threads)
    for name, value in saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def mp_ce(row, t: int):
    """``-log softmax(row)[t] = (m - x_t) + L`` in mpmath, each part to 50 digits."""
    with mpmath.workdps(DPS):
        m, _, L = _mp_shifted([float(v) for v in row])
        return (m - _mp(row[t])) + L


def mp_softplus(x: float):
    with mpmath.workdps(DPS):
        return mpmath.log1p(mpmath.exp(_mp(x)))


def mp_bce(z: float, y: float):
    """``y softplus(-z) + (1 - y) softplus(z)`` with exact ``1 - y``."""
    with mpmath.workdps(DPS):
        return _mp(y) * mp_softplus(-z) + (1 - _mp(y)) * mp_softplus(z)


def _assert_ce_rows_within_ulp(z, y):
    loss = xr.softmax_cross_entropy(z, y, reduction="none")
    for row, t, got in zip(z, y, loss):
        err = ulp_error(got, mp_ce(row, int(t)))
        assert err <= MAX_ULP, f"target {t}: {err:.2f} ulp"


def _damping(row, t: int) -> float:
    """``s / ((1 + s) loss)`` of a row, in mpmath: the factor the refinement rule tests."""
    with mpmath.workdps(DPS):
        m, _, L = _mp_shifted([float(v) for v in row])
        s = mpmath.expm1(L)
        return float(s / ((1 + s) * ((m - _mp(row[t])) + L)))


# ---------------------------------------------------------------------------
# Softmax cross-entropy: refined and plain rows
# ---------------------------------------------------------------------------

#: A row of 1000 logits: the maximum 0, a long tail of one value (its plain
#: pairwise sum is several ulp off) and the target at margin ``a``. With s
#: about 0.5 the damping crosses 1/8 near ``a = 2.26``.
TAIL_GAP = math.log(998) + math.log(2.0)  # (C - 2) e^-gap = 0.5


def _equal_tail_row(margin: float, c: int = 1000) -> np.ndarray:
    x = np.full(c, -TAIL_GAP)
    x[0] = 0.0
    x[1] = -margin
    return x


@pytest.mark.parametrize("margins", [
    [2.0, 2.2, 2.25, 2.27, 2.3, 2.5],
    [0.0, 0.5, 1.0, 2.2, 2.3, 6.0, 15.0],
], ids=["straddling 1/8", "argmax target to wide margins"])
def test_margins_straddling_the_refinement_threshold_stay_within_4_ulp(margins):
    z = np.stack([_equal_tail_row(a) for a in margins])
    y = np.array([0 if a == 0.0 else 1 for a in margins])
    d = [_damping(row, t) for row, t in zip(z, y)]
    # the inputs do straddle the threshold: some rows are refined, some not
    assert min(d) < 1 / 8 <= max(d), d
    _assert_ce_rows_within_ulp(z, y)


@pytest.mark.parametrize("gap", [20.0, 40.0, 300.0, 529.544959149779])
@pytest.mark.parametrize("others", [0, 1, 9], ids=lambda k: f"{k} plain rows")
def test_argmax_target_with_tiny_tail_within_4_ulp_alone_or_in_a_batch(gap, others):
    # The loss is about s, down to 1e-227: every digit is the tail sum's. The
    # batch has the argmax-target row among others that need no refinement
    # (wide margins), so the block is refined whole (0, 1 others) or the row
    # is gathered alone (9 others).
    rng = np.random.default_rng(11)
    c = 1000
    top = np.full(c, -gap)
    top[0] = 0.0
    z = np.vstack([top, 4.0 * rng.standard_normal((others, c))])
    y = np.concatenate([[0], np.argmin(z[1:], axis=1)]).astype(int)
    _assert_ce_rows_within_ulp(z, y)


def test_rows_shifted_by_c_0_with_a_negative_maximum():
    # -1 < m < 0 takes the unshifted path, exp(x_j) itself
    rng = np.random.default_rng(12)
    z = -0.99 + 0.98 * rng.random((4, 300))
    z[:, 1:] -= 10.0 + 20.0 * rng.random((4, 299))
    z[0, 1:] = -45.0  # a tiny equal tail, target the argmax
    y = np.array([0, 0, 5, 17])
    assert np.all((z.max(axis=1) > -1) & (z.max(axis=1) < 0))
    _assert_ce_rows_within_ulp(z, y)


# ---------------------------------------------------------------------------
# The exact sum: scalar sigma and per-row sigma
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("spread", [1.0, 1e3, 1e12, 1e200], ids=lambda v: f"spread {v:g}")
def test_exact_sum_is_rounded_once_whatever_the_spread_of_the_row_sums(spread):
    # Row sums within the window share one sigma (spread 1, 1e3); wider
    # spreads fall back to a sigma per row. Either way each row is within 1
    # ulp of its correctly rounded sum (math.fsum).
    from xent_ref._primitives import _exact_sum

    rng = np.random.default_rng(13)
    rows = [np.full(999, math.exp(-529.544959149779)) * 1e226, np.full(999, 0.1)]
    rows += [rng.uniform(0, 1, 999) ** 8 for _ in range(4)]
    e = np.stack(rows)
    e[0] *= spread
    got = _exact_sum(e, np.empty_like(e))[:, 0]
    for row, value in zip(e, got):
        exact = math.fsum(row)
        assert abs(value - exact) <= math.ulp(exact), row[:2]


def test_exact_sum_keeps_its_input_and_takes_a_given_plain_sum():
    from xent_ref._primitives import _exact_sum

    rng = np.random.default_rng(14)
    e = rng.uniform(0, 1, (5, 777)) ** 4
    before = e.copy()
    plain = np.sum(e, axis=-1, keepdims=True)
    got = _exact_sum(e, np.empty_like(e), plain)[:, 0]
    np.testing.assert_array_equal(e, before)
    for row, value in zip(e, got):
        exact = math.fsum(row)
        assert abs(value - exact) <= math.ulp(exact)


# ---------------------------------------------------------------------------
# BCE with logits: the series path and the log1p path
# ---------------------------------------------------------------------------

SATURATED = [18.72, 18.8, 20.0, 25.0, 36.7, 37.5, 60.0, 300.0, 700.0, 744.0, 1e4]
ORDINARY = [0.0, 1e-300, 0.5, 3.0, 15.0, 18.7]


@pytest.mark.parametrize("magnitudes", [SATURATED, SATURATED + ORDINARY],
                         ids=["series block", "log1p block"])
def test_log1p_exp_minus_abs_within_4_ulp(magnitudes):
    from xent_ref._classification import _log1p_exp_minus_abs

    z = np.array([s * v for v in magnitudes for s in (1.0, -1.0)])
    got, finite = _log1p_exp_minus_abs(z)
    assert finite
    for x, value in zip(z, got):
        assert ulp_error(value, mp_softplus(-abs(float(x)))) <= MAX_ULP, x


def test_log1p_exp_minus_abs_reports_an_infinite_logit():
    from xent_ref._classification import _log1p_exp_minus_abs

    for z in ([20.0, -np.inf], [np.inf, 3.0]):
        got, finite = _log1p_exp_minus_abs(np.array(z))
        assert not finite
        assert got[np.isinf(z)][0] == 0.0


def test_bce_with_logits_infinite_logits_give_their_limits_in_a_saturated_block():
    z = np.array([np.inf, np.inf, -np.inf, -np.inf, 30.0, -30.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    loss = xr.binary_cross_entropy_with_logits(z, y, reduction="none")
    assert loss[:4].tolist() == [0.0, np.inf, 0.0, np.inf]
    for zi, yi, value in zip(z[4:], y[4:], loss[4:]):
        assert ulp_error(value, mp_bce(float(zi), float(yi))) <= MAX_ULP


@pytest.mark.parametrize("magnitudes", [SATURATED, SATURATED + ORDINARY],
                         ids=["series block", "log1p block"])
def test_bce_with_logits_both_paths_within_4_ulp(magnitudes):
    z = np.array([s * v for v in magnitudes for s in (1.0, -1.0) for _ in range(3)])
    y = np.resize([0.0, 1.0, 0.3], z.size)
    loss = xr.binary_cross_entropy_with_logits(z, y, reduction="none")
    for zi, yi, value in zip(z, y, loss):
        assert ulp_error(value, mp_bce(float(zi), float(yi))) <= MAX_ULP, (zi, yi)


# ---------------------------------------------------------------------------
# Every benchmark regime, seeded, at a small size
# ---------------------------------------------------------------------------

SOFTMAX_REGIMES = ["random N(0, 1)", "wide, σ = 2", "wide, σ = 4", "confident classifier",
                   "language model"]
BCE_REGIMES = ["balanced", "saturated", "confident and right"]


@pytest.mark.parametrize("regime", SOFTMAX_REGIMES)
def test_softmax_regimes_within_4_ulp(bench, regime):
    assert bench.REGIMES[regime]["function"] == "softmax_cross_entropy"
    c = 2000 if regime == "language model" else 300
    z, y = bench.REGIMES[regime]["draw"](np.random.default_rng(0), 12, c)
    _assert_ce_rows_within_ulp(z, y)


@pytest.mark.parametrize("regime", BCE_REGIMES)
def test_bce_regimes_within_4_ulp(bench, regime):
    assert bench.REGIMES[regime]["function"] == "binary_cross_entropy_with_logits"
    z, y = bench.REGIMES[regime]["draw"](np.random.default_rng(0), 400)
    loss = xr.binary_cross_entropy_with_logits(z, y, reduction="none")
    for zi, yi, value in zip(z, y, loss):
        assert ulp_error(value, mp_bce(float(zi), float(yi))) <= MAX_ULP, (zi, yi)


def test_all_regimes_are_covered(bench):
    assert set(bench.REGIMES) == set(SOFTMAX_REGIMES) | set(BCE_REGIMES)
