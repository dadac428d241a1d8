"""Indicator dictionary of the HES admissions indicators (ids from :func:`.indicators.indicator_id`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.hes import indicators as ind

ADMISSIONS = ("first finished episodes of {method} admissions of residents whose primary diagnosis is {site}, "
              "in the financial year")
POPULATION = "Mid-year resident population (ONS) of the financial year's first calendar year"
CADENCE = "Annual (financial year)"


def dictionary() -> list[IndicatorInfo]:
    """Return the count, crude rate and DSR of elective and emergency admissions per site, and the emergency share."""
    out = []
    for site in ind.PUBLISHED_SITES:
        for method in ("elective", "emergency"):
            counted = ADMISSIONS.format(method=method, site=site.name)
            entries = (
                ("count", f"Number of {counted}.", counted.capitalize(), "Not applicable (a count)", "count",
                 "admissions", None, "Not applicable (a count; Poisson limits apply when compared)", 0),
                ("crude", f"Crude rate of {counted}, per 100,000 residents.", counted.capitalize(), POPULATION,
                 "crude rate", "per 100,000", 100_000, "Computed here: exact Poisson below 10, Byar's from 10", 1),
                ("dsr", f"Directly age-standardised rate (2013 European Standard Population) of {counted}, "
                 "per 100,000.", counted.capitalize(), POPULATION + ", by ESP2013 age band", "DSR", "per 100,000",
                 100_000, "Computed here: Dobson with Byar's limits; no DSR below 10 admissions", 1),
            )
            for statistic, definition, numerator, denominator, value_type, unit, multiplier, ci, decimals in entries:
                out.append(IndicatorInfo(
                    ind.indicator_id(site.site_id, method, statistic), ind.indicator_name(site, method, statistic),
                    definition, numerator, denominator, value_type, unit, multiplier, ci,
                    ind.polarity(method, statistic), CADENCE, decimals,
                    notes="Counts are rounded to 5 and 1-7 suppressed (HES disclosure control) after the rates "
                          "are computed from unrounded counts."))
        out.append(IndicatorInfo(
            ind.indicator_id(site.site_id, "emergency", "share"), ind.indicator_name(site, "emergency", "share"),
            f"Emergency admissions as a percentage of all admissions for {site.name} (first finished episodes).",
            ADMISSIONS.format(method="emergency", site=site.name).capitalize(),
            ADMISSIONS.format(method="all", site=site.name).capitalize(), "proportion", "%", 100,
            "Computed here: Wilson score", ind.polarity("emergency", "share"), CADENCE, 1))
    return out
