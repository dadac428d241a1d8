"""Tests of the CPES source and the dated NHS geography: reader edge cases, question map, attribution, loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.geography import nhs
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.cpes import SOURCE
from landscape_pipeline.sources.cpes.loader import DATA_PAGE, URLS_ENV, fetch_live, find_data_tables
from landscape_pipeline.sources.cpes.parser import lookup_date, parse
from landscape_pipeline.sources.cpes.questions import INDICATORS, QUESTION_MAP, normalise_question_number
from landscape_pipeline.sources.cpes.reader import read_data_table
from landscape_pipeline.sources.cpes.sample import ENCODING
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "cpes"
RENUMBERED = FOLDER / "fixtures" / "cpes_2023_data_tables_renumbered.csv"
COVENTRY, COVENTRY_ICB, BASSETLAW = "E08000026", "E54000018", "E07000171"
RATING = "cpes_overall_rating_of_care"


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


def table_2023() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "cpes_2023_data_tables.csv", dtype=str, keep_default_na=False, encoding=ENCODING)


def write(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False, encoding=ENCODING)
    return path


def row(frame: pd.DataFrame, indicator_id: str, code: str, year: str) -> pd.Series:
    found = frame[(frame["indicator_id"] == indicator_id) & (frame["area_code"] == code)
                  & (frame["period_label"] == year)]
    assert len(found) == 1, f"{indicator_id} {code} {year}: {len(found)} rows"
    return found.iloc[0]


def test_bundled_tables_give_england_icbs_and_every_english_la_for_three_years(parsed):
    england = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND}
    assert sorted(parsed["period_label"].unique()) == ["2021", "2022", "2023"]
    for (year, indicator_id), rows in parsed.groupby(["period_label", "indicator_id"]):
        types = rows["area_type"].value_counts()
        assert types["England"] == 1 and types["ICB"] == 42, (year, indicator_id)
        assert set(rows.loc[rows["area_type"] == "Local authority", "area_code"]) == england
    assert set(parsed["indicator_id"]) == set(INDICATORS)


def test_coventry_overall_rating_is_attributed_from_its_icb(parsed):
    la = row(parsed, RATING, COVENTRY, "2023")
    icb = row(parsed, RATING, COVENTRY_ICB, "2023")
    national = row(parsed, RATING, geography.ENGLAND, "2023")
    assert la["geography_method"] == "attributed" and icb["geography_method"] == "direct"
    assert la["attribution_note"].startswith("Attributed from NHS Coventry and Warwickshire ICB (E54000018)")
    assert "100% of Coventry's residents" in la["attribution_note"]
    for column in ("value", "lower_ci_95", "upper_ci_95", "denominator", "comparison", "source_row"):
        assert la[column] == icb[column], column
    assert la["unit"] == "score 0-10" and la["value_type"] == "score" and 0 < la["value"] <= 10
    assert la["comparator_code"] == geography.ENGLAND and la["comparator_value"] == national["value"]
    assert la["region_code"] == "E12000005" and la["is_latest"] and la["polarity"] == "High is good"


def test_split_county_names_every_icb_and_the_lookup_changes_with_the_survey_year(parsed):
    essex = row(parsed, RATING, "E10000012", "2023")["attribution_note"]
    assert "NHS Mid and South Essex ICB (E54000026)" in essex and "E54000023" in essex and "E54000025" in essex
    assert "South Yorkshire ICB (E54000061)" in row(parsed, RATING, BASSETLAW, "2022")["attribution_note"]
    assert "Nottingham and Nottinghamshire ICB (E54000060)" in row(parsed, RATING, BASSETLAW, "2023")[
        "attribution_note"]
    assert lookup_date(2023).isoformat() == "2024-07-01"


def test_bundled_output_passes_the_validation_suite(parsed):
    report = validate_frame(parsed, "cpes", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_renumbered_questionnaire_is_rejected_naming_the_unmapped_question():
    with pytest.raises(SourceDataError) as caught:
        parse([RENUMBERED])
    error = caught.value
    assert error.path.name == RENUMBERED.name and error.column == "Question Number" and error.row == 9
    assert "Q33 'Were you given information about financial help" in str(error)
    assert "QUESTION_MAP[2023]['Q33']" in str(error) and "questions.py" in str(error)


def test_landscape_validate_exits_1_on_the_renumbered_file(monkeypatch, capsys):
    from landscape_pipeline.cli import validate as cli_validate

    monkeypatch.setattr(cli_validate, "all_sources", lambda: {"cpes": SOURCE})
    assert cli_validate.run_validate([RENUMBERED], None) == 1
    out = capsys.readouterr().out
    assert "[FAILED]" in out and "Q33" in out and "Question Number" in out


def test_mapped_question_with_other_text_is_an_error(tmp_path):
    table = table_2023()
    swap = {"Q59": "Q60", "Q60": "Q59"}  # teamwork and overall rating swapped
    table["Question Number"] = table["Question Number"].replace(swap)
    with pytest.raises(SourceDataError, match="map says Q60 is 'CPES: Overall rating") as caught:
        read_data_table(write(table, tmp_path / "cpes_2023.csv"))
    assert caught.value.column == "Question Number"


def test_survey_year_without_a_map_is_an_error_naming_the_fix(tmp_path):
    table = table_2023().assign(**{"Survey Year": "2030"})
    with pytest.raises(SourceDataError, match=r"Add QUESTION_MAP\[2030\]") as caught:
        read_data_table(write(table, tmp_path / "cpes_2030.csv"))
    assert caught.value.column == "Survey Year" and caught.value.row == 1


def test_reader_handles_separators_markers_windows_1252_and_fractions(tmp_path):
    table = table_2023()
    assert table["Number of responses"].str.contains(",").any()  # the sample really uses separators
    data = read_data_table(FOLDER / "cpes_2023_data_tables.csv").rows
    national = data[(data["level"] == "National") & (data["indicator_id"] == RATING)].iloc[0]
    shown = table[(table["Level"] == "National") & (table["Question Number"] == national["question"])]
    assert national["responses"] == float(shown["Number of responses"].iloc[0].replace(",", ""))
    assert data["org_name"].str.contains("Guy\u2019s and St Thomas\u2019").any()  # decoded from cp1252
    trust = data[(data["org_code"] == "RP6")]
    assert trust["suppressed"].all() and trust["value"].isna().all() and (trust["responses"] < 21).all()
    table.loc[1, "Expected Range (lower)"] = ".."
    proportions = table["Question Number"].map(QUESTION_MAP[2023]).isin(
        [k for k, v in INDICATORS.items() if v.value_type == "proportion"])
    for column in ("scored percentage", "Lower 95% confidence interval", "Upper 95% confidence interval",
                   "Expected Range (lower)", "Expected Range (upper)"):
        numbers = pd.to_numeric(table.loc[proportions, column], errors="coerce")
        table.loc[proportions & numbers.notna(), column] = (numbers.dropna() / 100).map(lambda v: f"{v:.4f}")
    rows = read_data_table(write(table, tmp_path / "cpes_2023.csv")).rows
    assert np.isnan(rows.loc[1, "expected_lower"]) and not rows.loc[1, "suppressed"]
    again = rows[(rows["level"] == "ICB") & (rows["indicator_id"] == "cpes_offered_care_plan")]["value"]
    original = data[(data["level"] == "ICB") & (data["indicator_id"] == "cpes_offered_care_plan")]["value"]
    assert np.allclose(again.to_numpy(), original.to_numpy(), atol=0.06)  # 0-1 fractions rescaled to %
    assert rows.loc[rows["indicator_id"] == RATING, "value"].max() <= 10  # the 0-10 score is left alone


def test_unparsable_number_names_row_and_column(tmp_path):
    table = table_2023()
    table.loc[6, "Upper 95% confidence interval"] = "8.9x"
    with pytest.raises(SourceDataError, match=r"'8\.9x' is not a number") as caught:
        read_data_table(write(table, tmp_path / "cpes_2023.csv"))
    assert caught.value.row == 7 and caught.value.column == "Upper 95% confidence interval"


def test_suppressed_icb_result_is_carried_to_its_las_without_a_comparison(tmp_path):
    table = table_2023()
    hit = (table["ONS Code"] == COVENTRY_ICB) & (table["Question Number"] == "Q60")
    table.loc[hit, ["scored percentage", "Lower 95% confidence interval", "Upper 95% confidence interval",
                    "Expected Range (lower)", "Expected Range (upper)"]] = "*"
    out = parse([write(table, tmp_path / "cpes_2023_data_tables.csv")])
    la = row(out, RATING, COVENTRY, "2023")
    assert la["suppressed"] and pd.isna(la["value"]) and la["comparison"] == "Not compared"
    assert "fewer than 21" in la["value_note"]


def test_sub_icb_results_are_preferred_where_the_table_has_them(tmp_path):
    table = table_2023()
    icb = table[(table["ONS Code"] == COVENTRY_ICB)].copy()
    icb["Level"], icb["ONS Code"], icb["Organisation Code"] = "Sub-ICB", "E38000251", "B2M3M"
    icb["Organisation Name"] = "NHS Coventry and Warwickshire ICB - B2M3M"
    icb["scored percentage"] = icb["scored percentage"].map(lambda v: v if v == "*" else f"{float(v) * 0.99:.2f}")
    out = parse([write(pd.concat([table, icb]), tmp_path / "cpes_2023_data_tables.csv")])
    la = row(out, RATING, COVENTRY, "2023")
    assert la["attribution_note"].startswith("Attributed from NHS Coventry and Warwickshire ICB - B2M3M (E38000251)")
    assert la["value"] == row(out, RATING, "E38000251", "2023")["value"]
    assert "Sub-ICB result" in la["attribution_note"]
    assert row(out, RATING, "E08000025", "2023")["attribution_note"].startswith(
        "Attributed from NHS Birmingham and Solihull ICB (E54000055)")  # falls back to the ICB


def test_missing_icb_is_an_error_naming_it_and_an_la(tmp_path):
    table = table_2023()
    table = table[table["ONS Code"] != COVENTRY_ICB]
    with pytest.raises(SourceDataError, match=r"NHS Coventry and Warwickshire ICB \(E54000018\), which covers"):
        parse([write(table, tmp_path / "cpes_2023_data_tables.csv")])


def test_question_numbers_are_normalised():
    assert [normalise_question_number(v) for v in ("61", " q61 ", "Q061", "Q12a")] == ["Q61", "Q61", "Q61", "Q12a"]


def test_nhs_lookup_covers_every_english_la_with_shares_summing_to_one():
    england = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND}
    for when in ("2022-07-01", "2024-03-31", "2024-04-01", "2026-01-01"):
        areas = nhs.nhs_areas_of_las(when, "icb")
        assert set(areas["la_code"]) == england
        assert np.allclose(areas.groupby("la_code")["la_share"].sum(), 1.0)
        assert areas["nhs_code"].str.match(r"^E54\d{6}$").all()
    lookup = nhs.read_sub_icb_lookup()
    assert lookup["ICBCD"].nunique() == 42 and lookup["SICBLCD"].nunique() == 106
    totals = lookup.groupby(["valid_from", "SICBLCD"])["sicbl_share"].sum()
    assert np.allclose(totals, 1.0, atol=2e-4)


def test_nhs_lookup_is_dated():
    before = nhs.main_nhs_area_of_las("2024-03-31").set_index("la_code")
    after = nhs.main_nhs_area_of_las("2024-04-01").set_index("la_code")
    assert before.loc[BASSETLAW, "nhs_code"] == "E54000061" and after.loc[BASSETLAW, "nhs_code"] == "E54000060"
    assert before.loc[COVENTRY, "nhs_code"] == after.loc[COVENTRY, "nhs_code"] == COVENTRY_ICB
    north_yorkshire = before.loc["E06000065"]
    assert north_yorkshire["nhs_code"] == "E54000051" and "West Yorkshire" in north_yorkshire["others"]
    with pytest.raises(SourceDataError, match="no lookup vintage is valid on 2021-01-01"):
        nhs.sub_icb_lookup_on("2021-01-01")
    with pytest.raises(SourceDataError, match="covers 2022-07-01 to 2026-03-31"):
        nhs.main_nhs_area_of_las("2026-07-01")  # April 2026 ICB mergers: vintage still to be added


def test_nhs_lookup_file_errors_name_row_and_column(tmp_path):
    lookup = pd.read_csv(nhs.sub_icb_lookup_path(), dtype=str, keep_default_na=False)
    lookup.loc[2, "ICBCD"] = "QWU"
    path = tmp_path / "lookup.csv"
    lookup.to_csv(path, index=False)
    with pytest.raises(SourceDataError) as caught:
        nhs.read_sub_icb_lookup(path)
    assert caught.value.row == 3 and caught.value.column == "ICBCD"


PAGE = """<html><a href="/wp-content/uploads/2024/07/CPES-2023-National-Data-Tables.csv">2023</a>
<a href="https://www.ncpes.co.uk/wp-content/uploads/2023/07/CPES_2022_data_tables.csv?ver=2">2022</a>
<a href="/wp-content/uploads/2023/07/Sub-ICB-to-Alliance-mapping-2022_v1.4.csv">map</a></html>"""


def test_loader_finds_data_table_links_only():
    urls = find_data_tables(PAGE)
    assert urls == ["https://www.ncpes.co.uk/wp-content/uploads/2024/07/CPES-2023-National-Data-Tables.csv",
                    "https://www.ncpes.co.uk/wp-content/uploads/2023/07/CPES_2022_data_tables.csv"]


@responses.activate
def test_live_loader_downloads_linked_tables(tmp_path, monkeypatch):
    monkeypatch.delenv(URLS_ENV, raising=False)
    responses.get(DATA_PAGE, body=PAGE)
    for url in find_data_tables(PAGE):
        responses.get(url, body=(FOLDER / "cpes_2023_data_tables.csv").read_bytes()[:5_000])
    saved = fetch_live(HttpFetcher(retries=0), tmp_path)
    assert [p.name.split("_", 1)[1] for p in saved] == ["CPES-2023-National-Data-Tables.csv",
                                                        "CPES_2022_data_tables.csv"]
    assert all(p.with_name(p.name + ".meta.json").exists() for p in saved)


@responses.activate
def test_live_loader_honours_the_url_override_and_reports_an_empty_page(tmp_path, monkeypatch):
    monkeypatch.setenv(URLS_ENV, "https://example.org/cpes_2024_data_tables.csv")
    responses.get("https://example.org/cpes_2024_data_tables.csv",
                  body=(FOLDER / "cpes_2023_data_tables.csv").read_bytes()[:5_000])
    assert len(fetch_live(HttpFetcher(retries=0), tmp_path)) == 1
    monkeypatch.delenv(URLS_ENV)
    responses.get(DATA_PAGE, body="<html></html>")
    with pytest.raises(FetchError, match=URLS_ENV):
        fetch_live(HttpFetcher(retries=0), tmp_path / "empty")


@pytest.mark.parametrize(("column", "bad", "words"), [
    ("scored percentage", "150", "not a percentage"),
    ("Number of responses", "-12", "negative"),
    ("Lower 95% confidence interval", "99.9", "exceeds the upper one"),
])
def test_impossible_results_are_refused_naming_file_row_line_and_column(tmp_path, column, bad, words):
    table = table_2023()
    target = table.index[(table["Level"] == "ICB") & (table["Question Number"] == "Q43")][0]  # a percentage
    table.loc[target, column] = bad
    with pytest.raises(SourceDataError, match=words) as caught:
        read_data_table(write(table, tmp_path / "cpes_2023.csv"))
    error = caught.value
    assert (error.path.name, error.row, error.line, error.column) == ("cpes_2023.csv", target + 1, target + 2, column)


def test_a_score_above_ten_is_refused(tmp_path):
    table = table_2023()
    target = table.index[(table["Level"] == "National") & (table["Question Number"] == "Q60")][0]
    table.loc[target, ["scored percentage", "Upper 95% confidence interval"]] = ["11.2", "11.4"]
    with pytest.raises(SourceDataError, match="not a 0-10 score") as caught:
        read_data_table(write(table, tmp_path / "cpes_2023.csv"))
    assert caught.value.row == target + 1


def test_conflicting_duplicate_rows_are_refused_after_recoding_and_exact_repeats_dropped(tmp_path):
    table = table_2023()
    icb = table[(table["ONS Code"] == COVENTRY_ICB) & (table["Question Number"] == "Q60")]
    repeat = icb.assign(**{"ONS Code": "", "Organisation Code": "QWU"})  # the same ICB by its ODS code
    again = parse([write(pd.concat([table, repeat], ignore_index=True), tmp_path / "cpes_2023.csv")])
    assert len(again) == len(parse([FOLDER / "cpes_2023_data_tables.csv"]))  # an exact repeat changes nothing
    clash = repeat.assign(**{"Number of responses": "999"})
    path = write(pd.concat([table, clash], ignore_index=True), tmp_path / "cpes_2023.csv")
    with pytest.raises(SourceDataError, match="twice with different results") as caught:
        parse([path])
    assert caught.value.row == len(table) + 1 and caught.value.column == "Number of responses"
    assert f"row {icb.index[0] + 1} and this row differ in responses" in str(caught.value)


def test_header_only_table_and_unknown_layout_are_refused_in_a_sentence(tmp_path):
    header_only = tmp_path / "cpes_2023.csv"
    header_only.write_text(",".join(table_2023().columns) + "\n")
    with pytest.raises(SourceDataError, match="has a header but no survey results"):
        parse([header_only])
    other = tmp_path / "cpes_trust_2023.csv"
    other.write_text("Trust code,Trust name,Question,Question text,Percentage positive\nRKB,X,Q60,Q,88\n")
    with pytest.raises(SourceDataError, match="unverified") as caught:
        parse([other])
    assert "Question Number" in str(caught.value) and "Its header is: 'Trust code'" in str(caught.value)


def test_the_real_cpes_geography_lookup_is_named_for_what_it_is(reference_data, capsys):
    from landscape_pipeline.cli.validate import run_validate

    path = reference_data / "cpes" / "CPES_geog_lookuptable_2018.csv"
    assert run_validate([path], "cpes") == 1
    out = capsys.readouterr().out
    assert "CPES_geog_lookuptable_2018.csv: is the CPES geography lookup" in out and "data tables" in out
