"""End to end: the README build on the bundled data, then what evaluators and CI rely on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from landscape_pipeline import geography, paths
from landscape_pipeline.cli import main
from landscape_pipeline.provenance import describe_file
from landscape_pipeline.storage import read_indicators, read_metadata

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run `landscape build` once over every source and all 382 LAs; return the data root."""
    base = tmp_path_factory.mktemp("e2e")
    root, home = base / "data", base / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home))
        mp.setenv("LANDSCAPE_DATA_DIR", str(root))
        mp.delenv("LANDSCAPE_LIVE_SOURCES", raising=False)
        assert main(["build"]) == 0
    return root


def _baseline(root: Path, code: str) -> pd.DataFrame:
    return read_indicators(paths.baseline_path(root, code))


def _any_synthetic(source_id: str, source_file: str) -> bool:
    """Return True when any file a row names is synthetic by its bundled provenance."""
    files = [paths.data_sources_dir() / source_id / name for name in str(source_file).split("; ")]
    return any(describe_file(f).synthetic for f in files if f.is_file())


def test_every_current_la_has_a_partition(built: Path) -> None:
    folders = sorted(p.name for p in (built / "baselines").iterdir())
    assert folders == geography.partition_keys()
    assert len(folders) == 382


def test_baselines_read_as_one_dataset(built: Path) -> None:
    dataset = ds.dataset(built / "baselines", format="parquet")
    table = dataset.to_table(filter=ds.field("area_code") == "E08000026")
    assert table.num_rows > 0
    assert pd.read_parquet(built / "baselines", columns=["area_code"])["area_code"].nunique() > 300


def test_catalogue_declares_every_indicator_and_figures_are_rounded_once(built: Path) -> None:
    catalogue = pd.read_parquet(paths.catalogue_path(built))
    assert paths.catalogue_path(built, ".csv").exists() and paths.catalogue_path(built, ".html").exists()
    in_data = catalogue[catalogue["in_data"]]
    assert in_data["declared"].all(), in_data.loc[~in_data["declared"], "indicator_id"].tolist()
    assert {"fingertips_one_year_net_survival", "fingertips_stage_1_2_diagnosis"} <= set(in_data["indicator_id"])
    for column in ("definition", "numerator", "denominator", "ci_method", "cadence", "publisher", "disclosure_rule"):
        assert in_data[column].fillna("").str.len().gt(0).all(), column
    table = read_indicators(paths.indicators_path(built))
    places = table["indicator_id"].map(catalogue.set_index("indicator_id")["decimals"])
    for column in ("value", "lower_ci_95", "upper_ci_95"):
        scaled = table[column] * 10.0 ** places
        assert ((scaled - scaled.round()).abs().dropna() < 1e-6).all(), column


@pytest.mark.parametrize(("code", "comparator"), [
    ("E08000026", geography.ENGLAND), ("E10000014", geography.ENGLAND), ("S12000042", geography.SCOTLAND),
])
def test_named_las_hold_cancer_indicators_compared_with_their_nation(built: Path, code: str, comparator: str) -> None:
    frame = _baseline(built, code)
    assert not frame.empty
    assert set(frame["area_code"]) == {code}
    compared = frame.loc[frame["comparator_code"].notna()]
    assert set(compared["comparator_code"]) == {comparator}
    assert compared["comparator_value"].notna().mean() > 0.5
    assert frame["comparison"].isin(["Better", "Similar", "Worse", "Higher", "Lower"]).any()
    assert frame["is_latest"].any()
    # synthetic is derived from the inputs: a row built from a file its provenance marks synthetic is flagged
    from_synthetic = [_any_synthetic(s, f) for s, f in zip(frame["source_id"], frame["source_file"], strict=True)]
    assert frame.loc[from_synthetic, "synthetic"].all(), "bundled synthetic data must be flagged synthetic"
    real = frame["source_id"].eq("simd")  # SIMD's bundled files are real (data_sources/simd/provenance.json)
    imd = frame["source_id"].eq("imd")  # the real IoD2019 File 10, weighted by its own published denominators
    # ONS mid-2020 is real (the MYE2 sheets), and so are England's and the region's figures it is compared with
    real |= frame["indicator_id"].str.startswith("ons_population") & frame["period_label"].eq("2020")
    assert real.any() and not frame.loc[real | imd, "synthetic"].any(), \
        "rows from real files compared with real ones are not synthetic"
    if code == "E08000026":  # unchanged since 2019: its IMD rows come from File 10 itself
        assert imd.sum() == 4
    meta = read_metadata(paths.baseline_path(built, code))
    assert meta["synthetic"] is True and any("SYNTHETIC" in n for n in meta["notes"])


