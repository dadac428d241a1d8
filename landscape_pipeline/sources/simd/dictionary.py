"""Indicator dictionary of the SIMD 2020v2 summaries (ids from :func:`.summarise.indicator_id`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.simd.summarise import DOMAIN_TITLES, MEASURES, indicator_id

NO_CI = "None: a summary of a published index, not a sample estimate"
CADENCE = "Irregular (SIMD 2016, 2020, 2020v2)"

#: measure -> (definition, numerator, denominator, multiplier, decimals)
_DETAILS = {
    "pop_weighted_rank": ("Population-weighted average rank of the area's data zones (1 = most deprived of 6,976).",
                          "Sum of data-zone rank x population", "Population of the area's data zones", None, 0),
    "dz_most_deprived_20pct": ("Percentage of the area's data zones among Scotland's 20% most deprived.",
                               "Data zones ranked 1-1,395", "All data zones in the area", 100, 1),
    "pop_most_deprived_20pct": ("Percentage of the area's population living in Scotland's 20% most deprived data "
                                "zones.", "Population of data zones ranked 1-1,395", "Population of the area", 100,
                                1),
}


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per domain and summary measure."""
    out = []
    for domain, title in DOMAIN_TITLES.items():
        for measure, (label, value_type, unit, polarity) in MEASURES.items():
            definition, numerator, denominator, multiplier, decimals = _DETAILS[measure]
            out.append(IndicatorInfo(
                indicator_id(domain, measure), f"{title}: {label}", f"{title}. {definition}", numerator, denominator,
                value_type, unit, multiplier, NO_CI, polarity, CADENCE, decimals, change_test="none",
                notes="Summarised from 2011 data zones with the populations published with SIMD 2020v2."))
    return out
