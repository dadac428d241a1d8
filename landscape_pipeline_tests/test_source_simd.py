"""SIMD 2020v2: real data-zone files summarised to council areas, vintages kept straight, bad input refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import geography
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.ingest import ingest
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.sources.simd import SOURCE, loader, sample
from landscape_pipeline.sources.simd.reader import read_zone_file
from landscape_pipeline.sources.simd.summarise import THRESHOLD, indicator_id

BUNDLED = data_sources_dir() / "simd"
GOV = BUNDLED / sample.GOV_FILE
PHS = BUNDLED / sample.PHS_FILE
DUNDEE, FIFE, GLASGOW, TAYSIDE = "S12000042", "S12000047", "S12000049", "S08000030"


@pytest.fixture(scope="module")
def gov() -> pd.DataFrame:
    return pd.read_csv(GOV, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def phs() -> pd.DataFrame:
    return pd.read_csv(PHS, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return SOURCE.parse(SOURCE.bundled_files(data_sources_dir()), None)


def _value(frame: pd.DataFrame, code: str, domain: str, measure: str) -> pd.Series:
    return frame.loc[frame["area_code"].eq(code) & frame["indicator_id"].eq(indicator_id(domain, measure))].iloc[0]


# --- the real files --------------------------------------------------------------------------------------------

def test_real_files_are_complete_and_match_their_provenance(gov: pd.DataFrame, phs: pd.DataFrame) -> None:
    manifest = json.loads((BUNDLED / "provenance.json").read_text())["files"]
    assert sha256_of(GOV) == manifest[GOV.name]["sha256"] and sha256_of(PHS) == manifest[PHS.name]["sha256"]
    assert len(gov) == len(phs) == 6976
    assert pd.to_numeric(gov["Total_population"]).sum() == 5_424_800
    assert list(phs.columns) == list(sample.HEADER)


def test_phs_layout_matches_the_published_header(reference_data: Path, phs: pd.DataFrame) -> None:
    header = (reference_data / "candidates" / "simd" / "simd2020v2_opendata_header.csv").read_text().strip()
    assert list(phs.columns) == header.split(",")


def test_reconstruction_is_reproducible() -> None:
    assert sample.build(GOV) == PHS.read_text(encoding="utf-8")


def test_summaries_follow_the_definitions_on_the_real_data(gov: pd.DataFrame, bundled: pd.DataFrame) -> None:
    rank, pop = pd.to_numeric(gov["SIMD2020v2_Rank"]), pd.to_numeric(gov["Total_population"])
    dundee = gov["Council_area"].eq("Dundee City")
    expected_rank = (rank[dundee] * pop[dundee]).sum() / pop[dundee].sum()
    assert _value(bundled, DUNDEE, "overall", "pop_weighted_rank")["value"] == pytest.approx(expected_rank)
    deprived = dundee & (rank <= 1395)
    row = _value(bundled, DUNDEE, "overall", "dz_most_deprived_20pct")
    assert (row["count"], row["denominator"]) == (deprived.sum(), dundee.sum())
    row = _value(bundled, DUNDEE, "overall", "pop_most_deprived_20pct")
    assert row["value"] == pytest.approx(pop[deprived].sum() / pop[dundee].sum() * 100)
    health = pd.to_numeric(gov["SIMD2020_Health_Domain_Rank"])
    glasgow = gov["Council_area"].eq("Glasgow City")
    row = _value(bundled, GLASGOW, "health", "dz_most_deprived_20pct")
    assert row["count"] == (glasgow & (health <= THRESHOLD)).sum()
    scotland = _value(bundled, geography.SCOTLAND, "overall", "dz_most_deprived_20pct")
    assert (scotland["count"], scotland["denominator"]) == (1395, 6976)


def test_areas_nest_and_sum(bundled: pd.DataFrame) -> None:
    dz = bundled[bundled["indicator_id"].eq(indicator_id("overall", "dz_most_deprived_20pct"))]
    councils = dz[dz["area_type"].eq("Council area")]
    assert len(councils) == 32 and councils["denominator"].sum() == 6976 and councils["count"].sum() == 1395
    boards = dz[dz["area_type"].eq("Health board")]
    assert len(boards) == 14 and boards["count"].sum() == 1395
    tayside = councils[councils["area_code"].isin(geography.council_areas_in_board(TAYSIDE))]
    assert boards.set_index("area_code").loc[TAYSIDE, "count"] == tayside["count"].sum()
    assert set(bundled["indicator_id"].str.split("_").str[1]) == {
        "overall", "income", "employment", "health", "education", "access", "crime", "housing"}
    assert not bundled["synthetic"].any()


def test_bundled_source_validates() -> None:
    result = ingest(SOURCE, SOURCE.bundled_files(data_sources_dir()))
    assert result.passed, result.text()


def test_phs_file_alone_gives_only_data_zone_shares() -> None:
    out = SOURCE.parse([PHS], None)
    assert set(out["indicator_id"]) == {indicator_id("overall", "dz_most_deprived_20pct")}
    assert out.attrs["population_weighted"] is False and "Total_population" in out.attrs["note"]


# --- vintages and consistency ----------------------------------------------------------------------------------

def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("code", "vintage"), [("S01000123", "2001"), ("S01014000", "2022")])
def test_other_data_zone_vintages_are_refused(phs: pd.DataFrame, tmp_path: Path, code: str, vintage: str) -> None:
    bad = phs.copy()
    bad.loc[9, "DataZone"] = code
    with pytest.raises(SourceDataError, match=f"a {vintage} data zone") as caught:
        read_zone_file(_write(bad, tmp_path / "simd.csv"))
    assert (caught.value.row, caught.value.column) == (10, "DataZone")


def test_population_file_must_cover_the_same_zones_with_the_same_ranks(gov: pd.DataFrame, phs: pd.DataFrame,
                                                                      tmp_path: Path) -> None:
    swapped = gov.copy()
    swapped.loc[[3, 4], "SIMD2020v2_Rank"] = swapped.loc[[4, 3], "SIMD2020v2_Rank"].to_numpy()
    swapped.loc[[3, 4], ["SIMD2020v2_Decile", "SIMD2020v2_Quintile"]] = swapped.loc[
        [4, 3], ["SIMD2020v2_Decile", "SIMD2020v2_Quintile"]].to_numpy()
    with pytest.raises(SourceDataError, match="different overall rank") as caught:
        SOURCE.parse([PHS, _write(swapped, tmp_path / "gov.csv")], None)
    assert caught.value.path.name == PHS.name and caught.value.row == 4
    shorter = gov.drop(index=100)
    with pytest.raises(SourceDataError, match="missing from the other SIMD file") as caught:
        SOURCE.parse([PHS, _write(shorter, tmp_path / "short.csv")], None)
    assert caught.value.row == 101


@pytest.mark.parametrize(("column", "value", "message"), [
    ("SIMD2020V2Rank", "7000", "outside 1-6,976"),
    ("SIMD2020V2CountryDecile", "9", "does not match the data zone's rank"),
    ("HB", "S08000020", "does not contain the row's council area"),
    ("HSCP", "S37000001", "does not contain the row's council area"),
    ("CA", "S12000099", "not a Scottish council area code"),
    ("SIMD2020V2Most15pc", "1", "Most15pc"),
])
def test_inconsistent_phs_rows_are_refused(phs: pd.DataFrame, tmp_path: Path, column: str, value: str,
                                           message: str) -> None:
    bad = phs.copy()
    row = int(np.flatnonzero(bad["CA"].eq(DUNDEE) & (pd.to_numeric(bad["SIMD2020V2Rank"]) > 3000))[0])
    bad.loc[row, column] = value
    with pytest.raises(SourceDataError, match=message) as caught:
        read_zone_file(_write(bad, tmp_path / "simd.csv"))
    assert (caught.value.row, caught.value.column) == (row + 1, column)


def test_duplicates_partial_files_and_other_versions_are_refused(gov: pd.DataFrame, phs: pd.DataFrame,
                                                                 tmp_path: Path) -> None:
    dup = pd.concat([phs, phs.iloc[[5]]], ignore_index=True)
    with pytest.raises(SourceDataError, match="appears twice"):
        read_zone_file(_write(dup, tmp_path / "dup.csv"))
    with pytest.raises(SourceDataError, match="6,976"):
        SOURCE.parse([_write(phs.iloc[:500], tmp_path / "part.csv")], None)
    older = gov.rename(columns={"SIMD2020v2_Rank": "SIMD2016_Rank"})
    with pytest.raises(SourceDataError, match="SIMD 2020v2 only"):
        read_zone_file(_write(older, tmp_path / "old.csv"))
    renamed = gov.copy()
    renamed.loc[2, "Council_area"] = "Dundee"
    with pytest.raises(SourceDataError, match="not a Scottish council area name"):
        read_zone_file(_write(renamed, tmp_path / "names.csv"))
    with pytest.raises(SourceDataError, match="second"):
        SOURCE.parse([PHS, PHS], None)


# --- live ------------------------------------------------------------------------------------------------------

@responses.activate
def test_live_fetches_the_phs_file_and_the_named_ranks_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    responses.add(responses.GET, loader.PHS_SIMD_URL, body=PHS.read_bytes())
    monkeypatch.setenv(loader.RANKS_ENV, str(GOV))
    saved = loader.fetch_live(HttpFetcher(retries=0), tmp_path)
    assert [p.read_bytes() for p in saved] == [PHS.read_bytes(), GOV.read_bytes()]
    assert SOURCE.parse(saved, None).attrs["population_weighted"] is True


@responses.activate
def test_live_refuses_a_wrong_file_and_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(loader.RANKS_ENV, raising=False)
    responses.add(responses.GET, loader.PHS_SIMD_URL, body=GOV.read_bytes())
    with pytest.raises(FetchError, match="not the expected SIMD 2020v2 file"):
        loader.fetch_live(HttpFetcher(retries=0), tmp_path)
    assert list(tmp_path.iterdir()) == []
