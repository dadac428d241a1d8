"""The bad-input corpus: mutations of real bundled files run through ``landscape validate`` in-process.

Every must-refuse variant must exit 1 with a sentence naming the file (and, for a cell fault, the data
row and the publisher's column); every control must exit 0; no input may produce a traceback or an
"internal error". To cover a new source or fault, add a row to :data:`CORPUS` (and a base in
``bad_inputs.BASES``). A row whose refusal waits on a source's own rules carries ``owner``: it runs as
``xfail(strict=True)`` naming who will fix it, so it fails loudly once fixed and the mark is removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from landscape_pipeline.cli import main
from landscape_pipeline_tests import bad_inputs as bi

REFUSE, ACCEPT = "refuse", "accept"


@dataclass(frozen=True)
class Case:
    """One corpus row: a source, a mutation of its target file, and what ``landscape validate`` must do."""

    source: str
    mutation: bi.Mutation
    expect: str
    owner: str | None = None

    @property
    def id(self) -> str:
        return f"{self.source}-{self.mutation.name}"


def la_row(index: int):
    return lambda row: len(row) > index and re.match(r"E0[68]\d{6}$", row[index].strip()) is not None


def value_row(index: int, text: str):
    return lambda row: len(row) > index and row[index].strip() == text


HTML = bi.replaced_by("html_page_saved_as_data", bi.HTML_PAGE)
EMPTY = bi.replaced_by("empty_file", b"")
WHOLE_FILE = [bi.header_only(), bi.truncated_mid_row(), HTML]

# Columns by position in each target file (the header rows of the real files).
FT_AREA, IMD_CODE, ASCOF_CODE = 4, 0, 3


def cpes_icb_q9(row: list[str]) -> bool:
    """An ICB's answer to a question the parser uses (Q9 in 2023: diagnosis explained understandably)."""
    return len(row) > 5 and row[1] == "ICB" and row[5] == "Q9"

