"""Adversarial float64 inputs: one definition for the tests, the benchmark and the golden vectors.

The accuracy tests (``tests/unit/test_primitives.py``,
``test_losses_properties.py``, ``test_information.py``), the accuracy
benchmark (``benchmarks/accuracy.py``) and the golden vectors
(``tools/golden_vectors.py``) measure xent_ref on the same families of
inputs, taken from here. Each family is chosen where a formula as written
loses accuracy: a dominant logit (the tail rounds away), logits near the
overflow and underflow thresholds of ``exp``, infinities, subnormals, exact
ties, probabilities within an ulp of 0 or 1, and long rows of equal terms.

Random families are drawn from fixed seeds, so every caller sees the same
numbers. Nothing here calls ``xent_ref``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

FMAX = float(np.finfo(np.float64).max)
INF = math.inf

# ---------------------------------------------------------------------------
# Rows of logits (logsumexp, log_softmax, softmax, softmax cross-entropy)
# ---------------------------------------------------------------------------

#: Single rows, each at one hazard of the softmax family.
ADVERSARIAL_ROWS = {
    "dominant at 0": [0.0, -40.0, -50.0],
    "dominant off 0": [3.7, -40.3, -50.1],
    "dominant 0.1": [0.1, -40.3],
    "dominant tiny max": [1e-20, -40.5],
    "dominant subnormal tail": [0.0, -740.0],
    "dominant underflowed tail": [0.0, -745.5, -800.0],
    "pm 1e4": [1e4, -1e4, 0.0],
    "pm 1e4 swapped": [-1e4, 1e4],
    "all 1e4": [1e4, 1e4 - 1.0, 1e4 - 30.0],
    "all -1e4": [-1e4, -1e4 - 0.5, -1e4 - 45.0],
    "pm 700": [700.0, -700.0, 0.0],
    "near overflow": [709.9, 709.8, -700.0],
    "pm 700 cluster": [-700.0, -700.5, 700.0, 699.0],
    "huge opposite": [1e308, -1e308],
    "huge equal": [FMAX, FMAX],
    "minus inf but one": [-INF, 3.3, -INF, -INF],
    "minus inf but one at 0": [-INF, 0.0, -INF],
    "plus inf one": [INF, -INF, 2.0],
    "plus inf with huge": [1e308, INF, -1e308],
    "ties": [1.0, 1.0, 1.0],
    "near tie": [-0.3, -0.3 - 1e-15, -0.3 - 2e-16],
    "tiny logits": [1e-300, -1e-300, 0.0],
    "subnormal logits": [5e-324, -5e-324],
    "wide": [20.0, -20.0, 5.5, -36.7, 0.25],
    "single": [42.0],
    "single -inf": [-INF],
}

#: Three-class rows for softmax cross-entropy, every class taken as the target.
EXTREME_ROWS = [
    [1e4, -1e4, 0.0],
    [700.0, -700.0, 699.0],
    [-1e4, -1e4 + 1e-9, -1e4],
    [40.0, 0.0, -40.0],
    [40.1, 0.3, -0.7],
    [33.3, 1.1, 2.2],
    [0.0, -745.0, -INF],
    [1e-300, -1e-300, 0.0],
    [3e307, -3e307, 1e307],
]


def _uniform(low: float, high: float) -> Callable[[np.random.Generator, int], np.ndarray]:
    return lambda rng, n: rng.uniform(low, high, (n, 8))


def _clustered(centre: float, spread: float) -> Callable[[np.random.Generator, int], np.ndarray]:
    """``n`` rows around ``+centre``, then ``n`` around ``-centre``."""
    return lambda rng, n: np.concatenate(
        [centre + spread * rng.standard_normal((n, 8)), -centre + spread * rng.standard_normal((n, 8))]
    )


def _dominant(low: float, high: float, *, first=None):
    """One logit ahead of the others by ``low`` to ``high``, at a random place.

    The row offset is 0 for the first half of the rows and ~N(0, 5^2) for the
    others (then ``x - max`` is rounded).
    """

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        gaps = rng.uniform(low, high, (n, 8))
        gaps[:, 0] = 0.0
        if first is not None:
            gaps[0] = first
        offset = np.where(np.arange(n) < n // 2, 0.0, 5 * rng.standard_normal(n))
        return rng.permuted(offset[:, None] - gaps, axis=1)

    return draw


def _confident(rng: np.random.Generator, n: int) -> np.ndarray:
    """A confident classifier: 1000 classes ~ N(0, 1), the top one raised by 40."""
    rows = rng.standard_normal((n, 1000))
    rows[np.arange(n), rng.integers(0, 1000, n)] += 40.0
    return rows


def _masked(rng: np.random.Generator, n: int) -> np.ndarray:
    """``-inf`` in all but one entry, which is ~N(0, 100^2)."""
    rows = np.full((n, 8), -np.inf)
    rows[np.arange(n), rng.integers(0, 8, n)] = 100 * rng.standard_normal(n)
    return rows


#: The random row groups, in the order they are drawn from ``default_rng(0)``.
_ROW_GROUPS: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "uniform in [-1e4, 1e4]": _uniform(-1e4, 1e4),
    "clustered at ±1e4": _clustered(1e4, 1.0),
    "uniform in [-700, 700]": _uniform(-700.0, 700.0),
    "clustered at ±700": _clustered(700.0, 3.0),
    "one dominant logit, gap 20 to 60": _dominant(
        20.0, 60.0, first=[0.0, 40.0, 50.0, 45.0, 60.0, 55.0, 42.0, 48.0]
    ),
    # the tail sum is below e^-100, down to the subnormals
    "one dominant logit, gap 100 to 745": _dominant(100.0, 745.0),
    "confident: 1000 classes, top one +40": _confident,
    "-inf in all but one entry": _masked,
    "ordinary: N(0, 1)": lambda rng, n: rng.standard_normal((n, 8)),
}

#: Rows per group for the benchmark (for the clustered groups: rows per cluster).
BENCHMARK_ROWS = {
    "uniform in [-1e4, 1e4]": 24,
    "clustered at ±1e4": 12,
    "uniform in [-700, 700]": 24,
    "clustered at ±700": 12,
    "one dominant logit, gap 20 to 60": 32,
    "one dominant logit, gap 100 to 745": 16,
    "confident: 1000 classes, top one +40": 8,
    "-inf in all but one entry": 12,
    "ordinary: N(0, 1)": 16,
}


def row_groups(rows: Mapping[str, int] = BENCHMARK_ROWS) -> dict[str, np.ndarray]:
    """Groups of rows of logits, each a ``(n, C)`` float64 array, from ``default_rng(0)``.

    ``rows`` gives the number of rows of each group drawn; a group it leaves
    out is not drawn at all (so the groups after it see the same generator
    state as when the one before it was the last drawn).
    """
    rng = np.random.default_rng(0)
    return {name: draw(rng, rows[name]) for name, draw in _ROW_GROUPS.items() if name in rows}


def log_probability_rows(count: int) -> list[np.ndarray]:
    """Rows ``log(w)`` for ``w`` on the simplex, slightly perturbed (``default_rng(31)``).

    Their log-sum-exp is near 0 while ``sum_j |x_j| p_j`` is not: where
    logsumexp is ill-conditioned. The first ``k`` rows do not depend on ``count``.
    """
    rng = np.random.default_rng(31)
    rows = []
    for _ in range(count):
        n = int(rng.integers(2, 12))
        jitter = rng.standard_normal(n) * 10.0 ** rng.uniform(-17, -8)
        rows.append(np.log(rng.dirichlet(np.ones(n))) + jitter)
    return rows


# ---------------------------------------------------------------------------
# Logits and targets of the sigmoid family and binary cross-entropy
# ---------------------------------------------------------------------------

#: Points where sigmoid and log_sigmoid change regime, overflow or underflow.
SIGMOID_POINTS = [
    -INF, -1e4, -800.0, -745.0, -740.0, -709.0, -700.0, -40.0, -36.7, -1.0, -1e-300,
    -5e-324, 0.0, 5e-324, 1e-300, 1e-17, 1.0, 17.5, 36.7, 40.0, 700.0, 709.0, 740.0,
    745.0, 800.0, 1e4, INF,
]

#: Logits for binary cross-entropy with logits.
BCE_LOGITS = [-1e4, -745.0, -700.0, -40.0, -1e-10, 0.0, 1e-10, 37.0, 40.0, 700.0, 745.0, 1e4]

#: Targets of binary cross-entropy: 0, 1, near 0, near 1, and one in between.
BCE_TARGETS = [0.0, 1.0, 1e-12, 1.0 - 2.0**-40, 0.3]


def elementwise_groups(n: int) -> dict[str, np.ndarray]:
    """Groups of ``n`` logits for the sigmoid family and BCE with logits (``default_rng(1)``)."""
    rng = np.random.default_rng(1)
    sign = rng.choice([-1.0, 1.0], size=(4, n))
    return {
        # sigma(z) within e^-30 of 0 or 1
        "z = ±(30 to 745): probabilities near 0 and 1": sign[0] * rng.uniform(30.0, 745.0, n),
        "z near ±1e4": sign[1] * (1e4 + rng.standard_normal(n)),
        "z near ±700": sign[2] * (700 + rng.standard_normal(n)),
        "ordinary: N(0, 3²)": 3 * rng.standard_normal(n),
    }


# ---------------------------------------------------------------------------
# Probability vectors (entropy, cross-entropy, KL divergence)
# ---------------------------------------------------------------------------


def complete(*head: float) -> list[float]:
    """A probability vector: ``head`` followed by the float64 remainder ``1 - sum(head)``."""
    return [*head, 1.0 - math.fsum(head)]


#: Distributions with tiny, subnormal and zero entries.
DISTRIBUTIONS = {
    "near one-hot 1e-300": [1.0, 1e-300],
    "near one-hot 1-1e-16": [1 - 1e-16, 1e-16],
    "one-hot": [0.0, 1.0, 0.0],
    "subnormal entry": complete(5e-324, 0.25),
    "tiny entries": complete(1e-300, 1e-200, 1e-100),
    "uniform 7": [1 / 7] * 7,
    "skewed": complete(0.999999, 1e-7, 3e-7),
    "halves": [0.5, 0.5],
}

#: Pairs ``(p, q)``: q within an ulp of p, entries near 0, zeros, large ratios.
PAIRS = {
    "equal": ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
    "last bit apart": (
        [0.5, 0.5],
        [np.nextafter(0.5, 1.0), np.nextafter(0.5, 0.0)],
    ),
    "close 1e-10": ([0.5 + 1e-10, 0.5 - 1e-10], [0.5, 0.5]),
    "close 1e-6": (complete(0.3 + 1e-6, 0.2), complete(0.3, 0.2 + 1e-6)),
    "q near 0": ([0.5, 0.5], [1.0 - 1e-300, 1e-300]),
    "p near 0": ([1.0, 1e-300], [0.5, 0.5]),
    "p tiny q tiny": (complete(1e-300, 0.5), complete(3e-300, 0.5)),
    "subnormal vs normal": (complete(5e-324, 0.5), complete(1e-300, 0.5)),
    "q zero where p zero": ([0.0, 1.0], [0.0, 1.0]),
    "q zero where p positive": ([0.5, 0.5], [1.0, 0.0]),
    "p zero": ([0.0, 0.25, 0.75], [0.5, 0.25, 0.25]),
    "ratio 4": ([0.8, 0.2], [0.2, 0.8]),
    "ratio 2.25 edge": ([0.9, 0.1], [0.4, 0.6]),
    "1 - 1e-16": ([1 - 1e-16, 1e-16], [1 - 2e-16, 2e-16]),
    "wide": (complete(0.7, 0.2, 1e-5), complete(0.01, 0.09, 0.5)),
}

#: The hazards of :data:`PAIRS`, with each pair's sums made exactly equal
#: (permuted entries or dyadic offsets), so that ``sum p log(p/q)`` and
#: ``sum (p log(p/q) - p + q)`` are the same number.
EQUAL_SUM_PAIRS = {
    "equal": ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
    "last bit apart": ([0.5, 0.5], [0.5 + 2.0**-53, 0.5 - 2.0**-53]),
    "close 2^-33": ([0.5 + 2.0**-33, 0.5 - 2.0**-33], [0.5, 0.5]),
    "close 2^-20": ([0.25 + 2.0**-20, 0.25, 0.5 - 2.0**-20], [0.25, 0.25 + 2.0**-20, 0.5 - 2.0**-20]),
    "q near 0": ([1e-300, 0.5, 0.5], [0.5, 0.5, 1e-300]),
    "p tiny q tiny": ([1e-300, 3e-300, 0.5, 0.5], [3e-300, 1e-300, 0.5, 0.5]),
    "subnormal vs normal": ([5e-324, 1e-300, 0.5, 0.5], [1e-300, 5e-324, 0.5, 0.5]),
    "q zero where p zero": ([0.0, 1.0], [0.0, 1.0]),
    "q zero where p positive": ([0.5, 0.5], [1.0, 0.0]),
    "p zero": ([0.0, 0.25, 0.75], [0.5, 0.25, 0.25]),
    "ratio 4": ([0.8, 0.2], [0.2, 0.8]),
    "ratio 2.25 edge": ([0.9, 0.1], [0.1, 0.9]),
    "1 - 2^-53": ([1 - 2.0**-53, 2.0**-53], [1 - 2.0**-52, 2.0**-52]),
    "wide": ([0.7, 0.2, 0.1, 0.0], [0.1, 0.0, 0.7, 0.2]),
}
