"""The disclosure layer: secondary suppression across sex, geography and period margins, and figures
re-derived from published counts; checked against the attacks and an independent linear-programming attacker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape_pipeline import disclosure, geography, stats
from landscape_pipeline.disclosure import RULES, attack_source, protect
from landscape_pipeline.disclosure.derive import WITHHELD_NOTE
from landscape_pipeline_tests.factories import indicator_rows
from landscape_pipeline_tests.lp_attacker import lp_pinned

BOARD = "S08000015"  # NHS Ayrshire and Arran: East, North and South Ayrshire
COUNCILS = geography.council_areas_in_board(BOARD)
YEARS = ("2020", "2021", "2022")
POOLED = "2020 - 22"
POPULATION = 5000.0


def families(indicator_id: str) -> tuple[str, str | None]:
    """Count, crude-rate and DSR rows of 'x_count', 'x_crude', 'x_dsr' share the count 'x'."""
    return indicator_id.rsplit("_", 1)[0], None


def _period(label: str) -> dict[str, str]:
    if label == POOLED:
        return {"period_label": label, "period_start": "2020-01-01", "period_end": "2022-12-31"}
    return {"period_label": label, "period_start": f"{label}-01-01", "period_end": f"{label}-12-31"}


def _rows(counts: dict[tuple[str, str, str], float], statistics: tuple[str, ...] = ("count",)) -> pd.DataFrame:
    """Canonical rows for counts keyed by (area, sex, period); crude rates per 100,000 of POPULATION."""
    rows = []
    for (area, sex, period), count in counts.items():
        base = {"area_code": area, "sex": sex, "count": count, **_period(period)}
        if "count" in statistics:
            rows.append({**base, "indicator_id": "adm_count", "value_type": "count", "unit": "admissions",
                         "value": count, "polarity": "Not applicable"})
        if "crude" in statistics:
            rate = stats.rate(count, POPULATION)
            rows.append({**base, "indicator_id": "adm_crude", "value_type": "crude rate", "unit": "per 100,000",
                         "denominator": POPULATION, "value": rate.value, "lower_ci_95": rate.lower,
                         "upper_ci_95": rate.upper})
    return indicator_rows(rows, source_id="test")


def _cube(atoms: list[int]) -> dict[tuple[str, str, str], float]:
    """Return every published count from atoms (council x Male/Female x year): sums over sex, board, years."""
    counts: dict[tuple[str, str, str], float] = {}
    it = iter(atoms)
    for council in COUNCILS:
        for sex in ("Male", "Female"):
            for year in YEARS:
                value = float(next(it))
                for area in (council, BOARD):
                    for s in (sex, "Persons"):
                        for p in (year, POOLED):
                            counts[(area, s, p)] = counts.get((area, s, p), 0.0) + value
    return counts


def _shown(frame: pd.DataFrame) -> pd.Series:
    rows = frame[frame["indicator_id"] == "adm_count"]
    return rows.set_index(["area_code", "sex", "period_label"])["count"]


# ---------------------------------------------------------------- margins, one at a time
def test_sex_margin_hides_the_smallest_partner_and_counts_the_loss() -> None:
    counts = {(COUNCILS[0], "Persons", "2020"): 23.0, (COUNCILS[0], "Male", "2020"): 3.0,
              (COUNCILS[0], "Female", "2020"): 20.0}
    out = protect(_rows(counts), "fewer_than_5", families)
    shown = _shown(out.frame)
    assert np.isnan(shown[(COUNCILS[0], "Male", "2020")]) and np.isnan(shown[(COUNCILS[0], "Female", "2020")])
    assert shown[(COUNCILS[0], "Persons", "2020")] == 23
    assert out.summary["cells_suppressed_primary"] == 1 and out.summary["cells_lost_to_secondary"] == 1
    assert out.frame["suppressed"].sum() == 2
    assert set(out.frame.loc[out.frame["suppressed"], "value_note"]) == {disclosure.SUPPRESSED_NOTE}


def test_hierarchy_margin_protects_a_council_area_within_its_board() -> None:
    values = [2.0, 30.0, 9.0]
    counts = {(c, "Persons", "2020"): v for c, v in zip(COUNCILS, values, strict=True)}
    counts[(BOARD, "Persons", "2020")] = sum(values)
    shown = _shown(protect(_rows(counts), "fewer_than_5", families).frame)
    # Board - the others would give the hidden council: the smallest other council goes too.
    assert shown.isna().tolist() == [True, False, True, False]
    assert shown[(BOARD, "Persons", "2020")] == 41


def test_period_margin_protects_a_year_within_its_pooled_period() -> None:
    counts = {(COUNCILS[0], "Persons", y): v for y, v in zip(YEARS, [12.0, 1.0, 40.0], strict=True)}
    counts[(COUNCILS[0], "Persons", POOLED)] = 53.0
    shown = _shown(protect(_rows(counts), "fewer_than_3", families).frame)
    assert shown.isna().tolist() == [True, True, False, False]  # 2020 (12) is the smallest other year


def test_a_hidden_count_is_hidden_in_every_indicator_that_uses_it() -> None:
    counts = {(COUNCILS[0], "Persons", "2020"): 23.0, (COUNCILS[0], "Male", "2020"): 3.0,
              (COUNCILS[0], "Female", "2020"): 20.0}
    frame = protect(_rows(counts, ("count", "crude")), "fewer_than_5", families).frame
    female = frame[frame["sex"] == "Female"]
    assert female["suppressed"].all() and female[["count", "value", "lower_ci_95"]].isna().all().all()


def test_rounding_alone_protects_where_differencing_only_narrows() -> None:
    counts = {(COUNCILS[0], "Persons", "2020"): 20.0, (COUNCILS[0], "Male", "2020"): 3.0,
              (COUNCILS[0], "Female", "2020"): 17.0}
    out = protect(_rows(counts), "hes", families)
    shown = _shown(out.frame)
    assert shown[(COUNCILS[0], "Female", "2020")] == 15 and shown[(COUNCILS[0], "Persons", "2020")] == 20
    assert out.summary["cells_lost_to_secondary"] == 0  # Male is 1-9 by subtraction, never one value


def test_rounding_errors_that_line_up_are_caught() -> None:
    # Two councils of 8 shown as 10 (so at least 8 each), the board's 17 shown as 15 (so at most 17):
    # the hidden council is at most 17 - 8 - 8 = 1, and hidden counts are at least 1.
    values = [8.0, 8.0, 1.0]
    counts = {(c, "Persons", "2020"): v for c, v in zip(COUNCILS, values, strict=True)}
    counts[(BOARD, "Persons", "2020")] = 17.0
    frame = _rows(counts)
    published = disclosure.apply_rule(frame, "hes")
    assert not attack_source(published, "hes", families).passed
    out = protect(frame, "hes", families)
    assert attack_source(out.frame, "hes", families).passed
    assert out.summary["cells_lost_to_secondary"] == 1


# ---------------------------------------------------------------- figures from published counts
def test_rates_and_limits_come_from_the_rounded_count() -> None:
    out = protect(_rows({(COUNCILS[0], "Persons", "2020"): 12.0}, ("count", "crude")), "hes", families).frame
    crude = out[out["indicator_id"] == "adm_crude"].iloc[0]
    expected = stats.rate(10, POPULATION)
    assert crude["count"] == 10
    assert (crude["value"], crude["lower_ci_95"], crude["upper_ci_95"]) == pytest.approx(
        (expected.value, expected.lower, expected.upper))
    assert out.loc[out["indicator_id"] == "adm_count", "value"].iloc[0] == 10


def test_proportions_use_the_rounded_numerator_and_denominator() -> None:
    share = stats.proportion(12, 33, multiplier=100)
    frame = indicator_rows([{"indicator_id": "em_share", "area_code": COUNCILS[0], "count": 12, "denominator": 33,
                             "value": share.value, "lower_ci_95": share.lower, "upper_ci_95": share.upper}])
    out = protect(frame, "hes", lambda i: ("em", "all")).frame.iloc[0]
    expected = stats.proportion(10, 35, multiplier=100)
    assert (out["count"], out["denominator"]) == (10, 35)
    assert (out["value"], out["lower_ci_95"], out["upper_ci_95"]) == pytest.approx(
        (expected.value, expected.lower, expected.upper))


def test_statistics_that_cannot_be_recomputed_are_withheld_under_rounding() -> None:
    frame = indicator_rows([{"area_code": COUNCILS[0], "count": 12, "value": 0.87, "value_type": "ISR",
                             "unit": "ratio", "lower_ci_95": 0.5, "upper_ci_95": 1.4}])
    out = protect(frame, "hes").frame.iloc[0]
    assert np.isnan(out["value"]) and np.isnan(out["upper_ci_95"]) and out["value_note"] == WITHHELD_NOTE
    assert out["count"] == 10 and not out["suppressed"]
    kept = protect(frame, "fewer_than_5").frame.iloc[0]  # exact counts: the value is already from them
    assert kept["value"] == 0.87


def test_two_rows_disagreeing_on_one_count_are_refused() -> None:
    frame = _rows({(COUNCILS[0], "Persons", "2020"): 12.0}, ("count", "crude"))
    frame.loc[frame["indicator_id"] == "adm_crude", "count"] = 13.0
    with pytest.raises(disclosure.DisclosureError, match="different values"):
        protect(frame, "hes", families)


def test_rule_none_publishes_as_is() -> None:
    frame = _rows({(COUNCILS[0], "Persons", "2020"): 3.0})
    out = protect(frame, "none", families)
    assert out.frame["count"].tolist() == [3.0] and out.summary == {}


# ---------------------------------------------------------------- properties
_atoms = st.lists(st.integers(min_value=0, max_value=12), min_size=18, max_size=18)
_rules = st.sampled_from(["hes", "fewer_than_5", "fewer_than_3", "7_or_fewer"])


@settings(deadline=None, max_examples=25)
@given(atoms=_atoms, rule=_rules)
def test_after_the_layer_no_attack_recovers_a_hidden_count(atoms: list[int], rule: str) -> None:
    frame = _rows(_cube(atoms), ("count", "crude"))
    out = protect(frame, rule, families).frame
    report = attack_source(out, rule, families)
    assert report.passed, report.text()
    assert disclosure.find_leaks(out, rule).empty
    truth = frame["count"].to_numpy()
    assert out["suppressed"].to_numpy()[RULES[rule].suppresses(truth)].all()  # primary never undone
    shown = out["count"].notna().to_numpy()
    if RULES[rule].round_to:
        assert (out["count"].dropna() % 5 == 0).all()
        assert (np.abs(out["count"].to_numpy()[shown] - truth[shown]) <= 2).all()
    else:
        assert (out["count"].to_numpy()[shown] == truth[shown]).all()


@settings(deadline=None, max_examples=12)
@given(atoms=_atoms, rule=_rules)
def test_after_the_layer_a_linear_programme_pins_no_hidden_count(atoms: list[int], rule: str) -> None:
    out = protect(_rows(_cube(atoms)), rule, families).frame
    assert lp_pinned(out, RULES[rule], families) == []


@settings(deadline=None, max_examples=15)
@given(atoms=_atoms)
def test_without_the_layer_the_attacks_find_the_counts_rates_give_back(atoms: list[int]) -> None:
    frame = _rows(_cube(atoms), ("count", "crude"))
    cell_by_cell = disclosure.apply_rule(frame, "hes")  # rates from unrounded counts, no secondary suppression
    changed = (frame["count"] % 5 != 0) & ~RULES["hes"].suppresses(frame["count"]) & frame["count"].gt(0)
    report = attack_source(cell_by_cell, "hes", families)
    assert report.passed == (not changed.any())
