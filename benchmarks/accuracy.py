"""Worst ulp error against mpmath on adversarial inputs, side by side.

Four implementations of five functions are compared with the exact value,
computed by mpmath at 50 significant digits from the same float64 inputs:

* ``xr``: xent_ref;
* ``torch``: PyTorch on float64 tensors;
* ``scipy``: ``scipy.special`` (``logsumexp``, ``log_softmax``, ``log_expit``);
* ``textbook``: the shifted formula ``m + log(sum(exp(x - m)))`` with
  ``m = max(x)``, used as written for every function (see :data:`TEXTBOOK`).

The error of a computed value ``c`` with exact value ``e`` is
``|c - e| / ulp(e)``, where ``ulp(e) = math.ulp(float(e))`` is the spacing of
float64 numbers at ``e`` (so a correctly rounded result has error <= 0.5).
Where ``e`` is infinite the error is 0 if ``c == e`` and infinite otherwise; a
NaN result has infinite error.

Run by ``benchmarks/bench.py``; it takes a few seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import numpy as np
import torch
import torch.nn.functional as F
from scipy import special

import xent_ref as xr

#: Working precision of the exact reference, in decimal digits.
MP_DPS = 50

#: The accuracy the issue asks of xent_ref, in ulp.
ULP_BOUND = 4.0

IMPLEMENTATIONS = ("xr", "torch", "scipy", "textbook")

#: What "textbook" means for each function.
TEXTBOOK = {
    "logsumexp": "m + log(sum(exp(x - m))), m = max(x)",
    "log_softmax": "x - (m + log(sum(exp(x - m))))",
    "softmax_cross_entropy": "(m + log(sum(exp(x - m)))) - x[y]",
    "binary_cross_entropy_with_logits": "max(z, 0) - z*y + log(1 + exp(-|z|))",
    "log_sigmoid": "-(max(-z, 0) + log(1 + exp(-|z|)))",
}


# ---------------------------------------------------------------------------
# The textbook formulas
# ---------------------------------------------------------------------------


def textbook_logsumexp(x: np.ndarray) -> np.ndarray:
    """``m + log(sum(exp(x - m)))`` along axis 1: the shift against overflow, nothing else."""
    m = x.max(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", under="ignore"):
        return (m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True)))[:, 0]


def textbook_softplus(t: np.ndarray) -> np.ndarray:
    """``log(1 + e^t)`` as the textbook log-sum-exp of ``[0, t]``.

    That is ``max(t, 0) + log(1 + exp(-|t|))``.
    """
    with np.errstate(under="ignore"):
        return np.maximum(t, 0.0) + np.log(1.0 + np.exp(-np.abs(t)))


# ---------------------------------------------------------------------------
# Adversarial inputs
# ---------------------------------------------------------------------------


def row_groups() -> dict[str, np.ndarray]:
    """Rows of logits for logsumexp, log_softmax and softmax cross-entropy.

    Every group is a (rows, C) float64 array, from ``default_rng(0)``.
    """
    rng = np.random.default_rng(0)
    groups = {}
    groups["uniform in [-1e4, 1e4]"] = rng.uniform(-1e4, 1e4, (24, 8))
    groups["clustered at ±1e4"] = np.concatenate(
        [1e4 + rng.standard_normal((12, 8)), -1e4 + rng.standard_normal((12, 8))]
    )
    groups["uniform in [-700, 700]"] = rng.uniform(-700.0, 700.0, (24, 8))
    groups["clustered at ±700"] = np.concatenate(
        [700 + 3 * rng.standard_normal((12, 8)), -700 + 3 * rng.standard_normal((12, 8))]
    )

    # One logit dominates by 20 to 60 ([0, -40, -50, ...]), at a random place,
    # with a row offset 0 for half the rows and ~N(0, 5^2) for the others
    # (then x - max is rounded).
    gaps = rng.uniform(20.0, 60.0, (32, 8))
    gaps[:, 0] = 0.0
    gaps[0] = [0.0, 40.0, 50.0, 45.0, 60.0, 55.0, 42.0, 48.0]
    offset = np.where(np.arange(32) < 16, 0.0, 5 * rng.standard_normal(32))
    groups["one dominant logit, gap 20 to 60"] = rng.permuted(offset[:, None] - gaps, axis=1)

    # Gap 100 to 745: the tail sum is below e^-100, down to the subnormals.
    gaps = rng.uniform(100.0, 745.0, (16, 8))
    gaps[:, 0] = 0.0
    offset = np.where(np.arange(16) < 8, 0.0, 5 * rng.standard_normal(16))
    groups["one dominant logit, gap 100 to 745"] = rng.permuted(offset[:, None] - gaps, axis=1)

    # A confident classifier: 1000 classes ~ N(0, 1), the top one raised by 40.
    confident = rng.standard_normal((8, 1000))
    confident[np.arange(8), rng.integers(0, 1000, 8)] += 40.0
    groups["confident: 1000 classes, top one +40"] = confident

    # -inf in all but one entry, which is ~N(0, 100^2).
    masked = np.full((12, 8), -np.inf)
    masked[np.arange(12), rng.integers(0, 8, 12)] = 100 * rng.standard_normal(12)
    groups["-inf in all but one entry"] = masked

    groups["ordinary: N(0, 1)"] = rng.standard_normal((16, 8))
    return groups


#: Targets of binary cross-entropy: 0, 1, near 0, near 1, and one in between.
BCE_TARGETS = np.array([0.0, 1.0, 1e-12, 1.0 - 2.0**-40, 0.3])


def elementwise_groups() -> dict[str, np.ndarray]:
    """Logits for log_sigmoid and BCE with logits (1-d float64, from ``default_rng(1)``)."""
    rng = np.random.default_rng(1)
    sign = rng.choice([-1.0, 1.0], size=(4, 24))
    return {
        # sigma(z) within e^-30 of 0 or 1: probabilities near 0 and 1
        "z = ±(30 to 745): probabilities near 0 and 1": sign[0] * rng.uniform(30.0, 745.0, 24),
        "z near ±1e4": sign[1] * (1e4 + rng.standard_normal(24)),
        "z near ±700": sign[2] * (700 + rng.standard_normal(24)),
        "ordinary: N(0, 3²)": 3 * rng.standard_normal(24),
    }


# ---------------------------------------------------------------------------
# Exact values (mpmath)
# ---------------------------------------------------------------------------


def _exact_row(x: np.ndarray) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(m, L)`` with ``logsumexp(x) = m + L``, ``L = log1p(sum_{j != k} e^(x_j - m))``, in mpmath.

    Splitting off the maximum keeps the exact value exact in relative terms
    even when the tail sum is far below 10^-50 (``log(1 + s)`` would round it away).
    """
    k = int(np.argmax(x))
    m = mpmath.mpf(float(x[k]))
    s = mpmath.fsum(mpmath.exp(mpmath.mpf(float(v)) - m) for j, v in enumerate(x) if j != k)
    return m, mpmath.log1p(s)


