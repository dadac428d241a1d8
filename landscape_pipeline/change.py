"""Change since a frozen baseline: each series' baseline period against its latest period now.

Per indicator x area x sex x age x breakdown: the baseline (latest period in the frozen set) and
the current (latest period in the current baselines) period, value and 95% limits; the absolute
and relative change with their 95% CIs; a test suited to the value type (see
:mod:`landscape_pipeline.stats.change` for each method and its reference) and whether it is
significant; and flags for "no newer period", "definition or method changed" and "present in only
one of the two". The absolute and relative changes are the published figures' (current minus
baseline); the CIs and tests come from the counts or the published limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from landscape_pipeline import freeze
from landscape_pipeline.catalogue import round_half_away
from landscape_pipeline.export_guard import check_publishable
from landscape_pipeline.pulls import Pull, baseline_files, catalogue_for, file_metadata, filter_rows, read_rows
from landscape_pipeline.stats.change import change_from_limits, poisson_change, proportion_change

SERIES = ["indicator_id", "area_code", "sex", "age", "category_type", "category"]
SIDE = {"period_label": "period", "value": "value", "lower_ci_95": "lower_95", "upper_ci_95": "upper_95",
        "count": "count", "denominator": "denominator"}
DESCRIPTORS = ("indicator_name", "source_id", "area_name", "value_type", "unit", "polarity")
DEFINITION_FIELDS = ("definition", "numerator", "denominator", "value_type", "unit", "multiplier", "ci_method")
LOG_SCALE_TYPES = frozenset({"DSR", "ISR", "crude rate", "rate", "ratio"})

FLAG_NO_NEWER = "no newer period"
FLAG_DEFINITION = "definition or method changed"
FLAG_ONE_SIDE = "present in only one of the two"
M_PROPORTIONS = "Two proportions: pooled z-test, Newcombe hybrid score CI"
M_POISSON = "Two Poisson rates: z-test on the log rate ratio"
M_POISSON_EXACT = "Two Poisson rates: exact conditional test (fewer than 10 events)"
M_LOG_LIMITS = "From the published 95% limits: log-scale SEs (ratio)"
M_LIMITS = "From the published 95% limits: natural-scale SEs (difference)"
METHOD_NOTES: tuple[str, ...] = (
    "Proportions with numerator and denominator: two-sample z-test with the pooled proportion (Altman et al., "
    "Statistics with Confidence, 2000); CI of the difference by Newcombe's hybrid score method (Stat Med 1998;17:"
    "873-890, method 10); relative change by the log ratio (Katz).",
    "Crude rates and counts with counts: ratio of two Poisson rates, z-test on the log rate ratio with SE "
    "sqrt(1/O1 + 1/O2) (Breslow & Day 1987, vol. II); below 10 events the exact conditional binomial test with "
    "Clopper-Pearson limits for the ratio (Ulm 1990).",
    "DSRs, ISRs and other figures published with 95% limits: the SEs implied by the limits (Altman & Bland, BMJ "
    "2003;326:219 and 2011;343:d2090), on the log scale for ratio-type statistics (Dobson's DSR limits), on the "
    "natural scale for proportions without counts, scores and means.",
    "Significant means p < 0.05 (two-sided). Absolute and relative changes are the published figures' (current "
    "minus baseline); CIs of the change are 95%. Overlapping CIs of the two periods are NOT a test.",
    "No test where a figure is not a sample estimate (ranks, index scores, population estimates), where a value is "
    "missing or suppressed, where there is no newer period, or where the definition or method changed.",
)


def _latest(rows: pd.DataFrame) -> pd.DataFrame:
    """Return each series' latest row (by is_latest, then the latest period start), keys with '' for NA."""
    latest = rows.loc[rows["is_latest"]].copy()
    latest[["category_type", "category"]] = latest[["category_type", "category"]].fillna("")
    latest = latest.sort_values("period_start", kind="stable").drop_duplicates(SERIES, keep="last")
    return latest


