"""Small-number disclosure control: primary suppression, rounding, secondary suppression and leak checks.

Apply it to *published* tables only, after values and CIs have been computed from unrounded counts
(methods.md section 3 and 6.1). Suppressed rows keep the row but blank the count, value and limits,
set ``suppressed=True`` and carry the Fingertips value note :data:`SUPPRESSED_NOTE`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Fingertips value note 101, word for word.
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"

#: Value and CI columns blanked when a row's count is suppressed (those present in the frame).
VALUE_COLUMNS = ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")


@dataclass(frozen=True)
class DisclosureRule:
    """A named rule: counts in [suppress_min, suppress_max] are suppressed, others rounded to ``round_to``."""

    name: str
    suppress_min: int | None
    suppress_max: int | None
    round_to: int | None
    description: str
    value_note: str = SUPPRESSED_NOTE

    def suppresses(self, counts: Any) -> np.ndarray:
        """Return a boolean array: True where a count falls in the suppressed range (NaN is never suppressed)."""
        c = _floats(counts)
        if self.suppress_min is None or self.suppress_max is None:
            return np.zeros(c.shape, dtype=bool)
        return (c >= self.suppress_min) & (c <= self.suppress_max)

    def rounded(self, counts: Any) -> np.ndarray:
        """Return counts rounded half up to the nearest ``round_to`` (unchanged when the rule does not round)."""
        c = _floats(counts)
        if not self.round_to:
            return c
        return np.floor(c / self.round_to + 0.5) * self.round_to


RULES: dict[str, DisclosureRule] = {
    rule.name: rule
    for rule in (
        DisclosureRule(
            "hes", 1, 7, 5, "HES/ECDS: counts 1-7 suppressed, other sub-national counts rounded to the nearest 5."
        ),
        DisclosureRule("fewer_than_5", 1, 4, None, "Counts 1-4 suppressed; no rounding."),
        DisclosureRule("fewer_than_3", 1, 2, None, "Counts 1-2 suppressed (ONS/PHE '<3' rule); no rounding."),
        DisclosureRule("7_or_fewer", 1, 7, None, "Counts 1-7 suppressed; no rounding."),
        DisclosureRule("none", None, None, None, "No disclosure control (e.g. ONS deaths, which are discoverable)."),
    )
}


class DisclosureLeakError(AssertionError):
    """A published table shows a count that its disclosure rule should have hidden."""


def get_rule(rule: str | DisclosureRule) -> DisclosureRule:
    """Return the DisclosureRule for a rule or a registered name; raise ValueError for an unknown name."""
    if isinstance(rule, DisclosureRule):
        return rule
    try:
        return RULES[rule]
    except KeyError:
        raise ValueError(f"Unknown disclosure rule {rule!r}; known rules are {', '.join(RULES)}.") from None


def _floats(values: Any) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _mask(mask: Any, n: int, name: str) -> np.ndarray:
    if mask is None:
        return np.zeros(n, dtype=bool)
    out = np.asarray(mask.to_numpy() if isinstance(mask, pd.Series) else mask, dtype=bool)
    if out.shape != (n,):
        raise ValueError(f"'{name}' must hold one True/False per row ({n}); got shape {out.shape}.")
    return out


def _blank(out: pd.DataFrame, rows: np.ndarray, cols: Sequence[str], note: str) -> pd.DataFrame:
    """Blank ``cols`` on ``rows`` and mark them suppressed with ``note`` (in place on ``out``)."""
    for col in cols:
        out[col] = np.where(rows, np.nan, _floats(out[col]))
    before = out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out else np.zeros(len(out), dtype=bool)
    out["suppressed"] = before | rows
    notes = out["value_note"].to_numpy(dtype=object) if "value_note" in out else np.full(len(out), None, dtype=object)
    out["value_note"] = np.where(rows, note, notes)
    return out


def apply_rule(
    df: pd.DataFrame,
    rule: str | DisclosureRule,
    count_cols: Sequence[str] = ("count",),
    value_cols: Sequence[str] | None = None,
    denominator_cols: Sequence[str] = (),
    exempt: Any = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` with the rule applied: suppressed rows blanked, other counts rounded.

    A row is suppressed when any of ``count_cols`` is in the rule's range; its counts and
    ``value_cols`` (default: the value and CI columns present) become NaN, ``suppressed`` is True
    and ``value_note`` is the rule's note. Non-suppressed counts (and ``denominator_cols``) are
    rounded per the rule. Values and CIs are never recomputed from rounded counts. Rows where
    ``exempt`` is True (e.g. national figures) are left as they are.
    """
    rule = get_rule(rule)
    missing = [c for c in (*count_cols, *denominator_cols) if c not in df]
    if missing:
        raise ValueError(f"Column(s) {missing} not found; apply_rule needs them to apply rule '{rule.name}'.")
    value_cols = [c for c in VALUE_COLUMNS if c in df] if value_cols is None else list(value_cols)
    keep = _mask(exempt, len(df), "exempt")
    hit = np.zeros(len(df), dtype=bool)
    for col in count_cols:
        hit |= rule.suppresses(df[col])
    hit &= ~keep
    out = df.copy()
    for col in (*count_cols, *denominator_cols):
        raw = _floats(df[col])
        out[col] = np.where(keep, raw, rule.rounded(raw))
    return _blank(out, hit, [*count_cols, *value_cols], rule.value_note)


