"""Indicator dictionary of the Fingertips indicators the pipeline fetches (see :mod:`.indicators`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.fingertips import indicators

WILSON = "Publisher's: Wilson score, 95% and 99.8%"
BYARS = "Publisher's: Byar's (exact below 10 events), 95% and 99.8%"
DOBSON = "Publisher's: Dobson with Byar's limits for the count, 95% and 99.8% (not published below 10 deaths)"
ANNUAL = "Annual"

#: canonical id -> (definition, numerator, denominator, multiplier, CI method, cadence, decimals)
_DETAILS: dict[str, tuple[str, str, str, float | None, str, str, int]] = {
    "fingertips_40501": (
        "Directly age-standardised rate (2013 European Standard Population) of deaths from all cancers "
        "(ICD-10 C00-C97) in people under 75, per 100,000 population, deaths pooled over 3 calendar years.",
        "Deaths from cancer (ICD-10 C00-C97) at ages under 75, registered in the 3 years (ONS)",
        "Mid-year resident population aged under 75, summed over the 3 years (ONS)",
        100_000, DOBSON, "Annual (3-year pooled calendar years)", 1),
    "fingertips_22001": (
        "Eligible women aged 53 to 70 screened adequately for breast cancer within the previous 3 years.",
        "Women aged 53-70 with a screening result recorded in the previous 36 months",
        "Women aged 53-70 eligible for breast screening (excluding those ceased for clinical reasons)",
        100, WILSON, ANNUAL, 1),
    "fingertips_93560": (
        "Eligible women aged 25 to 49 screened adequately for cervical cancer within the previous 3.5 years.",
        "Women aged 25-49 with an adequate cervical screening test in the previous 3.5 years",
        "Women aged 25-49 eligible for cervical screening", 100, WILSON, ANNUAL, 1),
    "fingertips_93561": (
        "Eligible women aged 50 to 64 screened adequately for cervical cancer within the previous 5.5 years.",
        "Women aged 50-64 with an adequate cervical screening test in the previous 5.5 years",
        "Women aged 50-64 eligible for cervical screening", 100, WILSON, ANNUAL, 1),
    "fingertips_91720": (
        "Eligible men and women aged 60 to 74 invited for bowel screening who had an adequate screening "
        "result within the previous 30 months.",
        "People aged 60-74 with an adequate bowel screening result in the previous 30 months",
        "People aged 60-74 eligible for bowel screening", 100, WILSON, ANNUAL, 1),
    "fingertips_276": (
        "Recorded prevalence of cancer: patients on GP practices' QOF cancer registers as a percentage of "
        "all registered patients.",
        "Patients on the QOF cancer register (diagnosed since 1 April 2003)",
        "Patients registered with the GP practices (list size)", 100, WILSON, "Annual (financial year)", 2),
    "fingertips_91355": (
        "Emergency hospital admissions with a cancer diagnosis per 100,000 population of all ages.",
        "Emergency admissions with cancer recorded (HES)", "Mid-year resident population, all ages (ONS)",
        100_000, BYARS, "Annual (financial year)", 1),
    "fingertips_one_year_net_survival": (
        "One-year net survival of adults (15-99) diagnosed with cancer (all cancers combined): survival "
        "after removing deaths from other causes.",
        "Net survival estimate from cancer registrations and life tables (not a count)",
        "Adults aged 15-99 diagnosed in the period", 100, "Publisher's: from the net survival estimator, 95%",
        ANNUAL, 1),
    "fingertips_stage_1_2_diagnosis": (
        "Cancers diagnosed at stage 1 or 2 as a percentage of all cancers with a known stage.",
        "New cancers diagnosed at stage 1 or 2 (cancer registrations)",
        "New cancers with a recorded stage", 100, WILSON, ANNUAL, 1),
    **{f"fingertips_{key}": (definition, numerator, "All deaths of residents registered in the year (ONS)"
                             if "cancer" not in key else "Deaths from cancer of residents registered in the year (ONS)",
                             100, WILSON, ANNUAL, 1) for key, definition, numerator in (
        ("deaths_usual_place_of_residence", "Deaths (all causes) at the person's usual place of residence (home or "
         "care home) as a percentage of all deaths.", "Deaths at home or in a care home"),
        ("deaths_in_hospital", "Deaths (all causes) in hospital as a percentage of all deaths.", "Deaths in hospital"),
        ("cancer_deaths_in_hospital", "Deaths with cancer as the underlying cause that occurred in hospital, as a "
         "percentage of all cancer deaths.", "Cancer deaths in hospital"),
        ("cancer_deaths_at_home", "Deaths with cancer as the underlying cause that occurred at home (not in a care "
         "home), as a percentage of all cancer deaths.", "Cancer deaths at home"),
        ("cancer_deaths_in_hospice", "Deaths with cancer as the underlying cause that occurred in a hospice, as a "
         "percentage of all cancer deaths.", "Cancer deaths in a hospice"),
    )},
}


def dictionary() -> list[IndicatorInfo]:
    """Return the dictionary entries, one per catalogued Fingertips indicator."""
    out = []
    for item in indicators.INDICATORS:
        definition, numerator, denominator, multiplier, ci_method, cadence, decimals = _DETAILS[item.canonical_id]
        publisher_id = "resolved by name at run time" if item.placeholder else str(item.indicator_id)
        out.append(IndicatorInfo(
            item.canonical_id, item.name, definition, numerator, denominator, item.value_type, item.unit,
            multiplier, ci_method, item.polarity, cadence, decimals, publisher_id=publisher_id, notes=item.note))
    return out
