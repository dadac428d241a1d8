"""Similar areas: each local authority's nearest neighbours on public data, computed once per build.

Method (the pages print :data:`METHOD`):

* **Pools.** Neighbours come from the same nation and, in England, the same kind of council: county
  councils, districts, or single-tier councils (metropolitan and London boroughs, unitary
  authorities). Indicators are published per tier, so a county's neighbours have county values.
* **Features**, from rows already in the indicator table:
  deprivation — England: IMD 2019 average score (``imd_average_score``); Scotland: SIMD 2020
  population-weighted average rank (``simd_overall_pop_weighted_rank``); both are population-weighted
  averages over small areas; Wales and Northern Ireland have no deprivation index in the table, so
  their neighbours use age and size only. Age structure — the percentage of residents aged 65 and
  over (``ons_population_by_age``). Size — log10 of the resident population (``ons_population_total``),
  so a doubling counts the same for a district as for a county.
* **Distance.** Each feature is standardised within the pool (minus the pool mean, over the pool
  standard deviation; a missing feature counts as the pool mean), and areas are ranked by Euclidean
  distance; ties go to the lower area code.
* **k = 10.** Ten is enough for the similar-areas average to be stable (it needs at least five
  neighbours with a value) and few enough to stay similar in the smallest pools (21 county councils,
  32 Scottish council areas); CIPFA's nearest-neighbour model uses 15, most of the county pool.

The similar-areas value of an indicator is the plain mean of the neighbours' own (not attributed,
not suppressed) values for the same period and breakdown. It is compared with the area's value as
England is: Similar when the area's 95% interval contains it, otherwise Higher/Lower, or
Better/Worse by polarity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.stats.compare import compare_frame

K = 10
MIN_NEIGHBOUR_VALUES = 5
KEY = ["indicator_id", "sex", "age", "category_type", "category", "period_label"]
DEPRIVATION = {"England": "imd_average_score", "Scotland": "simd_overall_pop_weighted_rank"}
FEATURES = ("deprivation", "aged_65_plus", "log_population")
METHOD = (
    "Similar areas are each council's ten nearest neighbours among councils of the same kind in the same "
    "nation (in England: county councils, districts, or single-tier councils), by deprivation (IMD 2019 average "
    "score in England, SIMD 2020 population-weighted rank in Scotland; none in Wales and Northern Ireland), the "
    "percentage of residents aged 65 and over, and population size (log scale). Each measure is standardised "
    "within the group and the ten closest councils by straight-line (Euclidean) distance are taken: ten keeps "
    "the average stable while staying similar in the smallest groups (21 county councils, 32 Scottish council "
    "areas). The similar-areas value is the average of their own published values (at least five needed), "
    "compared with this area's 95% confidence interval as England's value is."
)
_LOWER_AGE = re.compile(r"^\s*(\d+)")


@dataclass(frozen=True)
class Neighbours:
    """Each area's similar areas, nearest first, and the features they were chosen on."""

    of: Mapping[str, tuple[str, ...]]
    features: pd.DataFrame
    #: True when any feature was read from synthetic sample rows (the pages say so).
    synthetic_inputs: bool = False

    def names(self, area_code: str) -> tuple[str, ...]:
        """Return the names of the area's similar areas, nearest first."""
        return tuple(geography.area_name(c) for c in self.of.get(area_code, ()))


def pool_of(la: geography.LocalAuthority) -> str:
    """Return the pool an LA's neighbours come from: nation, plus tier in England."""
    return f"{la.nation_name}:{la.tier}" if la.nation_name == "England" else la.nation_name


