"""National Cancer Patient Experience Survey (``cpes``): national and ICB results, attributed to LAs.

The question map (survey year -> question number -> stable indicator id) is in :mod:`.questions`.
"""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.cpes.dictionary import dictionary
from landscape_pipeline.sources.cpes.loader import HOMEPAGE, fetch_live
from landscape_pipeline.sources.cpes.parser import COLUMN_LABELS, parse
from landscape_pipeline.sources.cpes.questions import INDICATORS
from landscape_pipeline.sources.cpes.suite import extra_expectations

SOURCE = SourceSpec(
    source_id="cpes",
    title="National Cancer Patient Experience Survey: scored results",
    publisher="NHS England (survey run by Picker)",
    homepage=HOMEPAGE,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("cpes_*_data_tables.csv",),
    disclosure_rule="none",  # published survey scores; results from fewer than 21 respondents arrive as '*'
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes={indicator_id: "Patient experience" for indicator_id in INDICATORS},
    default_theme="Patient experience",
    caveat="Local authority values are attributed from the ICB covering most residents (CPES has no LA results).",
    dictionary=dictionary,
)

__all__ = ["SOURCE"]
