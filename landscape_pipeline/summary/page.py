"""Assemble each local authority's summary page model from the harmonised indicator table.

:func:`build_pages` digests the whole table once (:mod:`.prepare`), then yields one
:class:`~.model.SummaryPage` per area from plain lists. Suppressed values never enter the model
as numbers: their value, interval and count are replaced by text before any template sees them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.summary import charts
from landscape_pipeline.summary.findings import headline_findings
from landscape_pipeline.summary.formatting import (
    MISSING_TEXT,
    SUPPRESSED_TEXT,
    breakdown_label,
    comparison_class,
    format_interval,
    format_number,
    format_period,
    format_value,
    is_count_like,
    slug,
)
from landscape_pipeline.summary.model import HeaderFact, IndicatorRow, SourceEntry, SummaryPage, ThemeSection
from landscape_pipeline.summary.prepare import Prepared, SourceFacts, prepare, theme_order

MIN_TREND_PERIODS = 5
POPULATION_THEME = "Population and deprivation"
_POPULATION = re.compile(r"\bpopulation\b", re.IGNORECASE)
_DEPRIVATION = re.compile(r"depriv|\bS?IMD\b", re.IGNORECASE)

TYPE_LABELS = {
    "county": "County council (upper tier)", "non_metropolitan_district": "District council (lower tier)",
    "metropolitan_district": "Metropolitan borough (single tier)", "london_borough": "London borough (single tier)",
    "unitary": "Unitary authority (single tier)", "council_area": "Council area (single tier)",
    "principal_area": "Principal area (single tier)", "ni_district": "District council (single tier)",
}
_SPREAD_LABELS = {
    ("England", "upper"): "English counties and unitary authorities",
    ("England", "lower"): "English districts and unitary authorities",
    ("England", "both"): "English local authorities (counties and unitary authorities, or districts and unitary "
                         "authorities, as each indicator is published)",
    ("Scotland", "upper"): "Scottish council areas", ("Scotland", "lower"): "Scottish council areas",
}


def build_pages(indicators: pd.DataFrame, area_codes: Sequence[str], *, built_at: datetime,
                sources: Mapping[str, SourceSpec]) -> Iterator[SummaryPage]:
    """Yield the summary page of each area in ``area_codes``; cross-area spreads are computed once, up front."""
    codes = list(area_codes)
    prepared = prepare(indicators, codes, sources)
    for code in codes:
        yield build_page(prepared, code, built_at=built_at, sources=sources)


def build_page(prepared: Prepared, area_code: str, *, built_at: datetime,
               sources: Mapping[str, SourceSpec]) -> SummaryPage:
    """Return one area's page from a :class:`~.prepare.Prepared` table."""
    la = geography.local_authority(area_code)
    comparator_code = geography.national_comparator(area_code)
    comparator_name = geography.area_name(comparator_code)
    builder = _AreaBuilder(prepared, la, comparator_name, sources)
    rows = builder.rows()
    used = "both" if len(builder.tier_sets) > 1 else next(iter(builder.tier_sets), la.tier)
    spread_label = _SPREAD_LABELS.get((la.nation_name, used), f"local authorities in {la.nation_name}")
    omitted = prepared.omitted.get(area_code, ())
    themes = []
    for theme in sorted({r.theme for r in rows} | {o.theme for o in omitted}, key=theme_order):
        theme_rows = tuple(r for r in rows if r.theme == theme)
        spine = charts.spine_chart(f"spine-{slug(theme)}", f"{theme}: how {la.area_name} compares",
                                   [builder.spines[r.anchor] for r in theme_rows if r.anchor in builder.spines],
                                   area_name=la.area_name, comparator_name=comparator_name, spread_label=spread_label)
        left_out = tuple(f"{o.name} ({o.categories} {o.category_type.lower()} categories)"
                         for o in omitted if o.theme == theme)
        themes.append(ThemeSection(theme, f"theme-{slug(theme)}", theme_rows, spine, left_out))
    return SummaryPage(
        area_code=la.area_code, area_name=la.area_name, type_label=TYPE_LABELS.get(la.la_type, la.la_type),
        region_name=la.region_name or "", nation_name=la.nation_name, health_board_name=la.health_board_name or "",
        comparator_code=comparator_code, comparator_name=comparator_name, built_at=built_at,
        synthetic=area_code in prepared.synthetic_areas,
        population=_population(rows), deprivation=_deprivation(rows, comparator_name),
        findings=headline_findings(rows, la.area_name, comparator_name), themes=tuple(themes),
        sources=_sources(prepared.source_facts.get(area_code, {}), sources), spread_label=spread_label)


