"""Benchmark comparison ("Compared with England") by whether the area's CI contains the benchmark value."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ._common import as_float_array, is_scalar_input

HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT, NOT_APPLICABLE = 1, -1, 0, 9

NOT_COMPARED = "Not compared"

_POLARITY_WORDS = {
    "high is good": HIGH_IS_GOOD,
    "rag high is good": HIGH_IS_GOOD,
    "higher is better": HIGH_IS_GOOD,
    "high is better": HIGH_IS_GOOD,
    "low is good": LOW_IS_GOOD,
    "rag low is good": LOW_IS_GOOD,
    "lower is better": LOW_IS_GOOD,
    "low is better": LOW_IS_GOOD,
    "no judgement": NO_JUDGEMENT,
    "no judgment": NO_JUDGEMENT,
    "bob blue orange blue": NO_JUDGEMENT,
    "blue orange blue": NO_JUDGEMENT,
    "bob": NO_JUDGEMENT,
}
#: Fingertips polarity ids: 0 RAG low is good, 1 RAG high is good, 99 blue-orange-blue, -1 not applicable.
_POLARITY_IDS = {1: HIGH_IS_GOOD, 0: LOW_IS_GOOD, 99: NO_JUDGEMENT, -1: NOT_APPLICABLE}


def polarity_code(polarity: Any) -> int:
    """Return HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT or NOT_APPLICABLE for a polarity name or Fingertips id.

    Names are matched case-insensitively, ignoring hyphens and spacing ("RAG - High is good",
    "BOB - Blue orange blue", "No judgement"). Missing, "Not applicable" or unknown give NOT_APPLICABLE.
    """
    if isinstance(polarity, (int, np.integer)) and not isinstance(polarity, bool):
        return _POLARITY_IDS.get(int(polarity), NOT_APPLICABLE)
    if not isinstance(polarity, str):
        return NOT_APPLICABLE
    words = " ".join(re.sub(r"[-\u2013_:/]", " ", polarity.lower()).split())
    return _POLARITY_WORDS.get(words, NOT_APPLICABLE)


def polarity_codes(polarities: Any) -> np.ndarray:
    """Return an int8 array of polarity codes shaped like ``polarities`` (0-d for a scalar)."""
    if np.ndim(polarities) == 0 and not isinstance(polarities, (pd.Series, pd.Index)):
        return np.array(polarity_code(polarities), dtype=np.int8)
    raw = np.asarray(polarities, dtype=object)
    codes, uniques = pd.factorize(raw.ravel(), use_na_sentinel=True)
    lookup = np.array([polarity_code(u) for u in uniques] + [NOT_APPLICABLE], dtype=np.int8)
    return lookup[codes].reshape(raw.shape)  # the -1 sentinel (missing) picks NOT_APPLICABLE


def compare_frame(values: Any, lowers: Any, uppers: Any, benchmarks: Any, polarities: Any) -> np.ndarray:
    """Return an array of "Better"/"Similar"/"Worse"/"Higher"/"Lower"/"Not compared", one per area.

    Similar when lower <= benchmark <= upper (edges inclusive). Otherwise higher or lower than the
    benchmark, expressed as Better/Worse by polarity, or Higher/Lower for no judgement. Not compared
    when the value, a limit or the benchmark is missing, lower > upper, or the polarity is not applicable.
    Scalars broadcast against arrays.
    """
    v, lo, up, bm, pol = np.broadcast_arrays(
        as_float_array(values, "values"),
        as_float_array(lowers, "lowers"),
        as_float_array(uppers, "uppers"),
        as_float_array(benchmarks, "benchmarks"),
        polarity_codes(polarities),
    )
    shape = v.shape
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(v) & np.isfinite(lo) & np.isfinite(up) & np.isfinite(bm) & (lo <= up)
        higher = lo > bm
        lower = up < bm
    valid &= pol != NOT_APPLICABLE
    judged = pol != NO_JUDGEMENT
    better = (higher & (pol == HIGH_IS_GOOD)) | (lower & (pol == LOW_IS_GOOD))
    out = np.full(shape, "Similar", dtype=object)
    out[higher & ~judged] = "Higher"
    out[lower & ~judged] = "Lower"
    out[(higher | lower) & judged] = "Worse"
    out[better] = "Better"
    out[~valid] = NOT_COMPARED
    return out


def compare(value: Any, lower: Any, upper: Any, benchmark: Any, polarity: Any) -> str | np.ndarray:
    """Return the comparison label for one area (a str), or an array of labels for array inputs.

    See :func:`compare_frame` for the rule; e.g. ``compare(5, 4, 6, 7, "High is good") == "Worse"``.
    """
    labels = compare_frame(value, lower, upper, benchmark, polarity)
    if is_scalar_input(value, lower, upper, benchmark, polarity):
        return str(labels.reshape(-1)[0])
    return labels
