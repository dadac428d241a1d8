"""The landscape summary: one readable, printable, self-contained page per local authority.

``build_pages`` turns the harmonised indicator table into page models (cross-area spreads are
computed once per build); ``render_html`` / ``render_markdown`` / ``render_index`` render them
with the Jinja2 templates in ``templates/``; ``write_summaries`` writes every page atomically.
Charts are inline SVG drawn from :mod:`.charts` geometry, so pages load nothing from the network.
"""

from landscape_pipeline.summary.model import Finding, IndexEntry, IndicatorRow, SummaryPage, ThemeSection
from landscape_pipeline.summary.page import build_pages
from landscape_pipeline.summary.render import render_html, render_index, render_markdown, write_summaries

__all__ = [
    "Finding",
    "IndexEntry",
    "IndicatorRow",
    "SummaryPage",
    "ThemeSection",
    "build_pages",
    "render_html",
    "render_index",
    "render_markdown",
    "write_summaries",
]
