"""Frame-level statistics agree with the scalar/array API and handle bad rows as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landscape_pipeline.stats import (
    CI_COLUMNS,
    DSR_NOTE,
    ESP2013,
    dsr,
    dsr_frame,
    proportion,
    proportion_frame,
    rate,
    rate_frame,
)
from landscape_pipeline.stats.frame import NOTE_BAD_POPULATION, NOTE_BANDS_INCOMPLETE

OUTPUT = ["value", *CI_COLUMNS]
BANDS = list(ESP2013.labels)


@pytest.fixture
def counts_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    denominator = rng.integers(1, 5000, 400).astype(float)
    count = np.floor(denominator * rng.beta(0.5, 30, 400))
    return pd.DataFrame({"area_code": [f"E{i:08d}" for i in range(400)], "count": count, "denominator": denominator})


def test_canonical_output_columns() -> None:
    assert CI_COLUMNS == ("lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")


def test_proportion_frame_equals_array_api(counts_frame: pd.DataFrame) -> None:
    out = proportion_frame(counts_frame)
    assert list(out.columns) == [*counts_frame.columns, *OUTPUT]
    for confidence, tag in ((0.95, "95"), (0.998, "99_8")):
        expected = proportion(counts_frame["count"], counts_frame["denominator"], confidence, multiplier=100)
        np.testing.assert_allclose(out["value"], expected.value, rtol=1e-12)
        np.testing.assert_allclose(out[f"lower_ci_{tag}"], expected.lower, rtol=1e-12)
        np.testing.assert_allclose(out[f"upper_ci_{tag}"], expected.upper, rtol=1e-12)
    assert "value" not in counts_frame  # the input is not modified


def test_rate_frame_equals_array_api_and_labels_method(counts_frame: pd.DataFrame) -> None:
    out = rate_frame(counts_frame, multiplier=1000, method_col="method")
    for confidence, tag in ((0.95, "95"), (0.998, "99_8")):
        expected = rate(counts_frame["count"], counts_frame["denominator"], 1000, confidence)
        np.testing.assert_allclose(out[f"lower_ci_{tag}"], expected.lower, rtol=1e-12)
        np.testing.assert_allclose(out[f"upper_ci_{tag}"], expected.upper, rtol=1e-12)
    assert set(out.loc[counts_frame["count"] < 10, "method"]) == {"Exact"}
    assert set(out.loc[counts_frame["count"] >= 10, "method"]) == {"Byars"}


def test_frame_errors_raise_or_coerce() -> None:
    bad = pd.DataFrame({"count": [5, 12, -1, 3], "denominator": [10, 10, 10, 0]})
    with pytest.raises(ValueError, match="1 negative numerator"):
        proportion_frame(bad)
    with pytest.raises(ValueError, match=r"1 row.* greater than 'denominator'"):
        proportion_frame(bad.iloc[:2])
    with pytest.raises(ValueError, match="negative"):
        rate_frame(bad)
    coerced = proportion_frame(bad, errors="coerce")
    assert coerced["value"].notna().tolist() == [True, False, False, False]
    assert rate_frame(bad, errors="coerce")["upper_ci_95"].notna().tolist() == [True, True, False, False]


def test_frame_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="'numerator'"):
        proportion_frame(pd.DataFrame({"count": [1]}), numerator="numerator")


def test_frame_missing_values_give_nan_rows() -> None:
    frame = pd.DataFrame({"count": pd.array([3, None], dtype="Int64"), "denominator": [10, 10]})
    out = rate_frame(frame)
    assert out["value"].isna().tolist() == [False, True]


def _dsr_long(areas: dict[str, tuple[np.ndarray, np.ndarray]], labels: list[str] = BANDS) -> pd.DataFrame:
    return pd.concat(
        pd.DataFrame({"area_code": code, "sex": "Persons", "age_band": labels, "count": c, "population": p})
        for code, (c, p) in areas.items()
    )


def test_dsr_frame_equals_scalar_dsr_for_many_groups() -> None:
    rng = np.random.default_rng(3)
    areas = {f"A{i}": (rng.poisson(30, 19).astype(float), rng.integers(500, 3000, 19).astype(float)) for i in range(30)}
    areas["small"] = (np.r_[np.ones(9), np.zeros(10)], np.full(19, 1000.0))
    frame = _dsr_long(areas).sample(frac=1, random_state=2)  # row order must not matter
    out = dsr_frame(frame, ["area_code", "sex"]).set_index("area_code")
    assert list(out.columns) == ["sex", *OUTPUT, "count", "denominator", "note"]
    for code, (c, p) in areas.items():
        for confidence, tag in ((0.95, "95"), (0.998, "99_8")):
            expected = dsr(c, p, confidence=confidence)
            if expected.value is None:
                assert np.isnan(out.loc[code, "value"]) and out.loc[code, "note"] == DSR_NOTE
                continue
            assert out.loc[code, "value"] == pytest.approx(expected.value, rel=1e-12)
            assert out.loc[code, f"lower_ci_{tag}"] == pytest.approx(expected.lower, rel=1e-12)
            assert out.loc[code, f"upper_ci_{tag}"] == pytest.approx(expected.upper, rel=1e-12)
            assert pd.isna(out.loc[code, "note"])
        assert out.loc[code, "count"] == c.sum() and out.loc[code, "denominator"] == p.sum()


def test_dsr_frame_collapses_to_85_plus_and_sums_single_years() -> None:
    counts, pops = np.arange(10, 29, dtype=float), np.full(19, 1000.0)
    top = (np.r_[counts[:17], counts[17:].sum()], np.r_[pops[:17], pops[17:].sum()])
    frame = _dsr_long({"old": top}, [*BANDS[:17], "85 and over"])
    single_years = [str(a) for a in range(0, 85)]
    years = pd.DataFrame({
        "area_code": "years", "sex": "Persons", "age_band": [*single_years, "85+"],
        "count": np.r_[np.repeat(counts[:17] / 5, 5), counts[17:].sum()],
        "population": np.r_[np.repeat(pops[:17] / 5, 5), pops[17:].sum()],
    })
    out = dsr_frame(pd.concat([frame, years]), ["area_code"]).set_index("area_code")
    expected = dsr(*top, standard=ESP2013.collapsed(85))
    for code in ("old", "years"):
        assert out.loc[code, "value"] == pytest.approx(expected.value, rel=1e-12)
        assert out.loc[code, "upper_ci_95"] == pytest.approx(expected.upper, rel=1e-12)


def test_dsr_frame_notes_incomplete_bands_and_bad_populations() -> None:
    full = (np.full(19, 20.0), np.full(19, 1000.0))
    zero_pop = (np.full(19, 20.0), np.r_[np.full(18, 1000.0), 0.0])
    frame = _dsr_long({"ok": full, "zero": zero_pop, "gap": full})
    frame = frame[~((frame["area_code"] == "gap") & (frame["age_band"] == "40-44"))]
    out = dsr_frame(frame, "area_code").set_index("area_code")
    assert pd.isna(out.loc["ok", "note"]) and out.loc["ok", "value"] == pytest.approx(2000.0)
    assert out.loc["zero", "note"] == NOTE_BAD_POPULATION and np.isnan(out.loc["zero", "value"])
    assert out.loc["gap", "note"] == NOTE_BANDS_INCOMPLETE and np.isnan(out.loc["gap", "lower_ci_95"])


def test_dsr_frame_age_restricted_standard_uses_present_bands_only() -> None:
    counts, pops = np.array([30.0, 40, 50, 60, 70]), np.array([1000.0, 900, 800, 600, 400])
    frame = _dsr_long({"A": (counts, pops)}, BANDS[14:])  # 70-74 ... 90+
    out = dsr_frame(frame, ["area_code"]).iloc[0]
    assert out["value"] == pytest.approx(dsr(counts, pops, standard=list(ESP2013)[14:]).value, rel=1e-12)


def test_dsr_frame_missing_counts_are_zero_and_negative_counts_raise() -> None:
    counts = np.full(19, 5.0)
    with_gap = counts.copy()
    with_gap[2] = np.nan
    frame = _dsr_long({"gap": (with_gap, np.full(19, 500.0))})
    assert dsr_frame(frame, ["area_code"])["count"].item() == 90
    frame.loc[frame.index[0], "count"] = -1
    with pytest.raises(ValueError, match="negative"):
        dsr_frame(frame, ["area_code"])
