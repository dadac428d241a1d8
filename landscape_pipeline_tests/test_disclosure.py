"""Disclosure control: named rules, rounding, secondary suppression and leak detection."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape_pipeline.disclosure import (
    RULES,
    SUPPRESSED_NOTE,
    DisclosureLeakError,
    DisclosureRule,
    apply_rule,
    assert_no_leaks,
    find_leaks,
    get_rule,
    secondary_suppression,
    suppress_margins,
)


def test_suppressed_note_is_the_fingertips_text() -> None:
    assert SUPPRESSED_NOTE == "Value suppressed for disclosure control due to small count"


def test_registry_holds_the_named_rules() -> None:
    assert set(RULES) == {"hes", "fewer_than_5", "fewer_than_3", "7_or_fewer", "none"}
    hes = RULES["hes"]
    assert (hes.suppress_min, hes.suppress_max, hes.round_to) == (1, 7, 5)
    assert (RULES["fewer_than_5"].suppress_max, RULES["fewer_than_3"].suppress_max) == (4, 2)
    assert RULES["7_or_fewer"].round_to is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        hes.round_to = 10  # type: ignore[misc]


def test_unknown_rule_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"'fewer_than_6'.*known rules"):
        get_rule("fewer_than_6")


def test_hes_rule_suppresses_1_to_7_and_rounds_the_rest_half_up() -> None:
    frame = pd.DataFrame({
        "count": [0, 1, 7, 8, 12, 13, 17, 18, 22.5, 1002],
        "value": np.arange(10, dtype=float),
        "lower_ci_95": np.arange(10) - 0.5,
    })
    out = apply_rule(frame, "hes")
    assert out["count"].tolist()[:1] + out["count"].tolist()[3:] == [0, 10, 10, 15, 15, 20, 25, 1000]
    assert out["count"].isna().tolist() == [False, True, True] + [False] * 7
    assert out["suppressed"].tolist() == [False, True, True] + [False] * 7
    assert out["value"].isna().tolist() == out["suppressed"].tolist()
    assert out["lower_ci_95"].isna().tolist() == out["suppressed"].tolist()
    assert out.loc[1, "value_note"] == SUPPRESSED_NOTE and pd.isna(out.loc[0, "value_note"])
    assert out.loc[4, "value"] == 4.0  # values are never recomputed from rounded counts
    assert frame["count"].tolist()[1] == 1  # the input frame is untouched


@pytest.mark.parametrize(
    ("rule", "counts", "hidden"),
    [
        ("fewer_than_5", [0, 1, 4, 5, 6], [False, True, True, False, False]),
        ("fewer_than_3", [0, 1, 2, 3], [False, True, True, False]),
        ("7_or_fewer", [0, 7, 8], [False, True, False]),
        ("none", [0, 1, 2], [False, False, False]),
    ],
)
def test_other_rules(rule: str, counts: list[int], hidden: list[bool]) -> None:
    out = apply_rule(pd.DataFrame({"count": counts}), rule)
    assert out["suppressed"].tolist() == hidden
    assert out["count"].where(~out["suppressed"]).dropna().tolist() == [
        c for c, h in zip(counts, hidden, strict=True) if not h
    ]  # no rounding for these rules


def test_denominators_rounded_on_request_and_exempt_rows_untouched() -> None:
    frame = pd.DataFrame({"area_code": ["E92000001", "E06000001"], "count": [3, 3], "denominator": [1001, 1003]})
    out = apply_rule(frame, "hes", denominator_cols=["denominator"], exempt=frame["area_code"] == "E92000001")
    assert out["count"].tolist()[0] == 3 and np.isnan(out["count"].tolist()[1])
    assert out["denominator"].tolist() == [1001, 1005]
    assert out["suppressed"].tolist() == [False, True]


def test_existing_notes_and_flags_are_kept() -> None:
    frame = pd.DataFrame({"count": [50, 2], "value_note": ["Aggregated", None], "suppressed": [False, False]})
    out = apply_rule(frame, "fewer_than_5")
    assert out["value_note"].tolist() == ["Aggregated", SUPPRESSED_NOTE]


def _sex_table(male: float, female: float) -> pd.DataFrame:
    return pd.DataFrame({
        "area_code": "E06000001",
        "sex": ["Persons", "Male", "Female"],
        "count": [male + female, male, female],
        "value": [1.0, 2.0, 3.0],
    })


def test_secondary_suppression_hides_the_smallest_other_cell() -> None:
    frame = pd.concat([_sex_table(3, 40), _sex_table(30, 40).assign(area_code="E06000002")], ignore_index=True)
    published = apply_rule(frame, "fewer_than_5")
    out = secondary_suppression(published, ["area_code"], total_mask=published["sex"] == "Persons")
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]
    assert out.loc[2, "value_note"] == SUPPRESSED_NOTE and np.isnan(out.loc[2, "value"])


def test_secondary_suppression_prefers_non_zero_cells() -> None:
    frame = pd.DataFrame({"area_code": "A", "age": ["0-17", "18-64", "65+", "All ages"], "count": [2, 0, 20, 22]})
    published = apply_rule(frame, "fewer_than_5")
    out = secondary_suppression(published, ["area_code"], total_mask=published["age"] == "All ages")
    assert out["suppressed"].tolist() == [True, False, True, False]


def test_secondary_suppression_protects_a_hidden_total() -> None:
    # Total suppressed but both cells shown: the total is their sum, so one cell must go.
    frame = pd.DataFrame({"area_code": "A", "sex": ["Persons", "Male", "Female"], "count": [9, 5, 4.0]})
    frame["suppressed"] = [True, False, False]
    frame.loc[0, "count"] = np.nan
    out = secondary_suppression(frame, ["area_code"], total_mask=frame["sex"] == "Persons")
    assert out["suppressed"].tolist() == [True, False, True]


def test_secondary_suppression_without_a_published_total_does_nothing() -> None:
    cells = apply_rule(pd.DataFrame({"area_code": "A", "sex": ["Male", "Female"], "count": [3, 40]}), "fewer_than_5")
    # By default the total is taken to be published elsewhere, so the lone hidden cell needs a partner.
    assert secondary_suppression(cells, ["area_code"])["suppressed"].tolist() == [True, True]
    kept = secondary_suppression(cells, ["area_code"], total_published=False)
    assert kept["suppressed"].tolist() == [True, False]


def test_secondary_suppression_falls_back_to_the_total_or_warns() -> None:
    frame = apply_rule(pd.DataFrame({"g": "A", "sex": ["Persons", "Male"], "count": [3, 3]}), "7_or_fewer")
    frame = pd.concat([frame, apply_rule(pd.DataFrame({"g": "B", "sex": ["Persons", "Male"], "count": [9, 3]}),
                                         "7_or_fewer")], ignore_index=True)
    out = secondary_suppression(frame, ["g"], total_mask=frame["sex"] == "Persons")
    assert out["suppressed"].tolist() == [True, True, True, True]  # B's only other member is its total
    lone = apply_rule(pd.DataFrame({"g": "C", "count": [3]}), "7_or_fewer")
    with pytest.warns(UserWarning, match="withhold"):
        secondary_suppression(lone, ["g"])


def test_secondary_suppression_rejects_two_totals() -> None:
    frame = pd.DataFrame({"g": "A", "count": [1, 2, 3]})
    with pytest.raises(ValueError, match="more than one row"):
        secondary_suppression(frame, ["g"], total_mask=[True, True, False])


def test_suppress_margins_settles_a_two_way_table() -> None:
    # Sex x age with margins; suppressing within one margin can expose another.
    rows = []
    cells = {("Male", "0-64"): 3, ("Male", "65+"): 50, ("Female", "0-64"): 60, ("Female", "65+"): 70}
    for sex in ("Male", "Female", "Persons"):
        for age in ("0-64", "65+", "All ages"):
            count = sum(v for (s, a), v in cells.items() if sex in (s, "Persons") and age in (a, "All ages"))
            rows.append({"sex": sex, "age": age, "count": count})
    frame = apply_rule(pd.DataFrame(rows), "fewer_than_5")
    margins = [(["age"], frame["sex"] == "Persons"), (["sex"], frame["age"] == "All ages")]
    out = suppress_margins(frame, margins)
    for group_cols, _total in margins:
        hidden = out["suppressed"].groupby([out[c] for c in group_cols]).sum()
        assert not (hidden == 1).any()
    assert out["suppressed"].sum() == 4  # the 2x2 inner block: Male/Female x 0-64/65+


def test_find_leaks_reports_reasons_and_assert_no_leaks_raises() -> None:
    frame = pd.DataFrame(
        {"count": [3, 12, 10, np.nan], "value": [1.0, 2, 3, 4], "suppressed": [False, False, False, True]}
    )
    leaks = find_leaks(frame, "hes")
    assert leaks.index.tolist() == [0, 1, 3]
    assert leaks["leak"].tolist() == [
        "'count' in suppressed range 1-7", "'count' not rounded to 5", "suppressed row shows 'value'",
    ]
    with pytest.raises(DisclosureLeakError, match="3 row"):
        assert_no_leaks(frame, "hes")
    assert find_leaks(frame, "hes", exempt=[True, True, False, True]).empty
    assert_no_leaks(apply_rule(frame.drop(columns="suppressed"), "hes"), "hes")


def test_custom_rule_object() -> None:
    rule = DisclosureRule("ten", 1, 9, 10, "Counts 1-9 suppressed, others rounded to 10.")
    assert apply_rule(pd.DataFrame({"count": [9, 14, 15]}), rule)["count"].tolist()[1:] == [10, 20]


_group = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=6)


@settings(deadline=None, max_examples=150)
@given(groups=st.lists(_group, min_size=1, max_size=8), rule=st.sampled_from(["hes", "fewer_than_5", "7_or_fewer"]),
       with_total=st.booleans())
def test_no_hidden_cell_can_be_recovered_by_subtraction(groups: list[list[int]], rule: str, with_total: bool) -> None:
    rows = []
    for g, cells in enumerate(groups):
        if not with_total and len(cells) == 1:
            cells = [*cells, 20]  # a lone cell under an external total cannot be protected (see the warning test)
        rows += [{"g": g, "cell": i, "count": c, "total": False} for i, c in enumerate(cells)]
        if with_total:
            rows.append({"g": g, "cell": -1, "count": sum(cells), "total": True})
    frame = pd.DataFrame(rows)
    published = apply_rule(frame, rule)
    out = secondary_suppression(published, ["g"], total_mask=published["total"] if with_total else None)
    assert_no_leaks(out, rule)
    hidden = out["suppressed"].groupby(out["g"]).sum()
    # With a total row, members are cells + total; without one the total is published elsewhere.
    # Either way exactly one hidden member would be recoverable as total - sum(published others).
    assert not (hidden == 1).any()
    original_hidden = published["suppressed"]
    assert (out["suppressed"] | ~original_hidden).all()  # primary suppression is never undone
