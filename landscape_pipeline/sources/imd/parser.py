"""English Indices of Deprivation 2019 local-authority summaries, on current LA codes.

Inputs (see :mod:`.reader`): File 10 (317 lower-tier districts of 2019) as published - the workbook
or its ``IMD`` sheet as CSV - optionally File 11 (upper tier), and the staged ``ons_population``
table (upstream). Nothing else: no district denominators are needed.

Method. Each 2019 district code is moved to its current successor with the geography's retired-code
table (Allerdale, Carlisle, Copeland -> Cumberland; Barnsley E08000016 -> E08000038). Unchanged areas
keep the published figures. Where several 2019 districts now form one authority, its **average
score** is the population-weighted mean of theirs (the IoD averages LSOA scores by population, so
this is the IoD method at district level) and so is its **proportion of LSOAs in the most deprived
10%** (LSOA counts by district are not published in File 10; LSOAs hold similar populations). The
weights are real (:mod:`.weights`): ONS mid-year estimates of the 2019 districts from the staged
``ons_population`` table when it lists them, else the IoD2019's own denominators implied by File 10's
``Income`` sheet; the row's note says which. Counties take File 11's values where given (all current
counties have their 2019 boundaries), else their districts' weighted values; regions and England are
weighted means of their current LAs. Ranks are recomputed among the 296 current lower/single-tier
and the 153 current upper-tier authorities (1 = most deprived, ties share the lower rank).

``synthetic`` is derived: a row is synthetic if File 10/11 is, or if synthetic population estimates
weighted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import corrections, geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import describe_file
from landscape_pipeline.sources.base import SYNTHETIC_DERIVED, SourceInputs
from landscape_pipeline.sources.imd.reader import Table, read_tables
from landscape_pipeline.sources.imd.rows import (
    INDICATORS,
    PROPORTION_ID,
    RANK_ID,
    SCORE_ID,
    SOURCE_ID,
    UPPER_RANK_ID,
    build_rows,
)
from landscape_pipeline.sources.imd.weights import (
    Weights,
    district_denominators,
    missing_weights_note,
    ons_populations,
    weights_for,
)

__all__ = ["COLUMN_LABELS", "INDICATORS", "PROPORTION_ID", "RANK_ID", "SCORE_ID", "SOURCE_ID", "UPPER_RANK_ID",
           "parse"]
COLUMN_LABELS = {"area_code": "Local Authority District code (2019)",
                 "area_name": "Local Authority District name (2019)",
                 "value": "IMD - Average score / Proportion / Rank of average score"}


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return the canonical IMD table for every current English LA, county, region and England."""
    tables = [t for p in paths for t in read_tables(p)]
    lower = _one(tables, "lower", "imd", paths=paths)
    upper = _one(tables, "upper", "imd", paths=paths, required=False)
    income = _one(tables, "lower", "income", paths=paths, required=False)
    if income is not None:
        _same_districts(lower, income)
    ons = ons_populations(inputs)
    iod = district_denominators(income.frame if income is not None else None)
    iod_synthetic = income is not None and describe_file(income.path).synthetic
    current = _to_current(lower, ons, iod, iod_synthetic)
    current_weights = weights_for(list(current["area_code"]), ons, _by_successor(lower, iod),
                                  iod_synthetic=iod_synthetic)
    if current_weights is None:
        current_weights = Weights(pd.Series(np.nan, index=current["area_code"]),
                                  missing_weights_note(list(current["area_code"]), ons), False)
    file_synthetic = {t.path: describe_file(t.path).synthetic for t in (lower, upper) if t is not None}
    rows = build_rows(current, current_weights, upper, lower, file_synthetic)
    out = schema.conform(rows)
    out.attrs[SYNTHETIC_DERIVED] = True
    applied = [a for t in tables for a in t.applied]
    out.attrs["corrections"] = corrections.report(applied)
    out.attrs["weights"] = {"districts_merged": sorted(current.loc[current["n_districts"].gt(1), "area_code"]),
                            "merged_basis": sorted(set(current["basis"].dropna())),
                            "aggregate_basis": current_weights.basis,
                            "not_computed": sorted(out.loc[out["value"].isna(), "area_code"].unique())}
    return out


def _one(tables: list[Table], tier: str, kind: str, *, paths: Sequence[Path], required: bool = True) -> Table | None:
    found = [t for t in tables if t.tier == tier and t.kind == kind]
    if len(found) > 1:
        raise SourceDataError(found[1].path, f"is a second IoD {tier}-tier {kind} table (first: {found[0].path.name}); "
                              "give one of each.", sheet=found[1].sheet)
    if required and not found:
        place = Path(paths[0]).parent if paths else Path(".")
        raise SourceDataError(place, "holds no IoD File 10 (lower-tier local authority summaries, 'IMD' sheet). "
                              "Add it to the folder.")
    return found[0] if found else None