def feature_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Return the latest, published rows of current LAs that the features are computed from."""
    codes = {la.area_code for la in geography.current_local_authorities()}
    wanted = {*DEPRIVATION.values(), "ons_population_total", "ons_population_by_age"}
    rows = table[table["indicator_id"].isin(wanted) & table["area_code"].isin(codes)]
    return rows[rows["is_latest"].astype(bool) & ~rows["suppressed"].astype(bool) & rows["value"].notna()]


def _latest(rows: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    return rows[rows["indicator_id"].eq(indicator_id)]


def area_features(table: pd.DataFrame) -> pd.DataFrame:
    """Return one row per current LA: pool, deprivation, % aged 65+, log10 population (NaN where not published)."""
    las = geography.current_local_authorities()
    codes = {la.area_code for la in las}
    table = feature_rows(table)
    out = pd.DataFrame(index=pd.Index(sorted(codes), name="area_code"))
    out["pool"] = pd.Series({la.area_code: pool_of(la) for la in las})
    nation = pd.Series({la.area_code: la.nation_name for la in las})
    out["deprivation"] = np.nan
    for nation_name, indicator_id in DEPRIVATION.items():
        rows = _latest(table, indicator_id)
        values = rows.drop_duplicates("area_code").set_index("area_code")["value"]
        mask = nation.reindex(out.index).eq(nation_name)
        out.loc[mask, "deprivation"] = values.reindex(out.index[mask]).to_numpy()
    population = _latest(table, "ons_population_total")
    population = population.sort_values("sex", key=lambda s: s.ne("Persons")).drop_duplicates("area_code")
    total = population.set_index("area_code")["value"].reindex(out.index)
    out["population"] = total
    out["log_population"] = np.log10(total.where(total > 0))
    out["aged_65_plus"] = _aged_65_plus(_latest(table, "ons_population_by_age")).reindex(out.index)
    return out


def _aged_65_plus(rows: pd.DataFrame) -> pd.Series:
    """Return the percentage of residents aged 65+ per area from age-band rows (Persons, else all sexes)."""
    if rows.empty:
        return pd.Series(dtype=float)
    persons = rows["sex"].eq("Persons")
    has_persons = persons.groupby(rows["area_code"]).transform("any")
    rows = rows[persons | ~has_persons]
    band = rows["category"].fillna(rows["age"]).astype(str)
    lower = pd.to_numeric(band.str.extract(_LOWER_AGE, expand=False), errors="coerce")
    old = rows["value"].where(lower >= 65, 0.0)
    grouped = pd.DataFrame({"area_code": rows["area_code"], "all": rows["value"], "old": old}).groupby("area_code")
    sums = grouped.sum()
    return 100 * sums["old"] / sums["all"].where(sums["all"] > 0)


def nearest_neighbours(features: pd.DataFrame, k: int = K) -> dict[str, tuple[str, ...]]:
    """Return each area's ``k`` nearest areas in its pool (standardised features, Euclidean distance)."""
    out: dict[str, tuple[str, ...]] = {}
    known = features[list(FEATURES)].notna().any(axis=1)  # an area with no published feature is nobody's neighbour
    for _pool, group in features[known].groupby("pool", sort=True):
        group = group.sort_index()
        x = group[list(FEATURES)].to_numpy(dtype=float)
        usable = np.isfinite(x).any(axis=0)
        x = x[:, usable]
        mean, sd = np.nanmean(x, axis=0), np.nanstd(x, axis=0)
        z = np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1), 0.0)
        z = np.nan_to_num(z, nan=0.0)
        distance = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
        np.fill_diagonal(distance, np.inf)
        order = np.argsort(distance, axis=1, kind="stable")[:, : min(k, len(group) - 1)]
        codes = group.index.to_numpy()
        for i, code in enumerate(codes):
            out[str(code)] = tuple(str(c) for c in codes[order[i]])
    return out


def build_neighbours(table: pd.DataFrame, k: int = K) -> Neighbours:
    """Return every current LA's similar areas from the indicator table."""
    rows = feature_rows(table)
    features = area_features(rows)
    synthetic = bool(rows["synthetic"].astype(bool).any())
    return Neighbours(nearest_neighbours(features, k), features, synthetic)


def similar_values(targets: pd.DataFrame, table: pd.DataFrame, neighbours: Neighbours) -> pd.DataFrame:
    """Return ``targets`` (KEY, area_code, limits, polarity) with similar_value, similar_n and similar_comparison.

    One vectorised pass: targets x their neighbours joined to the neighbours' own values.
    """
    out = targets.copy()
    out["similar_value"], out["similar_n"], out["similar_comparison"] = np.nan, 0, "Not compared"
    pairs = pd.DataFrame([(a, n) for a, ns in neighbours.of.items() for n in ns], columns=["area_code", "neighbour"])
    if out.empty or pairs.empty:
        return out
    keep = (table["area_code"].isin(set(pairs["neighbour"])) & ~table["suppressed"].astype(bool)
            & table["value"].notna() & table["geography_method"].eq("direct"))
    own = table.loc[keep, [*KEY, "area_code", "value"]].rename(columns={"area_code": "neighbour"})
    own[["category_type", "category"]] = own[["category_type", "category"]].fillna("")
    own = own.drop_duplicates([*KEY, "neighbour"])
    wanted = out[[*KEY, "area_code"]].copy()
    wanted[["category_type", "category"]] = wanted[["category_type", "category"]].fillna("")
    wanted["_row"] = np.arange(len(out))
    joined = wanted.merge(pairs, on="area_code").merge(own, on=[*KEY, "neighbour"])
    stats = joined.groupby("_row")["value"].agg(["mean", "count"])
    enough = stats[stats["count"] >= MIN_NEIGHBOUR_VALUES]
    rows = enough.index.to_numpy()
    similar = np.full(len(out), np.nan)
    similar[rows] = enough["mean"].to_numpy()
    counts = np.zeros(len(out), dtype=int)
    counts[stats.index.to_numpy()] = stats["count"].to_numpy()
    out["similar_value"], out["similar_n"] = similar, counts
    out["similar_comparison"] = compare_frame(out["value"].to_numpy(float), out["lower_ci_95"].to_numpy(float),
                                              out["upper_ci_95"].to_numpy(float), similar,
                                              out["polarity"].to_numpy(object))
    return out
