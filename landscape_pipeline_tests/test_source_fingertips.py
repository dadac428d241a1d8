"""Tests of the Fingertips source: parser, periods, catalogue, bundled sample, validation and live loader."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses
from responses import matchers

from landscape_pipeline import geography, paths, schema
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.sources.base import THEMES
from landscape_pipeline.sources.fingertips import SOURCE, indicators, read_fingertips_csv
from landscape_pipeline.sources.fingertips.loader import DATA_URL, METADATA_URL, PROFILES_URL, batches, fetch_live
from landscape_pipeline.sources.fingertips.periods import parse_period
from landscape_pipeline.validation.runner import validate_frame

REFERENCE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "reference_data" / "fingertips"
REAL_EXPORTS = {
    "fingertips_all_data_ind200_learning_disability_qof_prev_gp.csv": "Compared to percentiles",
    "fingertips_all_data_ind91547_smoking_qof_EXCERPT_first40rows.csv": "Column not used",
}
BUNDLED = SOURCE.bundled_files(paths.data_sources_dir())
COVENTRY, HAMPSHIRE = "E08000026", "E10000014"
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"


def data_rows(path: Path) -> list[list[str]]:
    """Return the data rows of a CSV file (header excluded), read with the csv module."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))[1:]


def bundled(name: str) -> Path:
    return next(p for p in BUNDLED if p.name == name)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Each bundled file parsed once, by file name."""
    return {path.name: read_fingertips_csv(path) for path in BUNDLED}


@pytest.fixture(scope="module")
def parsed(frames) -> pd.DataFrame:
    return schema.conform(pd.concat(frames.values(), ignore_index=True))


def rewrite(src: Path, dest: Path, edit) -> Path:
    """Write ``src`` to ``dest`` after ``edit(rows)`` changes its list of rows (header first)."""
    with open(src, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    dest.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return dest


# --- bundled sample ---------------------------------------------------------------------------

def test_bundled_sample_has_a_file_per_indicator_and_tier_and_stays_small():
    expected = {f"fingertips_{i.indicator_id}_{indicators.AREA_TYPE_SLUGS[t]}_{t}.csv"
                for i in indicators.INDICATORS for t in i.area_type_ids}
    assert {p.name for p in BUNDLED} == expected
    folder = paths.data_sources_dir() / "fingertips"
    assert sum(p.stat().st_size for p in folder.iterdir()) < 6_000_000
    manifest = json.loads((folder / "provenance.json").read_text())
    assert manifest["synthetic"] is True and set(manifest["files"]) == expected


def test_bundled_files_keep_every_row_with_canonical_dtypes(frames, parsed):
    for path in BUNDLED:
        rows = data_rows(path)
        frame = frames[path.name]
        assert len(frame) == len(rows), path.name
        assert frame["source_row"].tolist() == list(range(1, len(rows) + 1))
        assert frame["area_code"].tolist() == [r[4] for r in rows]
        header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert len(header) == 27 and header[22] == "Compared to Region value or percentiles"
    assert list(parsed.columns) == list(schema.COLUMN_NAMES)
    assert parsed["value"].dtype == "float64" and parsed["count"].dtype == "float64"
    assert pd.api.types.is_string_dtype(parsed["area_code"]) and parsed["area_code"].str.len().eq(9).all()
    assert str(parsed["period_start"].dtype).startswith("datetime64")
    assert parsed["synthetic"].all() and parsed["source_url"].str.startswith(DATA_URL).all()
    assert len(parsed) == sum(len(data_rows(p)) for p in BUNDLED)


def test_bundled_files_cover_every_current_english_la(frames, parsed):
    las = geography.as_frame()
    england = las[las["nation_code"] == geography.ENGLAND]
    upper = set(england["upper_tier_code"])
    lower = set(england.loc[england["tier"].isin(["lower", "single"]), "area_code"])
    assert len(upper) == 153 and len(lower) == 296
    for path in BUNDLED:
        codes = set(frames[path.name]["area_code"])
        children = upper if path.stem.endswith("_502") else lower
        assert codes == children | {geography.ENGLAND} | {f"E1200000{i}" for i in range(1, 10)}, path.name
    for item in indicators.INDICATORS:
        rows = parsed[parsed["indicator_id"].eq(item.canonical_id) & parsed["is_latest"]]
        for code in (COVENTRY, HAMPSHIRE):
            assert rows.loc[rows["area_code"].eq(code), "value"].notna().all() and code in set(rows["area_code"])


def test_bundled_rows_follow_fingertips_conventions(frames, parsed):
    frame = frames["fingertips_40501_counties_uas_502.csv"]
    england = frame[frame["area_code"].eq(geography.ENGLAND)]
    assert len(england) == 12 and england["period_label"].value_counts().eq(2).all()  # England twice a period
    first = frame.iloc[0]
    assert (first["period_label"], first["period_start"], first["period_end"]) == (
        "2016 - 18", pd.Timestamp("2016-01-01"), pd.Timestamp("2018-12-31"))
    assert first["comparison"] == "Not compared" and frame["comparator_code"].eq("E92000001").all()
    las = frame[frame["area_type"].eq("Counties & UAs (from Apr 2023)")]
    assert (las["region_code"] == las["area_code"].map(geography.region_of)).all()
    assert las["region_comparison"].notna().all()
    assert frame.loc[frame["area_type"].isin(["England", "Regions"]), "region_comparison"].isna().all()
    assert set(frame["recent_trend"].dropna()) == set()  # no trend for 3-year pooled DSRs
    catalogue = indicators.BY_ID[40501]
    assert frame["value_type"].eq(catalogue.value_type).all() and frame["unit"].eq("per 100,000").all()
    assert frame["polarity"].eq("Low is good").all() and frame["age"].eq("<75 yrs").all()
    latest = parsed[parsed["is_latest"]]
    assert set(latest["period_label"]) == {"2021 - 23", "2023", "2022/23", "2021"}
    trend = latest.loc[latest["indicator_id"].eq("fingertips_one_year_net_survival"), "recent_trend"]
    assert trend.notna().all() and set(trend) <= {"Increasing and getting better", "No significant change",
                                                   "Decreasing and getting worse", "Cannot be calculated"}


def test_suppressed_rows_have_no_value_and_carry_the_note(parsed):
    suppressed = parsed[parsed["suppressed"]]
    assert 0 < len(suppressed) < 50
    assert suppressed["value"].isna().all() and suppressed["count"].isna().all()
    assert suppressed["value_note"].eq(SUPPRESSED_NOTE).all()
    assert suppressed["comparison"].eq("Not compared").all()
    assert not parsed.loc[parsed["value"].notna(), "suppressed"].any()


def test_bundled_values_are_internally_consistent(parsed):
    screening = parsed[parsed["indicator_id"].eq("fingertips_22001")].drop_duplicates(schema.KEY_COLUMNS)
    share = screening["count"] / screening["denominator"] * 100
    assert np.allclose(screening["value"], share, atol=0.006)
    assert (screening["lower_ci_99_8"] <= screening["lower_ci_95"]).all()
    latest = screening[screening["period_label"].eq("2023")].set_index("area_code")
    counties = latest[latest["area_type"].eq("Counties & UAs (from Apr 2023)")]
    assert counties["count"].sum() == latest.loc[geography.ENGLAND, "count"]
    oldest = parsed[parsed["indicator_id"].eq("fingertips_91720") & parsed["period_label"].eq("2018")]
    assert oldest["lower_ci_99_8"].isna().all() and oldest["lower_ci_95"].notna().all()


def test_bundled_data_pass_the_validation_suite(parsed):
    report = validate_frame(parsed, "fingertips", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


# --- real exports -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(REAL_EXPORTS))
def test_real_exports_parse_keeping_every_row(name):
    path = REFERENCE_DIR / name
    if not path.is_file():
        pytest.skip(f"real Fingertips export {path} is absent (shared reference data not mounted)")
    header = path.read_text(encoding="utf-8-sig").split("\n", 1)[0].split(",")
    assert header[22] == REAL_EXPORTS[name]
    rows = data_rows(path)
    frame = read_fingertips_csv(path)
    assert len(frame) == len(rows)
    assert frame["area_code"].tolist() == [r[4] for r in rows]
    assert frame["value_type"].eq("other").all() and frame["polarity"].isin(
        ["High is good", "Low is good", "No judgement", "Not applicable"]).all()
    assert frame["period_start"].notna().all() and not frame["synthetic"].any()
    assert frame["region_comparison"].isna().all()  # the parent is England, never a region
    england = frame[frame["area_code"].eq(geography.ENGLAND) & frame["category_type"].isna()]
    assert england.duplicated(["period_label"]).any() or name.startswith("fingertips_all_data_ind91547")


def test_real_gp_export_reads_codes_as_text_and_financial_years():
    path = REFERENCE_DIR / "fingertips_all_data_ind200_learning_disability_qof_prev_gp.csv"
    if not path.is_file():
        pytest.skip(f"real Fingertips export {path} is absent (shared reference data not mounted)")
    frame = read_fingertips_csv(path)
    gp = frame[frame["area_type"].eq("GPs")]
    assert len(gp) == 126 and gp["area_code"].str.match(r"^[A-Z]\d{5}$").all()
    row = frame[frame["period_label"].eq("2014/15")].iloc[0]
    assert (row["period_start"], row["period_end"]) == (pd.Timestamp("2014-04-01"), pd.Timestamp("2015-03-31"))
    assert frame["polarity"].eq("No judgement").all()  # only Higher/Lower/Similar labels are published
    assert frame.loc[frame["recent_trend"].notna(), "period_label"].eq("2022/23").all()


# --- edge cases -------------------------------------------------------------------------------

@pytest.fixture
def small_export(tmp_path) -> Path:
    """A 20-row slice of a bundled file (England, regions and a few LAs)."""
    source = bundled("fingertips_22001_counties_uas_502.csv")
    return rewrite(source, tmp_path / "small.csv", lambda rows: rows.__delitem__(slice(21, None)))


def test_26_column_export_without_time_period_range(small_export, tmp_path):
    path = rewrite(small_export, tmp_path / "cols26.csv", lambda rows: [r.pop() for r in rows])
    frame = read_fingertips_csv(path)
    assert len(frame) == 20 and frame["period_end"].eq(pd.Timestamp("2018-12-31")).all()


def test_column_23_is_read_by_position(small_export, tmp_path):
    label = "Compared to Counties & UAs (from Apr 2021) value or percentiles"
    path = rewrite(small_export, tmp_path / "col23.csv", lambda rows: rows[0].__setitem__(22, label))
    frame = read_fingertips_csv(path)
    original = read_fingertips_csv(small_export)
    assert frame["region_comparison"].equals(original["region_comparison"])
    assert frame["region_comparison"].notna().sum() == 9  # the 9 LA rows have a region parent


def test_broken_number_names_file_row_and_column(small_export, tmp_path):
    path = rewrite(small_export, tmp_path / "broken.csv", lambda rows: rows[3].__setitem__(13, "71.2x"))
    with pytest.raises(SourceDataError) as info:
        read_fingertips_csv(path)
    assert (info.value.row, info.value.column) == (3, "Lower CI 95.0 limit")
    assert "broken.csv, row 3 (line 4), column 'Lower CI 95.0 limit'" in str(info.value) and "71.2x" in str(info.value)


def test_missing_column_is_named(small_export, tmp_path):
    path = rewrite(small_export, tmp_path / "nocount.csv", lambda rows: [r.pop(17) for r in rows])
    with pytest.raises(SourceDataError, match=r"nocount\.csv.*'Count'.*missing"):
        read_fingertips_csv(path)


def test_renamed_fixed_column_is_rejected_and_an_appended_column_ignored(small_export, tmp_path):
    renamed = rewrite(small_export, tmp_path / "renamed.csv", lambda rows: rows[0].__setitem__(12, "Val"))
    with pytest.raises(SourceDataError, match="column 13 is 'Val'"):
        read_fingertips_csv(renamed)
    # a later release appending a named column: the known columns are still checked by name and read as before
    extra = rewrite(small_export, tmp_path / "extra.csv",
                    lambda rows: [r.append("Notes" if i == 0 else "x") for i, r in enumerate(rows)])
    cols = ["indicator_id", "area_code", "sex", "age", "period_label", "value", "lower_ci_95", "upper_ci_95",
            "count", "denominator", "comparison", "period_start", "source_row"]
    pd.testing.assert_frame_equal(read_fingertips_csv(extra)[cols], read_fingertips_csv(small_export)[cols])
    for header in ("", "Value"):  # a column without a header, or a known one repeated, is not a new column
        bad = rewrite(small_export, tmp_path / "bad.csv",
                      lambda rows, h=header: [r.append(h if i == 0 else "x") for i, r in enumerate(rows)])
        with pytest.raises(SourceDataError, match="after the Fingertips columns"):
            read_fingertips_csv(bad)


def test_bom_and_crlf_read_like_the_plain_file(small_export, tmp_path):
    text = small_export.read_text(encoding="utf-8")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    left, right = read_fingertips_csv(path), read_fingertips_csv(small_export)
    cols = ["area_code", "value", "lower_ci_99_8", "count", "comparison", "period_start"]
    pd.testing.assert_frame_equal(left[cols], right[cols])


def test_blank_lines_do_not_shift_region_columns(tmp_path):
    """A blank line or a line of bare commas (a hand-edited export) is skipped without moving the parent
    (region) columns onto other rows: every row keeps its own region and region comparison."""
    src = bundled("fingertips_22001_counties_uas_502.csv")
    lines = src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    gapped = tmp_path / src.name
    gapped.write_text("".join([*lines[:5], "\n", "," * 26 + "\n", *lines[5:]]), encoding="utf-8")
    left, right = read_fingertips_csv(gapped), read_fingertips_csv(src)
    cols = ["area_code", "value", "region_code", "region_comparison", "region_value", "comparator_value"]
    assert right["region_code"].notna().sum() > 100  # the file does have regions to shift
    pd.testing.assert_frame_equal(left[cols], right[cols])
    assert left["source_row"].iloc[4] == right["source_row"].iloc[4] + 2  # rows still name their file line


def test_codes_stay_text_and_unknown_periods_use_the_sortable_anchor(small_export, tmp_path):
    def edit(rows):
        rows[12][4] = "01234"
        rows[13][11], rows[13][23], rows[13][26] = "2018 cohort", "20180000", "3y"

    frame = read_fingertips_csv(rewrite(small_export, tmp_path / "odd.csv", edit))
    assert frame.loc[11, "area_code"] == "01234"
    assert (frame.loc[12, "period_start"], frame.loc[12, "period_end"]) == (
        pd.Timestamp("2018-01-01"), pd.Timestamp("2020-12-31"))


def test_inconsistent_sortable_and_blank_required_cell_are_rejected(small_export, tmp_path):
    clash = rewrite(small_export, tmp_path / "clash.csv", lambda rows: rows[5].__setitem__(23, "20170000"))
    with pytest.raises(SourceDataError, match=r"row 5 \(line 6\), column 'Time period Sortable'"):
        read_fingertips_csv(clash)
    blank = rewrite(small_export, tmp_path / "blank.csv", lambda rows: rows[2].__setitem__(4, ""))
    with pytest.raises(SourceDataError, match=r"row 2 \(line 3\), column 'Area Code'"):
        read_fingertips_csv(blank)


def test_header_only_export_gives_an_empty_canonical_frame(small_export, tmp_path):
    frame = read_fingertips_csv(rewrite(small_export, tmp_path / "empty.csv", lambda rows: rows.__delitem__(
        slice(1, None))))
    assert frame.empty and list(frame.columns) == list(schema.COLUMN_NAMES)


@pytest.mark.parametrize(("label", "start", "end"), [
    ("2022", date(2022, 1, 1), date(2022, 12, 31)),
    ("2022/23", date(2022, 4, 1), date(2023, 3, 31)),
    ("2021 - 23", date(2021, 1, 1), date(2023, 12, 31)),
    ("1999 - 01", date(1999, 1, 1), date(2001, 12, 31)),
    ("2020/21 - 22/23", date(2020, 4, 1), date(2023, 3, 31)),
    ("2023/24 Q1", date(2023, 4, 1), date(2023, 6, 30)),
    ("2023/24 Q4", date(2024, 1, 1), date(2024, 3, 31)),
    ("2023 Q3", date(2023, 7, 1), date(2023, 9, 30)),
    ("Jan 2024", date(2024, 1, 1), date(2024, 1, 31)),
    ("February 2024", date(2024, 2, 1), date(2024, 2, 29)),
    ("Apr 2023 - Mar 2024", date(2023, 4, 1), date(2024, 3, 31)),
])
def test_period_labels(label, start, end):
    assert parse_period(label) == (start, end)


@pytest.mark.parametrize("label", ["", "cohort", "2022/23 Q5", "Foo 2024"])
def test_unparsable_period_labels(label):
    assert parse_period(label) is None


# --- validation failures ----------------------------------------------------------------------

def test_validation_names_file_row_and_column_of_bad_rows(tmp_path):
    def copy(source: str, name: str, row: int, column: int, text: str) -> pd.DataFrame:
        def edit(rows):
            rows[row][column] = text
            del rows[61:]  # a 60-row slice keeps the test fast

        return read_fingertips_csv(rewrite(bundled(source), tmp_path / name, edit))

    bad_ci = copy("fingertips_93561_counties_uas_502.csv", "bad_ci.csv", 40, 13, "99.9")
    bad_code = copy("fingertips_93560_counties_uas_502.csv", "bad_code.csv", 30, 4, "E06999999")
    report = validate_frame(pd.concat([bad_ci, bad_code], ignore_index=True), "fingertips",
                            column_labels=SOURCE.column_labels, extra_expectations=SOURCE.extra_expectations())
    assert not report.passed and len(report.failures) == 2, report.text()
    text = report.text()
    assert "The lower 95% limit is not above the value" in text
    assert re.search(r"bad_ci\.csv, row 40, column '(Lower CI 95\.0 limit|Value)'.*Lower CI 95\.0 limit=99\.9", text)
    assert re.search(r"bad_code\.csv, row 30, column 'Area Code'.*E06999999", text)


def test_source_parse_concatenates_files():
    pair = [bundled("fingertips_276_counties_uas_502.csv"), bundled("fingertips_276_districts_uas_501.csv")]
    frame = SOURCE.parse(pair, None)
    assert len(frame) == sum(len(data_rows(p)) for p in pair)
    assert frame["source_file"].drop_duplicates().tolist() == [p.name for p in pair]


# --- catalogue and source spec ----------------------------------------------------------------

def test_catalogue_entries():
    mortality = indicators.indicator("fingertips_40501")
    assert (mortality.value_type, mortality.unit, mortality.polarity, mortality.theme) == (
        "DSR", "per 100,000", "Low is good", "Mortality and survival")
    for screening in (22001, 93560, 93561, 91720):
        item = indicators.BY_ID[screening]
        assert (item.value_type, item.unit, item.polarity, item.period_kind) == (
            "proportion", "%", "High is good", indicators.CALENDAR_YEAR)
        assert item.theme == "Screening and early diagnosis"
    prevalence = indicators.BY_ID[276]
    assert (prevalence.polarity, prevalence.theme) == ("No judgement", "Prevalence and incidence")
    assert indicators.BY_ID[91355].theme == "Hospital activity" and indicators.BY_ID[91355].polarity == "Low is good"
    assert {900001, 900002, 900101, 900102, 900103, 900104, 900105} == indicators.PLACEHOLDER_IDS
    assert indicators.match_name("Cancer screening coverage: bowel cancer").indicator_id == 91720
    assert indicators.match_name("Learning disability: QOF prevalence") is None


def test_source_spec():
    assert SOURCE.source_id == "fingertips" and SOURCE.disclosure_rule == "none"
    assert SOURCE.publisher == "Office for Health Improvement and Disparities (OHID)"
    assert SOURCE.column_labels["lower_ci_95"] == "Lower CI 95.0 limit"
    assert all(SOURCE.theme_of(i.canonical_id) in THEMES for i in indicators.INDICATORS)
    assert SOURCE.theme_of("fingertips_40501") == "Mortality and survival"
    assert len(SOURCE.extra_expectations()) >= 5


# --- live loader ------------------------------------------------------------------------------

def export_body(indicator_id: int) -> bytes:
    """Return a short real-format export for one indicator (a slice of the bundled file)."""
    path = bundled(f"fingertips_{indicator_id}_counties_uas_502.csv")
    return "\n".join(path.read_text(encoding="utf-8").split("\n")[:12]).encode()


def data_query(ids: str, area_type: int) -> matchers:
    return matchers.query_param_matcher({"indicator_ids": ids, "child_area_type_id": str(area_type),
                                         "parent_area_type_id": "6"})


@pytest.fixture
def fetcher() -> HttpFetcher:
    return HttpFetcher(timeout_seconds=5, retries=2, backoff_seconds=0)


@responses.activate
def test_fetch_live_saves_checked_snapshots_with_sha256(fetcher, tmp_path):
    body = export_body(40501)
    for area_type in (502, 501):
        responses.add(responses.GET, DATA_URL, body=body, match=[data_query("40501,22001", area_type)])
    saved = fetch_live(fetcher, tmp_path, indicator_ids=[40501, 22001])
    assert len(saved) == 2 and [p.name.split("_", 1)[1] for p in saved] == [
        "fingertips_all_data_counties_uas_502_batch1.csv", "fingertips_all_data_districts_uas_501_batch1.csv"]
    for path in saved:
        meta = json.loads(path.with_name(path.name + ".meta.json").read_text())
        assert meta["sha256"] == sha256_of(path) and meta["url"].startswith(DATA_URL) and not meta["synthetic"]
        frame = read_fingertips_csv(path)
        assert len(frame) == 11 and not frame["synthetic"].any() and frame["source_url"].str.startswith(DATA_URL).all()


@responses.activate
def test_fetch_live_retries_after_a_503(fetcher, tmp_path):
    responses.add(responses.GET, DATA_URL, status=503)
    responses.add(responses.GET, DATA_URL, body=export_body(22001), match=[data_query("22001", 502)])
    saved = fetch_live(fetcher, tmp_path, indicator_ids=[22001], area_type_ids=[502])
    assert len(saved) == 1 and len(responses.calls) == 2


@responses.activate
def test_fetch_live_rejects_html_and_foreign_csv(fetcher, tmp_path):
    responses.add(responses.GET, DATA_URL, body="<!DOCTYPE html><html>Service unavailable</html>")
    with pytest.raises(FetchError, match="HTML"):
        fetch_live(fetcher, tmp_path, indicator_ids=[22001], area_type_ids=[502])
    responses.replace(responses.GET, DATA_URL, body="Area,Value\nE06000001,1\n")
    with pytest.raises(FetchError, match="not return a Fingertips CSV"):
        fetch_live(fetcher, tmp_path, indicator_ids=[22001], area_type_ids=[502])
    responses.replace(responses.GET, DATA_URL, body=export_body(40501))
    with pytest.raises(FetchError, match="not requested"):
        fetch_live(fetcher, tmp_path, indicator_ids=[22001], area_type_ids=[502])


@responses.activate
def test_fetch_live_resolves_placeholders_by_name_and_skips_unresolved(fetcher, tmp_path):
    metadata = "Indicator ID,Indicator,Definition\n93001,Cancer survival: one-year net survival (all cancers),x\n"
    for profile in (92, 19, 26):
        responses.add(responses.GET, METADATA_URL, body=metadata if profile == 92 else "Indicator ID,Indicator\n",
                      match=[matchers.query_param_matcher({"profile_id": str(profile)})])
    body = export_body(900001).replace(b"900001,", b"93001,")
    responses.add(responses.GET, DATA_URL, body=body, match=[data_query("93001", 502)])
    saved = fetch_live(fetcher, tmp_path, indicator_ids=[900001, 900002], area_type_ids=[502, 501])
    assert len(saved) == 1  # survival resolved (502 only); stage unresolved and never requested
    frame = read_fingertips_csv(saved[0])
    # the live id 93001 gets the same canonical id as the bundled stand-in 900001 (never fingertips_93001)
    assert frame["indicator_id"].eq("fingertips_one_year_net_survival").all()
    assert frame["value_type"].eq("proportion").all()
    assert frame["polarity"].eq("High is good").all()


def test_batches_respect_the_api_limit():
    chunks = batches([*range(1, 251), 5])
    assert [len(c) for c in chunks] == [100, 100, 50] and chunks[0][0] == 1 and chunks[2][-1] == 250


def test_a_period_ending_after_today_is_refused_naming_row_and_line(small_export, tmp_path):
    import datetime as dt

    def future(rows):
        rows[4][11], rows[4][23] = "2031 - 33", "20310000"

    path = rewrite(small_export, tmp_path / "future.csv", future)
    with pytest.raises(SourceDataError, match="ends after today") as caught:
        read_fingertips_csv(path)
    assert (caught.value.row, caught.value.line, caught.value.column) == (4, 5, "Time period")
    frame = read_fingertips_csv(small_export, today=dt.date(2099, 1, 1))
    last = frame["period_end"].max()
    with pytest.raises(SourceDataError, match="ends after today"):
        read_fingertips_csv(small_export, today=(pd.Timestamp(last) - pd.Timedelta(days=1)).date())


def test_real_exports_pass_landscape_validate(reference_data, capsys):
    from landscape_pipeline.cli.validate import run_validate

    exports = sorted((reference_data / "fingertips").glob("fingertips_all_data_*.csv"))
    assert len(exports) == 2
    for path in exports:
        assert run_validate([path], "fingertips") == 0, capsys.readouterr().out
    ld = read_fingertips_csv(exports[0])
    assert len(ld) == 464 and set(ld["area_type"]) >= {"GPs"}
    england = ld[(ld["area_code"] == "E92000001") & ld["category_type"].isna()]
    gps = ld[ld["area_type"] == "GPs"]
    assert (england["count"] >= gps.groupby("period_label")["count"].sum().reindex(england["period_label"]).to_numpy()
            ).all()  # the England register holds at least the listed practices' registers


def test_placeholder_ids_are_the_same_in_bundled_and_live_mode() -> None:
    """The bundled stand-in id and an id resolved by name when live give one canonical id."""
    survival = indicators.BY_ID[900001]
    assert survival.canonical_id == "fingertips_one_year_net_survival"
    assert indicators.canonical_id_for("900001", "anything") == survival.canonical_id
    live_name = "Cancer survival: One-year net survival for all cancers (adults aged 15-99)"
    assert indicators.canonical_id_for("93999", live_name) == survival.canonical_id
    assert indicators.canonical_id_for("93999", "Early stage: cancers diagnosed at stage 1 & 2") == \
        indicators.BY_ID[900002].canonical_id
    # real catalogued ids keep their number; a non-placeholder name match does not steal an unknown id
    assert indicators.canonical_id_for("22001", "x") == "fingertips_22001"
    assert indicators.canonical_id_for("12345", "Cancer screening coverage: bowel cancer (aged 50-74)") == \
        "fingertips_12345"


# --- OHID Palliative and End of Life Care profile ----------------------------------------------------------------

EOL_PROFILE_ID = 4242  # any id: the test proves it is read from /api/profiles, not assumed


def test_end_of_life_indicators_are_catalogued_for_counties_and_resolved_by_profile():
    eol = [i for i in indicators.INDICATORS if i.theme == "End of life care"]
    assert {i.indicator_id for i in eol} == {900101, 900102, 900103, 900104, 900105}
    assert all(i.placeholder and i.profile_key == "end-of-life" and i.area_type_ids == (502,) for i in eol)
    named = {"Deaths in usual place of residence (DiUPR)": 900101,
             "Percentage of deaths that occur in hospital": 900102,
             "Percentage of cancer deaths that occur in hospital": 900103,
             "Percentage of cancer deaths that occur at home": 900104,
             "Percentage of cancer deaths that occur in a hospice": 900105,
             "Deaths in Usual Place of Residence: People with dementia aged 65+": None,
             "Percentage of cancer deaths that occur in care homes": None}
    assert {name: getattr(indicators.match_name(name), "indicator_id", None) for name in named} == named


@responses.activate
def test_fetch_live_resolves_end_of_life_ids_from_the_profile_found_at_run_time(fetcher, tmp_path):
    responses.add(responses.GET, PROFILES_URL, json=[
        {"Id": 92, "Name": "Cancer Services", "Key": "cancerservices"},
        {"Id": EOL_PROFILE_ID, "Name": "Palliative and End of Life Care Profiles", "Key": "end-of-life"}])
    metadata = ("Indicator ID,Indicator,Definition\n"
                "93476,Deaths in usual place of residence (DiUPR),x\n"
                "93481,Percentage of cancer deaths that occur in hospital,x\n"
                "91887,Deaths in Usual Place of Residence: People with dementia aged 65+,x\n")
    responses.add(responses.GET, METADATA_URL, body=metadata,
                  match=[matchers.query_param_matcher({"profile_id": str(EOL_PROFILE_ID)})])
    body = export_body(900101).replace(b"900101,", b"93476,")
    other = export_body(900103).replace(b"900103,", b"93481,")
    responses.add(responses.GET, DATA_URL, body=body + b"\n" + b"\n".join(other.split(b"\n")[1:]),
                  match=[data_query("93476,93481", 502)])
    saved = fetch_live(fetcher, tmp_path, indicator_ids=[900101, 900103, 900104], area_type_ids=[502, 501])
    assert len(saved) == 1  # 900104 not in the metadata: never requested; nothing at 501
    frame = read_fingertips_csv(saved[0])
    # live ids 93476 and 93481 get the same canonical ids as the bundled stand-ins 900101 and 900103
    assert set(frame["indicator_id"]) == {"fingertips_deaths_usual_place_of_residence",
                                          "fingertips_cancer_deaths_in_hospital"}
    assert frame["value_type"].eq("proportion").all()
    assert set(frame.groupby("indicator_id")["polarity"].first()) == {"High is good", "No judgement"}


@responses.activate
def test_an_unknown_profile_key_skips_its_indicators_only(fetcher, tmp_path):
    responses.add(responses.GET, PROFILES_URL, json=[{"Id": 92, "Name": "Cancer Services", "Key": "cancerservices"}])
    responses.add(responses.GET, DATA_URL, body=export_body(22001), match=[data_query("22001", 502)])
    saved = fetch_live(fetcher, tmp_path, indicator_ids=[22001, 900101], area_type_ids=[502])
    assert len(saved) == 1 and read_fingertips_csv(saved[0])["indicator_id"].eq("fingertips_22001").all()
