"""The code location: every asset, check, job, schedule, sensor and resource of the project."""

from __future__ import annotations

import dagster as dg

from landscape_pipeline.cli.progress import progress_logger
from landscape_pipeline.defs.automation import build_landscape_job, data_sources_changed, weekly_refresh
from landscape_pipeline.defs.catalogue_assets import build_catalogue_asset
from landscape_pipeline.defs.file_assets import file_assets, files_asset_key, freshness_checks, freshness_sensor
from landscape_pipeline.defs.landscape_assets import build_baselines, build_indicator_table
from landscape_pipeline.defs.source_assets import source_assets
from landscape_pipeline.defs.summary_assets import build_summary_asset
from landscape_pipeline.event_storage import enable_batching
from landscape_pipeline.memory import use_lean_allocators
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.registry import all_sources


def all_assets(settings: LandscapeSettings | None = None) -> list[dg.AssetsDefinition]:
    """Return every asset in graph order: sources (mapped extracts in the settings' data_sources), indicator
    table, catalogue, baselines, summaries."""
    specs = all_sources(settings.sources_dir() if settings else None)
    return [*source_assets(specs), build_indicator_table(specs), build_catalogue_asset(specs), build_baselines(specs),
            build_summary_asset(specs)]


OBSERVE_JOB_NAME = "observe_publisher_files"


def build_definitions(settings: LandscapeSettings | None = None) -> dg.Definitions:
    """Return the project's Definitions, with ``settings`` (default: from the environment)."""
    enable_batching()  # the run worker that loads these definitions writes per-partition events in batches
    use_lean_allocators()  # ... and gives freed memory back between steps
    specs = all_sources(settings.sources_dir() if settings else None)
    checks = freshness_checks(specs)
    observe = dg.define_asset_job(OBSERVE_JOB_NAME, selection=[files_asset_key(s) for s in specs],
                                  description="Observe every source's files: content hash and last-changed time.")
    return dg.Definitions(
        assets=[*file_assets(specs), *all_assets(settings)],
        asset_checks=checks,
        jobs=[build_landscape_job, observe],
        schedules=[weekly_refresh],
        sensors=[data_sources_changed, freshness_sensor(checks)],
        resources={"settings": settings or LandscapeSettings()},
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location's definitions, built when Dagster loads the location (``workspace.yaml``), not on import:
    ``landscape build`` builds its own with the settings it was given."""
    return build_definitions()
