"""Indicator dictionary of CQC care supply per local authority (see :mod:`.parser`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.cqc.parser import BEDS_ID, GROUPS

CADENCE = "Monthly snapshot (HSCA Active Locations)"
COUNT_CI = "None: a count of all registered locations, not a sample estimate"
WILSON = "Computed here: Wilson score interval"
PLACED = "Active, non-dormant locations placed in the area by ONS LA code or postcode"
_KINDS = {  # group -> what is counted
    "care_homes": "care homes (with or without nursing)",
    "home_care": "domiciliary care agencies that are not care homes",
    "hospices": "locations providing hospice services or hospice services at home",
    "gp_practices": "locations whose primary inspection category is GP Practices",
}


def dictionary() -> list[IndicatorInfo]:
    """Return counts by latest rating, the share rated Good or Outstanding, and care home beds."""
    out = []
    for group, (_flag, plural) in GROUPS.items():
        out.append(IndicatorInfo(
            f"cqc_{group}", f"{plural} registered with CQC (active locations)",
            f"Number of active CQC-registered {_KINDS[group]} in the area, in total and by latest overall rating "
            "(category).", PLACED, "Not applicable (a count)", "count", "locations", None, COUNT_CI, "Not applicable",
            CADENCE, 0, publisher_id="CQC HSCA Active Locations", change_test="none",
            notes="Counties sum their districts; a location's rating is its latest published one."))
        out.append(IndicatorInfo(
            f"cqc_{group}_good_outstanding",
            f"{plural}: rated Good or Outstanding (% of rated active locations)",
            f"Percentage of the area's rated active {_KINDS[group]} whose latest overall rating is Good or "
            "Outstanding.", "Rated Good or Outstanding", "Active locations with an overall rating", "proportion", "%",
            100, WILSON, "High is good", CADENCE, 1, publisher_id="CQC HSCA Active Locations",
            notes="Locations not yet rated are left out of the denominator."))
    out.append(IndicatorInfo(
        BEDS_ID, "Care home beds (active CQC-registered care homes)",
        "Number of registered beds in the area's active CQC-registered care homes.",
        "Care homes beds of active care homes placed in the area", "Not applicable (a count)", "count", "beds", None,
        COUNT_CI, "Not applicable", CADENCE, 0, publisher_id="CQC HSCA Active Locations: Care homes beds",
        change_test="none"))
    return out
