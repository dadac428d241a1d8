"""Change since a frozen baseline: worked examples through the whole comparison, flags and filters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import freeze
from landscape_pipeline.change import FLAG_DEFINITION, FLAG_NO_NEWER, FLAG_ONE_SIDE, compare_frames, compare_with_frozen
from landscape_pipeline.selection import SelectionError
from landscape_pipeline_tests.factories import EVALUATOR_AREAS, build_evaluator_root, indicator_rows


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Baselines 2021-22 frozen as 'start', then a later build with 2023 and revised counts."""
    build_evaluator_root(tmp_path, (2021, 2022))
    freeze.freeze(tmp_path, "start", list(EVALUATOR_AREAS), note="programme start")
    build_evaluator_root(tmp_path, (2021, 2022, 2023), step=20)
    return tmp_path


def row(table: pd.DataFrame, indicator_id: str, area_code: str = "E06000001") -> pd.Series:
    found = table[table["indicator_id"].eq(indicator_id) & table["area_code"].eq(area_code)]
    assert len(found) == 1
    return found.iloc[0]


def test_rate_and_proportion_changes_match_hand_arithmetic(root: Path) -> None:
    table = compare_with_frozen(root, "start").rows
    # Hartlepool (first area): emergency admissions 120 in 90,000 (2022, frozen) -> 160 in 90,000 (2023).
    # Rates 133.3 -> 177.8 per 100,000 (published to 1 dp): change 44.5, relative (177.8/133.3 - 1) = 33.4%.
    # ln(160/120) = 0.287682; SE = sqrt(1/120 + 1/160) = 0.120761; z = 2.3822; p = 2(1 - Phi(2.3822)) = 0.0172.
    # CI of the difference: 1e5 x sqrt(120 + 160) / 90,000 = 18.5924; 44.444 -+ 1.959964 x 18.5924 = 8.0, 80.9.
    rate = row(table, "fingertips_91355")
    assert (rate["baseline_period"], rate["current_period"]) == ("2022", "2023")
    assert (rate["baseline_value"], rate["current_value"], rate["abs_change"]) == (133.3, 177.8, 44.5)
    assert rate["rel_change_pct"] == 33.4
    assert (rate["abs_change_lower_95"], rate["abs_change_upper_95"]) == (8.0, 80.9)
    assert rate["z"] == 2.38 and rate["p_value"] == 0.0172
    assert rate["significant"] and rate["assessment"] == "Worsened"  # low is good
    assert rate["test"].startswith("Two Poisson rates")
    # Breast screening 600/1000 -> 640/1000: pooled 1240/2000 = 0.62; SE0 = sqrt(0.62 x 0.38 x 0.002) = 0.021707;
    # z = 0.04 / 0.021707 = 1.8427; p = 0.0654, not significant (and the Newcombe CI spans 0).
    screening = row(table, "fingertips_22001")
    assert screening["abs_change"] == 4.0 and screening["p_value"] == 0.0654
    assert not screening["significant"] and screening["assessment"] == "No significant change"
    assert screening["abs_change_lower_95"] < 0 < screening["abs_change_upper_95"]
    # The frozen 2022 value (60.0) was revised in the later build (2022 counts grew by 20: 62.0).
    assert screening["baseline_value_now"] == 62.0 and "revised" in screening["note"]


def test_every_series_gets_a_method_suited_to_its_value_type(root: Path) -> None:
    table = compare_with_frozen(root, "start").rows
    assert len(table) == 5 * 10 and table["present_in"].eq("both").all()
    tests = table.drop_duplicates("indicator_id").set_index("indicator_id")["test"]
    assert tests["fingertips_22001"].startswith("Two proportions")
    assert tests["fingertips_40501"] == "From the published 95% limits: log-scale SEs (ratio)"  # DSR
    assert tests["cpes_overall_rating_of_care"].endswith("natural-scale SEs (difference)")  # score, no counts
    assert tests["hes_admissions_lung_emergency_count"].startswith("Two Poisson rates")
    assert tests["imd_rank_of_average_score"] == "No test: not a sample estimate"
    ranks = table[table["indicator_id"].eq("imd_rank_of_average_score")]
    assert ranks["significant"].isna().all() and ranks["abs_change"].eq(1.0).all()


