"""CQC local authority assessments from the analyst's template (:mod:`.template`), in the canonical schema.

Each row becomes an overall-rating row (value 1-4 with the rating's word and date in ``value_note``),
an overall-score row (total as % of 36, when all nine statements are scored) and one row per scored
quality statement. The period is the assessment's publication date. Checks, each an error naming
file, row and column: the council is a current English council with adult social services duties;
scores are whole numbers 1-4; the rating is one of CQC's four words and agrees with the score band
when all nine scores are given; the date is a real date, not in the future and not before CQC began
assessing councils (April 2023); a council is not given twice for the same date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.cqc_la_assessment.template import (
    COLUMNS,
    MAX_SCORE,
    PERCENT_ID,
    QUALITY_STATEMENTS,
    RATING_ID,
    RATINGS,
    REQUIRED,
    rating_for_percent,
)
from landscape_pipeline.tabular import (
    RawTable,
    find_columns,
    map_labels,
    numbers,
    read_table,
    require_rows,
    synonym_table,
)

SOURCE_ID = "cqc_la_assessment"
FIRST_ASSESSMENTS = pd.Timestamp("2023-04-01")
COLUMN_LABELS = {"area_code": "area_code", "period_label": "assessment_date", "value": "overall_rating / qs scores"}
_RATING_WORDS = synonym_table({word: () for word in RATINGS})


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None, *, today: date | None = None) -> pd.DataFrame:
    """Return the canonical assessment rows of every template file given."""
    if not paths:
        raise SourceDataError(Path(SOURCE_ID), "no CQC assessment file was given.")
    frames = [_read(Path(p), today or date.today()) for p in paths]
    rows = pd.concat(frames, ignore_index=True)
    clash = rows.duplicated(["indicator_id", "area_code", "period_label"])
    if clash.any():
        second = rows[clash].iloc[0]
        raise SourceDataError(Path(second["source_file"]), f"gives the assessment of {second['area_code']} dated "
                              f"{second['period_label']} again; keep one row per council and date.",
                              row=int(second["source_row"]), column="assessment_date")
    return schema.conform(rows)


def _read(path: Path, today: date) -> pd.DataFrame:
    table = read_table(path)
    cols = find_columns(table, COLUMNS, optional=[c for c in COLUMNS if c not in REQUIRED],
                        what="CQC local authority assessment template")
    require_rows(table, "assessments")
    codes = _councils(table, cols["area_code"])
    start, end, label = _dates(table, cols["assessment_date"], today)
    duplicated = pd.Series(list(zip(codes, label, strict=True)), index=table.frame.index).duplicated()
    table.fail_first(duplicated.to_numpy(), cols["assessment_date"],
                     "{value!r}: this council's assessment of that date is already given above.")
    scores = {qs.column: _scores(table, cols[qs.column]) if qs.column in cols else
              pd.Series(np.nan, index=table.frame.index) for qs in QUALITY_STATEMENTS}
    rating = _ratings(table, cols.get("overall_rating"))
    complete = pd.DataFrame(scores).notna().all(axis=1)
    percent = pd.DataFrame(scores).sum(axis=1) / MAX_SCORE * 100
    banded = percent.map(rating_for_percent).where(complete)
    if "overall_rating" in cols:
        mismatch = complete & rating.notna() & banded.ne(rating)
        table.fail_first(mismatch.to_numpy(), cols["overall_rating"],
                         "{value!r} does not match the nine scores (total as a % of 36 gives another rating under "
                         "CQC's bands 25-38-62-87-100); check the rating and the scores against the report.")
    base = pd.DataFrame({"area_code": codes, "period_label": label, "period_start": start, "period_end": end,
                         "source_row": np.asarray(table.frame.index, dtype=int) + 1,
                         "url": table.frame[cols["report_url"]] if "report_url" in cols else None,
                         "note": table.frame[cols["note"]] if "note" in cols else None})
    parts = [_rating_rows(base, rating), _percent_rows(base[complete], percent[complete])]
    for qs in QUALITY_STATEMENTS:
        scored = scores[qs.column].notna()
        parts.append(_rows(base[scored], qs.indicator_id, f"CQC assessment: {qs.name} ({qs.theme})",
                           scores[qs.column][scored], "score 1-4"))
    rows = pd.concat(parts, ignore_index=True)
    return add_provenance(rows, describe_file(path))


def _councils(table: RawTable, column: str) -> pd.Series:
    """Return each row's council code; raise naming the row for codes that are not current English councils."""
    councils = {la.area_code for la in geography.current_local_authorities()
                if la.nation_code == geography.ENGLAND and la.tier != "lower"}
    codes = table.frame[column].str.upper()
    table.fail_first(codes.isna().to_numpy(), column, "the council's ONS code is missing.")
    for label, code in codes.items():
        if code in councils:
            continue
        try:
            current = geography.resolve_area_code(code)
            reason = (f"{code} is a district; CQC assesses the county council ({geography.upper_tier_of(current)})"
                      if current not in councils else f"{code} is retired; use {current}")
        except geography.AreaCodeError as exc:
            reason = str(exc).rstrip(".")
        raise table.error(f"{reason}. The template takes the ONS code of a council with adult social services "
                          "duties (E06, E08, E09 or E10).", label=label, column=column)
    return codes


