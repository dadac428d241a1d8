"""ONS LSOA -> local authority lookups of either LSOA vintage (2011 or 2021 codes): the one reader.

Any ONS Open Geography Portal lookup that has an LSOA code column (``LSOA11CD`` or ``LSOA21CD``) and
a district column (``LADyyCD``, or ``LTLAyyCD``) is accepted, whatever else it carries (CCG, sub-ICB,
ward...), as CSV, ``.csv.gz`` or a sheet of the ONS workbook. District codes of the lookup's year are
moved to today's authorities with the geography's retired-code table (e.g. LAD20 Corby -> North
Northamptonshire). A lookup carrying both vintages' codes (the ONS "LSOA (2011) to LSOA (2021) to LAD"
best-fit and exact-fit lookups, one row per 2011 LSOA) is read as a lookup of its 2021 LSOAs, whose
district it gives; its repeated 2021 LSOAs must agree on the district.

Bundled in ``data_sources/geography/`` (real ONS files, see its README and ``provenance.json``):
:data:`LSOA11_FILE` (LSOA 2011 -> LAD April 2020, England) and :data:`LSOA21_FILE` (LSOA 2011 -> LSOA
2021 -> LAD 2022 best fit, England and Wales, read as LSOA 2021 -> LAD 2022; it lists every 2021 LSOA
that some 2011 LSOA best-fits to, so a few new 2021 LSOAs are missing from it). Used by
``qof_prevalence``, ``gpps`` (GP registrations by LSOA of residence) and :mod:`.vintage` (mapped
extracts at LSOA level); sources given a lookup among their files use that instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.local_authorities import AreaCodeError, geography_dir, resolve_area_code
from landscape_pipeline.tabular import RawTable, read_header, read_table, require_rows

_LSOA_HEADER = re.compile(r"^LSOA(11|21)CD$", re.I)
_LA_HEADER = re.compile(r"^(LAD|LTLA)(\d{2})CD$", re.I)
_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
VINTAGES = {"11": 2011, "21": 2021}
LSOA11_FILE = "LSOA11_CCG20_LAD20_EN_LU_april_2020.csv.gz"
LSOA21_FILE = "LSOA11_LSOA21_LAD22_EW_LU_best_fit_v2.csv.gz"


@dataclass(frozen=True)
class LsoaLookup:
    """One lookup: its LSOA vintage (2011 or 2021), the year of its LA codes and ``lsoa_code, la_code`` rows."""

    path: Path
    vintage: int
    la_year: int
    rows: pd.DataFrame  # lsoa_code, la_code (current code), source_row

    @property
    def label(self) -> str:
        """Return e.g. "ONS LSOA 2011 -> LAD 2020 lookup (file.csv)"."""
        return f"ONS LSOA {self.vintage} -> LAD {self.la_year} lookup ({self.path.name})"


def is_lookup_header(columns: list[str]) -> bool:
    """Return True when a header has an LSOA code column and a district code column."""
    names = [c.strip() for c in columns]
    return any(_LSOA_HEADER.match(c) for c in names) and any(_LA_HEADER.match(c) for c in names)


def looks_like_lookup(path: Path) -> bool:
    """Return True when ``path`` reads as an LSOA -> LA lookup (by its header)."""
    try:
        return is_lookup_header(read_header(path))
    except SourceDataError:
        return False


def read_lsoa_lookup(path: Path | str) -> LsoaLookup:
    """Return one lookup, or raise :class:`SourceDataError` naming file, row and column (cached per file state)."""
    path = Path(path)
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, 0)  # read_table says in a sentence that the file cannot be opened
    return _read(str(path), stamp)


@lru_cache(maxsize=8)
def _read(path_text: str, _stamp: tuple[int, int]) -> LsoaLookup:
    table = read_table(path_text)
    lsoa_cols = [c for c in table.frame.columns if _LSOA_HEADER.match(c)]
    la_col = next((c for c in table.frame.columns if _LA_HEADER.match(c)), None)
    if not lsoa_cols or la_col is None:
        raise SourceDataError(table.path, "needs an LSOA code column ('LSOA11CD' or 'LSOA21CD') and a district "
                                          f"column (e.g. 'LAD20CD'); its header is {', '.join(table.frame.columns)}."
                                          " Use an ONS LSOA to LAD lookup.", line=table.header_line)
    require_rows(table, "LSOAs")
    lsoa_col = max(lsoa_cols, key=lambda c: VINTAGES[_LSOA_HEADER.match(c)[1]])  # the newest vintage is the key
    vintage = VINTAGES[_LSOA_HEADER.match(lsoa_col)[1]]
    la_year = 2000 + int(_LA_HEADER.match(la_col)[2])
    lsoa = table.frame[lsoa_col].fillna("").str.upper()
    table.fail_first(~lsoa.str.match(_LSOA_CODE).to_numpy(), lsoa_col,
                     "{value!r} is not an LSOA code (E01/W01 and six digits).")
    la_codes = _current_codes(table, la_col)
    rows = pd.DataFrame({"lsoa_code": lsoa, "la_code": la_codes, "source_row": table.frame.index.to_numpy() + 1})
    if len(lsoa_cols) > 1:  # cross-vintage lookup: one row per older LSOA, so newer ones repeat
        clash = rows.duplicated("lsoa_code") & ~rows.duplicated(["lsoa_code", "la_code"])
        table.fail_first(clash.to_numpy(), lsoa_col, "LSOA {value} is given two districts; each LSOA lies in one LA.")
        rows = rows.drop_duplicates("lsoa_code")
    else:
        table.fail_first(lsoa.duplicated().to_numpy(), lsoa_col,
                         "LSOA {value} appears twice; each LSOA lies in one LA.")
    return LsoaLookup(table.path, vintage, la_year, rows.reset_index(drop=True))


def _current_codes(table: RawTable, column: str) -> pd.Series:
    codes = table.frame[column].fillna("").str.upper()
    resolved: dict[str, str] = {}
    for code in codes.unique():  # one call per distinct district, not per LSOA
        try:
            resolved[code] = resolve_area_code(code)
        except AreaCodeError as exc:
            label = codes.index[codes.eq(code).to_numpy()][0]
            raise table.error(f"{exc} Use an ONS lookup whose districts the geography knows.", label=label,
                              column=column) from None
    return codes.map(resolved)


def bundled_lookup_paths(folder: Path | None = None) -> list[Path]:
    """Return the LSOA lookups bundled in the geography folder (recognised by their header)."""
    folder = folder or geography_dir()
    return sorted(p for p in folder.glob("LSOA*.csv*") if looks_like_lookup(p))


def bundled_lookups(folder: Path | None = None) -> list[LsoaLookup]:
    """Return every bundled LSOA lookup, read."""
    return [read_lsoa_lookup(p) for p in bundled_lookup_paths(folder)]


def lsoa_vintage_of_year(year: int) -> int | None:
    """Return the LSOA vintage whose codes were current in ``year`` (as at 31 December), or None before 2011."""
    if year >= 2021:
        return 2021
    return 2011 if year >= 2011 else None


def lsoa_codes_at(year: int, lookups: list[LsoaLookup] | None = None) -> set[str]:
    """Return the LSOA codes current in ``year`` that a (bundled) lookup of that vintage lists."""
    vintage = lsoa_vintage_of_year(year)
    found = lookups if lookups is not None else bundled_lookups()
    return {code for lk in found if lk.vintage == vintage for code in lk.rows["lsoa_code"].tolist()}


def la_of_lsoas(codes: pd.Series, lookups: list[LsoaLookup] | None = None) -> pd.Series:
    """Return the current LA of each LSOA code (2011 or 2021 codes; NA where no lookup has it).

    A code in several lookups takes the newest lookup's district (2021 LSOAs first, then the LA year).
    """
    found = lookups if lookups is not None else bundled_lookups()
    table: dict[str, str] = {}
    for lookup in sorted(found, key=lambda lk: (lk.vintage, lk.la_year)):  # newer lookups overwrite older ones
        table.update(zip(lookup.rows["lsoa_code"], lookup.rows["la_code"], strict=True))
    return codes.astype("str").str.strip().str.upper().map(table).astype(object)
