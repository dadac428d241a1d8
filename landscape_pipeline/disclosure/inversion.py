"""Recovering counts from published figures: value x denominator / multiplier and confidence-limit inversion.

Each function returns, per row, the whole count the figures imply, or NaN where they imply none
(missing figures, or no whole count reproduces them to floating-point precision). Limits are
inverted by searching the whole counts (vectorised bisection on a limit that grows with the count):
exact/Byar's Poisson limits of a crude rate, Wilson limits of a proportion (over every denominator
its rounding allows), and the asymmetry of Dobson limits of a DSR, (upper - DSR) / (DSR - lower),
which depends on the total count alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from landscape_pipeline import stats
from landscape_pipeline.stats._common import z_value

_TOL = 1e-7
_MAX_COUNT = 1e8


def whole(x: np.ndarray) -> np.ndarray:
    """Return ``x`` rounded where it is a whole number to within floating-point error, NaN elsewhere."""
    with np.errstate(invalid="ignore"):
        r = np.round(x)
        ok = np.isfinite(x) & (np.abs(x - r) <= 1e-6 * np.maximum(1.0, np.abs(r))) & (r >= 0)
    return np.where(ok, r, np.nan)


def value_times_denominator(value: np.ndarray, denominator: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
    """Return the numerator value x denominator / multiplier implies, where it is a whole number."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return whole(value * denominator / multiplier)


def count_over_value(count: np.ndarray, value: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
    """Return the denominator count x multiplier / value implies, where it is a whole number."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return whole(np.where(value > 0, count * multiplier / value, np.nan))


def _search(f: Callable[[np.ndarray], np.ndarray], target: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Return the smallest whole n in [0, high] with f(n) >= target (f increasing), per element."""
    lo = np.zeros_like(target)
    hi = np.where(np.isfinite(high), np.minimum(np.ceil(high), _MAX_COUNT), 0.0)
    for _ in range(64):
        if not (hi > lo).any():
            break
        mid = np.floor((lo + hi) / 2)
        below = f(mid) < target - _TOL * np.abs(target)
        lo = np.where(below, mid + 1, lo)
        hi = np.where(below, hi, mid)
    return lo


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(a) & np.isfinite(b) & (np.abs(a - b) <= _TOL * np.maximum(np.abs(b), 1e-12))


def poisson_count(upper: np.ndarray, lower: np.ndarray, denominator: np.ndarray, multiplier: np.ndarray,
                  level: float = 0.95) -> np.ndarray:
    """Return the count whose exact/Byar's limits reproduce a crude rate's published limits."""
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = multiplier / denominator
        target = upper / factor
    usable = np.isfinite(target) & (target > 0)
    target = np.where(usable, target, 1.0)
    found = _search(lambda n: stats.poisson_limits(n, level)[1], target, target + 2)
    low, up = stats.poisson_limits(found, level)
    lower_ok = np.isnan(lower) | _close(low * factor, lower) | ((found == 0) & (lower == 0))
    return np.where(usable & _close(up, target) & lower_ok, found, np.nan)


def wilson_count(upper: np.ndarray, lower: np.ndarray, denominator: np.ndarray, multiplier: np.ndarray,
                 level: float = 0.95) -> np.ndarray:
    """Return the numerator whose Wilson limits over ``denominator`` reproduce a proportion's limits."""
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        target_up, target_low = upper / multiplier, lower / multiplier
    n = np.where(np.isfinite(denominator) & (denominator > 0), denominator, np.nan)
    usable = np.isfinite(target_up) & np.isfinite(target_low) & np.isfinite(n)
    n_safe = np.where(usable, n, 1.0)
    target = np.where(usable, target_up, 0.0)
    found = _search(lambda o: stats.wilson_limits(o, n_safe, z)[1], target, n_safe)
    low, up = stats.wilson_limits(found, n_safe, z)
    ok = usable & _close(up, target_up) & (_close(low, target_low) | ((found == 0) & (target_low == 0)))
    return np.where(ok, found, np.nan)


def _dobson_ratio(count: np.ndarray, z: float) -> np.ndarray:
    low, up = stats.byar_limits(count, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (up - count) / (count - low)


def dobson_count(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Return the total count whose Byar's limits give a DSR's published Dobson limits their asymmetry."""
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (upper - value) / (value - lower)
    usable = np.isfinite(ratio) & (ratio > 1)
    excess = np.where(usable, ratio - 1, 1.0)
    # The excess over 1 shrinks as the count grows: search on its negative, which grows.
    found = _search(lambda o: -(_dobson_ratio(np.maximum(o, 1.0), z) - 1), -excess, np.full_like(excess, _MAX_COUNT))
    found = np.maximum(found, 1.0)
    best = np.full_like(excess, np.nan)
    for candidate in (found - 1, found, found + 1):
        c = np.maximum(candidate, 1.0)
        hit = np.abs(_dobson_ratio(c, z) - 1 - excess) <= 1e-8 * excess
        best = np.where(np.isnan(best) & hit, c, best)
    return np.where(usable, best, np.nan)
