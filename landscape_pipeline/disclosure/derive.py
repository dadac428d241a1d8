"""Figures re-derived from published (rounded) counts, so that no figure gives back an unrounded count.

- count: the value is the published count (Poisson limits of it, where the source gave limits);
- crude rate: published count / denominator x multiplier, exact (below 10) or Byar's limits;
- proportion: published count / published denominator x multiplier, Wilson limits;
- DSR: the age-specific counts scaled pro rata to the published total. The DSR scales by
  published/true, and Dobson's limits, DSR + sqrt(Var/O) (O_B - O), keep sqrt(Var/O) (both Var
  and O scale alike), so they become DSR' + sqrt(Var/O) (O_B(O') - O') with O' the published
  total: the limits give back only O'.

Only figures the source computed are re-derived (a value left blank stays blank). Any other
statistic built on a rounded count cannot be re-derived here, so it is withheld.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from landscape_pipeline import stats
from landscape_pipeline.disclosure.cells import floats
from landscape_pipeline.stats._common import LEVELS, z_value

WITHHELD_NOTE = "Value withheld for disclosure control: it cannot be recomputed from the rounded count"
LIMITS = stats.CI_COLUMNS
_PER = re.compile(r"per\s+([\d,]+)", re.IGNORECASE)


def unit_multiplier(unit: object) -> float:
    """Return the multiplier a unit implies: '%' 100, 'per 100,000' 100000; NaN when it names none."""
    text = str(unit or "").strip()
    if text == "%" or text.lower() in ("percent", "percentage"):
        return 100.0
    match = _PER.search(text)
    return float(match[1].replace(",", "")) if match else np.nan


def multipliers(frame: pd.DataFrame) -> np.ndarray:
    """Return per row the multiplier of value = count / denominator x multiplier (1 for counts).

    Read from the unit; where the unit names none, inferred per indicator from rows with all three
    figures and snapped to a power of ten (NaN when it cannot be inferred).
    """
    codes, units = pd.factorize(frame["unit"])
    out = np.append(np.array([unit_multiplier(u) for u in units], dtype=float), np.nan)[codes]
    out = np.where(frame["value_type"].eq("count").to_numpy(), 1.0, out)
    missing = np.isnan(out)
    if missing.any():
        count, den, value = (floats(frame, c) for c in ("count", "denominator", "value"))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = value * den / count
        usable = missing & np.isfinite(ratio) & (ratio > 0)
        if usable.any():
            guess = pd.Series(ratio[usable]).groupby(frame["indicator_id"].to_numpy()[usable]).median()
            snapped = 10.0 ** np.round(np.log10(guess))
            out = np.where(missing, frame["indicator_id"].map(snapped).to_numpy(float, na_value=np.nan), out)
    return out


def _rescale_dsr(value: np.ndarray, upper: np.ndarray, true: np.ndarray, shown: np.ndarray,
                 out: dict[str, np.ndarray]) -> None:
    """Fill ``out`` with the DSR and Dobson limits of counts scaled from total ``true`` to ``shown``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z95 = z_value(0.95)
        _, up_true = stats.byar_limits(true, z95)
        scale = (upper - value) / (up_true - true)
        out["value"] = value * shown / true
        for level, tag in LEVELS:
            low, up = stats.byar_limits(shown, z_value(level))
            out[f"lower_ci_{tag}"] = out["value"] + scale * (low - shown)
            out[f"upper_ci_{tag}"] = out["value"] + scale * (up - shown)


def rederive(frame: pd.DataFrame, count: np.ndarray, denominator: np.ndarray,
             true_count: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Return (value and limit columns from the published ``count`` and ``denominator``, recomputed, withheld).

    ``true_count`` is each row's unrounded count. Rows with no count keep their figures; withheld
    rows (a statistic that cannot be re-derived) get NaN.
    """
    kind = frame["value_type"].to_numpy(object)
    value = floats(frame, "value")
    had_value = ~np.isnan(value)
    has_count = ~np.isnan(true_count)
    mult = multipliers(frame)
    new = {c: floats(frame, c).copy() for c in ("value", *LIMITS)}
    probe = pd.DataFrame({"count": count, "denominator": denominator})

    is_count = (kind == "count") & has_count
    low_up = [stats.poisson_limits(count, level) for level, _ in LEVELS]
    new["value"] = np.where(is_count, count, new["value"])
    for (lo, up), (_, tag) in zip(low_up, LEVELS, strict=True):
        for col, limit in ((f"lower_ci_{tag}", lo), (f"upper_ci_{tag}", up)):
            new[col] = np.where(is_count & ~np.isnan(new[col]), limit, new[col])

    done = is_count.copy()
    for name, compute in (("crude rate", stats.rate_frame), ("proportion", stats.proportion_frame)):
        rows = (kind == name) & has_count & had_value & ~np.isnan(mult)
        for m in np.unique(mult[rows]):
            sel = rows & (mult == m)
            figures = compute(probe.loc[sel], multiplier=float(m), errors="coerce")
            for col in ("value", *LIMITS):
                new[col][sel] = figures[col].to_numpy(float)
        done |= rows

    is_dsr = (kind == "DSR") & has_count & had_value & (true_count > 0)
    if is_dsr.any():
        scaled: dict[str, np.ndarray] = {}
        _rescale_dsr(value[is_dsr], new["upper_ci_95"][is_dsr], true_count[is_dsr], count[is_dsr], scaled)
        for col, figures in scaled.items():
            new[col][is_dsr] = np.where(np.isnan(new[col][is_dsr]) & (col != "value"), np.nan, figures)
        done |= is_dsr

    withheld = has_count & had_value & ~done
    return {c: np.where(withheld, np.nan, v) for c, v in new.items()}, done & had_value, withheld
