"""``landscape map init/check/schema/template`` and ``landscape freeze --site``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from landscape_pipeline import baselines, freeze
from landscape_pipeline.cli import main
from landscape_pipeline.mapping import SCHEMA_PATH
from landscape_pipeline.sources.jsna.xlsx import write_xlsx
from landscape_pipeline_tests.factories import indicator_rows

CSV = ("Area Code,Area Name,Indicator,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator\n"
       "E08000026,Coventry,Smoking in pregnancy,2022/23,9.1,8.2,10.1,300,3297\n"
       "E06000047,County Durham,Smoking in pregnancy,2022/23,12.0,11.0,13.1,540,4500\n")


def _fill_todos(path: Path) -> None:
    """Replace the draft's TODOs as an analyst would."""
    draft = yaml.safe_load(path.read_text(encoding="utf-8"))
    draft.update(title="Smoking in pregnancy", publisher="A council", disclosure="none")
    draft["geography"]["vintage"] = 2023
    for rule in draft["indicators"]:
        rule.update(definition="Mothers smoking at delivery.", unit="%", value_type="proportion",
                    polarity="Low is good")
    path.write_text(yaml.safe_dump(draft, sort_keys=False), encoding="utf-8")


def test_init_drafts_with_todos_that_check_refuses_until_they_are_replaced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "smoking.csv").write_text(CSV, encoding="utf-8")
    assert main(["map", "init", str(tmp_path / "smoking.csv")]) == 0
    draft = yaml.safe_load((tmp_path / "mapping.yaml").read_text(encoding="utf-8"))
    assert draft["columns"] == {"area_code": "Area Code", "area_name": "Area Name", "indicator": "Indicator",
                                "period": "Time period", "value": "Value", "count": "Count",
                                "denominator": "Denominator", "lower_ci_95": "Lower CI 95.0 limit",
                                "upper_ci_95": "Upper CI 95.0 limit"}
    assert draft["period"] == {"format": "financial_year"} and draft["geography"]["level"] == "la"
    assert draft["indicators"][0]["match"] == "Smoking in pregnancy"
    assert "TODO(s) to replace" in capsys.readouterr().err

    assert main(["map", "check", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    lines = (tmp_path / "mapping.yaml").read_text(encoding="utf-8").splitlines()
    title = next(i for i, text in enumerate(lines, start=1) if text.startswith("title:"))
    assert f"mapping.yaml, line {title}: title is still a draft" in error and "replace the TODO" in error

    _fill_todos(tmp_path / "mapping.yaml")
    assert main(["map", "check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[ok]" in out and "2 rows, 1 indicator(s), 2 area(s), 1 period(s)" in out and "nothing was written" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.yaml", "smoking.csv"]

    assert main(["map", "init", str(tmp_path / "smoking.csv")]) == 1
    assert "already exists; pass --force" in capsys.readouterr().err


def test_check_names_the_bad_row_of_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "smoking.csv").write_text(CSV.replace("12.0,11.0", "12.0,12.5"), encoding="utf-8")
    assert main(["map", "init", str(tmp_path / "smoking.csv")]) == 0
    _fill_todos(tmp_path / "mapping.yaml")
    assert main(["map", "check", str(tmp_path)]) == 1
    assert ("smoking.csv, row 2 (line 3), column 'Lower CI 95.0 limit': the lower 95% limit 12.5 is above the value"
            in capsys.readouterr().err)


def test_init_finds_the_header_below_title_rows_of_a_wide_excel_sheet(tmp_path: Path) -> None:
    grid = [["Table 3: Cancer deaths"], ["Source: example"], [], ["Area code", "Area name", 2021, 2022, 2023],
            ["E08000026", "Coventry", 800, 790, 812]]
    write_xlsx(tmp_path / "deaths.xlsx", grid, sheet="Table 3")
    assert main(["map", "init", str(tmp_path / "deaths.xlsx"), "--out", str(tmp_path / "draft.yaml")]) == 0
    draft = yaml.safe_load((tmp_path / "draft.yaml").read_text(encoding="utf-8"))
    assert draft["reader"] == {"file": "deaths.xlsx", "sheet": "Table 3", "header_row": 4}
    assert draft["shape"] == {"kind": "wide", "columns": ["2021", "2022", "2023"], "headers_are": "period"}
    assert draft["period"]["format"] == "year" and draft["columns"]["area_code"] == "Area code"


def test_check_of_a_bundled_extract_passes_and_schema_prints_the_shipped_schema(
        capsys: pytest.CaptureFixture[str]) -> None:
    from landscape_pipeline import paths

    assert main(["map", "check", str(paths.data_sources_dir() / "jsna" / "greater_manchester_registrations")]) == 0
    assert "49 rows, 1 indicator(s), 10 area(s), 5 period(s), 1 suppressed" in capsys.readouterr().out
    assert main(["map", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_template_copies_the_monitoring_return_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "jsna" / "monitoring_2026"
    assert main(["map", "template", str(target)]) == 0
    assert sorted(p.name for p in target.iterdir()) == ["mapping.yaml", "monitoring_return.csv"]
    assert main(["map", "template", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_freeze_site_freezes_its_las_labelled_with_its_start(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    table = indicator_rows([{"area_code": "E08000026", "value": 1.0}, {"area_code": "S12000042", "value": 2.0}])
    baselines.write_baselines(table, ["E08000026", "S12000042"], tmp_path)
    assert main(["freeze", "--site", "coventry", "--data-dir", str(tmp_path)]) == 0
    manifest = freeze.read_manifest(tmp_path, "coventry-start-2025-04-01")
    assert list(manifest["files"]) == ["E08000026"]
    assert manifest["site"] == {"id": "coventry", "name": "Coventry", "start_date": "2025-04-01"}
    assert main(["freeze", "--site", "Atlantis", "--data-dir", str(tmp_path)]) == 2
    assert "No site called 'Atlantis'" in capsys.readouterr().err
    assert main(["freeze", "--data-dir", str(tmp_path)]) == 2
    assert "give --label NAME, or --site NAME" in capsys.readouterr().err
