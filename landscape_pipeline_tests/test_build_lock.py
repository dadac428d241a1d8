"""One build per data root (a lock tested across two processes), leftovers swept, outputs readable."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from landscape_pipeline import buildlock, storage
from landscape_pipeline.buildlock import BuildLockedError, build_lock
from landscape_pipeline.cli import main
from landscape_pipeline.settings import LandscapeSettings

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from landscape_pipeline.buildlock import build_lock
    with build_lock(Path(sys.argv[1]), command="landscape build (other)"):
        print("locked", flush=True)
        time.sleep(60)
""")


@pytest.fixture
def holder(tmp_path: Path):
    """Start another process that holds the lock of ``tmp_path / 'data'``; yield (process, root)."""
    root = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc, root
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_second_build_is_refused_naming_the_holder(holder) -> None:
    proc, root = holder
    with pytest.raises(BuildLockedError) as caught, build_lock(root):
        pass
    message = str(caught.value)
    assert f"pid {proc.pid}" in message and "landscape build (other)" in message and "started 20" in message


def test_a_waiting_build_gives_up_after_its_timeout(holder) -> None:
    _proc, root = holder
    started = time.monotonic()
    with pytest.raises(BuildLockedError, match=r"after waiting 0\.3 s"), build_lock(root, timeout=0.3):
        pass
    assert 0.3 <= time.monotonic() - started < 2


def test_the_cli_build_exits_1_and_writes_nothing(holder, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    proc, root = holder
    monkeypatch.setenv("DAGSTER_HOME", str(root.parent))
    monkeypatch.delenv("LANDSCAPE_LIVE_SOURCES", raising=False)
    assert main(["build", "--data-dir", str(root)]) == 1
    assert f"pid {proc.pid}" in capsys.readouterr().err
    assert sorted(p.name for p in root.iterdir()) == [buildlock.LOCK_NAME]


def test_a_killed_holder_leaves_a_stale_lock_that_is_taken_over(holder) -> None:
    proc, root = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stale = []
    with build_lock(root, on_stale=stale.append):
        assert buildlock.read_holder(root).pid == os.getpid()
    assert [h.pid for h in stale] == [proc.pid]
    assert buildlock.read_holder(root) is None  # released cleanly: no details left behind


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    with build_lock(tmp_path), build_lock(tmp_path):
        assert buildlock.holds_lock(tmp_path)
    assert not buildlock.holds_lock(tmp_path)


def test_a_dagster_step_waits_for_the_lock_then_fails_in_a_sentence(holder) -> None:
    proc, root = holder

    @dg.asset
    def writer(settings: LandscapeSettings) -> None:
        (settings.root() / "written").write_text("x")

    result = dg.materialize([writer], raise_on_error=False, resources={
        "settings": LandscapeSettings(data_dir=str(root), lock_timeout_seconds=0.2)})
    assert not result.success
    assert not (root / "written").exists()
    errors = [getattr(e.event_specific_data, "error", None) for e in result.all_events]
    messages = " ".join(err.message for err in errors if err is not None)
    assert "Another build is writing to" in messages and f"pid {proc.pid}" in messages


def test_build_sweeps_leftover_temp_files_under_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from landscape_pipeline.cli import run

    root = tmp_path / "data"
    leftover = root / "baselines" / "area_code=E08000026" / ".baseline.parquet.k2j4h1.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a parquet file")
    good = storage.write_bytes_atomic(b"ok", root / "summaries" / "index.html")
    seen = {}

    def fake_run(settings, codes):
        seen["locked"] = buildlock.holds_lock(root)
        seen["leftover"] = leftover.exists()
        return 0

    monkeypatch.setattr(run, "_run", fake_run)
    assert run.run_build(LandscapeSettings(data_dir=str(root)), None) == 0
    assert seen == {"locked": True, "leftover": False} and good.read_bytes() == b"ok"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_outputs_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        page = storage.write_bytes_atomic(b"<html></html>", tmp_path / "page.html")
        table = storage.write_parquet_atomic(pa.table({"a": [1]}), tmp_path / "t.parquet")
    finally:
        os.umask(old)
    assert stat.S_IMODE(page.stat().st_mode) == mode
    assert stat.S_IMODE(table.stat().st_mode) == mode


def test_sweep_touches_only_temp_files(tmp_path: Path) -> None:
    keep = [tmp_path / "a.tmp", tmp_path / ".hidden", tmp_path / "x" / "baseline.parquet"]
    drop = [tmp_path / ".a.parquet.abc.tmp", tmp_path / "x" / ".y.html.q1.tmp"]
    for path in keep + drop:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"1")
    assert sorted(storage.sweep_temp_files(tmp_path)) == sorted(drop)
    assert all(p.exists() for p in keep)


def test_freezing_while_a_build_writes_is_refused(holder, capsys: pytest.CaptureFixture[str]) -> None:
    proc, root = holder
    assert main(["freeze", "--label", "mid-build", "--data-dir", str(root)]) == 1
    assert f"pid {proc.pid}" in capsys.readouterr().err
    assert not (root / "frozen").exists()
