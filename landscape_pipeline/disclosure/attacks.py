"""The disclosure attacks check: try, on a table about to be published, what an evaluator would try.

For each source whose rule is not "none", :func:`disclosure_attacks` reads the published counts
per cell (:mod:`.cells`) and tries, in order:

1. reading directly: a shown count inside the suppressed range or not rounded, a suppressed row
   that still shows figures, one count shown two ways by sibling indicators;
2. value x denominator / multiplier (and count x multiplier / value for a protected denominator);
3. confidence-limit inversion: exact/Byar's (crude rates), Wilson (proportions), Dobson (DSRs);
4. sex, hierarchy, period and breakdown (a total = its categories) differencing, each alone and then
   combined, starting from whatever steps 2-3 recovered (:mod:`.bounds`).

A finding names the indicator, area, period, sex and the attack, never the recovered count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from landscape_pipeline.disclosure import inversion as inv
from landscape_pipeline.disclosure.bounds import margin_runs, propagate, recovered
from landscape_pipeline.disclosure.cells import Cells, CountFamilies, cells_of, floats
from landscape_pipeline.disclosure.derive import multipliers
from landscape_pipeline.disclosure.margins import margins_of
from landscape_pipeline.disclosure.rules import COLUMNS_READ, DisclosureRule, find_leaks, get_rule

DIRECT, VALUE, LIMITS = "read directly", "value x denominator / multiplier", "confidence-limit inversion"
DIFFERENCING = {"sex": "sex differencing", "geography": "hierarchy differencing", "period": "period differencing",
                "breakdown": "breakdown differencing"}
COMBINED = "combined differencing"
ATTACKS: tuple[str, ...] = (DIRECT, VALUE, LIMITS, *DIFFERENCING.values(), COMBINED)
NAMED = ["source_id", "indicator_id", "area_code", "period_label", "sex", "age"]


@dataclass
class AttackReport:
    """What the attacks tried and found; ``findings`` has one row per recovered count (no counts shown)."""

    findings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*NAMED, "attack"]))
    rows_checked: int = 0
    cells_checked: int = 0
    hidden_cells: int = 0
    #: Hidden counts a reader can place in the suppressed range and narrow to two values (not recovered).
    narrowed: int = 0
    tried: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ATTACKS, 0))
    #: What the disclosure layer lost to secondary suppression, per source, when the caller knows it.
    lost: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no attack recovered a count the rule hides."""
        return self.findings.empty

    def metadata(self) -> dict[str, Any]:
        """Return Dagster-ready metadata: attacks tried, cells checked, findings, cells lost."""
        counts = self.findings["attack"].value_counts().to_dict() if len(self.findings) else {}
        lost = {sid: s.get("cells_lost_to_secondary") for sid, s in self.lost.items() if s}
        return {
            "attacks_tried": {a: int(n) for a, n in self.tried.items()}, "rows_checked": self.rows_checked,
            "cells_checked": self.cells_checked, "hidden_cells": self.hidden_cells,
            "hidden_counts_narrowed_to_two_values": self.narrowed,
            "counts_recovered": len(self.findings), "recovered_by_attack": {k: int(v) for k, v in counts.items()},
            "cells_lost_to_secondary_suppression": sum(v or 0 for v in lost.values()),
            "lost_by_source": self.lost,
            "sample": self.findings.head(10).astype(str).to_dict("records"),
        }

    def text(self) -> str:
        """Return a plain-text verdict naming the first findings."""
        head = (f"Disclosure attacks: {self.cells_checked} count(s) in {self.rows_checked} row(s) checked; "
                f"{len(self.findings)} recovered.")
        lines = [head] + [f"- {r.attack}: {r.indicator_id}, area {r.area_code}, period {r.period_label}, sex {r.sex}"
                          for r in self.findings.head(10).itertuples()]
        return "\n".join(lines)


def _first_rows(cells: Cells, n_rows: int) -> np.ndarray:
    """Return per cell the first row that shows or uses it (its count before its denominator)."""
    row_of = np.full(cells.size, -1)
    has_den = cells.denominator >= 0
    for owner, rows in ((cells.denominator[has_den], np.flatnonzero(has_den)), (cells.numerator, np.arange(n_rows))):
        row_of[owner[::-1]] = rows[::-1]
    return row_of


