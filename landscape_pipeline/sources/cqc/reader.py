"""Read one monthly CQC "care directory with ratings" (HSCA Active Locations) snapshot.

The file is CQC's monthly ``HSCA_Active_Locations`` workbook (.ods or .xlsx; a CSV saved from its
"HSCA_Active_Locations" sheet also works), one row per active registered location with its type,
primary inspection category, latest overall rating, postcode and one Y/blank column per service type.
Columns are matched by name (they drift between releases: CCG columns became ICB ones), and only those
listed in :data:`COLUMNS` are needed. The snapshot date comes from the file name
(``01_November_2026_HSCA_Active_Locations.ods``, ``HSCA Active Locations 1 November 2026.xlsx``,
``..._2026-11-01.csv``).

Each location is placed in a local authority by an ONS LA code column when the file has one, otherwise
by its postcode (:mod:`landscape_pipeline.geography.postcodes`); never by the local authority's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import (
    RawTable,
    find_columns,
    map_labels,
    normalise,
    numbers,
    read_table,
    require_rows,
    synonym_table,
)

SHEET = "HSCA_Active_Locations"
COLUMNS: dict[str, tuple[str, ...]] = {
    "location_id": ("Location ID", "CQC Location ID (for office use only)"),
    "name": ("Location Name", "Name"),
    "dormant": ("Dormant (Y/N)", "Dormant"),
    "care_home": ("Care home?", "Care Home"),
    "beds": ("Care homes beds", "Care home beds", "Care Homes Beds"),
    "category": ("Location Primary Inspection Category", "Primary Inspection Category"),
    "rating": ("Location Latest Overall Rating", "Latest Overall Rating", "Overall Rating"),
    "postcode": ("Location Postal Code", "Location Post Code", "Location Postcode", "Postcode"),
    "la_code": ("Location ONS Local Authority Code", "Location Local Authority Code", "Location LA Code",
                "Location ONSPD Local Authority Code", "Location ONSPD LA Code", "Location LAD Code",
                "Local Authority Code", "LA code"),
    "domiciliary": ("Service type - Domiciliary care service", "Domiciliary care service"),
    "hospice": ("Service type - Hospice services", "Hospice services"),
    "hospice_home": ("Service type - Hospice services at home", "Hospice services at home"),
}
OPTIONAL = ("name", "dormant", "beds", "la_code", "hospice_home", "postcode")
RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate", "Insufficient evidence to rate",
           "Not yet rated")
RATING_SYNONYMS = synonym_table({
    "Outstanding": (), "Good": (), "Requires improvement": ("RI",), "Inadequate": (),
    "Insufficient evidence to rate": ("Insufficient evidence", "Insufficient evidence to rate service"),
    "Not yet rated": ("Not rated", "No rating", "Unrated", "Not yet inspected", "Rating not yet published"),
})
YES = {"y", "yes", "true", "1", "x"}
NO = {"n", "no", "false", "0"}
MONTHS = {m.casefold(): i for i, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"), start=1)}
_MONTH_WORD = "|".join(MONTHS) + "|" + "|".join(m[:3] for m in MONTHS)
_DAY_MONTH_YEAR = re.compile(rf"(?:(\d{{1,2}})[\s_-]+)?({_MONTH_WORD})[\s_-]+(20\d{{2}})", re.I)
_ISO = re.compile(r"(20\d{2})[-_](\d{2})[-_](\d{2})")


@dataclass(frozen=True)
class Snapshot:
    """One monthly file: its date and one row per active location (booleans for the service groups)."""

    path: Path
    date: pd.Timestamp
    locations: pd.DataFrame
    #: Whether the file gave ONS LA codes (else locations are placed by postcode).
    has_la_codes: bool

    @property
    def label(self) -> str:
        """Return the snapshot as people name it, e.g. "November 2026"."""
        return self.date.strftime("%B %Y")


def snapshot_date(path: Path) -> pd.Timestamp:
    """Return the snapshot date written in a file name, or raise asking for it."""
    name = path.name
    iso = _ISO.search(name)
    if iso:
        return pd.Timestamp(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    match = _DAY_MONTH_YEAR.search(name.replace("_", " "))
    if match:
        word = match.group(2).casefold()
        month = MONTHS.get(word) or next(i for m, i in MONTHS.items() if m.startswith(word))
        return pd.Timestamp(int(match.group(3)), month, int(match.group(1) or 1))
    raise SourceDataError(path, "does not say which month it is: keep CQC's file name, which carries the date "
                          "(e.g. 01_November_2026_HSCA_Active_Locations.ods).")


def _read(path: Path) -> RawTable:
    """Return the needed columns of the locations sheet (the named sheet, else the first)."""
    header = ("Location ID", "Location Primary Inspection Category")
    wanted = [name for names in COLUMNS.values() for name in names]
    if path.suffix.lower() in (".ods", ".xlsx", ".xls", ".xlsm"):
        try:
            return read_table(path, sheet=SHEET, find_header=header, columns=wanted)
        except SourceDataError as exc:
            if "has no sheet called" not in str(exc):
                raise
            return read_table(path, sheet=0, find_header=header, columns=wanted)
    return read_table(path, find_header=header, columns=wanted)


def _flags(table: RawTable, column: str | None) -> pd.Series:
    """Return a Y/blank service column as booleans; anything else raises naming the row."""
    if column is None:
        return pd.Series(False, index=table.frame.index)
    text = table.frame[column].fillna("").str.strip().str.casefold()
    table.fail_first((~text.isin(YES | NO | {""})).to_numpy(), column, "{value!r} is not Y, N or blank.")
    return text.isin(YES)


def read_snapshot(path: Path | str) -> Snapshot:
    """Return one snapshot's active, non-dormant locations, or raise naming file, row and column."""
    path = Path(path)
    date = snapshot_date(path)
    table = _read(path)
    cols = find_columns(table, COLUMNS, optional=OPTIONAL, what="CQC HSCA Active Locations file")
    require_rows(table, "locations")
    if "la_code" not in cols and "postcode" not in cols:
        raise SourceDataError(path, "has neither an ONS local authority code nor a postcode column, so its "
                              "locations cannot be placed (never by the local authority's name).",
                              sheet=table.sheet, line=table.header_line)
    frame = table.frame
    ids = frame[cols["location_id"]]
    table.fail_first(ids.isna().to_numpy(), cols["location_id"], "the location ID is missing.")
    table.fail_first(ids.duplicated().to_numpy(), cols["location_id"], "{value!r} appears twice in the file.")
    rated = frame[cols["rating"]].fillna("Not yet rated")
    rating = map_labels(RawTable(path, frame.assign(**{cols["rating"]: rated}), table.header_line, table.sheet),
                        cols["rating"], RATING_SYNONYMS, what="Latest overall rating")
    if "beds" in cols:
        beds, _ = numbers(table, cols["beds"])
    else:
        beds = pd.Series(np.nan, index=frame.index)
    category = frame[cols["category"]].fillna("")
    locations = pd.DataFrame({
        "location_id": ids, "rating": rating,
        "care_home": _flags(table, cols["care_home"]),
        "domiciliary": _flags(table, cols["domiciliary"]),
        "hospice": _flags(table, cols["hospice"]) | _flags(table, cols.get("hospice_home")),
        "gp_practice": category.map(normalise).eq("gppractices"),
        "beds": beds,
        "dormant": _flags(table, cols.get("dormant")),
        "postcode": frame[cols["postcode"]] if "postcode" in cols else None,
        "la_code": frame[cols["la_code"]].str.upper() if "la_code" in cols else None,
        "source_row": np.asarray(frame.index, dtype=int) + 1,
        "line": [table.line_of(i) for i in frame.index],
    }, index=frame.index)
    active = locations[~locations["dormant"]].drop(columns="dormant").reset_index(drop=True)
    return Snapshot(path, date, active, "la_code" in cols)
