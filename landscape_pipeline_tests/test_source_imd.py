"""Tests of the IMD source: File 10/11 reader edge cases, successor aggregation, ranks, validation, loader."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import responses

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.imd import SOURCE
from landscape_pipeline.sources.imd.loader import STATISTICS_PAGE, fetch_live, find_links
from landscape_pipeline.sources.imd.parser import PROPORTION_ID, RANK_ID, SCORE_ID, UPPER_RANK_ID, parse
from landscape_pipeline.sources.imd.reader import normalise_header, read_table
from landscape_pipeline.sources.imd.sample import DENOMINATORS, FILE_10, FILE_11
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "imd"
COVENTRY, CUMBERLAND, BARNSLEY, ESSEX = "E08000026", "E06000063", "E08000038", "E10000012"
CODE = "Local Authority District code (2019)"


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


@pytest.fixture(scope="module")
def file10() -> pd.DataFrame:
    table = pd.read_csv(FOLDER / FILE_10, dtype={CODE: str})
    return table.merge(pd.read_csv(FOLDER / DENOMINATORS), on=[CODE, "Local Authority District name (2019)"])


def value(frame: pd.DataFrame, indicator_id: str, code: str) -> pd.Series:
    rows = frame[(frame["indicator_id"] == indicator_id) & (frame["area_code"] == code)]
    assert len(rows) == 1, f"{indicator_id} {code}: {len(rows)} rows"
    return rows.iloc[0]


def copy_inputs(tmp_path: Path, *, drop: tuple[str, ...] = ()) -> Path:
    for name in (FILE_10, FILE_11, DENOMINATORS):
        if name not in drop:
            shutil.copy(FOLDER / name, tmp_path / name)
    return tmp_path


def test_bundled_sample_covers_every_current_english_la_both_tiers(parsed):
    england = [la for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND]
    lower = {la.area_code for la in england if la.tier != "upper"}
    upper = {la.area_code for la in england if la.tier != "lower"}
    assert set(parsed.loc[parsed["indicator_id"] == RANK_ID, "area_code"]) == lower
    assert set(parsed.loc[parsed["indicator_id"] == UPPER_RANK_ID, "area_code"]) == upper
    scored = set(parsed.loc[parsed["indicator_id"] == SCORE_ID, "area_code"])
    regions = {f"E1200000{i}" for i in range(1, 10)}
    assert scored == lower | upper | regions | {geography.ENGLAND}
    assert (parsed["period_label"] == "2019").all() and parsed["synthetic"].all()


def test_coventry_has_score_proportion_and_rank_from_its_file_10_row(parsed, file10):
    published = file10[file10[CODE] == COVENTRY].iloc[0]
    assert value(parsed, SCORE_ID, COVENTRY)["value"] == pytest.approx(published["IMD - Average score"])
    share = value(parsed, PROPORTION_ID, COVENTRY)
    assert share["value"] == pytest.approx(100 * published[
        "IMD - Proportion of LSOAs in most deprived 10% nationally"])
    assert share["unit"] == "%" and share["denominator"] == published["Number of LSOAs"]
    rank = value(parsed, RANK_ID, COVENTRY)
    assert rank["value_type"] == "rank" and rank["polarity"] == "Not applicable"
    assert f"published IoD2019 rank {published['IMD - Rank of average score']} of 317" in rank["value_note"]
    assert int(rank["source_row"]) == int(file10.index[file10[CODE] == COVENTRY][0]) + 1


def test_merged_districts_are_population_weighted_into_their_successor(parsed, file10):
    parts = file10[file10[CODE].isin(["E07000026", "E07000028", "E07000029"])]  # Allerdale, Carlisle, Copeland
    pop = parts["Total population: mid 2015 (excluding prisoners)"]
    lsoas = parts["Number of LSOAs"]
    expected_score = (parts["IMD - Average score"] * pop).sum() / pop.sum()
    top10 = (parts["IMD - Proportion of LSOAs in most deprived 10% nationally"] * lsoas).round()
    score = value(parsed, SCORE_ID, CUMBERLAND)
    assert score["value"] == pytest.approx(expected_score, rel=1e-12)
    assert value(parsed, PROPORTION_ID, CUMBERLAND)["value"] == pytest.approx(100 * top10.sum() / lsoas.sum())
    assert score["value_note"].startswith("Aggregated from 2019 districts Allerdale (E07000026)")
    assert pd.isna(score["source_row"]) and score["geography_method"] == "direct"
    # the successor is not simply the unweighted mean of its districts
    assert abs(score["value"] - parts["IMD - Average score"].mean()) > 1e-6


def test_region_rows_weight_their_districts_and_feed_region_values(parsed, file10):
    west_midlands = value(parsed, SCORE_ID, "E12000005")
    assert value(parsed, SCORE_ID, COVENTRY)["region_value"] == west_midlands["value"]
    lower = parsed[(parsed["indicator_id"] == SCORE_ID) & (parsed["area_type"] == "Lower-tier LA")
                   & (parsed["region_code"] == "E12000005")]
    assert lower["value"].min() < west_midlands["value"] < lower["value"].max()


def test_recoded_district_keeps_its_row_and_says_so(parsed, file10):
    published = file10[file10[CODE] == "E08000016"].iloc[0]
    barnsley = value(parsed, SCORE_ID, BARNSLEY)
    assert barnsley["value"] == pytest.approx(published["IMD - Average score"])
    assert "E08000016" in barnsley["value_note"] and not pd.isna(barnsley["source_row"])


def test_ranks_are_recomputed_among_current_areas_most_deprived_first(parsed):
    scores = parsed[parsed["indicator_id"] == SCORE_ID].set_index("area_code")["value"]
    ranks = parsed[parsed["indicator_id"] == RANK_ID].set_index("area_code")["value"]
    assert sorted(ranks.unique())[0] == 1 and ranks.max() <= 296
    assert scores[ranks.idxmin()] == scores[ranks.index].max()
    order = scores[ranks.index].rank(ascending=False, method="min")
    assert (order == ranks).all()
    upper = parsed[parsed["indicator_id"] == UPPER_RANK_ID].set_index("area_code")["value"]
    assert len(upper) == 153 and upper.max() <= 153


def test_counties_use_file_11_or_their_districts(parsed, tmp_path):
    essex = value(parsed, SCORE_ID, ESSEX)
    assert essex["source_file"] == FILE_11
    assert pd.isna(essex["value_note"])
    without = parse(sorted(copy_inputs(tmp_path, drop=(FILE_11,)).iterdir()))
    rebuilt = value(without, SCORE_ID, ESSEX)
    assert rebuilt["value_note"].startswith("Aggregated from its districts")
    assert rebuilt["value"] == pytest.approx(essex["value"], abs=1e-3)  # File 11 rounds to 3 decimals


def test_bundled_output_passes_the_validation_suite(parsed):
    report = validate_frame(parsed, "imd", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_reader_handles_cp1252_thousands_separators_renamed_years_and_stray_spaces(tmp_path):
    text = (
        '"Local Authority District code (2024) ","Local Authority District name (2024)",IMD 2024 - Average rank,'
        "IMD - Rank of average rank,IMD  -  Average score ,IMD - Rank of average score,"
        "IMD - Proportion of LSOAs in most deprived 10% nationally,IMD 2024 - Extent\r\n"
        'E07000146,King\u2019s Lynn and West Norfolk,"16,557.50",104,"23.4",106,0.0577,0.07\r\n'
        ",,,,,,,\r\n"
        "e07000147,North Norfolk,\"21,001.00\",200,15.2,190,0.0000,0\r\n"
    )
    path = tmp_path / "file10.csv"
    path.write_bytes(text.encode("cp1252"))
    table = read_table(path)
    assert table.kind == "lower" and table.year == "2024"
    assert table.frame["name"].iloc[0] == "King\u2019s Lynn and West Norfolk"
    assert table.frame["code"].tolist() == ["E07000146", "E07000147"]
    assert table.frame["score"].tolist() == [23.4, 15.2]
    assert normalise_header(" IMD 2019 -  Rank of extent ") == "IMD - Rank of extent"


@pytest.mark.parametrize("marker", ["*", "..", ""])
def test_suppression_markers_in_a_required_column_are_errors_naming_row_and_column(tmp_path, marker):
    table = pd.read_csv(FOLDER / FILE_10, dtype=str, keep_default_na=False)
    table.loc[4, "IMD - Average score"] = marker
    table.to_csv(tmp_path / FILE_10, index=False)
    with pytest.raises(SourceDataError) as caught:
        read_table(tmp_path / FILE_10)
    assert caught.value.row == 5 and caught.value.column == "IMD - Average score"


def test_unknown_code_and_missing_denominator_name_file_row_and_column(tmp_path):
    inputs = copy_inputs(tmp_path)
    table = pd.read_csv(inputs / FILE_10, dtype=str, keep_default_na=False)
    table.loc[9, CODE] = "E07999999"
    table.to_csv(inputs / FILE_10, index=False)
    denominators = pd.read_csv(inputs / DENOMINATORS, dtype=str)
    denominators[denominators[CODE] != "E07999999"].to_csv(inputs / DENOMINATORS, index=False)
    with pytest.raises(SourceDataError) as caught:
        parse(sorted(inputs.iterdir()))
    assert FILE_10 in str(caught.value) and caught.value.row == 10 and "E07999999" in str(caught.value)
    denominators[denominators[CODE] != table.loc[3, CODE]].to_csv(inputs / DENOMINATORS, index=False)
    with pytest.raises(SourceDataError, match="no population denominator") as caught:
        parse(sorted(inputs.iterdir()))
    assert caught.value.row == 4


def test_file_7_lsoa_rows_are_summed_to_district_denominators(tmp_path):
    path = tmp_path / "File_7_-_All_IoD2019_Scores.csv"
    path.write_text("LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
                    "Local Authority District name (2019),Total population: mid 2015 (excluding prisoners)\n"
                    "E01000001,City of London 001A,E09000001,City of London,1296\n"
                    "E01000002,City of London 001B,E09000001,City of London,\"1,156\"\n"
                    "E01000005,Barking 001A,E09000002,Barking and Dagenham,1800\n")
    table = read_table(path)
    assert table.kind == "denominators"
    frame = table.frame.set_index("code")
    assert frame.loc["E09000001", "n_lsoas"] == 2 and frame.loc["E09000001", "population"] == 2452
    assert frame.loc["E09000002", "n_lsoas"] == 1


def test_missing_file_10_is_an_error(tmp_path):
    inputs = copy_inputs(tmp_path, drop=(FILE_10,))
    with pytest.raises(SourceDataError, match="File 10"):
        parse(sorted(inputs.iterdir()))


PAGE = """<html><body>
<a href="https://assets.publishing.service.gov.uk/media/aa/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx">1</a>
<a href="https://assets.publishing.service.gov.uk/media/bb/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx">10</a>
<a href="/media/cc/File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx">11</a>
<a href="https://assets.publishing.service.gov.uk/media/dd/File_7_-_All_IoD2019_Scores.xlsx">7x</a>
<a href="https://assets.publishing.service.gov.uk/media/ee/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv">7</a>
</body></html>"""


def test_loader_follows_the_statistics_page_links():
    links = find_links(PAGE)
    assert links["File_10_"].endswith("/bb/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx")
    assert links["File_11_"] == ("https://www.gov.uk/media/cc/"
                                 "File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx")
    assert links["File_7_"].endswith(".csv")


@responses.activate
def test_live_loader_downloads_the_three_files_with_sidecars(tmp_path):
    responses.get(STATISTICS_PAGE, body=PAGE)
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:  # an .xlsx is a zip of XML parts
        archive.writestr("[Content_Types].xml", "<Types/>" + " " * 2_000)
    csv_body = ("Local Authority District code (2019),IMD - Average score\n" + "E06000001,23.4\n" * 100).encode()
    for url in find_links(PAGE).values():
        responses.get(url, body=csv_body if url.endswith(".csv") else workbook.getvalue())
    saved = fetch_live(HttpFetcher(retries=0), tmp_path)
    assert [p.name.split("_", 1)[1][:8] for p in saved] == ["File_10_", "File_11_", "File_7_-"]
    assert all(p.with_name(p.name + ".meta.json").exists() for p in saved)


@responses.activate
def test_live_loader_says_which_file_is_no_longer_linked(tmp_path):
    responses.get(STATISTICS_PAGE, body="<html>no links</html>")
    with pytest.raises(FetchError, match="File_10_"):
        fetch_live(HttpFetcher(retries=0), tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-downloaded
