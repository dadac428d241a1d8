"""Directly standardised rates (Dobson method, ESP2013) and indirectly standardised ratios."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from ._common import as_float_array, check, normalise_confidence, z_value
from .agebands import (
    ESP2013,
    StandardPopulation,
    band_start,
    band_weights,
    map_age_bands,
)
from .intervals import EXACT_BELOW, Interval, byar_limits, poisson_limits

#: Note given instead of a DSR when the total count is below 10 (Fingertips/PHEindicatormethods rule).
DSR_MIN_COUNT = 10
DSR_NOTE = "DSR not calculated: total count < 10"


class DSRInterval(Interval):
    """An :class:`Interval` (value, lower, upper) that also carries ``note``: why no DSR was given, else None.

    It is still a 3-tuple, so ``value, lower, upper = dsr(...)`` works; ``note`` is an attribute
    (a str or None for one area, an object array of str/None for several).
    """

    note: Any = None

    def __new__(cls, value: Any, lower: Any, upper: Any, note: Any = None) -> Self:
        obj = super().__new__(cls, value, lower, upper)
        obj.note = note
        return obj

    def __repr__(self) -> str:
        return f"DSRInterval(value={self.value!r}, lower={self.lower!r}, upper={self.upper!r}, note={self.note!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (DSRInterval, (self.value, self.lower, self.upper, self.note))


def dobson(
    counts: np.ndarray, populations: np.ndarray, weights: np.ndarray, multiplier: float, confidences: Sequence[float],
    min_count: float = DSR_MIN_COUNT,
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Return (DSR, total count, [(lower, upper) per confidence]) over the last axis; NaN where total < ``min_count``.

    DSR = sum(x w / n) / sum(w); Var = sum(x (w/n)^2) / sum(w)^2; limits = DSR + sqrt(Var/O) (O_B - O),
    with O_B Byar's limits for the total count O (Dobson et al. 1991).
    """
    total = counts.sum(axis=-1)
    wsum = weights.sum()
    per_person = weights / populations
    raw = (counts * per_person).sum(axis=-1) / wsum
    variance = (counts * per_person**2).sum(axis=-1) / wsum**2
    enough = (total >= min_count) & (total > 0)
    safe_total = np.where(enough, total, max(min_count, 1))
    scale = np.sqrt(variance / safe_total)
    limits = []
    for confidence in confidences:
        o_low, o_up = byar_limits(safe_total, z_value(confidence))
        lower = (raw + scale * (o_low - safe_total)) * multiplier
        upper = (raw + scale * (o_up - safe_total)) * multiplier
        limits.append((np.where(enough, lower, np.nan), np.where(enough, upper, np.nan)))
    return np.where(enough, raw * multiplier, np.nan), total, limits


