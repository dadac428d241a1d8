"""Tests of the HES source: record-level and tabulated inputs, streaming aggregation, rates, disclosure, loader."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import disclosure, geography, schema, stats
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.hes import SOURCE, aggregate_file, loader, parse, publishable, sample
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.tabulation import aggregate_tabulation
from landscape_pipeline.sources.ons_population import SOURCE as ONS
from landscape_pipeline.validation.runner import validate_frame

COVENTRY, BIRMINGHAM, HAMPSHIRE = "E08000026", "E08000025", "E10000014"
REAL_ARTIFICIAL = "artificial_hes_apc_0102_truncated.csv"
BAND_POP = 5_000  # per sex and ESP2013 band in the synthetic population: 190,000 persons per district
DEFAULT = {"FYEAR": "202223", "EPISTAT": "3", "EPIORDER": "01", "ADMIMETH": "21", "STARTAGE": "67", "SEX": "1",
           "DIAG_4_01": "C341", "DIAG_3_01": "C34", "RESLADST_ONS": COVENTRY, "ADMIDATE": "2022-06-16"}
RECORD_COLUMNS = ("FYEAR", "EPIKEY", "ADMIDATE", "ADMIMETH", "DIAG_3_01", "DIAG_4_01", "EPIORDER", "EPISTAT",
                  "RESLADST_ONS", "SEX", "STARTAGE")


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    """A canonical-shaped ONS age-band table: every English district, 2019-2023, 5,000 per sex and band."""
    districts = [la.area_code for la in geography.current_local_authorities()
                 if la.area_code.startswith("E") and la.tier != "upper"]
    grid = pd.MultiIndex.from_product([districts, range(2019, 2024), ("Persons", "Male", "Female"),
                                       stats.ESP2013.labels], names=["area_code", "year", "sex", "category"])
    frame = grid.to_frame(index=False)
    frame["indicator_id"] = "ons_population_by_age"
    frame["period_start"] = pd.to_datetime(frame["year"].astype(str) + "-06-30")
    frame["value"] = np.where(frame["sex"] == "Persons", 2 * BAND_POP, BAND_POP).astype(float)
    return frame.drop(columns="year")


def _write(tmp_path: Path, rows: list[dict], name: str = "extract.csv") -> Path:
    frame = pd.DataFrame([{**DEFAULT, **row} for row in rows])
    frame.insert(1, "EPIKEY", [str(900000000000 + i) for i in range(len(frame))])
    path = tmp_path / name
    frame.loc[:, list(RECORD_COLUMNS)].to_csv(path, index=False)
    return path


def _parse(path: Path, population: pd.DataFrame) -> pd.DataFrame:
    return parse([path], SourceInputs(upstream={"ons_population": population}))


def _row(frame: pd.DataFrame, indicator: str, area: str = COVENTRY, sex: str = "Persons",
         period: str = "2022/23") -> pd.Series:
    hit = frame[(frame["indicator_id"] == indicator) & (frame["area_code"] == area) & (frame["sex"] == sex)
                & (frame["period_label"] == period)]
    assert len(hit) == 1, (indicator, area, sex, period, len(hit))
    return hit.iloc[0]


def _cells(path: Path, **group) -> int:
    cells = aggregate_file(path).to_frame()
    for column, value in group.items():
        cells = cells[cells[column] == value]
    return int(cells["admissions"].sum())


# ---------------------------------------------------------------- codes and filters
def test_finished_first_episodes_only(tmp_path: Path) -> None:
    path = _write(tmp_path, [{}, {"EPISTAT": "1"}, {"EPIORDER": "02"}, {"EPIORDER": "1"}, {"EPISTAT": "3 "}])
    agg = aggregate_file(path)
    assert agg.tally["episodes read"] == 5
    assert agg.tally["episodes not finished"] == 1
    assert agg.tally["finished episodes not first in spell"] == 1
    assert agg.tally["admissions counted"] == 3


@pytest.mark.parametrize(("admimeth", "group"), [
    ("21", "emergency"), ("25", "emergency"), ("28", "emergency"), ("2A", "emergency"), ("2b", "emergency"),
    ("2D", "emergency"), ("11", "elective"), ("12", "elective"), ("13", "elective"), ("31", "other"),
    ("81", "other"), ("", "other"), ("24", "emergency")])
def test_admission_method_groups(admimeth: str, group: str) -> None:
    assert ind.METHOD_GROUPS[ind.method_group(admimeth)] == group


@pytest.mark.parametrize(("code", "group"), [
    ("C341", "lung"), ("C33X", "lung"), ("C509", "breast"), ("C18.7", "bowel"), ("C20X", "bowel"),
    ("C61X", "prostate"), ("C910", "haematological"), ("C449", "non_melanoma_skin"), ("C439", "other_cancer"),
    ("C97X", "other_cancer"), ("D051", "non_cancer"), ("Z511", "non_cancer"), ("", "non_cancer")])
def test_site_groups(code: str, group: str) -> None:
    assert ind.SITE_GROUPS[ind.site_group(code)] == group


@pytest.mark.parametrize(("fyear", "start"), [
    ("202223", 2022), ("2223", 2022), ("2022/23", 2022), ("2022-23", 2022), ("2021", 2020), ("199900", 1999),
    ("2022", -1), ("", -1), ("abcd", -1)])
def test_financial_year_formats(fyear: str, start: int) -> None:
    assert ind.financial_year(fyear) == start


def test_all_cancers_excludes_c44_and_non_cancer(tmp_path: Path, population: pd.DataFrame) -> None:
    rows = [{"DIAG_4_01": "C341"}, {"DIAG_4_01": "C509", "SEX": "2"}, {"DIAG_4_01": "C449"}, {"DIAG_4_01": "C444"},
            {"DIAG_4_01": "D051"}, {"DIAG_4_01": "", "DIAG_3_01": "C18"}]
    frame = _parse(_write(tmp_path, rows), population)
    assert _row(frame, "hes_admissions_all_cancers_emergency_count")["count"] == 3  # C34, C50, C18 (from DIAG_3_01)
    assert _row(frame, "hes_admissions_bowel_emergency_count")["count"] == 1
    assert _row(frame, "hes_admissions_breast_emergency_count", sex="Female")["count"] == 1


def test_emergency_and_elective_counts_and_share(tmp_path: Path, population: pd.DataFrame) -> None:
    emergency = [{"ADMIMETH": m} for m in ("21", "2A", "2B", "2C", "2D", "28", "22", "23")]
    elective = [{"ADMIMETH": m} for m in ("11", "12", "13", "13", "13", "13", "13", "13", "13", "13", "13", "13")]
    other = [{"ADMIMETH": "81"}] * 4
    frame = _parse(_write(tmp_path, emergency + elective + other), population)
    assert _row(frame, "hes_admissions_lung_emergency_count")["count"] == 8
    assert _row(frame, "hes_admissions_lung_elective_count")["count"] == 12
    share = _row(frame, "hes_admissions_lung_emergency_share")
    assert share["value"] == pytest.approx(100 * 8 / 24)
    wilson = stats.proportion(8, 24, multiplier=100)
    assert (share["lower_ci_95"], share["upper_ci_95"]) == pytest.approx((wilson.lower, wilson.upper))
    assert share["denominator"] == 24  # all methods; parsed figures are unrounded until the disclosure layer
    assert _row(frame, "hes_admissions_lung_emergency_crude")["polarity"] == "Low is good"
    assert _row(frame, "hes_admissions_lung_elective_dsr")["polarity"] == "No judgement"
    published = _row(publishable(frame), "hes_admissions_lung_emergency_share")
    assert (published["count"], published["denominator"]) == (10, 25)  # a patient count: rounded
    assert published["value"] == pytest.approx(100 * 10 / 25)  # from the rounded counts
    wilson = stats.proportion(10, 25, multiplier=100)
    assert (published["lower_ci_95"], published["upper_ci_95"]) == pytest.approx((wilson.lower, wilson.upper))


def test_fyear_formats_and_admidate_fallback(tmp_path: Path) -> None:
    rows = [{"FYEAR": "202223"}, {"FYEAR": "2223"}, {"FYEAR": "2022/23"},
            {"FYEAR": "", "ADMIDATE": "16/06/2022"}, {"FYEAR": "", "ADMIDATE": "2022-06-16"},
            {"FYEAR": "", "ADMIDATE": "2022-02-01"}, {"FYEAR": "", "ADMIDATE": "1801-01-01"}]
    agg = aggregate_file(_write(tmp_path, rows))
    cells = agg.to_frame().groupby("fy")["admissions"].sum()
    assert cells.to_dict() == {2021: 1, 2022: 5}
    assert agg.tally["no usable financial year"] == 1


def test_sex_age_codes(tmp_path: Path, population: pd.DataFrame) -> None:
    rows = [{"SEX": "9"}, {"SEX": "0"}, {"SEX": "2"}, {"STARTAGE": "7003"}, {"STARTAGE": ""}, {"STARTAGE": "95"}]
    path = _write(tmp_path, rows)
    assert _cells(path, sex="Unknown") == 2
    assert _cells(path, age_band="0-4") == 1
    assert _cells(path, age_band="Unknown") == 1
    assert _cells(path, age_band="90+") == 1
    frame = _parse(path, population)
    assert _row(frame, "hes_admissions_lung_emergency_count")["count"] == 6
    assert _row(frame, "hes_admissions_lung_emergency_count", sex="Male")["count"] == 3
    assert _row(frame, "hes_admissions_lung_emergency_count", sex="Female")["count"] == 1


def test_residence_codes_resolved_or_tallied(tmp_path: Path, population: pd.DataFrame) -> None:
    rows = [{"RESLADST_ONS": "E07000029"}, {"RESLADST_ONS": " e07000026 "}, {"RESLADST_ONS": ""},
            {"RESLADST_ONS": "W06000015"}, {"RESLADST_ONS": "S12000049"}, {"RESLADST_ONS": "E99999999"},
            {"RESLADST_ONS": "E10000009"}, {"RESLADST_ONS": HAMPSHIRE}]
    path = _write(tmp_path, rows)
    agg = aggregate_file(path)
    assert _cells(path, area_code="E06000063") == 2  # Copeland and Allerdale -> Cumberland
    assert agg.tally["unresolved residence: blank"] == 1
    assert agg.tally["unresolved residence: outside England"] == 2
    assert agg.tally["unresolved residence: unknown code"] == 1
    assert agg.tally["unresolved residence: retired code split between successors"] == 1
    assert agg.tally["unresolved residence: not a district or unitary authority code"] == 1
    assert agg.tally["unresolved residence: blank (cancer)"] == 1
    frame = _parse(path, population)
    assert frame.attrs["hes_tally"]["admissions counted"] == 2
    assert _row(frame, "hes_admissions_lung_emergency_count", area="E06000063")["count"] == 2


# ---------------------------------------------------------------- geography and statistics
def test_county_rows_sum_districts_before_rates(tmp_path: Path, population: pd.DataFrame) -> None:
    rows = [{"RESLADST_ONS": "E07000084"}] * 12 + [{"RESLADST_ONS": "E07000085"}] * 3
    frame = _parse(_write(tmp_path, rows), population)
    county = _row(frame, "hes_admissions_all_cancers_emergency_crude", area=HAMPSHIRE)
    districts = geography.lower_tier_codes(HAMPSHIRE)
    assert county["count"] == 15 and county["denominator"] == len(districts) * 2 * BAND_POP * 19
    assert county["value"] == pytest.approx(15 / county["denominator"] * 1e5)
    assert county["area_type"] == "County"
    assert _row(frame, "hes_admissions_all_cancers_emergency_count", area="E12000008")["count"] == 15  # South East
    assert _row(frame, "hes_admissions_all_cancers_emergency_count", area=geography.ENGLAND)["count"] == 15


def _ages(n: int, start: int = 40) -> list[dict]:
    return [{"STARTAGE": str(start + 5 * i)} for i in range(n)]


def test_dsr_published_only_from_a_published_count_of_ten_and_equal_to_direct_calculation(
        tmp_path: Path, population: pd.DataFrame) -> None:
    rows = _ages(9) + [{**r, "RESLADST_ONS": BIRMINGHAM} for r in _ages(12, start=20)]
    frame = _parse(_write(tmp_path, rows), population)
    # 9 admissions are published as 10, and the DSR as that of the counts scaled to 10: whether a DSR
    # appears depends on the published count only. Without rounding, 9 gets no DSR.
    small = _row(publishable(frame), "hes_admissions_all_cancers_emergency_dsr")
    scaled = stats.dsr(np.bincount(np.arange(40, 85, 5) // 5, minlength=19) * 10 / 9, np.full(19, 2.0 * BAND_POP))
    assert small["count"] == 10 and small["value"] == pytest.approx(scaled.value)
    exact = _row(disclosure.protect(frame, "7_or_fewer").frame, "hes_admissions_all_cancers_emergency_dsr")
    assert exact["count"] == 9 and np.isnan(exact["value"]) and exact["value_note"] == stats.DSR_NOTE
    big = _row(frame, "hes_admissions_all_cancers_emergency_dsr", area=BIRMINGHAM)
    counts = np.zeros(19)
    for age in range(20, 80, 5):
        counts[age // 5] += 1
    direct = stats.dsr(counts, np.full(19, 2.0 * BAND_POP))
    assert (big["value"], big["lower_ci_95"], big["upper_ci_95"]) == pytest.approx(direct)
    assert big["count"] == 12 and big["denominator"] == 19 * 2 * BAND_POP


def test_missing_population_year_gives_counts_but_no_rates(tmp_path: Path, population: pd.DataFrame) -> None:
    frame = _parse(_write(tmp_path, [{"FYEAR": "202526", "ADMIDATE": "2025-06-16"}] * 12), population)
    assert _row(frame, "hes_admissions_lung_emergency_count", period="2025/26")["count"] == 12
    dsr = _row(frame, "hes_admissions_lung_emergency_dsr", period="2025/26")  # mid-2023 is two years away
    assert np.isnan(dsr["value"]) and dsr["value_note"] == "No mid-2025 population estimate, so no rate"


def test_a_neighbouring_years_population_is_used_and_said(tmp_path: Path, population: pd.DataFrame) -> None:
    frame = _parse(_write(tmp_path, [{"FYEAR": "202425", "ADMIDATE": "2024-06-16"}] * 12), population)
    crude = _row(frame, "hes_admissions_lung_emergency_crude", period="2024/25")
    assert crude["value"] == pytest.approx(12 / (19 * 2 * BAND_POP) * 1e5)  # the mid-2023 figures
    assert crude["value_note"] == "Denominator: the mid-2023 population estimate (no mid-2024 estimate is available)"
    assert pd.isna(_row(frame, "hes_admissions_lung_emergency_count", period="2024/25")["value_note"])


def test_population_is_required(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match="ons_population"):
        parse([_write(tmp_path, [{}])], SourceInputs())


# ---------------------------------------------------------------- disclosure control
def test_publishable_suppresses_rounds_and_derives_rates_from_rounded_counts(tmp_path: Path,
                                                                           population: pd.DataFrame) -> None:
    rows = ([{}] * 3 + [{"RESLADST_ONS": BIRMINGHAM, **r} for r in _ages(12, start=20)]
            + [{"RESLADST_ONS": "E08000027", "ADMIMETH": "13"}] * 5)
    raw = _parse(_write(tmp_path, rows), population)
    published = publishable(raw)
    coventry = _row(published, "hes_admissions_all_cancers_emergency_count")
    assert coventry["suppressed"] and np.isnan(coventry["count"]) and np.isnan(coventry["value"])
    assert coventry["value_note"] == disclosure.SUPPRESSED_NOTE
    assert _row(published, "hes_admissions_all_cancers_emergency_crude")["suppressed"]
    crude = _row(published, "hes_admissions_all_cancers_emergency_crude", area=BIRMINGHAM)
    assert crude["count"] == 10 and crude["value"] == pytest.approx(10 / (19 * 2 * BAND_POP) * 1e5)  # not 12
    assert crude["denominator"] == 19 * 2 * BAND_POP  # a population: never rounded
    rate = stats.rate(10, 19 * 2 * BAND_POP)
    assert (crude["lower_ci_95"], crude["upper_ci_95"]) == pytest.approx((rate.lower, rate.upper))
    assert _row(published, "hes_admissions_all_cancers_emergency_count", area=BIRMINGHAM)["value"] == 10
    share = _row(published, "hes_admissions_all_cancers_emergency_share", area="E08000027")  # 0 of 5
    assert share["suppressed"] and np.isnan(share["value"]) and np.isnan(share["denominator"])
    # The DSR is that of the age-specific counts scaled to the published total (12 -> 10).
    dsr = _row(published, "hes_admissions_all_cancers_emergency_dsr", area=BIRMINGHAM)
    counts = np.zeros(19)
    counts[np.arange(20, 80, 5) // 5] = 10 / 12
    scaled = stats.dsr(counts, np.full(19, 2.0 * BAND_POP))
    assert (dsr["value"], dsr["lower_ci_95"], dsr["upper_ci_95"]) == pytest.approx(scaled)
    assert dsr["count"] == 10
    _assert_disclosure_safe(published)


def _assert_disclosure_safe(frame: pd.DataFrame) -> None:
    assert disclosure.find_leaks(frame, "hes").empty
    report = disclosure.attack_source(frame, "hes", SOURCE.count_families)
    assert report.passed, report.text()
    patient = pd.concat([frame["count"], frame.loc[frame["value_type"] == "count", "value"],
                         frame.loc[frame["value_type"] == "proportion", "denominator"]]).dropna()
    assert not patient.between(1, 7).any()
    assert (patient % 5 == 0).all()


# ---------------------------------------------------------------- inputs
def test_chunked_reading_matches_one_block() -> None:
    path = data_sources_dir() / "hes" / sample.BUNDLED_NAME
    whole, chunked = aggregate_file(path, block_size=64 << 20), aggregate_file(path, block_size=1 << 18)
    assert whole.tally == chunked.tally
    assert whole.counts.keys() == chunked.counts.keys()
    for year, cube in whole.counts.items():
        assert np.array_equal(cube, chunked.counts[year])


def test_tabulation_gives_the_same_cube_as_records(tmp_path: Path) -> None:
    rows = ([{}] * 4 + [{"ADMIMETH": "13", "SEX": "2", "STARTAGE": "52"}] * 3 + [{"RESLADST_ONS": "E07000029"}]
            + [{"DIAG_4_01": "C61X", "STARTAGE": "7001"}] + [{"SEX": "9", "STARTAGE": ""}])
    records = aggregate_file(_write(tmp_path, rows))
    cells = records.to_frame()
    table = pd.DataFrame({
        "FYEAR": cells["fy"].map(ind.fy_label), "RESLADST_ONS": cells["area_code"],
        "SITE_GROUP": np.where(cells["site_group"] == "lung", "C34", cells["site_group"]),
        "ADMIMETH_GROUP": cells["method_group"], "SEX": cells["sex"].map({"Male": "1", "Female": "2", "Unknown": "9"}),
        "AGE_BAND": cells["age_band"], "ADMISSIONS": cells["admissions"]})
    path = tmp_path / "tabulation.csv"
    table.to_csv(path, index=False)
    tabulated = aggregate_file(path)
    assert tabulated.tally["tabulation rows read"] == len(table)
    for year, cube in records.counts.items():
        assert np.array_equal(cube, tabulated.counts[year])


def test_tabulation_rejects_suppressed_cells(tmp_path: Path) -> None:
    path = tmp_path / "tab.csv"
    path.write_text("FYEAR,RESLADST_ONS,SITE_GROUP,ADMIMETH_GROUP,SEX,AGE_BAND,ADMISSIONS\n"
                    f"2022/23,{COVENTRY},lung,emergency,1,65-69,12\n2022/23,{COVENTRY},lung,elective,1,65-69,*\n")
    with pytest.raises(SourceDataError) as caught:
        aggregate_tabulation(path)
    assert "tab.csv, row 2, column 'ADMISSIONS'" in str(caught.value)


def test_zip_input_and_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, [{}] * 2)
    zipped = tmp_path / "artificial_hes_apc_0102.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(path, "artificial_hes_apc_0102.csv")
    assert aggregate_file(zipped).tally["admissions counted"] == 2
    broken = tmp_path / "broken.csv"
    pd.read_csv(path, dtype=str).drop(columns="EPIORDER").to_csv(broken, index=False)
    with pytest.raises(SourceDataError, match="EPIORDER"):
        aggregate_file(broken)


def test_output_holds_no_record_level_data(tmp_path: Path, population: pd.DataFrame) -> None:
    path = _write(tmp_path, [{}] * 20)
    frame = _parse(path, population)
    assert set(frame.columns) <= set(schema.COLUMN_NAMES)
    assert frame["source_row"].isna().all()
    text = frame.astype(str).to_csv()
    assert "900000000000" not in text and "EPIKEY" not in text  # no episode key or field survives


# ---------------------------------------------------------------- bundled sample
@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    ons = ONS.parse(ONS.bundled_files(data_sources_dir()))
    return publishable(SOURCE.parse(SOURCE.bundled_files(data_sources_dir()),
                                    SourceInputs(upstream={"ons_population": ons})))


def test_bundled_coventry_has_emergency_cancer_dsrs_with_limits(bundled: pd.DataFrame) -> None:
    dsr = bundled[(bundled["indicator_id"] == "hes_admissions_all_cancers_emergency_dsr")
                  & (bundled["area_code"] == COVENTRY) & (bundled["sex"] == "Persons")]
    assert sorted(dsr["period_label"]) == ["2001/02", "2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
    dsr = dsr[dsr["period_label"] != "2001/02"]  # the Artificial HES 2001/02 extract is too small for a DSR
    assert dsr["value"].notna().all() and (dsr["lower_ci_95"] < dsr["value"]).all()
    assert (dsr["upper_ci_95"] > dsr["value"]).all() and (dsr["unit"] == "per 100,000").all()
    hampshire = bundled[(bundled["area_code"] == HAMPSHIRE) & (bundled["indicator_id"].str.endswith("_dsr"))]
    assert hampshire["value"].notna().any()
    assert set(bundled["area_code"]) >= set(geography.lower_tier_codes(HAMPSHIRE))


def test_bundled_output_is_disclosure_safe_and_valid(bundled: pd.DataFrame) -> None:
    _assert_disclosure_safe(bundled)
    assert bundled["synthetic"].all()  # Artificial HES is synthetic by design, and so is the project's sample
    files = bundled.groupby("period_label")["source_file"].unique()
    assert files["2001/02"].tolist() == [REAL_ARTIFICIAL] and files["2019/20"].tolist() == [sample.BUNDLED_NAME]
    report = validate_frame(bundled, "hes", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_generator_is_deterministic_and_readable(tmp_path: Path) -> None:
    first = sample.write_extract(tmp_path / "a.csv.gz", 3_000, chunk=1_000)
    second = sample.write_extract(tmp_path / "b.csv.gz", 3_000, chunk=1_000)
    assert first.read_bytes() == second.read_bytes()
    assert [c.upper() for c in pd.read_csv(first, nrows=1).columns] == list(sample.COLUMNS)
    agg = aggregate_file(first)
    assert agg.tally["episodes read"] == 3_000 and sorted(agg.counts) == list(sample.FINANCIAL_YEARS)
    sample.main(["--episodes", "500", "--out", str(tmp_path / "cli.csv")])
    assert len((tmp_path / "cli.csv").read_text().splitlines()) == 501


# ---------------------------------------------------------------- loaders
def test_fetch_live_needs_the_secure_extract_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(loader.EXTRACT_ENV, raising=False)
    with pytest.raises(FetchError, match=loader.EXTRACT_ENV):
        loader.fetch_live(HttpFetcher(retries=0), tmp_path / "raw")


def test_fetch_live_reads_in_place_and_writes_only_a_receipt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secure = _write(tmp_path, [{}] * 3, name="dars_extract.csv")
    monkeypatch.setenv(loader.EXTRACT_ENV, str(secure))
    raw = tmp_path / "data" / "raw" / "hes"
    assert loader.fetch_live(HttpFetcher(retries=0), raw) == [secure]
    written = list(raw.iterdir())
    assert len(written) == 1 and written[0].name.endswith(loader.RECEIPT_SUFFIX)
    receipt = json.loads(written[0].read_text())
    assert receipt["sha256"] == hashlib.sha256(secure.read_bytes()).hexdigest()
    assert "RESLADST_ONS" not in written[0].read_text()


@responses.activate
def test_fetch_artificial_sample_downloads_the_zip(tmp_path: Path) -> None:
    csv_path = _write(tmp_path, [{}] * 2 + [{"EPISTAT": "1"}] * 40)
    zipped = tmp_path / "src.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(csv_path, "artificial_hes_apc_2021.csv")
    responses.get(loader.ARTIFICIAL_HES_APC_SAMPLE_URL, body=zipped.read_bytes(), content_type="application/zip")
    saved = loader.fetch_artificial_sample(HttpFetcher(retries=0), tmp_path / "scratch")
    assert saved.name.endswith("artificial_hes_apc_202302_v1_sample.zip")
    assert saved.with_name(saved.name + ".meta.json").exists()
    assert aggregate_file(saved).tally["admissions counted"] == 2
    responses.replace(responses.GET, loader.ARTIFICIAL_HES_APC_SAMPLE_URL, body="<html>" + "x" * 2000)
    with pytest.raises(FetchError, match="did not return a zip"):
        loader.fetch_artificial_sample(HttpFetcher(retries=0), tmp_path / "again")


# ---------------------------------------------------------------- older vintages: RESLADST (old-style codes)
def _write_old_style(tmp_path: Path, residences: list[str], name: str = "old.csv") -> Path:
    rows = [{"RESLADST_ONS": "", "RESLADST": code} for code in residences]
    frame = pd.DataFrame([{**DEFAULT, **row} for row in rows])
    frame.insert(1, "EPIKEY", [str(800000000000 + i) for i in range(len(frame))])
    path = tmp_path / name
    frame.loc[:, [*RECORD_COLUMNS, "RESLADST"]].to_csv(path, index=False)
    return path


def test_old_style_residence_codes_are_read_through_the_lookup(tmp_path: Path) -> None:
    # Coventry; Caradon (Cornwall district abolished 2009); Congleton (now Cheshire East); Allerdale (now
    # Cumberland); Cardiff (Wales); the placeholder Y; an old-style code that does not exist
    path = _write_old_style(tmp_path, ["00CQ", "15UB", "13UC", "16UB", "00PT", "Y", "99ZZ"])
    agg = aggregate_file(path)
    assert _cells(path, area_code=COVENTRY) == 1
    assert _cells(path, area_code="E06000052") == 1 and _cells(path, area_code="E06000049") == 1
    assert _cells(path, area_code="E06000063") == 1
    assert agg.tally["unresolved residence: outside England"] == 1
    assert agg.tally["unresolved residence: not recorded (HES placeholder such as Y)"] == 1
    assert agg.tally["unresolved residence: old-style code not in the lookup"] == 1
    assert agg.tally["admissions counted"] == 4


def _independent_expectation(path: Path) -> tuple[int, dict[str, int]]:
    """Return (finished first episodes, {old-style code: how many}) read with the csv module, not the parser."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["EPISTAT"] == "3" and r["EPIORDER"].lstrip("0") == "1"]
    codes: dict[str, int] = {}
    for row in rows:
        codes[row["RESLADST"]] = codes.get(row["RESLADST"], 0) + 1
    return len(rows), codes


