"""Scottish Index of Multiple Deprivation 2020v2, summarised from 2011 data zones to council areas.

The Scottish analogue of the English IMD summaries: population-weighted average rank and the share
of data zones and of population in Scotland's most deprived 20%, overall and by domain, for every
council area, NHS board and Scotland. :mod:`.reader` reads and cross-checks the data-zone files,
:mod:`.summarise` aggregates them, :mod:`.loader` fetches them live, :mod:`.sample` rebuilds the
bundled PHS-layout file from the real Scottish Government file.
"""

from __future__ import annotations

from landscape_pipeline.sources.base import SourceSpec

from .loader import fetch_live
from .parser import COLUMN_LABELS, parse
from .suite import expectations
from .summarise import all_indicator_ids

SOURCE = SourceSpec(
    source_id="simd",
    title="Scottish Index of Multiple Deprivation 2020v2, summarised to council areas",
    publisher="Scottish Government (ranks) / Public Health Scotland (open-data file)",
    homepage="https://www.gov.scot/collections/scottish-index-of-multiple-deprivation-2020/",
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv", "*.xlsx"),
    disclosure_rule="none",
    column_labels=COLUMN_LABELS,
    extra_expectations=expectations,
    themes={i: "Population and deprivation" for i in all_indicator_ids()},
    default_theme="Population and deprivation",
    caveat="Summarised from 2011 data zones; populations are those published with SIMD 2020v2.",
)

__all__ = ["SOURCE"]
