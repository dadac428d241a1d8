"""The ScotPHO profile indicators this source reads, and the labels ScotPHO writes for them.

Indicator numbers (``ind_id``) are ScotPHO's own, seen in its indicator-production code
(Public-Health-Scotland/scotpho-indicator-production): 20301 cancer registrations (EASR,
3-year aggregates, ESP2013), 20106 early deaths from cancer under 75, 1549 lung cancer
registrations, 1546 lung cancer deaths, 21102 bowel screening uptake, 6 dying in hospital.
Breast screening uptake has no number in that code; it is matched by name only. Files that
carry names (every download layout except the per-indicator ``_shiny.csv``) are matched on the
full name, case, spacing and punctuation ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from landscape_pipeline.tabular import synonym_table

INCIDENCE = "Prevalence and incidence"
MORTALITY = "Mortality and survival"
SCREENING = "Screening and early diagnosis"
END_OF_LIFE = "End of life care"


@dataclass(frozen=True)
class ScotphoIndicator:
    """One catalogued ScotPHO indicator: how to recognise it and what its values are."""

    key: str
    ind_id: int | None
    names: tuple[str, ...]
    value_type: str
    unit: str
    polarity: str
    theme: str
    plausible: tuple[float, float]
    sex: str = "Persons"
    age: str = "All ages"
    note: str = ""

    @property
    def indicator_id(self) -> str:
        """Return the canonical indicator id (``scotpho_<key>``)."""
        return f"scotpho_{self.key}"

    @property
    def name(self) -> str:
        """Return the name ScotPHO publishes."""
        return self.names[0]


INDICATORS: tuple[ScotphoIndicator, ...] = (
    ScotphoIndicator("cancer_registrations", 20301, ("Cancer registrations",), "DSR", "per 100,000", "Low is good",
                     INCIDENCE, (150.0, 1500.0),
                     note="New cancer registrations (ICD-10 C00-C96 excluding C44), European age-sex standardised "
                          "rate (ESP2013) per 100,000, 3-year aggregates; numerator is the annual average."),
    ScotphoIndicator("early_deaths_cancer_under75", 20106, ("Early deaths from cancer, aged <75 years",
                     "Early deaths from cancer"), "DSR", "per 100,000", "Low is good", MORTALITY, (30.0, 400.0),
                     age="<75 yrs", note="Deaths from cancer under 75, age-sex standardised rate per 100,000."),
    ScotphoIndicator("lung_cancer_registrations", 1549, ("Lung cancer registrations",), "DSR", "per 100,000",
                     "Low is good", INCIDENCE, (10.0, 400.0)),
    ScotphoIndicator("lung_cancer_deaths", 1546, ("Lung cancer deaths",), "DSR", "per 100,000", "Low is good",
                     MORTALITY, (10.0, 400.0)),
    ScotphoIndicator("bowel_screening_uptake", 21102, ("Bowel screening uptake",), "proportion", "%",
                     "High is good", SCREENING, (20.0, 100.0), age="50-74 yrs",
                     note="Share of people invited to bowel screening who completed a test."),
    ScotphoIndicator("breast_screening_uptake", None, ("Breast screening uptake",), "proportion", "%",
                     "High is good", SCREENING, (20.0, 100.0), sex="Female", age="50-70 yrs",
                     note="Share of women invited to breast screening who attended."),
    ScotphoIndicator("dying_in_hospital", 6, ("Dying in hospital",), "proportion", "%", "No judgement",
                     END_OF_LIFE, (5.0, 95.0), note="Share of deaths that occurred in hospital."),
)

BY_KEY: dict[str, ScotphoIndicator] = {i.key: i for i in INDICATORS}
BY_IND_ID: dict[int, ScotphoIndicator] = {i.ind_id: i for i in INDICATORS if i.ind_id is not None}
NAMES: dict[str, str] = synonym_table({i.key: i.names for i in INDICATORS})

#: ScotPHO's ``type_definition`` labels -> canonical value type.
TYPE_DEFINITIONS: dict[str, str] = synonym_table({
    "DSR": ("Age-sex standardised rate per 100,000", "Age-sex standardised rate per 100,000 population",
            "Age-standardised rate per 100,000", "European age-sex standardised rate per 100,000"),
    "proportion": ("Percentage", "Percent", "%"),
    "crude rate": ("Crude rate per 100,000", "Crude rate per 100,000 population"),
    "count": ("Number", "Count"),
})

#: ScotPHO area types this source keeps (by the kind of their code) and the labels it writes.
AREA_TYPES: dict[str, str] = synonym_table({
    "Scotland": ("Country",),
    "Health board": ("NHS board", "Health Board"),
    "Council area": ("Local authority", "CA"),
    "HSC partnership": ("HSCP", "Health and social care partnership", "HSC Partnership"),
})
#: Area types ScotPHO also publishes that no baseline uses; their rows are skipped and counted.
SKIPPED_AREA_TYPES = ("HSC locality", "Intermediate zone", "Alcohol & drug partnership", "Police division")
#: ScotPHO writes Scotland as S00000001; the canonical table uses the GSS code.
SCOTPHO_SCOTLAND = "S00000001"

THEMES: dict[str, str] = {i.indicator_id: i.theme for i in INDICATORS}
