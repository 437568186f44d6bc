"""Speed, memory and accuracy of xent_ref's cross-entropy losses, side by side.

Run by ``make bench`` (``python benchmarks/bench.py``); it takes a few
minutes. It is a benchmark, not a test: it prints a table and writes
``benchmarks/results.json``, which the docs page "Accuracy and speed" renders
(the page never reruns it).

Speed. Each loss is timed under several input regimes (:data:`REGIMES`):
softmax cross-entropy on random N(0, 1) logits, on wide ones (sigma = 2 and
4), on a confident classifier's and on a language model's (a 50257-way,
Zipf-like vocabulary); binary cross-entropy with logits on balanced,
saturated and confident-and-right logits. The inputs are float64, from
``np.random.default_rng(0)``. Three implementations are timed in the same run:

* ``xr``: xent_ref;
* ``torch``: ``torch.nn.functional`` on float64 tensors sharing the NumPy
  memory (``torch.from_numpy``), with ``torch.set_num_threads(1)``;
* ``scipy``: the formula over ``scipy.special.log_softmax`` (softmax
  cross-entropy) or ``scipy.special.log_expit`` (BCE with logits).

Every implementation is called once to warm up; then the implementations take
turns, round after round (each round starting one implementation later), so
that a change in the machine's load hits them all alike. The wall-clock time
(``time.perf_counter``) of every call is kept, and so is the CPU time of the
process (``time.process_time``), which on a shared machine is far less
sensitive to other processes. Only raw figures are written: the medians, the
spread, the ratios to torch and the verdicts against :data:`TARGETS` are
derived by whoever reads the file (the page, the tests). The environment
variables ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` are
set to 1 before NumPy, SciPy and torch load, so no library gets more threads
than torch (NumPy's BLAS plays no part in these losses; the setting is for
fairness), and threadpoolctl's view of every thread pool (NumPy's BLAS
among them) is recorded. ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are
left as they are and recorded: on some machines they are set.

Memory. Peak extra memory of one call, measured with :mod:`tracemalloc`
(NumPy reports its allocations to it): the peak during the call minus the
memory in use before it, in bytes (the page divides by the logits'
``nbytes``). torch's allocator is invisible to tracemalloc, so torch has no
figure.

Accuracy: see ``benchmarks/accuracy.py``.
"""

from __future__ import annotations

import os

# Set before NumPy, SciPy or torch start their thread pools,
# hence before their imports.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
ENVIRONMENT_BEFORE = {name: os.environ.get(name) for name in THREAD_VARIABLES}
for _name in THREAD_VARIABLES:
    os.environ[_name] = "1"

import argparse
import datetime
import gc
import json
import math
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import mpmath
import numpy as np
import scipy
import threadpoolctl
import torch
import torch.nn.functional as F
from scipy import special

import xent_ref as xr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import accuracy

torch.set_num_threads(1)

RESULTS = HERE / "results.json"

IMPLEMENTATIONS = ("xr", "torch", "scipy")

#: The targets for xr: time as a multiple of torch's single-threaded time,
#: per loss, and peak extra memory as a multiple of the logits' size.
TARGETS = {
    "memory": 0.1,
    "time": {"binary_cross_entropy_with_logits": 1.0, "softmax_cross_entropy": 0.5},
}


# ---------------------------------------------------------------------------
# The regimes and the cases
# ---------------------------------------------------------------------------


def _scipy_softmax_ce(z: np.ndarray, y: np.ndarray) -> float:
    return float(-special.log_softmax(z, axis=1)[np.arange(len(y)), y].mean())


def _scipy_bce(z: np.ndarray, y: np.ndarray) -> float:
    # log(1 - sigmoid(z)) = log_sigmoid(-z)
    return float(-(y * special.log_expit(z) + (1 - y) * special.log_expit(-z)).mean())


def _random_logits(rng, n: int, c: int, scale: float):
    """N(0, scale^2) logits and targets uniform over the classes."""
    return scale * rng.standard_normal((n, c)), rng.integers(0, c, n)


