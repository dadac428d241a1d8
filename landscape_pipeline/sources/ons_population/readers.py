"""Read ONS mid-year population estimate files into long single-year-of-age rows.

Input layouts (both real ONS layouts, detected from the header):

* **MYEB1** detailed time series (the CSV inside the ONS "detailed time series" zip, e.g.
  ``MYEB1_detailed_population_estimates_series_UK_(2020_geog21).csv``): columns
  ``ladcodeNN, lanameNN, country, sex, age, population_YYYY...``; one row per local authority
  district x sex (1 male, 2 female) x single year of age 0..90 (90 = 90 and over). Read from the
  ``.zip`` itself, a ``.csv`` or a ``.csv.gz``.
* **MYE2** wide sheets ("MYE2 - Males" / "MYE2 - Females" of the mid-year estimates workbook, saved
  as CSV): title lines naming "mid-YYYY" and the sex, then ``Code, Name, Geography, All ages, 0, 1,
  ..., 89, 90+``. Only district / unitary rows are read; a Persons sheet is ignored (derived).

Retired district codes are resolved to their current successors by :func:`resolve_codes`.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError

_SEX_CODES = {"1": 1, "2": 2, "m": 1, "f": 2, "male": 1, "female": 2, "males": 1, "females": 2}


def _read_text(path: Path) -> str:
    """Return the text of a .csv, .csv.gz or the MYEB1 (else only) CSV inside a .zip."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            chosen = [m for m in members if "myeb1" in m.lower()] or members
            if len(chosen) != 1:
                raise SourceDataError(path, f"expected one MYEB1 CSV in the zip, found {members or 'none'}; "
                                            "extract the MYEB1 file and pass it directly.")
            raw = archive.read(chosen[0])
    elif path.suffix.lower() == ".gz":
        raw = gzip.decompress(path.read_bytes())
    else:
        raw = path.read_bytes()
    return raw.decode("utf-8-sig", errors="replace")


