"""CQC assessments of English councils' adult social care (``cqc_la_assessment``), from an analyst's template.

CQC publishes each council's assessment as a web report, with no bulk file, so an analyst keeps a CSV
in the documented template (:mod:`.template`); the parser validates it (:mod:`.parser`). No live loader.
"""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.cqc_la_assessment.dictionary import dictionary
from landscape_pipeline.sources.cqc_la_assessment.parser import COLUMN_LABELS, parse
from landscape_pipeline.sources.cqc_la_assessment.suite import extra_expectations
from landscape_pipeline.sources.cqc_la_assessment.template import PERCENT_ID, QUALITY_STATEMENTS, RATING_ID

THEME = "Social care and support"
HOMEPAGE = "https://www.cqc.org.uk/care-services/local-authority-assessment-reports"

SOURCE = SourceSpec(
    source_id="cqc_la_assessment",
    title="CQC assessments of councils' adult social care (Care Act): overall rating and quality statements",
    publisher="Care Quality Commission (kept by the analyst from CQC's published reports)",
    homepage=HOMEPAGE,
    parse=parse,
    fetch_live=None,
    bundled_patterns=("*.csv",),
    disclosure_rule="none",
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes=dict.fromkeys([RATING_ID, PERCENT_ID, *(qs.indicator_id for qs in QUALITY_STATEMENTS)], THEME),
    default_theme=THEME,
    dictionary=dictionary,
    caveat="Transcribed from CQC's assessment reports into the analyst's template; the date is the report's.",
)

__all__ = ["SOURCE"]
