"""Render summary pages to self-contained HTML and Markdown with the Jinja2 templates in ``templates/``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd

from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import write_bytes_atomic
from landscape_pipeline.summary.model import IndexEntry, SummaryPage
from landscape_pipeline.summary.page import build_pages

TEMPLATES = Path(__file__).with_name("templates")
NATION_ORDER = ("England", "Scotland", "Wales", "Northern Ireland")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


def long_date(moment: datetime | None) -> str:
    """Return a date-time as '25 November 2026, 14:05 UTC' (date only at midnight)."""
    if moment is None:
        return "–"
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    text = f"{stamp.day} {stamp:%B %Y}"
    return text if (stamp.hour, stamp.minute) == (0, 0) else f"{text}, {stamp:%H:%M} UTC"


def markdown_escape(text: object) -> str:
    """Return text safe inside Markdown (table cells included): specials escaped, newlines folded."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the (cached) Jinja2 environment: HTML/SVG templates autoescaped, Markdown not."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "svg.j2"), default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["md"] = markdown_escape
    return env


def render_html(page: SummaryPage) -> str:
    """Return the page as one self-contained HTML document (inline CSS and SVG, no external resources)."""
    return environment().get_template("page.html.j2").render(page=page)


def render_markdown(page: SummaryPage) -> str:
    """Return the page as Markdown for board papers and email (tables, no charts; text sparklines)."""
    return environment().get_template("page.md.j2").render(page=page)


def render_index(pages_or_entries: Iterable[SummaryPage | IndexEntry], *, built_at: datetime | None = None) -> str:
    """Return the index page linking every area's page, grouped by nation and region, with a search box."""
    entries = [p.index_entry() if isinstance(p, SummaryPage) else p for p in pages_or_entries]
    nations: dict[str, dict[str, list[IndexEntry]]] = {}
    rank = {name: i for i, name in enumerate(NATION_ORDER)}
    for entry in sorted(entries, key=lambda e: (rank.get(e.nation_name, len(rank)), e.nation_name, e.group_name,
                                                e.area_name)):
        nations.setdefault(entry.nation_name, {}).setdefault(entry.group_name, []).append(entry)
    return environment().get_template("index.html.j2").render(
        nations=nations, total=len(entries), synthetic=any(e.synthetic for e in entries), built_at=built_at)


def write_summaries(indicators: pd.DataFrame, area_codes: Sequence[str], out_dir: Path, *, built_at: datetime,
                    sources: Mapping[str, SourceSpec]) -> list[Path]:
    """Write ``<CODE>.html`` and ``<CODE>.md`` for every area and ``index.html``; return the paths written."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    entries: list[IndexEntry] = []
    for page in build_pages(indicators, area_codes, built_at=built_at, sources=sources):
        written.append(write_bytes_atomic(render_html(page).encode("utf-8"), out_dir / page.html_name))
        written.append(write_bytes_atomic(render_markdown(page).encode("utf-8"), out_dir / page.markdown_name))
        entries.append(page.index_entry())
    written.append(write_bytes_atomic(render_index(entries, built_at=built_at).encode("utf-8"),
                                      out_dir / "index.html"))
    return written
