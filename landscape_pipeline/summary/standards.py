"""Publishers' standards and goals a value can be held against (screening coverage, for now).

Each entry names the standard, its thresholds and where they are published. Figures were checked
against the publishers' pages cited in ``url`` (checked December 2025):

* NHS Breast Screening Programme standard S01, coverage of women aged 53 to 70 (data from 1 April
  2017): acceptable >= 70.0%, achievable >= 80.0%.
* NHS Cervical Screening Programme standards CSP-S01 (aged 25 to 49) and CSP-S02 (aged 50 to 64),
  data from 1 April 2020: acceptable >= 80.0%; no achievable level is set.
* NHS Bowel Cancer Screening Programme standard BCSP-S01, FOBt coverage aged 60 to 74 (reporting
  from 1 April 2025): acceptable >= 62.0%, achievable >= 76.0%. Before April 2025 coverage had no
  threshold ("to be set"); the often quoted 52% / 60% are the *uptake* standard (BCSP-S02), which
  does not apply to coverage (Fingertips 91720) and is therefore not used here.

Scottish screening uptake is not held against a standard here: none has been checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from landscape_pipeline.summary.formatting import is_number


@dataclass(frozen=True)
class Standard:
    """A publisher's standard: an acceptable (minimum) and optionally an achievable level, higher is better."""

    name: str
    acceptable: float
    achievable: float | None
    applies: str
    url: str


@dataclass(frozen=True)
class Assessment:
    """A value held against a standard: a short status, a sentence and a CSS class."""

    status: str
    sentence: str
    css: str
    missed: int  # 2 below acceptable, 1 below achievable, 0 meets every level


_BREAST = "https://www.gov.uk/government/publications/breast-screening-consolidated-programme-standards"
_CERVICAL = "https://www.gov.uk/government/publications/cervical-screening-programme-standards"
_BOWEL = "https://www.gov.uk/government/publications/bowel-cancer-screening-programme-standards"

STANDARDS: dict[str, Standard] = {
    "fingertips_22001": Standard("NHS Breast Screening Programme standard S01 (coverage, women aged 53 to 70)",
                                 70.0, 80.0, "data collected from 1 April 2017", _BREAST),
    "fingertips_93560": Standard("NHS Cervical Screening Programme standard CSP-S01 (coverage, aged 25 to 49)",
                                 80.0, None, "data collected from 1 April 2020", _CERVICAL),
    "fingertips_93561": Standard("NHS Cervical Screening Programme standard CSP-S02 (coverage, aged 50 to 64)",
                                 80.0, None, "data collected from 1 April 2020", _CERVICAL),
    "fingertips_91720": Standard("NHS Bowel Cancer Screening Programme standard BCSP-S01 (coverage, aged 60 to 74)",
                                 62.0, 76.0, "reporting from 1 April 2025", _BOWEL),
}


def standard_for(indicator_id: str) -> Standard | None:
    """Return the standard that applies to ``indicator_id``, if any."""
    return STANDARDS.get(indicator_id)


def _pct(x: float) -> str:
    return f"{x:g}%"


def assess(indicator_id: str, value: float | None) -> Assessment | None:
    """Return how ``value`` stands against the indicator's standard (None without a standard or a value)."""
    standard = STANDARDS.get(indicator_id)
    if standard is None or not is_number(value):
        return None
    levels = f"acceptable {_pct(standard.acceptable)}" + (
        f", achievable {_pct(standard.achievable)}" if standard.achievable is not None else "")
    if value < standard.acceptable:
        return Assessment("Below acceptable", f"Below the national standard ({levels}).", "std-below", 2)
    if standard.achievable is not None and value < standard.achievable:
        return Assessment("Acceptable, not achievable",
                          f"Meets the national standard's acceptable level, not its achievable level ({levels}).",
                          "std-between", 1)
    return Assessment("Meets standard", f"Meets the national standard ({levels}).", "std-meets", 0)
