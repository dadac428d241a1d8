"""The main job, a weekly refresh schedule and a sensor on ``data_sources/`` (both off by default)."""


import hashlib
import json

import dagster as dg

from landscape_pipeline import paths
from landscape_pipeline.defs.partitions import LA_PARTITIONS, range_tags

BUILD_JOB_NAME = "build_landscape"

build_landscape_job = dg.define_asset_job(
    BUILD_JOB_NAME,
    selection=dg.AssetSelection.all(),
    partitions_def=LA_PARTITIONS,
    description="Ingest every source, harmonise, and write every LA's baseline and summary (one run).",
)


@dg.schedule(job=build_landscape_job, cron_schedule="0 5 * * 1", execution_timezone="Europe/London",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def weekly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Rebuild everything every Monday at 05:00 UK time, all LAs in one run."""
    stamp = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=f"weekly-{stamp}", tags=range_tags())


def source_fingerprints() -> dict[str, str]:
    """Return sha256 per bundled source file, keyed by its path relative to ``data_sources/``."""
    root = paths.data_sources_dir()
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@dg.sensor(job=build_landscape_job, minimum_interval_seconds=120, default_status=dg.DefaultSensorStatus.STOPPED)
def data_sources_changed(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Launch a build when the content of any file under ``data_sources/`` changes: only the changed sources
    and what depends on them (the first time, or for a file no one source owns, everything)."""
    current = source_fingerprints()
    previous = json.loads(context.cursor) if context.cursor else None
    cursor = json.dumps(current, sort_keys=True)
    if previous == current:
        return dg.SkipReason("No file under data_sources/ changed since the last build request.")
    changed = sorted(k for k in current.keys() | (previous or {}).keys()
                     if (previous or {}).get(k) != current.get(k))
    run_key = hashlib.sha256(cursor.encode()).hexdigest()[:16]
    tags = {**range_tags(), "landscape/changed_files": ",".join(changed)[:200]}
    selection = None
    sources = changed_sources(changed) if previous is not None else None
    graph = context.repository_def.asset_graph if context.repository_def is not None else None
    if sources and graph is not None:  # only what depends on the changed sources
        keys = dg.AssetSelection.assets(*[dg.AssetKey(f"{s}_indicators") for s in sources]).downstream().resolve(graph)
        selection = sorted((k for k in keys if graph.get(k).is_materializable), key=lambda k: k.to_user_string())
        tags["landscape/changed_sources"] = ",".join(sources)[:200]
    request = dg.RunRequest(run_key=run_key, tags=tags, asset_selection=selection)
    return dg.SensorResult(run_requests=[request], cursor=cursor)


def changed_sources(changed: list[str]) -> list[str] | None:
    """Return the sources owning the changed files (paths under ``data_sources/``), or None when a changed
    file belongs to no one source (geography, sites, evidence: everything is rebuilt)."""
    from landscape_pipeline.mapping.source import source_id_for
    from landscape_pipeline.sources.registry import all_sources

    known = all_sources()
    out = set()
    for name in changed:
        parts = name.split("/")
        candidates = [parts[0]] + ([source_id_for(parts[0], parts[1])] if len(parts) > 2 else [])
        owner = next((c for c in candidates if c in known), None)
        if owner is None:
            return None
        out.add(owner)
    return sorted(out)
