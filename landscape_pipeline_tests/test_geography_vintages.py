"""Tests of tier- and date-aware resolution (geography.vintages) and of old-style ONS district codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import geography as geo
from landscape_pipeline.geography.old_codes import OLD_CODES_FILE

#: District codes of the ONS mid-2020 estimates on 2021 geography (a sample spanning the 2021-2023 changes).
GEOGRAPHY_2021 = ["E07000026", "E07000028", "E07000029", "E06000061", "E07000246", "S12000047", "E08000016",
                  "E08000026"]


def test_tiers_of_current_and_retired_codes() -> None:
    assert [geo.tier_of(c) for c in ("E10000006", "E07000026", "E06000063", "E08000026", "S12000015", "E92000001")] \
        == ["upper", "lower", "single", "single", "single", None]


def test_dates_in_use() -> None:
    assert geo.in_use("E07000026") == geo.Vintage(None, "2023-04-01")  # Allerdale, retired 2023
    assert geo.in_use("E06000063") == geo.Vintage("2023-04-01", None)  # Cumberland, created 2023
    assert geo.in_use("E07000246") == geo.Vintage("2019-04-01", "2023-04-01")  # Somerset West and Taunton
    assert geo.in_use("E08000026") == geo.Vintage(None, None)


def test_the_vintage_of_a_file_is_where_all_its_codes_coexist() -> None:
    vintage = geo.common_vintage(GEOGRAPHY_2021)
    assert vintage == geo.Vintage("2021-04-01", "2023-04-01") and vintage.contains("2021-04-01")
    assert geo.common_vintage(GEOGRAPHY_2021, declared=dt.date(2022, 4, 1)) == vintage
    with pytest.raises(geo.VintageError, match=r"E06000061 \(North Northamptonshire\) was in use only from "
                                               r"2021-04-01 to date"):
        geo.common_vintage(GEOGRAPHY_2021, declared=dt.date(2020, 4, 1))
    with pytest.raises(geo.VintageError) as caught:
        geo.common_vintage([*GEOGRAPHY_2021, "E06000066"])  # Somerset unitary (2023) beside its districts
    assert caught.value.code == "E06000066" and "mixes codes from different geographies" in str(caught.value)


def test_districts_go_to_their_current_authority_and_counties_are_not_districts() -> None:
    assert geo.current_district("E07000026") == "E06000063"
    assert geo.current_district("E07000190") == "E06000066"  # Taunton Deane -> SWT (2019) -> Somerset (2023)
    assert geo.current_district(" e08000026 ") == "E08000026"
    for county in ("E10000006", "E10000023", "E10000027"):  # Cumbria (split), North Yorkshire, Somerset
        with pytest.raises(geo.UnknownAreaCodeError, match="is a county"):
            geo.current_district(county)
    with pytest.raises(geo.UnknownAreaCodeError, match="is not a local authority code"):
        geo.current_district("E12000001")


def test_members_of_a_successor_on_an_older_geography() -> None:
    vintage = geo.common_vintage(GEOGRAPHY_2021)
    assert geo.members_on("E06000063", vintage) == ("E07000026", "E07000028", "E07000029")
    assert geo.members_on("E06000066", vintage) == ("E07000187", "E07000188", "E07000189", "E07000246")
    assert geo.members_on("E06000065", vintage) == tuple(f"E0700016{n}" for n in range(3, 10))
    assert geo.members_on("E08000026", vintage) == ("E08000026",)
    assert geo.members_on("E06000063", geo.Vintage("2023-04-01", None)) == ("E06000063",)
    older = geo.Vintage(None, "2019-04-01")  # before 2019: Taunton Deane and West Somerset still separate
    assert {"E07000190", "E07000191"} <= set(geo.members_on("E06000066", older))


# ---------------------------------------------------------------- old-style codes
@pytest.fixture(scope="module")
def old_codes() -> pd.DataFrame:
    return pd.read_csv(geo.geography_dir() / OLD_CODES_FILE, dtype=str, keep_default_na=False)


def test_old_codes_map_to_known_gss_codes_of_the_right_kind(old_codes: pd.DataFrame) -> None:
    assert old_codes["old_code"].is_unique and old_codes["old_code"].str.fullmatch(r"\d{2}[A-Z]{2}").all()
    known = set(geo.as_frame()["area_code"]) | set(geo.retired_codes()["retired_code"])
    assert set(old_codes["gss_code"]) <= known
    in_county = old_codes[~old_codes["old_code"].str.startswith("00")]
    abolished_2009 = in_county["basis"] != "openregister_snac_gss"
    # a district inside a county (NNUx) is a non-metropolitan district, unless its district was abolished in
    # 2009 and it now lies in the unitary that replaced the county
    assert in_county.loc[~abolished_2009, "gss_code"].str.startswith("E07").all()
    assert in_county.loc[abolished_2009, "gss_code"].str.startswith("E06").all()
    unitaries = old_codes[old_codes["old_code"].str.startswith("00")]
    assert unitaries["gss_code"].str[:3].isin(["E06", "E08", "E09", "W06", "S12"]).all()
    assert geo.resolve_area_code(geo.gss_of_old_code("00CQ")) == "E08000026"


def test_old_letters_follow_the_alphabetical_rule_the_derived_rows_rely_on(old_codes: pd.DataFrame) -> None:
    # within each county, old-style letters run in the alphabetical order of the districts' names (as named
    # when the codes were given: Bedford was North Bedfordshire until 1992, as its note says)
    districts = old_codes[~old_codes["old_code"].str.startswith("00")].copy()
    districts["named"] = districts["old_name"].where(districts["old_code"] != "09UD", "North Bedfordshire")
    assert "North Bedfordshire" in districts.set_index("old_code").loc["09UD", "note"]
    for _, county in districts.groupby(districts["old_code"].str[:2]):
        by_letter = county.sort_values("old_code")["named"].str.lower().tolist()
        assert by_letter == sorted(by_letter), county["old_code"].tolist()


def test_old_codes_names_agree_with_the_geography_tables(old_codes: pd.DataFrame) -> None:
    joined = old_codes[old_codes["basis"] == "openregister_snac_gss"]
    ours = joined["gss_code"].map(geo.area_name)
    renamed = {"Shepway": "Folkestone and Hythe", "Na h-Eileanan an Iar": "Na h-Eileanan Siar"}
    same = joined["old_name"].replace(renamed).str.replace(".", "", regex=False) == ours.str.replace(".", "",
                                                                                                   regex=False)
    assert same.all(), joined.loc[~same, ["old_code", "old_name"]].assign(ours=ours[~same]).to_string()


def test_every_old_code_in_the_real_artificial_hes_file_is_in_the_lookup(reference_data: Path,
                                                                        old_codes: pd.DataFrame) -> None:
    codes = pd.read_csv(reference_data / "hes" / "artificial_hes_apc_0102_truncated.csv", usecols=["RESLADST"],
                        dtype=str, keep_default_na=False)["RESLADST"]
    old_style = set(codes[codes.str.fullmatch(r"\d{2}[A-Z]{2}")])
    assert len(old_style) > 300 and old_style <= set(old_codes["old_code"])
