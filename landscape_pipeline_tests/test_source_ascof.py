"""ASCOF: both CSV layouts and Oflog's table, the code crosswalk across 2023-24, markers as notes, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.ascof import SOURCE
from landscape_pipeline.sources.ascof.loader import PAGES_ENV, fetch_live, find_csv_links, saved_name
from landscape_pipeline.sources.ascof.measures import (
    FRAMEWORK_2014,
    FRAMEWORK_2023,
    MEASURES,
    codes_for,
    indicator_for,
)
from landscape_pipeline.sources.ascof.parser import parse
from landscape_pipeline.sources.ascof.reader import BLANK_NOTE, EARLIER, LONG, OFLOG, read_ascof, year_from_text
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "ascof"
COVENTRY, DURHAM, TOWER_HAMLETS = "E08000026", "E06000047", "E09000030"
EARLIER_HEADER = ["Geographical Description", "Geographical Level", "ONS Code", "Measure Group",
                  "Measure Group Description", "Disaggregation Level", "Measure Type", "Measure_Value"]
CONTROL = "The proportion of people who use services who have control over their daily life"


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def earlier_rows(code: str, description: str, value: object = "77.1", ons: str = COVENTRY,
                 level: str = "Council", label: str = "Total") -> list[list[object]]:
    return [["Some area", level, ons, code, description, label, kind, text]
            for kind, text in (("Outcome", value), ("Numerator", "771"), ("Denominator", "1000"))]


def test_bundled_years_read_through_both_layouts(parsed):
    layouts = {p.name: read_ascof(p).layout for p in SOURCE.bundled_files(paths.data_sources_dir())}
    assert layouts == {"ascof-2022-23.csv": EARLIER, "ascof-2023-24.csv": EARLIER, "ascof-2024-25.csv": LONG}
    councils = {la.area_code for la in geography.current_local_authorities()
                if la.nation_code == geography.ENGLAND and la.tier != "lower"}
    totals = parsed[(parsed["sex"] == "Persons") & (parsed["age"] == "18+ yrs")]
    for (period, indicator_id), rows in totals.groupby(["period_label", "indicator_id"]):
        assert councils <= set(rows["area_code"]), (period, indicator_id)
        assert (rows["area_type"] == "Region").sum() == 9 and (rows["area_code"] == geography.ENGLAND).sum() == 1
    assert sorted(parsed["period_label"].unique()) == ["2022/23", "2023/24", "2024/25"]
    assert set(parsed["indicator_id"]) == set(MEASURES)
    assert not parsed["area_code"].str.startswith("E07").any()


def test_each_site_has_every_measure_in_every_year(parsed):
    for code in (COVENTRY, DURHAM, TOWER_HAMLETS):
        rows = parsed[(parsed["area_code"] == code) & (parsed["sex"] == "Persons") & (parsed["age"] == "18+ yrs")]
        assert len(rows) == len(MEASURES) * 3 and rows["value"].notna().all(), code
        scores = rows[rows["value_type"] == "score"]
        assert scores["count"].isna().all() and scores["denominator"].notna().all()  # sums of scores are no counts


def test_crosswalk_maps_the_renumbered_information_measures_to_one_series(parsed):
    assert codes_for("ascof_info_easy_users") == {FRAMEWORK_2014: "3D(1)", FRAMEWORK_2023: "3A"}
    assert indicator_for(FRAMEWORK_2014, "3A") is None  # 3A meant overall satisfaction before 2023-24
    assert indicator_for(FRAMEWORK_2023, "ascof 3a") == indicator_for(FRAMEWORK_2014, "3d1") == "ascof_info_easy_users"
    series = parsed[(parsed["indicator_id"] == "ascof_info_easy_users") & (parsed["area_code"] == COVENTRY)
                    & (parsed["sex"] == "Persons") & (parsed["age"] == "18+ yrs")]
    assert list(series.sort_values("period_start")["period_label"]) == ["2022/23", "2023/24", "2024/25"]


def test_region_and_england_values_are_their_councils_ratios(parsed):
    england = parsed[(parsed["area_code"] == geography.ENGLAND) & (parsed["indicator_id"] == "ascof_control_daily_life")
                     & (parsed["period_label"] == "2024/25") & (parsed["sex"] == "Persons")
                     & (parsed["age"] == "18+ yrs")].iloc[0]
    assert england["value"] == pytest.approx(england["count"] / england["denominator"] * 100, abs=0.05)


def test_blank_and_marker_cells_are_kept_as_notes(parsed):
    scilly = parsed[(parsed["area_code"] == "E06000053") & (parsed["indicator_id"] == "ascof_carer_qol")]
    assert scilly["value"].isna().all() and (scilly["value_note"] == BLANK_NOTE).all()
    assert not scilly["suppressed"].any() and scilly["count"].isna().all()
    city = parsed[(parsed["area_code"] == "E09000001") & (parsed["period_label"] == "2024/25")
                  & (parsed["sex"] == "Male")]
    assert city["suppressed"].all() and city["value"].isna().all() and city["count"].isna().all()
    assert city["value_note"].str.contains("'[c]'", regex=False).all()


def test_markers_that_are_not_suppression_are_not_marked_suppressed(tmp_path):
    path = write(tmp_path / "ascof-2022-23.csv", EARLIER_HEADER, earlier_rows("1B", CONTROL, value="x"))
    row = parse([path]).iloc[0]
    assert np.isnan(row["value"]) and not row["suppressed"] and "not available" in row["value_note"]
    assert np.isnan(row["count"])


def test_real_oflog_excerpt_reads_with_its_blank(reference_data):
    path = reference_data / "candidates" / "ascof" / "oflog_ascof_outcome_excerpt.csv"
    assert read_ascof(path).layout == OFLOG
    frame = parse([path])
    assert len(frame) == 8 and set(frame["indicator_id"]) == {"ascof_carer_qol"}
    assert set(frame["period_label"]) == {"2016/17"} and not frame["synthetic"].any()
    coventry = frame[frame["area_code"] == COVENTRY].iloc[0]
    assert coventry["value"] == 7.2 and coventry["source_row"] == 3
    scilly = frame[frame["area_code"] == "E06000053"].iloc[0]
    assert np.isnan(scilly["value"]) and scilly["value_note"] == BLANK_NOTE


def test_long_layout_header_from_the_guidance_reads(reference_data, tmp_path):
    header_file = reference_data / "candidates" / "ascof" / "ascof_2024_25_csv_header_from_guidance.csv"
    header = next(csv.reader(header_file.open(encoding="utf-8-sig")))
    rows = [["England", "England", "England", "E92000001", "1B", "Total", kind, value]
            for kind, value in (("Outcome", "75.0"), ("Numerator", "750"), ("Denominator", "1000"))]
    rows += [["112", "Coventry", "Local authority", COVENTRY, "1B", "18 to 64", "Outcome", "70.5"],
             ["112", "Coventry", "Council type", "E08", "1B", "Total", "Outcome", "71.0"]]
    path = write(tmp_path / "ascof-2024-25.csv", header, rows)
    assert read_ascof(path).layout == LONG
    frame = parse([path])
    assert set(frame["area_code"]) == {geography.ENGLAND, COVENTRY}
    young = frame[frame["area_code"] == COVENTRY].iloc[0]
    assert (young["age"], young["value"], young["indicator_id"]) == ("18-64 yrs", 70.5, "ascof_control_daily_life")
    assert frame[frame["area_code"] == geography.ENGLAND].iloc[0][["count", "denominator"]].tolist() == [750, 1000]


@pytest.mark.parametrize("value_column", ["Measure_Value", "Measure Value"])
def test_earlier_layout_columns_seen_in_analyst_code_read(reference_data, tmp_path, value_column):
    listed = (reference_data / "candidates" / "ascof" / "ascof_pre2024_csv_columns_from_code.txt").read_text()
    header = [line.split("  ")[0].strip() for line in listed.splitlines() if line.strip()]
    header[header.index("Measure_Value")] = value_column
    path = write(tmp_path / "meas-from-asc-of-eng-2223.csv", header, earlier_rows("1B", CONTROL))
    frame = parse([path])
    assert frame.iloc[0][["indicator_id", "period_label", "value"]].tolist() == [
        "ascof_control_daily_life", "2022/23", 77.1]


def test_code_whose_description_disagrees_with_the_crosswalk_fails_naming_row_and_column(tmp_path):
    rows = earlier_rows("1B", CONTROL) + earlier_rows("3A", "Overall satisfaction of people who use services")
    path = write(tmp_path / "ascof-2023-24.csv", EARLIER_HEADER, rows)
    with pytest.raises(SourceDataError) as err:
        parse([path])
    assert (err.value.row, err.value.column) == (4, "Measure Group Description")
    assert "crosswalk" in str(err.value)


def test_file_of_measures_not_kept_is_refused(tmp_path):
    path = write(tmp_path / "ascof-2022-23.csv", EARLIER_HEADER,
                 earlier_rows("3A", "Overall satisfaction of people who use services"))
    with pytest.raises(SourceDataError, match="none of the ASCOF measures"):
        parse([path])


@pytest.mark.parametrize(("rows", "row", "column", "message"), [
    (earlier_rows("1B", CONTROL, value="seventy"), 1, "Measure_Value", "not a number"),
    (earlier_rows("1B", CONTROL, value="-3"), 1, "Measure_Value", "negative"),
    (earlier_rows("1B", CONTROL, level="Ward"), 1, "Geographical Level", "Ward"),
    (earlier_rows("1B", CONTROL, ons="E07000171"), 1, "ONS code", "not the ONS code of an English council"),
    (earlier_rows("1B", CONTROL, ons="E12000099", level="Region"), 1, "ONS code", "region"),
    (earlier_rows("1B", CONTROL) + earlier_rows("1B", CONTROL), 4, "Measure type", "twice"),
])
def test_bad_rows_fail_naming_row_and_column(tmp_path, rows, row, column, message):
    path = write(tmp_path / "ascof-2022-23.csv", EARLIER_HEADER, rows)
    with pytest.raises(SourceDataError) as err:
        parse([path])
    assert (err.value.row, err.value.column) == (row, column)
    assert message in str(err.value)


def test_same_year_twice_and_unnamed_year_are_refused(tmp_path):
    first = write(tmp_path / "ascof-2022-23.csv", EARLIER_HEADER, earlier_rows("1B", CONTROL))
    second = write(tmp_path / "copy_2022_23.csv", EARLIER_HEADER, earlier_rows("1B", CONTROL))
    with pytest.raises(SourceDataError, match="already gives"):
        parse([first, second])
    nameless = write(tmp_path / "ascof.csv", EARLIER_HEADER, earlier_rows("1B", CONTROL))
    with pytest.raises(SourceDataError, match="financial year"):
        parse([nameless])


def test_unknown_layout_names_its_header(tmp_path):
    path = write(tmp_path / "ascof-2022-23.csv", ["Area", "Value"], [["Coventry", "1"]])
    with pytest.raises(SourceDataError, match="'Area', 'Value'"):
        parse([path])


@given(start=st.integers(2010, 2049), sep=st.sampled_from(["-", "_", " to ", "/", ""]), long_end=st.booleans())
def test_financial_year_is_found_in_file_names(start, sep, long_end):
    end = str(start + 1) if long_end else f"{(start + 1) % 100:02d}"
    assert year_from_text(f"ascof measures {start}{sep}{end} final.csv") == start


def test_year_from_text_rejects_years_that_do_not_follow():
    assert year_from_text("ascof-2024-26.csv") is None and year_from_text("published-2025-12-18.csv") is None
    assert year_from_text("meas-from-asc-of-eng-2223-csv.csv") == 2022


def test_fractions_instead_of_percentages_fail_only_the_plausibility_and_consistency_rules(parsed):
    """One year of the bundled data passes every expectation but the two rules fractions break: the measure's
    plausibility range and the canonical check that a proportion agrees with its count and denominator (the whole
    bundle is validated by the end-to-end build)."""
    broken = parsed[parsed["period_label"] == "2024/25"].copy()
    control = broken["indicator_id"] == "ascof_control_daily_life"
    broken.loc[control, "value"] = broken.loc[control, "value"] / 100  # published as fractions
    report = validate_frame(broken, "ascof", extra_expectations=SOURCE.extra_expectations())
    assert sorted(f.description for f in report.failures) == sorted([
        "A proportion agrees with its count and denominator (within the publisher's rounding).",
        next(e.meta["description"] for e in SOURCE.extra_expectations()
             if e.meta["description"].startswith("Plausibility: at least 99% of People who use services who have"))])


GOV_PAGE = ('<a href="/media/abc/ascof-csv-2024-25.csv">CSV</a>'
            '<a href="https://assets.publishing.service.gov.uk/media/x/Measures_from_ASCOF_2024-25.csv">data</a>'
            '<a href="/media/abc/pre-release-access-list.csv">list</a>')


def test_csv_links_and_saved_names():
    links = find_csv_links(GOV_PAGE, "https://www.gov.uk/government/statistics/x")
    assert links == ["https://www.gov.uk/media/abc/ascof-csv-2024-25.csv",
                     "https://assets.publishing.service.gov.uk/media/x/Measures_from_ASCOF_2024-25.csv"]
    assert saved_name("https://files.digital.nhs.uk/a/ASCOF_measures.csv", "2022-23") == \
        "ascof-2022-23__ASCOF_measures.csv"
    assert saved_name(links[0], "2024-25") == "ascof-csv-2024-25.csv"


@responses.activate
def test_live_loader_fetches_each_configured_year(tmp_path, monkeypatch):
    page = "https://example.org/ascof-page"
    monkeypatch.setattr("landscape_pipeline.sources.ascof.loader.PAGES", {})
    monkeypatch.setenv(PAGES_ENV, f"2024-25={page}")
    responses.get(page, body='<a href="/files/ascof-data.csv">CSV</a>')
    body = (FOLDER / "ascof-2024-25.csv").read_bytes()[:2_000]
    responses.get("https://example.org/files/ascof-data.csv", body=body)
    saved = fetch_live(HttpFetcher(retries=0), tmp_path)
    assert len(saved) == 1 and saved[0].name.endswith("ascof-2024-25__ascof-data.csv")
    assert year_from_text(saved[0].name) == 2024
    responses.get(page, body="<html>no data</html>")
    with pytest.raises(FetchError, match="links no ASCOF CSV"):
        fetch_live(HttpFetcher(retries=0), tmp_path / "again")
    monkeypatch.setenv(PAGES_ENV, "not-a-pair")
    with pytest.raises(FetchError, match="YEAR=URL"):
        fetch_live(HttpFetcher(retries=0), tmp_path / "bad")
