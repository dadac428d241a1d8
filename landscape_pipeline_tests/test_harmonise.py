"""Harmonisation: comparators, comparison labels, trends, retired codes and latest flags."""

from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline import harmonise, stats
from landscape_pipeline_tests.factories import indicator_rows

COVENTRY, WEST_MIDLANDS, ENGLAND, DUNDEE, SCOTLAND = "E08000026", "E12000005", "E92000001", "S12000042", "S92000003"
TAYSIDE, FIFE, NHS_FIFE, GLASGOW, GGC = "S08000030", "S12000047", "S08000029", "S12000049", "S08000031"


def _row(area: str, value: float, lower: float, upper: float, **extra) -> dict:
    return {"area_code": area, "value": value, "lower_ci_95": lower, "upper_ci_95": upper, **extra}


def _by_area(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("area_code")


def test_comparators_come_from_the_same_breakdown_of_the_right_nation() -> None:
    frame = indicator_rows([
        _row(COVENTRY, 60, 55, 65), _row(ENGLAND, 50, 49, 51), _row(WEST_MIDLANDS, 58, 56, 60),
        _row(DUNDEE, 40, 35, 45), _row(SCOTLAND, 41, 40, 42),
        _row(ENGLAND, 10, 9, 11, sex="Male"),
    ])
    table = _by_area(harmonise.harmonise([frame]).query("sex == 'Persons'"))
    assert table.loc[COVENTRY, "comparator_code"] == ENGLAND and table.loc[COVENTRY, "comparator_value"] == 50
    assert table.loc[COVENTRY, "comparison"] == "Better"  # high is good, CI above England
    assert table.loc[COVENTRY, "region_code"] == WEST_MIDLANDS and table.loc[COVENTRY, "region_value"] == 58
    assert table.loc[COVENTRY, "region_comparison"] == "Similar"
    assert table.loc[DUNDEE, "comparator_code"] == SCOTLAND and table.loc[DUNDEE, "comparison"] == "Similar"
    assert table.loc[DUNDEE, "region_code"] == TAYSIDE and pd.isna(table.loc[DUNDEE, "region_value"])
    assert pd.isna(table.loc[ENGLAND, "comparator_code"]) and pd.isna(table.loc[ENGLAND, "comparison"])
    assert table.loc[WEST_MIDLANDS, "comparator_code"] == ENGLAND


def test_labels_follow_the_official_rule_vectorised() -> None:
    frame = indicator_rows([
        _row(COVENTRY, 60, 55, 65, polarity="Low is good"), _row(ENGLAND, 50, 49, 51, polarity="Low is good"),
        _row("E08000025", 52, 50, 54, polarity="Low is good"), _row("E08000027", 45, 44, 50, polarity="Low is good"),
    ])
    table = _by_area(harmonise.harmonise([frame]))
    for code in (COVENTRY, "E08000025", "E08000027"):
        row = table.loc[code]
        assert row["comparison"] == stats.compare(row["value"], row["lower_ci_95"], row["upper_ci_95"], 50,
                                                  "Low is good")
    assert table.loc["E08000027", "comparison"] == "Similar"  # 50 is on the upper edge: inclusive


def test_publisher_labels_are_kept() -> None:
    frame = indicator_rows([_row(COVENTRY, 60, 55, 65, comparison="Worse", recent_trend="Increasing"),
                            _row(ENGLAND, 50, 49, 51)])
    table = _by_area(harmonise.harmonise([frame]))
    assert table.loc[COVENTRY, "comparison"] == "Worse"
    assert table.loc[COVENTRY, "recent_trend"] == "Increasing"


def test_trend_is_computed_for_annual_series_and_latest_flagged() -> None:
    rows = [_row(COVENTRY, 50 + 3 * i, 49.5 + 3 * i, 50.5 + 3 * i, period_label=str(2018 + i),
                 period_start=f"{2018 + i}-01-01", period_end=f"{2018 + i}-12-31") for i in range(6)]
    table = harmonise.harmonise([indicator_rows(rows)])
    assert set(table["recent_trend"]) == {"Increasing and getting better"}
    assert table.loc[table["is_latest"], "period_label"].tolist() == ["2023"]


def test_rolling_periods_cannot_have_a_trend() -> None:
    rows = [_row(COVENTRY, 50 + 3 * i, 49 + 3 * i, 51 + 3 * i, period_label=f"{2016 + i} - {18 + i}",
                 period_start=f"{2016 + i}-01-01", period_end=f"{2018 + i}-12-31", value_type="DSR")
            for i in range(6)]
    table = harmonise.harmonise([indicator_rows(rows)])
    assert set(table["recent_trend"]) == {"Cannot be calculated"}


def test_retired_code_moves_to_successor_with_a_note_and_duplicates_collapse() -> None:
    frame = indicator_rows([_row("E08000020", 30, 28, 32), _row(ENGLAND, 30, 29, 31), _row(ENGLAND, 30, 29, 31)])
    table = harmonise.harmonise([frame])
    assert sorted(table["area_code"]) == ["E08000037", ENGLAND]
    moved = table.loc[table["area_code"].eq("E08000037")].iloc[0]
    assert moved["area_name"] == "Gateshead" and "E08000020" in moved["attribution_note"]


def test_empty_input_gives_an_empty_conformed_table() -> None:
    assert harmonise.harmonise([]).empty


def test_scottish_council_areas_are_compared_with_their_nhs_board() -> None:
    frame = indicator_rows([
        _row(DUNDEE, 40, 38, 42), _row(TAYSIDE, 45, 44, 46), _row(SCOTLAND, 41, 40.5, 41.5),
        _row(GLASGOW, 30, 29, 31), _row(GGC, 33, 32.5, 33.5),
        _row(FIFE, 50, 48, 52), _row(NHS_FIFE, 50, 48, 52),
    ])
    table = _by_area(harmonise.harmonise([frame]))
    assert (table.loc[DUNDEE, "region_code"], table.loc[DUNDEE, "region_value"]) == (TAYSIDE, 45)
    assert table.loc[DUNDEE, "region_comparison"] == "Worse" and table.loc[DUNDEE, "comparison"] == "Similar"
    assert (table.loc[GLASGOW, "region_code"], table.loc[GLASGOW, "region_comparison"]) == (GGC, "Worse")
    # NHS Fife covers Fife council only: the board is the area itself, so it is not compared with itself
    assert table.loc[FIFE, "region_value"] == 50 and table.loc[FIFE, "region_comparison"] == "Not compared"
    assert pd.isna(table.loc[TAYSIDE, "region_code"]) and table.loc[TAYSIDE, "comparator_code"] == SCOTLAND


def test_a_value_attributed_from_the_board_is_not_compared_with_it() -> None:
    frame = indicator_rows([
        _row(DUNDEE, 45, 44, 46, geography_method="attributed", attribution_note="From NHS Tayside"),
        _row(TAYSIDE, 45, 44, 46), _row(SCOTLAND, 41, 40.5, 41.5),
    ])
    table = _by_area(harmonise.harmonise([frame]))
    assert table.loc[DUNDEE, "region_value"] == 45 and table.loc[DUNDEE, "region_comparison"] == "Not compared"
    assert table.loc[DUNDEE, "comparison"] == "Better"


def test_a_comparison_with_a_synthetic_benchmark_is_marked_synthetic() -> None:
    frame = indicator_rows([
        _row(DUNDEE, 40, 38, 42), _row(TAYSIDE, 45, 44, 46), _row(SCOTLAND, 41, 40.5, 41.5, synthetic=True),
        _row(GLASGOW, 30, 29, 31, indicator_id="other"), _row(SCOTLAND, 41, 40.5, 41.5, indicator_id="other"),
    ])
    table = harmonise.harmonise([frame]).set_index(["indicator_id", "area_code"])
    assert table.loc[("test_indicator", DUNDEE), "synthetic"]  # real value, synthetic comparator
    assert table.loc[("test_indicator", TAYSIDE), "synthetic"]  # the board is compared with Scotland too
    assert table.loc[("test_indicator", SCOTLAND), "synthetic"]
    assert not table.loc[("other", GLASGOW), "synthetic"]


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "", None]), st.sampled_from(["x", "y", None]),
                          st.sampled_from([1.0, 2.0, float("nan")])), min_size=1, max_size=40))
