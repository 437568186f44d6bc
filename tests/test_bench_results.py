"""The committed benchmark results, ``benchmarks/results.json``, are complete and consistent.

``make bench`` writes the file and the page "Accuracy and speed" renders it;
these tests read it and never rerun the benchmark. They check that every
benchmark and every implementation is there, that each derived figure (median,
ratio, memory fraction, met / not met, worst ulp) follows from the raw figures
beside it, and that the four implementations timed agree on the loss and on a
closed-form expectation. Oracles: the issue's targets (0.5x, 1.0x, 0.1x); the
expected loss of N(0, 1) logits, log(C) + 1/2 for large C; the expected binary
cross-entropy of calibrated labels, by quadrature.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from pathlib import Path

import numpy as np
import pytest

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results.json"

CASES = {
    "softmax_cross_entropy_32768x1000": ("softmax_cross_entropy", [32768, 1000], 0.5),
    "softmax_cross_entropy_256x50257": ("softmax_cross_entropy", [256, 50257], 0.5),
    "binary_cross_entropy_with_logits_4000000": (
        "binary_cross_entropy_with_logits",
        [4_000_000],
        1.0,
    ),
}
SPEED_IMPLEMENTATIONS = {"xr", "torch", "scipy", "sklearn"}
MEMORY_TARGET = 0.1

ACCURACY_FUNCTIONS = {
    "logsumexp",
    "log_softmax",
    "softmax_cross_entropy",
    "binary_cross_entropy_with_logits",
    "log_sigmoid",
}
ACCURACY_IMPLEMENTATIONS = {"xr", "torch", "scipy", "textbook"}


def _refuse_constant(name: str):
    raise ValueError(f"results.json: non-standard JSON constant {name}")


@pytest.fixture(scope="module")
def text() -> str:
    return RESULTS.read_text()


@pytest.fixture(scope="module")
def results(text: str) -> dict:
    # strict JSON: NaN and Infinity are refused (infinities are written as "inf")
    return json.loads(text, parse_constant=_refuse_constant)


def _ulp_value(value) -> float:
    if isinstance(value, str):
        assert value == "inf", f"an error in ulp is a number or 'inf', got {value!r}"
        return math.inf
    assert isinstance(value, int | float) and value >= 0
    return float(value)


# ---------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------


def test_file_is_canonical_json(text, results):
    """Keys sorted, two-space indent, final newline: a rerun changes values, never layout."""
    assert text == json.dumps(results, indent=2, sort_keys=True) + "\n"


def test_top_level_sections(results):
    assert results["schema_version"] == 1
    assert set(results) == {
        "accuracy",
        "benchmarks",
        "date",
        "machine",
        "schema_version",
        "settings",
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", results["date"])


def test_machine_and_settings_are_recorded(results):
    machine, settings = results["machine"], results["settings"]
    assert isinstance(machine["cpu_model"], str) and machine["cpu_model"]
    assert machine["cpu_count"] >= 1
    assert set(machine["versions"]) == {"mpmath", "numpy", "scikit-learn", "scipy", "torch"}
    assert all(isinstance(v, str) and v for v in machine["versions"].values())

    threads = settings["threads"]
    assert threads["environment_set_by_bench"] == {
        "MKL_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    assert threads["torch_num_threads"] == 1
    # recorded as found, whether set or not
    assert set(threads["left_as_found"]) == {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    assert settings["statistic"] == "median" and settings["timer"] == "time.perf_counter"
    assert settings["cpu_timer"] == "time.process_time"
    assert settings["repeats"] >= 3 and settings["warmup_calls"] >= 1
    assert settings["dtype"] == "float64" and settings["seed"] == 0


# ---------------------------------------------------------------------------
# Speed and memory
# ---------------------------------------------------------------------------


def test_every_benchmark_is_present(results):
    assert set(results["benchmarks"]) == set(CASES)
    for name, (function, shape, _) in CASES.items():
        case = results["benchmarks"][name]
        assert case["function"] == function
        assert case["shape"] == shape
        assert case["logits_nbytes"] == math.prod(shape) * 8  # float64
        assert set(case["implementations"]) == SPEED_IMPLEMENTATIONS


@pytest.mark.parametrize("name", sorted(CASES))
def test_medians_and_ratios_follow_from_the_times(results, name):
    case = results["benchmarks"][name]
    impls = case["implementations"]
    for impl, entry in impls.items():
        for times, median, ratio in [
            ("times_s", "median_s", "ratio_to_torch"),
            ("cpu_times_s", "median_cpu_s", "cpu_ratio_to_torch"),
        ]:
            assert len(entry[times]) == results["settings"]["repeats"], impl
            assert all(t > 0 for t in entry[times]), impl
            assert entry[median] == pytest.approx(statistics.median(entry[times]), abs=1e-6)
            assert entry[ratio] == pytest.approx(
                entry[median] / impls["torch"][median], abs=1e-4
            ), impl
    assert impls["torch"]["ratio_to_torch"] == impls["torch"]["cpu_ratio_to_torch"] == 1.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_targets_and_verdicts(results, name):
    """The targets are the issue's, and met / not met is what the ratio says."""
    case = results["benchmarks"][name]
    xr = case["implementations"]["xr"]
    assert case["time_target"] == CASES[name][2]
    assert case["time_target_met"] is (xr["ratio_to_torch"] <= case["time_target"])
    assert case["cpu_time_target_met"] is (xr["cpu_ratio_to_torch"] <= case["time_target"])
    assert case["memory_target"] == MEMORY_TARGET
    assert case["memory_target_met"] is (xr["peak_extra_fraction"] <= MEMORY_TARGET)


