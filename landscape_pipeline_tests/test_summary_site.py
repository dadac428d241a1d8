"""Summary pages for programme sites: overviews, county and district pages, board summary, downloads and
change since a frozen baseline. Builds stay small (a county, its districts, Coventry, two Scottish areas)."""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_summary_support import BUILT_AT, COVENTRY, DUNDEE, synthetic_table

from landscape_pipeline import freeze, geography
from landscape_pipeline.change import compare_with_frozen
from landscape_pipeline.harmonise import harmonise
from landscape_pipeline.sites import Site, SiteRegister
from landscape_pipeline.sources.registry import all_sources
from landscape_pipeline.summary import build_pages, page_frame, write_summaries
from landscape_pipeline.summary.neighbours import K, area_features, nearest_neighbours
from landscape_pipeline_tests.factories import EVALUATOR_AREAS, build_evaluator_root

WARWICKSHIRE = "E10000031"
DISTRICTS = geography.lower_tier_codes(WARWICKSHIRE)
CODES = [COVENTRY, WARWICKSHIRE, *DISTRICTS, "E08000025", "E08000027", "E08000028", "E08000029", "E08000030",
         "E08000031", "E06000051", DUNDEE, "S12000041", "S12000047", "S12000049"]
SITES = SiteRegister(sites=[
    Site(id="coventry", name="Coventry", la_codes=[COVENTRY], start_date=date(2025, 4, 1)),
    Site(id="warwickshire", name="Warwickshire", la_codes=[WARWICKSHIRE], start_date=date(2025, 4, 1)),
    Site(id="dundee", name="Dundee", la_codes=[DUNDEE], start_date=date(2025, 9, 1)),
])


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, list[Path], pd.DataFrame, dict]:
    table, sources = synthetic_table(CODES, n_indicators=10)
    out = tmp_path_factory.mktemp("site")
    written = write_summaries(table, CODES, out, built_at=BUILT_AT, sources=sources, sites=SITES)
    return out, written, table, sources


