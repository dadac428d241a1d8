"""Summary page parts: labels said once, measure families merged, related rows reconciled, low-information rows
collapsed, and the overview rug."""

from __future__ import annotations

from dataclasses import replace

import pytest

from landscape_pipeline.summary import arrange
from landscape_pipeline.summary.labels import age_phrase, clean_label
from landscape_pipeline.summary.model import Benchmark, IndicatorRow, ThemeSection
from landscape_pipeline.summary.overview import build_rug


def row(indicator_id: str = "x", **changes) -> IndicatorRow:
    base = IndicatorRow(
        anchor=indicator_id, indicator_id=indicator_id, source_id="fingertips", name="An indicator", breakdown="",
        unit="%", value_type="proportion", theme="Prevalence and incidence", period="2023", value=3.0,
        value_text="3.0", ci_text="2.9 to 3.1", count_text="100", comparator_value=3.3, comparator_text="3.3",
        comparison="Lower", comparison_class="lower", polarity="No judgement", trend="", suppressed=False, note="",
        source_title="Fingertips", source_label="Fingertips", sentence_value="3.0%")
    return replace(base, **changes)


@pytest.mark.parametrize(("name", "sex", "age", "expected"), [
    ("Cancer screening coverage: cervical cancer (aged 25 to 49 years old)", "Female", "25-49 yrs",
     "Cancer screening coverage: cervical cancer (aged 25–49)"),
    ("Cancer screening coverage: breast cancer", "Female", "53-70 yrs",
     "Cancer screening coverage: breast cancer (women aged 53–70)"),
    ("Under 75 mortality rate from cancer", "Persons", "<75 yrs", "Under 75 mortality rate from cancer"),
    ("Emergency admissions", "Male", "All ages", "Emergency admissions (men)"),
    ("Prostate cancer incidence", "Male", "All ages", "Prostate cancer incidence"),
    ("Population", "Persons", "65+ yrs", "Population (aged 65+)"),
])
def test_labels_say_each_part_once(name, sex, age, expected):
    assert clean_label(name, sex, age) == expected


def test_age_phrases():
    assert [age_phrase(a) for a in ("<75 yrs", "53-70 yrs", "65+", "All ages", "Other")] == [
        "aged under 75", "aged 53–70", "aged 65+", "", "Other"]


def test_measure_family_is_one_row_with_its_count_and_crude_rate():
    stem = "hes_admissions_lung_emergency"
    rows = [row(f"{stem}_dsr", name="Lung cancer emergency admissions: age-standardised rate", value=50.0,
                value_type="DSR", unit="per 100,000"),
            row(f"{stem}_crude", name="Lung cancer emergency admissions: crude rate", value=48.2,
                value_type="crude rate", unit="per 100,000"),
            row(f"{stem}_count", name="Lung cancer emergency admissions: number", value=135.0, value_text="135",
                value_type="count", unit="admissions"),
            row("other")]
    merged = arrange.merge_families(rows, {})
    assert [r.indicator_id for r in merged] == [f"{stem}_dsr", "other"]
    head = merged[0]
    assert head.name == "Lung cancer emergency admissions" and head.count_text == "135"
    assert "Crude rate 48.2 per 100,000" in head.note


def test_related_rows_that_disagree_get_a_reconciling_note():
    a = row("fingertips_276", comparison="Higher", value=3.5, sentence_value="3.5%")
    b = row("qof_prevalence_cancer", comparison="Lower", value=3.1, sentence_value="3.1%")
    notes = arrange.related_notes([a, b], "Coventry", "England")
    (text,) = notes["Prevalence and incidence"]
    assert "3.5% (2023, higher) and 3.1% (2023, lower)" in text and "They disagree against England" in text
    agree = arrange.related_notes([a, replace(b, comparison="Higher", value=3.6)], "Coventry", "England")
    assert "disagree" not in agree["Prevalence and incidence"][0]
    assert arrange.related_notes([a], "Coventry", "England") == {}  # one of the pair alone: nothing to reconcile


