"""Chart geometry for the summary page: Fingertips-style spine charts and trend sparklines.

Only coordinates and words are computed here; the SVG markup lives in ``templates/charts.svg.j2``.
Hand-built SVG (rather than matplotlib) keeps a full 382-page build in seconds: matplotlib took
about 2 ms per sparkline and 200 ms per spine chart, i.e. over ten minutes for every page.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from landscape_pipeline.summary.formatting import COMPARISON_WORDS, is_number

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 30, 4
_BLOCKS = "▁▂▃▄▅▆▇█"  # text sparkline for the Markdown version


@dataclass(frozen=True)
class Sparkline:
    """A small line chart of one series with the comparator's line behind it."""

    width: int
    height: int
    area_path: str
    comparator_path: str
    dots: tuple[tuple[float, float], ...]
    last: tuple[float, float] | None
    last_class: str
    description: str
    blocks: str = ""
    break_x: float | None = None


MINI_WIDTH, MINI_HEIGHT, MINI_PAD = 120, 20, 6


@dataclass(frozen=True)
class MiniSpine:
    """A one-row spine chart for a table cell: the range across areas, the nation, the region and similar areas."""

    width: int
    height: int
    bar: tuple[float, float]
    band: tuple[float, float]
    centre: float
    marker: float | None
    marker_class: str
    region: float | None
    similar: float | None
    description: str


@dataclass(frozen=True)
class SpineLayout:
    """Horizontal positions (SVG user units) of the spine chart's columns."""

    width: int = 960
    header: int = 40
    row: int = 40
    value_right: int = 478
    comparator_right: int = 556
    spine_left: int = 574
    spine_right: int = 846
    label_left: int = 858
    wrap: int = 56

    @property
    def centre(self) -> float:
        """Return the x of the comparator's line."""
        return (self.spine_left + self.spine_right) / 2


LAYOUT = SpineLayout()


@dataclass(frozen=True)
class SpineInput:
    """One indicator to draw: the area's value, the comparator and the spread across areas."""

    name: str
    detail: str
    value: float | None
    value_text: str
    comparator_value: float
    comparator_text: str
    comparison: str
    comparison_class: str
    polarity: str
    lowest: float
    q25: float
    q75: float
    highest: float
    lowest_text: str
    highest_text: str
    suppressed: bool


@dataclass(frozen=True)
class SpineRow:
    """One drawn row: label lines, bar segments and marker, all in SVG units."""

    y: float
    name_lines: tuple[str, ...]
    detail: str
    value_text: str
    comparator_text: str
    status_text: str
    comparison_class: str
    bar: tuple[float, float]
    band: tuple[float, float]
    marker: float | None
    description: str


@dataclass(frozen=True)
class SpineChart:
    """A spine chart of several indicators, with its text alternative."""

    chart_id: str
    title: str
    description: str
    comparator_name: str
    height: float
    rows: tuple[SpineRow, ...]
    layout: SpineLayout = LAYOUT


def spine_fractions(value: float | None, comparator: float, lowest: float, q25: float, q75: float, highest: float,
                    polarity: str) -> dict[str, float | None]:
    """Return positions in [0, 1] with the comparator at 0.5 and the worst end at 0 (Fingertips rule).

    The scale is symmetric about the comparator: its half-width is the larger distance from the
    comparator to the lowest or highest value. Low-is-good indicators are mirrored so the highest
    (worst) value is on the left.
    """
    candidates = [abs(comparator - lowest), abs(highest - comparator)]
    if is_number(value):
        candidates.append(abs(value - comparator))
    half = max(candidates)
    sign = -1.0 if polarity == "Low is good" else 1.0

    def place(x: float | None) -> float | None:
        if not is_number(x):
            return None
        return 0.5 if half == 0 else 0.5 + sign * (x - comparator) / (2 * half)

    ends = sorted((place(lowest), place(highest)))
    band = sorted((place(q25), place(q75)))
    return {"left": ends[0], "right": ends[1], "band_left": band[0], "band_right": band[1], "marker": place(value)}


def spine_chart(chart_id: str, title: str, inputs: Sequence[SpineInput], *, area_name: str, comparator_name: str,
                spread_label: str) -> SpineChart | None:
    """Return the spine chart of ``inputs`` (None when there is nothing to draw)."""
    if not inputs:
        return None
    span = LAYOUT.spine_right - LAYOUT.spine_left
    rows = []
    for i, item in enumerate(inputs):
        where = spine_fractions(item.value, item.comparator_value, item.lowest, item.q25, item.q75, item.highest,
                                item.polarity)

        def x(key: str, where: dict = where) -> float:
            return round(LAYOUT.spine_left + span * where[key], 1)

        status = "suppressed" if item.suppressed else (item.comparison or "Not compared")
        rows.append(SpineRow(
            y=LAYOUT.header + i * LAYOUT.row, name_lines=_wrap(item.name), detail=item.detail,
            value_text="suppressed" if item.suppressed else item.value_text, comparator_text=item.comparator_text,
            status_text=status, comparison_class="none" if item.suppressed else item.comparison_class,
            bar=(x("left"), x("right")), band=(x("band_left"), x("band_right")),
            marker=None if item.suppressed or where["marker"] is None else x("marker"),
            description=_row_description(item, area_name, comparator_name)))
    description = (f"Spine chart of {len(rows)} indicator{'s' if len(rows) != 1 else ''}: each row shows "
                   f"{area_name}'s value as a marker against {comparator_name} (centre line) and the range "
                   f"across {spread_label}, with the worst or lowest value on the left. "
                   + " ".join(r.description for r in rows))
    return SpineChart(chart_id, title, description, comparator_name, LAYOUT.header + len(rows) * LAYOUT.row + 8,
                      tuple(rows))


