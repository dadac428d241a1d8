"""Tests of the project's geography data and of landscape_pipeline.geography."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import geography as geo
from landscape_pipeline.geography import local_authorities as la_module

REFERENCE_DIR = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "reference_data"
    / "geography"
)


def _reference(name: str) -> pd.DataFrame:
    path = REFERENCE_DIR / name
    if not path.is_file():
        pytest.skip(
            f"reference geography {path} is absent; cannot cross-check project data"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return geo.as_frame()


def _codes(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame[frame["area_code"].str.startswith(prefix)]


# ---------------------------------------------------------------- counts and structure
def test_counts_by_type(frame: pd.DataFrame) -> None:
    assert len(frame) == 382
    assert len(geo.current_local_authorities()) == 382
    counts = frame["area_code"].str[:3].value_counts().to_dict()
    assert counts == {
        "E06": 63,
        "E07": 164,
        "E08": 36,
        "E09": 33,
        "E10": 21,
        "S12": 32,
        "W06": 22,
        "N09": 11,
    }
    assert frame["area_code"].str.match(r"^E0[6-9]").sum() == 296
    assert frame["area_code"].is_unique


def test_partition_keys_are_sorted_current_codes(frame: pd.DataFrame) -> None:
    keys = geo.partition_keys()
    assert keys == sorted(frame["area_code"])
    assert [la.area_code for la in geo.current_local_authorities()] == keys


def test_types_and_tiers(frame: pd.DataFrame) -> None:
    expected = {
        "E06": ("unitary", "single"),
        "E07": ("non_metropolitan_district", "lower"),
        "E08": ("metropolitan_district", "single"),
        "E09": ("london_borough", "single"),
        "E10": ("county", "upper"),
        "S12": ("council_area", "single"),
        "W06": ("principal_area", "single"),
        "N09": ("ni_district", "single"),
    }
    for la in geo.current_local_authorities():
        assert (la.la_type, la.tier) == expected[la.area_code[:3]], la


def test_district_upper_tier_is_a_current_county(frame: pd.DataFrame) -> None:
    counties = set(_codes(frame, "E10")["area_code"])
    districts = _codes(frame, "E07")
    assert set(districts["upper_tier_code"]) <= counties
    assert set(districts["upper_tier_code"]) == counties  # every county has districts
    others = frame[~frame["area_code"].str.startswith("E07")]
    assert (others["upper_tier_code"] == others["area_code"]).all()
    assert (others["upper_tier_name"] == others["area_name"]).all()


def test_regions_and_nations(frame: pd.DataFrame) -> None:
    english = frame[frame["area_code"].str.startswith("E")]
    assert english["region_code"].notna().all()
    assert english["region_code"].str.match(r"^E1200000[1-9]$").all()
    assert frame[~frame["area_code"].str.startswith("E")]["region_code"].isna().all()
    nation_by_letter = {
        "E": geo.ENGLAND,
        "S": geo.SCOTLAND,
        "W": geo.WALES,
        "N": geo.NORTHERN_IRELAND,
    }
    assert (
        frame["area_code"].str[0].map(nation_by_letter) == frame["nation_code"]
    ).all()
    # A county's region agrees with its districts' region.
    for la in geo.current_local_authorities():
        if la.tier == "lower":
            assert geo.local_authority(la.upper_tier_code).region_code == la.region_code


def test_scottish_boards(frame: pd.DataFrame) -> None:
    boards = geo.areas().query("area_type == 'health_board'")
    assert len(boards) == 14
    council_areas = _codes(frame, "S12")
    assert council_areas["health_board_code"].isin(set(boards["area_code"])).all()
    assert (
        frame[~frame["area_code"].str.startswith("S12")]["health_board_code"]
        .isna()
        .all()
    )
    seen: list[str] = []
    for board in boards["area_code"]:
        members = geo.council_areas_in_board(board)
        assert members, f"board {board} has no council area"
        seen.extend(members)
        assert all(geo.board_of_council_area(ca) == board for ca in members)
    assert sorted(seen) == sorted(
        council_areas["area_code"]
    )  # each in exactly one board
    assert geo.board_of_council_area("S12000042") == "S08000030"
    assert geo.area_name(geo.board_of_council_area("S12000042")) == "Tayside"
    assert geo.local_authority("S12000042").health_board_name == "Tayside"
    assert geo.board_of_council_area("S12000049") == "S08000031"
    assert geo.board_of_council_area("S12000050") == "S08000032"
    assert geo.board_of_council_area("S12000047") == "S08000029"


def test_archived_board_codes_accepted() -> None:
    archived = {
        "S08000018": "S08000029",
        "S08000027": "S08000030",
        "S08000021": "S08000031",
        "S08000023": "S08000032",
    }
    for old, new in archived.items():
        assert geo.council_areas_in_board(old) == geo.council_areas_in_board(new)
        assert geo.resolve_area_code(old) == new
        assert geo.area_name(old) == geo.area_name(new)
        assert old in geo.known_area_codes()
    assert "S12000042" in geo.council_areas_in_board("S08000027")
    with pytest.raises(
        geo.UnknownAreaCodeError, match="not a Scottish NHS health board"
    ):
        geo.council_areas_in_board("S12000042")


def test_areas_table() -> None:
    areas = geo.areas()
    assert len(areas) == 28
    assert areas["area_type"].value_counts().to_dict() == {
        "health_board": 14,
        "region": 9,
        "nation": 4,
        "country_group": 1,
    }
    assert geo.area_name(geo.UNITED_KINGDOM) == "United Kingdom"
    for nation, name in [
        (geo.ENGLAND, "England"),
        (geo.SCOTLAND, "Scotland"),
        (geo.WALES, "Wales"),
        (geo.NORTHERN_IRELAND, "Northern Ireland"),
    ]:
        assert geo.area_name(nation) == name
        assert geo.nation_of(nation) == nation


def test_data_files_are_well_formed_csv() -> None:
    directory = geo.geography_dir()
    for name in ("local_authorities.csv", "retired_codes.csv", "areas.csv"):
        text = (directory / name).read_text(encoding="utf-8")
        rows = list(csv.reader(text.splitlines()))
        widths = {len(row) for row in rows}
        assert len(widths) == 1, f"{name} has ragged rows"
    assert geo.area_name("E06000023") == "Bristol, City of"
    assert geo.area_name("N09000002") == "Armagh City, Banbridge and Craigavon"


# ---------------------------------------------------------------- lookups
def test_lookups() -> None:
    assert geo.local_authority(" e08000026 ").area_name == "Coventry"
    assert geo.region_of("E08000026") == "E12000005"
    assert geo.region_of("E06000047") == "E12000001"
    assert geo.region_of("S12000042") is None
    assert geo.region_of("E12000007") == "E12000007"
    assert geo.region_of(geo.ENGLAND) is None
    assert geo.nation_of("W06000015") == geo.WALES
    assert geo.national_comparator("N09000003") == geo.NORTHERN_IRELAND
    assert geo.national_comparator("E12000007") == geo.ENGLAND
    assert geo.national_comparator("S08000030") == geo.SCOTLAND
    assert geo.national_comparator("S08000027") == geo.SCOTLAND
    assert geo.national_comparator("E07000026") == geo.ENGLAND  # retired, via successor
    with pytest.raises(geo.UnknownAreaCodeError, match="several nations"):
        geo.nation_of(geo.UNITED_KINGDOM)
    assert geo.upper_tier_of("E07000240") == "E10000015"
    assert geo.upper_tier_of("E06000001") == "E06000001"
    assert geo.upper_tier_of("E10000015") == "E10000015"
    assert geo.lower_tier_codes("E07000240") == ("E07000240",)
    assert geo.lower_tier_codes("S12000042") == ("S12000042",)
    herts = geo.lower_tier_codes("E10000015")
    assert len(herts) == 10
    assert "E07000242" in herts
    assert all(c.startswith("E07") for c in herts)
    total = sum(
        len(geo.lower_tier_codes(c))
        for c in geo.partition_keys()
        if c.startswith("E10")
    )
    assert total == 164


def test_local_authority_dataclass() -> None:
    dundee = geo.local_authority("S12000042")
    assert isinstance(dundee, geo.LocalAuthority)
    assert dundee.region_code is None
    assert dundee.region_name is None
    with pytest.raises(AttributeError):
        dundee.area_name = "x"  # type: ignore[misc]


def test_area_names_for_every_kind() -> None:
    assert geo.area_name("E07000026") == "Allerdale"
    assert geo.area_name("E10000006") == "Cumbria"
    assert geo.area_name("E12000003") == "Yorkshire and The Humber"
    assert geo.area_name("S08000031") == "Greater Glasgow and Clyde"
    with pytest.raises(geo.UnknownAreaCodeError):
        geo.area_name("E99999999")


def test_classify_area_codes() -> None:
    codes = pd.Series(
        [
            "E06000001",
            "E07000026",
            " e12000001",
            None,
            "S08000018",
            "K02000001",
            "E92000001",
            "junk",
            "E10000015",
        ],
        index=range(10, 19),
        name="area_code",
    )
    result = geo.classify_area_codes(codes)
    assert result.index.equals(codes.index)
    assert result.tolist() == [
        "current_la",
        "retired_la",
        "region",
        "unknown",
        "health_board",
        "nation",
        "nation",
        "unknown",
        "current_la",
    ]
    assert set(result) <= set(geo.AREA_CLASSES)
    big = pd.Series(geo.partition_keys() * 2700)  # ~1e6 rows
    assert (geo.classify_area_codes(big) == "current_la").all()
    assert geo.classify_area_codes(pd.Series([], dtype=str)).empty


def test_known_area_codes() -> None:
    known = geo.known_area_codes()
    assert len(known) == 382 + 28 + 4
    assert "E07000026" not in known  # retired codes are not known current areas
    assert {
        geo.UNITED_KINGDOM,
        geo.ENGLAND,
        "E12000009",
        "S08000015",
        "S08000023",
    } <= known


# ---------------------------------------------------------------- errors
def test_retired_key_refused_naming_successor_and_date() -> None:
    with pytest.raises(geo.RetiredAreaCodeError) as caught:
        geo.validate_partition_key("E07000026")
    message = str(caught.value)
    assert message == (
        "E07000026 (Allerdale) was retired on 2023-04-01;"
        " use its successor E06000063 (Cumberland)."
    )
    assert caught.value.successors == ("E06000063",)
    assert caught.value.effective_date == "2023-04-01"
    assert isinstance(caught.value, geo.AreaCodeError)
    assert isinstance(caught.value, ValueError)

    with pytest.raises(
        geo.RetiredAreaCodeError, match=r"S12000049 \(Glasgow City\)"
    ) as glasgow:
        geo.local_authority("s12000046")
    assert "2019-04-01" in str(glasgow.value)

    with pytest.raises(geo.RetiredAreaCodeError) as chained:
        geo.local_authority("E07000190")
    assert "E06000066 (Somerset)" in str(chained.value)
    assert "E07000246" in str(chained.value)


def test_unknown_and_blank_keys_refused() -> None:
    with pytest.raises(
        geo.UnknownAreaCodeError, match="not a current or retired UK local authority"
    ):
        geo.validate_partition_key("E06999999")
    for blank in ("", "   ", None):
        with pytest.raises(geo.UnknownAreaCodeError, match="area code is required"):
            geo.validate_partition_key(blank)  # type: ignore[arg-type]
    with pytest.raises(
        geo.UnknownAreaCodeError, match="is a region, not a local authority"
    ):
        geo.validate_partition_key("E12000001")
    with pytest.raises(
        geo.UnknownAreaCodeError, match="is a nation, not a local authority"
    ):
        geo.local_authority(geo.SCOTLAND)
    assert geo.validate_partition_key(" e06000001\n") == "E06000001"


def test_resolve_and_successors() -> None:
    assert geo.resolve_area_code("E06000001") == "E06000001"
    assert geo.resolve_area_code("E12000001") == "E12000001"
    assert geo.resolve_area_code(geo.UNITED_KINGDOM) == geo.UNITED_KINGDOM
    assert geo.resolve_area_code("E07000026") == "E06000063"
    assert geo.resolve_area_code("E07000097") == "E07000242"
    assert geo.resolve_area_code("E07000190") == "E06000066"  # chain through E07000246
    assert geo.resolve_area_code("E10000002") == "E06000060"
    assert geo.successor_of("E07000190") == ("E06000066",)
    assert geo.successor_of("E06000001") == ()
    assert geo.successor_of("nonsense") == ()
    with pytest.raises(geo.UnknownAreaCodeError):
        geo.resolve_area_code("E06999999")


def test_splits() -> None:
    for county, successors in {
        "E10000021": ("E06000062", "E06000061"),
        "E10000006": ("E06000063", "E06000064"),
        "E10000009": ("E06000059", "E06000058"),
    }.items():
        assert geo.successor_of(county) == successors
        with pytest.raises(geo.SplitAreaCodeError, match="split between") as caught:
            geo.resolve_area_code(county)
        assert isinstance(caught.value, geo.RetiredAreaCodeError)
        for code in successors:
            assert code in str(caught.value)
        assert geo.resolve_area_code(county, allow_split=True) == successors[0]
        with pytest.raises(geo.SplitAreaCodeError):
            geo.validate_partition_key(county)


def test_retired_table() -> None:
    table = geo.retired_codes()
    assert table["retired_code"].is_unique
    assert set(table["change"]) <= {"merge", "recode", "split", "abolished_county"}
    assert pd.to_datetime(table["effective_date"], format="%Y-%m-%d").notna().all()
    assert not set(table["retired_code"]) & set(geo.partition_keys())
    current = set(geo.partition_keys())
    for row in table.itertuples():
        successors = row.successor_codes.split(";")
        assert len(successors) == len(row.successor_names.split(";"))
        assert all(s in current or s in set(table["retired_code"]) for s in successors)
        assert set(geo.successor_of(row.retired_code)) <= current
    counties = table[table["change"] == "abolished_county"]
    assert set(counties["retired_code"]) == {
        "E10000009",
        "E10000002",
        "E10000021",
        "E10000006",
        "E10000023",
        "E10000027",
    }
    dates = dict(zip(table["retired_code"], table["effective_date"], strict=True))
    assert dates["S12000015"] == dates["S12000024"] == "2018-02-01"
    assert dates["S12000046"] == dates["S12000044"] == "2019-04-01"
    assert dates["E10000002"] == dates["E07000004"] == "2020-04-01"
    assert dates["E10000021"] == "2021-04-01"
    assert dates["E06000028"] == "2019-04-01"


def test_data_location_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = (
        Path(la_module.__file__).resolve().parents[2] / "data_sources" / "geography"
    )
    monkeypatch.setenv("LANDSCAPE_DATA_SOURCES", str(tmp_path))
    assert geo.geography_dir() == bundled  # no geography folder there: bundled tables
    (tmp_path / "geography").mkdir()
    assert geo.geography_dir() == tmp_path / "geography"
    monkeypatch.delenv("LANDSCAPE_DATA_SOURCES")
    assert geo.geography_dir() == bundled


# ---------------------------------------------------------------- against the reference
def test_current_codes_and_names_match_reference(frame: pd.DataFrame) -> None:
    ref = _reference("la_all_codes.csv")
    current = ref[ref["Current"] == "TRUE"]
    ours = dict(zip(frame["area_code"], frame["area_name"], strict=True))
    mismatched = {
        c: (n, ours.get(c))
        for c, n in zip(current["LADCD"], current["LADNM"], strict=True)
        if ours.get(c) != n
    }
    assert not mismatched
    lower_or_single = set(frame[frame["tier"] != "upper"]["area_code"])
    assert lower_or_single == set(current["LADCD"])
    upper = dict(zip(frame["area_code"], frame["upper_tier_code"], strict=True))
    region = dict(zip(frame["area_code"], frame["region_code"].fillna(""), strict=True))
    nation = dict(zip(frame["area_code"], frame["nation_code"], strict=True))
    for row in current.itertuples():
        assert upper[row.LADCD] == row.UTLACD, row.LADCD
        assert region[row.LADCD] == row.RGNCD, row.LADCD
        assert nation[row.LADCD] == row.CTRYCD, row.LADCD


def test_retired_codes_match_reference() -> None:
    ref = _reference("la_all_codes.csv")
    retired = ref[ref["Current"] == "FALSE"]
    table = geo.retired_codes().set_index("retired_code")
    for row in retired.itertuples():
        assert row.LADCD in table.index, row.LADCD
        assert table.loc[row.LADCD, "retired_name"] == row.LADNM
        assert geo.successor_of(row.LADCD) == (row.LADCD_ACTIVE,), row.LADCD
        assert geo.resolve_area_code(row.LADCD) == row.LADCD_ACTIVE
        with pytest.raises(geo.RetiredAreaCodeError, match=row.LADCD_ACTIVE):
            geo.validate_partition_key(row.LADCD)


def test_counties_match_reference(frame: pd.DataFrame) -> None:
    ref = _reference("utla_all_codes.csv")
    ref_counties = ref[ref["UTLACD"].str.startswith("E10")]
    ours = _codes(frame, "E10")
    assert dict(zip(ours["area_code"], ours["area_name"], strict=True)) == dict(
        zip(ref_counties["UTLACD"], ref_counties["UTLANM"], strict=True)
    )
    ref_regions = dict(zip(ref_counties["UTLACD"], ref_counties["RGNCD"], strict=True))
    assert dict(zip(ours["area_code"], ours["region_code"], strict=True)) == ref_regions
    # Every upper tier in the reference is one of ours.
    assert set(ref["UTLACD"]) == set(frame["upper_tier_code"])


def test_regions_and_nations_match_reference() -> None:
    regions = _reference("rgn_all_codes.csv")
    ours = geo.areas().query("area_type == 'region'")
    assert dict(zip(ours["area_code"], ours["area_name"], strict=True)) == dict(
        zip(regions["RGNCD"], regions["RGNNM"], strict=True)
    )
    frame = geo.as_frame()
    english = frame[frame["region_code"].notna()]
    names = dict(zip(regions["RGNCD"], regions["RGNNM"], strict=True))
    assert (english["region_name"] == english["region_code"].map(names)).all()
    countries = _reference("ctry_all_codes.csv")
    for row in countries.itertuples():
        assert geo.area_name(row.CTRYCD) == row.CTRYNM
        assert geo.area_name(row.UKCD) == row.UKNM
