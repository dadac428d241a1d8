"""Read IoD2019 local-authority summary files (File 10, File 11) and population denominators.

Recognised by their headers, not their names:

* File 10 / File 11 "IMD" sheet saved as CSV (or the .xlsx itself when openpyxl is installed):
  ``Local Authority District code (2019)`` (File 11: ``Upper Tier Local Authority District code
  (2019)``), the name column and the ``IMD - ...`` summary columns;
* denominators by district: ``Local Authority District code (2019)``, ``Number of LSOAs``,
  ``Total population: mid 2015 (excluding prisoners)``;
* File 7 (LSOA level, CSV): ``LSOA code (2011)``, ``Local Authority District code (2019)`` and the
  population column, summed here to the same denominators.

The year in brackets may change with a new edition (``(2024)``) and headers may carry stray spaces
or an edition in the prefix (``IMD 2019 - Extent``); both are normalised. Numbers may carry thousands
separators; ``*``, ``..`` and blanks are missing values. Text is UTF-8, else Windows-1252.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError

_CODE = re.compile(r"^(?P<upper>Upper Tier )?Local Authority District code \((?P<year>\d{4})\)$", re.I)
_NAME = re.compile(r"^(Upper Tier )?Local Authority District name \(\d{4}\)$", re.I)
_LSOA = re.compile(r"^LSOA code \(\d{4}\)$", re.I)
_POPULATION = re.compile(r"^Total population: mid \d{4} \(excluding prisoners\)$", re.I)
_EDITION_PREFIX = re.compile(r"^IMD(?: \d{4})? - ", re.I)
MISSING_MARKERS = ("", "*", "..", ":", "-", "x")
#: Published summary column -> internal name (only the columns the pipeline uses).
MEASURES = {
    "IMD - Average score": "score",
    "IMD - Rank of average score": "published_rank",
    "IMD - Proportion of LSOAs in most deprived 10% nationally": "proportion",
}


@dataclass(frozen=True)
class Table:
    """One recognised file: its kind (lower, upper, denominators), edition year and rows."""

    path: Path
    kind: str
    year: str
    frame: pd.DataFrame  # code, name, measures or n_lsoas/population, source_row


def normalise_header(name: object) -> str:
    """Return a header with whitespace collapsed and any edition year dropped from an ``IMD ... -`` prefix."""
    text = " ".join(str(name).replace("\u00a0", " ").split())
    return _EDITION_PREFIX.sub("IMD - ", text)


def _read_raw(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise SourceDataError(path, "is an Excel workbook and openpyxl is not installed. Install openpyxl, or "
                                  "save the 'IMD' sheet as CSV into the same folder.") from None
        return pd.read_excel(path, sheet_name="IMD", dtype=str, keep_default_na=False)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel "CSV" on Windows
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceDataError(path, f"is not a readable CSV ({exc}). Save the sheet again as CSV.") from None


def numbers(path: Path, text: pd.Series, column: str, *, required: bool) -> pd.Series:
    """Return floats from published text (thousands separators allowed); raise naming the first bad cell."""
    clean = text.astype(str).str.strip().str.replace(",", "", regex=False)
    missing = clean.isin(MISSING_MARKERS)
    values = pd.to_numeric(clean.where(~missing), errors="coerce").astype(float)
    bad = (~missing & values.isna()) | (missing & required)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        shown = text.iloc[row - 1]
        what = "is blank or suppressed" if missing.iloc[row - 1] else f"'{shown}' is not a number"
        raise SourceDataError(path, f"{what}; this IoD summary column is published for every area. Check the "
                              "file against the MHCLG original.", row=row, column=column)
    return values


def read_table(path: Path | str) -> Table:
    """Return one IoD file as a :class:`Table`, or raise :class:`SourceDataError` if it is not one."""
    path = Path(path)
    raw = _read_raw(path)
    raw.columns = [normalise_header(c) for c in raw.columns]
    raw = raw.loc[~raw.apply(lambda col: col.astype(str).str.strip().eq("")).all(axis=1)]  # blank lines
    code_col = next((c for c in raw.columns if _CODE.match(c)), None)
    if code_col is None:
        raise SourceDataError(path, "has no 'Local Authority District code (2019)' column; it is not an IoD "
                              "local authority summary, population denominator or File 7 table.")
    match = _CODE.match(code_col)
    name_col = next((c for c in raw.columns if _NAME.match(c)), None)
    out = pd.DataFrame({"code": raw[code_col].str.strip().str.upper(),
                        "name": raw[name_col].str.strip() if name_col else None,
                        "source_row": np.arange(1, len(raw) + 1)})
    blank = out["code"].eq("")
    if blank.any():
        raise SourceDataError(path, "is blank; every row names its local authority.",
                              row=int(np.flatnonzero(blank)[0]) + 1, column=code_col)
    if any(_LSOA.match(c) for c in raw.columns):
        return Table(path, "denominators", match["year"], _sum_lsoas(path, raw, out))
    if "Number of LSOAs" in raw.columns:
        pop_col = _population_column(path, raw)
        out["n_lsoas"] = numbers(path, raw["Number of LSOAs"], "Number of LSOAs", required=True)
        out["population"] = numbers(path, raw[pop_col], pop_col, required=True)
        return Table(path, "denominators", match["year"], out)
    for header, name in MEASURES.items():
        if header not in raw.columns:
            raise SourceDataError(path, f"lacks the column '{header}'. Use the 'IMD' sheet of the IoD local "
                                  "authority summaries unchanged.", column=header)
        out[name] = numbers(path, raw[header], header, required=name != "published_rank")
    bad = ~out["proportion"].between(0, 1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise SourceDataError(path, f"{out['proportion'].iloc[row - 1]} is not a proportion between 0 and 1.",
                              row=row, column="IMD - Proportion of LSOAs in most deprived 10% nationally")
    duplicated = out["code"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0]) + 1
        raise SourceDataError(path, f"{out['code'].iloc[row - 1]} appears twice.", row=row, column=code_col)
    return Table(path, "upper" if match["upper"] else "lower", match["year"], out)


def _population_column(path: Path, raw: pd.DataFrame) -> str:
    found = next((c for c in raw.columns if _POPULATION.match(c)), None)
    if found is None:
        column = "Total population: mid 2015 (excluding prisoners)"
        raise SourceDataError(path, f"lacks the population column '{column}' of IoD2019 File 7.", column=column)
    return found


def _sum_lsoas(path: Path, raw: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Return File 7 summed to districts: LSOA count and population per district code."""
    pop_col = _population_column(path, raw)
    lsoa = pd.DataFrame({"code": out["code"], "name": out["name"],
                         "population": numbers(path, raw[pop_col], pop_col, required=True)})
    summed = lsoa.groupby("code", sort=True).agg(name=("name", "first"), n_lsoas=("population", "size"),
                                                 population=("population", "sum")).reset_index()
    summed["n_lsoas"] = summed["n_lsoas"].astype(float)
    summed["source_row"] = pd.NA
    return summed
