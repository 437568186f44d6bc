"""The dtype policy beyond the losses (those are in ``test_dtype.py``).

Policy, stated in each public docstring: the value is computed in float64 and
returned in the floating dtype of the first argument, rounded once; integer
and boolean input gives float64; the first argument alone decides (a float32
``pred`` with a float64 ``target`` gives float32). Oracle: the float64 result
of the same call on the same values, rounded once to the dtype under test.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import xent_ref as xr
from tools import golden_vectors as gv

POLICY = (
    "Dtype: {what} is computed in float64 and returned in the floating dtype of the "
    "first argument, rounded once (float32 in, float32 out); integer and boolean input "
    "gives float64."
)

P = np.array([[0.5, 0.25, 0.25], [0.125, 0.75, 0.125]])
Q = np.array([[0.25, 0.25, 0.5], [0.5, 0.25, 0.25]])
X = np.array([[1.5, -0.25, 3.0], [0.125, 2.0, -1.0]])
Y = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]])
CONF = np.array([0.875, 0.25, 0.625, 0.5, 0.75, 0.125])
HIT = np.array([1, 0, 1, 1, 0, 0])

#: name -> (callable of the first argument, its float64 value, what the
#: policy sentence calls the result, whether it takes a reduction). The
#: losses take their cases from ``tests/_loss_cases.py``, in ``test_dtype.py``.
CASES = {
    "entropy": (lambda p, **kw: xr.entropy(p), P, "the result", False),
    "cross_entropy": (lambda p, **kw: xr.cross_entropy(p, Q), P, "the result", False),
    "kl_divergence": (lambda p, **kw: xr.kl_divergence(p, Q), P, "the result", False),
    "expected_calibration_error": (
        lambda p, **kw: xr.expected_calibration_error(p, HIT, n_bins=3), CONF, "the result",
        False),
    "grad.softmax_cross_entropy_grad": (
        lambda z, **kw: xr.grad.softmax_cross_entropy_grad(z, [2, 0], **kw), X, "the gradient",
        True),
    "grad.binary_cross_entropy_with_logits_grad": (
        lambda z, **kw: xr.grad.binary_cross_entropy_with_logits_grad(z, (Y > 0) * 1.0, **kw),
        X, "the gradient", True),
    "grad.mse_loss_grad": (lambda x, **kw: xr.grad.mse_loss_grad(x, Y, **kw), X, "the gradient",
                           True),
    "grad.poisson_nll_loss_grad": (
        lambda x, **kw: xr.grad.poisson_nll_loss_grad(x, Y, **kw), X, "the gradient", True),
    "logsumexp": (lambda x, **kw: xr.logsumexp(x, axis=0), X, "the result", False),
    "log_softmax": (lambda x, **kw: xr.log_softmax(x), X, "the result", False),
    "softmax": (lambda x, **kw: xr.softmax(x, axis=0), X, "the result", False),
    "sigmoid": (lambda x, **kw: xr.sigmoid(x), X, "the result", False),
    "log_sigmoid": (lambda x, **kw: xr.log_sigmoid(x), X, "the result", False),
}


def _function(name):
    obj = xr
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _reductions(name):
    return ["mean", "sum", "none"] if CASES[name][3] else [None]


def _call(name, first, reduction):
    call = CASES[name][0]
    return call(first) if reduction is None else call(first, reduction=reduction)


@pytest.mark.parametrize("name", sorted(CASES))
def test_policy_is_documented(name):
    sentence = POLICY.format(what=CASES[name][2])
    assert sentence in " ".join(_function(name).__doc__.split())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    ("name", "reduction"), [(n, r) for n in sorted(CASES) for r in _reductions(n)]
)
def test_floating_input_keeps_its_dtype_rounded_once(name, reduction, dtype):
    first = CASES[name][1].astype(dtype)
    got = _call(name, first, reduction)
    # the oracle: the same values in float64, the float64 result rounded once
    wide = _call(name, first.astype(np.float64), reduction)
    assert np.asarray(wide).dtype == np.float64
    assert np.asarray(got).dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.asarray(wide).astype(dtype))
    assert np.ndim(got) == np.ndim(wide)


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8])
@pytest.mark.parametrize(
    "name", [n for n in sorted(CASES) if CASES[n][1] is X]
)
def test_integer_input_gives_float64(name, dtype):
    got = _call(name, np.round(X).astype(dtype) if dtype != np.uint8 else np.abs(np.round(X))
                .astype(dtype), _reductions(name)[-1])
    assert np.asarray(got).dtype == np.float64


def test_boolean_input_gives_float64():
    assert xr.mse_loss(np.array([True, False]), [1.0, 1.0]).dtype == np.float64
    assert xr.entropy(np.array([True, False])).dtype == np.float64


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(np.float32, np.float64, np.float32), (np.float64, np.float32, np.float64),
     (np.float16, np.float32, np.float16), (np.int64, np.float32, np.float64)],
)
def test_mixed_dtypes_follow_the_first_argument(first, second, expected):
    x, y = np.round(X).astype(first), Y.astype(second)
    assert xr.mse_loss(x, y, reduction="none").dtype == expected
    assert xr.l1_loss(x, y).dtype == expected
    p, q = P.astype(first) if np.dtype(first).kind == "f" else P, Q.astype(second)
    if np.dtype(first).kind == "f":
        assert xr.kl_divergence(p, q).dtype == expected


def test_float32_result_beyond_its_range_is_inf():
    # a float64 loss above float32's largest value rounds to +inf, its correct rounding
    big = np.array([2.0**70], dtype=np.float32)
    got = xr.mse_loss(big, np.zeros(1), reduction="sum")
    assert got.dtype == np.float32 and got == np.inf
    assert xr.mse_loss(big.astype(np.float64), np.zeros(1), reduction="sum") == 2.0**140


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_calibration_curve_is_float64_whatever_the_input(dtype):
    # as its docstring says: float64 fractions and edges, int64 counts
    curve = xr.calibration_curve(CONF.astype(dtype), HIT, n_bins=3)
    assert [a.dtype for a in curve] == [np.float64, np.float64, np.int64, np.float64]
    curve = xr.calibration_curve(CONF.astype(dtype), HIT, n_bins=3, strategy="quantile")
    assert [a.dtype for a in curve] == [np.float64, np.float64, np.int64, np.float64]


def _f32_distributions():
    f = np.float32
    d = xr.distributions
    return [
        (d.Normal(f(0.5), f(2.0)), f(0.25)), (d.Laplace(f(0.5), f(2.0)), f(0.25)),
        (d.Bernoulli(f(0.25)), f(1.0)), (d.Bernoulli(logits=f(0.25)), f(1.0)),
        (d.Categorical(np.array([0.25, 0.75], f)), 1),
        (d.Categorical(logits=np.array([0.25, 0.75], f)), np.array([0, 1])),
        (d.Poisson(rate=f(2.0)), f(3.0)), (d.Poisson(log_rate=f(0.5)), f(3.0)),
    ]


@pytest.mark.parametrize("case", range(8))
def test_distributions_return_float64_for_float32_parameters(case):
    # the module's stated convention: results are float64 whatever the input dtype
    dist, x = _f32_distributions()[case]
    for value in (dist.log_prob(x), dist.nll(x), dist.entropy()):
        assert np.asarray(value).dtype == np.float64


@pytest.mark.parametrize("fn", [xr.logsumexp, xr.sigmoid, xr.log_sigmoid])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_scalar_results_are_numpy_scalars_of_the_dtype(fn, dtype):
    got = fn(np.array([0.5, -1.0], dtype=dtype)) if fn is xr.logsumexp else fn(dtype(0.5))
    assert type(got) is dtype


@pytest.mark.parametrize("fn", [xr.log_softmax, xr.softmax])
def test_empty_vectors_keep_the_dtype(fn):
    assert fn(np.empty((2, 0), dtype=np.float32)).dtype == np.float32


# ---------------------------------------------------------------------------
# Narrow results of the primitives are correctly rounded: no double rounding
# ---------------------------------------------------------------------------


def test_log_softmax_float32_near_a_tie_rounds_away_from_it():
    # Row [2**-15, -599], float32 numbers. log_softmax's second entry is
    # (-599 - 2**-15) - L with L = log1p(e^(-599 - 2**-15)), about 1e-260:
    # -599 - 2**-15 is halfway between the float32 numbers -599 and
    # -599 - 2**-14 (spacing 2**-14 in [512, 1024)), and the exact value is
    # L beyond it, so its correct rounding is -599 - 2**-14. A plain float64
    # sum drops L and lands on the tie, which then rounds to even, -599.
    x = np.array([2.0**-15, -599.0], dtype=np.float32)
    tie = -599.0 - 2.0**-15
    assert float(x[1]) - float(x[0]) == tie  # exact in float64
    assert np.float32(tie) == np.float32(-599.0)  # the tie rounds to even
    got = xr.log_softmax(x)
    assert got.dtype == np.float32
    assert got[1] == np.float32(-599.0 - 2.0**-14)
    # float64 is unchanged: the plain sum, the tie itself
    assert xr.log_softmax(x.astype(np.float64))[1] == tie


GOLDEN = json.loads(gv.OUTPUT.read_text(encoding="utf-8"))["functions"]


def _is_float32_tie(exact: str) -> bool:
    """Whether the decimal string is exactly halfway between two float32 numbers."""
    if exact in ("inf", "-inf"):
        return False
    q = Fraction(Decimal(exact))
    low = Fraction(float(np.float32(float(q))))
    step = Fraction(float(np.spacing(np.float32(abs(float(low))))))
    return q != low and abs(q - low) * 2 == step

def _float32_results(function, case):
    """xr's float32 values on the case's (float32) inputs, and the file's float32 field."""
    x = np.array(case["args"][0]).astype(np.float64).astype(np.float32)
    with np.errstate(all="ignore"):
        got = np.ravel(getattr(xr, function)(x))
    assert got.dtype == np.float32
    expected = [float(v) for v in np.ravel(np.array(case["float32"], dtype=object))]
    return got.astype(np.float64).tolist(), expected


