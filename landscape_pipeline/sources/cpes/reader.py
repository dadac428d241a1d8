"""Read one CPES data table (CSV or an Excel sheet) into typed rows, checking every question against its year's map.

**The layout is unverified.** No publisher data table of the 2021+ surveys (Picker, ncpes.co.uk) has
been seen. The columns below are those of the 2017-2018 data tables as reproduced by the Centre for
Cancer Outcomes' CPES dashboard (``Question Number, Question Text, Number of responses, scored
percentage, Lower/Upper 95% confidence interval, Expected Range (lower/upper)``) plus modelled
``Survey Year, Level, Organisation Code, ONS Code, Organisation Name, Case-mix adjusted``. A file in
any other layout is refused in a sentence naming what is missing and saying the layout is unverified;
add its spellings to :data:`HEADER_VARIANTS` once checked against the publisher's file.

Reading rules (:mod:`landscape_pipeline.tabular`): UTF-8 or Windows-1252; thousands separators;
``*`` marks results suppressed for fewer than 21 respondents; ``..``, ``-`` and blanks are missing;
percentages published as 0-1 fractions are rescaled to 0-100. Plausibility: responses are never
negative, percentages lie within 0-100 and 0-10 scores within 0-10, a lower limit never exceeds its
upper one; a header-only file is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.cpes.questions import IGNORED, INDICATORS, QUESTION_MAP, normalise_question_number
from landscape_pipeline.tabular import (
    RawTable,
    find_columns,
    map_labels,
    numbers,
    read_header,
    read_table,
    require_rows,
    synonym_table,
)

#: Our name -> header spellings per vintage. Only one (unverified) layout is known; see the module docstring.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "year": ("Survey Year",),
    "level": ("Level",),
    "org_code": ("Organisation Code",),
    "ons_code": ("ONS Code",),
    "org_name": ("Organisation Name",),
    "question": ("Question Number",),
    "question_text": ("Question Text",),
    "responses": ("Number of responses",),
    "value": ("scored percentage",),
    "lower_ci_95": ("Lower 95% confidence interval",),
    "upper_ci_95": ("Upper 95% confidence interval",),
    "expected_lower": ("Expected Range (lower)",),
    "expected_upper": ("Expected Range (upper)",),
    "case_mix_adjusted": ("Case-mix adjusted",),
}
NUMERIC = ("responses", "value", "lower_ci_95", "upper_ci_95", "expected_lower", "expected_upper")
SUPPRESSED_MARKER = "*"
MISSING_MARKERS = ("..", "-")
LEVEL_SYNONYMS = synonym_table({"National": ("England",), "Cancer Alliance": (), "ICB": ("Integrated Care Board",),
                                "Sub-ICB": ("Sub ICB", "Sub-ICB location"), "Trust": ("NHS Trust",)})
FLAG_SYNONYMS = synonym_table({"yes": ("y", "true", "adjusted"), "no": ("n", "false", "unadjusted")})
MAP_FILE = "landscape_pipeline/sources/cpes/questions.py"
QUESTION_COLUMN = "Question Number"
WHAT = ("CPES data table this reader knows (its layout is modelled on the 2017-2018 data tables and unverified "
        "against the publisher's 2021+ tables; add the real spellings to HEADER_VARIANTS in "
        "landscape_pipeline/sources/cpes/reader.py once checked)")


@dataclass(frozen=True)
class DataTable:
    """One survey year's rows: typed values, ``indicator_id`` per row, 1-based ``source_row``."""

    path: Path
    year: int
    rows: pd.DataFrame
    columns: dict[str, str]
    header_line: int = 1

    def error(self, message: str, row: int, column: str) -> SourceDataError:
        """Return an error naming this file, the 1-based data ``row``, its line and the published ``column``."""
        return SourceDataError(self.path, message, row=row, line=self.header_line + row,
                               column=self.columns.get(column, column))


def read_data_table(path: Path | str) -> DataTable:
    """Return the rows of one CPES data table, or raise :class:`SourceDataError` naming file, row and column."""
    path = Path(path)
    if _is_geography_lookup(path):
        raise SourceDataError(path, "is the CPES geography lookup (trust / CCG -> Cancer Alliance), not survey "
                                    "results; this source reads the CPES data tables. Give the data tables instead.")
    table = read_table(path)
    columns = find_columns(table, HEADER_VARIANTS, what=WHAT)
    require_rows(table, "survey results")
    raw = table.frame
    rows = pd.DataFrame({name: raw[column] for name, column in columns.items()}, index=raw.index)
    for name in ("org_code", "ons_code", "org_name", "question_text"):
        rows[name] = rows[name].fillna("")
    rows["org_code"], rows["ons_code"] = rows["org_code"].str.upper(), rows["ons_code"].str.upper()
    rows["source_row"] = raw.index.to_numpy() + 1
    year = _year(table, columns["year"])
    rows["level"] = map_labels(table, columns["level"], LEVEL_SYNONYMS, what="Reporting level")
    rows["question"] = rows["question"].fillna("").map(normalise_question_number)
    rows["indicator_id"] = _map_questions(table, rows, year, columns["question"])
    rows["suppressed"] = raw[columns["value"]].fillna("").eq(SUPPRESSED_MARKER)
    for name in NUMERIC:
        rows[name], _ = numbers(table, columns[name], suppression=(SUPPRESSED_MARKER, *MISSING_MARKERS))
    rows["case_mix_adjusted"] = map_labels(table, columns["case_mix_adjusted"], FLAG_SYNONYMS,
                                           what="Case-mix adjusted flag").eq("yes")
    _rescale_fractions(rows)
    _check_ranges(table, rows, columns)
    return DataTable(path, year, rows.reset_index(drop=True), columns, table.header_line)


