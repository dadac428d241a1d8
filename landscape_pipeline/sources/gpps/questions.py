"""GP Patient Survey questions kept, and their numbers per survey year.

GPPS practice CSVs name each result by question number (``Q28_12pct``: share of respondents giving
answers 1 or 2 - "very good" or "fairly good" - to Q28; ``Q28base``: respondents), and the numbers
change: the 2024 survey started a new questionnaire and a new time series (NHS England: results "are
not comparable with previous years"). Each kept question therefore has one indicator id per series,
and :data:`QUESTION_MAP` gives its number for each survey year.

Evidence for the numbers: Q28 = "Overall, how would you describe your experience of your GP practice?"
is read as ``Q28_12pct`` for 2017-2024 by public analyst code (HealthEquityEvidenceCentre/HEEC,
``data/satisfaction/README.md``), whose practice means match the published national results each
year (e.g. 2024: 75% vs 73.9%), and the 2021 practice file carries ``Q28base, Q28_12, Q28_12pct``. The
other numbers (phone access Q1, long-term condition support and confidence) are taken from the
questionnaires as the pipeline's authors understood them and are marked ``verified=False``: check them
against the year's questionnaire before using real files, and correct this table (one line per year).
"""

from __future__ import annotations

from dataclasses import dataclass

NEW_SERIES_FROM = 2024


@dataclass(frozen=True)
class Question:
    """One kept question (one series): id, wording, the answers counted as positive."""

    indicator_id: str
    name: str
    positive: str
    #: Suffix of the percentage column: ``12pct`` = answers 1 and 2.
    suffix: str = "12pct"


QUESTIONS: dict[str, Question] = {q.indicator_id: q for q in (
    Question("gpps_overall_experience_good", "GP Patient Survey: overall experience of GP practice good "
             "(2024 questionnaire onwards)", "very or fairly good"),
    Question("gpps_phone_access_easy", "GP Patient Survey: easy to get through to the practice on the phone "
             "(2024 questionnaire onwards)", "very or fairly easy"),
    Question("gpps_ltc_support_enough", "GP Patient Survey: enough support from local services to manage "
             "long-term condition(s) (2024 questionnaire onwards)", "yes, definitely or to some extent"),
    Question("gpps_ltc_confident_managing", "GP Patient Survey: confident managing issues arising from "
             "long-term condition(s) (2024 questionnaire onwards)", "very or fairly confident"),
    Question("gpps_overall_experience_good_to2023", "GP Patient Survey: overall experience of GP practice good "
             "(2018-2023 questionnaire)", "very or fairly good"),
    Question("gpps_phone_access_easy_to2023", "GP Patient Survey: easy to get through to the practice on the "
             "phone (2018-2023 questionnaire)", "very or fairly easy"),
    Question("gpps_ltc_support_enough_to2023", "GP Patient Survey: enough support from local services to "
             "manage long-term condition(s) (2018-2023 questionnaire)", "yes, definitely or to some extent"),
    Question("gpps_ltc_confident_managing_to2023", "GP Patient Survey: confident managing issues arising from "
             "long-term condition(s) (2018-2023 questionnaire)", "very or fairly confident"),
)}


@dataclass(frozen=True)
class Mapping:
    """Where one kept question is in one range of survey years."""

    first_year: int
    last_year: int
    indicator_id: str
    number: int
    verified: bool


QUESTION_MAP: tuple[Mapping, ...] = (
    Mapping(2018, 2023, "gpps_overall_experience_good_to2023", 28, True),
    Mapping(2018, 2023, "gpps_phone_access_easy_to2023", 1, False),
    Mapping(2021, 2023, "gpps_ltc_support_enough_to2023", 32, False),
    Mapping(2021, 2023, "gpps_ltc_confident_managing_to2023", 33, False),
    Mapping(2024, 2099, "gpps_overall_experience_good", 28, True),
    Mapping(2024, 2099, "gpps_phone_access_easy", 1, False),
    Mapping(2024, 2099, "gpps_ltc_support_enough", 72, False),
    Mapping(2024, 2099, "gpps_ltc_confident_managing", 73, False),
)


def questions_for(year: int) -> dict[str, str]:
    """Return {percentage column (e.g. ``Q28_12pct``): indicator id} for one survey year."""
    out = {}
    for m in QUESTION_MAP:
        if m.first_year <= year <= m.last_year:
            out[f"Q{m.number}_{QUESTIONS[m.indicator_id].suffix}"] = m.indicator_id
    return out


def base_column(pct_column: str) -> str:
    """Return the respondents column of a percentage column (``Q28_12pct`` -> ``Q28base``)."""
    return pct_column.split("_", 1)[0] + "base"
