"""The catalogue of Fingertips cancer indicators the pipeline fetches and how to read them.

Ids 40501, 22001, 93560, 93561, 91720, 276 and 91355 are real Fingertips indicator ids (see
``../shared/brief/data_sources.md`` section 1.4). Fingertips ids for one-year net survival and for
stage 1-2 at diagnosis were not found in public sources: :data:`PLACEHOLDER_IDS` marks the two
ids used here (900001, 900002, far above any id Fingertips has issued) which only exist in the
bundled synthetic sample. Before a live run they MUST be resolved from the publisher's metadata,
``GET /api/indicator_metadata/csv/by_profile_id?profile_id=92`` (Cancer Services; also 19 PHOF
and 26 Health Profiles), by matching ``name_pattern`` against the ``Indicator`` column - see
:func:`landscape_pipeline.sources.fingertips.loader.resolve_indicator_ids`.

Emergency admissions with cancer (91355, published for GP practices in the Cancer Services
profile) is catalogued as a crude rate per 100,000 population of all ages, Low is good: a rate
(not the share of admissions that were emergencies) is what compares across LAs of different size.

``area_type_ids`` says at which LA tiers an indicator is fetched and bundled. Emergency admissions,
survival and stage are collated by NHS England (HES, NDRS) for NHS geographies and, at best, upper-tier
LAs, so they are catalogued for Counties & UAs (502) only; the others for 502 and Districts & UAs (501).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Fingertips area type ids of English local authorities from April 2023.
COUNTIES_UAS = 502
DISTRICTS_UAS = 501
REGION = 6
AREA_TYPE_NAMES: dict[int, str] = {
    COUNTIES_UAS: "Counties & UAs (from Apr 2023)",
    DISTRICTS_UAS: "Districts & UAs (from Apr 2023)",
    REGION: "Regions",
}
#: Short slugs used in bundled file names (``fingertips_<id>_<slug>_<area type id>.csv``).
AREA_TYPE_SLUGS: dict[int, str] = {COUNTIES_UAS: "counties_uas", DISTRICTS_UAS: "districts_uas"}

#: Period kinds: how Fingertips labels the indicator's time periods.
CALENDAR_YEAR = "calendar year"  # "2022"
FINANCIAL_YEAR = "financial year"  # "2022/23"
THREE_YEAR_POOLED = "3-year pooled calendar years"  # "2019 - 21"


@dataclass(frozen=True)
class FingertipsIndicator:
    """One catalogued Fingertips indicator and how its values are to be read."""

    indicator_id: int
    name: str
    value_type: str
    unit: str
    polarity: str
    theme: str
    period_kind: str
    sex: str = "Persons"
    age: str = "All ages"
    area_type_ids: tuple[int, ...] = (COUNTIES_UAS, DISTRICTS_UAS)
    #: True when ``indicator_id`` is a stand-in that must be resolved by name before a live fetch.
    placeholder: bool = False
    #: Fingertips profile URL key whose metadata resolves a placeholder ("" = Cancer Services, PHOF, Health
    #: Profiles); the profile id itself is looked up by key from ``/api/profiles`` at run time.
    profile_key: str = ""
    #: Case-insensitive regular expression matched against the metadata ``Indicator`` column.
    name_pattern: str = ""
    note: str = ""

    @property
    def canonical_id(self) -> str:
        """Return the namespaced indicator id used in the canonical table (``fingertips_<id>``)."""
        return f"fingertips_{self.indicator_id}"


MORTALITY = "Mortality and survival"
SCREENING = "Screening and early diagnosis"
PREVALENCE = "Prevalence and incidence"
HOSPITAL = "Hospital activity"
END_OF_LIFE = "End of life care"
#: URL key of OHID's Palliative and End of Life Care profile (fingertips.phe.org.uk/profile/end-of-life).
END_OF_LIFE_PROFILE = "end-of-life"
_EOL = {"area_type_ids": (COUNTIES_UAS,), "placeholder": True, "profile_key": END_OF_LIFE_PROFILE}

INDICATORS: tuple[FingertipsIndicator, ...] = (
    FingertipsIndicator(
        40501, "Under 75 mortality rate from cancer", "DSR", "per 100,000", "Low is good", MORTALITY,
        THREE_YEAR_POOLED, age="<75 yrs", name_pattern=r"under 75 mortality rate from (?:all )?cancer",
        note="Directly standardised rate (ESP2013), deaths under 75 pooled over 3 calendar years."),
    FingertipsIndicator(
        22001, "Cancer screening coverage: breast cancer", "proportion", "%", "High is good", SCREENING,
        CALENDAR_YEAR, sex="Female", age="53-70 yrs", name_pattern=r"screening coverage.*breast",
        note="Eligible women screened adequately within the last 3 years, at 31 December."),
    FingertipsIndicator(
        93560, "Cancer screening coverage: cervical cancer (aged 25 to 49 years old)", "proportion", "%",
        "High is good", SCREENING, CALENDAR_YEAR, sex="Female", age="25-49 yrs",
        name_pattern=r"screening coverage.*cervical.*25 to 49"),
    FingertipsIndicator(
        93561, "Cancer screening coverage: cervical cancer (aged 50 to 64 years old)", "proportion", "%",
        "High is good", SCREENING, CALENDAR_YEAR, sex="Female", age="50-64 yrs",
        name_pattern=r"screening coverage.*cervical.*50 to 64"),
    FingertipsIndicator(
        91720, "Cancer screening coverage: bowel cancer", "proportion", "%", "High is good", SCREENING,
        CALENDAR_YEAR, age="60-74 yrs", name_pattern=r"screening coverage.*bowel"),
    FingertipsIndicator(
        276, "Cancer: QOF prevalence (all ages)", "proportion", "%", "No judgement", PREVALENCE,
        FINANCIAL_YEAR, name_pattern=r"cancer: qof prevalence",
        note="Patients on GP cancer registers as a share of registered patients (recorded prevalence)."),
    FingertipsIndicator(
        91355, "Emergency admissions with cancer", "crude rate", "per 100,000", "Low is good", HOSPITAL,
        FINANCIAL_YEAR, area_type_ids=(COUNTIES_UAS,), name_pattern=r"emergency admissions? (?:with|for) cancer",
        note="Catalogued as a crude rate per 100,000 population (all ages); see the module docstring."),
    FingertipsIndicator(
        900001, "Cancer survival: one-year net survival (all cancers)", "proportion", "%", "High is good",
        MORTALITY, CALENDAR_YEAR, age="15-99 yrs", area_type_ids=(COUNTIES_UAS,), placeholder=True,
        name_pattern=r"one[- ]year (?:net )?survival",
        note="PLACEHOLDER id: resolve the real id from profile metadata at run time."),
    FingertipsIndicator(
        900002, "Cancers diagnosed at stage 1 and 2", "proportion", "%", "High is good", SCREENING,
        CALENDAR_YEAR, area_type_ids=(COUNTIES_UAS,), placeholder=True,
        name_pattern=r"stages? 1 (?:and|&) 2|early stage",
        note="PLACEHOLDER id: resolve the real id from profile metadata at run time. Share of staged cancers."),
    # OHID Palliative and End of Life Care profile: ids are resolved at run time from that profile's metadata.
    FingertipsIndicator(
        900101, "Deaths in usual place of residence (DiUPR)", "proportion", "%", "High is good", END_OF_LIFE,
        CALENDAR_YEAR, name_pattern=r"^(?!.*(?:dementia|cancer|65))(?=.*usual place of residence)", **_EOL,
        note="PLACEHOLDER id. Share of deaths (all causes) at the person's usual residence: home or care home."),
    FingertipsIndicator(
        900102, "Percentage of deaths that occur in hospital", "proportion", "%", "No judgement", END_OF_LIFE,
        CALENDAR_YEAR, name_pattern=r"^(?!.*(?:dementia|cancer|65|hospice))(?=.*deaths?)(?=.*\bin hospital\b)",
        **_EOL, note="PLACEHOLDER id. Share of deaths (all causes) that occurred in hospital."),
    FingertipsIndicator(
        900103, "Percentage of cancer deaths that occur in hospital", "proportion", "%", "No judgement",
        END_OF_LIFE, CALENDAR_YEAR, name_pattern=r"^(?!.*hospice)(?=.*cancer)(?=.*\bhospital\b)", **_EOL,
        note="PLACEHOLDER id. Place of death by cause: cancer deaths in hospital."),
    FingertipsIndicator(
        900104, "Percentage of cancer deaths that occur at home", "proportion", "%", "No judgement",
        END_OF_LIFE, CALENDAR_YEAR, name_pattern=r"(?=.*cancer)(?=.*(?<!care )\bhome\b)", **_EOL,
        note="PLACEHOLDER id. Place of death by cause: cancer deaths at home (not care homes)."),
    FingertipsIndicator(
        900105, "Percentage of cancer deaths that occur in a hospice", "proportion", "%", "No judgement",
        END_OF_LIFE, CALENDAR_YEAR, name_pattern=r"(?=.*cancer)(?=.*hospice)", **_EOL,
        note="PLACEHOLDER id. Place of death by cause: cancer deaths in a hospice."),
)

#: Stand-in ids that do not exist in Fingertips; a live fetch must resolve them by name first.
PLACEHOLDER_IDS: frozenset[int] = frozenset(i.indicator_id for i in INDICATORS if i.placeholder)

BY_ID: dict[int, FingertipsIndicator] = {i.indicator_id: i for i in INDICATORS}
BY_CANONICAL_ID: dict[str, FingertipsIndicator] = {i.canonical_id: i for i in INDICATORS}
THEMES: dict[str, str] = {i.canonical_id: i.theme for i in INDICATORS}


def indicator(indicator_id: int | str) -> FingertipsIndicator:
    """Return the catalogued indicator for a Fingertips id (``40501``, ``"40501"`` or ``"fingertips_40501"``)."""
    key = str(indicator_id).removeprefix("fingertips_")
    try:
        return BY_ID[int(key)]
    except (KeyError, ValueError):
        known = ", ".join(str(i) for i in BY_ID)
        raise KeyError(f"Fingertips indicator {indicator_id!r} is not catalogued; known ids: {known}.") from None


def match_name(name: str | None) -> FingertipsIndicator | None:
    """Return the catalogued indicator whose ``name_pattern`` matches a published indicator name, if one does.

    Used for ids resolved at run time (placeholders), whose published id is not in the catalogue.
    """
    if not isinstance(name, str):
        return None
    return next((i for i in INDICATORS if i.name_pattern and re.search(i.name_pattern, name, re.IGNORECASE)), None)
