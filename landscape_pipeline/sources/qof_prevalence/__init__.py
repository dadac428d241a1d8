"""QOF cancer register prevalence (``qof_prevalence``), apportioned from GP practices to local authorities.

The method is described in :mod:`.parser`; the apportionment itself is in :mod:`.apportion`.
"""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.qof_prevalence.dictionary import dictionary
from landscape_pipeline.sources.qof_prevalence.loader import PUBLICATION_PAGE, fetch_live
from landscape_pipeline.sources.qof_prevalence.parser import COLUMN_LABELS, INDICATOR_ID, parse
from landscape_pipeline.sources.qof_prevalence.suite import extra_expectations

SOURCE = SourceSpec(
    source_id="qof_prevalence",
    title="Cancer: QOF prevalence (all ages), apportioned from GP practices to local authorities",
    publisher="NHS England (QOF via OHID Fingertips; patients registered at a GP practice via NHS Digital)",
    homepage=PUBLICATION_PAGE,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv", "*.csv.gz"),
    # Practice-level QOF registers are published openly; LA sums of fractional shares disclose nothing new.
    disclosure_rule="none",
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes={INDICATOR_ID: "Prevalence and incidence"},
    default_theme="Prevalence and incidence",
    caveat="Apportioned from GP practices by their registered patients' LSOA of residence.",
    dictionary=dictionary,
)

__all__ = ["SOURCE"]
