"""Read NHS Digital "Patients Registered at a GP Practice" LSOA files (``gp-reg-pat-prac-lsoa-all.csv``).

Columns ``PUBLICATION, EXTRACT_DATE, PRACTICE_CODE, PRACTICE_NAME, LSOA_CODE, SEX,
NUMBER_OF_PATIENTS`` (``PUBLICATION`` and ``PRACTICE_NAME`` optional). ``SEX`` is ``ALL`` in the
"all" file and ``MALE``/``FEMALE`` in the male-female file: ``ALL`` rows are used when present,
otherwise the sexes are summed. ``EXTRACT_DATE`` (e.g. ``01APR2024``) must be one date per file.
``LSOA_CODE`` values that are not LSOA codes (``NO2021``, blank: patients whose residence could not
be placed) are kept as *unknown residence*; the apportionment leaves them out. Counts may carry
thousands separators; ``*``, ``..`` and blanks are treated as missing and dropped.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError

REQUIRED = ("EXTRACT_DATE", "PRACTICE_CODE", "LSOA_CODE", "SEX", "NUMBER_OF_PATIENTS")
MISSING_MARKERS = ("", "*", "..", "-")
DATE_FORMATS = ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d-%b-%y", "%Y%m%d")
_LSOA = re.compile(r"^[EW]01\d{6}$")


@dataclass(frozen=True)
class Registrations:
    """One extract: its date and (practice_code, lsoa_code, patients, source_row) rows, sexes combined."""

    path: Path
    extract_date: pd.Timestamp
    rows: pd.DataFrame

    @property
    def label(self) -> str:
        """Return the extract as people name it, e.g. "April 2024"."""
        return self.extract_date.strftime("%B %Y")


def is_registration_header(columns: list[str]) -> bool:
    """Return True when a header looks like a GP registration LSOA file."""
    upper = {c.strip().upper() for c in columns}
    return {"PRACTICE_CODE", "LSOA_CODE", "NUMBER_OF_PATIENTS"} <= upper


def is_lsoa_code(codes: pd.Series) -> pd.Series:
    """Return True where a value is an English or Welsh LSOA code."""
    return codes.fillna("").str.match(_LSOA)


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0]) + 1


def _date(path: Path, text: pd.Series) -> pd.Timestamp:
    values = text.str.strip().str.upper().unique()
    if len(values) != 1:
        raise SourceDataError(path, f"has several extract dates ({', '.join(values[:3])}); give one extract per "
                              "file.", row=_first(text.str.strip().str.upper().ne(values[0])), column="EXTRACT_DATE")
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(values[0], format=fmt, errors="coerce")
        if pd.notna(parsed):
            return pd.Timestamp(parsed)
    raise SourceDataError(path, f"'{values[0]}' is not a date (e.g. 01APR2024).", row=1, column="EXTRACT_DATE")


def read_registrations(path: Path | str) -> Registrations:
    """Return one registration extract, or raise :class:`SourceDataError` naming file, row and column."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    raw.columns = [c.strip().upper() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise SourceDataError(path, f"lacks the column(s) {', '.join(missing)} of the NHS Digital 'Patients "
                              "Registered at a GP Practice' LSOA file.", column=missing[0])
    if raw.empty:
        raise SourceDataError(path, "has no data rows.")
    extract_date = _date(path, raw["EXTRACT_DATE"])
    practice = raw["PRACTICE_CODE"].str.strip().str.upper()
    blank = practice.eq("")
    if blank.any():
        raise SourceDataError(path, "is blank; every row names its practice.", row=_first(blank),
                              column="PRACTICE_CODE")
    counts = raw["NUMBER_OF_PATIENTS"].str.strip().str.replace(",", "", regex=False)
    missing_count = counts.isin(MISSING_MARKERS)
    patients = pd.to_numeric(counts.where(~missing_count), errors="coerce")
    bad = (~missing_count & patients.isna()) | (patients < 0)
    if bad.any():
        row = _first(bad)
        raise SourceDataError(path, f"'{raw['NUMBER_OF_PATIENTS'].iloc[row - 1]}' is not a number of patients.",
                              row=row, column="NUMBER_OF_PATIENTS")
    sex = raw["SEX"].str.strip().str.upper()
    rows = pd.DataFrame({"practice_code": practice, "lsoa_code": raw["LSOA_CODE"].str.strip().str.upper(),
                         "patients": patients, "sex": sex, "source_row": np.arange(1, len(raw) + 1)})
    rows = rows[~missing_count & rows["sex"].eq("ALL")] if sex.eq("ALL").any() else rows[~missing_count]
    combined = rows.groupby(["practice_code", "lsoa_code"], as_index=False, sort=True).agg(
        patients=("patients", "sum"), source_row=("source_row", "first"))
    return Registrations(path, extract_date, combined)
