"""One area's slice of the prepared columns turned into table rows: value, three benchmarks, chart and trend.

Suppressed values never enter a row as numbers: their value, interval and count are replaced by
text before any template sees them, and a suppressed row is compared with nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from landscape_pipeline import geography
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.summary import charts
from landscape_pipeline.summary.formatting import (
    COMPARISON_WORDS,
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
from landscape_pipeline.summary.labels import clean_label
from landscape_pipeline.summary.model import Benchmark, IndicatorRow, Since, evolve
from landscape_pipeline.summary.neighbours import MIN_NEIGHBOUR_VALUES
from landscape_pipeline.summary.prepare import Prepared
from landscape_pipeline.summary.related import is_modelled, series_break
from landscape_pipeline.summary.standards import assess

MIN_TREND_PERIODS = 5
SUPPRESSED_REASON = "withheld for small numbers"
MISSING_REASON = "not published for this area"
_YEAR = re.compile(r"(\d{4})")
_MEASURES = {"DSR": "age-standardised", "ISR": "indirectly standardised", "crude rate": "crude rate"}


class RowBuilder:
    """Builds the rows of one area's page from a :class:`~.prepare.Prepared` table."""

    def __init__(self, prepared: Prepared, la: geography.LocalAuthority, *, comparator_name: str, region_label: str,
                 sources: Mapping[str, SourceSpec], labels: Mapping[str, str],
                 since: Mapping[tuple, Since] | None = None):
        self.cols, self.spreads, self.la = prepared.columns, prepared.spreads, la
        self.comparator_name, self.region_label, self.sources, self.labels = (comparator_name, region_label, sources,
                                                                              labels)
        self.since = since or {}
        self.start, self.stop = prepared.bounds.get(la.area_code, (0, 0))
        self.tier_sets: set[str] = set()
        self.raw_names: dict[str, str] = {}  # anchor -> the publisher's name (families merge on it)
        board = la.health_board_code
        self.board_is_council = bool(board) and geography.council_areas_in_board(board) == [la.area_code]

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
        unit, vtype = get["unit"] or "", get["value_type"] or ""
        value = None if suppressed else get["value"]
        breakdown = breakdown_label(get["sex"], get["age"], get["category"])
        source = self.sources.get(get["source_id"])
        attributed = bool(get["geography_method"]) and get["geography_method"] != "direct"
        modelled = is_modelled(get["source_id"], get["value_note"])
        comparison = "Not compared" if suppressed else (get["comparison"] or "Not compared")  # never compare hidden
        reason = SUPPRESSED_REASON if suppressed else (MISSING_REASON if value is None else "")
        anchor = slug(f"{get['indicator_id']}-{breakdown}")
        self.raw_names[anchor] = get["indicator_name"]
        row = IndicatorRow(
            anchor=anchor, indicator_id=get["indicator_id"],
            source_id=get["source_id"], name=clean_label(get["indicator_name"], get["sex"], get["age"],
                                                         get["category"]),
            breakdown=breakdown, unit=unit, value_type=vtype, theme=get["theme"],
            period=format_period(get["period_label"]), value=value,
            value_text=SUPPRESSED_TEXT if suppressed else format_number(value, unit, vtype),
            ci_text=MISSING_TEXT if suppressed else format_interval(get["lower_ci_95"], get["upper_ci_95"], unit,
                                                                    vtype),
            count_text=MISSING_TEXT if suppressed or is_count_like(unit, vtype)
            else format_number(get["count"], value_type="count"),
            comparator_value=get["comparator_value"],
            comparator_text=format_number(get["comparator_value"], unit, vtype),
            comparison=comparison, comparison_class=comparison_class(comparison),
            polarity=get["polarity"] or "Not applicable", trend=get["recent_trend"] or "",
            suppressed=suppressed, note=_note(get, suppressed),
            source_title=source.title if source else get["source_id"],
            source_label=self.labels.get(get["source_id"]) or get["source_id"],
            sentence_value=SUPPRESSED_TEXT if suppressed else format_value(value, unit, vtype),
            n_periods=len(run), sparkline=self._sparkline(run, get, breakdown),
            measure=_measure(unit, vtype), region=self._region(get, value, attributed),
            similar=self._similar(get, value, attributed, modelled),
            region_value=get["region_value"], similar_value=get["similar_value"] if value is not None else None,
            synthetic=bool(get["synthetic"]), modelled=modelled, attributed=attributed,
            standard=None if suppressed else assess(get["indicator_id"], value),
            since=self.since.get((get["indicator_id"], get["sex"], get["age"], get["category_type"] or "",
                                  get["category"] or "")),
            hidden_reason=reason, lower_ci=None if suppressed else get["lower_ci_95"],
            upper_ci=None if suppressed else get["upper_ci_95"], count=None if suppressed else get["count"],
        )
        return row if modelled else _with_spine(row, self._spread(get, vtype, row), self.comparator_name)

    def _region(self, get: dict, value: float | None, attributed: bool) -> Benchmark | None:
        if not self.region_label or is_count_like(get["unit"], get["value_type"]):
            return None  # a count's region total is on another scale
        label = "Not compared" if value is None else (get["region_comparison"] or "Not compared")
        reason = ""
        if self.la.nation_name == "Scotland" and label == "Not compared" and value is not None:
            if self.board_is_council:
                reason = f"{self.region_label} covers the same area as {self.la.area_name}"
            elif attributed:
                reason = f"the value is attributed from {self.region_label}"
        text = format_number(get["region_value"], get["unit"], get["value_type"])
        return Benchmark(self.region_label, text, label, comparison_class(label), reason)

    def _similar(self, get: dict, value: float | None, attributed: bool, modelled: bool) -> Benchmark | None:
        if is_count_like(get["unit"], get["value_type"]):
            return None
        label = get["similar_comparison"] or "Not compared"
        reason = ""
        if value is None:
            label = "Not compared"
        elif attributed:
            label, reason = "Not compared", "this area's value is attributed from a larger area"
        elif not (get["similar_n"] or 0) >= MIN_NEIGHBOUR_VALUES:
            reason = f"fewer than {MIN_NEIGHBOUR_VALUES} similar areas publish it"
        if modelled and label == "Not compared" and not reason:
            reason = "modelled values have no interval"
        shown = get["similar_value"] if not attributed else None
        return Benchmark("Similar areas", format_number(shown, get["unit"], get["value_type"]), label,
                         comparison_class(label), reason)

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
        break_at = _break_index(get["source_id"], [c["period_label"][i] for i in run])
        if break_at:
            text += f". {series_break(get['source_id'])[1]}"
        text += f". Recent trend: {get['recent_trend'] or 'not available'}."
        return charts.sparkline(values, comparator, description=text, last_class=comparison_class(get["comparison"]),
                                break_at=break_at)

    def _spread(self, get: dict, vtype: str, row: IndicatorRow) -> tuple | None:
        if get["comparator_value"] is None or row.value is None or is_count_like(row.unit, vtype):
            return None  # suppressed values and counts (e.g. population) have no place on a spine
        key = (get["indicator_id"], get["sex"], get["age"], get["category_type"] or "", get["category"] or "",
               get["period_label"], self.la.nation_code)
        tier_set = "lower" if self.la.tier != "upper" else "upper"
        spread = self.spreads.get((*key, tier_set))
        if self.la.tier == "single" and (spread is None or spread[5] == 0):
            upper = self.spreads.get((*key, "upper"))  # no district published it: compare within counties & UAs
            if upper is not None:
                tier_set, spread = "upper", upper
        if spread is not None:
            self.tier_sets.add(tier_set)
        return spread


