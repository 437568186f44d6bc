"""The committed benchmark results, ``benchmarks/results.json``, and the claims derived from them.

``make bench`` writes the file and the page "Accuracy and speed" renders it;
these tests read it and never rerun (or time) anything. They check that every
regime, case and implementation is there with raw figures only, that the
implementations timed agree on the loss and on a closed-form expectation,
that the accuracy section covers the API and keeps xent_ref's bound, and that
the claims the page generates (``benchmarks/summary.py``) never say more than
the figures support. Oracles: the targets (0.5x, 1.0x, 0.1x); the expected
loss of N(0, 1) logits, log(C) + 1/2 for large C; expected binary
cross-entropies by quadrature.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import re
import statistics
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results.json"
PAGE = ROOT / "docs" / "reference" / "accuracy-and-speed.md"


def _load_summary():
    spec = importlib.util.spec_from_file_location("summary", ROOT / "benchmarks" / "summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


summary = _load_summary()

REGIMES = {
    "random N(0, 1)": "softmax_cross_entropy",
    "wide, σ = 2": "softmax_cross_entropy",
    "wide, σ = 4": "softmax_cross_entropy",
    "confident classifier": "softmax_cross_entropy",
    "language model": "softmax_cross_entropy",
    "balanced": "binary_cross_entropy_with_logits",
    "saturated": "binary_cross_entropy_with_logits",
    "confident and right": "binary_cross_entropy_with_logits",
}
TARGETS = {
    "memory": 0.1,
    "time": {"softmax_cross_entropy": 0.5, "binary_cross_entropy_with_logits": 1.0},
}
SPEED_IMPLEMENTATIONS = {"xr", "torch", "scipy"}

ACCURACY_FUNCTIONS = {
    "logsumexp",
    "log_softmax",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy, mean",
    "softmax_cross_entropy, weight and label_smoothing",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits, mean",
    "binary_cross_entropy_with_logits, weight and pos_weight",
    "log_sigmoid",
    "sigmoid",
    "entropy",
    "cross_entropy",
    "kl_divergence",
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


def _number(value) -> float:
    if isinstance(value, str):
        assert value in ("inf", "-inf"), f"a number or '±inf', got {value!r}"
        return float(value)
    assert isinstance(value, int | float)
    return float(value)


# ---------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------


def test_file_is_canonical_json(text, results):
    """Keys sorted, two-space indent, final newline: a rerun changes values, never layout."""
    assert text == json.dumps(results, indent=2, sort_keys=True) + "\n"


def test_top_level_sections(results):
    assert results["schema_version"] == 2
    assert set(results) == {
        "accuracy", "benchmarks", "date", "machine", "regimes", "schema_version", "settings",
        "targets",
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", results["date"])
    assert results["targets"] == TARGETS


def test_threads_are_pinned_and_recorded(results):
    machine, settings = results["machine"], results["settings"]
    assert isinstance(machine["cpu_model"], str) and machine["cpu_model"]
    assert machine["cpu_count"] >= 1
    assert set(machine["versions"]) == {"mpmath", "numpy", "scipy", "torch"}
    threads = settings["threads"]
    assert threads["environment_set_by_bench"] == {
        "MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
    }
    assert threads["torch_num_threads"] == 1
    # threadpoolctl: NumPy's BLAS is among the pools, and every pool runs one thread
    pools = machine["thread_pools"]
    assert any(pool["user_api"] == "blas" for pool in pools)
    assert all(pool["num_threads"] == 1 for pool in pools)
    # recorded as found, whether set or not
    assert set(threads["left_as_found"]) == {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    assert settings["timer"] == "time.perf_counter"
    assert settings["cpu_timer"] == "time.process_time"
    assert settings["order"].startswith("interleaved")
    assert settings["repeats"] >= 3 and settings["warmup_calls"] >= 1
    assert settings["dtype"] == "float64" and settings["seed"] == 0


# ---------------------------------------------------------------------------
# Speed and memory: raw figures only
# ---------------------------------------------------------------------------


def test_every_regime_is_described_and_measured(results):
    regimes = results["regimes"]
    assert {name: r["function"] for name, r in regimes.items()} == REGIMES
    assert all(r["description"] for r in regimes.values())
    measured = {case["regime"] for case in results["benchmarks"].values()}
    assert measured == set(REGIMES)
    # the language model's vocabulary is 50257-way
    assert any(
        case["regime"] == "language model" and case["shape"][1] == 50257
        for case in results["benchmarks"].values()
    )


def test_cases_keep_raw_figures_only(results):
    repeats = results["settings"]["repeats"]
    for name, case in results["benchmarks"].items():
        assert set(case) == {"function", "implementations", "logits_nbytes", "regime", "shape"}
        assert case["function"] == REGIMES[case["regime"]], name
        assert case["logits_nbytes"] == math.prod(case["shape"]) * 8  # float64
        assert set(case["implementations"]) == SPEED_IMPLEMENTATIONS, name
        for impl, entry in case["implementations"].items():
            # no median, ratio or verdict is stored: they are derived
            assert set(entry) == {"cpu_times_s", "loss", "peak_extra_bytes", "times_s"}
            for key in ("times_s", "cpu_times_s"):
                assert len(entry[key]) == repeats, (name, impl)
                assert all(t > 0 for t in entry[key]), (name, impl)
            if impl == "torch":
                assert entry["peak_extra_bytes"] is None  # invisible to tracemalloc
            else:
                assert isinstance(entry["peak_extra_bytes"], int) and entry["peak_extra_bytes"] >= 0


def test_the_implementations_computed_the_same_loss(results):
    for name, case in results["benchmarks"].items():
        losses = {impl: e["loss"] for impl, e in case["implementations"].items()}
        for impl, loss in losses.items():
            assert loss == pytest.approx(losses["torch"], rel=1e-9, abs=0), (name, impl)


def _cases(results, regime):
    return [c for c in results["benchmarks"].values() if c["regime"] == regime]


def test_softmax_loss_of_random_logits_matches_its_expectation(results):
    """For z ~ N(0, 1) i.i.d. over C classes, E[LSE(z) - z_y] -> log(C) + 1/2 as C grows.

    (sum_j e^{z_j} concentrates at C e^{1/2}, the mean of the log-normal.)
    """
    for case in _cases(results, "random N(0, 1)"):
        c = case["shape"][1]
        loss = case["implementations"]["torch"]["loss"]
        assert loss == pytest.approx(math.log(c) + 0.5, abs=0.05)


def _expectation(f, lo, hi, density):
    x = np.linspace(lo, hi, 400_001)
    return float(np.trapezoid(density(x) * f(x), x))


def test_binary_losses_match_their_expectations(results):
    """Expected BCE of each regime, by the trapezoid rule; 4e6 samples are far more precise."""

    def softplus(t):
        return np.logaddexp(0.0, t)

    # balanced: z ~ N(0, 3^2), y ~ Bernoulli(sigmoid(z)): E = E[h(sigmoid(z))], with
    # h(sigmoid(z)) = softplus(z) - z sigmoid(z)
    balanced = _expectation(
        lambda z: softplus(z) - z / (1 + np.exp(-z)), -40.0, 40.0,
        lambda z: np.exp(-0.5 * (z / 3) ** 2) / (3 * math.sqrt(2 * math.pi)),
    )
    # saturated: |z| ~ U(20, 60), a fair coin: E = (E[softplus(|z|)] + E[softplus(-|z|)]) / 2
    saturated = _expectation(
        lambda t: (softplus(t) + softplus(-t)) / 2, 20.0, 60.0, lambda t: np.full_like(t, 1 / 40)
    )
    # confident and right: |z| ~ U(5, 15) on the target's side: E = E[softplus(-|z|)]
    right = _expectation(lambda t: softplus(-t), 5.0, 15.0, lambda t: np.full_like(t, 1 / 10))
    for regime, expected, tolerance in [
        ("balanced", balanced, 5e-3), ("saturated", saturated, 0.05), ("confident and right",
                                                                        right, 2e-4),
    ]:
        for case in _cases(results, regime):
            loss = case["implementations"]["torch"]["loss"]
            assert loss == pytest.approx(expected, abs=tolerance), regime


# ---------------------------------------------------------------------------
# The derived figures and claims
# ---------------------------------------------------------------------------


def test_derived_ratios_follow_from_the_times(results):
    for v in summary.verdicts(results):
        case = results["benchmarks"][v["case"]]
        impls = case["implementations"]
        xr_median = statistics.median(impls["xr"]["times_s"])
        torch_median = statistics.median(impls["torch"]["times_s"])
        assert v["ratio"] == xr_median / torch_median
        assert v["met"] is (v["ratio"] <= TARGETS["time"][case["function"]])
        rounds = [a / b for a, b in zip(impls["xr"]["times_s"], impls["torch"]["times_s"])]
        assert v["spread"] == (min(rounds), max(rounds))
        assert v["memory_met"] is (impls["xr"]["peak_extra_bytes"] / case["logits_nbytes"] <= 0.1)


@pytest.mark.parametrize(
    ("value", "target", "shown", "at_most"),
    [
        (0.4972, 0.5, "0.497", "0.498"),  # not "0.50 (target met)"
        (0.5004, 0.5, "0.5004", "0.51"),  # not "0.50 (target met)" either
        (0.3612, 0.5, "0.36", "0.37"),
        (0.9996, 1.0, "0.9996", "0.9996"),
        (1.2, 1.0, "1.20", "1.20"),
        (0.5, 0.5, "0.50", "0.50"),
    ],
)
def test_shown_ratios_compare_with_the_target_as_the_ratio_does(value, target, shown, at_most):
    assert summary.fmt_ratio(value, target) == shown
    assert summary.fmt_at_most(value, target) == at_most
    assert float(at_most) >= value


def _with_ratio(results, case_name, xr_over_torch):
    """A copy of ``results`` where ``xr`` took ``xr_over_torch`` times torch's time in every round."""
    changed = copy.deepcopy(results)
    impls = changed["benchmarks"][case_name]["implementations"]
    impls["xr"]["times_s"] = [t * xr_over_torch for t in impls["torch"]["times_s"]]
    return changed


