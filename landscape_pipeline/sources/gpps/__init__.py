"""GP Patient Survey (``gpps``): practice results for cancer-relevant questions, modelled for local authorities.

Question numbers per survey year are in :mod:`.questions`; weights come from the GP registrations shared with
``qof_prevalence`` (:mod:`.weights`); the modelling is in :mod:`.parser`.
"""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.gpps.dictionary import dictionary
from landscape_pipeline.sources.gpps.loader import HOMEPAGE, fetch_live
from landscape_pipeline.sources.gpps.parser import COLUMN_LABELS, parse
from landscape_pipeline.sources.gpps.questions import QUESTIONS
from landscape_pipeline.sources.gpps.suite import extra_expectations

THEME = "Social care and support"

SOURCE = SourceSpec(
    source_id="gpps",
    title="GP Patient Survey: overall experience, phone access, support and confidence with long-term conditions",
    publisher="NHS England (survey run by Ipsos)",
    homepage=HOMEPAGE,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("GPPS_*Practice*.csv",),
    disclosure_rule="none",  # published practice percentages; the publisher's '*' stays suppressed
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes=dict.fromkeys(QUESTIONS, THEME),
    default_theme=THEME,
    dictionary=dictionary,
    caveat="Modelled: local authority figures are registration-weighted averages of GP practice results.",
)

__all__ = ["SOURCE"]
