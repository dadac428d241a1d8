"""The one registry of sources. Adding a source = a package under ``sources/`` + one line here."""

from __future__ import annotations

import importlib
from functools import lru_cache

from landscape_pipeline.sources.base import SourceSpec

#: Source packages in dependency order (a source comes after those it depends on).
SOURCE_PACKAGES: tuple[str, ...] = (
    "fingertips",
    "phs",
    "scotpho",
    "simd",
    "phs_end_of_life",
    "ons_population",
    "imd",
    "qof_prevalence",
    "cpes",
    "hes",
    "ascof",
    "cqc",
    "cqc_la_assessment",
    "gpps",
)


@lru_cache(maxsize=1)
def all_sources() -> dict[str, SourceSpec]:
    """Return every registered source by id, in dependency order."""
    specs: dict[str, SourceSpec] = {}
    for package in SOURCE_PACKAGES:
        module = importlib.import_module(f"landscape_pipeline.sources.{package}")
        spec: SourceSpec = module.SOURCE
        missing = [dep for dep in spec.depends_on if dep not in specs]
        if missing:
            raise RuntimeError(f"Source '{spec.source_id}' depends on {missing}, which must be registered first.")
        specs[spec.source_id] = spec
    return specs


def get_source(source_id: str) -> SourceSpec:
    """Return one source by id, or raise KeyError naming the known ids."""
    sources = all_sources()
    if source_id not in sources:
        raise KeyError(f"Unknown source '{source_id}'. Known sources: {', '.join(sources)}.")
    return sources[source_id]
