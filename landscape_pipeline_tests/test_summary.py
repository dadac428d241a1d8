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
    text = comparison_sentence(make_row(), "Coventry", "England")
    assert text == ("Under 75 mortality rate from cancer in Coventry (141.2 per 100,000, 2021–23) is significantly "
                    "higher than England (121.5 per 100,000); for this measure higher is worse.")


def test_worse_high_is_good_reads_significantly_lower():
    row = make_row(name="Cancer screening coverage: bowel cancer", unit="%", value=61.0, comparator_value=70.3,
                   polarity="High is good", sentence_value="61.0%")
    assert "is significantly lower than England (70.3%); for this measure lower is worse." in \
        comparison_sentence(row, "Coventry", "England")


def test_similar_is_said_as_such_without_significance():
    text = comparison_sentence(make_row(comparison="Similar", value=123.0), "Coventry", "England")
    assert "is similar to England (121.5 per 100,000)." in text and "significant" not in text


def test_no_judgement_difference_makes_no_better_or_worse_claim():
    row = make_row(comparison="Higher", polarity="No judgement", unit="%", value=3.9, comparator_value=3.4,
                   sentence_value="3.9%")
    text = comparison_sentence(row, "Coventry", "England")
    assert "significantly higher than England (3.4%)." in text
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
    assert [f.indicator_id for f in found[:4]] == ["worse_big", "worse_small", "trend", "better"]
    assert all(f.kind == "similar" for f in found[4:])


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
    return {r.indicator_id: r for t in page.themes for r in t.rows}


def test_page_findings_agree_with_comparison_labels(built):
    _, _, pages = built
    page = pages[COVENTRY]
    texts = [f.text for f in page.findings]
    assert any(t.startswith("Under 75 mortality rate from cancer in Coventry (170.0 per 100,000, 2023) is "
                            "significantly higher than England") for t in texts)
    assert any("Emergency admissions with cancer in Coventry" in t and "is similar to England" in t for t in texts)
    rows = _rows(page)
    for finding in page.findings:
        row = rows[finding.indicator_id]
        if finding.kind == "trend":
            assert row.trend.lower() in finding.text
            continue
        way = direction(row.comparison, row.polarity)
        label = {"Worst": "worse", "Best": "better"}.get(row.comparison, row.comparison.lower())
        assert way is not None and finding.label.split()[0].lower() == label
        if way == "similar":
            assert "similar to England" in finding.text and "significantly" not in finding.text
        else:
            assert f"significantly {way} than England" in finding.text
            assert (row.value > row.comparator_value) == (way == "higher")
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
    assert "2022, 2023: suppressed (small numbers)" in html  # the sparkline's text alternative says so in words


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
    assert page.population.text and page.deprivation.text.startswith("Deprivation score (IMD 2019)")
    assert "25 November 2026, 09:30 UTC" in html and "Metropolitan borough (single tier)" in html
    assert [t.name for t in page.themes][:3] == ["Prevalence and incidence", "Mortality and survival",
                                                 "Screening and early diagnosis"]
    assert html.count('<th scope="col"') == 9 * len(page.themes) and '<th scope="row">' in html
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert svgs and all('role="img"' in s or 'aria-hidden="true"' in s for s in svgs)
    assert html.count('<svg class="spine"') == sum(1 for t in page.themes if t.spine)
    screening = next(t for t in page.themes if t.name == "Screening and early diagnosis")
    assert SCREENING not in [r.indicator_id for r in screening.rows if r.suppressed is False]
    assert all("breast" not in line for r in screening.spine.rows for line in r.name_lines)  # suppressed: no spine
    assert "attributed from ICB" in html and "Attributed from the ICB containing the area" in html
    assert "@page { size: A4" in html and re.search(r"<h1>Coventry", html)
    assert "English districts and unitary authorities" in html


def test_scottish_page_compares_with_scotland(built):
    _, _, pages = built
    page = pages[DUNDEE]
    assert page.comparator_code == geography.SCOTLAND and page.comparator_name == "Scotland"
    html, md = render_html(page), render_markdown(page)
    assert "Compared with Scotland" in html and '<th scope="col" class="num">Scotland</th>' in html
    assert "than England" not in html and "similar to England" not in html and "England value" not in html
    assert page.findings and all("Scotland" in f.text for f in page.findings if f.kind != "trend")
    assert "| Scotland |" in md and "Scottish council areas" in html and "NHS Tayside" in html


def test_markdown_version(built):
    _, _, pages = built
    md = render_markdown(pages[COVENTRY])
    assert md.startswith("# Cancer landscape: Coventry (E08000026)")
    assert "> **Synthetic sample data" in md and "## Key findings" in md and "1. " in md
    table_rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert table_rows and all(line.count(" | ") == 8 for line in table_rows)  # nine columns, no stray pipes
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
    assert "Compared with:** Scotland" in render_markdown(pages[1]) and "<h1>Coventry" in render_html(pages[0])


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
    assert len(codes) == 382 and len(paths) == 2 * 382 + 1 and elapsed < 30
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temp files left
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{code}.html"' in index for code in codes)
    nations = re.findall(r'<h2 id="nation-\d+">([^<]+)</h2>', index)
    assert nations == ["England", "Scotland", "Wales", "Northern Ireland"]
    assert "<h3>West Midlands</h3>" in index and "<h3>NHS Tayside</h3>" in index
    assert 'type="search"' in index
    dundee = (tmp_path / f"{DUNDEE}.md").read_text(encoding="utf-8")
    assert "Compared with:** Scotland" in dundee


def test_small_sources_are_consistent():
    sources = small_sources()
    assert all(spec.source_id == key for key, spec in sources.items())