@pytest.mark.parametrize("function", ["log_sigmoid", "log_softmax", "logsumexp", "sigmoid",
                                      "softmax"])
def test_float32_results_are_correctly_rounded_on_the_golden_vectors(function):
    # Oracle: the file's float32 field, the exact value correctly rounded (the
    # generator rounds exact sums, and recomputes a value near a float32 tie at
    # more digits, so that field is on the right side of every tie).
    n = 0
    for case in GOLDEN[function]["cases"]:
        if not case["float32_inputs"]:
            continue
        got, expected = _float32_results(function, case)
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert g == e, (case["id"], i)
        n += len(got)
    assert n >= 50, n


# ---------------------------------------------------------------------------
# A tail that underflows in float64 is still a sticky bit for the narrow rounding
# ---------------------------------------------------------------------------


def _tail_mp(row: list[float]) -> tuple[float, mpmath.mpf]:
    """``(m, L)``: the row's maximum and ``L = log1p(sum_{j != k} e^(x_j - m))`` at
    300 bits (an mpf's exponent is unbounded: e^-10000 is held, not 0)."""
    k = max(range(len(row)), key=lambda j: (row[j], -j))
    m = row[k]
    with mpmath.workprec(300):
        s = mpmath.fsum(mpmath.exp(mpmath.mpf(v) - mpmath.mpf(m))
                        for j, v in enumerate(row) if j != k and v != -np.inf)
        return m, mpmath.log1p(s)