def _claim_supported(results, sentence):
    """Every claim in ``sentence`` holds for ``results``."""
    verdicts = summary.verdicts(results)
    for function, name in summary.FUNCTION_NAMES.items():
        entries = [v for v in verdicts if v["function"] == function]
        if not entries:
            continue
        worst = max(v["ratio"] for v in entries)
        for clause in sentence.split("Its ")[1:]:
            if not clause.startswith(name + " "):
                continue
            if "faster than PyTorch" in clause and "not faster" not in clause:
                assert worst < 1, clause
            match = re.search(r"takes at most ([0-9.]+)×", clause)
            if match:
                assert worst <= float(match.group(1)), clause
                assert all(v["met"] for v in entries), clause
            if "misses the target" in clause:
                assert not all(v["met"] for v in entries), clause
                count = int(re.search(r"in (\d+) of the", clause).group(1))
                assert count == sum(not v["met"] for v in entries), clause
    return True


def test_the_opening_claim_holds_for_the_committed_results(results):
    assert _claim_supported(results, summary.opening_claim(results))


@pytest.mark.parametrize("ratio", [0.3, 0.4972, 0.5, 0.5004, 0.9, 1.3, 3.0])
def test_the_opening_claim_follows_the_weakest_regime(results, ratio):
    # one softmax case at any ratio: the claim must still hold, and a ratio
    # that only rounds to the target is not called met
    name = next(n for n, c in results["benchmarks"].items()
                if c["function"] == "softmax_cross_entropy")
    changed = _with_ratio(results, name, ratio)
    sentence = summary.opening_claim(changed)
    assert _claim_supported(changed, sentence)
    if ratio > 0.5:
        assert "misses the target" in sentence
    if ratio >= 1:
        assert "not faster than PyTorch" in sentence


