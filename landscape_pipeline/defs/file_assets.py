"""Publisher files as observable source assets: a data version (content hash) and a last-changed time.

``<source>_files`` is observed, not built: its data version is the sha256 over the source's files (bundled
extracts, or the live download folder when the source is fetched live), so Dagster marks what was built
from older files as stale. ``dagster/last_updated_timestamp`` is when the files were retrieved (from
``provenance.json``, else the newest file's modification time), and a freshness check per source fails
when that is older than the publisher's release cadence allows.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg

from landscape_pipeline import paths, provenance
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import SourceSpec

#: Longest expected gap between releases, by the first cadence word, plus a month's grace.
_CADENCE_DAYS = (("week", 7), ("month", 31), ("quarter", 92), ("biennial", 730), ("annual", 365), ("year", 365))
GRACE_DAYS = 31


def files_asset_key(source_id: str) -> dg.AssetKey:
    """Return the asset key of a source's publisher files."""
    return dg.AssetKey(f"{source_id}_files")


def source_cadence(spec: SourceSpec) -> str:
    """Return the source's shortest release cadence named in its indicator dictionary ('' when none)."""
    cadences = [e.cadence for e in spec.dictionary()] if spec.dictionary else []
    return min(cadences, key=lambda c: cadence_days(c) or 10**6, default="")


def cadence_days(cadence: str) -> int | None:
    """Return the days between releases a cadence promises (None for irregular or one-off releases)."""
    text = cadence.casefold()
    if re.match(r"\s*(irregular|multi-year|one-off|ad hoc)", text):
        return None
    for word, days in _CADENCE_DAYS:
        if word in text:
            return days
    return None


def max_age(spec: SourceSpec) -> timedelta | None:
    """Return how old a source's files may be before they are overdue (None: no cadence to hold them to)."""
    days = cadence_days(source_cadence(spec))
    return timedelta(days=days + GRACE_DAYS) if days else None


def current_files(spec: SourceSpec, settings: LandscapeSettings) -> list[Path]:
    """Return the files the next build reads: the live download folder's when live, else the bundled ones."""
    if settings.is_live(spec.source_id):
        folder = paths.raw_dir(settings.root(), spec.source_id)
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    return list(spec.bundled_files(settings.sources_dir()))


def fingerprint(files: list[Path]) -> str:
    """Return the sha256 over the files' names and contents (order independent)."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + provenance.sha256_of(path).encode() + b"\n")
    return digest.hexdigest()


def last_changed(files: list[Path]) -> datetime | None:
    """Return when the newest of ``files`` was retrieved (its provenance: sidecar, manifest, else modified)."""
    return max((provenance.describe_file(path).retrieved_at for path in files), default=None)


def build_files_asset(spec: SourceSpec) -> dg.SourceAsset:
    """Return the observable source asset of one source's publisher files."""
    with warnings.catch_warnings():  # observable_source_asset is "beta" in 1.13: say it once here, not at start-up
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _files_asset(spec)


def _files_asset(spec: SourceSpec) -> dg.SourceAsset:
    cadence = source_cadence(spec)

    @dg.observable_source_asset(
        key=files_asset_key(spec.source_id), group_name="publisher_files", required_resource_keys={"settings"},
        description=f"The {spec.title} files ({spec.publisher}) the build reads; data version = sha256 of their "
                    f"contents. Release cadence: {cadence or 'not stated'}.",
        metadata={"source_id": spec.source_id, "publisher": spec.publisher, "homepage": spec.homepage,
                  "cadence": cadence},
    )
    def _files(context) -> dg.ObserveResult:
        settings: LandscapeSettings = context.resources.settings
        files = current_files(spec, settings)
        changed = last_changed(files)
        metadata: dict[str, object] = {"files": [f.name for f in files], "file_count": len(files),
                                       "sha256": fingerprint(files), "live": settings.is_live(spec.source_id)}
        if changed is not None:
            metadata["dagster/last_updated_timestamp"] = dg.MetadataValue.timestamp(changed)
            metadata["last_changed"] = changed.isoformat()
        return dg.ObserveResult(data_version=dg.DataVersion(metadata["sha256"][:16]), metadata=metadata)

    return _files


def file_assets(specs: dict[str, SourceSpec]) -> list[dg.SourceAsset]:
    """Return one observable files asset per source."""
    return [build_files_asset(spec) for spec in specs.values()]


def freshness_checks(specs: dict[str, SourceSpec]) -> list[dg.AssetChecksDefinition]:
    """Return a freshness check per source with a regular cadence: overdue when its files are older than it."""
    checks: list[dg.AssetChecksDefinition] = []
    with warnings.catch_warnings():  # "superseded" by FreshnessPolicy, which 1.13 ships as a preview that is off
        warnings.simplefilter("ignore", FutureWarning)  # unless the instance enables it: keep the checks
        for spec in specs.values():
            age = max_age(spec)
            if age is not None:
                checks += dg.build_last_update_freshness_checks(assets=[files_asset_key(spec.source_id)],
                                                                lower_bound_delta=age)
    return checks


def freshness_sensor(checks: list[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    """Return the sensor that evaluates the freshness checks (off by default, like the other automation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return dg.build_sensor_for_freshness_checks(freshness_checks=checks)