def secondary_suppression(
    df: pd.DataFrame,
    group_cols: Sequence[str],
    cell_col: str = "count",
    total_mask: Any = None,
    total_published: bool = True,
    value_cols: Sequence[str] | None = None,
    note: str = SUPPRESSED_NOTE,
) -> pd.DataFrame:
    """Return a copy of ``df`` where no group has exactly one hidden member, so nothing is found by subtraction.

    Each group (rows sharing ``group_cols``) is a set of cells that sum to a total, e.g. Male and
    Female under Persons, or age bands under All ages. The total is the row flagged by
    ``total_mask`` (it must share the group's ``group_cols`` values); without such a row the total
    is assumed published elsewhere unless ``total_published=False``. A member is hidden when it is
    ``suppressed`` or its ``cell_col`` is missing. In a group with exactly one hidden member
    (a cell, or the total itself), the smallest visible non-zero cell is also suppressed (the
    smallest zero cell if there is none; the total row if no cell is left). One pass protects
    one dimension; for tables with several margins use :func:`suppress_margins`.
    """
    if cell_col not in df:
        raise ValueError(f"Column '{cell_col}' not found; secondary suppression needs the published cell counts.")
    value_cols = [c for c in VALUE_COLUMNS if c in df] if value_cols is None else list(value_cols)
    n = len(df)
    is_total = _mask(total_mask, n, "total_mask")
    gid = df.groupby(list(group_cols), sort=False, dropna=False).ngroup().to_numpy()
    n_groups = int(gid.max()) + 1 if n else 0
    count = _floats(df[cell_col])
    hidden = np.isnan(count)
    # Only suppressed members need protecting; a merely missing cell hides nothing sensitive.
    sensitive = df["suppressed"].to_numpy(dtype=bool) if "suppressed" in df else hidden.copy()
    hidden |= sensitive
    totals = np.bincount(gid, weights=is_total, minlength=n_groups)
    if (totals > 1).any():
        raise ValueError(f"{int((totals > 1).sum())} group(s) have more than one row flagged as the total.")
    has_total = totals > 0
    n_hidden = np.bincount(gid, weights=hidden, minlength=n_groups) + (~has_total & (not total_published))
    n_sensitive = np.bincount(gid, weights=sensitive, minlength=n_groups)
    exposed = (has_total | total_published) & (n_hidden == 1) & (n_sensitive == 1)
    candidate = ~is_total & ~hidden & exposed[gid]
    rows = np.flatnonzero(candidate)
    order = np.lexsort((rows, count[rows], count[rows] == 0, gid[rows]))
    first_groups, first = np.unique(gid[rows][order], return_index=True)
    extra = np.zeros(n, dtype=bool)
    extra[rows[order][first]] = True
    unresolved = exposed.copy()
    unresolved[first_groups] = False
    fix_total = is_total & ~hidden & unresolved[gid]
    extra |= fix_total
    unresolved[gid[fix_total]] = False
    if unresolved.any():
        warnings.warn(
            f"{int(unresolved.sum())} group(s) have one hidden cell and no other cell or total row to suppress; "
            "withhold their published totals.",
            stacklevel=2,
        )
    return _blank(df.copy(), extra, [cell_col, *value_cols], note)


