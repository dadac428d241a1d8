"""CQC assessments of councils: the analyst's template, its validation, and the bundled real and example rows."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from landscape_pipeline import paths
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.cqc_la_assessment import SOURCE
from landscape_pipeline.sources.cqc_la_assessment.parser import parse
from landscape_pipeline.sources.cqc_la_assessment.template import (
    HEADER,
    PERCENT_ID,
    QUALITY_STATEMENTS,
    RATING_ID,
    rating_for_percent,
)
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "cqc_la_assessment"
COVENTRY, DURHAM = "E08000026", "E06000047"
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()), today=TODAY)


def write(tmp_path: Path, rows: list[dict[str, object]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "assessments.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**cells: object) -> dict[str, object]:
    scores = dict(zip((qs.column for qs in QUALITY_STATEMENTS), (3, 2, 3, 3, 3, 2, 3, 3, 3), strict=True))
    return {"area_code": COVENTRY, "assessment_date": "2025-06-12", "overall_rating": "Good", **scores, **cells}


def test_bundled_files_follow_the_template():
    for path in SOURCE.bundled_files(paths.data_sources_dir()):
        assert next(csv.reader(path.open(encoding="utf-8"))) == HEADER, path.name


def test_coventry_example_is_synthetic_and_the_compiled_rows_are_not(parsed):
    coventry = parsed[(parsed["area_code"] == COVENTRY) & (parsed["indicator_id"] == RATING_ID)].iloc[0]
    assert coventry["value"] == 3 and coventry["period_label"] == "2025-06-12" and coventry["synthetic"]
    assert coventry["value_note"].startswith("Good; published 2025-06-12.")
    compiled = parsed[parsed["source_file"] == "cqc_la_assessments_compiled_2025-10-03.csv"]
    assert not compiled["synthetic"].any() and compiled["area_code"].nunique() == 72
    ratings = parsed[parsed["indicator_id"] == RATING_ID]
    assert ratings["value"].notna().sum() == 72  # County Durham's compilation row has no rating


def test_rows_per_assessment_and_month_dates(parsed):
    durham = parsed[parsed["area_code"] == DURHAM].set_index("indicator_id")
    assert len(durham) == 2 + len(QUALITY_STATEMENTS)
    assert np.isnan(durham.loc[RATING_ID, "value"]) and "No overall rating" in durham.loc[RATING_ID, "value_note"]
    assert durham.loc[PERCENT_ID, "value"] == pytest.approx(24 / 36 * 100, abs=0.05)
    assert durham.loc[RATING_ID, "period_start"] == pd.Timestamp("2024-08-01")
    assert durham.loc[RATING_ID, "period_end"] == pd.Timestamp("2024-08-31")


@pytest.mark.parametrize(("percent", "rating"), [(25, "Inadequate"), (38.9, "Requires improvement"),
                                                 (61.1, "Requires improvement"), (63.9, "Good"), (86.1, "Good"),
                                                 (88.9, "Outstanding"), (100, "Outstanding")])
def test_cqc_score_bands(percent, rating):
    assert rating_for_percent(percent) == rating


def test_headers_written_as_statement_names_are_accepted(tmp_path):
    names = {"area_code": "ONS code", "assessment_date": "Date published", "overall_rating": "Overall rating",
             **{qs.column: (f"QS{qs.number} {qs.name}" if qs.number % 2 else qs.name) for qs in QUALITY_STATEMENTS}}
    cells = {names.get(k, k): v for k, v in row().items()}
    frame = parse([write(tmp_path, [cells], header=list(cells))], today=TODAY)
    assert len(frame) == 11 and frame.loc[frame["indicator_id"] == PERCENT_ID, "value"].iloc[0] == 69.4


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"area_code": "E07000171"}, "area_code", "district; CQC assesses the county council (E10000024)"),
    ({"area_code": "E06000028"}, "area_code", "retired"),
    ({"area_code": "X123"}, "area_code", "X123"),
    ({"qs7_safeguarding": 5}, "qs7_safeguarding", "whole numbers from 1 to 4"),
    ({"qs7_safeguarding": 2.5}, "qs7_safeguarding", "whole numbers from 1 to 4"),
    ({"overall_rating": "Very good"}, "overall_rating", "Good, Inadequate, Outstanding, Requires improvement"),
    ({"overall_rating": "Outstanding"}, "overall_rating", "does not match the nine scores"),
    ({"assessment_date": "2027-01-05"}, "assessment_date", "in the future"),
    ({"assessment_date": "2022-11-01"}, "assessment_date", "before CQC began"),
    ({"assessment_date": "12/06/2025"}, "assessment_date", "YYYY-MM-DD"),
])
def test_bad_template_rows_fail_naming_row_and_column(tmp_path, cells, column, message):
    path = write(tmp_path, [row(area_code="E09000030"), row(**cells)])
    with pytest.raises(SourceDataError) as err:
        parse([path], today=TODAY)
    assert (err.value.row, err.value.line, err.value.column) == (2, 3, column)
    assert message in str(err.value)


def test_the_same_assessment_twice_is_refused_but_a_reassessment_is_kept(tmp_path):
    with pytest.raises(SourceDataError, match="already given above"):
        parse([write(tmp_path, [row(), row()])], today=TODAY)
    frame = parse([write(tmp_path, [row(), row(assessment_date="2026-09")])], today=TODAY)
    assert sorted(frame.loc[frame["indicator_id"] == RATING_ID, "period_label"]) == ["2025-06-12", "2026-09"]


def test_partly_scored_rows_have_no_total(tmp_path):
    partial = row(qs9_learning_improvement_innovation="", overall_rating="Requires improvement")
    frame = parse([write(tmp_path, [partial])], today=TODAY)
    assert PERCENT_ID not in set(frame["indicator_id"]) and len(frame) == 9


def test_missing_required_column_names_what_the_template_needs(tmp_path):
    path = write(tmp_path, [{"area_code": COVENTRY}], header=["area_code"])
    with pytest.raises(SourceDataError, match="assessment_date"):
        parse([path], today=TODAY)


@pytest.mark.parametrize(("score", "failures"), [
    (2.5, ["Ratings and quality-statement scores are whole numbers 1-4."]),
    (7.0, ["Ratings and quality-statement scores are whole numbers 1-4.",
           "Scores lie within the range their unit states (e.g. 'score 0-10')."]),
])
def test_an_impossible_score_is_the_only_validation_failure_of_the_bundled_rows(parsed, score, failures):
    broken = parsed.copy()
    broken.loc[broken["indicator_id"] == QUALITY_STATEMENTS[0].indicator_id, "value"] = score
    report = validate_frame(broken, "cqc_la_assessment", extra_expectations=SOURCE.extra_expectations())
    assert sorted(f.description for f in report.failures) == sorted(failures)
