"""The canonical GX suite: each rule fails on the row that breaks it and names file, row and column."""

from __future__ import annotations

import pytest

from landscape_pipeline.validation import validate_frame
from landscape_pipeline_tests.factories import indicator_rows

GOOD = {"area_code": "E08000026", "value": 50.0, "lower_ci_95": 45.0, "upper_ci_95": 55.0,
        "lower_ci_99_8": 42.0, "upper_ci_99_8": 58.0, "count": 50, "denominator": 100}


def _failed(report) -> dict[str, object]:
    return {f.description: f for f in report.failures}


def test_clean_table_passes() -> None:
    frame = indicator_rows([GOOD, {**GOOD, "area_code": "E92000001"}, {**GOOD, "area_code": "S12000042"}])
    report = validate_frame(frame, "clean")
    assert report.passed, report.text()
    assert report.evaluated >= 15


@pytest.mark.parametrize(("change", "description", "column"), [
    ({"lower_ci_95": 51.0}, "The lower 95% limit is not above the value.", "Lower CI 95.0 limit"),
    ({"upper_ci_99_8": 49.0}, "The upper 99.8% limit is not below the value.", "upper_ci_99_8"),
    ({"area_code": "E06999999"}, "Area codes are known: current or retired LAs, regions, nations, health boards.",
     "area_code"),
    ({"count": -1}, "Counts are not negative.", "count"),
    ({"count": 101}, "For proportions the count is not above the denominator.", "count"),
    ({"sex": "All"}, "Sex is Persons, Male or Female.", "sex"),
    ({"period_start": None}, "The time period parses to a start date.", "period_start"),
])
def test_each_rule_names_the_bad_row(change, description, column) -> None:
    frame = indicator_rows([GOOD, {**GOOD, "area_code": "E92000001"}, {**GOOD, "area_code": "E10000014", **change}])
    report = validate_frame(frame, "broken", column_labels={"lower_ci_95": "Lower CI 95.0 limit"})
    failures = _failed(report)
    assert description in failures, report.text()
    failure = failures[description]
    assert failure.unexpected_count == 1
    assert failure.sample[0]["row"] == 3 and failure.sample[0]["file"] == "test.csv"
    assert failure.sample[0]["column"] == column
    assert "test.csv, row 3, column" in report.text()


def test_a_row_computed_from_several_rows_is_named_by_area_and_period_not_row_na() -> None:
    frame = indicator_rows([GOOD, {**GOOD, "area_code": "E10000014", "count": -1}])
    frame["source_row"] = frame["source_row"].astype("Int64")
    frame.loc[1, "source_row"] = None  # e.g. a county summed from its districts
    text = validate_frame(frame, "derived").text()
    assert "Counts are not negative." in text and "n/a" not in text
    assert f"the row computed for E10000014 {frame.loc[1, 'period_label']} Persons" in text


def test_publisher_column_names_appear_in_messages() -> None:
    frame = indicator_rows([{**GOOD, "lower_ci_95": 60.0}])
    report = validate_frame(frame, "broken", column_labels={"value": "Value", "lower_ci_95": "Lower CI 95.0 limit"})
    assert "column 'Lower CI 95.0 limit': Value=50, Lower CI 95.0 limit=60" in report.text()


def test_retired_and_non_la_codes_are_accepted_but_unknown_la_shaped_codes_are_not() -> None:
    frame = indicator_rows([{**GOOD, "area_code": "E07000026"}, {**GOOD, "area_code": "A81001"},
                            {**GOOD, "area_code": "S08000030"}, {**GOOD, "area_code": "E12000005"}])
    assert validate_frame(frame, "codes").passed


def test_exact_repeats_pass_but_conflicting_duplicates_fail() -> None:
    repeated = indicator_rows([GOOD, GOOD])
    assert validate_frame(repeated, "repeats").passed
    conflicting = indicator_rows([GOOD, {**GOOD, "value": 51.0}])
    report = validate_frame(conflicting, "conflict")
    assert "No two rows share indicator, area, period, sex, age and category." in _failed(report)


def test_report_metadata_lists_failures_for_the_ui() -> None:
    report = validate_frame(indicator_rows([{**GOOD, "count": -5, "denominator": None}]), "meta")
    meta = report.metadata()
    assert meta["expectations_failed"] == 1
    assert meta["failures"][0]["unexpected_rows"] == 1
    assert meta["failures"][0]["sample"][0]["row"] == 1


@pytest.mark.parametrize("broken", [False, True])
def test_no_copy_of_a_validated_frame_outlives_the_validation(broken) -> None:
    """GX's execution engine outlives a validation (the context is cached): it must not keep the frame."""
    import gc

    import pandas as pd

    rows = 1237  # a length no other frame in the test session has
    frame = indicator_rows([{**GOOD, "indicator_id": f"ind_{i}", "count": -1 if broken and i == 3 else 50}
                            for i in range(rows)])
    assert validate_frame(frame, "kept").passed is not broken
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, pd.DataFrame) and len(o) == rows and o is not frame]
    assert alive == []
