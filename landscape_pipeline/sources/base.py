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
class IndicatorInfo:
    """One indicator's dictionary entry, declared in its source's folder (``dictionary.py``).

    ``decimals`` is the publisher's precision: published values and limits are rounded to it once,
    when the indicator table is written. ``ci_method`` says whose limits these are ("Publisher's: ..."
    or "Computed here: ..."). ``publisher_id`` is the publisher's own code, where it has one.
    """

    indicator_id: str
    name: str
    definition: str
    numerator: str
    denominator: str
    value_type: str
    unit: str
    multiplier: float | None
    ci_method: str
    polarity: str
    cadence: str
    decimals: int
    publisher_id: str = ""
    notes: str = ""
    #: How change since a baseline is tested: "auto" (by value type and the data) or "none" (not a sample
    #: estimate, e.g. ranks, population estimates, index scores: the change is given without a test).
    change_test: str = "auto"


@dataclass(frozen=True)
class SourceInputs:
    """What a parser may use besides its files: the staged tables of the sources it depends on.

    ``synthetic`` is derived, never asserted: a row built with synthetic upstream rows is synthetic.
    A parser that marks its rows itself (with :meth:`synthetic_rows`, row by row) says so by setting
    ``frame.attrs[SYNTHETIC_DERIVED] = True``; otherwise ingest marks every row synthetic when any
    upstream table the parser read holds a synthetic row.
    """

    upstream: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def synthetic_rows(self, source_id: str, mask: pd.Series | None = None) -> bool:
        """Return True when any (selected) row of upstream table ``source_id`` is synthetic."""
        table = self.upstream.get(source_id)
        if table is None or "synthetic" not in table or table.empty:
            return False
        flags = table["synthetic"].astype(bool)
        return bool((flags[mask] if mask is not None else flags).any())


#: ``DataFrame.attrs`` key by which a parser says it derived ``synthetic`` row by row from its inputs.
SYNTHETIC_DERIVED = "synthetic_derived"


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
    #: Name of a rule in :data:`landscape_pipeline.disclosure.RULES` (which cites the publisher's guidance).
    disclosure_rule: str = "none"
    #: indicator_id -> (numerator family, protected denominator family or None): which counts indicators
    #: share, so disclosure decisions agree across them (default: each indicator its own count).
    count_families: Callable[[str], tuple[str, str | None]] | None = None
    #: Canonical column -> the publisher's column name, used in error messages.
    column_labels: Mapping[str, str] = field(default_factory=dict)
    #: Extra GX expectations for this source (a callable so GX is imported lazily).
    extra_expectations: Callable[[], list] | None = None
    #: Theme for each indicator id; ``default_theme`` for the rest.
    themes: Mapping[str, str] = field(default_factory=dict)
    default_theme: str = "Local data"
    #: Short caveat shown with the source in summaries (e.g. "attributed from ICB").
    caveat: str = ""
    #: Folder of its bundled files under ``data_sources/`` (default: the source id).
    folder: str = ""
    #: Per indicator id: definition, unit and the canonical indicator it sits beside (mapped extracts).
    indicator_meta: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The indicator dictionary: one :class:`IndicatorInfo` per indicator id the source produces.
    dictionary: Callable[[], Sequence[IndicatorInfo]] | None = None

    def bundled_files(self, data_sources: Path) -> list[Path]:
        """Return the bundled extracts of this source, sorted, excluding manifests and sidecars."""
        folder = data_sources / (self.folder or self.source_id)
        found: set[Path] = set()
        for pattern in self.bundled_patterns:
            found.update(p for p in folder.glob(pattern) if p.is_file() and not p.name.endswith(".meta.json"))
        return sorted(found)

    def theme_of(self, indicator_id: str) -> str:
        """Return the summary theme of one of this source's indicators."""
        return self.themes.get(indicator_id, self.default_theme)
