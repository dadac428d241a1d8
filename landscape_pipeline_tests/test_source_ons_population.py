"""Tests of the ONS mid-year population estimates source (readers, canonical rows, loader, sample)."""

from __future__ import annotations

import csv
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
from landscape_pipeline.cli.validate import run_validate
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.ons_population import SOURCE, loader, population_by_esp_band, sample
from landscape_pipeline.sources.ons_population.parser import BANDS, BY_AGE_ID, TOTAL_ID, parse
from landscape_pipeline.validation.runner import validate_frame
from landscape_pipeline_tests.workbooks import write_xlsx

COVENTRY, HAMPSHIRE = "E08000026", "E10000014"


REAL_FILES = ("MYE2_Males_mid2020_geog2021.csv", "MYE2_Females_mid2020_geog2021.csv")
YEARS = ["2001", "2019", "2020", "2021", "2022", "2023"]


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    files = SOURCE.bundled_files(data_sources_dir())
    assert sorted(f.name for f in files) == sorted([*REAL_FILES, sample.ZIP_NAME])
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
def test_bundled_data_cover_every_uk_area_six_years_three_sexes(bundled: pd.DataFrame) -> None:
    totals = bundled[bundled["indicator_id"] == TOTAL_ID]
    expected = set(geography.partition_keys()) | {geography.ENGLAND, geography.SCOTLAND, geography.WALES,
                                                  geography.NORTHERN_IRELAND, geography.UNITED_KINGDOM}
    expected |= {c for c in geography.areas()["area_code"] if c.startswith("E12")}
    assert set(totals["area_code"]) == expected
    assert len(expected) == 382 + 4 + 9 + 1
    per_area = totals.groupby("area_code").size()
    assert (per_area == len(YEARS) * 3).all()
    assert sorted(totals["period_label"].unique()) == YEARS


def test_bundled_magnitudes_are_plausible(bundled: pd.DataFrame) -> None:
    persons = _totals(bundled)
    assert 360_000 < persons[COVENTRY] < 400_000  # synthetic 2022, scaled from the real mid-2020 379,387
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
    assert bundled["source_url"].str.startswith("https://www.ons.gov.uk/").all()
    real = bundled["period_label"] == "2020"
    assert not bundled.loc[real, "synthetic"].any() and bundled.loc[~real, "synthetic"].all()
    assert set(bundled.loc[real, "source_file"]) == {"; ".join(sorted(REAL_FILES))}
    assert set(bundled.loc[~real, "source_file"]) == {sample.ZIP_NAME}
    assert bundled.loc[bundled["period_label"] == "2023", "is_latest"].all()
    assert not bundled.loc[bundled["period_label"] != "2023", "is_latest"].any()


def test_population_by_esp_band_columns_and_types(bundled: pd.DataFrame) -> None:
    bands = population_by_esp_band(bundled)
    assert list(bands.columns) == ["area_code", "year", "sex", "age_band", "population"]
    assert bands["year"].dtype.kind == "i"
    assert len(bands) == 396 * len(YEARS) * 3 * 19


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
    assert header == "ladcode25,laname25,country,sex,age," + ",".join(f"population_{y}" for y in sample.YEARS)


# ---------------------------------------------------------------- readers
def test_retired_codes_are_summed_into_their_successor(tmp_path: Path) -> None:
    rows = (_full_ages("E07000026", "Allerdale", 10) + _full_ages("E07000028", "Carlisle", 7)
            + _full_ages("E07000029", "Copeland", 5))
    frame = parse([_myeb1(tmp_path, rows)])
    persons = _totals(frame)
    assert list(persons.index) == ["E06000063"]  # Cumberland; no county, region or nation is complete
    assert persons["E06000063"] == (10 + 7 + 5) * 91 * 2


