"""Write every page of a build: full page, board summary, Markdown twin, data downloads, overviews and index.

Whole-table work (similar areas, spreads, change since each site's baseline) is done once; each
page's rows are built once and reused by its county's or district's page and by the overviews.
A page's downloads (``<CODE>.csv``, ``<CODE>.xlsx``) hold exactly the rows the page shows, pass the
disclosure check of :func:`landscape_pipeline.export_guard.check_publishable` first, and are
written through :mod:`landscape_pipeline.exports` (formula-like text neutralised).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from landscape_pipeline.export_guard import check_publishable
from landscape_pipeline.exports import csv_rows, xlsx_rows
from landscape_pipeline.ingest_ahead import cores
from landscape_pipeline.sites import SiteRegister
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import write_bytes_atomic
from landscape_pipeline.summary import sitecontext
from landscape_pipeline.summary.model import SummaryPage
from landscape_pipeline.summary.neighbours import build_neighbours
from landscape_pipeline.summary.overview import build_rug, overview_groups
from landscape_pipeline.summary.page import BuildContext, PageBuilder
from landscape_pipeline.summary.render import (
    environment,
    render_board,
    render_html,
    render_index,
    render_markdown,
    render_overview,
)

COLUMNS = ["area_code", "area_name", "theme", "indicator_id", "indicator", "source_id", "period", "value",
           "lower_ci_95", "upper_ci_95", "count", "unit", "value_type", "polarity", "suppressed", "synthetic",
           "modelled", "nation", "nation_value", "compared_with_nation", "region", "region_value",
           "compared_with_region", "similar_areas_value", "compared_with_similar_areas", "national_standard",
           "recent_trend", "since_baseline", "since_baseline_assessment", "set_aside"]
MAX_WORKERS = 2  # render processes; each holds a few pages, not the table
#: The main process keeps building pages while workers render: it needs a core of its own. On 2 cores one
#: worker rendered all 382 pages in 18.6 s against 20.9 s in-process and 25.9 s with two workers.
MIN_PAGES_FOR_WORKERS = 16  # below this, starting workers costs more than it saves
T = TypeVar("T")
DOWNLOAD_NOTES = (
    "One row per indicator on the page: the latest period, the value with its 95% interval and count, and the "
    "comparisons with the nation, the region (or NHS board) and similar areas, as the page shows them.",
    "Suppressed values are blank; 'set_aside' says why a row is below the page's tables.",
)


def page_records(page: SummaryPage) -> list[tuple[object, ...]]:
    """Return the page's rows as plain tuples in :data:`COLUMNS` order (numbers as numbers; suppressed blank)."""
    code, name, nation, region = page.area_code, page.area_name, page.comparator_name, page.region_label
    return [(code, name, row.theme, row.indicator_id, row.name, row.source_id, row.period, row.value, row.lower_ci,
             row.upper_ci, row.count, row.unit, row.value_type, row.polarity, row.suppressed, row.synthetic,
             row.modelled, nation, row.comparator_value, row.comparison, region, row.region_value,
             row.region.comparison if row.region else None, row.similar_value,
             row.similar.comparison if row.similar else None, row.standard.status if row.standard else None,
             row.trend or None, row.since.change_text if row.since else None,
             row.since.assessment if row.since else None, row.hidden_reason or None)
            for row in page.all_rows]


def page_frame(page: SummaryPage) -> pd.DataFrame:
    """Return the page's rows as a table of plain Python objects (see :func:`page_records`)."""
    return records_frame(page_records(page))


def records_frame(records: list[tuple[object, ...]]) -> pd.DataFrame:
    """Return page records as an object table with :data:`COLUMNS` (no Arrow strings: it is only checked)."""
    return pd.DataFrame.from_records(records, columns=COLUMNS).astype(object)


def downloads(page: SummaryPage, records: list[tuple[object, ...]]) -> dict[str, bytes]:
    """Return the page's CSV and Excel downloads {file name: bytes} (check them first with
    :func:`~landscape_pipeline.export_guard.check_publishable`)."""
    metadata = {"area_code": page.area_code, "area_name": page.area_name, "built_at": page.built_at.isoformat(),
                "synthetic": page.synthetic, "similar_areas": ", ".join(page.similar_names)}
    return {f"{page.area_code}.csv": csv_rows(COLUMNS, records).encode("utf-8"),
            f"{page.area_code}.xlsx": xlsx_rows(COLUMNS, records, metadata, DOWNLOAD_NOTES)}


def build_context(indicators: pd.DataFrame, *, built_at: datetime, root: Path | None = None,
                  sites: SiteRegister | None = None, downloads: bool = False,
                  extra_codes: Sequence[str] = ()) -> BuildContext:
    """Return the build-wide context: similar areas, programme sites, change since their baselines, evidence."""
    since, since_label = sitecontext.since_baseline(root, sites)
    return BuildContext(neighbours=build_neighbours(indicators), site_of=sitecontext.site_of(sites), since=since,
                        since_label=since_label, evidence=sitecontext.evidence_lookup(built_at.date()),
                        downloads=downloads, extra_codes=list(extra_codes))


@dataclass(frozen=True)
class SummaryPlan:
    """A build's pages, digested from the indicator table and ready to write (the table is no longer needed)."""

    builder: PageBuilder
    codes: list[str]
    built_at: datetime
    areas_of_sites: dict
    groups: list


