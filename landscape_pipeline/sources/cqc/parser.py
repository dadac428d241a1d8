"""Care supply per local authority from CQC's monthly active-locations snapshots.

For each snapshot (:mod:`.reader`) and each service group - care homes, home care (domiciliary care
agencies that are not care homes), hospices (hospice services or hospice services at home) and GP
practices (primary inspection category "GP Practices") - the parser counts the active, non-dormant
locations in each lower/single-tier LA, in total and by latest overall rating, and the share of rated
locations rated Good or Outstanding (Wilson limits). Care home beds are summed. Counties sum their
districts, regions their LAs, England every placed location. One period per snapshot month, so change
between months can be seen.

Locations are placed by an ONS LA code column when the file has one, else by postcode through an ONS
postcode lookup: a lookup among the given files (recognised by its header), else the geography's
(``LANDSCAPE_POSTCODE_LOOKUP`` or the bundled synthetic sample). Locations that cannot be placed are
left out and counted on the England row's note; more than :data:`MAX_UNPLACED` of a file is an error
naming the first such row (a lookup that is out of date or for the wrong area).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.postcodes import is_postcode_lookup_header, normalise_postcodes, read_postcode_lookup
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.cqc.reader import RATINGS, Snapshot, read_snapshot
from landscape_pipeline.stats import proportion_frame

SOURCE_ID = "cqc"
MAX_UNPLACED = 0.02
RATED = ("Outstanding", "Good", "Requires improvement", "Inadequate")
#: group -> (location flag, plural name)
GROUPS = {
    "care_homes": ("care_home", "Care homes"),
    "home_care": ("home_care", "Home care (domiciliary care) services"),
    "hospices": ("hospice", "Hospice services"),
    "gp_practices": ("gp_practice", "GP practices"),
}
BEDS_ID = "cqc_care_home_beds"
COLUMN_LABELS = {"area_code": "Location Postal Code (placed by ONS postcode lookup)",
                 "category": "Location Latest Overall Rating", "count": "Location ID (count)",
                 "period_label": "snapshot month (file name)"}


def indicator_ids() -> list[str]:
    """Return every indicator id this source produces."""
    return [*(f"cqc_{g}" for g in GROUPS), *(f"cqc_{g}_good_outstanding" for g in GROUPS), BEDS_ID]


def _is_lookup(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    head = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace")
    return is_postcode_lookup_header(next(csv.reader(io.StringIO(head)), []))


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return LA, county, region and England rows for every snapshot given."""
    paths = [Path(p) for p in paths]
    lookups = [p for p in paths if _is_lookup(p)]
    files = [p for p in paths if p not in lookups]
    if not files:
        raise SourceDataError(paths[0] if paths else Path(SOURCE_ID), "no CQC active-locations file was given.")
    snapshots = [read_snapshot(p) for p in files]
    seen: dict[pd.Timestamp, Path] = {}
    for snap in snapshots:
        if snap.date in seen:
            raise SourceDataError(snap.path, f"is a second snapshot for {snap.label} (first: {seen[snap.date].name}); "
                                  "keep one file per month.")
        seen[snap.date] = snap.path
    lookup = None
    if any(not s.has_la_codes for s in snapshots):
        lookup = pd.concat([read_postcode_lookup(p) for p in lookups] or [read_postcode_lookup()])
        lookup = lookup[~lookup.index.duplicated(keep="first")]
    parts = [add_provenance(_snapshot_rows(s, lookup), describe_file(s.path)) for s in snapshots]
    return schema.conform(pd.concat(parts, ignore_index=True))


def place(snap: Snapshot, lookup: pd.Series | None) -> pd.Series:
    """Return each location's current lower/single-tier LA code (None where it cannot be placed)."""
    locations = snap.locations
    placed = pd.Series(None, index=locations.index, dtype=object)
    if snap.has_la_codes:
        given = locations["la_code"].fillna("")
        resolved: dict[str, str | None] = {"": None}
        for code in given.unique():
            if code in resolved:
                continue
            try:
                current = geography.resolve_area_code(code)
            except geography.AreaCodeError as exc:
                _fail(snap, given.eq(code), "la_code", f"{exc}")
            if not current.startswith(("E06", "E07", "E08", "E09")):
                _fail(snap, given.eq(code), "la_code", f"{code} is not an English district or unitary authority.")
            resolved[code] = current
        placed = given.map(resolved)
    if lookup is not None and locations["postcode"].notna().any():
        by_postcode = normalise_postcodes(locations["postcode"]).map(lookup)
        placed = placed.fillna(by_postcode)
    unplaced = placed.isna()
    if unplaced.mean() > MAX_UNPLACED:
        _fail(snap, unplaced, "postcode", f"{int(unplaced.sum())} of {len(placed)} locations cannot be placed in a "
              "local authority (postcode not in the postcode lookup, or no code): use a current ONS postcode lookup "
              "(set LANDSCAPE_POSTCODE_LOOKUP to the ONSPD/NSPL file).")
    return placed


def _fail(snap: Snapshot, mask: pd.Series, what: str, message: str) -> None:
    first = snap.locations[mask.to_numpy()].iloc[0]
    column = {"la_code": "Location ONS Local Authority Code", "postcode": "Location Postal Code"}[what]
    value = first[what] if isinstance(first[what], str) else "(blank)"
    raise SourceDataError(snap.path, f"{value}: {message}", row=int(first["source_row"]), line=int(first["line"]),
                          column=column)