@pytest.mark.parametrize(("code", "board"), [("S12000042", "S08000030"), ("S12000047", "S08000029"),
                                           ("S12000049", "S08000031")])
def test_scottish_sites_have_every_theme_compared_with_scotland_and_board(built: Path, code: str, board: str) -> None:
    latest = _baseline(built, code).query("is_latest").set_index("indicator_id")
    for indicator in ("scotpho_cancer_registrations", "scotpho_early_deaths_cancer_under75",
                      "scotpho_bowel_screening_uptake", "simd_overall_pop_most_deprived_20pct",
                      "phs_eol_home_community_last_6_months"):
        row = latest.loc[indicator]
        assert pd.notna(row["value"]) and pd.notna(row["comparator_value"]) and row["comparison"], indicator
        assert row["region_code"] == board and pd.notna(row["region_value"]), indicator


@pytest.mark.parametrize("code", ["S12000042", "S12000047", "S12000049"])
def test_scottish_sites_carry_hace_and_list_their_local_evidence(built: Path, code: str) -> None:
    from landscape_pipeline.evidence import read_register

    hace = _baseline(built, code).query("source_id == 'hace_2023_24' and category != category")
    assert hace["indicator_id"].nunique() == 11 and hace["comparator_value"].notna().all()
    listed = read_metadata(paths.baseline_path(built, code))["evidence"]
    assert listed and [e["id"] for e in listed] == [e.id for e in read_register().covering(code)]
    assert all(e["date"] and e["title"] for e in listed)