@lru_cache(maxsize=8192)
def _wrap(name: str) -> tuple[str, ...]:
    lines = textwrap.wrap(name, LAYOUT.wrap) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LAYOUT.wrap, placeholder=" …")]
    return tuple(lines)


def _row_description(item: SpineInput, area_name: str, comparator_name: str) -> str:
    ends = "worst" if item.polarity in ("High is good", "Low is good") else "range"
    if ends == "worst":
        worst, best = ((item.lowest_text, item.highest_text) if item.polarity == "High is good"
                       else (item.highest_text, item.lowest_text))
        spread = f"worst {worst}, best {best}"
    else:
        spread = f"lowest {item.lowest_text}, highest {item.highest_text}"
    if item.suppressed:
        where = f"{area_name}'s value is suppressed (small numbers)"
    elif item.comparison in COMPARISON_WORDS:
        where = f"{area_name} {item.value_text}, {COMPARISON_WORDS[item.comparison]} {comparator_name}"
    else:
        where = f"{area_name} {item.value_text}, not compared"
    return f"{item.name}: {where} ({comparator_name} {item.comparator_text}; {spread})."


def mini_spine(value: float | None, comparator: float, lowest: float, q25: float, q75: float, highest: float, *,
               polarity: str, marker_class: str, region: float | None, similar: float | None,
               description: str) -> MiniSpine:
    """Return a one-row spine chart (Fingertips rule: the nation in the middle, worst on the left).

    The region's and similar areas' values are ticks on the same scale (clipped to the chart).
    """
    half = max(abs(comparator - lowest), abs(highest - comparator), abs(value - comparator) if is_number(value) else 0)
    sign = -1.0 if polarity == "Low is good" else 1.0
    span = MINI_WIDTH - 2 * MINI_PAD

    def place(v: float | None) -> float | None:
        if not is_number(v):
            return None
        fraction = 0.5 if half == 0 else 0.5 + sign * (v - comparator) / (2 * half)
        return round(MINI_PAD + span * min(max(fraction, 0.0), 1.0), 1)

    ends = sorted((place(lowest), place(highest)))
    band = sorted((place(q25), place(q75)))
    return MiniSpine(MINI_WIDTH, MINI_HEIGHT, (ends[0], ends[1]), (band[0], band[1]), place(comparator),
                     place(value), marker_class, place(region), place(similar), description)


def sparkline(values: Sequence[float | None], comparator: Sequence[float | None], *, description: str,
              last_class: str, break_at: int | None = None) -> Sparkline | None:
    """Return a sparkline of ``values`` (gaps where None) over ``comparator``; None if under 2 values."""
    shown = [v for v in values if is_number(v)]
    if len(shown) < 2:
        return None
    others = [c for c in comparator if is_number(c)]
    low, high = min(shown + others), max(shown + others)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    height = SPARK_HEIGHT - 2 * SPARK_PAD
    scale = height / (high - low) if high > low else 0.0
    ys = [None if not is_number(v) else SPARK_HEIGHT - SPARK_PAD - ((v - low) * scale if scale else height / 2)
          for v in values]
    cys = [None if not is_number(v) else SPARK_HEIGHT - SPARK_PAD - ((v - low) * scale if scale else height / 2)
           for v in comparator]
    xs = [SPARK_PAD + i * step for i in range(len(values))]
    break_x = None
    if break_at:  # a new series: the lines do not join across the break
        break_x = round((xs[break_at - 1] + xs[break_at]) / 2, 1)
        ys = [*ys[:break_at], None, *ys[break_at:]]
        cys = [*cys[:break_at], None, *cys[break_at:]]
        xs = [*xs[:break_at], break_x, *xs[break_at:]]
    area_path, dots = _path(xs, ys)
    comparator_path, _ = _path(xs, cys)
    last = (round(xs[-1], 1), round(ys[-1], 1)) if ys[-1] is not None else None
    blocks = "".join("·" if v is None else _BLOCKS[round((v - low) / (high - low) * 7) if high > low else 3]
                     for v in (v if is_number(v) else None for v in values))
    return Sparkline(SPARK_WIDTH, SPARK_HEIGHT, area_path, comparator_path, dots, last, last_class, description,
                     blocks, break_x)


def _path(xs: Sequence[float], ys: Sequence[float | None]) -> tuple[str, tuple[tuple[float, float], ...]]:
    """Return an SVG path through the points (a new sub-path after each gap) and the isolated points."""
    parts: list[str] = []
    dots: list[tuple[float, float]] = []
    run: list[int] = []
    for i, y in enumerate([*ys, None]):
        if y is not None:
            run.append(i)
            continue
        if len(run) == 1:
            dots.append((round(xs[run[0]], 1), round(ys[run[0]], 1)))
        elif run:
            parts.append("M" + " L".join(f"{xs[j]:.1f},{ys[j]:.1f}" for j in run))
        run = []
    return " ".join(parts), tuple(dots)
