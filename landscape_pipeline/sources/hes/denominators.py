"""Populations for HES rates: the mid-year estimate of each financial year, or a neighbouring one, said so.

Financial year YYYY/YY uses the mid-YYYY estimate from the staged ``ons_population`` table. When that
year has no estimate but one within :data:`MAX_YEARS_AWAY` years does, the nearest is used (the later
one on a tie) and every rate row of that year says which estimate it used; further away there is no
rate (the row says there is no estimate). A rate is synthetic when the population behind it was.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from landscape_pipeline.sources.ons_population import BY_AGE_ID, population_by_esp_band

#: How many years away a population estimate may be and still serve as a financial year's denominator.
MAX_YEARS_AWAY = 1
RATE_TYPES = ("crude rate", "DSR")


def populations_for(years: Iterable[int], upstream: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, int]]:
    """Return (area, year, sex, age band populations for ``years``, {financial year: estimate year used instead})."""
    table = population_by_esp_band(upstream)
    available = sorted(set(table["year"]))
    substitutes: dict[int, int] = {}
    parts = [table]
    for year in sorted(set(years) - set(available)):
        near = [y for y in available if abs(y - year) <= MAX_YEARS_AWAY]
        if near:
            used = min(near, key=lambda y: (abs(y - year), -y))
            substitutes[year] = used
            parts.append(table[table["year"] == used].assign(year=year))
    return pd.concat(parts, ignore_index=True), substitutes


def note_substitutes(frame: pd.DataFrame, substitutes: dict[int, int]) -> pd.DataFrame:
    """Return ``frame`` with a note on every rate row whose population came from a neighbouring year."""
    if not substitutes:
        return frame
    start = pd.to_datetime(frame["period_start"]).dt.year
    for year, used in substitutes.items():
        hit = (start == year).to_numpy() & frame["value_type"].isin(RATE_TYPES).to_numpy()
        note = f"Denominator: the mid-{used} population estimate (no mid-{year} estimate is available)"
        old = frame.loc[hit, "value_note"]
        frame.loc[hit, "value_note"] = np.where(old.isna(), note, old.astype(str) + "; " + note)
    return frame


def synthetic_populations(upstream: pd.DataFrame, substitutes: dict[int, int]) -> pd.DataFrame:
    """Return ``area_code, year, population_synthetic``: whether any estimate behind an area-year was synthetic."""
    rows = upstream[upstream["indicator_id"] == BY_AGE_ID]
    if "synthetic" not in rows:
        return pd.DataFrame(columns=["area_code", "year", "population_synthetic"])
    flags = pd.DataFrame({"area_code": rows["area_code"].astype(str).to_numpy(),
                          "year": pd.to_datetime(rows["period_start"]).dt.year.to_numpy(),
                          "population_synthetic": rows["synthetic"].astype(bool).to_numpy()})
    flags = flags.groupby(["area_code", "year"], as_index=False)["population_synthetic"].any()
    borrowed = [flags[flags["year"] == used].assign(year=year) for year, used in substitutes.items()]
    return pd.concat([flags, *borrowed], ignore_index=True)
