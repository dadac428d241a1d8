"""Period formats of mapped extracts: each format, its label convention, and what it refuses."""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline.mapping import periods


@pytest.mark.parametrize(("text", "fmt", "label", "start", "end"), [
    ("2019", "year", "2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("2019/20", "financial_year", "2019/20", date(2019, 4, 1), date(2020, 3, 31)),
    ("FY 2019-20", "financial_year", "2019/20", date(2019, 4, 1), date(2020, 3, 31)),
    ("1999/2000", "financial_year", "1999/00", date(1999, 4, 1), date(2000, 3, 31)),
    ("2011 to 2015", "year_range", "2011 - 15", date(2011, 1, 1), date(2015, 12, 31)),
    ("2021 - 23", "year_range", "2021 - 23", date(2021, 1, 1), date(2023, 12, 31)),
    ("2017/18 - 19/20", "financial_year_range", "2017/18 - 19/20", date(2017, 4, 1), date(2020, 3, 31)),
    ("2017/18 to 2019/20", "financial_year_range", "2017/18 - 19/20", date(2017, 4, 1), date(2020, 3, 31)),
    ("2023 Q1", "quarter", "2023 Q1", date(2023, 1, 1), date(2023, 3, 31)),
    ("Q4 2023", "quarter", "2023 Q4", date(2023, 10, 1), date(2023, 12, 31)),
    ("2023/24 Q1", "quarter", "2023/24 Q1", date(2023, 4, 1), date(2023, 6, 30)),
    ("2023/24 Q4", "quarter", "2023/24 Q4", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024-02", "month", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("April 2024", "month", "2024-04", date(2024, 4, 1), date(2024, 4, 30)),
    ("Sept-25", "month", "2025-09", date(2025, 9, 1), date(2025, 9, 30)),
    ("2024-04-01T00:00:00", "month", "2024-04", date(2024, 4, 1), date(2024, 4, 30)),
    ("31/03/2024", "date", "2024-03-31", date(2024, 3, 31), date(2024, 3, 31)),
    ("2024-03-31T00:00:00", "date", "2024-03-31", date(2024, 3, 31), date(2024, 3, 31)),
])
def test_each_format_parses_to_the_fingertips_style_label_and_dates(text: str, fmt: str, label: str, start: date,
                                                                    end: date) -> None:
    assert periods.parse(text, fmt) == (label, start, end)


@pytest.mark.parametrize(("text", "fmt"), [
    ("2019/21", "financial_year"), ("2015 to 2011", "year_range"), ("2019", "month"), ("Q5 2023", "quarter"),
    ("31/02/2024", "date"), ("Smarch 2024", "month"), ("2019/20 - 2018/19", "financial_year_range"),
    ("", "year"), (None, "year"),
])
def test_texts_that_are_not_the_declared_format_do_not_parse(text: str | None, fmt: str) -> None:
    assert periods.parse(text, fmt) is None


@given(st.integers(1990, 2090), st.sampled_from(list(periods.FORMATS)))
def test_every_label_reads_back_as_itself(year: int, fmt: str) -> None:
    example = {"year": f"{year}", "financial_year": f"{year}/{year + 1}", "year_range": f"{year} to {year + 4}",
               "financial_year_range": f"{year}/{(year + 1) % 100:02d} - {year + 2}/{(year + 3) % 100:02d}",
               "quarter": f"Q2 {year}", "month": f"March {year}", "date": f"28/02/{year}"}[fmt]
    label, start, end = periods.parse(example, fmt)
    assert periods.parse(label, fmt) == (label, start, end)
    assert start <= end


@given(st.integers(1990, 2090), st.integers(1, 12))
def test_a_month_runs_from_its_first_to_its_last_day(year: int, month: int) -> None:
    _, start, end = periods.parse(f"{calendar.month_name[month]} {year}", "month")
    assert (start.day, end.day) == (1, calendar.monthrange(year, month)[1])


def test_series_parsing_keeps_the_index_and_guessing_prefers_the_specific_format() -> None:
    texts = pd.Series(["2019/20", "nonsense", None], index=[7, 8, 9])
    parsed = periods.parse_series(texts, "financial_year")
    assert list(parsed.index) == [7, 8, 9]
    assert parsed.loc[7, "period_label"] == "2019/20" and parsed.loc[[8, 9], "period_label"].isna().all()
    assert periods.guess_format(["2019/20", "2020/21"]) == "financial_year"
    assert periods.guess_format(["2011 - 15"]) == "year_range"
    assert periods.guess_format(["2024-04", "2024-05"]) == "month"
    assert periods.guess_format(["2019"]) == "year"
    assert periods.guess_format(["soon"]) is None
