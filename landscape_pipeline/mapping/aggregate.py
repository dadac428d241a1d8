"""Roll detail rows up to local authorities (and into breakdown tables) by the mapping's declared method.

``sum_counts``: the LA count is the sum of its areas' counts. ``recompute_from_counts``: count and
denominator are summed and the value recomputed (Wilson limits for proportions, exact/Byar's for
crude rates). ``population_weighted``: the LA value is the population-weighted mean of its areas'
values (no limits). ``attribute``: each council area carries the value of the partnership or board
containing it (:mod:`.attribute`). A sum with a suppressed or missing member is not computed: its value is empty,
with a note saying why (and it is marked suppressed when a member was withheld). Rows already at LA
level or coarser pass through; a published LA row wins over the one computed for the same key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline import stats
from landscape_pipeline.mapping.attribute import attribute
from landscape_pipeline.mapping.model import MappingFile

PERIOD = ["period_label", "period_start", "period_end"]
BASE_KEYS = ["rule_id", "_la", *PERIOD, "sex", "age"]
NOUNS = {"site": "site return", "ward": "ward", "lsoa": "LSOA", "la": "LA", "health_board": "health board",
         "hscp": "partnership"}
NOT_COMPUTED = "Not computed: {n} of the {total} contributing rows were suppressed or empty in the source file."


def _combine(rows: pd.DataFrame, keys: list[str], method: str, mapping: MappingFile) -> pd.DataFrame:
    needs = {"sum_counts": ["count"], "recompute_from_counts": ["count", "denominator"],
             "population_weighted": ["value", "population"]}[method]
    work = rows.assign(_bad=rows[needs].isna().any(axis=1) | rows["suppressed"],
                       _weighted=rows["value"] * rows["population"])
    grouped = work.groupby(keys, dropna=False, sort=False)
    out = grouped.agg(_n=("_label", "size"), _bad=("_bad", "sum"), suppressed=("suppressed", "any"),
                      count=("count", "sum"), denominator=("denominator", "sum"), _weighted=("_weighted", "sum"),
                      population=("population", "sum")).reset_index()
    incomplete = out["_bad"].gt(0)
    if method == "sum_counts":
        out["value"] = out["count"]
    elif method == "population_weighted":
        with np.errstate(invalid="ignore", divide="ignore"):
            out["value"] = out["_weighted"] / out["population"]
    else:
        out = _recompute(out, mapping)
    blank = ["value", "count", "denominator", *stats.CI_COLUMNS]
    out.loc[incomplete, [c for c in blank if c in out]] = np.nan
    out["value_note"] = np.where(incomplete, [NOT_COMPUTED.format(n=b, total=n)
                                              for b, n in zip(out["_bad"], out["_n"], strict=True)], None)
    noun = NOUNS[mapping.geography.level]
    out["attribution_note"] = [f"{method.replace('_', ' ').capitalize()} over {n} {noun} row(s)." for n in out["_n"]]
    return out.drop(columns=["_n", "_bad", "_weighted"])


def _recompute(out: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    rules = {r.id: r for r in mapping.indicators}
    parts = []
    for rule_id, part in out.groupby("rule_id", sort=False):
        rule = rules[str(rule_id)]
        usable = part["denominator"].gt(0) & part["count"].notna()
        computed = part.copy()
        for column in ("value", *stats.CI_COLUMNS):
            computed[column] = np.nan
        if usable.any():
            frame = stats.proportion_frame if rule.value_type == "proportion" else stats.rate_frame
            done = frame(part.loc[usable], "count", "denominator", multiplier=rule.multiplier, errors="coerce")
            computed.loc[usable, ["value", *stats.CI_COLUMNS]] = done[["value", *stats.CI_COLUMNS]]
        parts.append(computed)
    return pd.concat(parts)


def roll_up(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    """Return the rows to publish: rolled-up LA rows (one table per breakdown) plus pass-through rows."""
    method = mapping.geography.roll_up
    if method == "not_allowed":
        return rows
    if method == "attribute":
        return attribute(rows, mapping)
    fine = rows["_la"].notna()
    kept = rows.loc[~fine]
    tables = []
    breakdowns = mapping.breakdowns or ["total"]
    categories = [] if mapping.dimensions else ["category_type", "category"]
    for breakdown in breakdowns:
        dim = [] if breakdown == "total" else [f"dim:{breakdown}"]
        source = rows.loc[fine].copy()
        for column in categories:
            source[column] = source[column].fillna("")
        table = _combine(source, [*BASE_KEYS, *categories, *dim], method, mapping)
        if dim:
            table["category_type"], table["category"] = breakdown, table.pop(dim[0])
        elif not categories:
            table["category_type"] = table["category"] = None
        for column in categories:
            table[column] = table[column].replace("", None)
        tables.append(table)
    rolled = pd.concat(tables, ignore_index=True).rename(columns={"_la": "area_code"})
    rolled["_label"] = pd.NA
    if len(kept):
        key = ["rule_id", "area_code", "period_label", "sex", "age", "category_type", "category"]
        published = pd.MultiIndex.from_frame(kept[key].fillna("").astype(str))
        mine = pd.MultiIndex.from_frame(rolled[key].fillna("").astype(str))
        rolled = rolled.loc[~mine.isin(published)]
    return pd.concat([kept, rolled], ignore_index=True)
