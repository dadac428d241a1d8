"""Build canonical indicator rows from parsed PHS columns, attribute board rows to council areas, finish."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.stats import compare_frame, recent_trend_frame

from .common import ISLAND_BOARDS, ISLAND_GROUP, ISLAND_GROUP_NAME, SCOTLAND, area_names

SOURCE_ID = "phs"
SERIES = ["indicator_id", "area_code", "sex", "age", "category_type", "category"]
_NUMERIC = ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8", "count", "denominator")


@dataclass(frozen=True)
class Indicator:
    """What one PHS measure column becomes in the canonical table."""

    indicator_id: str
    name: str
    value_type: str
    unit: str
    polarity: str
    theme: str
    age: str = "All ages"


def indicator_rows(base: pd.DataFrame, indicator: Indicator, **columns: object) -> pd.DataFrame:
    """Return ``base`` (identity + provenance columns) with one indicator's measure columns added.

    ``columns`` may hold value, CI limits, count, denominator, value_note and suppressed (Series on
    ``base``'s index or scalars); value is blanked where suppressed.
    """
    out = base.copy()
    out["indicator_id"] = indicator.indicator_id
    out["indicator_name"] = indicator.name
    out["value_type"] = indicator.value_type
    out["unit"] = indicator.unit
    out["polarity"] = indicator.polarity
    out["age"] = indicator.age
    for name in _NUMERIC:
        out[name] = columns.get(name, np.nan)
    out["value_note"] = columns.get("value_note")
    suppressed = columns.get("suppressed", False)
    out["suppressed"] = suppressed
    out.loc[out["suppressed"].astype(bool), ["value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8",
                                             "upper_ci_99_8"]] = np.nan
    return out


def attribute_to_council_areas(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Return one attributed copy of each board (or island-group) row per council area in that board.

    Values and limits are the board's; count and denominator are left empty because they belong
    to the whole board and must not be summed over its council areas.
    """
    boards = frame.loc[frame["area_type"].isin(["Health board", "Health board group"])]
    if boards.empty:
        return boards.iloc[0:0]
    links = []
    for board in boards["area_code"].unique():
        members = ISLAND_BOARDS if board == ISLAND_GROUP else (board,)
        for member in members:
            links += [(board, ca) for ca in geography.council_areas_in_board(member)]
    mapping = pd.DataFrame(links, columns=["area_code", "council_area"])
    out = boards.merge(mapping, on="area_code", how="inner", validate="many_to_many")
    board_label = np.where(out["area_code"] == ISLAND_GROUP,
                           f"the grouped island boards ({ISLAND_GROUP_NAME}; PHS code {ISLAND_GROUP})",
                           out["area_name"] + " (" + out["area_code"] + ")")
    out["attribution_note"] = ("Attributed from " + pd.Series(board_label, index=out.index)
                               + f": {measure} is published by health board, not council area")
    out["area_code"] = out.pop("council_area")
    out["area_name"] = area_names(out["area_code"])
    out["area_type"] = "Council area"
    out["geography_method"] = "attributed"
    out["count"] = np.nan
    out["denominator"] = np.nan
    return out


def drop_repeated(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` without rows that an earlier-read file already gives (the first file read wins).

    The parser reads real files before synthetic ones and Scotland files before council-area files.
    Rows repeated within one file are kept, for the canonical duplicate checks to judge.
    """
    first_file = frame.groupby(list(schema.KEY_COLUMNS), dropna=False, sort=False)["source_file"].transform("first")
    return frame.loc[frame["source_file"].eq(first_file).to_numpy()]


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the conformed canonical frame with Scotland comparators, is_latest and recent trends."""
    frame = drop_repeated(frame.reset_index(drop=True))
    frame = frame.assign(source_id=SOURCE_ID)
    frame = _with_comparators(frame)
    frame = _with_latest_and_trend(frame)
    return schema.conform(frame)


def _with_comparators(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator_id", "period_label", "sex", "age", "category_type", "category"]
    national = frame.loc[frame["area_code"].eq(SCOTLAND), [*keys, "value"]].drop_duplicates(keys)
    merged = frame.merge(national.rename(columns={"value": "comparator_value"}), on=keys, how="left")
    merged.index = frame.index
    own = merged["area_code"].eq(SCOTLAND)
    merged["comparator_code"] = np.where(own, None, SCOTLAND)
    merged.loc[own, "comparator_value"] = np.nan
    merged["comparison"] = compare_frame(merged["value"], merged["lower_ci_95"], merged["upper_ci_95"],
                                         merged["comparator_value"], merged["polarity"])
    merged.loc[own, "comparison"] = None
    return merged


def _with_latest_and_trend(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.sort_values(["period_end", "period_start"], kind="stable")
    latest_index = order.drop_duplicates(SERIES, keep="last").index
    frame["is_latest"] = frame.index.isin(latest_index)
    annual = frame["period_start"].dt.year.eq(frame["period_end"].dt.year)
    trended = frame.loc[annual & frame["value_type"].isin(["DSR", "crude rate"])].copy()
    frame["recent_trend"] = None
    if trended.empty:
        return frame
    trended["year"] = trended["period_start"].dt.year
    trends = recent_trend_frame(trended, SERIES, "year", "polarity", consecutive=True)
    latest = frame.loc[frame["is_latest"], SERIES].merge(trends, on=SERIES, how="left")
    frame.loc[frame["is_latest"], "recent_trend"] = latest["recent_trend"].to_numpy()
    return frame
