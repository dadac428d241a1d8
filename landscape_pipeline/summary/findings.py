"""Headline findings: plain-English sentences that give the size of a difference, its benchmarks and any standard.

What a sentence may claim comes only from the published comparison labels (the 95% interval test)
and the recent-trend test: a label that contradicts the two values gives no sentence, "Similar" is
said as "similar to", and "Not compared" claims nothing. Each comparison sentence also says how
big the difference is (percentage points for percentages; the unit and the percentage otherwise)
and calls it small (under 5% of the benchmark), moderate (5% to 15%) or large (15% or more), so a
significant but small difference reads as such.

Findings are ranked by what matters, not by significance alone. Score (higher first):

* judgement against the nation: worse 3, better 1.5, higher/lower (no judgement) 1;
* size of a significant national difference: one point per 5% of the benchmark, at most 4;
* the publisher's standard: below the achievable level 1; below the acceptable level 1 plus one point
  per 5% below it, at most 3;
* region and similar areas: worse 1 each, better 0.5 each (agreement strengthens a finding, and a
  difference from areas like us is worth saying even when the nation is similar);
* trends: worsening 2.5, improving 1, changing (no judgement) 0.5.
"""

from __future__ import annotations

from collections.abc import Iterable

from landscape_pipeline.summary.formatting import format_number, format_value, is_number
from landscape_pipeline.summary.model import Benchmark, CompareCount, Finding, IndicatorRow
from landscape_pipeline.summary.standards import STANDARDS

MAX_FINDINGS = 8
SMALL, LARGE = 0.05, 0.15

_SIGNIFICANT = {"Better", "Best", "Worse", "Worst", "Higher", "Lower"}
_WORSE, _BETTER = {"Worse", "Worst"}, {"Better", "Best"}
_TREND_SCORES = {
    "Increasing and getting worse": 2.5, "Decreasing and getting worse": 2.5,
    "Increasing and getting better": 1.0, "Decreasing and getting better": 1.0,
    "Increasing": 0.5, "Decreasing": 0.5,
}
_JUDGEMENT = {"Worse": 3.0, "Worst": 3.0, "Better": 1.5, "Best": 1.5, "Higher": 1.0, "Lower": 1.0}
_KIND_WORDS = {"Worse": "Worse than", "Worst": "Worse than", "Better": "Better than", "Best": "Better than",
               "Higher": "Higher than", "Lower": "Lower than", "Similar": "Similar to"}


def direction(comparison: str | None, polarity: str | None) -> str | None:
    """Return 'higher', 'lower' or 'similar' as the comparison label means it, or None if it claims nothing.

    Worse with Low is good means higher; Worse with High is good means lower; Better the reverse;
    Higher and Lower say it directly. Better/Worse without a polarity claim no direction.
    """
    if comparison == "Similar":
        return "similar"
    if comparison in ("Higher", "Lower"):
        return comparison.lower()
    worse = comparison in _WORSE
    if not worse and comparison not in _BETTER:
        return None
    if polarity == "Low is good":
        return "higher" if worse else "lower"
    if polarity == "High is good":
        return "lower" if worse else "higher"
    return None


def size_word(value: float, benchmark: float) -> str:
    """Return 'small', 'moderate' or 'large' for the gap relative to the benchmark."""
    gap = relative_gap(value, benchmark)
    return "small" if gap < SMALL else "moderate" if gap < LARGE else "large"


def relative_gap(value: float | None, benchmark: float | None) -> float:
    """Return |value - benchmark| / |benchmark| (0 when either is missing or the benchmark is 0)."""
    if not (is_number(value) and is_number(benchmark)) or benchmark == 0:
        return 0.0
    return abs(value - benchmark) / abs(benchmark)


def difference_text(row: IndicatorRow, benchmark: float, way: str) -> str:
    """Return the size of a difference in words: '0.4 percentage points', '14.8 per 100,000 (12%)'."""
    diff = abs(row.value - benchmark)
    if row.unit == "%":
        return f"{format_number(diff, '%')} percentage points {way}"
    pct = f" ({100 * relative_gap(row.value, benchmark):.0f}%)" if benchmark else ""
    return f"{format_value(diff, row.unit, row.value_type)}{pct} {way}"


