"""Read one CPES data table (CSV) into typed rows, checking every question against the year's map.

Expected columns (order free, names exact after trimming spaces): ``Survey Year, Level, Organisation
Code, ONS Code, Organisation Name, Question Number, Question Text, Number of responses, scored
percentage, Lower 95% confidence interval, Upper 95% confidence interval, Expected Range (lower),
Expected Range (upper), Case-mix adjusted``. Text is UTF-8 or Windows-1252 (Excel's CSV). Numbers may
carry thousands separators ("1,234"); ``*`` marks results suppressed for fewer than 21 respondents;
``..`` and blanks are missing. Percentages may be published as 0-1 fractions or 0-100.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.cpes.questions import IGNORED, INDICATORS, QUESTION_MAP, normalise_question_number

COLUMNS = {
    "Survey Year": "year", "Level": "level", "Organisation Code": "org_code", "ONS Code": "ons_code",
    "Organisation Name": "org_name", "Question Number": "question", "Question Text": "question_text",
    "Number of responses": "responses", "scored percentage": "value",
    "Lower 95% confidence interval": "lower_ci_95", "Upper 95% confidence interval": "upper_ci_95",
    "Expected Range (lower)": "expected_lower", "Expected Range (upper)": "expected_upper",
    "Case-mix adjusted": "case_mix_adjusted",
}
NUMERIC = ("responses", "value", "lower_ci_95", "upper_ci_95", "expected_lower", "expected_upper")
SUPPRESSED_MARKER = "*"
MISSING_MARKERS = ("", "..", "-", "n/a", "N/A")
LEVELS = {"national": "National", "england": "National", "cancer alliance": "Cancer Alliance", "icb": "ICB",
          "integrated care board": "ICB", "sub-icb": "Sub-ICB", "sub icb": "Sub-ICB", "trust": "Trust"}
FLAGS = {"yes": True, "y": True, "true": True, "adjusted": True, "no": False, "n": False, "false": False,
         "unadjusted": False}
MAP_FILE = "landscape_pipeline/sources/cpes/questions.py"
QUESTION_COLUMN = "Question Number"


@dataclass(frozen=True)
class DataTable:
    """One survey year's rows: typed values, ``indicator_id`` per row, 1-based ``source_row``."""

    path: Path
    year: int
    rows: pd.DataFrame


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0]) + 1


