"""Reading rules shared by the PHS open-data CSVs: missing cells, qualifiers, sexes, years and geography.

Files are read by :mod:`landscape_pipeline.tabular` (UTF-8, else Windows-1252 as the qualifier lookup
needs): ``NA``, blank and whitespace-only cells are missing, headers are matched against the variants
in :mod:`.layouts` and sexes through its synonym table. Each ``<Column>QF`` column holds a statistical
qualifier for ``<Column>`` (``d`` derived, ``z`` not applicable, ``c`` confidential, ..., see
:data:`QUALIFIERS`). Errors name the file, row, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.stats import map_age_bands
from landscape_pipeline.tabular import (
    RawTable,
    find_columns,
    map_labels,
    normalise,
    read_lines,
    read_table,
    require_rows,
)
from landscape_pipeline.tabular import numbers as shared_numbers
from landscape_pipeline.validation.plausibility import refuse_future_periods

from . import layouts

SCOTLAND = geography.SCOTLAND
#: Code PHS uses for the three island boards reported together in 5-year summaries.
ISLAND_GROUP = "GR0800001"
ISLAND_GROUP_NAME = "NHS Orkney, NHS Shetland and NHS Western Isles"
ISLAND_BOARDS = ("S08000025", "S08000026", "S08000028")

#: PHS statistical qualifiers (code -> name), as in the PHS lookup ``statisticalqualifiers24052019.csv``.
QUALIFIERS: dict[str, str] = {
    "b": "break in time series", "c": "confidential", "\u2020": "earliest revision", "e": "estimated",
    "f": "forecast", "~": "less than half the final digit shown and different from a real zero",
    "u": "low reliability", "z": "not applicable", ":": "not available", "n": "not significant",
    "p": "provisional", "r": "revised", "*": "significant at 0.05 level", "**": "significant at 0.01 level",
    "***": "significant at 0.001 level", "d": "derived", "x": "archived or expired", "y": "incomplete",
}
CANCER_SITE = "Cancer site"


def today() -> date:
    """Return the date future periods are judged against (a function, so tests can move it)."""
    return date.today()


def read_phs_table(path: Path) -> RawTable:
    """Return a PHS data file through the shared reader: ``NA``, blanks and single spaces are missing."""
    table = read_table(path, missing=layouts.MISSING)
    require_rows(table, "data rows")
    return table


def kind_of(path: Path) -> tuple[str, str]:
    """Return ("mortality" | "incidence", geography column) or ("lookup", what it is) from a PHS file's header.

    Raises a SourceDataError in a sentence for any other file.
    """
    lines = read_lines(path, 5)
    header = {normalise(c) for c in (lines[0] if lines else [])}

    def has(spellings: Sequence[str]) -> bool:
        return any(normalise(s) in header for s in spellings)

    geo = next((name for name, spellings in layouts.GEOGRAPHY.items() if has(spellings)), None)
    if has(layouts.MORTALITY["DeathsAllAges"]) and geo in ("CA", "Country"):
        return "mortality", geo
    if has(layouts.INCIDENCE["IncidencesAllAges"]) and geo in ("HB", "Country"):
        return "incidence", geo
    for what, columns in layouts.LOOKUP_HEADERS.items():
        if any({normalise(c) for c in columns} <= {normalise(c) for c in line} for line in lines):
            return "lookup", what
    if has(layouts.MORTALITY["DeathsAllAges"]):
        raise SourceDataError(path, "is PHS cancer mortality by health board or region; this source reads "
                                    "mortality by council area (column CA) or for Scotland (column Country).")
    raise SourceDataError(path, "is not a PHS cancer file this source knows: expected a CA, HB or Country column "
                                "with DeathsAllAges or IncidencesAllAges, or a PHS lookup. Remove it from the input.")


def read_lookup_csv(path: Path | str) -> pd.DataFrame:
    """Return a PHS lookup file (e.g. statistical qualifiers, board names) as strings, blanks missing."""
    return read_table(path).frame


def read_qualifier_lookup(path: Path | str) -> dict[str, str]:
    """Return {qualifier code: name} from a PHS ``statisticalqualifiers*.csv`` lookup (Windows-1252 read too)."""
    table = read_table(path)
    found = find_columns(table, {"Qualifier": ("Qualifier",), "QualifierName": ("QualifierName",)},
                         what="PHS qualifier lookup")
    return dict(zip(table.frame[found["Qualifier"]], table.frame[found["QualifierName"]], strict=True))


def use_columns(table: RawTable, variants: Mapping[str, Sequence[str]], what: str,
                optional: Iterable[str] = ()) -> None:
    """Rename the file's columns to the names the parsers use (the first spelling of each entry); raise if absent."""
    found = find_columns(table, variants, optional=optional, what=f"PHS {what} file")
    table.frame = table.frame.rename(columns={v: k for k, v in found.items()})


