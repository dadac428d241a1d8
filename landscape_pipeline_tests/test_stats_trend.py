"""Recent trend: weighted regression, chi-squared threshold, leave-one-out check, labels and frame variant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline.stats import CHI2_THRESHOLD, recent_trend, recent_trend_frame
from landscape_pipeline.stats.trend import trend_statistics

HALF = 0.5  # CI half-width used in hand-built series: SE = 1/3.92, w = 3.92^2 for every point


def _series(values: list[float], half: float = HALF) -> tuple[list[float], list[float], list[float]]:
    return values, [v - half for v in values], [v + half for v in values]


def test_threshold_is_chi_squared_998() -> None:
    from scipy import stats as sps

    assert sps.chi2.ppf(0.998, 1) == pytest.approx(CHI2_THRESHOLD, rel=1e-12)


def test_equal_weights_reduce_to_hand_computable_slope() -> None:
    # Equal weights: b = sum((t - 3) y) / 10; Var(b) = 1 / (w * 10) with w = (3.92 / 1)^2 for a CI width of 1.
    values = [1.0, 2.0, 4.0, 4.0, 6.0]
    valid, slope, chi2, consistent = trend_statistics(*(np.array([a]) for a in _series(values)))
    b = sum((t - 3) * y for t, y in zip(range(1, 6), values, strict=True)) / 10
    assert valid[0] and consistent[0]
    assert slope[0] == pytest.approx(b)
    assert chi2[0] == pytest.approx(b * b * 3.92**2 * 10)


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        ([1, 2, 3, 4, 5], "High is good", "Increasing and getting better"),
        ([1, 2, 3, 4, 5], "Low is good", "Increasing and getting worse"),
        ([5, 4, 3, 2, 1], "High is good", "Decreasing and getting worse"),
        ([5, 4, 3, 2, 1], "Low is good", "Decreasing and getting better"),
        ([5, 4, 3, 2, 1], "No judgement", "Decreasing"),
        ([1, 2, 3, 4, 5], "Not applicable", "Increasing"),
        ([3, 3.1, 2.9, 3.0, 3.05], "High is good", "No significant change"),
    ],
)
def test_labels(values: list[float], polarity: str, expected: str) -> None:
    assert recent_trend(*_series(values), polarity) == expected


def test_leave_one_out_sign_change_blocks_a_significant_trend() -> None:
    # One huge jump with tight CIs: chi2 is far above the threshold, but dropping point 5 flips the slope.
    values, lowers, uppers = _series([5.0, 4.9, 4.8, 4.7, 20.0], half=0.01)
    _, slope, chi2, consistent = trend_statistics(np.array([values]), np.array([lowers]), np.array([uppers]))
    assert chi2[0] > CHI2_THRESHOLD and slope[0] > 0 and not consistent[0]
    assert recent_trend(values, lowers, uppers, "High is good") == "No significant change"


def test_only_the_last_five_points_are_used() -> None:
    old_noise = [100.0, -50.0, 70.0]
    assert recent_trend(*_series([*old_noise, 1, 2, 3, 4, 5]), "No judgement") == "Increasing"


@pytest.mark.parametrize(
    "series",
    [
        _series([1, 2, 3, 4]),  # fewer than 5 points
        _series([1, 2, np.nan, 4, 5]),  # a missing value
        ([1, 2, 3, 4, 5], [0.5, 1.5, 2.5, 3.5, 5.0], [1.5, 2.5, 3.5, 4.5, 5.0]),  # zero-width CI
        ([1, 2, 3, 4, 5], [0.5, 1.5, None, 3.5, 4.5], [1.5, 2.5, 3.5, 4.5, 5.5]),  # a missing limit
    ],
)
def test_cannot_be_calculated(series: tuple[list[float], list[float], list[float]]) -> None:
    assert recent_trend(*series, "High is good") == "Cannot be calculated"


def test_length_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="same length"):
        recent_trend([1, 2, 3, 4, 5], [0, 1, 2, 3], [2, 3, 4, 5, 6], "High is good")


def test_recent_trend_frame_many_series() -> None:
    rows = []
    plans = {
        "A": ([1, 2, 3, 4, 5, 6], "Low is good"),
        "B": ([6, 5, 4, 3, 2, 1], "High is good"),
        "C": ([1, 2, 3, 4], "High is good"),
        "D": ([3, 3.1, 2.9, 3.0, 3.05], "No judgement"),
    }
    for code, (values, polarity) in plans.items():
        for year, v in zip(range(2010, 2010 + len(values)), values, strict=True):
            rows.append({"area_code": code, "sex": "Persons", "year": year, "value": v,
                         "lower_ci_95": v - HALF, "upper_ci_95": v + HALF, "polarity": polarity})
    frame = pd.DataFrame(rows).sample(frac=1, random_state=1)  # shuffled
    out = recent_trend_frame(frame, ["area_code", "sex"], "year", "polarity")
    labels = dict(zip(out["area_code"], out["recent_trend"], strict=True))
    assert labels == {
        "A": "Increasing and getting worse",
        "B": "Decreasing and getting worse",
        "C": "Cannot be calculated",
        "D": "No significant change",
    }
    assert list(out.columns) == ["area_code", "sex", "recent_trend"]


def test_recent_trend_frame_consecutive_periods() -> None:
    years = [2010, 2011, 2012, 2014, 2015]
    frame = pd.DataFrame({"area_code": "A", "year": years, "value": [1.0, 2, 3, 4, 5]})
    frame["lower_ci_95"], frame["upper_ci_95"] = frame["value"] - HALF, frame["value"] + HALF
    assert recent_trend_frame(frame, ["area_code"], "year", None)["recent_trend"].item() == "Increasing"
    gap = recent_trend_frame(frame, ["area_code"], "year", None, consecutive=True)
    assert gap["recent_trend"].item() == "Cannot be calculated"


def test_recent_trend_frame_rejects_duplicate_periods() -> None:
    frame = pd.DataFrame({"area_code": "A", "year": [2010, 2010], "value": 1.0, "lower_ci_95": 0.5, "upper_ci_95": 1.5})
    with pytest.raises(ValueError, match="twice"):
        recent_trend_frame(frame, ["area_code"], "year", None)


def test_noise_slopes_count_as_zero_in_either_direction() -> None:
    """A flat tail's leave-one-out slope is rounding noise; its sign must not decide the label."""
    values, halves = [3.0, 0.01, 0.01, 0.01, 0.01], [1.0, 1.0, 1.0, 1.0, 0.25]
    lowers = [v - h for v, h in zip(values, halves, strict=True)]
    uppers = [v + h for v, h in zip(values, halves, strict=True)]
    forward = recent_trend(values, lowers, uppers, "No judgement")
    backward = recent_trend(values[::-1], lowers[::-1], uppers[::-1], "No judgement")
    assert forward == backward == "No significant change"


