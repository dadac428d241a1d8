"""English Indices of Deprivation 2019 (MHCLG): local-authority summaries on current LA codes (``imd``)."""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.imd.dictionary import dictionary
from landscape_pipeline.sources.imd.loader import STATISTICS_PAGE, fetch_live
from landscape_pipeline.sources.imd.parser import COLUMN_LABELS, INDICATORS, parse
from landscape_pipeline.sources.imd.suite import extra_expectations

SOURCE = SourceSpec(
    source_id="imd",
    title="English Indices of Deprivation 2019: local authority summaries",
    publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
    homepage=STATISTICS_PAGE,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv", "*.xlsx"),
    depends_on=("ons_population",),  # real population weights for areas combined since 2019
    disclosure_rule="none",  # area summaries of a published index; no counts of people
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes={indicator_id: "Population and deprivation" for indicator_id in INDICATORS},
    default_theme="Population and deprivation",
    caveat="2019 districts merged since are population-weighted into their successors (ONS estimates, else the "
           "IoD2019 denominators); ranks recomputed among current LAs.",
    dictionary=dictionary,
)

__all__ = ["SOURCE"]
