"""Run the build job in-process against the persistent Dagster instance (runs show in the UI).

The build holds the data root's lock throughout (a second build on the same root is refused with
the holder's details) and first sweeps what killed writes left behind: temp files, and raw
snapshots without their sidecar (or sidecars without their snapshot).
"""

from __future__ import annotations

import sys

import dagster as dg

from landscape_pipeline import storage
from landscape_pipeline.buildlock import Holder, build_lock
from landscape_pipeline.defs.automation import BUILD_JOB_NAME
from landscape_pipeline.defs.landscape_assets import BASELINES
from landscape_pipeline.defs.partitions import contiguous_ranges, range_tags
from landscape_pipeline.settings import LandscapeSettings

PROGRESS_RUN_CONFIG = {"loggers": {"progress": {}}}


def _stale(holder: Holder) -> None:
    print(f"An earlier build ({holder.describe()}) ended without releasing its lock; taking it over.",
          file=sys.stderr)


def sweep(root) -> None:
    """Remove leftovers of killed writes under ``root`` (call only while holding the lock)."""
    from landscape_pipeline.http import sweep_orphans

    removed = storage.sweep_temp_files(root) + sweep_orphans(root / "raw")
    if removed:
        shown = ", ".join(str(p.relative_to(root)) for p in removed[:5])
        print(f"Removed {len(removed)} file(s) left by an interrupted write: {shown}"
              f"{' ...' if len(removed) > 5 else ''}", file=sys.stderr)


def run_build(settings: LandscapeSettings, codes: list[str] | None) -> int:
    """Build every source and the baselines of ``codes`` (all LAs when None); return an exit code."""
    root = settings.root()
    with build_lock(root, command=" ".join(["landscape", *sys.argv[1:]]), on_stale=_stale):
        sweep(root)
        return _run(settings, codes)


#: One "materialization planned" event per partitioned asset and run instead of one per LA partition
#: (764 SQLite writes before the first step). Dagster's documented trade-off: when such a run fails,
#: its partitions are not marked failed in the UI (the run itself still is).
PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def _run(settings: LandscapeSettings, codes: list[str] | None) -> int:
    import os

    from landscape_pipeline.definitions import build_definitions

    os.environ.setdefault(PLANNED_EVENTS_ENV, "true")

    defs = build_definitions(settings)
    job = defs.resolve_job_def(BUILD_JOB_NAME)
    instance = dg.DagsterInstance.get()
    ranges = contiguous_ranges(codes) if codes else [(None, None)]
    root = settings.root()
    print(f"Building into {root} (Dagster instance: {instance.root_directory})", file=sys.stderr)
    partition_assets = [key for key in job.asset_layer.executable_asset_keys
                        if job.asset_layer.get(key).partitions_def is not None]
    for index, (first, last) in enumerate(ranges):
        selection = None if index == 0 else partition_assets or [BASELINES]
        result = job.execute_in_process(instance=instance, tags=range_tags(first, last),
                                        run_config=PROGRESS_RUN_CONFIG, asset_selection=selection,
                                        raise_on_error=False)
        if not result.success:
            print(f"Run {result.run_id} failed: see the messages above, or the run in the Dagster UI. "
                  "Earlier outputs were left in place.", file=sys.stderr)
            return 1
        print(f"Run {result.run_id} succeeded.", file=sys.stderr)
    print(f"Baselines are under {root / 'baselines'}", file=sys.stderr)
    return 0