def _side(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    keep = rows[[*SERIES, *DESCRIPTORS, "period_start", "synthetic", "suppressed", *SIDE]]
    return keep.rename(columns={**{c: f"{prefix}_{n}" for c, n in SIDE.items()},
                                **{c: f"{prefix}_{c}" for c in (*DESCRIPTORS, "period_start", "synthetic",
                                                                "suppressed")}})


def _value_now(merged: pd.DataFrame, current: pd.DataFrame) -> np.ndarray:
    """Return the current data's value for each row's baseline period (NaN when that period is gone)."""
    now = current[[*SERIES, "period_label", "value"]].copy()
    now[["category_type", "category"]] = now[["category_type", "category"]].fillna("")
    now = now.drop_duplicates([*SERIES, "period_label"]).rename(columns={"period_label": "baseline_period",
                                                                         "value": "baseline_value_now"})
    found = merged[[*SERIES, "baseline_period"]].merge(now, on=[*SERIES, "baseline_period"], how="left")
    return found["baseline_value_now"].to_numpy(float)


def definition_changed(catalogue: pd.DataFrame, frozen: pd.DataFrame | None) -> dict[str, bool]:
    """Return indicator id -> True where a definition field differs between the frozen and current catalogue."""
    if frozen is None or frozen.empty:
        return {}
    now = catalogue.drop_duplicates("indicator_id").set_index("indicator_id")
    then = frozen.drop_duplicates("indicator_id").set_index("indicator_id")
    common = now.index.intersection(then.index)
    out = {}
    for field in DEFINITION_FIELDS:
        if field not in now or field not in then:
            continue
        a, b = now.loc[common, field], then.loc[common, field]
        differs = ~((a == b) | (a.isna() & b.isna()))
        for indicator_id in differs[differs].index:
            out[indicator_id] = True
    return out


def compare_frames(baseline: pd.DataFrame, current: pd.DataFrame, catalogue: pd.DataFrame,
                   frozen_catalogue: pd.DataFrame | None = None, *, confidence: float = 0.95) -> pd.DataFrame:
    """Return one row per series in either table: both periods, the change, its CI, the test and flags."""
    merged = _side(_latest(baseline), "baseline").merge(_side(_latest(current), "current"), on=SERIES,
                                                          how="outer", indicator=True)
    merged["baseline_value_now"] = _value_now(merged, current)
    both = merged["_merge"].eq("both").to_numpy()
    present = merged["_merge"].map({"both": "both", "left_only": "baseline only", "right_only": "current only"})
    out = merged[SERIES].copy()
    for name in DESCRIPTORS:
        out[name] = merged[f"current_{name}"].fillna(merged[f"baseline_{name}"])
    for prefix in ("baseline", "current"):
        for name in SIDE.values():
            out[f"{prefix}_{name}"] = merged[f"{prefix}_{name}"]
        if prefix == "baseline":
            out["baseline_value_now"] = merged["baseline_value_now"]
    cat = catalogue.drop_duplicates("indicator_id").set_index("indicator_id")
    ids = out["indicator_id"]
    changed_ids = definition_changed(catalogue, frozen_catalogue)
    row_changed = (merged["baseline_value_type"].fillna("") != merged["current_value_type"].fillna("")) | \
                  (merged["baseline_unit"].fillna("") != merged["current_unit"].fillna(""))
    def_changed = both & (ids.map(changed_ids).fillna(False).astype(bool) | row_changed).to_numpy()
    no_newer = both & ~(merged["current_period_start"] > merged["baseline_period_start"]).fillna(False).to_numpy()
    no_newer &= ~def_changed
    result = _tests(out, cat, confidence)
    blocked = ~both | no_newer | def_changed
    for key in result:
        if key != "test":
            result[key] = np.where(blocked, np.nan, result[key])
    v1, v2 = out["baseline_value"].to_numpy(float), out["current_value"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["abs_change"] = np.where(blocked, np.nan, v2 - v1)
        out["abs_change_lower_95"], out["abs_change_upper_95"] = result["abs_change_lower"], result["abs_change_upper"]
        out["rel_change_pct"] = np.where(blocked | (v1 == 0), np.nan, 100 * (v2 / v1 - 1))
    out["rel_change_lower_95"], out["rel_change_upper_95"] = result["rel_change_lower"], result["rel_change_upper"]
    test = np.where(~both, "No test: " + FLAG_ONE_SIDE, np.where(no_newer, "No test: no newer period",
                    np.where(def_changed, "No test: definition or method changed", result["test"])))
    out["test"], out["z"], out["p_value"] = test, result["z"], result["p_value"]
    p_value = out["p_value"].to_numpy(float)
    significant = pd.array(np.where(np.isfinite(p_value), p_value < 1 - confidence, None), dtype="boolean")
    out["significant"] = significant
    out["assessment"] = _assessment(out["abs_change"].to_numpy(float), significant, out["polarity"])
    out["no_newer_period"], out["definition_changed"], out["present_in"] = no_newer, def_changed, present.to_numpy()
    out["flags"] = _flags(no_newer, def_changed, ~both)
    out["note"] = _notes(out, no_newer)
    out["synthetic"] = merged["baseline_synthetic"].fillna(False).astype(bool) | \
        merged["current_synthetic"].fillna(False).astype(bool)
    out[["category_type", "category"]] = out[["category_type", "category"]].replace("", None)
    _round(out, ids.map(cat["decimals"]) if "decimals" in cat else pd.Series(np.nan, index=out.index))
    return out.sort_values(["indicator_id", "area_code", "sex", "age"], kind="stable").reset_index(drop=True)


def _tests(out: pd.DataFrame, cat: pd.DataFrame, confidence: float) -> dict[str, np.ndarray]:
    """Return the CIs, statistic, p-value and method name of every row (NaN/'No test: ...' where none applies)."""
    n = len(out)
    res: dict[str, np.ndarray] = {k: np.full(n, np.nan) for k in (
        "abs_change_lower", "abs_change_upper", "rel_change_lower", "rel_change_upper", "z", "p_value")}
    res["test"] = np.full(n, "No test: no counts or confidence limits", dtype=object)
    num = {f"{side}_{name}": out[f"{side}_{name}"].to_numpy(float) for side in ("baseline", "current")
           for name in SIDE.values() if name != "period"}
    vt = out["value_type"].fillna("").to_numpy()
    change_test = out["indicator_id"].map(cat["change_test"]).fillna("auto").to_numpy() \
        if "change_test" in cat else np.full(n, "auto")
    multiplier = (out["indicator_id"].map(cat["multiplier"]).to_numpy(float) if "multiplier" in cat
                  else np.full(n, np.nan))
    o1, n1 = num["baseline_count"], num["baseline_denominator"]
    o2, n2 = num["current_count"], num["current_denominator"]
    v1, v2 = num["baseline_value"], num["current_value"]
    l1, u1 = num["baseline_lower_95"], num["baseline_upper_95"]
    l2, u2 = num["current_lower_95"], num["current_upper_95"]
    valued = np.isfinite(v1) & np.isfinite(v2)
    counts = np.isfinite(o1) & np.isfinite(o2)
    dens = np.isfinite(n1) & np.isfinite(n2) & (n1 > 0) & (n2 > 0)
    limits = np.isfinite(l1) & np.isfinite(u1) & np.isfinite(l2) & np.isfinite(u2)
    auto = change_test != "none"
    res["test"][~auto] = "No test: not a sample estimate"
    res["test"][auto & ~valued] = "No test: value missing or suppressed"
    masks = {
        M_PROPORTIONS: auto & valued & (vt == "proportion") & counts & dens & (o1 <= n1) & (o2 <= n2),
        M_POISSON: auto & valued & (((vt == "crude rate") & counts & dens) | ((vt == "count") & counts)),
    }
    masks[M_LOG_LIMITS] = auto & valued & limits & ~masks[M_PROPORTIONS] & ~masks[M_POISSON] & \
        np.isin(vt, list(LOG_SCALE_TYPES))
    masks[M_LIMITS] = auto & valued & limits & ~masks[M_PROPORTIONS] & ~masks[M_POISSON] & ~masks[M_LOG_LIMITS]
    for method, mask in masks.items():
        if not mask.any():
            continue
        if method == M_PROPORTIONS:
            m = np.where(np.isfinite(multiplier), multiplier, np.where(out["unit"].eq("%"), 100.0, 1.0))[mask]
            got = proportion_change(o1[mask], n1[mask], o2[mask], n2[mask], multiplier=1.0, confidence=confidence)
            for key in ("abs_change_lower", "abs_change_upper"):
                got[key] = got[key] * m
        elif method == M_POISSON:
            is_count = vt[mask] == "count"
            m = np.where(is_count, 1.0, np.where(np.isfinite(multiplier[mask]), multiplier[mask],
                                                 _implied_multiplier(v1[mask], o1[mask], n1[mask])))
            got = poisson_change(o1[mask], np.where(is_count, 1.0, n1[mask]), o2[mask],
                                 np.where(is_count, 1.0, n2[mask]), multiplier=1.0, confidence=confidence)
            for key in ("abs_change_lower", "abs_change_upper"):
                got[key] = got[key] * m
            exact = np.isnan(got["z"]) & np.isfinite(got["p_value"])
            res["test"][np.flatnonzero(mask)[exact]] = M_POISSON_EXACT
        else:
            got = change_from_limits(v1[mask], l1[mask], u1[mask], v2[mask], l2[mask], u2[mask],
                                     log_scale=method == M_LOG_LIMITS, confidence=confidence)
        for key in ("abs_change_lower", "abs_change_upper", "rel_change_lower", "rel_change_upper", "z", "p_value"):
            res[key][mask] = got[key]
        tested = np.flatnonzero(mask)
        res["test"][tested] = np.where(res["test"][tested] == M_POISSON_EXACT, M_POISSON_EXACT, method)
        res["test"][tested[~np.isfinite(got["p_value"])]] = "No test: the figures do not allow one"
    return res


def _implied_multiplier(value: np.ndarray, count: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return the power of ten that turns count / denominator into the published rate."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = value / (count / denominator)
        return np.where(np.isfinite(ratio) & (ratio > 0), 10.0 ** np.round(np.log10(ratio)), 1.0)


def _assessment(change: np.ndarray, significant: pd.arrays.BooleanArray, polarity: pd.Series) -> np.ndarray:
    sig = np.asarray(significant.fillna(False), dtype=bool)
    tested = ~np.asarray(significant.isna(), dtype=bool)
    up, down = sig & (change > 0), sig & (change < 0)
    pol = polarity.fillna("").str.lower().to_numpy()
    high, low = pol == "high is good", pol == "low is good"
    out = np.full(len(change), "Not tested", dtype=object)
    out[tested] = "No significant change"
    out[up] = np.where(high[up], "Improved", np.where(low[up], "Worsened", "Increased"))
    out[down] = np.where(high[down], "Worsened", np.where(low[down], "Improved", "Decreased"))
    return out


def _flags(no_newer: np.ndarray, changed: np.ndarray, one_side: np.ndarray) -> list[str]:
    names = ((no_newer, FLAG_NO_NEWER), (changed, FLAG_DEFINITION), (one_side, FLAG_ONE_SIDE))
    return ["; ".join(name for mask, name in names if mask[i]) for i in range(len(no_newer))]


def _notes(out: pd.DataFrame, no_newer: np.ndarray) -> list[str]:
    v1 = out["baseline_value"]
    now = out["baseline_value_now"]
    revised = (v1.ne(now) & v1.notna() & now.notna()).to_numpy()
    notes = np.full(len(out), "", dtype=object)
    notes[revised] = "The baseline period's value has since been revised (now in baseline_value_now)."
    notes[no_newer & revised] = "No newer period; the baseline period's value has since been revised."
    only_current = out["baseline_period"].isna().to_numpy()
    notes[only_current] = "Not in the frozen baseline (a new indicator, area or breakdown)."
    notes[out["current_period"].isna().to_numpy()] = "No longer in the current data."
    return notes.tolist()


def _round(out: pd.DataFrame, decimals: pd.Series) -> None:
    """Round the computed columns once: changes to the indicator's precision, % to 1 place, z 2, p 4."""
    places = decimals.to_numpy(dtype=float)
    for column in ("abs_change", "abs_change_lower_95", "abs_change_upper_95"):
        out[column] = round_half_away(out[column].to_numpy(float), places)
    one = np.ones(len(out))
    for column, digits in (("rel_change_pct", 1), ("rel_change_lower_95", 1), ("rel_change_upper_95", 1),
                           ("z", 2), ("p_value", 4)):
        out[column] = round_half_away(out[column].to_numpy(float), one * digits)


def compare_with_frozen(root, label: str, *, areas: Sequence[str] | None = None,
                        indicators: Sequence[str] | None = None, sexes: Sequence[str] | None = None,
                        confidence: float = 0.95) -> Pull:
    """Return the change since the baselines frozen under ``label`` for ``areas`` (default: every frozen LA)."""
    codes = list(areas) if areas else freeze.frozen_codes(root, label)
    frozen_rows, frozen_meta = read_rows(baseline_files(root, codes, label))
    current_rows, current_meta = read_rows(baseline_files(root, codes))
    patterns = indicators
    if indicators:  # ids are matched against both sides so an indicator present in only one is still found
        union = pd.concat([frozen_rows[["indicator_id"]], current_rows[["indicator_id"]]])
        from landscape_pipeline.selection import match_indicators

        patterns = match_indicators(indicators, union["indicator_id"])
        frozen_rows = frozen_rows[frozen_rows["indicator_id"].isin(patterns)]
        current_rows = current_rows[current_rows["indicator_id"].isin(patterns)]
    frozen_rows = filter_rows(frozen_rows, None, sexes, latest=False)
    current_rows = filter_rows(current_rows, None, sexes, latest=False)
    catalogue = catalogue_for(root, pd.concat([current_rows, frozen_rows], ignore_index=True))
    frozen_path = freeze.frozen_catalogue_path(root, label)
    frozen_catalogue = pd.read_parquet(frozen_path) if frozen_path is not None else None
    table = compare_frames(frozen_rows, current_rows, catalogue, frozen_catalogue, confidence=confidence)
    manifest = freeze.read_manifest(root, label)
    base_meta, now_meta = file_metadata(frozen_meta, label), file_metadata(current_meta, None)
    metadata = {
        "frozen_label": label, "frozen_at": manifest.get("frozen_at"), "frozen_note": manifest.get("note", ""),
        "baseline_built_at": base_meta["built_at"], "baseline_run": base_meta["run"],
        "built_at": now_meta["built_at"], "run": now_meta["run"], "synthetic": bool(table["synthetic"].any()),
        "areas": codes, "indicators": sorted(table["indicator_id"].unique().tolist()), "sexes": list(sexes or []),
        "rows": len(table), "significant": int(table["significant"].fillna(False).sum()),
        "confidence": confidence, "generated_at": now_meta["generated_at"],
        "frozen_catalogue": frozen_catalogue is not None,
    }
    check_publishable(table)
    dictionary = catalogue[catalogue["indicator_id"].isin(table["indicator_id"])].reset_index(drop=True)
    return Pull(table, dictionary, metadata, METHOD_NOTES)
