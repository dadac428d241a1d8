"""Indicator dictionary of the Public Health Scotland cancer mortality and incidence measures."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.phs import incidence, mortality

POP = "Mid-year resident population (NRS)"
ESP = "2013 European Standard Population"
BYARS = "Computed here: exact Poisson below 10, Byar's from 10, on the published count"
DOBSON = "Computed here: Dobson with Byar's limits from the published age bands (none below 10); else scaled Byar's"
PUBLISHED = "Publisher's: PHS 95% limits"

#: id -> (definition, numerator, denominator, multiplier, CI method, cadence, decimals, change test)
_DETAILS = {
    mortality.EASR.indicator_id: (f"European age-standardised rate ({ESP}) of deaths from cancer, per 100,000.",
                                  "Deaths from cancer (all ages), by cancer site", POP + ", by age band", 100_000,
                                  DOBSON, "Annual (calendar year)", 1, "auto"),
    mortality.UNDER75.indicator_id: (f"European age-standardised rate ({ESP}) of deaths from cancer under 75, "
                                     "per 100,000.", "Deaths from cancer at ages under 75", POP + ", ages 0-74",
                                     100_000, DOBSON, "Annual (calendar year)", 1, "auto"),
    mortality.CRUDE.indicator_id: ("Deaths from cancer per 100,000 population (all ages).", "Deaths from cancer",
                                   POP, 100_000, BYARS, "Annual (calendar year)", 1, "auto"),
    mortality.DEATHS.indicator_id: ("Number of deaths from cancer registered in the year (all ages).",
                                    "Deaths from cancer", "Not applicable (a count)", None,
                                    "Not applicable (a count; Poisson limits apply when compared)",
                                    "Annual (calendar year)", 0, "auto"),
    incidence.EASR.indicator_id: (f"European age-standardised rate ({ESP}) of new cancer registrations, per 100,000, "
                                  "attributed from NHS board to council area.", "New cancer registrations",
                                  POP + ", by age band", 100_000, PUBLISHED, "Annual (5-year combined periods)", 1,
                                  "auto"),
    incidence.CRUDE.indicator_id: ("New cancer registrations per 100,000 population (all ages), attributed from NHS "
                                   "board to council area.", "New cancer registrations", POP, 100_000, PUBLISHED,
                                   "Annual (5-year combined periods)", 1, "auto"),
    incidence.COUNT.indicator_id: ("Number of new cancer registrations (all ages).", "New cancer registrations",
                                   "Not applicable (a count)", None,
                                   "Not applicable (a count; Poisson limits apply when compared)",
                                   "Annual (5-year combined periods)", 0, "auto"),
}


def dictionary() -> list[IndicatorInfo]:
    """Return one entry per PHS measure."""
    out = []
    for item in (*mortality.INDICATORS, *incidence.INDICATORS):
        definition, numerator, denominator, multiplier, ci, cadence, decimals, test = _DETAILS[item.indicator_id]
        out.append(IndicatorInfo(item.indicator_id, item.name, definition, numerator, denominator, item.value_type,
                                 item.unit, multiplier, ci, item.polarity, cadence, decimals, change_test=test))
    return out