def test_low_information_rows_are_collapsed_with_a_count_and_reason():
    shown = [row("a"), row("b")]
    hidden = [row(f"s{i}", suppressed=True, value=None, hidden_reason="suppressed (small numbers)")
              for i in range(3)] + [row("simd_income_rate", hidden_reason=arrange.DETAIL_REASON)]
    section = ThemeSection("Hospital activity", "theme-hospital", tuple(shown), hidden=tuple(hidden))
    assert section.hidden_summary == f"3 suppressed (small numbers); 1 {arrange.DETAIL_REASON}"
    marked = arrange.set_aside([row("simd_income_rate"), row("imd_average_score")])
    assert [r.hidden_reason for r in marked] == [arrange.DETAIL_REASON, ""]


def test_notes_repeated_on_many_rows_are_said_once():
    note = "Attributed from the ICB containing the area"
    region = Benchmark("West Midlands", "–", "Not compared", "none", "the value is attributed from West Midlands")
    rows = [row(str(i), note=f"{note}; own note {i}" if i == 0 else note, region=region) for i in range(4)]
    out, notes = arrange.theme_notes(rows)
    assert [r.note for r in out] == ["own note 0", "", "", ""]
    assert notes == [f"Every row marked so: {note}.",
                     "Not compared with West Midlands on 4 rows: the value is attributed from West Midlands."]


def test_rug_colours_each_area_and_drops_rows_with_nothing_compared():
    coventry = [row("a", comparison="Worse", comparison_class="worse"),
                row("b", comparison="Not compared", comparison_class="none")]
    dundee = [row("a", comparison="Better", comparison_class="better", value=2.0, value_text="2.0")]
    rug = build_rug("Sites", ["E08000026", "S12000042"], {"E08000026": coventry, "S12000042": dundee})
    assert [a.href for a in rug.areas] == ["E08000026.html", "S12000042.html"]
    (line,) = rug.rows  # "b" is compared nowhere, so it is left out
    assert [c.css for c in line.cells] == ["worse", "better"] and line.cells[0].sort_key < line.cells[1].sort_key
    assert rug.counts == (("Coventry", 1, 0, 0), ("Dundee City", 0, 0, 1))


def test_cqc_services_count_the_latest_snapshot_with_change_since_the_earliest():
    import pandas as pd

    from landscape_pipeline.summary import care
    from landscape_pipeline.summary.formatting import format_period

    def one(indicator, category, period, value, **extra):
        return {"area_code": "E06000001", "source_id": "cqc", "value_type": "count", "indicator_id": indicator,
                "indicator_name": "Care homes registered with CQC", "category": category, "period_label": period,
                "period_start": pd.Timestamp(f"{period}-01"), "value": value, **extra}

    table = pd.DataFrame([
        one("cqc_care_homes", "Good", "2024-06", 12.0), one("cqc_care_homes", "Good", "2024-01", 10.0),
        one("cqc_care_homes", "Outstanding", "2024-06", 3.0), one("cqc_care_homes", "Not yet rated", "2024-06", 1.0),
        one("cqc_care_homes", "Inadequate", "2024-06", float("nan")),
        one("cqc_care_homes", None, "2024-06", 20.0), one("cqc_care_homes", None, "2024-01", 20.0),
        one("cqc_care_homes", "Good", "2024-06", 99.0),  # a repeated row: the first in table order is shown
        one("cqc_care_homes", None, "2024-03", 5.0),  # between the two snapshots: not shown
        one("cqc_care_homes_beds", None, "2024-06", 400.0), one("cqc_care_homes", None, "2024-06", 1.0,
                                                                 value_type="rate"),
        one("cqc_care_homes", None, "2024-06", 7.0, source_id="other"),
    ])
    rows = care.service_rows(table)
    assert set(rows["indicator_id"]) == {"cqc_care_homes"} and len(rows) == 9  # no beds, rates or other sources
    block = care.service_counts(rows)
    assert block is not None and (block.latest, block.earliest) == (format_period("2024-06"), format_period("2024-01"))
    assert block.ratings == ("Outstanding", "Good", "Inadequate", "Not yet rated", "Total")
    assert block.rows == (("Care homes", ("3", "12 (+2)", "–", "1", "20 (no change)")),)
    assert care.service_counts(rows.iloc[0:0]) is None and care.service_counts(None) is None
