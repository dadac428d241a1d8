"""Indicator dictionary of the ASCOF measures kept (see :mod:`.measures` for the codes of each framework)."""

from __future__ import annotations

from landscape_pipeline.sources.ascof.measures import MEASURES, codes_for
from landscape_pipeline.sources.base import IndicatorInfo

NO_CI = "None: ASCOF publishes no limits, and its survey measures are weighted estimates"
USERS = "Weighted respondents to the Adult Social Care Survey (people using long-term support)"
CARERS = "Weighted respondents to the Survey of Adult Carers in England"
ANNUAL = "Annual (financial year; Adult Social Care Survey)"
BIENNIAL = "Biennial (financial year; Survey of Adult Carers in England)"

_DETAILS = {  # id -> (definition, numerator, denominator, cadence)
    "ascof_scrqol": (
        "Average social care-related quality of life score of people using long-term adult social care support: "
        "their answers on eight outcome domains (control, dignity, safety...) scored 0-3 and summed (0 to 24).",
        "Sum of respondents' weighted scores (not kept: not a count of people)", USERS, ANNUAL),
    "ascof_control_daily_life": (
        "Percentage of people using long-term support who say they have as much control over their daily life as "
        "they want, or adequate control.", "Respondents with as much or adequate control (weighted)", USERS,
        ANNUAL),
    "ascof_carer_qol": (
        "Average quality of life score reported by carers of people using services: answers on six domains scored "
        "0-2 and summed (0 to 12).", "Sum of carers' weighted scores (not kept: not a count of people)", CARERS,
        BIENNIAL),
    "ascof_info_easy_users": (
        "Percentage of people using services who tried to find information or advice about support, services or "
        "benefits and found it very or fairly easy.", "Respondents finding it very or fairly easy (weighted)",
        "Weighted service users who tried to find information or advice", ANNUAL),
    "ascof_info_easy_carers": (
        "Percentage of carers who tried to find information or advice about support, services or benefits and "
        "found it very or fairly easy.", "Carers finding it very or fairly easy (weighted)",
        "Weighted carers who tried to find information or advice", BIENNIAL),
}


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per kept ASCOF measure."""
    out = []
    for indicator_id, measure in MEASURES.items():
        definition, numerator, denominator, cadence = _DETAILS[indicator_id]
        codes = "; ".join(f"{framework}: {code}" for framework, code in codes_for(indicator_id).items())
        out.append(IndicatorInfo(
            indicator_id, measure.name, definition, numerator, denominator, measure.value_type, measure.unit,
            100 if measure.value_type == "proportion" else None, NO_CI, "High is good", cadence, 1,
            publisher_id=f"ASCOF {codes}", change_test="none",
            notes="Council (social services) level. Compared with England by value only: no interval is published."))
    return out
