"""Indicator dictionary of the CPES questions the pipeline reads (see :mod:`.questions`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.cpes.questions import INDICATORS

CI = "Publisher's: 95% confidence interval of the case-mix adjusted score"
RESPONDENTS = "Respondents who answered the question (the ICB's patients)"


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per CPES indicator: % scored positive, or the 0-10 overall rating."""
    out = []
    for indicator_id, item in INDICATORS.items():
        question = item.name.removeprefix("CPES: ").split(" (")[0]
        if item.value_type == "score":
            definition = (f"{question}: average of respondents' ratings from 0 (very poor) to 10 (very good), "
                          "case-mix adjusted, for the ICB covering most of the area's residents.")
            numerator, multiplier, decimals = "Sum of ratings (not published)", None, 2
        else:
            definition = (f"{question}: percentage of respondents answering positively, case-mix adjusted, "
                          "for the ICB covering most of the area's residents.")
            numerator = "Respondents answering positively (case-mix adjusted; not published)"
            multiplier, decimals = 100, 1
        out.append(IndicatorInfo(indicator_id, item.name, definition, numerator, RESPONDENTS, item.value_type,
                                 item.unit, multiplier, CI, "High is good", "Annual survey", decimals,
                                 notes="Question numbers change between survey years; mapped per year."))
    return out
