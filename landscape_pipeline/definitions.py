"""The code location: every asset, check, job, schedule, sensor and resource of the project."""

from __future__ import annotations

import dagster as dg

from landscape_pipeline.cli.progress import progress_logger
from landscape_pipeline.defs.automation import build_landscape_job, data_sources_changed, weekly_refresh
from landscape_pipeline.defs.catalogue_assets import build_catalogue_asset
from landscape_pipeline.defs.landscape_assets import build_baselines, build_indicator_table
from landscape_pipeline.defs.source_assets import source_assets
from landscape_pipeline.defs.summary_assets import build_summary_asset
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.registry import all_sources


def all_assets(settings: LandscapeSettings | None = None) -> list[dg.AssetsDefinition]:
    """Return every asset in graph order: sources (mapped extracts in the settings' data_sources), indicator
    table, catalogue, baselines, summaries."""
    specs = all_sources(settings.sources_dir() if settings else None)
    return [*source_assets(specs), build_indicator_table(specs), build_catalogue_asset(specs), build_baselines(specs),
            build_summary_asset(specs)]


def build_definitions(settings: LandscapeSettings | None = None) -> dg.Definitions:
    """Return the project's Definitions, with ``settings`` (default: from the environment)."""
    return dg.Definitions(
        assets=all_assets(settings),
        jobs=[build_landscape_job],
        schedules=[weekly_refresh],
        sensors=[data_sources_changed],
        resources={"settings": settings or LandscapeSettings()},
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions()
