"""The disclosure layer: make one source's table safe as a whole, not cell by cell.

1. Cells: the table's counts of people, each shared by every row that uses it (:mod:`.cells`).
2. Primary suppression: counts in the rule's range are hidden.
3. Secondary suppression: while a reader could pin a hidden count (or, under rounding, an unrounded
   count) by differencing the published margins (:mod:`.bounds`), one more cell is hidden in each
   margin that pins it. Heuristic, to lose little: among that margin's shown non-zero cells prefer
   a member to the total, then the cell that also sits in the most other pinning margins (one cell
   settling several margins at once), then the smallest count. Where a pinning margin has nothing
   left to hide, the margins pinning its hidden cells are tried instead. Repeated until nothing is
   pinned. Without rounding, a first pass settles the classic case (a margin with one hidden cell)
   by counting alone. Under rounding most margins need nothing: differencing rounded counts narrows a
   hidden count but rarely pins it.
4. Rounding: shown counts (and protected denominators) are rounded per the rule.
5. Every figure is re-derived from the published counts (:mod:`.derive`); rows whose count or
   protected denominator is hidden are blanked and marked suppressed; a DSR is shown only where its
   published count is 10 or more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from landscape_pipeline import stats
from landscape_pipeline.disclosure.bounds import binding_terms, margin_runs, propagate, recovered
from landscape_pipeline.disclosure.cells import Cells, CountFamilies, cells_of, floats
from landscape_pipeline.disclosure.derive import WITHHELD_NOTE, rederive
from landscape_pipeline.disclosure.margins import KINDS, Margins, margins_of
from landscape_pipeline.disclosure.rules import VALUE_COLUMNS, DisclosureRule, get_rule


class DisclosureError(ValueError):
    """The table cannot be protected as given (e.g. two rows give one count two values)."""


@dataclass
class Protection:
    """A protected table and what protecting it cost."""

    frame: pd.DataFrame
    summary: dict[str, int] = field(default_factory=dict)


def _reader_view(true: np.ndarray, hidden: np.ndarray, rule: DisclosureRule) -> tuple[np.ndarray, ...]:
    published = np.where(hidden, np.nan, rule.rounded(true))
    lo, hi = rule.reader_bounds(published)
    return published, lo, hi


def _pick(margins: Margins, groups: np.ndarray, eligible: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Return the cell to hide in each of ``groups`` that has an eligible cell (see the module heuristic)."""
    in_group = np.zeros(margins.n_groups, dtype=bool)
    in_group[groups] = True
    terms = np.flatnonzero(in_group[margins.group] & eligible[margins.cell])
    if terms.size == 0:
        return np.zeros(0, dtype=np.int64)
    cell, group = margins.cell[terms], margins.group[terms]
    reach = np.bincount(cell, minlength=len(true))[cell]
    order = np.lexsort((cell, true[cell], -reach, margins.sign[terms] < 0, group))
    _, first = np.unique(group[order], return_index=True)
    return np.unique(cell[order][first])