def plan_summaries(indicators: pd.DataFrame, area_codes: Sequence[str], *, built_at: datetime,
                   sources: Mapping[str, SourceSpec], root: Path | None = None,
                   sites: SiteRegister | None = None) -> SummaryPlan:
    """Digest the table for the pages of ``area_codes`` (similar areas, spreads, change since baseline) once.

    A caller that lets go of the table afterwards writes the pages without holding it (~235 MB in a build).
    """
    codes = list(area_codes)
    areas_of_sites = sitecontext.site_areas(sites)
    groups = [g for g in overview_groups(areas_of_sites) if set(g.codes) & set(codes)]
    context = build_context(indicators, built_at=built_at, root=root, sites=sites, downloads=True,
                            extra_codes=[c for g in groups for c in g.codes])
    builder = PageBuilder(indicators, codes, built_at=built_at, sources=sources, context=context)
    return SummaryPlan(builder, codes, built_at, areas_of_sites, groups)


def write_summaries(indicators: pd.DataFrame, area_codes: Sequence[str], out_dir: Path, *, built_at: datetime,
                    sources: Mapping[str, SourceSpec], root: Path | None = None,
                    sites: SiteRegister | None = None) -> list[Path]:
    """Write every area's pages and downloads, the overviews that include them, and ``index.html``."""
    return write_planned(plan_summaries(indicators, area_codes, built_at=built_at, sources=sources, root=root,
                                        sites=sites), out_dir)


def write_planned(plan: SummaryPlan, out_dir: Path) -> list[Path]:
    """Write the planned pages and downloads, the overviews that include them, and ``index.html``."""
    out_dir = Path(out_dir)
    builder, codes, built_at, areas_of_sites, groups = (plan.builder, plan.codes, plan.built_at, plan.areas_of_sites,
                                                         plan.groups)
    # workers start once the table is digested: their memory is not added to the digest's peak
    with _Writer(out_dir) as writer, _render_pool(len(codes)) as pool:
        pages, records, rendered = [], [], []
        for page in builder.pages():  # each page renders in a worker while the next ones are built
            pages.append(page)
            records.append(page_records(page))
            rendered.append(pool.submit(page_files, page, records[-1]))
        if pages:  # once, before anything is written
            check_publishable(records_frame([r for rs in records for r in rs]))
        files = _render_tail(rendered, pages, records)
        for future in rendered:
            for name, body in files.pop(id(future), None) or future.result():
                writer.put(name, body)
        synthetic = bool(builder.prepared.synthetic_areas)
        built = set(codes)
        for group in groups:  # an overview shows the areas whose pages exist (this build's or an earlier one's)
            shown = [c for c in group.codes if c in built or (out_dir / f"{c}.html").exists()]
            rug = build_rug(group.title, shown, {c: builder.rows(c) for c in shown})
            note = ("Each programme site's local authorities, English and Scottish side by side: each is coloured "
                    "against its own nation. Rows that measure the same thing in both nations share a line."
                    if group.kind == "sites" else "")
            writer.put(group.file_name, render_overview(rug, built_at=built_at, synthetic=synthetic, note=note))
        written_now = {g.file_name for g in groups}
        every = [g for g in overview_groups(areas_of_sites)
                 if g.file_name in written_now or (out_dir / g.file_name).exists()]
        links = [(g.title, g.file_name) for g in sorted(every, key=lambda g: g.kind != "sites")]
        writer.put("index.html", render_index([p.index_entry() for p in pages], built_at=built_at, overviews=links))
    return writer.written


def page_files(page: SummaryPage, records: list[tuple[object, ...]]) -> list[tuple[str, bytes]]:
    """Return every file of one page: full page, board summary, Markdown twin and downloads, as bytes."""
    texts = [(page.html_name, render_html(page)), (page.board_name, render_board(page)),
             (page.markdown_name, render_markdown(page))]
    return [(name, text.encode("utf-8")) for name, text in texts] + list(downloads(page, records).items())


def _render_tail(rendered: list[Future], pages: list[SummaryPage], records: list[list[tuple[object, ...]]]
                 ) -> dict[int, list[tuple[str, bytes]]]:
    """Render here, last page first, every page no worker has started: once the pages are built this process
    has a core to spare, and the worker works from the front. Returns {id(future): files} of those rendered here."""
    files = {}
    for future, page, rows in zip(reversed(rendered), reversed(pages), reversed(records), strict=True):
        if not future.cancel():  # started or done in a worker: from here on, the worker has every page
            break
        files[id(future)] = page_files(page, rows)
    return files


def load_templates() -> None:
    """Compile the page templates (a worker's first job)."""
    for name in ("page.html.j2", "board.html.j2", "page.md.j2"):
        environment().get_template(name)


class _InProcess:
    """Runs each job at once, in this process: a pool's ``submit`` for small builds."""

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args))
        return future


@contextmanager
def _render_pool(pages: int) -> Iterator[ProcessPoolExecutor | _InProcess]:
    """Yield a pool of fresh (spawned, so small) worker processes for a build of many pages, else run in-process.

    Rendering is pure, so the files do not depend on which worker renders a page; each worker holds only the
    pages it is sent, never the indicator table.
    """
    workers = min(MAX_WORKERS, cores() - 1)
    if pages < MIN_PAGES_FOR_WORKERS or workers < 1:
        yield _InProcess()
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        for _ in range(workers):
            pool.submit(load_templates)  # start every worker now: imports and template compiling overlap
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # e.g. a failed disclosure check: render no more pages
        raise
    pool.shutdown(wait=True)


class _Writer:
    """Writes files atomically on a few threads: each write waits on fsync, which releases the GIL."""

    def __init__(self, out_dir: Path, threads: int = 8):
        self.out_dir, self.threads = out_dir, threads
        self.futures: list[Future[Path]] = []

    def __enter__(self) -> _Writer:
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="summary-write")
        return self

    def put(self, name: str, body: str | bytes) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.futures.append(self.pool.submit(write_bytes_atomic, data, self.out_dir / name))

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True)
        self.written = [f.result() for f in self.futures]  # re-raises the first failed write