def suppress_margins(
    df: pd.DataFrame,
    margins: Sequence[tuple[Sequence[str], Any]],
    cell_col: str = "count",
    max_rounds: int = 20,
    **kwargs: Any,
) -> pd.DataFrame:
    """Return ``df`` after :func:`secondary_suppression` over every (group_cols, total_mask) margin until stable.

    Suppressing a cell for one margin (e.g. sex within age) can expose another (age within sex),
    so the margins are revisited until a full round suppresses nothing more.
    """
    out = df
    for _ in range(max_rounds):
        before = int(np.isnan(_floats(out[cell_col])).sum())
        for group_cols, total_mask in margins:
            out = secondary_suppression(out, group_cols, cell_col, total_mask, **kwargs)
        if int(np.isnan(_floats(out[cell_col])).sum()) == before:
            return out
    raise RuntimeError(f"Secondary suppression did not settle within {max_rounds} rounds.")


def find_leaks(
    df: pd.DataFrame, rule: str | DisclosureRule, count_cols: Sequence[str] = ("count",), exempt: Any = None
) -> pd.DataFrame:
    """Return the rows that break ``rule``, with a ``leak`` column saying why (empty when the table is safe).

    A row leaks when a published count lies in the suppressed range, when a count is not a
    multiple of the rule's rounding base, or when a row marked suppressed still shows its count or value.
    """
    rule = get_rule(rule)
    keep = _mask(exempt, len(df), "exempt")
    reasons = pd.Series(None, index=range(len(df)), dtype=object)

    def flag(mask: np.ndarray, why: str) -> None:
        reasons[mask & reasons.isna().to_numpy()] = why

    for col in count_cols:
        c = _floats(df[col])
        flag(rule.suppresses(c), f"'{col}' in suppressed range {rule.suppress_min}-{rule.suppress_max}")
        if rule.round_to:
            flag(~np.isnan(c) & (np.mod(c, rule.round_to) != 0), f"'{col}' not rounded to {rule.round_to}")
    if "suppressed" in df:
        suppressed = df["suppressed"].to_numpy(dtype=bool)
        for col in (c for c in (*count_cols, *VALUE_COLUMNS) if c in df):
            flag(suppressed & ~np.isnan(_floats(df[col])), f"suppressed row shows '{col}'")
    leaks = reasons.notna().to_numpy() & ~keep
    return df.loc[leaks].assign(leak=reasons.to_numpy()[leaks])


def assert_no_leaks(
    df: pd.DataFrame, rule: str | DisclosureRule, count_cols: Sequence[str] = ("count",), exempt: Any = None
) -> None:
    """Return None when ``df`` obeys ``rule``; raise DisclosureLeakError describing the first leaking rows."""
    leaks = find_leaks(df, rule, count_cols, exempt)
    if len(leaks):
        sample = "; ".join(f"row {idx}: {why}" for idx, why in leaks["leak"].head(5).items())
        raise DisclosureLeakError(f"{len(leaks)} row(s) break disclosure rule '{get_rule(rule).name}': {sample}.")
