"""Publisher files as observable assets: content-hash data version, last-changed time, freshness by cadence;
the data_sources sensor launches only what depends on the changed source."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest

from landscape_pipeline import paths
from landscape_pipeline.definitions import build_definitions
from landscape_pipeline.defs import automation
from landscape_pipeline.defs.file_assets import build_files_asset, cadence_days, files_asset_key, freshness_checks
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.registry import get_source

SOURCE = "phs_end_of_life"  # annual: a freshness check of about 13 months


@pytest.mark.parametrize(("cadence", "days"), [
    ("Annual (financial year)", 365), ("Monthly snapshot (HSCA Active Locations)", 31),
    ("Biennial (financial year; Survey of Adult Carers in England)", 730), ("Annual (5-year combined periods)", 365),
    ("Irregular (SIMD 2016, 2020, 2020v2)", None), ("Multi-year periods (calendar years)", None), ("", None),
])
def test_cadence_words_give_the_gap_between_releases(cadence: str, days: int | None) -> None:
    assert cadence_days(cadence) == days


def _bundle(tmp_path: Path, bundled_on: str) -> Path:
    sources = tmp_path / "data_sources"
    shutil.copytree(paths.data_sources_dir() / SOURCE, sources / SOURCE)
    manifest = sources / SOURCE / "provenance.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["bundled_on"] = bundled_on
    manifest.write_text(json.dumps(data), encoding="utf-8")
    return sources


def _observe_and_check(sources: Path, tmp_path: Path, instance: dg.DagsterInstance):
    spec = get_source(SOURCE)
    checks = freshness_checks({SOURCE: spec})
    assert len(checks) == 1
    defs = dg.Definitions(
        assets=[build_files_asset(spec)], asset_checks=checks,
        jobs=[dg.define_asset_job("observe", selection=[files_asset_key(SOURCE)]),
              dg.define_asset_job("check", selection=dg.AssetSelection.checks(*checks))],
        resources={"settings": LandscapeSettings(data_dir=str(tmp_path / "data"), data_sources_dir=str(sources),
                                                 live_sources=[])})
    assert defs.resolve_job_def("observe").execute_in_process(instance=instance).success
    record = instance.fetch_observations(files_asset_key(SOURCE), limit=1).records[0].asset_observation
    checked = defs.resolve_job_def("check").execute_in_process(instance=instance, raise_on_error=False)
    (evaluation,) = checked.get_asset_check_evaluations()
    return record, evaluation


def test_observation_gives_a_content_hash_and_the_retrieval_date(tmp_path: Path) -> None:
    sources = _bundle(tmp_path, "2026-11-25")
    with dg.instance_for_test() as instance:
        first, fresh = _observe_and_check(sources, tmp_path, instance)
        assert first.metadata["last_changed"].value.startswith("2026-11-25")
        assert first.metadata["file_count"].value == 3 and fresh.passed
        data = sorted((sources / SOURCE).glob("*.csv"))[0]
        data.write_text(data.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # new content
        second, _ = _observe_and_check(sources, tmp_path, instance)
    assert first.data_version != second.data_version
    assert first.metadata["sha256"].value != second.metadata["sha256"].value


def test_files_older_than_their_cadence_fail_the_freshness_check(tmp_path: Path) -> None:
    sources = _bundle(tmp_path, "2020-01-01")  # an annual source not refreshed for years
    with dg.instance_for_test() as instance:
        record, evaluation = _observe_and_check(sources, tmp_path, instance)
    assert record.metadata["last_changed"].value.startswith("2020-01-01")
    assert not evaluation.passed and evaluation.check_name == "freshness_check"


def test_source_assets_depend_on_their_files() -> None:
    graph = build_definitions().resolve_asset_graph()
    assert files_asset_key("fingertips") in graph.get(dg.AssetKey("fingertips_indicators")).parent_keys
    assert not graph.get(files_asset_key("fingertips")).is_materializable


def test_sensor_launches_only_what_depends_on_the_changed_source(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("fingertips/a.csv", "phs/b.csv", "geography/c.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x\n1\n")
    monkeypatch.setenv("LANDSCAPE_DATA_SOURCES", str(tmp_path))
    repository = build_definitions().get_repository_def()

    def tick(cursor: str | None) -> dg.SensorResult:
        return automation.data_sources_changed(dg.build_sensor_context(instance=instance, cursor=cursor,
                                                                       repository_def=repository))

    with dg.instance_for_test() as instance:
        first = tick(None)
        assert first.run_requests[0].asset_selection is None  # first tick: everything
        (tmp_path / "fingertips/a.csv").write_text("x\n2\n")
        second = tick(first.cursor)
        keys = {k.to_user_string() for k in second.run_requests[0].asset_selection}
        assert {"fingertips_indicators", "indicator_table", "baselines", "landscape_summary"} <= keys
        assert "phs_indicators" not in keys and not any(k.endswith("_files") for k in keys)
        (tmp_path / "geography/c.csv").write_text("x\n3\n")  # owned by no one source: everything
        assert tick(second.cursor).run_requests[0].asset_selection is None
