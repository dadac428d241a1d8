"""ONS mid-year population estimates: denominators by area, year, sex and ESP2013 age band."""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.ons_population.dictionary import dictionary
from landscape_pipeline.sources.ons_population.loader import DATASET_URL, fetch_live
from landscape_pipeline.sources.ons_population.parser import (
    BY_AGE_ID,
    TOTAL_ID,
    parse,
    population_by_esp_band,
)
from landscape_pipeline.sources.ons_population.suite import expectations

SOURCE = SourceSpec(
    source_id="ons_population",
    title="Mid-year population estimates (ONS)",
    publisher="Office for National Statistics",
    homepage=DATASET_URL,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.zip", "*.csv", "*.csv.gz", "*.xlsx", "*.xls"),
    column_labels={"area_code": "ladcodeNN/Code", "sex": "sex (or the MYE2 sheet)", "age": "age",
                   "value": "population_YYYY (or the age column)"},
    extra_expectations=expectations,
    default_theme="Population and deprivation",
    caveat="Counties, regions and nations are sums of their districts' estimates; districts of older geographies "
           "are summed into the authority that replaced them.",
    dictionary=dictionary,
)

__all__ = ["BY_AGE_ID", "SOURCE", "TOTAL_ID", "population_by_esp_band"]