def _float32_of(exact_part: Fraction, tail: mpmath.mpf) -> float:
    """The float32 correct rounding of ``exact_part + tail``: ``exact_part`` an
    exact rational, ``tail`` an mpf good to 300 bits relative, summed exactly as
    rationals. A tail below every nonzero distance from ``exact_part`` to a
    float32 rounding boundary (those are multiples of 2**-150, ``exact_part`` of
    ``1 / denominator``) decides by its sign alone, so it is replaced by a power
    of two of that sign below both: e^-1e4 need not be written out in bits."""
    far = max(exact_part.denominator.bit_length() - 1, 150) + 2
    if tail != 0 and mpmath.mag(tail) < -far:
        tail = mpmath.sign(tail) * mpmath.ldexp(1, -far)
    man, exp = tail.man_exp if tail != 0 else (0, 0)  # man_exp drops the sign
    value = exact_part + int(mpmath.sign(tail)) * Fraction(man) * Fraction(2) ** exp
    return gv.round_to(value, "float32")  # a tiny negative value gives -0.0


def _log_softmax_float32(row: list[float]) -> list[float]:
    m, L = _tail_mp(row)
    return [-np.inf if v == -np.inf else _float32_of(Fraction(v) - Fraction(m), -L)
            for v in row]


def _same(got: float, expected: float) -> bool:
    """Equal, and of the same sign where both are zero."""
    return got == expected and np.signbit(got) == np.signbit(expected)


