"""GP Patient Survey: question map per year, registration-weighted LA figures (modelled), suppression, bad input."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.geography.lsoa import LSOA21_FILE
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.sources.gpps import SOURCE
from landscape_pipeline.sources.gpps import loader as gpps_loader
from landscape_pipeline.sources.gpps.parser import MIN_COVERAGE, NOT_GIVEN, parse
from landscape_pipeline.sources.gpps.questions import QUESTIONS, questions_for
from landscape_pipeline.sources.gpps.reader import read_practice_results, survey_year
from landscape_pipeline.sources.gpps.weights import shared_registration_files
from landscape_pipeline.sources.qof_prevalence.extracts import MAX_YEARS_ENV
from landscape_pipeline.sources.qof_prevalence.registrations import read_registrations
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "gpps"
COVENTRY, DURHAM, TOWER_HAMLETS, KENT = "E08000026", "E06000047", "E09000030", "E10000016"
EXTRACTS = {p.name: p for p in shared_registration_files()}
APR_24 = EXTRACTS["gp-reg-pat-prac-lsoa-all-apr-24.csv"]
LSOA21_LOOKUP = geography.geography_dir() / LSOA21_FILE


def lsoa21_districts() -> pd.Series:
    """LSOA 2021 -> LAD 2022 code straight from the bundled ONS file (its LAD22 codes are current in these LAs)."""
    raw = pd.read_csv(LSOA21_LOOKUP, dtype=str, encoding="utf-8-sig")
    return raw.drop_duplicates("LSOA21CD").set_index("LSOA21CD")["LAD22CD"]


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


def practice_file(tmp_path: Path, rows: list[dict[str, object]], year: int = 2024,
                  header: list[str] | None = None) -> Path:
    header = header or ["Practice_Code", "Practice_Name", "Q28base", "Q28_12", "Q28_12pct"]
    path = tmp_path / f"GPPS_{year}_Practice_data_(weighted)_(csv)_PUBLIC.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def expected(area_codes: set[str], year: int, column: str, extract: Path) -> float:
    """Registration-weighted mean of practice results, computed here from the raw files."""
    survey = pd.read_csv(FOLDER / f"GPPS_{year}_Practice_data_(weighted)_(csv)_PUBLIC.csv", dtype=str)
    results = pd.to_numeric(survey.set_index("Practice_Code")[column], errors="coerce") * 100
    regs = pd.read_csv(extract, dtype={"NUMBER_OF_PATIENTS": float})
    regs["la"] = regs["LSOA_CODE"].map(lsoa21_districts())
    here = regs[regs["la"].isin(area_codes)].groupby("PRACTICE_CODE")["NUMBER_OF_PATIENTS"].sum()
    here = here[results.reindex(here.index).notna()]
    return float((results.reindex(here.index) * here).sum() / here.sum())


def value(frame: pd.DataFrame, indicator_id: str, code: str, period: str) -> pd.Series:
    rows = frame[(frame["indicator_id"] == indicator_id) & (frame["area_code"] == code)
                 & (frame["period_label"] == period)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_every_english_area_every_year_all_modelled(parsed):
    england = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND}
    for year, rows in parsed.groupby("period_label"):
        assert england | {geography.ENGLAND} <= set(rows["area_code"]), year
    assert (parsed["geography_method"] == "apportioned").all()
    assert parsed["value_note"].str.startswith("Modelled:").all() and parsed["synthetic"].all()
    for code in (COVENTRY, DURHAM, TOWER_HAMLETS):
        latest = parsed[(parsed["area_code"] == code) & (parsed["period_label"] == "2025")]
        assert set(latest["indicator_id"]) == {i for i in QUESTIONS if not i.endswith("_to2023")}
        assert latest["value"].notna().all()


def test_la_and_county_values_are_registration_weighted_practice_means(parsed):
    row = value(parsed, "gpps_overall_experience_good", COVENTRY, "2024")
    assert row["value"] == pytest.approx(expected({COVENTRY}, 2024, "Q28_12pct", APR_24), rel=1e-9)
    assert "April 2024 extract" in row["attribution_note"] and "ONS LSOA 2021 -> LAD 2022" in row["attribution_note"]
    assert row["source_file"].split("; ")[1:] == [APR_24.name, LSOA21_FILE]
    kent = set(geography.lower_tier_codes(KENT))
    assert value(parsed, "gpps_ltc_support_enough", KENT, "2025")["value"] == pytest.approx(
        expected(kent, 2025, "Q72_12pct", APR_24), rel=1e-9)


def test_survey_years_use_the_extract_nearest_to_january(parsed):
    chosen = parsed.groupby("period_label")["source_file"].agg(lambda s: sorted(set(f.split("; ")[1] for f in s)))
    assert chosen.to_dict() == {"2023": ["gp-reg-pat-prac-lsoa-all-apr-22.csv"],
                                "2024": [APR_24.name], "2025": [APR_24.name]}
    assert parsed.attrs["extract_limit"]["years_not_apportioned"] == {}


def test_question_numbers_change_with_the_2024_questionnaire():
    old, new = questions_for(2023), questions_for(2024)
    assert old["Q28_12pct"] == "gpps_overall_experience_good_to2023"
    assert new["Q28_12pct"] == "gpps_overall_experience_good"
    assert old["Q32_12pct"] == "gpps_ltc_support_enough_to2023" and "Q32_12pct" not in new
    assert new["Q72_12pct"] == "gpps_ltc_support_enough"
    assert questions_for(2016) == {}


def test_real_2021_practice_columns_read(reference_data, tmp_path):
    listed = (reference_data / "candidates" / "gpps" / "gpps_2021_practice_columns_subset.txt").read_text().split()
    codes = read_registrations(APR_24).rows["practice_code"].unique()[:3]
    rows = [dict.fromkeys(listed, "") | {"practice_code": c, "q28base": "120", "q28_12": "96", "q28_12pct": "0.8",
                                         "q18base": "110", "q18_12pct": "0.5"} for c in codes]
    path = practice_file(tmp_path, rows, year=2021, header=listed)
    results = read_practice_results(path)
    assert set(results.rows["indicator_id"]) == {"gpps_overall_experience_good_to2023"}
    assert results.rows["value"].tolist() == [80.0] * 3 and results.scaled == ("gpps_overall_experience_good_to2023",)


def test_percentages_are_kept_and_markers_suppress(tmp_path):
    rows = [{"Practice_Code": "A81001", "Q28base": "100", "Q28_12pct": "85.5"},
            {"Practice_Code": "A81003", "Q28base": "8", "Q28_12pct": "*"},
            {"Practice_Code": "A81004", "Q28base": "7", "Q28_12pct": "-1"}]
    results = read_practice_results(practice_file(tmp_path, rows))
    assert results.scaled == () and results.rows["value"].tolist()[0] == 85.5
    assert results.rows["value"].isna().tolist() == [False, True, True]
    assert results.rows["suppressed"].tolist() == [False, True, True]


def test_suppressed_practices_are_left_out_and_thin_coverage_gives_no_value(tmp_path):
    regs = read_registrations(APR_24).rows
    coventry = regs[regs["lsoa_code"].map(lsoa21_districts()) == COVENTRY].groupby("practice_code")["patients"].sum()
    order = coventry.sort_values(ascending=False).index
    assert len(order) >= 2
    rows = [{"Practice_Code": code, "Q28base": "50", "Q28_12pct": "*" if code == order[-1] else "0.7"}
            for code in order]
    row = value(parse([practice_file(tmp_path, rows), APR_24]), "gpps_overall_experience_good", COVENTRY, "2024")
    assert row["value"] == pytest.approx(70.0)  # the smallest practice, suppressed, is left out
    assert f"{len(order) - 1} of {len(order)} GP practices" in row["attribution_note"]
    thin = [{"Practice_Code": order[0], "Q28base": "5", "Q28_12pct": "*"}, {"Practice_Code": "Y99999",
                                                                             "Q28_12pct": "0.5"}]
    empty = value(parse([practice_file(tmp_path, thin), APR_24]), "gpps_overall_experience_good", COVENTRY, "2024")
    assert np.isnan(empty["value"]) and "fewer than half" in empty["value_note"]
    assert MIN_COVERAGE == 0.5


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"Practice_Code": "81001"}, "Practice_Code", "not a GP practice code"),
    ({"Q28_12pct": "good"}, "Q28_12pct", "not a number"),
    ({"Q28_12pct": "150"}, "Q28_12pct", "above 100%"),
    ({"Practice_Code": "A81001"}, "Practice_Code", "appears twice"),
])
def test_bad_practice_rows_fail_naming_row_and_column(tmp_path, cells, column, message):
    rows = [{"Practice_Code": "A81001", "Q28_12pct": "0.8"}, {"Practice_Code": "A81003", "Q28_12pct": "0.8", **cells}]
    with pytest.raises(SourceDataError) as err:
        parse([practice_file(tmp_path, rows), APR_24])
    assert (err.value.row, err.value.column) == (2, column)
    assert message in str(err.value)


def test_file_level_problems_are_sentences(tmp_path):
    rows = [{"Practice_Code": "A81001", "Q28_12pct": "0.8"}]
    with pytest.raises(SourceDataError, match="question map does not cover"):
        parse([practice_file(tmp_path, rows, year=2016), APR_24])
    with pytest.raises(SourceDataError, match="no GP Patient Survey year has a registration extract within 2 years"):
        parse([practice_file(tmp_path, rows, year=2027), APR_24])
    with pytest.raises(SourceDataError, match="second file for the 2024 survey"):
        first = practice_file(tmp_path, rows)
        second = first.with_name("copy_GPPS_2024_practice.csv")
        second.write_bytes(first.read_bytes())
        parse([first, second, APR_24])
    with pytest.raises(SourceDataError, match="which survey year"):
        survey_year(Path("GPPS_Practice_data.csv"))
    stray = tmp_path / "notes.csv"
    stray.write_text("a,b\n1,2\n")
    with pytest.raises(SourceDataError, match="neither a GP Patient Survey practice file"):
        parse([stray])


def test_unmatched_practices_are_noted_on_england(parsed):
    note = value(parsed, "gpps_overall_experience_good", geography.ENGLAND, "2024")["attribution_note"]
    assert "3 surveyed practice(s) are not in the registration extract" in note


def test_fractions_read_as_percentages_fail_only_the_plausibility_rule(parsed):
    broken = parsed[parsed["period_label"] == "2025"].copy()
    broken["value"] = broken["value"] / 100
    report = validate_frame(broken, "gpps", extra_expectations=SOURCE.extra_expectations())
    assert [f.description for f in report.failures] == [
        next(e.meta["description"] for e in SOURCE.extra_expectations()
             if e.meta["description"].startswith("Plausibility"))]


PAGE = ('<a href="/Downloads/2025/GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv">Practice data (.csv)</a>'
        '<a href="/Downloads/2025/GPPS_2025_National_data.csv">national</a>')


@responses.activate
def test_live_loader_fetches_practice_files_and_the_shared_registrations(tmp_path, monkeypatch):
    monkeypatch.delenv(gpps_loader.URLS_ENV, raising=False)
    links = gpps_loader.find_practice_links(PAGE)
    assert links == ["https://www.gp-patient.co.uk/Downloads/2025/GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv"]
    responses.get(gpps_loader.HOMEPAGE, body=PAGE)
    responses.get(links[0], body=(FOLDER / "GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv").read_bytes())
    fetched: list[str] = []
    monkeypatch.setattr(gpps_loader, "fetch_registrations", lambda f, d: fetched.append("registrations") or APR_24)
    monkeypatch.setattr(gpps_loader, "fetch_lsoa_lookup", lambda f, d: fetched.append("lookup") or LSOA21_LOOKUP)
    saved = gpps_loader.fetch_live(HttpFetcher(retries=0), tmp_path)
    assert fetched == ["registrations", "lookup"] and len(saved) == 3
    frame = parse(saved)
    assert set(frame["period_label"]) == {"2025"}
    responses.get(gpps_loader.HOMEPAGE, body="<html></html>")
    with pytest.raises(FetchError, match=gpps_loader.URLS_ENV):
        gpps_loader.fetch_live(HttpFetcher(retries=0), tmp_path / "none")


def test_a_survey_year_beyond_the_shared_extract_limit_is_reported_not_modelled(monkeypatch):
    monkeypatch.setenv(MAX_YEARS_ENV, "0.5")  # the QOF setting: 2023 and 2025 are 0.75 years from an extract
    result = ingest(SOURCE, SOURCE.bundled_files(paths.data_sources_dir()))
    assert result.error is None, result.text()
    frame, limit = result.frame, result.notes["extract_limit"]
    assert limit["max_years"] == 0.5 and list(limit["years_not_apportioned"]) == ["2023", "2025"]
    assert limit["years_not_apportioned"]["2023"]["years_away"] == pytest.approx(0.75, abs=0.01)
    assert result.notes["extracts_used"] == {"2024": f"April 2024 ({APR_24.name})"}
    old = frame[frame["period_label"].isin(["2023", "2025"])]
    assert old["area_code"].eq(geography.ENGLAND).all() and old["value"].isna().all()
    before_2024 = {i for i in QUESTIONS if i.endswith("_to2023")}
    assert set(old.loc[old["period_label"] == "2023", "indicator_id"]) == before_2024
    assert old["value_note"].str.contains(f"{NOT_GIVEN}: the nearest GP registration extract, April 20").all()
    assert old["value_note"].str.contains("beyond the limit of 0.5 years (LANDSCAPE_QOF_MAX_EXTRACT_YEARS)",
                                          regex=False).all()
    modelled = frame[frame["period_label"] == "2024"]
    assert modelled["area_code"].eq(COVENTRY).any() and modelled["value"].notna().all()
    assert result.passed, result.text()  # the GPPS suite accepts the England rows without a value


def test_rows_are_synthetic_if_the_survey_or_the_registrations_were(tmp_path):
    survey = FOLDER / "GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv"
    shutil.copy(survey, tmp_path / survey.name)
    shutil.copy(APR_24, tmp_path / APR_24.name)
    (tmp_path / "provenance.json").write_text(json.dumps({"files": {survey.name: {"synthetic": False},
                                                                    APR_24.name: {"synthetic": False}}}))
    real = ingest(SOURCE, [tmp_path / survey.name, tmp_path / APR_24.name]).frame
    assert not real["synthetic"].any()  # as if both inputs were published files (the lookup is real)
    shared = ingest(SOURCE, [tmp_path / survey.name]).frame  # weighted by the bundled synthetic extract
    assert shared["synthetic"].all() and shared["source_file"].str.contains(APR_24.name).all()
