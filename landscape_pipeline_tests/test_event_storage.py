"""The batched SQLite event log records exactly what Dagster's own SQLite storage records, in fewer writes."""

import sqlite3
from contextlib import closing
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import event as sa_event

from landscape_pipeline.event_storage import BATCH_SIZE_ENV, POOLED_CONNECTIONS, BatchedSqliteEventLogStorage

PARTS = dg.StaticPartitionsDefinition([f"A{i:02d}" for i in range(12)])


@dg.asset(partitions_def=PARTS, backfill_policy=dg.BackfillPolicy.single_run(),
          check_specs=[dg.AssetCheckSpec("rows_positive", asset="tables")])
def tables(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    for key in context.partition_keys:
        context.add_asset_metadata({"rows": int(key[1:]) + 1, "code": key}, partition_key=key)
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name="rows_positive", passed=True)])


@dg.asset(partitions_def=PARTS, backfill_policy=dg.BackfillPolicy.single_run(), deps=[tables])
def pages(context: dg.AssetExecutionContext) -> None:
    for key in context.partition_keys:
        context.add_asset_metadata({"page": f"{key}.html"}, partition_key=key)


JOB = dg.define_asset_job("tables_and_pages", selection=[tables, pages])
DEFS = dg.Definitions(assets=[tables, pages], jobs=[JOB])
BATCHED_YAML = ("event_log_storage:\n  module: landscape_pipeline.event_storage\n"
                "  class: BatchedSqliteEventLogStorage\n")


def _record(home: Path, yaml: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Run the job twice (all partitions, then three) on an instance in ``home``; return what it recorded."""
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n" + yaml)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv(BATCH_SIZE_ENV, "5")  # smaller than a step's 12 events: batches end mid-step too
    with dg.DagsterInstance.get() as instance:
        storage_type = type(instance.event_log_storage)
        job = DEFS.resolve_job_def("tables_and_pages")
        runs = [job.execute_in_process(instance=instance, tags={"dagster/asset_partition_range_start": first,
                                                                  "dagster/asset_partition_range_end": last})
                for first, last in [("A00", "A11"), ("A03", "A05")]]
        assert all(run.success for run in runs)
        out: dict[str, object] = {"storage": storage_type}
        for key in (dg.AssetKey("tables"), dg.AssetKey("pages")):
            records = instance.fetch_materializations(key, limit=100).records
            out[key.to_user_string()] = sorted(
                (runs.index(next(r for r in runs if r.run_id == rec.run_id)), rec.asset_materialization.partition,
                 str(rec.asset_materialization.metadata)) for rec in records)
            out[f"{key.to_user_string()} materialized"] = sorted(instance.get_materialized_partitions(key))
            latest = instance.get_latest_materialization_event(key)
            out[f"{key.to_user_string()} latest run"] = runs.index(next(r for r in runs if r.run_id == latest.run_id))
            out[f"{key.to_user_string()} status"] = instance.get_status_by_partition(key, PARTS.get_partition_keys(),
                                                                                     PARTS)
        check = dg.AssetCheckKey(dg.AssetKey("tables"), "rows_positive")
        executions = instance.event_log_storage.get_asset_check_execution_history(check, limit=10)
        out["checks"] = sorted(e.status.value for e in executions)
        out["events per run"] = [len(instance.all_logs(run.run_id)) for run in runs]
        return out


def test_batched_storage_records_what_dagster_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    original = BatchedSqliteEventLogStorage.store_event_batch

    def counting(self: BatchedSqliteEventLogStorage, events: list) -> None:
        writes.append(len(events))
        original(self, events)

    monkeypatch.setattr(BatchedSqliteEventLogStorage, "store_event_batch", counting)
    plain = _record(tmp_path / "plain", "", monkeypatch)
    batched = _record(tmp_path / "batched", BATCHED_YAML, monkeypatch)

    assert plain.pop("storage") is SqliteEventLogStorage
    assert batched.pop("storage") is BatchedSqliteEventLogStorage
    assert batched == plain
    assert len(plain["tables"]) == 15 and plain["tables materialized"] == PARTS.get_partition_keys()
    assert writes and max(writes) == 5, "per-partition events went through the batched path in batches"
    for db in (tmp_path / "batched" / "history" / "runs").glob("*.db"):  # the index and each run's log
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal", db.name


def test_base_dir_defaults_to_dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    storage = BatchedSqliteEventLogStorage.from_config_value(None, {})
    assert Path(storage._base_dir) == tmp_path / "history" / "runs"
    monkeypatch.delenv("DAGSTER_HOME")
    with pytest.raises(ValueError, match="DAGSTER_HOME"):
        BatchedSqliteEventLogStorage.from_config_value(None, {})


def test_engines_are_kept_for_recent_databases_only(tmp_path: Path) -> None:
    storage = BatchedSqliteEventLogStorage(str(tmp_path))
    for run in range(storage.ENGINES_KEPT + 4):  # a UI reading many runs' logs
        with storage.run_connection(f"run{run}") as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert len(storage._engines) == storage.ENGINES_KEPT
    assert f"run{storage.ENGINES_KEPT + 3}" in storage._engines and "run0" not in storage._engines


def test_connections_are_reused_and_writes_are_visible_to_other_readers(tmp_path: Path) -> None:
    storage = BatchedSqliteEventLogStorage(str(tmp_path))
    with storage.run_connection("run0") as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
    opened: list[object] = []
    sa_event.listen(storage._engines["run0"], "connect", lambda dbapi, _record: opened.append(dbapi))
    for n in range(50):  # Dagster opens a connection per use: each would close, checkpoint and sync the WAL
        with storage.run_connection("run0") as conn:
            conn.exec_driver_sql(f"INSERT INTO probe VALUES ({n})")
    assert len(opened) <= POOLED_CONNECTIONS
    with closing(sqlite3.connect(tmp_path / "run0.db")) as other:  # e.g. the UI's process, while the run goes on
        assert other.execute("SELECT COUNT(*), SUM(n) FROM probe").fetchone() == (50, sum(range(50)))
