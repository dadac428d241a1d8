"""The `landscape` CLI: exit codes 0 (clean), 1 (bad data), 2 (usage), and readable reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from landscape_pipeline import paths
from landscape_pipeline.cli import main


def _fingertips_copy(tmp_path: Path) -> Path:
    source = sorted((paths.data_sources_dir() / "fingertips").glob("fingertips_40501_counties*.csv"))[0]
    folder = tmp_path / "fingertips"
    folder.mkdir()
    return Path(shutil.copy(source, folder / source.name))


def _break_field(path: Path, data_row: int, column_index: int, value: str) -> None:
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    rows[data_row][column_index] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def test_validate_bundled_sources_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "[ok] fingertips" in out and "FAILED" not in out


def test_validate_names_file_row_and_column_of_a_lower_limit_above_the_value(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fingertips_copy(tmp_path)
    _break_field(path, 12, 13, "99999")  # column 14 = "Lower CI 95.0 limit", data row 12
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path.name}, row 12, column 'Lower CI 95.0 limit'" in out


def test_validate_names_an_unknown_area_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fingertips_copy(tmp_path)
    _break_field(path, 20, 4, "E06999999")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path.name}, row 20, column 'Area Code'" in out and "E06999999" in out


def test_validate_reports_unparsable_numbers_as_a_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fingertips_copy(tmp_path)
    _break_field(path, 7, 12, "twelve")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert path.name in out and "row 7" in out and "Value" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("argv", [
    ["validate", "does/not/exist.csv"],
    ["validate", "--source", "nope", "x.csv"],
    ["baseline", "--area", "E06000001", "--format", "parquet"],
    ["build", "--area", "E07000026"],
    ["summary", "--area", "E12000001"],
])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_argparse_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_unknown_file_needs_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stray = tmp_path / "mystery.csv"
    stray.write_text("a,b\n1,2\n")
    assert main(["validate", str(stray)]) == 2
    assert "pass --source" in capsys.readouterr().err


def test_sources_and_schema_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources"]) == 0
    assert "fingertips" in capsys.readouterr().out
    assert main(["schema"]) == 0
    assert "`indicator_id`" in capsys.readouterr().out