_values = st.lists(st.floats(-1e3, 1e3), min_size=5, max_size=5)
_halves = st.lists(st.floats(0.01, 50), min_size=5, max_size=5)


@given(values=_values, halves=_halves, shift=st.floats(-1e3, 1e3))
def test_reversal_mirrors_and_shift_keeps_the_slope(values: list[float], halves: list[float], shift: float) -> None:
    lowers = [v - h for v, h in zip(values, halves, strict=True)]
    uppers = [v + h for v, h in zip(values, halves, strict=True)]
    label = recent_trend(values, lowers, uppers, "No judgement")
    mirror = {"Increasing": "Decreasing", "Decreasing": "Increasing"}.get(label, label)
    assert recent_trend(values[::-1], lowers[::-1], uppers[::-1], "No judgement") == mirror
    frame = pd.DataFrame({"s": 1, "t": range(5), "value": values, "lower_ci_95": lowers, "upper_ci_95": uppers})
    assert recent_trend_frame(frame, ["s"], "t", None)["recent_trend"].item() == label
    base = trend_statistics(np.array([values]), np.array([lowers]), np.array([uppers]))
    moved = trend_statistics(*(np.array([a]) + shift for a in (values, lowers, uppers)))
    assert moved[1][0] == pytest.approx(base[1][0], rel=1e-6, abs=1e-6)