def _confident_logits(rng, n: int, c: int):
    """N(0, 1) logits, one of them raised so that it leads the rest by 5 to 15 nats.

    The target is that class on 90% of the rows and a uniformly drawn one on
    the others.
    """
    z = rng.standard_normal((n, c))
    top = rng.integers(0, c, n)
    z[np.arange(n), top] = z.max(axis=1) + rng.uniform(5.0, 15.0, n)
    y = np.where(rng.random(n) < 0.9, top, rng.integers(0, c, n))
    return z, y


def _language_model_logits(rng, n: int, c: int):
    """Zipf-like logits: ``-1.1 log(rank)`` plus N(0, 0.5^2), ranks shuffled per row.

    The probabilities then fall off about as ``rank**-1.1``, the heavy tail of
    word frequencies; the targets are drawn from each row's own softmax, as
    text sampled from the model would be.
    """
    ranks = rng.permuted(np.broadcast_to(np.arange(1.0, c + 1.0), (n, c)), axis=1)
    # permuted() hands back a column-major array; a model's logits are row-major
    z = np.ascontiguousarray(-1.1 * np.log(ranks) + 0.5 * rng.standard_normal((n, c)))
    cdf = np.cumsum(special.softmax(z, axis=1), axis=1)
    y = np.minimum((cdf < rng.random(n)[:, None]).sum(axis=1), c - 1)
    return z, y


def _bce_balanced(rng, n: int):
    z = 3 * rng.standard_normal(n)
    return z, (rng.random(n) < special.expit(z)).astype(np.float64)


def _bce_saturated(rng, n: int):
    z = rng.choice([-1.0, 1.0], n) * rng.uniform(20.0, 60.0, n)
    return z, (rng.random(n) < 0.5).astype(np.float64)


def _bce_confident_right(rng, n: int):
    z = rng.choice([-1.0, 1.0], n) * rng.uniform(5.0, 15.0, n)
    return z, (z > 0).astype(np.float64)


#: Every input regime: its loss, a one-line description (the page shows it)
#: and how its inputs are drawn, from ``np.random.default_rng(0)``.
REGIMES: dict[str, dict] = {
    "random N(0, 1)": {
        "function": "softmax_cross_entropy",
        "description": "logits ~ N(0, 1); targets uniform over the classes",
        "draw": lambda rng, n, c: _random_logits(rng, n, c, 1.0),
    },
    "wide, σ = 2": {
        "function": "softmax_cross_entropy",
        "description": "logits ~ N(0, 2²); targets uniform",
        "draw": lambda rng, n, c: _random_logits(rng, n, c, 2.0),
    },
    "wide, σ = 4": {
        "function": "softmax_cross_entropy",
        "description": "logits ~ N(0, 4²); targets uniform",
        "draw": lambda rng, n, c: _random_logits(rng, n, c, 4.0),
    },
    "confident classifier": {
        "function": "softmax_cross_entropy",
        "description": (
            "logits ~ N(0, 1), one of them raised to lead the rest by 5 to 15 nats; "
            "the target is that class on 90% of the rows"
        ),
        "draw": _confident_logits,
    },
    "language model": {
        "function": "softmax_cross_entropy",
        "description": (
            "Zipf-like logits, −1.1 log(rank) + N(0, 0.5²), ranks shuffled in each row; "
            "targets drawn from the model's own softmax"
        ),
        "draw": _language_model_logits,
    },
    "balanced": {
        "function": "binary_cross_entropy_with_logits",
        "description": "logits ~ N(0, 3²); targets drawn from sigmoid(z)",
        "draw": _bce_balanced,
    },
    "saturated": {
        "function": "binary_cross_entropy_with_logits",
        "description": "|z| uniform in [20, 60] with a random sign; targets a fair coin",
        "draw": _bce_saturated,
    },
    "confident and right": {
        "function": "binary_cross_entropy_with_logits",
        "description": "|z| uniform in [5, 15] with a random sign; the target is the sign's side",
        "draw": _bce_confident_right,
    },
}


