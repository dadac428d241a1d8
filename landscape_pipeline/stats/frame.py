"""Whole-DataFrame variants of the statistics, vectorised with numpy (no Python loop per row).

Outputs use the canonical column names ``value, lower_ci_95, upper_ci_95, lower_ci_99_8, upper_ci_99_8``.
Invalid rows raise ValueError (``errors="raise"``) or become NaN (``errors="coerce"``); rows with a
missing count or denominator give NaN without error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._common import LEVELS, Errors, as_float_array, check, z_value
from .agebands import ESP2013, StandardPopulation, band_codes, band_start, band_weights
from .compare import compare_frame
from .intervals import EXACT_BELOW, poisson_limits, wilson_limits
from .standardise import DSR_MIN_COUNT, DSR_NOTE, dobson
from .trend import TREND_POINTS, trend_labels

__all__ = ["compare_frame", "dsr_frame", "proportion_frame", "rate_frame", "recent_trend_frame"]

CI_COLUMNS = ("lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
NOTE_BANDS_INCOMPLETE = "DSR not calculated: age bands incomplete"
NOTE_BAD_POPULATION = "DSR not calculated: population missing or not positive in an age band"


def _columns(df: pd.DataFrame, *names: str) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise ValueError(f"Column(s) {', '.join(map(repr, missing))} not found; the frame has {list(df.columns)}.")


def proportion_frame(
    df: pd.DataFrame, numerator: str = "count", denominator: str = "denominator", multiplier: float = 100,
    errors: Errors = "raise",
) -> pd.DataFrame:
    """Return a copy of ``df`` with ``value`` (O/n x multiplier) and Wilson 95% and 99.8% limits added."""
    _columns(df, numerator, denominator)
    o = as_float_array(df[numerator], numerator)
    n = as_float_array(df[denominator], denominator)
    bad = check(o < 0, f"Column '{numerator}' has {{n}} negative numerator(s).", errors)
    bad |= check(n <= 0, f"Column '{denominator}' has {{n}} denominator(s) of 0 or below.", errors)
    bad |= check(o > n, f"{{n}} row(s) have '{numerator}' greater than '{denominator}'.", errors)
    o = np.where(bad, np.nan, o)
    out = df.copy(deep=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = o / n * multiplier
    for level, tag in LEVELS:
        lower, upper = wilson_limits(o, n, z_value(level))
        out[f"lower_ci_{tag}"] = lower * multiplier
        out[f"upper_ci_{tag}"] = upper * multiplier
    return out


def rate_frame(
    df: pd.DataFrame, count: str = "count", denominator: str = "denominator", multiplier: float = 100000,
    errors: Errors = "raise", method_col: str | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` with the crude rate and exact (count < 10) / Byar's 95% and 99.8% limits added.

    With ``method_col`` set, that column says "Exact" or "Byars" for each row.
    """
    _columns(df, count, denominator)
    o = as_float_array(df[count], count)
    n = as_float_array(df[denominator], denominator)
    bad = check(o < 0, f"Column '{count}' has {{n}} negative count(s).", errors)
    bad |= check(n <= 0, f"Column '{denominator}' has {{n}} denominator(s) of 0 or below.", errors)
    o = np.where(bad, np.nan, o)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = multiplier / n
    out = df.copy(deep=False)
    out["value"] = o * factor
    for level, tag in LEVELS:
        lower, upper = poisson_limits(o, level)
        out[f"lower_ci_{tag}"] = lower * factor
        out[f"upper_ci_{tag}"] = upper * factor
    if method_col:
        out[method_col] = np.where(np.isnan(o), None, np.where(o < EXACT_BELOW, "Exact", "Byars"))
    return out


