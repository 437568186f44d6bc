"""Build xent's golden vectors: adversarial inputs and their exact losses.

The file ``docs/reference/xent-golden-vectors-v1.json`` holds, for every loss
and primitive of ``xent_ref``, a list of cases: the inputs (float64 values),
the options, and the exact value of the function at those inputs, computed by
mpmath at 50 significant digits (or exactly, with fractions, for the
piecewise-polynomial losses; the sums of the log-softmax and the log-sum-exp
exactly, and a value near a float32 or float64 tie at more digits, so that
it rounds to the right side of the tie). Each exact value is given three ways: the
decimal string, and its IEEE round-to-nearest-even rounding to float64 and to
float32. Nothing here calls ``xent_ref``; the values come from the
definitions alone.

The inputs are the adversarial families of the accuracy tests and the
benchmark, from ``tests/_adversarial.py`` (the one definition the tests, the
benchmark and this file share), and a few added here, each case naming where
its family comes from. The names are those of version 1 of the file, which
this build must reproduce byte for byte: ``tests/test_primitives.py``,
``tests/test_losses_properties.py`` and ``tests/test_information.py`` are the
accuracy tests, now under ``tests/unit/``, where the families were first
written.

Usage::

    python tools/golden_vectors.py           # rewrite the JSON file
    python tools/golden_vectors.py --check   # exit 1 if the file is stale

The whole build takes a few seconds; ``tests/unit/test_golden_vectors.py``
rebuilds it and compares it with the committed file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "reference" / "xent-golden-vectors-v1.json"

# Run as a script, the checkout's root is not on the path.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import _adversarial as adv  # noqa: E402
from tests._oracles import mp_cross_entropy, mp_entropy, mp_kl_divergence  # noqa: E402

#: Version of the file format; a change that breaks a reader bumps it (and the file name).
FORMAT_VERSION = 1
#: Working precision of mpmath, in significant decimal digits.
MP_DPS = 50

INF = math.inf
_MP = mpmath.mpf

# ---------------------------------------------------------------------------
# Exact numbers and their roundings
# ---------------------------------------------------------------------------

#: (precision in bits, exponent of the smallest normal, largest exponent) of IEEE formats.
FORMATS = {"float64": (53, -1022, 1023), "float32": (24, -126, 127)}


def _fraction(x) -> Fraction:
    """The exact rational value of a finite mpf, float or Fraction."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(x)
    sign, man, exp, _ = x._mpf_
    value = Fraction(man) * (Fraction(2) ** exp)
    return -value if sign else value


def round_to(x, fmt: str) -> float:
    """Round an exact value to the IEEE format ``fmt``, to nearest with ties to even.

    The rounding is done on the exact rational value, with the format's
    subnormals and its overflow to infinity (a value at or beyond the
    midpoint past the largest finite number rounds to infinity). The result
    is returned as a Python float, which holds every float32 value exactly.
    """
    if isinstance(x, mpmath.mpf) and mpmath.isinf(x):
        return INF if x > 0 else -INF
    prec, emin, emax = FORMATS[fmt]
    if isinstance(x, mpmath.mpf) and x != 0:
        # Far outside the format (e^-1e308 is an mpf), decide before building a Fraction.
        sign, _, exp, bc = x._mpf_
        top = exp + bc - 1  # 2**top <= |x| < 2**(top + 1)
        if top < emin - prec - 1:  # below half the smallest subnormal
            return -0.0 if sign else 0.0
        if top > emax + 1:
            return -INF if sign else INF
    q = _fraction(x)
    if q == 0:
        return 0.0
    a = abs(q)
    e = a.numerator.bit_length() - a.denominator.bit_length()  # 2**(e - 1) < a < 2**(e + 1)
    if a < Fraction(2) ** e:
        e -= 1  # now 2**e <= a < 2**(e + 1)
    step = Fraction(2) ** (max(e, emin) - (prec - 1))  # spacing of the format at a
    n = round(a / step)  # Fraction.__round__ rounds half to even
    largest = (2 - Fraction(2) ** (1 - prec)) * Fraction(2) ** emax
    rounded = n * step
    value = INF if rounded > largest else float(rounded)
    return -value if q < 0 else value