def test_real_artificial_hes_2001_02_is_counted_through_its_old_style_codes(reference_data: Path,
                                                                          population: pd.DataFrame) -> None:
    path = reference_data / "hes" / REAL_ARTIFICIAL
    first_episodes, by_code = _independent_expectation(path)
    agg = aggregate_file(path)
    assert agg.tally["episodes read"] == 2_075 and sorted(agg.counts) == [2001]
    placeholders = sum(n for code, n in by_code.items() if len(code) == 1)
    outside = sum(n for code, n in by_code.items() if code[:3] in ("00N", "00P", "00Q", "00R"))
    assert agg.tally["unresolved residence: not recorded (HES placeholder such as Y)"] == placeholders > 0
    assert agg.tally["unresolved residence: outside England"] == outside
    assert "unresolved residence: old-style code not in the lookup" not in agg.tally  # every code placed
    assert agg.tally["admissions counted"] == first_episodes - placeholders - outside > 1_700
    assert _cells(path, area_code=COVENTRY) == by_code["00CQ"]  # 00CQ is Coventry's old-style code
    cornwall = sum(n for code, n in by_code.items() if code.startswith("15U") or code == "00HE")
    assert _cells(path, area_code="E06000052") == cornwall  # six districts abolished in 2009, one unitary
    population = population.assign(period_start=population["period_start"] - pd.DateOffset(years=18))  # mid-2001..
    frame = _parse(path, population)
    assert set(frame["period_label"]) == {"2001/02"} and frame.attrs["hes_tally"] == dict(sorted(agg.tally.items()))