#: The four float32 log_softmax values of the golden vectors that are a float32
#: tie minus a tail below 10^-800 (exact values to 16 digits), with their
#: correct rounding; a plain float64 evaluation lands on the tie and rounds to
#: the even neighbour above.
UNDERFLOWED_TAIL_TIES = {
    -6122.395751953125: -6122.39599609375,
    -4319.788330078125: -4319.78857421875,
    -34261.712890625: -34261.71484375,
    -32404.2119140625: -32404.212890625,
}


def test_float32_log_softmax_of_the_golden_vectors_with_an_underflowed_tail():
    # Oracle: each value's exact rational part (x_i - m) plus its log1p tail in
    # mpmath, at a precision that holds both, correctly rounded to float32; signed
    # zeros included (the maximum's entry, -log1p(s) < 0, rounds to -0.0). The
    # file's float32 field is not used.
    found = {}
    n = 0
    for case in GOLDEN["log_softmax"]["cases"]:
        if not case["float32_inputs"]:
            continue
        x = np.array(case["args"][0]).astype(np.float64)
        got = xr.log_softmax(x.astype(np.float32))
        for row, got_row in zip(x.reshape(-1, x.shape[-1]).tolist(),
                                got.reshape(-1, x.shape[-1]).tolist()):
            if np.inf in row:
                continue
            expected = _log_softmax_float32(row)
            m = max(row)
            for v, g, e in zip(row, got_row, expected):
                assert _same(g, e), (case["id"], v, g, e)
                n += 1
                if v - m in UNDERFLOWED_TAIL_TIES:
                    found[v - m] = e
    assert n >= 1000, n
    assert found == UNDERFLOWED_TAIL_TIES


def _tie_rows() -> list[tuple[list[float], float]]:
    """Float32 rows ``[h, b, ...]`` whose ``b - h`` is exactly halfway between two
    float32 numbers, with every other entry 2000 or more below the maximum ``h``
    (e^-2000 underflows in float64), and the float32 number just below the tie.
    In the first row the tie's even neighbour is above it (the wrong one), in
    the second below it."""
    rows = []
    for b in (-2000.0, -2000.0 - 2.0**-13):  # float32 spacing 2**-13 in [1024, 2048)
        h = 2.0**-14  # half that spacing: b - h is a tie, exact in float64
        below = float(np.nextafter(np.float32(b), np.float32(-np.inf)))
        rows.append(([h, b, -2500.0, -3.0e4], below))
    return rows


