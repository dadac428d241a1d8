"""Which areas, indicators and sexes a pull or a comparison asks for.

Areas come from codes, a site of the site register (a named group of LAs) and an areas file
(plain text, one code per line, ``#`` comments; or a CSV/Excel file with an area-code column),
combined in that order without repeats. Indicator ids may use shell wildcards
(``hes_admissions_lung_*``); an id that matches nothing is an error that suggests the nearest ids.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from landscape_pipeline import geography, tabular
from landscape_pipeline.errors import LandscapeError, SourceDataError

#: Returns the LA codes of a named site; raises LandscapeError for an unknown site.
SiteLookup = Callable[[str], list[str]]
SEXES = ("Persons", "Male", "Female")
AREA_COLUMN_VARIANTS = {"area_code": ("area_code", "area code", "code", "la code", "lad code", "gss code",
                                      "LAD23CD", "LAD24CD", "LAD25CD", "CTYUA23CD", "CTYUA24CD", "UTLA23CD")}
TABLE_SUFFIXES = (".csv", ".gz", ".zip", ".xlsx", ".xls", ".xlsm", ".ods")


class SelectionError(LandscapeError):
    """A selection (area, site, file, indicator, sex) cannot be resolved."""


def site_register_codes(name: str) -> list[str]:
    """Return the LA codes of a site from the site register (``data_sources/sites.yaml``)."""
    from landscape_pipeline import sites

    try:
        return list(sites.site_codes(name))
    except KeyError as exc:
        raise SelectionError(exc.args[0]) from None


def resolve_areas(codes: Sequence[str] | None = None, site: str | None = None, areas_file: Path | None = None,
                  *, site_lookup: SiteLookup = site_register_codes) -> list[str] | None:
    """Return the requested current LA codes in order (None when nothing was asked: every area)."""
    wanted: list[str] = list(codes or [])
    if site:
        found = site_lookup(site)
        if not found:
            raise SelectionError(f"Site '{site}' has no local authorities in the site register.")
        wanted += found
    if areas_file is not None:
        wanted += read_areas_file(Path(areas_file))
    if not wanted:
        return None
    out: list[str] = []
    for code in wanted:
        try:
            current = geography.validate_partition_key(code)
        except geography.AreaCodeError as exc:
            raise SelectionError(str(exc)) from None
        if current not in out:
            out.append(current)
    return out


def read_areas_file(path: Path) -> list[str]:
    """Return the codes listed in an areas file (text: one per line; CSV/Excel: the area-code column)."""
    if not path.is_file():
        raise SelectionError(f"Areas file {path} does not exist (or is a folder).")
    if path.name.lower().endswith(TABLE_SUFFIXES):
        try:
            table = tabular.read_table(path)
            found = tabular.find_columns(table, AREA_COLUMN_VARIANTS, optional=["area_code"], what="areas file")
        except SourceDataError as exc:
            raise SelectionError(str(exc)) from None
        column = found.get("area_code", table.frame.columns[0])
        codes = [str(c).strip() for c in table.frame[column].dropna()]
    else:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        codes = [line.split("#", 1)[0].strip() for line in lines]
    codes = [c for c in codes if c]
    if not codes:
        raise SelectionError(f"Areas file {path} lists no area codes.")
    return codes


def match_indicators(patterns: Iterable[str] | None, known: Iterable[str]) -> list[str] | None:
    """Return the known ids matching ``patterns`` (exact or wildcard), or None when no filter was given."""
    patterns = [p.strip() for p in patterns or [] if p.strip()]
    if not patterns:
        return None
    known = sorted(set(known))
    out: list[str] = []
    for pattern in patterns:
        hits = fnmatch.filter(known, pattern) if any(ch in pattern for ch in "*?[") else \
            [pattern] if pattern in known else []
        if not hits:
            close = difflib.get_close_matches(pattern, known, n=3, cutoff=0.6)
            hint = f" Did you mean {', '.join(close)}?" if close else " `landscape catalogue` lists the ids."
            raise SelectionError(f"No indicator '{pattern}' in this data.{hint}")
        out += [h for h in hits if h not in out]
    return out


def match_sexes(values: Iterable[str] | None) -> list[str] | None:
    """Return canonical sex labels (case-insensitive; 'all'/'both' mean Persons), or None for no filter."""
    values = list(values or [])
    if not values:
        return None
    aliases = {s.lower(): s for s in SEXES} | {"all": "Persons", "both": "Persons", "men": "Male",
                                                "women": "Female", "m": "Male", "f": "Female"}
    out = []
    for value in values:
        label = aliases.get(value.strip().lower())
        if label is None:
            raise SelectionError(f"Unknown sex '{value}'; use Persons, Male or Female.")
        if label not in out:
            out.append(label)
    return out
