"""An independent attacker for the disclosure property tests: a linear programme over every published margin."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from landscape_pipeline import disclosure


def lp_pinned(frame: pd.DataFrame, rule: disclosure.DisclosureRule, families: disclosure.CountFamilies) -> list[str]:
    """Return the hidden (or, under rounding, mis-shown) counts a linear programme pins to one value.

    Variables: every count of the table; constraints: its margins (an open margin's total is at least
    the sum of the members present) and what each published count allows.
    """
    cells = disclosure.cells.cells_of(frame, families)
    shown, _ = cells.gather(frame)
    lo, hi = rule.reader_bounds(shown)
    margins = disclosure.margins.margins_of(cells)
    terms = np.zeros((margins.n_groups, cells.size))
    terms[margins.group, margins.cell] = margins.sign
    a_eq, a_ub = terms[~margins.open], terms[margins.open]
    system = {"A_eq": a_eq, "b_eq": np.zeros(len(a_eq))} if len(a_eq) else {}
    if len(a_ub):
        system |= {"A_ub": a_ub, "b_ub": np.zeros(len(a_ub))}
    bounds = list(zip(lo, np.where(np.isinf(hi), None, hi), strict=True))
    pinned = []
    for i in np.flatnonzero(np.isnan(shown) | (hi > lo)):
        c = np.zeros(cells.size)
        c[i] = 1
        low = linprog(c, **system, bounds=bounds, method="highs")
        high = linprog(-c, **system, bounds=bounds, method="highs")
        if low.status == 0 and high.status == 0 and np.ceil(low.fun - 1e-6) >= np.floor(-high.fun + 1e-6):
            value = np.ceil(low.fun - 1e-6)
            hidden = np.isnan(shown[i])
            if (rule.round_to or rule.suppresses([value])[0]) if hidden else value != shown[i]:
                pinned.append(f"cell {i} = {value}")
    return pinned
