"""Every published reference case in ../shared/reference_data/methods/reference_cases.json, to 1e-6 relative."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from landscape_pipeline.stats import (
    DSR_NOTE,
    ESP2013,
    byar_limits,
    compare,
    dsr,
    dsr_frame,
    proportion,
    proportion_frame,
    rate,
    rate_frame,
    rate_method,
    recent_trend,
    recent_trend_frame,
)

REFERENCE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "reference_data"
REFERENCE = REFERENCE_DATA / "methods" / "reference_cases.json"
_MISSING = f"reference cases not found at {REFERENCE} (the ../shared checkout is absent)"


def _cases(key: str) -> list[Any]:
    """Return the reference cases under ``key``, or one skipped parameter when the file is absent."""
    if not REFERENCE.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=_MISSING))]
    cases = json.loads(REFERENCE.read_text())[key]
    return [pytest.param(c, id=str(c.get("name", c.get("numerator", c.get("count"))))) for c in cases]


def _limits(case: dict[str, Any], level: str) -> tuple[float, float]:
    return case[f"lower{level}"], case[f"upper{level}"]


@pytest.mark.parametrize("case", _cases("proportion_wilson"))
def test_wilson_proportion_matches_published(case: dict[str, Any]) -> None:
    for confidence, level in ((0.95, "95"), (0.998, "998")):
        result = proportion(case["numerator"], case["denominator"], confidence=confidence)
        assert result.value == pytest.approx(case["value"], rel=1e-6)
        assert (result.lower, result.upper) == pytest.approx(_limits(case, level), rel=1e-6)


@pytest.mark.parametrize("case", _cases("proportion_wilson"))
def test_proportion_frame_matches_published(case: dict[str, Any]) -> None:
    frame = pd.DataFrame({"count": [case["numerator"]], "denominator": [case["denominator"]]})
    row = proportion_frame(frame, multiplier=1).iloc[0]
    assert row["value"] == pytest.approx(case["value"], rel=1e-6)
    assert (row["lower_ci_95"], row["upper_ci_95"]) == pytest.approx(_limits(case, "95"), rel=1e-6)
    assert (row["lower_ci_99_8"], row["upper_ci_99_8"]) == pytest.approx(_limits(case, "998"), rel=1e-6)


@pytest.mark.parametrize("case", _cases("crude_rate_exact_below_10_byar_from_10"))
def test_crude_rate_matches_published(case: dict[str, Any]) -> None:
    for confidence, level in ((0.95, "95"), (99.8, "998")):
        result = rate(case["count"], case["denominator"], multiplier=case["multiplier"], confidence=confidence)
        assert result.value == pytest.approx(case["value"], rel=1e-6)
        assert (result.lower, result.upper) == pytest.approx(_limits(case, level), rel=1e-6)
    assert rate_method(case["count"]) == {"exact": "Exact", "byar": "Byars"}[case["method"]]


@pytest.mark.parametrize("case", _cases("crude_rate_exact_below_10_byar_from_10"))
def test_rate_frame_matches_published(case: dict[str, Any]) -> None:
    frame = pd.DataFrame({"count": [case["count"]], "denominator": [case["denominator"]]})
    row = rate_frame(frame, multiplier=case["multiplier"]).iloc[0]
    assert row["value"] == pytest.approx(case["value"], rel=1e-6)
    assert (row["lower_ci_95"], row["upper_ci_95"]) == pytest.approx(_limits(case, "95"), rel=1e-6)
    assert (row["lower_ci_99_8"], row["upper_ci_99_8"]) == pytest.approx(_limits(case, "998"), rel=1e-6)


@pytest.mark.parametrize("case", _cases("byar_count_limits"))
def test_byar_count_limits_match_published(case: dict[str, Any]) -> None:
    for z, level in ((1.959963984540054, "95"), (3.090232306167813, "998")):
        lower, upper = byar_limits(np.array(case["count"]), z)
        assert (float(lower), float(upper)) == pytest.approx(_limits(case, level), rel=1e-6)


def test_esp2013_weights_match_published() -> None:
    if not REFERENCE.exists():
        pytest.skip(_MISSING)
    weights = json.loads(REFERENCE.read_text())["esp2013_weights_0_4_to_90plus"]
    assert list(ESP2013) == weights
    assert sum(ESP2013) == 100000


@pytest.mark.parametrize("case", _cases("dsr_dobson_esp2013"))
def test_dsr_matches_published(case: dict[str, Any]) -> None:
    for confidence, level in ((0.95, "95"), (0.998, "998")):
        result = dsr(case["counts"], case["populations"], multiplier=case["multiplier"], confidence=confidence)
        if case["value"] is None:
            assert tuple(result) == (None, None, None)
            assert result.note == DSR_NOTE
        else:
            assert result.note is None
            assert result.value == pytest.approx(case["value"], rel=1e-6)
            assert (result.lower, result.upper) == pytest.approx(_limits(case, level), rel=1e-6)


@pytest.mark.parametrize("case", _cases("dsr_dobson_esp2013"))
def test_dsr_frame_matches_published(case: dict[str, Any]) -> None:
    frame = pd.DataFrame({
        "area_code": "E06000001",
        "age_band": list(ESP2013.labels),
        "count": case["counts"],
        "population": case["populations"],
    })
    row = dsr_frame(frame, ["area_code"], multiplier=case["multiplier"]).iloc[0]
    assert row["count"] == sum(case["counts"])
    assert row["denominator"] == sum(case["populations"])
    if case["value"] is None:
        assert np.isnan(row["value"]) and np.isnan(row["lower_ci_95"]) and np.isnan(row["upper_ci_99_8"])
        assert row["note"] == DSR_NOTE
    else:
        assert pd.isna(row["note"])
        assert row["value"] == pytest.approx(case["value"], rel=1e-6)
        assert (row["lower_ci_95"], row["upper_ci_95"]) == pytest.approx(_limits(case, "95"), rel=1e-6)
        assert (row["lower_ci_99_8"], row["upper_ci_99_8"]) == pytest.approx(_limits(case, "998"), rel=1e-6)


@pytest.mark.parametrize("case", _cases("recent_trend_5_points"))
def test_recent_trend_matches_published(case: dict[str, Any]) -> None:
    label = recent_trend(case["values"], case["lower95"], case["upper95"], case["polarity"])
    assert label == case["expected"]
    frame = pd.DataFrame({
        "area_code": "E92000001",
        "year": range(2019, 2024),
        "value": case["values"],
        "lower_ci_95": case["lower95"],
        "upper_ci_95": case["upper95"],
        "polarity": case["polarity"],
    }).iloc[::-1]  # input order must not matter; the period column orders the points
    out = recent_trend_frame(frame, ["area_code"], "year", "polarity")
    assert out["recent_trend"].tolist() == [case["expected"]]


def test_comparison_rule_as_published() -> None:
    if not REFERENCE.exists():
        pytest.skip(_MISSING)
    rule = json.loads(REFERENCE.read_text())["comparison_rule"]
    assert "edges count as inside" in rule  # the rule the cases below encode
    assert compare(10, 8, 12, 12, "High is good") == "Similar"  # benchmark on the upper edge
    assert compare(10, 8, 12, 8, "Low is good") == "Similar"  # benchmark on the lower edge
    assert compare(10, 8, 12, 13, "High is good") == "Worse"
    assert compare(10, 8, 12, 7, "No judgement") == "Higher"
    assert compare(10, None, None, 7, "High is good") == "Not compared"
