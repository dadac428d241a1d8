"""ScotPHO profiles extracts: every known layout read by name, the real bundled extract, bad input refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.sources.scotpho import SOURCE, catalogue, loader, read_scotpho_extract, sample
from landscape_pipeline.sources.scotpho.periods import parse_period

BUNDLED = data_sources_dir() / "scotpho"
REAL = BUNDLED / sample.REAL_EXTRACT
COMPLEMENT = BUNDLED / sample.SAMPLE
DUNDEE, TAYSIDE = "S12000042", "S08000030"
#: One logical row (Dundee, cancer registrations 2019-2021, as in the real extract), by field.
ROW = {"area_code": DUNDEE, "code": DUNDEE, "area_type": "Council area", "areatype": "Council area",
       "area_name": "Dundee City", "areaname": "Dundee City", "year": "2020",
       "period": "2019 to 2021 calendar years; 3-year aggregates", "def_period": "2019 to 2021 calendar years; "
       "3-year aggregates", "definition_period": "2019 to 2021 calendar years; 3-year aggregates",
       "trend_axis": "2019-2021", "type_definition": "Age-sex standardised rate per 100,000",
       "definition": "Age-sex standardised rate per 100,000", "indicator": "Cancer registrations", "ind_id": "20301",
       "numerator": "872", "measure": "637.8", "rate": "637.8", "upper_confidence_interval": "682.2", "upci": "682.2",
       "lower_confidence_interval": "595.5", "lowci": "595.5", "data_source": "SMR06"}


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return SOURCE.parse(SOURCE.bundled_files(data_sources_dir()), None)


# --- the real layouts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "scotpho_data_extract_legacy_header.csv", "scotpho_profiles_app_download_header.csv",
    "scotpho_trends_download_header.csv", "scotpho_indicator_production_shiny_header.csv",
])
def test_every_published_header_variant_reads_the_limits_by_name(reference_data: Path, tmp_path: Path,
                                                                 name: str) -> None:
    header = (reference_data / "candidates" / "scotpho" / name).read_text(encoding="utf-8").strip().split(",")
    frame, skipped = read_scotpho_extract(write(tmp_path / name, header, [ROW]))
    row = frame.iloc[0]
    assert (row["indicator_id"], row["area_code"], row["period_label"]) == (
        "scotpho_cancer_registrations", DUNDEE, "2019-2021")
    assert (row["value"], row["lower_ci_95"], row["upper_ci_95"], row["count"]) == (637.8, 595.5, 682.2, 872.0)
    assert (row["period_start"], row["period_end"]) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2021-12-31"))
    assert skipped == {"other_indicators": 0, "other_geographies": 0}


def test_real_bundled_extract_is_read_as_published() -> None:
    frame, skipped = read_scotpho_extract(REAL)
    assert len(frame) == 224 and skipped == {"other_indicators": 0, "other_geographies": 0}
    assert sha256_of(REAL) == json.loads((BUNDLED / "provenance.json").read_text())["files"][REAL.name]["sha256"]
    assert not frame["synthetic"].any() and frame["source_row"].tolist() == list(range(1, 225))
    assert set(frame["area_code"]) == {la.area_code for la in geography.current_local_authorities()
                                       if la.nation_code == geography.SCOTLAND}
    dundee = frame[frame["area_code"].eq(DUNDEE)].set_index("indicator_id")
    # figures as in the file (line for Dundee cancer registrations)
    assert dundee.loc["scotpho_cancer_registrations", ["value", "lower_ci_95", "upper_ci_95"]].tolist() == [
        637.8, 595.5, 682.2]
    assert dundee.loc["scotpho_bowel_screening_uptake", "period_label"] == "2020-2022"
    assert dundee.loc["scotpho_breast_screening_uptake", "sex"] == "Female"


def test_bundled_source_validates_and_council_areas_meet_scotland_and_board(bundled: pd.DataFrame) -> None:
    result = ingest(SOURCE, SOURCE.bundled_files(data_sources_dir()))
    assert result.passed, result.text()
    assert set(bundled["area_type"]) == {"Scotland", "Health board", "Council area", "HSC partnership"}
    assert "S00000001" not in set(bundled["area_code"]) and geography.SCOTLAND in set(bundled["area_code"])
    scot = bundled[bundled["area_code"].eq(geography.SCOTLAND)]
    assert scot["synthetic"].all() and set(scot["indicator_id"]) == {i.indicator_id for i in catalogue.INDICATORS}
    assert len(bundled) == 224 + len(pd.read_csv(COMPLEMENT))


def test_complement_is_reproducible_and_aggregates_its_councils(tmp_path: Path) -> None:
    assert sample.build(REAL) == COMPLEMENT.read_text(encoding="utf-8")
    real = pd.read_csv(REAL)
    made = pd.read_csv(COMPLEMENT)
    tayside = made[made["area_code"].eq(TAYSIDE) & made["indicator"].eq("Cancer registrations")].iloc[0]
    members = real[real["area_code"].isin(geography.council_areas_in_board(TAYSIDE))
                   & real["indicator"].eq("Cancer registrations")]
    assert tayside["numerator"] == pytest.approx(members["numerator"].sum(), abs=0.05)
    assert members["measure"].min() <= tayside["measure"] <= members["measure"].max()


# --- periods ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2019 to 2021 calendar years; 3-year aggregates", "2019-2021", "2019-01-01", "2021-12-31"),
    ("2021/22 financial year", "2021/22", "2021-04-01", "2022-03-31"),
    ("2019/20 to 2021/22 financial years; 3-year aggregates", "2019/20-2021/22", "2019-04-01", "2022-03-31"),
    ("4-year aggregate (2014 - 2017)", "2014-2017", "2014-01-01", "2017-12-31"),
    ("2019 survey year", "2019", "2019-01-01", "2019-12-31"),
    ("2019-2021", "2019-2021", "2019-01-01", "2021-12-31"),
    ("2019/20 school year", "2019/20", "2019-08-01", "2020-07-31"),
])
def test_periods_read_by_rule(text: str, label: str, start: str, end: str) -> None:
    assert parse_period(text) == (label, pd.Timestamp(start), pd.Timestamp(end))


@pytest.mark.parametrize("text", ["2019/21 financial year", "2021 to 2019 calendar years", "last year", ""])
def test_non_periods_are_not_guessed(text: str) -> None:
    assert parse_period(text) is None


# --- bad input -------------------------------------------------------------------------------------------------

APP = ["area_code", "area_type", "area_name", "year", "period", "type_definition", "indicator", "numerator",
       "measure", "upper_confidence_interval", "lower_confidence_interval"]


@pytest.mark.parametrize(("change", "column", "message"), [
    ({"period": "2204 to 2206 calendar years; 3-year aggregates", "year": "2205"}, "period", "after the build date"),
    ({"year": "2015"}, "year", "outside the row's period"),
    ({"type_definition": "Percentage"}, "type_definition", "not what this indicator publishes"),
    ({"area_type": "Health board"}, "area_type", "does not fit the area code"),
    ({"area_code": "S12999999"}, "area_code", "not a Scottish council area"),
    ({"measure": "six hundred"}, "measure", "not a number"),
    ({"period": "sometime"}, "period", "not a ScotPHO time period"),
    ({"indicator": "Bowel screening uptake", "type_definition": "Percentage", "measure": "162.5",
      "upper_confidence_interval": "170", "lower_confidence_interval": "150"}, "measure", "outside 0-100"),
])
def test_bad_rows_are_refused_naming_row_and_column(tmp_path: Path, change: dict, column: str, message: str) -> None:
    rows = [ROW, {**ROW, "area_code": "S12000047", "area_name": "Fife", **change}]
    with pytest.raises(SourceDataError, match=message) as caught:
        read_scotpho_extract(write(tmp_path / "bad.csv", APP, rows))
    assert caught.value.row == 2 and caught.value.column == column and caught.value.path.name == "bad.csv"


def test_percentage_must_match_numerator_over_denominator(tmp_path: Path) -> None:
    header = [*APP, "denominator"]
    good = {**ROW, "indicator": "Bowel screening uptake", "type_definition": "Percentage", "numerator": "626",
            "denominator": "1000", "measure": "62.6", "upper_confidence_interval": "65.6",
            "lower_confidence_interval": "59.5"}
    frame, _ = read_scotpho_extract(write(tmp_path / "ok.csv", header, [good]))
    assert frame.loc[0, "denominator"] == 1000
    with pytest.raises(SourceDataError, match="numerator / denominator") as caught:
        read_scotpho_extract(write(tmp_path / "bad.csv", header, [good, {**good, "numerator": "700"}]))
    assert caught.value.row == 2


def test_files_without_indicator_or_period_or_rows_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match="neither an 'indicator' nor an 'ind_id'"):
        read_scotpho_extract(write(tmp_path / "a.csv", [c for c in APP if c != "indicator"], [ROW]))
    with pytest.raises(SourceDataError, match="no period column"):
        read_scotpho_extract(write(tmp_path / "b.csv", [c for c in APP if c != "period"], [ROW]))
    with pytest.raises(SourceDataError, match="no data rows"):
        read_scotpho_extract(write(tmp_path / "c.csv", APP, []))
    with pytest.raises(SourceDataError, match="missing"):
        read_scotpho_extract(write(tmp_path / "d.csv", ["area_code", "indicator", "period"], [ROW]))


def test_name_and_number_must_agree_and_unknowns_are_skipped(tmp_path: Path) -> None:
    header = ["code", "ind_id", "indicator", "trend_axis", "numerator", "rate", "lowci", "upci"]
    with pytest.raises(SourceDataError, match="does not match its ind_id"):
        read_scotpho_extract(write(tmp_path / "a.csv", header, [{**ROW, "ind_id": "20106"}]))
    rows = [ROW, {**ROW, "ind_id": "99999", "indicator": "Teenage pregnancies"}, {**ROW, "code": "S02001261"}]
    frame, skipped = read_scotpho_extract(write(tmp_path / "b.csv", header, rows))
    assert len(frame) == 1 and skipped == {"other_indicators": 1, "other_geographies": 1}


def test_scotland_code_and_archived_codes_are_recoded(tmp_path: Path) -> None:
    rows = [{**ROW, "area_code": "S00000001", "area_type": "Scotland", "area_name": "Scotland"},
            {**ROW, "area_code": "S08000027", "area_type": "Health board", "area_name": "NHS Tayside"},
            {**ROW, "area_code": "S37000015", "area_type": "HSC partnership", "area_name": "Glasgow City"}]
    frame, _ = read_scotpho_extract(write(tmp_path / "codes.csv", APP, rows))
    assert frame["area_code"].tolist() == [geography.SCOTLAND, TAYSIDE, "S37000034"]
    assert frame["attribution_note"].tolist()[1:] == ["Published under archived code S08000027",
                                                      "Published under archived code S37000015"]


def test_a_corrupted_bundle_fails_validation_not_with_a_traceback(tmp_path: Path) -> None:
    rows = list(csv.DictReader(REAL.open(encoding="utf-8")))
    for row in rows:  # swap the two limit columns' contents under their names
        row["upper_confidence_interval"], row["lower_confidence_interval"] = (row["lower_confidence_interval"],
                                                                              row["upper_confidence_interval"])
    bad = write(tmp_path / REAL.name, list(rows[0]), rows)
    result = ingest(SOURCE, [bad, COMPLEMENT])
    assert not result.passed and result.error is None
    assert "limit" in result.text()


def test_schema_and_spec() -> None:
    assert SOURCE.source_id == "scotpho" and SOURCE.disclosure_rule == "none"
    assert all(SOURCE.theme_of(i.indicator_id) for i in catalogue.INDICATORS)
    assert SOURCE.theme_of("scotpho_dying_in_hospital") == "End of life care"
    assert list(read_scotpho_extract(REAL)[0].columns) == list(schema.COLUMN_NAMES)


# --- live: the analyst's download ------------------------------------------------------------------------------

def test_live_snapshots_the_named_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(loader.EXTRACTS_ENV, str(REAL))
    saved = loader.fetch_live(HttpFetcher(), tmp_path)
    assert len(saved) == 1 and saved[0].read_bytes() == REAL.read_bytes()
    meta = json.loads(saved[0].with_name(saved[0].name + ".meta.json").read_text())
    assert meta["sha256"] == sha256_of(REAL) and meta["url"].startswith(loader.PROFILES_URL)


def test_live_refuses_missing_or_foreign_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(loader.EXTRACTS_ENV, raising=False)
    with pytest.raises(FetchError, match="no download API"):
        loader.fetch_live(HttpFetcher(), tmp_path)
    monkeypatch.setenv(loader.EXTRACTS_ENV, str(tmp_path / "absent.csv"))
    with pytest.raises(FetchError, match="not a readable file"):
        loader.fetch_live(HttpFetcher(), tmp_path)
    foreign = tmp_path / "other.csv"
    foreign.write_text("Area,Value\nS12000042,1\n")
    monkeypatch.setenv(loader.EXTRACTS_ENV, str(foreign))
    with pytest.raises(FetchError, match="not a ScotPHO extract"):
        loader.fetch_live(HttpFetcher(), tmp_path / "raw")
