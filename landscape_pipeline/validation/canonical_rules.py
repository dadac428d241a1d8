"""Plausibility rules every canonical table must pass, as vectorised checks beside the GX suite.

(Helpers a source's parser or suite calls for its own rules are in :mod:`.plausibility`.)

A file can be perfectly well formed and still wrong: a period in the future, a percentage of 150,
a count of 1e20, a proportion whose count contradicts its value and denominator, a rank beyond the
number of areas ranked, two rows for one area and period (after moving retired codes onto their
successors) with different values, Male and Female counts adding to more than Persons. Each rule
returns the offending rows; :mod:`landscape_pipeline.validation.runner` reports them like GX
failures, by file, row and column. Tolerances follow the publisher's rounding: values to half a
unit of a whole percentage point, counts to the source's disclosure rounding (HES: 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from landscape_pipeline import schema

#: No count, denominator or value of a cancer indicator reaches this (the world has 8e9 people).
MAX_MAGNITUDE = 1e12
NUMERIC = ("value", "count", "denominator", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
LIMITS = ("lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
_PER = re.compile(r"per\s+([\d,]+)", re.I)
_RANGE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Context:
    """What the rules need besides the table."""

    build_date: date
    #: Counts are published rounded to at least this; each row's source adds its disclosure rule's rounding.
    count_rounding: float = 1.0


def count_rounding(frame: pd.DataFrame, floor: float = 1.0) -> np.ndarray:
    """Return each row's count rounding: its source's disclosure rule (HES: 5), at least ``floor``."""
    from landscape_pipeline import disclosure
    from landscape_pipeline.sources.registry import all_sources

    specs = all_sources()
    codes, ids = pd.factorize(frame["source_id"].fillna("").astype(str))
    per_source = [float(disclosure.RULES[specs[i].disclosure_rule].round_to or 1) if i in specs else 1.0
                  for i in ids]
    return np.maximum(np.asarray(per_source or [1.0], dtype=float)[codes], floor)


@dataclass(frozen=True)
class Violation:
    """Rows breaking one rule: ``mask`` over the frame, ``columns`` to show, ``blame`` the column at fault."""

    rule: str
    description: str
    mask: np.ndarray
    columns: tuple[str, ...]
    blame: str


Rule = Callable[[pd.DataFrame, Context], list[Violation]]


def _scale_of(unit: str) -> float:
    per = _PER.search(unit)
    if per:
        return float(per.group(1).replace(",", ""))
    return 100.0 if re.search(r"%|per ?cent", unit, re.I) else 1.0


def _range_of(unit: str) -> tuple[float, float]:
    found = _RANGE.search(unit)
    return (float(found.group(1)), float(found.group(2))) if found else (np.nan, np.nan)


def _per_unit(units: pd.Series, parse: Callable[[str], object]) -> np.ndarray:
    """Apply ``parse`` once per distinct unit (tables have a handful) and spread the answers over the rows."""
    codes, distinct = pd.factorize(units.fillna("").astype(str))
    return np.asarray([parse(str(unit)) for unit in distinct] or [parse("")], dtype=float)[codes]


def multiplier(units: pd.Series) -> np.ndarray:
    """Return the scale of a proportion from its unit: '%' is 100, 'per 1,000' is 1000, otherwise 1."""
    return np.asarray(_per_unit(units, _scale_of), dtype=float)


def _future(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    start = pd.to_datetime(frame["period_start"], errors="coerce")
    mask = (start > pd.Timestamp(ctx.build_date)).to_numpy()
    return [Violation("no_future_periods", f"No period starts after the build date ({ctx.build_date}).", mask,
                      ("period_label",), "period_label")]


def _magnitudes(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    out = []
    for column in NUMERIC:
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        mask = np.isinf(values) | (np.abs(np.nan_to_num(values, nan=0.0)) >= MAX_MAGNITUDE)
        out.append(Violation("finite_and_bounded", f"'{column}' is a finite number below {MAX_MAGNITUDE:g}.", mask,
                             (column,), column))
    return out


def _proportion_ranges(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    proportion = frame["value_type"].eq("proportion").to_numpy()
    top = multiplier(frame["unit"])
    out = []
    for column in ("value", *LIMITS):
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        mask = proportion & ((values < 0) | (values > top))
        out.append(Violation("proportion_in_range", f"Proportions ('{column}') lie within 0 and 100% "
                             "(or 0-1, 0-1,000 ... as the unit says).", mask, (column, "unit"), column))
    return out


def _score_ranges(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    bounds = np.asarray(_per_unit(frame["unit"], _range_of), dtype=float).reshape(-1, 2)
    scored = frame["value_type"].eq("score").to_numpy() & ~np.isnan(bounds[:, 0])
    values = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    mask = scored & ((values < bounds[:, 0]) | (values > bounds[:, 1]))
    return [Violation("score_in_range", "Scores lie within the range their unit states (e.g. 'score 0-10').",
                      mask, ("value", "unit"), "value")]


def _whole_counts(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    values = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    finite = np.where(np.isfinite(values), values, 0.0)
    mask = frame["value_type"].eq("count").to_numpy() & (np.abs(finite - np.round(finite)) > 1e-9)
    return [Violation("whole_counts", "Counts of people or events are whole numbers.", mask, ("value",), "value")]


def _count_within_denominator(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    count = frame["count"].to_numpy(dtype=float, na_value=np.nan)
    denominator = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)
    mask = frame["value_type"].eq("proportion").to_numpy() & (count > denominator)
    return [Violation("count_within_denominator", "For proportions the count is not above the denominator.", mask,
                      ("count", "denominator"), "count")]


def _proportion_consistency(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    """Value within what count / denominator allows, given rounding of the counts and of the value."""
    count = frame["count"].to_numpy(dtype=float, na_value=np.nan)
    denominator = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)
    value = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    scale = multiplier(frame["unit"])
    usable = (frame["value_type"].eq("proportion").to_numpy() & ~frame["suppressed"].to_numpy(dtype=bool)
              & np.isfinite(count) & np.isfinite(denominator) & np.isfinite(value) & (denominator > 0))
    slack = np.maximum(count_rounding(frame, ctx.count_rounding) / 2, 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.clip(count - slack, 0, None) / (denominator + slack) * scale
        high = np.where(denominator > slack, (count + slack) / (denominator - slack) * scale, np.inf)
    tolerance = 0.005 * scale  # half a whole percentage point
    mask = usable & ((value < low - tolerance) | (value > high + tolerance))
    return [Violation("proportion_matches_count", "A proportion agrees with its count and denominator "
                      "(within the publisher's rounding).", mask, ("count", "denominator", "value"), "count")]


def _ranks(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    rank = frame["value_type"].eq("rank").to_numpy()
    if not rank.any():
        return []
    group = [c for c in schema.KEY_COLUMNS if c != "area_code"]
    part = frame.loc[rank, [*group, "area_code"]].fillna("")
    areas = part.groupby(group, sort=False)["area_code"].transform("nunique").to_numpy(dtype=float)
    of = frame.loc[rank, "denominator"].to_numpy(dtype=float, na_value=np.nan)
    of = np.where(np.isnan(of), areas, of)
    values = frame.loc[rank, "value"].to_numpy(dtype=float, na_value=np.nan)
    mask = np.zeros(len(frame), dtype=bool)
    mask[rank] = (values < 1) | (values > of)
    return [Violation("rank_within_count", "A rank lies between 1 and the number of areas ranked.", mask,
                      ("value", "denominator"), "value")]


def _recoded_conflicts(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    """Rows that share a key once retired LA codes are moved onto their successors, with different values."""
    from landscape_pipeline import geography

    codes = frame["area_code"].astype(str)
    status = geography.classify_area_codes(frame["area_code"])
    retired = status.eq("retired_la").to_numpy()
    if not retired.any():
        return []
    mapping = {}
    for code in pd.unique(codes[retired]):
        try:
            mapping[code] = geography.resolve_area_code(code)
        except ValueError:
            continue
    recoded = codes.map(lambda c: mapping.get(c, c))
    keyed = frame[list(schema.KEY_COLUMNS)].fillna("").astype(str).assign(area_code=recoded.to_numpy())
    values = frame[["value", "count", "denominator"]].astype(str)
    combined = pd.concat([keyed, values], axis=1)
    distinct = combined.drop_duplicates()
    clash = distinct.duplicated(subset=list(schema.KEY_COLUMNS), keep=False)
    clashing_keys = distinct.loc[clash, list(schema.KEY_COLUMNS)].drop_duplicates()
    in_clash = keyed.merge(clashing_keys.assign(_hit=True), how="left", on=list(schema.KEY_COLUMNS))["_hit"]
    touched = keyed.assign(_retired=retired).groupby(list(schema.KEY_COLUMNS))["_retired"].transform("any")
    mask = in_clash.fillna(False).to_numpy(dtype=bool) & touched.to_numpy(dtype=bool)
    return [Violation("no_conflict_after_recoding", "A retired LA code's row does not contradict its successor's "
                      "row for the same indicator, period and breakdown.", mask, ("area_code", "value"), "area_code")]


def _sex_parts(frame: pd.DataFrame, ctx: Context) -> list[Violation]:
    """Male + Female counts do not exceed the Persons count (unknown sex may make them fall short)."""
    counts = frame["count"].where(frame["count"].notna() | ~frame["value_type"].eq("count"), frame["value"])
    usable = counts.notna() & ~frame["suppressed"].astype(bool) & frame["sex"].isin(["Male", "Female", "Persons"])
    if not usable.any() or frame.loc[usable, "sex"].nunique() < 3:
        return []
    margin = [c for c in schema.KEY_COLUMNS if c != "sex"]
    rounding = count_rounding(frame, ctx.count_rounding)
    part = frame.loc[usable, margin].fillna("").assign(sex=frame.loc[usable, "sex"], n=counts[usable],
                                                       r=rounding[usable.to_numpy()])
    wide = part.pivot_table(index=margin, columns="sex", values="n", aggfunc="first")
    wide = wide.dropna(subset=[c for c in ("Male", "Female", "Persons") if c in wide.columns])
    if not {"Male", "Female", "Persons"} <= set(wide.columns) or wide.empty:
        return []
    excess = wide["Male"] + wide["Female"] - wide["Persons"]
    slack = 3 * np.maximum(part.groupby(margin)["r"].max().reindex(wide.index) / 2, 0.5)
    bad = excess[excess > slack].index
    keys = frame[margin].fillna("")
    hit = pd.MultiIndex.from_frame(keys).isin(bad) & frame["sex"].eq("Persons").to_numpy() & usable.to_numpy()
    return [Violation("sexes_within_persons", "Male and Female counts do not add up to more than the Persons "
                      "count (within rounding).", np.asarray(hit), ("count", "sex"), "count")]


RULES: tuple[Rule, ...] = (_future, _magnitudes, _proportion_ranges, _score_ranges, _whole_counts,
                           _count_within_denominator, _proportion_consistency, _ranks, _recoded_conflicts, _sex_parts)
#: Each rule by the name its failures carry (for tests and for sources that want one rule alone).
RULE_BY_NAME: dict[str, Rule] = {
    "no_future_periods": _future, "finite_and_bounded": _magnitudes, "proportion_in_range": _proportion_ranges,
    "score_in_range": _score_ranges, "whole_counts": _whole_counts,
    "count_within_denominator": _count_within_denominator, "proportion_matches_count": _proportion_consistency,
    "rank_within_count": _ranks, "no_conflict_after_recoding": _recoded_conflicts, "sexes_within_persons": _sex_parts,
}


def violations(frame: pd.DataFrame, ctx: Context) -> tuple[int, list[Violation]]:
    """Return how many checks ran and those that found rows (``frame`` conformed, any index)."""
    flat = frame.reset_index(drop=True)
    found: list[Violation] = []
    ran = 0
    for rule in RULES:
        for violation in rule(flat, ctx):
            ran += 1
            if violation.mask.any():
                found.append(violation)
    return ran, found


def empty_table_message(files: Sequence[str]) -> str:
    """Return the sentence for a table with no rows at all."""
    named = ", ".join(files) if files else "the input"
    return (f"No data rows were read from {named}: a header-only, empty or cut-short file is not accepted. "
            "Download it again from the publisher.")
