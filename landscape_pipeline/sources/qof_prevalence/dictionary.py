"""Indicator dictionary of QOF cancer prevalence apportioned from GP practices to local authorities."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.qof_prevalence.parser import INDICATOR_ID, INDICATOR_NAME, POLARITY


def dictionary() -> list[IndicatorInfo]:
    """Return the single QOF prevalence entry."""
    return [IndicatorInfo(
        INDICATOR_ID, INDICATOR_NAME,
        "Recorded prevalence of cancer: patients on GP practices' QOF cancer registers as a percentage of registered "
        "patients, each practice's register and list shared among LAs by where its patients live (LSOA).",
        "Patients on the QOF cancer register, apportioned by the practice's patients' LSOA of residence",
        "Registered patients, apportioned the same way", "proportion", "%", 100, "Computed here: Wilson score",
        POLARITY, "Annual (financial year)", 2, publisher_id="Fingertips 276 (practice level)",
        notes="Apportioned counts are fractional; the Wilson limits use them as they are.")]
