"""Figures and claims derived from ``benchmarks/results.json``.

``results.json`` keeps only raw figures (every time of every run). This
module derives what the page "Accuracy and speed" shows from them: medians,
ratios to PyTorch, the spread of the runs, verdicts against the targets, and
the page's opening claims, which the weakest regime sets. The page and the
tests both call it, so a sentence on the page can never claim more than the
results support.
"""

from __future__ import annotations

import math
import statistics

#: How the functions are named in a sentence.
FUNCTION_NAMES = {
    "softmax_cross_entropy": "softmax cross-entropy",
    "binary_cross_entropy_with_logits": "binary cross-entropy with logits",
}


def median_time(case: dict, impl: str, key: str = "times_s") -> float:
    """Median of an implementation's times (``key``: ``times_s`` or ``cpu_times_s``)."""
    return statistics.median(case["implementations"][impl][key])


def ratio(case: dict, impl: str = "xr", key: str = "times_s") -> float:
    """Median time of ``impl`` over PyTorch's median time, from the same run."""
    return median_time(case, impl, key) / median_time(case, "torch", key)


def round_ratios(case: dict, impl: str = "xr", key: str = "times_s") -> list[float]:
    """Ratio of ``impl``'s time to PyTorch's in each round (the two ran one after the other)."""
    impls = case["implementations"]
    return [a / b for a, b in zip(impls[impl][key], impls["torch"][key], strict=True)]


def memory_fraction(case: dict, impl: str = "xr") -> float | None:
    """Peak extra memory of one call over the size of the logits (None for torch)."""
    extra = case["implementations"][impl]["peak_extra_bytes"]
    return None if extra is None else extra / case["logits_nbytes"]


def fmt_ratio(value: float, target: float) -> str:
    """``value`` with the fewest decimals (at least 2) that compare with ``target`` as it does.

    A ratio of 0.4972 against a target of 0.5 is shown as "0.497", not
    "0.50", and 0.5004 as "0.5004": a rounded figure never seems to meet, or
    to miss, a target that the exact figure does not.
    """
    if value == target:
        return f"{value:.2f}"
    for decimals in range(2, 8):
        text = f"{value:.{decimals}f}"
        shown = float(text)
        if shown != target and (shown <= target) == (value <= target):
            return text
    return f"{value:.8f}"


def fmt_at_most(value: float, target: float) -> str:
    """An upper bound on ``value`` for "at most ...": rounded up, with :func:`fmt_ratio`'s care."""
    if value == target:
        return f"{value:.2f}"
    for decimals in range(2, 8):
        shown = math.ceil(value * 10**decimals) / 10**decimals
        if shown != target and (shown <= target) == (value <= target):
            return f"{shown:.{decimals}f}"
    return f"{value:.8f}"


def _case_order(item: tuple[str, dict]) -> tuple:
    """Softmax cross-entropy first; within a loss, larger batches first, then by regime."""
    case = item[1]
    return (list(FUNCTION_NAMES).index(case["function"]), -math.prod(case["shape"]),
            case["regime"])


def verdicts(results: dict) -> list[dict]:
    """One entry per case: its regime, ratios, spread and whether each target is met."""
    out = []
    for name, case in sorted(results["benchmarks"].items(), key=_case_order):
        target = results["targets"]["time"][case["function"]]
        value = ratio(case)
        rounds = round_ratios(case)
        memory = memory_fraction(case)
        out.append(
            {
                "case": name,
                "function": case["function"],
                "regime": case["regime"],
                "shape": case["shape"],
                "ratio": value,
                "ratio_text": fmt_ratio(value, target),
                "at_most_text": fmt_at_most(value, target),
                "cpu_ratio": ratio(case, key="cpu_times_s"),
                "spread": (min(rounds), max(rounds)),
                "target": target,
                "met": value <= target,
                "memory": memory,
                "memory_met": memory <= results["targets"]["memory"],
            }
        )
    return out


def _shape_text(entry: dict) -> str:
    return " × ".join(map(str, entry["shape"]))


def _regime_list(entries: list[dict]) -> str:
    parts = [f"{e['regime']} ({_shape_text(e)}): {e['ratio_text']}×" for e in entries]
    return "; ".join(parts)


def function_claim(results: dict, function: str) -> str:
    """One sentence on ``function``'s speed that its weakest regime supports."""
    entries = [v for v in verdicts(results) if v["function"] == function]
    target = results["targets"]["time"][function]
    worst = max(entries, key=lambda e: e["ratio"])
    name = FUNCTION_NAMES[function]
    n = len(entries)
    target_text = f"{target:g}×"
    cases = "the one case measured" if n == 1 else f"every one of the {n} cases measured"
    if worst["met"]:
        return (
            f"Its {name} takes at most {worst['at_most_text']}× PyTorch's single-thread time "
            f"in {cases}, median against median (target: at most {target_text}); "
            f"the highest ratio is in the \"{worst['regime']}\" regime "
            f"({_shape_text(worst)})."
        )
    missed = [e for e in entries if not e["met"]]
    # "of them" below counts among the missed cases only
    slower = [e for e in missed if e["ratio"] >= 1]
    sentence = (
        f"Its {name} misses the target of {target_text} PyTorch's single-thread time, "
        f"median against median, in {len(missed)} of the {n} cases measured: "
        f"{_regime_list(missed)}."
    )
    if len(slower) == len(missed):
        sentence += (" It is not faster than PyTorch there." if len(missed) == 1
                     else " It is not faster than PyTorch in any of them.")
    elif slower:
        sentence += f" It is not faster than PyTorch in {len(slower)} of them."
    return sentence


def opening_claim(results: dict) -> str:
    """The page's claim about speed: one sentence per loss, set by its weakest regime."""
    measured = {case["function"] for case in results["benchmarks"].values()}
    return " ".join(function_claim(results, f) for f in FUNCTION_NAMES if f in measured)