def softmax_ce_case(regime: str, n: int, c: int) -> dict:
    z, y = REGIMES[regime]["draw"](np.random.default_rng(0), n, c)
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    return {
        "logits": z,
        "calls": {
            "xr": lambda: float(xr.softmax_cross_entropy(z, y)),
            "torch": lambda: F.cross_entropy(zt, yt).item(),
            "scipy": lambda: _scipy_softmax_ce(z, y),
        },
    }


def bce_case(regime: str, n: int) -> dict:
    z, y = REGIMES[regime]["draw"](np.random.default_rng(0), n)
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    return {
        "logits": z,
        "calls": {
            "xr": lambda: float(xr.binary_cross_entropy_with_logits(z, y)),
            "torch": lambda: F.binary_cross_entropy_with_logits(zt, yt).item(),
            "scipy": lambda: _scipy_bce(z, y),
        },
    }


#: Every case: its regime and shape. Softmax cross-entropy on a classifier's
#: batch (32768 x 1000) and on a language model's (256 x 50257); binary
#: cross-entropy with logits on 4e6 logits.
CASES: dict[str, tuple[str, list[int]]] = {
    "softmax_cross_entropy_32768x1000": ("random N(0, 1)", [32768, 1000]),
    "softmax_cross_entropy_32768x1000_wide2": ("wide, σ = 2", [32768, 1000]),
    "softmax_cross_entropy_32768x1000_wide4": ("wide, σ = 4", [32768, 1000]),
    "softmax_cross_entropy_32768x1000_confident": ("confident classifier", [32768, 1000]),
    "softmax_cross_entropy_256x50257": ("random N(0, 1)", [256, 50257]),
    "softmax_cross_entropy_256x50257_lm": ("language model", [256, 50257]),
    "binary_cross_entropy_with_logits_4000000": ("balanced", [4_000_000]),
    "binary_cross_entropy_with_logits_4000000_saturated": ("saturated", [4_000_000]),
    "binary_cross_entropy_with_logits_4000000_confident": ("confident and right", [4_000_000]),
}


def make_case(name: str) -> dict:
    regime, shape = CASES[name]
    if REGIMES[regime]["function"] == "softmax_cross_entropy":
        return softmax_ce_case(regime, *shape)
    return bce_case(regime, *shape)


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def _timed(call: Callable[[], float]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call."""
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()


def measure_times(
    calls: dict[str, Callable[[], float]], repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Warm each call up once, then time ``repeats`` rounds, the calls taking turns.

    Returns the wall-clock and the CPU times of every call.
    """
    for call in calls.values():
        call()
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for round_ in range(repeats):
        # each round starts one implementation later: none always runs first
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            w, c = _timed(calls[name])
            wall[name].append(w)
            cpu[name].append(c)
    return wall, cpu


def measure_peak_extra(call: Callable[[], float]) -> int:
    """Bytes allocated at the peak of one call, above what was in use before it."""
    gc.collect()
    tracemalloc.start()
    try:
        call()  # first call under tracing: let any lazy, one-off allocation happen
        gc.collect()
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - baseline


def run_case(name: str, repeats: int) -> dict:
    """Time and measure one case, keeping only raw figures."""
    regime, shape = CASES[name]
    case = make_case(name)
    calls = case["calls"]
    values = {impl: call() for impl, call in calls.items()}
    wall, cpu = measure_times(calls, repeats)
    implementations = {
        impl: {
            "cpu_times_s": [round(t, 6) for t in cpu[impl]],
            "loss": values[impl],
            # torch's allocator is invisible to tracemalloc
            "peak_extra_bytes": None if impl == "torch" else measure_peak_extra(calls[impl]),
            "times_s": [round(t, 6) for t in wall[impl]],
        }
        for impl in IMPLEMENTATIONS
    }
    return {
        "function": REGIMES[regime]["function"],
        "implementations": implementations,
        "logits_nbytes": case["logits"].nbytes,
        "regime": regime,
        "shape": shape,
    }


# ---------------------------------------------------------------------------
# Machine and settings
# ---------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict:
    pools = [
        {
            key: pool.get(key)
            for key in (
                "architecture", "internal_api", "num_threads", "prefix", "user_api", "version"
            )
        }
        for pool in threadpoolctl.threadpool_info()
    ]
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "system": platform.system(),
        "versions": {
            "mpmath": mpmath.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "torch": torch.__version__,
        },
        "thread_pools": pools,
    }