def test_bundled_sample_follows_the_artificial_hes_layout_column_for_column(reference_data: Path) -> None:
    with (reference_data / "hes" / REAL_ARTIFICIAL).open(encoding="utf-8", newline="") as handle:
        published = next(csv.reader(handle))
    assert len(published) == 193 and tuple(published) == sample.COLUMNS
    with gzip.open(data_sources_dir() / "hes" / sample.BUNDLED_NAME, "rt", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == published


# ---------------------------------------------------------------- refusals in sentences
def test_an_extract_with_nothing_countable_is_refused_in_plain_words(tmp_path: Path, population: pd.DataFrame) -> None:
    path = _write_old_style(tmp_path, ["Y", "Y", "00PT"], name="nothing.csv")
    with pytest.raises(SourceDataError) as caught:
        _parse(path, population)
    message = str(caught.value)
    assert message.startswith("nothing.csv: holds no admission that can be counted (nothing.csv): of 3 row(s) read, ")
    assert "2 with residence: not recorded (HES placeholder such as Y)" in message
    assert "1 with residence: outside England" in message and "RESLADST_ONS, or RESLADST" in message
    result = ingest(SOURCE, [path], {"ons_population": population})  # the asset's path: an error, no traceback
    assert result.error is not None and not result.passed and "holds no admission" in result.text()


def test_a_repeated_episode_key_is_refused_naming_both_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, [{}] * 5, name="twice.csv")
    frame = pd.read_csv(path, dtype=str)
    frame.loc[3, "EPIKEY"] = frame.loc[1, "EPIKEY"]
    frame.loc[4, "EPIKEY"] = ""  # a blank key is not compared
    frame.to_csv(path, index=False)
    with pytest.raises(SourceDataError) as caught:
        aggregate_file(path)
    assert str(caught.value).startswith("twice.csv, row 4 (line 5), column 'EPIKEY': episode key EPIKEY is repeated: "
                                        "data row 4 repeats the key of row 2")


