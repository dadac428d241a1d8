"""Indicators that belong together: measure families, reconciliation notes, cross-nation equivalents.

* **Families**: one published quantity in several measures (HES: age-standardised rate, crude rate
  and number; PHS: EASR, crude rate and deaths) is shown as ONE row: the standardised rate as the
  value, the number as its count and the crude rate in the row's note.
* **Related pairs**: two indicators that measure nearly the same thing from different publications
  (QOF cancer prevalence from Fingertips and from the practice register apportioned here) get a note
  that says how they differ, and says so plainly when they disagree.
* **Equivalents across nations**: an English and a Scottish indicator are put side by side only
  when they measure the same thing; where they look alike but do not, the page says so.
* **Preferred rows**: a council-area figure is preferred over a health-board figure attributed to
  the council (ScotPHO cancer registrations over PHS incidence attributed from the board).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FAMILIES: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (re.compile(r"^(hes_.+)_(dsr|crude|count)$"), {"dsr": "headline", "crude": "crude", "count": "count"}),
    (re.compile(r"^(phs_cancer_(?:incidence|mortality))_(easr|crude_rate|deaths)$"),
     {"easr": "headline", "crude_rate": "crude", "deaths": "count"}),
)

#: Sources whose values are modelled (no interval; shown with a "Modelled" badge and no spine chart).
MODELLED_SOURCES = frozenset({"gpps"})
_MODELLED_NOTE = re.compile(r"^\s*modelled\b", re.IGNORECASE)

#: Series that changed definition: (first year of the new series, what the reader is told).
SERIES_BREAKS: dict[str, tuple[int, str]] = {
    "gpps": (2024, "The GP Patient Survey changed its questionnaire and sampling in 2024: results from 2024 "
                   "start a new series and are not comparable with earlier years."),
}


def family_of(indicator_id: str) -> tuple[str, str] | None:
    """Return (family stem, role) for an indicator in a measure family, else None."""
    for pattern, roles in _FAMILIES:
        if match := pattern.match(indicator_id):
            return match.group(1), roles[match.group(2)]
    return None


def is_modelled(source_id: str, value_note: str | None) -> bool:
    """Return True when a value is modelled rather than measured."""
    return source_id in MODELLED_SOURCES or bool(value_note and _MODELLED_NOTE.match(value_note))


def series_break(source_id: str) -> tuple[int, str] | None:
    """Return the first year of a source's new series and its explanation, if the series broke."""
    return SERIES_BREAKS.get(source_id)


@dataclass(frozen=True)
class RelatedPair:
    """Two indicators that measure nearly the same thing, and why they can differ."""

    first: str
    second: str
    topic: str
    why: str


RELATED: tuple[RelatedPair, ...] = (
    RelatedPair("fingertips_276", "qof_prevalence_cancer", "QOF cancer prevalence",
                "count the same GP cancer register (diagnoses since April 2003) but for different years, and "
                "assign practices to the council differently (Fingertips' published figure; this pipeline's "
                "apportionment by where each practice's patients live)."),
)


@dataclass(frozen=True)
class Equivalent:
    """An English and a Scottish indicator that look alike: whether they measure the same thing, and how."""

    english: str
    scottish: str
    same: bool
    note: str


EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent("fingertips_deaths_in_hospital", "scotpho_dying_in_hospital", True,
               "Same measure in both nations (deaths in hospital as a percentage of all deaths); Scotland's "
               "figure pools three years."),
    Equivalent("fingertips_40501", "scotpho_early_deaths_cancer_under75", True,
               "Same measure in both nations (deaths from cancer under 75, age-standardised to the 2013 European "
               "Standard Population, per 100,000, three years pooled)."),
    Equivalent("fingertips_91720", "scotpho_bowel_screening_uptake", False,
               "Not the same measure: Scotland reports uptake (of people invited, the share who completed a "
               "test); England reports coverage (of everyone eligible, the share screened in the last 30 "
               "months). Do not compare the two."),
    Equivalent("fingertips_22001", "scotpho_breast_screening_uptake", False,
               "Not the same measure: Scotland reports uptake among women invited; England reports coverage of "
               "all eligible women in the last three years. Do not compare the two."),
    Equivalent("fingertips_deaths_usual_place_of_residence", "phs_eol_home_community_last_6_months", False,
               "Not the same measure: Scotland reports the share of the last six months of life spent at home or "
               "in a community setting; England reports the share of deaths in the person's usual place of "
               "residence. Do not compare the two."),
)
_BY_ID = {e.english: e for e in EQUIVALENTS} | {e.scottish: e for e in EQUIVALENTS}
EQUIVALENT_IDS = frozenset(_BY_ID)


def equivalent_of(indicator_id: str) -> tuple[Equivalent, str] | None:
    """Return (the equivalence, the other nation's indicator id) for an indicator that has one."""
    found = _BY_ID.get(indicator_id)
    if found is None:
        return None
    return found, found.scottish if indicator_id == found.english else found.english


#: Attributed board-level rows set aside when the council's own figure is on the page.
PREFERRED: dict[str, str] = {
    "phs_cancer_incidence_easr": "scotpho_cancer_registrations",
    "phs_cancer_incidence_crude_rate": "scotpho_cancer_registrations",
}