def _name(frame: pd.DataFrame, found: list[tuple[np.ndarray, str]]) -> pd.DataFrame:
    """Return NAMED + attack for each (rows, attack) found."""
    named = frame.iloc[np.concatenate([r for r, _ in found])][NAMED].reset_index(drop=True)
    return named.assign(attack=np.concatenate([np.full(len(r), a, dtype=object) for r, a in found]))


def _inverted(kind: np.ndarray, value: np.ndarray, low: np.ndarray, up: np.ndarray, den: np.ndarray,
              mult: np.ndarray, spread: np.ndarray, level: float) -> np.ndarray:
    """Return per row the count its limits at ``level`` give back (NaN where they give none)."""
    out = np.full(len(kind), np.nan)
    sel = (kind == "crude rate") & ~np.isnan(up)
    out[sel] = inv.poisson_count(up[sel], low[sel], den[sel], mult[sel], level)
    sel = (kind == "DSR") & ~np.isnan(up)
    out[sel] = inv.dobson_count(value[sel], low[sel], up[sel], level)
    sel = (kind == "proportion") & ~np.isnan(up)
    if sel.any():
        # A rounded denominator could be any count its rounding allows: try each, the shown one first.
        found = np.full(int(sel.sum()), np.nan)
        for offset in (0, -1, 1, -2, 2):
            n = np.where(abs(offset) <= spread[sel], den[sel] + offset, np.nan)
            todo = np.isnan(found) & ~np.isnan(n)
            found[todo] = inv.wilson_count(up[sel][todo], low[sel][todo], n[todo], mult[sel][todo], level)
        out[sel] = found
    return out


def _half_units(frame: pd.DataFrame, decimals: Mapping[str, int] | None) -> np.ndarray:
    """Return per row half the last decimal its value is published to (0 where unrounded or unknown)."""
    if not decimals:
        return np.zeros(len(frame))
    places = frame["indicator_id"].map(decimals).to_numpy(dtype=float)
    return np.where(np.isnan(places), 0.0, 0.5 * 10.0 ** -np.nan_to_num(places))


def _learned(frame: pd.DataFrame, cells: Cells, shown: np.ndarray, tried: dict[str, int],
             decimals: Mapping[str, int] | None = None) -> dict[str, tuple]:
    """Return attack -> (cells, counts, rows): the counts that values and limits on those rows give back.

    With ``decimals`` (indicator id -> decimals its value is published to), a rounded value gives a count
    only when one whole count fits the range its rounding allows.
    """
    kind = frame["value_type"].to_numpy(object)
    value, count = floats(frame, "value"), floats(frame, "count")
    half = _half_units(frame, decimals)
    mult = multipliers(frame)
    has_den = cells.denominator >= 0
    den = np.where(has_den, shown[np.maximum(cells.denominator, 0)], floats(frame, "denominator"))
    simple = np.isin(kind, ["count", "crude rate", "proportion"]) & ~np.isnan(value)
    tried[VALUE] += int(simple.sum())
    num_value = np.where(kind == "count", inv.whole(value), inv.value_times_denominator(value, den, mult, half))
    den_value = inv.count_over_value(count, value, mult, half)
    spread = np.where(has_den & (den > 0), 2, 0)
    rows = np.arange(len(frame))
    limit_cells, limit_counts = [], []
    for level, tag in ((0.95, "95"), (0.998, "99_8")):
        low, up = floats(frame, f"lower_ci_{tag}"), floats(frame, f"upper_ci_{tag}")
        tried[LIMITS] += int((~np.isnan(up) & np.isin(kind, ["crude rate", "proportion", "DSR"])).sum())
        limit_cells.append(cells.numerator)
        limit_counts.append(_inverted(kind, value, low, up, den, mult, spread, level))
    return {
        VALUE: (np.concatenate([cells.numerator[simple], cells.denominator[has_den & simple]]),
                np.concatenate([num_value[simple], den_value[has_den & simple]]),
                np.concatenate([rows[simple], rows[has_den & simple]])),
        LIMITS: (np.concatenate(limit_cells), np.concatenate(limit_counts), np.concatenate([rows, rows])),
    }


