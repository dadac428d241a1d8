"""Derived indicators (e.g. a completion proportion from two counted indicators) and the counts they share.

A derived row is computed at each area, period, sex, age and breakdown from the numerator and
denominator rules' counts: proportions with Wilson limits, rates with exact/Byar's limits
(:mod:`landscape_pipeline.stats`). A derived row whose input the source file withheld is not
computed. Disclosure control is not done here: the one layer (:func:`landscape_pipeline.disclosure.protect`,
applied to every source at ingest) protects the mapped table, and :func:`count_families` tells it
that a derived row uses its numerator's and denominator's counts, so hiding either hides it, and
under a rounding rule it is recomputed from the published counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline import stats
from landscape_pipeline.disclosure import CountFamilies
from landscape_pipeline.mapping.model import MappingFile

KEY = ["area_code", "period_label", "period_start", "period_end", "sex", "age", "category_type", "category"]
INPUT_HIDDEN = "Not computed: its numerator or denominator is suppressed in the source file."


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


def count_families(mapping: MappingFile) -> CountFamilies:
    """Return the mapping's count families for the disclosure layer (see :mod:`landscape_pipeline.disclosure.cells`).

    A derived indicator's count is its numerator indicator's count and its denominator the
    denominator indicator's count. A proportion's own denominator (people eligible) is a count of
    people, so it is protected too; a rate's denominator (a population) is not.
    """
    derived = {d.id: (d.numerator, d.denominator) for d in mapping.derived}
    proportions = {r.id for r in mapping.indicators if r.value_type == "proportion"}

    def families(indicator_id: str) -> tuple[str, str | None]:
        if indicator_id in derived:
            return derived[indicator_id]
        return indicator_id, f"{indicator_id} (denominator)" if indicator_id in proportions else None

    return families
