"""Geography code tables: current LAs, retired codes, regions, nations, boards, read once and cached.

The project owns its geography data in ``data_sources/geography/`` (see
:func:`geography_dir`):

* ``local_authorities.csv`` - the 382 current UK local authorities: England's 296
  lower/single tier authorities (E06, E07, E08, E09) and 21 counties (E10), Scotland's
  32 council areas (S12), Wales's 22 principal areas (W06) and Northern Ireland's 11
  districts (N09), each with its upper tier, English region, nation and (Scotland
  only) its 2019-coded NHS health board.
* ``retired_codes.csv`` - every LA code retired by the reorganisations and recodes met
  in published data (2012 to 2025), plus the six English counties abolished since
  2019. ``successor_codes`` holds the *immediate* successor(s) (``;``-separated,
  largest population share first); :func:`successor_of` follows chains (Taunton Deane
  -> Somerset West and Taunton -> Somerset) to current codes.
* ``areas.csv`` - comparator and parent areas: the United Kingdom, the four nations,
  the nine English regions and the fourteen Scottish NHS boards with archived codes.

Effective dates (column ``date_basis``): reorganisations (``vesting_day``) use the
statutory vesting day (1 April 2019/2020/2021/2023); the Scottish recodes and the
Barnsley/Sheffield recode (``boundary_order``) use the date the boundary change took
effect; the 2012-2013 English recodes (St Albans, Welwyn Hatfield, East Hertfordshire,
Stevenage, Northumberland, Gateshead) are dated by convention
(``code_change_convention``): 1 April of the first ONS vintage using the new code, not
checked against the boundary order. The ``note`` column explains each row.

Codes and names: ONS / NRS / NISRA geography, Open Government Licence v3.0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

ENGLAND = "E92000001"
SCOTLAND = "S92000003"
WALES = "W92000004"
NORTHERN_IRELAND = "N92000002"
UNITED_KINGDOM = "K02000001"

#: Values returned by :func:`classify_area_codes`.
AREA_CLASSES = (
    "current_la",
    "retired_la",
    "region",
    "nation",
    "health_board",
    "unknown",
)

LA_FILE = "local_authorities.csv"
RETIRED_FILE = "retired_codes.csv"
AREAS_FILE = "areas.csv"


#: Tier of each ONS entity of local government ("upper" counties, "lower" districts, "single" the rest).
ENTITY_TIERS = {"E06": "single", "E07": "lower", "E08": "single", "E09": "single", "E10": "upper",
                "S12": "single", "W06": "single", "N09": "single"}


# --------------------------------------------------------------------------- data model
@dataclass(frozen=True)
class LocalAuthority:
    """One current local authority: a ``local_authorities.csv`` row, blanks as None."""

    area_code: str
    area_name: str
    la_type: str
    tier: str
    upper_tier_code: str
    upper_tier_name: str
    region_code: str | None
    region_name: str | None
    nation_code: str
    nation_name: str
    health_board_code: str | None
    health_board_name: str | None


LA_COLUMNS = tuple(f.name for f in fields(LocalAuthority))
RETIRED_COLUMNS = ("retired_code", "retired_name", "successor_codes", "successor_names", "effective_date", "change",
                   "date_basis", "note")
AREA_COLUMNS = ("area_code", "area_name", "area_type", "parent_code", "archived_codes")


@dataclass(frozen=True)
class Retired:
    """One retired LA code: its immediate successors and the date it stopped being used."""

    code: str
    name: str
    successors: tuple[str, ...]
    effective_date: str
    change: str


@dataclass(frozen=True)
class Area:
    """One non-LA area (UK, nation, region, health board)."""

    code: str
    name: str
    area_type: str
    parent_code: str | None


@dataclass(frozen=True, eq=False)
class Geography:
    """Every geography table, indexed for lookups (built once by :func:`tables`)."""

    la_frame: pd.DataFrame
    retired_frame: pd.DataFrame
    areas_frame: pd.DataFrame
    las: Mapping[str, LocalAuthority]
    retired: Mapping[str, Retired]
    areas: Mapping[str, Area]  # current area codes (non-LA)
    archived_boards: Mapping[str, str]  # archived board code -> current board code
    names: Mapping[str, str]
    classes: Mapping[str, str]
    districts_of: Mapping[str, tuple[str, ...]]
    council_areas_of: Mapping[str, tuple[str, ...]]
    #: Tier of every LA code, current or retired: "upper", "lower" or "single".
    tiers: Mapping[str, str]
    #: ISO date a code came into use, for codes created by a change this table records (else absent).
    starts: Mapping[str, str]


_BUNDLED_DIR = Path(__file__).resolve().parents[2] / "data_sources" / "geography"


def geography_dir() -> Path:
    """Return the folder holding the geography CSVs.

    ``$LANDSCAPE_DATA_SOURCES/geography`` when that variable is set and the folder
    exists (a fixture data-sources folder without geography still gets the bundled
    tables), else the project's own ``data_sources/geography``.
    """
    override = os.environ.get("LANDSCAPE_DATA_SOURCES")
    if override and (Path(override) / "geography").is_dir():
        return Path(override) / "geography"
    return _BUNDLED_DIR


def read_table(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Return the named geography CSV (strings, blanks NA) restricted to ``columns``; raise if any is missing."""
    path = geography_dir() / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks the column(s) {', '.join(missing)}.")
    return frame.loc[:, list(columns)]


