"""Hospital Episode Statistics (admitted patient care): cancer admissions by LA, year, site and method."""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.hes.dictionary import dictionary
from landscape_pipeline.sources.hes.indicators import count_families
from landscape_pipeline.sources.hes.loader import fetch_live
from landscape_pipeline.sources.hes.measures import publishable
from landscape_pipeline.sources.hes.parser import aggregate_file, parse
from landscape_pipeline.sources.hes.suite import expectations

SOURCE = SourceSpec(
    source_id="hes",
    title="Hospital Episode Statistics: cancer admissions (admitted patient care)",
    publisher="NHS England",
    homepage="https://digital.nhs.uk/data-and-information/data-tools-and-services/data-services/"
             "hospital-episode-statistics",
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv", "*.csv.gz", "*.zip"),
    depends_on=("ons_population",),
    disclosure_rule="hes",
    count_families=count_families,
    column_labels={"area_code": "RESLADST_ONS", "period_label": "FYEAR", "sex": "SEX", "count": "admissions"},
    extra_expectations=expectations,
    default_theme="Hospital activity",
    caveat="Bundled figures come from a small artificial extract, so counts and rates are far below real levels; "
           "counts follow HES disclosure control (1-7 suppressed, others rounded to 5, rates from the rounded "
           "counts).",
    dictionary=dictionary,
)

__all__ = ["SOURCE", "aggregate_file", "parse", "publishable"]
