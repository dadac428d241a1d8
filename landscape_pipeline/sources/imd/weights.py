"""Population weights for IoD2019 areas that must be combined: real figures only, and said which.

Two published sources, in this order:

1. ONS mid-year population estimates from the staged ``ons_population`` table (upstream of ``imd``):
   persons, all ages, the year nearest 2019 that has every area needed (unless they are synthetic
   and real denominators are at hand: real figures beat synthetic ones);
2. the IoD2019's own population denominators (mid-2015, excluding prisoners), which MHCLG publishes
   implicitly in File 10's ``Income`` sheet: ``Income scale`` (people income-deprived) divided by the
   ``Income - Average score`` (their population-weighted share) is each district's denominator.

No weight is ever invented: when neither source covers the areas, :func:`weights_for` returns None
and :func:`missing_weights_note` says, in the row's note, which areas lack a population and what to
supply (the value is then not computed). Each result says where it came from
(for the row's note) and whether any figure behind it was synthetic (for the row's flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.sources.base import SourceInputs

POPULATION_SOURCE = "ons_population"
POPULATION_ID = "ons_population_total"
REFERENCE_YEAR = 2019


@dataclass(frozen=True)
class Weights:
    """Weights for some area codes, where they came from and whether any was synthetic."""

    values: pd.Series  # area code -> population
    basis: str  # e.g. "ONS mid-2019 population estimates"
    synthetic: bool


def ons_populations(inputs: SourceInputs | None) -> pd.DataFrame:
    """Return ``area_code, year, population, synthetic`` for every persons all-ages total in ``ons_population``."""
    upstream = inputs.upstream if inputs else {}
    table = upstream.get(POPULATION_SOURCE)
    empty = pd.DataFrame(columns=["area_code", "year", "population", "synthetic"])
    if table is None or table.empty:
        return empty
    rows = table[table["indicator_id"].eq(POPULATION_ID) & table["sex"].eq("Persons")
                 & table["category_type"].isna() & table["value"].notna()]
    years = pd.to_numeric(rows["period_label"].astype("str").str[:4], errors="coerce")
    return pd.DataFrame({"area_code": rows["area_code"].to_numpy(), "year": years.to_numpy(),
                         "population": rows["value"].to_numpy(float),
                         "synthetic": rows["synthetic"].astype(bool).to_numpy()}).dropna(subset=["year"])


def _from_ons(codes: Sequence[str], ons: pd.DataFrame) -> Weights | None:
    """Return ONS weights from the year nearest 2019 that covers every code (ties: the earlier year)."""
    wanted = set(codes)
    for year in sorted(ons["year"].unique(), key=lambda y: (abs(y - REFERENCE_YEAR), y)):
        rows = ons[ons["year"].eq(year) & ons["area_code"].isin(wanted)].drop_duplicates("area_code")
        if set(rows["area_code"]) == wanted:
            values = rows.set_index("area_code")["population"].reindex(list(codes))
            return Weights(values, f"ONS mid-{int(year)} population estimates (ons_population)",
                           bool(rows["synthetic"].any()))
    return None


def _from_iod(codes: Sequence[str], iod: pd.Series | None, synthetic: bool) -> Weights | None:
    if iod is None or not set(codes) <= set(iod.index):
        return None
    return Weights(iod.reindex(list(codes)), "IoD2019 population denominators (mid-2015, Income scale ÷ Income "
                   "average score in File 10)", synthetic)


def weights_for(codes: Sequence[str], ons: pd.DataFrame, iod: pd.Series | None, *,
                iod_synthetic: bool) -> Weights | None:
    """Return population weights for ``codes``, or None if no source has them all.

    ONS estimates come first, then the IoD denominators; but real figures beat synthetic ones, so
    synthetic ONS estimates (a bundled sample) are used only when no real denominators are given.
    """
    found = [w for w in (_from_ons(codes, ons), _from_iod(codes, iod, iod_synthetic)) if w is not None]
    return next((w for w in found if not w.synthetic), found[0] if found else None)


def missing_weights_note(codes: Sequence[str], ons: pd.DataFrame) -> str:
    """Return the note of a value not computed for want of populations, naming the areas and the remedy."""
    missing = [c for c in codes if c not in set(ons["area_code"])]
    named = ", ".join(f"{geography.area_name(c)} ({c})" for c in missing[:6]) + (" ..." if len(missing) > 6 else "")
    return (f"Not computed: it must be population-weighted, but no population is given for {named} (the staged "
            "ons_population table has no estimates for them and no IoD 'Income' sheet was given). Give the File 10 "
            "workbook itself (its Income sheet carries the IoD2019 denominators) or stage ONS estimates that list "
            "these areas.")


def district_denominators(income: pd.DataFrame | None) -> pd.Series | None:
    """Return the IoD population denominator of each 2019 district (index: code), or None without an Income sheet."""
    if income is None:
        return None
    return income.set_index("code")["population"]
