"""QOF cancer register prevalence apportioned from GP practices to local authorities.

QOF prevalence (Fingertips indicator 276, "Cancer: QOF prevalence (all ages)") is published per GP
practice: the numerator is the practice's cancer register, the denominator its registered list.
Practices do not belong to local authorities, so - as analysts do - each practice is attributed
through where its registered patients live:

1. For each QOF year (register date 31 March), take the "Patients Registered at a GP Practice" LSOA
   extract dated nearest to it, within the configured limit (the rule shared with the GP Patient
   Survey, :mod:`.extracts`): a year without an extract that close is not apportioned, and its
   England row and the check metadata (``parser_extract_limit``) say so.
2. Place each LSOA of residence with the ONS LSOA -> LAD lookup of the extract's LSOA vintage (2011
   codes before 2023, 2021 codes after; :func:`.apportion.choose_lookup`; the lookups given with the
   files, else those bundled with the geography, :mod:`landscape_pipeline.geography.lsoa`), older LA
   codes moved to current ones. A practice's share of an LA is the fraction of its patients of known residence
   living there (``NO2021``-style "unknown" rows are left out and the rest rescaled).
3. Multiply each practice's numerator and denominator by its shares and sum by LA; counties sum
   their districts and regions their LAs. The sum over LAs equals the sum over the practices
   apportioned (nothing is lost or double counted). Practices with no registration data that year
   cannot be placed, and patients living in Wales (when the lookup covers England only) go to no
   English LA; both shares of the register are noted on the England row.
4. The LA proportion is numerator / denominator x 100 with Wilson 95% and 99.8% limits
   (``stats.proportion_frame``), compared with the England row of the export (Higher/Similar/Lower:
   QOF prevalence carries no judgement), with its region likewise; recent trend over the 5 years.

Counts and denominators are fractional sums and are kept unrounded: QOF registers are published
per practice, so LA sums disclose nothing new (disclosure rule "none"). Rows are
``geography_method`` "apportioned" with an ``attribution_note`` naming the practices and extract.
The practice rows themselves are not kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.lsoa import LsoaLookup, bundled_lookups, is_lookup_header, read_lsoa_lookup
from landscape_pipeline.provenance import add_provenance, combined_columns, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.fingertips import read_fingertips_csv
from landscape_pipeline.sources.qof_prevalence.apportion import (
    add_upper_tiers_and_regions,
    apportion,
    choose_lookup,
    practice_shares,
)
from landscape_pipeline.sources.qof_prevalence.extracts import MAX_YEARS_ENV, ExtractChoice, choose_extracts
from landscape_pipeline.sources.qof_prevalence.registrations import (
    Registrations,
    is_registration_header,
    read_registrations,
)
from landscape_pipeline.stats import compare_frame, proportion_frame, recent_trend_frame
from landscape_pipeline.tabular import normalise, read_header

SOURCE_ID = "qof_prevalence"
INDICATOR_ID = "qof_prevalence_cancer"
FINGERTIPS_ID = "fingertips_276"
INDICATOR_NAME = "Cancer: QOF prevalence (all ages), apportioned from GP practices"
POLARITY = "No judgement"
_PRACTICE = re.compile(r"^[A-Z]\d{5}$")
COLUMN_LABELS = {"value": "Value", "count": "Count", "denominator": "Denominator", "period_label": "Time period",
                 "area_code": "Area Code (apportioned to LA via LSOA_CODE)"}
AREA_TYPES = {"lower": "Local authority", "county": "Local authority", "region": "Region"}


def classify(paths: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Return (Fingertips exports, registration extracts, LSOA lookups) among ``paths``, by their headers."""
    exports, extracts, lookups = [], [], []
    for path in map(Path, paths):
        header = read_header(path)
        if header and normalise(header[0]) == "indicatorid":
            exports.append(path)
        elif is_registration_header(header):
            extracts.append(path)
        elif is_lookup_header(header):
            lookups.append(path)
        else:
            raise SourceDataError(path, "is neither a Fingertips export, a 'Patients Registered at a GP Practice' "
                                  "LSOA file nor an ONS LSOA -> LA lookup (by its header). Remove it from the folder.")
    return exports, extracts, lookups


