"""Speed, memory and accuracy of xent_ref's cross-entropy losses, side by side.

Run by ``make bench`` (``python benchmarks/bench.py``); it takes a few
minutes. It is a benchmark, not a test: it prints a table and writes
``benchmarks/results.json``, which the docs page "Accuracy and speed" renders
(the page never reruns it).

Speed. Each loss, on float64 inputs from ``np.random.default_rng(0)``, is
timed for four implementations in the same run:

* ``xr``: xent_ref;
* ``torch``: ``torch.nn.functional`` on float64 tensors sharing the NumPy
  memory (``torch.from_numpy``), with ``torch.set_num_threads(1)``;
* ``scipy``: the formula over ``scipy.special.log_softmax`` (softmax
  cross-entropy) or ``scipy.special.log_expit`` (BCE with logits);
* ``sklearn``: ``sklearn.metrics.log_loss`` on the same probabilities,
  computed before the timing.

Every implementation is called once to warm up; then the implementations take
turns, round after round, so that a change in the machine's load hits them
all alike, and each time is the median of its rounds. The wall-clock time
(``time.perf_counter``) is the figure the targets are judged on; the CPU time
of the process (``time.process_time``) is recorded beside it, since on a
shared machine it is far less sensitive to other processes. The ratios
``time / torch time`` come from the same run. The environment variables
``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` are
set to 1 before NumPy, SciPy and torch load, so no library gets more threads
than torch (NumPy's BLAS plays no part in these losses; the setting is for
fairness). ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are left as they
are and recorded: on some machines here they are set, and they slow NumPy.

Memory. Peak extra memory of one call, measured with :mod:`tracemalloc`
(NumPy reports its allocations to it): the peak during the call minus the
memory in use before it, as a fraction of the logits' ``nbytes``. torch's
allocator is invisible to tracemalloc, so torch has no figure.

Accuracy: see ``benchmarks/accuracy.py``.
"""

from __future__ import annotations

import os

# Set before NumPy, SciPy, scikit-learn or torch start their thread pools,
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
import sklearn
import threadpoolctl
import torch
import torch.nn.functional as F
from scipy import special
from sklearn.metrics import log_loss

import xent_ref as xr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import accuracy

torch.set_num_threads(1)

RESULTS = HERE / "results.json"

IMPLEMENTATIONS = ("xr", "torch", "scipy", "sklearn")

#: The issue's targets for xr: time as a multiple of torch's single-threaded
#: time, and peak extra memory as a multiple of the logits' size.
TIME_TARGETS = {"softmax_cross_entropy": 0.5, "binary_cross_entropy_with_logits": 1.0}
MEMORY_TARGET = 0.1


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


def _scipy_softmax_ce(z: np.ndarray, y: np.ndarray) -> float:
    return float(-special.log_softmax(z, axis=1)[np.arange(len(y)), y].mean())


def _scipy_bce(z: np.ndarray, y: np.ndarray) -> float:
    # log(1 - sigmoid(z)) = log_sigmoid(-z)
    return float(-(y * special.log_expit(z) + (1 - y) * special.log_expit(-z)).mean())


def softmax_ce_case(n: int, c: int) -> dict:
    """Logits ~ N(0, 1) of shape (n, c) and integer targets, uniform over the classes."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((n, c))
    y = rng.integers(0, c, n)
    p = special.softmax(z, axis=1)  # for sklearn, outside the timing
    labels = np.arange(c)
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    return {
        "function": "softmax_cross_entropy",
        "shape": [n, c],
        "logits": z,
        "calls": {
            "xr": lambda: float(xr.softmax_cross_entropy(z, y)),
            "torch": lambda: F.cross_entropy(zt, yt).item(),
            "scipy": lambda: _scipy_softmax_ce(z, y),
            "sklearn": lambda: float(log_loss(y, p, labels=labels)),
        },
    }


def bce_case(n: int) -> dict:
    """Logits ~ N(0, 3^2) and 0/1 targets drawn from the model's own probabilities."""
    rng = np.random.default_rng(0)
    z = 3 * rng.standard_normal(n)
    p = special.expit(z)  # for sklearn, outside the timing
    y = (rng.random(n) < p).astype(np.float64)
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    return {
        "function": "binary_cross_entropy_with_logits",
        "shape": [n],
        "logits": z,
        "calls": {
            "xr": lambda: float(xr.binary_cross_entropy_with_logits(z, y)),
            "torch": lambda: F.binary_cross_entropy_with_logits(zt, yt).item(),
            "scipy": lambda: _scipy_bce(z, y),
            "sklearn": lambda: float(log_loss(y, p, labels=[0.0, 1.0])),
        },
    }


