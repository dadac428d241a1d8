"""DSR (Dobson, ESP2013), ISR and the age-band mapping onto ESP2013."""

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
    DSR_NOTE,
    ESP2013,
    DSRInterval,
    Interval,
    dsr,
    esp2013_band_for,
    isr,
    isr_method,
    map_age_bands,
    rate,
    z_value,
)

BANDS = list(ESP2013.labels)
POPS = np.array([636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207.0])


def test_esp2013_shape_and_labels() -> None:
    assert len(ESP2013) == 19 and sum(ESP2013) == 100000
    assert ESP2013[0] == 5000 and ESP2013[-1] == 1000
    assert ESP2013["0-4"] == 5000 and ESP2013["90+"] == 1000
    assert BANDS[0] == "0-4" and BANDS[-2:] == ["85-89", "90+"]


def test_85_plus_weight_is_85_89_plus_90_plus() -> None:
    assert ESP2013["85+"] == 1500 + 1000 == 2500
    collapsed = ESP2013.collapsed(85)
    assert len(collapsed) == 18 and sum(collapsed) == 100000
    assert collapsed.labels[-1] == "85+" and collapsed[-1] == 2500
    assert pickle.loads(pickle.dumps(collapsed)).labels == collapsed.labels


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("0-4", "0-4"), ("0 to 4", "0-4"), ("00-04", "0-4"), ("Under 5", "0-4"), ("<1", "0-4"), ("1-4", "0-4"),
        ("Aged 5-9 years", "5-9"), ("5 to 9", "5-9"), ("85+", "85+"), ("85 and over", "85+"), ("90+", "90+"),
        ("90 and over", "90+"), ("95+", "90+"), ("90-94", "90+"), ("0", "0-4"), ("7", "5-9"), ("100", "90+"),
        (87, "85-89"), (44.0, "40-44"), ("45\u201349", "45-49"), ("80+ yrs", "80+"),
    ],
)
def test_esp2013_band_for_common_labels(label: object, band: str) -> None:
    assert esp2013_band_for(label) == band


@pytest.mark.parametrize("label", ["0-14", "All ages", "Unknown", "83+", "10-5", ""])
def test_esp2013_band_for_rejects_unmappable_labels(label: str) -> None:
    with pytest.raises(ValueError, match=r"(?i)age band"):
        esp2013_band_for(label)


def test_map_age_bands_collapses_everything_above_an_open_85_band() -> None:
    labels = ["80-84", "85-89", "90+", "85 and over", "86", "0 to 4"]
    assert map_age_bands(labels).tolist() == ["80-84", "85+", "85+", "85+", "85+", "0-4"]
    assert map_age_bands(["85-89", "90 and over"]).tolist() == ["85-89", "90+"]  # no open band below 90


def test_map_age_bands_rejects_missing_labels() -> None:
    with pytest.raises(ValueError, match="missing"):
        map_age_bands(["0-4", None])


def test_dsr_returns_interval_compatible_result() -> None:
    result = dsr(POPS * 0.01, POPS)
    assert isinstance(result, Interval) and isinstance(result, DSRInterval)
    value, lower, upper = result
    assert result.note is None and lower < value < upper
    assert pickle.loads(pickle.dumps(result)).note is None


def test_dsr_with_equal_band_rates_equals_the_crude_rate() -> None:
    # Hand check: if every band has rate r, the DSR is r x multiplier whatever the weights.
    result = dsr(POPS * 0.02, POPS, multiplier=100000)
    assert result.value == pytest.approx(2000.0, rel=1e-12)


def test_dsr_below_ten_gives_none_and_note() -> None:
    counts = np.zeros(19)
    counts[[0, 5, 18]] = 3  # total 9
    result = dsr(counts, POPS)
    assert tuple(result) == (None, None, None) and result.note == DSR_NOTE
    counts[1] = 1  # total 10: published
    assert dsr(counts, POPS).value is not None


def test_dsr_missing_counts_count_as_zero() -> None:
    counts = POPS * 0.05
    with_gap = counts.copy()
    with_gap[3] = np.nan
    zeroed = counts.copy()
    zeroed[3] = 0
    assert tuple(dsr(with_gap, POPS)) == pytest.approx(tuple(dsr(zeroed, POPS)))


def test_dsr_two_dimensional_input_gives_arrays_and_notes() -> None:
    counts = np.vstack([POPS * 0.05, np.r_[np.ones(5), np.zeros(14)]])
    result = dsr(counts, np.vstack([POPS, POPS]))
    assert result.value[0] == pytest.approx(dsr(counts[0], POPS).value)
    assert np.isnan(result.value[1]) and np.isnan(result.upper[1])
    assert result.note.tolist() == [None, DSR_NOTE]


