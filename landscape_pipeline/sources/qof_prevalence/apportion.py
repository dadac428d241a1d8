"""Apportion GP-practice counts to local authorities by where the practice's patients live.

Public, reusable API (the GP Patient Survey reuses it): :func:`choose_lookup` (the ONS lookup of the
extract's LSOA vintage), :func:`practice_shares`, :func:`apportion` and :func:`add_upper_tiers_and_regions`.
Which extract weights which period is decided in :mod:`.extracts`.

For a practice p and LA l, ``share(p, l)`` is the fraction of p's registered patients of known
residence whose LSOA lies in l. A practice's numerator and denominator are multiplied by its shares
and summed by LA, so every practice's counts are spread over LAs in full: the sum over LAs equals the
sum over the apportioned practices (totals are preserved). Patients of unknown residence are left
out of the shares (the known ones are rescaled to 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.lsoa import LsoaLookup
from landscape_pipeline.sources.qof_prevalence.registrations import Registrations, is_lsoa_code


def choose_lookup(extract: Registrations, lookups: Sequence[LsoaLookup]) -> LsoaLookup:
    """Return the lookup whose LSOA vintage places every LSOA of ``extract`` (2011 or 2021 codes).

    Welsh LSOAs need not be covered by an England-only lookup (see :func:`practice_shares`). Raises
    :class:`SourceDataError` naming the extract's first LSOA that no lookup places.
    """
    if not lookups:
        raise SourceDataError(extract.path, "cannot be placed without an ONS LSOA -> local authority lookup; add "
                              "the lookup of its LSOA vintage (2011 codes before 2023, 2021 codes after).")
    codes = extract.rows.loc[is_lsoa_code(extract.rows["lsoa_code"]), ["lsoa_code", "source_row"]]

    def missing(lookup: LsoaLookup) -> pd.DataFrame:
        known = set(lookup.rows["lsoa_code"].tolist())
        english_only = not any(code.startswith("W01") for code in known)
        needed = codes[~codes["lsoa_code"].str.startswith("W01")] if english_only else codes
        placed = np.fromiter((code in known for code in needed["lsoa_code"].tolist()), bool, len(needed))
        return needed[~placed]

    gaps = {lookup.path: missing(lookup) for lookup in lookups}
    best = min(lookups, key=lambda lk: (len(gaps[lk.path]), -lk.vintage))
    if len(gaps[best.path]):
        first = gaps[best.path].iloc[0]
        tried = "; ".join(lk.label for lk in lookups)
        raise SourceDataError(extract.path, f"LSOA {first['lsoa_code']} is in no LSOA -> local authority lookup given "
                              f"({len(gaps[best.path])} LSOA(s) unplaced; tried {tried}). Add the ONS lookup of "
                              "this extract's LSOA vintage (2011 codes before 2023, 2021 codes after).",
                              row=int(first["source_row"]), column="LSOA_CODE")
    return best


def practice_shares(extract: Registrations, lsoa_to_la: pd.DataFrame | LsoaLookup) -> pd.DataFrame:
    """Return ``practice_code, la_code, patients, share`` for one extract (known residence only).

    Patients living in Welsh LSOAs (W01) get ``la_code`` Wales (W92000004) when the lookup covers
    England only, so that English practices' Welsh residents are not spread over English LAs.
    Raises :class:`SourceDataError` naming the extract's row for an LSOA code missing from the lookup.
    """
    if isinstance(lsoa_to_la, LsoaLookup):
        lsoa_to_la = lsoa_to_la.rows[["lsoa_code", "la_code"]]
    rows = extract.rows[is_lsoa_code(extract.rows["lsoa_code"])]
    merged = rows.merge(lsoa_to_la[["lsoa_code", "la_code"]], on="lsoa_code", how="left")
    if not lsoa_to_la["lsoa_code"].str.startswith("W01").any():
        welsh = merged["la_code"].isna() & merged["lsoa_code"].str.startswith("W01")
        merged.loc[welsh, "la_code"] = geography.WALES
    unmatched = merged["la_code"].isna()
    if unmatched.any():
        first = merged[unmatched].iloc[0]
        raise SourceDataError(extract.path, f"LSOA {first['lsoa_code']} is not in the LSOA -> local authority "
                              f"lookup ({unmatched.sum()} row(s) affected). Use the ONS LSOA 2021 -> LAD lookup that "
                              "covers every LSOA in the extract.", row=int(first["source_row"]), column="LSOA_CODE")
    by_la = merged.groupby(["practice_code", "la_code"], as_index=False)["patients"].sum()
    totals = by_la.groupby("practice_code")["patients"].transform("sum")
    by_la = by_la[totals > 0]
    by_la["share"] = by_la["patients"] / totals[totals > 0]
    return by_la


def apportion(values: pd.DataFrame, shares: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apportion practice ``count``/``denominator`` by period to lower/single-tier LAs.

    ``values`` has ``practice_code, period_label, count, denominator``; ``shares`` maps each
    period label to :func:`practice_shares` output. Returns ``(by_la, excluded)``: ``by_la`` has
    ``period_label, area_code, count, denominator, practices`` (practices contributing), ``excluded``
    the practice rows that could not be apportioned (no registered patients of known residence).
    """
    stacked = _stack(shares)
    merged = values.merge(stacked, on=["practice_code", "period_label"], how="left")
    unmatched = merged["la_code"].isna()
    excluded = merged.loc[unmatched, values.columns].reset_index(drop=True)
    merged = merged[~unmatched]
    merged = merged.assign(count=merged["count"] * merged["share"],
                           denominator=merged["denominator"] * merged["share"])
    by_la = merged.groupby(["period_label", "la_code"], as_index=False).agg(
        count=("count", "sum"), denominator=("denominator", "sum"), practices=("practice_code", "nunique"))
    return by_la.rename(columns={"la_code": "area_code"}), excluded


