"""Codes as they were: tiers, the dates each LA code was in use, and resolution of an older geography.

Publishers label rows with the codes of the geography their release was built on. A mid-2020
estimate on 2021 geography lists Allerdale (retired 2023) and Cumbria (a county, abolished 2023)
beside North Northamptonshire (created 2021). This module answers, from the project's code tables
and never by guessing:

* the **tier** of any LA code, current or retired (:func:`tier_of`): counties are "upper",
  districts "lower", unitaries, boroughs, council areas and the like "single";
* the **dates it was in use** (:func:`in_use`): retired codes end on their retirement date;
  codes created by a change this project records start on its date;
* the **vintage** of a set of codes (:func:`common_vintage`): the dates on which all of them were in
  use together, or an error naming two that never were (a file mixing geographies);
* the **current districts** a district code of that vintage now belongs to (:func:`current_district`),
  and the district codes of a vintage that make up a current one (:func:`members_on`), so merged
  districts can be summed into their successor and a partial set of them refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from landscape_pipeline.geography.errors import AreaCodeError, SplitAreaCodeError, UnknownAreaCodeError
from landscape_pipeline.geography.local_authorities import resolve_area_code, successor_of
from landscape_pipeline.geography.tables import tables

DISTRICT_TIERS = ("lower", "single")


@dataclass(frozen=True)
class Vintage:
    """The dates on which a set of codes were all in use: ``start`` inclusive, ``end`` exclusive (ISO dates).

    ``None`` means unbounded: before the earliest change these tables record, or still current.
    """

    start: str | None = None
    end: str | None = None

    def contains(self, day: str) -> bool:
        """Return True when the ISO date ``day`` falls inside this vintage."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def describe(self) -> str:
        """Return e.g. "from 2021-04-01 until 2023-04-01" for messages."""
        parts = [f"from {self.start}" if self.start else "", f"until {self.end}" if self.end else "to date"]
        return " ".join(p for p in parts if p)


class VintageError(AreaCodeError):
    """The codes of one file were never in use at the same time, or not on the date the file gives."""


def _label(code: str) -> str:
    name = tables().names.get(code)
    return f"{code} ({name})" if name else code


def tier_of(code: str) -> str | None:
    """Return "upper", "lower" or "single" for a current or retired LA code; None for anything else."""
    return tables().tiers.get(str(code).strip().upper())


def in_use(code: str) -> Vintage:
    """Return the dates an LA code was in use (unknown or non-LA codes: unbounded)."""
    geo = tables()
    code = str(code).strip().upper()
    retired = geo.retired.get(code)
    return Vintage(geo.starts.get(code), retired.effective_date if retired else None)


def common_vintage(codes: Iterable[str], *, declared: date | None = None) -> Vintage:
    """Return the dates on which every LA code in ``codes`` was in use.

    ``declared`` is the geography date a file states (e.g. 1 April 2021 for "2021 geography"): it
    must fall inside that range. Raises :class:`VintageError` naming two codes that never coexisted,
    or a code not in use on the declared date.
    """
    spans = {c: in_use(c) for c in {str(c).strip().upper() for c in codes} if tier_of(c)}
    starts = [(v.start, c) for c, v in spans.items() if v.start]
    ends = [(v.end, c) for c, v in spans.items() if v.end]
    latest_start = max(starts) if starts else None
    earliest_end = min(ends) if ends else None
    if latest_start and earliest_end and latest_start[0] >= earliest_end[0]:
        raise VintageError(latest_start[1], (
            f"{_label(latest_start[1])} came into use on {latest_start[0]} but {_label(earliest_end[1])} was retired "
            f"on {earliest_end[0]}: the file mixes codes from different geographies. Use one release of the file."))
    vintage = Vintage(latest_start[0] if latest_start else None, earliest_end[0] if earliest_end else None)
    if declared is not None and not vintage.contains(declared.isoformat()):
        day = declared.isoformat()
        culprit = (latest_start[1] if latest_start and day < latest_start[0] else earliest_end[1])  # type: ignore[index]
        raise VintageError(culprit, (
            f"the file says its areas are as on {day}, but {_label(culprit)} was in use only "
            f"{in_use(culprit).describe()}; check that the file is the release it claims to be."))
    return vintage


def current_district(code: str) -> str:
    """Return the current district or unitary a lower/single-tier code (current or retired) now lies in.

    Merged districts return their successor (chains followed). Raises :class:`UnknownAreaCodeError`
    for a county or a non-LA code (not a district) and :class:`SplitAreaCodeError` for a district
    whose area is now divided between several authorities (it cannot be placed whole).
    """
    normalised = str(code).strip().upper()
    tier = tier_of(normalised)
    if tier not in DISTRICT_TIERS:
        kind = "is a county (upper tier)" if tier == "upper" else "is not a local authority code"
        raise UnknownAreaCodeError(normalised, f"{_label(normalised)} {kind}; a district or unitary authority "
                                               "is needed.")
    return resolve_area_code(normalised)  # raises SplitAreaCodeError for a split district


def members_on(current: str, vintage: Vintage) -> tuple[str, ...]:
    """Return the district codes in use throughout ``vintage`` that now lie wholly in the district ``current``."""
    geo = tables()
    found = []
    for code, tier in geo.tiers.items():
        if tier not in DISTRICT_TIERS:
            continue
        span = in_use(code)
        covers = ((span.start is None or (vintage.start is not None and span.start <= vintage.start))
                  and (span.end is None or (vintage.end is not None and span.end >= vintage.end)))
        if not covers:
            continue
        finals = successor_of(code) or (code,)
        if finals == (current,):
            found.append(code)
    return tuple(sorted(found))


__all__ = ["DISTRICT_TIERS", "SplitAreaCodeError", "Vintage", "VintageError", "common_vintage", "current_district",
           "in_use", "members_on", "tier_of"]
