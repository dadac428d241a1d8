"""Disclosure rules: the named rules and the guidance they follow, rounding, reader bounds, leak detection."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
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


def test_every_rule_cites_the_guidance_it_follows() -> None:
    for rule in RULES.values():
        assert rule.guidance and rule.description
    assert "digital.nhs.uk" in RULES["hes"].guidance and "September 2018" in RULES["hes"].guidance
    assert "41203" in RULES["fewer_than_5"].guidance and "92266" in RULES["fewer_than_3"].guidance
    assert not RULES["none"].controls and all(r.controls for n, r in RULES.items() if n != "none")


def test_published_form_of_the_hes_rule() -> None:
    counts = np.array([0, 1, 7, 8, 12, 13, 1002.5])
    shown = RULES["hes"].published(counts)
    assert np.isnan(shown[1:3]).all()
    assert shown[[0, 3, 4, 5]].tolist() == [0, 10, 10, 15]


def test_reader_bounds_under_rounding_and_suppression() -> None:
    lo, hi = RULES["hes"].reader_bounds([0, 10, 15, np.nan, 12])
    # 10 stands for 8-12 (1-7 would have been hidden), 15 for 13-17; hidden is 1 or more; 12 is not rounded.
    assert lo.tolist() == [0, 8, 13, 1, 12] and hi.tolist() == [0, 12, 17, np.inf, 12]
    lo, hi = RULES["fewer_than_5"].reader_bounds([3.0, np.nan])
    assert (lo.tolist(), hi.tolist()) == ([3, 1], [3, np.inf])


@given(st.integers(min_value=0, max_value=100_000))
def test_every_count_lies_within_the_bounds_a_reader_derives_from_its_published_form(count: int) -> None:
    for rule in RULES.values():
        lo, hi = rule.reader_bounds(rule.published([count]))
        assert lo[0] <= count <= hi[0]
        if rule.round_to and not rule.suppresses([count])[0]:
            assert hi[0] - lo[0] < rule.round_to  # rounding hides at most one base's worth
