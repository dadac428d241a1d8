"""English Indices of Deprivation 2019 local-authority summaries, on current LA codes.

Inputs (see :mod:`.reader`): File 10 (317 lower-tier districts of 2019), optionally File 11 (151
upper-tier authorities), and the population denominators (File 7 or its district sums).

Method. Each 2019 district code is moved to its current successor with the geography's retired-code
table (Allerdale, Carlisle, Copeland -> Cumberland; Corby ... -> North Northamptonshire; Barnsley
E08000016 -> E08000038). Where several districts merged, the successor's **average score** is the
population-weighted mean of the districts' average scores (weights: IoD2019 population
denominators, mid-2015, excluding prisoners - the same weights the IoD uses to average LSOA scores,
so the result equals the IoD method applied to the merged area), and the **proportion of LSOAs in the
most deprived 10%** is weighted by the districts' LSOA counts. Ranks are then recomputed: the
**rank of average score** among the 296 current lower/single-tier authorities
(``imd_rank_of_average_score``) and among the 153 current upper-tier authorities
(``imd_rank_of_average_score_upper_tier``), 1 = most deprived, ties sharing the lower rank.
Counties take File 11's values (all 21 current counties have their 2019 boundaries) or, without
File 11, their districts' weighted values. Regions and England get the weighted means of their
districts (score and proportion only). Rows without a confidence interval are "Not compared".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.imd.reader import Table, read_table

SOURCE_ID = "imd"
PERIOD = "2019"
SCORE_ID = "imd_average_score"
PROPORTION_ID = "imd_proportion_lsoas_most_deprived_10pct"
RANK_ID = "imd_rank_of_average_score"
UPPER_RANK_ID = "imd_rank_of_average_score_upper_tier"
INDICATORS = {  # id -> (name, value_type, unit, polarity)
    SCORE_ID: ("IMD 2019 - Average score", "score", "score", "No judgement"),
    PROPORTION_ID: ("IMD 2019 - Proportion of LSOAs in most deprived 10% nationally", "proportion", "%",
                    "No judgement"),
    RANK_ID: ("IMD 2019 - Rank of average score (of current lower/single-tier LAs)", "rank",
              "rank (1 = most deprived)", "Not applicable"),
    UPPER_RANK_ID: ("IMD 2019 - Rank of average score (of current upper-tier LAs)", "rank",
                    "rank (1 = most deprived)", "Not applicable"),
}
COLUMN_LABELS = {"area_code": "Local Authority District code (2019)",
                 "area_name": "Local Authority District name (2019)",
                 "value": "IMD - Average score / Proportion / Rank of average score"}


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return the canonical IMD table for every current English LA and England."""
    tables = [read_table(p) for p in paths]
    lower = _one(tables, "lower", required=True, paths=paths)
    upper = _one(tables, "upper", required=False, paths=paths)
    denominators = _one(tables, "denominators", required=True, paths=paths)
    districts = _with_denominators(lower, denominators)
    current = _to_current(lower, districts)
    counties = _counties(current, upper)
    rows = pd.concat([_lower_rows(current), _upper_rows(current, counties), _region_rows(current),
                      _england_rows(districts)], ignore_index=True)
    return schema.conform(_finish(rows, lower, upper))


def _one(tables: list[Table], kind: str, *, required: bool, paths: Sequence[Path]) -> Table | None:
    found = [t for t in tables if t.kind == kind]
    if len(found) > 1:
        raise SourceDataError(found[1].path, f"is a second IoD {kind} table (first: {found[0].path.name}); give "
                              "one file of each kind.")
    if required and not found:
        what = {"lower": "File 10 (lower-tier local authority summaries)",
                "denominators": "the population denominators (File 7 or its district sums)"}[kind]
        place = Path(paths[0]).parent if paths else Path(".")
        raise SourceDataError(place, f"holds no IoD {what}. Add it to the folder.")
    return found[0] if found else None