def _softplus(t: float) -> mpmath.mpf:
    return mpmath.log1p(mpmath.exp(mpmath.mpf(t)))


def ulp_error(computed: float, exact: mpmath.mpf) -> float:
    """``|computed - exact|`` in units of the float64 spacing at ``exact``."""
    if mpmath.isinf(exact):
        return 0.0 if computed == float(exact) else math.inf
    if not math.isfinite(computed):
        return math.inf
    return float(abs(mpmath.mpf(computed) - exact) / math.ulp(float(exact)))


# ---------------------------------------------------------------------------
# The implementations
# ---------------------------------------------------------------------------


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a))


def _scipy_log_softmax(x):
    with np.errstate(invalid="ignore", under="ignore", divide="ignore"):
        return special.log_softmax(x, axis=1)


ROW_FUNCTIONS: dict[str, dict[str, Callable]] = {
    "logsumexp": {
        "xr": lambda x: xr.logsumexp(x, axis=1),
        "torch": lambda x: torch.logsumexp(_t(x), dim=1).numpy(),
        "scipy": lambda x: special.logsumexp(x, axis=1),
        "textbook": textbook_logsumexp,
    },
    "log_softmax": {
        "xr": lambda x: xr.log_softmax(x, axis=1),
        "torch": lambda x: torch.log_softmax(_t(x), dim=1).numpy(),
        "scipy": _scipy_log_softmax,
        "textbook": lambda x: x - textbook_logsumexp(x)[:, None],
    },
}

CE_FUNCTIONS: dict[str, Callable] = {
    "xr": lambda x, y: xr.softmax_cross_entropy(x, y, reduction="none"),
    "torch": lambda x, y: F.cross_entropy(_t(x), _t(y), reduction="none").numpy(),
    "scipy": lambda x, y: -_scipy_log_softmax(x)[np.arange(len(y)), y],
    "textbook": lambda x, y: textbook_logsumexp(x) - x[np.arange(len(y)), y],
}


def _scipy_bce(z, y):
    return -(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))


def _textbook_bce(z, y):
    with np.errstate(under="ignore"):
        return np.maximum(z, 0.0) - z * y + np.log(1.0 + np.exp(-np.abs(z)))