def attack_source(frame: pd.DataFrame, rule: str | DisclosureRule, families: CountFamilies | None = None,
                  report: AttackReport | None = None, decimals: Mapping[str, int] | None = None) -> AttackReport:
    """Run every attack on one source's published rows; add what it finds to ``report`` (a new one by default).

    ``decimals`` (indicator id -> decimals) says how far published values were rounded.
    """
    rule, report = get_rule(rule), report or AttackReport()
    if frame.empty or not rule.controls:
        return report
    frame = frame.reset_index(drop=True)
    cells = cells_of(frame, families)
    shown, conflict = cells.gather(frame)
    report.rows_checked += len(frame)
    report.cells_checked += cells.size
    report.hidden_cells += int(np.isnan(shown).sum())
    found: list[tuple[np.ndarray, str]] = []
    known = np.zeros(cells.size, dtype=bool)

    bad = conflict | rule.suppresses(shown)
    if rule.round_to:
        bad |= ~np.isnan(shown) & (np.mod(shown, rule.round_to) != 0)
    leak_rows = find_leaks(frame, rule).index.to_numpy()  # e.g. a suppressed row still showing its value
    report.tried[DIRECT] += cells.size
    row_of = _first_rows(cells, len(frame))
    found.append((np.unique(np.concatenate([row_of[np.flatnonzero(bad)], leak_rows])), DIRECT))
    known |= bad
    known[cells.numerator[leak_rows]] = True

    lo, hi = rule.reader_bounds(shown)
    for attack, (cell, value, rows) in _learned(frame, cells, shown, report.tried, decimals).items():
        given = ~np.isnan(value)
        news = given & (np.isnan(shown[cell]) | (value != shown[cell]))
        hits, first = np.unique(cell[news], return_index=True)
        found.append((rows[news][first][~known[hits]], attack))
        known[hits] = True
        # Once these figures give back one unrounded count, every count they agree with is exact too.
        exact = given if news.any() else news
        lo[cell[exact]], hi[cell[exact]] = value[exact], value[exact]

    margins = margins_of(cells)
    new_lo, new_hi = lo, hi
    for kind, subset in margin_runs(margins):
        attack = DIFFERENCING.get(kind, COMBINED)
        report.tried[attack] += subset.n_groups
        new_lo, new_hi = propagate(lo, hi, subset)
        hits = recovered(new_lo, new_hi, shown, rule) & ~known
        found.append((row_of[np.flatnonzero(hits)], attack))
        known |= hits
    if rule.suppress_max is not None and rule.suppress_max - (rule.suppress_min or 0) >= 2:
        report.narrowed += int((np.isnan(shown) & (new_hi <= rule.suppress_max) & (new_hi - new_lo < 2)).sum())
    found = [(c, a) for c, a in found if len(c)]
    if found:
        report.findings = pd.concat([report.findings, _name(frame, found)], ignore_index=True)
    return report


def disclosure_attacks(table: pd.DataFrame, specs: Mapping[str, Any], lost: Mapping[str, Any] | None = None,
                       decimals: Mapping[str, int] | None = None) -> AttackReport:
    """Return the attacks' report on ``table`` for every source in ``specs`` whose rule is not "none".

    ``specs`` maps source id to an object with ``disclosure_rule`` and ``count_families`` (a
    ``SourceSpec``); ``lost`` is the layer's summary per source, shown in the metadata; ``decimals``
    (indicator id -> decimals, the catalogue's) says how far the published values were rounded.
    """
    report = AttackReport(lost=dict(lost or {}))
    table = table[[c for c in table.columns if c in COLUMNS_READ]]  # each source's rows copy these columns only
    for source_id, spec in specs.items():
        rule = get_rule(spec.disclosure_rule)
        if not rule.controls:
            continue
        part = table.loc[table["source_id"].eq(source_id)]
        attack_source(part, rule, getattr(spec, "count_families", None), report, decimals)
    return report
