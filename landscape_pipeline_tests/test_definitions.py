"""The Dagster code location: it loads, its graph matches the golden file, automation behaves."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml

from landscape_pipeline import geography
from landscape_pipeline.definitions import build_definitions
from landscape_pipeline.defs import automation
from landscape_pipeline.defs.partitions import LA_PARTITIONS, contiguous_ranges, range_tags
from landscape_pipeline.sources.registry import all_sources

GOLDEN = Path(__file__).with_name("golden_asset_specs.json")


def asset_specs_snapshot(defs: dg.Definitions) -> dict[str, object]:
    """Return keys, deps, checks (blocking), partitioning and backfill policy of every asset."""
    graph = defs.resolve_asset_graph()
    out: dict[str, object] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets_def = node.assets_def
        checks = sorted(
            f"{spec.name}{' (blocking)' if spec.blocking else ''}"
            for spec in assets_def.check_specs if spec.asset_key == key
        )
        policy = assets_def.backfill_policy
        out[key.to_user_string()] = {
            "deps": sorted(d.to_user_string() for d in node.parent_keys),
            "checks": checks,
            "partitions": len(node.partitions_def.get_partition_keys()) if node.partitions_def else None,
            "backfill": policy.policy_type.value if policy else None,
            "group": node.group_name,
        }
    return out


def test_definitions_load_with_every_registered_source() -> None:
    defs = build_definitions()
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"{sid}_indicators" for sid in all_sources()} <= keys
    assert {"indicator_table", "baselines", "landscape_summary"} <= keys
    assert defs.resolve_job_def(automation.BUILD_JOB_NAME)


def test_workspace_code_location_loads_through_dagster() -> None:
    """What ``dagster dev`` loads (workspace.yaml's module and attribute) builds the same graph and jobs."""
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    project = Path(__file__).resolve().parents[1]
    target = yaml.safe_load((project / "workspace.yaml").read_text())["load_from"][0]["python_module"]
    repository = ReconstructableRepository.for_module(target["module_name"], target["attribute"],
                                                      working_directory=str(project)).get_definition()
    assert repository.asset_graph.get_all_asset_keys() == build_definitions().resolve_asset_graph().get_all_asset_keys()
    assert {automation.BUILD_JOB_NAME, "observe_publisher_files"} <= {job.name for job in repository.get_all_jobs()}


def test_asset_graph_matches_golden_file() -> None:
    """Accidental graph changes fail here; regenerate deliberately with LANDSCAPE_UPDATE_GOLDEN=1."""
    snapshot = asset_specs_snapshot(build_definitions())
    if __import__("os").environ.get("LANDSCAPE_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(snapshot, indent=2, sort_keys=True) + "\n")
    assert snapshot == json.loads(GOLDEN.read_text())


def test_partitions_are_the_382_current_las_in_one_backfill_run() -> None:
    assert LA_PARTITIONS.get_partition_keys() == geography.partition_keys()
    assert len(LA_PARTITIONS.get_partition_keys()) == 382
    tags = range_tags()
    assert tags["dagster/asset_partition_range_start"] == "E06000001"
    assert tags["dagster/asset_partition_range_end"] == "W06000024"


def test_contiguous_ranges_group_neighbours_and_refuse_retired_codes() -> None:
    keys = geography.partition_keys()
    assert contiguous_ranges([keys[3], keys[1], keys[2], keys[10]]) == [(keys[1], keys[3]), (keys[10], keys[10])]
    with pytest.raises(geography.RetiredAreaCodeError, match="E06000060"):
        contiguous_ranges(["E07000004"])


def test_sensor_requests_one_full_run_per_content_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fingertips").mkdir()
    data = tmp_path / "fingertips" / "a.csv"
    data.write_text("x\n1\n")
    monkeypatch.setenv("LANDSCAPE_DATA_SOURCES", str(tmp_path))
    with dg.instance_for_test() as instance:
        first = automation.data_sources_changed(dg.build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1
        request = first.run_requests[0]
        assert request.tags["dagster/asset_partition_range_start"] == geography.partition_keys()[0]
        unchanged = automation.data_sources_changed(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert isinstance(unchanged, dg.SkipReason)
        data.touch()  # a new mtime with the same content is not a change
        assert isinstance(automation.data_sources_changed(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)), dg.SkipReason)
        data.write_text("x\n2\n")
        changed = automation.data_sources_changed(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert changed.run_requests[0].run_key != request.run_key
        assert "fingertips/a.csv" in changed.run_requests[0].tags["landscape/changed_files"]


def test_weekly_schedule_targets_every_la_in_one_run() -> None:
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 30, 5, 0))
    request = automation.weekly_refresh(context)
    assert request.run_key == "weekly-2026-11-30"
    assert request.tags == range_tags()


LEAN_IMPORT_PROBE = """
import sys
import landscape_pipeline.cli.commands, landscape_pipeline.cli.run, landscape_pipeline.definitions
import landscape_pipeline.summary.write, landscape_pipeline.change
landscape_pipeline.definitions.defs()
print(*sorted(m for m in ("great_expectations", "scipy.stats") if m in sys.modules))
"""


def test_definitions_summary_and_change_import_without_gx_or_scipy_stats() -> None:
    """Together ~6 s of imports, paid only when a step validates a source or tests a change for significance:
    ``landscape build --area`` on a built root with no frozen site baseline, and the UI, do neither."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LEAN_IMPORT_PROBE], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []
