"""Where an episode's patient lived: ``RESLADST_ONS`` (GSS code) or, in older vintages, ``RESLADST``.

HES carries the local authority district of residence twice. ``RESLADST_ONS`` holds the GSS code
(``E08000026``); older vintages leave it blank and hold only ``RESLADST``, the old-style ONS code
(``00CQ``), which is read through :mod:`landscape_pipeline.geography.old_codes`. Either way the code
is then followed through the geography tables to today's English district or unitary authority
(a district that merged goes to its successor). Residences that cannot be placed are counted by
reason, never dropped silently; the reasons are the keys of :data:`UNRESOLVED`.
"""

from __future__ import annotations

import re

import numpy as np

from landscape_pipeline import geography

#: Negative codes the resolver returns, and what each means (the tally's wording).
UNRESOLVED = {-1: "blank", -2: "outside England", -3: "unknown code", -4: "retired code split between successors",
              -5: "not a district or unitary authority code", -6: "not recorded (HES placeholder such as Y)",
              -7: "old-style code not in the lookup"}
BLANK, OUTSIDE, UNKNOWN, SPLIT, NOT_DISTRICT, PLACEHOLDER, OLD_UNKNOWN = sorted(UNRESOLVED, reverse=True)
#: Old-style county prefixes outside England: Wales (00N*, 00P*), Scotland (00Q*, 00R*), Northern Ireland (95*).
_OLD_OUTSIDE = re.compile(r"^(00[NPQR][A-Z]|95[A-Z].*)$")
_PLACEHOLDER = re.compile(r"^[A-Z]$|^[XYZ]+\d*$")
#: Residence columns, in the order they are tried.
COLUMNS = ("RESLADST_ONS", "RESLADST")


class AreaResolver:
    """Map a residence code (GSS or old-style) to a district index (>= 0) or a negative :data:`UNRESOLVED` reason."""

    def __init__(self, districts: tuple[str, ...]):
        self.index = {code: i for i, code in enumerate(districts)}

    def __call__(self, code: object) -> int:
        text = str(code or "").strip().upper()
        if not text:
            return BLANK
        if geography.is_old_style(text):
            if _OLD_OUTSIDE.match(text):
                return OUTSIDE
            try:
                text = geography.gss_of_old_code(text)
            except geography.AreaCodeError:
                return OLD_UNKNOWN
        elif _OLD_OUTSIDE.match(text):
            return OUTSIDE
        elif _PLACEHOLDER.match(text):
            return PLACEHOLDER
        if text[0] in "WSNLMK":  # Wales, Scotland, NI, Channel Islands, Isle of Man, UK-wide
            return OUTSIDE
        try:
            current = geography.resolve_area_code(text)
        except geography.SplitAreaCodeError:
            return SPLIT
        except geography.AreaCodeError:
            return UNKNOWN
        return self.index.get(current, NOT_DISTRICT)


def combine(primary: np.ndarray, fallback: np.ndarray | None) -> np.ndarray:
    """Return ``primary`` (from RESLADST_ONS) with its blanks filled from ``fallback`` (from RESLADST)."""
    if fallback is None:
        return primary
    return np.where(primary == BLANK, fallback, primary)
