"""Reading rules shared by the PHS open-data CSVs: NA strings, qualifiers, sexes, years and geography.

PHS files write missing values as the literal string ``NA``; each ``<Column>QF`` column holds a
statistical qualifier for ``<Column>`` (``d`` derived, ``z`` not applicable, ``c`` confidential, ...,
see :data:`QUALIFIERS`). Lookups such as ``statisticalqualifiers24052019.csv`` are Windows-1252,
so every CSV is read as UTF-8 first and as cp1252 if that fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.stats import map_age_bands

ENCODINGS = ("utf-8-sig", "cp1252")
NA_VALUES = ["NA", ""]
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
SEXES = {"All": "Persons", "Male": "Male", "Female": "Female"}
CANCER_SITE = "Cancer site"


def read_csv_any_encoding(path: Path, **kwargs: object) -> pd.DataFrame:
    """Return a CSV read as UTF-8 (BOM tolerated), falling back to Windows-1252."""
    for encoding in ENCODINGS[:-1]:
        try:
            return pd.read_csv(path, encoding=encoding, **kwargs)
        except UnicodeDecodeError:
            continue
    return pd.read_csv(path, encoding=ENCODINGS[-1], **kwargs)


def read_lookup_csv(path: Path | str) -> pd.DataFrame:
    """Return a PHS lookup file (e.g. statistical qualifiers, board names) as strings."""
    return read_csv_any_encoding(Path(path), dtype=str, keep_default_na=False)


def read_qualifier_lookup(path: Path | str) -> dict[str, str]:
    """Return {qualifier code: name} from a PHS ``statisticalqualifiers*.csv`` lookup."""
    table = read_lookup_csv(path)
    missing = {"Qualifier", "QualifierName"} - set(table.columns)
    if missing:
        raise SourceDataError(path, f"is not a PHS qualifier lookup: column(s) {sorted(missing)} missing.")
    return dict(zip(table["Qualifier"].str.strip(), table["QualifierName"].str.strip(), strict=True))


def read_phs_csv(path: Path) -> pd.DataFrame:
    """Return a PHS data file as strings, with ``NA`` and blanks as missing and clean headers."""
    try:
        frame = read_csv_any_encoding(path, dtype=str, keep_default_na=False, na_values=NA_VALUES)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceDataError(path, f"is not a readable CSV ({exc}); download it again from PHS.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_header(path: Path) -> list[str]:
    """Return the column names of a CSV without reading its rows."""
    return [str(c).strip() for c in read_csv_any_encoding(path, nrows=0).columns]


def require_columns(frame: pd.DataFrame, path: Path, columns: Iterable[str], what: str) -> None:
    """Raise :class:`SourceDataError` naming the columns a PHS file lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceDataError(path, f"is not a PHS {what} file: column(s) {', '.join(missing)} missing. "
                                    "Download the resource again from https://www.opendata.nhs.scot.")


def numbers(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> pd.DataFrame:
    """Return ``columns`` as floats (missing stays NaN); a cell that is not a number raises SourceDataError."""
    out = {}
    for column in columns:
        text = frame[column]
        parsed = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        bad = parsed.isna() & text.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise SourceDataError(path, f"{text.iloc[row]!r} is not a number; fix the cell or re-download the file.",
                                  row=row + 1, column=column)
        out[column] = parsed.astype("float64")
    return pd.DataFrame(out, index=frame.index)


def first_bad(path: Path, mask: pd.Series, values: pd.Series, column: str, message: str) -> None:
    """Raise SourceDataError on the first row where ``mask`` is true (``{value}`` in message is its cell)."""
    if mask.any():
        row = int(np.flatnonzero(mask.to_numpy())[0])
        raise SourceDataError(path, message.format(value=values.iloc[row]), row=row + 1, column=column)


def sexes(frame: pd.DataFrame, path: Path) -> pd.Series:
    """Return PHS ``Sex`` mapped to Persons/Male/Female ("All", qualifier d, is Persons)."""
    mapped = frame["Sex"].str.strip().map(SEXES)
    first_bad(path, mapped.isna(), frame["Sex"], "Sex", "sex {value!r} is not All, Male or Female.")
    return mapped


def periods(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Return period_label/start/end from PHS ``Year`` ("2019" or a span such as "2016-2020")."""
    label = frame["Year"].str.strip()
    parts = label.str.extract(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")
    first_bad(path, parts[0].isna(), frame["Year"], "Year", "year {value!r} is neither 'YYYY' nor 'YYYY-YYYY'.")
    last = parts[1].fillna(parts[0])
    return pd.DataFrame({
        "period_label": label,
        "period_start": pd.to_datetime(parts[0] + "-01-01"),
        "period_end": pd.to_datetime(last + "-12-31"),
    }, index=frame.index)


def qualifiers(frame: pd.DataFrame, path: Path) -> dict[str, pd.Series]:
    """Return {qualified column: qualifier codes} for every ``<column>QF`` column; unknown codes raise."""
    out = {}
    for column in (c for c in frame.columns if c.endswith("QF") and len(c) > 2):
        codes = frame[column].str.strip()
        first_bad(path, codes.notna() & ~codes.isin(list(QUALIFIERS)), frame[column], column,
                  "{value!r} is not a PHS statistical qualifier (" + ", ".join(QUALIFIERS) + ").")
        out[column[:-2]] = codes
    return out


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


def resolve_codes(frame: pd.DataFrame, column: str, path: Path, allowed: tuple[str, ...]) -> pd.Series:
    """Return current codes for ``column``: retired council areas and archived boards map to their successors.

    ``allowed`` lists the prefixes the column may hold (e.g. ("S12", "S92")); other or unknown codes raise.
    """
    raw = frame[column].str.strip().str.upper()
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
    first_bad(path, resolved.isna(), frame[column], column,
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


def with_provenance(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Return ``frame`` with the provenance columns of ``path`` and 1-based ``source_row`` (from its index)."""
    out = add_provenance(frame, describe_file(path))
    out["source_row"] = frame.index.to_numpy() + 1
    return out
