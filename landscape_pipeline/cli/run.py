"""Run the build job in-process against the persistent Dagster instance (runs show in the UI)."""

from __future__ import annotations

import sys

import dagster as dg

from landscape_pipeline.defs.automation import BUILD_JOB_NAME
from landscape_pipeline.defs.landscape_assets import BASELINES
from landscape_pipeline.defs.partitions import contiguous_ranges, range_tags
from landscape_pipeline.settings import LandscapeSettings

PROGRESS_RUN_CONFIG = {"loggers": {"progress": {}}}


def run_build(settings: LandscapeSettings, codes: list[str] | None) -> int:
    """Build every source and the baselines of ``codes`` (all LAs when None); return an exit code."""
    from landscape_pipeline.definitions import build_definitions

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
