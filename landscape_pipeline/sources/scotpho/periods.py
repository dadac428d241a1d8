"""ScotPHO time periods: the long ``period`` text and the short ``trend_axis`` label, read by rule.

ScotPHO writes periods such as "2019 to 2021 calendar years; 3-year aggregates", "2021/22 financial
year", "2019/20 to 2021/22 financial years; 3-year aggregates", "2019 survey year",
"4-year aggregate (2014 - 2017)" and "2019/20 school year", and trend-axis labels such as
"2019-2021" or "2021/22". Each is read into a start and end date and a label in the trend-axis style
("2019-2021", "2019/20-2021/22", "2021", "2021/22"), so every download layout of the same release
gives the same period label.
"""

from __future__ import annotations

import re

import pandas as pd

_FY = r"(\d{4})\s*/\s*(\d{2}|\d{4})"
_FY_RANGE = re.compile(rf"{_FY}\s*(?:to|-|–)\s*{_FY}")
_YEAR_RANGE = re.compile(r"(?<![\d/])(\d{4})\s*(?:to|-|–)\s*(\d{4})(?![\d/])")
_FY_ONE = re.compile(_FY)
_YEAR_ONE = re.compile(r"(?<![\d/])(\d{4})(?![\d/])")


def _fy_end(first: str, second: str) -> int | None:
    """Return the calendar year a financial year ends in, or None if '2019/21' is not one year on."""
    start = int(first)
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if len(second) == 2 and end < start:
        end += 100
    return end if end == start + 1 else None


def parse_period(text: object) -> tuple[str, pd.Timestamp, pd.Timestamp] | None:
    """Return (label, start, end) for one ScotPHO period text, or None if it is not one."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    school = "school" in text.lower()
    month, day = (8, 1) if school else (4, 1)
    if (match := _FY_RANGE.search(text)) is not None:
        a, b, c, d = match.groups()
        first_end, last_end = _fy_end(a, b), _fy_end(c, d)
        if first_end is None or last_end is None or int(c) < int(a):
            return None
        label = f"{a}/{first_end % 100:02d}-{c}/{last_end % 100:02d}"
        return label, pd.Timestamp(int(a), month, day), pd.Timestamp(last_end, month, day) - pd.Timedelta(days=1)
    if (match := _YEAR_RANGE.search(text)) is not None:
        first, last = int(match.group(1)), int(match.group(2))
        if last < first:
            return None
        return f"{first}-{last}", pd.Timestamp(first, 1, 1), pd.Timestamp(last, 12, 31)
    if (match := _FY_ONE.search(text)) is not None:
        end = _fy_end(*match.groups())
        if end is None:
            return None
        start = int(match.group(1))
        return f"{start}/{end % 100:02d}", pd.Timestamp(start, month, day), pd.Timestamp(end, month, day) - \
            pd.Timedelta(days=1)
    if (match := _YEAR_ONE.fullmatch(text)) is not None or (match := _YEAR_ONE.search(text)) is not None:
        year = int(match.group(1))
        return str(year), pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    return None


def parse_periods(texts: pd.Series) -> pd.DataFrame:
    """Return period_label/period_start/period_end per text (NaN where a text is not a period)."""
    parsed = {t: parse_period(t) for t in texts.dropna().unique()}
    rows = texts.map(lambda t: parsed.get(t) if isinstance(t, str) else None)
    return pd.DataFrame({
        "period_label": rows.map(lambda r: r[0] if r else None),
        "period_start": pd.to_datetime(rows.map(lambda r: r[1] if r else None)),
        "period_end": pd.to_datetime(rows.map(lambda r: r[2] if r else None)),
    }, index=texts.index)
