"""The one registry of sources. Adding a source = a package under ``sources/`` + one line here.

Local extracts need no code at all: each folder ``data_sources/<family>/<extract_id>/`` holding a
``mapping.yaml`` is discovered as source ``<family>_<extract_id>`` (see :mod:`landscape_pipeline.mapping`).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from landscape_pipeline import paths
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
#: Folders of ``data_sources/`` whose sub-folders are mapped local extracts (one source each).
MAPPED_FAMILIES: tuple[str, ...] = ("jsna", "hace")


@lru_cache(maxsize=1)
def builtin_sources() -> dict[str, SourceSpec]:
    """Return every source package's spec by id, in dependency order."""
    specs: dict[str, SourceSpec] = {}
    for package in SOURCE_PACKAGES:
        module = importlib.import_module(f"landscape_pipeline.sources.{package}")
        spec: SourceSpec = module.SOURCE
        missing = [dep for dep in spec.depends_on if dep not in specs]
        if missing:
            raise RuntimeError(f"Source '{spec.source_id}' depends on {missing}, which must be registered first.")
        specs[spec.source_id] = spec
    return specs


def all_sources(data_sources: Path | None = None) -> dict[str, SourceSpec]:
    """Return every registered source by id: the packages, then the mapped extracts found in ``data_sources``."""
    from landscape_pipeline.mapping.source import discover

    specs = dict(builtin_sources())
    root = Path(data_sources) if data_sources else paths.data_sources_dir()
    for family in MAPPED_FAMILIES:
        specs.update(discover(root, family))
    return specs


def get_source(source_id: str) -> SourceSpec:
    """Return one source by id, or raise KeyError naming the known ids."""
    sources = all_sources()
    if source_id not in sources:
        raise KeyError(f"Unknown source '{source_id}'. Known sources: {', '.join(sources)}.")
    return sources[source_id]