def _lone_hidden(margins: Margins, hidden: np.ndarray, usable: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Return ``hidden`` after the classic pass: no closed margin keeps exactly one hidden cell.

    Under a rule without rounding such a cell is its total minus the others; settling these first
    (counting only, no interval arithmetic) leaves few rounds for :func:`secondary`.
    """
    hidden = hidden.copy()
    for _ in range(100):
        n_hidden = np.bincount(margins.group, weights=hidden[margins.cell], minlength=margins.n_groups)
        lone = np.flatnonzero((n_hidden == 1) & ~margins.open)
        picked = _pick(margins, lone, usable & ~hidden, true)
        if picked.size == 0:
            break
        hidden[picked] = True
    return hidden


def _relieve(margins: Margins, binding: np.ndarray, leak: np.ndarray, hidden: np.ndarray, eligible: np.ndarray,
             true: np.ndarray, max_depth: int = 50) -> np.ndarray:
    """Return cells to hide so that the margins pinning the ``leak`` cells no longer pin them.

    Starts from the margins that bind a leaking cell (attain its bound). Where such a margin has no
    cell left to hide, the hidden cells in it are pinned too tightly by other margins: follow the
    margins that bind those, and so on, until margins with a cell to hide are found.
    """
    frontier, seen = leak.copy(), np.zeros(margins.n_groups, dtype=bool)
    for _ in range(max_depth):
        groups = np.unique(margins.group[binding & frontier[margins.cell]])
        groups = groups[~seen[groups]]
        if groups.size == 0:
            break
        picked = _pick(margins, groups, eligible, true)
        if picked.size:
            return picked
        seen[groups] = True
        in_groups = np.zeros(margins.n_groups, dtype=bool)
        in_groups[groups] = True
        frontier = np.zeros(len(true), dtype=bool)
        frontier[margins.cell[in_groups[margins.group] & hidden[margins.cell]]] = True
    return np.zeros(0, dtype=np.int64)


def secondary(true: np.ndarray, hidden: np.ndarray, margins: Margins, rule: DisclosureRule,
              max_rounds: int = 500) -> tuple[np.ndarray, int]:
    """Return (hidden cells after secondary suppression, rounds taken); see the module docstring."""
    hidden = hidden.copy()
    usable = ~np.isnan(true) & (true > 0)
    if not rule.round_to:
        hidden = _lone_hidden(margins, hidden, usable, true)
    runs = margin_runs(margins)
    for rounds in range(max_rounds):
        published, lo, hi = _reader_view(true, hidden, rule)
        for _, subset in runs:
            run_lo, run_hi = propagate(lo, hi, subset)
            leak = recovered(run_lo, run_hi, published, rule)
            if leak.any():
                break
        else:
            return hidden, rounds
        picked = _relieve(subset, binding_terms(run_lo, run_hi, subset), leak, hidden, usable & ~hidden, true)
        if picked.size == 0:
            break
        hidden[picked] = True
    raise DisclosureError(f"Secondary suppression could not protect every count within {max_rounds} rounds.")


def _conflict_message(cells: Cells, conflict: np.ndarray) -> str:
    first = np.flatnonzero(conflict)[:1]
    family, area, period, sex = (cells.values(c)[first][0] for c in ("family", "area_code", "period_label", "sex"))
    return (f"{int(conflict.sum())} count(s) are given different values by different rows, e.g. family "
            f"'{family}', area {area}, period {period}, sex {sex}.")


def protect(frame: pd.DataFrame, rule: str | DisclosureRule, families: CountFamilies | None = None,
            kinds: tuple[str, ...] = KINDS) -> Protection:
    """Return ``frame`` (one source, unrounded counts) as it may be published under ``rule``, with the cost.

    ``families`` says which counts indicators share (see :mod:`.cells`); ``kinds`` which margins
    are published. The summary counts cells and rows hidden by the rule itself (primary) and lost
    to secondary suppression, and figures recomputed from rounded counts or withheld.
    """
    rule = get_rule(rule)
    if not rule.controls or frame.empty:
        return Protection(frame.copy(), {})
    cells = cells_of(frame, families)
    true, conflict = cells.gather(frame)
    if conflict.any():
        raise DisclosureError(_conflict_message(cells, conflict))
    primary = rule.suppresses(true)
    margins = margins_of(cells, kinds)
    hidden, rounds = secondary(true, primary | np.isnan(true), margins, rule)
    lost = hidden & ~primary & ~np.isnan(true)
    shown = np.where(hidden, np.nan, rule.rounded(true))
    has_den = cells.denominator >= 0
    count = shown[cells.numerator]
    denominator = floats(frame, "denominator").copy()
    denominator[has_den] = shown[cells.denominator[has_den]]
    true_count = floats(frame, "count")
    n = len(frame)
    columns = {c: floats(frame, c) for c in VALUE_COLUMNS if c in frame}
    recomputed, withheld = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if rule.round_to:
        derived, recomputed, withheld = rederive(frame, count, denominator, true_count)
        columns.update(derived)
    blank = cells.rows_of(hidden & ~np.isnan(true))
    # A DSR appears only where its *published* count is 10 or more (Fingertips), so its presence
    # says nothing a reader could not see from the count.
    small_dsr = (frame["value_type"].to_numpy(object) == "DSR") & ~blank & (count < stats.DSR_MIN_COUNT)
    small_dsr &= ~np.isnan(columns.get("value", np.full(n, np.nan)))
    columns = {c: np.where(blank | small_dsr, np.nan, v) for c, v in columns.items()}
    columns["count"] = np.where(np.isnan(true_count) | blank, np.nan, count)
    columns["denominator"] = denominator
    notes = frame["value_note"].to_numpy(object) if "value_note" in frame else np.full(n, None, dtype=object)
    notes = np.where(blank, rule.value_note,
                     np.where(withheld, WITHHELD_NOTE, np.where(small_dsr, stats.DSR_NOTE, notes)))
    before = frame["suppressed"].to_numpy(bool) if "suppressed" in frame else np.zeros(n, dtype=bool)
    out = frame.assign(**columns, suppressed=before | blank, value_note=notes)
    by_primary = cells.rows_of(primary)
    summary = {
        "cells": cells.size, "margins": margins.n_groups,
        "cells_suppressed_primary": int(primary.sum()), "cells_lost_to_secondary": int(lost.sum()),
        "rows": len(frame), "rows_suppressed_primary": int(by_primary.sum()),
        "rows_lost_to_secondary": int((blank & ~by_primary).sum()), "secondary_rounds": rounds,
        "values_recomputed_from_rounded_counts": int((recomputed & ~blank).sum()),
        "values_withheld": int((withheld & ~blank).sum()),
    }
    return Protection(out, summary)