@pytest.mark.parametrize("name", sorted(CASES))
def test_memory_fractions_follow_from_the_bytes(results, name):
    case = results["benchmarks"][name]
    for impl, entry in case["implementations"].items():
        if impl == "torch":
            # torch's allocator is invisible to tracemalloc
            assert entry["peak_extra_bytes"] is None and entry["peak_extra_fraction"] is None
            continue
        assert isinstance(entry["peak_extra_bytes"], int) and entry["peak_extra_bytes"] >= 0
        assert entry["peak_extra_fraction"] == pytest.approx(
            entry["peak_extra_bytes"] / case["logits_nbytes"], abs=1e-6
        ), impl


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_implementations_computed_the_same_loss(results, name):
    losses = {impl: e["loss"] for impl, e in results["benchmarks"][name]["implementations"].items()}
    for impl, loss in losses.items():
        assert loss == pytest.approx(losses["torch"], rel=1e-9), impl


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith("softmax")])
def test_softmax_loss_matches_its_expectation(results, name):
    """For z ~ N(0, 1) i.i.d. over C classes, E[LSE(z) - z_y] -> log(C) + 1/2 as C grows.

    (sum_j e^{z_j} concentrates at C e^{1/2}, the mean of the log-normal.)
    """
    c = CASES[name][1][1]
    loss = results["benchmarks"][name]["implementations"]["torch"]["loss"]
    assert loss == pytest.approx(math.log(c) + 0.5, abs=0.05)


def test_binary_loss_matches_its_expectation(results):
    """z ~ N(0, 3^2), y ~ Bernoulli(sigmoid(z)): E[loss] = E[h(sigmoid(z))], h the binary entropy.

    The expectation is taken by the trapezoid rule on [-40, 40]; the sample
    mean of 4e6 losses has a standard error below 1e-3.
    """
    z = np.linspace(-40.0, 40.0, 200_001)
    density = np.exp(-0.5 * (z / 3) ** 2) / (3 * math.sqrt(2 * math.pi))
    # h(sigmoid(z)) = softplus(z) - z sigmoid(z), written to be stable on both sides
    sig = 1 / (1 + np.exp(-z))
    entropy = np.logaddexp(0.0, z) - z * sig
    expected = float(np.trapezoid(density * entropy, z))
    case = results["benchmarks"]["binary_cross_entropy_with_logits_4000000"]
    assert case["implementations"]["torch"]["loss"] == pytest.approx(expected, abs=5e-3)


# ---------------------------------------------------------------------------
# Accuracy
# ---------------------------------------------------------------------------


def test_accuracy_section(results):
    accuracy = results["accuracy"]
    assert accuracy["mp_dps"] == 50
    assert accuracy["ulp_bound"] == 4.0
    assert set(accuracy["implementations"]) == ACCURACY_IMPLEMENTATIONS
    assert set(accuracy["functions"]) == ACCURACY_FUNCTIONS
    # the groups of inputs, in the order the page shows them
    functions = accuracy["functions"]
    for function in ["logsumexp", "log_softmax", "softmax_cross_entropy"]:
        assert set(functions[function]["by_group"]) == set(accuracy["row_groups"]), function
    for function in ["binary_cross_entropy_with_logits", "log_sigmoid"]:
        assert set(functions[function]["by_group"]) == set(accuracy["elementwise_groups"]), function
    # no group name can break a Markdown table
    assert not any("|" in g for g in accuracy["row_groups"] + accuracy["elementwise_groups"])


@pytest.mark.parametrize("function", sorted(ACCURACY_FUNCTIONS))
def test_ulp_entries_for_every_implementation(results, function):
    entry = results["accuracy"]["functions"][function]
    assert entry["n_values"] > 0
    assert entry["by_group"], "no input groups"
    for group, worst in entry["by_group"].items():
        assert set(worst) == ACCURACY_IMPLEMENTATIONS, group
    for impl in ACCURACY_IMPLEMENTATIONS:
        worst = _ulp_value(entry["worst_ulp"][impl])
        assert worst == max(_ulp_value(g[impl]) for g in entry["by_group"].values()), impl
        assert 0 <= entry["n_over_bound"][impl] <= entry["n_values"]
        assert (entry["n_over_bound"][impl] > 0) is (worst > results["accuracy"]["ulp_bound"])


@pytest.mark.parametrize("function", sorted(ACCURACY_FUNCTIONS))
def test_worst_cases_reproduce_the_worst_errors(results, function):
    """The recorded worst value and its exact value give back the worst error.

    ``exact`` is stored rounded to float64, so the recomputed error may differ
    by up to half an ulp.
    """
    entry = results["accuracy"]["functions"][function]
    for impl in ACCURACY_IMPLEMENTATIONS:
        case = entry["worst_case"][impl]
        assert case["group"] in entry["by_group"]
        worst = _ulp_value(entry["worst_ulp"][impl])
        exact, computed = float(case["exact"]), float(case["computed"])
        if math.isinf(exact) or not math.isfinite(worst):
            continue
        recomputed = abs(computed - exact) / math.ulp(exact)
        assert recomputed == pytest.approx(worst, abs=0.5, rel=1e-9), impl


def test_xr_keeps_its_accuracy_contract(results):
    """The issue: within 4 ulp of mpmath on every finite input."""
    accuracy = results["accuracy"]
    for function, entry in accuracy["functions"].items():
        assert _ulp_value(entry["worst_ulp"]["xr"]) <= accuracy["ulp_bound"], function
