"""Render summary pages to self-contained HTML and Markdown with the Jinja2 templates in ``templates/``.

Pages carry no script; the overviews and the index carry one small inline script each, allowed by
its sha256 hash in the page's Content-Security-Policy (never ``'unsafe-inline'``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd

from landscape_pipeline.summary.model import IndexEntry, Rug, SummaryPage

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
    """Return the (cached) Jinja2 environment: HTML/SVG templates autoescaped, Markdown and scripts not."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "svg.j2"), default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no stat per get_template
    )
    env.filters["long_date"] = long_date
    env.filters["md"] = markdown_escape
    return env


def script_and_hash(name: str, **context: object) -> tuple[str, str]:
    """Return an inline script's text and its CSP source expression ('sha256-...')."""
    text = environment().get_template(name).render(**context).strip("\n")
    if "</" in text:
        raise ValueError(f"{name} must not contain '</' (it is inlined in a <script> element)")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"sha256-{digest}"


def render_html(page: SummaryPage) -> str:
    """Return the page as one self-contained HTML document (inline CSS and SVG, no external resources)."""
    return environment().get_template("page.html.j2").render(page=page)


def render_board(page: SummaryPage) -> str:
    """Return the one-page board summary of ``page`` (HTML that prints on one A4 page)."""
    return environment().get_template("board.html.j2").render(page=page)


def render_markdown(page: SummaryPage) -> str:
    """Return the page as Markdown for board papers and email (tables, no charts; text sparklines)."""
    return environment().get_template("page.md.j2").render(page=page)


def render_overview(rug: Rug, *, built_at: datetime | None = None, synthetic: bool = False, note: str = "") -> str:
    """Return an overview page: the rug of ``rug``, sortable by area with a hash-allowed inline script."""
    script, digest = script_and_hash("sort.js.j2")
    nations = ", ".join(dict.fromkeys(_nation_of(a.area_code) for a in rug.areas)) or "–"
    return environment().get_template("overview.html.j2").render(
        rug=rug, built_at=built_at, synthetic=synthetic, note=note, script=script, script_hash=digest,
        nations=nations)


def _nation_of(code: str) -> str:
    from landscape_pipeline import geography

    return geography.area_name(geography.national_comparator(code))


def render_index(pages_or_entries: Iterable[SummaryPage | IndexEntry], *, built_at: datetime | None = None,
                 overviews: Sequence[tuple[str, str]] = ()) -> str:
    """Return the index page linking every area's page, grouped by nation and region, with a search box."""
    entries = [p.index_entry() if isinstance(p, SummaryPage) else p for p in pages_or_entries]
    nations: dict[str, dict[str, list[IndexEntry]]] = {}
    rank = {name: i for i, name in enumerate(NATION_ORDER)}
    for entry in sorted(entries, key=lambda e: (rank.get(e.nation_name, len(rank)), e.nation_name, e.group_name,
                                                e.area_name)):
        nations.setdefault(entry.nation_name, {}).setdefault(entry.group_name, []).append(entry)
    script, digest = script_and_hash("search.js.j2", total=len(entries))
    return environment().get_template("index.html.j2").render(
        nations=nations, total=len(entries), synthetic=any(e.synthetic for e in entries), built_at=built_at,
        overviews=list(overviews), script=script, script_hash=digest)
