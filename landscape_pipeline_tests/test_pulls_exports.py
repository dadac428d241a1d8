"""Pulls and exports an evaluator can use: readers of the folders, formats, safety of --out, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from landscape_pipeline import exports, freeze, paths, pulls
from landscape_pipeline.cli import main
from landscape_pipeline.selection import SelectionError, resolve_areas
from landscape_pipeline_tests.factories import (
    EVALUATOR_AREAS,
    EVALUATOR_INDICATORS,
    build_evaluator_root,
    indicator_rows,
)

FORMULA = "=HYPERLINK(\"http://x\",\"y\")"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five LAs x ten indicators: 2021-22 frozen as 'start', then a build adding 2023."""
    folder = tmp_path_factory.mktemp("evaluator")
    build_evaluator_root(folder, (2021, 2022))
    freeze.freeze(folder, "start", list(EVALUATOR_AREAS), note="programme start")
    build_evaluator_root(folder, (2021, 2022, 2023), step=20)
    return folder


def sheet(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


@pytest.mark.parametrize("folder", ["baselines", "frozen/start"])
def test_pandas_pyarrow_and_duckdb_read_the_folders_as_they_are(root: Path, folder: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    target = root / folder
    expected = 5 * 10 * (3 if folder == "baselines" else 2)
    frame = pd.read_parquet(target)
    assert len(frame) == expected and sorted(frame["area_code"].unique()) == sorted(EVALUATOR_AREAS)
    for partitioning in (None, "hive"):
        table = ds.dataset(target, format="parquet", partitioning=partitioning).to_table()
        assert table.num_rows == expected and str(table.schema.field("area_code").type) == "string"
    count, areas = duckdb.sql(f"select count(*), count(distinct area_code) "
                              f"from read_parquet('{target.as_posix()}/*/*.parquet')").fetchall()[0]
    assert (count, areas) == (expected, 5)


def test_a_rebuild_removes_the_old_hive_folder_of_an_la(tmp_path: Path) -> None:
    legacy = paths.legacy_baseline_dir(tmp_path, "E06000001")
    legacy.mkdir(parents=True)
    (legacy / "baseline.parquet").write_bytes(b"old layout")
    build_evaluator_root(tmp_path, (2022,))
    assert not legacy.exists() and paths.baseline_path(tmp_path, "E06000001").exists()
    assert len(pd.read_parquet(tmp_path / "baselines")) == 5 * 10


def test_pull_filters_and_metadata(root: Path) -> None:
    got = pulls.pull(root, areas=["E08000026", "E06000001"], indicators=["fingertips_22001", "hes_*"],
                     sexes=["Persons"], latest=True)
    assert set(got.rows["area_code"]) == {"E08000026", "E06000001"} and got.rows["is_latest"].all()
    assert set(got.rows["indicator_id"]) == {"fingertips_22001", "hes_admissions_lung_emergency_count",
                                             "hes_admissions_lung_emergency_crude"}
    assert got.metadata["run"] == "run-2023" and got.metadata["synthetic"] is True
    assert got.metadata["frozen_label"] is None and got.metadata["built_at"]
    frozen = pulls.pull(root, areas=["E08000026"], frozen="start")
    assert frozen.metadata["frozen_label"] == "start" and frozen.metadata["run"] == "run-2022"
    assert set(frozen.rows["period_label"]) == {"2021", "2022"}


def test_areas_from_codes_site_and_file_in_order_without_repeats(tmp_path: Path) -> None:
    listing = tmp_path / "areas.txt"
    listing.write_text("# our LAs\nE08000026\n\ne06000002  # lower case is fine\nE08000026\n", encoding="utf-8")
    sites = {"Tees": ["E06000001", "E06000002"]}
    got = resolve_areas(["E09000033"], "Tees", listing, site_lookup=lambda name: sites[name])
    assert got == ["E09000033", "E06000001", "E06000002", "E08000026"]
    table = tmp_path / "areas.csv"
    table.write_text("Name,LAD23CD\nCoventry,E08000026\nAdur,E07000223\n", encoding="utf-8")
    assert resolve_areas(areas_file=table) == ["E08000026", "E07000223"]
    with pytest.raises(SelectionError, match="E0800002"):
        resolve_areas(["E0800002"])
    assert resolve_areas() is None


def test_formulas_are_neutralised_in_csv_json_and_xlsx(tmp_path: Path) -> None:
    frame = indicator_rows([{"area_code": "E06000001", "value": -1.5, "indicator_name": FORMULA,
                             "area_name": "+44 123", "value_note": "@SUM(A1)"}])
    exports.write_export(frame, tmp_path / "x.csv", "csv", metadata={})
    written = pd.read_csv(tmp_path / "x.csv", dtype=str, keep_default_na=False)
    assert written.loc[0, "indicator_name"] == "'" + FORMULA and written.loc[0, "area_name"] == "'+44 123"
    assert written.loc[0, "value"] == "-1.5"  # numbers are numbers, never prefixed
    exports.write_export(frame, tmp_path / "x.json", "json", metadata={"run": "r"})
    body = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert body["data"][0]["value_note"] == "'@SUM(A1)" and body["metadata"]["run"] == "r"
    exports.write_export(frame, tmp_path / "x.xlsx", "xlsx", metadata={"note": "=1+1"}, dictionary=frame,
                         notes=["-danger"])
    data = sheet(tmp_path / "x.xlsx", "data")
    header = data[0]
    assert data[1][header.index("indicator_name")] == "'" + FORMULA and data[1][header.index("value")] == -1.5
    notes = sheet(tmp_path / "x.xlsx", "notes")
    assert ["note", "'=1+1"] in notes and ["note", "'-danger"] in notes


def test_out_must_be_a_file_outside_the_data_root(root: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    base = ["pull", "--area", "E06000001", "--data-dir", str(root), "--format", "csv", "--out"]
    for bad in (str(root / "baselines" / "E06000001" / "baseline.parquet"), str(root / "export.csv"),
                str(tmp_path), str(tmp_path / "new") + "/"):
        before = sorted(p.name for p in root.rglob("*"))
        assert main([*base, bad]) == 2
        assert sorted(p.name for p in root.rglob("*")) == before
    message = capsys.readouterr().err
    assert "inside the data root" in message and "is a folder" in message and "Traceback" not in message
    assert not (tmp_path / "new").exists()


def test_a_failed_export_leaves_the_previous_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "keep.xlsx"
    out.write_bytes(b"previous")

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "xlsx_bytes", broken)
    with pytest.raises(RuntimeError):
        exports.write_export(indicator_rows([{"area_code": "E06000001"}]), out, "xlsx", metadata={})
    assert out.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["keep.xlsx"]


def test_five_las_ten_indicators_baseline_vs_now_in_one_xlsx(root: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "evaluation.xlsx"
    args = ["compare", "--frozen", "start", "--area", *EVALUATOR_AREAS, "--indicator", *EVALUATOR_INDICATORS,
            "--format", "xlsx", "--out", str(out), "--data-dir", str(root)]
    assert main(args) == 0
    assert "50 series compared with 'start'" in capsys.readouterr().err
    data = sheet(out, "data")
    header, body = data[0], data[1:]
    assert len(body) == 50
    for column in ("baseline_period", "baseline_value", "current_period", "current_value", "abs_change",
                   "abs_change_lower_95", "rel_change_pct", "test", "p_value", "significant", "flags"):
        assert column in header
    by_key = {(r[header.index("indicator_id")], r[header.index("area_code")]): r for r in body}
    rate = by_key[("fingertips_91355", "E06000001")]
    assert rate[header.index("p_value")] == pytest.approx(0.0172) and rate[header.index("significant")] is True
    indicators = sheet(out, "indicators")
    assert len(indicators) == 11 and "definition" in indicators[0]
    notes = dict((r[0], r[1]) for r in sheet(out, "notes") if r[0] != "note")
    assert notes["frozen_label"] == "start" and notes["synthetic"] is True and notes["run"] == "run-2023"


def test_pull_cli_json_envelope_and_catalogue(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "areas.txt"
    listing.write_text("E06000001\nE09000033\n", encoding="utf-8")
    assert main(["pull", "--areas-file", str(listing), "--indicator", "fingertips_40501", "--latest",
                 "--format", "json", "--data-dir", str(root)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert {"built_at", "run", "frozen_label", "synthetic"} <= set(body["metadata"])
    assert len(body["data"]) == 2 and body["indicators"][0]["ci_method"].startswith("Publisher's: Dobson")
    assert body["data"][0]["value"] == round(body["data"][0]["value"], 1)  # rounded to the publisher's precision
    out = tmp_path / "catalogue.parquet"
    assert main(["catalogue", "--format", "parquet", "--out", str(out), "--data-dir", str(root)]) == 0
    assert "fingertips_one_year_net_survival" in set(pq.read_table(out).column("indicator_id").to_pylist())


def test_freeze_list_and_clear_errors_for_missing_or_bad_labels(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["freeze", "--list", "--data-dir", str(root)]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("start") and "5 areas" in listed and "programme start" in listed
    assert main(["freeze", "--label", "nope", "--verify", "--data-dir", str(root)]) == 2  # usage: no such set
    err = capsys.readouterr().err
    assert "No frozen baseline set called 'nope'" in err and "start" in err and "Errno" not in err
    assert main(["freeze", "--label", "ok\n", "--data-dir", str(root)]) == 2
    assert "not a valid label" in capsys.readouterr().err and not (root / "frozen" / "ok\n").exists()
    assert main(["compare", "--frozen", "nope", "--data-dir", str(root)]) == 2
    assert "No frozen baseline set called 'nope'" in capsys.readouterr().err
    assert main(["freeze", "--data-dir", str(root)]) == 2
    assert freeze.verify(root, "start") == []


def test_a_count_that_breaks_its_sources_disclosure_rule_is_never_exported() -> None:
    from landscape_pipeline.export_guard import DisclosureRefusal, check_publishable

    safe = indicator_rows([{"area_code": "E06000001", "source_id": "hes", "count": 10.0},
                           {"area_code": "E06000002", "source_id": "fingertips", "count": 3.0}])
    check_publishable(safe)  # fingertips publishes its own, already controlled, counts
    leaking = indicator_rows([{"area_code": "E06000001", "source_id": "hes", "count": 4.0}])
    with pytest.raises(DisclosureRefusal, match=r"hes.*E06000001"):
        check_publishable(leaking)
    compared = pd.DataFrame({"source_id": ["hes"], "indicator_id": ["x"], "area_code": ["E06000001"],
                             "baseline_count": [15.0], "current_count": [12.0]})
    with pytest.raises(DisclosureRefusal, match="not rounded to 5"):
        check_publishable(compared)


def test_a_workbook_is_stamped_with_its_build_time_so_a_rebuild_is_byte_identical() -> None:
    import io
    import time
    import zipfile

    frame = pd.DataFrame({"value": [1.5, 2.0], "note": ["ok", "=HYPERLINK()"]})
    built = {"built_at": "2026-01-02T03:04:05+00:00"}
    first, unstamped = exports.xlsx_bytes(frame, built), exports.xlsx_bytes(frame, {})
    time.sleep(1.1)  # XlsxWriter stamps the clock's time to the second when no time is given
    assert exports.xlsx_bytes(frame, built) == first
    assert exports.xlsx_bytes(frame, {}) != unstamped  # control: unstamped workbooks differ a second later
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-02T03:04:05Z</dcterms:created>' in core
