"""Codes known at a vintage, by geography level, and the local authority each sub-LA area lies in.

A mapped local extract declares its areas' level (LA, ward, LSOA, health board) and the year of its
code vintage; :func:`known_at_vintage` says which codes existed then. LA codes use the retired-code
table (a successor is not known before it was created, a retired code is known until it was
retired); wards use ``wards.csv`` (each ward with the first and last ONS ward-lookup year holding it);
LSOAs use the ONS LSOA lookups of :mod:`.lsoa` (2011 codes for vintages 2011-2020, 2021 codes from
2021). Coarser areas (LAs, regions, nations, boards) are accepted at every
level, so a ward file may carry its LA and England rows. A vintage year means the codes as at
31 December of that year.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from landscape_pipeline.geography.local_authorities import (
    AreaCodeError,
    classify_area_codes,
    geography_dir,
    resolve_area_code,
    retired_codes,
)
from landscape_pipeline.geography.lsoa import la_of_lsoas, lsoa_codes_at

WARDS_FILE = "wards.csv"
_WARD_COLUMNS = ("ward_code", "ward_name", "la_code", "la_name", "first_vintage", "last_vintage")
#: What each level's codes look like, for messages.
LEVEL_NAMES = {"la": "a local authority, region or nation", "ward": "an electoral ward", "lsoa": "an LSOA",
               "health_board": "an NHS health board"}
_COARSE = ("current_la", "retired_la", "region", "nation", "health_board")


@lru_cache(maxsize=4)
def _wards(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / WARDS_FILE, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in _WARD_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{folder / WARDS_FILE} lacks the column(s) {', '.join(missing)}.")
    frame["first_vintage"] = frame["first_vintage"].astype(int)
    frame["last_vintage"] = frame["last_vintage"].astype(int)
    return frame


def ward_table() -> pd.DataFrame:
    """Return the ward table: ward_code, ward_name, la_code, la_name, first_vintage, last_vintage."""
    return _wards(geography_dir()).copy()


def _la_known(codes: pd.Series, status: pd.Series, vintage: int) -> pd.Series:
    as_at = pd.Timestamp(date(vintage, 12, 31))
    table = retired_codes()
    effective = pd.to_datetime(table["effective_date"])
    retired_by = dict(zip(table["retired_code"], effective, strict=True))
    created: dict[str, pd.Timestamp] = {}
    for successors, when in zip(table["successor_codes"].fillna(""), effective, strict=True):
        for code in (c.strip() for c in str(successors).split(";") if c.strip()):
            created[code] = min(created.get(code, when), when)
    born = codes.map(created)
    died = codes.map(retired_by)
    current_ok = status.eq("current_la") & ~(born.notna() & (born > as_at))
    retired_ok = status.eq("retired_la") & (died > as_at) & ~(born.notna() & (born > as_at))
    return current_ok | retired_ok | status.isin(("region", "nation", "health_board"))


def known_at_vintage(codes: pd.Series, level: str, vintage: int) -> pd.Series:
    """Return True where a code is a ``level`` code existing in ``vintage``, or a coarser known area."""
    codes = codes.astype("str").str.strip().str.upper()
    status = classify_area_codes(codes)
    known = _la_known(codes, status, vintage)
    if level == "ward":
        wards = ward_table()
        alive = wards[(wards["first_vintage"] <= vintage) & (wards["last_vintage"] >= vintage)]
        known |= codes.isin(set(alive["ward_code"]))
    elif level == "lsoa":
        known |= codes.isin(lsoa_codes_at(vintage))
    elif level == "health_board":
        known &= status.isin(("health_board", "nation"))
    return known.fillna(False).astype(bool)


def is_coarse(codes: pd.Series) -> pd.Series:
    """Return True where a code is an LA (current or retired), region, nation or board: nothing to roll up."""
    return classify_area_codes(codes.astype("str").str.strip().str.upper()).isin(_COARSE)


def parent_la_codes(codes: pd.Series, level: str) -> pd.Series:
    """Return the current LA of each ward or LSOA code (NA where the lookup has none; LAs map to themselves)."""
    codes = codes.astype("str").str.strip().str.upper()
    if level == "ward":
        out = codes.map(dict(zip(ward_table()["ward_code"], ward_table()["la_code"], strict=True)))
    elif level == "lsoa":
        out = la_of_lsoas(codes)
    else:
        out = pd.Series(pd.NA, index=codes.index, dtype=object)
    la = classify_area_codes(codes).isin(("current_la", "retired_la"))
    out[la] = codes[la]
    resolved: dict[str, str | None] = {}
    for code in out.dropna().unique():
        try:
            resolved[code] = resolve_area_code(code)
        except AreaCodeError:
            resolved[code] = None
    return out.map(resolved).astype(object)
