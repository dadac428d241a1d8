"""Read one GP Patient Survey practice CSV: the kept questions' results per practice.

The publisher's practice file (``GPPS_2024_Practice_data_(weighted)_(csv)_PUBLIC.csv``) has one row per
practice (``Practice_Code``, ``Practice_Name``, CCG/ICS/PCN columns, ``distributed``, ``received``,
``resprate``) and, per question, ``Q<n>base`` (respondents) and ``Q<n>_<answers>pct``. Headers are matched
ignoring case (analysts' tools often lower-case them). Percentages are published as fractions (0.85):
a column whose every value is at most 1 is read as fractions and multiplied by 100. ``*`` and negative
numbers mark results withheld for too few respondents; they are kept as suppressed. The survey year comes
from the file name (``GPPS_2024_...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.gpps.questions import base_column, questions_for
from landscape_pipeline.tabular import find_columns, normalise, numbers, read_table, require_rows

PRACTICE = ("Practice_Code", "Practice Code", "practice_code", "ORG_CODE")
SUPPRESSION = ("*", "-", "..", "x", "[c]")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$")


@dataclass(frozen=True)
class PracticeResults:
    """One survey year: rows ``practice_code, indicator_id, value (%), base, suppressed, source_row``."""

    path: Path
    year: int
    rows: pd.DataFrame
    #: Indicators whose columns were read as fractions and scaled to percentages.
    scaled: tuple[str, ...]


def is_gpps_header(columns: list[str]) -> bool:
    """Return True when a header looks like a GPPS practice file (a practice code and a Q..pct column)."""
    folded = {normalise(c) for c in columns}
    return bool(folded & {normalise(p) for p in PRACTICE}) and any(re.fullmatch(r"q\d+\d*pct", c) for c in folded)


def survey_year(path: Path) -> int:
    """Return the survey year written in the file name, or raise asking for it."""
    years = [int(y) for y in _YEAR.findall(path.name)]
    if not years:
        raise SourceDataError(path, "does not say which survey year it is: keep the publisher's file name, which "
                              "carries it (e.g. GPPS_2024_Practice_data_(weighted)_(csv)_PUBLIC.csv).")
    return years[0]


def read_practice_results(path: Path | str) -> PracticeResults:
    """Return the kept questions' practice results of one file, or raise naming row and column."""
    path = Path(path)
    year = survey_year(path)
    wanted = questions_for(year)
    if not wanted:
        raise SourceDataError(path, f"is for {year}, a survey year the question map does not cover "
                              "(sources/gpps/questions.py); add the year's question numbers.")
    variants = {"practice": PRACTICE}
    for column in wanted:
        variants[column] = (column,)
        variants[base_column(column)] = (base_column(column),)
    table = read_table(path, columns=[name for names in variants.values() for name in names])
    optional = [c for c in variants if c != "practice"]
    cols = find_columns(table, variants, optional=optional, what="GP Patient Survey practice file")
    require_rows(table, "practices")
    found = [c for c in wanted if c in cols]
    if not found:
        raise SourceDataError(path, f"has none of the {year} question columns this source keeps "
                              f"({', '.join(wanted)}); check the question map for {year}.", line=table.header_line)
    codes = table.frame[cols["practice"]].fillna("").str.upper()
    table.fail_first((~codes.str.match(_PRACTICE_CODE)).to_numpy(), cols["practice"],
                     "{value!r} is not a GP practice code (a letter and five digits).")
    table.fail_first(codes.duplicated().to_numpy(), cols["practice"], "{value!r} appears twice.")
    parts, scaled = [], []
    for column in found:
        values, marked = numbers(table, cols[column], suppression=SUPPRESSION, allow_negative=True)
        negative = values < 0
        suppressed = marked | negative
        values = values.where(~negative)
        table.fail_first((values > 100).to_numpy(), cols[column], "{value!r} is above 100%.")
        if values.notna().any() and values.max() <= 1:
            values = values * 100
            scaled.append(wanted[column])
        base_col = cols.get(base_column(column))
        if base_col is not None:
            base, _ = numbers(table, base_col, suppression=SUPPRESSION, allow_negative=True)
            base = base.where(base >= 0)
        else:
            base = pd.Series(np.nan, index=table.frame.index)
        parts.append(pd.DataFrame({
            "practice_code": codes, "indicator_id": wanted[column], "value": values, "base": base,
            "suppressed": suppressed.astype(bool), "source_row": np.asarray(table.frame.index, dtype=int) + 1}))
    return PracticeResults(path, year, pd.concat(parts, ignore_index=True), tuple(scaled))
