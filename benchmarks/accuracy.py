"""Worst ulp error against mpmath on adversarial inputs, side by side.

Four implementations of every function of the public API that the accuracy
bound covers (the primitives, the information measures, softmax and binary
cross-entropy with their options and the ``"mean"`` reduction) are compared
with the exact value, computed by mpmath at 50 significant digits from the
same float64 inputs:

* ``xr``: xent_ref;
* ``torch``: PyTorch on float64 tensors;
* ``scipy``: ``scipy.special`` / ``scipy.stats`` where they have the function,
  else the formula over them;
* ``textbook``: the formula as written, with the shift ``m = max(x)`` against
  overflow and nothing else (see :data:`TEXTBOOK`).

The error of a computed value ``c`` with exact value ``e`` is
``|c - e| / ulp(e)``, where ``ulp(e)`` is the spacing of float64 numbers at
``e``, ``2**(k - 52)`` for ``2**k <= |e| < 2**(k + 1)`` (so a correctly
rounded result has error <= 0.5); the measure is ``ulp_error`` of
``tests/_oracles.py``, the one the accuracy tests use.
Where ``e`` is infinite the error is 0 if ``c == e`` and infinite otherwise; a
NaN result has infinite error. ``logsumexp`` is the one function whose result
can be ill-conditioned: where ``|LSE(x)|`` is small next to
``S = sum_j |x_j| p_j`` (``p = softmax(x)``), relative errors of ``S/|LSE|``
times the rounding unit are inevitable, so its error is counted in ulp of
``max(|LSE(x)|, S)``; where ``|LSE(x)| >= S`` that is the plain ulp.

The adversarial inputs are those of the accuracy tests and the golden
vectors, from ``tests/_adversarial.py``.

Run by ``benchmarks/bench.py``; it takes a few seconds.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import mpmath
import numpy as np
import scipy.stats
import torch
import torch.nn.functional as F
from scipy import special

import xent_ref as xr

# Run as a script (benchmarks/bench.py), the checkout's root is not on the path.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests._adversarial import BCE_TARGETS, elementwise_groups, row_groups  # noqa: E402
from tests._oracles import ulp_error  # noqa: E402

#: Working precision of the exact reference, in decimal digits.
MP_DPS = 50

#: The accuracy the issue asks of xent_ref, in ulp.
ULP_BOUND = 4.0

IMPLEMENTATIONS = ("xr", "torch", "scipy", "textbook")

#: What "textbook" means for each function.
TEXTBOOK = {
    "logsumexp": "m + log(sum(exp(x - m))), m = max(x)",
    "log_softmax": "x - (m + log(sum(exp(x - m))))",
    "softmax": "exp(x - m) / sum(exp(x - m))",
    "softmax_cross_entropy": "(m + log(sum(exp(x - m)))) - x[y]",
    "softmax_cross_entropy, weight and label_smoothing": (
        "(1 - eps) w[y] nll[y] + eps/C sum_c w[c] nll[c], nll = LSE(x) - x"
    ),
    "softmax_cross_entropy, mean": "mean((m + log(sum(exp(x - m)))) - x[y])",
    "binary_cross_entropy_with_logits": "max(z, 0) - z*y + log(1 + exp(-|z|))",
    "binary_cross_entropy_with_logits, weight and pos_weight": (
        "w (r y softplus(-z) + (1 - y) softplus(z)), softplus(t) = max(t, 0) + log(1 + exp(-|t|))"
    ),
    "binary_cross_entropy_with_logits, mean": "mean(max(z, 0) - z*y + log(1 + exp(-|z|)))",
    "sigmoid": "1 / (1 + exp(-z))",
    "log_sigmoid": "-(max(-z, 0) + log(1 + exp(-|z|)))",
    "entropy": "-sum(xlogy(p, p))",
    "cross_entropy": "-sum(xlogy(p, q))",
    "kl_divergence": "sum(xlogy(p, p / q))",
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


def benchmark_row_groups() -> dict[str, np.ndarray]:
    """Rows of logits for logsumexp, log_softmax and softmax cross-entropy.

    Every group is a (rows, C) float64 array: the seeded groups of
    ``tests/_adversarial.py`` (``row_groups``, from ``default_rng(0)``), then
    long rows and ill-conditioned rows.
    """
    groups = row_groups()
    # Long rows whose tail is one value repeated: the sum of many equal terms
    # is where a plain (pairwise) sum is furthest off. The first row is the
    # one where an uncompensated tail sum was 5 ulp off; the last two have
    # |LSE| > |max|, where the error once escaped the stated region.
    gaps = [529.544959149779, np.log(999) - 2, np.log(999) + 5, np.log(999) + 20, 40.0]
    long_rows = np.array([[0.0] + [-g] * 999 for g in gaps]
                         + [[-0.44752860667838007] + [-6.899182569526649] * 999,
                            [-3.0] + [-5.0] * 999])
    groups["long rows: C = 1000, equal tails"] = long_rows
    groups["long rows: C = 50257, equal tails"] = np.array(
        [[0.0] + [-g] * 50256 for g in (np.log(50256), np.log(50256) + 10, 300.0)]
    )

    # logsumexp is ill-conditioned where |LSE| is small next to sum_j |x_j| p_j:
    # log-probabilities (LSE = 0 up to rounding) and rows like [-100, -100.5].
    pairs = [0.5, 0.3, 0.1, 1e-3, 0.25, 0.45]
    two = [[np.log(p), np.log1p(-p)] for p in pairs]
    two += [[-100.0, -100.5], [-0.5, -0.9], [-np.log(2), -np.log(2)], [-1.0, -0.45867514538708193]]
    groups["ill-conditioned logsumexp: LSE near 0, C = 2"] = np.array(two)
    return groups


#: Rows too long to try every class as the target: these take the argmax and three others.
ALL_TARGETS_MAX_C = 1000


#: Probabilities on the grid of multiples of ``2**-DYADIC_BITS``: rows that sum to 1 exactly.
DYADIC_BITS = 40


def _dyadic(counts: np.ndarray) -> np.ndarray:
    """Rows of non-negative integer ``counts`` summing to ``2**DYADIC_BITS``, scaled to sum to 1."""
    assert np.all(counts.sum(axis=1) == 2**DYADIC_BITS)
    return counts.astype(np.float64) / 2.0**DYADIC_BITS


def _counts(p: np.ndarray) -> np.ndarray:
    """``p`` rounded down to the grid, the remainder given to each row's largest entry."""
    counts = np.floor(p * 2.0**DYADIC_BITS).astype(np.int64)
    rows = np.arange(len(p))
    counts[rows, np.argmax(p, axis=1)] += 2**DYADIC_BITS - counts.sum(axis=1)
    return counts