CASES: dict[str, Callable[[], dict]] = {
    "softmax_cross_entropy_32768x1000": lambda: softmax_ce_case(32768, 1000),
    "softmax_cross_entropy_256x50257": lambda: softmax_ce_case(256, 50257),
    "binary_cross_entropy_with_logits_4000000": lambda: bce_case(4_000_000),
}


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
    for _ in range(repeats):
        for name, call in calls.items():
            w, c = _timed(call)
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
    case = CASES[name]()
    calls = case["calls"]
    values = {impl: call() for impl, call in calls.items()}
    wall, cpu = measure_times(calls, repeats)
    nbytes = case["logits"].nbytes
    medians = {impl: round(statistics.median(t), 6) for impl, t in wall.items()}
    cpu_medians = {impl: round(statistics.median(t), 6) for impl, t in cpu.items()}
    implementations = {}
    for impl in IMPLEMENTATIONS:
        entry = {
            "cpu_ratio_to_torch": round(cpu_medians[impl] / cpu_medians["torch"], 4),
            "cpu_times_s": [round(t, 6) for t in cpu[impl]],
            "loss": values[impl],
            "median_cpu_s": cpu_medians[impl],
            "median_s": medians[impl],
            "ratio_to_torch": round(medians[impl] / medians["torch"], 4),
            "times_s": [round(t, 6) for t in wall[impl]],
        }
        if impl == "torch":
            entry["peak_extra_bytes"] = None
            entry["peak_extra_fraction"] = None
        else:
            extra = measure_peak_extra(calls[impl])
            entry["peak_extra_bytes"] = extra
            entry["peak_extra_fraction"] = round(extra / nbytes, 6)
        implementations[impl] = entry
    time_target = TIME_TARGETS[case["function"]]
    xr_entry = implementations["xr"]
    return {
        "cpu_time_target_met": xr_entry["cpu_ratio_to_torch"] <= time_target,
        "function": case["function"],
        "implementations": implementations,
        "logits_nbytes": nbytes,
        "memory_target": MEMORY_TARGET,
        "memory_target_met": xr_entry["peak_extra_fraction"] <= MEMORY_TARGET,
        "shape": case["shape"],
        "time_target": time_target,
        "time_target_met": xr_entry["ratio_to_torch"] <= time_target,
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
    blas = [
        {
            key: pool.get(key)
            for key in ("architecture", "internal_api", "num_threads", "prefix", "version")
        }
        for pool in threadpoolctl.threadpool_info()
        if pool.get("user_api") == "blas"
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
            "scikit-learn": sklearn.__version__,
            "scipy": scipy.__version__,
            "torch": torch.__version__,
        },
        "numpy_blas": blas,
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


def _fmt_ulp(value: float) -> str:
    if not math.isfinite(value):
        return "inf"
    return f"{value:.2f}" if value < 100 else f"{value:.1e}"


def print_tables(results: dict) -> None:
    print()
    print("Speed (median seconds; ratio = time / torch 1-thread time) and peak extra memory")
    print("(fraction of the logits' nbytes, tracemalloc)")
    header = (
        f"{'case':<44}{'impl':<9}{'median s':>10}{'ratio':>8}{'cpu s':>9}{'cpu ratio':>10}"
        f"{'memory':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, case in results["benchmarks"].items():
        for impl, entry in case["implementations"].items():
            memory = entry["peak_extra_fraction"]
            memory_text = "n/a" if memory is None else f"{memory:.4f}"
            print(
                f"{name if impl == 'xr' else '':<44}{impl:<9}{entry['median_s']:>10.4f}"
                f"{entry['ratio_to_torch']:>8.3f}{entry['median_cpu_s']:>9.4f}"
                f"{entry['cpu_ratio_to_torch']:>10.3f}{memory_text:>9}"
            )

        def verdict(met: bool) -> str:
            return "met" if met else "NOT MET"

        print(
            f"{'':<44}target: ratio <= {case['time_target']} {verdict(case['time_target_met'])} "
            f"(cpu: {verdict(case['cpu_time_target_met'])}); "
            f"memory <= {case['memory_target']} {verdict(case['memory_target_met'])}"
        )
    print()
    accuracy_results = results["accuracy"]
    print(f"Accuracy: worst error in ulp against mpmath ({accuracy_results['mp_dps']} digits)")
    impls = accuracy_results["implementations"]
    header = f"{'function':<36}{'values':>7}" + "".join(f"{impl:>12}" for impl in impls)
    print(header)
    print("-" * len(header))
    for function, entry in accuracy_results["functions"].items():
        print(
            f"{function:<36}{entry['n_values']:>7}"
            + "".join(f"{_fmt_ulp(entry['worst_ulp'][impl]):>12}" for impl in impls)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed rounds per case (default 9)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="results file (default %(default)s)"
    )
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    benchmarks = {}
    for name in CASES:
        print(f"timing {name} ...", flush=True)
        benchmarks[name] = run_case(name, args.repeats)
    print("accuracy against mpmath ...", flush=True)
    accuracy_results = accuracy.run()
    results = {
        "accuracy": accuracy_results,
        "benchmarks": benchmarks,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine_info(),
        "schema_version": 1,
        "settings": {
            "dtype": "float64",
            "load_average_1min": {
                "after": round(os.getloadavg()[0], 2),
                "before": round(load_before[0], 2),
            },
            "repeats": args.repeats,
            "seed": 0,
            "cpu_timer": "time.process_time",
            "statistic": "median",
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
