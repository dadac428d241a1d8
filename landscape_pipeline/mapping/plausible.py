"""Plausibility checks of mapped rows, and the rows and figures the mapping's options add.

Checks (each raises at the first offending row, naming file, row, line and column): no period starts
after today (a future edition cannot have results yet); a proportion and its limits lie between 0
and its scale (0-100 for '%'); a row's value and its companion shares add up to the declared total
within the declared tolerance. Then :func:`expand_shares` turns each companion share into a breakdown
row, and :func:`fill_intervals` derives numerators and Wilson limits where the mapping asks for them.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from landscape_pipeline import stats
from landscape_pipeline.mapping.model import IndicatorRule, MappingFile
from landscape_pipeline.mapping.reader import Extract

DERIVED_COUNT = "Numerator derived here from the published value and denominator (rounded to a whole number)."
WILSON = "Limits: Wilson score interval computed here from the numerator and denominator (none published)."


def check_future_periods(extract: Extract, today: date | None = None) -> None:
    """No period starts after today: results for a future period (or edition) cannot exist yet."""
    today = today or date.today()
    future = pd.to_datetime(extract.rows["period_start"]).dt.date.gt(today).to_numpy()
    if not future.any():
        return
    message = (f"period {{value!r}} starts after the build date ({today.isoformat()}); a published figure cannot "
               "be for a future period: check the period (for a survey edition, its folder and period).")
    fill = extract.mapping.columns.period
    if fill is not None and fill.constant is not None:
        text = extract.rows["period"].iloc[int(np.flatnonzero(future)[0])]
        raise extract.loaded.error(("columns", "period", "constant"), message.format(value=text))
    extract.fail(future, message, column=extract.sources.get("period"), field="period")


def _upper(rule: IndicatorRule) -> float:
    return 100.0 if rule.unit.strip() == "%" else float(rule.multiplier)


def check_ranges(extract: Extract) -> None:
    """A proportion, its published limits and its shares lie between 0 and 100 (for '%') or its multiplier."""
    rows, rules = extract.rows, {r.id: r for r in extract.mapping.indicators}
    proportion = rows["rule_id"].map({k: r.value_type == "proportion" for k, r in rules.items()}).astype(bool)
    upper = rows["rule_id"].map({k: _upper(r) for k, r in rules.items()}).astype(float)
    fields = ["value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]
    fields += [c for c in rows.columns if c.startswith("share:") and c.endswith(":value")]
    for field in fields:
        values = pd.to_numeric(rows[field], errors="coerce")
        outside = (proportion & (values.lt(0) | values.gt(upper))).to_numpy()
        if not outside.any():
            continue
        bound = float(upper.to_numpy()[outside][0])
        column = None if field == "value" else extract.sources.get(field)
        extract.fail(outside, f"{{value:g}} is outside 0 to {bound:g}: a proportion cannot be, so the cell (or the "
                              "indicator's unit or scale in the mapping) is wrong.", column=column, field=field)


def check_shares(extract: Extract) -> None:
    """Each row's value and its companion shares add up to the declared total within the tolerance."""
    shares = extract.mapping.shares
    if shares is None:
        return
    rows = extract.rows
    columns = [f"share:{s.category}:value" for s in shares.columns]
    parts = rows[["value", *columns]].apply(pd.to_numeric, errors="coerce")
    complete = parts.notna().all(axis=1)
    total = parts.sum(axis=1)
    off = complete & (total - shares.total).abs().gt(shares.tolerance)
    named = ", ".join([extract.sources.get("value") or "value", *(s.value for s in shares.columns)])
    rows["_share_total"] = total
    extract.fail(off.to_numpy(), f"the value and its shares ({named}) add up to {{value:g}}, not {shares.total:g} "
                 f"(allowed difference {shares.tolerance:g}); a share is wrong or in the wrong column.",
                 field="_share_total")


def expand_shares(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    """Return ``rows`` plus one row per companion share, in the breakdown ``shares.category_type``."""
    shares = mapping.shares
    if shares is None or rows.empty:
        return rows
    made = []
    limits = [c for c in stats.CI_COLUMNS if c in rows]
    for share in shares.columns:
        part = rows.copy()
        part["value"] = rows[f"share:{share.category}:value"]
        part["count"] = rows[f"share:{share.category}:count"]
        part["suppressed"] = rows[f"share:{share.category}:suppressed"].astype(bool)
        part[limits] = np.nan
        part["category_type"], part["category"], part["_polarity"] = shares.category_type, share.category, \
            share.polarity
        part["_column"] = share.value
        made.append(part.loc[part["value"].notna() | part["suppressed"]])
    out = pd.concat([rows, *made], ignore_index=True)
    return out.drop(columns=[c for c in out.columns if c.startswith("share:")])


def _join(notes: pd.Series, text: str, where: pd.Series) -> pd.Series:
    existing = notes.where(notes.notna(), None)
    joined = [f"{n} {text}" if isinstance(n, str) and n else text for n in existing]
    return pd.Series(np.where(where, joined, existing), index=notes.index, dtype=object)


def fill_intervals(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    """Derive proportions' numerators and Wilson limits where the mapping asks and the file gives none."""
    options = mapping.intervals
    if not (options.derive_count or options.wilson_where_missing) or rows.empty:
        return rows
    out = rows.copy()
    rules = {r.id: r for r in mapping.indicators}
    proportion = out["rule_id"].map({k: r.value_type == "proportion" for k, r in rules.items()}).fillna(False)
    multiplier = out["rule_id"].map({k: float(r.multiplier) for k, r in rules.items()}).astype(float)
    usable = proportion.astype(bool) & out["denominator"].gt(0) & out["value"].notna()
    if options.derive_count:
        derive = usable & out["count"].isna()
        out.loc[derive, "count"] = (out["value"] / multiplier * out["denominator"]).round()[derive]
        out["value_note"] = _join(out["value_note"], DERIVED_COUNT, derive)
    if options.wilson_where_missing:
        fill = usable & out["count"].notna() & out["lower_ci_95"].isna() & out["upper_ci_95"].isna()
        fill &= out["count"].le(out["denominator"])
        if fill.any():
            o, n = out.loc[fill, "count"].to_numpy(float), out.loc[fill, "denominator"].to_numpy(float)
            scale, value = multiplier[fill].to_numpy(), out.loc[fill, "value"].to_numpy(float)
            limits = {tag: stats.wilson_limits(o, n, stats.z_value(level)) for level, tag in ((0.95, "95"),
                                                                                             (0.998, "99_8"))}
            # A value that is not the numerator's share (e.g. a weighted %) gets no limits from it.
            ok = (limits["95"][0] * scale <= value + 1e-9) & (value <= limits["95"][1] * scale + 1e-9)
            fill.loc[fill] = ok
            for tag, (lower, upper) in limits.items():
                out.loc[fill, f"lower_ci_{tag}"] = (lower * scale)[ok]
                out.loc[fill, f"upper_ci_{tag}"] = (upper * scale)[ok]
            out["value_note"] = _join(out["value_note"], WILSON, fill)
    return out
