"""Indicator dictionary of PHS's end-of-life measure (time spent at home or in a community setting)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.phs_end_of_life.parser import LIMITS_NOTE, indicator_id, indicator_name
from landscape_pipeline.sources.phs_end_of_life.reader import WINDOWS


def dictionary() -> list[IndicatorInfo]:
    """Return the six- and twelve-month entries."""
    return [IndicatorInfo(
        indicator_id(days), indicator_name(days),
        f"Average share of the last {label} of life that people who died spent at home or in a community setting "
        "(not in hospital).", f"Days spent at home or in the community in the last {label} of life (summed)",
        "Number of deaths (the days of the window for each)", "proportion", "%", 100,
        f"Computed here: {LIMITS_NOTE}", "High is good", "Annual (financial year)", 1,
        change_test="auto") for days, label in WINDOWS.items()]
