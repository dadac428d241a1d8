"""Indicator dictionary of the ScotPHO profile indicators this source reads (see :mod:`.catalogue`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.scotpho.catalogue import INDICATORS

CADENCE = "Annual (3-year aggregates)"
PUBLISHED = "Publisher's: ScotPHO 95% limits"
POP = "Mid-year resident population (NRS), 3 years"

#: key -> (definition, numerator, denominator, multiplier)
_DETAILS: dict[str, tuple[str, str, str, float]] = {
    "cancer_registrations": ("New cancer registrations (ICD-10 C00-C96 excluding C44), European age-sex "
                             "standardised rate (ESP2013) per 100,000, 3-year aggregates.",
                             "New cancer registrations, annual average over 3 years", POP, 100_000),
    "early_deaths_cancer_under75": ("Deaths from cancer at ages under 75, age-sex standardised rate (ESP2013) per "
                                    "100,000, 3-year aggregates.", "Deaths from cancer under 75, annual average",
                                    POP + ", ages 0-74", 100_000),
    "lung_cancer_registrations": ("New lung cancer registrations, age-sex standardised rate (ESP2013) per 100,000, "
                                  "3-year aggregates.", "New lung cancer registrations, annual average", POP,
                                  100_000),
    "lung_cancer_deaths": ("Deaths from lung cancer, age-sex standardised rate (ESP2013) per 100,000, 3-year "
                           "aggregates.", "Deaths from lung cancer, annual average", POP, 100_000),
    "bowel_screening_uptake": ("People aged 50-74 invited to bowel screening who completed a test.",
                               "People aged 50-74 who completed a bowel screening test",
                               "People aged 50-74 invited to bowel screening", 100),
    "breast_screening_uptake": ("Women aged 50-70 invited to breast screening who attended.",
                                "Women aged 50-70 who attended breast screening",
                                "Women aged 50-70 invited to breast screening", 100),
    "dying_in_hospital": ("Deaths that occurred in hospital as a percentage of all deaths.",
                          "Deaths in hospital", "All deaths", 100),
}


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per catalogued ScotPHO indicator."""
    out = []
    for item in INDICATORS:
        definition, numerator, denominator, multiplier = _DETAILS[item.key]
        out.append(IndicatorInfo(
            item.indicator_id, item.name, definition, numerator, denominator, item.value_type, item.unit,
            multiplier, PUBLISHED, item.polarity, CADENCE, 1,
            publisher_id=f"ScotPHO ind_id {item.ind_id}" if item.ind_id is not None else "matched by name",
            notes=item.note))
    return out