def information_groups() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pairs ``(p, q)`` of probability rows for the information measures (``default_rng(2)``).

    Apart from the near-deterministic ``p`` (whose tiny entries are off any
    grid, and which sums to 1 within rounding), every row is on a dyadic grid
    and sums to exactly 1.
    """
    rng = np.random.default_rng(2)

    def dirichlet(n):
        return _dyadic(_counts(rng.dirichlet(np.ones(8), n)))

    groups = {}
    groups["Dirichlet(1), C = 8"] = (dirichlet(16), dirichlet(16))
    # one outcome almost certain: the entropy is tiny and made of tiny terms
    z = rng.uniform(20.0, 60.0, (12, 8))
    z[:, 0] = 0.0
    groups["near-deterministic p"] = (xr.softmax(-z), dirichlet(12))
    # q within about 1e-6 of p: the divergence is about 1e-13, and the
    # terms p log(p / q), of order 1e-6, cancel
    counts = _counts(rng.dirichlet(np.ones(8), 12))
    moved = np.round(1e-6 * counts[:, :4] * rng.uniform(0.5, 1.0, (12, 4))).astype(np.int64)
    shifted = counts.copy()
    shifted[:, :4] += moved
    shifted[:, 4:] -= moved  # the same mass moved between entries: the sum stays 2**40
    groups["q close to p"] = (_dyadic(counts), _dyadic(shifted))
    # exact zeros: 0 log 0 = 0
    p = rng.dirichlet(np.ones(8), 12)
    p[:, :3] = 0.0
    groups["zeros in p"] = (_dyadic(_counts(p / p.sum(axis=1, keepdims=True))), dirichlet(12))
    return groups


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


def _condition_scale(x: np.ndarray, m: mpmath.mpf, L: mpmath.mpf) -> mpmath.mpf:
    """``sum_j |x_j| p_j`` with ``p = softmax(x)``: the scale of logsumexp's unavoidable error."""
    lse = m + L
    return mpmath.fsum(
        abs(mpmath.mpf(v)) * mpmath.exp(mpmath.mpf(v) - lse) for v in x.tolist() if v != -math.inf
    )


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

