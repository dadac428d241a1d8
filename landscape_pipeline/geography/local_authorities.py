"""UK local authority geography: current LAs, retired codes, regions, nations, boards.

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

import numpy as np
import pandas as pd

__all__ = [
    "AREA_CLASSES",
    "ENGLAND",
    "NORTHERN_IRELAND",
    "SCOTLAND",
    "UNITED_KINGDOM",
    "WALES",
    "AreaCodeError",
    "LocalAuthority",
    "RetiredAreaCodeError",
    "SplitAreaCodeError",
    "UnknownAreaCodeError",
    "area_name",
    "areas",
    "as_frame",
    "board_of_council_area",
    "classify_area_codes",
    "council_areas_in_board",
    "current_local_authorities",
    "geography_dir",
    "known_area_codes",
    "local_authority",
    "lower_tier_codes",
    "nation_of",
    "national_comparator",
    "partition_keys",
    "region_of",
    "resolve_area_code",
    "retired_codes",
    "successor_of",
    "upper_tier_of",
    "validate_partition_key",
]

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

_LA_FILE = "local_authorities.csv"
_RETIRED_FILE = "retired_codes.csv"
_AREAS_FILE = "areas.csv"


# --------------------------------------------------------------------------- errors
class AreaCodeError(ValueError):
    """An area code cannot be used where it was given."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class UnknownAreaCodeError(AreaCodeError):
    """The code is blank, unknown, or the wrong kind of area for the call."""