def _dates(table: RawTable, column: str, today: date) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return (start, end, label) of each assessment date: a day (YYYY-MM-DD) or a month (YYYY-MM)."""
    text = table.frame[column].fillna("").str.strip().str[:10]
    day = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")
    month = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}")), format="%Y-%m", errors="coerce")
    table.fail_first((day.isna() & month.isna()).to_numpy(), column,
                     "{value!r} is not a date written YYYY-MM-DD (or YYYY-MM when only the month is known).")
    start = day.fillna(month)
    end = day.fillna(month + pd.offsets.MonthEnd(0))
    table.fail_first((start > pd.Timestamp(today)).to_numpy(), column,
                     f"{{value!r}} is in the future (today is {today.isoformat()}); enter the date CQC published it.")
    table.fail_first((start < FIRST_ASSESSMENTS).to_numpy(), column,
                     "{value!r} is before CQC began assessing councils (April 2023).")
    label = np.where(day.notna(), start.dt.strftime("%Y-%m-%d"), start.dt.strftime("%Y-%m"))
    return start, end, pd.Series(label, index=table.frame.index)


def _scores(table: RawTable, column: str) -> pd.Series:
    values, _ = numbers(table, column)
    table.fail_first((values.notna() & (~values.isin([1, 2, 3, 4]))).to_numpy(), column,
                     "{value!r} is not a quality-statement score: scores are whole numbers from 1 to 4.")
    return values


def _ratings(table: RawTable, column: str | None) -> pd.Series:
    index = table.frame.index
    if column is None:
        return pd.Series(None, index=index, dtype=object)
    given = table.frame[column].notna()
    mapped = pd.Series(None, index=index, dtype=object)
    if given.any():
        sub = RawTable(table.path, table.frame.loc[given], table.header_line, table.sheet)
        mapped[given] = map_labels(sub, column, _RATING_WORDS, what="Overall rating").to_numpy()
    return mapped


def _rows(base: pd.DataFrame, indicator_id: str, name: str, value: pd.Series, unit: str,
          lead: pd.Series | None = None) -> pd.DataFrame:
    """Return canonical rows; ``lead`` (the rating's word) starts the note, which then gives the date and,
    on the rating row, the report link and the analyst's note."""
    out = base.copy()
    out["indicator_id"], out["indicator_name"], out["source_id"] = indicator_id, name, SOURCE_ID
    out["value"], out["value_type"], out["unit"], out["polarity"] = value.to_numpy(float), "score", unit, "High is good"
    out["area_name"] = out["area_code"].map({c: geography.area_name(c) for c in out["area_code"].unique()})
    out["area_type"], out["sex"], out["age"] = "Local authority", "Persons", "All ages"
    out["geography_method"] = "direct"
    if lead is None:
        out["value_note"] = "CQC assessment published " + out["period_label"] + "."
    else:
        out["value_note"] = (lead + "; published " + out["period_label"]
                             + out["url"].fillna("").map(lambda u: f" (report: {u})" if u else "") + "."
                             + out["note"].fillna("").map(lambda n: f" {n}" if n else ""))
    return out.drop(columns=["url", "note"])


def _rating_rows(base: pd.DataFrame, rating: pd.Series) -> pd.DataFrame:
    value = rating.map(lambda r: RATINGS.index(r) + 1 if isinstance(r, str) else np.nan)
    words = rating.fillna("No overall rating recorded in the template")
    return _rows(base, RATING_ID, "CQC assessment of adult social care: overall rating", value,
                 "rating (1 Inadequate, 2 Requires improvement, 3 Good, 4 Outstanding)", words)


def _percent_rows(base: pd.DataFrame, percent: pd.Series) -> pd.DataFrame:
    band = "Score band: " + percent.map(rating_for_percent).astype("str")
    return _rows(base, PERCENT_ID, "CQC assessment of adult social care: total score (% of the maximum)",
                 percent.round(1), "% of maximum score (36)", band)