def test_a_successor_is_not_built_from_some_of_its_districts(tmp_path: Path) -> None:
    rows = _full_ages("E07000026", "Allerdale", 10) + _full_ages("E07000029", "Copeland", 5)
    with pytest.raises(SourceDataError) as caught:
        parse([_myeb1(tmp_path, rows)])
    message = str(caught.value)
    assert "MYEB1_test.csv, row 1 (line 2), column 'ladcode21'" in message
    assert "E07000028 (Carlisle) is not" in message and "E06000063 (Cumberland)" in message


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
    lines.append(f"E10000006,Cumbria,County,\"{total * 3:,}\"," + ",".join([str(per_age * 3)] * 91))
    for code, name in ((COVENTRY, "Coventry"), ("E07000026", "Allerdale"), ("E07000028", "Carlisle"),
                       ("E07000029", "Copeland")):
        kind = "Metropolitan District" if code == COVENTRY else "Non-metropolitan District"
        lines.append(f"{code},{name},{kind},\"{total:,}\"," + ",".join([f'"{per_age:,}"'] * 91))
    path = tmp_path / f"mye2_{sex.lower()}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_mye2_wide_sheets_are_read_and_persons_sheet_ignored(tmp_path: Path) -> None:
    files = [_mye2(tmp_path, "Males", 1_200), _mye2(tmp_path, "Females", 1_300), _mye2(tmp_path, "Persons", 9)]
    frame = parse(files)
    persons = _totals(frame)
    assert set(persons.index) == {COVENTRY, "E06000063"}  # England, Cumbria rows skipped; districts -> Cumberland
    assert persons[COVENTRY] == (1_200 + 1_300) * 91
    assert persons["E06000063"] == 3 * (1_200 + 1_300) * 91
    assert _totals(frame, sex="Male")[COVENTRY] == 1_200 * 91
    assert frame["source_file"].str.contains("mye2_males.csv").all()


def test_mye2_persons_sheet_alone_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match=r"no male or female estimates were found in mye2_persons\.csv: a MYE2 "
                                              r"Persons sheet alone cannot be split by sex"):
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


