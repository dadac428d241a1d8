"""Fingertips time periods: labels such as "2022/23" or "2021 - 23" to first and last days.

| label | meaning | start .. end |
|---|---|---|
| ``2022`` | calendar year | 2022-01-01 .. 2022-12-31 |
| ``2022/23`` | financial year | 2022-04-01 .. 2023-03-31 |
| ``2021 - 23`` | 3 pooled calendar years | 2021-01-01 .. 2023-12-31 |
| ``2020/21 - 22/23`` | 3 pooled financial years | 2020-04-01 .. 2023-03-31 |
| ``2023/24 Q1`` | financial-year quarter (Q1 = Apr-Jun) | 2023-04-01 .. 2023-06-30 |
| ``2023 Q1`` | calendar quarter | 2023-01-01 .. 2023-03-31 |
| ``Jan 2024`` / ``January 2024`` | month | 2024-01-01 .. 2024-01-31 |
| ``<A> - <B>`` | any two of the above | start of A .. end of B |

A label that matches none falls back on ``Time period Sortable`` (``YYYYQQMM``: year, quarter and
month, zeros when unused, e.g. ``20220000``) as the start and ``Time period range`` (``1y``, ``3y``,
``1q``, ``1m``; one year when blank) as the length. Labels are parsed once per distinct value.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pandas as pd

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9

Period = tuple[date, date]


def _add_months(day: date, months: int) -> date:
    """Return the first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _span(start: date, months: int) -> Period:
    return start, _add_months(start, months) - timedelta(days=1)


def _year_after(first: int, short: str) -> int:
    """Return the full year that a 2- or 4-digit end year denotes after ``first`` ("23" after 2021 -> 2023)."""
    if len(short) == 4:
        return int(short)
    year = first - first % 100 + int(short)
    return year + 100 if year < first else year


def _single(label: str) -> Period | None:
    """Return the period of a label that is not a range, or None."""
    if m := re.fullmatch(r"(\d{4})", label):
        return _span(date(int(m[1]), 1, 1), 12)
    if m := re.fullmatch(r"(\d{4})\s*/\s*(\d{2}|\d{4})", label):
        return _span(date(int(m[1]), 4, 1), 12)
    if m := re.fullmatch(r"(\d{4})\s*/\s*(\d{2}|\d{4})\s+Q([1-4])", label, re.IGNORECASE):
        return _span(_add_months(date(int(m[1]), 4, 1), 3 * (int(m[3]) - 1)), 3)
    if m := re.fullmatch(r"(\d{4})\s+Q([1-4])", label, re.IGNORECASE):
        return _span(date(int(m[1]), 3 * int(m[2]) - 2, 1), 3)
    if (m := re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{4})", label)) and m[1].lower() in _MONTHS:
        return _span(date(int(m[2]), _MONTHS[m[1].lower()], 1), 1)
    return None


def parse_period(label: str | None) -> Period | None:
    """Return (first day, last day) of a Fingertips time-period label, or None if it is not one."""
    if not isinstance(label, str) or not label.strip():
        return None
    label = " ".join(label.split())
    if found := _single(label):
        return found
    if m := re.fullmatch(r"(\d{4}) ?- ?(\d{2}|\d{4})", label):  # pooled calendar years "2021 - 23"
        return date(int(m[1]), 1, 1), date(_year_after(int(m[1]), m[2]), 12, 31)
    if m := re.fullmatch(r"(\d{4})/(\d{2}) - (\d{2}|\d{4})/(\d{2})", label):  # pooled financial years
        last_start = _year_after(int(m[1]), m[3])
        return date(int(m[1]), 4, 1), date(last_start + 1, 3, 31)
    if m := re.fullmatch(r"(.+?) - (.+)", label):
        first, last = _single(m[1]), _single(m[2])
        if first and last and last[1] >= first[0]:
            return first[0], last[1]
    return None


def period_from_sortable(sortable: str | None, span: str | None) -> Period | None:
    """Return the period anchored at a ``Time period Sortable`` value with a ``Time period range`` length."""
    if not isinstance(sortable, str) or not re.fullmatch(r"\d{8}", sortable.strip()):
        return None
    year, quarter, month = int(sortable[:4]), int(sortable[4:6]), int(sortable[6:8])
    if 1 <= month <= 12:
        start = date(year, month, 1)
    elif 1 <= quarter <= 4:
        start = date(year, 3 * quarter - 2, 1)
    else:
        start = date(year, 1, 1)
    months = 12
    if isinstance(span, str) and (m := re.fullmatch(r"(\d+)\s*([ymq])", span.strip().lower())):
        months = int(m[1]) * {"y": 12, "q": 3, "m": 1}[m[2]]
    return _span(start, max(months, 1))


def parse_periods(labels: pd.Series, sortable: pd.Series, span: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return period start and end (datetime64, NaT where unknown) for aligned label/sortable/range series."""
    parsed = {label: parse_period(label) for label in labels.dropna().unique()}
    start = labels.map({k: p[0] for k, p in parsed.items() if p})
    end = labels.map({k: p[1] for k, p in parsed.items() if p})
    missing = start.isna()
    if missing.any():
        key = (sortable.fillna("") + "|" + span.fillna(""))[missing]
        anchors = {k: period_from_sortable(*k.split("|")) for k in key.unique()}
        start[missing] = key.map({k: p[0] for k, p in anchors.items() if p})
        end[missing] = key.map({k: p[1] for k, p in anchors.items() if p})
    return pd.to_datetime(start, errors="coerce"), pd.to_datetime(end, errors="coerce")
