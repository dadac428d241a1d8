"""CQC care directory with ratings (``cqc``): care homes, home care, hospices and GP practices per LA, monthly."""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.cqc.dictionary import dictionary
from landscape_pipeline.sources.cqc.loader import HOMEPAGE, fetch_live
from landscape_pipeline.sources.cqc.parser import COLUMN_LABELS, indicator_ids, parse
from landscape_pipeline.sources.cqc.suite import extra_expectations

THEME = "Social care and support"

SOURCE = SourceSpec(
    source_id="cqc",
    title="CQC care directory with ratings: active care homes, home care, hospices and GP practices",
    publisher="Care Quality Commission",
    homepage=HOMEPAGE,
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*HSCA*Active*Locations*.ods", "*HSCA*Active*Locations*.xlsx",
                      "*HSCA*Active*Locations*.csv"),
    disclosure_rule="none",  # counts of registered services, public by design
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes=dict.fromkeys(indicator_ids(), THEME),
    default_theme=THEME,
    dictionary=dictionary,
    caveat="Monthly snapshots of active registered locations, placed by postcode; ratings are each location's "
           "latest.",
)

__all__ = ["SOURCE"]
