"""HES code lists: cancer site groups (ICD-10), admission-method groups, sex, age and financial year.

Every mapper takes ONE raw value and is applied to the distinct values of a column only (see
:func:`map_distinct`), so millions of episodes cost one dictionary lookup per distinct code.

Site groups are mutually exclusive so that counts add up; "all cancers" is the sum of the cancer
groups, i.e. ICD-10 C00-C97 excluding C44 (non-melanoma skin cancer), the registry convention.
Admission methods follow the HES data dictionary: elective 11-13; emergency 21-25, 28, 2A-2D.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

import numpy as np

from landscape_pipeline.stats import ESP2013

#: Exclusive ICD-10 groups of the primary diagnosis, in accumulator order.
SITE_GROUPS: tuple[str, ...] = ("lung", "breast", "bowel", "prostate", "haematological", "other_cancer",
                                "non_melanoma_skin", "non_cancer")
_SITE_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "lung": ((33, 34),), "breast": ((50, 50),), "bowel": ((18, 20),), "prostate": ((61, 61),),
    "haematological": ((81, 96),), "non_melanoma_skin": ((44, 44),),
}
ALL_CANCER_GROUPS: tuple[str, ...] = SITE_GROUPS[:6]
METHOD_GROUPS: tuple[str, ...] = ("elective", "emergency", "other")
ELECTIVE_CODES = frozenset({"11", "12", "13"})
EMERGENCY_CODES = frozenset({"21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D"})
SEX_GROUPS: tuple[str, ...] = ("Male", "Female", "Unknown")
AGE_BANDS: tuple[str, ...] = (*ESP2013.labels, "Unknown")
UNKNOWN_AGE = len(AGE_BANDS) - 1
_ICD10 = re.compile(r"^([A-Z])(\d{2})")
_FY = re.compile(r"^(?:(\d{2})?(\d{2})[/-]?(\d{2}))$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})|^(\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class PublishedSite:
    """A published cancer site: its id, plain-English name, exclusive groups and meaningful sexes."""

    site_id: str
    name: str
    groups: tuple[str, ...]
    sexes: tuple[str, ...]


PUBLISHED_SITES: tuple[PublishedSite, ...] = (
    PublishedSite("all_cancers", "all cancers (ICD-10 C00-C97 excluding C44)", ALL_CANCER_GROUPS,
                  ("Persons", "Male", "Female")),
    PublishedSite("lung", "lung cancer (C33-C34)", ("lung",), ("Persons", "Male", "Female")),
    PublishedSite("bowel", "bowel cancer (C18-C20)", ("bowel",), ("Persons", "Male", "Female")),
    PublishedSite("breast", "breast cancer (C50)", ("breast",), ("Female",)),
    PublishedSite("prostate", "prostate cancer (C61)", ("prostate",), ("Male",)),
    PublishedSite("haematological", "haematological cancers (C81-C96)", ("haematological",),
                  ("Persons", "Male", "Female")),
)


def site_group(code: object) -> int:
    """Return the SITE_GROUPS index of an ICD-10 code such as "C341", "C34", "C34.1" or "C61X"."""
    match = _ICD10.match(str(code or "").strip().upper().replace(".", ""))
    if not match or match[1] != "C" or int(match[2]) > 97:
        return SITE_GROUPS.index("non_cancer")
    number = int(match[2])
    for name, ranges in _SITE_RANGES.items():
        if any(lo <= number <= hi for lo, hi in ranges):
            return SITE_GROUPS.index(name)
    return SITE_GROUPS.index("other_cancer")


def method_group(code: object) -> int:
    """Return the METHOD_GROUPS index of an ADMIMETH code (anything unrecognised is "other")."""
    text = str(code or "").strip().upper()
    if text in ELECTIVE_CODES:
        return 0
    return 1 if text in EMERGENCY_CODES else 2


def method_group_label(label: object) -> int:
    """Return the METHOD_GROUPS index of a tabulation's ADMIMETH_GROUP (a group name or a raw code)."""
    text = str(label or "").strip().lower()
    return METHOD_GROUPS.index(text) if text in METHOD_GROUPS else method_group(text)


