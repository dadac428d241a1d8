"""Run settings as a Dagster resource: data root, bundled vs live sources, HTTP limits.

Tests and production differ only in these values. Defaults come from the environment:
``LANDSCAPE_DATA_DIR`` (output root), ``LANDSCAPE_DATA_SOURCES`` (bundled extracts) and
``LANDSCAPE_LIVE_SOURCES`` (comma-separated source ids to fetch from the publisher).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from landscape_pipeline import paths
from landscape_pipeline.http import HttpFetcher


def _live_from_env() -> list[str]:
    raw = os.environ.get("LANDSCAPE_LIVE_SOURCES", "")
    return [part.strip() for part in raw.split(",") if part.strip()]


class LandscapeSettings(dg.ConfigurableResource):
    """Where data goes, which sources are fetched live, and how patiently."""

    data_dir: str = Field(default="", description="Output root; blank means $LANDSCAPE_DATA_DIR or ./data.")
    data_sources_dir: str = Field(default="", description="Bundled extracts; blank means the project's data_sources/.")
    live_sources: list[str] = Field(default_factory=_live_from_env,
                                    description="Source ids fetched live from the publisher instead of bundled.")
    http_timeout_seconds: float = Field(default=60.0, description="Timeout for one HTTP request.")
    http_retries: int = Field(default=4, description="Retries (with exponential backoff) per HTTP request.")

    def root(self) -> Path:
        """Return the output root."""
        return Path(self.data_dir) if self.data_dir else paths.data_root()

    def sources_dir(self) -> Path:
        """Return the folder of bundled extracts."""
        return Path(self.data_sources_dir) if self.data_sources_dir else paths.data_sources_dir()

    def is_live(self, source_id: str) -> bool:
        """Return True when ``source_id`` should be fetched from its publisher."""
        return source_id in self.live_sources or "all" in self.live_sources

    def fetcher(self) -> HttpFetcher:
        """Return an HTTP fetcher with these limits."""
        return HttpFetcher(timeout_seconds=self.http_timeout_seconds, retries=self.http_retries)
