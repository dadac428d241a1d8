"""Run the build job in-process against the persistent Dagster instance (runs show in the UI).

The build holds the data root's lock throughout (a second build on the same root is refused with
the holder's details) and first sweeps what killed writes left behind: temp files, and raw
snapshots without their sidecar (or sidecars without their snapshot).
"""

from __future__ import annotations

import sys

import dagster as dg

from landscape_pipeline import ingest_ahead, storage
from landscape_pipeline.buildlock import Holder, build_lock
from landscape_pipeline.defs.automation import BUILD_JOB_NAME
from landscape_pipeline.defs.landscape_assets import BASELINES, INDICATOR_TABLE
from landscape_pipeline.defs.partitions import contiguous_ranges, range_tags
from landscape_pipeline.memory import startup_frozen
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


def run_build(settings: LandscapeSettings, codes: list[str] | None, sources: list[str] | None = None) -> int:
    """Build every source (or only ``sources`` and what depends on them) and the baselines of ``codes``
    (all LAs when None); return an exit code."""
    root = settings.root()
    with build_lock(root, command=" ".join(["landscape", *sys.argv[1:]]), on_stale=_stale):
        sweep(root)
        return _run(settings, codes, sources)


def downstream_of(defs: dg.Definitions, sources: list[str]) -> list[dg.AssetKey]:
    """Return the materialisable assets ``sources`` feed: their own staged tables and everything downstream."""
    from landscape_pipeline.defs.source_assets import source_asset_key

    graph = defs.resolve_asset_graph()
    selected = dg.AssetSelection.assets(*[source_asset_key(s) for s in sources]).downstream()
    keys = selected.resolve(graph)
    return sorted((k for k in keys if graph.get(k).is_materializable), key=lambda k: k.to_user_string())


def _area_plan(defs: dg.Definitions, settings: LandscapeSettings) -> list[dg.AssetKey] | None:
    """Return what an ``--area`` build must run: the stale sources and their downstream, or only the indicator
    table onwards (or only the LA partitions) when every staging is current; None for everything."""
    from landscape_pipeline import paths
    from landscape_pipeline.sources.registry import all_sources
    from landscape_pipeline.staleness import is_current

    specs = all_sources(settings.sources_dir())
    stale = [sid for sid, spec in specs.items() if not is_current(spec, settings)]
    if len(stale) == len(specs):
        return None
    current = sorted(set(specs) - set(stale))
    print(f"Unchanged since staged, not re-read: {', '.join(current)}", file=sys.stderr)
    if stale:
        return downstream_of(defs, stale)
    root = settings.root()
    table = paths.indicators_path(root)
    staged = [paths.staging_path(root, sid).stat().st_mtime for sid in specs]
    graph = defs.resolve_asset_graph()
    if table.exists() and table.stat().st_mtime >= max(staged):
        return sorted((k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable
                       and graph.get(k).partitions_def is not None), key=lambda k: k.to_user_string())
    keys = dg.AssetSelection.assets(INDICATOR_TABLE).downstream().resolve(graph)
    return sorted(keys, key=lambda k: k.to_user_string())


def _unstaged_outside(settings: LandscapeSettings, only: list[dg.AssetKey]) -> list[str]:
    """Return the sources outside ``only`` that have no staged table to build on."""
    from landscape_pipeline import paths
    from landscape_pipeline.defs.source_assets import source_asset_key
    from landscape_pipeline.sources.registry import all_sources

    return [sid for sid in all_sources(settings.sources_dir()) if source_asset_key(sid) not in only
            and not paths.staging_path(settings.root(), sid).exists()]


#: One "materialization planned" event per partitioned asset and run instead of one per LA partition
#: (764 SQLite writes before the first step). Dagster's documented trade-off: when such a run fails,
#: its partitions are not marked failed in the UI (the run itself still is).
PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def _run(settings: LandscapeSettings, codes: list[str] | None, sources: list[str] | None = None) -> int:
    import os

    from landscape_pipeline.definitions import build_definitions

    os.environ.setdefault(PLANNED_EVENTS_ENV, "true")

    defs = build_definitions(settings)
    job = defs.resolve_job_def(BUILD_JOB_NAME)
    only = downstream_of(defs, sources) if sources else (_area_plan(defs, settings) if codes else None)
    if only and sources:
        missing = _unstaged_outside(settings, only)
        if missing:
            print(f"--source rebuilds on the last good staging of the other sources, and {', '.join(missing)} "
                  "has none yet: run a full `landscape build` first.", file=sys.stderr)
            return 1
    if only:
        print(f"Rebuilding {', '.join(k.to_user_string() for k in only)}", file=sys.stderr)
    instance = dg.DagsterInstance.get()
    ranges = contiguous_ranges(codes) if codes else [(None, None)]
    root = settings.root()
    print(f"Building into {root} (Dagster instance: {instance.root_directory})", file=sys.stderr)
    partition_assets = [key for key in job.asset_layer.executable_asset_keys
                        if job.asset_layer.get(key).partitions_def is not None and (only is None or key in only)]
    with startup_frozen():  # the definitions and imports outlive the run: its collections need not walk them
        for index, (first, last) in enumerate(ranges):
            selection = only if index == 0 else partition_assets or [BASELINES]
            try:
                result = job.execute_in_process(instance=instance, tags=range_tags(first, last),
                                                run_config=PROGRESS_RUN_CONFIG, asset_selection=selection,
                                                raise_on_error=False)
            finally:
                ingest_ahead.stop()  # a run that failed before its indicator table leaves no worker behind
            if not result.success:
                print(f"Run {result.run_id} failed: see the messages above, or the run in the Dagster UI. "
                      "Earlier outputs were left in place.", file=sys.stderr)
                return 1
            print(f"Run {result.run_id} succeeded.", file=sys.stderr)
    print(f"Baselines are under {root / 'baselines'}", file=sys.stderr)
    return 0