def thread_settings() -> dict:
    return {
        "environment_set_by_bench": {name: os.environ[name] for name in THREAD_VARIABLES},
        "environment_before": ENVIRONMENT_BEFORE,
        "left_as_found": {
            name: os.environ.get(name) for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        },
        "torch_num_threads": torch.get_num_threads(),
    }


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _json_safe(value):
    """Infinite floats as the strings "inf"/"-inf" (strict JSON has no infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _fmt_ulp(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "inf"
    return f"{value:.2f}" if value < 100 else f"{value:.1e}"


def _median_ratio(case: dict, impl: str, key: str) -> tuple[float, float]:
    times = case["implementations"][impl][key]
    median = statistics.median(times)
    return median, median / statistics.median(case["implementations"]["torch"][key])


def print_tables(results: dict) -> None:
    print()
    print("Speed (median seconds; ratio = median / torch's median, 1 thread) and peak extra")
    print("memory (fraction of the logits' nbytes, tracemalloc)")
    header = (
        f"{'case':<52}{'impl':<9}{'median s':>10}{'ratio':>8}{'cpu ratio':>10}{'memory':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, case in results["benchmarks"].items():
        for impl, entry in case["implementations"].items():
            median, ratio = _median_ratio(case, impl, "times_s")
            _, cpu_ratio = _median_ratio(case, impl, "cpu_times_s")
            extra = entry["peak_extra_bytes"]
            memory = "n/a" if extra is None else f"{extra / case['logits_nbytes']:.4f}"
            print(
                f"{name if impl == 'xr' else '':<52}{impl:<9}{median:>10.4f}"
                f"{ratio:>8.3f}{cpu_ratio:>10.3f}{memory:>9}"
            )
        target = results["targets"]["time"][case["function"]]
        _, ratio = _median_ratio(case, "xr", "times_s")
        print(f"{'':<52}xr target <= {target}: {'met' if ratio <= target else 'NOT MET'}")
    print()
    accuracy_results = results["accuracy"]
    print(f"Accuracy: worst error in ulp against mpmath ({accuracy_results['mp_dps']} digits)")
    impls = accuracy_results["implementations"]
    header = f"{'function':<44}{'values':>7}" + "".join(f"{impl:>12}" for impl in impls)
    print(header)
    print("-" * len(header))
    for function, entry in accuracy_results["functions"].items():
        print(
            f"{function:<44}{entry['n_values']:>7}"
            + "".join(
                f"{_fmt_ulp(entry['worst_ulp'].get(impl)):>12}" for impl in impls
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds per case (default 7)")
    parser.add_argument(
        "--cases", nargs="*", default=list(CASES), choices=list(CASES), help="cases to run"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="results file (default %(default)s)"
    )
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    benchmarks = {}
    for name in args.cases:
        print(f"timing {name} ...", flush=True)
        benchmarks[name] = run_case(name, args.repeats)
    print("accuracy against mpmath ...", flush=True)
    accuracy_results = accuracy.run()
    results = {
        "accuracy": accuracy_results,
        "benchmarks": benchmarks,
        "targets": TARGETS,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine_info(),
        "regimes": {
            name: {key: regime[key] for key in ("description", "function")}
            for name, regime in REGIMES.items()
        },
        "schema_version": 2,
        "settings": {
            "dtype": "float64",
            "load_average_1min": {
                "after": round(os.getloadavg()[0], 2),
                "before": round(load_before[0], 2),
            },
            "repeats": args.repeats,
            "seed": 0,
            "cpu_timer": "time.process_time",
            "order": "interleaved, each round starting one implementation later",
            "threads": thread_settings(),
            "timer": "time.perf_counter",
            "warmup_calls": 1,
        },
    }
    args.output.write_text(json.dumps(_json_safe(results), indent=2, sort_keys=True) + "\n")
    print_tables(results)
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
