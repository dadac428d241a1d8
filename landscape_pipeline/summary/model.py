"""The page model: plain frozen dataclasses the templates render (no pandas, no markup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from landscape_pipeline.summary.charts import Sparkline, SpineChart


@dataclass(frozen=True)
class IndicatorRow:
    """The latest value of one headline series of an indicator, ready to print."""

    anchor: str
    indicator_id: str
    source_id: str
    name: str
    breakdown: str
    unit: str
    value_type: str
    theme: str
    period: str
    value: float | None
    value_text: str
    ci_text: str
    count_text: str
    comparator_value: float | None
    comparator_text: str
    comparison: str
    comparison_class: str
    polarity: str
    trend: str
    suppressed: bool
    note: str
    source_title: str
    source_label: str
    sentence_value: str = ""
    n_periods: int = 1
    sparkline: Sparkline | None = None


@dataclass(frozen=True)
class ThemeSection:
    """One theme's table (and spine chart of its compared indicators)."""

    name: str
    anchor: str
    rows: tuple[IndicatorRow, ...]
    spine: SpineChart | None
    #: Indicators published only by a long breakdown (e.g. 19 age bands), kept in the baseline file only.
    omitted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One plain-English headline sentence and what it rests on."""

    text: str
    kind: str
    label: str
    indicator_id: str
    comparison: str
    marker: str = "none"
    arrow: str = ""


@dataclass(frozen=True)
class HeaderFact:
    """A headline fact about the area (population, deprivation) with where it came from."""

    label: str
    text: str
    period: str


@dataclass(frozen=True)
class SourceEntry:
    """One dataset used on the page: who publishes it, which periods, and its caveats."""

    source_id: str
    title: str
    publisher: str
    homepage: str
    data_url: str
    periods: str
    latest_period: str
    retrieved: str
    synthetic: bool
    indicators: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class IndexEntry:
    """What the index page needs about one area's page."""

    area_code: str
    area_name: str
    type_label: str
    nation_name: str
    group_name: str
    href: str
    synthetic: bool
    indicators: int


@dataclass(frozen=True)
class SummaryPage:
    """Everything one local authority's summary page shows."""

    area_code: str
    area_name: str
    type_label: str
    region_name: str
    nation_name: str
    health_board_name: str
    comparator_code: str
    comparator_name: str
    built_at: datetime
    synthetic: bool
    population: HeaderFact | None
    deprivation: HeaderFact | None
    findings: tuple[Finding, ...]
    themes: tuple[ThemeSection, ...]
    sources: tuple[SourceEntry, ...]
    spread_label: str = ""

    @property
    def indicator_count(self) -> int:
        """Return how many indicator rows the page's tables hold."""
        return sum(len(t.rows) for t in self.themes)

    @property
    def html_name(self) -> str:
        """Return the file name of the page's HTML version."""
        return f"{self.area_code}.html"

    @property
    def markdown_name(self) -> str:
        """Return the file name of the page's Markdown version."""
        return f"{self.area_code}.md"

    def index_entry(self) -> IndexEntry:
        """Return the page's entry on the index page."""
        group = self.region_name or (f"NHS {self.health_board_name}" if self.health_board_name else self.nation_name)
        return IndexEntry(self.area_code, self.area_name, self.type_label, self.nation_name, group,
                          self.html_name, self.synthetic, self.indicator_count)
