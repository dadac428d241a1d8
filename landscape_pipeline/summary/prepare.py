"""Whole-table work done ONCE per build: headline rows, cross-area spreads and per-source facts.

Everything here is vectorised over the full indicator table; :mod:`.page` then builds each
area's page from plain Python lists, so 382 pages cost seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.sources.base import THEMES, SourceSpec
from landscape_pipeline.summary import care
from landscape_pipeline.summary.neighbours import Neighbours, similar_values
from landscape_pipeline.summary.related import EQUIVALENT_IDS

BREAKDOWN = ["indicator_id", "sex", "age", "category_type", "category"]
#: Columns the page builder reads, per headline row.
ROW_COLUMNS = (
    "area_code", "indicator_id", "indicator_name", "source_id", "sex", "age", "category_type", "category",
    "period_label", "value", "value_type", "unit", "lower_ci_95", "upper_ci_95", "count",
    "value_note", "polarity", "comparator_code", "comparator_value", "comparison", "recent_trend", "is_latest",
    "suppressed", "geography_method", "attribution_note", "theme", "region_code", "region_value",
    "region_comparison", "synthetic", "similar_value", "similar_n", "similar_comparison",
)
#: Columns of the indicator table that :func:`prepare` reads (the rest are never copied by its filters).
READ_COLUMNS = tuple(dict.fromkeys((*(c for c in ROW_COLUMNS if c not in ("theme", "similar_value", "similar_n",
                                                                           "similar_comparison")),
                                    "period_start", "retrieved_at", "source_url", *care.SERVICE_COLUMNS)))
#: Read columns the summary may hold as categoricals (see :func:`landscape_pipeline.storage.read_indicator_columns`):
#: long repeated text that is only grouped, sorted, tested for missing values and shown. With indicator names
#: among them the 1x pages are byte-identical and the page builder's peak 83 MiB lower (788 -> 705 MiB).
CATEGORICAL_COLUMNS = ("source_url", "attribution_note", "indicator_name")
#: Columns :func:`_headline_mask` reads (with the theme), and those :func:`_source_facts` reads.
HEADLINE_COLUMNS = ("area_code", "indicator_id", "source_id", "category_type", "category", "sex", "indicator_name")
FACT_COLUMNS = ("area_code", "source_id", "indicator_id", "period_start", "period_label", "retrieved_at",
                "synthetic", "source_url", "geography_method", "attribution_note")
NATIONS = ("E92000001", "S92000003")
Spread = tuple[float, float, float, float, int, int]
MIN_AREAS = 5  # Fingertips needs at least five comparison areas for a spread
MAX_CATEGORIES = 8  # a breakdown-only indicator with more categories (e.g. 19 age bands) is left to the baseline


@dataclass(frozen=True)
class Omitted:
    """An indicator published only by a long breakdown, left out of the summary tables."""

    theme: str
    name: str
    category_type: str
    categories: int


@dataclass(frozen=True)
class SourceFacts:
    """One source's rows for one area, summarised."""

    earliest: str
    latest: str
    retrieved: pd.Timestamp | None
    synthetic: bool
    indicators: int
    attributed: int
    rows: int
    data_url: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Prepared:
    """The indicator table digested for page building."""

    columns: dict[str, list]
    bounds: dict[str, tuple[int, int]]
    spreads: dict[tuple, Spread]
    source_facts: dict[str, dict[str, SourceFacts]]
    synthetic_areas: frozenset[str]
    omitted: dict[str, tuple[Omitted, ...]]
    #: Latest national value of indicators with a cross-nation equivalent: id -> (value, period, unit, type).
    national: dict[str, tuple[float, str, str, str]] = field(default_factory=dict)
    #: The rows of the CQC services block (:func:`.care.service_rows`), per area.
    service_rows: dict[str, pd.DataFrame] = field(default_factory=dict)


def theme_order(theme: str) -> int:
    """Return the position of a theme on the page (unknown themes last)."""
    return THEMES.index(theme) if theme in THEMES else len(THEMES)