def _checked(row: IndicatorRow, label: str, benchmark: float | None) -> str | None:
    """Return the direction a label claims, or None if it claims none or contradicts the values."""
    way = direction(label, row.polarity)
    if way in ("higher", "lower") and is_number(benchmark) and (row.value > benchmark) != (way == "higher"):
        return None
    return way


def comparison_sentence(row: IndicatorRow, area_name: str, comparator_name: str) -> str | None:
    """Return the sentence comparing ``row`` with the nation (size included), or None when unsupported."""
    if row.suppressed or not is_number(row.value):
        return None
    way = _checked(row, row.comparison, row.comparator_value)
    if way is None:
        return None
    against = comparator_name
    if is_number(row.comparator_value):
        against += f" ({format_value(row.comparator_value, row.unit, row.value_type)})"
    subject = f"{_subject(row)} in {area_name} was {row.sentence_value} ({row.period})"
    if way == "similar":
        return f"{subject}, similar to {against}."
    if is_number(row.comparator_value):
        size = size_word(row.value, row.comparator_value)
        sentence = f"{subject}, {difference_text(row, row.comparator_value, way)} than {against}: "
        sentence += "significant, but a small difference" if size == "small" else f"a significant, {size} difference"
    else:
        sentence = f"{subject}, significantly {way} than {against}"
    if row.comparison in _BETTER | _WORSE:
        sentence += f" ({way} is {'better' if row.comparison in _BETTER else 'worse'})"
    return sentence + "."


def _benchmark_clause(row: IndicatorRow, bench: Benchmark | None, value: float | None, name: str) -> str:
    if bench is None or bench.comparison not in {*_SIGNIFICANT, "Similar"} or not is_number(value):
        return ""
    way = _checked(row, bench.comparison, value)
    if way is None:
        return ""
    word = "similar to" if way == "similar" else f"{way} than"
    return f"{word} {name.format(format_value(value, row.unit, row.value_type))}"


def context_clauses(row: IndicatorRow) -> list[str]:
    """Return 'lower than West Midlands (64.9%)', 'similar to similar areas (average 64.4%)' as supported."""
    return [p for p in (
        _benchmark_clause(row, row.region, row.region_value, f"{row.region.name} ({{}})" if row.region else ""),
        _benchmark_clause(row, row.similar, row.similar_value, "similar areas (average {})"),
    ) if p]


def context_sentence(row: IndicatorRow) -> str:
    """Return 'It is lower than West Midlands (64.9%) and similar to similar areas (average 64.4%).'"""
    parts = context_clauses(row)
    return f"Also {' and '.join(parts)}." if parts else ""


def trend_sentence(row: IndicatorRow, area_name: str) -> str | None:
    """Return the sentence on a significant recent trend, or None."""
    if row.trend not in _TREND_SCORES:
        return None
    return (f"{_subject(row)} in {area_name} has been {row.trend.lower()} over the five most recent "
            f"periods (to {row.period}).")


def score(row: IndicatorRow) -> float:
    """Return how much a row's comparisons matter (see the module docstring)."""
    points = _JUDGEMENT.get(row.comparison, 0.0)
    if row.comparison in _SIGNIFICANT:
        points += min(relative_gap(row.value, row.comparator_value) / SMALL, 4.0)
    if row.standard is not None and row.standard.missed:
        points += 1.0
        if row.standard.missed == 2:  # below the acceptable level: more the further below
            shortfall = relative_gap(row.value, STANDARDS[row.indicator_id].acceptable)
            points += min(shortfall / SMALL, 2.0)
    for bench in (row.region, row.similar):
        if bench is not None:
            points += 1.0 if bench.comparison in _WORSE else 0.5 if bench.comparison in _BETTER else 0.0
    return points


