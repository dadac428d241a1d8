"""GP Patient Survey results for local authorities, modelled from practice results with registration weights.

GPPS publishes results for practices, PCNs, ICSs and England, never for local authorities. A local
authority's figure is modelled as the average of its residents' practices' results, each practice
weighted by how many of its registered patients live in the authority (:mod:`.weights`): a practice
with 8,000 patients in Coventry counts eight times one with 1,000. Counties and regions pool their
districts' weights; England pools every practice's. Practices whose result is suppressed, or that have
no result, are left out and the weights of the rest rescaled; an area where practices holding fewer than
:data:`MIN_COVERAGE` of its residents' registrations have a result gets no value.

Each survey year is weighted by the registration extract nearest 1 January of that year, within the limit
shared with QOF (:mod:`landscape_pipeline.sources.qof_prevalence.extracts`): a year without an extract that
close is not modelled; it gets England rows with no value whose note says so, and the asset's metadata
(``parser_extract_limit``) lists it. Every row is ``geography_method`` "apportioned", its ``value_note``
says the figure is modelled, and its ``attribution_note`` names the practices, the registration extract,
the LSOA lookup and the share of registrations covered.
No confidence interval is given (the practices' sampling errors cannot be combined from the public file),
so areas are compared with England by value only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.lsoa import LsoaLookup, is_lookup_header
from landscape_pipeline.provenance import combined_columns
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.gpps.questions import QUESTIONS
from landscape_pipeline.sources.gpps.reader import PracticeResults, is_gpps_header, read_practice_results
from landscape_pipeline.sources.gpps.weights import Weights, shared_registration_files
from landscape_pipeline.sources.qof_prevalence.extracts import MAX_YEARS_ENV, ExtractChoice
from landscape_pipeline.sources.qof_prevalence.registrations import Registrations, is_registration_header
from landscape_pipeline.tabular import read_header

SOURCE_ID = "gpps"
MIN_COVERAGE = 0.5
#: Starts the value note of England rows of a survey year not modelled (no extract within the limit).
NOT_GIVEN = "Not given for lack of registrations"
MODELLED_NOTE = ("Modelled: average of GP practice results weighted by where each practice's registered patients "
                 "live; GPPS publishes no local authority results.")
COLUMN_LABELS = {"value": "Q<n>_12pct (practice results, registration-weighted)", "area_code": "Practice_Code "
                 "(apportioned to LA via LSOA_CODE)", "period_label": "survey year (file name)"}


def classify(paths: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Return (survey files, registration extracts, LSOA lookups) among ``paths``, by their headers."""
    surveys, extracts, lookups = [], [], []
    for path in map(Path, paths):
        header = read_header(path)
        if is_registration_header(header):
            extracts.append(path)
        elif is_lookup_header(header):
            lookups.append(path)
        elif is_gpps_header(header):
            surveys.append(path)
        else:
            raise SourceDataError(path, "is neither a GP Patient Survey practice file (a Practice_Code column and "
                                  "Q<n>_<answers>pct columns), a 'Patients Registered at a GP Practice' LSOA file nor "
                                  "an LSOA -> LA lookup (by its header).")
    return surveys, extracts, lookups


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return modelled LA, county, region and England rows for every survey year given."""
    surveys, extracts, lookups = classify(paths)
    if not surveys:
        raise SourceDataError(Path(paths[0]) if paths else Path(SOURCE_ID), "no GP Patient Survey practice file "
                              "was given.")
    weights = Weights(extracts or shared_registration_files(), lookups)
    results = [read_practice_results(p) for p in surveys]
    years: dict[int, Path] = {}
    for res in results:
        if res.year in years:
            raise SourceDataError(res.path, f"is a second file for the {res.year} survey (first: "
                                  f"{years[res.year].name}); keep one practice file per year.")
        years[res.year] = res.path
    choice = weights.choose(years)
    if not choice.chosen:
        raise SourceDataError(results[0].path, f"no GP Patient Survey year has a registration extract within "
                              f"{choice.limit:g} years ({MAX_YEARS_ENV}); nearest: {choice.nearest_text()}. Add an "
                              "extract of those years (Patients Registered at a GP Practice, LSOA file).")
    parts = [_year_rows(res, weights, choice.chosen[str(res.year)]) if str(res.year) in choice.chosen
             else _not_modelled_rows(res, choice) for res in results]
    out = schema.conform(pd.concat(parts, ignore_index=True))
    out.attrs["extract_limit"] = choice.metadata()
    out.attrs["extracts_used"] = {label: f"{e.label} ({e.path.name})" for label, e in sorted(choice.chosen.items())}
    return out


def _not_modelled_rows(res: PracticeResults, choice: ExtractChoice) -> pd.DataFrame:
    """Return England rows without a value for a survey year whose nearest extract is beyond the limit."""
    rows = pd.DataFrame({"indicator_id": sorted(res.rows["indicator_id"].unique()), "area_code": geography.ENGLAND,
                         "value": np.nan})
    _labels(rows, res)
    rows["value_note"] = f"{MODELLED_NOTE} {choice.note(str(res.year), NOT_GIVEN, 'survey year')}"
    rows["attribution_note"] = "No registration weights: see the value note."
    for name, value in combined_columns([res.path]).items():
        rows[name] = value
    return rows


def _year_rows(res: PracticeResults, weights: Weights, extract: Registrations) -> pd.DataFrame:
    shares, lookup = weights.for_extract(extract)
    las = geography.current_local_authorities()
    county = {la.area_code: la.upper_tier_code for la in las if la.tier == "lower"}
    region = {la.area_code: la.region_code for la in las if la.region_code and la.tier != "upper"}
    english = shares[shares["la_code"].isin(region)]
    levels = [english.assign(area=english["la_code"]),
              english.assign(area=english["la_code"].map(county)).dropna(subset=["area"]),
              english.assign(area=english["la_code"].map(region))]
    totals = shares.groupby("practice_code", as_index=False)["patients"].sum().assign(area=geography.ENGLAND)
    pooled = pd.concat([*levels, totals], ignore_index=True)
    pooled = pooled.groupby(["area", "practice_code"], as_index=False)["patients"].sum()
    pooled["share"] = pooled["patients"] / pooled["practice_code"].map(totals.set_index("practice_code")["patients"])
    frames = []
    for indicator_id, practice in res.rows.groupby("indicator_id"):
        merged = pooled.merge(practice, on="practice_code", how="left")
        frames.append(_aggregate(merged, indicator_id))
    rows = pd.concat(frames, ignore_index=True)
    unmatched = res.rows.loc[~res.rows["practice_code"].isin(shares["practice_code"]), "practice_code"].nunique()
    _finish(rows, res, extract, lookup, unmatched)
    return rows


def _aggregate(merged: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Return per area: weighted mean, coverage, practices, weights and apportioned respondents."""
    valid = merged["value"].notna()
    merged = merged.assign(weighted=merged["value"] * merged["patients"],
                           valid_patients=merged["patients"].where(valid), respondents=merged["base"] * merged["share"])
    by_area = merged.groupby("area").agg(
        weighted=("weighted", "sum"), valid_patients=("valid_patients", "sum"), patients=("patients", "sum"),
        practices=("practice_code", "nunique"), with_result=("value", "count"),
        respondents=("respondents", "sum"))
    by_area["coverage"] = by_area["valid_patients"] / by_area["patients"]
    by_area["value"] = (by_area["weighted"] / by_area["valid_patients"]).where(by_area["coverage"] >= MIN_COVERAGE)
    return by_area.reset_index().rename(columns={"area": "area_code"}).assign(indicator_id=indicator_id)