def sex_group(code: object) -> int:
    """Return the SEX_GROUPS index: 1/"male" Male, 2/"female" Female, anything else (0, 9, blank) Unknown."""
    text = str(code or "").strip().lower()
    if text in ("1", "m", "male", "males"):
        return 0
    return 1 if text in ("2", "f", "female", "females") else 2


def age_band(startage: object) -> int:
    """Return the AGE_BANDS index of STARTAGE: 0-120 by five-year band (90+ top), 7001-7007 (infants) -> 0-4."""
    text = str(startage or "").strip()
    try:
        age = int(float(text))
    except ValueError:
        return UNKNOWN_AGE
    if 7001 <= age <= 7007:
        return 0
    if 0 <= age <= 120:
        return min(age // 5, UNKNOWN_AGE - 1)
    return UNKNOWN_AGE


def age_band_label(label: object) -> int:
    """Return the AGE_BANDS index of a tabulation's AGE_BAND ("0-4" ... "90+", or a single age)."""
    text = str(label or "").strip()
    if text in AGE_BANDS:
        return AGE_BANDS.index(text)
    return age_band(text) if text.isdigit() else UNKNOWN_AGE


def financial_year(fyear: object) -> int:
    """Return the start year of an FYEAR ("202223", "2223", "2022/23", "2022-23"), or -1 if unusable."""
    match = _FY.match(str(fyear or "").strip())
    if not match:
        return -1
    century, first, second = match[1], int(match[2]), int(match[3])
    if (first + 1) % 100 != second:
        return -1
    return (int(century) * 100 if century else 2000) + first


def financial_year_of_date(value: object) -> int:
    """Return the financial-year start of a date "2022-06-16" or "16/06/2022"; -1 for blanks and 1800/1801 nulls."""
    match = _DATE.match(str(value or "").strip())
    if not match:
        return -1
    year, month, day = (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        return -1
    if when.year < 1900:
        return -1
    return when.year if when.month >= 4 else when.year - 1


def fy_label(start: int) -> str:
    """Return the label of a financial year from its start year: 2022 -> "2022/23"."""
    return f"{start}/{(start + 1) % 100:02d}"


def map_distinct(values: list, mapper: Callable[[object], int], cache: dict[Hashable, int]) -> np.ndarray:
    """Return mapper(value) for each distinct value (in order), memoised in ``cache`` across calls."""
    out = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        hit = cache.get(value)
        if hit is None:
            hit = cache[value] = mapper(value)
        out[i] = hit
    return out


def indicator_id(site_id: str, method: str, statistic: str) -> str:
    """Return e.g. ``hes_admissions_all_cancers_emergency_dsr`` (statistic: count, crude, dsr or share)."""
    if statistic == "share":
        return f"hes_admissions_{site_id}_emergency_share"
    return f"hes_admissions_{site_id}_{method}_{statistic}"


def indicator_name(site: PublishedSite, method: str, statistic: str) -> str:
    """Return the plain-English name of one HES indicator."""
    if statistic == "share":
        return f"Emergency admissions as a percentage of all hospital admissions for {site.name}"
    what = f"{method.capitalize()} hospital admissions for {site.name}"
    return {"count": f"{what}: number", "crude": f"{what}: crude rate",
            "dsr": f"{what}: directly standardised rate (ESP2013)"}[statistic]


def polarity(method: str, statistic: str) -> str:
    """Return the polarity: emergency rates and shares are Low is good, elective No judgement, counts N/A."""
    if statistic == "count":
        return "Not applicable"
    return "Low is good" if method == "emergency" else "No judgement"


def count_families(indicator_id: str) -> tuple[str, str | None]:
    """Return (family of the numerator, family of the denominator or None) of a HES indicator id.

    The count, crude-rate and DSR rows of one site and method share one admissions count; the
    emergency share's numerator is the emergency count and its denominator the all-admissions count
    (populations, the other denominators, are not counts of patients).
    """
    stem, _, statistic = indicator_id.rpartition("_")
    if statistic == "share":
        site = stem.removesuffix("_emergency")
        return f"{site}_emergency", f"{site}_all"
    return stem, None
