"""Read SIMD 2020v2 data-zone files: PHS's 16-column open-data file and the Scottish Government's ranks file.

* PHS open data (``simd2020v2_22062020.csv``): DataZone, IntZone, HB, HSCP, CA, SIMD2020V2Rank, country,
  board, HSCP and council-area deciles and quintiles, SIMD2020V2Most15pc / Least15pc. Codes, no
  populations, no domains.
* Scottish Government ranks (``SIMD 2020v2 ranks`` workbook or the ``simd2020_withinds.csv`` indicator
  file): Data_Zone, Intermediate_Zone, Council_area (a name), Total_population, Working_Age_population,
  SIMD2020v2_Rank, deciles and the seven domain ranks (ties shown as x.5). Populations and domains.

Both are on 2011 data zones (6,976). Rules: every data zone code must be a 2011 one (a 2001 or 2022
code is refused, so no population is ever joined across vintages); codes are unique; ranks lie in
1-6,976 and overall ranks are not repeated; deciles and quintiles agree with the rank (decile =
ceil(rank x 10 / 6,976)); Most15pc agrees with the rank; HB and HSCP agree with the council area.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, tabular
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography import scotland

N_ZONES = scotland.DATA_ZONES_2011
DOMAINS = ("income", "employment", "health", "education", "access", "crime", "housing")

PHS_COLUMNS: dict[str, tuple[str, ...]] = {
    "data_zone": ("DataZone", "DZ2011"), "intermediate_zone": ("IntZone", "IZ2011"),
    "health_board": ("HB", "HB2019", "HB2014"), "hscp": ("HSCP", "HSCP2019", "HSCP2016"),
    "council_area": ("CA", "CA2019", "CA2011"), "rank": ("SIMD2020V2Rank",),
    "decile": ("SIMD2020V2CountryDecile",), "quintile": ("SIMD2020V2CountryQuintile",),
    "most15": ("SIMD2020V2Most15pc",), "least15": ("SIMD2020V2Least15pc",),
}
GOV_COLUMNS: dict[str, tuple[str, ...]] = {
    "data_zone": ("Data_Zone", "DataZone", "DZ"), "council_area_name": ("Council_area", "Council area"),
    "population": ("Total_population", "Total population"), "rank": ("SIMD2020v2_Rank", "SIMD2020V2Rank"),
    "decile": ("SIMD2020v2_Decile",), "quintile": ("SIMD2020v2_Quintile",),
    **{d: (f"SIMD2020v2_{d}_Domain_Rank", f"SIMD2020_{d}_Domain_Rank") for d in DOMAINS},
}
#: Council-area names the Scottish Government writes that differ from the project's names.
CA_NAME_SYNONYMS: dict[str, tuple[str, ...]] = {
    "S12000013": ("Na h-Eileanan an Iar", "Eilean Siar", "Western Isles", "Comhairle nan Eilean Siar"),
    "S12000035": ("Argyll & Bute",), "S12000006": ("Dumfries & Galloway",), "S12000048": ("Perth & Kinross",),
    "S12000036": ("Edinburgh", "Edinburgh, City of", "Edinburgh City"),
}


@dataclass
class ZoneTable:
    """One file's data zones: code (index), council area, and whatever ranks/populations it has."""

    path: Path
    kind: str  # "phs" or "govscot"
    zones: pd.DataFrame
    table: tabular.RawTable


def kind_of(table: tabular.RawTable) -> str:
    """Return "phs" or "govscot" from the header; refuse other SIMD versions and other files."""
    header = {tabular.normalise(c) for c in table.frame.columns}
    if "simd2020v2rank" in header:
        return "phs" if {"datazone", "ca"} <= header or "ca2011" in header else "govscot"
    older = sorted(c for c in table.frame.columns if "simd" in tabular.normalise(c) and "rank" in c.lower())
    if older:
        raise table.error(f"has SIMD ranks ({older[0]!r}) but not SIMD 2020v2's; this source reads SIMD 2020v2 "
                          "only (earlier versions rank the same data zones differently).")
    raise table.error("is not a SIMD 2020v2 data-zone file: expected a 'SIMD2020V2Rank' (PHS open data) or "
                      "'SIMD2020v2_Rank' (Scottish Government) column.")