def _nearest_tie(q: Fraction) -> Fraction | None:
    """The float32 or float64 tie nearest a nonzero rational, with its sign.

    A tie is the midpoint between two neighbouring numbers of a format (within its
    range). None if ``q`` is outside both formats' ranges.
    """
    a = abs(q)
    top = a.numerator.bit_length() - a.denominator.bit_length()
    if a < Fraction(2) ** top:
        top -= 1  # now 2**top <= a < 2**(top + 1)
    ties = []
    for prec, emin, emax in FORMATS.values():
        if emin - prec - 1 <= top <= emax:
            step = Fraction(2) ** (max(top, emin) - (prec - 1))
            ties.append((a // step) * step + step / 2)  # above the format's number at or below a
    if not ties:
        return None
    tie = min(ties, key=lambda t: abs(a - t))
    return tie if q > 0 else -tie


def near_tie(x) -> bool:
    """True if an mpf lies within ``10**(10 - dps)`` relative of a float32 or float64 tie.

    A value computed at ``dps`` digits that close to a tie may sit on the wrong
    side of it (or on it, and round to the even neighbour), so ``Builder.add``
    recomputes it at more digits. Fractions are exact: never near a tie here; nor
    is an mpf of more bits than the working precision, the exact sum of a
    float and an mpf (``_exact_sum``), on the side of the tie its terms put it.
    """
    if not isinstance(x, mpmath.mpf) or not mpmath.isfinite(x) or x == 0:
        return False
    if x._mpf_[3] > mpmath.mp.prec:
        return False
    if not _representable(x):
        return False
    q = _fraction(x)
    tie = _nearest_tie(q)
    return tie is not None and abs(q - tie) <= abs(q) / 10 ** (mpmath.mp.dps - 10)


def decimal(x) -> str:
    """The exact value as a decimal string of ``MP_DPS`` significant digits (fewer if exact).

    Where the value lies within 10^-48 (relative) of a tie between two float32
    or float64 numbers but not on it, 50 digits can land on the tie (which
    rounds to the even neighbour) or beyond it. Then the string is the tie,
    written exactly, with a last digit 1 added on the value's side: it differs
    from the value by no more than the value from the tie, plus one in its last
    digit, and rounds as the value does.
    Where the exact value is itself a tie, it is written in full.
    """
    if isinstance(x, mpmath.mpf) and mpmath.isinf(x):
        return "inf" if x > 0 else "-inf"
    q = _fraction(x)
    targets = (round_to(x, "float64"), round_to(x, "float32"))
    tie = _nearest_tie(q) if q else None
    near = tie is not None and q != tie and abs(q - tie) <= abs(q) / 10 ** (MP_DPS - 2)

    def string(value: Fraction, digits: int) -> str:
        with mpmath.workdps(digits + 10):
            return mpmath.nstr(_MP(value.numerator) / value.denominator, digits, min_fixed=-4,
                               max_fixed=MP_DPS)

    def rounds_as_x(s: str) -> bool:
        exact = Fraction(Decimal(s))
        if (round_to(exact, "float64"), round_to(exact, "float32")) != targets:
            return False
        return not near or (exact - tie) * (q - tie) > 0  # on the value's side of the tie

    s = string(q, MP_DPS)
    if rounds_as_x(s):
        return s
    if near:
        with localcontext() as context:
            context.prec = tie.denominator.bit_length() + len(str(tie.numerator)) + 10
            written = (Decimal(tie.numerator) / Decimal(tie.denominator)).normalize()
        digits = max(len(written.as_tuple().digits), MP_DPS) + 1
        unit = Fraction(10) ** (written.adjusted() - digits + 1)
        s = string(tie + (unit if q > tie else -unit), digits)
        if rounds_as_x(s):
            return s
    for digits in (2 * MP_DPS, 8 * MP_DPS):
        s = string(q, digits)
        if rounds_as_x(s):
            return s
    raise AssertionError(f"no decimal string of {x} rounds as it does")


def fstr(v: float) -> str:
    """A float64 as the shortest decimal string that reads back to it (``repr``)."""
    return repr(float(v))


def _float32_exact(v: float) -> bool:
    if not math.isfinite(v):
        return True
    return abs(v) <= float(np.finfo(np.float32).max) and float(np.float32(v)) == v


# ---------------------------------------------------------------------------
# Exact definitions (mpmath at MP_DPS digits; Fractions where rational)
# ---------------------------------------------------------------------------


def _softplus(t: float):
    """``log(1 + e^t)`` of a float; its limits at ``±inf``."""
    if t == INF:
        return mpmath.inf
    if t == -INF:
        return _MP(0)
    return mpmath.log1p(mpmath.exp(_MP(t)))


def _row_parts(row: Sequence[float]):
    """``(m, k, L)``: the max, its first index and ``log1p(sum_{j != k} e^(x_j - m))``.

    ``logsumexp = m + L`` exactly; the split keeps 50 digits relative to each
    part where ``log(sum(exp(x)))`` would lose them (a dominant logit makes L
    as small as ``e^-745``).
    """
    k = max(range(len(row)), key=lambda j: (row[j], -j))
    m = _MP(row[k])
    s = mpmath.fsum(mpmath.exp(_MP(v) - m) for j, v in enumerate(row) if j != k and v != -INF)
    return m, k, mpmath.log1p(s)


#: Bits between the leading bits of two terms beyond which ``_exact_sum`` keeps
#: only the sign of the smaller one (its sticky bit): more than the 2098 bits two
#: float64 numbers can span, and than the e^-20000 a row of the file's logits in
#: [-1e4, 1e4] can give (28854 bits).
_STICKY_SPAN = 1 << 16


def _exact_sum(a, b):
    """``a + b`` exactly, for floats and finite mpfs: an mpf of as many bits as it needs.

    At 50 digits, a difference of two float32 logits that is a float32 tie
    (25 bits), minus an ``L`` of ``6e-143``, rounds to the tie, and the tie
    then rounds to the even neighbour, which may be the wrong one. The exact
    sum keeps ``L``. Where ``b`` is more than ``_STICKY_SPAN`` bits below ``a``
    (``L = e^-(4e307)``), ``b`` is replaced by ``±2**(top(a) - _STICKY_SPAN)``: both
    lie strictly between the same two neighbours of ``a`` at any precision the
    file uses, so every rounding of the sum is the same.
    """
    # mpf(an mpf) would round it to the working precision; a float is exact in an mpf.
    a, b = (_MP(t) if isinstance(t, float) else t for t in (a, b))
    if not b:
        return a
    if not a:
        return b
    top_a, top_b = (x._mpf_[2] + x._mpf_[3] for x in (a, b))
    if top_a < top_b:
        a, b, top_a, top_b = b, a, top_b, top_a
    if top_a - top_b > _STICKY_SPAN:
        b = mpmath.ldexp(_MP(1 if b > 0 else -1), top_a - _STICKY_SPAN)
    return mpmath.fadd(a, b, exact=True)


def exact_logsumexp(row):
    if any(v == INF for v in row):
        return mpmath.inf
    if all(v == -INF for v in row):
        return mpmath.ninf
    m, _, L = _row_parts(row)
    value = _exact_sum(m, L)
    if value and abs(m) > 10 * abs(value):
        # m < 0 and L cancel: L needs as many more digits as the cancellation takes.
        extra = int(mpmath.log10(abs(m) / abs(value))) + 10
        with mpmath.workdps(mpmath.mp.dps + extra):
            m, _, L = _row_parts(row)
        value = _exact_sum(m, L)
    return value


def exact_log_softmax(row) -> list:
    if any(v == INF for v in row):  # the limit, for exactly one +inf
        return [_MP(0) if v == INF else mpmath.ninf for v in row]
    m, _, L = _row_parts(row)
    # v - m is exact (two floats); see _exact_sum for why - L must be too.
    return [mpmath.ninf if v == -INF else _exact_sum(mpmath.fsub(v, m, exact=True), -L)
            for v in row]


def exact_softmax(row) -> list:
    return [_MP(0) if mpmath.isinf(v) else mpmath.exp(v) for v in exact_log_softmax(row)]


def exact_sigmoid(x: float):
    if math.isinf(x):
        return _MP(1 if x > 0 else 0)
    return 1 / (1 + mpmath.exp(-_MP(x)))


def exact_log_sigmoid(x: float):
    return -_softplus(-x)


def _nll_row(row) -> list:
    """``-log softmax(row)_c`` for every class c (``+inf`` where the limit is)."""
    return [-v for v in exact_log_softmax(row)]


def _times(c, v):
    """``c * v`` with ``0 * inf = 0``: a term with coefficient 0 is absent."""
    return _MP(0) if c == 0 else c * v


def exact_softmax_cross_entropy(
    logits, target, *, weight=None, ignore_index=None, label_smoothing=0.0, reduction="mean"
):
    """PyTorch's ``F.cross_entropy`` semantics, exactly (see ``FUNCTIONS``)."""
    n, c = len(logits), len(logits[0])
    w = [_MP(1)] * c if weight is None else [_MP(v) for v in weight]
    eps = _MP(label_smoothing)
    losses, denominator = [], _MP(0)
    for i in range(n):
        nll = _nll_row(logits[i])
        if isinstance(target[i], int):
            y = target[i]
            if y == ignore_index:
                losses.append(_MP(0))
                continue
            smooth = mpmath.fsum(_times(eps * w[j] / c, nll[j]) for j in range(c))
            losses.append(_times((1 - eps) * w[y], nll[y]) + smooth)
            denominator += w[y]
        else:
            t = [(1 - eps) * _MP(q) + eps / c for q in target[i]]
            losses.append(mpmath.fsum(_times(w[j] * t[j], nll[j]) for j in range(c)))
            denominator += 1
    return _reduce(losses, reduction, denominator)


def _reduce(losses: list, reduction: str, denominator=None):
    if reduction == "none":
        return losses
    total = mpmath.fsum(losses)
    if reduction == "sum":
        return total
    return total / (len(losses) if denominator is None else denominator)


def exact_bce_with_logits(logits, target, *, weight=None, pos_weight=None, reduction="mean"):
    n = len(logits)
    w = [_MP(1)] * n if weight is None else [_MP(v) for v in np.broadcast_to(weight, (n,))]
    r = [_MP(1)] * n if pos_weight is None else [_MP(v) for v in np.broadcast_to(pos_weight, (n,))]
    losses = []
    for i, (z, y) in enumerate(zip(logits, target, strict=True)):
        y = _MP(y)
        term = _times(r[i] * y, _softplus(-z)) + _times(1 - y, _softplus(z))
        losses.append(_times(w[i], term))
    return _reduce(losses, reduction)


def exact_bce(probs, target, *, weight=None, reduction="mean"):
    n = len(probs)
    w = [_MP(1)] * n if weight is None else [_MP(v) for v in np.broadcast_to(weight, (n,))]
    losses = []
    for i, (p, y) in enumerate(zip(probs, target, strict=True)):
        p, y = _MP(p), _MP(y)
        log_p = mpmath.ninf if p == 0 else mpmath.log(p)
        log_q = mpmath.ninf if p == 1 else mpmath.log1p(-p)
        losses.append(_times(w[i], -(_times(y, log_p) + _times(1 - y, log_q))))
    return _reduce(losses, reduction)


def exact_focal(logits, target, *, alpha=0.25, gamma=2.0, reduction="none"):
    losses = []
    for z, y in zip(logits, target, strict=True):
        y = _MP(y)
        one_minus_pt = y * exact_sigmoid(-z) + (1 - y) * exact_sigmoid(z)
        bce = _times(y, _softplus(-z)) + _times(1 - y, _softplus(z))
        a = _MP(alpha)
        alpha_t = a * y + (1 - a) * (1 - y) if alpha >= 0 else _MP(1)
        factor = _MP(1) if gamma == 0 else one_minus_pt ** _MP(gamma)
        losses.append(_times(alpha_t * factor, bce))
    return _reduce(losses, reduction)


def _reduce_exact(losses: list[Fraction], reduction: str):
    if reduction == "none":
        return losses
    total = sum(losses, Fraction(0))
    return total if reduction == "sum" else total / len(losses)


def exact_hinge(scores, target, *, reduction="mean"):
    losses = [max(Fraction(0), 1 - Fraction(y) * Fraction(s)) for s, y in zip(scores, target)]
    return _reduce_exact(losses, reduction)


def exact_mse(pred, target, *, reduction="mean"):
    losses = [(Fraction(x) - Fraction(y)) ** 2 for x, y in zip(pred, target, strict=True)]
    return _reduce_exact(losses, reduction)


def exact_l1(pred, target, *, reduction="mean"):
    losses = [abs(Fraction(x) - Fraction(y)) for x, y in zip(pred, target, strict=True)]
    return _reduce_exact(losses, reduction)


def exact_huber(pred, target, *, delta=1.0, reduction="mean"):
    dl = Fraction(delta)
    losses = []
    for x, y in zip(pred, target, strict=True):
        d = abs(Fraction(x) - Fraction(y))
        losses.append(d * d / 2 if d < dl else dl * (d - dl / 2))
    return _reduce_exact(losses, reduction)


def exact_gaussian_nll(pred, target, var, *, full=False, eps=1e-6, reduction="mean"):
    n = len(pred)
    var = np.broadcast_to(np.asarray(var, dtype=np.float64), (n,))
    losses = []
    # log(v) and d^2 / v cancel where the loss is near 0; 40 more digits keep
    # 50 in the result (a 150-digit build agrees), which + rounds back.
    with mpmath.workdps(mpmath.mp.dps + 40):
        for x, y, v in zip(pred, target, var, strict=True):
            v = _MP(max(float(v), eps))  # PyTorch clamps the variance at eps
            d = _MP(x) - _MP(y)
            term = (mpmath.log(v) + d * d / v) / 2
            losses.append(term + mpmath.log(2 * mpmath.pi) / 2 if full else term)
        value = _reduce(losses, reduction)
    return _nested(value, lambda v: +v)


def _stirling(y):
    """PyTorch's ``y log y - y + log(2 pi y) / 2`` for ``y > 1``, else 0."""
    if y <= 1:
        return _MP(0)
    y = _MP(y)
    return y * mpmath.log(y) - y + mpmath.log(2 * mpmath.pi * y) / 2


def exact_poisson_nll(pred, target, *, log_input=True, full=False, eps=1e-8, reduction="mean"):
    losses = []
    for x, y in zip(pred, target, strict=True):
        xm, ym = _MP(x), _MP(y)
        if log_input:
            loss = mpmath.exp(xm) - ym * xm
        else:
            loss = xm - _times(ym, mpmath.log(xm + _MP(eps)))
        losses.append(loss + _stirling(y) if full else loss)
    return _reduce(losses, reduction)


def _in_base(value, base):
    return value if base is None or mpmath.isinf(value) else value / mpmath.log(_MP(base))


def exact_entropy(p, *, base=None):
    return _in_base(mp_entropy(p), base)


def exact_cross_entropy(p, q, *, base=None):
    return _in_base(mp_cross_entropy(p, q), base)


def exact_kl_divergence(p, q, *, base=None):
    """``sum p log(p/q)``: every case has ``sum p == sum q`` exactly, so the oracle's
    ``sum (p log(p/q) - p + q)`` is the same number."""
    return _in_base(mp_kl_divergence(p, q), base)


# ---------------------------------------------------------------------------
# Adversarial inputs
# ---------------------------------------------------------------------------


def _f32(a) -> np.ndarray:
    """Round to float32 and back, so that a float32 implementation sees the same inputs."""
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


SRC_PRIM = "tests/test_primitives.py"
SRC_PROPS = "tests/test_losses_properties.py"
SRC_INFO = "tests/test_information.py"
SRC_BENCH = "benchmarks/accuracy.py"
#: Families added here, each for a case the Notes of its xent_ref function discuss.
NEW = "tools/golden_vectors.py"


#: Rows per group of ``row_groups`` drawn here: fewer than the benchmark's,
#: and no confident-classifier group (``long_rows`` has one).
ROW_COUNTS = {
    "uniform in [-1e4, 1e4]": 4,
    "clustered at ±1e4": 2,
    "uniform in [-700, 700]": 4,
    "clustered at ±700": 2,
    "one dominant logit, gap 20 to 60": 6,
    "one dominant logit, gap 100 to 745": 4,
    "-inf in all but one entry": 4,
    "ordinary: N(0, 1)": 4,
}


def row_groups() -> dict[str, tuple[str, np.ndarray]]:
    """The benchmark's row groups (``tests/_adversarial.py``, ``row_groups``), fewer rows.

    Rounded to float32, so every group is also a float32 test.
    """
    return {name: (SRC_BENCH + ", row_groups (fewer rows, float32)", _f32(x))
            for name, x in adv.row_groups(ROW_COUNTS).items()}


def long_rows() -> dict[str, tuple[str, np.ndarray]]:
    """1000 classes: equal tails behind a dominant logit, and a confident classifier."""
    rng = np.random.default_rng(2)
    rows = {}
    for d in (0.0, 10.0, 40.0, 745.0):
        row = np.full(1000, -d)
        row[0] = 0.0
        rows[f"1000 classes, 999 equal tails at -{d:g}"] = (NEW + ": long equal tails", row)
    confident = rng.standard_normal(1000)
    confident[rng.integers(0, 1000)] += 40.0
    rows["confident: 1000 classes, top one +40"] = (SRC_BENCH + ", row_groups", _f32(confident))
    return rows


def ill_conditioned_rows() -> list[list[float]]:
    """Rows with ``-log n < max x < 0`` and a log-sum-exp near 0, where it cancels.

    Two by hand, then the first four of ``tests/_adversarial.py``'s
    ``log_probability_rows``.
    """
    rows = [[-math.log(2.0), -math.log(2.0)], [-math.log(1000.0)] * 1000]
    return rows + [row.tolist() for row in adv.log_probability_rows(4)]


def random_rows() -> list[np.ndarray]:
    """Seeded rows of several scales and lengths, in the manner of the accuracy tests' ``_random_rows``."""
    rng = np.random.default_rng(20240601)
    groups = []
    for scale in (1.0, 30.0, 1e4):
        for n in (3, 10):
            x = rng.standard_normal((3, n)) * scale + rng.standard_normal() * scale
            groups.append((f"N(0, {scale:g}²) rows of {n}", _f32(x)))
    return groups


#: The benchmark's names of the ``elementwise_groups``, shortened here.
_ELEMENTWISE_NAMES = {"z = ±(30 to 745): probabilities near 0 and 1": "z = ±(30 to 745)"}


def elementwise_groups() -> dict[str, np.ndarray]:
    """``tests/_adversarial.py``'s ``elementwise_groups``: 12 logits a group, rounded to float32."""
    return {_ELEMENTWISE_NAMES.get(name, name): _f32(z)
            for name, z in adv.elementwise_groups(12).items()}


# ---------------------------------------------------------------------------
# The functions: definition, signature, cases
# ---------------------------------------------------------------------------

#: For each function: its parameters, its definition, the PyTorch / SciPy name
#: with the same semantics (where there is one), and its exact evaluator.
FUNCTIONS: dict[str, dict] = {
    "logsumexp": {
        "params": ["x"],
        "definition": "log(sum_j exp(x_j)) over the last axis; -inf for a row of -inf, "
        "+inf if any entry is +inf",
        "torch": "torch.logsumexp(x, dim=-1)",
        "scipy": "scipy.special.logsumexp(x, axis=-1)",
    },
    "log_softmax": {
        "params": ["x"],
        "definition": "x_i - logsumexp(x) over the last axis; a row with one +inf gives "
        "its limit (0 there, -inf elsewhere)",
        "torch": "torch.log_softmax(x, dim=-1)",
        "scipy": "scipy.special.log_softmax(x, axis=-1)",
    },
    "softmax": {
        "params": ["x"],
        "definition": "exp(x_i - logsumexp(x)) over the last axis (the one-hot limit for "
        "one +inf)",
        "torch": "torch.softmax(x, dim=-1)",
        "scipy": "scipy.special.softmax(x, axis=-1)",
    },
    "sigmoid": {
        "params": ["x"],
        "definition": "1 / (1 + exp(-x)), elementwise",
        "torch": "torch.sigmoid(x)",
        "scipy": "scipy.special.expit(x)",
    },
    "log_sigmoid": {
        "params": ["x"],
        "definition": "-log(1 + exp(-x)), elementwise",
        "torch": "torch.nn.functional.logsigmoid(x)",
        "scipy": "scipy.special.log_expit(x)",
    },
    "softmax_cross_entropy": {
        "params": ["logits", "target"],
        "definition": "torch.nn.functional.cross_entropy semantics on (N, C) logits: "
        "target is (N,) class indices (integers) or (N, C) probabilities; with "
        "nll_c = -log softmax(z_i)_c, w the class weights and e the label smoothing, "
        "l_i = (1 - e) w_y nll_y + (e / C) sum_c w_c nll_c for an index y (0 if y == "
        "ignore_index) and l_i = sum_c w_c ((1 - e) q_c + e / C) nll_c for probabilities; "
        "a term with coefficient 0 is 0; 'mean' divides the sum by the total weight "
        "w_y of the non-ignored samples (indices) or by N (probabilities)",
        "torch": "torch.nn.functional.cross_entropy(logits, target, ...)",
        "scipy": None,
    },
    "binary_cross_entropy_with_logits": {
        "params": ["logits", "target"],
        "definition": "w (r y softplus(-z) + (1 - y) softplus(z)), softplus(t) = "
        "log(1 + exp(t)), w = weight, r = pos_weight; a term with coefficient 0 is 0",
        "torch": "torch.nn.functional.binary_cross_entropy_with_logits(logits, target, ...)",
        "scipy": None,
    },
    "binary_cross_entropy": {
        "params": ["probs", "target"],
        "definition": "-w (y log p + (1 - y) log(1 - p)), exact (PyTorch clamps each log "
        "at -100); a term with coefficient 0 is 0",
        "torch": "torch.nn.functional.binary_cross_entropy(probs, target, ...)",
        "scipy": None,
    },
    "sigmoid_focal_loss": {
        "params": ["logits", "target"],
        "definition": "a_t (1 - p_t)^gamma BCE(z, y), p = sigmoid(z), 1 - p_t = "
        "y sigmoid(-z) + (1 - y) sigmoid(z), a_t = alpha y + (1 - alpha)(1 - y) "
        "(1 for alpha < 0)",
        "torch": "torchvision.ops.sigmoid_focal_loss(logits, target, ...)",
        "scipy": None,
    },
    "hinge_loss": {
        "params": ["scores", "target"],
        "definition": "max(0, 1 - y s) with labels y in {-1, +1}",
        "torch": None,
        "scipy": None,
    },
    "mse_loss": {
        "params": ["pred", "target"],
        "definition": "(x - y)^2, exact (rational)",
        "torch": "torch.nn.functional.mse_loss(pred, target, ...)",
        "scipy": None,
    },
    "l1_loss": {
        "params": ["pred", "target"],
        "definition": "|x - y|, exact (rational)",
        "torch": "torch.nn.functional.l1_loss(pred, target, ...)",
        "scipy": None,
    },
    "huber_loss": {
        "params": ["pred", "target"],
        "definition": "d^2 / 2 for d = |x - y| < delta, else delta (d - delta / 2); exact",
        "torch": "torch.nn.functional.huber_loss(pred, target, ...)",
        "scipy": "scipy.special.huber(delta, x - y)",
    },
    "gaussian_nll_loss": {
        "params": ["pred", "target", "var"],
        "definition": "(log v + (x - y)^2 / v) / 2 with v = max(var, eps), plus "
        "log(2 pi) / 2 if full",
        "torch": "torch.nn.functional.gaussian_nll_loss(pred, target, var, ...)",
        "scipy": None,
    },
    "poisson_nll_loss": {
        "params": ["pred", "target"],
        "definition": "exp(z) - y z (log_input) or l - y log(l + eps), exactly (l + eps "
        "unrounded); plus y log y - y + log(2 pi y) / 2 where y > 1 if full",
        "torch": "torch.nn.functional.poisson_nll_loss(pred, target, ...)",
        "scipy": None,
    },
    "entropy": {
        "params": ["p"],
        "definition": "-sum_i p_i log p_i over the last axis, 0 log 0 = 0; divided by "
        "log(base) if base is given",
        "torch": None,
        "scipy": "scipy.stats.entropy(p, base=base)",
    },
    "cross_entropy": {
        "params": ["p", "q"],
        "definition": "-sum_i p_i log q_i, 0 log q = 0, +inf where p > 0 = q; divided by "
        "log(base) if base is given",
        "torch": None,
        "scipy": None,
    },
    "kl_divergence": {
        "params": ["p", "q"],
        "definition": "sum_i p_i log(p_i / q_i), 0 log 0 = 0, +inf where p > 0 = q; every "
        "case has sum p == sum q exactly, so it is also sum_i (p_i log(p_i / q_i) - p_i + q_i)",
        "torch": "torch.nn.functional.kl_div(torch.log(q), p, reduction='sum')",
        "scipy": "scipy.stats.entropy(p, q)",
    },
}

EVALUATORS: dict[str, Callable] = {
    "softmax_cross_entropy": exact_softmax_cross_entropy,
    "binary_cross_entropy_with_logits": exact_bce_with_logits,
    "binary_cross_entropy": exact_bce,
    "sigmoid_focal_loss": exact_focal,
    "hinge_loss": exact_hinge,
    "mse_loss": exact_mse,
    "l1_loss": exact_l1,
    "huber_loss": exact_huber,
    "gaussian_nll_loss": exact_gaussian_nll,
    "poisson_nll_loss": exact_poisson_nll,
}


def _rows_exact(fn, x) -> list:
    """Apply a row function over the last axis of a 1-d or 2-d input."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        return fn(x.tolist())
    return [fn(row) for row in x.tolist()]


def _encode(a):
    """Nested lists of float strings (floats) or ints (class indices)."""
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return a.tolist()
    return np.vectorize(fstr, otypes=[object])(a.astype(np.float64)).tolist() if a.ndim else fstr(a)


def _nested(values, fn):
    if isinstance(values, list):
        return [_nested(v, fn) for v in values]
    return fn(values)


def _representable(value) -> bool:
    """False for a finite value beyond float64's range, or one no decimal reader can parse.

    ``e^(-4e307)`` is an mpf, but its decimal exponent is too large for
    Python's ``decimal`` (and for any other reader); its rows are left out.
    """
    if isinstance(value, mpmath.mpf):
        if mpmath.isinf(value):
            return True
        if value != 0 and abs(value._mpf_[2] + value._mpf_[3]) > 100_000:
            return False
    return math.isfinite(round_to(value, "float64"))


#: A value is ill-conditioned when the magnitudes its result is made of add up
#: to more than this many times the result (the formula cancels).
ILL_CONDITIONED = 16


def _flatten(value) -> list:
    return [v for item in value for v in _flatten(item)] if isinstance(value, list) else [value]


def ill_conditioned(function: str, args: list, options: dict, exact) -> bool:
    """True if some value of the case cancels: its terms exceed ``ILL_CONDITIONED`` times it.

    For logsumexp the terms are ``m = max x`` and ``log1p(sum_{j != k} e^(x_j - m))
    >= 0``, which cancel where ``m < 0``; for the Gaussian and Poisson NLL the
    absolute values of the terms of their formulas. These are the cancellations their
    Notes in xent_ref describe; there a float64 evaluation without extra
    precision is accurate to a few ulp of the terms, not of the result.
    """
    values = _flatten(exact)
    limit = ILL_CONDITIONED
    if function == "logsumexp":
        for row, e in zip(np.atleast_2d(args[0]).tolist(), values, strict=True):
            if mpmath.isinf(e):
                continue
            m, _, L = _row_parts(row)  # e = m + L with L >= 0: it cancels where m < 0
            if abs(m) + L > limit * abs(e):
                return True
    elif function in ("gaussian_nll_loss", "poisson_nll_loss"):
        shape = np.shape(args[0])
        columns = [np.broadcast_to(np.asarray(a, dtype=np.float64), shape).ravel().tolist()
                   for a in args]
        for i, e in enumerate(values):
            x, y = columns[0][i], columns[1][i]
            if function == "gaussian_nll_loss":
                v = _MP(max(columns[2][i], options.get("eps", 1e-6)))
                terms = (abs(mpmath.log(v)) + (_MP(x) - _MP(y)) ** 2 / v) / 2
                terms += mpmath.log(2 * mpmath.pi) / 2 if options.get("full") else 0
            elif options.get("log_input", True):
                terms = mpmath.exp(_MP(x)) + abs(_MP(y) * _MP(x)) + abs(_stirling_term(y, options))
            else:
                log_rate = mpmath.log(_MP(x) + _MP(options.get("eps", 1e-8)))
                terms = _MP(x) + abs(_MP(y) * log_rate) + abs(_stirling_term(y, options))
            if terms > limit * abs(e):
                return True
    return False


def _stirling_term(y: float, options: dict):
    return _stirling(y) if options.get("full") else _MP(0)


class Builder:
    """Collects the cases of every function."""

    def __init__(self) -> None:
        self.cases: dict[str, list] = {name: [] for name in FUNCTIONS}
        self.excluded: list[str] = []

    def add(self, function: str, name: str, source: str, args: list, options: dict, exact,
            recompute: Callable[[], object] | None = None) -> None:
        """Add a case; ``recompute`` gives ``exact`` again, at the working precision.

        Where a value is near a float32 or float64 tie (``near_tie``), the case is
        recomputed at 200, then 1000, then 5000 digits, until none is. One still
        that near at 5000 digits is taken as the tie it equals to that precision.
        """
        flat = _flatten(exact)
        if all(_representable(v) for v in flat) and any(near_tie(v) for v in flat):
            if recompute is None:
                raise AssertionError(f"{function}/{name}: a value is near a rounding tie, "
                                     "and the case has no recompute")
            for dps in (4 * MP_DPS, 20 * MP_DPS, 100 * MP_DPS):
                with mpmath.workdps(dps):
                    exact = recompute()
                    flat = _flatten(exact)
                    if not any(near_tie(v) for v in flat):
                        break
            else:
                print(f"{function}/{name}: a value is a tie to {dps} digits", file=sys.stderr)
        if not all(_representable(v) for v in flat):
            self.excluded.append(f"{function}/{name}")
            return
        floats = [
            v for a in args for v in np.ravel(np.asarray(a)).tolist() if isinstance(v, float)
        ] + [v for v in options.values() if isinstance(v, float)]
        floats += [v for o in options.values() if isinstance(o, list) for v in o]
        case = {
            "id": f"{function}/{name}",
            "source": source,
            "args": [_encode(a) for a in args],
            "options": {k: (_encode(v) if isinstance(v, list) else v) for k, v in options.items()},
            "float32_inputs": all(_float32_exact(float(v)) for v in floats),
            "ill_conditioned": ill_conditioned(
                function, [np.asarray(a).tolist() for a in args], options, exact
            ),
            "exact": _nested(exact, decimal),
            "float64": _nested(exact, lambda v: fstr(round_to(v, "float64"))),
            "float32": _nested(exact, lambda v: fstr(round_to(v, "float32"))),
        }
        self.cases[function].append(case)

    def rows(self, name: str, source: str, x, *, which=("logsumexp", "log_softmax", "softmax")):
        x = np.asarray(x, dtype=np.float64)
        fns = {
            "logsumexp": exact_logsumexp,
            "log_softmax": exact_log_softmax,
            "softmax": exact_softmax,
        }
        for function in which:
            fn = fns[function]
            self.add(function, name, source, [x], {}, _rows_exact(fn, x),
                     lambda fn=fn: _rows_exact(fn, x))

    def loss(self, function: str, name: str, source: str, args: list, **options) -> None:
        plain = [np.asarray(a).tolist() for a in args]
        fn = EVALUATORS[function]
        self.add(function, name, source, args, options, fn(*plain, **options),
                 lambda: fn(*plain, **options))


def _targets_for(x: np.ndarray) -> np.ndarray:
    """Row i's target: its largest logit, its smallest, then a middle one, in turn."""
    order = np.argsort(x, axis=1, kind="stable")
    pick = np.array([order[i, -1 if i % 3 == 0 else 0 if i % 3 == 1 else x.shape[1] // 2]
                     for i in range(len(x))])
    return pick.astype(np.int64)


def build_cases() -> dict[str, list]:
    b = Builder()

    # --- the softmax family -------------------------------------------------
    for name, row in adv.ADVERSARIAL_ROWS.items():
        x = np.array(row)
        lsm = exact_log_softmax(row) if not all(v == -INF for v in row) else None
        which = ["logsumexp"]
        if lsm is not None and all(_representable(v) for v in lsm):
            which += ["log_softmax", "softmax"]
        b.rows(name, SRC_PRIM + ", ADVERSARIAL_ROWS", x, which=which)
        if "log_softmax" in which:
            # every class as the target, the row repeated
            c = len(row)
            b.loss("softmax_cross_entropy", name, SRC_PRIM + ", ADVERSARIAL_ROWS",
                   [np.tile(x, (c, 1)), np.arange(c)], reduction="none")
    for i, row in enumerate(adv.EXTREME_ROWS):
        x = np.array(row)
        b.rows(f"extreme row {i}", SRC_PROPS + ", EXTREME_ROWS", x)
        b.loss("softmax_cross_entropy", f"extreme row {i}", SRC_PROPS + ", EXTREME_ROWS",
               [np.tile(x, (3, 1)), np.arange(3)], reduction="none")
    groups = row_groups()
    for name, (source, x) in groups.items():
        b.rows(name, source, x)
        b.loss("softmax_cross_entropy", name, source, [x, _targets_for(x)], reduction="none")
    for name, x in random_rows():
        b.rows(name, SRC_PRIM + ", after _random_rows", x)
        b.loss("softmax_cross_entropy", name, SRC_PRIM + ", after _random_rows",
               [x, _targets_for(x)], reduction="none")
    for name, (source, x) in long_rows().items():
        # One long row for the vector-valued functions keeps the file small.
        b.rows(name, source, x,
               which=("logsumexp", "log_softmax") if name.endswith("at -40") else ("logsumexp",))
        if "confident" in name:  # the confident, correct prediction
            b.loss("softmax_cross_entropy", name, source, [x[None, :], np.array([int(np.argmax(x))])],
                   reduction="none")
        elif name.endswith(("at -40", "at -745")):  # the dominant class and a tail class
            b.loss("softmax_cross_entropy", name, source, [np.tile(x, (2, 1)), np.array([0, 1])],
                   reduction="none")
    for i, row in enumerate(ill_conditioned_rows()):
        b.rows(f"log-sum-exp near 0, row {i}", SRC_PRIM + ", cancellation rows",
               np.array(row), which=("logsumexp",))

    # --- softmax cross-entropy: options -------------------------------------
    z = groups["one dominant logit, gap 20 to 60"][1]
    y = _targets_for(z)
    rng = np.random.default_rng(5)
    w = _f32(rng.uniform(0.1, 3.0, 8))
    src = SRC_BENCH + ", row_groups; options as in " + SRC_PROPS
    for reduction in ("none", "sum", "mean"):
        b.loss("softmax_cross_entropy", f"weighted, {reduction}", src, [z, y],
               weight=w.tolist(), reduction=reduction)
    y_ignored = y.copy()
    y_ignored[[1, 4]] = -100
    b.loss("softmax_cross_entropy", "ignore_index -100, weighted, mean", src, [z, y_ignored],
           weight=w.tolist(), ignore_index=-100, reduction="mean")
    b.loss("softmax_cross_entropy", "ignore_index -100, none", src, [z, y_ignored],
           ignore_index=-100, reduction="none")
    zc = groups["clustered at ±1e4"][1]
    b.loss("softmax_cross_entropy", "clustered at ±1e4, mean", SRC_BENCH + ", row_groups",
           [zc, _targets_for(zc)], reduction="mean")
    z_ls = np.array([[1e4, -1e4, 0.0], [30.0, 0.0, -5.0]])
    for eps in (1e-300, 1e-10, 0.5, 1.0):
        b.loss("softmax_cross_entropy", f"label_smoothing {eps:g}", SRC_PROPS + ", label smoothing",
               [z_ls, np.array([0, 0])], label_smoothing=eps, reduction="none")
    b.loss("softmax_cross_entropy", "label_smoothing 0.1, weighted, mean", src, [z, y],
           weight=w.tolist(), label_smoothing=0.1, reduction="mean")
    # probability targets
    zq = np.array([[1e4, -1e4, 0.0], [700.0, 699.0, -700.0]])
    q = np.array([[1 - 1e-12, 1e-12, 0.0], [0.25, 0.75, 0.0]])
    b.loss("softmax_cross_entropy", "probabilities, tiny and zero", SRC_PROPS
           + ", probability targets", [zq, q], reduction="none")
    q8 = _f32(rng.dirichlet(np.full(8, 0.3), len(z)))
    q8[0] = 0.0
    q8[0, 3] = 1.0
    q8 = q8 / q8.sum(axis=1, keepdims=True)
    for options in ({"reduction": "none"}, {"reduction": "mean"},
                    {"label_smoothing": 0.1, "weight": w.tolist(), "reduction": "none"}):
        label = ", ".join(f"{k}" if k == "weight" else f"{k} {v}" for k, v in options.items())
        b.loss("softmax_cross_entropy", f"probabilities, gap 20 to 60, {label}", src,
               [z, q8], **options)

    # --- sigmoid family -----------------------------------------------------
    pts = np.array(adv.SIGMOID_POINTS)
    for function, fn in (("sigmoid", exact_sigmoid), ("log_sigmoid", exact_log_sigmoid)):
        b.add(function, "SIGMOID_POINTS", SRC_PRIM + ", SIGMOID_POINTS", [pts], {},
              [fn(v) for v in pts.tolist()])
        for name, zz in elementwise_groups().items():
            b.add(function, name, SRC_BENCH + ", elementwise_groups", [zz], {},
                  [fn(v) for v in zz.tolist()])
        zr = _f32(20 * np.random.default_rng(7).standard_normal(24))
        b.add(function, "N(0, 20²)", SRC_PRIM + ", test_sigmoid_family_within_4_ulp", [zr], {},
              [fn(v) for v in zr.tolist()])

    # --- binary cross-entropy ----------------------------------------------
    for name, zz in elementwise_groups().items():
        zs = np.repeat(zz, len(adv.BCE_TARGETS))
        ys = np.tile(adv.BCE_TARGETS, len(zz))
        b.loss("binary_cross_entropy_with_logits", f"{name} × BCE_TARGETS",
               SRC_BENCH + ", elementwise_groups, BCE_TARGETS", [zs, ys], reduction="none")
    zl = np.array(adv.BCE_LOGITS)
    for yv in (0.0, 1.0, 0.3, 1e-300):
        b.loss("binary_cross_entropy_with_logits", f"BCE_LOGITS, y = {yv:g}",
               SRC_PROPS + ", BCE_LOGITS", [zl, np.full(zl.size, yv)], reduction="none")
    for r in (0.5, 3.0):
        b.loss("binary_cross_entropy_with_logits", f"BCE_LOGITS, y = 0.7, pos_weight {r:g}",
               SRC_PROPS + ", BCE_LOGITS", [zl, np.full(zl.size, 0.7)], pos_weight=[r],
               reduction="none")
    wl = _f32(np.random.default_rng(8).uniform(0.0, 2.0, zl.size))
    ys = np.tile([0.0, 1.0, 0.3], 4)
    for reduction in ("none", "mean", "sum"):
        b.loss("binary_cross_entropy_with_logits", f"BCE_LOGITS, weighted, {reduction}",
               SRC_PROPS + ", BCE_LOGITS", [zl, ys], weight=wl.tolist(), reduction=reduction)
    p = np.array([1e-300, 1e-100, 1e-20, 0.5, 1 - 2.0**-40, 1 - 2.0**-53])
    for yv in (0.0, 1.0, 0.25):
        b.loss("binary_cross_entropy", f"p near 0 and 1, y = {yv:g}",
               SRC_PROPS + ", test_bce_within_4_ulp_of_mpmath_near_0_and_1",
               [p, np.full(p.size, yv)], reduction="none")
    b.loss("binary_cross_entropy", "limits: p and y in {0, 1}", NEW + ": 0 log 0 = 0 and the infinite limits",
           [np.array([0.0, 1.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 0.0])], reduction="none")
    b.loss("binary_cross_entropy", "p near 0 and 1, y = 0.25, weighted, mean",
           SRC_PROPS + ", test_bce_within_4_ulp_of_mpmath_near_0_and_1",
           [p, np.full(p.size, 0.25)], weight=[0.5, 1.0, 2.0, 0.0, 1.5, 1.0], reduction="mean")
    zf = np.array([-700.0, -40.0, -3.0, 0.5, 40.0, 700.0])
    for yv in (0.0, 1.0):
        b.loss("sigmoid_focal_loss", f"y = {yv:g}, alpha 0.25, gamma 2",
               SRC_PROPS + ", test_focal_loss_within_4_ulp_of_mpmath",
               [zf, np.full(zf.size, yv)], alpha=0.25, gamma=2.0, reduction="none")
    for alpha, gamma in ((0.25, 0.0), (-1.0, 2.0), (0.5, 0.5)):
        b.loss("sigmoid_focal_loss", f"y = 0.3, alpha {alpha:g}, gamma {gamma:g}",
               SRC_PROPS + ", test_focal_loss_within_4_ulp_of_mpmath",
               [zf, np.full(zf.size, 0.3)], alpha=alpha, gamma=gamma, reduction="none")
    s = np.array([-1e300, -1.0, 0.0, 0.5, 1.0, 1.0 + 2.0**-52, 1e300])
    for yv in (1.0, -1.0):
        b.loss("hinge_loss", f"y = {yv:+g}", NEW + ": margins around y s = 1 and ±1e300",
               [s, np.full(s.size, yv)], reduction="none")

    # --- regression ----------------------------------------------------------
    src = SRC_PROPS + ", REGRESSION_CASES"
    b.loss("mse_loss", "REGRESSION_CASES", src,
           [np.array([1e150, 0.1, 3e-160, -7.5]), np.array([-3e149, 0.3, -1e-160, 2.25])],
           reduction="none")
    close = np.array([1.0, 1e10, 3e-300, 2.0**27 - 1])
    b.loss("mse_loss", "differences of one ulp, and a square at a rounding tie",
           NEW + ": x - y exact or one ulp", [close, np.array([np.nextafter(1.0, 2.0),
           np.nextafter(1e10, 0.0), 3e-300 + 5e-324 * 3, 0.0])], reduction="none")
    b.loss("mse_loss", "REGRESSION_CASES, mean", src,
           [np.array([1e150, 0.1, 3e-160, -7.5]), np.array([-3e149, 0.3, -1e-160, 2.25])],
           reduction="mean")
    b.loss("l1_loss", "REGRESSION_CASES", src,
           [np.array([1e300, 0.1, 5e-324]), np.array([-1e300, 0.3, 0.0])], reduction="none")
    b.loss("l1_loss", "REGRESSION_CASES, sum", src,
           [np.array([1e300, 0.1, 5e-324]), np.array([-1e300, 0.3, 0.0])], reduction="sum")
    hx, hy = np.array([0.5, 1e10, 1.0000001, -3.0]), np.array([0.0, 0.0, 0.0, 0.1])
    for delta in (1.0, 0.5, 1e-3):
        b.loss("huber_loss", f"REGRESSION_CASES, delta {delta:g}", src, [hx, hy], delta=delta,
               reduction="none")
    gx, gy, gv = np.array([1e150, 0.0, 3.0]), np.array([0.0, 1e-3, -4.0]), [1e300, 1e-300, 2.0]
    b.loss("gaussian_nll_loss", "REGRESSION_CASES", src, [gx, gy, np.array(gv)],
           reduction="none")
    b.loss("gaussian_nll_loss", "REGRESSION_CASES, full", src, [gx, gy, np.array(gv)],
           full=True, reduction="none")
    b.loss("gaussian_nll_loss", "var 0 clamped to eps, scalar var", src,
           [np.array([0.0, 1e-3, -2.5]), np.array([0.0, 0.0, -2.5]), np.array(0.0)],
           reduction="none")
    v = 0.5
    d = math.sqrt(-v * math.log(v))  # log v + d^2 / v = 0 up to rounding: the loss cancels
    b.loss("gaussian_nll_loss", "cancellation: loss near 0", NEW + ": log v + d^2 / v near 0",
           [np.array([d, 0.0]), np.array([0.0, math.sqrt(-1e-4 * math.log(1e-4))]),
            np.array([v, 1e-4])], reduction="none")
    b.loss("poisson_nll_loss", "REGRESSION_CASES", src,
           [np.array([700.0, -700.0, 3.0, -2.0]), np.array([0.0, 5.0, 0.5, 1e6])],
           reduction="none")
    b.loss("poisson_nll_loss", "cancellation: z = log y", NEW + ": the minimum z = log y",
           [np.array([math.log(3.0), math.log(1e6)]), np.array([3.0, 1e6])], reduction="none")
    b.loss("poisson_nll_loss", "full (Stirling term)", src,
           [np.array([0.5, 1.5, 3.0, -2.0]), np.array([0.0, 1.0, 2.0, 1e6])], full=True,
           reduction="none")
    b.loss("poisson_nll_loss", "rates (log_input False)", src,
           [np.array([0.0, 1e-300, 2.5, 1e6]), np.array([0.0, 1.0, 3.0, 2.0])],
           log_input=False, reduction="none")

    # --- information measures -----------------------------------------------
    for name, dist in adv.DISTRIBUTIONS.items():
        b.add("entropy", name, SRC_INFO + ", DISTRIBUTIONS", [np.array(dist)], {},
              exact_entropy(dist))
    b.add("entropy", "halves, base 2", SRC_INFO + ", DISTRIBUTIONS", [np.array([0.5, 0.5])],
          {"base": 2.0}, exact_entropy([0.5, 0.5], base=2.0))
    b.add("entropy", "uniform 7, base 2", SRC_INFO + ", DISTRIBUTIONS",
          [np.array(adv.DISTRIBUTIONS["uniform 7"])], {"base": 2.0},
          exact_entropy(adv.DISTRIBUTIONS["uniform 7"], base=2.0))
    for name, (pp, qq) in adv.EQUAL_SUM_PAIRS.items():
        assert math.fsum(pp) == math.fsum(qq) and sum(map(Fraction, pp)) == sum(map(Fraction, qq))
        for function, fn in (("cross_entropy", exact_cross_entropy),
                             ("kl_divergence", exact_kl_divergence)):
            b.add(function, name, SRC_INFO + ", PAIRS", [np.array(pp), np.array(qq)], {}, fn(pp, qq))
    for function, fn in (("cross_entropy", exact_cross_entropy),
                         ("kl_divergence", exact_kl_divergence)):
        pp, qq = adv.EQUAL_SUM_PAIRS["wide"]  # not "ratio 4": its divergence in bits is a float64 tie
        b.add(function, "wide, base 2", SRC_INFO + ", PAIRS", [np.array(pp), np.array(qq)],
              {"base": 2.0}, fn(pp, qq, base=2.0))
    return b


def build() -> dict:
    """The whole file as a dict."""
    with mpmath.workdps(MP_DPS):
        builder = build_cases()
    cases = builder.cases
    return {
        "format": "xent-golden-vectors",
        "format_version": FORMAT_VERSION,
        "generator": "tools/golden_vectors.py",
        "mp_dps": MP_DPS,
        "conventions": {
            "numbers": "Every float is a string: Python's repr of a float64 (the shortest "
            "decimal that reads back to it), 'inf' or '-inf'. Class indices are JSON integers. "
            "Scalar options are JSON values.",
            "args": "Positional arguments, in the order of the function's 'params'. Every "
            "function works over the last axis.",
            "exact": "The exact value of the definition at the float64 inputs, to 50 "
            "significant digits (mpmath; exact fractions for mse, l1, huber and hinge), "
            "with the shape of the output; 'inf' for an infinite limit. Where those digits "
            "would land on a tie between two float32 or float64 numbers that the value "
            "lies just off, the tie is written in full with a last digit 1 on the "
            "value's side; an exact tie is written in full.",
            "float64": "The exact value rounded to float64, to nearest, ties to even.",
            "float32": "The exact value rounded to float32, to nearest, ties to even (inf "
            "beyond float32's range), written as the float64 that equals it: read it as "
            "float64, then cast to float32 (exactly).",
            "float32_inputs": "True if every input and float option is a float32 number, "
            "so that a float32 implementation sees the same inputs and its correctly "
            "rounded result is the 'float32' value.",
            "ill_conditioned": "True if a value of the case cancels: the magnitudes it "
            "is made of (|m| + log1p(sum_{j != k} exp(x_j - m)) for logsumexp, m = max x; the absolute terms of the formula for "
            "the Gaussian and Poisson NLL) exceed 16 times the value. A float64 evaluation "
            "without extra precision is then accurate to a few ulp of those terms, not of "
            "the value.",
            "ulp": "Error of a result c: |c - exact| / ulp(exact), where ulp(e) = 2**(k - 52) "
            "for 2**k <= |e| < 2**(k + 1) and 2**-1074 below 2**-1022 (float64; float32: "
            "2**(k - 23), 2**-149 below 2**-126); an infinite exact value must be matched.",
        },
        "excluded": {
            "why": "A value is finite but beyond float64's range (e.g. -2e308), or so "
            "small (e.g. e^(-4e307)) that its decimal exponent has no reader.",
            "ids": builder.excluded,
        },
        "functions": {
            name: {**FUNCTIONS[name], "cases": function_cases}
            for name, function_cases in cases.items()
        },
    }


def dumps(data: dict) -> str:
    """The file's text: indented JSON, with each case on one line."""
    cases = {name: f.pop("cases") for name, f in data["functions"].items()}
    try:
        text = json.dumps(data, indent=1, ensure_ascii=False)
    finally:
        for name, f in data["functions"].items():
            f["cases"] = cases[name]
    for name, function_cases in cases.items():
        # Each function's last key is "cases", a list of one-line objects.
        head = json.dumps(name, ensure_ascii=False) + ": {"
        start = text.index(head)
        end = text.index("\n  }", start)
        lines = ",\n    ".join(
            json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in function_cases
        )
        text = text[:end] + f',\n   "cases": [\n    {lines}\n   ]' + text[end:]
    return text + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = dumps(build())
    if args.check:
        if args.output.read_text(encoding="utf-8") != text:
            print(f"{args.output} is stale: run python tools/golden_vectors.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode()) / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
