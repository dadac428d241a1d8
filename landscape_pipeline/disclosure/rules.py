"""Disclosure rules, one per publisher practice, and the cell-by-cell tools: apply a rule, find leaks.

:data:`RULES` is the one place a rule is defined, with the publisher's guidance it follows;
``SourceSpec.disclosure_rule`` names one of them. Suppressed rows keep the row but blank the
count, value and limits, set ``suppressed=True`` and carry the Fingertips value note
:data:`SUPPRESSED_NOTE` (methods.md section 3). Making whole tables safe (secondary suppression,
figures re-derived from published counts) is :func:`landscape_pipeline.disclosure.protect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Fingertips value note 101, word for word.
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"

#: Value and CI columns blanked when a row's count is suppressed (those present in the frame).
VALUE_COLUMNS = ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
#: The canonical columns the checks and attacks read: a caller holding a wide table may pass only these.
COLUMNS_READ = ("source_id", "indicator_id", "area_code", "area_type", "region_code", "sex", "age", "category_type",
                "category", "period_label", "period_start", "period_end", "value", "lower_ci_95", "upper_ci_95",
                "lower_ci_99_8", "upper_ci_99_8", "count", "denominator", "suppressed", "value_note", "value_type",
                "unit")


@dataclass(frozen=True)
class DisclosureRule:
    """A named rule: counts in [suppress_min, suppress_max] are suppressed, others rounded to ``round_to``.

    ``guidance`` cites the publisher's guidance the rule follows.
    """

    name: str
    suppress_min: int | None
    suppress_max: int | None
    round_to: int | None
    description: str
    guidance: str = ""
    value_note: str = SUPPRESSED_NOTE

    @property
    def controls(self) -> bool:
        """True when the rule hides or rounds anything (every rule but "none")."""
        return self.suppress_max is not None or bool(self.round_to)

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

    def published(self, counts: Any) -> np.ndarray:
        """Return counts as the rule publishes them: NaN where suppressed, rounded elsewhere."""
        c = _floats(counts)
        return np.where(self.suppresses(c), np.nan, self.rounded(c))

    def reader_bounds(self, published: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return (low, high): what a reader knows about each true count from its published form alone.

        A hidden (NaN) count is at least ``suppress_min`` (zeros are always shown) and unbounded above,
        because a reader cannot tell a small count from a cell hidden to protect another. A shown count
        that is a non-zero multiple of ``round_to`` lies within half a base of it and above the
        suppressed range; any other shown count is exact.
        """
        p = _floats(published)
        hidden = np.isnan(p)
        lo, hi = p.copy(), p.copy()
        if self.round_to:
            base = self.round_to
            rounded = ~hidden & (p > 0) & (np.mod(p, base) == 0)
            floor = (self.suppress_max or 0) + 1
            lo = np.where(rounded, np.maximum(np.ceil(p - base / 2), floor), lo)
            hi = np.where(rounded, np.ceil(p + base / 2) - 1, hi)
        lo = np.where(hidden, float(self.suppress_min or 0), lo)
        hi = np.where(hidden, np.inf, hi)
        return lo, hi


_HES_GUIDANCE = (
    "NHS Digital, 'Disclosure control methodology for Hospital Episode Statistics (HES) and Emergency Care Data "
    "Set (ECDS)', from September 2018 (digital.nhs.uk/data-and-information/data-tools-and-services/data-services/"
    "hospital-episode-statistics/change-to-disclosure-control-methodology-for-hes-and-ecds-from-september-2018): "
    "sub-national counts 1-7 shown as '*', other counts rounded to the nearest 5, percentages from the rounded "
    "numerator and denominator; as applied in Fingertips (indicator metadata 22401, 41101, 92033). This pipeline "
    "also derives rates, DSRs and confidence limits from the rounded counts, because limits from unrounded "
    "counts give the unrounded counts back."
)

RULES: dict[str, DisclosureRule] = {
    rule.name: rule
    for rule in (
        DisclosureRule("hes", 1, 7, 5, "HES/ECDS: counts 1-7 suppressed, other sub-national counts rounded to the "
                       "nearest 5.", _HES_GUIDANCE),
        DisclosureRule("fewer_than_5", 1, 4, None, "Counts 1-4 suppressed; no rounding.",
                       "OHID Fingertips practice, e.g. indicator 41203: counts 1-4 suppressed and no values "
                       "calculated from them; secondary suppression so that none is found by subtraction "
                       "(indicator 92904)."),
        DisclosureRule("fewer_than_3", 1, 2, None, "Counts 1-2 suppressed (ONS/PHE '<3' rule); no rounding.",
                       "ONS and PHE small-number practice, e.g. Fingertips indicator 92266 (general fertility "
                       "rate: counts below 3 suppressed)."),
        DisclosureRule("7_or_fewer", 1, 7, None, "Counts 1-7 suppressed; no rounding.",
                       "The HES suppression range without rounding, as Fingertips applies it to values whose "
                       "numerator is 7 or fewer (indicator 92033)."),
        DisclosureRule("none", None, None, None, "No disclosure control (e.g. ONS deaths, which are discoverable).",
                       "Published as is: the publisher has already applied its own control (Fingertips, Public "
                       "Health Scotland and ScotPHO, the Cancer Patient Experience Survey), the figures are not "
                       "counts of people (IMD, SIMD, population estimates), or they are discoverable (ONS deaths, "
                       "Fingertips indicator 90362)."),
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