def _textbook_softmax(x):
    m = x.max(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", under="ignore"):
        e = np.exp(x - m)
        return e / e.sum(axis=1, keepdims=True)


ROW_FUNCTIONS["softmax"] = {
    "xr": lambda x: xr.softmax(x, axis=1),
    "torch": lambda x: torch.softmax(_t(x), dim=1).numpy(),
    "scipy": lambda x: special.softmax(x, axis=1),
    "textbook": _textbook_softmax,
}

CE_FUNCTIONS: dict[str, Callable] = {
    "xr": lambda x, y: xr.softmax_cross_entropy(x, y, reduction="none"),
    "torch": lambda x, y: F.cross_entropy(_t(x), _t(y), reduction="none").numpy(),
    "scipy": lambda x, y: -_scipy_log_softmax(x)[np.arange(len(y)), y],
    "textbook": lambda x, y: textbook_logsumexp(x) - x[np.arange(len(y)), y],
}


def _weighted_smoothed(nll_rows, x, y, w, eps):
    """``(1 - eps) w[y] nll[y] + eps/C sum_c w[c] nll[c]`` from a full table of ``-log p``."""
    nll = nll_rows(x)
    c = x.shape[1]
    with np.errstate(invalid="ignore"):
        return (1 - eps) * w[y] * nll[np.arange(len(y)), y] + eps / c * (nll * w).sum(axis=1)


def _textbook_nll(x):
    return textbook_logsumexp(x)[:, None] - x


CE_OPTION_FUNCTIONS: dict[str, Callable] = {
    "xr": lambda x, y, w, eps: xr.softmax_cross_entropy(
        x, y, weight=w, label_smoothing=eps, reduction="none"
    ),
    "torch": lambda x, y, w, eps: F.cross_entropy(
        _t(x), _t(y), weight=_t(w), label_smoothing=eps, reduction="none"
    ).numpy(),
    "scipy": lambda x, y, w, eps: _weighted_smoothed(
        lambda a: -_scipy_log_softmax(a), x, y, w, eps
    ),
    "textbook": lambda x, y, w, eps: _weighted_smoothed(_textbook_nll, x, y, w, eps),
}

CE_MEAN_FUNCTIONS: dict[str, Callable] = {
    "xr": lambda x, y: xr.softmax_cross_entropy(x, y),
    "torch": lambda x, y: F.cross_entropy(_t(x), _t(y)).item(),
    "scipy": lambda x, y: np.mean(CE_FUNCTIONS["scipy"](x, y)),
    "textbook": lambda x, y: np.mean(CE_FUNCTIONS["textbook"](x, y)),
}


def _scipy_bce(z, y):
    return -(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))


def _textbook_bce(z, y):
    with np.errstate(under="ignore"):
        return np.maximum(z, 0.0) - z * y + np.log(1.0 + np.exp(-np.abs(z)))