def _numbers(values: pd.Series, path: Path, column: str, rows: np.ndarray) -> np.ndarray:
    """Return counts as floats; raise naming the first blank, non-numeric or negative cell."""
    cleaned = values.astype(str).str.replace(",", "", regex=False).str.strip()
    numbers = pd.to_numeric(cleaned, errors="coerce").to_numpy(float)
    bad = np.isnan(numbers) | (numbers < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SourceDataError(path, f"population {values.iloc[i]!r} is not a non-negative number; fix or remove "
                                    "the row.", row=int(rows[i]), column=column)
    return numbers


def _long(code_column: str, codes, sexes, ages, years, values, rows) -> pd.DataFrame:
    frame = pd.DataFrame({"code": codes, "sex": sexes, "age": ages, "year": years, "population": values,
                          "source_row": rows})
    frame.attrs["code_column"] = code_column  # named in errors about the codes
    return frame


def read_myeb1(text: str, path: Path) -> pd.DataFrame:
    """Return long rows (code, sex 1/2, age 0..90, year, population, source_row) from a MYEB1 CSV."""
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.columns = [str(c).strip() for c in df.columns]
    code_col = next((c for c in df.columns if re.fullmatch(r"ladcode\d{2}", c, re.I)), None)
    year_cols = [c for c in df.columns if re.fullmatch(r"population_\d{4}", c, re.I)]
    for needed, present in (("ladcodeNN", code_col), ("sex", "sex" in df.columns), ("age", "age" in df.columns),
                            ("population_YYYY", year_cols)):
        if not present:
            raise SourceDataError(path, f"no '{needed}' column; expected the ONS MYEB1 layout "
                                        "ladcodeNN, lanameNN, country, sex, age, population_YYYY...", column=needed)
    rows = np.arange(1, len(df) + 1)
    sex = df["sex"].str.strip().str.lower().map(_SEX_CODES)
    if sex.isna().any():
        i = int(np.flatnonzero(sex.isna().to_numpy())[0])
        raise SourceDataError(path, f"sex {df['sex'].iloc[i]!r} is not 1 (male) or 2 (female).", row=i + 1,
                              column="sex")
    age = pd.to_numeric(df["age"].str.strip().str.rstrip("+"), errors="coerce")
    bad_age = age.isna() | (age < 0) | (age != age.round())
    if bad_age.any():
        i = int(np.flatnonzero(bad_age.to_numpy())[0])
        raise SourceDataError(path, f"age {df['age'].iloc[i]!r} is not a single year of age (0..90).", row=i + 1,
                              column="age")
    values = np.column_stack([_numbers(df[c], path, c, rows) for c in year_cols])
    years = np.array([int(c[-4:]) for c in year_cols])
    k = len(year_cols)
    codes = df[code_col].str.strip().str.upper().to_numpy()
    return _long(code_col, np.repeat(codes, k), np.repeat(sex.to_numpy(int), k),
                 np.repeat(np.minimum(age.to_numpy(int), 90), k), np.tile(years, len(df)), values.ravel(),
                 np.repeat(rows, k))


def read_mye2(text: str, path: Path) -> pd.DataFrame | None:
    """Return long rows from a MYE2 wide sheet saved as CSV; None for a Persons sheet (derived instead)."""
    lines = text.splitlines()
    wanted = ["code", "name", "geography"]
    header_at = next((i for i, line in enumerate(lines)
                      if [c.strip().lower() for c in next(csv.reader([line]), [])][:3] == wanted), None)
    if header_at is None:
        raise SourceDataError(path, "neither the MYEB1 header (ladcodeNN, ..., population_YYYY) nor the MYE2 header "
                                    "(Code, Name, Geography, All ages, 0, ..., 90+) was found.", row=1)
    title = " ".join(lines[:header_at]) + " " + path.name
    year = re.search(r"mid-?(\d{4})", title, re.I) or re.search(r"mye(\d{2})", path.name, re.I)
    sex = re.search(r"\b(persons|males|females)\b", title, re.I)
    if not year or not sex:
        raise SourceDataError(path, "the MYE2 title lines must name the year ('mid-2022') and the sex sheet "
                                    "('Males' or 'Females').", row=1)
    if sex[1].lower() == "persons":
        return None
    df = pd.read_csv(io.StringIO("\n".join(lines[header_at:])), dtype=str, keep_default_na=False)
    df.columns = [str(c).strip() for c in df.columns]
    age_cols = [c for c in df.columns if re.fullmatch(r"\d{1,3}\+?|\d{1,3} and over", c)]
    codes = df["Code"].str.strip().str.upper()
    status = geography.classify_area_codes(codes)
    tiers = geography.as_frame().set_index("area_code")["tier"]
    keep = (status.eq("retired_la") | (status.eq("current_la") & codes.map(tiers).ne("upper"))).to_numpy()
    df, rows = df.loc[keep].reset_index(drop=True), np.flatnonzero(keep) + 1
    values = np.column_stack([_numbers(df[c], path, c, rows) for c in age_cols])
    ages = np.array([min(int(re.match(r"\d+", c)[0]), 90) for c in age_cols])
    k = len(age_cols)
    calendar = int(year[1]) if len(year[1]) == 4 else 2000 + int(year[1])
    return _long("Code", np.repeat(df["Code"].str.strip().str.upper().to_numpy(), k),
                 np.full(len(df) * k, 1 if sex[1].lower() == "males" else 2), np.tile(ages, len(df)),
                 np.full(len(df) * k, calendar), values.ravel(), np.repeat(rows, k))


def read_population_file(path: Path) -> pd.DataFrame:
    """Return the long single-year rows of one ONS file, in either layout (see the module docstring)."""
    text = _read_text(path)
    first = next(csv.reader([text.split("\n", 1)[0]]), [])
    if any(re.fullmatch(r"ladcode\d{2}", c.strip(), re.I) for c in first):
        return read_myeb1(text, path)
    frame = read_mye2(text, path)
    return frame if frame is not None else _long("Code", [], [], [], [], [], [])


def resolve_codes(long: pd.DataFrame, path: Path) -> pd.Series:
    """Return the current district code for every row; raise for unknown, split or non-district codes."""
    lookup: dict[str, str] = {}
    tiers = geography.as_frame().set_index("area_code")["tier"]
    for code in long["code"].unique():
        try:
            current = geography.resolve_area_code(code)
        except geography.AreaCodeError as exc:
            current, why = None, str(exc)
        else:
            why = f"{code} is not a local authority district or unitary authority code"
        if current is None or tiers.get(current) not in ("lower", "single"):
            row = int(long.loc[long["code"].eq(code), "source_row"].iloc[0])
            raise SourceDataError(path, f"{why}; district-level estimates are required.", row=row,
                                  column=long.attrs.get("code_column", "ladcode"))
        lookup[code] = current
    return long["code"].map(lookup)
