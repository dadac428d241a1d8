"""Breakdown margins (a total = its categories) in the one disclosure layer, and derived indicators that use
the counts of their numerator and denominator, as mapped extracts (monitoring returns) publish them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape_pipeline import disclosure, geography, stats
from landscape_pipeline.disclosure import RULES, attack_source, protect
from landscape_pipeline.disclosure.cells import cells_of
from landscape_pipeline.disclosure.margins import margins_of
from landscape_pipeline.mapping.derived import count_families
from landscape_pipeline.mapping.model import MappingFile
from landscape_pipeline_tests.factories import indicator_rows
from landscape_pipeline_tests.lp_attacker import lp_pinned

BOARD = "S08000015"  # NHS Ayrshire and Arran: its three council areas make a closed geography margin
COUNCILS = geography.council_areas_in_board(BOARD)
SERVICES = ("Nurse", "Centre")
TUMOURS = ("Breast", "Lung", "Skin")
MAPPING = MappingFile.model_validate({
    "title": "Breakdown test", "publisher": "Sites", "reader": {"file": "return.csv"},
    "shape": {"kind": "wide", "headers_are": "indicator", "columns": ["offered", "completed"]},
    "columns": {"area_code": "site", "period": "month"}, "period": {"format": "month"},
    "geography": {"level": "site", "roll_up": "sum_counts"},
    "dimensions": [{"name": "Service", "column": "service"}, {"name": "Tumour group", "column": "tumour"}],
    "breakdowns": ["total", "Service", "Tumour group"],
    "indicators": [{"match": m, "id": f"t_{m}", "definition": f"HNAs {m}.", "unit": "assessments",
                    "value_type": "count", "polarity": "No judgement"} for m in ("offered", "completed")],
    "derived": [{"id": "t_completion", "name": "Completion", "definition": "Completed over offered.",
                 "numerator": "t_completed", "denominator": "t_offered", "polarity": "High is good"}],
    "disclosure": "fewer_than_5",
})
FAMILIES = count_families(MAPPING)


def _published_cells(atoms: np.ndarray) -> list[dict[str, object]]:
    """Return every published (area, category_type, category, count) of atoms[council, service, tumour]."""
    out = []
    for area, block in [*zip(COUNCILS, atoms, strict=True), (BOARD, atoms.sum(axis=0))]:
        out.append({"area_code": area, "category_type": None, "category": None, "count": block.sum()})
        out += [{"area_code": area, "category_type": "Service", "category": s, "count": block[i].sum()}
                for i, s in enumerate(SERVICES)]
        out += [{"area_code": area, "category_type": "Tumour group", "category": t, "count": block[:, j].sum()}
                for j, t in enumerate(TUMOURS)]
    return out


def _table(offered: np.ndarray, completed: np.ndarray) -> pd.DataFrame:
    """Return the canonical rows a mapped monitoring return yields: two counts and the derived completion."""
    rows = []
    for indicator, atoms in (("t_offered", offered), ("t_completed", completed)):
        rows += [{**c, "indicator_id": indicator, "value": c["count"]} for c in _published_cells(atoms)]
    for num, den in zip(_published_cells(completed), _published_cells(offered), strict=True):
        row = {**num, "indicator_id": "t_completion", "denominator": den["count"], "value": np.nan}
        if den["count"] > 0:
            p = stats.proportion(num["count"], den["count"], multiplier=100)
            row |= {"value": p.value, "lower_ci_95": p.lower, "upper_ci_95": p.upper}
        rows.append(row)
    frame = indicator_rows(rows, source_id="jsna_test", sex="Persons", value_type="count", unit="assessments",
                           period_label="2025-04", period_start="2025-04-01", period_end="2025-04-30")
    is_rate = frame["indicator_id"].eq("t_completion")
    frame.loc[is_rate, ["value_type", "unit"]] = ["proportion", "%"]
    return frame


def test_a_total_and_each_breakdown_of_it_make_one_closed_margin() -> None:
    offered = np.full((3, 2, 3), 6.0)
    frame = _table(offered, offered)
    margins = margins_of(cells_of(frame, FAMILIES))
    breakdown = margins.only(("breakdown",))
    # Per count family (offered, completed) and area: one margin for services, one for tumour groups.
    assert breakdown.n_groups == 2 * 4 * 2 and not breakdown.open.any()
    sizes = np.bincount(breakdown.group[breakdown.sign > 0])
    assert sorted(set(sizes.tolist())) == [2, 3]
    # Without its total row a breakdown bounds nothing.
    no_totals = frame[frame["category_type"].notna()]
    assert margins_of(cells_of(no_totals, FAMILIES)).only(("breakdown",)).n_groups == 0


def test_a_derived_indicator_shares_the_counts_of_its_inputs() -> None:
    assert FAMILIES("t_completion") == ("t_completed", "t_offered")
    assert FAMILIES("t_offered") == ("t_offered", None)
    offered = np.full((3, 2, 3), 6.0)
    offered[0, 1, :] = [1, 0, 1]  # council 0, Centre: 2 offered, primary suppression
    frame = _table(offered, offered)
    out = protect(frame, "fewer_than_5", FAMILIES).frame
    centre = out[out["area_code"].eq(COUNCILS[0]) & out["category"].eq("Centre")]
    assert len(centre) == 3 and centre["suppressed"].all() and centre["value"].isna().all()
    assert attack_source(out, "fewer_than_5", FAMILIES).passed
    # Cell by cell, one council's table gives Centre back as the total minus Nurse (the same for its
    # tumour groups), for both counts.
    one = frame[frame["area_code"].eq(COUNCILS[0])]
    leaky = disclosure.apply_rule(one, "fewer_than_5", count_cols=("count", "denominator"))
    found = attack_source(leaky, "fewer_than_5", FAMILIES).findings
    assert found["attack"].eq("breakdown differencing").all()
    assert sorted(found["indicator_id"]) == ["t_completed", "t_offered"]


_atoms = st.lists(st.integers(min_value=0, max_value=9), min_size=18, max_size=18)
_rules = st.sampled_from(["hes", "fewer_than_5", "fewer_than_3", "7_or_fewer"])


@settings(deadline=None, max_examples=25)
@given(offered=_atoms, completed=_atoms, rule=_rules)
def test_after_the_layer_no_attack_recovers_a_hidden_count_across_breakdowns(
        offered: list[int], completed: list[int], rule: str) -> None:
    off = np.asarray(offered, dtype=float).reshape(3, 2, 3)
    done = np.minimum(off, np.asarray(completed, dtype=float).reshape(3, 2, 3))
    frame = _table(off, done)
    out = protect(frame, rule, FAMILIES).frame
    report = attack_source(out, rule, FAMILIES)
    assert report.passed, report.text()
    assert report.tried["breakdown differencing"] > 0
    assert disclosure.find_leaks(out, rule).empty
    counts = frame["value_type"].eq("count").to_numpy()
    truth = frame["count"].to_numpy()
    assert out["suppressed"].to_numpy()[counts & RULES[rule].suppresses(truth)].all()  # primary never undone
    # A completion figure is shown only where both its counts are, and then from the published counts.
    key = ["area_code", "category_type", "category"]
    shown = out[counts].fillna({"category_type": "", "category": ""}).set_index(["indicator_id", *key])["count"]
    rates = out[~counts].fillna({"category_type": "", "category": ""})
    num = shown.loc["t_completed"].reindex(pd.MultiIndex.from_frame(rates[key])).to_numpy()
    den = shown.loc["t_offered"].reindex(pd.MultiIndex.from_frame(rates[key])).to_numpy()
    inputs_shown = ~np.isnan(num) & ~np.isnan(den)
    assert (rates["suppressed"].to_numpy() == ~inputs_shown).all()
    usable = inputs_shown & (den > 0)
    expected = np.where(usable, num / np.where(usable, den, 1) * 100, np.nan)
    assert np.allclose(rates["value"].to_numpy(), expected, equal_nan=True)


@settings(deadline=None, max_examples=10)
@given(offered=_atoms, completed=_atoms, rule=_rules)
def test_after_the_layer_a_linear_programme_pins_no_hidden_count_across_breakdowns(
        offered: list[int], completed: list[int], rule: str) -> None:
    off = np.asarray(offered, dtype=float).reshape(3, 2, 3)
    done = np.minimum(off, np.asarray(completed, dtype=float).reshape(3, 2, 3))
    out = protect(_table(off, done), rule, FAMILIES).frame
    assert lp_pinned(out, RULES[rule], FAMILIES) == []