def test_a_financial_year_not_yet_begun_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, [{}, {}, {"FYEAR": "3132"}], name="future.csv")
    with pytest.raises(SourceDataError, match=r"future.csv, row 3 \(line 4\), column 'FYEAR': financial year '3132' "
                                              r"starts after today"):
        aggregate_file(path)


def test_rates_are_synthetic_when_their_population_is(tmp_path: Path, population: pd.DataFrame) -> None:
    flagged = population.assign(synthetic=population["period_start"].dt.year == 2022)
    frame = _parse(_write(tmp_path, [{}] * 12 + [{"FYEAR": "202122", "ADMIDATE": "2021-06-16"}] * 12), flagged)
    rows = frame[frame["area_code"] == COVENTRY]
    mine = rows["period_label"] == "2022/23"
    rate = rows["value_type"].isin(["crude rate", "DSR"])
    assert rows.loc[mine & rate, "synthetic"].all() and not rows.loc[mine & ~rate, "synthetic"].any()
    assert not rows.loc[~mine, "synthetic"].any()


# ---------------------------------------------------------------- the SQL engine (DuckDB) for large extracts
def _same_aggregation(path: Path) -> None:
    arrow, duck = aggregate_file(path, engine="arrow"), aggregate_file(path, engine="duckdb")
    assert arrow.tally == duck.tally and arrow.tally["episodes read"] > 0
    assert arrow.counts.keys() == duck.counts.keys()
    for year, cube in arrow.counts.items():
        assert np.array_equal(cube, duck.counts[year]), year


