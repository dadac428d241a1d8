"""Public Health Scotland open data: cancer mortality by council area and cancer incidence by NHS board.

Incidence is published by NHS board only, so board rates are also attributed to each council
area of the board (``geography_method="attributed"``). See :mod:`.mortality` and
:mod:`.incidence` for the formats and the confidence-limit methods, :mod:`.loader` for the CKAN
resources, and :mod:`.sample` for the bundled synthetic extracts.
"""

from __future__ import annotations

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.phs.dictionary import dictionary

from . import incidence, mortality
from .incidence import read_phs_incidence_hb_csv
from .loader import fetch_live
from .mortality import read_phs_mortality_ca_csv
from .parser import parse
from .suite import expectations

COLUMN_LABELS = {
    "area_code": "CA/HB/Country",
    "period_label": "Year",
    "sex": "Sex",
    "category": "CancerSite",
    "value": "EASR/CrudeRate/DeathsAllAges/IncidencesAllAges",
    "lower_ci_95": "EASRLower95pcConfidenceInterval/CrudeRateLower95pcConfidenceInterval",
    "upper_ci_95": "EASRUpper95pcConfidenceInterval/CrudeRateUpper95pcConfidenceInterval",
    "count": "DeathsAllAges/IncidencesAllAges",
}

SOURCE = SourceSpec(
    source_id="phs",
    title="Public Health Scotland cancer mortality (council area) and incidence (NHS board)",
    publisher="Public Health Scotland",
    homepage="https://www.opendata.nhs.scot",
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv",),
    disclosure_rule="none",
    column_labels=COLUMN_LABELS,
    extra_expectations=expectations,
    themes={i.indicator_id: i.theme for i in (*mortality.INDICATORS, *incidence.INDICATORS)},
    default_theme="Mortality and survival",
    caveat="Incidence is published by NHS board and attributed to council areas.",
    dictionary=dictionary,
)

__all__ = ["SOURCE", "read_phs_incidence_hb_csv", "read_phs_mortality_ca_csv"]
