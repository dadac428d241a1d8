"""Adult Social Care Outcomes Framework (``ascof``): the measures relevant to people with cancer and their carers.

Both CSV layouts (the long CSV from 2024-25 and the earlier one) and Oflog's reshaped table are read
(:mod:`.reader`); measure codes are read through the framework of their year (:mod:`.measures`).
"""

from landscape_pipeline.sources.ascof.dictionary import dictionary
from landscape_pipeline.sources.ascof.loader import HOMEPAGE, fetch_live
from landscape_pipeline.sources.ascof.measures import MEASURES
from landscape_pipeline.sources.ascof.parser import COLUMN_LABELS, parse
from landscape_pipeline.sources.ascof.suite import extra_expectations
from landscape_pipeline.sources.base import SourceSpec

THEME = "Social care and support"

SOURCE = SourceSpec(
    source_id="ascof",
    title="Adult Social Care Outcomes Framework: quality of life, control, information (people and carers)",
    publisher="NHS England / DHSC (ASCOF)",
    homepage=HOMEPAGE,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv",),
    disclosure_rule="none",  # published outcome measures; the publisher's own suppression is kept as notes
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes=dict.fromkeys(MEASURES, THEME),
    default_theme=THEME,
    dictionary=dictionary,
    caveat="Council (social services) level; survey-based measures without published confidence intervals.",
)

__all__ = ["SOURCE"]
