"""Generic mapping options: partnership and board attribution, row selection, recodes, shares, derived limits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import stats
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.mapping import YamlFileError, build_frame
from landscape_pipeline_tests.factories import mapped_folder

HSCP_MAPPING = """\
title: Partnership survey
publisher: Test
reader:
  file: data.csv
columns:
  area_code:
    column: code
    recode: {Scotland: S92000003}
  indicator: question
  period:
    constant: 2023/24
  value: pct
  denominator: n
period:
  format: financial_year
geography:
  level: hscp
  vintage: 2019
  roll_up: attribute
indicators:
  - match: Felt safe
    id: test_safe
    definition: People who felt safe.
    unit: "%"
    value_type: proportion
    multiplier: 100
    polarity: High is good
disclosure: none
"""
ROWS = "code,question,pct,n\nScotland,Felt safe,80,1000\nS37000005,Felt safe,75,200\nS37000014,Felt safe,70,300\n"


def _build(tmp_path: Path, data: str = ROWS, mapping: str = HSCP_MAPPING) -> pd.DataFrame:
    return build_frame(mapped_folder(tmp_path / "x", mapping, {"data.csv": data}), "test_x")


def test_partnerships_reach_their_council_areas_and_archived_codes_are_recoded(tmp_path: Path) -> None:
    frame = _build(tmp_path).set_index("area_code")
    assert frame.loc["S92000003", "value"] == 80 and frame.loc["S92000003", "area_name"] == "Scotland"
    assert frame.loc[["S12000005", "S12000030"], "value"].tolist() == [75, 75]
    assert (frame.loc[["S12000005", "S12000030"], "geography_method"] == "attributed").all()
    assert frame.loc["S37000005", "area_type"] == "Health and social care partnership"
    fife = frame.loc["S12000047"]  # Fife's 2016 partnership code S37000014 became S37000032
    assert fife["value"] == 70 and fife["geography_method"] == "direct" and "S37000032" in fife["attribution_note"]
    assert "archived partnership code S37000014" in frame.loc["S37000032", "attribution_note"]


def test_a_published_council_area_row_wins_over_the_attributed_one(tmp_path: Path) -> None:
    frame = _build(tmp_path, ROWS + "S12000030,Felt safe,77,90\n").set_index("area_code")
    assert frame.loc["S12000030", "value"] == 77 and frame.loc["S12000030", "geography_method"] == "direct"
    assert frame.loc["S12000005", "value"] == 75


def test_board_rows_can_be_attributed_to_their_council_areas(tmp_path: Path) -> None:
    mapping = HSCP_MAPPING.replace("level: hscp", "level: health_board")
    frame = _build(tmp_path, "code,question,pct,n\nS08000030,Felt safe,79,500\n", mapping)
    tayside = frame[frame["area_code"].str.startswith("S12")].set_index("area_code")
    assert sorted(tayside.index) == ["S12000041", "S12000042", "S12000048"]
    assert (tayside["value"] == 79).all() and (tayside["geography_method"] == "attributed").all()


def test_selected_rows_and_skipped_questions_are_not_read(tmp_path: Path) -> None:
    mapping = HSCP_MAPPING.replace("reader:\n  file: data.csv\n", "reader:\n  file: data.csv\nselect:\n  where:\n"
                                   "    level: [HSCP]\n  unmatched_indicators: skip\n")
    data = ("level,code,question,pct,n\nHSCP,S37000007,Felt safe,81,150\nHSCP,S37000007,Other question,50,150\n"
            "GP,10001,Felt safe,90,20\n")
    frame = _build(tmp_path, data, mapping)
    assert sorted(frame["area_code"]) == ["S12000042", "S37000007"] and set(frame["indicator_id"]) == {"test_safe"}
    none_kept = mapping.replace("[HSCP]", "[Practice]")
    with pytest.raises(YamlFileError, match="keeps no row") as caught:
        _build(tmp_path, data, none_kept)
    assert caught.value.line == none_kept.splitlines().index("    level: [Practice]") + 1


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("disclosure: none", "disclosure: none\ndimensions: [{name: Service, column: question}]\n"
                         "breakdowns: [total]", "attributed rows are copied, not summed"),
    ("level: hscp", "level: la", "attribute needs areas that contain council areas"),
    ("    recode: {Scotland: S92000003}", "    recode: {Scotland: S92000003}\n    map: {a: b}", "not both"),
])
def test_inconsistent_options_are_refused_at_their_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    mapping = HSCP_MAPPING.replace(old, new)
    with pytest.raises(YamlFileError, match=expected) as caught:
        _build(tmp_path, mapping=mapping)
    assert caught.value.line is not None


def test_derived_numerators_get_wilson_limits_only_where_they_bracket_the_value(tmp_path: Path) -> None:
    mapping = HSCP_MAPPING + "intervals:\n  derive_count: true\n  wilson_where_missing: true\n"
    frame = _build(tmp_path, mapping=mapping).set_index("area_code")
    row = frame.loc["S37000005"]
    assert row["count"] == 150 and "derived" in row["value_note"]
    lower, upper = stats.wilson_limits(150.0, 200.0, stats.z_value(0.95))
    assert (row["lower_ci_95"], row["upper_ci_95"]) == pytest.approx((100 * lower, 100 * upper))
    counted = mapping.replace("  denominator: n", "  denominator: n\n  count: k")
    data = "code,question,pct,n,k\nS37000007,Felt safe,90,200,150\n"  # a weighted 90% is not 150 of 200
    odd = _build(tmp_path, data, counted).set_index("area_code").loc["S37000007"]
    assert pd.isna(odd["lower_ci_95"]) and pd.isna(odd["value_note"])


def test_an_unknown_partnership_code_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError) as caught:
        _build(tmp_path, ROWS + "S37000099,Felt safe,70,300\n")
    assert (caught.value.row, caught.value.column) == (4, "code") and "S37000099" in str(caught.value)