class RetiredAreaCodeError(AreaCodeError):
    """The code belonged to an LA that no longer exists; names its successor(s)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        name: str,
        successors: tuple[str, ...],
        effective_date: str,
    ):
        self.name = name
        self.successors = successors
        self.effective_date = effective_date
        super().__init__(code, message)


class SplitAreaCodeError(RetiredAreaCodeError):
    """A retired code whose area is now divided between several current authorities."""


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


_LA_COLUMNS = tuple(f.name for f in fields(LocalAuthority))
_RETIRED_COLUMNS = (
    "retired_code",
    "retired_name",
    "successor_codes",
    "successor_names",
    "effective_date",
    "change",
    "date_basis",
    "note",
)
_AREA_COLUMNS = ("area_code", "area_name", "area_type", "parent_code", "archived_codes")


@dataclass(frozen=True)
class _Retired:
    code: str
    name: str
    successors: tuple[str, ...]
    effective_date: str
    change: str


@dataclass(frozen=True)
class _Area:
    code: str
    name: str
    area_type: str
    parent_code: str | None


@dataclass(frozen=True, eq=False)
class _Geography:
    la_frame: pd.DataFrame
    retired_frame: pd.DataFrame
    areas_frame: pd.DataFrame
    las: Mapping[str, LocalAuthority]
    retired: Mapping[str, _Retired]
    areas: Mapping[str, _Area]  # current area codes (non-LA)
    archived_boards: Mapping[str, str]  # archived board code -> current board code
    names: Mapping[str, str]
    classes: Mapping[str, str]
    districts_of: Mapping[str, tuple[str, ...]]
    council_areas_of: Mapping[str, tuple[str, ...]]


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


def _read(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    path = geography_dir() / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks the column(s) {', '.join(missing)}.")
    return frame.loc[:, list(columns)]


def _none(value: Any) -> str | None:
    return None if pd.isna(value) else str(value)


def _split(value: Any) -> tuple[str, ...]:
    return (
        ()
        if pd.isna(value)
        else tuple(part.strip() for part in str(value).split(";") if part.strip())
    )


@lru_cache(maxsize=1)
def _geography() -> _Geography:
    la_frame = _read(_LA_FILE, _LA_COLUMNS).sort_values("area_code", ignore_index=True)
    retired_frame = _read(_RETIRED_FILE, _RETIRED_COLUMNS)
    areas_frame = _read(_AREAS_FILE, _AREA_COLUMNS)

    las = {
        rec["area_code"]: LocalAuthority(**{k: _none(v) for k, v in rec.items()})
        for rec in la_frame.to_dict("records")
    }
    retired = {
        rec["retired_code"]: _Retired(
            code=rec["retired_code"],
            name=rec["retired_name"],
            successors=_split(rec["successor_codes"]),
            effective_date=rec["effective_date"],
            change=rec["change"],
        )
        for rec in retired_frame.to_dict("records")
    }
    areas: dict[str, _Area] = {}
    archived: dict[str, str] = {}
    for rec in areas_frame.to_dict("records"):
        code = rec["area_code"]
        areas[code] = _Area(
            code, rec["area_name"], rec["area_type"], _none(rec["parent_code"])
        )
        for old in _split(rec["archived_codes"]):
            archived[old] = code

    names = {r.code: r.name for r in retired.values()}
    names.update({c: a.name for c, a in areas.items()})
    names.update({old: areas[new].name for old, new in archived.items()})
    names.update({c: la.area_name for c, la in las.items()})

    area_class = {
        "nation": "nation",
        "country_group": "nation",
        "region": "region",
        "health_board": "health_board",
    }
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

    return _Geography(
        la_frame=la_frame,
        retired_frame=retired_frame,
        areas_frame=areas_frame,
        las=MappingProxyType(las),
        retired=MappingProxyType(retired),
        areas=MappingProxyType(areas),
        archived_boards=MappingProxyType(archived),
        names=MappingProxyType(names),
        classes=MappingProxyType(classes),
        districts_of=MappingProxyType(
            {k: tuple(sorted(v)) for k, v in districts.items()}
        ),
        council_areas_of=MappingProxyType(
            {k: tuple(sorted(v)) for k, v in boards.items()}
        ),
    )


# --------------------------------------------------------------------------- helpers
def _normalise(code: object) -> str:
    if code is None or (not isinstance(code, str) and pd.isna(code) is True):
        raise UnknownAreaCodeError("", "An area code is required but none was given.")
    text = str(code).strip().upper()
    if not text:
        raise UnknownAreaCodeError(
            "", "An area code is required but a blank value was given."
        )
    return text


def _describe(code: str) -> str:
    name = _geography().names.get(code)
    return f"{code} ({name})" if name else code


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _final_successors(code: str) -> tuple[str, ...]:
    geo = _geography()
    out: list[str] = []
    stack = [code]
    seen: set[str] = set()
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if current in geo.retired:
            stack = list(geo.retired[current].successors) + stack
        elif current not in out:
            out.append(current)
    return tuple(out)


def _retired_error(code: str) -> RetiredAreaCodeError:
    geo = _geography()
    rec = geo.retired[code]
    finals = _final_successors(code)
    described = [_describe(s) for s in finals]
    head = f"{_describe(code)} was retired on {rec.effective_date}"
    current = ""
    if rec.successors != finals:
        later = sorted(
            {geo.retired[s].effective_date for s in rec.successors if s in geo.retired}
        )
        replaced = _join([_describe(s) for s in rec.successors])
        head += f" and replaced by {replaced}, itself retired on {_join(later)}"
        current = "current "
    if len(finals) > 1:
        message = (
            f"{head}; its area is now split between {_join(described)},"
            " so no single successor exists."
        )
        cls: type[RetiredAreaCodeError] = SplitAreaCodeError
    else:
        message = f"{head}; use its {current}successor {described[0]}."
        cls = RetiredAreaCodeError
    return cls(
        code,
        message,
        name=rec.name,
        successors=finals,
        effective_date=rec.effective_date,
    )


def _not_an_la(code: str) -> UnknownAreaCodeError:
    geo = _geography()
    if code in geo.areas:
        kind = geo.areas[code].area_type.replace("_", " ")
        return UnknownAreaCodeError(
            code, f"{_describe(code)} is a {kind}, not a local authority."
        )
    if code in geo.archived_boards:
        return UnknownAreaCodeError(
            code,
            f"{_describe(code)} is an archived NHS board code, not a local authority.",
        )
    return UnknownAreaCodeError(
        code, f"{code!r} is not a current or retired UK local authority code."
    )


# --------------------------------------------------------------------------- public API
def current_local_authorities() -> tuple[LocalAuthority, ...]:
    """Return the 382 current local authorities, sorted by code."""
    geo = _geography()
    return tuple(geo.las[c] for c in sorted(geo.las))


def partition_keys() -> list[str]:
    """Return the sorted codes of the 382 current local authorities (partitions)."""
    return sorted(_geography().las)


def as_frame() -> pd.DataFrame:
    """Return the 382 current local authorities as a DataFrame (a copy; blanks NA)."""
    return _geography().la_frame.copy()


def retired_codes() -> pd.DataFrame:
    """Return the retired-codes table (a copy), immediate successors ``;``-separated."""
    return _geography().retired_frame.copy()


def areas() -> pd.DataFrame:
    """Return the non-LA areas table (UK, nations, regions, health boards) as a copy."""
    return _geography().areas_frame.copy()


def local_authority(code: str) -> LocalAuthority:
    """Return the current local authority with this code.

    Raises :class:`RetiredAreaCodeError` (naming the successor and the date) for a
    retired code and :class:`UnknownAreaCodeError` for a blank, unknown or non-LA code.
    """
    normalised = _normalise(code)
    geo = _geography()
    if normalised in geo.las:
        return geo.las[normalised]
    if normalised in geo.retired:
        raise _retired_error(normalised)
    raise _not_an_la(normalised)


def validate_partition_key(code: str) -> str:
    """Return the normalised code of a current LA; raise as :func:`local_authority`."""
    return local_authority(code).area_code


def successor_of(code: str) -> tuple[str, ...]:
    """Return the current successor(s) of a retired LA code (chains followed), or ()."""
    try:
        normalised = _normalise(code)
    except UnknownAreaCodeError:
        return ()
    if normalised not in _geography().retired:
        return ()
    return _final_successors(normalised)


def resolve_area_code(code: str, *, allow_split: bool = False) -> str:
    """Return the current code for ``code``.

    Current LA, region, nation, UK and board codes return themselves; archived board
    codes and 1:1 retired LA codes (merges, recodes) return their current successor. A
    retired code whose area is split raises :class:`SplitAreaCodeError`, unless
    ``allow_split`` is true: then the successor with the largest population share
    (listed first) is returned.
    """
    normalised = _normalise(code)
    geo = _geography()
    if normalised in geo.las or normalised in geo.areas:
        return normalised
    if normalised in geo.archived_boards:
        return geo.archived_boards[normalised]
    if normalised in geo.retired:
        finals = _final_successors(normalised)
        if len(finals) > 1 and not allow_split:
            raise _retired_error(normalised)
        return finals[0]
    raise UnknownAreaCodeError(
        normalised, f"{normalised!r} is not a UK area code this project knows."
    )


def area_name(code: str) -> str:
    """Return the name of any known code: LA (incl. retired), region, nation, board."""
    normalised = _normalise(code)
    name = _geography().names.get(normalised)
    if name is None:
        raise UnknownAreaCodeError(
            normalised, f"{normalised!r} is not a UK area code this project knows."
        )
    return name


def nation_of(code: str) -> str:
    """Return the nation code of an LA (current or retired), region, board or nation."""
    normalised = resolve_area_code(code, allow_split=True)
    geo = _geography()
    if normalised in geo.las:
        return geo.las[normalised].nation_code
    area = geo.areas[normalised]
    if area.area_type == "nation":
        return normalised
    if area.area_type in ("region", "health_board") and area.parent_code:
        return area.parent_code
    raise UnknownAreaCodeError(
        normalised,
        f"{_describe(normalised)} spans several nations; it has no single nation.",
    )


def national_comparator(code: str) -> str:
    """Return the national comparator (the nation code) for an LA, region or board."""
    return nation_of(code)


def region_of(code: str) -> str | None:
    """Return the English region of an LA (a region returns itself); else ``None``."""
    normalised = resolve_area_code(code, allow_split=True)
    geo = _geography()
    if normalised in geo.las:
        return geo.las[normalised].region_code
    return normalised if geo.areas[normalised].area_type == "region" else None


def upper_tier_of(code: str) -> str:
    """Return the upper tier of a current LA: a district's county, otherwise itself."""
    return local_authority(code).upper_tier_code


