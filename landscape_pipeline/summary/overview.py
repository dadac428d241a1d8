"""Overviews ("tartan rugs"): indicators down, areas across, each cell coloured by the area's comparison with its
nation, built from the rows the pages already hold (nothing is computed twice).

Groups: each English region, each Scottish NHS board, Wales and Northern Ireland, the programme
sites of the site register (all their LAs in one view), and a county with its districts. An English
and a Scottish indicator that measure the same thing share a row; all others keep their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from landscape_pipeline import geography
from landscape_pipeline.summary.formatting import slug
from landscape_pipeline.summary.model import IndicatorRow, Rug, RugArea, RugCell, RugRow
from landscape_pipeline.summary.prepare import theme_order
from landscape_pipeline.summary.related import equivalent_of

SORT_KEYS = {"worse": 0, "worst": 0, "lower": 2, "higher": 2, "similar": 3, "better": 4, "best": 4, "none": 5}
_SHORT_TYPES = {"county": "county", "non_metropolitan_district": "district", "metropolitan_district": "met. borough",
                "london_borough": "London borough", "unitary": "unitary", "council_area": "council area",
                "principal_area": "principal area", "ni_district": "district"}


@dataclass(frozen=True)
class OverviewGroup:
    """One overview page to write: its title, file name and areas."""

    title: str
    file_name: str
    codes: tuple[str, ...]
    kind: str


def _row_key(row: IndicatorRow) -> str:
    found = equivalent_of(row.indicator_id)
    indicator = found[0].english if found and found[0].same else row.indicator_id
    return f"{indicator}|{row.breakdown}"


def build_rug(title: str, codes: Sequence[str], rows_by_area: Mapping[str, Sequence[IndicatorRow]]) -> Rug:
    """Return the rug of ``codes`` (columns) by every compared indicator on their pages (rows)."""
    index = {code: i for i, code in enumerate(codes)}
    cells: dict[str, list[RugCell | None]] = {}
    first: dict[str, IndicatorRow] = {}
    benchmarks: dict[str, dict[str, str]] = {}
    for code in codes:
        name = geography.area_name(code)
        nation = geography.area_name(geography.national_comparator(code))
        for row in rows_by_area.get(code, ()):
            if row.hidden_reason or row.value is None:
                continue
            key = _row_key(row)
            first.setdefault(key, row)
            line = cells.setdefault(key, [None] * len(codes))
            css = row.comparison_class
            line[index[code]] = RugCell(row.value_text, row.comparison, css, SORT_KEYS.get(css, 5),
                                        f"{name}: {row.value_text} ({row.period}), {row.comparison.lower()} "
                                        f"compared with {nation}")
            if row.comparator_text and row.comparator_text != "–":
                benchmarks.setdefault(key, {})[nation] = row.comparator_text
    keep = [k for k, line in cells.items() if any(c is not None and c.css != "none" for c in line)]
    keep.sort(key=lambda k: (theme_order(first[k].theme), first[k].theme, first[k].name.lower(), k))
    rows = tuple(RugRow(slug(k), first[k].name, first[k].theme, f"{first[k].measure}".strip(),
                        " · ".join(f"{n} {v}" for n, v in benchmarks.get(k, {}).items()), tuple(cells[k]))
                 for k in keep)
    areas = tuple(RugArea(c, geography.area_name(c), f"{c}.html",
                          _SHORT_TYPES.get(geography.local_authority(c).la_type, "")) for c in codes)
    counts = tuple((a.area_name,
                    sum(1 for r in rows if r.cells[i] and r.cells[i].css in ("worse", "worst")),
                    sum(1 for r in rows if r.cells[i] and r.cells[i].css == "similar"),
                    sum(1 for r in rows if r.cells[i] and r.cells[i].css in ("better", "best")))
                   for i, a in enumerate(areas))
    return Rug(title, areas, rows, counts)


def overview_groups(site_areas: Mapping[str, Sequence[str]] | None = None) -> list[OverviewGroup]:
    """Return every overview: English regions, Scottish boards, Wales, Northern Ireland and the programme sites."""
    groups: dict[tuple[str, str], list[str]] = {}
    for la in geography.current_local_authorities():
        if la.region_name:
            key = ("region", la.region_name)
        elif la.health_board_name:
            key = ("board", la.health_board_name)
        else:
            key = ("nation", la.nation_name)
        groups.setdefault(key, []).append(la.area_code)
    out = []
    for (kind, name), codes in sorted(groups.items(), key=lambda item: (_NATION_RANK.get(item[0][0], 9), item[0][1])):
        label = f"NHS {name}" if kind == "board" and not name.startswith("NHS") else name
        ordered = sorted(codes, key=_area_order)
        out.append(OverviewGroup(label, f"overview-{slug(label)}.html", tuple(ordered), kind))
    if site_areas:
        codes = [c for site in site_areas.values() for c in site]
        out.append(OverviewGroup("Programme sites", "overview-sites.html", tuple(dict.fromkeys(codes)), "sites"))
    return out


_NATION_RANK = {"region": 0, "board": 1, "nation": 2}


def _area_order(code: str) -> tuple:
    """Return the order of areas across a rug: counties each followed by their districts, then by name."""
    la = geography.local_authority(code)
    county = la.upper_tier_name if la.tier == "lower" else la.area_name
    return (county, la.tier == "lower", la.area_name)


def group_of(code: str, groups: Sequence[OverviewGroup]) -> list[OverviewGroup]:
    """Return the overviews an area appears on."""
    return [g for g in groups if code in g.codes]
