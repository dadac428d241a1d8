"""Change between two periods: worked examples computed by hand, and published ones (Newcombe 1998)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline.stats.change import change_from_limits, poisson_change, proportion_change

Z = 1.959964


def one(result: dict[str, np.ndarray]) -> dict[str, float]:
    return {k: float(v[0]) for k, v in result.items()}


def test_two_proportions_worked_by_hand() -> None:
    # Baseline 60/100 = 0.60, now 75/100 = 0.75: difference 0.15.
    # Pooled p = 135/200 = 0.675; SE0 = sqrt(0.675 * 0.325 * (1/100 + 1/100)) = sqrt(0.0043875) = 0.066238;
    # z = 0.15 / 0.066238 = 2.2646; two-sided p = 2 * (1 - Phi(2.2646)) = 0.02354.
    # Wilson 95% (z^2 = 3.841459, denominator 2 * (100 + z^2) = 207.682918):
    #   60/100: (123.841459 -+ 1.959964 * sqrt(3.841459 + 96)) / 207.682918 = 0.502002, 0.690600
    #   75/100: (153.841459 -+ 1.959964 * sqrt(3.841459 + 75)) / 207.682918 = 0.656953, 0.824549
    # Newcombe: L = 0.15 - sqrt((0.75 - 0.656953)^2 + (0.690600 - 0.60)^2) = 0.15 - 0.129870 = 0.020130
    #           U = 0.15 + sqrt((0.824549 - 0.75)^2 + (0.60 - 0.502002)^2) = 0.15 + 0.123131 = 0.273131
    # Ratio 1.25: SE(ln) = sqrt(1/60 - 1/100 + 1/75 - 1/100) = sqrt(0.01) = 0.1;
    #   exp(ln 1.25 -+ 0.1959964) = 1.027519, 1.520653 -> +2.75% to +52.07%.
    r = one(proportion_change(60, 100, 75, 100))
    assert r["abs_change"] == pytest.approx(15.0)
    assert r["abs_change_lower"] == pytest.approx(2.0130, abs=1e-3)
    assert r["abs_change_upper"] == pytest.approx(27.3131, abs=1e-3)
    assert r["z"] == pytest.approx(2.2646, abs=1e-4)
    assert r["p_value"] == pytest.approx(0.02354, abs=1e-5)
    assert r["rel_change"] == pytest.approx(25.0)
    assert r["rel_change_lower"] == pytest.approx(2.7519, abs=1e-3)
    assert r["rel_change_upper"] == pytest.approx(52.0653, abs=1e-3)


@pytest.mark.parametrize(("o2", "n2", "o1", "n1", "lower", "upper"), [
    (56, 70, 48, 80, 0.0524, 0.3339),   # Newcombe (1998) Table II, example (a), method 10
    (9, 10, 3, 10, 0.1705, 0.8090),     # example (b)
    (6, 7, 2, 7, 0.0582, 0.8062),       # example (c)
    (5, 56, 0, 29, -0.0381, 0.1926),    # example (d): a zero count
])
def test_difference_ci_matches_newcombes_published_examples(o2, n2, o1, n1, lower, upper) -> None:
    r = one(proportion_change(o1, n1, o2, n2, multiplier=1))
    assert (r["abs_change_lower"], r["abs_change_upper"]) == pytest.approx((lower, upper), abs=5e-5)


def test_no_relative_change_from_zero_and_invalid_inputs_give_nan() -> None:
    r = one(proportion_change(0, 29, 5, 56))
    assert math.isnan(r["rel_change"]) and math.isnan(r["rel_change_lower"])
    bad = one(proportion_change(12, 10, 5, 10))  # numerator above denominator
    assert all(math.isnan(v) for v in bad.values())


def test_ratio_of_two_rates_worked_by_hand() -> None:
    # 100 deaths in 50,000 (200 per 100,000) -> 130 in 52,000 (250 per 100,000): ratio 1.25.
    # ln 1.25 = 0.223144; SE = sqrt(1/100 + 1/130) = sqrt(0.0176923) = 0.133012; z = 1.67761; p = 0.09342.
    # Ratio CI exp(0.223144 -+ 1.959964 * 0.133012) = 0.963141, 1.622263 -> -3.69% to +62.23%.
    # Difference 50; SE = 1e5 * sqrt(100/50000^2 + 130/52000^2) = 1e5 * sqrt(4e-8 + 4.80769e-8) = 29.6778;
    # CI 50 -+ 1.959964 * 29.6778 = -8.167, 108.167.
    r = one(poisson_change(100, 50_000, 130, 52_000, multiplier=100_000))
    assert r["abs_change"] == pytest.approx(50.0)
    assert (r["abs_change_lower"], r["abs_change_upper"]) == pytest.approx((-8.167, 108.167), abs=2e-3)
    assert r["z"] == pytest.approx(1.6776, abs=1e-4)
    assert r["p_value"] == pytest.approx(0.09342, abs=1e-5)
    assert (r["rel_change_lower"], r["rel_change_upper"]) == pytest.approx((-3.686, 62.230), abs=2e-3)


def test_small_counts_use_the_exact_conditional_test() -> None:
    # 2 then 9 events in equal populations: given 11 events, O2 ~ Binomial(11, 0.5).
    # P(O2 >= 9) = (C(11,9) + C(11,10) + C(11,11)) / 2^11 = (55 + 11 + 1) / 2048 = 0.0327148; p = 2 x that = 0.0654297.
    r = one(poisson_change(2, 10_000, 9, 10_000, multiplier=100_000))
    assert r["p_value"] == pytest.approx(67 / 1024, rel=1e-9)
    assert r["rel_change"] == pytest.approx(350.0)
    assert math.isnan(r["z"]) and math.isnan(r["abs_change_lower"])  # no normal approximation below 10
    # 0 then 3: P(O2 >= 3 | 3, 0.5) = 1/8, p = 0.25; no relative change from zero.
    zero = one(poisson_change(0, 1, 3, 1))
    assert zero["p_value"] == pytest.approx(0.25) and math.isnan(zero["rel_change"])


def test_dsrs_compared_through_their_published_limits() -> None:
    # DSR 100 (90-111) then 120 (108-133). Log-scale SEs from the limits:
    # (ln 111 - ln 90) / (2 x 1.959964) = 0.209721 / 3.919928 = 0.053501; (ln 133 - ln 108) / 3.919928 = 0.053118.
    # SE(ln ratio) = sqrt(0.053501^2 + 0.053118^2) = 0.075392; z = ln 1.2 / 0.075392 = 0.182322 / 0.075392 = 2.4183;
    # p = 0.01559. Natural-scale SEs (111-90)/3.919928 = 5.35724 and (133-108)/3.919928 = 6.37767:
    # difference 20 -+ 1.959964 x sqrt(5.35724^2 + 6.37767^2) = 20 -+ 16.3248 = 3.675, 36.325.
    r = one(change_from_limits(100, 90, 111, 120, 108, 133, log_scale=True))
    assert r["z"] == pytest.approx(2.4183, abs=1e-4)
    assert r["p_value"] == pytest.approx(0.01559, abs=1e-5)
    assert (r["abs_change_lower"], r["abs_change_upper"]) == pytest.approx((3.675, 36.325), abs=1e-3)
    natural = one(change_from_limits(100, 90, 111, 120, 108, 133, log_scale=False))
    assert natural["z"] == pytest.approx(20 / math.hypot(5.35724, 6.37767), abs=1e-4)


@given(st.integers(1, 500), st.integers(1, 500), st.integers(0, 500), st.integers(0, 500))
def test_swapping_periods_mirrors_the_change(n1: int, n2: int, a: int, b: int) -> None:
    o1, o2 = min(a, n1), min(b, n2)
    forward, back = one(proportion_change(o1, n1, o2, n2)), one(proportion_change(o2, n2, o1, n1))
    assert forward["abs_change"] == pytest.approx(-back["abs_change"], abs=1e-9)
    assert forward["abs_change_lower"] == pytest.approx(-back["abs_change_upper"], abs=1e-9)
    assert forward["p_value"] == pytest.approx(back["p_value"], abs=1e-12)
    assert forward["abs_change_lower"] <= forward["abs_change"] <= forward["abs_change_upper"]
