"""PHS end of life: the published layout, PHS's definitions, conservative limits, bad input, CKAN loader."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import responses

from landscape_pipeline import geography
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.phs_end_of_life import SOURCE, loader, sample
from landscape_pipeline.sources.phs_end_of_life.parser import indicator_id
from landscape_pipeline.sources.phs_end_of_life.reader import read_eol_file
from landscape_pipeline.stats import proportion

BUNDLED = data_sources_dir() / "phs_end_of_life"
FILES = {level: BUNDLED / f"{sample.PUBLICATION}_last-six-months-of-life_{name}.csv"
         for level, (name, _) in sample.FILES.items()}
DUNDEE = "S12000042"


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return SOURCE.parse(SOURCE.bundled_files(data_sources_dir()), None)


def _raw(level: str) -> pd.DataFrame:
    return pd.read_csv(FILES[level], dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("level", ["council_area", "hscp"])
def test_bundled_headers_are_the_published_ones(reference_data: Path, level: str) -> None:
    name = {"council_area": "council_area", "hscp": "hscp"}[level]
    header = (reference_data / "candidates" / "phs_palliative_eol" / f"last_six_months_of_life_{name}_header.csv")
    assert list(_raw(level).columns) == header.read_text().strip().split(",")


def test_bundled_files_read_with_phs_definitions(bundled: pd.DataFrame) -> None:
    assert set(bundled["indicator_id"]) == {indicator_id(182.5)} and bundled["synthetic"].all()
    assert set(bundled["area_type"]) == {"Council area", "HSC partnership", "Health board", "Scotland"}
    raw = _raw("council_area")
    row = raw[raw["CA2011"].eq(DUNDEE) & raw["FinancialYear"].eq("2023/24")].iloc[0]
    ours = bundled[bundled["area_code"].eq(DUNDEE) & bundled["period_label"].eq("2023/24")].iloc[0]
    assert ours["value"] == float(row["PercentageSpentInHomeCommunity"])
    assert ours["denominator"] == int(row["NumberOfDeaths"])
    deaths, los = int(row["NumberOfDeaths"]), int(row["TotalLengthOfStay"])
    assert ours["value"] == pytest.approx(100 - los / deaths / 182.5 * 100)  # PHS's definition, six months
    expected = proportion(ours["value"] / 100 * deaths, deaths, 0.95, multiplier=100)
    assert (ours["lower_ci_95"], ours["upper_ci_95"]) == pytest.approx((expected.lower, expected.upper))
    assert ours["value_note"].startswith("Provisional (PHS qualifier p); 95% limits computed by the pipeline")
    assert (ours["period_start"], ours["period_end"]) == (pd.Timestamp("2023-04-01"), pd.Timestamp("2024-03-31"))
    assert bundled.loc[bundled["area_code"].eq(geography.SCOTLAND), "area_type"].eq("Scotland").all()


def test_bundled_source_validates() -> None:
    result = ingest(SOURCE, SOURCE.bundled_files(data_sources_dir()))
    assert result.passed, result.text()


def test_sample_is_reproducible(tmp_path: Path) -> None:
    sample.generate(tmp_path)
    for path in FILES.values():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_twelve_month_window_is_a_different_indicator(tmp_path: Path) -> None:
    raw = _raw("council_area")
    deaths = pd.to_numeric(raw["NumberOfDeaths"])
    hospital = pd.to_numeric(raw["PercentageSpentInHospital"])
    raw["TotalLengthOfStay"] = (deaths * 365 * hospital / 100).round().astype(int)
    raw["AverageDaysInCommunity"] = (365 - 365 * hospital / 100).round().astype(int)
    raw["AverageDaysInHospital"] = 365 - raw["AverageDaysInCommunity"]
    out = SOURCE.parse([_write(raw, tmp_path / "twelve.csv")], None)
    assert set(out["indicator_id"]) == {indicator_id(365.0)}
    assert out["indicator_name"].iloc[0].startswith("Percentage of the last twelve months of life")


@pytest.mark.parametrize(("column", "value", "message"), [
    ("FinancialYear", "2023-24", "financial year written YYYY/YY"),
    ("FinancialYear", "2203/04", "after the build date"),
    ("FinancialYearQF", "q", "not a PHS statistical qualifier"),
    ("CA2011", "S12999999", "not a council area code"),
    ("PercentageSpentInHomeCommunity", "120", "above 100"),
    ("PercentageSpentInHospital", "30", "is not 100"),
    ("NumberOfDeaths", "10.5", "whole, positive number"),
    ("TotalLengthOfStay", "99", "does not fit a six- or twelve-month window"),
])
def test_bad_cells_are_refused_naming_row_and_column(tmp_path: Path, column: str, value: str, message: str) -> None:
    raw = _raw("council_area")
    raw.loc[40, column] = value
    with pytest.raises(SourceDataError, match=message) as caught:
        read_eol_file(_write(raw, tmp_path / "ca.csv"))
    assert (caught.value.row, caught.value.column) == (41, column)


def test_deaths_must_add_up_to_scotland(tmp_path: Path) -> None:
    raw = _raw("council_area")
    raw = raw.drop(index=raw.index[raw["CA2011"].eq(DUNDEE) & raw["FinancialYear"].eq("2019/20")])
    with pytest.raises(SourceDataError, match="add up to") as caught:
        SOURCE.parse([_write(raw, tmp_path / "ca.csv"), FILES["health_board"]], None)
    assert caught.value.column == "NumberOfDeaths" and "2019/20" in str(caught.value)


def test_other_breakdowns_are_skipped_and_foreign_files_refused(tmp_path: Path) -> None:
    agesex = tmp_path / "agesex.csv"
    agesex.write_text("FinancialYear,FinancialYearQF,Country,AgeGroup,Sex,PercentageSpentInHomeCommunity\n"
                      "2019/20,,S92000003,85 years and over,Male,88.1\n")
    assert read_eol_file(agesex) is None
    assert len(SOURCE.parse([agesex, FILES["council_area"]], None)) == len(_raw("council_area"))
    other = tmp_path / "other.csv"
    other.write_text("Year,Value\n2019,1\n")
    with pytest.raises(SourceDataError, match="not a PHS end-of-life open-data file"):
        read_eol_file(other)
    with pytest.raises(SourceDataError, match="no PHS end-of-life"):
        SOURCE.parse([agesex], None)


def test_older_release_without_length_of_stay_still_reads(tmp_path: Path) -> None:
    raw = _raw("hscp").drop(columns=["TotalLengthOfStay"])
    raw.loc[0, "HSCP2016"] = "S37000015"  # Glasgow City's 2016 code
    out = SOURCE.parse([_write(raw, tmp_path / "hscp.csv")], None)
    assert out.loc[0, "area_code"] == "S37000034"
    assert out.loc[0, "attribution_note"] == "Published under archived code S37000015"


# --- live: CKAN package_show, then the published CSVs ------------------------------------------------------------

def _package(urls: dict[str, str]) -> dict:
    resources = [{"id": f"id-{k}", "name": f"Last six months of life by {k}", "url": u,
                  "last_modified": "2024-10-08T09:00:00"} for k, u in urls.items()]
    resources.append({"id": "old", "name": "Old council area", "last_modified": "2021-10-05T09:00:00",
                      "url": "https://www.opendata.nhs.scot/x/2021-10-05_last-six-months-of-life_council-area.csv"})
    return {"success": True, "result": {"name": loader.DATASET, "resources": resources}}


URLS = {level: f"https://www.opendata.nhs.scot/dataset/a739339b/resource/{level}/download/{path.name}"
        for level, path in FILES.items()}


@responses.activate
def test_live_finds_the_current_resources_by_name(tmp_path: Path) -> None:
    responses.add(responses.GET, loader.PACKAGE_SHOW, json=_package(URLS))
    for level, url in URLS.items():
        responses.add(responses.GET, url, body=FILES[level].read_bytes())
    saved = loader.fetch_live(HttpFetcher(retries=0), tmp_path)
    assert [p.read_bytes() for p in saved] == [FILES[level].read_bytes() for level in URLS]
    meta = json.loads(saved[0].with_name(saved[0].name + ".meta.json").read_text())
    assert meta["url"] == URLS["council_area"]
    assert len(SOURCE.parse(saved, None)) == 780


@responses.activate
def test_live_refuses_a_swapped_resource_and_a_missing_one(tmp_path: Path) -> None:
    responses.add(responses.GET, loader.PACKAGE_SHOW, json=_package(URLS))
    responses.add(responses.GET, URLS["council_area"], body=FILES["hscp"].read_bytes())
    with pytest.raises(FetchError, match="not the PHS end-of-life council area file"):
        loader.fetch_live(HttpFetcher(retries=0), tmp_path)
    assert list(tmp_path.iterdir()) == []
    responses.replace(responses.GET, loader.PACKAGE_SHOW, json=_package({"hscp": URLS["hscp"]}))
    with pytest.raises(FetchError, match="no health-board CSV"):
        loader.fetch_live(HttpFetcher(retries=0), tmp_path)
