"""Harmonise staged source tables into the one indicator table.

Steps, all vectorised: move retired LA codes onto their successors, drop repeated rows,
attach the national (England/Scotland) and regional comparator values, compare each area
with them (publishers' own labels are kept), compute Fingertips recent trends where the
publisher gave none, and flag each series' latest period.

Rows are matched on integer codes (:func:`key_codes`) rather than on tuples of strings: the same
matches, without the transient copies of every key column that hashing strings costs.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from landscape_pipeline import geography, schema, stats

#: A breakdown of one indicator: comparator and series rows match on these columns.
BREAKDOWN = ["indicator_id", "period_label", "sex", "age", "category_type", "category"]
SERIES = ["indicator_id", "area_code", "sex", "age", "category_type", "category"]
TRENDABLE = ("proportion", "crude rate", "DSR")
#: Row order of the indicator table.
ORDER = ("area_code", "indicator_id", "period_start", "sex", "age")
NATIONS = {"E": geography.ENGLAND, "S": geography.SCOTLAND, "W": geography.WALES, "N": geography.NORTHERN_IRELAND}


def harmonise(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Return the harmonised canonical indicator table built from staged source frames.

    ``frames`` may be a generator: each frame is conformed as it arrives and not held after. Columns the
    frames all hold as categoricals (:data:`schema.DICTIONARY_COLUMNS`) stay categoricals.
    """
    parts = [schema.conform(f) for f in frames if len(f)]
    if not parts:
        return schema.empty_frame()
    table = pd.concat(_shared_categories(parts), ignore_index=True)
    del parts  # the table's columns are the only references left to the parts' chunks ...
    table = _one_chunk(table)  # ... so each column's chunks are freed as soon as it is combined
    table = _recode_retired(table)
    first = ~pd.Series(key_codes(table, schema.KEY_COLUMNS)).duplicated(keep="first").to_numpy()
    if not first.all():
        table = _take_rows(table, np.flatnonzero(first))
    table = _attach_comparators(table)
    table = _attach_trends(table)
    table["is_latest"] = _latest_flags(table)
    return schema.conform(_take_rows(table, _sort_order(table, ORDER)))


