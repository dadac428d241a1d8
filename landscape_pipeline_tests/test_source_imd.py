"""Tests of the IMD source on the real IoD2019 File 10: reading as published, weights, ranks, errata, loader."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import corrections, geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.sources.imd import SOURCE
from landscape_pipeline.sources.imd.loader import STATISTICS_PAGE, fetch_live, find_links
from landscape_pipeline.sources.imd.parser import PROPORTION_ID, RANK_ID, SCORE_ID, UPPER_RANK_ID, parse
from landscape_pipeline.sources.imd.reader import read_sheet, read_tables
from landscape_pipeline.sources.imd.weights import REFERENCE_YEAR
from landscape_pipeline.tabular import read_table
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "imd"
WORKBOOK = FOLDER / "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
COVENTRY, CUMBERLAND, BARNSLEY, ESSEX = "E08000026", "E06000063", "E08000038", "E10000012"
CUMBERLAND_2019 = ("E07000026", "E07000028", "E07000029")  # Allerdale, Carlisle, Copeland
CODE = "Local Authority District code (2019)"
MERGED = {"E06000060", "E06000061", "E06000062", "E06000063", "E06000064", "E06000065", "E06000066"}


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    """The IMD and Income sheets as pandas reads them itself (an independent reader of the same workbook)."""
    imd = pd.read_excel(WORKBOOK, sheet_name="IMD", engine="calamine", dtype={CODE: str})
    income = pd.read_excel(WORKBOOK, sheet_name="Income", engine="calamine", dtype={CODE: str})
    imd.columns = [" ".join(str(c).split()) for c in imd.columns]
    income.columns = [" ".join(str(c).split()) for c in income.columns]
    denominators = income.set_index(CODE)["Income scale"] / income.set_index(CODE)["Income - Average score"]
    return imd.assign(population=imd[CODE].map(denominators))


def value(frame: pd.DataFrame, indicator_id: str, code: str) -> pd.Series:
    rows = frame[(frame["indicator_id"] == indicator_id) & (frame["area_code"] == code)]
    assert len(rows) == 1, f"{indicator_id} {code}: {len(rows)} rows"
    return rows.iloc[0]


def imd_sheet_csv(tmp_path: Path, edit=None, name: str = "File_10_IMD.csv") -> Path:
    table = pd.read_excel(WORKBOOK, sheet_name="IMD", engine="calamine", dtype=str)
    if edit:
        edit(table)
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


def ons_upstream(codes: dict[str, float], *, synthetic: bool, year: int = REFERENCE_YEAR) -> pd.DataFrame:
    """A staged ons_population table holding persons totals for ``codes``."""
    return pd.DataFrame({"indicator_id": "ons_population_total", "area_code": list(codes), "sex": "Persons",
                         "category_type": None, "period_label": str(year), "value": list(codes.values()),
                         "synthetic": synthetic})


def test_bundled_workbook_covers_every_current_english_la_both_tiers(parsed):
    england = [la for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND]
    lower = {la.area_code for la in england if la.tier != "upper"}
    upper = {la.area_code for la in england if la.tier != "lower"}
    assert set(parsed.loc[parsed["indicator_id"] == RANK_ID, "area_code"]) == lower
    assert set(parsed.loc[parsed["indicator_id"] == UPPER_RANK_ID, "area_code"]) == upper
    scored = set(parsed.loc[parsed["indicator_id"] == SCORE_ID, "area_code"])
    regions = {f"E1200000{i}" for i in range(1, 10)}
    assert scored == lower | upper | regions | {geography.ENGLAND}
    assert parsed["value"].notna().all() and (parsed["period_label"] == "2019").all()
    assert not parsed["synthetic"].any()  # a real file, weighted by its own published denominators


def test_coventry_has_the_published_score_proportion_and_rank(parsed, published):
    row = published[published[CODE] == COVENTRY].iloc[0]
    assert value(parsed, SCORE_ID, COVENTRY)["value"] == row["IMD - Average score"]
    share = value(parsed, PROPORTION_ID, COVENTRY)
    assert share["value"] == pytest.approx(100 * row["IMD - Proportion of LSOAs in most deprived 10% nationally"])
    rank = value(parsed, RANK_ID, COVENTRY)
    assert rank["value_type"] == "rank" and rank["polarity"] == "Not applicable"
    assert f"published IoD2019 rank {row['IMD - Rank of average score']}." in rank["value_note"]
    assert int(rank["source_row"]) == int(published.index[published[CODE] == COVENTRY][0]) + 1
    assert rank["source_file"] == WORKBOOK.name and not rank["synthetic"]


def test_parsed_scores_reproduce_the_published_ranks_of_all_317_districts(published):
    imd, income = read_tables(WORKBOOK)
    assert len(imd.frame) == 317 and len(income.frame) == 317
    ours = imd.frame["score"].rank(ascending=False, method="min").to_numpy()
    ties = imd.frame.groupby("score")["score"].transform("size").to_numpy()  # MHCLG ranks unrounded scores
    theirs = published["IMD - Rank of average score"].to_numpy()
    assert ((theirs >= ours) & (theirs <= ours + ties - 1)).all() and (theirs == ours)[ties == 1].all()
    assert np.allclose(imd.frame["proportion"], published["IMD - Proportion of LSOAs in most deprived 10% nationally"])
    # the implied IoD denominators add up to England's mid-2015 population less prisoners (54.79m less ~0.08m)
    assert income.frame["population"].sum() == pytest.approx(54_786_327 - 80_000, rel=0.01)


def test_merged_districts_are_weighted_by_the_iod_denominators_when_ons_lacks_them(parsed, published):
    parts = published[published[CODE].isin(CUMBERLAND_2019)]
    expected = np.average(parts["IMD - Average score"], weights=parts["population"])
    score = value(parsed, SCORE_ID, CUMBERLAND)
    assert score["value"] == pytest.approx(expected, rel=1e-12)
    assert abs(score["value"] - parts["IMD - Average score"].mean()) > 1e-3  # weighted, not a plain mean
    assert score["value_note"].startswith("Population-weighted from its 2019 districts Allerdale (E07000026)")
    assert "IoD2019 population denominators" in score["value_note"] and pd.isna(score["source_row"])


CURRENT = {la.area_code: 100_000.0 for la in geography.current_local_authorities()
           if la.nation_code == geography.ENGLAND and la.tier != "upper"}


def test_real_ons_estimates_of_2019_districts_weight_their_successor(published):
    districts = {"E07000026": 97_000.0, "E07000028": 108_000.0, "E07000029": 68_000.0}
    upstream = pd.concat([ons_upstream(CURRENT, synthetic=True), ons_upstream(districts, synthetic=False)])
    result = ingest(SOURCE, [WORKBOOK], {"ons_population": upstream})
    assert result.passed, result.text()
    frame = result.frame
    parts = published.set_index(CODE).loc[list(districts), "IMD - Average score"]
    cumberland = value(frame, SCORE_ID, CUMBERLAND)
    assert cumberland["value"] == pytest.approx(np.average(parts, weights=list(districts.values())))
    assert f"ONS mid-{REFERENCE_YEAR} population estimates (ons_population)" in cumberland["value_note"]
    westmorland = value(frame, SCORE_ID, "E06000064")  # its districts are not upstream: IoD denominators
    assert "IoD2019 population denominators" in westmorland["value_note"]
    essex = value(frame, SCORE_ID, ESSEX)  # synthetic estimates of current LAs lose to the real denominators
    assert "IoD2019 population denominators" in essex["value_note"]
    assert not frame["synthetic"].any()


def test_rows_weighted_with_synthetic_estimates_are_synthetic_and_no_others(tmp_path):
    merged = [code for code in geography.retired_codes()["retired_code"]
              if geography.resolve_area_code(code, allow_split=True) in MERGED and code.startswith("E07")]
    upstream = pd.concat([ons_upstream(CURRENT, synthetic=True),
                          ons_upstream(dict.fromkeys(merged, 50_000.0), synthetic=True)])
    result = ingest(SOURCE, [imd_sheet_csv(tmp_path)], {"ons_population": upstream})  # no Income sheet
    assert result.passed, result.text()
    frame = result.frame
    for code in (CUMBERLAND, ESSEX, "E12000005", geography.ENGLAND):
        row = value(frame, SCORE_ID, code)
        assert row["synthetic"] and "ONS mid-2019" in row["value_note"]
    assert not value(frame, SCORE_ID, COVENTRY)["synthetic"] and not value(frame, PROPORTION_ID, COVENTRY)["synthetic"]
    assert value(frame, RANK_ID, COVENTRY)["synthetic"]  # ranked among synthetic-weighted successors
    assert value(frame, UPPER_RANK_ID, COVENTRY)["synthetic"]


def test_imd_sheet_alone_computes_what_it_can_and_says_why_not_the_rest(tmp_path, published):
    frame = parse([imd_sheet_csv(tmp_path)])
    missing = frame[frame["value"].isna()]
    assert set(missing["area_code"]) >= MERGED and missing["value_note"].str.startswith("Not computed").all()
    cumberland = value(frame, SCORE_ID, CUMBERLAND)["value_note"]
    assert "Allerdale (E07000026)" in cumberland and "Income sheet" in cumberland
    assert value(frame, SCORE_ID, COVENTRY)["value"] == published.set_index(CODE).loc[COVENTRY, "IMD - Average score"]
    assert frame.attrs["weights"]["not_computed"] and COVENTRY not in frame.attrs["weights"]["not_computed"]
    report = validate_frame(frame, "imd", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_real_reference_files_pass_landscape_validate(reference_data, capsys):
    from landscape_pipeline.cli.validate import run_validate

    files = sorted((reference_data / "imd").glob("File_10*"))
    assert len(files) == 2
    for path in files:
        assert run_validate([path], "imd") == 0, capsys.readouterr().out
    sheet = parse([reference_data / "imd" / "File_10_IMD_sheet_as_csv.csv"])
    book = parse([reference_data / "imd" / files[0].name])
    keys = ["indicator_id", "area_code"]
    both = sheet.merge(book, on=keys, suffixes=("_csv", "_xlsx")).dropna(subset=["value_csv"])
    lower = both["indicator_id"].isin([SCORE_ID, PROPORTION_ID]) & both["area_code"].str.match(r"E0[6-9]")
    assert lower.sum() > 550 and np.allclose(both.loc[lower, "value_csv"], both.loc[lower, "value_xlsx"])


def test_region_rows_weight_their_las_and_feed_region_values(parsed):
    west_midlands = value(parsed, SCORE_ID, "E12000005")
    assert value(parsed, SCORE_ID, COVENTRY)["region_value"] == west_midlands["value"]
    lower = parsed[(parsed["indicator_id"] == SCORE_ID) & (parsed["area_type"] == "Lower-tier LA")
                   & (parsed["region_code"] == "E12000005")]
    assert lower["value"].min() < west_midlands["value"] < lower["value"].max()


def test_recoded_district_keeps_its_row_and_says_so(parsed, published):
    barnsley = value(parsed, SCORE_ID, BARNSLEY)
    assert barnsley["value"] == published.set_index(CODE).loc["E08000016", "IMD - Average score"]
    assert "E08000016" in barnsley["value_note"] and not pd.isna(barnsley["source_row"])


def test_ranks_are_recomputed_among_current_areas_most_deprived_first(parsed):
    scores = parsed[parsed["indicator_id"] == SCORE_ID].set_index("area_code")["value"]
    ranks = parsed[parsed["indicator_id"] == RANK_ID].set_index("area_code")["value"]
    assert sorted(ranks.unique())[0] == 1 and ranks.max() <= 296
    order = scores[ranks.index].rank(ascending=False, method="min")
    assert (order == ranks).all()
    upper = parsed[parsed["indicator_id"] == UPPER_RANK_ID].set_index("area_code")["value"]
    assert len(upper) == 153 and upper.max() <= 153


def test_counties_use_file_11_where_given_else_their_districts(parsed, tmp_path):
    essex = value(parsed, SCORE_ID, ESSEX)
    assert essex["value_note"].startswith("Population-weighted mean of its 12 districts")
    file11 = tmp_path / "File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.csv"
    file11.write_text("Upper Tier Local Authority District code (2019),Upper Tier Local Authority District name "
                      "(2019),IMD - Average score ,IMD - Rank of average score ,IMD - Proportion of LSOAs in most "
                      "deprived 10% nationally \nE10000012,Essex,17.016,2,0.0333\nE06000001,Hartlepool,35.037,1,"
                      "0.3621\n")
    frame = parse([WORKBOOK, file11])
    published = value(frame, SCORE_ID, ESSEX)
    assert published["value"] == 17.016 and published["source_file"] == file11.name
    assert published["source_row"] == 1 and pd.isna(published["value_note"])
    kent = value(frame, SCORE_ID, "E10000016")  # not in this File 11: from its districts
    assert kent["source_file"] == WORKBOOK.name and kent["value_note"].startswith("Population-weighted")


def test_bundled_output_passes_the_validation_suite(parsed):
    report = validate_frame(parsed, "imd", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()


def test_reader_handles_cp1252_thousands_separators_renamed_years_and_stray_spaces(tmp_path):
    text = (
        '"Local Authority District code (2024) ","Local Authority District name (2024)",IMD 2024 - Average rank,'
        "IMD - Rank of average rank,IMD  -  Average score ,IMD - Rank of average score,"
        "IMD - Proportion of LSOAs in most deprived 10% nationally,IMD 2024 - Extent\r\n"
        'E07000146,King\u2019s Lynn and West Norfolk,"16,557.50",1,"23.4",1,0.0577,0.07\r\n'
        ",,,,,,,\r\n"
        "e07000147,North Norfolk,\"21,001.00\",2,15.2,2,0.0000,0\r\n"
    )
    path = tmp_path / "file10.csv"
    path.write_bytes(text.encode("cp1252"))
    (table,) = read_tables(path)
    assert (table.tier, table.kind, table.year) == ("lower", "imd", "2024")
    assert table.frame["name"].iloc[0] == "King\u2019s Lynn and West Norfolk"
    assert table.frame["code"].tolist() == ["E07000146", "E07000147"]
    assert table.frame["score"].tolist() == [23.4, 15.2] and table.frame["source_row"].tolist() == [1, 3]


@pytest.mark.parametrize("marker", ["*", "..", " "])
def test_missing_score_is_an_error_naming_row_line_and_column(tmp_path, marker):
    path = imd_sheet_csv(tmp_path, lambda t: t.__setitem__("IMD - Average score ", t["IMD - Average score "].where(
        t.index != 4, marker)))
    with pytest.raises(SourceDataError) as caught:
        read_tables(path)
    assert (caught.value.row, caught.value.line, caught.value.column) == (5, 6, "IMD - Average score")


@pytest.mark.parametrize(("column", "bad", "words"), [
    ("IMD - Rank of average score ", "99999", "not a rank of the 317 areas"),
    ("IMD - Average score ", "150", "scores lie between 0 and 100"),
    ("IMD - Proportion of LSOAs in most deprived 10% nationally ", "1.5", "not a proportion"),
    (CODE, "E06000001", "appears twice"),
])
def test_implausible_values_are_refused_naming_file_row_line_and_column(tmp_path, column, bad, words):
    path = imd_sheet_csv(tmp_path, lambda t: t.__setitem__(column, t[column].where(t.index != 7, bad)))
    with pytest.raises(SourceDataError, match=words) as caught:
        parse([path])
    error = caught.value
    assert (error.path.name, error.row, error.line, error.column) == (path.name, 8, 9, column.strip())


def test_a_code_one_digit_short_is_refused_then_mended_only_from_the_reviewed_table(tmp_path, monkeypatch,
                                                                                    published):
    path = imd_sheet_csv(tmp_path, lambda t: t.__setitem__(CODE, t[CODE].replace({COVENTRY: "E0800026"})))
    row = int(published.index[published[CODE] == COVENTRY][0]) + 1
    with pytest.raises(SourceDataError, match="corrections table") as caught:
        parse([path])
    assert (caught.value.row, caught.value.column) == (row, CODE) and "E0800026" in str(caught.value)
    table = tmp_path / "corrections.csv"
    table.write_text(",".join(corrections.FIELDS) + "\n"
                     f"imd,File_10_IMD*.csv,{CODE},E0800026,{COVENTRY},code one digit short (Coventry by name),"
                     "A. Reviewer,2026-12-01\n")
    monkeypatch.setattr(corrections, "CORRECTIONS_FILE", table)
    result = ingest(SOURCE, [path], {})
    assert result.error is None, result.text()
    coventry = value(result.frame, SCORE_ID, COVENTRY)
    assert "Publisher erratum corrected: Local Authority District code (2019) 'E0800026' read as 'E08000026'" in \
        coventry["value_note"] and "A. Reviewer on 2026-12-01" in coventry["value_note"]
    assert pd.isna(value(result.frame, SCORE_ID, "E08000025")["value_note"])  # Birmingham: untouched
    (used,) = result.notes["corrections"]
    assert (used["row"], used["line"], used["wrong_value"], used["correct_value"]) == (row, row + 1, "E0800026",
                                                                                       COVENTRY)
    from landscape_pipeline.defs.source_assets import _metadata

    assert _metadata(result, tmp_path / "staged.parquet")["parser_corrections"][0]["file"] == path.name


def test_missing_file_10_is_an_error(tmp_path):
    other = tmp_path / "notes.csv"
    other.write_text("Upper Tier Local Authority District code (2019),IMD - Average score,IMD - Proportion of LSOAs "
                     "in most deprived 10% nationally\nE10000012,17.0,0.03\n")
    with pytest.raises(SourceDataError, match="File 10"):
        parse([other])


def test_a_sheet_that_is_not_an_iod_summary_is_refused_in_a_sentence(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Local Authority District code (2019),Something else\nE06000001,1\n")
    with pytest.raises(SourceDataError, match="neither the IMD summary columns"):
        read_sheet(read_table(path))


PAGE = """<html><body>
<a href="https://assets.publishing.service.gov.uk/media/aa/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx">1</a>
<a href="https://assets.publishing.service.gov.uk/media/bb/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx">10</a>
<a href="/media/cc/File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx">11</a>
<a href="https://assets.publishing.service.gov.uk/media/ee/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv">7</a>
</body></html>"""


def test_loader_follows_the_statistics_page_links():
    links = find_links(PAGE)
    assert links["File_10_"].endswith("/bb/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx")
    assert links["File_11_"] == ("https://www.gov.uk/media/cc/"
                                 "File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx")
    assert set(links) == {"File_10_", "File_11_"}


@responses.activate
def test_live_loader_downloads_both_workbooks_with_sidecars(tmp_path):
    responses.get(STATISTICS_PAGE, body=PAGE)
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:  # an .xlsx is a zip of XML parts
        archive.writestr("[Content_Types].xml", "<Types/>" + " " * 2_000)
    csv_body = ("Local Authority District code (2019),IMD - Average score\n" + "E06000001,23.4\n" * 100).encode()
    for url in find_links(PAGE).values():
        responses.get(url, body=csv_body if url.endswith(".csv") else workbook.getvalue())
    saved = fetch_live(HttpFetcher(retries=0), tmp_path)
    assert [p.name.split("_", 1)[1][:8] for p in saved] == ["File_10_", "File_11_"]
    assert all(p.with_name(p.name + ".meta.json").exists() for p in saved)


@responses.activate
def test_live_loader_says_which_file_is_no_longer_linked(tmp_path):
    responses.get(STATISTICS_PAGE, body="<html>no links</html>")
    with pytest.raises(FetchError, match="File_10_"):
        fetch_live(HttpFetcher(retries=0), tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-downloaded