CORPUS: list[Case] = [
    # -- controls: the real layout, unchanged or changed in ways a publisher legitimately does
    *[Case(s, bi.Mutation("unchanged", lambda p: bi.Fault(p.name)), ACCEPT) for s in bi.BASES],
    Case("fingertips", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("fingertips", bi.duplicate_row("exact_duplicate_row", where=value_row(FT_AREA, "E92000001")), ACCEPT),
    Case("phs", bi.with_newlines("byte_order_mark_and_blank_tail", "\n", bom=True, blank_tail=True), ACCEPT),
    Case("imd", bi.extra_column(), ACCEPT),
    Case("cpes", bi.reencoded("utf8_instead_of_windows_1252", "utf-8"), ACCEPT),
    Case("qof_prevalence", bi.extra_column(), ACCEPT),

    # -- whole-file faults, every source
    *[Case(s, m, REFUSE) for s in bi.BASES for m in WHOLE_FILE if (s, m.name) != ("phs", "truncated_mid_row")
      and (m.name != "truncated_mid_row" or not bi.BASES[s].target.endswith(".xlsx"))],  # a workbook has no lines
    Case("jsna_greater_manchester_registrations", EMPTY, REFUSE),
    Case("phs", bi.truncated_mid_row(), REFUSE),
    # one row with a field too many (an unquoted comma), every source read from text lines
    *[Case(s, bi.ragged_row(), REFUSE) for s in bi.BASES if not bi.BASES[s].target.endswith(".xlsx")],
    *[Case(s, EMPTY, REFUSE) for s in ("fingertips", "cpes", "imd")],
    *[Case(s, bi.reencoded("utf16_text", "utf-16"), REFUSE) for s in ("phs", "qof_prevalence")],
    Case("ons_population", bi.container_cut(), REFUSE),
    Case("ons_population", bi.not_an_archive(), REFUSE),
    Case("hes", bi.container_cut(), REFUSE),
    Case("hes", bi.not_an_archive(), REFUSE),

    # -- a key column missing
    Case("fingertips", bi.drop_column("Area Code"), REFUSE),
    Case("phs", bi.drop_column("Year"), REFUSE),
    Case("cpes", bi.drop_column("Question Number"), REFUSE),
    Case("imd", bi.drop_column("Local Authority District code (2019)"), REFUSE),
    Case("hes", bi.drop_column("RESLADST_ONS"), REFUSE),

    # -- fingertips cells
    Case("fingertips", bi.set_cell("future_period", "Time period", "2031 - 33", la_row(FT_AREA)), REFUSE),
    Case("fingertips", bi.set_cell("count_1e20", "Count", "1e20", la_row(FT_AREA)), REFUSE),
    Case("fingertips", bi.set_cell("negative_count", "Count", "-12", la_row(FT_AREA)), REFUSE),
    Case("fingertips", bi.set_cell("value_not_a_number", "Value", "12..5", la_row(FT_AREA)), REFUSE),
    Case("fingertips", bi.duplicate_row("conflicting_duplicate", "Value", "999.9", la_row(FT_AREA)), REFUSE),
    Case("fingertips", bi.set_cell("unknown_area_code", "Area Code", "E06999999", la_row(FT_AREA)), REFUSE),

    # -- qof_prevalence (a Fingertips export at GP level) cells
    Case("qof_prevalence", bi.set_cell("percentage_150", "Value", "150", value_row(6, "GPs")), REFUSE),
    Case("qof_prevalence", bi.set_cell("count_contradicts_value", "Count", "20000", value_row(6, "GPs")), REFUSE),
    Case("qof_prevalence", bi.set_cell("future_period", "Time period", "2031/32", value_row(6, "GPs")), REFUSE),

    # -- cpes cells
    Case("cpes", bi.set_cell("percentage_150", "scored percentage", "150", cpes_icb_q9), REFUSE),
    Case("cpes", bi.set_cell("negative_responses", "Number of responses", "-12", cpes_icb_q9), REFUSE),
    Case("cpes", bi.set_cell("future_survey_year", "Survey Year", "2031", cpes_icb_q9), REFUSE),
    Case("cpes", bi.duplicate_row("conflicting_duplicate", "scored percentage", "12.3", cpes_icb_q9), REFUSE),

    # -- imd cells
    Case("imd", bi.set_cell("rank_99999_of_317", "IMD - Rank of average score", "99999", la_row(IMD_CODE)), REFUSE),
    Case("imd", bi.set_cell("proportion_150_percent", "IMD - Proportion of LSOAs in most deprived 10% nationally",
                            "1.5", la_row(IMD_CODE)), REFUSE),
    Case("imd", bi.duplicate_row("conflicting_duplicate", "IMD - Average score", "99.9", la_row(IMD_CODE)), REFUSE),

    # -- phs cells
    Case("phs", bi.set_cell("future_year", "Year", "2031"), REFUSE),
    Case("phs", bi.set_cell("deaths_1e20", "DeathsAllAges", "1e20"), REFUSE),
    Case("phs", bi.set_cell("negative_deaths", "DeathsAllAges", "-12"), REFUSE),
    Case("phs", bi.set_cell("all_ages_contradict_bands", "DeathsAllAges", "99999"), REFUSE),
    Case("phs", bi.duplicate_row("conflicting_duplicate", "DeathsAllAges", "4321"), REFUSE),

    # -- ons_population cells (wide: one population column per year)
    Case("ons_population", bi.set_cell("population_12_5", "population_2023", "12.5"), REFUSE),
    Case("ons_population", bi.set_cell("population_1e20", "population_2023", "1e20"), REFUSE),
    Case("ons_population", bi.set_cell("negative_population", "population_2023", "-12"), REFUSE),
    Case("ons_population", bi.add_column_copy("population_2023", "population_2031"), REFUSE),
    Case("ons_population", bi.duplicate_row("duplicate_district_row"), REFUSE),

    # -- hes cells (record level: one row per episode)
    Case("hes", bi.set_cell("future_fyear", "FYEAR", "3132"), REFUSE),
    Case("hes", bi.duplicate_row("repeated_episode_key"), REFUSE),

    # -- Scottish sources
    Case("phs_end_of_life", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("scotpho", bi.set_cell("percentage_150", "measure", "150", value_row(5, "Percentage")), REFUSE),
    Case("scotpho", bi.set_cell("future_year", "year", "2031", value_row(5, "Percentage")), REFUSE),
    Case("scotpho", bi.set_cell("numerator_1e20", "numerator", "1e20", value_row(5, "Percentage")), REFUSE),
    Case("scotpho", bi.drop_column("area_code"), REFUSE),
    Case("simd", bi.set_cell("rank_99999_of_6976", "SIMD2020V2Rank", "99999"), REFUSE),
    Case("simd", bi.duplicate_row("repeated_data_zone", "SIMD2020V2Rank", "17"), REFUSE),
    Case("simd", bi.drop_column("DataZone"), REFUSE),

    # -- social care and support sources
    Case("ascof", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("ascof", bi.extra_column(), ACCEPT),
    Case("ascof", bi.drop_column("ONS code"), REFUSE),
    Case("ascof", bi.set_cell("value_not_a_number", "Measure value", "12..5", la_row(ASCOF_CODE)), REFUSE),
    Case("ascof", bi.set_cell("unknown_council_code", "ONS code", "E06999999", la_row(ASCOF_CODE)), REFUSE),
    Case("gpps", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("gpps", bi.extra_column(), ACCEPT),
    Case("gpps", bi.drop_column("Practice_Code"), REFUSE),
    Case("gpps", bi.set_cell("percentage_150", "Q28_12pct", "150"), REFUSE),
    Case("gpps", bi.set_cell("practice_code_not_ods", "Practice_Code", "81001"), REFUSE),
    Case("gpps", bi.duplicate_row("repeated_practice"), REFUSE),
    Case("cqc", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("cqc", bi.extra_column(), ACCEPT),
    Case("cqc", bi.drop_column("Location Latest Overall Rating"), REFUSE),
    Case("cqc", bi.set_cell("unknown_rating", "Location Latest Overall Rating", "Superb"), REFUSE),
    Case("cqc", bi.set_cell("beds_not_a_number", "Care homes beds", "12..5", value_row(3, "Y")), REFUSE),
    Case("cqc_la_assessment", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("cqc_la_assessment", bi.drop_column("area_code"), REFUSE),
    Case("cqc_la_assessment", bi.set_cell("score_5", "qs1_assessing_needs", "5"), REFUSE),
    Case("cqc_la_assessment", bi.set_cell("unknown_council_code", "area_code", "E06999999"), REFUSE),
    Case("cqc_la_assessment", bi.set_cell("future_assessment", "assessment_date", "2031-01"), REFUSE),

    # -- mapped local extracts (the Excel one has the whole-file faults only)
    *[Case(s, bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT) for s in (
        "jsna_west_sussex_screening", "jsna_monitoring_returns", "jsna_trafford_breast_cancer_wards")],
    Case("jsna_west_sussex_screening", bi.drop_column("Area_Code"), REFUSE),
    Case("jsna_west_sussex_screening", bi.set_cell("value_not_a_number", "Value", "12..5"), REFUSE),
    Case("jsna_west_sussex_screening", bi.set_cell("unknown_area_code", "Area_Code", "E07999999"), REFUSE),
    Case("jsna_monitoring_returns", bi.set_cell("negative_count", "hnas_offered", "-3"), REFUSE),
    Case("jsna_monitoring_returns", bi.set_cell("unknown_site", "site", "Atlantis"), REFUSE),
    Case("jsna_trafford_breast_cancer_wards", bi.set_cell("unknown_ward", "area_code", "E05999999"), REFUSE),
    Case("phs_end_of_life", bi.set_cell("percentage_150", "PercentageSpentInHomeCommunity", "150"), REFUSE),
    Case("phs_end_of_life", bi.set_cell("future_year", "FinancialYear", "2031/32"), REFUSE),
    Case("phs_end_of_life", bi.set_cell("negative_deaths", "NumberOfDeaths", "-12"), REFUSE),
    Case("phs_end_of_life", bi.drop_column("CA2011"), REFUSE),
    Case("scotpho", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("simd", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("simd", bi.set_cell("rank_not_a_number", "SIMD2020V2Rank", "12..5"), REFUSE),

    # -- a local survey through a mapping (a % agreeing and the number answering)
    Case("jsna_lived_experience_survey_2025", bi.with_newlines("crlf_line_endings", "\r\n"), ACCEPT),
    Case("jsna_lived_experience_survey_2025", bi.extra_column(), ACCEPT),
    Case("jsna_lived_experience_survey_2025", bi.set_cell("percentage_150", "Agree (%)", "150"), REFUSE),
    Case("jsna_lived_experience_survey_2025", bi.set_cell("negative_respondents", "Respondents", "-3"), REFUSE),
    Case("jsna_lived_experience_survey_2025", bi.set_cell("unknown_council_area", "Council area code",
                                                          "S12999999"), REFUSE),
    Case("jsna_lived_experience_survey_2025", bi.drop_column("Respondents"), REFUSE),

    # -- HACE: a workbook read through its mapping (one sheet, header on row 1)
    Case("hace_2023_24", bi.extra_column(), ACCEPT),
    Case("hace_2023_24", bi.drop_column("wgt_percentpositive"), REFUSE),
    Case("hace_2023_24", bi.set_cell("percentage_150", "wgt_percentpositive", "150", value_row(0, "HSCP")), REFUSE),
    Case("hace_2023_24", bi.set_cell("negative_responses", "n_includedresponses", "-12", value_row(0, "HSCP")),
         REFUSE),
    Case("hace_2023_24", bi.set_cell("unknown_partnership", "report_area", "S37999999", value_row(0, "HSCP")),
         REFUSE),
]


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=f"waits on {case.owner}")] if case.owner else []
    return pytest.param(case, id=case.id, marks=marks)


def test_the_corpus_is_large_and_covers_every_source() -> None:
    from landscape_pipeline.sources.registry import all_sources

    assert len(CORPUS) >= 60
    assert len({c.id for c in CORPUS}) == len(CORPUS), "corpus ids must be unique"
    for source in all_sources():
        kinds = {c.expect for c in CORPUS if c.source == source}
        assert kinds == {REFUSE, ACCEPT}, f"{source} needs controls and must-refuse variants"


@pytest.mark.parametrize("case", [_param(c) for c in CORPUS])
def test_validate_refuses_bad_input_and_accepts_controls(case: Case, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    base = bi.BASES[case.source]
    files = base.build(tmp_path)
    fault = case.mutation.apply(tmp_path / base.target)
    code = main(["validate", "--source", case.source, *map(str, files)])
    out = capsys.readouterr()
    said = out.out + out.err
    assert "Traceback" not in said and "internal error" not in said, said
    if case.expect == ACCEPT:
        assert code == 0, said
        return
    assert code == 1, f"accepted a must-refuse variant:\n{said}"
    assert fault.file in said, f"the refusal does not name {fault.file}:\n{said}"
    if fault.row is not None:
        assert re.search(rf"\brow {fault.row}\b", said), f"the refusal does not name row {fault.row}:\n{said}"
    if fault.column is not None:
        assert fault.column.lower() in said.lower(), f"the refusal does not name column {fault.column}:\n{said}"


def test_a_file_cut_part_way_through_a_row_is_refused_by_the_shared_reader(tmp_path: Path) -> None:
    from landscape_pipeline import tabular
    from landscape_pipeline.errors import SourceDataError

    whole = tmp_path / "whole.csv"
    whole.write_text("a,b,c\n1,2,3\n4,5,6")  # no final newline, but the last row is complete
    assert len(tabular.read_table(whole).frame) == 2
    cut = tmp_path / "cut.csv"
    cut.write_text("a,b,c\n1,2,3\n4,5")
    with pytest.raises(SourceDataError, match=r"cut\.csv, row 2 \(line 3\): ends part-way through a row"):
        tabular.read_table(cut)
