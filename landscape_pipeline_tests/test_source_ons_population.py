"""Tests of the ONS mid-year population estimates source (readers, canonical rows, loader, sample)."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.ons_population import SOURCE, loader, population_by_esp_band, sample
from landscape_pipeline.sources.ons_population.parser import BANDS, BY_AGE_ID, TOTAL_ID, parse
from landscape_pipeline.validation.runner import validate_frame

COVENTRY, HAMPSHIRE = "E08000026", "E10000014"


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    files = SOURCE.bundled_files(data_sources_dir())
    assert [f.name for f in files] == [sample.ZIP_NAME]
    return parse(files)


def _totals(frame: pd.DataFrame, year: str = "2022", sex: str = "Persons") -> pd.Series:
    rows = frame[(frame["indicator_id"] == TOTAL_ID) & (frame["period_label"] == year) & (frame["sex"] == sex)]
    return rows.set_index("area_code")["value"]


def _myeb1(tmp_path: Path, rows: list[tuple], years=(2021, 2022), code_col: str = "ladcode21") -> Path:
    header = [code_col, code_col.replace("code", "name"), "country", "sex", "age", *[f"population_{y}" for y in years]]
    path = tmp_path / "MYEB1_test.csv"
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return path


def _full_ages(code: str, name: str, per_age: int, years=(2021, 2022)) -> list[tuple]:
    return [(code, name, "E", sex, age, *[per_age] * len(years)) for sex in (1, 2) for age in range(91)]


# ---------------------------------------------------------------- bundled sample
def test_bundled_sample_covers_every_uk_area_five_years_three_sexes(bundled: pd.DataFrame) -> None:
    totals = bundled[bundled["indicator_id"] == TOTAL_ID]
    expected = set(geography.partition_keys()) | {geography.ENGLAND, geography.SCOTLAND, geography.WALES,
                                                  geography.NORTHERN_IRELAND, geography.UNITED_KINGDOM}
    expected |= {c for c in geography.areas()["area_code"] if c.startswith("E12")}
    assert set(totals["area_code"]) == expected
    assert len(expected) == 382 + 4 + 9 + 1
    per_area = totals.groupby("area_code").size()
    assert (per_area == 5 * 3).all()
    assert sorted(totals["period_label"].unique()) == ["2019", "2020", "2021", "2022", "2023"]


def test_bundled_magnitudes_are_plausible(bundled: pd.DataFrame) -> None:
    persons = _totals(bundled)
    assert 330_000 < persons[COVENTRY] < 360_000
    assert 1_300_000 < persons[HAMPSHIRE] < 1_500_000
    assert 50e6 < persons[geography.ENGLAND] < 65e6
    assert persons[geography.UNITED_KINGDOM] == pytest.approx(
        sum(persons[c] for c in (geography.ENGLAND, geography.SCOTLAND, geography.WALES, geography.NORTHERN_IRELAND)))


def test_persons_is_male_plus_female_and_bands_sum_to_total(bundled: pd.DataFrame) -> None:
    persons, male, female = (_totals(bundled, sex=s) for s in ("Persons", "Male", "Female"))
    assert np.allclose(persons, male + female)
    bands = population_by_esp_band(bundled)
    coventry = bands[(bands["area_code"] == COVENTRY) & (bands["year"] == 2022) & (bands["sex"] == "Persons")]
    assert list(coventry["age_band"]) == list(BANDS)
    assert coventry["population"].sum() == pytest.approx(persons[COVENTRY])
    # a realistic age structure: more people aged 40-44 than 90+, and 90+ under 2% of the total
    by_band = coventry.set_index("age_band")["population"]
    assert by_band["40-44"] > 5 * by_band["90+"]
    assert by_band["90+"] / persons[COVENTRY] < 0.02


def test_county_is_the_sum_of_its_districts(bundled: pd.DataFrame) -> None:
    persons = _totals(bundled, year="2019", sex="Female")
    districts = geography.lower_tier_codes(HAMPSHIRE)
    assert len(districts) == 11
    assert persons[HAMPSHIRE] == pytest.approx(sum(persons[c] for c in districts))


def test_canonical_columns_and_labels(bundled: pd.DataFrame) -> None:
    conformed = schema.conform(bundled)
    assert list(conformed.columns) == list(schema.COLUMN_NAMES)
    row = bundled[(bundled["indicator_id"] == BY_AGE_ID)].iloc[0]
    assert row["category_type"] == "Age band (ESP2013)" and row["category"] == row["age"]
    total = bundled[bundled["indicator_id"] == TOTAL_ID].iloc[0]
    assert (total["indicator_name"], total["value_type"], total["unit"], total["polarity"], total["age"]) == (
        "Resident population", "count", "persons", "Not applicable", "All ages")
    assert pd.Timestamp(total["period_start"]) == pd.Timestamp(f"{total['period_label']}-06-30")
    assert bundled["synthetic"].all() and bundled["source_url"].str.startswith("https://www.ons.gov.uk/").all()
    assert bundled.loc[bundled["period_label"] == "2023", "is_latest"].all()
    assert not bundled.loc[bundled["period_label"] != "2023", "is_latest"].any()


def test_population_by_esp_band_columns_and_types(bundled: pd.DataFrame) -> None:
    bands = population_by_esp_band(bundled)
    assert list(bands.columns) == ["area_code", "year", "sex", "age_band", "population"]
    assert bands["year"].dtype.kind == "i"
    assert len(bands) == 396 * 5 * 3 * 19


def test_bundled_output_passes_validation(bundled: pd.DataFrame) -> None:
    report = validate_frame(bundled, "ons_population", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_sample_generator_is_deterministic(tmp_path: Path) -> None:
    first = sample.write_zip(sample.build_population(), tmp_path / "a.zip")
    second = sample.write_zip(sample.build_population(), tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        header = archive.read(sample.MEMBER_NAME).decode().split("\r\n", 1)[0]
    assert header == "ladcode23,laname23,country,sex,age," + ",".join(f"population_{y}" for y in sample.YEARS)


# ---------------------------------------------------------------- readers
def test_retired_codes_are_summed_into_their_successor(tmp_path: Path) -> None:
    rows = _full_ages("E07000026", "Allerdale", 10) + _full_ages("E07000029", "Copeland", 5)
    frame = parse([_myeb1(tmp_path, rows)])
    persons = _totals(frame)
    assert list(persons.index) == ["E06000063"]  # Cumberland; no county, region or nation is complete
    assert persons["E06000063"] == (10 + 5) * 91 * 2


def test_myeb1_inside_zip_and_gzip(tmp_path: Path) -> None:
    path = _myeb1(tmp_path, _full_ages(COVENTRY, "Coventry", 3))
    zipped = tmp_path / "series.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(path, "MYEB1_detailed_population_estimates_series_UK_(2020_geog21).csv")
        archive.writestr("MYEB2_detailed_components_of_change_series_UK.csv", "ignored\n")
    gz = tmp_path / "series.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    for source in (zipped, gz):
        assert _totals(parse([source]))[COVENTRY] == 3 * 91 * 2


def _mye2(tmp_path: Path, sex: str, per_age: int) -> Path:
    ages = [str(a) for a in range(90)] + ["90+"]
    lines = [f"MYE2 - {sex}: Population estimates: {sex} by single year of age for local authorities in the UK, "
             "mid-2022", "", "Code,Name,Geography,All ages," + ",".join(ages)]
    total = per_age * 91
    lines.append(f"E92000001,ENGLAND,Country,\"{total * 300:,}\"," + ",".join([str(per_age * 300)] * 91))
    for code, name in ((COVENTRY, "Coventry"), ("E07000029", "Copeland")):
        lines.append(f"{code},{name},Metropolitan District,\"{total:,}\"," + ",".join([f'"{per_age:,}"'] * 91))
    path = tmp_path / f"mye2_{sex.lower()}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_mye2_wide_sheets_are_read_and_persons_sheet_ignored(tmp_path: Path) -> None:
    files = [_mye2(tmp_path, "Males", 1_200), _mye2(tmp_path, "Females", 1_300), _mye2(tmp_path, "Persons", 9)]
    frame = parse(files)
    persons = _totals(frame)
    assert set(persons.index) == {COVENTRY, "E06000063"}  # England row ignored; Copeland -> Cumberland
    assert persons[COVENTRY] == (1_200 + 1_300) * 91
    assert _totals(frame, sex="Male")[COVENTRY] == 1_200 * 91
    assert frame["source_file"].str.contains("mye2_males.csv").all()


def test_mye2_persons_sheet_alone_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match="Males and Females"):
        parse([_mye2(tmp_path, "Persons", 10)])


@pytest.mark.parametrize(("column", "bad", "expected"), [
    ("sex", "3", "column 'sex'"), ("population_2022", "n/a", "column 'population_2022'"),
    ("ladcode21", "E99999999", "column 'ladcode21'"), ("age", "ninety", "column 'age'")])
def test_bad_cells_name_file_row_and_column(tmp_path: Path, column: str, bad: str, expected: str) -> None:
    rows = [list(r) for r in _full_ages(COVENTRY, "Coventry", 3)]
    path = _myeb1(tmp_path, rows)
    frame = pd.read_csv(path, dtype=str)
    frame.loc[4, column] = bad
    frame.to_csv(path, index=False)
    with pytest.raises(SourceDataError) as caught:
        parse([path])
    assert "MYEB1_test.csv, row 5" in str(caught.value) and expected in str(caught.value)


def test_duplicate_estimates_across_files_are_rejected(tmp_path: Path) -> None:
    first = _myeb1(tmp_path, _full_ages(COVENTRY, "Coventry", 3))
    second = tmp_path / "copy.csv"
    second.write_bytes(first.read_bytes())
    with pytest.raises(SourceDataError, match="appears twice"):
        parse([first, second])


# ---------------------------------------------------------------- live loader
def _zip_bytes(tmp_path: Path) -> bytes:
    path = _myeb1(tmp_path, _full_ages(COVENTRY, "Coventry", 7))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(path, "MYEB1_detailed_population_estimates_series_UK_(2020_geog21).csv")
    return buffer.getvalue()


@responses.activate
def test_fetch_live_downloads_the_ons_zip_with_sidecar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(loader.URL_ENV, raising=False)
    body = _zip_bytes(tmp_path)
    responses.get(loader.MYEB_ZIP_URL, body=body, content_type="application/zip")
    saved = loader.fetch_live(HttpFetcher(retries=0), tmp_path / "raw")
    assert len(saved) == 1 and saved[0].name.endswith("_ukdetailedtimeseries2001to2020.zip")
    meta = json.loads(saved[0].with_name(saved[0].name + ".meta.json").read_text())
    assert meta["url"] == loader.MYEB_ZIP_URL and meta["synthetic"] is False
    frame = parse(saved)
    assert _totals(frame)[COVENTRY] == 7 * 91 * 2
    assert not frame["synthetic"].any() and (frame["source_url"] == loader.MYEB_ZIP_URL).all()


@responses.activate
def test_fetch_live_rejects_a_page_instead_of_a_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://www.ons.gov.uk/file?uri=/x/ukdetailedtimeseries2011to2023.zip"
    monkeypatch.setenv(loader.URL_ENV, url)
    responses.get(url, body="<html>" + "moved " * 5000 + "</html>", content_type="text/html")
    with pytest.raises(FetchError, match=loader.URL_ENV):
        loader.fetch_live(HttpFetcher(retries=0), tmp_path)
    assert not list(tmp_path.glob("*.zip"))