def _shared_categories(parts: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Give a column that is categorical in every part the same categories, in text order, in each (a concat
    of categoricals with different categories falls back to one Python string per row)."""
    for column in parts[0].columns:
        if all(isinstance(p[column].dtype, pd.CategoricalDtype) for p in parts):
            categories = pd.Index(sorted(set().union(*(p[column].cat.categories for p in parts))), dtype="str")
            for part in parts:
                part[column] = part[column].cat.set_categories(categories)
    return parts


def _sort_order(table: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """Return the rows' positions in the stable ascending order of ``columns``, nulls last (as sort_values)."""
    keys = []
    for column in columns:
        codes, uniques = pd.factorize(table[column], sort=True)
        keys.append(np.where(codes < 0, len(uniques), codes))
    return np.lexsort(keys[::-1])


def _take_rows(table: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Return a new frame of ``table``'s rows at ``positions`` (a filter or a new order; index reset), emptying
    ``table`` column by column as it goes: the caller gives the table up, and only one column is held twice."""
    out = {}
    for column in list(table.columns):
        out[column] = table[column].array.take(positions)
        del table[column]
    return pd.DataFrame(out)


def _one_chunk(table: pd.DataFrame) -> pd.DataFrame:
    """Give each Arrow-backed column one contiguous chunk (a concat leaves one per source): every later take
    and filter on it is about three times faster. Columns are replaced one at a time."""
    for column in table.columns:
        values = table[column].array
        if isinstance(values.dtype, pd.StringDtype | pd.ArrowDtype):
            arrow = pa.array(values)
            if isinstance(arrow, pa.ChunkedArray) and arrow.num_chunks > 1:
                table[column] = pd.array(arrow.combine_chunks(), dtype=values.dtype)
    return table


def _recode_retired(table: pd.DataFrame) -> pd.DataFrame:
    status = geography.classify_area_codes(table["area_code"])
    retired = status.eq("retired_la")
    if not retired.any():
        return table
    mapping = {}
    for code in table.loc[retired, "area_code"].unique():
        try:
            mapping[code] = geography.resolve_area_code(code)
        except ValueError:  # split between successors: keep the retired code, it reaches no baseline
            continue
    moved = table["area_code"].isin(mapping.keys())
    note = "Reported under retired code " + table.loc[moved, "area_code"]
    table.loc[moved, "attribution_note"] = table.loc[moved, "attribution_note"].fillna(note)
    table.loc[moved, "area_code"] = table.loc[moved, "area_code"].map(mapping)
    table.loc[moved, "area_name"] = table.loc[moved, "area_code"].map(geography.area_name)
    return table


def comparator_codes(codes: pd.Series) -> pd.Series:
    """Return each area's national comparator: England for E codes, Scotland for S codes, and so on."""
    nation = codes.str[0].map(NATIONS)
    is_nation = codes.isin(NATIONS.values())
    return nation.where(~is_nation)


def _region_codes(codes: pd.Series) -> pd.Series:
    """Return each area's region: the English region, or the NHS health board of a Scottish council area."""
    lookup = {la.area_code: la.region_code or la.health_board_code for la in geography.current_local_authorities()
              if la.region_code or la.health_board_code}
    return codes.map(lookup)


def key_codes(table: pd.DataFrame, columns: Iterable[str], *, blank_is_null: Iterable[str] = ()) -> np.ndarray:
    """Return one int64 per row, equal for two rows exactly when their values in ``columns`` are equal.

    Nulls compare equal to each other; in ``blank_is_null`` columns a null also equals ''. Each column is
    factorised (Arrow dictionary-encodes strings) and folded into the running code, re-factorised so the
    codes stay below the row count.
    """
    blank = set(blank_is_null)
    codes = np.zeros(len(table), dtype=np.int64)
    for column in columns:
        values = table[column].fillna("") if column in blank else table[column]
        found, uniques = pd.factorize(values, use_na_sentinel=False)
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + found)
    return codes.astype(np.int64, copy=False)


class _Matcher:
    """Find, for each row, the row of the same breakdown in another area (the first such row, as published)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.breakdown = key_codes(table, BREAKDOWN, blank_is_null=("category_type", "category"))
        self.areas = pd.Index(table["area_code"].unique())
        self.width = len(self.areas) + 1
        own = self.breakdown * self.width + self.areas.get_indexer(table["area_code"])
        self.keys, self.first = np.unique(own, return_index=True)

    def rows_in(self, areas: pd.Series) -> np.ndarray:
        """Return the row of each row's breakdown in ``areas`` (-1 where there is none)."""
        area = self.areas.get_indexer(areas)
        wanted = self.breakdown * self.width + area
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = (area >= 0) & (self.keys[at] == wanted) if len(self.keys) else np.zeros(len(area), dtype=bool)
        return np.where(found, self.first[at] if len(self.keys) else -1, -1)


def _taken(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return ``values`` at ``rows`` as float64, NaN where a row is -1."""
    out = values.astype("float64")[np.maximum(rows, 0)]
    out[rows < 0] = np.nan
    return out


def _attach_comparators(table: pd.DataFrame) -> pd.DataFrame:
    match = _Matcher(table)
    table["comparator_code"] = table["comparator_code"].fillna(comparator_codes(table["area_code"]))
    table["region_code"] = table["region_code"].fillna(_region_codes(table["area_code"]))
    table.loc[table["region_code"].eq(table["area_code"]), "region_code"] = None
    national, regional = match.rows_in(table["comparator_code"]), match.rows_in(table["region_code"])
    value, synthetic = table["value"].to_numpy(dtype="float64"), table["synthetic"].to_numpy(dtype=bool)
    table["comparator_value"] = _taken(value, national)
    table["region_value"] = _taken(value, regional)
    # A comparison depends on both values: a row compared with a synthetic benchmark is synthetic too
    # (``synthetic`` is derived from every input, never asserted).
    benchmark = (np.nan_to_num(_taken(synthetic, national)) + np.nan_to_num(_taken(synthetic, regional))) > 0
    table["synthetic"] = table["synthetic"] | benchmark

    polarity = table["polarity"].fillna("Not applicable").to_numpy()
    args = (table["value"].to_numpy(), table["lower_ci_95"].to_numpy(), table["upper_ci_95"].to_numpy())
    ours = stats.compare_frame(*args, table["comparator_value"].to_numpy(), polarity)
    table["comparison"] = table["comparison"].fillna(pd.Series(ours, index=table.index))
    table.loc[table["comparator_code"].isna(), "comparison"] = None
    ours_region = stats.compare_frame(*args, table["region_value"].to_numpy(), polarity)
    table["region_comparison"] = table["region_comparison"].fillna(pd.Series(ours_region, index=table.index))
    table.loc[table["region_code"].isna(), "region_comparison"] = None
    # Against its board, a council area is not compared when the value came from the board, or the board is it.
    board = table["region_code"].str.startswith("S08", na=False)
    same_area = board & table["region_code"].isin(_single_council_boards())
    from_board = board & table["geography_method"].eq("attributed")
    table.loc[(same_area | from_board) & table["region_value"].notna(), "region_comparison"] = stats.NOT_COMPARED
    return table


def _single_council_boards() -> list[str]:
    """Return the NHS boards that cover one council area only (Fife, Borders, the islands...)."""
    boards = {la.health_board_code for la in geography.current_local_authorities() if la.health_board_code}
    return sorted(b for b in boards if len(geography.council_areas_in_board(b)) == 1)


def _attach_trends(table: pd.DataFrame) -> pd.DataFrame:
    """Fill recent_trend where the publisher gave none, for eligible annual series."""
    need = table["recent_trend"].isna().to_numpy()
    if not need.any():
        return table
    series = key_codes(table, SERIES, blank_is_null=("category_type", "category"))[need]
    work = table.loc[need, ["period_start", "period_end", "value", "lower_ci_95", "upper_ci_95",
                            "polarity", "value_type", "suppressed"]]
    span = (pd.to_datetime(work["period_end"]) - pd.to_datetime(work["period_start"])).dt.days
    eligible = (work["value_type"].isin(TRENDABLE) & span.le(366)).to_numpy()
    blank = ~eligible | work["suppressed"].to_numpy(dtype=bool)
    work = pd.DataFrame({"_series": series, "period_start": work["period_start"].to_numpy(),
                         **{c: np.where(blank, np.nan, work[c].to_numpy(dtype="float64"))
                            for c in ("value", "lower_ci_95", "upper_ci_95")},
                         # a categorical: each copy below holds a byte per row, not a Python string
                         "polarity": pd.Categorical(work["polarity"].fillna("Not applicable")),
                         "_annual": eligible})
    # a series may hold an annual period and a multi-year one starting the same day (PHS: Scotland's annual
    # incidence beside the 5-year rows derived for the boards); only the annual one can carry a trend
    once = work.sort_values("_annual", ascending=False, kind="stable").drop_duplicates(["_series", "period_start"])
    labels = stats.recent_trend_frame(once, ["_series"], "period_start", "polarity")
    table.loc[need, "recent_trend"] = work["_series"].map(labels.set_index("_series")["recent_trend"]).to_numpy()
    return table


def _latest_flags(table: pd.DataFrame) -> pd.Series:
    series = key_codes(table, SERIES, blank_is_null=SERIES)
    latest = table["period_start"].groupby(series).transform("max")
    return table["period_start"].eq(latest)
