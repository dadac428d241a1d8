"""The page model: plain frozen dataclasses the templates render (no pandas, no markup)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from landscape_pipeline.summary.charts import MiniSpine, Sparkline
from landscape_pipeline.summary.formatting import is_count_like
from landscape_pipeline.summary.standards import Assessment

_T = TypeVar("_T")


def evolve(obj: _T, **changes: object) -> _T:
    """Return a copy of a frozen dataclass with ``changes``, like :func:`dataclasses.replace` (which re-runs
    ``__init__`` over every field) at a fraction of its cost; the classes here have no ``__post_init__``."""
    unknown = changes.keys() - obj.__dict__.keys()
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field(s) {sorted(unknown)}")
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new


@dataclass(frozen=True)
class Since:
    """Change since a frozen baseline for one row (from :func:`landscape_pipeline.change.compare_frames`)."""

    baseline_period: str
    baseline_text: str
    change_text: str
    assessment: str
    significant: bool | None
    css: str
    note: str = ""
    short: str = ""


@dataclass(frozen=True)
class Benchmark:
    """One comparison of a row: against whom, their value and the label."""

    name: str
    value_text: str
    comparison: str
    css: str
    reason: str = ""  # why "Not compared", when there is a specific reason


@dataclass(frozen=True)
class DetailValue:
    """A breakdown of a headline row (another age band, sex or group), shown in its details."""

    label: str
    period: str
    value_text: str
    comparator_text: str
    comparison: str
    css: str


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
    measure: str = ""
    region: Benchmark | None = None
    similar: Benchmark | None = None
    region_value: float | None = None
    similar_value: float | None = None
    synthetic: bool = False
    modelled: bool = False
    attributed: bool = False
    spine: MiniSpine | None = None
    standard: Assessment | None = None
    since: Since | None = None
    hidden_reason: str = ""
    details: tuple[DetailValue, ...] = ()
    equivalent_note: str = ""
    lower_ci: float | None = None
    upper_ci: float | None = None
    count: float | None = None

    @property
    def national(self) -> Benchmark | None:
        """Return the comparison with the nation as a :class:`Benchmark` (None for counts: another scale)."""
        if is_count_like(self.unit, self.value_type):
            return None
        return Benchmark("", self.comparator_text, self.comparison, self.comparison_class)


@dataclass(frozen=True)
class RugCell:
    """One area's value of one indicator on an overview (tartan rug)."""

    value_text: str
    comparison: str
    css: str
    sort_key: int
    description: str


@dataclass(frozen=True)
class RugRow:
    """One indicator across the areas of an overview."""

    key: str
    label: str
    theme: str
    measure: str
    benchmark_text: str
    cells: tuple[RugCell | None, ...]


@dataclass(frozen=True)
class RugArea:
    """One column of an overview: an area and the link to its page."""

    area_code: str
    area_name: str
    href: str
    note: str = ""


@dataclass(frozen=True)
class Rug:
    """Areas x indicators coloured by comparison with each area's nation."""

    title: str
    areas: tuple[RugArea, ...]
    rows: tuple[RugRow, ...]
    counts: tuple[tuple[str, int, int, int], ...] = ()  # per area: name, worse, similar, better


@dataclass(frozen=True)
class ThemeSection:
    """One theme's merged table (figures and chart per row), its notes and the rows set aside."""

    name: str
    anchor: str
    rows: tuple[IndicatorRow, ...]
    spine: object | None = None
    #: Indicators published only by a long breakdown (e.g. 19 age bands), kept in the baseline file only.
    omitted: tuple[str, ...] = ()
    hidden: tuple[IndicatorRow, ...] = ()
    notes: tuple[str, ...] = ()
    blocks: tuple[object, ...] = ()

    @property
    def compact(self) -> bool:
        """Return True when no row has anything to compare (e.g. local monitoring counts): a short list will do."""
        return bool(self.rows) and all(r.comparator_value is None and r.spine is None for r in self.rows)

    @property
    def hidden_summary(self) -> str:
        """Return 'N more indicators: ...' for the collapsed rows, by reason."""
        reasons: dict[str, int] = {}
        for row in self.hidden:
            reasons[row.hidden_reason] = reasons.get(row.hidden_reason, 0) + 1
        return "; ".join(f"{n} {reason}" for reason, n in reasons.items())


@dataclass(frozen=True)
class Finding:
    """One plain-English headline sentence, what it rests on and how much it matters."""

    text: str
    kind: str
    label: str
    indicator_id: str
    comparison: str
    marker: str = "none"
    arrow: str = ""
    score: float = 0.0
    short: str = ""


@dataclass(frozen=True)
class HeaderFact:
    """A headline fact about the area (population, deprivation) with where it came from."""

    label: str
    text: str
    period: str
    note: str = ""


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
class CompareCount:
    """How many indicators are better / similar / worse (or higher / lower) against one benchmark."""

    benchmark: str
    better: int
    similar: int
    worse: int
    higher: int
    lower: int
    compared: int
    note: str = ""


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
    region_label: str = ""
    similar_names: tuple[str, ...] = ()
    similar_codes: tuple[str, ...] = ()
    counts: tuple[CompareCount, ...] = ()
    notes: tuple[str, ...] = ()
    districts: Rug | None = None
    county_name: str = ""
    county_href: str = ""
    site_name: str = ""
    since_label: str = ""
    since_rows: tuple[IndicatorRow, ...] = ()
    evidence: tuple[tuple[str, str, str], ...] = ()  # (date, title, link)
    downloads: tuple[tuple[str, str], ...] = ()  # (label, file name)
    methods: tuple[str, ...] = ()
    upper_rows: tuple[IndicatorRow, ...] = field(default=())

    @property
    def indicator_count(self) -> int:
        """Return how many indicator rows the page holds (shown and set aside)."""
        return sum(len(t.rows) + len(t.hidden) for t in self.themes)

    @property
    def html_name(self) -> str:
        """Return the file name of the page's HTML version."""
        return f"{self.area_code}.html"

    @property
    def board_name(self) -> str:
        """Return the file name of the one-page board summary."""
        return f"{self.area_code}-board.html"

    @property
    def markdown_name(self) -> str:
        """Return the file name of the page's Markdown version."""
        return f"{self.area_code}.md"

    @property
    def all_rows(self) -> tuple[IndicatorRow, ...]:
        """Return every row on the page, shown first then set aside, in page order."""
        return tuple(r for t in self.themes for r in (*t.rows, *t.hidden))

    def index_entry(self) -> IndexEntry:
        """Return the page's entry on the index page."""
        group = self.region_name or (f"NHS {self.health_board_name}" if self.health_board_name else self.nation_name)
        return IndexEntry(self.area_code, self.area_name, self.type_label, self.nation_name, group,
                          self.html_name, self.synthetic, self.indicator_count)
