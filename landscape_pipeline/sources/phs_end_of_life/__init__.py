"""PHS end-of-life care: percentage of the last six months of life spent at home or in a community setting.

By council area, HSC partnership, NHS board and Scotland, financial years, from PHS open data
(:mod:`.reader` for the layout and PHS's definition, :mod:`.parser` for the canonical rows and the
pipeline's conservative limits, :mod:`.loader` for the CKAN resources, :mod:`.sample` for the bundled
synthetic files). Not the same measure as England's place-of-death indicators (see the README).
"""

from __future__ import annotations

from landscape_pipeline.sources.base import SourceSpec

from .loader import fetch_live
from .parser import COLUMN_LABELS, parse
from .suite import expectations

SOURCE = SourceSpec(
    source_id="phs_end_of_life",
    title="PHS end of life: share of the last six months of life at home or in a community setting",
    publisher="Public Health Scotland",
    homepage="https://www.opendata.nhs.scot/dataset/palliative-and-end-of-life-care",
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv",),
    disclosure_rule="none",
    column_labels=COLUMN_LABELS,
    extra_expectations=expectations,
    themes={"phs_eol_home_community_last_6_months": "End of life care",
            "phs_eol_home_community_last_12_months": "End of life care"},
    default_theme="End of life care",
    caveat="95% limits computed by the pipeline (conservative); PHS publishes none.",
)

__all__ = ["SOURCE"]
