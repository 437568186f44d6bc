r"""Scoring rules and calibration: the Brier score, the calibration curve, ECE.

The log score :math:`-\log p_y` is the cross-entropy of the rest of
``xent_ref``. The Brier score is the other classical strictly proper scoring
rule: its expectation under the true distribution :math:`q` is smallest
exactly at :math:`p = q`. Calibration asks a different question: among the
predictions made with confidence about :math:`c`, is the event seen about a
fraction :math:`c` of the time? :func:`calibration_curve` bins the
predictions and :func:`expected_calibration_error` summarises the curve.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from xent_ref._blocking import _reduce_loss
from xent_ref._validation import (
    as_float_array,
    as_index_array,
    check_binary,
    check_integer,
    check_probabilities,
    check_unit_interval,
    input_result_dtype,
    to_result_dtype,
)

__all__ = ["CalibrationCurve", "brier_score", "calibration_curve", "expected_calibration_error"]

#: The binning strategies of :func:`calibration_curve`.
STRATEGIES = ("uniform", "quantile")


def brier_score(probs, target, *, reduction: str = "mean"):
    r"""Brier score of predicted class probabilities against class indices.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Predicted probability vectors, each row in [0, 1] summing to 1
        (within :math:`\max(10^{-6}, C\varepsilon)`, with :math:`\varepsilon`
        the machine epsilon of their floating dtype, of float64 for any other
        dtype; never renormalised).
    target : array_like of int, shape (N,)
        Class indices in ``[0, C)`` (any integer dtype; floats are refused).
    reduction : {"mean", "sum", "none"}, optional
        ``"mean"`` (default) averages over the N samples.

    Returns
    -------
    numpy.floating or ndarray, shape (N,)
        The reduced score, or the per-sample scores for ``"none"``; each in
        [0, 2].

    Raises
    ------
    ValueError
        If ``probs`` is not 2-d, a row is not a probability vector, ``target``
        does not have shape (N,), an index is out of range, or the reduction
        is unknown (or ``"mean"`` of an empty batch).
    TypeError
        If ``target`` does not have an integer dtype, or ``probs`` is not real.

    See Also
    --------
    xent_ref.softmax_cross_entropy : the log score, :math:`-\log p_{iy_i}`.
    sklearn.metrics.brier_score_loss : the same score with
        ``scale_by_half=False``; by default it halves the two-class case.

    Notes
    -----
    The convention is Brier's original multi-class one [1]_, the squared
    distance between the probability vector and the one-hot outcome, summed
    over the classes:

    .. math::

        \mathrm{BS}(p, y) = \sum_{c=1}^{C} \bigl(p_c - [c = y]\bigr)^2
                          = (1 - p_y)^2 + \sum_{c \ne y} p_c^2 \in [0, 2].

    It treats every class alike, so it is the same number whichever class
    is called "positive". For two classes it is :math:`2(p_1 - y)^2`: twice
    the binary form ``sklearn.metrics.brier_score_loss(y, p1)``, which
    scores only the probability of class 1 and lies in [0, 1].

    It is strictly proper [2]_: for outcomes drawn from :math:`q`,

    .. math::

        \mathbb E_{y \sim q}\,\mathrm{BS}(p, y)
            = \lVert p - q\rVert^2 + \bigl(1 - \lVert q\rVert^2\bigr),

    smallest exactly at :math:`p = q`. Unlike the log score it is bounded:
    a confident wrong prediction costs at most 2, not :math:`+\infty`.

    Dtype: the loss is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] G. W. Brier, "Verification of Forecasts Expressed in Terms of
       Probability", *Monthly Weather Review* 78(1), 1-3, 1950.
    .. [2] T. Gneiting and A. E. Raftery, "Strictly Proper Scoring Rules,
       Prediction, and Estimation", *Journal of the American Statistical
       Association* 102(477), 359-378, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    >>> print(xr.brier_score(probs, np.array([0, 1]), reduction="none"))
    [0.14 1.46]
    >>> print(np.sum((probs - np.eye(3)[[0, 1]]) ** 2, axis=1))  # sum_k (p_k - y_k)^2
    [0.14 1.46]

    Two classes: twice the binary form :math:`(p_1 - y)^2`:

    >>> p1, y = np.array([0.9, 0.2]), np.array([1, 1])
    >>> print(f"{xr.brier_score(np.stack([1 - p1, p1], axis=1), y):.6f}")
    0.650000
    >>> print(f"{2 * np.mean((p1 - y) ** 2):.6f}")
    0.650000
    """
    dtype = input_result_dtype(probs, "probs")
    p = check_probabilities(probs, "probs", axis=-1)
    if p.ndim != 2:
        raise ValueError(f"probs: must be 2-d (N, C), got shape {p.shape}")
    y = as_index_array(target, "target")
    n, c = p.shape
    if y.shape != (n,):
        raise ValueError(f"target: shape {y.shape} does not match probs, expected ({n},)")
    if y.size and not (np.min(y) >= 0 and np.max(y) < c):
        bad = y[(y < 0) | (y >= c)].flat[0]
        raise ValueError(f"target: class index {bad} is out of range [0, {c})")
    rows = np.arange(n)
    p_y = p[rows, y]
    # (1 - p_y)^2 plus the other classes' squares, summed without the true
    # class: 1 - 2 p_y + sum p^2 would cancel when p_y is near 1.
    squares = p * p
    squares[rows, y] = 0.0
    score = (1.0 - p_y) ** 2 + np.sum(squares, axis=1)
    return to_result_dtype(_reduce_loss(score, reduction, "probs"), dtype)


class CalibrationCurve(NamedTuple):
    """The result of :func:`calibration_curve`.

    ``prob_true``, ``prob_pred`` and ``counts`` have one entry per non-empty
    bin, in increasing order of the bins (as ``sklearn.calibration.
    calibration_curve`` returns its two arrays); ``bin_edges`` has all
    ``n_bins + 1`` edges.
    """

    prob_true: np.ndarray
    prob_pred: np.ndarray
    counts: np.ndarray
    bin_edges: np.ndarray


def _binary_outcomes(target, n: int) -> np.ndarray:
    y = as_float_array(target, "target")
    if y.shape != (n,):
        raise ValueError(f"target: shape {y.shape} does not match probs, expected ({n},)")
    check_binary(y, "target")
    return y


def calibration_curve(probs, target, *, n_bins: int = 10, strategy: str = "uniform"):
    r"""Reliability curve of predicted probabilities of an event: observed frequency per bin.

    Parameters
    ----------
    probs : array_like, shape (N,)
        Predicted probabilities of the event, in [0, 1]. For a multi-class
        model, the top-label confidence ``probs.max(axis=1)`` with
        ``target = probs.argmax(axis=1) == y``.
    target : array_like, shape (N,)
        Outcomes, each exactly 0 or 1 (bool, int or float).
    n_bins : int, optional, keyword-only
        Number of bins, >= 1 (default 10).
    strategy : {"uniform", "quantile"}, optional, keyword-only
        ``"uniform"``: edges :math:`0, 1/B, \dots, 1` (from
        ``numpy.linspace``). ``"quantile"``: edges at the
        :math:`0, 1/B, \dots, 1` quantiles of ``probs`` (``numpy.percentile``,
        linear interpolation), so the bins hold about equally many
        predictions; tied probabilities can leave some bins empty.

    Returns
    -------
    CalibrationCurve
        ``prob_true`` (the fraction of outcomes 1 in each non-empty bin),
        ``prob_pred`` (the mean predicted probability in it), ``counts`` (its
        number of predictions) and ``bin_edges``. ``prob_true``,
        ``prob_pred`` and ``bin_edges`` are float64 whatever the dtype of
        ``probs`` (float32 in, float64 out); ``counts`` is int64.

    Raises
    ------
    ValueError
        If ``probs`` is not 1-d, empty, or outside [0, 1]; if ``target`` has
        another shape or an outcome other than 0 and 1; if ``n_bins < 1`` or
        ``strategy`` is unknown.
    TypeError
        If an input is not real-valued or ``n_bins`` is not an integer.

    See Also
    --------
    expected_calibration_error : the curve's weighted mean distance from the diagonal.
    sklearn.calibration.calibration_curve : the same bins and the same two
        curves, without the counts.

    Notes
    -----
    With edges :math:`e_0 < e_1 < \dots < e_B`, bin :math:`m` holds the
    predictions in :math:`(e_{m-1}, e_m]`, the first also :math:`e_0` [1]_:
    the intervals are closed on the right, as in scikit-learn, whose
    ``calibration_curve`` gives exactly these ``prob_true`` and
    ``prob_pred`` (tested). ``numpy.histogram`` closes its bins on the left
    instead, so a probability exactly on an inner edge (0.5, or 0.8, with 10
    uniform bins) falls one bin higher there; such ties are common when a
    model outputs few distinct values. The edges are the float64 values
    ``numpy.linspace`` gives (:math:`e_3 = 0.30000000000000004` for 10
    bins), not the exact :math:`m/B`.

    A perfectly calibrated predictor has :math:`\mathrm{prob\_true} \approx
    \mathrm{prob\_pred}` in every bin (the diagonal of the reliability
    diagram), up to the sampling error of a frequency from ``counts``
    outcomes.

    References
    ----------
    .. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of
       Modern Neural Networks", ICML 2017, section 2.
    .. [2] A. Niculescu-Mizil and R. Caruana, "Predicting Good Probabilities
       with Supervised Learning", ICML 2005.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> p = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    >>> y = np.array([0, 0, 1, 1, 1, 1])
    >>> curve = xr.calibration_curve(p, y, n_bins=2)
    >>> print(curve.prob_true, curve.prob_pred, curve.counts)
    [0.33333333 1.        ] [0.2 0.8] [3 3]

    ``sklearn.calibration.calibration_curve(y, p, n_bins=2)`` gives the same
    ``prob_true`` and ``prob_pred``: in the lower bin one of the three
    predictions 0.1, 0.2, 0.3 comes true, and all three of the upper bin do.
    """
    p = as_float_array(probs, "probs")
    if p.ndim != 1:
        raise ValueError(f"probs: must be 1-d (N,), got shape {p.shape}")
    if p.size == 0:
        raise ValueError("probs: is empty; a calibration curve needs at least one prediction")
    check_unit_interval(p, "probs")
    y = _binary_outcomes(target, p.size)
    n_bins = check_integer(n_bins, "n_bins", minimum=1)
    if not isinstance(strategy, str) or strategy not in STRATEGIES:
        raise ValueError(f"strategy: must be 'uniform' or 'quantile', got {strategy!r}")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(p, np.linspace(0.0, 1.0, n_bins + 1) * 100)
    # side="left": a probability equal to an inner edge belongs to the bin below.
    bin_ids = np.searchsorted(edges[1:-1], p, side="left")
    counts = np.bincount(bin_ids, minlength=n_bins)
    sum_pred = np.bincount(bin_ids, weights=p, minlength=n_bins)
    sum_true = np.bincount(bin_ids, weights=y, minlength=n_bins)
    filled = counts > 0
    return CalibrationCurve(
        prob_true=sum_true[filled] / counts[filled],
        prob_pred=sum_pred[filled] / counts[filled],
        counts=counts[filled],
        bin_edges=edges,
    )


def expected_calibration_error(
    probs, target, *, n_bins: int = 10, strategy: str = "uniform"
) -> np.float64:
    r"""Expected calibration error: the binned mean gap between confidence and frequency.

    The arguments mean what they mean for :func:`calibration_curve`, from
    which the error is computed, and are checked in the same way.

    Parameters
    ----------
    probs : array_like, shape (N,)
        Predicted probabilities of the event, in [0, 1]. For the usual
        multi-class (top-label) ECE pass the confidence ``probs.max(axis=1)``
        and, as ``target``, the correctness ``probs.argmax(axis=1) == y``.
    target : array_like, shape (N,)
        Outcomes, each exactly 0 or 1 (bool, int or float).
    n_bins : int, optional, keyword-only
        Number of bins, >= 1 (default 10).
    strategy : {"uniform", "quantile"}, optional, keyword-only
        How the bin edges are placed (default ``"uniform"``).

    Returns
    -------
    numpy.floating
        :math:`\mathrm{ECE} \in [0, 1]`.

    Raises
    ------
    ValueError, TypeError
        As for :func:`calibration_curve`.

    See Also
    --------
    calibration_curve : the per-bin frequencies it averages.
    brier_score : a proper score, which calibration alone is not.

    Notes
    -----
    .. math::

        \mathrm{ECE} = \sum_{m=1}^{B} \frac{n_m}{N}
                       \bigl\lvert \bar y_m - \bar p_m \bigr\rvert,

    with :math:`n_m` the count, :math:`\bar y_m` the observed frequency
    (``prob_true``) and :math:`\bar p_m` the mean prediction
    (``prob_pred``) of bin :math:`m` [1]_. Caveats: it depends on the
    binning (number of bins, uniform or quantile edges, and which side of an
    edge a tie falls); with few predictions per bin it is biased upwards,
    since even a calibrated predictor's frequencies scatter by about
    :math:`\sqrt{\bar p(1-\bar p)/n_m}` [2]_; and it is 0 for a useless
    predictor that always outputs the base rate. It measures calibration,
    not accuracy: pair it with a proper score.

    Dtype: the result is computed in float64 and returned in the floating dtype
    of the first argument, rounded once (float32 in, float32 out); integer
    and boolean input gives float64.

    References
    ----------
    .. [1] M. P. Naeini, G. F. Cooper and M. Hauskrecht, "Obtaining Well
       Calibrated Probabilities Using Bayesian Binning", AAAI 2015.
    .. [2] A. Kumar, P. Liang and T. Ma, "Verified Uncertainty
       Calibration", NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import xent_ref as xr
    >>> p = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    >>> y = np.array([0, 0, 1, 1, 1, 1])
    >>> print(f"{xr.expected_calibration_error(p, y, n_bins=2):.6f}")
    0.166667

    The bins of mean prediction 0.2 and 0.8 come true with frequency 1/3
    and 1, three predictions each:

    >>> print(f"{(3 * abs(1 / 3 - 0.2) + 3 * abs(1 - 0.8)) / 6:.6f}")
    0.166667

    Top-label ECE of a three-class model:

    >>> probs = np.array([[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.5, 0.4, 0.1]])
    >>> labels = np.array([0, 1, 1])
    >>> conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    >>> print(f"{xr.expected_calibration_error(conf, correct, n_bins=5):.6f}")
    0.100000

    With 5 bins the confidences 0.5 and 0.6 share a bin (its upper edge,
    ``np.linspace(0, 1, 6)[3]``, is just above 0.6), where one of two
    predictions is right, and 0.8 is alone and right:

    >>> print(f"{(2 * abs(0.5 - 0.55) + 1 * abs(1 - 0.8)) / 3:.6f}")
    0.100000
    """
    dtype = input_result_dtype(probs, "probs")
    curve = calibration_curve(probs, target, n_bins=n_bins, strategy=strategy)
    total = np.sum(curve.counts)
    gaps = np.abs(curve.prob_true - curve.prob_pred)
    return to_result_dtype(np.float64(np.sum(curve.counts * gaps) / total), dtype)