def test_page_prose_states_no_figure_of_its_own():
    """Every ratio, verdict and speed comparison in the page's prose is generated.

    Outside code cells, the page may not write a ratio ("0.36×"), a verdict
    ("target met") or a comparison with PyTorch's speed ("faster than"): those
    come from the results, through glued values.
    """
    prose = re.sub(r"```.*?```", "", PAGE.read_text(), flags=re.S)
    assert not re.search(r"\d×", prose)
    assert not re.search(r"\b(target|targets) (is |are )?(met|missed)\b", prose)
    assert not re.search(r"\b(faster|slower) than\b", prose)
    assert "the issue" not in prose.lower()


# ---------------------------------------------------------------------------
# Accuracy
# ---------------------------------------------------------------------------


def test_accuracy_section_covers_the_api(results):
    accuracy = results["accuracy"]
    assert accuracy["mp_dps"] == 50
    assert accuracy["ulp_bound"] == 4.0
    assert set(accuracy["implementations"]) == ACCURACY_IMPLEMENTATIONS
    assert set(accuracy["functions"]) == ACCURACY_FUNCTIONS
    groups = set(accuracy["row_groups"] + accuracy["elementwise_groups"]
                 + accuracy["information_groups"])
    for function, entry in accuracy["functions"].items():
        assert set(entry["by_group"]) <= groups, function
    # long rows with equal tails and logsumexp's ill-conditioned inputs are measured
    rows = accuracy["row_groups"]
    assert any("C = 50257, equal tails" in g for g in rows)
    assert any("C = 1000, equal tails" in g for g in rows)
    assert any(g.startswith("ill-conditioned logsumexp") for g in rows)
    # no group name can break a Markdown table
    assert not any("|" in g for g in groups)


