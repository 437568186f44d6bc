"""Tests of the shared argument checks in ``xent_ref._validation``.

The other modules rely on these contracts (see the module docstring); the
expected values are closed forms (counts, sums, means of small arrays).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xent_ref import _validation as v


def test_as_float_array_converts_and_does_not_copy_float64():
    x = np.arange(3.0)
    assert v.as_float_array(x, "x") is x
    y = v.as_float_array(np.array([1, 2], dtype=np.int8), "x")
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, [1.0, 2.0])
    np.testing.assert_array_equal(v.as_float_array([True, False], "x"), [1.0, 0.0])
    assert v.as_float_array(2.5, "x").shape == ()
    infinities = [math.inf, -math.inf]
    np.testing.assert_array_equal(v.as_float_array(infinities, "x"), infinities)


@pytest.mark.parametrize(
    ("value", "exc", "match"),
    [
        ([1.0, math.nan], ValueError, r"^pred: contains NaN"),
        ([1 + 1j], TypeError, r"^pred: "),
        (["1.0"], TypeError, r"^pred: "),
        ([1.0, None], TypeError, r"^pred: "),
        ([[1.0], [1.0, 2.0]], ValueError, r"^pred: "),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError, r"^pred: "),
    ],
)
def test_as_float_array_refuses(value, exc, match):
    with pytest.raises(exc, match=match):
        v.as_float_array(value, "pred")


def test_as_index_array():
    t = np.array([0, 2], dtype=np.uint8)
    assert v.as_index_array(t, "target") is t
    for bad in ([0.0, 1.0], [True, False], ["0"]):
        with pytest.raises(TypeError, match=r"^target: "):
            v.as_index_array(bad, "target")


def test_range_checks():
    v.check_finite(np.array([0.0, -1e308]), "a")
    with pytest.raises(ValueError, match=r"^a: "):
        v.check_finite(np.array([0.0, math.inf]), "a")
    v.check_nonnegative(np.array([0.0, 2.0]), "var")
    with pytest.raises(ValueError, match=r"^var: "):
        v.check_nonnegative(np.array([0.0, -1e-300]), "var")
    v.check_unit_interval(np.array([0.0, 1.0]), "target")
    for bad in ([-1e-300, 0.5], [0.5, 1.0 + 2**-52], [0.5, math.inf]):
        with pytest.raises(ValueError, match=r"^target: .*\[0, 1\]"):
            v.check_unit_interval(np.array(bad), "target")
    for fn in (v.check_finite, v.check_nonnegative, v.check_unit_interval):
        fn(np.empty((0, 3)), "a")  # nothing to check


def test_check_probabilities_tolerance():
    tol = v.SUM_TOLERANCE
    assert tol == 1e-6
    p = np.array([[0.5, 0.5 + 0.5 * tol], [1.0, 0.0]])
    assert v.check_probabilities(p, "p", axis=-1) is p  # accepted, not renormalised
    with pytest.raises(ValueError, match=r"^p: .*sum to 1"):
        v.check_probabilities([0.5, 0.5 + 2 * tol], "p", axis=-1)
    v.check_probabilities(p.T, "p", axis=0)
    with pytest.raises(ValueError, match=r"^p: .*sum to 1"):
        v.check_probabilities(p.T, "p", axis=1)
    assert v.check_probabilities(np.empty((0, 3)), "p", axis=-1).shape == (0, 3)
    with pytest.raises(ValueError, match=r"^p: "):
        v.check_probabilities(np.empty((3, 0)), "p", axis=-1)


def test_check_same_shape_names_the_second_argument():
    v.check_same_shape(np.zeros((2, 3)), np.ones((2, 3)), "pred", "target")
    message = r"^target: shape \(3,\) does not match pred shape \(2, 3\)"
    with pytest.raises(ValueError, match=message):
        v.check_same_shape(np.zeros((2, 3)), np.ones(3), "pred", "target")


def test_normalize_axis():
    assert v.normalize_axis(-1, 3) == 2
    assert v.normalize_axis(np.int64(1), 2) == 1
    with pytest.raises(ValueError, match=r"^axis: "):
        v.normalize_axis(2, 2)
    with pytest.raises(TypeError, match=r"^dim: "):
        v.normalize_axis(1.0, 2, "dim")
    with pytest.raises(TypeError, match=r"^axis: "):
        v.normalize_axis(True, 2)


def test_normalize_axis_is_numpys_with_our_message():
    # the same answers as numpy.lib.array_utils.normalize_axis_index, which it wraps
    from numpy.lib.array_utils import normalize_axis_index

    for ndim in (1, 2, 4):
        for axis in range(-ndim, ndim):
            assert v.normalize_axis(axis, ndim) == normalize_axis_index(axis, ndim)
    message = r"^dim: -3 is out of range for an array with 2 dimension\(s\)$"
    with pytest.raises(ValueError, match=message):
        v.normalize_axis(-3, 2, "dim")


def test_check_integer():
    assert v.check_integer(np.int16(3), "n") == 3
    assert v.check_integer(5, "n_bins", minimum=1) == 5
    with pytest.raises(ValueError, match=r"^n_bins: must be >= 1, got 0$"):
        v.check_integer(0, "n_bins", minimum=1)
    for bad in (True, 2.0, "3", None):
        with pytest.raises(TypeError, match=r"^n: must be an integer, got "):
            v.check_integer(bad, "n")
    with pytest.raises(TypeError, match=r"^ignore_index: must be an integer or None, got 1.5$"):
        v.check_integer(1.5, "ignore_index", or_none=True)


def test_check_real_positive_flag():
    assert v.check_real(np.float32(0.5), "x") == 0.5
    assert v.check_positive(2, "delta") == 2.0
    for bad in (0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"^delta: must be finite and > 0, got "):
            v.check_positive(bad, "delta")
    for bad in (True, "1", [1.0], None):
        with pytest.raises(TypeError, match=r"^delta: must be a real number, got "):
            v.check_positive(bad, "delta")
    assert v.check_flag(np.bool_(True), "full") is True
    for bad in (1, 0, "yes", None):
        with pytest.raises(TypeError, match=r"^full: must be True or False, got "):
            v.check_flag(bad, "full")


def test_check_scalar():
    assert v.check_scalar(np.array(2.0), "scale") == 2.0
    assert v.check_scalar(0.0, "k", allow_lower=True) == 0.0
    with pytest.raises(ValueError, match=r"^k: must be > 0.0, got 0.0$"):
        v.check_scalar(0.0, "k")
    with pytest.raises(ValueError, match=r"^k: must be > 0.0 and <= 5.0, got 6.0$"):
        v.check_scalar(6.0, "k", upper=5.0)
    with pytest.raises(ValueError, match=r"^k: must be finite, got inf$"):
        v.check_scalar(math.inf, "k")
    with pytest.raises(ValueError, match=r"^k: must be a scalar .* got shape \(2,\)$"):
        v.check_scalar([1.0, 2.0], "k")


def test_finite_arrays_and_binary_outcomes():
    x, y = v.as_finite_pair([1, 2], [3.0, 4.0])
    assert x.dtype == y.dtype == np.float64
    with pytest.raises(ValueError, match=r"^target: entries must be finite$"):
        v.as_finite_pair([1.0], [math.inf])
    with pytest.raises(ValueError, match=r"^target: shape \(1,\) does not match pred"):
        v.as_finite_pair([1.0, 2.0], [1.0])
    v.check_binary(np.array([0.0, 1.0, 1.0]), "target")
    with pytest.raises(ValueError, match=r"^y: labels must be 0 or 1, got 0.5$"):
        v.check_binary(np.array([1.0, 0.5]), "y", what="labels")


def test_check_base():
    assert v.check_base(None) is None
    assert v.check_base(2) == 2.0
    assert v.check_base(np.float32(0.5)) == 0.5
    for bad in (1, 1.0, 0, -2.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"^base: "):
            v.check_base(bad)
    for bad in ("2", True, [2.0]):
        with pytest.raises(TypeError, match=r"^base: "):
            v.check_base(bad)


def test_check_reduction():
    for r in ("mean", "sum", "none"):
        assert v.check_reduction(r) == r
    for bad in ("avg", "Mean", None, 0):
        with pytest.raises(ValueError, match=r"^reduction: "):
            v.check_reduction(bad)


def test_reduce():
    loss = np.array([1.0, 2.0, 6.0])
    assert v.reduce(loss, "none") is loss
    total, mean = v.reduce(loss, "sum"), v.reduce(loss, "mean")
    assert (total, mean) == (9.0, 3.0)
    assert type(total) is np.float64 and type(mean) is np.float64
    # With weights, "mean" divides by the total weight (torch cross-entropy).
    assert v.reduce(loss, "mean", weights=np.array([0.5, 1.0, 3.0])) == 2.0
    assert v.reduce(np.empty(0), "sum") == 0.0
    with pytest.raises(ValueError, match=r"^reduction: .*zero elements"):
        v.reduce(np.empty(0), "mean")
    with pytest.raises(ValueError, match=r"^target: .*total weight of zero"):
        v.reduce(np.zeros(2), "mean", weights=np.zeros(2), name="target")
    with pytest.raises(ValueError, match=r"^reduction: "):
        v.reduce(loss, "avg")