def headline_findings(rows: Iterable[IndicatorRow], area_name: str, comparator_name: str,
                      limit: int = MAX_FINDINGS) -> tuple[Finding, ...]:
    """Return up to ``limit`` findings, most important first (see the module docstring for the score)."""
    scored: list[tuple[float, float, Finding]] = []
    for row in rows:
        if row.suppressed or not is_number(row.value):
            continue
        text = comparison_sentence(row, area_name, comparator_name)
        extra = " ".join(p for p in (context_sentence(row), row.standard.sentence if row.standard else "") if p)
        if text or extra:
            notable = text and row.comparison in _SIGNIFICANT
            kind = row.comparison if notable else _strongest(row)
            body = text or f"{_subject(row)} in {area_name} was {row.sentence_value} ({row.period})."
            points = score(row)
            if points > 0 or text:
                label = _label(row, kind, comparator_name)
                scored.append((points, relative_gap(row.value, row.comparator_value),
                               Finding(f"{body} {extra}".strip(), kind.lower(), label, row.indicator_id,
                                       row.comparison, marker=_marker(kind), score=points,
                                       short=_short(row, kind, comparator_name))))
        trend = trend_sentence(row, area_name)
        if trend:
            marker = "worse" if "worse" in row.trend else "better" if "better" in row.trend else "none"
            arrow = "up" if row.trend.startswith("Increasing") else "down"
            scored.append((_TREND_SCORES[row.trend], 0.0,
                           Finding(trend, "trend", "Recent trend", row.indicator_id, row.comparison, marker, arrow,
                                   _TREND_SCORES[row.trend], f"{row.name}: {row.trend.lower()}")))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return tuple(finding for _, _, finding in scored[:limit])


def _strongest(row: IndicatorRow) -> str:
    """Return the most notable label among the region and similar areas (worse first), else 'Similar'."""
    labels = [b.comparison for b in (row.region, row.similar) if b is not None]
    for group in (_WORSE, _BETTER, {"Higher", "Lower"}):
        for label in labels:
            if label in group:
                return label
    if row.standard is not None and row.standard.missed:
        return "Worse"
    return "Similar"


def _label(row: IndicatorRow, kind: str, comparator_name: str) -> str:
    if row.comparison in _SIGNIFICANT:
        label = f"{_KIND_WORDS.get(row.comparison, 'Compared with')} {comparator_name}"
    elif row.region and row.region.comparison == kind:
        label = f"{_KIND_WORDS.get(kind, 'Compared with')} {row.region.name}"
    elif row.similar and row.similar.comparison == kind:
        label = f"{_KIND_WORDS.get(kind, 'Compared with')} similar areas"
    else:
        label = f"{_KIND_WORDS.get(kind, 'Compared with')} {comparator_name}"
    if row.standard is not None and row.standard.missed:
        label += f" · {row.standard.status.lower()} standard"
    return label


def _short(row: IndicatorRow, kind: str, comparator_name: str) -> str:
    """Return a one-line version for the board summary."""
    bits = [f"{row.name}: {row.sentence_value} ({row.period})"]
    if row.comparison in _SIGNIFICANT and is_number(row.comparator_value):
        way = direction(row.comparison, row.polarity) or ""
        bits.append(f"{difference_text(row, row.comparator_value, way)} than {comparator_name} "
                    f"({size_word(row.value, row.comparator_value)})")
    elif row.comparison == "Similar":
        bits.append(f"similar to {comparator_name}")
    bits += context_clauses(row)
    if row.standard is not None and row.standard.missed:
        bits.append(row.standard.status.lower() + " standard")
    return "; ".join(bits)


def _marker(kind: str) -> str:
    return {"Worst": "worse", "Best": "better"}.get(kind, kind.lower() if kind in _KIND_WORDS else "none")


def _subject(row: IndicatorRow) -> str:
    return row.name[0].upper() + row.name[1:] if row.name else row.indicator_id


def compare_counts(rows: Iterable[IndicatorRow], names: tuple[str, str, str]) -> tuple[CompareCount, ...]:
    """Return how many shown rows are better / similar / worse / higher / lower against each benchmark."""
    rows = [r for r in rows if not r.suppressed and r.value is not None]
    out = []
    for i, name in enumerate(names):
        if not name:
            continue
        labels = [(r.comparison if i == 0 else (r.region.comparison if i == 1 and r.region else
                                                 r.similar.comparison if i == 2 and r.similar else "")) for r in rows]
        count = {k: sum(1 for x in labels if x in group) for k, group in
                 (("better", _BETTER), ("similar", {"Similar"}), ("worse", _WORSE), ("higher", {"Higher"}),
                  ("lower", {"Lower"}))}
        out.append(CompareCount(name, count["better"], count["similar"], count["worse"], count["higher"],
                                count["lower"], sum(count.values())))
    return tuple(out)