@pytest.mark.parametrize("function", sorted(ACCURACY_FUNCTIONS))
def test_ulp_entries_for_every_implementation(results, function):
    entry = results["accuracy"]["functions"][function]
    assert entry["n_values"] > 0
    for group, worst in entry["by_group"].items():
        assert set(worst) == ACCURACY_IMPLEMENTATIONS, group
    for impl in ACCURACY_IMPLEMENTATIONS:
        worst = _number(entry["worst_ulp"][impl])
        assert worst >= 0
        assert worst == max(_number(g[impl]) for g in entry["by_group"].values()), impl
        assert 0 <= entry["n_over_bound"][impl] <= entry["n_values"]
        assert (entry["n_over_bound"][impl] > 0) is (worst > results["accuracy"]["ulp_bound"])


@pytest.mark.parametrize("function", sorted(ACCURACY_FUNCTIONS))
def test_worst_cases_reproduce_the_worst_errors(results, function):
    """The recorded worst value, its exact value and its unit give back the worst error.

    ``exact`` is stored rounded to float64, so the recomputed error may differ
    by up to half an ulp.
    """
    entry = results["accuracy"]["functions"][function]
    for impl in ACCURACY_IMPLEMENTATIONS:
        case = entry["worst_case"][impl]
        assert case["group"] in entry["by_group"]
        worst = _number(entry["worst_ulp"][impl])
        exact, computed = _number(case["exact"]), _number(case["computed"])
        unit = _number(case["ulp_of"])
        if math.isinf(exact) or not math.isfinite(worst):
            continue
        recomputed = abs(computed - exact) / math.ulp(unit)
        assert recomputed == pytest.approx(worst, abs=0.5, rel=1e-9), impl


def test_xr_keeps_its_accuracy_bound(results):
    """Within 4 ulp on every function (logsumexp: of max(|LSE|, sum |x_j| p_j))."""
    accuracy = results["accuracy"]
    for function, entry in accuracy["functions"].items():
        assert _number(entry["worst_ulp"]["xr"]) <= accuracy["ulp_bound"], function
