"""Wilson, exact/Byar's and Student's t intervals: edge cases, input forms, validation and properties."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from landscape_pipeline.stats import (
    Interval,
    exact_limits,
    mean,
    normalise_confidence,
    proportion,
    rate,
    rate_method,
    z_value,
)

# -ln(0.025): the exact 95% upper limit for a count of 0 (methods.md: 3.688879).
UPPER_95_FOR_ZERO = -math.log(0.025)


def test_proportion_prints_published_figures() -> None:
    assert repr(proportion(65, 100)).startswith("Interval(value=0.65, lower=0.55254443")
    assert "upper=0.73635751" in repr(proportion(65, 100))


def test_interval_unpacks_to_three_and_scalars_are_floats() -> None:
    value, lower, upper = proportion(65, 100)
    assert all(type(x) is float for x in (value, lower, upper))
    assert len(Interval(1, 0, 2)) == 3


def test_z_values() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(99.8) == pytest.approx(3.090232, abs=1e-6)


@pytest.mark.parametrize(("given", "expected"), [(0.95, 0.95), (95, 0.95), (0.998, 0.998), (99.8, 0.998)])
def test_confidence_accepts_fraction_or_percent(given: float, expected: float) -> None:
    assert normalise_confidence(given) == pytest.approx(expected)
    assert proportion(20, 100, confidence=given) == pytest.approx(tuple(proportion(20, 100, confidence=expected)))
    assert rate(20, 100, confidence=given) == pytest.approx(tuple(rate(20, 100, confidence=expected)))


@pytest.mark.parametrize("bad", [0, 100, 150, -0.5, "high"])
def test_invalid_confidence_raises(bad: object) -> None:
    with pytest.raises(ValueError, match="Confidence"):
        proportion(1, 10, confidence=bad)


def test_proportion_zero_and_all() -> None:
    assert proportion(0, 50).lower == 0.0
    assert proportion(0, 50).upper > 0
    assert proportion(50, 50, multiplier=100).upper == 100.0
    assert proportion(50, 50, multiplier=100).lower < 100


def test_proportion_multiplier_scales_everything() -> None:
    ones, pct = proportion(7, 40), proportion(7, 40, multiplier=100)
    assert tuple(pct) == pytest.approx(tuple(100 * np.array(ones)))


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [(-1, 10, "negative"), (11, 10, "exceed"), (1, 0, "greater than 0"), (0, -3, "greater than 0")],
)
def test_proportion_rejects_invalid_input(numerator: int, denominator: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proportion(numerator, denominator)


def test_proportion_arrays_and_series_give_arrays() -> None:
    numerators, denominators = [1, 5, 20], [100, 100, 100]
    expected = [proportion(o, n) for o, n in zip(numerators, denominators, strict=True)]
    for form in (np.array, pd.Series, list):
        result = proportion(form(numerators), form(denominators))
        assert isinstance(result.value, np.ndarray)
        for i, scalar in enumerate(expected):
            assert (result.value[i], result.lower[i], result.upper[i]) == pytest.approx(tuple(scalar))


def test_missing_inputs_give_nan_not_errors() -> None:
    result = proportion(pd.Series([1, None], dtype="Int64"), [10, 10])
    assert np.isnan(result.value[1]) and np.isnan(result.lower[1])
    assert rate(None, 100).value != rate(None, 100).value  # NaN


def test_rate_zero_count_uses_exact_upper() -> None:
    result = rate(0, 1000, multiplier=100000)
    assert result.value == 0.0 and result.lower == 0.0
    assert result.upper == pytest.approx(UPPER_95_FOR_ZERO / 1000 * 100000, rel=1e-12)


def test_rate_count_one_exact_lower_is_minus_log_0975() -> None:
    # For O = 1 the exact lower limit solves P(X >= 1) = 0.025, i.e. -ln(0.975).
    assert rate(1, 1, multiplier=1).lower == pytest.approx(-math.log(0.975), rel=1e-12)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_limits_agree_with_chi_squared_definition(confidence: float) -> None:
    alpha = 1 - confidence
    for count in range(1, 10):
        lower, upper = exact_limits(np.array([count]), confidence)
        assert lower[0] == pytest.approx(sps.chi2.ppf(alpha / 2, 2 * count) / 2, rel=1e-10)
        assert upper[0] == pytest.approx(sps.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2, rel=1e-10)


def test_exact_limits_for_non_integer_counts_use_gamma_inverse() -> None:
    lower, upper = exact_limits(np.array([2.5, 0.0]), 0.95)
    assert lower[0] == pytest.approx(sps.gamma.ppf(0.025, 2.5), rel=1e-10)
    assert upper[0] == pytest.approx(sps.gamma.ppf(0.975, 3.5), rel=1e-10)
    assert lower[1] == 0.0


def test_rate_switches_from_exact_to_byars_at_ten() -> None:
    z = z_value(0.95)
    nine, ten = rate(9, 1, multiplier=1), rate(10, 1, multiplier=1)
    assert nine.upper == pytest.approx(sps.chi2.ppf(0.975, 20) / 2, rel=1e-10)
    assert ten.lower == pytest.approx(10 * (1 - 1 / 90 - z / (3 * math.sqrt(10))) ** 3, rel=1e-12)
    assert ten.upper == pytest.approx(11 * (1 - 1 / 99 + z / (3 * math.sqrt(11))) ** 3, rel=1e-12)
    assert rate_method(9) == "Exact" and rate_method(10) == "Byars"
    assert rate_method([0, 9.5, 10]).tolist() == ["Exact", "Exact", "Byars"]


def test_rate_count_may_exceed_denominator() -> None:
    assert rate(30, 10, multiplier=1).value == 3.0


@pytest.mark.parametrize(("count", "denominator", "message"), [(-1, 10, "negative"), (1, 0, "greater than 0")])
def test_rate_rejects_invalid_input(count: int, denominator: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rate(count, denominator)


def test_rate_array_matches_scalars_across_both_methods() -> None:
    counts = np.arange(0, 30)
    result = rate(counts, 500, multiplier=1000)
    for i, count in enumerate(counts):
        assert (result.value[i], result.lower[i], result.upper[i]) == pytest.approx(tuple(rate(count, 500, 1000)))


def test_mean_matches_student_t() -> None:
    values = [3.1, 4.7, 2.2, 5.0, 3.9]
    low, high = sps.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=sps.sem(values))
    assert tuple(mean(values)) == pytest.approx((np.mean(values), low, high), rel=1e-12)
    assert mean(pd.Series([*values, None]), confidence=95) == pytest.approx(tuple(mean(values)))


def test_mean_needs_two_values() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        mean([1.0, float("nan")])


def test_interval_pickles() -> None:
    assert pickle.loads(pickle.dumps(proportion(1, 2))) == proportion(1, 2)


_counts = st.integers(min_value=0, max_value=5000)


@given(data=st.data(), denominator=st.integers(min_value=1, max_value=10**7))
def test_proportion_properties(data: st.DataObject, denominator: int) -> None:
    numerator = data.draw(st.integers(min_value=0, max_value=denominator))
    p95, p998 = proportion(numerator, denominator), proportion(numerator, denominator, confidence=0.998)
    assert 0 <= p998.lower <= p95.lower <= p95.value <= p95.upper <= p998.upper <= 1
    if numerator < denominator:
        nxt = proportion(numerator + 1, denominator)
        assert nxt.lower >= p95.lower and nxt.upper >= p95.upper


@given(count=_counts, denominator=st.floats(min_value=1, max_value=1e8))
def test_rate_properties(count: int, denominator: float) -> None:
    r95, r998 = rate(count, denominator), rate(count, denominator, confidence=99.8)
    assert 0 <= r998.lower <= r95.lower <= r95.value <= r95.upper <= r998.upper
    for confidence in (0.95, 0.998):
        this, nxt = rate(count, denominator, confidence=confidence), rate(count + 1, denominator, confidence=confidence)
        assert nxt.lower >= this.lower and nxt.upper >= this.upper


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_rate_limits_monotone_over_every_small_count(confidence: float) -> None:
    # Covers the exact-to-Byar's switch at 9 -> 10 deterministically.
    result = rate(np.arange(0, 300), 1000, confidence=confidence)
    assert (np.diff(result.lower) > 0).all() and (np.diff(result.upper) > 0).all()
