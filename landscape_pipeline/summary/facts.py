"""The header facts of a page (population, deprivation) and its list of sources with their caveats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.summary.formatting import MISSING_TEXT, format_period, format_value, is_count_like
from landscape_pipeline.summary.model import HeaderFact, IndicatorRow, SourceEntry
from landscape_pipeline.summary.prepare import SourceFacts

POPULATION_ID = "ons_population_total"
#: The deprivation line per nation: (headline indicator, second indicator), both overall (not a domain).
DEPRIVATION_IDS = {
    "England": ("imd_average_score", "imd_proportion_lsoas_most_deprived_10pct"),
    "Scotland": ("simd_overall_pop_most_deprived_20pct", "simd_overall_pop_weighted_rank"),
}
NOT_COMPARABLE = ("Not comparable with {other}'s line: England counts small areas (LSOAs) in its most deprived "
                  "10%, Scotland counts residents in its most deprived 20% of data zones.")


def _find(rows: Sequence[IndicatorRow], indicator_id: str) -> IndicatorRow | None:
    return next((r for r in rows if r.indicator_id == indicator_id and r.value is not None and not r.breakdown),
                next((r for r in rows if r.indicator_id == indicator_id and r.value is not None), None))


def population_fact(rows: Sequence[IndicatorRow]) -> HeaderFact | None:
    """Return the resident population, or any count-like population row when the ONS total is absent."""
    row = _find(rows, POPULATION_ID) or next(
        (r for r in rows if "population" in r.name.lower() and r.value is not None
         and is_count_like(r.unit, r.value_type)), None)
    if row is None:
        return None
    return HeaderFact("Population", f"{row.value:,.0f}", row.period)


def deprivation_fact(rows: Sequence[IndicatorRow], nation: str, comparator_name: str) -> HeaderFact | None:
    """Return the deprivation line: IMD in England, SIMD in Scotland (named indicators, never a domain)."""
    ids = DEPRIVATION_IDS.get(nation)
    if ids is None:
        return None
    first, second = (_find(rows, i) for i in ids)
    if first is None and second is None:
        return None
    other = "Scotland" if nation == "England" else "England"
    parts = []
    if nation == "England":
        if first is not None:
            parts.append(f"IMD 2019 average score {first.sentence_value}" + _versus(first, comparator_name))
        if second is not None:
            parts.append(f"{second.sentence_value} of its small areas (LSOAs) are in England's most deprived 10%")
    else:
        if first is not None:
            parts.append(f"{first.sentence_value} of residents live in Scotland's most deprived 20% of data zones "
                         f"(SIMD 2020)" + _versus(first, comparator_name))
        if second is not None:
            parts.append(f"population-weighted SIMD rank {second.value:,.0f} of 6,976 (1 = most deprived)")
    period = (first or second).period
    return HeaderFact("Deprivation", "; ".join(parts), period, NOT_COMPARABLE.format(other=other))


def _versus(row: IndicatorRow, comparator_name: str) -> str:
    if row.comparator_value is None:
        return ""
    return f" ({comparator_name} {format_value(row.comparator_value, row.unit, row.value_type)})"


def source_entries(facts: Mapping[str, SourceFacts], sources: Mapping[str, SourceSpec]) -> tuple[SourceEntry, ...]:
    """Return one entry per source on the page: publisher, periods, retrieval and notes."""
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
