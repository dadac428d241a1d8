"""Assemble each local authority's summary page model from the harmonised indicator table.

:class:`PageBuilder` digests the whole table once (:mod:`.prepare`, with similar areas from
:mod:`.neighbours`), builds each area's rows once (:mod:`.rows`, then :mod:`.arrange`) and turns
them into :class:`~.model.SummaryPage` objects; county pages get their districts' rows, district
pages their county's. :func:`build_pages` is the simple entry point.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.summary import arrange, care
from landscape_pipeline.summary.facts import deprivation_fact, population_fact, source_entries
from landscape_pipeline.summary.findings import compare_counts, headline_findings
from landscape_pipeline.summary.formatting import slug
from landscape_pipeline.summary.model import IndicatorRow, Since, SummaryPage, ThemeSection, evolve
from landscape_pipeline.summary.neighbours import METHOD, Neighbours, build_neighbours
from landscape_pipeline.summary.overview import build_rug
from landscape_pipeline.summary.prepare import Prepared, prepare, theme_order
from landscape_pipeline.summary.rows import RowBuilder
from landscape_pipeline.summary.standards import STANDARDS

TYPE_LABELS = {
    "county": "County council (upper tier)", "non_metropolitan_district": "District council (lower tier)",
    "metropolitan_district": "Metropolitan borough (single tier)", "london_borough": "London borough (single tier)",
    "unitary": "Unitary authority (single tier)", "council_area": "Council area (single tier)",
    "principal_area": "Principal area (single tier)", "ni_district": "District council (single tier)",
}
LOCAL_THEME = "Local data"
COMPARISON_METHOD = (
    "Comparisons use the publisher's label where one was published, otherwise the Fingertips method: an area is "
    "similar when its 95% confidence interval contains the benchmark's value, otherwise higher or lower (better or "
    "worse where higher is good or bad). The size of a difference is called small under 5% of the benchmark's "
    "value, moderate from 5% to 15% and large from 15%. Findings are ranked by judgement, size, any national "
    "standard missed, and agreement with the region and similar areas, not by significance alone. Recent trends "
    "follow the Fingertips method (five most recent points, 99.8% level). Values withheld under the publisher's "
    "disclosure rules are never shown.")
DEPRIVATION_NOT_COMPARABLE = (
    "English and Scottish deprivation figures are not comparable: England's IMD line counts small areas (LSOAs) "
    "in England's most deprived 10%; Scotland's SIMD line counts residents in Scotland's most deprived 20% of "
    "data zones.")


@dataclass
class BuildContext:
    """Build-wide inputs beyond the table: similar areas, site register, change since baseline, evidence."""

    neighbours: Neighbours | None = None
    site_of: Mapping[str, str] = field(default_factory=dict)
    since: Mapping[str, Mapping[tuple, Since]] = field(default_factory=dict)
    since_label: Mapping[str, str] = field(default_factory=dict)
    evidence: Callable[[str], tuple[tuple[str, str, str], ...]] | None = None
    downloads: bool = False
    extra_codes: Sequence[str] = ()


def related_codes(codes: Sequence[str]) -> set[str]:
    """Return the counties of districts and the districts of counties among ``codes``."""
    out: set[str] = set()
    for code in codes:
        la = geography.local_authority(code)
        if la.tier == "lower":
            out.add(la.upper_tier_code)
        elif la.tier == "upper":
            out.update(geography.lower_tier_codes(code))
    return out


class PageBuilder:
    """Builds page models for ``codes`` (and the rows of their counties, districts and ``extra_codes``)."""

    def __init__(self, indicators: pd.DataFrame, codes: Sequence[str], *, built_at: datetime,
                 sources: Mapping[str, SourceSpec], context: BuildContext | None = None):
        self.context = context or BuildContext()
        if self.context.neighbours is None:
            self.context.neighbours = build_neighbours(indicators)
        self.codes = list(codes)
        wanted = sorted(set(self.codes) | related_codes(self.codes) | set(self.context.extra_codes))
        self.prepared: Prepared = prepare(indicators, wanted, sources, self.context.neighbours)
        self.built_at, self.sources = built_at, sources
        self.labels = {source_id: short_title(spec, source_id) for source_id, spec in sources.items()}
        self._rows: dict[str, list[IndicatorRow]] = {}

    def rows(self, code: str) -> list[IndicatorRow]:
        """Return one area's arranged rows (shown and set aside), built once."""
        if code not in self._rows:
            la = geography.local_authority(code)
            comparator = geography.area_name(geography.national_comparator(code))
            builder = RowBuilder(self.prepared, la, comparator_name=comparator, region_label=region_label(la),
                                 sources=self.sources, labels=self.labels, since=self.context.since.get(code))
            rows = arrange.merge_families(builder.rows(), builder.raw_names)
            rows = arrange.set_aside(arrange.fold_details(rows))
            self._rows[code] = arrange.with_equivalents(rows, self.prepared.national)
        return self._rows[code]

    def pages(self) -> Iterator[SummaryPage]:
        """Yield the page of each requested area."""
        for code in self.codes:
            yield self.page(code)

    def page(self, code: str) -> SummaryPage:
        """Return one area's page."""
        la = geography.local_authority(code)
        comparator_code = geography.national_comparator(code)
        comparator = geography.area_name(comparator_code)
        rows = list(self.rows(code))
        assessment = care.cqc_assessment(rows)
        services = care.service_counts(self.prepared.service_rows.get(code))
        if assessment is not None:
            rows = [r for r in rows if r.source_id != care.ASSESSMENT_SOURCE]
        if services is not None:
            rows = [r for r in rows if not (r.source_id == "cqc" and r.value_type == "count")]
        shown = [r for r in rows if not r.hidden_reason]
        notes = arrange.related_notes(shown, la.area_name, comparator)
        themes = []
        blocks = [b for b in (assessment, services) if b is not None]
        names = {r.theme for r in rows} | {o.theme for o in self.prepared.omitted.get(code, ())}
        if blocks:
            names.add(care_theme(self.sources))
        for theme in sorted(names, key=theme_order):
            omitted = tuple(f"{o.name} ({o.categories} {o.category_type.lower()} categories)"
                            for o in self.prepared.omitted.get(code, ()) if o.theme == theme)
            theme_rows, repeated = arrange.theme_notes([r for r in shown if r.theme == theme])
            theme_notes = list(notes.get(theme, [])) + repeated
            if theme == LOCAL_THEME and code in self.context.site_of:
                theme_notes.insert(0, f"Local monitoring for the {self.context.site_of[code]} programme site, as "
                                      "returned by the programme; counts are not compared with other areas.")
            themes.append(ThemeSection(
                theme, f"theme-{slug(theme)}", tuple(theme_rows), None, omitted,
                tuple(r for r in rows if r.theme == theme and r.hidden_reason), tuple(theme_notes),
                tuple(blocks) if theme == care_theme(self.sources) else ()))
        region = region_label(la)
        neighbours = self.context.neighbours
        similar_codes = tuple(neighbours.of.get(code, ())) if neighbours else ()
        return SummaryPage(
            area_code=la.area_code, area_name=la.area_name, type_label=TYPE_LABELS.get(la.la_type, la.la_type),
            region_name=la.region_name or "", nation_name=la.nation_name, health_board_name=la.health_board_name or "",
            comparator_code=comparator_code, comparator_name=comparator, built_at=self.built_at,
            synthetic=code in self.prepared.synthetic_areas,
            population=population_fact(rows), deprivation=deprivation_fact(rows, la.nation_name, comparator),
            findings=headline_findings(shown, la.area_name, comparator), themes=tuple(themes),
            sources=source_entries(self.prepared.source_facts.get(code, {}), self.sources),
            spread_label=spread_label(la), region_label=region,
            similar_names=tuple(geography.area_name(c) for c in similar_codes), similar_codes=similar_codes,
            counts=compare_counts(shown, (comparator, region, "similar areas")),
            notes=self._page_notes(la, region), districts=self._districts(la),
            county_name=la.upper_tier_name if la.tier == "lower" else "",
            county_href=f"{la.upper_tier_code}.html" if la.tier == "lower" else "",
            site_name=self.context.site_of.get(code, ""), since_label=self.context.since_label.get(code, ""),
            since_rows=tuple(r for r in shown if r.since is not None and r.since.significant),
            evidence=self.context.evidence(code) if self.context.evidence else (),
            downloads=((("Data (CSV)", f"{code}.csv"), ("Data (Excel)", f"{code}.xlsx"))
                       if self.context.downloads else ()),
            methods=self._methods(la), upper_rows=self._county_rows(la, rows))

    def _page_notes(self, la: geography.LocalAuthority, region: str) -> tuple[str, ...]:
        notes = []
        if la.nation_name == "Scotland" and region:
            notes.append(f"Scottish council areas are compared with Scotland and with their NHS board ({region}). "
                         f"\"Not compared\" against the board means the board covers the same area as the council, "
                         f"or the council's value was attributed from the board.")
        neighbours = self.context.neighbours
        if neighbours is not None and neighbours.synthetic_inputs:
            notes.append("Similar areas were chosen on population figures that are synthetic sample data in this "
                         "build; rebuild from the publishers' files before relying on them.")
        return tuple(notes)

    def _methods(self, la: geography.LocalAuthority) -> tuple[str, ...]:
        standards = "; ".join(f"{s.name}: acceptable {s.acceptable:g}%"
                              + (f", achievable {s.achievable:g}%" if s.achievable else "") + f" ({s.applies})"
                              for s in STANDARDS.values())
        return (COMPARISON_METHOD, METHOD, f"National standards used: {standards}.", DEPRIVATION_NOT_COMPARABLE)

    def _districts(self, la: geography.LocalAuthority):
        if la.tier != "upper":
            return None
        codes = [la.area_code, *geography.lower_tier_codes(la.area_code)]
        return build_rug(f"{la.area_name} and its districts", codes, {c: self.rows(c) for c in codes})

    def _county_rows(self, la: geography.LocalAuthority, rows: list[IndicatorRow]) -> tuple[IndicatorRow, ...]:
        if la.tier != "lower":
            return ()
        have = {r.indicator_id for r in rows if r.value is not None}
        county = [r for r in self.rows(la.upper_tier_code) if not r.hidden_reason and r.indicator_id not in have
                  and r.theme != LOCAL_THEME]
        return tuple(evolve(r, name=f"{r.name} — {la.upper_tier_name} (county) value", similar=None, since=None)
                     for r in county)


