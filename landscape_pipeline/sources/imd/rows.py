"""Canonical IMD rows from current-LA values: lower tier, counties, regions, England, ranks and provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.imd.reader import Table
from landscape_pipeline.sources.imd.weights import Weights

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


def _aggregate(current: pd.DataFrame, group: pd.Series, weights: Weights, lower_synthetic: bool,
               what: str) -> pd.DataFrame:
    """Return population-weighted score and proportion per ``group`` value, with note and synthetic flag."""
    work = current.assign(group=group.to_numpy(), w=current["area_code"].map(weights.values).to_numpy(float))
    work = work.dropna(subset=["group"])
    out = []
    for code, part in work.groupby("group", sort=True):
        row = {"area_code": code, "score": np.nan, "proportion": np.nan, "source_row": np.nan,
               "synthetic": lower_synthetic or weights.synthetic or bool(part["synthetic"].any())}
        lacking = part.loc[part["score"].isna(), "area_code"]
        if part["w"].isna().any():
            row["note"] = weights.basis  # the note of missing weights
        elif len(lacking):
            row["note"] = (f"Not computed: {', '.join(lacking)} among its {what} have no value (see their notes).")
        else:
            row.update(score=float(np.average(part["score"], weights=part["w"])),
                       proportion=float(np.average(part["proportion"], weights=part["w"])),
                       note=f"Population-weighted mean of its {len(part)} {what} ({weights.basis}); the proportion of "
                            "LSOAs in the most deprived 10% is weighted the same way.")
        out.append(row)
    return pd.DataFrame(out)


def _base(frame: pd.DataFrame, indicator_id: str, value: pd.Series, area_type: str) -> pd.DataFrame:
    name, value_type, unit, polarity = INDICATORS[indicator_id]
    return pd.DataFrame({
        "indicator_id": indicator_id, "indicator_name": name, "area_code": frame["area_code"].to_numpy(),
        "area_type": area_type, "value": np.asarray(value, dtype=float), "value_type": value_type, "unit": unit,
        "polarity": polarity, "value_note": frame["note"].to_numpy(),
        "source_row": frame["source_row"].to_numpy(dtype=float), "synthetic": frame["synthetic"].to_numpy(bool),
        "source": frame["source"].to_numpy(),
    })


def _ranked(pool: pd.DataFrame, indicator_id: str, what: str, area_type: str) -> pd.DataFrame:
    """Return rank rows (1 = most deprived): shaped by every score in the pool, so synthetic if any of them is."""
    pool = pool.assign(rank=pool["score"].rank(ascending=False, method="min"), synthetic=bool(pool["synthetic"].any()))
    ranked = int(pool["score"].notna().sum())
    of = f"the {ranked} current {what}" + ("" if ranked == len(pool) else f" with a value (of {len(pool)})")
    published = pool["published_rank"].map(lambda r: "" if pd.isna(r) else f"; published IoD2019 rank {int(r)}")
    pool["note"] = pool["note"].where(pool["score"].isna(), f"1 = most deprived of {of}, ranked by the pipeline"
                                      + published + "." + pool["note"].fillna("").map(lambda n: f" {n}" if n else ""))
    return _base(pool, indicator_id, pool["rank"], area_type)


def build_rows(current: pd.DataFrame, weights: Weights, upper: Table | None, lower: Table,
               file_synthetic: dict[Path, bool]) -> pd.DataFrame:
    """Return every canonical IMD row (before conform) from the current lower/single-tier values."""
    lower_synthetic = file_synthetic[lower.path]
    current = current.assign(synthetic=current["weight_synthetic"].astype(bool) | lower_synthetic, source=lower.path)
    counties = _counties(current, weights, upper, lower_synthetic, file_synthetic)
    regions = _aggregate(current, current["area_code"].map(geography.region_of), weights, lower_synthetic,
                         "local authorities").assign(source=lower.path)
    england = _aggregate(current, pd.Series(geography.ENGLAND, index=current.index), weights, lower_synthetic,
                         "local authorities").assign(source=lower.path)
    singles = current[~current["area_code"].str.startswith("E07")]
    pool = pd.concat([singles, counties.assign(published_rank=np.nan)], ignore_index=True)
    parts = [_base(current, SCORE_ID, current["score"], "Lower-tier LA"),
             _base(current, PROPORTION_ID, current["proportion"] * 100, "Lower-tier LA"),
             _ranked(current, RANK_ID, "lower/single-tier LAs", "Lower-tier LA"),
             _base(counties, SCORE_ID, counties["score"], "Upper-tier LA"),
             _base(counties, PROPORTION_ID, counties["proportion"] * 100, "Upper-tier LA"),
             _ranked(pool, UPPER_RANK_ID, "upper-tier LAs", "Upper-tier LA")]
    for frame, area_type in ((regions, "Region"), (england, "England")):
        parts += [_base(frame, SCORE_ID, frame["score"], area_type),
                  _base(frame, PROPORTION_ID, frame["proportion"] * 100, area_type)]
    return _finish(pd.concat(parts, ignore_index=True))


def _counties(current: pd.DataFrame, weights: Weights, upper: Table | None, lower_synthetic: bool,
              file_synthetic: dict[Path, bool]) -> pd.DataFrame:
    """Return current counties: File 11's published rows where given, else their districts' weighted values."""
    county_of = {la.area_code: la.upper_tier_code for la in geography.current_local_authorities() if la.tier == "lower"}
    built = _aggregate(current, current["area_code"].map(county_of), weights, lower_synthetic, "districts")
    built = built.assign(source=current["source"].iloc[0])
    if upper is None:
        return built
    published = upper.frame[upper.frame["code"].isin(built["area_code"])].rename(columns={"code": "area_code"})
    published = published.assign(note=published["source_row"].map(upper.notes), source=upper.path,
                                  synthetic=file_synthetic[upper.path])
    keep = built[~built["area_code"].isin(published["area_code"])]  # counties File 11 does not list
    columns = ["area_code", "score", "proportion", "source_row", "note", "synthetic", "source"]
    return pd.concat([published[columns], keep[columns]], ignore_index=True)


def _finish(rows: pd.DataFrame) -> pd.DataFrame:
    """Add names, period, comparators, regions and per-file provenance (keeping the derived flag)."""
    rows["area_name"] = rows["area_code"].map(geography.area_name)
    rows["source_id"], rows["period_label"] = SOURCE_ID, PERIOD
    rows["period_start"], rows["period_end"] = pd.Timestamp(f"{PERIOD}-01-01"), pd.Timestamp(f"{PERIOD}-12-31")
    rows["sex"], rows["age"] = "Persons", "All ages"
    rows["is_latest"], rows["geography_method"] = True, "direct"
    england = rows["area_code"].eq(geography.ENGLAND)
    national = rows[england].set_index("indicator_id")["value"]
    comparable = ~england & rows["indicator_id"].isin(national.index)
    rows["comparator_code"] = np.where(comparable, geography.ENGLAND, None)
    rows["comparator_value"] = rows["indicator_id"].map(national).where(comparable)
    rows["comparison"] = np.where(comparable, "Not compared", None)
    regional = rows["area_type"].isin(["England", "Region"])
    rows["region_code"] = rows["area_code"].map(geography.region_of).where(~regional)
    by_region = rows[rows["area_type"].eq("Region")].set_index(["indicator_id", "area_code"])["value"]
    key = pd.MultiIndex.from_arrays([rows["indicator_id"], rows["region_code"].fillna("")])
    rows["region_value"] = by_region.reindex(key).to_numpy()
    parts = []
    for source, part in rows.groupby("source", sort=False):
        derived = part["synthetic"].to_numpy(bool)
        part = add_provenance(part.drop(columns="source"), describe_file(source))
        part["synthetic"] = part["synthetic"].to_numpy(bool) | derived
        parts.append(part)
    return pd.concat(parts).sort_index()
