"""Period formats a mapping may declare (a closed set), each parsed to a label, a start and an end date.

Labels follow the Fingertips conventions the rest of the table uses ('2019', '2019/20', '2011 - 15',
'2017/18 - 19/20', '2023 Q1', '2023/24 Q1', '2024-04', '2024-03-31'), so a local series lines up with
a published one whatever the file wrote ('2011 to 2015', 'FY 2019-20', 'April 2024'...).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date

import pandas as pd

Parsed = tuple[str, date, date]

_MONTHS = {name.casefold(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
#: The longest span a year range may have (pooled periods are 3 to 10 years; '2024-04' is no range).
MAX_RANGE_YEARS = 30
_DASH = r"\s*(?:-|–|—|to|/)\s*"


def _year(short: str, base: int) -> int:
    """Return the four-digit year of ``short`` ('20' or '2020'), the first such year not before ``base``."""
    value = int(short)
    if len(short) == 2:
        value = base // 100 * 100 + value
        if value < base:
            value += 100
    return value


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_year(text: str) -> Parsed | None:
    """Return a calendar year: '2019', 'CY 2019'."""
    m = re.fullmatch(r"(?:cy\s*)?(\d{4})(?:\.0)?", text, re.I)
    return (m[1], date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)) if m else None


def _financial(text: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(?:fy\s*)?(\d{4})\s*(?:/|-|–|to)\s*(\d{2}|\d{4})", text, re.I)
    if not m:
        return None
    start, end = int(m[1]), _year(m[2], int(m[1]))
    return (start, end) if end == start + 1 else None


def parse_financial_year(text: str) -> Parsed | None:
    """Return a financial year (April to March): '2019/20', '2019-20', '2019/2020', 'FY 2019-20'."""
    years = _financial(text)
    if not years:
        return None
    start, end = years
    return f"{start}/{end % 100:02d}", date(start, 4, 1), date(end, 3, 31)


def parse_year_range(text: str) -> Parsed | None:
    """Return a range of calendar years: '2011 - 15', '2011 to 2015', '2011-2015'."""
    m = re.fullmatch(rf"(\d{{4}}){_DASH}(\d{{2}}|\d{{4}})", text, re.I)
    if not m:
        return None
    start, end = int(m[1]), _year(m[2], int(m[1]))
    if not start < end <= start + MAX_RANGE_YEARS:  # '2024-04' is a month, not 2024 to 2104
        return None
    return f"{start} - {end % 100:02d}", date(start, 1, 1), date(end, 12, 31)


def parse_financial_year_range(text: str) -> Parsed | None:
    """Return a range of financial years: '2017/18 - 19/20', '2017/18 to 2019/20'."""
    m = re.fullmatch(r"(\d{4}\s*/\s*\d{2,4})\s*(?:-|–|to)\s*(\d{2,4}\s*/\s*\d{2,4})", text, re.I)
    if not m:
        return None
    first = _financial(m[1].replace(" ", ""))
    second_text = m[2].replace(" ", "")
    if first and len(second_text.split("/")[0]) == 2:
        second_text = f"{first[0] // 100}{second_text}"
    second = _financial(second_text)
    if not first or not second or second[0] <= first[0]:
        return None
    label = f"{first[0]}/{first[1] % 100:02d} - {second[0] % 100:02d}/{second[1] % 100:02d}"
    return label, date(first[0], 4, 1), date(second[1], 3, 31)


def parse_quarter(text: str) -> Parsed | None:
    """Return a quarter: calendar '2023 Q1', 'Q1 2023', '2023-Q1'; financial '2023/24 Q1' (April to June)."""
    year_first = re.fullmatch(r"(\d{4}(?:\s*/\s*\d{2,4})?)\s*[-\s]?\s*q([1-4])", text, re.I)
    quarter_first = re.fullmatch(r"q([1-4])\s*[-\s]?\s*(\d{4}(?:\s*/\s*\d{2,4})?)", text, re.I)
    if year_first:
        year_text, quarter = year_first[1], int(year_first[2])
    elif quarter_first:
        year_text, quarter = quarter_first[2], int(quarter_first[1])
    else:
        return None
    year_text = year_text.replace(" ", "")
    if "/" in year_text:
        years = _financial(year_text)
        if not years:
            return None
        first_month = 4 + 3 * (quarter - 1)
        year = years[0] + (first_month - 1) // 12
        month = (first_month - 1) % 12 + 1
        label = f"{years[0]}/{years[1] % 100:02d} Q{quarter}"
    else:
        year, month = int(year_text), 1 + 3 * (quarter - 1)
        label = f"{year} Q{quarter}"
    end_month = month + 2
    return label, date(year, month, 1), _last_day(year, end_month)


def parse_month(text: str) -> Parsed | None:
    """Return a month: '2024-04', '2024-04-01' (a first of month), 'April 2024', 'Apr-24', '04/2024'."""
    year = month = None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-01(?:T00:00:00)?)?", text):
        year, month = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        year, month = int(m[2]), int(m[1])
    elif m := re.fullmatch(r"([a-z]+)[\s\-]*(\d{4}|\d{2})", text, re.I):
        month = _MONTHS.get(m[1].casefold())
        year = int(m[2]) if len(m[2]) == 4 else 2000 + int(m[2])
    if not year or not month or not 1 <= month <= 12:
        return None
    return f"{year}-{month:02d}", date(year, month, 1), _last_day(year, month)


def parse_date(text: str) -> Parsed | None:
    """Return one day: ISO '2024-03-31' (an Excel date too) or UK '31/03/2024'."""
    try:
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ]00:00:00)?", text):
            day = date.fromisoformat(m[1])
        elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            day = date(int(m[3]), int(m[2]), int(m[1]))
        else:
            return None
    except ValueError:
        return None
    return day.isoformat(), day, day


PARSERS: dict[str, Callable[[str], Parsed | None]] = {
    "year": parse_year,
    "financial_year": parse_financial_year,
    "year_range": parse_year_range,
    "financial_year_range": parse_financial_year_range,
    "quarter": parse_quarter,
    "month": parse_month,
    "date": parse_date,
}
#: The closed set of period formats, with an example of each as a file may write it.
FORMATS: dict[str, str] = {
    "year": "2019", "financial_year": "2019/20", "year_range": "2011 to 2015",
    "financial_year_range": "2017/18 - 2019/20", "quarter": "2023 Q1 or 2023/24 Q1", "month": "2024-04 or April 2024",
    "date": "2024-03-31 or 31/03/2024",
}


def parse(text: object, period_format: str) -> Parsed | None:
    """Return (label, start, end) of one period text in ``period_format``, or None when it does not parse."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    return PARSERS[period_format](" ".join(str(text).split()))


def parse_series(texts: pd.Series, period_format: str) -> pd.DataFrame:
    """Return period_label, period_start, period_end for each text (NA where it does not parse); keeps the index."""
    distinct = {t: parse(t, period_format) for t in texts.dropna().unique()}
    parsed = texts.map(lambda t: distinct.get(t))
    out = pd.DataFrame(index=texts.index)
    out["period_label"] = parsed.map(lambda p: p[0] if p else None).astype(object)
    out["period_start"] = pd.to_datetime(parsed.map(lambda p: p[1] if p else None))
    out["period_end"] = pd.to_datetime(parsed.map(lambda p: p[2] if p else None))
    return out


def guess_format(texts: list[str]) -> str | None:
    """Return the first format (most specific first) that parses every text, or None."""
    order = ("financial_year_range", "financial_year", "quarter", "year_range", "date", "month", "year")
    for name in order:
        if texts and all(parse(t, name) for t in texts):
            return name
    return None