def read_zone_file(path: Path | str) -> ZoneTable:
    """Return the data zones of one SIMD 2020v2 file, validated by the rules in the module docstring."""
    excel = Path(path).suffix.lower() in tabular.EXCEL_SUFFIXES
    table = tabular.read_table(path, find_header=("Data_Zone",) if excel else ())
    tabular.require_rows(table, "data zones")
    kind = kind_of(table)
    variants = PHS_COLUMNS if kind == "phs" else GOV_COLUMNS
    optional = {"intermediate_zone", "decile", "quintile", "most15", "least15"} if kind == "phs" else \
        {"decile", "quintile", *DOMAINS}
    cols = tabular.find_columns(table, variants, optional=optional, what=f"SIMD 2020v2 {_TITLE[kind]} file")
    frame = table.frame
    codes = _data_zones(table, cols["data_zone"])
    zones = pd.DataFrame({"data_zone": codes}, index=frame.index)
    zones["rank"] = _ranks(table, cols["rank"], unique=True)
    for name in DOMAINS:
        if name in cols:
            zones[name] = _ranks(table, cols[name], unique=False)
    _check_bands(table, cols, zones["rank"])
    if kind == "phs":
        zones["council_area"] = _phs_geography(table, cols)
    else:
        zones["council_area"] = _council_areas_by_name(table, cols["council_area_name"])
        population, _ = tabular.numbers(table, cols["population"], required=True)
        table.fail_first((population % 1 != 0).to_numpy(), cols["population"], "population {value!r} is not a "
                                                                               "whole number of people.")
        zones["population"] = population
    return ZoneTable(table.path, kind, zones, table)


_TITLE = {"phs": "PHS open-data", "govscot": "Scottish Government ranks"}


def _data_zones(table: tabular.RawTable, column: str) -> pd.Series:
    codes = table.frame[column].str.upper()
    table.fail_first(codes.isna().to_numpy(), column, "the data zone code is empty.")
    vintages = scotland.data_zone_vintages(codes)
    for vintage, hint in (("2001", "a 2001 data zone"), ("2022", "a 2022 data zone")):
        table.fail_first(vintages.eq(vintage).to_numpy(), column,
                         "{value!r} is " + hint + "; SIMD 2020v2 is published on 2011 data zones, and mixing "
                         "vintages would join populations to the wrong areas.")
    table.fail_first(vintages.isna().to_numpy(), column, "{value!r} is not a Scottish 2011 data zone code "
                                                         "(S01006506-S01013481).")
    table.fail_first(codes.duplicated().to_numpy(), column, "data zone {value!r} appears twice.")
    return codes


def _ranks(table: tabular.RawTable, column: str, *, unique: bool) -> pd.Series:
    ranks, _ = tabular.numbers(table, column, required=True)
    table.fail_first(((ranks < 1) | (ranks > N_ZONES)).to_numpy(), column,
                     f"rank {{value!r}} is outside 1-{N_ZONES:,} (the number of 2011 data zones).")
    if unique:
        table.fail_first((ranks % 1 != 0).to_numpy(), column, "overall rank {value!r} is not a whole number.")
        table.fail_first(ranks.duplicated().to_numpy(), column, "overall rank {value!r} is given to two data zones.")
    return ranks


def _check_bands(table: tabular.RawTable, cols: dict[str, str], rank: pd.Series) -> None:
    """Refuse deciles, quintiles or Most15pc flags that disagree with the overall rank."""
    for name, parts in (("decile", 10), ("quintile", 5)):
        if name in cols:
            band, _ = tabular.numbers(table, cols[name], required=True)
            expected = np.ceil(rank * parts / N_ZONES)
            table.fail_first(band.ne(expected).to_numpy(), cols[name],
                             f"{name} {{value!r}} does not match the data zone's rank (expected ceil(rank x {parts} "
                             f"/ {N_ZONES:,})); the columns are misaligned or the file was edited.")
    if "most15" in cols:
        flag, _ = tabular.numbers(table, cols["most15"], required=True)
        expected = (rank <= 0.15 * N_ZONES).astype(float)
        table.fail_first(flag.ne(expected).to_numpy(), cols["most15"],
                         "Most15pc {value!r} does not match the data zone's rank (most deprived 15% = rank <= 1,046).")


