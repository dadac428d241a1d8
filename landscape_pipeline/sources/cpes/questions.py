"""CPES question map: survey year -> published question number -> stable indicator id.

Question numbers change between survey years (the questionnaire gains, loses and reorders
questions), so every year has its own map. A question number missing from its year's map is a
:class:`~landscape_pipeline.errors.SourceDataError`, never a silent drop; questions that are known
and deliberately out of scope are listed as :data:`IGNORED`. Every mapped question's text is also
checked against the indicator's ``text_pattern``, so a renumbered questionnaire cannot quietly put
one question's results under another's id.

**The numbers below are the bundled sample's.** They were invented consistently for the synthetic
data tables and must be checked against each year's published questionnaire and data tables
(https://www.ncpes.co.uk/ , https://nhssurveys.co.uk/cpes) before live use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """A stable CPES indicator: its name, statistic and the words its question text must contain."""

    name: str
    value_type: str  # "proportion" (scored %) or "score" (0-10 mean)
    text_pattern: str  # regular expression, matched case-insensitively anywhere in the question text

    @property
    def unit(self) -> str:
        """Return the unit of the indicator's values."""
        return "score 0-10" if self.value_type == "score" else "%"

    def matches(self, question_text: str) -> bool:
        """Return True when ``question_text`` reads like this indicator's question."""
        return re.search(self.text_pattern, question_text or "", re.IGNORECASE) is not None


#: Marks a question that is known and out of scope for the landscape baselines.
IGNORED = "ignored"

INDICATORS: dict[str, Indicator] = {
    "cpes_overall_rating_of_care": Indicator(
        "CPES: Overall rating of care (average score, 0 very poor to 10 very good)", "score",
        r"rate your (overall )?care"),
    "cpes_treated_with_respect_and_dignity": Indicator(
        "CPES: Treated with respect and dignity while in hospital (% scored positive)", "proportion",
        r"respect and dignity"),
    "cpes_given_name_of_main_contact": Indicator(
        "CPES: Given the name of a main contact, such as a clinical nurse specialist (% scored positive)",
        "proportion", r"name of (a|the) main contact|clinical nurse specialist"),
    "cpes_offered_care_plan": Indicator(
        "CPES: Offered a care plan (% scored positive)", "proportion", r"care plan"),
    "cpes_support_from_health_or_social_services_after_treatment": Indicator(
        "CPES: Enough support from health or social services after treatment (% scored positive)", "proportion",
        r"support from health (and|or) social (care|services)"),
    "cpes_able_to_discuss_worries_or_fears": Indicator(
        "CPES: Able to discuss worries or fears with hospital staff (% scored positive)", "proportion",
        r"worries (or|and) fears"),
    "cpes_diagnosis_explained_understandably": Indicator(
        "CPES: Diagnosis explained in a way the patient could understand (% scored positive)", "proportion",
        r"explained .*understand"),
    "cpes_involved_in_treatment_decisions": Indicator(
        "CPES: Involved as much as wanted in decisions about treatment (% scored positive)", "proportion",
        r"involved as much as you wanted"),
    "cpes_gp_practice_support": Indicator(
        "CPES: GP practice did everything it could to support the patient (% scored positive)", "proportion",
        r"gp practice .*support|support .*gp practice"),
}

_I = IGNORED
QUESTION_MAP: dict[int, dict[str, str]] = {
    2021: {
        "Q3": _I,  # information before a diagnostic test (diagnostic pathway; out of scope)
        "Q10": "cpes_diagnosis_explained_understandably",
        "Q12": _I,  # told they could bring a family member or friend (process detail)
        "Q16": "cpes_involved_in_treatment_decisions",
        "Q19": _I,  # told about long-term side effects (treatment-specific)
        "Q21": "cpes_given_name_of_main_contact",
        "Q24": "cpes_offered_care_plan",
        "Q33": _I,  # asked what name they prefer to be called by (inpatient process detail)
        "Q37": "cpes_able_to_discuss_worries_or_fears",
        "Q44": "cpes_treated_with_respect_and_dignity",
        "Q53": "cpes_support_from_health_or_social_services_after_treatment",
        "Q55": _I,  # cancer research discussed (research participation; out of scope)
        "Q58": "cpes_gp_practice_support",
        "Q60": _I,  # care team worked well together (overlaps the overall rating)
        "Q61": "cpes_overall_rating_of_care",
    },
    2022: {
        "Q3": _I, "Q9": "cpes_diagnosis_explained_understandably", "Q11": _I,
        "Q15": "cpes_involved_in_treatment_decisions", "Q18": _I, "Q20": "cpes_given_name_of_main_contact",
        "Q23": "cpes_offered_care_plan", "Q32": _I, "Q35": "cpes_able_to_discuss_worries_or_fears",
        "Q42": "cpes_treated_with_respect_and_dignity",
        "Q51": "cpes_support_from_health_or_social_services_after_treatment", "Q54": _I,
        "Q56": "cpes_gp_practice_support", "Q58": _I, "Q59": "cpes_overall_rating_of_care",
    },
    2023: {
        "Q3": _I, "Q9": "cpes_diagnosis_explained_understandably", "Q11": _I,
        "Q15": "cpes_involved_in_treatment_decisions", "Q18": _I, "Q20": "cpes_given_name_of_main_contact",
        "Q23": "cpes_offered_care_plan", "Q32": _I, "Q36": "cpes_able_to_discuss_worries_or_fears",
        "Q43": "cpes_treated_with_respect_and_dignity",
        "Q52": "cpes_support_from_health_or_social_services_after_treatment", "Q55": _I,
        "Q57": "cpes_gp_practice_support", "Q59": _I, "Q60": "cpes_overall_rating_of_care",
    },
}


def normalise_question_number(value: object) -> str:
    """Return a question number as ``Q<n>`` ("61", "q61", " Q61 " -> "Q61"); other text stripped as is."""
    text = str(value or "").strip()
    found = re.fullmatch(r"[Qq]?\s*(\d+)([a-z]?)", text)
    return f"Q{int(found[1])}{found[2]}" if found else text