@pytest.mark.parametrize("case", range(2))
def test_float32_log_softmax_on_a_tie_with_an_underflowed_tail(case):
    # exact: log_softmax_1 = (b - h) - log1p(e^(b - h) + ...), the tie minus a
    # tail of about e^-2000 > 0, so its correct rounding is the float32
    # neighbour below the tie (closed form), and mpmath agrees
    row, below = _tie_rows()[case]
    x = np.array(row, dtype=np.float32)
    assert [float(v) for v in x] == row  # float32 numbers
    tie = row[1] - row[0]
    assert _is_float32_tie(str(Decimal(tie))) and np.exp(tie) == 0.0  # Decimal: exact
    got = xr.log_softmax(x)
    assert got.dtype == np.float32
    assert float(got[1]) == below
    expected = _log_softmax_float32(row)
    assert all(_same(g, e) for g, e in zip(got.tolist(), expected)), (got.tolist(), expected)
    assert np.signbit(got[0])  # -log1p(s), negative, below float32's range: -0.0
    # float16 too: the same row's value 2000 + 2**-14 is far below float16's
    # spacing at 2000 (1.0), so it rounds to -2000, as the exact value does
    assert xr.log_softmax(x.astype(np.float16))[1] == np.float16(-2000.0)


@pytest.mark.parametrize("case", range(2))
def test_float32_softmax_cross_entropy_on_a_tie_with_an_underflowed_tail(case):
    # the loss of target 1 is (h - b) + log1p(s), the tie plus a tail: its
    # correct rounding is the float32 neighbour above the tie
    row, below = _tie_rows()[case]
    z = np.array([row, row[::-1]], dtype=np.float32)
    got = xr.softmax_cross_entropy(z, np.array([1, 2]), reduction="none")
    assert got.dtype == np.float32
    assert float(got[0]) == -below
    for zr, t, g in zip(z.astype(np.float64).tolist(), [1, 2], got.tolist()):
        m, L = _tail_mp(zr)
        assert g == _float32_of(Fraction(m) - Fraction(zr[t]), L)


def test_float32_logsumexp_with_an_underflowed_tail():
    # logsumexp = m + log1p(s) with s > 0 underflowed: strictly above m, a
    # float32 number, so the correct rounding is m itself (and +0.0 for m = 0)
    for row, _ in _tie_rows():
        x = np.array([row, [0.0, -2000.0, -np.inf, -np.inf]], dtype=np.float32)
        got = xr.logsumexp(x)
        assert got.dtype == np.float32
        for xr_row, g in zip(x.astype(np.float64).tolist(), got.tolist()):
            m, L = _tail_mp(xr_row)
            assert _same(g, _float32_of(Fraction(m), L))
        assert _same(float(got[1]), 0.0)


def test_float32_log_sigmoid_with_an_underflowed_exponential():
    # log_sigmoid(x) = min(x, 0) - log1p(e^-|x|); for |x| > 745 e^-|x| underflows
    # in float64. Exact (mpmath): -e^-1000 < 0 rounds to -0.0 in float32, as
    # -e^-200 does; x - e^-1000 rounds to x; log_sigmoid(+inf) = 0 exactly, +0.0
    x = np.array([200.0, 1000.0, 3.0e38, -1000.0, -3.0e38, np.inf], dtype=np.float32)
    got = xr.log_sigmoid(x)
    assert got.dtype == np.float32
    for v, g in zip(x.astype(np.float64).tolist(), got.tolist()):
        if v == np.inf:
            expected = 0.0
        else:
            with mpmath.workprec(300):
                L = mpmath.log1p(mpmath.exp(-abs(mpmath.mpf(v))))
            expected = _float32_of(Fraction(min(v, 0.0)), -L)
        assert _same(g, expected), (v, g, expected)
    assert list(np.signbit(got)) == [True, True, True, True, True, False]
