"""What a source is: the contract every ``landscape_pipeline/sources/<source>/`` package meets.

A source package exposes ``SOURCE: SourceSpec``. The pipeline does the rest: it picks the
bundled files (or calls the live loader), parses them to the canonical schema, validates them
with the GX suite plus the source's own expectations, checks disclosure control, and stages the
result. Adding a source touches only its own folder and one line of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from landscape_pipeline.http import HttpFetcher

#: Themes of the landscape summary; every indicator belongs to one.
THEMES: tuple[str, ...] = (
    "Prevalence and incidence",
    "Mortality and survival",
    "Screening and early diagnosis",
    "Hospital activity",
    "Patient experience",
    "End of life care",
    "Social care and support",
    "Population and deprivation",
    "Local data",
)


@dataclass(frozen=True)
class SourceInputs:
    """What a parser may use besides its files: the staged tables of the sources it depends on."""

    upstream: Mapping[str, pd.DataFrame] = field(default_factory=dict)


#: Parse files into one canonical frame (see :mod:`landscape_pipeline.schema`).
Parser = Callable[[Sequence[Path], SourceInputs], pd.DataFrame]
#: Fetch the publisher's files into a folder; return the saved paths.
LiveLoader = Callable[[HttpFetcher, Path], list[Path]]


@dataclass(frozen=True)
class SourceSpec:
    """One registered source."""

    source_id: str
    title: str
    publisher: str
    homepage: str
    parse: Parser
    fetch_live: LiveLoader | None = None
    bundled_patterns: tuple[str, ...] = ("*.csv",)
    depends_on: tuple[str, ...] = ()
    #: Name of a rule in :mod:`landscape_pipeline.disclosure` applied to its counts ("none" if public).
    disclosure_rule: str = "none"
    #: Canonical column -> the publisher's column name, used in error messages.
    column_labels: Mapping[str, str] = field(default_factory=dict)
    #: Extra GX expectations for this source (a callable so GX is imported lazily).
    extra_expectations: Callable[[], list] | None = None
    #: Theme for each indicator id; ``default_theme`` for the rest.
    themes: Mapping[str, str] = field(default_factory=dict)
    default_theme: str = "Local data"
    #: Short caveat shown with the source in summaries (e.g. "attributed from ICB").
    caveat: str = ""

    def bundled_files(self, data_sources: Path) -> list[Path]:
        """Return the bundled extracts of this source, sorted, excluding manifests and sidecars."""
        folder = data_sources / self.source_id
        found: set[Path] = set()
        for pattern in self.bundled_patterns:
            found.update(p for p in folder.glob(pattern) if p.is_file() and not p.name.endswith(".meta.json"))
        return sorted(found)

    def theme_of(self, indicator_id: str) -> str:
        """Return the summary theme of one of this source's indicators."""
        return self.themes.get(indicator_id, self.default_theme)