def test_dsr_single_years_equal_five_year_bands() -> None:
    counts = np.round(POPS * 0.03)
    ages = [str(a) for a in range(0, 90)] + ["90+"]
    single_counts = np.r_[np.repeat(counts[:18] / 5, 5), counts[18]]
    single_pops = np.r_[np.repeat(POPS[:18] / 5, 5), POPS[18]]
    by_year = dsr(single_counts, single_pops, age_bands=ages)
    assert tuple(by_year) == pytest.approx(tuple(dsr(counts, POPS)), rel=1e-12)


def test_dsr_with_85_plus_top_band_uses_collapsed_weights() -> None:
    counts = np.round(POPS * 0.04)
    counts18, pops18 = np.r_[counts[:17], counts[17:].sum()], np.r_[POPS[:17], POPS[17:].sum()]
    labels = [*BANDS[:17], "85+"]
    by_label = dsr(counts18, pops18, age_bands=labels)
    assert tuple(by_label) == pytest.approx(tuple(dsr(counts18, pops18, standard=ESP2013.collapsed(85))))
    # Hand check: with the same rate in 85-89 and 90+, collapsing them leaves the DSR unchanged.
    pops = POPS.copy()
    counts[17], counts[18] = 0.1 * pops[17], 0.1 * pops[18]
    full = dsr(counts, pops)
    collapsed = dsr(np.r_[counts[:17], counts[17:].sum()], np.r_[pops[:17], pops[17:].sum()], age_bands=labels)
    assert collapsed.value == pytest.approx(full.value, rel=1e-12)


def test_dsr_eighteen_bands_without_labels_is_an_error() -> None:
    with pytest.raises(ValueError, match="collapsed"):
        dsr(np.ones(18) * 5, POPS[:18])


@pytest.mark.parametrize(
    ("counts", "pops", "message"),
    [(np.r_[-1, np.ones(18)], POPS, "negative"), (np.ones(19) * 5, np.r_[0, POPS[1:]], "greater than 0"),
     (np.ones(19), POPS[:5], "same shape")],
)
def test_dsr_rejects_invalid_input(counts: np.ndarray, pops: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dsr(counts, pops)


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=19, max_size=19))
def test_dsr_properties(counts: list[int]) -> None:
    result95, result998 = dsr(counts, POPS), dsr(counts, POPS, confidence=99.8)
    if sum(counts) < 10:
        assert result95.value is None and result95.note == DSR_NOTE
    else:
        assert result998.lower <= result95.lower <= result95.value <= result95.upper <= result998.upper


# ISR: reference rates 0.01 and 0.02 applied to 500 and 250 people give E = 5 + 5 = 10.
REF_COUNTS, REF_POPS, LOCAL_POPS = [10, 20], [1000, 1000], [500, 250]


def test_isr_exact_below_ten() -> None:
    result = isr(5, LOCAL_POPS, REF_COUNTS, REF_POPS)
    assert result.value == pytest.approx(0.5)
    assert result.lower == pytest.approx(sps.chi2.ppf(0.025, 10) / 2 / 10, rel=1e-10)
    assert result.upper == pytest.approx(sps.chi2.ppf(0.975, 12) / 2 / 10, rel=1e-10)
    assert isr_method(5) == "Exact"


def test_isr_byars_from_ten_and_refvalue() -> None:
    z = z_value(0.95)
    result = isr([6, 14], LOCAL_POPS, REF_COUNTS, REF_POPS, refvalue=100)  # per-band observed: O = 20
    assert result.value == pytest.approx(200.0)
    assert result.lower == pytest.approx(20 * (1 - 1 / 180 - z / (3 * math.sqrt(20))) ** 3 / 10 * 100, rel=1e-12)
    assert result.upper == pytest.approx(21 * (1 - 1 / 189 + z / (3 * math.sqrt(21))) ** 3 / 10 * 100, rel=1e-12)
    assert isr_method([6, 14]) == "Byars"


def test_isr_equals_rate_limits_over_expected() -> None:
    for observed in (0, 9, 10, 57):
        result = isr(observed, LOCAL_POPS, REF_COUNTS, REF_POPS, confidence=99.8)
        crude = rate(observed, 10, multiplier=1, confidence=99.8)
        assert tuple(result) == pytest.approx(tuple(crude))


def test_isr_several_areas() -> None:
    result = isr([5, 20], [LOCAL_POPS, [1000, 500]], REF_COUNTS, REF_POPS)
    assert result.value.tolist() == pytest.approx([0.5, 1.0])


@pytest.mark.parametrize(
    ("observed", "pops", "ref_pops", "message"),
    [(-1, LOCAL_POPS, REF_POPS, "negative"), (3, [0, 0], REF_POPS, "expected count"),
     (3, LOCAL_POPS, [1000, 0], "greater than 0"), (3, [1, 2, 3], REF_POPS, "one value per age band")],
)
def test_isr_rejects_invalid_input(observed: int, pops: list[int], ref_pops: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        isr(observed, pops, REF_COUNTS, ref_pops)


def test_dsr_accepts_series() -> None:
    frame = pd.DataFrame({"count": POPS * 0.05, "population": POPS})
    assert dsr(frame["count"], frame["population"]).value == pytest.approx(5000.0)
