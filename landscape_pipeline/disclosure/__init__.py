"""Small-number disclosure control that survives arithmetic.

- :mod:`.rules`: the named rules (:data:`RULES`, each citing the publisher's guidance it follows)
  and the cell-by-cell tools :func:`apply_rule` and :func:`find_leaks`;
- :func:`protect`: the layer applied to every source whose rule is not "none": primary and
  secondary suppression across the sex, geography, period and breakdown margins, rounding, and every figure
  re-derived from the published counts;
- :func:`disclosure_attacks`: the blocking check, run on whatever is about to be published.
"""

from landscape_pipeline.disclosure.attacks import ATTACKS, AttackReport, attack_source, disclosure_attacks
from landscape_pipeline.disclosure.cells import CountFamilies, own_family
from landscape_pipeline.disclosure.layer import DisclosureError, Protection, protect
from landscape_pipeline.disclosure.rules import (
    COLUMNS_READ,
    RULES,
    SUPPRESSED_NOTE,
    VALUE_COLUMNS,
    DisclosureLeakError,
    DisclosureRule,
    apply_rule,
    assert_no_leaks,
    find_leaks,
    get_rule,
)

__all__ = [
    "ATTACKS", "COLUMNS_READ", "RULES", "SUPPRESSED_NOTE", "VALUE_COLUMNS", "AttackReport", "CountFamilies",
    "DisclosureError", "DisclosureLeakError", "DisclosureRule", "Protection", "apply_rule", "assert_no_leaks",
    "attack_source", "disclosure_attacks", "find_leaks", "get_rule", "own_family", "protect",
]
