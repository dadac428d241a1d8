"""Tests of the reviewed corrections table: applied only from the table, reported wherever used."""

from __future__ import annotations

from pathlib import Path

import pytest

from landscape_pipeline import corrections
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import read_table

HEADER = ",".join(corrections.FIELDS) + "\n"


def table_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "corrections.csv"
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows))
    return path


def data_file(tmp_path: Path, name: str = "File_10_x.csv") -> Path:
    path = tmp_path / name
    path.write_text("Area Code ,Value\nE0600001,1\nE06000002,2\nE0600001,3\n")
    return path


def test_the_packaged_table_is_valid_and_reviewed():
    for entry in corrections.load_corrections():
        assert entry.reviewed_by and entry.reason and entry.wrong_value != entry.correct_value


def test_a_matching_correction_mends_every_such_cell_and_reports_where(tmp_path):
    table = table_file(tmp_path, "imd,file_10_*.csv,area code,E0600001,E06000001,one digit short,R. Viewer,2026-12-01",
                       "imd,File_11_*.csv,Area Code,E06000002,E06000099,other file,R. Viewer,2026-12-01",
                       "phs,File_10_*.csv,Area Code,E06000002,E06000099,other source,R. Viewer,2026-12-01")
    raw = read_table(data_file(tmp_path))
    applied = corrections.apply_corrections(raw, "imd", path=table)
    assert raw.frame["Area Code"].tolist() == ["E06000001", "E06000002", "E06000001"]
    assert [(a.row, a.line, a.column) for a in applied] == [(1, 2, "Area Code"), (3, 4, "Area Code")]
    notes = corrections.notes_by_row(applied)
    assert set(notes) == {0, 2} and "'E0600001' read as 'E06000001' (one digit short; reviewed by R. Viewer on " \
        "2026-12-01)" in notes[0]
    (first, _) = corrections.report(applied)
    assert first == {"file": "File_10_x.csv", "sheet": None, "row": 1, "line": 2, "column": "Area Code",
                     "wrong_value": "E0600001", "correct_value": "E06000001", "reason": "one digit short",
                     "reviewed_by": "R. Viewer", "reviewed_on": "2026-12-01"}


def test_nothing_is_mended_without_an_exact_match(tmp_path):
    table = table_file(tmp_path, "imd,File_10_*.csv,Area Code,E060000,E06000001,prefix only,R. Viewer,2026-12-01")
    raw = read_table(data_file(tmp_path))
    assert corrections.apply_corrections(raw, "imd", path=table) == []
    assert raw.frame["Area Code"].tolist() == ["E0600001", "E06000002", "E0600001"]


@pytest.mark.parametrize(("row", "column"), [
    ("imd,File_10_*.csv,Area Code,E0600001,E06000001,one digit short,,2026-12-01", "reviewed_by"),
    ("imd,File_10_*.csv,Area Code,E0600001,E06000001,one digit short,R. Viewer,yesterday", "reviewed_on"),
    ("imd,File_10_*.csv,Area Code,E0600001,E0600001,no change,R. Viewer,2026-12-01", "correct_value"),
])
def test_an_unreviewed_or_empty_entry_is_refused_naming_its_row_and_column(tmp_path, row, column):
    with pytest.raises(SourceDataError) as caught:
        corrections.load_corrections(table_file(tmp_path, row))
    assert (caught.value.row, caught.value.line, caught.value.column) == (1, 2, column)
