"""Confidence intervals for proportions (Wilson), counts and rates (exact/Byar's) and means (Student's t).

Formulas follow the OHID *Technical Guide - Confidence Intervals* and PHEindicatormethods (see
``../shared/brief/methods.md`` section 1.3); the code is written from the formulas.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from scipy import special

from ._common import (
    as_float_array,
    check,
    is_scalar_input,
    normalise_confidence,
    to_output,
    z_value,
)

#: Counts below this use exact (chi-squared / Garwood) Poisson limits; from it upwards, Byar's approximation.
EXACT_BELOW = 10


class Interval(NamedTuple):
    """A value and its confidence limits: floats for scalar input, numpy arrays for array input."""

    value: Any
    lower: Any
    upper: Any


def wilson_limits(numerator: np.ndarray, denominator: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Return Wilson score limits (as proportions of 1); 0 exactly when O = 0 and 1 exactly when O = n."""
    o, n = numerator, denominator
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = z * np.sqrt(z2 + 4 * o * (1 - o / n))
        centre = 2 * o + z2
        scale = 2 * (n + z2)
        lower = (centre - spread) / scale
        upper = (centre + spread) / scale
    lower = np.where(o == 0, 0.0, lower)
    upper = np.where(o == n, 1.0, upper)
    return lower, upper


def byar_limits(count: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Return Byar's approximate Poisson limits for counts (meant for counts >= 10; NaN lower for 0)."""
    o = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return np.where(lower < 0, np.nan, lower), upper


@lru_cache(maxsize=16)
def _exact_table(confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Return exact lower and upper Poisson limits for the integer counts 0..9 at one confidence level."""
    alpha = 1 - confidence
    counts = np.arange(EXACT_BELOW, dtype=float)
    lower = np.where(counts > 0, special.gammaincinv(np.maximum(counts, 1), alpha / 2), 0.0)
    upper = special.gammaincinv(counts + 1, 1 - alpha / 2)
    lower.setflags(write=False)
    upper.setflags(write=False)
    return lower, upper


def exact_limits(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Return exact (chi-squared / Garwood) Poisson limits: 0.5*chi2(a/2, 2O) and 0.5*chi2(1-a/2, 2O+2).

    Integer counts below 10 come from a cached table; other counts are computed with the
    regularised incomplete gamma inverse (gamma.ppf(q, O) equals 0.5*chi2.ppf(q, 2O)).
    """
    level = normalise_confidence(confidence)
    o = np.asarray(count, dtype=float)
    in_table = (o >= 0) & (o < EXACT_BELOW) & (o == np.floor(o))
    low_tab, up_tab = _exact_table(level)
    idx = np.where(in_table, o, 0).astype(np.intp)
    lower, upper = np.array(low_tab[idx], dtype=float), np.array(up_tab[idx], dtype=float)
    other = ~in_table & (o >= 0)
    if other.any():
        # Rare path (non-integer or large counts): only the elements outside the table.
        alpha = 1 - level
        rest = o[other]
        lower[other] = np.where(rest > 0, special.gammaincinv(np.where(rest > 0, rest, 1), alpha / 2), 0.0)
        upper[other] = special.gammaincinv(rest + 1, 1 - alpha / 2)
    invalid = ~(in_table | other)
    if invalid.any():
        lower[invalid] = np.nan
        upper[invalid] = np.nan
    return lower, upper


def poisson_limits(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Return Poisson limits for counts: exact below 10, Byar's from 10 (the Fingertips convention)."""
    level = normalise_confidence(confidence)
    o = np.asarray(count, dtype=float)
    small = o < EXACT_BELOW
    # Byar's on a safe stand-in for small counts, exact via the 10-entry table for the rest.
    b_low, b_up = byar_limits(np.where(small, EXACT_BELOW, o), z_value(level))
    e_low, e_up = exact_limits(np.where(small, o, 0.0), level)
    return np.where(small, e_low, b_low), np.where(small, e_up, b_up)


def rate_method(count: Any) -> str | np.ndarray:
    """Return the CI method label, "Exact" (count < 10) or "Byars", for a count or array of counts."""
    o = as_float_array(count, "count")
    labels = np.where(o < EXACT_BELOW, "Exact", "Byars")
    return str(labels) if is_scalar_input(count) else labels


def proportion(numerator: Any, denominator: Any, confidence: float = 0.95, multiplier: float = 1) -> Interval:
    """Return the proportion O/n times ``multiplier`` with its Wilson score interval.

    Raises ValueError for a negative numerator, a denominator that is not positive, or a
    numerator larger than its denominator. Missing values (NaN/None) give NaN.
    """
    scalar = is_scalar_input(numerator, denominator)
    o = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
    check(o < 0, "A proportion's numerator cannot be negative ({n} value(s) below 0).")
    check(n <= 0, "A proportion's denominator must be greater than 0 ({n} value(s) are 0 or below).")
    check(o > n, "A proportion's numerator cannot exceed its denominator ({n} value(s) do).")
    lower, upper = wilson_limits(o, n, z_value(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = o / n * multiplier
    return Interval(
        to_output(value, scalar), to_output(lower * multiplier, scalar), to_output(upper * multiplier, scalar)
    )


def rate(count: Any, denominator: Any, multiplier: float = 100000, confidence: float = 0.95) -> Interval:
    """Return the crude rate O/n times ``multiplier`` with exact (O < 10) or Byar's (O >= 10) limits.

    A count of 0 gives lower limit 0 and upper 3.688879/n*multiplier at 95%. Raises ValueError for
    negative counts or denominators that are not positive; the count may exceed the denominator.
    """
    scalar = is_scalar_input(count, denominator)
    o = as_float_array(count, "count")
    n = as_float_array(denominator, "denominator")
    check(o < 0, "A rate's count cannot be negative ({n} value(s) below 0).")
    check(n <= 0, "A rate's denominator must be greater than 0 ({n} value(s) are 0 or below).")
    lower, upper = poisson_limits(o, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = multiplier / n
    return Interval(
        to_output(o * factor, scalar), to_output(lower * factor, scalar), to_output(upper * factor, scalar)
    )


def mean(values: Any, confidence: float = 0.95) -> Interval:
    """Return the mean of ``values`` with a Student's t interval on n-1 degrees of freedom.

    Missing values are ignored; at least two non-missing values are needed.
    """
    x = as_float_array(values, "values").ravel()
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ValueError(f"A mean's confidence interval needs at least 2 non-missing values; got {x.size}.")
    level = normalise_confidence(confidence)
    t = float(special.stdtrit(x.size - 1, 1 - (1 - level) / 2))
    centre = float(x.mean())
    half = t * float(x.std(ddof=1)) / math.sqrt(x.size)
    return Interval(centre, centre - half, centre + half)
