"""Reading a mapped extract: long and wide shapes, CSV and Excel, tokens, and bad files named by row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.mapping import YamlFileError, build_frame
from landscape_pipeline.sources.jsna.xlsx import write_xlsx
from landscape_pipeline_tests.factories import LONG_MAPPING, mapped_folder

HEADER = "code,indicator,period,value,lower,upper\n"
ROWS = ("E08000026,Bowel screening,2022,70.1,69.0,71.2\n"
        "E08000026,Bowel screening,2023,71.4,70.3,72.5\n"
        "E06000047,Bowel screening,2023,68.0,66.9,69.1\n")
WITH_LIMITS = LONG_MAPPING.replace("  value: value", "  value: value\n  lower_ci_95: lower\n  upper_ci_95: upper")


def _build(tmp_path: Path, data: str, mapping: str = WITH_LIMITS, name: str = "data.csv") -> pd.DataFrame:
    folder = mapped_folder(tmp_path / "extract", mapping.replace("file: data.csv", f"file: {name}"), {name: data})
    return build_frame(folder, "jsna_test")


def _refused(tmp_path: Path, data: str, mapping: str = WITH_LIMITS) -> SourceDataError:
    with pytest.raises(SourceDataError) as caught:
        _build(tmp_path, data, mapping)
    return caught.value


def test_a_long_csv_becomes_canonical_rows_with_provenance(tmp_path: Path) -> None:
    frame = _build(tmp_path, HEADER + ROWS)
    assert len(frame) == 3 and set(frame["indicator_id"]) == {"local_bowel"}
    first = frame.iloc[0]
    assert (first["area_code"], first["area_name"], first["period_label"]) == ("E08000026", "Coventry", "2022")
    assert (first["value"], first["lower_ci_95"], first["upper_ci_95"]) == (70.1, 69.0, 71.2)
    assert (first["sex"], first["age"], first["value_type"], first["polarity"]) == (
        "Persons", "All ages", "proportion", "High is good")
    assert frame["source_row"].tolist() == [1, 2, 3] and (frame["source_file"] == "data.csv").all()
    assert len(frame["source_sha256"].iloc[0]) == 64 and not frame["synthetic"].any()


@pytest.mark.parametrize(("bad_row", "column", "expected"), [
    ("E08000026,Breast screening,2024,70.1,69.0,71.2", "indicator",
     "'Breast screening' matches no indicator rule in mapping.yaml; add a rule with match: 'Breast screening'"),
    ("E08000026,Bowel screening,20x4,70.1,69.0,71.2", "period", "'20x4' is not a year period"),
    ("E08999999,Bowel screening,2024,70.1,69.0,71.2", "code",
     "'E08999999' is not a local authority, region or nation code known in the 2023 vintage"),
    (",Bowel screening,2024,70.1,69.0,71.2", "code", "the cell is empty; every row needs its area code"),
    ("E08000026,Bowel screening,2024,seventy,69.0,71.2", "value", "'seventy' is not a number"),
    ("E08000026,Bowel screening,2024,70.1,70.5,71.2", "lower", "the lower 95% limit 70.5 is above the value"),
    ("E08000026,Bowel screening,2024,70.1,69.0,69.2", "upper", "the upper 95% limit 69.2 is below the value"),
    ("E08000026,Bowel screening,2022,70.1,69.0,71.2", "code", "repeats row 1 (line 2): same indicator, area, period"),
])
def test_a_bad_row_refuses_the_file_naming_file_row_line_and_column(tmp_path: Path, bad_row: str, column: str,
                                                                    expected: str) -> None:
    error = _refused(tmp_path, HEADER + ROWS + bad_row + "\n")
    assert str(error).startswith(f"data.csv, row 4 (line 5), column '{column}': "), str(error)
    assert expected in str(error)


def test_codes_must_exist_in_the_declared_vintage(tmp_path: Path) -> None:
    buckinghamshire = HEADER + "E06000060,Bowel screening,2023,70.1,69.0,71.2\n"  # created April 2020
    assert len(_build(tmp_path / "a", buckinghamshire)) == 1
    error = _refused(tmp_path / "b", buckinghamshire, WITH_LIMITS.replace("vintage: 2023", "vintage: 2018"))
    assert "'E06000060' is not a local authority, region or nation code known in the 2018 vintage" in str(error)
    aylesbury = HEADER + "E07000004,Bowel screening,2018,70.1,69.0,71.2\n"  # abolished April 2020
    assert len(_build(tmp_path / "c", aylesbury, WITH_LIMITS.replace("vintage: 2023", "vintage: 2018"))) == 1
    assert "'E07000004' is not" in str(_refused(tmp_path / "d", aylesbury))


def test_file_and_mapping_that_do_not_fit_are_named_at_the_mapping_line(tmp_path: Path) -> None:
    renamed = WITH_LIMITS.replace("  value: value", "  value: rate")
    with pytest.raises(YamlFileError) as caught:
        _build(tmp_path / "a", HEADER + ROWS, renamed)
    line = next(i for i, t in enumerate(renamed.splitlines(), 1) if "value: rate" in t)
    assert str(caught.value).startswith(f"mapping.yaml, line {line}: columns.value.column: names column 'rate', "
                                        "which data.csv does not have; its header (line 1) is: 'code'")
    folder = mapped_folder(tmp_path / "b", WITH_LIMITS, {"other.csv": HEADER + ROWS})
    with pytest.raises(YamlFileError, match=r"line 4: reader.file: names 'data.csv', which is not in the mapping's "
                                            r"folder \(it holds: other.csv\)"):
        build_frame(folder, "jsna_test")


def test_suppression_and_missing_tokens_are_told_apart(tmp_path: Path) -> None:
    data = HEADER + ROWS.replace("68.0,66.9,69.1", "*,,") + "E08000026,Bowel screening,2021,..,,\n"
    frame = _build(tmp_path / "a", data).set_index(["area_code", "period_label"])
    assert frame.loc[("E06000047", "2023"), "suppressed"] and np.isnan(frame.loc[("E06000047", "2023"), "value"])
    assert frame.loc[("E08000026", "2021"), "suppressed"]  # '..' is a suppression marker by default
    declared = WITH_LIMITS.replace("  file: data.csv", "  file: data.csv\n  missing_values: ['..']")
    frame = _build(tmp_path / "b", data, declared).set_index(["area_code", "period_label"])
    assert not frame.loc[("E08000026", "2021"), "suppressed"] and np.isnan(frame.loc[("E08000026", "2021"), "value"])
    assert frame.loc[("E06000047", "2023"), "suppressed"]


WIDE = """\
title: Test wide extract
publisher: Test council
reader:
  file: wide.csv
