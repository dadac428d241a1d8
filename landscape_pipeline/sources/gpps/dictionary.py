"""Indicator dictionary of the GP Patient Survey questions kept, modelled for local authorities (see :mod:`.parser`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.gpps.questions import NEW_SERIES_FROM, QUESTION_MAP, QUESTIONS

NO_CI = "None: the practices' sampling errors cannot be combined from the public file; compared by value only"
NUMERATOR = ("Not published for areas: each practice's weighted share answering positively, averaged with "
             "registration weights")
DENOMINATOR = "Registered patients of the area's residents' practices (the weights), from the GP registration extract"


def _numbers(indicator_id: str) -> str:
    """Return the question number per survey years, e.g. "GPPS Q28 (2024 on)"."""
    spans = [f"Q{m.number} ({m.first_year} on)" if m.last_year >= NEW_SERIES_FROM + 50
             else f"Q{m.number} ({m.first_year}-{m.last_year})" for m in QUESTION_MAP if m.indicator_id == indicator_id]
    return "GPPS " + ", ".join(spans)


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per kept question and series (before and from the 2024 questionnaire)."""
    out = []
    for indicator_id, question in QUESTIONS.items():
        series = (f"{NEW_SERIES_FROM} questionnaire onwards" if not indicator_id.endswith("_to2023")
                  else f"2018-{NEW_SERIES_FROM - 1} questionnaire")
        definition = (f"Modelled percentage of respondents answering {question.positive} ({series}): the average of "
                      "the GP practices' published results, each weighted by how many of its registered patients "
                      "live in the area. GPPS publishes no local authority results.")
        out.append(IndicatorInfo(
            indicator_id, question.name, definition, NUMERATOR, DENOMINATOR, "proportion", "%", 100, NO_CI,
            "High is good", "Annual (survey fieldwork January to March)", 1, publisher_id=_numbers(indicator_id),
            change_test="none",
            notes="Modelled (geography_method apportioned). The 2024 questionnaire started a new series: results are "
                  "not comparable with earlier years, hence separate ids."))
    return out
