"""Scottish geography below council areas: HSCPs and their recodes, data-zone and intermediate-zone vintages."""

from __future__ import annotations

import pandas as pd
import pytest

from landscape_pipeline import geography
from landscape_pipeline.geography import scotland


def test_thirty_one_partnerships_cover_every_council_area_once() -> None:
    items = scotland.partnerships()
    assert len(items) == 31
    covered = [ca for p in items for ca in p.council_areas]
    councils = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.SCOTLAND}
    assert sorted(covered) == sorted(councils)
    assert scotland.partnership("S37000005").council_areas == ("S12000005", "S12000030")  # Clackmannanshire & Stirling
    for item in items:  # every partnership lies in the board of its council areas
        assert {geography.board_of_council_area(ca) for ca in item.council_areas} == {item.health_board_code}


@pytest.mark.parametrize(("old", "new"), [("S37000014", "S37000032"), ("S37000023", "S37000033"),
                                          ("S37000015", "S37000034"), ("S37000021", "S37000035")])
def test_2016_hscp_codes_resolve_to_their_2019_successors(old: str, new: str) -> None:
    assert scotland.resolve_hscp_code(old) == new and scotland.resolve_hscp_code(new) == new
    assert old in scotland.hscp_codes()


def test_unknown_codes_are_refused_in_a_sentence() -> None:
    with pytest.raises(geography.UnknownAreaCodeError, match="partnership code"):
        scotland.resolve_hscp_code("S37999999")
    with pytest.raises(geography.UnknownAreaCodeError, match="not a current Scottish council area"):
        scotland.hscp_of_council_area("E08000026")
    assert scotland.hscp_of_council_area("S12000042") == "S37000007"


@pytest.mark.parametrize(("code", "vintage"), [
    ("S01000001", "2001"), ("S01006505", "2001"), ("S01006506", "2011"), ("S01013481", "2011"),
    ("S01013482", "2022"), ("s01008678 ", "2011"), ("S02001261", None), ("E01000001", None), ("S0100650", None),
])
def test_data_zone_vintages_come_from_the_code_number(code: str, vintage: str | None) -> None:
    assert scotland.data_zone_vintage(code) == vintage


def test_intermediate_zones_and_vectorised_vintages() -> None:
    assert scotland.intermediate_zone_vintage("S02001261") == "2011"
    assert scotland.intermediate_zone_vintage("S02000001") == "2001"
    assert scotland.intermediate_zone_vintage("S01006506") is None
    codes = pd.Series(["S01006506", None, "S01000002", "S01006506"])
    assert scotland.data_zone_vintages(codes).tolist()[::2] == ["2011", "2001"]
    assert scotland.DATA_ZONES_2011 == 13481 - 6506 + 1