def numbers(table: RawTable, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``columns`` as floats (missing stays NaN); a cell that is not a number raises naming row and column."""
    return pd.DataFrame({c: shared_numbers(table, c)[0] for c in columns}, index=table.frame.index)


def sexes(table: RawTable) -> pd.Series:
    """Return PHS ``Sex`` as Persons/Male/Female through the synonym table ("All", qualifier d, is Persons)."""
    return map_labels(table, "Sex", layouts.SEX, what="sex")


def periods(table: RawTable) -> pd.DataFrame:
    """Return period_label/start/end from PHS ``Year`` ("2019" or "2016-2020"); a period starting after today raises."""
    label = table.frame["Year"].astype("str").str.strip()
    parts = label.str.extract(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")
    table.fail_first(parts[0].isna().to_numpy(), "Year", "year {value!r} is neither 'YYYY' nor 'YYYY-YYYY'.")
    start = pd.to_datetime(parts[0] + "-01-01")
    refuse_future_periods(table, start, "Year", today=today())
    end = pd.to_datetime(parts[1].fillna(parts[0]) + "-12-31")
    return pd.DataFrame({"period_label": label, "period_start": start, "period_end": end}, index=table.frame.index)


def qualifiers(table: RawTable) -> dict[str, pd.Series]:
    """Return {qualified column: qualifier codes} for every ``<column>QF`` column; unknown codes raise."""
    out = {}
    for column in (c for c in table.frame.columns if c.endswith("QF") and len(c) > 2):
        codes = table.frame[column].astype("str").str.strip()
        table.fail_first((codes.notna() & ~codes.isin(list(QUALIFIERS))).to_numpy(), column,
                         "{value!r} is not a PHS statistical qualifier (" + ", ".join(QUALIFIERS) + ").")
        out[column[:-2]] = codes
    return out


def check_all_ages(table: RawTable, total: str, bands: Sequence[tuple[str, str]], what: str) -> None:
    """Raise at the first row whose all-ages count differs from the sum of its age bands (beyond rounding).

    Counts published as whole numbers must add up exactly; counts with decimals (averages) may differ
    by half a unit of their last decimal for each band summed.
    """
    if not bands:
        return
    columns = [c for c, _ in bands]
    parts = numbers(table, columns)
    given = numbers(table, [total])[total]
    complete = parts.notna().all(axis=1) & given.notna()
    decimals = max((_decimals(table.frame[c]) for c in [*columns, total]), default=-1)
    tolerance = 0.0 if decimals < 0 else 0.5 * 10.0 ** -decimals * (len(columns) + 1)
    off = complete & ((parts.sum(axis=1) - given).abs() > tolerance + 1e-9)
    if off.any():
        where = int(off.to_numpy().argmax())
        table.fail_first(off.to_numpy(), total,
                         f"{what} for all ages ({{value}}) is not the sum of the age bands "
                         f"({parts.sum(axis=1).iloc[where]:g}); the file is inconsistent. Download it again from PHS.")


def _decimals(column: pd.Series) -> int:
    """Return the most digits after a final decimal point in a column of text cells (-1 when none has one)."""
    digits = pc.struct_field(pc.extract_regex(pa.array(column.astype("str").array), r"\.(?P<d>\p{Nd}+)$"), [0])
    longest = pc.max(pc.utf8_length(digits)).as_py()
    return -1 if longest is None else int(longest)


def flagged(flags: dict[str, pd.Series], index: pd.Index, code: str, *columns: str) -> pd.Series:
    """Return True where any of ``columns`` carries the qualifier ``code`` (e.g. "c", confidential)."""
    mask = pd.Series(False, index=index, dtype=bool)
    for column in columns:
        if column in flags:
            mask |= flags[column].eq(code).fillna(False).astype(bool)
    return mask


def qualifier_note(codes: pd.Series | None, column: str) -> pd.Series | None:
    """Return notes such as "EASRLower95pcConfidenceInterval: not applicable (PHS qualifier z)"."""
    if codes is None or codes.isna().all():
        return None
    names = codes.map(QUALIFIERS)
    return (column + ": " + names + " (PHS qualifier " + codes + ")").where(codes.notna())


def join_notes(parts: Iterable[pd.Series | None], index: pd.Index) -> pd.Series:
    """Return the non-missing notes of each row joined with "; " (None where a row has none)."""
    joined = pd.Series("", index=index, dtype=object)
    for part in parts:
        if part is None:
            continue
        text = part.reindex(index).fillna("").astype(object)
        sep = np.where((joined != "") & (text != ""), "; ", "")
        joined = joined + sep + text
    return joined.where(joined != "", None)


def area_names(codes: pd.Series) -> pd.Series:
    """Return the name of each area code (boards as "NHS <name>"; the island group by its members)."""
    names = {}
    for code in codes.dropna().unique():
        if code == ISLAND_GROUP:
            names[code] = ISLAND_GROUP_NAME
        elif code.startswith("S08"):
            names[code] = f"NHS {geography.area_name(code)}"
        else:
            names[code] = geography.area_name(code)
    return codes.map(names)


def resolve_codes(table: RawTable, column: str, allowed: tuple[str, ...]) -> pd.Series:
    """Return current codes for ``column``: retired council areas and archived boards map to their successors.

    ``allowed`` lists the prefixes the column may hold (e.g. ("S12", "S92")); other or unknown codes raise.
    """
    raw = table.frame[column].astype("str").str.strip().str.upper()
    lookup: dict[str, str | None] = {}
    for code in raw.dropna().unique():
        if code == ISLAND_GROUP and "GR08" in allowed:
            lookup[code] = code
            continue
        try:
            current = geography.resolve_area_code(code) if code[:3] in allowed else None
        except geography.AreaCodeError:
            current = None
        lookup[code] = current
    resolved = raw.map(lookup)
    table.fail_first(resolved.isna().to_numpy(), column,
                     "area code {value!r} is not a " + "/".join(allowed) + " code known to data_sources/geography; "
                     "check the file is the right PHS resource or update the geography lookup.")
    return resolved


def age_band_columns(columns: Iterable[str], prefix: str) -> list[tuple[str, str]]:
    """Return [(column, ESP2013 band)] for columns like ``DeathsAgeUnder5`` ... ``DeathsAge90AndOver``."""
    found = [c for c in columns if c.startswith(prefix) and c != f"{prefix}AllAges" and c[len(prefix):]]
    found = [c for c in found if not c.endswith("QF")]
    if not found:
        return []
    words = [re.sub(r"(?<=\D)(?=\d)|(?<=\d)(?=\D)", " ", c[len(prefix):]).replace("And", " and ").lower()
             for c in found]
    bands = map_age_bands([" ".join(w.split()) for w in words])
    return list(zip(found, bands.tolist(), strict=True))


def with_provenance(frame: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    """Return ``frame`` with the provenance columns of the table's file and 1-based ``source_row`` (its index)."""
    out = add_provenance(frame, describe_file(table.path))
    out["source_row"] = frame.index.to_numpy() + 1
    return out
