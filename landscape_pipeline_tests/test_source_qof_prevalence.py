"""Tests of QOF prevalence apportioned from GP practices: totals preserved, readers, parser, loader."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from responses import matchers

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.geography.lsoa import LSOA11_FILE, LSOA21_FILE, read_lsoa_lookup
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.sources.qof_prevalence import SOURCE
from landscape_pipeline.sources.qof_prevalence.apportion import apportion, choose_lookup, practice_shares
from landscape_pipeline.sources.qof_prevalence.extracts import choose_extract
from landscape_pipeline.sources.qof_prevalence.loader import (
    FINGERTIPS_URL,
    LOOKUP_SERVICE,
    LSOA11_LOOKUP_PAGE,
    PUBLICATION_PAGE,
    fetch_live,
)
from landscape_pipeline.sources.qof_prevalence.parser import INDICATOR_ID, MAX_YEARS_ENV, parse
from landscape_pipeline.sources.qof_prevalence.registrations import Registrations, read_registrations
from landscape_pipeline.sources.qof_prevalence.sample import EXTRACTS, FINGERTIPS_FILE
from landscape_pipeline.stats import proportion
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "qof_prevalence"
LOOKUP_2011 = geography.geography_dir() / LSOA11_FILE
COVENTRY = "E08000026"
HEADER = "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,NUMBER_OF_PATIENTS\n"


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


@pytest.fixture(scope="module")
def practices() -> pd.DataFrame:
    raw = pd.read_csv(FOLDER / FINGERTIPS_FILE, dtype={"Area Code": str})
    return raw[raw["Area Type"] == "GPs"]


def extract(tmp_path: Path, body: str, name: str = "reg.csv") -> Registrations:
    path = tmp_path / name
    path.write_text(HEADER + body)
    return read_registrations(path)


def test_every_english_la_region_and_england_has_five_years(parsed):
    england = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND}
    for _, rows in parsed.groupby("period_label"):
        assert set(rows.loc[rows["area_type"] == "Local authority", "area_code"]) == england
        assert rows["area_type"].value_counts()["Region"] == 9
        assert (rows["area_code"] == geography.ENGLAND).sum() == 1
    assert parsed["period_label"].nunique() == 5 and (parsed["indicator_id"] == INDICATOR_ID).all()


def test_coventry_has_prevalence_with_a_wilson_interval_and_an_apportionment_note(parsed):
    coventry = parsed[(parsed["area_code"] == COVENTRY) & parsed["is_latest"]].iloc[0]
    ci = proportion(coventry["count"], coventry["denominator"], 0.95, 100)
    assert coventry["value"] == pytest.approx(ci.value) and coventry["lower_ci_95"] == pytest.approx(ci.lower)
    assert coventry["upper_ci_95"] == pytest.approx(ci.upper)
    assert coventry["lower_ci_95"] < coventry["value"] < coventry["upper_ci_95"]
    assert coventry["count"] != round(coventry["count"])  # unrounded sums of fractional shares
    assert coventry["geography_method"] == "apportioned" and coventry["period_label"] == "2023/24"
    assert coventry["attribution_note"].startswith("Apportioned from ")
    assert "LSOA of residence" in coventry["attribution_note"] and "April 2024" in coventry["attribution_note"]
    assert "ONS LSOA 2021 -> LAD 2022 lookup" in coventry["attribution_note"]
    assert coventry["source_file"] == "; ".join([FINGERTIPS_FILE, "gp-reg-pat-prac-lsoa-all-apr-24.csv", LSOA21_FILE])
    earlier = parsed[(parsed["area_code"] == COVENTRY) & (parsed["period_label"] == "2021/22")].iloc[0]
    assert earlier["source_file"] == "; ".join([FINGERTIPS_FILE, "gp-reg-pat-prac-lsoa-all-apr-22.csv", LSOA11_FILE])
    assert "Apportioned" in coventry["value_note"] and coventry["comparator_code"] == geography.ENGLAND
    assert coventry["comparison"] in ("Higher", "Similar", "Lower") and coventry["region_code"] == "E12000005"


def test_totals_are_preserved_sum_over_las_equals_sum_over_practices(parsed, practices):
    lower = parsed[(parsed["area_type"] == "Local authority") & ~parsed["area_code"].str.startswith("E10")]
    by_year = lower.groupby("period_label")[["count", "denominator"]].sum()
    published = practices.groupby("Time period")[["Count", "Denominator"]].sum()
    assert np.allclose(by_year["count"], published.loc[by_year.index, "Count"], rtol=1e-12)
    assert np.allclose(by_year["denominator"], published.loc[by_year.index, "Denominator"], rtol=1e-12)
    counties = parsed[parsed["area_code"].str.startswith("E10")].set_index(["period_label", "area_code"])["count"]
    county_of = {la.area_code: la.upper_tier_code for la in geography.current_local_authorities() if la.tier == "lower"}
    districts = lower.assign(county=lower["area_code"].map(county_of)).dropna(subset=["county"])
    summed = districts.groupby(["period_label", "county"])["count"].sum()
    assert np.allclose(counties.sort_index(), summed.sort_index().to_numpy())
    regions = parsed[parsed["area_type"] == "Region"].groupby("period_label")["count"].sum()
    assert np.allclose(regions, by_year["count"])


def test_bundled_output_passes_the_validation_suite(parsed):
    report = validate_frame(parsed, "qof_prevalence", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_practice_split_across_two_las_is_apportioned_by_patient_shares(tmp_path):
    registrations = extract(tmp_path, "GP_PRAC_PAT_LIST,01APR2024,A81001,X,E01000001,ALL,\"1,500\"\n"
                                      "GP_PRAC_PAT_LIST,01APR2024,A81001,X,E01000002,ALL,500\n"
                                      "GP_PRAC_PAT_LIST,01APR2024,A81001,X,NO2021,ALL,40\n"
                                      "GP_PRAC_PAT_LIST,01APR2024,B82002,Y,E01000002,ALL,900\n")
    lookup = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "la_code": [COVENTRY, "E07000222"]})
    shares = practice_shares(registrations, lookup)
    assert shares.set_index(["practice_code", "la_code"])["share"].to_dict() == {
        ("A81001", COVENTRY): 0.75, ("A81001", "E07000222"): 0.25, ("B82002", "E07000222"): 1.0}
    values = pd.DataFrame({"practice_code": ["A81001", "B82002", "C83003"], "period_label": "2023/24",
                           "count": [100.0, 30.0, 7.0], "denominator": [2000.0, 900.0, 300.0]})
    by_la, excluded = apportion(values, {"2023/24": shares})
    got = by_la.set_index("area_code")
    assert got.loc[COVENTRY, ["count", "denominator"]].tolist() == [75.0, 1500.0]
    assert got.loc["E07000222", ["count", "denominator"]].tolist() == [55.0, 1400.0]
    assert got.loc["E07000222", "practices"] == 2
    assert excluded["practice_code"].tolist() == ["C83003"]  # no registration data: reported, not spread


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 5_000)), min_size=1, max_size=25),
       st.lists(st.floats(0, 500), min_size=5, max_size=5))
def test_apportionment_preserves_totals_for_any_patient_distribution(rows, counts):
    lsoas = [f"E0100000{i}" for i in range(5)]
    registrations = pd.DataFrame({"practice_code": [f"P{i % 5}" for i, _ in enumerate(rows)],
                                  "lsoa_code": [lsoas[j] for j, _ in rows], "patients": [n for _, n in rows],
                                  "source_row": range(1, len(rows) + 1)})
    lookup = pd.DataFrame({"lsoa_code": lsoas, "la_code": ["E06000001", "E06000002", "E06000001", "E07000222",
                                                           COVENTRY]})
    shares = practice_shares(Registrations(Path("x.csv"), pd.Timestamp("2024-04-01"), registrations), lookup)
    values = pd.DataFrame({"practice_code": [f"P{i}" for i in range(5)], "period_label": "2023/24",
                           "count": counts, "denominator": [c * 30 + 1 for c in counts]})
    by_la, excluded = apportion(values, {"2023/24": shares})
    assert by_la["count"].sum() + excluded["count"].sum() == pytest.approx(sum(counts), rel=1e-9, abs=1e-9)
    assert by_la["denominator"].sum() + excluded["denominator"].sum() == pytest.approx(
        values["denominator"].sum(), rel=1e-9)


def test_nearest_extract_is_chosen_for_each_qof_year(tmp_path):
    april_23 = extract(tmp_path, "P,01APR2023,A81001,X,E01000001,ALL,10\n", "a.csv")
    april_24 = extract(tmp_path, "P,01-Apr-2024,A81001,X,E01000001,ALL,10\n", "b.csv")
    assert april_24.extract_date == pd.Timestamp("2024-04-01") and april_24.label == "April 2024"
    assert choose_extract(pd.Timestamp("2024-03-31"), [april_23, april_24]) is april_24
    assert choose_extract(pd.Timestamp("2020-03-31"), [april_24, april_23]) is april_23
    before = extract(tmp_path, "P,01/12/2023,A81001,X,E01000001,ALL,10\n", "c.csv")
    after = extract(tmp_path, "P,20240201,A81001,X,E01000001,ALL,10\n", "d.csv")
    assert choose_extract(pd.Timestamp("2024-01-01"), [after, before]) is before  # 31 days either side: earlier


def test_registration_reader_sums_sexes_and_handles_markers(tmp_path):
    registrations = extract(tmp_path, "P,01APR2024,A81001,X,E01000001,MALE,\"1,200\"\n"
                                      "P,01APR2024,A81001,X,E01000001,FEMALE,1300\n"
                                      "P,01APR2024,A81001,X,E01000002,FEMALE,*\n"
                                      "P,01APR2024,A81001,X,E01000002,MALE,..\n")
    assert registrations.rows[["lsoa_code", "patients"]].values.tolist() == [["E01000001", 2500.0]]
    both = extract(tmp_path, "P,01APR2024,A81001,X,E01000001,ALL,30\nP,01APR2024,A81001,X,E01000001,MALE,14\n",
                   "both.csv")
    assert both.rows["patients"].tolist() == [30.0]  # ALL rows win, sexes are not added twice


@pytest.mark.parametrize(("body", "row", "column"), [
    ("P,01APR2024,A81001,X,E01000001,ALL,12a\n", 1, "NUMBER_OF_PATIENTS"),
    ("P,01APR2024,A81001,X,E01000001,ALL,1\nP,01MAY2024,A81001,X,E01000002,ALL,1\n", 2, "EXTRACT_DATE"),
    ("P,someday,A81001,X,E01000001,ALL,1\n", 1, "EXTRACT_DATE"),
    ("P,01APR2024,,X,E01000001,ALL,1\n", 1, "PRACTICE_CODE"),
])
def test_registration_errors_name_row_and_column(tmp_path, body, row, column):
    with pytest.raises(SourceDataError) as caught:
        extract(tmp_path, body)
    assert (caught.value.row, caught.value.column) == (row, column)


def test_welsh_residents_go_to_wales_when_the_lookup_covers_england_only(tmp_path):
    registrations = extract(tmp_path, "P,01APR2024,M97001,X,E01000001,ALL,900\n"
                                      "P,01APR2024,M97001,X,W01000009,ALL,100\n")
    lookup = pd.DataFrame({"lsoa_code": ["E01000001"], "la_code": ["E06000051"]})
    shares = practice_shares(registrations, lookup).set_index("la_code")["share"]
    assert shares.to_dict() == {"E06000051": 0.9, geography.WALES: 0.1}


def test_lsoa_missing_from_the_lookup_is_an_error_naming_the_extract_row(tmp_path):
    registrations = extract(tmp_path, "P,01APR2024,A81001,X,E01000001,ALL,5\nP,01APR2024,A81001,X,E01099999,ALL,5\n")
    lookup = pd.DataFrame({"lsoa_code": ["E01000001"], "la_code": [COVENTRY]})
    with pytest.raises(SourceDataError, match="E01099999 is not in the LSOA") as caught:
        practice_shares(registrations, lookup)
    assert (caught.value.row, caught.value.column) == (2, "LSOA_CODE")


def test_real_lsoa_lookup_places_every_english_lsoa_2011_in_a_current_la():
    lookup = read_lsoa_lookup(LOOKUP_2011)
    assert (lookup.vintage, lookup.la_year) == (2011, 2020) and len(lookup.rows) == 32_844
    england = {la.area_code for la in geography.current_local_authorities()
               if la.nation_code == geography.ENGLAND and la.tier != "upper"}
    assert set(lookup.rows["la_code"]) == england  # every current district has LSOAs, nothing else
    raw = pd.read_csv(LOOKUP_2011, dtype=str)
    moved = raw.set_index("LSOA11CD")["LAD20CD"]
    placed = lookup.rows.set_index("lsoa_code")["la_code"]
    for old, new in (("E07000150", "E06000061"), ("E07000026", "E06000063"), ("E08000016", "E08000038")):
        assert set(placed[moved[moved == old].index]) == {new}  # Corby, Allerdale, Barnsley (recoded 2025)
    assert placed["E01011959"] == "E06000001"  # the LSOA of the real 2021 extract's first row: Hartlepool


def test_lsoa_lookup_reader_rejects_unknown_districts_and_reads_cp1252(tmp_path):
    path = tmp_path / "lookup.csv"
    text = ("LSOA21CD,LSOA21NM,LAD23CD,LAD23NM,LAD23NMW\nW01000001,Isle of Anglesey 001A,W06000001,"
            "Isle of Anglesey,Ynys M\u00f4n\nE01000002,B 001A,E07999999,Nowhere,\n")
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(SourceDataError) as caught:
        read_lsoa_lookup(path)
    assert (caught.value.row, caught.value.line, caught.value.column) == (2, 3, "LAD23CD")
    path.write_bytes(text.split("E01000002")[0].encode("cp1252"))
    lookup = read_lsoa_lookup(path)
    assert lookup.vintage == 2021 and lookup.rows[["lsoa_code", "la_code"]].values.tolist() == [
        ["W01000001", "W06000001"]]


def test_practices_without_registrations_are_reported_on_the_england_row(tmp_path):
    for path in SOURCE.bundled_files(paths.data_sources_dir()):
        shutil.copy(path, tmp_path / path.name)
    latest = tmp_path / next(iter(reversed(EXTRACTS)))
    table = pd.read_csv(latest, dtype=str)
    dropped = table["PRACTICE_CODE"].iloc[0]
    table[table["PRACTICE_CODE"] != dropped].to_csv(latest, index=False)
    out = parse(sorted(tmp_path.iterdir()))
    note = out[(out["area_code"] == geography.ENGLAND) & (out["period_label"] == "2023/24")]["value_note"].iloc[0]
    assert note.startswith("1 practice(s)") and "no registration data" in note


def test_export_with_sub_icb_parents_gives_the_same_result(tmp_path, parsed):
    export = pd.read_csv(FOLDER / FINGERTIPS_FILE, dtype=str, keep_default_na=False)
    gp = export["Area Type"] == "GPs"
    export.loc[gp, "Parent Code"] = "nE38000251"
    export.loc[gp, "Parent Name"] = "NHS Coventry and Warwickshire ICB - B2M3M"
    export = export.rename(columns={"Compared to percentiles": "Compared to Sub-ICB, former CCGs value or percentiles"})
    export.to_csv(tmp_path / FINGERTIPS_FILE, index=False)
    for name in EXTRACTS:  # the LSOA lookups come from the geography
        shutil.copy(FOLDER / name, tmp_path / name)
    again = parse(sorted(tmp_path.iterdir()))
    assert np.allclose(again["value"], parsed["value"]) and (again["area_code"] == parsed["area_code"]).all()


def test_other_files_and_indicators_are_rejected(tmp_path):
    stray = tmp_path / "notes.csv"
    stray.write_text("a,b\n1,2\n")
    with pytest.raises(SourceDataError, match="neither a Fingertips export"):
        parse([stray])
    export = pd.read_csv(FOLDER / FINGERTIPS_FILE, dtype=str, keep_default_na=False)
    export.loc[3, "Indicator ID"] = "247"
    export.to_csv(tmp_path / FINGERTIPS_FILE, index=False)
    shutil.copy(FOLDER / next(iter(EXTRACTS)), tmp_path / next(iter(EXTRACTS)))
    with pytest.raises(SourceDataError, match="holds indicator 247") as caught:
        parse([tmp_path / FINGERTIPS_FILE, tmp_path / next(iter(EXTRACTS))])
    assert (caught.value.row, caught.value.column) == (4, "Indicator ID")


@responses.activate
def test_live_loader_fetches_export_registrations_zip_and_paged_lookup(tmp_path, monkeypatch):
    monkeypatch.delenv("LANDSCAPE_GP_REG_PAGE", raising=False)
    export = (FOLDER / FINGERTIPS_FILE).read_bytes()[:3_000]
    responses.get(FINGERTIPS_URL, body=export, match=[matchers.query_param_matcher(
        {"indicator_ids": "276", "child_area_type_id": "7", "parent_area_type_id": "66"})])
    month = f"{PUBLICATION_PAGE}/april-2024"
    responses.get(PUBLICATION_PAGE, body=f'<a href="{month}">April 2024</a>')
    zip_url = "https://files.digital.nhs.uk/AB/123456/gp-reg-pat-prac-lsoa-male-female-Apr-24.zip"
    responses.get(month, body=f'<a href="{zip_url}">LSOA</a>')
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("gp-reg-pat-prac-lsoa-all.csv", HEADER + "P,01APR2024,A81001,X,E01000001,ALL,5\n" * 40)
    responses.get(zip_url, body=payload.getvalue())
    pages = [{"features": [{"attributes": {"LSOA21CD": "E01000001", "LSOA21NM": "A", "LAD23CD": COVENTRY,
                                           "LAD23NM": "Coventry"}}] * 2, "exceededTransferLimit": True},
             {"features": [{"attributes": {"LSOA21CD": "E01000003", "LSOA21NM": "C", "LAD23CD": COVENTRY,
                                           "LAD23NM": "Coventry"}}], "exceededTransferLimit": False}]
    for offset, page in zip((0, 2), pages, strict=True):
        responses.get(LOOKUP_SERVICE, json=page, match=[matchers.query_param_matcher(
            {"resultOffset": str(offset)}, strict_match=False)])
    csv_url = "https://open-geography-portalx-ons.hub.arcgis.com/api/download/v1/items/abc/csv?layers=0"
    responses.get(LSOA11_LOOKUP_PAGE, body=f'<a href="/other.pdf">pdf</a><a href="{csv_url}">CSV</a>')
    responses.get(csv_url, body=(b"FID,LSOA11CD,LSOA11NM,CCG20CD,CCG20CDH,CCG20NM,LAD20CD,LAD20NM\n"
                                 + "".join(f"{i},E01{i:06d},L {i},E38000244,09A,NHS X CCG,E09000001,City\n"
                                           for i in range(1, 31)).encode()))
    saved = fetch_live(HttpFetcher(retries=0), tmp_path)
    assert [p.name.split("_", 1)[1] for p in saved] == [
        "fingertips_276_gp_practices.csv", "gp-reg-pat-prac-lsoa-all.csv", "lsoa21_to_lad23_lookup.csv",
        "lsoa11_ccg20_lad20_lookup.csv"]
    assert read_lsoa_lookup(saved[3]).vintage == 2011
    assert read_registrations(saved[1]).rows["patients"].tolist() == [200.0]
    assert pd.read_csv(saved[2])["LSOA21CD"].tolist() == ["E01000001", "E01000001", "E01000003"]
    meta = json.loads(saved[1].with_name(saved[1].name + ".meta.json").read_text())
    assert meta["url"] == zip_url and meta["synthetic"] is False


@responses.activate
def test_live_loader_explains_a_page_without_the_lsoa_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDSCAPE_GP_REG_PAGE", "https://digital.nhs.uk/x/may-2024")
    responses.get(FINGERTIPS_URL, body=(FOLDER / FINGERTIPS_FILE).read_bytes()[:3_000])
    responses.get("https://digital.nhs.uk/x/may-2024", body="<html>nothing here</html>")
    with pytest.raises(FetchError, match="LANDSCAPE_GP_REG_PAGE"):
        fetch_live(HttpFetcher(retries=0), tmp_path)


def test_real_2021_extract_reads_as_published_and_is_placed_by_the_real_lookup(reference_data, capsys):
    path = reference_data / "qof_prevalence" / "gp-reg-pat-prac-lsoa-all_2021_header_and_first_row.csv"
    registrations = read_registrations(path)
    assert registrations.extract_date == pd.Timestamp("2021-01-04")
    assert registrations.rows[["practice_code", "lsoa_code", "patients"]].values.tolist() == [
        ["A81001", "E01011959", 7.0]]
    lookup = choose_lookup(registrations, [read_lsoa_lookup(LOOKUP_2011)])
    shares = practice_shares(registrations, lookup)
    assert shares[["practice_code", "la_code", "share"]].values.tolist() == [["A81001", "E06000001", 1.0]]
    from landscape_pipeline.cli.validate import run_validate

    assert run_validate([path], "qof_prevalence") == 1  # an extract alone is no QOF table: said in a sentence
    assert "needs exactly one Fingertips export of indicator 276, found 0" in capsys.readouterr().out


@pytest.mark.parametrize("header", ["NUMBER_OF_PATIENTS", "Number of Patients", "Number of patients",
                                    " number_of_patients "])
def test_every_spelling_of_the_count_column_reads_the_same(tmp_path, header):
    path = tmp_path / "reg.csv"
    path.write_text(HEADER.replace("NUMBER_OF_PATIENTS", header) + "P,04JAN2021,A81001,X,E01011959,ALL,7\n")
    assert read_registrations(path).rows["patients"].tolist() == [7.0]


def test_wide_male_female_layout_without_extract_date_takes_the_month_from_the_file_name(tmp_path):
    path = tmp_path / "gp-reg-patients-LSOA-alt-tall-oct-16.csv"
    path.write_text("PRACTICE_CODE,LSOA_CODE,MALE_PATIENTS,FEMALE_PATIENTS\nA81001,E01011959,3,4\n"
                    "A81001,E01011960,*,*\n")
    registrations = read_registrations(path)
    assert registrations.extract_date == pd.Timestamp("2016-10-01")
    assert registrations.rows[["lsoa_code", "patients"]].values.tolist() == [["E01011959", 7.0]]
    undated = tmp_path / "registrations.csv"
    undated.write_text(path.read_text())
    with pytest.raises(SourceDataError, match="no EXTRACT_DATE column and no month in its name"):
        read_registrations(undated)


def test_an_extract_dated_in_the_future_is_refused(tmp_path):
    with pytest.raises(SourceDataError, match="in the future") as caught:
        extract(tmp_path, "P,01APR2099,A81001,X,E01000001,ALL,5\n")
    assert (caught.value.row, caught.value.line, caught.value.column) == (1, 2, "EXTRACT_DATE")


def lookup_file(tmp_path: Path, vintage: str, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / f"lsoa{vintage}_lookup.csv"
    path.write_text(f"LSOA{vintage}CD,LAD22CD\n" + "".join(f"{a},{b}\n" for a, b in rows))
    return path


def test_each_extract_is_placed_with_the_lookup_of_its_lsoa_vintage(tmp_path):
    old = read_lsoa_lookup(lookup_file(tmp_path, "11", [("E01000001", COVENTRY), ("E01000002", COVENTRY)]))
    new = read_lsoa_lookup(lookup_file(tmp_path, "21", [("E01000001", COVENTRY), ("E01035000", "E07000222")]))
    coded_2011 = extract(tmp_path, "P,01APR2022,A81001,X,E01000002,ALL,5\n", "a.csv")
    coded_2021 = extract(tmp_path, "P,01APR2024,A81001,X,E01000001,ALL,5\nP,01APR2024,A81001,X,E01035000,ALL,5\n",
                         "b.csv")
    assert choose_lookup(coded_2011, [new, old]) is old and choose_lookup(coded_2021, [old, new]) is new
    with pytest.raises(SourceDataError, match="E01035000 is in no LSOA -> local authority lookup") as caught:
        choose_lookup(coded_2021, [old])
    assert (caught.value.row, caught.value.column) == (2, "LSOA_CODE") and "2021 codes after" in str(caught.value)


def test_qof_years_beyond_the_extract_limit_are_reported_not_apportioned(tmp_path, monkeypatch):
    monkeypatch.setenv(MAX_YEARS_ENV, "0.9")  # 31 March 2023 lies a year from the April 2022 and 2024 extracts
    result = ingest(SOURCE, SOURCE.bundled_files(paths.data_sources_dir()))
    assert result.error is None, result.text()
    frame, limit = result.frame, result.notes["extract_limit"]
    assert limit["max_years"] == 0.9 and list(limit["years_not_apportioned"]) == ["2022/23"]
    assert limit["years_not_apportioned"]["2022/23"]["years_away"] == pytest.approx(1.0, abs=0.01)
    gap = frame[frame["period_label"] == "2022/23"]
    assert gap["area_code"].tolist() == [geography.ENGLAND]  # the published England row only
    assert "beyond the limit of 0.9 years (LANDSCAPE_QOF_MAX_EXTRACT_YEARS)" in gap["value_note"].iloc[0]
    assert "2022/23" not in result.notes["extracts_used"]
    from landscape_pipeline.defs.source_assets import _metadata

    assert _metadata(result, tmp_path / "x.parquet")["parser_extract_limit"]["years_not_apportioned"]
    monkeypatch.setenv(MAX_YEARS_ENV, "0.001")
    with pytest.raises(SourceDataError, match=r"no QOF year has a registration extract within 0\.001 years"):
        parse(SOURCE.bundled_files(paths.data_sources_dir()))
    monkeypatch.setenv(MAX_YEARS_ENV, "soon")
    assert "is not a positive number of years" in str(ingest(SOURCE, SOURCE.bundled_files(
        paths.data_sources_dir())).error)


def test_each_qof_year_uses_the_nearest_bundled_extract_placed_by_the_lookup_of_its_vintage(parsed):
    used = parsed.attrs["extracts_used"]
    assert used == {
        "2019/20": "January 2021 (gp-reg-pat-prac-lsoa-all-jan-21.csv; LSOA 2011 codes)",
        "2020/21": "January 2021 (gp-reg-pat-prac-lsoa-all-jan-21.csv; LSOA 2011 codes)",
        "2021/22": "April 2022 (gp-reg-pat-prac-lsoa-all-apr-22.csv; LSOA 2011 codes)",
        "2022/23": "April 2022 (gp-reg-pat-prac-lsoa-all-apr-22.csv; LSOA 2011 codes)",  # a day nearer than 2024
        "2023/24": "April 2024 (gp-reg-pat-prac-lsoa-all-apr-24.csv; LSOA 2021 codes)"}
    latest = parsed[(parsed["period_label"] == "2023/24") & (parsed["area_code"] == COVENTRY)].iloc[0]
    assert latest["source_file"].split("; ")[1:] == ["gp-reg-pat-prac-lsoa-all-apr-24.csv", LSOA21_FILE]
    assert f"ONS LSOA 2021 -> LAD 2022 lookup ({LSOA21_FILE})" in latest["attribution_note"]
    coded_2021 = read_registrations(FOLDER / "gp-reg-pat-prac-lsoa-all-apr-24.csv").rows["lsoa_code"]
    assert not coded_2021.isin(read_lsoa_lookup(LOOKUP_2011).rows["lsoa_code"]).all()  # some codes are 2021-only


def test_apportioned_rows_are_synthetic_if_any_input_was(tmp_path, parsed):
    for path in SOURCE.bundled_files(paths.data_sources_dir()):
        shutil.copy(path, tmp_path / path.name)
    manifest = json.loads((FOLDER / "provenance.json").read_text())
    manifest["files"][FINGERTIPS_FILE]["synthetic"] = False  # as if the export were the real one
    (tmp_path / "provenance.json").write_text(json.dumps(manifest))
    frame = ingest(SOURCE, sorted(p for p in tmp_path.iterdir() if p.name != "provenance.json")).frame
    england = frame["area_code"].eq(geography.ENGLAND)
    assert not frame.loc[england, "synthetic"].any()  # shaped by the (now real) export alone
    assert frame.loc[~england, "synthetic"].all()  # shaped by the synthetic extracts too
    assert parsed["synthetic"].all()  # bundled: the export itself is synthetic