ELEMENTWISE_FUNCTIONS: dict[str, dict[str, Callable]] = {
    "binary_cross_entropy_with_logits": {
        "xr": lambda z, y: xr.binary_cross_entropy_with_logits(z, y, reduction="none"),
        "torch": lambda z, y: F.binary_cross_entropy_with_logits(
            _t(z), _t(y), reduction="none"
        ).numpy(),
        "scipy": _scipy_bce,
        "textbook": _textbook_bce,
    },
    "log_sigmoid": {
        "xr": xr.log_sigmoid,
        "torch": lambda z: F.logsigmoid(_t(z)).numpy(),
        "scipy": special.log_expit,
        "textbook": lambda z: -textbook_softplus(-z),
    },
}


# ---------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------


def _score(
    computed: dict[str, np.ndarray], exact: list[mpmath.mpf]
) -> dict[str, list[tuple[float, float, float]]]:
    """For each implementation, ``(ulp error, computed, exact)`` of every value."""
    return {
        impl: [
            (ulp_error(float(c), e), float(c), float(e))
            for c, e in zip(np.ravel(values), exact, strict=True)
        ]
        for impl, values in computed.items()
    }


def run() -> dict:
    """Compare the implementations; return the ``accuracy`` section of the results."""
    mpmath.mp.dps = MP_DPS
    per_function: dict[str, dict[str, dict]] = {}

    def record(function: str, group: str, errors: dict) -> None:
        per_function.setdefault(function, {})[group] = errors

    rows = row_groups()
    elementwise = elementwise_groups()
    for group, x in rows.items():
        parts = [_exact_row(row) for row in x]
        n, c = x.shape

        lse = [m + L for m, L in parts]
        computed = {i: f(x) for i, f in ROW_FUNCTIONS["logsumexp"].items()}
        record("logsumexp", group, _score(computed, lse))

        # log softmax_i = (x_i - m) - L: two terms <= 0, no cancellation
        lsm = [(mpmath.mpf(v) - m) - L for row, (m, L) in zip(x.tolist(), parts) for v in row]
        computed = {i: f(x) for i, f in ROW_FUNCTIONS["log_softmax"].items()}
        record("log_softmax", group, _score(computed, lsm))

        # every row with every class as its target: -log softmax_y = (m - x_y) + L
        xs = np.repeat(x, c, axis=0)
        ys = np.tile(np.arange(c), n)
        ce = [(m - mpmath.mpf(v)) + L for row, (m, L) in zip(x.tolist(), parts) for v in row]
        computed = {i: f(xs, ys) for i, f in CE_FUNCTIONS.items()}
        record("softmax_cross_entropy", group, _score(computed, ce))

    for group, z in elementwise.items():
        zs = np.repeat(z, len(BCE_TARGETS))
        ys = np.tile(BCE_TARGETS, len(z))
        # y softplus(-z) + (1 - y) softplus(z): both terms >= 0
        bce = [
            mpmath.mpf(y) * _softplus(-zz) + (1 - mpmath.mpf(y)) * _softplus(zz)
            for zz, y in zip(zs.tolist(), ys.tolist(), strict=True)
        ]
        impls = ELEMENTWISE_FUNCTIONS["binary_cross_entropy_with_logits"]
        computed = {i: f(zs, ys) for i, f in impls.items()}
        record("binary_cross_entropy_with_logits", group, _score(computed, bce))

        log_sig = [-_softplus(-zz) for zz in z.tolist()]
        computed = {i: f(z) for i, f in ELEMENTWISE_FUNCTIONS["log_sigmoid"].items()}
        record("log_sigmoid", group, _score(computed, log_sig))

    functions = {}
    for function, groups in per_function.items():
        by_group = {
            group: {impl: max(e for e, _, _ in scored[impl]) for impl in IMPLEMENTATIONS}
            for group, scored in groups.items()
        }
        worst_case = {}
        for impl in IMPLEMENTATIONS:
            group, (_, computed, exact) = max(
                ((g, value) for g, scored in groups.items() for value in scored[impl]),
                key=lambda item: item[1][0],
            )
            worst_case[impl] = {"computed": computed, "exact": exact, "group": group}
        functions[function] = {
            "by_group": by_group,
            "n_over_bound": {
                impl: sum(e > ULP_BOUND for scored in groups.values() for e, _, _ in scored[impl])
                for impl in IMPLEMENTATIONS
            },
            "n_values": sum(len(scored["xr"]) for scored in groups.values()),
            "textbook_formula": TEXTBOOK[function],
            "worst_case": worst_case,
            "worst_ulp": {
                impl: max(g[impl] for g in by_group.values()) for impl in IMPLEMENTATIONS
            },
        }
    return {
        "bce_targets": [float(y) for y in BCE_TARGETS],
        "elementwise_groups": list(elementwise),
        "functions": functions,
        "implementations": list(IMPLEMENTATIONS),
        "mp_dps": MP_DPS,
        "row_groups": list(rows),
        "ulp_bound": ULP_BOUND,
        "ulp_definition": (
            "|computed - exact| / math.ulp(float(exact)); 0 if both are the same infinity"
        ),
    }