def read_practice_values(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (practice rows, England rows) of a Fingertips indicator-276 export, canonical columns."""
    frame = read_fingertips_csv(path)
    other = frame["indicator_id"].ne(FINGERTIPS_ID)
    if other.any():
        row = int(frame.loc[other, "source_row"].iloc[0])
        raise SourceDataError(path, f"holds indicator {frame.loc[other, 'indicator_id'].iloc[0].split('_')[-1]}; "
                              "this source reads only indicator 276 (Cancer: QOF prevalence).", row=row,
                              column="Indicator ID")
    overall = frame["category_type"].isna()
    practices = frame[overall & frame["area_code"].str.match(_PRACTICE)].copy()
    england = frame[overall & frame["area_code"].eq(geography.ENGLAND)].drop_duplicates("period_label")
    return practices, england


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return LA, county, region and England rows of apportioned QOF cancer prevalence."""
    exports, extract_paths, lookup_paths = classify(paths)
    if len(exports) != 1:
        where = paths[0] if paths else Path(SOURCE_ID)
        raise SourceDataError(where, f"needs exactly one Fingertips export of indicator 276, found {len(exports)}.")
    if not extract_paths:
        raise SourceDataError(exports[0], "cannot be apportioned without a 'Patients Registered at a GP Practice' "
                              "LSOA file (gp-reg-pat-prac-lsoa-all.csv); add one to the folder.")
    practices, england = read_practice_values(exports[0])
    extracts = [read_registrations(p) for p in extract_paths]
    lookups = [read_lsoa_lookup(p) for p in lookup_paths] or bundled_lookups()
    if not lookups:
        raise SourceDataError(exports[0], "cannot be apportioned without an ONS LSOA -> local authority lookup "
                              "(LSOA11CD or LSOA21CD with LADyyCD); add the lookup of the extracts' LSOA vintage.")
    periods = practices.drop_duplicates("period_label").set_index("period_label")["period_end"]
    choice = choose_extracts({label: pd.Timestamp(end) for label, end in periods.items()}, extracts)
    chosen = choice.chosen
    if not chosen:
        raise SourceDataError(exports[0], f"no QOF year has a registration extract within {choice.limit:g} years "
                              f"({MAX_YEARS_ENV}); nearest: {choice.nearest_text()}. Add the extracts of those years.")
    used = {e.path: e for e in chosen.values()}
    placed = {path: choose_lookup(e, lookups) for path, e in used.items()}
    by_extract = {path: practice_shares(e, placed[path]) for path, e in used.items()}
    shares = {label: by_extract[e.path] for label, e in chosen.items()}
    values = practices[practices["period_label"].isin(chosen)].rename(columns={"area_code": "practice_code"})[
        ["practice_code", "period_label", "count", "denominator"]].dropna(subset=["count", "denominator"])
    by_la, excluded = apportion(values, shares)
    in_england = by_la["area_code"].str.startswith("E")
    outside = by_la[~in_england]  # patients of English practices resident in Wales (or elsewhere)
    areas = add_upper_tiers_and_regions(values, shares, by_la[in_england])
    rows = _area_rows(areas, chosen, placed, practices, exports[0])
    england_rows = _england_rows(england, values, excluded, outside, choice)
    rows = pd.concat([rows, add_provenance(england_rows, describe_file(exports[0]))], ignore_index=True)
    _compare(rows)
    out = schema.conform(rows)
    out.attrs["extract_limit"] = choice.metadata()
    out.attrs["extracts_used"] = {label: f"{e.label} ({e.path.name}; LSOA {placed[e.path].vintage} codes)"
                                  for label, e in sorted(chosen.items())}
    return out


def _area_rows(areas: pd.DataFrame, chosen: dict[str, Registrations], placed: dict[Path, LsoaLookup],
               practices: pd.DataFrame, export: Path) -> pd.DataFrame:
    rows = proportion_frame(areas, "count", "denominator", multiplier=100)
    dates = practices.drop_duplicates("period_label").set_index("period_label")[["period_start", "period_end"]]
    rows = rows.join(dates, on="period_label")
    rows["area_type"] = rows["area_level"].map(AREA_TYPES)
    rows["area_name"] = rows["area_code"].map(geography.area_name)
    rows["geography_method"] = "apportioned"
    extract = rows["period_label"].map({k: f"{e.label} extract ({e.path.name}); {placed[e.path].label}"
                                        for k, e in chosen.items()})
    whom = np.where(rows["area_level"].eq("lower"), "", " and summed over its "
                    + rows["area_level"].map({"county": "districts", "region": "local authorities"}).fillna(""))
    rows["attribution_note"] = (
        "Apportioned from " + rows["practices"].astype(int).astype(str) + " GP practices' QOF cancer registers and "
        "list sizes by their registered patients' LSOA of residence (Patients Registered at a GP Practice, "
        + extract + ")" + whom + "; count and denominator are unrounded sums of shares.")
    rows["value_note"] = "Apportioned from GP practices; QOF is not published by local authority."
    rows["region_code"] = np.where(rows["area_level"].eq("region"), None,
                                   rows["area_code"].map(lambda c: geography.region_of(c)))
    rows = rows.drop(columns=["area_level", "practices"])
    parts = []  # each year's rows were shaped by the export, that year's extract and its lookup
    for label, group in rows.groupby("period_label", sort=False):
        extract = chosen[label]
        group = group.copy()
        for name, value in combined_columns([export, extract.path, placed[extract.path].path]).items():
            group[name] = value
        parts.append(group)
    return pd.concat(parts, ignore_index=True)


def _england_rows(england: pd.DataFrame, values: pd.DataFrame, excluded: pd.DataFrame, outside: pd.DataFrame,
                  choice: ExtractChoice) -> pd.DataFrame:
    """Return the published England rows, noting register shares that reached no English LA."""
    out = england.copy()
    out["geography_method"] = "direct"
    total = values.groupby("period_label")["denominator"].sum()
    lost = excluded.groupby("period_label").agg(n=("practice_code", "nunique"), denominator=("denominator", "sum"))
    away = outside.groupby("period_label")["denominator"].sum()
    notes = {}
    for label in total.index:
        parts = []
        if label in lost.index:
            parts.append(f"{int(lost.loc[label, 'n'])} practice(s) ({lost.loc[label, 'denominator'] / total[label]:.1%}"
                         " of the register) had no registration data and are in no local authority")
        if label in away.index:
            parts.append(f"{away[label] / total[label]:.2%} of the register is patients living outside England")
        notes[label] = "; ".join(parts) + "." if parts else None
    for label in choice.too_far:
        notes[label] = choice.note(label, "Not apportioned to local authorities", "QOF year")
    out["value_note"] = out["period_label"].map(notes)
    drop = ("indicator_id", "indicator_name", "source_id", "source_row")
    return out[[c for c in out.columns if c in schema.COLUMN_NAMES and c not in drop]]


def _compare(rows: pd.DataFrame) -> None:
    """Fill identifiers, comparators, region values, trends and latest flags (in place)."""
    rows["indicator_id"], rows["indicator_name"], rows["source_id"] = INDICATOR_ID, INDICATOR_NAME, SOURCE_ID
    rows["value_type"], rows["unit"], rows["polarity"] = "proportion", "%", POLARITY
    rows["sex"], rows["age"] = "Persons", "All ages"
    rows["source_row"] = None
    rows["suppressed"] = False
    england = rows["area_code"].eq(geography.ENGLAND)
    national = rows[england].set_index("period_label")["value"]
    rows["comparator_code"] = np.where(england, None, geography.ENGLAND)
    rows["comparator_value"] = rows["period_label"].map(national).where(~england)
    rows["comparison"] = np.where(england, None, compare_frame(rows["value"], rows["lower_ci_95"],
                                                                rows["upper_ci_95"], rows["comparator_value"],
                                                                POLARITY))
    regional = rows[rows["area_type"].eq("Region")].set_index(["period_label", "area_code"])["value"]
    key = pd.MultiIndex.from_arrays([rows["period_label"], rows["region_code"].fillna("")])
    rows["region_value"] = regional.reindex(key).to_numpy()
    with_region = rows["region_value"].notna()
    rows["region_comparison"] = np.where(with_region, compare_frame(
        rows["value"], rows["lower_ci_95"], rows["upper_ci_95"], rows["region_value"], POLARITY), None)
    rows["is_latest"] = rows["period_end"].eq(rows.groupby("area_code")["period_end"].transform("max"))
    order = rows.assign(year=pd.to_datetime(rows["period_start"]).dt.year)
    trends = recent_trend_frame(order, ["area_code"], "year", "polarity", consecutive=True)
    rows["recent_trend"] = rows["area_code"].map(trends.set_index("area_code")["recent_trend"])
