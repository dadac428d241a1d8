"""Summarise SIMD 2020v2 data zones to council areas, NHS boards and Scotland.

For the overall index and, where the Scottish Government file is given, each of the seven domains:

* the population-weighted average rank (1 = most deprived of 6,976): sum(rank x population) / population;
* the share of the area's data zones in Scotland's most deprived 20% (rank <= 20% of 6,976 = 1,395.2,
  i.e. national quintile 1), with the counts of data zones as numerator and denominator;
* the share of the area's population living in those data zones, with the populations as counts.

Populations are the data-zone populations published with SIMD 2020v2 (2011 data zones, the same
vintage as the ranks; :mod:`.reader` refuses any other). Without them only the data-zone shares of
the overall index can be computed, and the frame's ``attrs`` says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline import geography

from .reader import DOMAINS, N_ZONES

MOST_DEPRIVED_SHARE = 0.20
THRESHOLD = MOST_DEPRIVED_SHARE * N_ZONES  # 1,395.2: ranks 1-1,395 are national quintile 1
PERIOD = "2020"
RANK_UNIT = "rank (1 = most deprived of 6,976)"
MEASURES = {
    "pop_weighted_rank": ("population-weighted average rank", "mean", RANK_UNIT, "Not applicable"),
    "dz_most_deprived_20pct": ("% of data zones in Scotland's most deprived 20%", "proportion", "%", "No judgement"),
    "pop_most_deprived_20pct": ("% of population in Scotland's most deprived 20% of data zones", "proportion", "%",
                                "No judgement"),
}
DOMAIN_TITLES = {"overall": "SIMD 2020v2", **{d: f"SIMD 2020v2 {d} domain" for d in DOMAINS}}


def indicator_id(domain: str, measure: str) -> str:
    """Return the canonical id of one summary, e.g. ``simd_overall_pop_most_deprived_20pct``."""
    return f"simd_{domain}_{measure}"


def all_indicator_ids() -> list[str]:
    """Return every indicator id this source can produce."""
    return [indicator_id(d, m) for d in DOMAIN_TITLES for m in MEASURES]


def area_levels(zones: pd.DataFrame) -> dict[str, pd.Series]:
    """Return {area type: area code per data zone} for council areas, boards and Scotland."""
    council = zones["council_area"]
    return {
        "Council area": council,
        "Health board": council.map({c: geography.board_of_council_area(c) for c in council.unique()}),
        "Scotland": pd.Series(geography.SCOTLAND, index=zones.index),
    }


def summarise(zones: pd.DataFrame) -> pd.DataFrame:
    """Return one row per area and summary measure (canonical column names, values only)."""
    has_population = "population" in zones
    ranks = {"overall": zones["rank"], **{d: zones[d] for d in DOMAINS if d in zones}}
    rows = []
    for area_type, codes in area_levels(zones).items():
        for domain, rank in ranks.items():
            deprived = rank <= THRESHOLD
            frame = pd.DataFrame({"code": codes, "rank": rank, "deprived": deprived.astype(float)})
            if domain != "overall" and not has_population:
                continue
            if has_population:
                pop = zones["population"]
                frame["pop"], frame["rank_pop"], frame["deprived_pop"] = pop, rank * pop, deprived * pop
            grouped = frame.groupby("code")
            zones_n, zones_deprived = grouped.size(), grouped["deprived"].sum()
            rows.append(_rows(domain, "dz_most_deprived_20pct", area_type, zones_deprived / zones_n * 100,
                              zones_deprived, zones_n, zones_n))
            if has_population:
                pop_sum = grouped["pop"].sum()
                rows.append(_rows(domain, "pop_weighted_rank", area_type, grouped["rank_pop"].sum() / pop_sum,
                                  None, pop_sum, zones_n))
                rows.append(_rows(domain, "pop_most_deprived_20pct", area_type,
                                  grouped["deprived_pop"].sum() / pop_sum * 100, grouped["deprived_pop"].sum(),
                                  pop_sum, zones_n))
    out = pd.concat(rows, ignore_index=True)
    out.attrs["population_weighted"] = has_population
    return out


def _rows(domain: str, measure: str, area_type: str, value: pd.Series, count: pd.Series | None,
          denominator: pd.Series, zones_n: pd.Series) -> pd.DataFrame:
    title, value_type, unit, polarity = MEASURES[measure]
    return pd.DataFrame({
        "indicator_id": indicator_id(domain, measure),
        "indicator_name": f"{DOMAIN_TITLES[domain]}: {title}",
        "area_code": value.index, "area_type": area_type, "value": value.to_numpy(dtype=float),
        "count": np.nan if count is None else count.reindex(value.index).to_numpy(dtype=float),
        "denominator": denominator.reindex(value.index).to_numpy(dtype=float),
        "value_type": value_type, "unit": unit, "polarity": polarity,
        "attribution_note": [f"Summarised from {int(n):,} 2011 data zones" for n in zones_n.reindex(value.index)],
    })
