"""Indicator dictionary of the ONS mid-year population estimates."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.ons_population.parser import BY_AGE_ID, BY_AGE_NAME, TOTAL_ID, TOTAL_NAME

NO_CI = "None: ONS publishes no confidence interval for mid-year estimates"


def dictionary() -> list[IndicatorInfo]:
    """Return the total and the by-age-band population entries."""
    common = dict(numerator="Usual residents at 30 June (ONS mid-year estimate)", denominator="Not applicable",
                  value_type="count", unit="persons", multiplier=None, ci_method=NO_CI, polarity="Not applicable",
                  cadence="Annual (mid-year, 30 June)", decimals=0, change_test="none")
    return [
        IndicatorInfo(TOTAL_ID, TOTAL_NAME, "Usually resident population of the area at 30 June of the year.",
                      **common),
        IndicatorInfo(BY_AGE_ID, BY_AGE_NAME, "Usually resident population at 30 June by ESP2013 age band "
                      "(0-4, 5-9, ..., 90+); the denominators of the rates computed here.", **common),
    ]
