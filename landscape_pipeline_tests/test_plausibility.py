"""Plausibility rules on canonical frames: each rule catches its fault, and passes the real bundled data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline import schema
from landscape_pipeline.validation import canonical_rules as plausibility
from landscape_pipeline.validation.runner import ValidationReport, _add_plausibility
from landscape_pipeline_tests.factories import indicator_rows

TODAY = date(2026, 6, 1)
CONTEXT = plausibility.Context(TODAY)


def rules_hit(frame: pd.DataFrame, rounding: float = 1.0) -> dict[str, list[int]]:
    """Return rule -> 1-based source rows it flags."""
    _ran, found = plausibility.violations(frame, plausibility.Context(TODAY, rounding))
    return {v.rule: [int(frame["source_row"].iloc[i]) for i in v.mask.nonzero()[0]] for v in found}


def row(**kwargs: object) -> dict[str, object]:
    return {"area_code": "E06000001", **kwargs}


#: 50 proportion rows (distinct areas) whose numbers a property test overwrites.
PROPORTIONS = indicator_rows([row(area_code=f"E06{i:06d}") for i in range(50)])


def test_a_clean_table_passes_every_rule() -> None:
    frame = indicator_rows([row(value=30.0, count=30, denominator=100, lower_ci_95=21.0, upper_ci_95=39.9),
                            row(area_code="E06000002", value=12.5, count=1, denominator=8)])
    assert rules_hit(frame) == {}


def test_future_periods_are_flagged_at_the_right_row() -> None:
    frame = indicator_rows([row(), row(area_code="E06000002", period_label="2031", period_start="2031-01-01",
                                       period_end="2031-12-31")])
    assert rules_hit(frame) == {"no_future_periods": [2]}


@pytest.mark.parametrize("bad", [1e20, np.inf, -np.inf, 1e12])
def test_counts_must_be_finite_and_bounded(bad: float) -> None:
    frame = indicator_rows([row(value_type="count", unit="deaths", value=5.0, count=5.0),
                            row(area_code="E06000002", value_type="count", unit="deaths", value=bad, count=bad)])
    assert rules_hit(frame)["finite_and_bounded"] == [2]


@pytest.mark.parametrize(("unit", "value", "bad"), [("%", 150.0, True), ("%", 100.0, False), ("%", -0.1, True),
                                                    ("per 1,000", 999.0, False), ("per 1,000", 1001.0, True),
                                                    (None, 0.7, False), (None, 70.0, True)])
def test_proportions_lie_within_their_scale(unit: str | None, value: float, bad: bool) -> None:
    frame = indicator_rows([row(unit=unit, value=value)])
    assert ("proportion_in_range" in rules_hit(frame)) is bad


def test_a_percentage_change_is_not_a_proportion() -> None:
    assert rules_hit(indicator_rows([row(value_type="ratio", unit="%", value=150.0)])) == {}


def test_scores_lie_within_the_range_in_their_unit() -> None:
    frame = indicator_rows([row(value_type="score", unit="score 0-10", value=8.7),
                            row(area_code="E06000002", value_type="score", unit="score 0-10", value=11.0)])
    assert rules_hit(frame) == {"score_in_range": [2]}


def test_counts_of_people_are_whole() -> None:
    frame = indicator_rows([row(value_type="count", unit="persons", value=12.5)])
    assert rules_hit(frame) == {"whole_counts": [1]}


def test_a_count_that_contradicts_value_and_denominator_is_flagged() -> None:
    frame = indicator_rows([row(value=30.0, count=30, denominator=100),
                            row(area_code="E06000002", value=12.0, count=50, denominator=100)])
    assert rules_hit(frame) == {"proportion_matches_count": [2]}


def test_rounded_counts_are_judged_within_their_rounding() -> None:
    # HES rounds counts to 5: 8 of 22 (36.4%) is published as 10 of 20; exact it would contradict 36.4%.
    frame = indicator_rows([row(value=36.36, count=10, denominator=20)])
    assert "proportion_matches_count" in rules_hit(frame, rounding=1)
    assert rules_hit(frame, rounding=5) == {}


@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 5000), st.sampled_from([0, 1, 2])),
                min_size=1, max_size=50))
def test_honestly_rounded_proportions_always_pass(cases: list[tuple[int, int, int]]) -> None:
    frame = PROPORTIONS.head(len(cases)).copy()
    frame["count"] = [float(count) for count, _extra, _d in cases]
    frame["denominator"] = [float(count + extra) for count, extra, _d in cases]
    frame["value"] = [round(100 * count / (count + extra), d) for count, extra, d in cases]
    [violation] = plausibility.RULE_BY_NAME["proportion_matches_count"](frame, CONTEXT)
    assert not violation.mask.any()


def test_ranks_lie_within_the_number_ranked() -> None:
    rows = [row(area_code=f"E0600000{i}", value_type="rank", unit="rank", value=float(i)) for i in range(1, 4)]
    rows.append(row(area_code="E06000004", value_type="rank", unit="rank", value=99999.0))
    assert rules_hit(indicator_rows(rows)) == {"rank_within_count": [4]}
    stated = indicator_rows([row(value_type="rank", unit="rank", value=300.0, denominator=317)])
    assert rules_hit(stated) == {}


def test_a_retired_code_conflicting_with_its_successor_is_flagged() -> None:
    # E06000048 (Northumberland) was recoded E06000057 in 2013: one area, one period, two values.
    frame = indicator_rows([row(area_code="E06000057", value=30.0), row(area_code="E06000048", value=31.0),
                            row(area_code="E06000001", value=20.0)])
    assert rules_hit(frame) == {"no_conflict_after_recoding": [1, 2]}


def test_a_retired_code_repeating_its_successor_exactly_is_not_a_conflict() -> None:
    frame = indicator_rows([row(area_code="E06000057", value=30.0), row(area_code="E06000048", value=30.0)])
    assert rules_hit(frame) == {}


def test_male_and_female_cannot_exceed_persons() -> None:
    base = {"value_type": "count", "unit": "deaths"}
    good = [row(sex="Persons", value=10.0, **base), row(sex="Male", value=6.0, **base),
            row(sex="Female", value=3.0, **base)]  # one of unknown sex
    assert rules_hit(indicator_rows(good)) == {}
    bad = [*good[:2], row(sex="Female", value=9.0, **base)]
    assert rules_hit(indicator_rows(bad)) == {"sexes_within_persons": [1]}
    assert rules_hit(indicator_rows(bad), rounding=5) == {}  # within three roundings of 5


def test_an_empty_table_names_its_files() -> None:
    report = ValidationReport("cpes", 0)
    _add_plausibility(report, schema.empty_frame(), {}, TODAY, 1, ["cpes_2023_data_tables.csv"])
    assert not report.passed and "cpes_2023_data_tables.csv" in report.text() and "header-only" in report.text()


def test_failures_name_file_row_and_the_publishers_column() -> None:
    frame = indicator_rows([row(value=150.0, source_file="survey.csv", source_row=41)])
    report = ValidationReport("cpes", 1)
    _add_plausibility(report, frame, {"value": "scored percentage"}, TODAY, 1, ["survey.csv"])
    assert "survey.csv, row 41, column 'scored percentage': scored percentage=150" in report.text()
