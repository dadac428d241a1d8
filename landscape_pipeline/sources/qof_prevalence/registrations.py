"""Read NHS Digital / NHS England "Patients Registered at a GP Practice" LSOA files, every vintage.

Public, reusable API (the GP Patient Survey reuses it):

* :func:`read_registrations` -> :class:`Registrations` (one extract: its date and practice x LSOA
  patient counts, sexes combined);
* :func:`is_registration_header` / :func:`looks_like_registrations` to recognise such a file;
* :data:`HEADER_VARIANTS` and :data:`SEX_SYNONYMS`: the one table of header spellings and sex labels.

Layouts read (headers matched ignoring case, spacing and punctuation):

* tall: ``PUBLICATION, EXTRACT_DATE, PRACTICE_CODE, PRACTICE_NAME, LSOA_CODE, SEX, NUMBER_OF_PATIENTS``;
  the count column is headed ``Number of Patients`` in the 2021 extracts (real header, extract
  04JAN2021) and ``NUMBER_OF_PATIENTS`` in others. ``SEX`` is ``ALL`` in the "all" file and
  ``MALE``/``FEMALE`` in the male-female file: ``ALL`` rows are used when present, else sexes summed;
* wide (older "alt" files): a practice, an LSOA and ``MALE_PATIENTS``/``FEMALE_PATIENTS`` columns
  (or ``ALL_PATIENTS``), summed to persons.

``EXTRACT_DATE`` (``04JAN2021``, ``2024-04-01``...) must be one date per file and not in the future;
a file without it must carry the month in its name (``...-apr-24.csv``, ``..._04JAN2021.csv``).
LSOA codes are 2011 codes in extracts before 2023 and 2021 codes after; the vintage is settled when
the extract is placed with an ONS lookup (:mod:`.apportion`). Values that are not LSOA codes
(``NO2021``, blank) are *unknown residence* and kept apart. ``*``, ``..``, ``-`` are missing counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import (
    RawTable,
    find_columns,
    map_labels,
    normalise,
    numbers,
    read_header,
    read_table,
    require_rows,
    synonym_table,
)

#: Our name -> header spellings seen across vintages.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "extract_date": ("EXTRACT_DATE", "Extract Date"),
    "practice_code": ("PRACTICE_CODE", "Practice Code", "ORG_CODE"),
    "lsoa_code": ("LSOA_CODE", "LSOA Code", "LSOA11CD", "LSOA21CD"),
    "sex": ("SEX",),
    "patients": ("NUMBER_OF_PATIENTS", "Number of Patients", "ALL_PATIENTS", "All Patients"),
    "male": ("MALE_PATIENTS", "Male Patients", "MALE"),
    "female": ("FEMALE_PATIENTS", "Female Patients", "FEMALE"),
}
OPTIONAL = ("extract_date", "sex", "patients", "male", "female")
SEX_SYNONYMS = synonym_table({"ALL": ("Persons", "All", "P"), "MALE": ("Males", "M"), "FEMALE": ("Females", "F")})
SUPPRESSION = ("*", "..", "-")
DATE_FORMATS = ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d-%b-%y", "%Y%m%d", "%Y-%m-%dT%H:%M:%S")
_LSOA = re.compile(r"^[EW]01\d{6}$")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_NAME_DATE = re.compile(rf"(?:(?P<day>\d{{2}})?(?P<month>{_MONTHS})[a-z]*[-_ ]?(?P<year>\d{{4}}|\d{{2}}))(?!\d)", re.I)


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


def _columns(table: RawTable) -> dict[str, str]:
    found = find_columns(table, HEADER_VARIANTS, optional=OPTIONAL,
                         what="'Patients Registered at a GP Practice' LSOA file")
    if "patients" not in found and not {"male", "female"} <= set(found):
        spellings = ", ".join(repr(s) for s in HEADER_VARIANTS["patients"])
        raise SourceDataError(table.path, f"has no count of patients: expected one of {spellings}, or both "
                                          "MALE_PATIENTS and FEMALE_PATIENTS.", line=table.header_line)
    return found


def is_registration_header(columns: list[str]) -> bool:
    """Return True when a header looks like a GP registration LSOA file (any vintage)."""
    names = {normalise(c) for c in columns}

    def has(key: str) -> bool:
        return any(normalise(s) in names for s in HEADER_VARIANTS[key])

    return has("practice_code") and has("lsoa_code") and (has("patients") or (has("male") and has("female")))


def looks_like_registrations(path: Path) -> bool:
    """Return True when ``path`` reads as a registration extract (by its header)."""
    try:
        return is_registration_header(read_header(path))
    except SourceDataError:
        return False


def is_lsoa_code(codes: pd.Series) -> pd.Series:
    """Return True where a value is an English or Welsh LSOA code."""
    return codes.fillna("").str.match(_LSOA)


def _parse_date(text: str) -> pd.Timestamp | None:
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if pd.notna(parsed):
            return pd.Timestamp(parsed).normalize()
    return None


def _date_from_name(path: Path) -> pd.Timestamp | None:
    found = _NAME_DATE.search(path.stem)
    if not found:
        return None
    year = int(found["year"]) + (2000 if len(found["year"]) == 2 else 0)
    return pd.Timestamp(f"{year}-{found['month'][:3].title()}-{int(found['day'] or 1):02d}")


def _extract_date(table: RawTable, column: str | None, today: date) -> pd.Timestamp:
    if column is None:
        found = _date_from_name(table.path)
        if found is None:
            raise SourceDataError(table.path, "has no EXTRACT_DATE column and no month in its name (e.g. "
                                              "gp-reg-pat-prac-lsoa-all-apr-24.csv); rename it after its extract.",
                                  line=table.header_line)
        when, label, where = found, None, None
    else:
        text = table.frame[column].fillna("").str.upper()
        values = text.unique()
        table.fail_first(text.ne(values[0]).to_numpy(), column,
                         f"{{value!r}} is a second extract date (the first row says {values[0]!r}); give one "
                         "extract per file.")
        when = _parse_date(values[0])
        label, where = table.frame.index[0], column
        if when is None:
            raise table.error(f"{values[0]!r} is not a date (e.g. 04JAN2021).", label=label, column=column)
    if when.date() > today:
        raise table.error(f"the extract date {when.date().isoformat()} is in the future; a registration extract "
                          "cannot be dated after today.", label=label, column=where)
    return when


def read_registrations(path: Path | str, *, today: date | None = None) -> Registrations:
    """Return one registration extract, or raise :class:`SourceDataError` naming file, row and column."""
    table = read_table(path)
    columns = _columns(table)
    require_rows(table, "practice rows")
    extract_date = _extract_date(table, columns.get("extract_date"), today or date.today())
    frame = table.frame
    practice = frame[columns["practice_code"]].fillna("").str.upper()
    table.fail_first(practice.eq("").to_numpy(), columns["practice_code"],
                     "the practice code is blank; every row names its practice.")
    lsoa = frame[columns["lsoa_code"]].fillna("").str.upper()
    if "patients" in columns:
        patients, hidden = numbers(table, columns["patients"], suppression=SUPPRESSION)
        if "sex" in columns:
            sex = map_labels(table, columns["sex"], SEX_SYNONYMS, what="Sex")
            keep = sex.eq("ALL") if sex.eq("ALL").any() else pd.Series(True, index=frame.index)
        else:
            keep = pd.Series(True, index=frame.index)
    else:
        male, male_hidden = numbers(table, columns["male"], suppression=SUPPRESSION)
        female, female_hidden = numbers(table, columns["female"], suppression=SUPPRESSION)
        patients = male.fillna(0) + female.fillna(0)
        hidden = male_hidden & female_hidden
        patients = patients.where(~(male.isna() & female.isna()))
        keep = pd.Series(True, index=frame.index)
    rows = pd.DataFrame({"practice_code": practice, "lsoa_code": lsoa, "patients": patients,
                         "source_row": frame.index.to_numpy() + 1})
    rows = rows[keep.to_numpy() & patients.notna().to_numpy() & ~hidden.to_numpy()]
    combined = rows.groupby(["practice_code", "lsoa_code"], as_index=False, sort=True).agg(
        patients=("patients", "sum"), source_row=("source_row", "first"))
    if combined.empty:
        raise SourceDataError(table.path, "has no counted patients (every count is missing or suppressed).")
    combined["source_row"] = combined["source_row"].astype(np.int64)
    return Registrations(table.path, extract_date, combined)
