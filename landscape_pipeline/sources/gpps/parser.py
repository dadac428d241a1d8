"""GP Patient Survey results for local authorities, modelled from practice results with registration weights.

GPPS publishes results for practices, PCNs, ICSs and England, never for local authorities. A local
authority's figure is modelled as the average of its residents' practices' results, each practice
weighted by how many of its registered patients live in the authority (:mod:`.weights`): a practice
with 8,000 patients in Coventry counts eight times one with 1,000. Counties and regions pool their
districts' weights; England pools every practice's. Practices whose result is suppressed, or that have
no result, are left out and the weights of the rest rescaled; an area where practices holding fewer than
:data:`MIN_COVERAGE` of its residents' registrations have a result gets no value.

Every row is ``geography_method`` "apportioned", its ``value_note`` says the figure is modelled, and its
``attribution_note`` names the practices, the registration extract and the share of registrations covered.
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
from landscape_pipeline.provenance import combined_columns
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.gpps.questions import QUESTIONS
from landscape_pipeline.sources.gpps.reader import PracticeResults, is_gpps_header, read_practice_results
from landscape_pipeline.sources.gpps.weights import Weights, header_of, is_lsoa_lookup_header, shared_registration_files
from landscape_pipeline.sources.qof_prevalence.registrations import Registrations, is_registration_header

SOURCE_ID = "gpps"
MIN_COVERAGE = 0.5
MODELLED_NOTE = ("Modelled: average of GP practice results weighted by where each practice's registered patients "
                 "live; GPPS publishes no local authority results.")
COLUMN_LABELS = {"value": "Q<n>_12pct (practice results, registration-weighted)", "area_code": "Practice_Code "
                 "(apportioned to LA via LSOA_CODE)", "period_label": "survey year (file name)"}


def classify(paths: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Return (survey files, registration extracts, LSOA lookups) among ``paths``, by their headers."""
    surveys, extracts, lookups = [], [], []
    for path in map(Path, paths):
        header = header_of(path)
        if is_registration_header(header):
            extracts.append(path)
        elif is_lsoa_lookup_header(header):
            lookups.append(path)
        elif is_gpps_header(header):
            surveys.append(path)
        else:
            raise SourceDataError(path, "is neither a GP Patient Survey practice file, a 'Patients Registered at a GP "
                                  "Practice' LSOA file nor an LSOA -> LA lookup (by its header).")
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
    parts = [_year_rows(res, weights) for res in results]
    return schema.conform(pd.concat(parts, ignore_index=True))


def _year_rows(res: PracticeResults, weights: Weights) -> pd.DataFrame:
    shares, extract = weights.for_year(res.year, res.path)
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
    _finish(rows, res, extract, unmatched)
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


def _finish(rows: pd.DataFrame, res: PracticeResults, extract: Registrations, unmatched: int) -> None:
    """Fill identifiers, period, notes and provenance (in place)."""
    rows["indicator_name"] = rows["indicator_id"].map(lambda i: QUESTIONS[i].name)
    rows["source_id"], rows["sex"], rows["age"] = SOURCE_ID, "Persons", "16+ yrs"
    rows["period_label"] = str(res.year)
    rows["period_start"], rows["period_end"] = pd.Timestamp(res.year, 1, 1), pd.Timestamp(res.year, 3, 31)
    rows["value_type"], rows["unit"], rows["polarity"] = "proportion", "%", "High is good"
    rows["geography_method"] = "apportioned"
    rows["area_name"] = rows["area_code"].map({c: geography.area_name(c) for c in rows["area_code"].unique()})
    rows["area_type"] = np.where(rows["area_code"].eq(geography.ENGLAND), "England",
                                 np.where(rows["area_code"].str.startswith("E12"), "Region", "Local authority"))
    low = rows["value"].isna()
    rows["value_note"] = np.where(low, MODELLED_NOTE + " Not given: practices with a published result hold "
                                  "fewer than half of residents' registrations.", MODELLED_NOTE)
    rows["attribution_note"] = (
        "Weighted average of " + rows["with_result"].astype(int).astype(str) + " of " + rows["practices"].astype(str)
        + " GP practices' results, weights = their registered patients living here (Patients Registered at a GP "
        f"Practice, {extract.label} extract, {extract.path.name}; LSOA -> LA lookup): "
        + rows["patients"].round().astype(int).map("{:,}".format) + " registrations, "
        + (rows["coverage"] * 100).round(1).astype(str) + "% at practices with a result; about "
        + rows["respondents"].round().astype("Int64").astype(str) + " respondents apportioned.")
    england = rows["area_code"].eq(geography.ENGLAND)
    if unmatched:
        rows.loc[england, "attribution_note"] += (f" {unmatched} surveyed practice(s) are not in the registration "
                                                   "extract and are left out.")
    rows.drop(columns=["weighted", "valid_patients", "patients", "practices", "with_result", "respondents",
                       "coverage"], inplace=True)
    for name, value in combined_columns([res.path, extract.path]).items():
        rows[name] = value