def test_key_codes_equal_exactly_when_rows_are(rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["s", "t", "f"]).astype({"s": "str", "t": "str"})
    codes = harmonise.key_codes(frame, ["s", "t", "f"])
    blank = harmonise.key_codes(frame, ["s", "t"], blank_is_null=["s"])

    def same(a: object, b: object) -> bool:
        return (pd.isna(a) and pd.isna(b)) or a == b

    for i, j in itertools.combinations(range(len(rows)), 2):
        assert (codes[i] == codes[j]) == all(same(a, b) for a, b in zip(rows[i], rows[j], strict=True))
        as_blank = [("" if pd.isna(v) else v) for v in (rows[i][0], rows[j][0])]
        assert (blank[i] == blank[j]) == (as_blank[0] == as_blank[1] and same(rows[i][1], rows[j][1]))


def test_text_held_as_categoricals_stays_so_and_gives_the_same_table(tmp_path) -> None:
    from landscape_pipeline import schema, storage

    first = indicator_rows([_row(COVENTRY, 60, 55, 65), _row(ENGLAND, 50, 49, 51)], source_url="https://a.example")
    second = indicator_rows([_row(DUNDEE, 40, 35, 45), _row(SCOTLAND, 41, 40, 42)], indicator_id="other",
                            indicator_name="Other", source_file="other.csv", source_url="https://b.example")
    paths = [storage.write_indicators(f, tmp_path / f"{i}.parquet") for i, f in enumerate((first, second))]
    coded = harmonise.harmonise(storage.read_indicators(p, dictionary=True) for p in paths)
    plain = harmonise.harmonise(storage.read_indicators(p) for p in paths)
    for column in schema.DICTIONARY_COLUMNS:  # the parts' different categories were merged, not dropped to text
        assert isinstance(coded[column].dtype, pd.CategoricalDtype), column
    assert set(coded["source_url"]) == {"https://a.example", "https://b.example"}
    assert schema.to_arrow(coded).equals(schema.to_arrow(plain))
    by_name = [frame.sort_values("indicator_name", kind="stable")["indicator_id"].tolist() for frame in (coded, plain)]
    assert by_name[0] == by_name[1]  # categories in text order: "Other" after "Test indicator" read first