def prepare(indicators: pd.DataFrame, area_codes: Sequence[str], sources: Mapping[str, SourceSpec],
            neighbours: Neighbours | None = None) -> Prepared:
    """Return the digested table: headline rows of ``area_codes`` sorted by area/theme/series/period.

    With ``neighbours``, each latest row also gets its similar areas' average and comparison.
    """
    in_areas = indicators["area_code"].isin(list(area_codes)).to_numpy()

    def selected(columns: Sequence[str]) -> pd.DataFrame:  # the areas' rows, copying only these columns
        return indicators[list(dict.fromkeys(c for c in columns if c in indicators.columns))].loc[in_areas]

    keys = selected(HEADLINE_COLUMNS)
    keys = keys.assign(theme=_themes(keys, sources))
    mask, omitted = _headline_mask(keys)
    shown = mask.to_numpy()
    head = indicators[[c for c in READ_COLUMNS if c in indicators.columns]].iloc[np.flatnonzero(in_areas)[shown]]
    head = _with_similar(head.assign(theme=keys["theme"].to_numpy()[shown]), indicators, neighbours)
    del keys
    source_rank = {sid: i for i, sid in enumerate(sources)}
    head = head.assign(
        _theme=head["theme"].map(theme_order), _source=head["source_id"].map(source_rank).fillna(len(source_rank)),
        _category=head["category"].fillna(""), _ctype=head["category_type"].fillna(""),
    ).sort_values(["area_code", "_theme", "_source", "indicator_name", "indicator_id", "sex", "age", "_ctype",
                   "_category", "period_start"], kind="stable")
    columns = {c: _as_list(head[c]) for c in ROW_COLUMNS}
    del head
    services = care.service_rows(selected(("source_id", "value_type", *care.SERVICE_COLUMNS)))
    synthetic = indicators["synthetic"].astype(bool).to_numpy() & in_areas
    return Prepared(columns, _bounds(columns["area_code"]), _spreads(indicators),
                    _source_facts(selected(FACT_COLUMNS)),
                    frozenset(indicators.loc[synthetic, "area_code"].unique()), omitted,
                    _national(indicators), {str(a): rows for a, rows in services.groupby("area_code", sort=False)})


def _with_similar(head: pd.DataFrame, table: pd.DataFrame, neighbours: Neighbours | None) -> pd.DataFrame:
    """Return ``head`` with similar_value / similar_n / similar_comparison on its latest rows."""
    head = head.assign(similar_value=np.nan, similar_n=0, similar_comparison=None)
    if neighbours is None or head.empty:
        return head
    latest = head[head["is_latest"].astype(bool) & ~head["suppressed"].astype(bool)]
    found = similar_values(latest[["indicator_id", "sex", "age", "category_type", "category", "period_label",
                                   "area_code", "value", "lower_ci_95", "upper_ci_95", "polarity"]],
                           table, neighbours)
    head.loc[found.index, "similar_value"] = found["similar_value"].to_numpy()
    head.loc[found.index, "similar_n"] = found["similar_n"].to_numpy()
    head.loc[found.index, "similar_comparison"] = found["similar_comparison"].to_numpy()
    return head


def _national(table: pd.DataFrame) -> dict[str, tuple[float, str, str, str]]:
    """Return the latest national value of each indicator with a cross-nation equivalent."""
    rows = table[table["area_code"].isin(NATIONS) & table["indicator_id"].isin(EQUIVALENT_IDS)
                 & table["is_latest"].astype(bool) & table["value"].notna() & table["category"].isna()]
    rows = rows.sort_values("sex", key=lambda s: s.ne("Persons"), kind="stable").drop_duplicates("indicator_id")
    return {i: (float(v), str(p), u or "", t or "") for i, v, p, u, t in
            zip(rows["indicator_id"], rows["value"], rows["period_label"], rows["unit"], rows["value_type"],
                strict=True)}


def _as_list(series: pd.Series) -> list:
    """Return the column as a Python list with None for missing values (floats stay floats).

    Text is factorised first, so each distinct string is one Python object however many rows hold it.
    """
    if pd.api.types.is_float_dtype(series.dtype):
        return [None if x != x else x for x in series.to_numpy(dtype=float, na_value=np.nan).tolist()]
    if isinstance(series.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series)
        values = [*uniques.to_numpy(dtype=object).tolist(), None]  # code -1 (missing) picks the None
        return [values[code] for code in codes.tolist()]
    return series.to_numpy(dtype=object, na_value=None).tolist()


def _themes(table: pd.DataFrame, sources: Mapping[str, SourceSpec]) -> pd.Series:
    pairs = table[["source_id", "indicator_id"]].drop_duplicates()
    lookup = {(s, i): (sources[s].theme_of(i) if s in sources else "Local data")
              for s, i in zip(pairs["source_id"], pairs["indicator_id"], strict=True)}
    keys = pd.MultiIndex.from_frame(table[["source_id", "indicator_id"]])
    return pd.Series(pd.Series(lookup).reindex(keys).to_numpy(), index=table.index, dtype=object)


def _headline_mask(rows: pd.DataFrame) -> tuple[pd.Series, dict[str, tuple[Omitted, ...]]]:
    """Return (mask of the rows a summary shows, per area the breakdown-only indicators left out).

    Shown: rows without a category breakdown; for an indicator published only by category, its
    first category type when that has at most :data:`MAX_CATEGORIES` values. Persons when there are.
    """
    by = [rows["area_code"], rows["indicator_id"]]
    plain = rows["category_type"].isna() & rows["category"].isna()
    has_plain = plain.groupby(by).transform("any")
    first_type = rows["category_type"].where(~plain).groupby(by).transform("min")
    fallback = ~has_plain & rows["category_type"].eq(first_type)
    n_categories = rows["category"].where(fallback).groupby(by).transform("nunique")
    too_many = fallback & n_categories.gt(MAX_CATEGORIES)
    keep = plain | (fallback & ~too_many)
    persons = rows["sex"].eq("Persons")
    has_persons = (persons & keep).groupby(by).transform("any")
    left_out = rows.loc[too_many, ["area_code", "theme", "indicator_name", "category_type"]].assign(
        n=n_categories[too_many]).drop_duplicates(["area_code", "indicator_name"])
    omitted: dict[str, list[Omitted]] = {}
    for area, theme, name, kind, n in left_out.itertuples(index=False):
        omitted.setdefault(area, []).append(Omitted(theme, name, kind, int(n)))
    return keep & (persons | ~has_persons), {k: tuple(v) for k, v in omitted.items()}


