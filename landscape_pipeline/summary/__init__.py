"""The landscape summary: readable, printable, self-contained pages per local authority, plus overviews.

``build_pages`` turns the harmonised indicator table into page models (similar areas, spreads and
change since baseline are computed once per build); ``render_html`` / ``render_board`` /
``render_markdown`` / ``render_overview`` / ``render_index`` render them with the Jinja2 templates in
``templates/``; ``write_summaries`` writes every page, its downloads, the overviews and the index.
Charts are inline SVG drawn from :mod:`.charts` geometry, so pages load nothing from the network.
"""

from landscape_pipeline.summary.model import Finding, IndexEntry, IndicatorRow, SummaryPage, ThemeSection
from landscape_pipeline.summary.page import BuildContext, PageBuilder, build_pages
from landscape_pipeline.summary.render import (
    render_board,
    render_html,
    render_index,
    render_markdown,
    render_overview,
)
from landscape_pipeline.summary.write import page_frame, write_summaries

__all__ = [
    "BuildContext",
    "Finding",
    "IndexEntry",
    "IndicatorRow",
    "PageBuilder",
    "SummaryPage",
    "ThemeSection",
    "build_pages",
    "page_frame",
    "render_board",
    "render_html",
    "render_index",
    "render_markdown",
    "render_overview",
    "write_summaries",
]
