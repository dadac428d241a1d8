"""The team server's instance (deploy/dagster.postgres.yaml) against a real PostgreSQL started for the test.

A throwaway server is created with the machine's own ``initdb``/``pg_ctl`` in a temporary folder, on a free
port, and stopped afterwards. Skipped, with the reason, where the server binaries or dagster-postgres are absent.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

ROOT = Path(__file__).resolve().parents[1]
TEAM_YAML = ROOT / "deploy" / "dagster.postgres.yaml"


def _server_bin() -> Path | None:
    found = shutil.which("initdb")
    candidates = [found] if found else sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    for initdb in reversed(candidates):
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    """Start a PostgreSQL server in a temporary folder; yield the DAGSTER_PG_* environment to reach it."""
    pytest.importorskip("dagster_postgres", reason="dagster-postgres is not installed (pip install -e '.[team]')")
    bin_dir = _server_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, postgres) on this machine")
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="landscape-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the 'postgres' account
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            pytest.skip("running as root and there is no 'postgres' account to run the server as")
        runuser = shutil.which("runuser")
        if runuser is None:
            shutil.rmtree(base)
            pytest.skip("running as root without runuser to drop privileges for the server")
        os.chown(base, account.pw_uid, account.pw_gid)
        as_user = [runuser, "-u", "postgres", "--"]
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr or done.stdout}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust", "-E", "UTF8", "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60",
            "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    except RuntimeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not start here: {exc}")
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "dagster", "landscape")
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_USERNAME": "dagster",
               "DAGSTER_PG_PASSWORD": "unused-with-trust-auth", "DAGSTER_PG_DB": "landscape"}
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120, check=False)
        shutil.rmtree(base, ignore_errors=True)


@dg.asset
def tiny() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 3})


def test_team_yaml_keeps_runs_events_and_schedules_in_postgres(postgres: dict[str, str], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(TEAM_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name, value in postgres.items():
        monkeypatch.setenv(name, value)
    job = dg.define_asset_job("tiny_job", selection=[tiny])
    defs = dg.Definitions(assets=[tiny], jobs=[job])
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        result = defs.resolve_job_def("tiny_job").execute_in_process(instance=instance)
        assert result.success
        run_id = result.run_id
    with dg.DagsterInstance.get() as again:  # a second process (webserver, daemon) sees the same history
        assert again.get_run_by_id(run_id).is_success
        event = again.get_latest_materialization_event(dg.AssetKey("tiny"))
        assert event.asset_materialization.metadata["dagster/row_count"].value == 3
    assert not list(home.glob("**/*.db")), "nothing may fall back to SQLite under DAGSTER_HOME"


def test_default_instance_is_sqlite_under_dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster._core.storage.runs import SqliteRunStorage

    from landscape_pipeline.event_storage import BatchedSqliteEventLogStorage

    link = ROOT / ".dagster_home" / "dagster.yaml"
    assert link.resolve() == (ROOT / "dagster.yaml").resolve()
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(link, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, SqliteRunStorage)
        assert isinstance(instance.event_log_storage, BatchedSqliteEventLogStorage)
        assert Path(instance.event_log_storage._base_dir) == home / "history" / "runs"  # where Dagster's default is
        assert Path(instance.root_directory) == home  # history persists here, not in a temporary folder
