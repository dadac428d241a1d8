"""Landscape summary: headline sentences, suppression, self-containment, Scotland, index and the full build."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_summary_support import BUILT_AT, COVENTRY, DUNDEE, small_sources, synthetic_table

from landscape_pipeline import geography, schema
from landscape_pipeline.summary import (
    IndicatorRow,
    build_pages,
    render_html,
    render_index,
    render_markdown,
    write_summaries,
)
from landscape_pipeline.summary.charts import sparkline, spine_fractions
from landscape_pipeline.summary.findings import comparison_sentence, direction, headline_findings, trend_sentence
from landscape_pipeline.summary.formatting import SUPPRESSED_TEXT, format_period, format_value
from landscape_pipeline.summary.render import markdown_escape

AREAS = [COVENTRY, "E08000025", "E08000027", "E08000028", "E08000029", "E08000030", "E08000031", "E07000008",
         DUNDEE, "S12000041", "S12000045", "S12000047", "S12000048", "S12000049"]
MORTALITY, SCREENING, PREVALENCE, ADMISSIONS = "fingertips_0", "fingertips_1", "fingertips_2", "hes_3"
CANARIES = ("4,321", "4321", "4,000.1", "4000.1", "4,555.5", "4555.5", "4,444.4", "4444.4")


def make_row(**changes) -> IndicatorRow:
    base = IndicatorRow(
        anchor="x", indicator_id="fingertips_40501", source_id="fingertips",
        name="Under 75 mortality rate from cancer", breakdown="", unit="per 100,000", value_type="DSR",
        theme="Mortality and survival", period="2021–23", value=141.2, value_text="141.2", ci_text="130.0 to 152.9",
        count_text="520", comparator_value=121.5, comparator_text="121.5", comparison="Worse",
        comparison_class="worse", polarity="Low is good", trend="", suppressed=False, note="",
        source_title="Fingertips", source_label="Fingertips", sentence_value="141.2 per 100,000")
    return replace(base, **changes)


# --------------------------------------------------------------------------- sentences
@pytest.mark.parametrize(("comparison", "polarity", "expected"), [
    ("Worse", "Low is good", "higher"), ("Worse", "High is good", "lower"), ("Better", "Low is good", "lower"),
    ("Better", "High is good", "higher"), ("Worst", "Low is good", "higher"), ("Higher", "No judgement", "higher"),
    ("Lower", "No judgement", "lower"), ("Similar", "High is good", "similar"), ("Not compared", "Low is good", None),
    ("Worse", "No judgement", None), ("Lowest quintile", "No judgement", None), (None, "Low is good", None),
])
def test_direction_follows_label_and_polarity(comparison, polarity, expected):
    assert direction(comparison, polarity) == expected


def test_worse_low_is_good_and_higher_value_reads_significantly_higher():
    # 141.2 - 121.5 = 19.7, which is 16% of England's value: a large difference (15% or more)
    text = comparison_sentence(make_row(), "Coventry", "England")
    assert text == ("Under 75 mortality rate from cancer in Coventry was 141.2 per 100,000 (2021–23), 19.7 per "
                    "100,000 (16%) higher than England (121.5 per 100,000): a significant, large difference "
                    "(higher is worse).")


def test_worse_high_is_good_reads_significantly_lower_in_percentage_points():
    row = make_row(name="Cancer screening coverage: bowel cancer", unit="%", value=61.0, comparator_value=70.3,
                   polarity="High is good", sentence_value="61.0%")
    # 9.3 points is 13% of 70.3: moderate (5% to 15%)
    assert comparison_sentence(row, "Coventry", "England").endswith(
        "was 61.0% (2021–23), 9.3 percentage points lower than England (70.3%): a significant, moderate "
        "difference (lower is worse).")


def test_significant_but_small_difference_says_so():
    text = comparison_sentence(make_row(value=124.0, sentence_value="124.0 per 100,000"), "Coventry", "England")
    assert "2.5 per 100,000 (2%) higher than England" in text and "significant, but a small difference" in text


def test_similar_is_said_as_such_without_significance():
    text = comparison_sentence(make_row(comparison="Similar", value=123.0), "Coventry", "England")
    assert text.endswith(", similar to England (121.5 per 100,000).") and "significant" not in text


def test_no_judgement_difference_makes_no_better_or_worse_claim():
    row = make_row(comparison="Higher", polarity="No judgement", unit="%", value=3.9, comparator_value=3.4,
                   sentence_value="3.9%")
    text = comparison_sentence(row, "Coventry", "England")
    assert "0.5 percentage points higher than England (3.4%)" in text
    assert "better" not in text and "worse" not in text


@pytest.mark.parametrize("row", [
    make_row(comparison="Not compared"),
    make_row(comparison="Worse", value=110.0),  # label says higher, values say lower: unsupported
    make_row(suppressed=True, value=None, value_text=SUPPRESSED_TEXT),
    make_row(comparison="Worse", polarity="Not applicable"),
])
def test_unsupported_statements_are_not_made(row):
    assert comparison_sentence(row, "Coventry", "England") is None
    assert not [f for f in headline_findings([row], "Coventry", "England") if f.kind != "trend"]


def test_trend_sentence_only_for_significant_trends():
    assert trend_sentence(make_row(trend="No significant change"), "Coventry") is None
    assert trend_sentence(make_row(trend="Cannot be calculated"), "Coventry") is None
    assert "has been decreasing and getting better over the five most recent periods" in \
        trend_sentence(make_row(trend="Decreasing and getting better"), "Coventry")


def test_findings_are_capped_and_most_notable_first():
    rows = [make_row(indicator_id=f"i{i}", comparison="Similar", value=121.0 + i / 10) for i in range(6)]
    rows += [make_row(indicator_id="better", comparison="Better", value=90.0),
             make_row(indicator_id="worse_small", value=125.0), make_row(indicator_id="worse_big", value=190.0),
             make_row(indicator_id="trend", comparison="Not compared", trend="Increasing and getting worse")]
    found = headline_findings(rows, "Coventry", "England")
    assert len(found) == 8
    # ranked by what matters, not significance alone: a large better difference (26%) outranks a worse one of 3%
    assert [f.indicator_id for f in found[:4]] == ["worse_big", "better", "worse_small", "trend"]
    assert all(f.kind == "similar" for f in found[4:])
    assert "significant, but a small difference" in next(f.text for f in found if f.indicator_id == "worse_small")


def test_missed_screening_standard_is_named_and_ranked_up():
    from landscape_pipeline.summary.standards import assess

    def screening(value: float) -> IndicatorRow:
        return make_row(indicator_id="fingertips_22001", name="Cancer screening coverage: breast cancer", unit="%",
                        value=value, comparator_value=value, comparison="Similar", polarity="High is good",
                        sentence_value=f"{value}%", standard=assess("fingertips_22001", value))

    below, between, meets = screening(66.0), screening(75.0), screening(82.0)
    assert below.standard.status == "Below acceptable" and between.standard.missed == 1 and meets.standard.missed == 0
    found = headline_findings([meets, between, below], "Coventry", "England")
    assert [f.text.split(" was ")[1][:5] for f in found[:2]] == ["66.0%", "75.0%"]
    assert "Below the national standard (acceptable 70%, achievable 80%)." in found[0].text
    assert "standard" in found[0].label


# --------------------------------------------------------------------------- charts
def test_spine_puts_comparator_in_the_middle_and_worst_on_the_left():
    high_good = spine_fractions(80.0, 70.0, 50.0, 65.0, 75.0, 85.0, "High is good")
    assert high_good["marker"] == pytest.approx(0.5 + 10 / 40)  # half-width = max(|70-50|, |85-70|) = 20
    assert high_good["left"] == pytest.approx(0.0) and high_good["right"] == pytest.approx(0.875)
    low_good = spine_fractions(80.0, 70.0, 50.0, 65.0, 75.0, 85.0, "Low is good")
    assert low_good["marker"] == pytest.approx(0.25)  # a high (bad) value sits left of England
    assert low_good["left"] == pytest.approx(0.125) and low_good["right"] == pytest.approx(1.0)


def test_sparkline_breaks_at_gaps_and_needs_two_values():
    line = sparkline([1.0, 2.0, None, 3.0, 4.0, None, 5.0], [2.0] * 7, description="d", last_class="worse")
    assert line.area_path.count("M") == 2 and len(line.dots) == 1 and line.last is not None
    assert line.blocks[2] == "·" and len(line.blocks) == 7
    assert sparkline([None, 1.0, None], [1.0, 1.0, 1.0], description="d", last_class="none") is None


def test_formatting():
    assert format_period("2021 - 23") == "2021–23" and format_period("2022/23") == "2022/23"
    assert format_value(61.234, "%") == "61.2%" and format_value(1234.5, "per 100,000") == "1,234.5 per 100,000"
    assert format_value(371521.0, "persons", "count") == "371,521" and format_value(None, "%") == "–"
    assert markdown_escape("a | b *c*\nd") == r"a \| b \*c\* d"


# --------------------------------------------------------------------------- pages
def _edit(raw: pd.DataFrame) -> pd.DataFrame:
    cov = raw["area_code"].eq(COVENTRY)
    latest = raw["period_label"].eq("2023")
    mortality = cov & latest & raw["indicator_id"].eq(MORTALITY)
    raw.loc[mortality, ["value", "lower_ci_95", "upper_ci_95", "comparison"]] = [170.0, 160.0, 180.0, "Worse"]
    screening = cov & raw["indicator_id"].eq(SCREENING)
    raw.loc[screening & latest, ["value", "lower_ci_95", "upper_ci_95", "count", "suppressed", "value_note"]] = [
        4321.0, 4000.1, 4555.5, 3.0, True, "Value suppressed for disclosure control due to small count"]
    raw.loc[screening & raw["period_label"].eq("2022"), ["value", "suppressed"]] = [4444.4, True]
    raw.loc[cov & latest & raw["indicator_id"].eq(PREVALENCE), "comparison"] = "Not compared"
    raw.loc[cov & latest & raw["indicator_id"].eq(ADMISSIONS), "comparison"] = "Similar"
    return raw


@pytest.fixture(scope="module")
def built():
    table, sources = synthetic_table(AREAS, n_indicators=8, edit=_edit)
    pages = {p.area_code: p for p in build_pages(table, AREAS, built_at=BUILT_AT, sources=sources)}
    return table, sources, pages


def _rows(page) -> dict[str, IndicatorRow]:
    return {r.indicator_id: r for r in page.all_rows}


def test_page_findings_agree_with_comparison_labels(built):
    _, _, pages = built
    page = pages[COVENTRY]
    texts = [f.text for f in page.findings]
    mortality = _rows(page)[MORTALITY]
    gap = 170.0 - mortality.comparator_value
    assert any(t.startswith(f"Under 75 mortality rate from cancer in Coventry was 170.0 per 100,000 (2023), "
                            f"{gap:.1f} per 100,000 ({100 * gap / mortality.comparator_value:.0f}%) higher than "
                            "England") for t in texts)
    rows = _rows(page)
    for finding in page.findings:
        row = rows[finding.indicator_id]
        if finding.kind == "trend":
            assert row.trend.lower() in finding.text
            continue
        way = direction(row.comparison, row.polarity)
        if way in ("higher", "lower"):  # a national difference leads the finding and names England
            assert finding.label.startswith(f"{row.comparison} than England")
        else:  # otherwise the label names the region or similar areas the finding rests on
            named = {"West Midlands": row.region, "similar areas": row.similar}
            bench = next(b for n, b in named.items() if finding.label.endswith(n) or f" {n} ·" in finding.label)
            assert finding.label.split()[0] == bench.comparison
        if way == "similar":
            assert "similar to England" in finding.text and "significant" not in finding.text.split(". ")[0]
        else:
            assert f"{way} than England" in finding.text and "significant" in finding.text
            assert (row.value > row.comparator_value) == (way == "higher")
        # the region and similar-areas clauses follow their own labels
        for bench, value in ((row.region, row.region_value), (row.similar, row.similar_value)):
            if bench is not None and bench.comparison in ("Worse", "Better", "Higher", "Lower") and value:
                way = direction(bench.comparison, row.polarity)
                assert f"{way} than {'similar areas' if bench is row.similar else bench.name}" in finding.text
    assert not [f for f in page.findings if f.indicator_id == PREVALENCE and f.kind != "trend"]


def test_suppressed_values_never_appear_as_numbers(built):
    _, _, pages = built
    page = pages[COVENTRY]
    row = _rows(page)[SCREENING]
    assert row.suppressed and row.value is None and row.value_text == SUPPRESSED_TEXT
    assert row.comparison == "Not compared" and row.count_text == "–" and row.ci_text == "–"
    html, md = render_html(page), render_markdown(page)
    for text in (html, md):
        assert SUPPRESSED_TEXT in text
        assert not [c for c in CANARIES if c in text], "a suppressed value leaked"
    assert row.hidden_reason and f"{row.name} ({row.period}): <span class=\"suppressed\">{SUPPRESSED_TEXT}" in html


class _ResourceAudit(HTMLParser):
    """Collects every reference that would make a browser fetch something."""

    LOADING = frozenset({"src", "srcset", "poster", "data", "background", "xlink:href"})

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self._style = False
        self.css = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        self._style = tag == "style"
        if tag == "link" or (tag == "script" and "src" in attrs) or (tag in ("use", "image") and "href" in attrs):
            self.loads.append(f"<{tag}> {attrs}")
        for name, value in attrs.items():
            if name in self.LOADING and not (value or "").startswith("data:"):
                self.loads.append(f"{tag} {name}={value}")
            if name == "style" and "url(" in (value or ""):
                self.css += value
        if tag == "a":
            self.links.append(attrs.get("href", ""))

    def handle_data(self, data):
        if self._style:
            self.css += data

    def handle_endtag(self, tag):
        self._style = False


def _audit(html: str) -> _ResourceAudit:
    audit = _ResourceAudit()
    audit.feed(html)
    return audit


def test_pages_load_no_external_resources(built):
    _, _, pages = built
    for html in (render_html(pages[COVENTRY]), render_html(pages[DUNDEE]), render_index(pages.values())):
        audit = _audit(html)
        assert audit.loads == []
        assert not [u for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", audit.css) if not u.startswith("data:")]
        assert "@import" not in audit.css
        assert "Content-Security-Policy" in html and "default-src 'none'" in html
    links = _audit(render_html(pages[COVENTRY])).links
    assert "https://fingertips.phe.org.uk/" in links  # publishers are linked, not loaded


def test_page_content_and_accessibility(built):
    _, _, pages = built
    page = pages[COVENTRY]
    html = render_html(page)
    assert "Synthetic sample data" in html and page.synthetic
    assert page.population.text and page.deprivation.text.startswith("IMD 2019 average score")
    # the first screen answers "England, the West Midlands and areas like us"
    first_screen = html[:html.index('id="findings"')]
    assert "How Coventry compares with England, West Midlands and similar areas" in first_screen
    assert [c.benchmark for c in page.counts] == ["England", "West Midlands", "similar areas"]
    assert all(c.compared > 0 for c in page.counts)
    assert len(page.similar_codes) >= 5 and COVENTRY not in page.similar_codes
    assert all(geography.local_authority(c).tier == "single" for c in page.similar_codes)
    assert "25 November 2026, 09:30 UTC" in html and "Metropolitan borough (single tier)" in html
    assert [t.name for t in page.themes][:3] == ["Prevalence and incidence", "Mortality and survival",
                                                 "Screening and early diagnosis"]
    tables = [t for t in page.themes if t.rows and not t.compact]
    assert html.count('<table class="ind">') == len(tables) and '<th scope="row">' in html
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert svgs and all('role="img"' in s or 'aria-hidden="true"' in s for s in svgs)
    # each indicator once: one table row per shown indicator, its chart in the same row
    shown = [r for t in tables for r in t.rows]
    assert all(html.count(f'<tr id="{r.anchor}"') == 1 for r in shown)
    assert html.count('<svg class="mini"') == sum(1 for r in shown if r.spine)
    screening = _rows(page)[SCREENING]
    assert screening.spine is None and screening.hidden_reason  # suppressed: no chart, collapsed with a reason
    assert "Attributed from the ICB containing the area" in html
    assert "@page { size: A4" in html and re.search(r"<h1>Coventry", html)
    assert "English districts and unitary authorities" in html


def test_scottish_page_compares_with_scotland(built):
    _, _, pages = built
    page = pages[DUNDEE]
    assert page.comparator_code == geography.SCOTLAND and page.comparator_name == "Scotland"
    html, md = render_html(page), render_markdown(page)
    assert "How Dundee City compares with Scotland, NHS Tayside and similar areas" in html
    assert '<th scope="col" class="num">Scotland</th>' in html and page.counts[0].benchmark == "Scotland"
    assert "than England" not in html and "similar to England" not in html and "England value" not in html
    assert page.findings and all("Scotland" in f.text for f in page.findings if f.kind != "trend")
    assert "| Scotland |" in md and "Scottish council areas" in html
    assert all(geography.local_authority(c).nation_name == "Scotland" for c in page.similar_codes)


def test_markdown_version(built):
    _, _, pages = built
    md = render_markdown(pages[COVENTRY])
    assert md.startswith("# Cancer landscape: Coventry (E08000026)")
    assert "> **Synthetic sample data" in md and "## Key findings" in md and "1. " in md
    table_rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    widths = {line.count(" | ") for line in table_rows}
    assert table_rows and widths <= {6, 7}  # the counts table (7 columns) and indicator tables (8), no stray pipes
    assert "| West Midlands |" in md and "| similar areas |" in md
    assert "- **Region and nation:** West Midlands, England" in md
    assert "<https://fingertips.phe.org.uk/>" in md and "<svg" not in md


def test_page_without_data_still_renders():
    table, sources = synthetic_table([COVENTRY], n_indicators=2)
    cardiff = "W06000015"
    (page,) = build_pages(table, [cardiff], built_at=BUILT_AT, sources=sources)
    assert page.themes == () and page.findings == () and not page.synthetic
    assert "No source covers Cardiff yet" in render_html(page) and "Synthetic sample data" not in render_html(page)
    assert page.comparator_name == "Wales"


def _add_breakdown_only(raw: pd.DataFrame) -> pd.DataFrame:
    """Add two indicators published only by category: 19 age bands (left out) and 3 stages (shown)."""
    base = raw[raw["indicator_id"].eq("ons_population_total") & raw["period_label"].eq("mid-2023")]
    bands = [base.assign(indicator_id="pop_by_age", indicator_name="Resident population by age band",
                         category_type="Age band", category=f"{5 * i}-{5 * i + 4}", value=base["value"] / 19)
             for i in range(19)]
    stages = [base.assign(indicator_id="stage_split", indicator_name="Cancers by stage", category_type="Stage",
                          category=f"Stage {i}", value=10.0 * i, value_type="proportion", unit="%")
              for i in (1, 2, 3)]
    return pd.concat([raw, *bands, *stages], ignore_index=True)


def test_long_breakdowns_are_left_to_the_baseline_and_short_ones_shown():
    table, sources = synthetic_table(AREAS[:8], n_indicators=2, edit=_add_breakdown_only)
    (page,) = build_pages(table, [COVENTRY], built_at=BUILT_AT, sources=sources)
    population = next(t for t in page.themes if t.name == "Population and deprivation")
    assert population.omitted == ("Resident population by age band (19 age band categories)",)
    assert [r.breakdown for r in population.rows if r.indicator_id == "stage_split"] == ["Stage 1", "Stage 2",
                                                                                         "Stage 3"]
    assert "kept in the baseline file rather than shown here: Resident population by age band" in render_html(page)
    assert page.population.text == format_value(_rows(page)["ons_population_total"].value, "persons", "count")


def test_empty_table_gives_valid_pages():
    pages = list(build_pages(schema.empty_frame(), [COVENTRY, DUNDEE], built_at=BUILT_AT, sources=small_sources()))
    assert [p.indicator_count for p in pages] == [0, 0]
    assert "How Dundee City compares" in render_markdown(pages[1]) and "<h1>Coventry" in render_html(pages[0])


def test_no_synthetic_banner_for_real_data():
    table, sources = synthetic_table(AREAS[:7], n_indicators=2, edit=lambda raw: raw.assign(synthetic=False))
    (page,) = build_pages(table, [COVENTRY], built_at=BUILT_AT, sources=sources)
    assert not page.synthetic and "Synthetic sample" not in render_html(page)


def test_every_local_authority_in_one_call(tmp_path):
    codes = geography.partition_keys()
    table, sources = synthetic_table(codes, n_indicators=4, n_periods=5)
    start = time.perf_counter()
    paths = write_summaries(table, codes, tmp_path, built_at=BUILT_AT, sources=sources)
    elapsed = time.perf_counter() - start
    names = {p.name for p in paths}
    per_page = {f"{c}{end}" for c in codes for end in (".html", "-board.html", ".md", ".csv", ".xlsx")}
    overviews = names - per_page - {"index.html"}
    regions = {la.region_name or la.health_board_name or la.nation_name
               for la in geography.current_local_authorities()}
    # a gross-regression guard (about 45 s on a loaded two-core machine; whole-table work is done once)
    assert len(codes) == 382 and per_page <= names and len(overviews) == len(regions) and elapsed < 90
    assert all(n.startswith("overview-") for n in overviews)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temp files left
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{code}.html"' in index for code in codes)
    nations = re.findall(r'<h2 id="nation-\d+">([^<]+)</h2>', index)
    assert nations == ["England", "Scotland", "Wales", "Northern Ireland"]
    assert "<h3>West Midlands</h3>" in index and "<h3>NHS Tayside</h3>" in index
    assert 'type="search"' in index
    dundee = (tmp_path / f"{DUNDEE}.md").read_text(encoding="utf-8")
    assert "How Dundee City compares" in dundee and "| Scotland |" in dundee


def test_small_sources_are_consistent():
    sources = small_sources()
    assert all(spec.source_id == key for key, spec in sources.items())


def test_a_plan_lets_go_of_the_table_and_writes_the_same_files(tmp_path):
    import gc
    import weakref

    from landscape_pipeline.summary.write import plan_summaries, write_planned

    table, sources = synthetic_table(AREAS[:8], n_indicators=2)
    codes = AREAS[:8]
    expected = write_summaries(table.copy(), codes, tmp_path / "whole", built_at=BUILT_AT, sources=sources)
    held = weakref.ref(table)
    plan = plan_summaries(table, codes, built_at=BUILT_AT, sources=sources)
    del table
    gc.collect()
    assert held() is None  # the summary step frees the table before the pages are built and rendered
    written = write_planned(plan, tmp_path / "planned")
    assert sorted(p.name for p in written) == sorted(p.name for p in expected)
    assert all(p.read_bytes() == (tmp_path / "whole" / p.name).read_bytes() for p in written)