@pytest.mark.parametrize("name", [sample.BUNDLED_NAME, REAL_ARTIFICIAL])
def test_duckdb_engine_counts_the_bundled_extracts_exactly_as_the_arrow_reader(name: str) -> None:
    _same_aggregation(data_sources_dir() / "hes" / name)


def test_duckdb_engine_follows_every_fallback_and_code_rule(tmp_path: Path) -> None:
    rows = ([{}] * 3 + [{"FYEAR": "", "ADMIDATE": "2021-02-03"}, {"FYEAR": "junk", "ADMIDATE": "03/05/2020"},
                        {"FYEAR": "", "ADMIDATE": ""}, {"DIAG_4_01": "", "DIAG_3_01": "C50"},
                        {"DIAG_4_01": "", "DIAG_3_01": ""}, {"EPISTAT": "1"}, {"EPIORDER": "2"},
                        {"EPIORDER": " 1"}, {"SEX": "9", "STARTAGE": "7003"}, {"STARTAGE": ""},
                        {"RESLADST_ONS": ""}, {"RESLADST_ONS": "W06000015"}, {"RESLADST_ONS": "E99999999"},
                        {"RESLADST_ONS": "Y"}, {"RESLADST_ONS": "E07000029"}, {"ADMIMETH": "2A"}])
    path = _write(tmp_path, rows)
    _same_aggregation(path)
    duck = aggregate_file(path, engine="duckdb")
    assert duck.tally["no usable financial year"] == 1 and duck.tally["episodes not finished"] == 1
    assert duck.tally["unresolved residence: blank"] == 1
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["FYEAR", "DIAG_4_01", "EPIKEY"])
    slim = tmp_path / "slim.csv.gz"  # optional columns absent (no key to check), and gzip
    with gzip.open(slim, "wt", newline="") as handle:
        frame.to_csv(handle, index=False)
    _same_aggregation(slim)