def test_cli_prints_coventry_baseline_as_csv(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--area", "E08000026", "--format", "csv", "--data-dir", str(built)]) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(__import__("io").StringIO(out))
    assert set(frame["area_code"]) == {"E08000026"}
    assert (frame["comparator_code"].dropna() == geography.ENGLAND).all()


def test_cli_json_and_parquet_outputs(built: Path, tmp_path: Path) -> None:
    out_json, out_pq = tmp_path / "c.json", tmp_path / "c.parquet"
    assert main(["baseline", "--area", "E08000026", "--format", "json", "--out", str(out_json),
                 "--data-dir", str(built), "--latest"]) == 0
    body = json.loads(out_json.read_text())
    assert body["metadata"]["synthetic"] is True and body["metadata"]["run"]
    records = body["data"]
    assert records and all(r["is_latest"] for r in records)
    assert main(["baseline", "--area", "E08000026", "--format", "parquet", "--out", str(out_pq),
                 "--data-dir", str(built)]) == 0
    assert pq.read_table(out_pq).num_rows == len(_baseline(built, "E08000026"))


def test_cli_refuses_retired_and_unknown_codes(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--area", "E07000026", "--data-dir", str(built)]) == 2
    assert "E06000063" in capsys.readouterr().err
    assert main(["baseline", "--area", "X99", "--data-dir", str(built)]) == 2


def test_no_file_under_the_data_root_leaks_a_small_hes_count(built: Path) -> None:
    for path in built.rglob("*.parquet"):
        frame = pd.read_parquet(path)
        if "source_id" not in frame or "count" not in frame:
            continue
        hes = frame.loc[frame["source_id"].eq("hes"), "count"].dropna()
        assert not hes.between(1, 7).any(), f"{path} publishes a HES count between 1 and 7"
        assert (hes % 5 == 0).all(), f"{path} publishes an unrounded HES count"


def test_corrupted_source_blocks_baseline_and_keeps_previous_files(built: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    sources = tmp_path / "data_sources"
    shutil.copytree(paths.data_sources_dir(), sources)
    victim = sorted((sources / "fingertips").glob("fingertips_40501_*.csv"))[0]
    lines = victim.read_text(encoding="utf-8-sig").splitlines()
    fields = lines[5].split(",")
    lines[5] = ",".join([*fields[:13], "not-a-number", *fields[14:]])
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")

    coventry = paths.baseline_path(built, "E08000026")
    before = coventry.read_bytes()
    indicators_before = paths.indicators_path(built).read_bytes()
    monkeypatch.setenv("LANDSCAPE_DATA_SOURCES", str(sources))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert main(["build", "--area", "E08000026", "--data-dir", str(built)]) == 1
    assert coventry.read_bytes() == before
    assert paths.indicators_path(built).read_bytes() == indicators_before


def test_a_few_partitions_build_in_one_run_and_touch_no_others(built: Path, tmp_path: Path) -> None:
    import dagster as dg

    from landscape_pipeline.definitions import build_definitions
    from landscape_pipeline.defs.automation import BUILD_JOB_NAME
    from landscape_pipeline.defs.landscape_assets import BASELINES
    from landscape_pipeline.defs.partitions import range_tags
    from landscape_pipeline.settings import LandscapeSettings

    root = tmp_path / "data"
    shutil.copytree(built / "indicators", root / "indicators")
    keys = geography.partition_keys()
    first, last = keys.index("E08000025"), keys.index("E08000027")
    job = build_definitions(LandscapeSettings(data_dir=str(root))).resolve_job_def(BUILD_JOB_NAME)
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, asset_selection=[BASELINES],
                                        tags=range_tags(keys[first], keys[last]))
        assert result.success
        assert len(instance.get_run_records()) == 1
        materialized = instance.get_materialized_partitions(BASELINES)
    assert materialized == set(keys[first:last + 1])
    written = sorted(p.name for p in (root / "baselines").iterdir())
    assert written == keys[first:last + 1]
    assert _baseline(root, "E08000026").equals(_baseline(built, "E08000026"))


def test_an_area_build_rereads_no_source_that_is_unchanged(built: Path, tmp_path: Path, capsys,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    staged_before = {p.name: p.stat().st_mtime_ns for p in (built / "staging").glob("*.parquet")}
    assert main(["build", "--area", "E08000026", "--data-dir", str(built)]) == 0
    err = capsys.readouterr().err
    assert "Unchanged since staged, not re-read:" in err and "fingertips" in err
    assert {p.name: p.stat().st_mtime_ns for p in (built / "staging").glob("*.parquet")} == staged_before


def test_sources_the_worker_ingested_are_staged_as_their_steps_would_stage_them(built: Path, tmp_path: Path) -> None:
    import dagster as dg

    from landscape_pipeline import ingest_ahead
    from landscape_pipeline.defs.source_assets import source_asset_key
    from landscape_pipeline.ingest import ingest
    from landscape_pipeline.sources.registry import all_sources
    from landscape_pipeline.storage import write_indicators

    specs = all_sources()
    with dg.DagsterInstance.from_config(str(built.parent / "dagster_home")) as instance:
        where = {sid: instance.get_latest_materialization_event(source_asset_key(sid)).asset_materialization
                 .metadata["ingested_in"].value for sid in specs}
    assert set(where.values()) <= {"this step", ingest_ahead.WORKER}
    by_worker = sorted(sid for sid, place in where.items() if place == ingest_ahead.WORKER)
    assert by_worker, "a build of every source shares them with the worker"
    assert not {"hes", "imd"} & set(by_worker)  # built on another source's staged table: left to their steps
    assert "ons_population" in by_worker  # what hes and imd are built on goes first
    for sid in ["ons_population", *by_worker[:2]]:
        ours = ingest(specs[sid], specs[sid].bundled_files(paths.data_sources_dir()), {})
        write_indicators(ours.frame, tmp_path / f"{sid}.parquet")
        pd.testing.assert_frame_equal(read_indicators(paths.staging_path(built, sid)),
                                      read_indicators(tmp_path / f"{sid}.parquet"))