def _with_denominators(lower: Table, denominators: Table) -> pd.DataFrame:
    """Return File 10 rows joined to their LSOA counts and populations (every district must have them)."""
    joined = lower.frame.merge(denominators.frame[["code", "n_lsoas", "population"]], on="code", how="left")
    missing = joined["population"].isna()
    if missing.any():
        row = int(np.flatnonzero(missing)[0]) + 1
        raise SourceDataError(lower.path, f"{joined['code'].iloc[row - 1]} has no population denominator in "
                              f"{denominators.path.name}. Use the denominators of the same IoD edition.",
                              row=row, column="Local Authority District code (2019)")
    joined["top10"] = (joined["proportion"] * joined["n_lsoas"]).round()  # LSOAs are counted whole
    return joined


def _successors(table: Table, tiers: tuple[str, ...]) -> pd.Series:
    """Return the current code of each row's code; raise naming the row for unknown or split codes."""
    las = {la.area_code: la for la in geography.current_local_authorities()}
    mapping: dict[str, str] = {}
    column = "Upper Tier Local Authority District code" if table.kind == "upper" else "Local Authority District code"
    for row, code in enumerate(table.frame["code"], start=1):
        if code in mapping:
            continue
        try:
            current = geography.resolve_area_code(code)
        except geography.AreaCodeError as exc:
            raise SourceDataError(table.path, f"{exc} The IMD parser moves 2019 codes to current ones only where an "
                                  "area maps to one current authority.", row=row,
                                  column=f"{column} ({table.year})") from None
        if current not in las or las[current].tier not in tiers:
            raise SourceDataError(table.path, f"{code} is not an English {'/'.join(tiers)}-tier local authority.",
                                  row=row, column=f"{column} ({table.year})")
        mapping[code] = current
    return table.frame["code"].map(mapping)


