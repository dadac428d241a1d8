"""The ingest-ahead worker: same results as the steps, never a source the step claimed, any failure left to the step."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import ingest_ahead, paths
from landscape_pipeline.ingest import IngestResult, ingest
from landscape_pipeline.sources.registry import all_sources


def record(job: ingest_ahead.Job, folder: Path) -> IngestResult:
    """A worker job that leaves a mark per source (the worker is another process) and takes a moment."""
    (job.sources_dir / f"{job.source_id}.done").touch()
    time.sleep(0.3)
    return IngestResult(job.source_id, list(job.files), pd.DataFrame({"source": [job.source_id]}))


def fail_on_b(job: ingest_ahead.Job, folder: Path) -> IngestResult:
    """A worker job that crashes on source 'b'."""
    if job.source_id == "b":
        raise RuntimeError("worker crashed")
    return record(job, folder)


def _jobs(folder: Path, ids: str) -> list[ingest_ahead.Job]:
    return [ingest_ahead.Job(i, folder, (folder / f"{i}.csv",)) for i in ids]


def _finish(ahead: ingest_ahead.IngestAhead) -> None:
    """Wait until the worker has done every job nobody claimed and exited (stop() would drop the waiting ones)."""
    deadline = time.monotonic() + 120
    while not ahead.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ahead.finished


def _no_worker_left() -> bool:
    return not [p for p in multiprocessing.active_children() if "SpawnProcess" in p.name]


def test_worker_results_equal_what_the_step_would_ingest() -> None:
    folder = paths.data_sources_dir()
    specs = all_sources(folder)
    ids = ["scotpho", "cpes", "jsna_west_sussex_screening"]  # a PHS CSV, a CPES workbook, a mapped local extract
    jobs = [ingest_ahead.Job(i, folder, tuple(specs[i].bundled_files(folder))) for i in ids]
    ahead = ingest_ahead.IngestAhead("run", jobs)
    _finish(ahead)  # nothing claimed: the worker ingests all three, then exits
    assert _no_worker_left()
    for job in jobs:
        theirs = ahead.take(job.source_id, list(job.files))
        ours = ingest(specs[job.source_id], list(job.files), {})
        assert theirs is not None and theirs.passed and len(theirs.frame) > 0
        pd.testing.assert_frame_equal(theirs.frame, ours.frame)
        assert theirs.disclosure == ours.disclosure and theirs.notes == ours.notes
        assert theirs.report.metadata() == ours.report.metadata()
    folder = ahead._folder
    assert folder.is_dir() and not list(folder.iterdir())  # each frame's file is gone once its step took it
    ahead.stop()
    assert not folder.exists()


def test_a_source_its_step_claims_first_never_reaches_the_worker(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, "abcd")
    ahead = ingest_ahead.IngestAhead("run", jobs, run=record)
    assert ahead.take("a", [tmp_path / "a.csv"]) is None  # the run's first step: the worker starts at the back
    _finish(ahead)
    assert sorted(p.stem for p in tmp_path.glob("*.done")) == ["b", "c", "d"]
    taken = ahead.take("d", [tmp_path / "d.csv"])
    assert taken is not None and taken.frame["source"].tolist() == ["d"]
    assert ahead.take("c", [tmp_path / "other.csv"]) is None  # the step resolved other files: it reads them itself
    assert ahead.take("d", [tmp_path / "d.csv"]) is None  # a result is handed over once
    ahead.stop()
    assert _no_worker_left()


def test_a_step_waits_for_the_source_under_way_and_the_worker_exits_after_the_last(tmp_path: Path) -> None:
    ahead = ingest_ahead.IngestAhead("run", _jobs(tmp_path, "ab"), run=record)
    while not (tmp_path / "b.done").exists():
        time.sleep(0.05)
    taken = ahead.take("b", [tmp_path / "b.csv"])  # started: the step waits for it rather than reading twice
    assert taken is not None and taken.source_id == "b"
    _finish(ahead)  # no stop(): the worker exits after its last job
    assert (tmp_path / "a.done").exists() and _no_worker_left()
    ahead.stop()


def test_a_worker_failure_leaves_the_source_to_its_step(tmp_path: Path) -> None:
    ahead = ingest_ahead.IngestAhead("run", _jobs(tmp_path, "abc"), run=fail_on_b)
    _finish(ahead)
    assert ahead.take("b", [tmp_path / "b.csv"]) is None
    assert ahead.take("a", [tmp_path / "a.csv"]) is not None  # the jobs after the failure still ran
    ahead.stop()
    assert _no_worker_left()


def test_failed_ingest_in_the_worker_is_redone_by_the_step(tmp_path: Path) -> None:
    folder = tmp_path / "data_sources"
    bad = folder / "scotpho"
    bad.mkdir(parents=True)
    (bad / "scotpho_broken.csv").write_text("not,a,scotpho,file\n1,2,3,4\n", encoding="utf-8")
    job = ingest_ahead.Job("scotpho", folder, (bad / "scotpho_broken.csv",))
    assert ingest_ahead.ingest_job(job, tmp_path) is None  # the step reports the error in its own words
    assert not list(tmp_path.glob("*.parquet"))


def test_start_plans_once_per_run_and_needs_enough_sources_and_cores(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    plans = []

    def plan(ids: str):
        def jobs() -> list[ingest_ahead.Job]:
            plans.append(ids)
            return _jobs(tmp_path, ids)
        return jobs

    monkeypatch.setattr(ingest_ahead, "ingest_job", record)
    few = "abc"
    assert len(few) < ingest_ahead.MIN_SOURCES
    assert ingest_ahead.start("run-1", plan(few)) is None
    assert ingest_ahead.start("run-1", plan(few)) is None and plans == [few]  # one plan per run
    monkeypatch.setattr(ingest_ahead, "cores", lambda: 1)
    assert ingest_ahead.start("run-2", plan("abcdefgh")) is None
    monkeypatch.setattr(ingest_ahead, "cores", lambda: 2)
    many = "abcdefgh"[: max(ingest_ahead.MIN_SOURCES, 2)]
    first = ingest_ahead.start("run-3", plan(many))
    try:
        assert first is not None and ingest_ahead.start("run-3", plan(many)) is first
        second = ingest_ahead.start("run-4", plan(many))  # a new run stops the last run's worker first
        assert first.finished and second is not None and second is not first
        assert ingest_ahead.take("run-3", "a", [tmp_path / "a.csv"]) is None  # another run's sources
    finally:
        ingest_ahead.stop()
    assert _no_worker_left()


def test_stop_hands_the_worker_nothing_more(tmp_path: Path) -> None:
    ahead = ingest_ahead.IngestAhead("run", _jobs(tmp_path, "abcdef"), run=record)
    ahead.stop()  # at most the job already in hand is finished
    assert ahead.finished and _no_worker_left()
    assert len(list(tmp_path.glob("*.done"))) <= 1