def read(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def test_every_page_has_its_files_and_every_local_link_resolves(site):
    out, written, _, _ = site
    names = {p.name for p in written}
    for code in CODES:
        assert {f"{code}.html", f"{code}-board.html", f"{code}.md", f"{code}.csv", f"{code}.xlsx"} <= names
    assert {"index.html", "overview-sites.html", "overview-west-midlands.html", "overview-nhs-tayside.html"} <= names
    for name in names - {n for n in names if n.endswith((".csv", ".xlsx", ".md"))}:
        for href in links(read(out, name)):
            target = href.split("#")[0]
            if target and not target.startswith(("http://", "https://", "mailto:")):
                assert target.endswith((".html", ".csv", ".xlsx")), f"{name} links to {href}"
                if name.startswith(("E0", "S1")) and target.split(".")[0] not in CODES:
                    continue  # a similar area outside this small build: its page is built in a full build
                assert (out / target).exists(), f"{name} links to missing {target}"


def test_every_page_is_self_contained(site):
    _, written, _, _ = site
    pages = [p for p in written if p.suffix == ".html"]
    assert len(pages) == 2 * len(CODES) + 1 + sum(1 for p in pages if p.name.startswith("overview-"))
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "default-src 'none'" in html, path.name
        assert not re.search(r"<link\b|<script\b[^>]*\bsrc=|<(img|iframe|object|embed)\b|url\(\s*['\"]?(?!data:)",
                             html), path.name
        assert '<html lang="en-GB">' in html and "<h1" in html and 'class="skip-link"' in html, path.name


def test_site_overview_shows_every_site_area_in_one_sortable_view(site):
    out, _, _, _ = site
    html = read(out, "overview-sites.html")
    header = html[html.index("<thead>"):html.index("</thead>")]
    assert [h for h in links(header)] == [f"{c}.html" for c in (COVENTRY, WARWICKSHIRE, DUNDEE)]
    assert header.count('data-col="') == 4  # the indicator column and one per area
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    rows = re.findall(r"<tr data-order=", body)
    cells = re.findall(r'<td class="cell c-(\w+)" data-s="(\d)"', body)
    assert rows and len(cells) + body.count("c-blank") == 3 * len(rows)
    assert {css for css, _ in cells} <= {"worse", "similar", "better", "higher", "lower", "none"}
    assert "<script>" in html and "script-src 'sha256-" in html  # the sort script is inline and allowed by hash


def test_region_overview_lists_its_areas_and_counts(site):
    out, _, _, _ = site
    html = read(out, "overview-west-midlands.html")
    west_midlands = [la.area_code for la in geography.current_local_authorities()
                     if la.region_name == "West Midlands" and la.area_code in CODES]  # areas with a page only
    header = html[html.index("<thead>"):html.index("</thead>")]
    assert set(links(header)) == {f"{c}.html" for c in west_midlands}
    counts = re.findall(r'<tr><th scope="row"><a href="(E\d+)\.html">', html)
    assert set(counts) == set(west_midlands)


def test_county_page_shows_its_districts_and_district_pages_link_back(site):
    out, _, _, _ = site
    county = read(out, f"{WARWICKSHIRE}.html")
    section = county[county.index('id="districts"'):]
    section = section[:section.index("</section>")]
    assert [h for h in links(section) if h.startswith("E07")] == [f"{c}.html" for c in
                                                                  sorted(DISTRICTS, key=geography.area_name)]
    district = read(out, f"{DISTRICTS[0]}.html")
    assert f'href="{WARWICKSHIRE}.html"' in district


def test_downloads_hold_exactly_the_rows_the_page_shows(site):
    out, _, table, sources = site
    (page,) = build_pages(table, [COVENTRY], built_at=BUILT_AT, sources=sources)
    expected = page_frame(page)
    csv = pd.read_csv(out / f"{COVENTRY}.csv")
    assert list(csv.columns) == list(expected.columns) and len(csv) == len(expected) == len(page.all_rows)
    assert csv["indicator"].tolist() == expected["indicator"].tolist()
    shown = pd.to_numeric(expected["value"], errors="coerce")
    assert (csv["value"].round(6).fillna(-1) == shown.astype(float).round(6).fillna(-1)).all()
    assert csv.loc[csv["suppressed"], "value"].isna().all()
    xlsx = pd.read_excel(io.BytesIO((out / f"{COVENTRY}.xlsx").read_bytes()), sheet_name=None, engine="calamine")
    data = next(frame for frame in xlsx.values() if "indicator_id" in frame.columns)
    assert data["indicator_id"].tolist() == csv["indicator_id"].tolist()
    html = read(out, f"{COVENTRY}.html")
    assert f'href="{COVENTRY}.csv"' in html and f'href="{COVENTRY}.xlsx"' in html


def test_board_summary_is_short_and_links_to_the_full_page(site):
    out, _, _, _ = site
    board = read(out, f"{COVENTRY}-board.html")
    assert f'href="{COVENTRY}.html"' in board
    findings = board[board.index('<ol class="findings">'):]
    assert 1 <= findings[:findings.index("</ol>")].count("<li>") <= 6
    assert "How Coventry compares" in board and "West Midlands" in board and "similar areas" in board
    assert "<table class=\"ind\">" not in board  # no indicator tables: the full page has them


def test_similar_areas_follow_the_documented_method(site):
    _, _, table, _ = site
    features = area_features(table)
    neighbours = nearest_neighbours(features)
    pool = features[features["pool"].eq(features.loc[COVENTRY, "pool"])].dropna(how="all", subset=[
        "deprivation", "aged_65_plus", "log_population"])
    assert len(neighbours[COVENTRY]) == min(K, len(pool) - 1)
    # recompute by hand: standardise within the pool, Euclidean distance, nearest first
    x = pool[["deprivation", "aged_65_plus", "log_population"]].astype(float)
    z = ((x - x.mean()) / x.std(ddof=0)).fillna(0.0)
    distance = ((z - z.loc[COVENTRY]) ** 2).sum(axis=1).pow(0.5).drop(COVENTRY)
    expected = distance.sort_values(kind="stable").index[:len(neighbours[COVENTRY])].tolist()
    assert list(neighbours[COVENTRY]) == expected
    assert all(geography.local_authority(c).tier == "single" for c in neighbours[COVENTRY])
    assert all(geography.local_authority(c).nation_name == "Scotland" for c in neighbours[DUNDEE])


def test_since_baseline_on_site_pages_uses_the_compare_function(tmp_path):
    build_evaluator_root(tmp_path, (2021, 2022))
    coventry = Site(id="coventry", name="Coventry", la_codes=[COVENTRY], start_date=date(2025, 4, 1))
    freeze.freeze(tmp_path, coventry.freeze_label(), [COVENTRY], note="programme start")
    current = build_evaluator_root(tmp_path, (2021, 2022, 2023), step=20)
    out = tmp_path / "summaries"
    write_summaries(harmonise([current]), list(EVALUATOR_AREAS), out, built_at=BUILT_AT, sources=all_sources(),
                    root=tmp_path, sites=SiteRegister(sites=[coventry]))
    change = compare_with_frozen(tmp_path, coventry.freeze_label(), areas=[COVENTRY]).rows
    significant = change[change["significant"].fillna(False).astype(bool)]
    assert len(significant) > 0
    html = read(out, f"{COVENTRY}.html")
    section = html[html.index('id="since"'):]
    section = section[:section.index("</section>")]
    assert "coventry-start-2025-04-01" in section
    for row in significant.itertuples():
        assert f"<strong>{row.assessment}:</strong>" in section
    assert section.count("<li>") == len(significant)
    csv = pd.read_csv(out / f"{COVENTRY}.csv")
    assert set(csv["since_baseline_assessment"].dropna()) == set(change["assessment"].dropna())
    assert "Since the programme baseline" in read(out, f"{COVENTRY}-board.html")
    other = read(out, "E06000001.html")  # not a site: no baseline section
    assert 'id="since"' not in other and "Since baseline" not in other


def test_cli_writes_one_board_summary_with_the_site_baseline(tmp_path):
    from landscape_pipeline import paths
    from landscape_pipeline.cli.summary import run_summary
    from landscape_pipeline.sites import read_sites
    from landscape_pipeline.storage import write_indicators

    coventry = read_sites().find("Coventry")  # the bundled register, as the command reads it
    build_evaluator_root(tmp_path, (2021, 2022))
    freeze.freeze(tmp_path, coventry.freeze_label(), [COVENTRY])
    write_indicators(harmonise([build_evaluator_root(tmp_path, (2021, 2022, 2023), step=20)]),
                     paths.indicators_path(tmp_path))
    out = tmp_path / "board.html"
    assert run_summary(tmp_path, COVENTRY, False, "board", str(out)) == 0
    board = out.read_text(encoding="utf-8")
    assert board.startswith("<!DOCTYPE html>") and "Board summary: cancer landscape in Coventry" in board
    assert "Since the programme baseline" in board and "programme site: Coventry" in board


def test_pages_rendered_in_worker_processes_match_pages_rendered_in_process(site, tmp_path, monkeypatch):
    from landscape_pipeline.summary import write

    out, written, table, sources = site
    assert len(CODES) >= write.MIN_PAGES_FOR_WORKERS  # the fixture's build used the worker processes
    monkeypatch.setattr(write, "MIN_PAGES_FOR_WORKERS", len(CODES) + 1)
    again = write_summaries(table, CODES, tmp_path, built_at=BUILT_AT, sources=sources, sites=SITES)
    assert sorted(p.name for p in again) == sorted(p.name for p in written)
    for path in again:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name


def test_pages_no_worker_has_started_are_rendered_here_last_first(monkeypatch):
    from concurrent.futures import Future

    from landscape_pipeline.summary import write

    done, running, waiting = Future(), Future(), [Future(), Future()]
    done.set_result([("done.html", b"")])
    running.set_running_or_notify_cancel()  # a worker has it
    here = []
    monkeypatch.setattr(write, "page_files", lambda page, rows: here.append(page) or [(f"{page}.html", b"x")])
    futures = [done, running, *waiting]
    files = write._render_tail(futures, ["p0", "p1", "p2", "p3"], [[], [], [], []])
    assert here == ["p3", "p2"]  # from the back, stopping at the page a worker started
    assert files == {id(waiting[0]): [("p2.html", b"x")], id(waiting[1]): [("p3.html", b"x")]}
    assert all(f.cancelled() for f in waiting) and not running.cancelled()