def build_pages(indicators: pd.DataFrame, area_codes: Sequence[str], *, built_at: datetime,
                sources: Mapping[str, SourceSpec], context: BuildContext | None = None) -> Iterator[SummaryPage]:
    """Yield the summary page of each area in ``area_codes``; whole-table work is done once, up front."""
    yield from PageBuilder(indicators, area_codes, built_at=built_at, sources=sources, context=context).pages()


def region_label(la: geography.LocalAuthority) -> str:
    """Return the region a page compares with: the English region, or 'NHS <board>' for Scotland."""
    if la.region_name:
        return la.region_name
    if la.health_board_name:
        name = la.health_board_name
        return name if name.startswith("NHS") else f"NHS {name}"
    return ""


def spread_label(la: geography.LocalAuthority) -> str:
    """Return the set of areas the chart ranges are drawn across."""
    if la.nation_name == "England":
        return ("English counties and unitary authorities" if la.tier == "upper"
                else "English districts and unitary authorities")
    return {"Scotland": "Scottish council areas"}.get(la.nation_name, f"local authorities in {la.nation_name}")


def care_theme(sources: Mapping[str, SourceSpec]) -> str:
    """Return the theme CQC's blocks belong to."""
    spec = sources.get(care.ASSESSMENT_SOURCE) or sources.get("cqc")
    return spec.default_theme if spec is not None and spec.default_theme else "Social care and support"


def short_title(spec: SourceSpec | None, source_id: str) -> str:
    """Return a source's title short enough for a table cell ('Hospital Episode Statistics')."""
    title = spec.title if spec else source_id
    head = title.split(":")[0].strip()
    return textwrap.shorten(head if len(head) >= 12 else title, 44, placeholder=" …")
