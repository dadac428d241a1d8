"""Benchmark comparison labels (CI overlapping the benchmark value) for scalars and arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape_pipeline.stats import compare, compare_frame, polarity_code

HIGH, LOW, NONE = "High is good", "Low is good", "No judgement"


@pytest.mark.parametrize(
    ("benchmark", "polarity", "expected"),
    [
        (15, HIGH, "Worse"), (15, LOW, "Better"), (15, NONE, "Lower"),
        (5, HIGH, "Better"), (5, LOW, "Worse"), (5, NONE, "Higher"),
        (10, HIGH, "Similar"), (8, LOW, "Similar"), (12, NONE, "Similar"),  # inside, edges inclusive
    ],
)
def test_compare_rules(benchmark: float, polarity: str, expected: str) -> None:
    assert compare(10, 8, 12, benchmark, polarity) == expected


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("RAG - High is good", "Better"), ("rag - low is good", "Worse"), ("BOB - Blue orange blue", "Higher"),
        ("HIGH IS GOOD", "Better"), ("no judgement", "Higher"), (1, "Better"), (0, "Worse"), (99, "Higher"),
        ("Not applicable", "Not compared"), (-1, "Not compared"), ("sideways", "Not compared"), (None, "Not compared"),
    ],
)
def test_polarity_variants(polarity: object, expected: str) -> None:
    assert compare(10, 8, 12, 5, polarity) == expected


@pytest.mark.parametrize(
    ("value", "lower", "upper", "benchmark"),
    [(None, 8, 12, 5), (10, None, 12, 5), (10, 8, np.nan, 5), (10, 8, 12, None), (10, 12, 8, 5), (10, 8, 12, pd.NA)],
)
def test_missing_or_inconsistent_inputs_are_not_compared(value: object, lower: object, upper: object,
                                                         benchmark: object) -> None:
    assert compare(value, lower, upper, benchmark, HIGH) == "Not compared"


def test_compare_frame_vectorised_with_broadcasting() -> None:
    values = pd.Series([10.0, 10.0, 10.0, None])
    lowers = np.array([8, 8, 11, 8])
    uppers = [12, 9.5, 13, 12]
    polarities = pd.Series([HIGH, LOW, NONE, HIGH])
    out = compare_frame(values, lowers, uppers, 10, polarities)
    assert out.tolist() == ["Similar", "Better", "Higher", "Not compared"]
    assert compare(values, lowers, uppers, 10, HIGH).tolist() == ["Similar", "Worse", "Better", "Not compared"]


def test_polarity_code_distinguishes_values() -> None:
    assert len({polarity_code(HIGH), polarity_code(LOW), polarity_code(NONE), polarity_code("Not applicable")}) == 4


@given(
    centre=st.floats(-1e6, 1e6), half=st.floats(0, 1e4), benchmark=st.floats(-1e6, 1e6),
)
def test_polarity_flip_swaps_better_and_worse(centre: float, half: float, benchmark: float) -> None:
    high = compare(centre, centre - half, centre + half, benchmark, HIGH)
    low = compare(centre, centre - half, centre + half, benchmark, LOW)
    plain = compare(centre, centre - half, centre + half, benchmark, NONE)
    swap = {"Better": "Worse", "Worse": "Better", "Similar": "Similar"}
    assert low == swap[high]
    assert plain == {"Better": "Higher", "Worse": "Lower", "Similar": "Similar"}[high]
    assert (high == "Similar") == (centre - half <= benchmark <= centre + half)