def test_duckdb_engine_reads_old_style_residence_where_the_gss_code_is_blank(tmp_path: Path) -> None:
    _same_aggregation(_write_old_style(tmp_path, ["00CQ", "00CQ", "00NA", "", "ZZZZ", "00HX"]))


def test_duckdb_engine_refuses_what_the_arrow_reader_refuses_in_the_same_words(tmp_path: Path) -> None:
    path = _write(tmp_path, [{}] * 5, name="twice.csv")
    frame = pd.read_csv(path, dtype=str)
    frame.loc[3, "EPIKEY"] = frame.loc[1, "EPIKEY"]
    frame.to_csv(path, index=False)
    future = _write(tmp_path, [{}, {"FYEAR": "3132"}], name="future.csv")
    for bad in (path, future):
        with pytest.raises(SourceDataError) as arrow:
            aggregate_file(bad, engine="arrow")
        with pytest.raises(SourceDataError) as duck:
            aggregate_file(bad, engine="duckdb")
        assert str(duck.value) == str(arrow.value)


def test_duckdb_engine_builds_hash_tables_on_the_lookups_never_on_the_episodes(tmp_path: Path) -> None:
    """The plan that ran out of memory at 50M episodes: a CSV scan has no row estimate, so the optimiser
    chose to build hash tables on the episodes. Every join must probe with episodes (LEFT, lookup built)."""
    from landscape_pipeline.sources.hes.parser import read_header
    from landscape_pipeline.sources.hes.sql_engine import MAPPED, _source, connect, cube_sql

    path = _write(tmp_path, [{}] * 3)
    header = read_header(path)
    con = connect()
    for column in MAPPED:
        con.execute(f"CREATE TABLE map_{column} AS SELECT i::VARCHAR AS value, -1::BIGINT AS code "
                    "FROM range(5000) t(i)")  # lookups larger than the CSV's (unknown) estimate
    plan = con.execute("EXPLAIN " + cube_sql(_source(path, header), set(MAPPED) & set(header))).fetchall()[0][1]
    joins = re.findall(r"Join Type: (\w+)", plan)
    assert len(joins) == len(set(MAPPED) & set(header)) and set(joins) == {"LEFT"}