def _labels(rows: pd.DataFrame, res: PracticeResults) -> None:
    """Fill identifiers, period, statistic and area labels (in place)."""
    rows["indicator_name"] = rows["indicator_id"].map(lambda i: QUESTIONS[i].name)
    rows["source_id"], rows["sex"], rows["age"] = SOURCE_ID, "Persons", "16+ yrs"
    rows["period_label"] = str(res.year)
    rows["period_start"], rows["period_end"] = pd.Timestamp(res.year, 1, 1), pd.Timestamp(res.year, 3, 31)
    rows["value_type"], rows["unit"], rows["polarity"] = "proportion", "%", "High is good"
    rows["geography_method"] = "apportioned"
    rows["area_name"] = rows["area_code"].map({c: geography.area_name(c) for c in rows["area_code"].unique()})
    rows["area_type"] = np.where(rows["area_code"].eq(geography.ENGLAND), "England",
                                 np.where(rows["area_code"].str.startswith("E12"), "Region", "Local authority"))


def _finish(rows: pd.DataFrame, res: PracticeResults, extract: Registrations, lookup: LsoaLookup,
            unmatched: int) -> None:
    """Fill identifiers, period, notes and provenance (in place)."""
    _labels(rows, res)
    low = rows["value"].isna()
    rows["value_note"] = np.where(low, MODELLED_NOTE + " Not given: practices with a published result hold "
                                  "fewer than half of residents' registrations.", MODELLED_NOTE)
    rows["attribution_note"] = (
        "Weighted average of " + rows["with_result"].astype(int).astype(str) + " of " + rows["practices"].astype(str)
        + " GP practices' results, weights = their registered patients living here (Patients Registered at a GP "
        f"Practice, {extract.label} extract, {extract.path.name}; {lookup.label}): "
        + rows["patients"].round().astype(int).map("{:,}".format) + " registrations, "
        + (rows["coverage"] * 100).round(1).astype(str) + "% at practices with a result; about "
        + rows["respondents"].round().astype("Int64").astype(str) + " respondents apportioned.")
    england = rows["area_code"].eq(geography.ENGLAND)
    if unmatched:
        rows.loc[england, "attribution_note"] += (f" {unmatched} surveyed practice(s) are not in the registration "
                                                   "extract and are left out.")
    rows.drop(columns=["weighted", "valid_patients", "patients", "practices", "with_result", "respondents",
                       "coverage"], inplace=True)
    for name, value in combined_columns([res.path, extract.path, lookup.path]).items():
        rows[name] = value
