"""The dtype policy of the losses, and how often a float32 result is correctly rounded.

Policy (stated in every loss's Notes by :data:`POLICY`): a loss is computed
in float64 and returned in the floating dtype of its first argument, rounded
once; integer and boolean input gives float64. Oracles: the float64 result
of the same call (the float32 result must be its rounding) and mpmath (the
exact loss, correctly rounded to float32, for the figure in
``softmax_cross_entropy``'s docstring).
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest

import xent_ref as xr
from tests._loss_cases import LOSS_CASES

POLICY = (
    "Dtype: the loss is computed in float64 and returned in the floating dtype of the "
    "first argument, rounded once (float32 in, float32 out); integer and boolean input "
    "gives float64."
)

#: each public loss, called on its first argument (of the dtype under test)
CASES = LOSS_CASES


def _first_argument(name, dtype):
    x = np.asarray(CASES[name].make(6)[0])
    if np.dtype(dtype).kind in "iub":
        x = (x > 0.3) if dtype == bool else np.round(x).astype(dtype)
    return x.astype(dtype)


def _call(name, first, **kwargs):
    return CASES[name].on_first(first, n=6, **kwargs)


def _normalised(text):
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(CASES))
def test_policy_is_documented(name):
    assert POLICY in _normalised(getattr(xr, name).__doc__)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
@pytest.mark.parametrize("name", sorted(CASES))
def test_floating_input_keeps_its_dtype_rounded_once(name, dtype, reduction):
    got = _call(name, _first_argument(name, dtype), reduction=reduction)
    # the oracle: the same loss of the same values in float64, rounded to dtype
    # (softmax_cross_entropy's "none" rounds to odd first, which changes only
    # float32 rounding ties, and these inputs give none)
    wide = _call(name, _first_argument(name, dtype).astype(np.float64), reduction=reduction)
    assert np.asarray(wide).dtype == np.float64
    assert np.asarray(got).dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.asarray(wide).astype(dtype))
    assert np.ndim(got) == np.ndim(wide)


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8, bool])
@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n].integer_first))
def test_integer_and_boolean_input_gives_float64(name, dtype):
    got = _call(name, _first_argument(name, dtype), reduction="none")
    assert got.dtype == np.float64


def test_float32_overflow_rounds_to_inf_without_a_warning():
    """A loss beyond float32's range is +inf in float32, its correct rounding."""
    z = np.array([[3e38, -3e38], [0.0, 0.0]], dtype=np.float32)
    # closed form: the first row's loss is z_0 - z_1 + log1p(e^(z_1 - z_0)) = 6e38 (to 1e-38
    # relative), beyond float32's largest 3.4e38; the second row's is log 2
    got = xr.softmax_cross_entropy(z, [1, 0], reduction="none")
    assert got.dtype == np.float32
    assert got[0] == np.inf
    assert got[1] == np.float32(np.log(2.0))


# ---------------------------------------------------------------------------
# How often the float32 result differs from the correctly rounded exact loss
# ---------------------------------------------------------------------------


def _float32_correctly_rounded(x):
    """The mpf ``x >= 0`` correctly rounded to float32 (ties to even, subnormals included)."""
    if x >= mpmath.ldexp(1, -126):
        with mpmath.workprec(24):
            return float(+x)
    return float(mpmath.ldexp(mpmath.nint(mpmath.ldexp(x, 149)), -149))


def _exact_nll(row, k):
    """-log softmax(row)_k in mpmath: (max - row_k) + log1p(sum of the rest), no cancellation.

    ``max - row_k`` is exact and the sum is formed exactly (``exact=True``): a
    tail far below the working precision still decides a float32 rounding tie.
    """
    m = max(row)
    top = row.index(m)
    tail = mpmath.fsum(mpmath.exp(mpmath.mpf(v) - m) for j, v in enumerate(row) if j != top)
    head = mpmath.fsub(m, row[k], exact=True)
    return mpmath.fadd(head, mpmath.log1p(tail), exact=True)


def float32_mismatches(n=4000, c=8):
    """The seeded sample of the docstring, scored against the correctly rounded exact loss.

    Returns the sample size, the number of float32 results that are not
    correctly rounded, and the number of float64 results of the same logits
    whose direct rounding to float32 is not (the double rounding the float32
    path avoids), and how many of those float64 results are float32 ties.
    """
    rng = np.random.default_rng(0)
    scale = rng.choice([0.1, 1.0, 10.0, 100.0], size=(n, 1))
    z = (rng.normal(size=(n, c)) * scale).astype(np.float32)
    y = rng.integers(0, c, size=n)
    got = xr.softmax_cross_entropy(z, y, reduction="none")
    wide = xr.softmax_cross_entropy(z.astype(np.float64), y, reduction="none")
    assert got.dtype == np.float32 and wide.dtype == np.float64
    bad = twice = ties = 0
    with mpmath.workdps(30):
        for i, (row, k) in enumerate(zip(z.tolist(), y.tolist())):
            right = _float32_correctly_rounded(_exact_nll(row, k))
            bad += right != float(got[i])
            if right != float(np.float32(wide[i])):
                twice += 1
                # a tie: the float64 loss is exactly halfway between two float32 numbers
                neighbours = np.nextafter(np.float32(wide[i]), np.float32([-np.inf, np.inf]))
                ties += bool(np.any(np.float64(wide[i]) * 2 == np.float64(neighbours)
                                    + np.float64(np.float32(wide[i]))))
    return n, bad, twice, ties


def test_float32_figure_in_the_docstring():
    n, bad, twice, ties = float32_mismatches()
    assert ties == twice  # "each a float32 rounding tie"
    doc = _normalised(xr.softmax_cross_entropy.__doc__)
    stated = re.search(
        r"on a seeded sample of (\d+) float32 rows .*?, (\d+) per-sample float32 losses "
        r"\(([\d.]+)%\) differ .*? rounding the float64 loss to float32 would give (\d+) ",
        doc,
    )
    assert stated, "softmax_cross_entropy's Notes state the float32 figure"
    assert (int(stated.group(1)), int(stated.group(2)), int(stated.group(4))) == (n, bad, twice)
    assert stated.group(3) == f"{100 * bad / n:.2f}"
