"""Scottish geography below and beside council areas: HSCPs, data zones and intermediate zones.

* ``scottish_hscps.csv`` (in ``data_sources/geography/``) - the 31 health and social care
  partnerships (S37, 2019 codes): their council areas (Clackmannanshire and Stirling share one),
  their NHS board and the codes they had before the 2018/2019 boundary recodes (Fife S37000014,
  Perth and Kinross S37000023, Glasgow City S37000015, North Lanarkshire S37000021).
* Data zones (S01) and intermediate zones (S02) come in vintages with disjoint code ranges:
  2001 data zones S01000001-S01006505, 2011 data zones S01006506-S01013481 (6,976, the geography
  of SIMD 2016 and SIMD 2020), 2022 data zones from S01013482; 2001 intermediate zones
  S02000001-S02001235 and 2011 intermediate zones S02001236-S02002514 (1,279). A code's vintage
  is read from its number, so a file on the wrong vintage is refused rather than joined.

Codes and names: NRS / Scottish Government geography (Open Government Licence v3.0); the HSCP
codes and recodes as used in Public Health Scotland's open data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from landscape_pipeline.geography.local_authorities import UnknownAreaCodeError, geography_dir

HSCP_FILE = "scottish_hscps.csv"
_HSCP_COLUMNS = ("area_code", "area_name", "council_area_codes", "health_board_code", "archived_codes")

#: Code number ranges (inclusive) of each data zone / intermediate zone vintage.
DATA_ZONE_RANGES: dict[str, tuple[int, int]] = {"2001": (1, 6505), "2011": (6506, 13481), "2022": (13482, 20873)}
INTERMEDIATE_ZONE_RANGES: dict[str, tuple[int, int]] = {"2001": (1, 1235), "2011": (1236, 2514)}
#: Number of 2011 data zones (SIMD 2016 and SIMD 2020 rank all of them).
DATA_ZONES_2011 = 6976
_ZONE = re.compile(r"^S0([12])(\d{6})$")


@dataclass(frozen=True)
class Partnership:
    """One health and social care partnership (S37) and what it covers."""

    area_code: str
    area_name: str
    council_areas: tuple[str, ...]
    health_board_code: str
    archived_codes: tuple[str, ...]


@dataclass(frozen=True)
class _Partnerships:
    by_code: dict[str, Partnership]
    archived: dict[str, str]
    of_council_area: dict[str, str]


@lru_cache(maxsize=1)
def _partnerships() -> _Partnerships:
    path = geography_dir() / HSCP_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _HSCP_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks the column(s) {', '.join(missing)}.")
    by_code, archived, of_ca = {}, {}, {}
    for row in frame.itertuples(index=False):
        item = Partnership(row.area_code, row.area_name, _split(row.council_area_codes), row.health_board_code,
                           _split(row.archived_codes))
        by_code[item.area_code] = item
        archived.update({old: item.area_code for old in item.archived_codes})
        of_ca.update({ca: item.area_code for ca in item.council_areas})
    return _Partnerships(by_code, archived, of_ca)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(text).split(";") if part.strip())


def partnerships() -> tuple[Partnership, ...]:
    """Return the 31 current health and social care partnerships, sorted by code."""
    found = _partnerships().by_code
    return tuple(found[c] for c in sorted(found))


def hscp_codes() -> frozenset[str]:
    """Return current and archived HSCP codes."""
    found = _partnerships()
    return frozenset(found.by_code) | frozenset(found.archived)


def resolve_hscp_code(code: str) -> str:
    """Return the current code of an HSCP (archived 2016 codes map to their 2019 successor)."""
    normalised = str(code).strip().upper()
    found = _partnerships()
    if normalised in found.by_code:
        return normalised
    if normalised in found.archived:
        return found.archived[normalised]
    raise UnknownAreaCodeError(normalised, f"{normalised!r} is not a Scottish health and social care "
                                           "partnership code (S37) this project knows.")


def partnership(code: str) -> Partnership:
    """Return the HSCP with this (current or archived) code."""
    return _partnerships().by_code[resolve_hscp_code(code)]


def hscp_of_council_area(code: str) -> str:
    """Return the HSCP covering a current Scottish council area."""
    found = _partnerships().of_council_area.get(str(code).strip().upper())
    if found is None:
        raise UnknownAreaCodeError(str(code), f"{code!r} is not a current Scottish council area.")
    return found


def data_zone_vintage(code: object) -> str | None:
    """Return "2001", "2011" or "2022" for a Scottish data zone code (S01), else None."""
    return _vintage(code, "1", DATA_ZONE_RANGES)


def intermediate_zone_vintage(code: object) -> str | None:
    """Return "2001" or "2011" for a Scottish intermediate zone code (S02), else None."""
    return _vintage(code, "2", INTERMEDIATE_ZONE_RANGES)


def _vintage(code: object, kind: str, ranges: dict[str, tuple[int, int]]) -> str | None:
    match = _ZONE.match(str(code).strip().upper()) if isinstance(code, str) else None
    if match is None or match.group(1) != kind:
        return None
    number = int(match.group(2))
    return next((vintage for vintage, (low, high) in ranges.items() if low <= number <= high), None)


def data_zone_vintages(codes: pd.Series) -> pd.Series:
    """Return :func:`data_zone_vintage` of every code (vectorised over distinct values; NA stays NA)."""
    distinct = {c: data_zone_vintage(c) for c in codes.dropna().unique()}
    return codes.map(distinct)
