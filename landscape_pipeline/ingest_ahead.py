"""Ingest a run's independent sources ahead, in one spawned worker, while the run's steps work through them.

A build's source steps run one after another on one core. When a run has at least :data:`MIN_SOURCES`
sources that need no other source's table, one worker process ingests them from the back of the run's
order while the steps work from the front: a step whose source the worker has started takes the worker's
result, and any other step ingests its source itself, as it always did. The two meet in the middle, the
worker exits, and the steps that need the most memory (sources built on other sources, the indicator table)
run without it. The worker is spawned and imports pandas and GX but not Dagster (about 270 MB).

Nothing depends on which process ingested a source: :func:`~landscape_pipeline.ingest.ingest` is a pure
function of the files, the step still checks, writes and reports the result itself, and a worker that failed
for any reason (or ingested other files than the step resolved) leaves the source to the step, which then
fails or succeeds exactly as it would have alone.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from landscape_pipeline.ingest import IngestResult
from landscape_pipeline.storage import read_indicators

log = logging.getLogger(__name__)

WORKER = "ingest-ahead worker"
#: Below this many independent sources in a run, a worker's start-up (~5 s of imports) costs more than it saves.
MIN_SOURCES = 6


@dataclass(frozen=True)
class Job:
    """One source for the worker: its id, the folder its mapped spec is discovered in, and the files to read."""

    source_id: str
    sources_dir: Path
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Handed:
    """A worker's result with its frame left in a Parquet file: pickling the frame would hold it twice more
    (ONS populations: +116 MB in the worker, as much again in the run's process while it is unpickled)."""

    result: IngestResult
    frame_file: Path


def ingest_job(job: Job, folder: Path) -> Handed | None:
    """Ingest one source (in the worker); its frame goes to a file in ``folder``. A failed ingest returns None:
    the step redoes it and reports it in its own words."""
    from landscape_pipeline import schema
    from landscape_pipeline.ingest import ingest
    from landscape_pipeline.memory import release_memory
    from landscape_pipeline.sources.registry import all_sources
    from landscape_pipeline.storage import write_indicators

    try:
        result = ingest(all_sources(job.sources_dir)[job.source_id], list(job.files), {})
        if not result.passed:
            return None
        frame_file = folder / f"{job.source_id}.parquet"
        write_indicators(result.frame, frame_file)
        result.frame = schema.empty_frame()
        return Handed(result, frame_file)
    finally:
        release_memory()  # the worker's peak is one source's, not the sum of what each left behind


def start_worker() -> None:
    """Set up the worker process: the run's allocator settings, and an exit that does not walk its objects
    (1.3 s of full collections otherwise, while the run's next step wants the core)."""
    import atexit

    from landscape_pipeline.memory import skip_exit_collections, use_lean_allocators

    use_lean_allocators()
    atexit.register(skip_exit_collections)


def cores() -> int:
    """Return the cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class IngestAhead:
    """One run's worker: ``jobs`` in the run's order; the worker takes them from the back, one at a time."""

    def __init__(self, run_id: str, jobs: Sequence[Job],
                 run: Callable[[Job, Path], Handed | IngestResult | None] | None = None):
        self.run_id = run_id
        self._folder = Path(tempfile.mkdtemp(prefix="landscape-ingest-ahead-"))
        self._waiting = list(jobs)
        self._started: dict[str, tuple[Job, Future]] = {}
        self._lock = threading.Lock()
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker)
        self._run = run or ingest_job
        self._feeder = threading.Thread(target=self._feed, name="ingest-ahead", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        """Hand the worker the last waiting job, wait for it, repeat; then let the worker exit."""
        try:
            while True:
                with self._lock:
                    if not self._waiting:
                        break
                    job = self._waiting.pop()
                    future = self._pool.submit(self._run, job, self._folder)
                    self._started[job.source_id] = (job, future)
                future.exception()  # wait for it, whatever its outcome
        except Exception:  # e.g. the worker could not start: every step ingests its own source
            log.warning("The ingest-ahead worker stopped; the remaining sources are ingested by their steps.",
                        exc_info=True)
            with self._lock:
                self._waiting.clear()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def take(self, source_id: str, files: Sequence[Path]) -> IngestResult | None:
        """Return the worker's result for ``source_id`` (waiting for it if under way), or None when the step
        should ingest the source itself (the worker has not started it, failed, or read other files)."""
        with self._lock:
            waiting = [job for job in self._waiting if job.source_id == source_id]
            for job in waiting:
                self._waiting.remove(job)  # the step does it: the worker never will
            started = self._started.pop(source_id, None)
        if started is None:
            return None
        job, future = started
        try:
            result = future.result()
            if result is None or job.files != tuple(files):  # failed, or read other files than the step resolved
                return None
            if isinstance(result, Handed):
                frame_file, result = result.frame_file, result.result
                result.frame = read_indicators(frame_file)
                frame_file.unlink()
        except Exception:
            log.warning("The ingest-ahead worker failed on %s; its step ingests it.", source_id, exc_info=True)
            return None
        return result

    def stop(self) -> None:
        """Give the worker no more jobs, wait for it to exit (after the job in hand, if any), and remove the
        frames no step took."""
        with self._lock:
            self._waiting.clear()
        self._feeder.join()
        shutil.rmtree(self._folder, ignore_errors=True)

    @property
    def finished(self) -> bool:
        """True once the worker has exited."""
        return not self._feeder.is_alive()


_current: IngestAhead | None = None
_planned: str | None = None  # the run whose jobs were last planned (with or without a worker)
_current_lock = threading.Lock()


def start(run_id: str, plan: Callable[[], Sequence[Job]]) -> IngestAhead | None:
    """Start the worker of run ``run_id`` on the first call for that run (``plan`` lists its jobs in the run's
    order); return it, or None when the run has too few independent sources or the machine one core."""
    global _current, _planned
    with _current_lock:
        if _planned == run_id:
            return _current
        if _current is not None:
            _current.stop()  # an earlier run's worker
            _current = None
        _planned = run_id
        jobs = list(plan()) if cores() > 1 else []
        if len(jobs) < MIN_SOURCES:
            return None
        _current = IngestAhead(run_id, jobs)
        return _current


def take(run_id: str, source_id: str, files: Sequence[Path]) -> IngestResult | None:
    """Return the worker's result for a source of run ``run_id``, or None (the step ingests it itself)."""
    ahead = _current
    return ahead.take(source_id, files) if ahead is not None and ahead.run_id == run_id else None


def stop() -> None:
    """Stop the current run's worker, if any (the indicator table's step, and the CLI after each run)."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.stop()
            _current = None
