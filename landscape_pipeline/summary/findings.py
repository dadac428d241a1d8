"""Headline findings: plain-English sentences that say only what the comparison and trend labels support.

A significant comparison becomes "significantly higher/lower than <comparator>", with the
direction taken from the label and the polarity and checked against the two values (a label that
contradicts the values gives no sentence). "Similar" is said as "similar to". "Not compared" (and
any label we do not know) gives no statement. Trends are reported only when the recent-trend test
found a significant change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from landscape_pipeline.summary.formatting import format_value, is_number
from landscape_pipeline.summary.model import Finding, IndicatorRow

MAX_FINDINGS = 8

_SIGNIFICANT = {"Better", "Best", "Worse", "Worst", "Higher", "Lower"}
_SIGNIFICANT_TRENDS = {
    "Increasing and getting worse": 1, "Decreasing and getting worse": 1,
    "Increasing and getting better": 3, "Decreasing and getting better": 3,
    "Increasing": 5, "Decreasing": 5,
}
#: Order of notability: worse first, then worsening trends, better, improving trends, neutral, similar.
_RANK = {"Worse": 0, "Worst": 0, "Better": 2, "Best": 2, "Higher": 4, "Lower": 4, "Similar": 6}
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
    worse = comparison in ("Worse", "Worst")
    if not worse and comparison not in ("Better", "Best"):
        return None
    if polarity == "Low is good":
        return "higher" if worse else "lower"
    if polarity == "High is good":
        return "lower" if worse else "higher"
    return None


def comparison_sentence(row: IndicatorRow, area_name: str, comparator_name: str) -> str | None:
    """Return the sentence comparing ``row`` with the comparator, or None when the statistics support none."""
    if row.suppressed or not is_number(row.value):
        return None
    way = direction(row.comparison, row.polarity)
    if way is None:
        return None
    against = comparator_name
    if is_number(row.comparator_value):
        against += f" ({format_value(row.comparator_value, row.unit, row.value_type)})"
    subject = f"{_subject(row)} in {area_name} ({row.sentence_value}, {row.period})"
    if way == "similar":
        return f"{subject} is similar to {against}."
    if is_number(row.comparator_value) and (row.value > row.comparator_value) != (way == "higher"):
        return None  # the label contradicts the values: say nothing rather than something unsupported
    sentence = f"{subject} is significantly {way} than {against}"
    if row.comparison in ("Better", "Best", "Worse", "Worst"):
        good = "better" if row.comparison in ("Better", "Best") else "worse"
        sentence += f"; for this measure {way} is {good}"
    return sentence + "."


def trend_sentence(row: IndicatorRow, area_name: str) -> str | None:
    """Return the sentence on a significant recent trend, or None."""
    if row.trend not in _SIGNIFICANT_TRENDS:
        return None
    return (f"{_subject(row)} in {area_name} has been {row.trend.lower()} over the five most recent "
            f"periods (to {row.period}).")


def headline_findings(rows: Iterable[IndicatorRow], area_name: str, comparator_name: str,
                      limit: int = MAX_FINDINGS) -> tuple[Finding, ...]:
    """Return up to ``limit`` findings, most notable first (worse, worsening, better, improving, ..., similar)."""
    rows = list(rows)
    repeated = {i for i, n in Counter(r.indicator_id for r in rows).items() if n > 1}
    scored: list[tuple[tuple[float, ...], Finding]] = []
    for row in rows:
        if row.breakdown and row.indicator_id not in repeated:
            row = replace(row, breakdown="")  # the name already says which group; name it only to tell rows apart
        text = comparison_sentence(row, area_name, comparator_name)
        if text:
            kind = row.comparison if row.comparison in _SIGNIFICANT else "Similar"
            label = f"{_KIND_WORDS[kind]} {comparator_name}"
            scored.append(((_RANK[kind], -_relative_gap(row)),
                           Finding(text, kind.lower(), label, row.indicator_id, row.comparison, marker=kind.lower())))
        trend = trend_sentence(row, area_name)
        if trend:
            marker = "worse" if "worse" in row.trend else "better" if "better" in row.trend else "none"
            arrow = "up" if row.trend.startswith("Increasing") else "down"
            scored.append(((_SIGNIFICANT_TRENDS[row.trend], 0.0),
                           Finding(trend, "trend", "Recent trend", row.indicator_id, row.comparison, marker, arrow)))
    scored.sort(key=lambda pair: pair[0])
    return tuple(finding for _, finding in scored[:limit])


def _subject(row: IndicatorRow) -> str:
    name = row.name[0].upper() + row.name[1:] if row.name else row.indicator_id
    return f"{name} ({row.breakdown})" if row.breakdown and row.breakdown.lower() not in row.name.lower() else name


def _relative_gap(row: IndicatorRow) -> float:
    if not (is_number(row.value) and is_number(row.comparator_value)) or row.comparator_value == 0:
        return 0.0
    return abs(row.value - row.comparator_value) / abs(row.comparator_value)