# ---------------------------------------------------------------- the real ONS MYE2 sheets (../shared)
def _publisher_totals(path: Path) -> dict[str, int]:
    """Return the file's own 'All ages' figure for each area code, read with the csv module, not the parser."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = next(i for i, row in enumerate(rows) if row[:3] == ["Code", "Name", "Geography"])
    return {row[0]: int(row[3].replace(",", "")) for row in rows[header + 1:] if row and row[0]}


@pytest.fixture(scope="module")
def real_mye2(reference_data: Path) -> tuple[list[Path], pd.DataFrame]:
    files = [reference_data / "ons_population" / name for name in REAL_FILES]
    return files, parse(files)


def test_real_mye2_sheets_match_the_publishers_total_rows(real_mye2: tuple[list[Path], pd.DataFrame]) -> None:
    files, frame = real_mye2
    males, females = (_publisher_totals(f) for f in files)
    for sex, given in (("Male", males), ("Female", females)):
        parsed = _totals(frame, year="2020", sex=sex)
        for code in (geography.UNITED_KINGDOM, geography.ENGLAND, geography.WALES, geography.SCOTLAND,
                     geography.NORTHERN_IRELAND, "E12000005", COVENTRY, HAMPSHIRE):
            assert parsed[code] == given[code], (sex, code)
    persons = _totals(frame, year="2020")
    # the figures the reference README gives for the files (England, UK, Scotland persons)
    assert (persons[geography.ENGLAND], persons[geography.UNITED_KINGDOM], persons[geography.SCOTLAND]) == (
        56_550_138, 67_081_234, 5_466_000)
    assert not frame["synthetic"].any()


def test_real_mye2_abolished_counties_are_skipped_and_their_districts_summed(
        real_mye2: tuple[list[Path], pd.DataFrame]) -> None:
    files, frame = real_mye2
    given = {code: m + f for (code, m), f in zip(_publisher_totals(files[0]).items(),
                                                  _publisher_totals(files[1]).values(), strict=True)}
    persons = _totals(frame, year="2020")
    successors = {"E06000063": ("E07000026", "E07000028", "E07000029"),          # Cumberland
                  "E06000064": ("E07000027", "E07000030", "E07000031"),          # Westmorland and Furness
                  "E06000065": tuple(f"E070001{n}" for n in range(63, 70)),      # North Yorkshire
                  "E06000066": ("E07000187", "E07000188", "E07000189", "E07000246")}  # Somerset
    for successor, districts in successors.items():
        assert persons[successor] == sum(given[d] for d in districts)
    # the abolished counties equal their districts in the file itself, and are not read as districts
    assert given["E10000023"] == persons["E06000065"] and given["E10000027"] == persons["E06000066"]
    assert given["E10000006"] == persons["E06000063"] + persons["E06000064"]
    assert not {"E10000006", "E10000023", "E10000027", "E07000026"} & set(persons.index)


def test_real_workbook_is_read_directly(reference_data: Path, real_mye2: tuple[list[Path], pd.DataFrame],
                                       tmp_path: Path) -> None:
    files, from_csv = real_mye2
    sheets = {"Contents": [["Contents"]], "MYE2 - Persons": [["MYE2: Persons, mid-2020"]]}
    for name, path in zip(("MYE2 - Males", "MYE2 - Females"), files, strict=True):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sheets[name] = [[int(c) if c.isdigit() else c for c in row] for row in csv.reader(handle)]
    book = write_xlsx(tmp_path / "ukpopestimatesmid2020on2021geography.xlsx", sheets)
    from_book = parse([book])
    keys = ["indicator_id", "area_code", "sex", "age", "period_label"]
    merged = from_csv.merge(from_book, on=keys, suffixes=("_csv", "_book"), validate="one_to_one")
    assert len(merged) == len(from_csv) == len(from_book)
    assert (merged["value_csv"] == merged["value_book"]).all()
    del sheets["MYE2 - Females"]
    with pytest.raises(SourceDataError) as caught:
        parse([write_xlsx(tmp_path / "no_females.xlsx", sheets)])
    message = str(caught.value)
    assert "no_females.xlsx: has no 'MYE2 - Females' sheet (its sheets are: Contents, MYE2 - Persons, MYE2 - Males)" \
        in message and "save its 'MYE2 - Males' and 'MYE2 - Females' sheets as CSV" in message


def test_real_files_pass_landscape_validate(reference_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [reference_data / "ons_population" / name for name in REAL_FILES]
    assert run_validate(files, "ons_population") == 0
    assert "[ok] " in capsys.readouterr().out


# ---------------------------------------------------------------- plausibility and geography rules
def _tiny_mye2(tmp_path: Path, rows: list[str], title: str = "MYE2 - Males: mid-2020", name: str = "males.csv") -> Path:
    ages = ",".join(str(a) for a in range(90)) + ",90+"
    path = tmp_path / name
    path.write_text("\n".join([title, "Code,Name,Geography,All ages," + ages, *rows]) + "\n", encoding="utf-8")
    return path


def _row(code: str, name: str, kind: str, per_age: str = "10") -> str:
    return f"{code},{name},{kind},910," + ",".join([per_age] * 91)


def test_fractional_population_is_refused_with_row_line_and_column(tmp_path: Path) -> None:
    cells = ["10"] * 91
    cells[41] = "12.5"
    path = _tiny_mye2(tmp_path, [_row(COVENTRY, "Coventry", "Metropolitan District"),
                                 "E08000025,Birmingham,Metropolitan District,910," + ",".join(cells)])
    with pytest.raises(SourceDataError) as caught:
        parse([path])
    assert str(caught.value) == ("males.csv, row 2 (line 4), column '41': population '12.5' is not a whole number; "
                                 "an estimate counts people.")


def test_future_years_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match=r"MYEB1_test.csv, column 'population_2031': holds an estimate for "
                                              r"mid-2031"):
        parse([_myeb1(tmp_path, _full_ages(COVENTRY, "Coventry", 3, years=(2022, 2031)), years=(2022, 2031))])
    path = _tiny_mye2(tmp_path, [_row(COVENTRY, "Coventry", "Metropolitan District")], title="MYE2 - Males: mid-2031")
    with pytest.raises(SourceDataError, match=r"males.csv, line 1: holds an estimate for mid-2031"):
        parse([path])


def test_codes_from_two_geographies_are_refused(tmp_path: Path) -> None:
    path = _tiny_mye2(tmp_path, [_row("E06000063", "Cumberland", "Unitary Authority"),
                                 _row("E07000026", "Allerdale", "Non-metropolitan District")])
    with pytest.raises(SourceDataError) as caught:
        parse([path])
    assert "row 1 (line 3), column 'Code': E06000063 (Cumberland) came into use on 2023-04-01 but E07000026 " \
           "(Allerdale) was retired on 2023-04-01" in str(caught.value)


def test_a_stated_geography_year_is_checked(tmp_path: Path) -> None:
    rows = [_row("E06000061", "North Northamptonshire", "Unitary Authority")]
    assert _totals(parse([_tiny_mye2(tmp_path, rows, name="mye2_males_geog2021.csv")]), "2020", "Male").size == 1
    with pytest.raises(SourceDataError, match="says its areas are as on 2020-04-01, but E06000061"):
        parse([_tiny_mye2(tmp_path, rows, name="mye2_males_geog2020.csv")])


@pytest.mark.parametrize(("row", "expected"), [
    (_row(COVENTRY, "Coventry", "Metropolitan Borough Thing"), "row 1 (line 3), column 'Geography': geography type "
                                                                "'Metropolitan Borough Thing' is not one this source"),
    (_row("E10000006", "Cumbria", "Non-metropolitan District"), "row 1 (line 3), column 'Code': area code "
                                                                 "'E10000006' is labelled a district"),
    (_row(COVENTRY, "Coventry", "County"), "row 1 (line 3), column 'Code': area code 'E08000026' is a district"),
])
def test_geography_labels_must_agree_with_the_code(tmp_path: Path, row: str, expected: str) -> None:
    with pytest.raises(SourceDataError) as caught:
        parse([_tiny_mye2(tmp_path, [row])])
    assert expected in str(caught.value)


def test_real_figures_win_over_synthetic_ones_for_the_same_district_and_year(tmp_path: Path) -> None:
    synthetic_dir = tmp_path / "synthetic"
    synthetic_dir.mkdir()
    invented = _myeb1(synthetic_dir, _full_ages(COVENTRY, "Coventry", 3, years=(2019, 2020)), years=(2019, 2020))
    (synthetic_dir / "provenance.json").write_text(json.dumps({"synthetic": True, "files": {}}))
    real = _tiny_mye2(tmp_path, [_row(COVENTRY, "Coventry", "Metropolitan District", "20")])
    real_f = _tiny_mye2(tmp_path, [_row(COVENTRY, "Coventry", "Metropolitan District", "30")],
                        title="MYE2 - Females: mid-2020", name="females.csv")
    frame = parse([invented, real, real_f])
    totals = frame[(frame["indicator_id"] == TOTAL_ID) & (frame["sex"] == "Persons")].set_index("period_label")
    assert totals.loc["2020", "value"] == (20 + 30) * 91 and not totals.loc["2020", "synthetic"]
    assert totals.loc["2019", "value"] == 3 * 2 * 91 and totals.loc["2019", "synthetic"]
    assert totals.loc["2020", "source_file"] == "females.csv; males.csv"


def test_a_sheet_without_districts_says_so(tmp_path: Path) -> None:
    path = _tiny_mye2(tmp_path, [_row("E92000001", "ENGLAND", "Country"), _row("E10000006", "Cumbria", "County")])
    with pytest.raises(SourceDataError, match=r"^males.csv: has no district or unitary authority rows for males or "
                                              r"females \(only areas that are sums of districts, or Persons\)"):
        parse([path])


def test_one_sheet_gives_its_sex_only_and_no_persons(tmp_path: Path) -> None:
    frame = parse([_tiny_mye2(tmp_path, [_row(COVENTRY, "Coventry", "Metropolitan District")])])
    totals = frame[frame["indicator_id"] == TOTAL_ID]
    assert totals["sex"].tolist() == ["Male"] and totals["value"].tolist() == [910]
    assert set(frame["sex"]) == {"Male"}
