"""HACE editions as mapped folders: the bundled 2023/24 workbook, the 2021/22 layouts, and bad workbooks refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from landscape_pipeline import paths
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.ingest import ingest
from landscape_pipeline.mapping import build_frame
from landscape_pipeline.sources.hace import sample
from landscape_pipeline.sources.jsna.xlsx import write_workbook
from landscape_pipeline.sources.registry import all_sources

LAYOUTS = Path(sample.__file__).with_name("layouts")
BUNDLED = paths.data_sources_dir() / "hace" / "2023_24"
WANTED = {"hace_gp_contact_ease", "hace_gp_urgent_wait", "hace_gp_overall_care", "hace_care_independence",
          "hace_care_say", "hace_care_coordinated", "hace_care_overall", "hace_care_quality_of_life",
          "hace_care_safe", "hace_carer_supported", "hace_carer_balance"}
SITES = {"S12000042": "S37000007", "S12000047": "S37000032", "S12000049": "S37000034"}  # Dundee, Fife, Glasgow


def _sheet(path: Path, sheet: int = 0) -> pd.DataFrame:
    """Read a workbook independently of the pipeline's reader (header on the first row)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(sheet).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return build_frame(BUNDLED, "hace_2023_24")


def test_the_bundled_edition_is_a_registered_source_that_passes_every_check() -> None:
    spec = all_sources()["hace_2023_24"]
    files = spec.bundled_files(paths.data_sources_dir())
    assert [f.name for f in files] == [sample.BUNDLED_FILE]
    result = ingest(spec, files)
    assert result.passed, result.text()
    assert result.frame["synthetic"].all()  # from provenance.json: the bundled workbook is synthetic


def test_the_bundled_workbook_has_the_publishers_columns_and_levels() -> None:
    raw = _sheet(BUNDLED / sample.BUNDLED_FILE)
    assert list(raw.columns) == sample.FOR_SG_COLUMNS["2023_24"]
    assert set(raw["level"]) == {"Scotland", "Health Board", "HSCP", "GPCL", "GP"}
    assert raw.loc[raw["level"].eq("HSCP"), "report_area"].nunique() == 31


def test_partnership_rows_carry_the_workbooks_figures_and_reach_their_council_areas(bundled: pd.DataFrame) -> None:
    raw = _sheet(BUNDLED / sample.BUNDLED_FILE)
    plain = bundled[bundled["category"].isna()]
    assert set(plain["indicator_id"]) == WANTED  # the two questions without a rule are skipped
    for la, hscp in SITES.items():
        mine = raw[raw["report_area"].eq(hscp)].set_index("question_text")
        la_rows = plain[plain["area_code"].eq(la)]
        assert set(la_rows["indicator_id"]) == WANTED and (la_rows["geography_method"] == "direct").all()
        care = la_rows.set_index("indicator_id").loc["hace_care_safe"]
        published = mine.loc["I felt safe"]
        assert care["value"] == pytest.approx(float(published["wgt_percentpositive"]))
        assert care["lower_ci_95"] == pytest.approx(float(published["wgt_percentpositive_low"]))
        responses = published["n_includedresponses"]
        assert care["denominator"] == responses  # a weighted %: its numerator is derived, not n_positive
        assert care["count"] == round(float(published["wgt_percentpositive"]) * responses / 100)
        assert "derived" in care["value_note"] and "Wilson" not in care["value_note"]
        assert hscp in care["attribution_note"]
    assert not bundled["area_code"].isin(["10001", "Dundee North East"]).any()  # practice and cluster rows
    scotland = plain[plain["area_code"].eq("S92000003")]
    assert len(scotland) == len(WANTED) and (scotland["area_name"] == "Scotland").all()


def test_clackmannanshire_and_stirling_both_inherit_their_shared_partnership_flagged(bundled: pd.DataFrame) -> None:
    shared = bundled[bundled["area_code"].isin(["S12000005", "S12000030", "S37000005"])]
    by_area = {code: part.set_index(["indicator_id", "category"], drop=False)["value"].sort_index()
               for code, part in shared.fillna({"category": ""}).groupby("area_code")}
    assert by_area["S12000005"].equals(by_area["S37000005"]) and by_area["S12000030"].equals(by_area["S37000005"])
    councils = shared[shared["area_code"].ne("S37000005")]
    assert (councils["geography_method"] == "attributed").all()
    assert councils["attribution_note"].str.contains("Clackmannanshire and Stirling HSCP").all()


def test_neutral_and_negative_shares_become_the_response_breakdown(bundled: pd.DataFrame) -> None:
    raw = _sheet(BUNDLED / sample.BUNDLED_FILE)
    row = raw[raw["report_area"].eq("S37000007") & raw["question_text"].str.startswith("Overall, how would you "
                                                                                       "rate the care")].iloc[0]
    dundee = bundled[bundled["area_code"].eq("S12000042") & bundled["indicator_id"].eq("hace_gp_overall_care")]
    shares = dundee.set_index(dundee["category"].fillna("Positive"))
    assert shares.loc["Neutral", "value"] == pytest.approx(float(row["wgt_percentneutral"]))
    negative = shares.loc["Negative"]
    assert negative["count"] == round(float(row["wgt_percentnegative"]) * row["n_includedresponses"] / 100)
    assert negative["lower_ci_95"] < negative["value"] < negative["upper_ci_95"] and "Wilson" in negative["value_note"]
    assert shares.loc["Negative", "polarity"] == "Low is good" and shares.loc["Neutral", "polarity"] == "No judgement"
    assert shares["value"].sum() == pytest.approx(100, abs=1e-6)
    assert (dundee["category_type"].dropna() == "Response").all()


