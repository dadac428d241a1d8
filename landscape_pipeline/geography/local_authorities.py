"""UK local authority geography: look-ups and resolution of current, retired, regional and board codes.

The code tables (:mod:`.tables`, read from ``data_sources/geography/``) say what exists; this module
answers questions about one code: is it a current LA, what replaced a retired one, which nation,
region, upper tier or board it belongs to. Date- and tier-aware resolution of codes as they were on
an older geography lives in :mod:`.vintages`.

Codes and names: ONS / NRS / NISRA geography, Open Government Licence v3.0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline.geography.errors import (
    AreaCodeError,
    RetiredAreaCodeError,
    SplitAreaCodeError,
    UnknownAreaCodeError,
)
from landscape_pipeline.geography.tables import (
    AREA_CLASSES,
    ENGLAND,
    NORTHERN_IRELAND,
    SCOTLAND,
    UNITED_KINGDOM,
    WALES,
    LocalAuthority,
    geography_dir,
    tables,
)

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
    name = tables().names.get(code)
    return f"{code} ({name})" if name else code


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _final_successors(code: str) -> tuple[str, ...]:
    geo = tables()
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
    geo = tables()
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
    geo = tables()
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
    geo = tables()
    return tuple(geo.las[c] for c in sorted(geo.las))


def partition_keys() -> list[str]:
    """Return the sorted codes of the 382 current local authorities (partitions)."""
    return sorted(tables().las)


def as_frame() -> pd.DataFrame:
    """Return the 382 current local authorities as a DataFrame (a copy; blanks NA)."""
    return tables().la_frame.copy()


def retired_codes() -> pd.DataFrame:
    """Return the retired-codes table (a copy), immediate successors ``;``-separated."""
    return tables().retired_frame.copy()


def areas() -> pd.DataFrame:
    """Return the non-LA areas table (UK, nations, regions, health boards) as a copy."""
    return tables().areas_frame.copy()


def local_authority(code: str) -> LocalAuthority:
    """Return the current local authority with this code.

    Raises :class:`RetiredAreaCodeError` (naming the successor and the date) for a
    retired code and :class:`UnknownAreaCodeError` for a blank, unknown or non-LA code.
    """
    normalised = _normalise(code)
    geo = tables()
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
    if normalised not in tables().retired:
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
    geo = tables()
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
    name = tables().names.get(normalised)
    if name is None:
        raise UnknownAreaCodeError(
            normalised, f"{normalised!r} is not a UK area code this project knows."
        )
    return name


def nation_of(code: str) -> str:
    """Return the nation code of an LA (current or retired), region, board or nation."""
    normalised = resolve_area_code(code, allow_split=True)
    geo = tables()
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
    geo = tables()
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
        return tables().districts_of.get(la.area_code, ())
    return (la.area_code,)


def council_areas_in_board(board_code: str) -> tuple[str, ...]:
    """Return the council areas (S12) of an NHS board (archived codes accepted)."""
    normalised = _normalise(board_code)
    geo = tables()
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
    geo = tables()
    return frozenset(geo.las) | frozenset(geo.areas) | frozenset(geo.archived_boards)


def classify_area_codes(codes: pd.Series) -> pd.Series:
    """Classify each code as one of :data:`AREA_CLASSES` (vectorised; keeps the index).

    The United Kingdom counts as ``"nation"``, archived board codes as
    ``"health_board"``, missing values as ``"unknown"``. The codes are factorised first,
    so the dict lookup (and the strip/upper-case retry for misses) runs once per
    distinct value: fast on millions of rows.
    """
    lookup = tables().classes
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