class _AreaBuilder:
    """Turns one area's slice of the prepared columns into table rows, sparklines and spine inputs."""

    def __init__(self, prepared: Prepared, la: geography.LocalAuthority, comparator_name: str,
                 sources: Mapping[str, SourceSpec]):
        self.cols, self.spreads, self.la = prepared.columns, prepared.spreads, la
        self.comparator_name, self.sources = comparator_name, sources
        self.start, self.stop = prepared.bounds.get(la.area_code, (0, 0))
        self.spines: dict[str, charts.SpineInput] = {}
        self.tier_sets: set[str] = set()
        self.labels = {source_id: short_title(spec, source_id) for source_id, spec in sources.items()}

    def rows(self) -> list[IndicatorRow]:
        """Return one row per headline series, in page order."""
        c, out = self.cols, []
        keys = list(zip(*(c[k][self.start:self.stop] for k in ("indicator_id", "sex", "age", "category_type",
                                                                 "category")), strict=True))
        first = 0
        for i in range(1, len(keys) + 1):
            if i == len(keys) or keys[i] != keys[first]:
                out.append(self._row(range(self.start + first, self.start + i)))
                first = i
        return out

    def _row(self, run: range) -> IndicatorRow:
        c = self.cols
        latest = next((i for i in reversed(run) if c["is_latest"][i]), run[-1])
        get = {k: c[k][latest] for k in c}
        suppressed = bool(get["suppressed"])
        unit, vtype = get["unit"] or "", get["value_type"]
        value = None if suppressed else get["value"]
        breakdown = breakdown_label(get["sex"], get["age"], get["category"])
        anchor = slug(f"{get['indicator_id']}-{breakdown}")
        comparison = "Not compared" if suppressed else (get["comparison"] or "Not compared")  # never compare hidden
        source = self.sources.get(get["source_id"])
        row = IndicatorRow(
            anchor=anchor, indicator_id=get["indicator_id"], source_id=get["source_id"],
            name=get["indicator_name"], breakdown=breakdown, unit=unit, value_type=vtype or "", theme=get["theme"],
            period=format_period(get["period_label"]), value=value,
            value_text=SUPPRESSED_TEXT if suppressed else format_number(value, unit, vtype),
            ci_text=MISSING_TEXT if suppressed else format_interval(get["lower_ci_95"], get["upper_ci_95"], unit,
                                                                    vtype),
            count_text=MISSING_TEXT if suppressed else format_number(get["count"], value_type="count"),
            comparator_value=get["comparator_value"],
            comparator_text=format_number(get["comparator_value"], unit, vtype),
            comparison=comparison, comparison_class=comparison_class(comparison),
            polarity=get["polarity"] or "Not applicable", trend=get["recent_trend"] or "",
            suppressed=suppressed, note=_note(get, suppressed),
            source_title=source.title if source else get["source_id"],
            source_label=self.labels.get(get["source_id"]) or get["source_id"],
            sentence_value=SUPPRESSED_TEXT if suppressed else format_value(value, unit, vtype),
            n_periods=len(run), sparkline=self._sparkline(run, get, breakdown),
        )
        self._spine(row, get, vtype)
        return row

    def _sparkline(self, run: range, get: dict, breakdown: str) -> charts.Sparkline | None:
        if len(run) < MIN_TREND_PERIODS:
            return None
        c, unit, vtype = self.cols, get["unit"], get["value_type"]
        values = [None if c["suppressed"][i] else c["value"][i] for i in run]
        # a count's comparator (e.g. England's population) is on another scale: draw the area alone
        comparator = [None if is_count_like(unit, vtype) else c["comparator_value"][i] for i in run]
        periods = [format_period(c["period_label"][i]) for i in run]
        shown = [i for i, v in enumerate(values) if v is not None]
        if len(shown) < 2:
            return None
        name = get["indicator_name"] + (f" ({breakdown})" if breakdown else "")
        area = self.la.area_name
        text = (f"Trend in {name}, {periods[0]} to {periods[-1]}: {area} "
                f"{format_value(values[shown[0]], unit, vtype)} in {periods[shown[0]]}, "
                f"{format_value(values[shown[-1]], unit, vtype)} in {periods[shown[-1]]}")
        known = [(p, v) for p, v in zip(periods, comparator, strict=True) if v is not None]
        if known and not is_count_like(unit, vtype):
            text += (f"; {self.comparator_name} {format_value(known[0][1], unit, vtype)} in {known[0][0]}, "
                     f"{format_value(known[-1][1], unit, vtype)} in {known[-1][0]}")
        hidden = [periods[i] for i, v in enumerate(values) if v is None and c["suppressed"][run[i]]]
        if hidden:
            text += f". {', '.join(hidden)}: suppressed (small numbers)"
        text += f". Recent trend: {get['recent_trend'] or 'not available'}."
        return charts.sparkline(values, comparator, description=text, last_class=comparison_class(get["comparison"]))

    def _spine(self, row: IndicatorRow, get: dict, vtype: str | None) -> None:
        if get["comparator_value"] is None or row.value is None or is_count_like(row.unit, vtype):
            return  # suppressed values and counts (e.g. population) have no place on a spine
        key = (get["indicator_id"], get["sex"], get["age"], get["category_type"] or "", get["category"] or "",
               get["period_label"], self.la.nation_code)
        tier_set = "lower" if self.la.tier != "upper" else "upper"
        spread = self.spreads.get((*key, tier_set))
        if self.la.tier == "single" and (spread is None or spread[5] == 0):
            upper = self.spreads.get((*key, "upper"))  # no district published it: compare within counties & UAs
            if upper is not None:
                tier_set, spread = "upper", upper
        if spread is None:
            return
        self.tier_sets.add(tier_set)
        lowest, q25, q75, highest, _n, _tiered = spread
        self.spines[row.anchor] = charts.SpineInput(
            name=row.name + (f" ({row.breakdown})" if row.breakdown else ""), detail=row.period, value=row.value,
            value_text=row.value_text, comparator_value=get["comparator_value"], comparator_text=row.comparator_text,
            comparison=row.comparison, comparison_class=row.comparison_class, polarity=row.polarity,
            lowest=lowest, q25=q25, q75=q75, highest=highest, lowest_text=format_number(lowest, row.unit, vtype),
            highest_text=format_number(highest, row.unit, vtype), suppressed=row.suppressed)