def test_duckdb_engine_without_duckdb_installed_says_how_to_install_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from landscape_pipeline.sources.hes.sql_engine import EngineError

    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb now raises ImportError
    with pytest.raises(EngineError, match=r'needs DuckDB: pip install -e "\.\[scale\]"'):
        aggregate_file(_write(tmp_path, [{}]), engine="duckdb")


def test_engine_is_chosen_by_environment_and_a_typo_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from landscape_pipeline.sources.hes.sql_engine import ENGINE_ENV, EngineError, engine_from_env

    monkeypatch.delenv(ENGINE_ENV, raising=False)
    assert engine_from_env() == "arrow"
    monkeypatch.setenv(ENGINE_ENV, "DuckDB")
    assert engine_from_env() == "duckdb"
    monkeypatch.setenv(ENGINE_ENV, "duckbd")
    with pytest.raises(EngineError, match="LANDSCAPE_HES_ENGINE='duckbd' is not an engine"):
        engine_from_env()


def test_the_duckdb_memory_limit_must_be_a_size() -> None:
    from landscape_pipeline.sources.hes.sql_engine import EngineError, connect

    assert connect("800MiB").execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    with pytest.raises(EngineError, match="is not a size such as 1GB"):
        connect("1GB'; DROP TABLE x; --")


def test_a_wrong_engine_setting_is_a_usage_error_not_a_bad_file(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from landscape_pipeline.cli import main

    monkeypatch.setenv("LANDSCAPE_HES_ENGINE", "duckbd")
    code = main(["validate", "--source", "hes", str(data_sources_dir() / "hes" / REAL_ARTIFICIAL)])
    said = capsys.readouterr().err
    assert code == 2
    assert "LANDSCAPE_HES_ENGINE='duckbd' is not an engine; use one of arrow, duckdb." in said
    assert "layout" not in said  # the files are not blamed


def test_duckdb_engine_refuses_a_ragged_row_as_the_arrow_reader_does(tmp_path: Path) -> None:
    path = _write(tmp_path, [{}] * 4, name="ragged.csv")
    lines = path.read_text().splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceDataError) as arrow:
        aggregate_file(path, engine="arrow")
    with pytest.raises(SourceDataError) as duck:
        aggregate_file(path, engine="duckdb")
    assert str(duck.value) == str(arrow.value)
    assert str(arrow.value).startswith("ragged.csv, row 2 (line 3): a row cannot be read as CSV (expected 11 columns, "
                                       "got 12)")
