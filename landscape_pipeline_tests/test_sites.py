"""The site register and the geography it leans on (LA codes, wards by vintage)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import geography
from landscape_pipeline.geography.vintage import known_at_vintage, parent_la_codes, ward_table
from landscape_pipeline.sites import YamlFileError, read_sites

GOOD = """\
sites:
  - id: coventry
    name: Coventry
    la_codes: [E08000026]
    start_date: 2025-04-01
  - id: tees
    name: Tees Valley
    la_codes: [E06000001, E06000002]
    start_date: 2025-06-01
"""


def _register(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_register_has_the_programme_sites_with_current_las() -> None:
    register = read_sites()
    names = {s.name for s in register.sites}
    assert {"Coventry", "Durham", "Manchester", "Tower Hamlets", "Dundee", "Fife", "Glasgow"} <= names
    for site in register.sites:
        assert all(geography.validate_partition_key(code) == code for code in site.la_codes)
    assert register.find("tower hamlets").la_codes == ["E09000030"]
    assert register.find("GLASGOW").freeze_label() == "glasgow-start-2025-09-01"


@pytest.mark.parametrize(("change", "line", "expected"), [
    (("E06000002", "E99999999"), 8, "sites[1].la_codes[1]: 'E99999999' is not a current or retired UK local"),
    (("2025-06-01", "June 2025"), 9, "sites[1].start_date: Input should be a valid date"),
    (("name: Tees Valley", "name: Coventry"), 7, "'Coventry' repeats site 1"),
    (("    la_codes: [E08000026]\n", ""), 2, "sites[0]: 'la_codes' is required here"),
])
def test_a_bad_register_names_its_line(tmp_path: Path, change: tuple[str, str], line: int, expected: str) -> None:
    with pytest.raises(YamlFileError) as caught:
        read_sites(_register(tmp_path, GOOD.replace(*change)))
    assert caught.value.line == line, str(caught.value)
    assert expected in str(caught.value)


def test_a_retired_code_in_the_register_names_its_successor(tmp_path: Path) -> None:
    with pytest.raises(YamlFileError, match=r"E07000004.*E06000060"):
        read_sites(_register(tmp_path, GOOD.replace("E06000002", "E07000004")))


def test_ward_table_wards_lie_in_current_las_and_have_a_vintage_span() -> None:
    wards = ward_table()
    assert wards["ward_code"].str.match(r"^E05\d{6}$").all() and wards["ward_code"].is_unique
    assert (wards["first_vintage"] <= wards["last_vintage"]).all()
    assert set(parent_la_codes(wards["ward_code"], "ward")) == set(wards["la_code"])
    assert all(geography.validate_partition_key(code) for code in wards["la_code"].unique())


def test_codes_known_at_a_vintage_follow_creation_and_abolition() -> None:
    codes = pd.Series(["E05000819", "E06000060", "E07000004", "E12000002", "E92000001"])
    assert known_at_vintage(codes, "ward", 2018).tolist() == [True, False, True, True, True]
    assert known_at_vintage(codes, "ward", 2023).tolist() == [False, True, False, True, True]
    assert known_at_vintage(codes, "la", 2018).tolist() == [False, False, True, True, True]
