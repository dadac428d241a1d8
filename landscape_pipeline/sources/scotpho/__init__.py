"""ScotPHO online profiles: cancer incidence, early cancer deaths, screening uptake and dying in hospital.

By council area, HSC partnership, NHS board and Scotland, with confidence limits and numerators
as ScotPHO publishes them. Council-area cancer incidence comes from here: PHS open data publish
incidence only by board. ScotPHO has no API (see :mod:`.loader`); :mod:`.parser` reads every known
download layout by column name; :mod:`.sample` builds the bundled Scotland/board/HSCP complement.
"""

from __future__ import annotations

from landscape_pipeline.sources.base import SourceSpec

from . import catalogue
from .loader import fetch_live
from .parser import COLUMN_LABELS, parse, read_scotpho_extract
from .suite import expectations

SOURCE = SourceSpec(
    source_id="scotpho",
    title="ScotPHO online profiles: cancer incidence, early deaths, screening uptake and dying in hospital",
    publisher="Scottish Public Health Observatory (ScotPHO) / Public Health Scotland",
    homepage="https://scotland.shinyapps.io/ScotPHO_profiles_tool/",
    parse=parse,
    fetch_live=fetch_live,
    bundled_patterns=("*.csv",),
    disclosure_rule="none",  # ScotPHO applies its own disclosure control before publishing
    column_labels=COLUMN_LABELS,
    extra_expectations=expectations,
    themes=catalogue.THEMES,
    default_theme="Local data",
    caveat="3-year aggregates; numerators are annual averages.",
)

__all__ = ["SOURCE", "read_scotpho_extract"]
