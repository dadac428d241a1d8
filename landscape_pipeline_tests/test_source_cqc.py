"""CQC care directory with ratings: monthly snapshots, placement by code or postcode (never by name), bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import responses

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.geography.postcodes import normalise_postcodes, read_postcode_lookup
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.cqc import SOURCE
from landscape_pipeline.sources.cqc.layout import header
from landscape_pipeline.sources.cqc.loader import URL_ENV, fetch_live, find_snapshot_links
from landscape_pipeline.sources.cqc.ods import write_ods
from landscape_pipeline.sources.cqc.parser import indicator_ids, parse
from landscape_pipeline.sources.cqc.reader import read_snapshot, snapshot_date
from landscape_pipeline.tabular import read_table
from landscape_pipeline.validation.runner import validate_frame

FOLDER = paths.data_sources_dir() / "cqc"
COVENTRY, DURHAM, TOWER_HAMLETS = "E08000026", "E06000047", "E09000030"
NOVEMBER = FOLDER / "01_November_2026_HSCA_Active_Locations.ods"
LOOKUP_HEADER = ["pcds", "ladcd"]


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(SOURCE.bundled_files(paths.data_sources_dir()))


def value(frame: pd.DataFrame, indicator_id: str, code: str, period: str, category: str | None = None) -> float:
    rows = frame[(frame["indicator_id"] == indicator_id) & (frame["area_code"] == code)
                 & (frame["period_label"] == period)]
    rows = rows[rows["category"].isna()] if category is None else rows[rows["category"] == category]
    assert len(rows) == 1, (indicator_id, code, period, category, len(rows))
    return float(rows["value"].iloc[0])


def location(**cells: object) -> dict[str, object]:
    base = {"Location ID": "1-1", "Dormant (Y/N)": "N", "Care home?": "Y", "Care homes beds": 30,
            "Location Primary Inspection Category": "Residential social care",
            "Location Latest Overall Rating": "Good", "Location Local Authority": "Coventry",
            "Location Postal Code": "AA1 1AA", "Service type - Care home service without nursing": "Y"}
    return {**base, **cells}


def snapshot(tmp_path: Path, locations: list[dict[str, object]], name: str = "01_May_2026_HSCA_Active_Locations.ods",
             columns: list[str] | None = None) -> Path:
    columns = columns or header()
    rows = [columns] + [[loc.get(c) for c in columns] for loc in locations]
    return write_ods(tmp_path / name, {"HSCA_Active_Locations": rows})


def lookup(tmp_path: Path, pairs: dict[str, str], columns: list[str] = LOOKUP_HEADER) -> Path:
    path = tmp_path / "postcodes.csv"
    path.write_text(",".join(columns) + "\n" + "".join(f"{p},{c}\n" for p, c in pairs.items()), encoding="utf-8")
    return path


def test_three_monthly_snapshots_cover_every_english_la(parsed):
    assert set(parsed["period_label"]) == {"September 2026", "October 2026", "November 2026"}
    england = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND}
    for period, rows in parsed.groupby("period_label"):
        assert england | {geography.ENGLAND} <= set(rows["area_code"]), period
    for code in (COVENTRY, DURHAM, TOWER_HAMLETS):
        assert set(parsed.loc[parsed["area_code"] == code, "indicator_id"]) == set(indicator_ids())


def test_counts_match_an_independent_count_of_the_file(parsed):
    raw = read_table(NOVEMBER, sheet="HSCA_Active_Locations").frame
    placed = normalise_postcodes(raw["Location Postal Code"]).map(read_postcode_lookup())
    mine = raw[placed.eq(COVENTRY) & raw["Dormant (Y/N)"].eq("N")]
    homes = mine[mine["Care home?"].eq("Y")]
    assert value(parsed, "cqc_care_homes", COVENTRY, "November 2026") == len(homes)
    assert value(parsed, "cqc_care_home_beds", COVENTRY, "November 2026") == homes["Care homes beds"].astype(int).sum()
    good = homes["Location Latest Overall Rating"].isin(["Good", "Outstanding"]).sum()
    rated = homes["Location Latest Overall Rating"].notna().sum()
    assert value(parsed, "cqc_care_homes_good_outstanding", COVENTRY, "November 2026") == pytest.approx(
        100 * good / rated)
    gps = mine["Location Primary Inspection Category"].eq("GP Practices").sum()
    assert value(parsed, "cqc_gp_practices", COVENTRY, "November 2026") == gps
    dentists = mine["Location Primary Inspection Category"].eq("Dentists").sum()
    assert dentists > 0  # present in the file, counted in no group
    by_rating = sum(value(parsed, "cqc_gp_practices", COVENTRY, "November 2026", r)
                    for r in ("Outstanding", "Good", "Requires improvement", "Inadequate",
                              "Insufficient evidence to rate", "Not yet rated"))
    assert by_rating == gps


def test_counties_regions_and_england_sum_their_areas(parsed):
    nov = parsed[(parsed["period_label"] == "November 2026") & parsed["category"].isna()
                 & (parsed["indicator_id"] == "cqc_care_homes")].set_index("area_code")["value"]
    kent_districts = geography.lower_tier_codes("E10000016")
    assert nov["E10000016"] == nov[list(kent_districts)].sum()
    lower = [la.area_code for la in geography.current_local_authorities()
             if la.nation_code == geography.ENGLAND and la.tier != "upper"]
    assert nov[geography.ENGLAND] == nov[lower].sum()
    regions = [c for c in nov.index if c.startswith("E12")]
    assert len(regions) == 9 and nov[regions].sum() == nov[geography.ENGLAND]
    note = parsed.loc[(parsed["area_code"] == geography.ENGLAND), "value_note"].dropna().unique()
    assert list(note) == ["2 active location(s) could not be placed in a local authority and are counted in "
                          "England only."]


def test_change_between_months_is_visible(parsed):
    totals = parsed[(parsed["area_code"] == geography.ENGLAND) & parsed["category"].isna()]
    by_month = totals.pivot_table(index="indicator_id", columns="period_label", values="value")
    assert (by_month["September 2026"] != by_month["November 2026"]).any()
    share = parsed[(parsed["indicator_id"] == "cqc_care_homes_good_outstanding") & (parsed["area_type"] != "England")]
    moved = share.pivot_table(index="area_code", columns="period_label", values="value")
    assert (moved["September 2026"] != moved["November 2026"]).sum() > 10


def test_location_is_placed_by_postcode_never_by_the_name(tmp_path):
    path = snapshot(tmp_path, [location(**{"Location Local Authority": "Coventry", "Location Postal Code": "dh1 5aa"})])
    frame = parse([path, lookup(tmp_path, {"DH1 5AA": DURHAM})])
    assert value(frame, "cqc_care_homes", DURHAM, "May 2026") == 1
    assert value(frame, "cqc_care_homes", COVENTRY, "May 2026") == 0


def test_an_ons_la_code_column_is_used_before_the_postcode(tmp_path):
    columns = [*header(), "Location ONS Local Authority Code"]
    locs = [location(**{"Location ID": "1-1", "Location ONS Local Authority Code": "E06000047"}),
            location(**{"Location ID": "1-2", "Location ONS Local Authority Code": "E08000016"})]  # old Barnsley
    frame = parse([snapshot(tmp_path, locs, columns=columns)])
    assert value(frame, "cqc_care_homes", DURHAM, "May 2026") == 1
    assert value(frame, "cqc_care_homes", "E08000038", "May 2026") == 1


def test_dormant_and_unrated_locations(tmp_path):
    locs = [location(**{"Location ID": "1-1"}), location(**{"Location ID": "1-2", "Dormant (Y/N)": "Y"}),
            location(**{"Location ID": "1-3", "Location Latest Overall Rating": None}),
            location(**{"Location ID": "1-4", "Location Latest Overall Rating": "Requires Improvement"})]
    frame = parse([snapshot(tmp_path, locs), lookup(tmp_path, {"AA1 1AA": COVENTRY})])
    assert value(frame, "cqc_care_homes", COVENTRY, "May 2026") == 3
    assert value(frame, "cqc_care_homes", COVENTRY, "May 2026", "Not yet rated") == 1
    assert value(frame, "cqc_care_homes_good_outstanding", COVENTRY, "May 2026") == 50
    empty = frame[(frame["indicator_id"] == "cqc_hospices_good_outstanding") & (frame["area_code"] == COVENTRY)]
    assert np.isnan(empty["value"].iloc[0]) and empty["value_note"].iloc[0] == "No rated location of this kind."


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"Location Latest Overall Rating": "Brilliant"}, "Location Latest Overall Rating", "'Brilliant'"),
    ({"Care home?": "maybe"}, "Care home?", "not Y, N or blank"),
    ({"Care homes beds": "lots"}, "Care homes beds", "not a number"),
    ({"Location Postal Code": "ZZ99 3VZ"}, "Location Postal Code", "cannot be placed"),
])
def test_bad_cells_fail_naming_row_line_and_column(tmp_path, cells, column, message):
    locs = [location(**{"Location ID": f"1-{i}"}) for i in range(3)] + [location(**{"Location ID": "1-9", **cells})]
    path = snapshot(tmp_path, locs)
    with pytest.raises(SourceDataError) as err:
        parse([path, lookup(tmp_path, {"AA1 1AA": COVENTRY})])
    assert (err.value.row, err.value.line, err.value.column) == (4, 5, column)
    assert message in str(err.value)


def test_file_level_problems_are_sentences(tmp_path):
    twice = snapshot(tmp_path, [location(), location()])
    with pytest.raises(SourceDataError, match="appears twice"):
        parse([twice])
    with pytest.raises(SourceDataError, match="which month"):
        snapshot_date(Path("HSCA_Active_Locations.ods"))
    first = snapshot(tmp_path, [location()], name="01_May_2026_HSCA_Active_Locations.ods")
    second = snapshot(tmp_path, [location()], name="HSCA_Active_Locations_2026-05-01.ods")
    with pytest.raises(SourceDataError, match="second snapshot for May 2026"):
        parse([first, second, lookup(tmp_path, {"AA1 1AA": COVENTRY})])
    nowhere = [c for c in header() if c != "Location Postal Code"]
    with pytest.raises(SourceDataError, match="never by the local authority's name"):
        parse([snapshot(tmp_path, [location()], columns=nowhere)])


@pytest.mark.parametrize(("name", "expected"), [
    ("01_November_2026_HSCA_Active_Locations.ods", "2026-11-01"),
    ("HSCA Active Locations 1 Nov 2025.xlsx", "2025-11-01"),
    ("HSCA_Active_Locations_2024-03-01.csv", "2024-03-01"),
    ("HSCA_Active_Locations_February_2025.ods", "2025-02-01"),
])
def test_snapshot_dates_from_file_names(name, expected):
    assert snapshot_date(Path(name)) == pd.Timestamp(expected)


def test_postcode_lookups_of_other_vintages(tmp_path):
    path = lookup(tmp_path, {"S70 1AA": "E08000016", "GY1 1AA": "L99999999", "CV1 2GN": COVENTRY},
                  columns=["pcd", "oslaua"])
    found = read_postcode_lookup(path)
    assert found.to_dict() == {"S701AA": "E08000038", "CV12GN": COVENTRY}
    bad = lookup(tmp_path, {"CV1 2GN": "E07999999"}, columns=["pcds", "lad24cd"])
    with pytest.raises(SourceDataError) as err:
        read_postcode_lookup(bad)
    assert (err.value.row, err.value.column) == (1, "lad24cd")


def test_an_implausible_count_is_the_only_validation_failure(parsed):
    """One month of the bundled data passes every expectation but the plausibility rule it is made to break
    (the whole bundle is validated by the end-to-end build)."""
    broken = parsed[(parsed["period_label"] == "November 2026") & parsed["category"].isna()].copy()
    broken.loc[(broken["area_code"] == COVENTRY) & (broken["indicator_id"] == "cqc_care_homes"), "value"] = 50_000
    report = validate_frame(broken, "cqc", extra_expectations=SOURCE.extra_expectations())
    assert [f.description for f in report.failures] == [
        next(e.meta["description"] for e in SOURCE.extra_expectations() if "2,000" in e.meta["description"])]


PAGE = ('<a href="/sites/default/files/2026-12/01_December_2026_HSCA_Active_Locations.ods">Care directory with '
        'ratings</a><a href="/sites/default/files/2026-12/CQC_directory.csv">directory</a>')


@responses.activate
def test_live_loader_keeps_earlier_snapshots(tmp_path, monkeypatch):
    monkeypatch.delenv(URL_ENV, raising=False)
    links = find_snapshot_links(PAGE)
    assert links == ["https://www.cqc.org.uk/sites/default/files/2026-12/01_December_2026_HSCA_Active_Locations.ods"]
    (tmp_path / "01_November_2026_HSCA_Active_Locations.ods").write_bytes(NOVEMBER.read_bytes())
    responses.get("https://www.cqc.org.uk/about-us/transparency/using-cqc-data", body=PAGE)
    responses.get(links[0], body=NOVEMBER.read_bytes())
    saved = fetch_live(HttpFetcher(retries=0), tmp_path)
    assert len(saved) == 2 and {read_snapshot(p).label for p in saved} == {"November 2026", "December 2026"}
    responses.get("https://www.cqc.org.uk/about-us/transparency/using-cqc-data", body="<html></html>")
    with pytest.raises(FetchError, match=URL_ENV):
        fetch_live(HttpFetcher(retries=0), tmp_path / "none")


def test_read_table_keeps_only_requested_columns_of_a_wide_sheet(tmp_path):
    rows = [["CQC Locations data", None, None], [None, None, None], ["Location ID", "Name", "Postcode"],
            ["1-1", "A", "CV1 2GN"], ["1-2", "B", None]]
    path = write_ods(tmp_path / "wide.ods", {"Sheet1": rows})
    table = read_table(path, find_header=["Location ID"], columns=["location id", "POSTCODE"])
    assert list(table.frame.columns) == ["Location ID", "Postcode"] and table.header_line == 3
    assert table.frame["Postcode"].isna().tolist() == [False, True]
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text("Location ID,Name,Postcode\n1-1,A,CV1 2GN\n", encoding="utf-8")
    assert list(read_table(csv_path, columns=["Postcode"]).frame.columns) == ["Postcode"]