def _phs_geography(table: tabular.RawTable, cols: dict[str, str]) -> pd.Series:
    """Return each zone's council area (current code); refuse HB/HSCP codes that contradict it."""
    frame = table.frame
    ca = frame[cols["council_area"]].str.upper()
    known = {la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.SCOTLAND}
    current = ca.map({c: _current_council_area(c, known) for c in ca.dropna().unique()})
    table.fail_first(current.isna().to_numpy(), cols["council_area"], "{value!r} is not a Scottish council area code.")
    boards = current.map({c: geography.board_of_council_area(c) for c in current.dropna().unique()})
    hb = _resolved(frame[cols["health_board"]], geography.resolve_area_code)
    table.fail_first(hb.ne(boards).to_numpy(), cols["health_board"],
                     "health board {value!r} does not contain the row's council area; the columns are misaligned.")
    hscp = _resolved(frame[cols["hscp"]], scotland.resolve_hscp_code)
    expected = current.map({c: scotland.hscp_of_council_area(c) for c in current.dropna().unique()})
    table.fail_first(hscp.ne(expected).to_numpy(), cols["hscp"],
                     "HSCP {value!r} does not contain the row's council area; the columns are misaligned.")
    return current


def _resolved(codes: pd.Series, resolve) -> pd.Series:
    upper = codes.str.upper()
    return upper.map({c: _safe(resolve, c) for c in upper.dropna().unique()})


def _current_council_area(code: object, known: set[str]) -> str | None:
    if not isinstance(code, str):
        return None
    resolved = _safe(geography.resolve_area_code, code)
    return resolved if resolved in known else None


def _safe(resolve, code: object) -> str | None:
    try:
        return resolve(code) if isinstance(code, str) else None
    except geography.AreaCodeError:
        return None


def _council_areas_by_name(table: tabular.RawTable, column: str) -> pd.Series:
    lookup = {}
    for la in geography.current_local_authorities():
        if la.nation_code == geography.SCOTLAND:
            for name in (la.area_name, *CA_NAME_SYNONYMS.get(la.area_code, ())):
                lookup[tabular.normalise(name)] = la.area_code
    names = table.frame[column]
    codes = names.map({n: lookup.get(tabular.normalise(n)) for n in names.dropna().unique()})
    table.fail_first(codes.isna().to_numpy(), column, "{value!r} is not a Scottish council area name this source "
                                                      "knows (add a synonym in simd/reader.py if it is one).")
    return codes


def join(files: list[ZoneTable]) -> tuple[pd.DataFrame, list[ZoneTable]]:
    """Return one row per data zone from up to one file of each kind, cross-checked; and the files used.

    When both kinds are given they must list the same data zones with the same overall rank and
    council area, so a SIMD 2020 (v1) file or another vintage cannot be mixed in unnoticed.
    """
    by_kind: dict[str, ZoneTable] = {}
    for item in files:
        if item.kind in by_kind:
            raise SourceDataError(item.path, f"is a second {_TITLE[item.kind]} file (the first is "
                                             f"{by_kind[item.kind].path.name}); give one of each at most.")
        by_kind[item.kind] = item
    used = list(by_kind.values())
    if len(used) == 1:
        return used[0].zones.set_index("data_zone"), used
    phs, gov = by_kind["phs"], by_kind["govscot"]
    left, right = phs.zones.set_index("data_zone"), gov.zones.set_index("data_zone")
    for a, b in ((phs, right), (gov, left)):
        extra = ~a.zones["data_zone"].isin(b.index)
        a.table.fail_first(extra.to_numpy(), _dz_column(a),
                           "data zone {value!r} is missing from the other SIMD file; both must cover the same "
                           "2011 data zones.")
    rank_gov = right["rank"].reindex(left.index)
    mismatch = left["rank"].ne(rank_gov).reindex(phs.zones["data_zone"]).to_numpy()
    phs.table.fail_first(mismatch, _dz_column(phs), "data zone {value!r} has a different overall rank in the "
                                                    "Scottish Government file: the two files are not the same "
                                                    "SIMD version (2020 vs 2020v2?).")
    ca_gov = right["council_area"].reindex(left.index)
    mismatch = left["council_area"].ne(ca_gov).reindex(phs.zones["data_zone"]).to_numpy()
    phs.table.fail_first(mismatch, _dz_column(phs), "data zone {value!r} lies in a different council area in the "
                                                    "Scottish Government file.")
    merged = left[["rank", "council_area"]].join(right.drop(columns=["rank", "council_area"]))
    return merged, used


def _dz_column(item: ZoneTable) -> str:
    variants = PHS_COLUMNS if item.kind == "phs" else GOV_COLUMNS
    return tabular.find_columns(item.table, {"data_zone": variants["data_zone"]})["data_zone"]
