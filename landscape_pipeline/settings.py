"""Run settings as a Dagster resource: data root, bundled vs live sources, HTTP limits, the build lock.

Tests and production differ only in these values. Defaults come from the environment:
``LANDSCAPE_DATA_DIR`` (output root), ``LANDSCAPE_DATA_SOURCES`` (bundled extracts) and
``LANDSCAPE_LIVE_SOURCES`` (comma-separated source ids to fetch from the publisher, or ``all``).
A source id that is not registered is an error, never silently bundled data.

While a step runs with these settings it holds the data root's build lock
(:mod:`landscape_pipeline.buildlock`), so runs on one data root never interleave their writes.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import Field

from landscape_pipeline import paths
from landscape_pipeline.errors import LandscapeError
from landscape_pipeline.http import HttpFetcher

LIVE_ENV = "LANDSCAPE_LIVE_SOURCES"
#: Source id meaning "every source".
ALL = "all"


class UnknownSourceError(LandscapeError):
    """A source id given in a flag, the environment or run config is not registered."""


def _live_from_env() -> list[str]:
    raw = os.environ.get(LIVE_ENV, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def check_source_ids(ids: Iterable[str], where: str, *, allow_all: bool = True) -> list[str]:
    """Return ``ids`` when each is a registered source id (or ``all``); else raise naming the closest ids."""
    from landscape_pipeline.sources.registry import all_sources

    ids = list(ids)
    if not ids:  # nothing to check: no need to list the sources (a build asks this for each step's settings)
        return ids
    known = list(all_sources())
    choices = [*known, ALL] if allow_all else known
    for source_id in ids:
        if source_id not in choices:
            close = difflib.get_close_matches(source_id, choices, n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownSourceError(f"{where}: '{source_id}' is not a registered source.{hint} "
                                     f"Known sources: {', '.join(choices)}.")
    return ids


class LandscapeSettings(dg.ConfigurableResource):
    """Where data goes, which sources are fetched live, and how patiently."""

    data_dir: str = Field(default="", description="Output root; blank means $LANDSCAPE_DATA_DIR or ./data.")
    data_sources_dir: str = Field(default="", description="Bundled extracts; blank means the project's data_sources/.")
    live_sources: list[str] = Field(default_factory=_live_from_env,
                                    description="Source ids fetched live from the publisher instead of bundled.")
    allow_shrink: list[str] = Field(
        default_factory=list,
        description="Source ids (or 'all') allowed to stage far fewer rows than their last good staging.")
    max_shrink_fraction: float = Field(
        default=0.2, description="Refuse a source that loses more than this share of its rows, or of one "
                                 "indicator's rows, against its last good staging (unless in allow_shrink).")
    http_timeout_seconds: float = Field(default=60.0, description="Timeout for one HTTP connect or read.")
    http_deadline_seconds: float = Field(default=900.0, description="Overall time allowed for one file, retries "
                                                                    "included.")
    http_retries: int = Field(default=4, description="Retries (exponential backoff) for transient HTTP faults.")
    http_max_retry_after_seconds: float = Field(default=120.0, description="Cap on a server's Retry-After.")
    live_retries: int = Field(default=2, description="Times a live source asset is retried after a transient "
                                                      "network failure (never for bundled files).")
    live_retry_seconds: float = Field(default=30.0, description="First wait before retrying a live source "
                                                                 "(doubled each time, with jitter).")
    lock_timeout_seconds: float = Field(
        default=3600.0, description="How long a step waits for the data root's lock (held by another build, or by "
                                    "a step of the same run in another process) before failing.")

    def root(self) -> Path:
        """Return the output root."""
        return Path(self.data_dir) if self.data_dir else paths.data_root()

    def sources_dir(self) -> Path:
        """Return the folder of bundled extracts."""
        return Path(self.data_sources_dir) if self.data_sources_dir else paths.data_sources_dir()

    def is_live(self, source_id: str) -> bool:
        """Return True when ``source_id`` should be fetched from its publisher (unknown ids raise)."""
        live = check_source_ids(self.live_sources, f"live sources (--live or ${LIVE_ENV})")
        return source_id in live or ALL in live

    def shrink_allowed(self, source_id: str) -> bool:
        """Return True when this run says a sharp shrink of ``source_id`` is expected."""
        allowed = check_source_ids(self.allow_shrink, "allow_shrink (--allow-shrink)")
        return source_id in allowed or ALL in allowed

    def fetcher(self) -> HttpFetcher:
        """Return an HTTP fetcher with these limits, caching validators and logging under ``raw/``."""
        raw = self.root() / "raw"
        return HttpFetcher(timeout_seconds=self.http_timeout_seconds, retries=self.http_retries,
                           deadline_seconds=self.http_deadline_seconds,
                           max_retry_after_seconds=self.http_max_retry_after_seconds,
                           cache_path=raw / "http_cache.json", log_path=raw / "fetch_log.jsonl")

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Generator[LandscapeSettings, None, None]:
        """Hold the data root's build lock while a step uses these settings."""
        from landscape_pipeline.buildlock import build_lock

        run_id = getattr(context, "run_id", None) or "?"
        with build_lock(self.root(), timeout=self.lock_timeout_seconds, command=f"dagster run {run_id}"):
            yield self