def read_data_table(path: Path | str) -> DataTable:
    """Return the rows of one CPES data table, or raise :class:`SourceDataError` naming file, row and column."""
    path = Path(path)
    try:
        raw = pd.read_csv(io.StringIO(_text(path)), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceDataError(path, f"is not a readable CSV ({exc}). Save the data table again as CSV.") from None
    raw.columns = [" ".join(str(c).split()) for c in raw.columns]
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise SourceDataError(path, f"lacks the column(s) {', '.join(repr(c) for c in missing)}; a CPES data table "
                              f"has {', '.join(COLUMNS)}.", column=missing[0])
    rows = raw[list(COLUMNS)].rename(columns=COLUMNS).apply(lambda col: col.str.strip())
    rows["source_row"] = np.arange(1, len(rows) + 1)
    rows = rows.loc[~rows.drop(columns="source_row").eq("").all(axis=1)].reset_index(drop=True)  # blank lines
    year = _year(path, rows)
    rows["level"] = _levels(path, rows)
    rows["question"] = rows["question"].map(normalise_question_number)
    rows["indicator_id"] = _map_questions(path, rows, year)
    rows["suppressed"] = rows["value"].eq(SUPPRESSED_MARKER)
    for name in NUMERIC:
        rows[name] = _numbers(path, rows, name)
    rows["case_mix_adjusted"] = _flags(path, rows)
    _rescale_fractions(rows)
    return DataTable(path, year, rows)


def _year(path: Path, rows: pd.DataFrame) -> int:
    years = rows["year"].str.extract(r"^(?:(?:19|20)\d{2}/)?((?:19|20)\d{2})\b", expand=False)
    bad = years.isna()
    if bad.any():
        raise SourceDataError(path, f"'{rows['year'].iloc[_first(bad) - 1]}' is not a survey year (e.g. 2023).",
                              row=int(rows["source_row"].iloc[_first(bad) - 1]), column="Survey Year")
    if years.nunique() > 1:
        other = years.ne(years.iloc[0])
        raise SourceDataError(path, f"mixes survey years {years.iloc[0]} and {years[other].iloc[0]}; give one file "
                              "per survey year.", row=int(rows["source_row"][other].iloc[0]), column="Survey Year")
    year = int(years.iloc[0]) if len(years) else 0
    if year not in QUESTION_MAP:
        raise SourceDataError(path, f"survey year {year} has no question map. Add QUESTION_MAP[{year}] "
                              f"(question number -> indicator id, or IGNORED) to {MAP_FILE}, checking the numbers "
                              f"against the {year} questionnaire.", row=int(rows["source_row"].iloc[0]),
                              column="Survey Year")
    return year


def _levels(path: Path, rows: pd.DataFrame) -> pd.Series:
    levels = rows["level"].str.lower().map(LEVELS)
    bad = levels.isna()
    if bad.any():
        row = _first(bad)
        raise SourceDataError(path, f"'{rows['level'].iloc[row - 1]}' is not a CPES reporting level (National, "
                              "Cancer Alliance, ICB, Sub-ICB, Trust).", row=int(rows["source_row"].iloc[row - 1]),
                              column="Level")
    return levels


def _map_questions(path: Path, rows: pd.DataFrame, year: int) -> pd.Series:
    """Return the indicator id per row (None for ignored questions); raise for unmapped or mismatched ones."""
    mapping = QUESTION_MAP[year]
    unmapped = ~rows["question"].isin(mapping)
    if unmapped.any():
        first = rows.loc[unmapped].drop_duplicates("question")
        q, text = first["question"].iloc[0], first["question_text"].iloc[0]
        others = [f"{n} '{t}'" for n, t in zip(first["question"][1:6], first["question_text"][1:6], strict=True)]
        rest = f" and {len(first) - 6} more" if len(first) > 6 else ""
        more = f" Also unmapped: {'; '.join(others)}{rest}." if others else ""
        raise SourceDataError(path, f"question {q} '{text}' is not in the CPES question map for survey year {year}. "
                              f"Question numbers change between years: look the question up in the {year} "
                              f"questionnaire and add QUESTION_MAP[{year}]['{q}'] = '<indicator id>' (or IGNORED if "
                              f"out of scope) in {MAP_FILE}.{more}",
                              row=int(first["source_row"].iloc[0]), column=QUESTION_COLUMN)
    ids = rows["question"].map(mapping)
    pairs = rows.assign(indicator_id=ids).drop_duplicates(["question", "question_text"])
    for row in pairs.itertuples():  # one check per distinct question, not per data row
        if row.indicator_id == IGNORED:
            continue
        indicator = INDICATORS[row.indicator_id]
        if not indicator.matches(row.question_text):
            raise SourceDataError(path, f"question {row.question} reads '{row.question_text}', but the {year} question "
                                  f"map says {row.question} is '{indicator.name}' ({row.indicator_id}). The numbering "
                                  f"has probably shifted: correct QUESTION_MAP[{year}] in {MAP_FILE}.",
                                  row=int(row.source_row), column=QUESTION_COLUMN)
    return ids.where(ids.ne(IGNORED), None)


def _numbers(path: Path, rows: pd.DataFrame, name: str) -> pd.Series:
    text = rows[name].str.replace(",", "", regex=False).str.replace("%", "", regex=False).str.strip()
    suppressed = text.eq(SUPPRESSED_MARKER)
    missing = text.isin(MISSING_MARKERS) | suppressed
    values = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
    bad = ~missing & values.isna()
    label = next(k for k, v in COLUMNS.items() if v == name)
    if bad.any():
        row = _first(bad)
        raise SourceDataError(path, f"'{rows[name].iloc[row - 1]}' is not a number. CPES tables use numbers, '*' "
                              "for suppressed results and blank or '..' for missing ones.",
                              row=int(rows["source_row"].iloc[row - 1]), column=label)
    return values


def _flags(path: Path, rows: pd.DataFrame) -> pd.Series:
    flags = rows["case_mix_adjusted"].str.lower().map(FLAGS)
    bad = flags.isna()
    if bad.any():
        row = _first(bad)
        raise SourceDataError(path, f"'{rows['case_mix_adjusted'].iloc[row - 1]}' is not Yes or No.",
                              row=int(rows["source_row"].iloc[row - 1]), column="Case-mix adjusted")
    return flags.astype(bool)


def _rescale_fractions(rows: pd.DataFrame) -> None:
    """Turn percentages published as 0-1 fractions into 0-100 (in place); 0-10 scores are left alone."""
    types = {key: indicator.value_type for key, indicator in INDICATORS.items()}
    is_proportion = rows["indicator_id"].map(types).eq("proportion")
    values = rows.loc[is_proportion, "value"]
    if len(values.dropna()) and values.max() <= 1.0:
        scaled = ["value", "lower_ci_95", "upper_ci_95", "expected_lower", "expected_upper"]
        rows.loc[is_proportion, scaled] = rows.loc[is_proportion, scaled] * 100
