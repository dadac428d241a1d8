"""Derived indicators (e.g. a completion proportion from two counted indicators) and their disclosure control.

A derived row is computed at each area, period, sex, age and breakdown from the numerator and
denominator rules' counts: proportions with Wilson limits, rates with exact/Byar's limits
(:mod:`landscape_pipeline.stats`). Disclosure control then runs on the published table: the
mapping's rule on every count and denominator, secondary suppression across each breakdown and its
total (so no hidden cell is found by subtraction), and a derived row is hidden whenever either of
its inputs is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline import disclosure, stats
from landscape_pipeline.mapping.model import MappingFile

KEY = ["area_code", "period_label", "period_start", "period_end", "sex", "age", "category_type", "category"]
INPUT_HIDDEN = "Not shown: its numerator or denominator is suppressed."


def _keyed(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    out[["category_type", "category"]] = out[["category_type", "category"]].fillna("")
    return out


def derive(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    """Return ``rows`` with one row per derived indicator and key where both inputs are present."""
    if not mapping.derived or rows.empty:
        return rows
    keyed = _keyed(rows)
    made = []
    for rule in mapping.derived:
        num = keyed.loc[keyed["rule_id"].eq(rule.numerator), [*KEY, "count", "suppressed"]]
        den = keyed.loc[keyed["rule_id"].eq(rule.denominator), [*KEY, "count", "suppressed"]]
        pairs = num.merge(den, on=KEY, suffixes=("", "_den"))
        pairs = pairs.rename(columns={"count_den": "denominator"})
        usable = pairs["denominator"].gt(0) & pairs["count"].notna() & ~pairs["suppressed"] & ~pairs["suppressed_den"]
        frame = stats.proportion_frame if rule.method == "proportion" else stats.rate_frame
        out = pairs.assign(value=np.nan, **{c: np.nan for c in stats.CI_COLUMNS})
        if usable.any():
            done = frame(pairs.loc[usable], "count", "denominator", multiplier=rule.multiplier, errors="coerce")
            out.loc[usable, ["value", *stats.CI_COLUMNS]] = done[["value", *stats.CI_COLUMNS]]
        hidden = pairs["suppressed"] | pairs["suppressed_den"]
        out["suppressed"] = hidden
        out.loc[hidden, ["count", "denominator"]] = np.nan
        out["value_note"] = np.where(hidden, INPUT_HIDDEN, np.where(pairs["denominator"].eq(0),
                                                                   "No denominator: none in this period.", None))
        out["rule_id"] = rule.id
        made.append(out.drop(columns="suppressed_den"))
    derived = pd.concat(made, ignore_index=True)
    derived[["category_type", "category"]] = derived[["category_type", "category"]].replace("", None)
    derived["_label"] = pd.NA
    return pd.concat([rows, derived], ignore_index=True)


def protect(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    """Return ``rows`` with the mapping's disclosure rule applied (primary, breakdown margins, derived inputs)."""
    rule = disclosure.RULES[mapping.disclosure]
    if mapping.disclosure == "none" or rows.empty:
        return rows
    out = disclosure.apply_rule(rows, rule, count_cols=("count", "denominator"))
    derived_ids = {d.id for d in mapping.derived}
    base = ~out["rule_id"].isin(derived_ids)
    if mapping.breakdowns:
        out.loc[base] = _margins(out.loc[base], [b for b in mapping.breakdowns if b != "total"])
    if mapping.derived:
        out = _hide_derived(out, mapping)
    return out


def _margins(rows: pd.DataFrame, breakdowns: list[str]) -> pd.DataFrame:
    """Secondary suppression over each breakdown and its total, repeated until nothing more is hidden."""
    group = ["rule_id", "area_code", "period_label", "sex", "age"]
    out = rows.copy()
    for _ in range(20):
        before = int(out["count"].isna().sum())
        for breakdown in breakdowns:
            part = out["category_type"].isna() | out["category_type"].eq(breakdown)
            if not part.any():
                continue
            protected = disclosure.secondary_suppression(
                out.loc[part], group, total_mask=out.loc[part, "category_type"].isna().to_numpy())
            changed = ["count", "suppressed", "value_note", *[c for c in disclosure.VALUE_COLUMNS if c in out]]
            out.loc[part, changed] = protected[changed].to_numpy()
        if int(out["count"].isna().sum()) == before:
            return out
    raise RuntimeError("Secondary suppression across breakdowns did not settle.")


def _hide_derived(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    keyed = _keyed(rows)
    hidden = keyed.loc[keyed["suppressed"], ["rule_id", *KEY]]
    out = rows.copy()
    for rule in mapping.derived:
        mine = keyed["rule_id"].eq(rule.id)
        inputs = hidden.loc[hidden["rule_id"].isin((rule.numerator, rule.denominator)), KEY].drop_duplicates()
        index = pd.MultiIndex.from_frame(keyed.loc[mine, KEY].astype(str))
        hit = index.isin(pd.MultiIndex.from_frame(inputs.astype(str))) & ~keyed.loc[mine, "suppressed"].to_numpy()
        rows_hit = keyed.index[mine][hit]
        out.loc[rows_hit, ["count", "denominator", "value", *stats.CI_COLUMNS]] = np.nan
        out.loc[rows_hit, "suppressed"] = True
        out.loc[rows_hit, "value_note"] = INPUT_HIDDEN
    return out
