"""Return numbers, periods and labels as a reader sees them on the summary page."""

from __future__ import annotations

import math
import re
from functools import lru_cache

#: What a suppressed value is shown as, everywhere (never a number).
SUPPRESSED_TEXT = "suppressed (small numbers)"
MISSING_TEXT = "–"

_POOLED = re.compile(r"^\s*(\d{4})\s*-\s*(\d{2,4})\s*$")
_COUNT_UNITS = {"count", "persons", "people", "number", "patients"}
_BARE_UNITS = {"score", "ratio", "rank", "index"}  # words that add nothing after a number

#: Plain-English wording of the comparison labels, for the tables and chart descriptions.
COMPARISON_WORDS = {
    "Better": "better than", "Best": "better than (99.8% level)", "Similar": "similar to",
    "Worse": "worse than", "Worst": "worse than (99.8% level)", "Higher": "higher than", "Lower": "lower than",
}


def is_number(value: object) -> bool:
    """Return True for a finite int/float (not None, not NaN, not a bool)."""
    if isinstance(value, float):  # the common case first: this runs millions of times per build
        return -math.inf < value < math.inf
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=1024)
def is_count_like(unit: str | None, value_type: str | None) -> bool:
    """Return True when values are whole counts (shown without decimals)."""
    return value_type == "count" or (unit or "").strip().lower() in _COUNT_UNITS


def format_number(value: float | None, unit: str | None = None, value_type: str | None = None) -> str:
    """Return a value with thousands separators: whole counts, 2 dp below 1, otherwise 1 dp."""
    if not is_number(value):
        return MISSING_TEXT
    if is_count_like(unit, value_type):
        return f"{value:,.0f}"
    if -1 < value < 1 and value != 0 and unit != "%":
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def format_value(value: float | None, unit: str | None = None, value_type: str | None = None) -> str:
    """Return a value with its unit for a sentence: '61.2%', '141.2 per 100,000', '12,345'."""
    number = format_number(value, unit, value_type)
    unit = (unit or "").strip()
    if number == MISSING_TEXT or not unit or is_count_like(unit, value_type) or unit.lower() in _BARE_UNITS:
        return number
    return f"{number}%" if unit == "%" else f"{number} {unit}"


def format_interval(lower: float | None, upper: float | None, unit: str | None, value_type: str | None) -> str:
    """Return a confidence interval as 'low to high', or the missing mark."""
    if not (is_number(lower) and is_number(upper)):
        return MISSING_TEXT
    return f"{format_number(lower, unit, value_type)} to {format_number(upper, unit, value_type)}"


@lru_cache(maxsize=4096)
def format_period(label: str | None) -> str:
    """Return a published period label tidied for reading ('2021 - 23' -> '2021–23')."""
    if not label:
        return MISSING_TEXT
    pooled = _POOLED.match(label)
    if pooled:
        return f"{pooled.group(1)}–{pooled.group(2)}"
    return label.strip()


def breakdown_label(sex: str | None, age: str | None, category: str | None) -> str:
    """Return the breakdown of a row in words ('Female, 53-70 yrs'), skipping the defaults."""
    parts = [p for p in (sex if sex != "Persons" else None, age if age != "All ages" else None, category) if p]
    return ", ".join(parts)


def slug(text: str) -> str:
    """Return a lower-case, hyphenated id fragment for HTML anchors."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def comparison_class(label: str | None) -> str:
    """Return the CSS class suffix that colours a comparison marker."""
    known = {"Better", "Best", "Similar", "Worse", "Worst", "Higher", "Lower"}
    return (label or "").lower() if label in known else "none"