def _bounds(codes: list) -> dict[str, tuple[int, int]]:
    bounds: dict[str, tuple[int, int]] = {}
    if not codes:
        return bounds
    array = np.asarray(codes, dtype=object)
    change = np.concatenate(([0], np.flatnonzero(array[1:] != array[:-1]) + 1, [len(array)]))
    for start, stop in itertools.pairwise(change):
        bounds[str(array[start])] = (int(start), int(stop))
    return bounds


def _spreads(table: pd.DataFrame) -> dict[tuple, Spread]:
    """Return (lowest, q25, q75, highest, n, n two-tier LAs) per breakdown, period, nation and tier set.

    Spreads are over current LAs; a tier set holds its own tier plus the single-tier LAs. Only
    periods that are some LA's latest are summarised; suppressed and missing values are left out.
    """
    las = geography.current_local_authorities()
    nation = {la.area_code: la.nation_code for la in las}
    tier = {la.area_code: la.tier for la in las}
    keep = table["area_code"].isin(nation.keys()) & ~table["suppressed"].astype(bool) & table["value"].notna()
    rows = table.loc[keep, [*BREAKDOWN, "period_label", "area_code", "value", "is_latest"]]
    latest = rows.loc[rows["is_latest"].astype(bool), ["indicator_id", "period_label"]].drop_duplicates()
    rows = rows.merge(latest, on=["indicator_id", "period_label"])
    if rows.empty:
        return {}
    rows = rows[[*BREAKDOWN, "period_label", "area_code", "value"]].assign(
        nation=rows["area_code"].map(nation), tier=rows["area_code"].map(tier))
    rows["tiered"] = rows["tier"].ne("single")
    rows[["category_type", "category"]] = rows[["category_type", "category"]].fillna("")
    parts = [rows[rows["tier"].isin((name, "single"))].assign(tier_set=name) for name in ("upper", "lower")]
    both = pd.concat(parts, ignore_index=True)
    keys = [*BREAKDOWN, "period_label", "nation", "tier_set"]
    grouped = both.groupby(keys, sort=False)["value"]
    stats = grouped.agg(["min", "max", "count"])
    stats = stats.join(grouped.quantile([0.25, 0.75]).unstack())
    stats["tiered"] = both.groupby(keys, sort=False)["tiered"].sum()
    stats = stats[stats["count"] >= MIN_AREAS]
    return {key: (lo, q25, q75, hi, int(n), int(tiered)) for key, lo, hi, n, q25, q75, tiered in
            zip(stats.index, stats["min"], stats["max"], stats["count"], stats[0.25], stats[0.75], stats["tiered"],
                strict=True)}


def _source_facts(rows: pd.DataFrame) -> dict[str, dict[str, SourceFacts]]:
    """Return, per area and source: periods covered, retrieval date, synthetic flag and attribution notes."""
    out: dict[str, dict[str, SourceFacts]] = {}
    if rows.empty:
        return out
    keys = ["area_code", "source_id"]
    grouped = rows.groupby(keys, sort=False)
    first = rows.loc[grouped["period_start"].idxmin(), [*keys, "period_label"]].set_index(keys)["period_label"]
    last = rows.loc[grouped["period_start"].idxmax(), [*keys, "period_label"]].set_index(keys)["period_label"]
    summary = grouped.agg(retrieved=("retrieved_at", "max"), synthetic=("synthetic", "any"),
                          indicators=("indicator_id", "nunique"), rows=("indicator_id", "size"),
                          data_url=("source_url", "first"))
    indirect = rows["geography_method"].notna() & rows["geography_method"].ne("direct")
    summary["attributed"] = indirect.groupby([rows[k] for k in keys]).sum()
    notes = rows.loc[rows["attribution_note"].notna(), [*keys, "attribution_note"]].drop_duplicates()
    note_map: dict[tuple, list[str]] = {}
    for area, source, note in notes.itertuples(index=False):
        note_map.setdefault((area, source), []).append(note)
    for (area, source), retrieved, synthetic, indicators, attributed, n_rows, data_url in zip(
            summary.index, summary["retrieved"], summary["synthetic"], summary["indicators"], summary["attributed"],
            summary["rows"], summary["data_url"], strict=True):
        out.setdefault(area, {})[source] = SourceFacts(
            first[(area, source)], last[(area, source)], retrieved if pd.notna(retrieved) else None, bool(synthetic),
            int(indicators), int(attributed), int(n_rows), data_url if pd.notna(data_url) else "",
            tuple(sorted(note_map.get((area, source), []))))
    return out