def _weighted(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return population-weighted score and LSOA-weighted proportion per ``by`` group."""
    work = frame.assign(weighted_score=frame["score"] * frame["population"])
    sums = work.groupby(by).agg(population=("population", "sum"), weighted_score=("weighted_score", "sum"),
                                n_lsoas=("n_lsoas", "sum"), top10=("top10", "sum"))
    sums["score"] = sums["weighted_score"] / sums["population"]
    sums["proportion"] = sums["top10"] / sums["n_lsoas"]
    return sums.drop(columns="weighted_score")


def _to_current(lower: Table, districts: pd.DataFrame) -> pd.DataFrame:
    """Return one row per current lower/single-tier LA with aggregated values, notes and source rows."""
    districts = districts.assign(area_code=_successors(lower, ("lower", "single")).to_numpy())
    current = _weighted(districts, "area_code")
    groups = districts.groupby("area_code")
    current["n_districts"] = groups.size()
    single = current["n_districts"].eq(1)  # unchanged areas keep the published figures exactly
    for column in ("score", "proportion"):
        current[column] = groups[column].first().where(single, current[column])
    current["source_row"] = groups["source_row"].first().where(current["n_districts"].eq(1))
    current["published_rank"] = groups["published_rank"].first().where(current["n_districts"].eq(1))
    described = districts["name"].fillna(districts["code"]) + " (" + districts["code"] + ")"
    current["constituents"] = described.groupby(districts["area_code"]).agg(", ".join)
    current["old_code"] = groups["code"].first()
    current = current.reset_index()
    expected = [la.area_code for la in geography.current_local_authorities()
                if la.nation_code == geography.ENGLAND and la.tier != "upper"]
    missing = sorted(set(expected) - set(current["area_code"]))
    if missing:
        raise SourceDataError(lower.path, f"gives no value for the current LA(s) {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}; File 10 must cover every English district.")
    current["note"] = _notes(current)
    current["rank"] = current["score"].rank(ascending=False, method="min")
    return current


def _notes(current: pd.DataFrame) -> pd.Series:
    merged = current["n_districts"].gt(1)
    recoded = ~merged & current["old_code"].ne(current["area_code"])
    note = pd.Series(None, index=current.index, dtype=object)
    note[merged] = ("Aggregated from 2019 districts " + current["constituents"] + ": average score weighted by "
                    "IoD2019 population denominators (mid-2015), proportion weighted by LSOA counts.")[merged]
    note[recoded] = ("Published under the 2019 code " + current["old_code"] + "; same area, now "
                     + current["area_code"] + ".")[recoded]
    return note


def _counties(current: pd.DataFrame, upper: Table | None) -> pd.DataFrame:
    """Return the current counties' values: File 11 rows where given, else their districts' weighted values."""
    las = geography.current_local_authorities()
    county_of = {la.area_code: la.upper_tier_code for la in las if la.tier == "lower"}
    built = _weighted(current.assign(county=current["area_code"].map(county_of)).dropna(subset=["county"]),
                      "county")
    built["note"] = "Aggregated from its districts: average score weighted by IoD2019 population denominators " \
                    "(mid-2015), proportion weighted by LSOA counts."
    built["source_row"] = np.nan
    built = built.reset_index().rename(columns={"county": "area_code"})
    if upper is None:
        return built
    status = geography.classify_area_codes(upper.frame["code"])
    unknown = ~status.isin(["current_la", "retired_la"])
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0]) + 1
        raise SourceDataError(upper.path, f"{upper.frame['code'].iloc[row - 1]} is not a local authority code the "
                              "geography knows.", row=row,
                              column=f"Upper Tier Local Authority District code ({upper.year})")
    # Retired counties (Cumbria, Northamptonshire, ...) are superseded by their districts' values.
    published = upper.frame[upper.frame["code"].isin(built["area_code"])].rename(columns={"code": "area_code"})
    published = published[["area_code", "score", "proportion", "source_row"]].assign(note=None)
    keep = built[~built["area_code"].isin(published["area_code"])]
    return pd.concat([published, keep[published.columns]], ignore_index=True)


def _base(frame: pd.DataFrame, indicator_id: str, value: pd.Series, area_type: str) -> pd.DataFrame:
    name, value_type, unit, polarity = INDICATORS[indicator_id]
    return pd.DataFrame({
        "indicator_id": indicator_id, "indicator_name": name, "area_code": frame["area_code"].to_numpy(),
        "area_type": area_type, "value": value.to_numpy(dtype=float), "value_type": value_type, "unit": unit,
        "polarity": polarity, "value_note": frame["note"].to_numpy(),
        "source_row": frame["source_row"].to_numpy(dtype=float),
    })


def _lower_rows(current: pd.DataFrame) -> pd.DataFrame:
    size = len(current)
    published = current["published_rank"].map(lambda r: "" if pd.isna(r) else f"; published IoD2019 rank {int(r)}"
                                               " of 317 districts")
    rank_note = (f"1 = most deprived of the {size} current lower/single-tier LAs, ranked by the pipeline"
                 + published + "." + current["note"].fillna("").map(lambda n: f" {n}" if n else ""))
    share = _base(current, PROPORTION_ID, current["proportion"] * 100, "Lower-tier LA")
    share["count"], share["denominator"] = current["top10"].to_numpy(), current["n_lsoas"].to_numpy()
    return pd.concat([_base(current, SCORE_ID, current["score"], "Lower-tier LA"), share,
                      _base(current.assign(note=rank_note), RANK_ID, current["rank"], "Lower-tier LA")],
                     ignore_index=True)


def _upper_rows(current: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    singles = current[~current["area_code"].str.startswith("E07")]
    pool = pd.concat([singles[["area_code", "score", "note", "source_row"]],
                      counties[["area_code", "score", "note", "source_row"]]], ignore_index=True)
    pool["rank"] = pool["score"].rank(ascending=False, method="min")
    pool["note"] = (f"1 = most deprived of the {len(pool)} current upper-tier LAs, ranked by the pipeline."
                    + pool["note"].fillna("").map(lambda n: f" {n}" if n else ""))
    return pd.concat([_base(counties, SCORE_ID, counties["score"], "Upper-tier LA"),
                      _base(counties, PROPORTION_ID, counties["proportion"] * 100, "Upper-tier LA"),
                      _base(pool, UPPER_RANK_ID, pool["rank"], "Upper-tier LA")], ignore_index=True)


def _region_rows(current: pd.DataFrame) -> pd.DataFrame:
    """Return score and proportion rows for the nine English regions, weighted like the LAs."""
    regions = _weighted(current.assign(region=current["area_code"].map(geography.region_of)), "region")
    regions = regions.reset_index().rename(columns={"region": "area_code"})
    regions["note"] = "Weighted mean of the region's districts (population for the score, LSOA counts for the " \
                      "proportion)."
    regions["source_row"] = np.nan
    share = _base(regions, PROPORTION_ID, regions["proportion"] * 100, "Region")
    share["count"], share["denominator"] = regions["top10"].to_numpy(), regions["n_lsoas"].to_numpy()
    return pd.concat([_base(regions, SCORE_ID, regions["score"], "Region"), share], ignore_index=True)


def _england_rows(districts: pd.DataFrame) -> pd.DataFrame:
    england = _weighted(districts.assign(country=geography.ENGLAND), "country").reset_index()
    england = england.rename(columns={"country": "area_code"})
    england["note"] = "Weighted mean of all districts (population for the score, LSOA counts for the proportion)."
    england["source_row"] = np.nan
    share = _base(england, PROPORTION_ID, england["proportion"] * 100, "England")
    share["count"], share["denominator"] = england["top10"].to_numpy(), england["n_lsoas"].to_numpy()
    return pd.concat([_base(england, SCORE_ID, england["score"], "England"), share], ignore_index=True)


def _finish(rows: pd.DataFrame, lower: Table, upper: Table | None) -> pd.DataFrame:
    """Add names, periods, comparators, regions and provenance (File 11 rows keep File 11's provenance)."""
    rows["area_name"] = rows["area_code"].map(geography.area_name)
    rows["source_id"] = SOURCE_ID
    rows["period_label"] = PERIOD
    rows["period_start"], rows["period_end"] = pd.Timestamp(f"{PERIOD}-01-01"), pd.Timestamp(f"{PERIOD}-12-31")
    rows["sex"], rows["age"] = "Persons", "All ages"
    rows["is_latest"] = True
    rows["geography_method"] = "direct"
    england = rows["area_code"].eq(geography.ENGLAND)
    national = rows[england].set_index("indicator_id")["value"]
    comparable = ~england & rows["indicator_id"].isin(national.index)
    rows["comparator_code"] = np.where(comparable, geography.ENGLAND, None)
    rows["comparator_value"] = rows["indicator_id"].map(national).where(comparable)
    rows["comparison"] = np.where(comparable, "Not compared", None)
    regions = rows["area_type"].isin(["England", "Region"])
    rows["region_code"] = rows["area_code"].map(geography.region_of).where(~regions)
    rows["region_value"] = _region_values(rows)
    from_upper = rows["area_type"].eq("Upper-tier LA") & rows["area_code"].str.startswith("E10") & \
        rows["source_row"].notna() & (upper is not None)
    parts = [add_provenance(rows[~from_upper], describe_file(lower.path))]
    if upper is not None and from_upper.any():
        parts.append(add_provenance(rows[from_upper], describe_file(upper.path)))
    return pd.concat(parts).sort_index()


def _region_values(rows: pd.DataFrame) -> pd.Series:
    """Return each row's region value from the region rows of the same indicator."""
    regional = rows[rows["area_type"].eq("Region")].set_index(["indicator_id", "area_code"])["value"]
    key = pd.MultiIndex.from_arrays([rows["indicator_id"], rows["region_code"].fillna("")])
    return pd.Series(regional.reindex(key).to_numpy(), index=rows.index)