def _group_ids(df: pd.DataFrame, group_cols: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Return (group id per row, one row of group keys per id) with groups in first-appearance order."""
    ids = df.groupby(list(group_cols), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(ids, return_index=True)
    return ids, df[list(group_cols)].iloc[first].reset_index(drop=True)


def dsr_frame(
    df: pd.DataFrame, group_cols: Sequence[str], count: str = "count", population: str = "population",
    age_band: str = "age_band", multiplier: float = 100000, standard: StandardPopulation = ESP2013,
    min_count: float = DSR_MIN_COUNT,
) -> pd.DataFrame:
    """Return one row per group: group columns, DSR ``value``, Dobson limits, ``count``, ``denominator``, ``note``.

    The limits are the canonical 95% and 99.8% columns; ``count`` is the total O and ``denominator``
    the total population of the group.

    Age-band labels are mapped to ESP2013 bands (single years summed; an open top band such as
    "85+" collapses the standard's 85-89 and 90+ weights into one). The standard is restricted to
    the bands present in the frame, so age-restricted DSRs (e.g. 65+) work. Missing counts count
    as 0. A group gets NaN values and a ``note`` when its total count is below ``min_count`` (10 by
    default, :data:`DSR_NOTE`), it lacks an age band present elsewhere in the frame, or a band's
    population is missing or not positive.
    """
    group_cols = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    _columns(df, *group_cols, count, population, age_band)
    ids, keys = _group_ids(df, group_cols)
    n_groups = len(keys)
    label_codes, label_bands = band_codes(df[age_band])
    bands = sorted(set(label_bands), key=band_start)
    codes = np.array([bands.index(b) for b in label_bands], dtype=np.intp)[label_codes]
    weights = band_weights(bands, standard)
    n_bands = weights.size
    x = as_float_array(df[count], count)
    check(x < 0, f"Column '{count}' has {{n}} negative count(s); DSR counts cannot be negative.")
    key, size = ids * n_bands + codes, n_groups * n_bands
    present = np.bincount(key, minlength=size).reshape(n_groups, n_bands) > 0
    counts = np.bincount(key, weights=np.nan_to_num(x, nan=0.0), minlength=size).reshape(n_groups, n_bands)
    pops = np.bincount(key, weights=as_float_array(df[population], population), minlength=size)
    pops = pops.reshape(n_groups, n_bands)
    incomplete = ~present.all(axis=1)
    bad_pop = ~incomplete & ~(pops > 0).all(axis=1)
    usable = ~(incomplete | bad_pop)
    safe_pops = np.where(usable[:, None], pops, 1.0)
    value, total, limits = dobson(counts, safe_pops, weights, multiplier, [level for level, _ in LEVELS], min_count)
    out = keys
    out["value"] = np.where(usable, value, np.nan)
    for (_, tag), (lower, upper) in zip(LEVELS, limits, strict=True):
        out[f"lower_ci_{tag}"] = np.where(usable, lower, np.nan)
        out[f"upper_ci_{tag}"] = np.where(usable, upper, np.nan)
    out["count"] = total
    out["denominator"] = np.where(present, pops, 0.0).sum(axis=1)
    note = np.where(total < min_count, DSR_NOTE, None).astype(object)
    note[bad_pop] = NOTE_BAD_POPULATION
    note[incomplete] = NOTE_BANDS_INCOMPLETE
    out["note"] = note
    return out


def recent_trend_frame(
    df: pd.DataFrame, series_cols: Sequence[str], period_order_col: str, polarity_col: str | None,
    value: str = "value", lower: str = "lower_ci_95", upper: str = "upper_ci_95", consecutive: bool = False,
) -> pd.DataFrame:
    """Return one row per series: ``series_cols`` and its ``recent_trend`` label over its 5 latest periods.

    Points are ordered by ``period_order_col``; the polarity is taken from each series' latest row
    (None means no judgement). With ``consecutive=True`` the 5 latest periods must be consecutive
    integers (e.g. years), otherwise the label is "Cannot be calculated". Duplicate periods in a
    series raise ValueError.
    """
    series_cols = [series_cols] if isinstance(series_cols, str) else list(series_cols)
    cols = [*series_cols, period_order_col, value, lower, upper] + ([polarity_col] if polarity_col else [])
    _columns(df, *cols)
    d = df[list(dict.fromkeys(cols))].sort_values([*series_cols, period_order_col], kind="stable")
    if d.duplicated([*series_cols, period_order_col]).any():
        raise ValueError(f"Some series have the same '{period_order_col}' twice; each period must appear once.")
    ids, keys = _group_ids(d, series_cols)
    n_series = len(keys)
    rows = np.arange(ids.size)
    last_row = np.zeros(n_series, dtype=np.intp)
    last_row[ids] = rows  # rows are sorted by series then period, so the final write is the latest
    from_end = last_row[ids] - rows
    take = from_end < TREND_POINTS
    r, c = ids[take], TREND_POINTS - 1 - from_end[take]
    mats = []
    for name in (value, lower, upper):
        m = np.full((n_series, TREND_POINTS), np.nan)
        m[r, c] = as_float_array(d[name], name)[take]
        mats.append(m)
    if consecutive:
        periods = np.full((n_series, TREND_POINTS), np.nan)
        periods[r, c] = as_float_array(d[period_order_col], period_order_col)[take]
        gaps = ~(np.diff(periods, axis=1) == 1).all(axis=1)
        mats[0][gaps] = np.nan
    polarity = d[polarity_col].to_numpy(dtype=object)[last_row] if polarity_col else "No judgement"
    keys["recent_trend"] = trend_labels(*mats, polarity)
    return keys
