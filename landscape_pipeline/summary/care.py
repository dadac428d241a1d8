"""Social care blocks: a council's CQC assessment (rating, date, nine scores) and CQC services by rating.

The CQC assessment is shown as CQC publishes it — the rating word and the date, and the nine
quality-statement scores (1 to 4) grouped by CQC's four themes, with a link to the report — and is
not compared with England (CQC assesses each council against its duties, not against the others).
CQC services are counts of active locations by their latest rating, with the change since the
earliest monthly snapshot in the data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from landscape_pipeline.summary.formatting import format_period
from landscape_pipeline.summary.model import IndicatorRow

ASSESSMENT_SOURCE = "cqc_la_assessment"
RATING_ID = "cqc_la_assessment_overall_rating"
SCORE_ID = "cqc_la_assessment_overall_score"
RATING_ORDER = ("Outstanding", "Good", "Requires improvement", "Inadequate")
#: The columns the services block reads.
SERVICE_COLUMNS = ("area_code", "indicator_id", "indicator_name", "category", "period_label", "period_start", "value")
_LINK = re.compile(r"\(report:\s*(https?://[^\s)]+)\)")
_STATEMENT = re.compile(r"^CQC assessment:\s*(?P<name>.+?)\s*\((?P<theme>[^()]+)\)\s*$")


@dataclass(frozen=True)
class CqcAssessment:
    """A council's CQC assessment as published."""

    rating: str
    published: str
    link: str
    overall_score: str
    themes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    kind: str = "cqc_assessment"

    @property
    def headline(self) -> str:
        """Return 'Good; published 2025-06-12'."""
        return f"{self.rating}; published {self.published}"


@dataclass(frozen=True)
class ServiceCounts:
    """Active CQC-registered services by latest rating, latest snapshot and change since the earliest."""

    latest: str
    earliest: str
    ratings: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    kind: str = "cqc_services"


def cqc_assessment(rows: Sequence[IndicatorRow]) -> CqcAssessment | None:
    """Return the CQC assessment block from a page's rows, or None when the council has none."""
    mine = [r for r in rows if r.source_id == ASSESSMENT_SOURCE]
    rating = next((r for r in mine if r.indicator_id == RATING_ID), None)
    if rating is None:
        return None
    note = rating.note or ""
    word = note.split(";", 1)[0].strip() or "No overall rating"
    link = (m.group(1) if (m := _LINK.search(note)) else "")
    score = next((r.sentence_value for r in mine if r.indicator_id == SCORE_ID and r.value is not None), "")
    themes: dict[str, list[tuple[str, str]]] = {}
    for row in mine:
        match = _STATEMENT.match(row.name)
        if match and row.value is not None:
            themes.setdefault(match.group("theme"), []).append((match.group("name"), f"{row.value:.0f} of 4"))
    return CqcAssessment(word, rating.period, link, score, tuple((t, tuple(s)) for t, s in themes.items()))


def service_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the rows the services block counts (CQC counts of services, not beds), in table order.

    Only :data:`SERVICE_COLUMNS` are kept; done once for the whole table, then split by area.
    """
    return rows.loc[rows["source_id"].eq("cqc") & rows["value_type"].eq("count")
                    & rows["indicator_id"].str.fullmatch(r"cqc_[a-z_]+")
                    & ~rows["indicator_id"].str.endswith("_beds"), list(SERVICE_COLUMNS)]


def service_counts(rows: pd.DataFrame | None) -> ServiceCounts | None:
    """Return counts of CQC services by rating (latest snapshot, change since the earliest), or None.

    ``rows`` are one area's :func:`service_rows`.
    """
    if rows is None or rows.empty:
        return None
    periods = rows["period_label"].loc[rows["period_start"].sort_values().index].drop_duplicates().tolist()
    first, last = periods[0], periods[-1]
    ids, names_, categories, labels, numbers = (rows[c].tolist() for c in (
        "indicator_id", "indicator_name", "category", "period_label", "value"))
    seen = {c for c in categories if not pd.isna(c)}
    present = [r for r in RATING_ORDER if r in seen]
    ratings = (*present, *sorted(seen - set(present)))
    # One pass in table order: each series' first value in the earliest and in the latest snapshot.
    names: dict[str, object] = {}
    values: dict[tuple, float] = {}
    for indicator, name, category, period, value in zip(ids, names_, categories, labels, numbers, strict=True):
        names.setdefault(indicator, name)
        if isinstance(period, str) and period in (last, first):  # a missing label matches neither
            values.setdefault((indicator, None if pd.isna(category) else category, period), value)
    out = []
    for indicator in sorted(names):
        name = str(names[indicator]).split(" registered with CQC")[0]
        cells = []
        for category in (*ratings, None):
            now, then = values.get((indicator, category, last)), values.get((indicator, category, first))
            value = float(now) if now is not None and pd.notna(now) else None
            text = "–" if value is None else f"{value:,.0f}"
            if value is not None and first != last and then is not None and pd.notna(then):
                change = value - float(then)
                text += f" ({'+' if change > 0 else ''}{change:,.0f})" if change else " (no change)"
            cells.append(text)
        out.append((name, tuple(cells)))
    return ServiceCounts(format_period(last), format_period(first), (*ratings, "Total"), tuple(out))