def _scipy_bce_options(z, y, w, r):
    return w * -(r * y * special.log_expit(z) + (1 - y) * special.log_expit(-z))


def _textbook_bce_options(z, y, w, r):
    return w * (r * y * textbook_softplus(-z) + (1 - y) * textbook_softplus(z))


BCE_OPTION_FUNCTIONS: dict[str, Callable] = {
    "xr": lambda z, y, w, r: xr.binary_cross_entropy_with_logits(
        z, y, weight=w, pos_weight=r, reduction="none"
    ),
    "torch": lambda z, y, w, r: F.binary_cross_entropy_with_logits(
        _t(z), _t(y), weight=_t(w), pos_weight=_t(r), reduction="none"
    ).numpy(),
    "scipy": _scipy_bce_options,
    "textbook": _textbook_bce_options,
}

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
    "sigmoid": {
        "xr": xr.sigmoid,
        "torch": lambda z: torch.sigmoid(_t(z)).numpy(),
        "scipy": special.expit,
        "textbook": lambda z: _textbook_sigmoid(z),
    },
}


def _textbook_sigmoid(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _torch_xlogy_sum(a, b):
    return torch.xlogy(_t(a), _t(b)).sum(dim=1).numpy()


INFORMATION_FUNCTIONS: dict[str, dict[str, Callable]] = {
    "entropy": {
        "xr": lambda p, q: xr.entropy(p, axis=1),
        "torch": lambda p, q: torch.special.entr(_t(p)).sum(dim=1).numpy(),
        "scipy": lambda p, q: scipy.stats.entropy(p, axis=1),
        "textbook": lambda p, q: -special.xlogy(p, p).sum(axis=1),
    },
    "cross_entropy": {
        "xr": lambda p, q: xr.cross_entropy(p, q, axis=1),
        "torch": lambda p, q: -_torch_xlogy_sum(p, q),
        "scipy": lambda p, q: scipy.stats.entropy(p, axis=1) + scipy.stats.entropy(p, q, axis=1),
        "textbook": lambda p, q: -special.xlogy(p, q).sum(axis=1),
    },
    "kl_divergence": {
        "xr": lambda p, q: xr.kl_divergence(p, q, axis=1),
        "torch": lambda p, q: F.kl_div(
            torch.log(_t(q)), _t(p), reduction="none"
        ).sum(dim=1).numpy(),
        "scipy": lambda p, q: scipy.stats.entropy(p, q, axis=1),
        "textbook": lambda p, q: special.xlogy(p, p / q).sum(axis=1),
    },
}


# ---------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------


def _score(
    computed: dict[str, np.ndarray], exact: list, scale: list | None = None
) -> dict[str, list[tuple[float, float, float, float]]]:
    """For each implementation, ``(ulp error, computed, exact, unit)`` of every value.

    ``unit`` is the number whose float64 spacing the error is counted in.
    """
    scales = [None] * len(exact) if scale is None else scale
    return {
        impl: [
            (
                ulp_error(float(c), e, scale=sc),
                float(c),
                float(e),
                float(e) if sc is None else float(max(abs(e), sc)),
            )
            for c, e, sc in zip(np.ravel(values), exact, scales, strict=True)
        ]
        for impl, values in computed.items()
    }


def _targets(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and targets for the cross-entropy: every class, or for long rows four of them."""
    n, c = x.shape
    if c <= ALL_TARGETS_MAX_C:
        return np.repeat(np.arange(n), c), np.tile(np.arange(c), n)
    k = np.argmax(x, axis=1)
    picks = np.stack([k, (k + 1) % c, (k + c // 2) % c, (k + c - 1) % c], axis=1)
    return np.repeat(np.arange(n), 4), picks.ravel()


def _mp_softplus_terms(z: float, y: float, r: float = 1.0) -> mpmath.mpf:
    """``r y softplus(-z) + (1 - y) softplus(z)``; a term with coefficient 0 is 0."""
    y_mp = mpmath.mpf(y)
    total = mpmath.mpf(0)
    if y != 0 and r != 0:
        total += mpmath.mpf(r) * y_mp * _softplus(-z)
    if y != 1:
        total += (1 - y_mp) * _softplus(z)
    return total


def run() -> dict:
    """Compare the implementations; return the ``accuracy`` section of the results."""
    mpmath.mp.dps = MP_DPS
    per_function: dict[str, dict[str, dict]] = {}

    def record(function: str, group: str, errors: dict) -> None:
        per_function.setdefault(function, {})[group] = errors

    rows = benchmark_row_groups()
    elementwise = elementwise_groups(24)
    information = information_groups()
    rng = np.random.default_rng(3)
    for group, x in rows.items():
        parts = [_exact_row(row) for row in x]
        n, c = x.shape

        lse = [m + L for m, L in parts]
        scale = [_condition_scale(row, m, L) for row, (m, L) in zip(x, parts)]
        computed = {i: f(x) for i, f in ROW_FUNCTIONS["logsumexp"].items()}
        record("logsumexp", group, _score(computed, lse, scale))

        # log softmax_i = (x_i - m) - L: two terms <= 0, no cancellation
        lsm = [(mpmath.mpf(v) - m) - L for row, (m, L) in zip(x.tolist(), parts) for v in row]
        computed = {i: f(x) for i, f in ROW_FUNCTIONS["log_softmax"].items()}
        record("log_softmax", group, _score(computed, lsm))
        computed = {i: f(x) for i, f in ROW_FUNCTIONS["softmax"].items()}
        record("softmax", group, _score(computed, [mpmath.exp(v) for v in lsm]))

        # -log softmax_y = (m - x_y) + L
        row_of, ys = _targets(x)
        xs = x[row_of]
        nll = [
            [(parts[i][0] - mpmath.mpf(v)) + parts[i][1] for v in x[i].tolist()]
            for i in range(n)
        ]
        ce = [nll[i][y] for i, y in zip(row_of.tolist(), ys.tolist())]
        computed = {i: f(xs, ys) for i, f in CE_FUNCTIONS.items()}
        record("softmax_cross_entropy", group, _score(computed, ce))
        computed = {i: f(xs, ys) for i, f in CE_MEAN_FUNCTIONS.items()}
        record("softmax_cross_entropy, mean", group, _score(computed, [mpmath.fsum(ce) / len(ce)]))

        if c <= 8:
            # class weights and label smoothing; a -inf logit makes every smoothed loss +inf
            w = rng.uniform(0.5, 2.0, c)
            eps = 0.1
            smooth = []
            for i, y in zip(row_of.tolist(), ys.tolist()):
                if any(mpmath.isinf(v) for v in nll[i]):
                    smooth.append(mpmath.inf)
                    continue
                spread = mpmath.fsum(mpmath.mpf(wc) * v for wc, v in zip(w.tolist(), nll[i]))
                smooth.append((1 - mpmath.mpf(eps)) * mpmath.mpf(w[y]) * nll[i][y]
                              + mpmath.mpf(eps) / c * spread)
            computed = {i: f(xs, ys, w, eps) for i, f in CE_OPTION_FUNCTIONS.items()}
            record("softmax_cross_entropy, weight and label_smoothing", group,
                   _score(computed, smooth))

    for group, z in elementwise.items():
        zs = np.repeat(z, len(BCE_TARGETS))
        ys = np.tile(np.array(BCE_TARGETS), len(z))
        bce = [_mp_softplus_terms(zz, y) for zz, y in zip(zs.tolist(), ys.tolist(), strict=True)]
        impls = ELEMENTWISE_FUNCTIONS["binary_cross_entropy_with_logits"]
        computed = {i: f(zs, ys) for i, f in impls.items()}
        record("binary_cross_entropy_with_logits", group, _score(computed, bce))
        mean = {i: np.mean(v) for i, v in computed.items()}
        mean["xr"] = xr.binary_cross_entropy_with_logits(zs, ys)
        mean["torch"] = F.binary_cross_entropy_with_logits(_t(zs), _t(ys)).item()
        record("binary_cross_entropy_with_logits, mean", group,
               _score(mean, [mpmath.fsum(bce) / len(bce)]))

        w = rng.uniform(0.5, 2.0, zs.shape)
        r = rng.uniform(0.25, 4.0, zs.shape)
        exact = [
            mpmath.mpf(wi) * _mp_softplus_terms(zz, y, ri)
            for zz, y, wi, ri in zip(zs.tolist(), ys.tolist(), w.tolist(), r.tolist(), strict=True)
        ]
        computed = {i: f(zs, ys, w, r) for i, f in BCE_OPTION_FUNCTIONS.items()}
        record("binary_cross_entropy_with_logits, weight and pos_weight", group,
               _score(computed, exact))

        log_sig = [-_softplus(-zz) for zz in z.tolist()]
        computed = {i: f(z) for i, f in ELEMENTWISE_FUNCTIONS["log_sigmoid"].items()}
        record("log_sigmoid", group, _score(computed, log_sig))
        sig = [1 / (1 + mpmath.exp(-mpmath.mpf(zz))) for zz in z.tolist()]
        with np.errstate(over="ignore"):
            computed = {i: f(z) for i, f in ELEMENTWISE_FUNCTIONS["sigmoid"].items()}
        record("sigmoid", group, _score(computed, sig))

    for group, (p, q) in information.items():
        pm = [[mpmath.mpf(v) for v in row] for row in p.tolist()]
        qm = [[mpmath.mpf(v) for v in row] for row in q.tolist()]
        exact = {
            "entropy": [-mpmath.fsum(a * mpmath.log(a) for a in pr if a) for pr in pm],
            "cross_entropy": [
                -mpmath.fsum(a * mpmath.log(b) for a, b in zip(pr, qr) if a)
                for pr, qr in zip(pm, qm)
            ],
            # the form the docstring states, sum (p log(p/q) - p + q); it is
            # sum p log(p/q) wherever p and q each sum to exactly 1
            "kl_divergence": [
                mpmath.fsum(
                    (a * mpmath.log(a / b) if a else 0) - a + b for a, b in zip(pr, qr)
                )
                for pr, qr in zip(pm, qm)
            ],
        }
        for function, impls in INFORMATION_FUNCTIONS.items():
            with np.errstate(divide="ignore", invalid="ignore"):
                computed = {i: np.asarray(f(p, q), dtype=np.float64) for i, f in impls.items()}
            record(function, group, _score(computed, exact[function]))

    functions = {}
    for function, groups in per_function.items():
        by_group = {
            group: {impl: max(v[0] for v in scored[impl]) for impl in IMPLEMENTATIONS}
            for group, scored in groups.items()
        }
        worst_case = {}
        for impl in IMPLEMENTATIONS:
            group, (_, computed, exact, unit) = max(
                ((g, value) for g, scored in groups.items() for value in scored[impl]),
                key=lambda item: item[1][0],
            )
            worst_case[impl] = {
                "computed": computed, "exact": exact, "group": group, "ulp_of": unit
            }
        functions[function] = {
            "by_group": by_group,
            "n_over_bound": {
                impl: sum(v[0] > ULP_BOUND for scored in groups.values() for v in scored[impl])
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
        "information_groups": list(information),
        "mp_dps": MP_DPS,
        "row_groups": list(rows),
        "ulp_bound": ULP_BOUND,
        "ulp_definition": (
            "|computed - exact| / ulp(exact), ulp(e) = 2**(k - 52) for 2**k <= |e| < 2**(k + 1) "
            "(2**-1074 below 2**-1022); 0 if both are the same infinity; "
            "for logsumexp, in ulp of max(|exact|, sum_j |x_j| softmax(x)_j)"
        ),
    }