def _with_spine(row: IndicatorRow, spread: tuple | None, comparator_name: str) -> IndicatorRow:
    if spread is None:
        return row
    lowest, q25, q75, highest, n, _tiered = spread
    unit, vtype = row.unit, row.value_type
    words = COMPARISON_WORDS.get(row.comparison, "not compared with")
    text = (f"{row.name}: {row.value_text} ({row.period}), {words} {comparator_name} "
            f"({row.comparator_text}); across {n} areas the range is {format_number(lowest, unit, vtype)} to "
            f"{format_number(highest, unit, vtype)}")
    if row.region and row.region_value is not None:
        text += f"; {row.region.name} {row.region.value_text}"
    if row.similar and row.similar_value is not None:
        text += f"; similar areas {row.similar.value_text}"
    spine = charts.mini_spine(row.value, row.comparator_value, lowest, q25, q75, highest, polarity=row.polarity,
                              marker_class=row.comparison_class, region=row.region_value,
                              similar=row.similar_value, description=text + ".")
    return evolve(row, spine=spine)


def _break_index(source_id: str, period_labels: list[str]) -> int | None:
    """Return the index of the first period of a source's new series, when earlier periods are drawn too."""
    found = series_break(source_id)
    if found is None:
        return None
    years = [int(m.group(1)) if (m := _YEAR.search(p or "")) else None for p in period_labels]
    first = next((i for i, y in enumerate(years) if y is not None and y >= found[0]), None)
    return first if first else None


def _measure(unit: str, value_type: str) -> str:
    extra = _MEASURES.get(value_type, "")
    if not unit:
        return extra
    return f"{unit}, {extra}" if extra and extra not in unit else unit


def _note(get: dict, suppressed: bool) -> str:
    """Return the row's short note: the publisher's value note and how the value reached the area.

    Long notes are cut at their first clause; the full attribution notes are in the sources section.
    """
    parts = []
    if get["value_note"] and not suppressed:
        parts.append(_first_clause(str(get["value_note"]), 140))
    method = get["geography_method"]
    if method and method != "direct":
        how = _first_clause(get["attribution_note"] or "from a larger area", 90)
        parts.append(how if how.lower().startswith(method.lower()) else f"{method.capitalize()}: {how}")
    return "; ".join(parts)


def _first_clause(text: str, limit: int) -> str:
    """Return ``text`` up to its first ';' or sentence end, shortened to ``limit`` characters."""
    head = re.split(r";|(?<=[a-z0-9)])\.\s", " ".join(text.split()), maxsplit=1)[0].rstrip(". ")
    return head if len(head) <= limit else head[: limit - 1].rsplit(" ", 1)[0] + " …"