def _is_geography_lookup(path: Path) -> bool:
    try:
        header = {h.strip().upper() for h in read_header(path)}
    except SourceDataError:
        return False
    return {"GEOG", "CALNCV18NM"} <= header or {"GEOG", "CCG18CDH"} <= header


def _year(table: RawTable, column: str) -> int:
    text = table.frame[column].fillna("")
    years = text.str.extract(r"^(?:(?:19|20)\d{2}/)?((?:19|20)\d{2})\b", expand=False)
    table.fail_first(years.isna().to_numpy(), column, "{value!r} is not a survey year (e.g. 2023).")
    table.fail_first(years.ne(years.iloc[0]).to_numpy(), column,
                     f"{{value!r}} is a second survey year (the first row says {years.iloc[0]}); give one file per "
                     "survey year.")
    year = int(years.iloc[0])
    if year not in QUESTION_MAP:
        raise table.error(f"survey year {year} has no question map. Add QUESTION_MAP[{year}] (question number -> "
                          f"indicator id, or IGNORED) to {MAP_FILE}, checking the numbers against the {year} "
                          "questionnaire.", label=table.frame.index[0], column=column)
    return year


def _map_questions(table: RawTable, rows: pd.DataFrame, year: int, column: str) -> pd.Series:
    """Return the indicator id per row (None for ignored questions); raise for unmapped or mismatched ones."""
    mapping = QUESTION_MAP[year]
    unmapped = ~rows["question"].isin(mapping)
    if unmapped.any():
        first = rows.loc[unmapped].drop_duplicates("question")
        q, text = first["question"].iloc[0], first["question_text"].iloc[0]
        others = [f"{n} '{t}'" for n, t in zip(first["question"][1:6], first["question_text"][1:6], strict=True)]
        rest = f" and {len(first) - 6} more" if len(first) > 6 else ""
        more = f" Also unmapped: {'; '.join(others)}{rest}." if others else ""
        raise table.error(f"question {q} '{text}' is not in the CPES question map for survey year {year}. Question "
                          f"numbers change between years: look the question up in the {year} questionnaire and add "
                          f"QUESTION_MAP[{year}]['{q}'] = '<indicator id>' (or IGNORED if out of scope) in "
                          f"{MAP_FILE}.{more}", label=first.index[0], column=column)
    ids = rows["question"].map(mapping)
    pairs = rows.assign(indicator_id=ids).drop_duplicates(["question", "question_text"])
    for label, row in pairs.iterrows():  # one check per distinct question, not per data row
        if row["indicator_id"] == IGNORED:
            continue
        indicator = INDICATORS[row["indicator_id"]]
        if not indicator.matches(row["question_text"]):
            raise table.error(f"question {row['question']} reads '{row['question_text']}', but the {year} question "
                              f"map says {row['question']} is '{indicator.name}' ({row['indicator_id']}). The "
                              f"numbering has probably shifted: correct QUESTION_MAP[{year}] in {MAP_FILE}.",
                              label=label, column=column)
    return ids.where(ids.ne(IGNORED), None)


def _rescale_fractions(rows: pd.DataFrame) -> None:
    """Turn percentages published as 0-1 fractions into 0-100 (in place); 0-10 scores are left alone."""
    types = {key: indicator.value_type for key, indicator in INDICATORS.items()}
    is_proportion = rows["indicator_id"].map(types).eq("proportion")
    values = rows.loc[is_proportion, "value"]
    if len(values.dropna()) and values.max() <= 1.0:
        scaled = ["value", "lower_ci_95", "upper_ci_95", "expected_lower", "expected_upper"]
        rows.loc[is_proportion, scaled] = rows.loc[is_proportion, scaled] * 100


def _check_ranges(table: RawTable, rows: pd.DataFrame, columns: dict[str, str]) -> None:
    """Refuse impossible results: percentages outside 0-100, scores outside 0-10, crossed limits."""
    types = rows["indicator_id"].map({k: v.value_type for k, v in INDICATORS.items()})
    for kind, top, what in (("proportion", 100, "a percentage (0 to 100)"), ("score", 10, "a 0-10 score")):
        mine = types.eq(kind).to_numpy()
        for name in ("value", "lower_ci_95", "upper_ci_95", "expected_lower", "expected_upper"):
            table.fail_first(mine & (rows[name] > top).to_numpy(), columns[name], f"{{value}} is not {what}.")
    crossed = (rows["lower_ci_95"] > rows["upper_ci_95"]).to_numpy()
    table.fail_first(crossed, columns["lower_ci_95"], "the lower 95% limit {value} exceeds the upper one.")
    outside = ((rows["value"] < rows["lower_ci_95"] - 0.05) | (rows["value"] > rows["upper_ci_95"] + 0.05)).to_numpy()
    table.fail_first(outside, columns["value"], "{value} lies outside its own 95% confidence interval.")