def _same_districts(lower: Table, income: Table) -> None:
    missing = sorted(set(lower.frame["code"]) - set(income.frame["code"]))
    if missing:
        raise SourceDataError(income.path, f"has no row for {', '.join(missing[:5])}, which {lower.path.name} lists; "
                              "give the Income sheet of the same edition.", sheet=income.sheet,
                              column=income.code_column)


def successors(table: Table, tiers: tuple[str, ...]) -> pd.Series:
    """Return the current code of each row's code; raise naming the row for unknown or split codes."""
    las = {la.area_code: la for la in geography.current_local_authorities()}
    mapping: dict[str, str] = {}
    for position, code in enumerate(table.frame["code"]):
        if code in mapping:
            continue
        row, hint = int(table.frame["source_row"].iloc[position]), ""
        try:
            current = geography.resolve_area_code(code)
        except geography.AreaCodeError as exc:
            if isinstance(exc, geography.UnknownAreaCodeError):
                hint = (" If the publisher's file is wrong here, add a reviewed entry to the corrections table "
                        "(landscape_pipeline/corrections.csv); the reader never guesses.")
            raise SourceDataError(table.path, f"{exc}{hint}", row=row, column=table.code_column,
                                  sheet=table.sheet) from None
        if current not in las or las[current].nation_code != geography.ENGLAND or las[current].tier not in tiers:
            raise SourceDataError(table.path, f"{code} is not an English {'/'.join(tiers)}-tier local authority.",
                                  row=row, column=table.code_column, sheet=table.sheet)
        mapping[code] = current
    return table.frame["code"].map(mapping)


def _by_successor(lower: Table, iod: pd.Series | None) -> pd.Series | None:
    if iod is None:
        return None
    return iod.groupby(successors(lower, ("lower", "single")).set_axis(lower.frame["code"]).reindex(iod.index)).sum()


def _to_current(lower: Table, ons: pd.DataFrame, iod: pd.Series | None, iod_synthetic: bool) -> pd.DataFrame:
    """Return one row per current lower/single-tier LA: values, notes, source rows, weights' basis and flag."""
    districts = lower.frame.assign(area_code=successors(lower, ("lower", "single")).to_numpy())
    districts["note"] = districts["source_row"].map(lower.notes)
    rows = []
    for code, group in districts.groupby("area_code", sort=True):
        first = group.iloc[0]
        row = {"area_code": code, "n_districts": len(group), "score": first["score"],
               "proportion": first["proportion"], "published_rank": first["published_rank"],
               "source_row": first["source_row"], "basis": None, "weight_synthetic": False, "note": first["note"]}
        if len(group) > 1:
            weights = weights_for(list(group["code"]), ons, iod, iod_synthetic=iod_synthetic)
            row.update(published_rank=np.nan, source_row=np.nan, score=np.nan, proportion=np.nan,
                       note=_merge_note(group, weights, ons))
            if weights is not None:
                w = weights.values.to_numpy(float)
                row.update(score=float(np.average(group["score"], weights=w)),
                           proportion=float(np.average(group["proportion"], weights=w)),
                           basis=weights.basis, weight_synthetic=weights.synthetic)
        elif first["code"] != code:
            row["note"] = " ".join(n for n in (f"Published under the 2019 code {first['code']}; same area, now "
                                               f"{code}.", first["note"]) if isinstance(n, str))
        rows.append(row)
    current = pd.DataFrame(rows)
    expected = {la.area_code for la in geography.current_local_authorities()
                if la.nation_code == geography.ENGLAND and la.tier != "upper"}
    missing = sorted(expected - set(current["area_code"]))
    if missing:
        raise SourceDataError(lower.path, f"gives no value for the current LA(s) {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}; File 10 must cover every English district.",
                              sheet=lower.sheet)
    return current


def _merge_note(group: pd.DataFrame, weights: Weights | None, ons: pd.DataFrame) -> str:
    names = [f"{n} ({c})" for n, c in zip(group["name"].fillna(group["code"]), group["code"], strict=True)]
    extra = " ".join(n for n in group["note"] if isinstance(n, str))
    if weights is None:
        return missing_weights_note(list(group["code"]), ons).replace(
            "Not computed: it", f"Not computed: formed since 2019 from {', '.join(names)}, it")
    return (f"Population-weighted from its 2019 districts {', '.join(names)} with {weights.basis}; the proportion "
            "of LSOAs in the most deprived 10% is weighted the same way, as File 10 gives no LSOA counts."
            + (f" {extra}" if extra else ""))
