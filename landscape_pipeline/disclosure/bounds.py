"""Differencing attacks as interval arithmetic: what a reader can deduce about each count from the margins.

Every count starts with the bounds its published form allows (:meth:`DisclosureRule.reader_bounds`).
Each margin ``total = sum(members)`` then bounds each of its terms by the others (e.g. Male =
Persons - Female), and this is repeated across all margins until nothing tightens: sex, hierarchy,
period and breakdown differencing, and chains of them (county - districts, then Persons - Male). A count
is *recovered* when its bounds close to one value that the rule hides (:func:`recovered`).

This is the attacker the disclosure layer guards against and the check runs: the same code, so the
layer's guarantee and the check's verdict cannot drift apart. It is weaker than solving the whole
system as a linear programme; the property tests compare it with one on small tables.
"""

from __future__ import annotations

import numpy as np

from landscape_pipeline.disclosure.margins import KINDS, Margins
from landscape_pipeline.disclosure.rules import DisclosureRule

_EPS = 1e-9


def equation_bounds(lo: np.ndarray, hi: np.ndarray, margins: Margins,
                    terms: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return, per term, the integer bounds its equation allows its cell given the other terms' bounds.

    ``terms`` restricts the work to some terms; it must hold every term of each equation it touches.
    """
    m = margins
    g, s, cell = (m.group, m.sign, m.cell) if terms is None else (m.group[terms], m.sign[terms], m.cell[terms])
    term_lo = np.where(s > 0, lo[cell], -hi[cell])
    term_hi = np.where(s > 0, hi[cell], -lo[cell])
    lo_inf, hi_inf = np.isinf(term_lo), np.isinf(term_hi)
    finite_lo, finite_hi = np.where(lo_inf, 0.0, term_lo), np.where(hi_inf, 0.0, term_hi)
    n = m.n_groups
    sum_lo = np.bincount(g, weights=finite_lo, minlength=n)[g]
    sum_hi = np.bincount(g, weights=finite_hi, minlength=n)[g]
    n_lo_inf = np.bincount(g, weights=lo_inf, minlength=n)[g] - lo_inf
    n_hi_inf = np.bincount(g, weights=hi_inf, minlength=n)[g] - hi_inf
    rest_lo = np.where(n_lo_inf > 0, -np.inf, sum_lo - finite_lo)
    rest_hi = np.where(n_hi_inf > 0, np.inf, sum_hi - finite_hi)
    # sum of terms + slack = 0, slack >= 0 (and unbounded) when the equation is open.
    low = np.where(m.open[g], -np.inf, -rest_hi)
    high = -rest_lo
    cand_lo = np.where(s > 0, low, -high)
    cand_hi = np.where(s > 0, high, -low)
    with np.errstate(invalid="ignore"):
        return np.ceil(cand_lo - _EPS), np.floor(cand_hi + _EPS)


def propagate(lo: np.ndarray, hi: np.ndarray, margins: Margins, max_sweeps: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Return the bounds after applying every equation until none tightens any cell.

    Each sweep revisits only the equations of cells that tightened in the last one. An update that
    would leave a cell with no possible value (the published margins disagree, e.g. Persons also
    counts people of unknown sex) is ignored for that cell.
    """
    lo, hi = lo.astype(float), hi.astype(float)
    m = margins
    active = np.ones(m.n_groups, dtype=bool)
    for _ in range(max_sweeps):
        terms = np.flatnonzero(active[m.group])
        if terms.size == 0:
            break
        cand_lo, cand_hi = equation_bounds(lo, hi, m, terms)
        new_lo, new_hi = lo.copy(), hi.copy()
        np.maximum.at(new_lo, m.cell[terms], cand_lo)
        np.minimum.at(new_hi, m.cell[terms], cand_hi)
        empty = new_lo > new_hi
        new_lo[empty], new_hi[empty] = lo[empty], hi[empty]
        changed = (new_lo != lo) | (new_hi != hi)
        lo, hi = new_lo, new_hi
        active = np.zeros(m.n_groups, dtype=bool)
        active[m.group[changed[m.cell]]] = True
    return lo, hi


def binding_terms(lo: np.ndarray, hi: np.ndarray, margins: Margins) -> np.ndarray:
    """Return per term: True where its equation attains its cell's low or high bound (it helps pin the cell)."""
    cand_lo, cand_hi = equation_bounds(lo, hi, margins)
    return (cand_lo >= lo[margins.cell]) | (cand_hi <= hi[margins.cell])


def recovered(lo: np.ndarray, hi: np.ndarray, published: np.ndarray, rule: DisclosureRule) -> np.ndarray:
    """Return per cell: True where the bounds pin a count that ``rule`` hides.

    Under a rounding rule that is any hidden count, or a shown count pinned to a value other than the
    one shown; under a suppression-only rule, a hidden count pinned inside the suppressed range.
    """
    pinned = (lo == hi) & np.isfinite(lo)
    hidden = np.isnan(published)
    if rule.round_to:
        return pinned & (hidden | (lo != published))
    return pinned & hidden & rule.suppresses(lo)


def margin_runs(margins: Margins) -> list[tuple[str, Margins]]:
    """Return the differencing runs an attacker tries: each kind of margin alone, then all together.

    Published margins can disagree (Persons also counts people of unknown sex), and a disagreement
    is set aside differently in each run, so together is not always stronger than alone.
    """
    runs = [(kind, margins.only((kind,))) for kind in KINDS if (margins.kind == kind).any()]
    return [*runs, ("combined", margins)] if len(runs) > 1 else runs
