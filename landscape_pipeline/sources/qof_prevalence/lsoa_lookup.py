"""Read ONS LSOA -> local authority lookups of either LSOA vintage (2011 or 2021 codes).

Any ONS Open Geography Portal lookup that has an LSOA code column (``LSOA11CD`` or ``LSOA21CD``) and
a district column (``LADyyCD``, or ``LTLAyyCD``) is accepted, whatever else it carries (CCG, sub-ICB,
ward...), as CSV, ``.csv.gz`` or a sheet of the ONS workbook. District codes of the lookup's year are
moved to today's authorities with the geography's retired-code table (e.g. LAD20 Corby -> North
Northamptonshire). Reused by every source that places practice lists by LSOA of residence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import RawTable, read_header, read_table, require_rows

_LSOA_HEADER = re.compile(r"^LSOA(11|21)CD$", re.I)
_LA_HEADER = re.compile(r"^(LAD|LTLA)(\d{2})CD$", re.I)
_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
VINTAGES = {"11": 2011, "21": 2021}


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
    """Return one lookup, or raise :class:`SourceDataError` naming file, row and column."""
    table = read_table(path)
    lsoa_col = next((c for c in table.frame.columns if _LSOA_HEADER.match(c)), None)
    la_col = next((c for c in table.frame.columns if _LA_HEADER.match(c)), None)
    if lsoa_col is None or la_col is None:
        raise SourceDataError(table.path, "needs an LSOA code column ('LSOA11CD' or 'LSOA21CD') and a district "
                                          f"column (e.g. 'LAD20CD'); its header is {', '.join(table.frame.columns)}."
                                          " Use an ONS LSOA to LAD lookup.", line=table.header_line)
    require_rows(table, "LSOAs")
    vintage = VINTAGES[_LSOA_HEADER.match(lsoa_col)[1]]
    la_year = 2000 + int(_LA_HEADER.match(la_col)[2])
    lsoa = table.frame[lsoa_col].fillna("").str.upper()
    table.fail_first(~lsoa.str.match(_LSOA_CODE).to_numpy(), lsoa_col,
                     "{value!r} is not an LSOA code (E01/W01 and six digits).")
    table.fail_first(lsoa.duplicated().to_numpy(), lsoa_col, "LSOA {value} appears twice; each LSOA lies in one LA.")
    rows = pd.DataFrame({"lsoa_code": lsoa, "la_code": _current_codes(table, la_col),
                         "source_row": table.frame.index.to_numpy() + 1})
    return LsoaLookup(table.path, vintage, la_year, rows.reset_index(drop=True))


def _current_codes(table: RawTable, column: str) -> pd.Series:
    codes = table.frame[column].fillna("").str.upper()
    resolved: dict[str, str] = {}
    for code in codes.unique():  # one call per distinct district, not per LSOA
        try:
            resolved[code] = geography.resolve_area_code(code)
        except geography.AreaCodeError as exc:
            label = codes.index[codes.eq(code).to_numpy()][0]
            raise table.error(f"{exc} Use an ONS lookup whose districts the geography knows.", label=label,
                              column=column) from None
    return codes.map(resolved)