def none_if_blank(value: Any) -> str | None:
    """Return ``value`` as text, or None when it is missing."""
    return None if pd.isna(value) else str(value)


def split_list(value: Any) -> tuple[str, ...]:
    """Return the parts of a ``;``-separated cell (empty for a blank one)."""
    return () if pd.isna(value) else tuple(part.strip() for part in str(value).split(";") if part.strip())


def _retired_tier(rec: Retired) -> str:
    return "upper" if rec.change == "abolished_county" else ENTITY_TIERS.get(rec.code[:3], "single")


@lru_cache(maxsize=1)
def tables() -> Geography:
    """Return the geography tables of :func:`geography_dir`, read once and cached."""
    la_frame = read_table(LA_FILE, LA_COLUMNS).sort_values("area_code", ignore_index=True)
    retired_frame = read_table(RETIRED_FILE, RETIRED_COLUMNS)
    areas_frame = read_table(AREAS_FILE, AREA_COLUMNS)

    las = {rec["area_code"]: LocalAuthority(**{k: none_if_blank(v) for k, v in rec.items()})
           for rec in la_frame.to_dict("records")}
    retired = {rec["retired_code"]: Retired(code=rec["retired_code"], name=rec["retired_name"],
                                            successors=split_list(rec["successor_codes"]),
                                            effective_date=rec["effective_date"], change=rec["change"])
               for rec in retired_frame.to_dict("records")}
    areas: dict[str, Area] = {}
    archived: dict[str, str] = {}
    for rec in areas_frame.to_dict("records"):
        code = rec["area_code"]
        areas[code] = Area(code, rec["area_name"], rec["area_type"], none_if_blank(rec["parent_code"]))
        for old in split_list(rec["archived_codes"]):
            archived[old] = code

    names = {r.code: r.name for r in retired.values()}
    names.update({c: a.name for c, a in areas.items()})
    names.update({old: areas[new].name for old, new in archived.items()})
    names.update({c: la.area_name for c, la in las.items()})

    area_class = {"nation": "nation", "country_group": "nation", "region": "region", "health_board": "health_board"}
    classes = {c: "retired_la" for c in retired}
    classes.update({c: area_class[a.area_type] for c, a in areas.items()})
    classes.update({old: "health_board" for old in archived})
    classes.update({c: "current_la" for c in las})

    districts: dict[str, list[str]] = {}
    boards: dict[str, list[str]] = {}
    for la in las.values():
        if la.tier == "lower":
            districts.setdefault(la.upper_tier_code, []).append(la.area_code)
        if la.health_board_code:
            boards.setdefault(la.health_board_code, []).append(la.area_code)

    tiers = {c: _retired_tier(r) for c, r in retired.items()}
    tiers.update({c: la.tier for c, la in las.items()})
    starts: dict[str, str] = {}
    for rec in retired.values():  # every successor a change names is a code created on that day
        for successor in rec.successors:
            starts[successor] = min(starts.get(successor, rec.effective_date), rec.effective_date)

    return Geography(
        la_frame=la_frame, retired_frame=retired_frame, areas_frame=areas_frame,
        las=MappingProxyType(las), retired=MappingProxyType(retired), areas=MappingProxyType(areas),
        archived_boards=MappingProxyType(archived), names=MappingProxyType(names),
        classes=MappingProxyType(classes),
        districts_of=MappingProxyType({k: tuple(sorted(v)) for k, v in districts.items()}),
        council_areas_of=MappingProxyType({k: tuple(sorted(v)) for k, v in boards.items()}),
        tiers=MappingProxyType(tiers), starts=MappingProxyType(starts),
    )