def _copy_layout(folder: Path, layout: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(LAYOUTS / f"{layout}.yaml", folder / "mapping.yaml")
    return folder


def test_the_2021_22_results_for_sg_layout_reads_with_its_own_mapping(tmp_path: Path) -> None:
    folder = _copy_layout(tmp_path / "2021_22", "for_sg_2021_22")
    sample.write_for_sg(folder / "hace_2021_22_results_for_sg.xlsx", "2021_22", seed=7)
    raw = _sheet(folder / "hace_2021_22_results_for_sg.xlsx")
    assert "wgt_percentpositive_2022" not in raw.columns and "GP practice" in " ".join(raw["question_text"])
    frame = build_frame(folder, "hace_2021_22")
    assert set(frame["indicator_id"]) == WANTED and set(frame["period_label"]) == {"2021/22"}
    assert set(SITES) <= set(frame["area_code"])


def test_a_mapping_of_one_edition_refuses_another_editions_wording(tmp_path: Path) -> None:
    folder = tmp_path / "2021_22"
    folder.mkdir()
    text = (BUNDLED / "mapping.yaml").read_text().replace(sample.BUNDLED_FILE, "old.xlsx")
    (folder / "mapping.yaml").write_text(text)
    sample.write_for_sg(folder / "old.xlsx", "2021_22", seed=7)
    with pytest.raises(SourceDataError) as caught:
        build_frame(folder, "hace_old")
    line = text.splitlines().index("  - match: How easy is it for you to contact your General Practice in the way "
                                   "that you want?") + 1
    assert caught.value.line == line and "selects no row" in str(caught.value)


def test_the_2021_22_list_layout_derives_numerators_from_percent_and_responses(tmp_path: Path) -> None:
    folder = _copy_layout(tmp_path / "2021_22", "for_list_2021_22")
    sheets = sample.for_list_sheets(np.random.default_rng(3))
    rows = sheets["HSCP results"]
    dundee = next(i for i, r in enumerate(rows) if r[0] == "Dundee City" and r[2] == "I felt safe")
    rows[dundee][5] = rows[dundee][6] = None  # this row publishes no limits
    write_workbook(folder / "hace_2021_22_hscp_results_for_list.xlsx", sheets)
    frame = build_frame(folder, "hace_2021_22")
    assert set(frame["indicator_id"]) == WANTED and set(SITES) <= set(frame["area_code"])
    row = frame[frame["area_code"].eq("S12000042") & frame["indicator_id"].eq("hace_care_safe")].iloc[0]
    percent, responses = rows[dundee][4], rows[dundee][3]
    assert row["count"] == round(percent * responses / 100) and row["denominator"] == responses
    assert "derived" in row["value_note"] and "Wilson" in row["value_note"]
    assert row["lower_ci_95"] < row["value"] < row["upper_ci_95"] and row["lower_ci_99_8"] < row["lower_ci_95"]
    other = frame[frame["area_code"].eq("S12000047") & frame["indicator_id"].eq("hace_care_safe")].iloc[0]
    published = next(r for r in rows if r[0] == "Fife" and r[2] == "I felt safe")
    assert other["lower_ci_95"] == pytest.approx(published[5]) and "Wilson" not in other["value_note"]


def _bad_workbook(tmp_path: Path, change) -> Path:
    """Write the 2023/24 workbook with ``change(rows)`` applied, beside the bundled mapping."""
    folder = tmp_path / "2023_24"
    folder.mkdir()
    shutil.copy(BUNDLED / "mapping.yaml", folder / "mapping.yaml")
    rows = sample.for_sg_rows("2023_24", np.random.default_rng(2324))
    change(rows)
    write_workbook(folder / sample.BUNDLED_FILE, {"Sheet 1": rows})
    return folder


def _cell(rows: list, area: str, question_start: str, column: str) -> tuple[list, int]:
    index = next(i for i, r in enumerate(rows) if r[1] == area and str(r[4]).startswith(question_start))
    return rows[index], rows[0].index(column)


@pytest.mark.parametrize(("area", "column", "value", "expected"), [
    ("S37000007", "wgt_percentpositive", 104.2, "104.2 is outside 0 to 100"),
    ("S37000007", "wgt_percentneutral", 120.0, "120 is outside 0 to 100"),
    ("S37000007", "wgt_percentnegative", 30.0, "add up to"),
    ("S37000099", "report_area", None, "'S37000099' is not a Scottish health and social care partnership code"),
])
def test_bad_cells_are_refused_naming_row_and_column(tmp_path: Path, area: str, column: str, value: object,
                                                     expected: str) -> None:
    def change(rows: list) -> None:
        row, index = _cell(rows, "S37000007", "I felt safe", column)
        row[index] = area if value is None else value

    folder = _bad_workbook(tmp_path, change)
    raw = _sheet(folder / sample.BUNDLED_FILE)
    line = int(np.flatnonzero(raw["question_text"].eq("I felt safe") & raw["report_area"].eq(area))[0]) + 2
    with pytest.raises(SourceDataError) as caught:
        build_frame(folder, "hace_2023_24")
    assert expected in str(caught.value) and caught.value.line == line
    assert caught.value.column == (column if column != "wgt_percentnegative" else "wgt_percentpositive")


def test_a_future_edition_is_refused_at_its_mappings_period(tmp_path: Path) -> None:
    folder = _bad_workbook(tmp_path, lambda rows: None)
    mapping = (folder / "mapping.yaml").read_text().replace("constant: 2023/24", "constant: 2035/36")
    (folder / "mapping.yaml").write_text(mapping)
    with pytest.raises(SourceDataError) as caught:
        build_frame(folder, "hace_2035_36")
    assert "starts after the build date" in str(caught.value)
    assert caught.value.line == mapping.splitlines().index("    constant: 2035/36") + 1