def _snapshot_rows(snap: Snapshot, lookup: pd.Series | None) -> pd.DataFrame:
    """Return every area's rows for one snapshot."""
    locations = snap.locations.assign(la=place(snap, lookup))
    locations["home_care"] = locations["domiciliary"] & ~locations["care_home"]
    unplaced = int(locations["la"].isna().sum())
    locations = locations.dropna(subset=["la"])
    counts = []
    for group, (flag, _name) in GROUPS.items():
        chosen = locations[locations[flag]]
        table = chosen.groupby(["la", "rating"]).size().unstack(fill_value=0).reindex(columns=list(RATINGS),
                                                                                       fill_value=0)
        counts.append(table.assign(group=group))
    by_la = pd.concat(counts).reset_index().rename(columns={"index": "la"})
    beds = locations[locations["care_home"]].groupby("la")["beds"].sum(min_count=1)
    areas = _areas(by_la, beds)
    rows = pd.concat([_count_rows(areas), _share_rows(areas), _bed_rows(areas)], ignore_index=True)
    rows["period_label"] = snap.label
    rows["period_start"] = rows["period_end"] = snap.date
    rows["source_id"], rows["sex"], rows["age"] = SOURCE_ID, "Persons", "All ages"
    rows["area_name"] = rows["area_code"].map({c: geography.area_name(c) for c in rows["area_code"].unique()})
    rows["area_type"] = np.where(rows["area_code"].eq(geography.ENGLAND), "England",
                                 np.where(rows["area_code"].str.startswith("E12"), "Region", "Local authority"))
    rows["geography_method"] = "direct"
    how = "ONS local authority codes in the file" if snap.has_la_codes else "postcode (ONS postcode lookup)"
    rows["attribution_note"] = np.where(rows["area_type"].eq("England"), None,
                                        f"Active CQC-registered locations counted by {how}.")
    england = rows["area_type"].eq("England")
    if unplaced:
        rows.loc[england, "value_note"] = (f"{unplaced} active location(s) could not be placed in a local authority "
                                           "and are counted in England only.")
    return rows


def _areas(by_la: pd.DataFrame, beds: pd.Series) -> pd.DataFrame:
    """Return counts by rating (columns) per (area, group) for every LA, county, region and England."""
    las = [la for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND]
    lower = [la.area_code for la in las if la.tier != "upper"]
    full = pd.MultiIndex.from_product([lower, list(GROUPS)], names=["la", "group"])
    base = by_la.set_index(["la", "group"]).reindex(full, fill_value=0).reset_index()
    base = base.merge(beds.rename("beds").reset_index(), on="la", how="left")
    base.loc[base["group"].ne("care_homes"), "beds"] = np.nan
    base.loc[base["group"].eq("care_homes"), "beds"] = base["beds"].fillna(0)
    county = {la.area_code: la.upper_tier_code for la in las if la.tier == "lower"}
    region = {la.area_code: la.region_code for la in las if la.tier != "upper"}
    parts = [base.rename(columns={"la": "area_code"})]
    for parent in (county, region, dict.fromkeys(lower, geography.ENGLAND)):
        up = base.assign(la=base["la"].map(parent)).dropna(subset=["la"])
        summed = up.groupby(["la", "group"], as_index=False)[[*RATINGS, "beds"]].sum(min_count=1)
        parts.append(summed.rename(columns={"la": "area_code"}))
    return pd.concat(parts, ignore_index=True)


def _count_rows(areas: pd.DataFrame) -> pd.DataFrame:
    long = areas.melt(id_vars=["area_code", "group"], value_vars=list(RATINGS), var_name="category",
                      value_name="value")
    total = areas.assign(value=areas[list(RATINGS)].sum(axis=1), category=None)[["area_code", "group", "category",
                                                                                  "value"]]
    rows = pd.concat([total, long], ignore_index=True)
    rows["indicator_id"] = "cqc_" + rows["group"]
    rows["indicator_name"] = rows["group"].map(lambda g: f"{GROUPS[g][1]} registered with CQC (active locations)")
    rows["category_type"] = np.where(rows["category"].isna(), None, "Latest overall rating")
    rows["value_type"], rows["unit"], rows["polarity"] = "count", "locations", "Not applicable"
    rows["count"] = rows["value"]
    return rows.drop(columns="group")


def _share_rows(areas: pd.DataFrame) -> pd.DataFrame:
    work = areas.assign(count=areas["Outstanding"] + areas["Good"], denominator=areas[list(RATED)].sum(axis=1))
    rows = proportion_frame(work, "count", "denominator", multiplier=100, errors="coerce")
    none = work["denominator"].eq(0)
    rows.loc[none, ["value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8", "count",
                    "denominator"]] = np.nan
    rows["value_note"] = np.where(none, "No rated location of this kind.", None)
    rows["indicator_id"] = "cqc_" + rows["group"] + "_good_outstanding"
    rows["indicator_name"] = rows["group"].map(lambda g: f"{GROUPS[g][1]}: rated Good or Outstanding (% of rated "
                                               "active locations)")
    rows["value_type"], rows["unit"], rows["polarity"] = "proportion", "%", "High is good"
    return rows[["area_code", "indicator_id", "indicator_name", "value", "lower_ci_95", "upper_ci_95",
                 "lower_ci_99_8", "upper_ci_99_8", "count", "denominator", "value_type", "unit", "polarity",
                 "value_note"]]


def _bed_rows(areas: pd.DataFrame) -> pd.DataFrame:
    homes = areas[areas["group"].eq("care_homes")]
    return pd.DataFrame({"area_code": homes["area_code"], "indicator_id": BEDS_ID,
                         "indicator_name": "Care home beds (active CQC-registered care homes)",
                         "value": homes["beds"], "count": homes["beds"], "value_type": "count", "unit": "beds",
                         "polarity": "Not applicable"})
