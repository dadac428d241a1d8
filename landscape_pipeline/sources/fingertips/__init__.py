"""OHID Fingertips: cancer indicators for English local authorities (source id ``fingertips``).

``SOURCE`` registers the source; :func:`read_fingertips_csv` reads one ``all_data`` CSV export.
"""

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.fingertips import indicators
from landscape_pipeline.sources.fingertips.loader import fetch_live
from landscape_pipeline.sources.fingertips.parser import COLUMN_LABELS, parse_files, read_fingertips_csv
from landscape_pipeline.sources.fingertips.suite import extra_expectations

SOURCE = SourceSpec(
    source_id="fingertips",
    title="Fingertips public health profiles: cancer indicators for English local authorities",
    publisher="Office for Health Improvement and Disparities (OHID)",
    homepage="https://fingertips.phe.org.uk",
    parse=parse_files,
    fetch_live=fetch_live,
    bundled_patterns=("fingertips_*.csv",),
    disclosure_rule="none",  # Fingertips values are already disclosure-controlled by the publisher
    column_labels=COLUMN_LABELS,
    extra_expectations=extra_expectations,
    themes=indicators.THEMES,
    default_theme="Local data",
    caveat=("Survival, stage-at-diagnosis and end-of-life ids are placeholders in the bundled sample; "
            "resolved by name when live."),
)

__all__ = ["SOURCE", "read_fingertips_csv"]
