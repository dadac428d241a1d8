"""The shared reading rules: blanks and tokens, header variants, synonyms, Excel, errors with row and line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import (
    find_columns,
    map_labels,
    normalise,
    numbers,
    read_table,
    require_rows,
    synonym_table,
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_whitespace_and_tokens_are_missing(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", "Code,Value\nE1, \nE2,NA\nE3,12\n")
    table = read_table(path)
    assert table.frame["Value"].isna().tolist() == [True, True, False]


def test_title_rows_are_skipped_and_lines_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "Mid-2020 estimates\n\nCode,Name,Count\nE1,One,5\nE2,Two,abc\n")
    table = read_table(path, find_header=["code", "NAME"])
    assert table.header_line == 3
    with pytest.raises(SourceDataError, match=r"t\.csv, row 2 \(line 5\), column 'Count': 'abc' is not a number"):
        numbers(table, "Count")


def test_header_variants_and_synonyms(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "AREA  code,SEX\nE1,Females\nE2,male\nE3,All\n")
    table = read_table(path)
    columns = find_columns(table, {"area": ["Area Code", "ladcode"], "sex": ["Sex"], "age": ["Age"]},
                           optional=["age"])
    assert columns == {"area": "AREA  code".replace("  ", " "), "sex": "SEX"}
    sexes = synonym_table({"Persons": ["All", "Persons"], "Male": ["Males", "M"], "Female": ["Females", "F"]})
    assert map_labels(table, "SEX", sexes, what="sex").tolist() == ["Female", "Male", "Persons"]
    assert normalise(" Local  Authority-Code ") == "localauthoritycode"


def test_unknown_label_and_missing_column_name_what_to_fix(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, "u.csv", "Sex\nMale\nBoth\n"))
    with pytest.raises(SourceDataError, match=r"row 2 \(line 3\), column 'Sex': sex 'Both'"):
        map_labels(table, "Sex", synonym_table({"Male": []}), what="sex")
    with pytest.raises(SourceDataError, match="missing area"):
        find_columns(table, {"area": ["Area Code"]})


def test_suppression_markers_and_bad_numbers(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, "n.csv", "v\n\"1,234\"\n[c]\n-3\n"))
    with pytest.raises(SourceDataError, match="negative"):
        numbers(table, "v", suppression=["[c]"])
    values, suppressed = numbers(table, "v", suppression=["[c]"], allow_negative=True)
    assert values.tolist()[0] == 1234 and suppressed.tolist() == [False, True, False]


def test_broken_containers_are_sentences(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "bad.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n")[:15])
    (tmp_path / "page.csv").write_text("<!DOCTYPE html><html>Sign in</html>")
    for name in ("bad.zip", "bad.csv.gz", "page.csv"):
        with pytest.raises(SourceDataError, match=name.replace(".", r"\.")):
            read_table(tmp_path / name)
    with pytest.raises(SourceDataError, match="more cells than the header"):
        read_table(_write(tmp_path, "wide.csv", "a,b\n1,2,3\n"))
    header_only = read_table(_write(tmp_path, "h.csv", "a,b\n"))
    with pytest.raises(SourceDataError, match="no data rows"):
        require_rows(header_only)


def test_reads_a_real_workbook_sheet(reference_data: Path) -> None:
    path = reference_data / "imd" / "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
    table = read_table(path, sheet="imd")
    assert table.sheet == "IMD" and len(table.frame) == 317
    columns = find_columns(table, {"code": ["Local Authority District code (2019)"]})
    assert table.frame[columns["code"]].str.match(r"^E0[6-9]\d{6}$").all()
