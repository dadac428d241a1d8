"""Fingertips "recent trend": weighted regression over the 5 most recent points, chi-squared > 9.5495 (p < 0.002).

General (CI-based) method of ``TrendMarkerCalculator``: SE_t = (U95_t - L95_t)/3.92, w_t = 1/SE_t^2,
t = 1..5; b = (S1*Swty - Swt*Swy)/D and Var(b) = S1/D with D = S1*Swtt - Swt^2; chi2 = b^2/Var(b).
Significant when chi2 > 9.54953570608324 and b has the same sign in the full fit and in each of the
5 leave-one-out fits. All series are fitted at once on (n_series, 5) matrices.

A slope within floating-point tolerance of zero (:data:`SLOPE_RTOL` times the series' largest
absolute value) counts as zero: its sign is rounding noise, and comparing noise signs would make
the label depend on the order of the points.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import as_float_array
from .compare import HIGH_IS_GOOD, LOW_IS_GOOD, polarity_codes

TREND_POINTS = 5
CHI2_THRESHOLD = 9.54953570608324  # chi-squared (1 df) at 0.998
SE_DIVISOR = 3.92  # width of a 95% CI in standard errors (2 x 1.96)
#: Slopes smaller than this fraction of the series' largest |value| (per time step) are taken as zero.
SLOPE_RTOL = 1e-9

CANNOT = "Cannot be calculated"
NO_CHANGE = "No significant change"
TREND_LABELS = (
    CANNOT,
    NO_CHANGE,
    "Increasing",
    "Decreasing",
    "Increasing and getting better",
    "Increasing and getting worse",
    "Decreasing and getting better",
    "Decreasing and getting worse",
)


def _slopes(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (slope, variance of slope) of weighted regressions of y on t = 1..5 along the last axis."""
    t = np.arange(1, TREND_POINTS + 1, dtype=float)
    s1 = w.sum(axis=-1)
    swt = (w * t).sum(axis=-1)
    swtt = (w * t * t).sum(axis=-1)
    swy = (w * y).sum(axis=-1)
    swty = (w * t * y).sum(axis=-1)
    denom = s1 * swtt - swt * swt
    return (s1 * swty - swt * swy) / denom, s1 / denom


def trend_statistics(values: np.ndarray, lowers: np.ndarray, uppers: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return (valid, slope, chi2, signs kept in all 5 leave-one-out fits) for (n_series, 5) matrices."""
    y, lo, up = (np.asarray(a, dtype=float) for a in (values, lowers, uppers))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        valid = np.isfinite(y).all(-1) & np.isfinite(lo).all(-1) & np.isfinite(up).all(-1) & (up > lo).all(-1)
        se = np.where(valid[..., None], (up - lo) / SE_DIVISOR, 1.0)
        w = 1.0 / (se * se)
        y = np.where(valid[..., None], y, 0.0)
        slope, var = _slopes(y, w)
        chi2 = slope * slope / var
        keep = 1.0 - np.eye(TREND_POINTS)  # row k drops point k
        loo, _ = _slopes(y[..., None, :], w[..., None, :] * keep)
        tolerance = SLOPE_RTOL * np.abs(y).max(axis=-1)
        sign = np.where(np.abs(slope) <= tolerance, 0.0, np.sign(slope))
        loo_sign = np.where(np.abs(loo) <= tolerance[..., None], 0.0, np.sign(loo))
    consistent = (loo_sign == sign[..., None]).all(-1) & (sign != 0)
    return valid, slope, chi2, consistent


def trend_labels(values: np.ndarray, lowers: np.ndarray, uppers: np.ndarray, polarity: Any) -> np.ndarray:
    """Return one recent-trend label per row of (n_series, 5) value/limit matrices (oldest to newest)."""
    valid, slope, chi2, consistent = trend_statistics(values, lowers, uppers)
    pol = np.broadcast_to(polarity_codes(polarity), valid.shape)
    significant = valid & (chi2 > CHI2_THRESHOLD) & consistent
    up = slope > 0
    good = (up & (pol == HIGH_IS_GOOD)) | (~up & (pol == LOW_IS_GOOD))
    judged = (pol == HIGH_IS_GOOD) | (pol == LOW_IS_GOOD)
    direction = np.where(up, "Increasing", "Decreasing").astype(object)
    judged_label = direction + np.where(good, " and getting better", " and getting worse").astype(object)
    out = np.where(judged, judged_label, direction)
    out = np.where(significant, out, NO_CHANGE)
    return np.where(valid, out, CANNOT).astype(object)


def recent_trend(values: Any, lowers: Any, uppers: Any, polarity: Any) -> str:
    """Return the recent-trend label for one series ordered oldest to newest (the last 5 points are used).

    "Cannot be calculated" when there are fewer than 5 points, any of the last 5 is missing, or a
    CI has zero (or negative) width. "No judgement" polarity gives plain Increasing/Decreasing.
    """
    y, lo, up = (as_float_array(a, name).ravel() for a, name in
                 ((values, "values"), (lowers, "lowers"), (uppers, "uppers")))
    if not y.size == lo.size == up.size:
        raise ValueError(f"values, lowers and uppers must have the same length; got {y.size}, {lo.size}, {up.size}.")
    if y.size < TREND_POINTS:
        return CANNOT
    last = slice(-TREND_POINTS, None)
    return str(trend_labels(y[None, last], lo[None, last], up[None, last], polarity)[0])