def short_title(spec: SourceSpec | None, source_id: str) -> str:
    """Return a source's title short enough for a table cell ('Hospital Episode Statistics')."""
    title = spec.title if spec else source_id
    head = title.split(":")[0].strip()
    return textwrap.shorten(head if len(head) >= 12 else title, 44, placeholder=" …")


def _note(get: dict, suppressed: bool) -> str:
    parts = []
    if get["value_note"] and not suppressed:
        parts.append(str(get["value_note"]))
    method = get["geography_method"]
    if method and method != "direct":
        how = get["attribution_note"] or "from a larger area"
        parts.append(how if how.lower().startswith(method.lower()) else f"{method.capitalize()}: {how}")
    return "; ".join(parts)


def _population(rows: Sequence[IndicatorRow]) -> HeaderFact | None:
    found = [r for r in rows if _POPULATION.search(r.name) and r.value is not None
             and is_count_like(r.unit, r.value_type)]
    found.sort(key=lambda r: (r.theme != POPULATION_THEME, bool(r.breakdown)))
    if not found:
        return None
    return HeaderFact("Population", f"{found[0].value:,.0f}", found[0].period)


def _deprivation(rows: Sequence[IndicatorRow], comparator_name: str) -> HeaderFact | None:
    found = [r for r in rows if _DEPRIVATION.search(r.name) and r.value is not None]
    found.sort(key=lambda r: (r.theme != POPULATION_THEME, bool(r.breakdown)))
    if not found:
        return None
    row = found[0]
    text = f"{row.name}: {row.sentence_value}"
    if row.comparator_value is not None:
        text += f" ({comparator_name} {row.comparator_text})"
    return HeaderFact("Deprivation", text, row.period)


def _sources(facts: Mapping[str, SourceFacts], sources: Mapping[str, SourceSpec]) -> tuple[SourceEntry, ...]:
    ordered = [s for s in sources if s in facts] + sorted(s for s in facts if s not in sources)
    out = []
    for source_id in ordered:
        fact, spec = facts[source_id], sources.get(source_id)
        notes = [spec.caveat] if spec and spec.caveat else []
        if fact.attributed:
            notes.append(f"{fact.attributed:,} of {fact.rows:,} values reach this area by attribution or "
                         "apportionment from a larger area")
        notes += list(fact.notes[:3]) + ([f"… and {len(fact.notes) - 3} more notes"] if len(fact.notes) > 3 else [])
        earliest, latest = format_period(fact.earliest), format_period(fact.latest)
        out.append(SourceEntry(
            source_id=source_id, title=spec.title if spec else source_id, publisher=spec.publisher if spec else "",
            homepage=spec.homepage if spec else "", data_url=fact.data_url,
            periods=latest if earliest == latest else f"{earliest} to {latest}", latest_period=latest,
            retrieved=fact.retrieved.strftime("%-d %B %Y") if fact.retrieved is not None else MISSING_TEXT,
            synthetic=fact.synthetic, indicators=fact.indicators, notes=tuple(notes)))
    return tuple(out)