def _standard_weights(
    n_bands: int, standard: Sequence[float], age_bands: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (weights per output band, band-aggregation matrix or None) for dsr()'s inputs."""
    if age_bands is None:
        weights = np.asarray(standard, dtype=float)
        if weights.shape != (n_bands,):
            hint = " (for data whose top band is 85+, use standard=ESP2013.collapsed(85) or age_bands=...)"
            raise ValueError(
                f"The data have {n_bands} age bands but the standard population has {weights.size}; "
                f"pass age_bands=... to map labels onto it{hint if weights.size == 19 else ''}."
            )
        return weights, None
    if not isinstance(standard, StandardPopulation):
        raise TypeError("age_bands=... needs a labelled standard such as ESP2013 (a StandardPopulation).")
    bands = map_age_bands(age_bands)
    if bands.size != n_bands:
        raise ValueError(f"Got {bands.size} age-band labels for {n_bands} age bands of counts.")
    unique = sorted(set(bands), key=band_start)
    to_band = (bands[:, None] == np.asarray(unique, dtype=object)[None, :]).astype(float)
    return band_weights(unique, standard), to_band


def dsr(
    counts: Any,
    populations: Any,
    multiplier: float = 100000,
    confidence: float = 0.95,
    standard: Sequence[float] = ESP2013,
    age_bands: Sequence[Any] | None = None,
) -> DSRInterval:
    """Return the directly standardised rate with Dobson limits as a :class:`DSRInterval`.

    ``counts`` and ``populations`` hold one value per age band, in the standard's order (ESP2013:
    0-4 ... 90+), or in any order with ``age_bands`` labels (single years and "85+" are mapped; see
    :func:`map_age_bands`). A 2-D input (areas x bands) gives arrays. Missing counts count as 0.
    When the total count is below 10 the value and limits are None (NaN in arrays) and ``note`` is
    :data:`DSR_NOTE`. Raises ValueError for negative counts or non-positive/missing populations.
    """
    x = as_float_array(counts, "counts")
    n = as_float_array(populations, "populations")
    if x.ndim == 0 or x.shape != n.shape:
        raise ValueError(f"counts and populations must be arrays of the same shape; got {x.shape} and {n.shape}.")
    x = np.where(np.isnan(x), 0.0, x)
    check(x < 0, "DSR counts cannot be negative ({n} value(s) below 0).")
    check(~(n > 0), "DSR populations must be greater than 0 in every age band ({n} are 0, negative or missing).")
    weights, to_band = _standard_weights(x.shape[-1], standard, age_bands)
    if to_band is not None:
        x, n = x @ to_band, n @ to_band
    value, total, [(lower, upper)] = dobson(x, n, weights, multiplier, [normalise_confidence(confidence)])
    missing = total < DSR_MIN_COUNT
    if x.ndim == 1:
        if missing:
            return DSRInterval(None, None, None, DSR_NOTE)
        return DSRInterval(float(value), float(lower), float(upper), None)
    return DSRInterval(value, lower, upper, np.where(missing, DSR_NOTE, None).astype(object))


def isr(
    observed: Any,
    populations: Any,
    reference_counts: Any,
    reference_populations: Any,
    confidence: float = 0.95,
    refvalue: float = 1,
) -> Interval:
    """Return the indirectly standardised ratio O/E x ``refvalue`` with exact (O < 10) or Byar's limits on O / E.

    E = sum over bands of (reference count / reference population) x local population. ``observed``
    is either the total O or one count per band (summed). 2-D ``populations`` (areas x bands) with
    1-D totals or 2-D per-band observed counts give arrays.
    """
    n = as_float_array(populations, "populations")
    x_ref = as_float_array(reference_counts, "reference_counts")
    n_ref = as_float_array(reference_populations, "reference_populations")
    o = as_float_array(observed, "observed")
    if n.ndim == 0 or x_ref.shape != (n.shape[-1],) or n_ref.shape != x_ref.shape:
        raise ValueError(
            "populations, reference_counts and reference_populations need one value per age band; "
            f"got shapes {n.shape}, {x_ref.shape} and {n_ref.shape}."
        )
    if o.shape == n.shape:
        o = o.sum(axis=-1)
    elif o.shape != n.shape[:-1]:
        raise ValueError(f"observed must be a total per area or a count per age band; got shape {o.shape}.")
    check(o < 0, "Observed counts cannot be negative ({n} value(s) below 0).")
    check(n < 0, "Populations cannot be negative ({n} value(s) below 0).")
    check(x_ref < 0, "Reference counts cannot be negative ({n} value(s) below 0).")
    check(~(n_ref > 0), "Reference populations must be greater than 0 in every age band ({n} are not).")
    expected = (x_ref / n_ref * n).sum(axis=-1)
    check(~(expected > 0), "The expected count is 0 or missing for {n} area(s), so no ratio can be formed.")
    lower, upper = poisson_limits(o, confidence)
    scale = refvalue / expected
    if n.ndim == 1:
        return Interval(float(o * scale), float(lower * scale), float(upper * scale))
    return Interval(o * scale, lower * scale, upper * scale)


def isr_method(observed_total: Any) -> str:
    """Return "Exact" when the observed total is below 10, else "Byars" (the ISR's CI method)."""
    return "Exact" if float(np.nansum(as_float_array(observed_total, "observed"))) < EXACT_BELOW else "Byars"