def lower_tier_codes(code: str) -> tuple[str, ...]:
    """Return the current lower/single-tier codes covering a current LA.

    A county returns its districts; any other current LA returns itself.
    """
    la = local_authority(code)
    if la.tier == "upper":
        return _geography().districts_of.get(la.area_code, ())
    return (la.area_code,)


def council_areas_in_board(board_code: str) -> tuple[str, ...]:
    """Return the council areas (S12) of an NHS board (archived codes accepted)."""
    normalised = _normalise(board_code)
    geo = _geography()
    current = geo.archived_boards.get(normalised, normalised)
    area = geo.areas.get(current)
    if area is None or area.area_type != "health_board":
        raise UnknownAreaCodeError(
            normalised,
            f"{_describe(normalised)} is not a Scottish NHS health board code.",
        )
    return geo.council_areas_of.get(current, ())


def board_of_council_area(code: str) -> str:
    """Return the (2019-coded) NHS health board of a current Scottish council area."""
    la = local_authority(code)
    if la.health_board_code is None:
        raise UnknownAreaCodeError(
            la.area_code, f"{_describe(la.area_code)} is not a Scottish council area."
        )
    return la.health_board_code


def known_area_codes() -> frozenset[str]:
    """Return current LA, region, nation, UK and board codes (incl. archived boards)."""
    geo = _geography()
    return frozenset(geo.las) | frozenset(geo.areas) | frozenset(geo.archived_boards)


def classify_area_codes(codes: pd.Series) -> pd.Series:
    """Classify each code as one of :data:`AREA_CLASSES` (vectorised; keeps the index).

    The United Kingdom counts as ``"nation"``, archived board codes as
    ``"health_board"``, missing values as ``"unknown"``. The codes are factorised first,
    so the dict lookup (and the strip/upper-case retry for misses) runs once per
    distinct value: fast on millions of rows.
    """
    lookup = _geography().classes
    positions, uniques = pd.factorize(codes, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=object)
    labels = distinct.map(lookup)
    missed = labels.isna()
    if missed.any():
        labels.loc[missed] = (
            distinct.loc[missed].astype(str).str.strip().str.upper().map(lookup)
        )
    table = np.append(
        labels.fillna("unknown").to_numpy(dtype=object), "unknown"
    )  # -1 (NA) -> last
    return pd.Series(table[positions], index=codes.index, name=codes.name, dtype=object)
