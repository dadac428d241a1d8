"""The one LSOA -> LA lookup reader: both LSOA vintages, the bundled real ONS files, mapped extracts' code vintages."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.lsoa import (
    LSOA11_FILE,
    LSOA21_FILE,
    bundled_lookups,
    la_of_lsoas,
    lsoa_codes_at,
    read_lsoa_lookup,
)
from landscape_pipeline.geography.vintage import known_at_vintage, parent_la_codes

TOWER_HAMLETS, CITY = "E09000030", "E09000001"
#: Real codes: Tower Hamlets 002A (2011) was replaced in 2021 by, among others, Tower Hamlets 002E.
OLD_ONLY, NEW_ONLY, BOTH = "E01004197", "E01035660", "E01000001"


def test_bundled_lookups_are_the_real_ons_files_of_both_vintages():
    by_vintage = {lk.vintage: lk for lk in bundled_lookups()}
    assert sorted(by_vintage) == [2011, 2021]
    assert (by_vintage[2011].path.name, by_vintage[2011].la_year, len(by_vintage[2011].rows)) == (LSOA11_FILE, 2020,
                                                                                                  32_844)
    new = by_vintage[2021]
    assert (new.path.name, new.la_year) == (LSOA21_FILE, 2022)
    raw = pd.read_csv(new.path, dtype=str, encoding="utf-8-sig")
    assert len(raw) == 34_753 and len(new.rows) == raw["LSOA21CD"].nunique() == 34_628  # one row per 2021 LSOA
    assert new.rows["lsoa_code"].is_unique and set(new.rows["la_code"].str[:3]) == {"E06", "E07", "E08", "E09", "W06"}
    manifest = json.loads((geography.geography_dir() / "provenance.json").read_text())["files"]
    for lookup in by_vintage.values():
        entry = manifest[lookup.path.name]
        assert entry["synthetic"] is False and entry["licence"].startswith("Open Government Licence")
        assert hashlib.sha256(lookup.path.read_bytes()).hexdigest() == entry["sha256"]
        assert hashlib.sha256(gzip.decompress(lookup.path.read_bytes())).hexdigest() == entry["sha256_uncompressed"]


def test_codes_of_either_vintage_find_their_current_la():
    codes = pd.Series([OLD_ONLY, NEW_ONLY, BOTH, "W01000003", "E01099999"])  # Isle of Anglesey 001A
    assert la_of_lsoas(codes).tolist()[:4] == [TOWER_HAMLETS, TOWER_HAMLETS, CITY, "W06000001"]
    assert pd.isna(la_of_lsoas(codes).iloc[4])
    parents = parent_la_codes(pd.Series([NEW_ONLY, "e08000026", "E01099999"]), "lsoa")
    assert parents.tolist()[:2] == [TOWER_HAMLETS, "E08000026"] and pd.isna(parents.iloc[2])


def test_mapped_extracts_accept_the_lsoa_codes_of_their_declared_vintage():
    codes = pd.Series([OLD_ONLY, NEW_ONLY, BOTH, "E01099999", "E08000026"])
    assert known_at_vintage(codes, "lsoa", 2015).tolist() == [True, False, True, False, True]
    assert known_at_vintage(codes, "lsoa", 2022).tolist() == [False, True, True, False, True]
    assert known_at_vintage(codes, "lsoa", 2005).tolist() == [False, False, False, False, True]  # before LSOA 2011
    assert NEW_ONLY in lsoa_codes_at(2021) and OLD_ONLY in lsoa_codes_at(2020)


def lookup_file(tmp_path: Path, text: str, name: str = "lookup.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_cross_vintage_lookup_is_read_by_its_2021_codes_and_must_agree_on_districts(tmp_path):
    header = "LSOA11CD,LSOA21CD,LAD22CD\n"
    merged = f"{OLD_ONLY},{NEW_ONLY},{TOWER_HAMLETS}\nE01004198,{NEW_ONLY},{TOWER_HAMLETS}\n{BOTH},{BOTH},{CITY}\n"
    lookup = read_lsoa_lookup(lookup_file(tmp_path, header + merged))
    assert lookup.vintage == 2021 and lookup.rows[["lsoa_code", "la_code", "source_row"]].values.tolist() == [
        [NEW_ONLY, TOWER_HAMLETS, 1], [BOTH, CITY, 3]]
    clash = merged.replace(f"E01004198,{NEW_ONLY},{TOWER_HAMLETS}", f"E01004198,{NEW_ONLY},{CITY}")
    with pytest.raises(SourceDataError, match=f"LSOA {NEW_ONLY} is given two districts") as caught:
        read_lsoa_lookup(lookup_file(tmp_path, header + clash, "clash.csv"))
    assert (caught.value.row, caught.value.column) == (2, "LSOA21CD")
    with pytest.raises(SourceDataError, match=f"LSOA {NEW_ONLY} appears twice") as caught:
        read_lsoa_lookup(lookup_file(tmp_path, f"LSOA21CD,LAD22CD\n{NEW_ONLY},{TOWER_HAMLETS}\n"
                                               f"{NEW_ONLY},{TOWER_HAMLETS}\n", "single.csv"))
    assert (caught.value.row, caught.value.column) == (2, "LSOA21CD")


def test_a_rewritten_lookup_is_read_again(tmp_path):
    path = lookup_file(tmp_path, f"LSOA21CD,LAD22CD\n{NEW_ONLY},{TOWER_HAMLETS}\n")
    assert read_lsoa_lookup(path).rows["la_code"].tolist() == [TOWER_HAMLETS]
    path.write_text(f"LSOA21CD,LAD22CD\n{NEW_ONLY},{CITY}\n{BOTH},{CITY}\n")
    assert read_lsoa_lookup(path).rows["la_code"].tolist() == [CITY, CITY]