def _stack(shares: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([s[["practice_code", "la_code", "share"]].assign(period_label=label)
                      for label, s in shares.items()], ignore_index=True)


def _parents() -> tuple[dict[str, str], dict[str, str]]:
    """Return (county of each district, region of each English LA)."""
    las = geography.current_local_authorities()
    county = {la.area_code: la.upper_tier_code for la in las if la.tier == "lower"}
    region = {la.area_code: la.region_code for la in las if la.region_code}
    return county, region


def add_upper_tiers_and_regions(values: pd.DataFrame, shares: Mapping[str, pd.DataFrame],
                                by_la: pd.DataFrame) -> pd.DataFrame:
    """Return ``by_la`` plus counties (sums of their districts) and English regions (sums of their LAs).

    ``area_level`` says which row is which: "lower" (district or unitary), "county" or "region";
    ``practices`` counts each contributing practice once per area.
    """
    county, region = _parents()
    known = set(county) | set(region)
    unknown = sorted(set(by_la["area_code"]) - known)
    if unknown:
        raise ValueError(f"Apportioned to codes that are not current English LAs: {', '.join(unknown[:5])}.")
    used = values[["practice_code", "period_label"]].merge(_stack(shares), on=["practice_code", "period_label"])
    parts = [by_la.assign(area_level="lower")]
    for level, parent in (("county", county), ("region", region)):
        inside = by_la.assign(area_code=by_la["area_code"].map(parent)).dropna(subset=["area_code"])
        summed = inside.groupby(["period_label", "area_code"], as_index=False)[["count", "denominator"]].sum()
        feeders = used.assign(area_code=used["la_code"].map(parent)).dropna(subset=["area_code"])
        counted = feeders.groupby(["period_label", "area_code"])["practice_code"].nunique().rename("practices")
        parts.append(summed.merge(counted.reset_index(), on=["period_label", "area_code"]).assign(area_level=level))
    return pd.concat(parts, ignore_index=True)
