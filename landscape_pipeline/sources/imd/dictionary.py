"""Indicator dictionary of the English Indices of Deprivation 2019 local authority summaries."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.imd.parser import INDICATORS, PROPORTION_ID, RANK_ID, SCORE_ID, UPPER_RANK_ID

NO_CI = "None: a summary of a published index, not a sample estimate"
CADENCE = "Irregular (indices published in 2015, 2019, 2025)"

_DETAILS = {  # id -> (definition, numerator, denominator, multiplier, decimals, publisher's measure)
    SCORE_ID: ("Population-weighted average of the IMD 2019 scores of the area's LSOAs (higher = more deprived).",
               "Not applicable (an average score)", "Not applicable", None, 3, "IMD - Average score"),
    PROPORTION_ID: ("Percentage of the area's LSOAs that are among the 10% most deprived in England (IMD 2019).",
                    "LSOAs in the most deprived decile nationally", "All LSOAs in the area", 100, 1,
                    "IMD - Proportion of LSOAs in most deprived 10% nationally"),
    RANK_ID: ("Rank of the IMD 2019 average score among current lower/single-tier LAs (1 = most deprived).",
              "Not applicable (a rank)", "Not applicable", None, 0, "IMD - Rank of average score"),
    UPPER_RANK_ID: ("Rank of the IMD 2019 average score among current upper-tier LAs (1 = most deprived).",
                    "Not applicable (a rank)", "Not applicable", None, 0, "IMD - Rank of average score"),
}


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per IMD summary measure."""
    out = []
    for indicator_id, (name, value_type, unit, polarity) in INDICATORS.items():
        definition, numerator, denominator, multiplier, decimals, measure = _DETAILS[indicator_id]
        out.append(IndicatorInfo(indicator_id, name, definition, numerator, denominator, value_type, unit, multiplier,
                                 NO_CI, polarity, CADENCE, decimals, publisher_id=measure, change_test="none",
                                 notes="Districts merged since 2019 are population-weighted into their successors."))
    return out