def test_no_newer_period_is_flagged_not_tested(tmp_path: Path) -> None:
    build_evaluator_root(tmp_path, (2021, 2022))
    freeze.freeze(tmp_path, "start", list(EVALUATOR_AREAS))
    build_evaluator_root(tmp_path, (2021, 2022), step=20)  # same periods, 2022 revised
    table = compare_with_frozen(tmp_path, "start").rows
    assert table["no_newer_period"].all() and table["flags"].eq(FLAG_NO_NEWER).all()
    assert table["significant"].isna().all() and table["abs_change"].isna().all()
    revised = row(table, "fingertips_22001", "E06000002")  # second area: 610 -> 650 in 2022
    assert revised["note"].startswith("No newer period; the baseline period's value has since been revised")


def _series(value_type: str = "proportion", unit: str = "%", **extra: object) -> dict[str, object]:
    return {"indicator_id": "x", "area_code": "E06000001", "value": 50.0, "lower_ci_95": 45.0, "upper_ci_95": 55.0,
            "value_type": value_type, "unit": unit, "is_latest": True, **extra}


def _catalogue(**fields: object) -> pd.DataFrame:
    base = {"indicator_id": "x", "definition": "d", "numerator": "n", "denominator": "m", "value_type": "proportion",
            "unit": "%", "multiplier": 100.0, "ci_method": "Wilson", "change_test": "auto", "decimals": 1}
    return pd.DataFrame([{**base, **fields}])


def test_definition_or_method_change_is_flagged_from_the_catalogue_or_the_rows() -> None:
    then = indicator_rows([_series(period_label="2022", period_start="2022-01-01")])
    now = indicator_rows([_series(period_label="2023", period_start="2023-01-01", value=60.0, lower_ci_95=55.0,
                                  upper_ci_95=65.0)])
    same = compare_frames(then, now, _catalogue(), _catalogue()).iloc[0]
    assert not same["definition_changed"] and same["significant"]  # SEs 2.551 each: z = 10/3.608 = 2.77
    changed = compare_frames(then, now, _catalogue(), _catalogue(ci_method="Clopper-Pearson")).iloc[0]
    assert changed["definition_changed"] and changed["flags"] == FLAG_DEFINITION
    assert pd.isna(changed["significant"]) and changed["test"] == "No test: definition or method changed"
    unit = indicator_rows([_series(period_label="2023", period_start="2023-01-01", unit="per 1,000")])
    assert compare_frames(then, unit, _catalogue(), None).iloc[0]["definition_changed"]


def test_series_present_in_only_one_of_the_two() -> None:
    then = indicator_rows([_series(period_label="2022", period_start="2022-01-01"),
                           _series(period_label="2022", period_start="2022-01-01", sex="Male")])
    now = indicator_rows([_series(period_label="2023", period_start="2023-01-01"),
                          _series(period_label="2023", period_start="2023-01-01", sex="Female")])
    table = compare_frames(then, now, _catalogue()).set_index("sex")
    assert table.loc["Persons", "present_in"] == "both"
    assert table.loc["Male", "present_in"] == "baseline only" and table.loc["Female", "present_in"] == "current only"
    assert table.loc["Male", "flags"] == FLAG_ONE_SIDE and pd.isna(table.loc["Female", "baseline_period"])
    assert table.loc[["Male", "Female"], "significant"].isna().all()


def test_filters_by_area_indicator_pattern_and_sex(root: Path) -> None:
    got = compare_with_frozen(root, "start", areas=["E08000026", "E06000002"], indicators=["fingertips_*"],
                              sexes=["persons"])
    assert set(got.rows["area_code"]) == {"E08000026", "E06000002"}
    assert set(got.rows["indicator_id"]) == {"fingertips_22001", "fingertips_91720", "fingertips_276",
                                             "fingertips_40501", "fingertips_91355"}
    assert got.metadata["frozen_label"] == "start" and got.metadata["synthetic"] is True
    assert got.metadata["baseline_run"] == "run-2022" and got.metadata["run"] == "run-2023"
    assert set(got.dictionary["indicator_id"]) == set(got.rows["indicator_id"])
    with pytest.raises(SelectionError, match="Did you mean fingertips_22001"):
        compare_with_frozen(root, "start", indicators=["fingertips_2201"])