shape:
  kind: wide
  columns_pattern: "\\\\d{4}"
columns:
  area_code: Area code
  indicator: {constant: Bowel screening}
period: {format: year}
geography: {level: la, vintage: 2023}
indicators:
  - match: Bowel screening
    id: local_bowel
    definition: People screened for bowel cancer.
    unit: "%"
    value_type: proportion
    polarity: High is good
disclosure: none
"""


def test_wide_and_long_files_with_the_same_numbers_give_the_same_rows(tmp_path: Path) -> None:
    long = _build(tmp_path / "long", HEADER + ROWS.replace("E06000047,Bowel screening,2023,68.0,66.9,69.1\n", ""))
    wide = build_frame(mapped_folder(tmp_path / "wide", WIDE, {"wide.csv": "Area code,2022,2023\n"
                                                                           "E08000026,70.1,71.4\n"}), "jsna_test")
    same = ["indicator_id", "area_code", "period_label", "period_start", "period_end", "value", "sex", "age"]
    pd.testing.assert_frame_equal(long[same], wide[same])
    assert wide["source_row"].tolist() == [1, 1]


def test_a_wide_excel_sheet_below_title_rows_is_read_and_errors_name_sheet_and_spreadsheet_row(tmp_path: Path) -> None:
    grid = [["Table 1: Bowel screening by local authority"], ["Source: a council"], [],
            ["Area code", "Area name", 2022, 2023], ["E08000026", "Coventry", 70.1, "[c]"],
            ["E06000047", "County Durham", 68.0, 69.5]]
    mapping = WIDE.replace("file: wide.csv", "file: screening.xlsx\n  sheet: Table 1\n  find_header: [Area code]")
    folder = mapped_folder(tmp_path / "x", mapping, {})
    write_xlsx(folder / "screening.xlsx", grid, sheet="Table 1")
    frame = build_frame(folder, "jsna_test").set_index(["area_code", "period_label"])
    assert len(frame) == 4 and frame.loc[("E08000026", "2023"), "suppressed"]
    assert frame.loc[("E06000047", "2023"), "value"] == 69.5
    grid[5][3] = "n/k"
    write_xlsx(folder / "screening.xlsx", grid, sheet="Table 1")
    with pytest.raises(SourceDataError) as caught:
        build_frame(folder, "jsna_test")
    assert str(caught.value) == ("screening.xlsx (sheet 'Table 1'), row 2 (line 6), column '2023': 'n/k' is not a "
                                 "number.")


def test_a_wide_header_that_is_not_a_period_is_named_at_the_header_line(tmp_path: Path) -> None:
    mapping = WIDE.replace('  columns_pattern: "\\\\d{4}"', "  columns: ['2022', 'Latest']")
    folder = mapped_folder(tmp_path, mapping, {"wide.csv": "Area code,2022,Latest\nE08000026,70.1,71.4\n"})
    with pytest.raises(SourceDataError) as caught:
        build_frame(folder, "jsna_test")
    assert str(caught.value).startswith("wide.csv, line 1, column 'Latest': 'Latest' is not a year period")


def test_value_maps_and_scale_convert_the_files_words_and_units(tmp_path: Path) -> None:
    mapping = WITH_LIMITS.replace("  value: value", "  value: value\n  sex:\n    column: who\n"
                                  "    map: {Women: Female, Men: Male}").replace(
        "    value_type: proportion", "    value_type: proportion\n    scale: 100")
    data = "code,indicator,period,value,lower,upper,who\nE08000026,Bowel screening,2022,0.701,0.69,0.712,Women\n"
    frame = _build(tmp_path / "a", data, mapping)
    assert frame.loc[0, "sex"] == "Female" and frame.loc[0, "value"] == pytest.approx(70.1)
    assert frame.loc[0, "upper_ci_95"] == pytest.approx(71.2)
    error = _refused(tmp_path / "b", data.replace("Women", "Everyone"), mapping)
    assert "column 'who'" in str(error) and "'Everyone' is not one this source knows" in str(error)
