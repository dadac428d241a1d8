"""Shared helpers: confidence levels, z-values, array coercion and input validation."""

from __future__ import annotations

from functools import lru_cache
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

Errors = Literal["raise", "coerce"]

#: The two confidence levels that Fingertips publishes, in canonical-column order.
LEVELS: tuple[tuple[float, str], ...] = ((0.95, "95"), (0.998, "99_8"))


def normalise_confidence(confidence: float) -> float:
    """Return ``confidence`` as a fraction, accepting 0.95 or 95 (and 0.998 or 99.8)."""
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"Confidence must be a number such as 0.95 or 95, not {confidence!r}.") from None
    if level > 1:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(
            f"Confidence must lie between 0 and 1 (e.g. 0.95) or between 1 and 100 (e.g. 95); got {confidence!r}."
        )
    return round(level, 12)


@lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    """Return the two-sided standard normal quantile for a confidence level, e.g. 1.959964 for 0.95."""
    level = normalise_confidence(confidence)
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def as_float_array(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a float ndarray, with None and pandas NA as NaN."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=float, na_value=np.nan)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        pass
    obj = np.asarray(values, dtype=object)
    try:
        flat = pd.array(obj.ravel(), dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError(f"'{name}' must contain numbers; got values such as {obj.ravel()[:3].tolist()!r}.") from None
    return flat.reshape(obj.shape)


def is_scalar_input(*values: Any) -> bool:
    """Return True when every argument is a scalar (so results should be plain floats)."""
    return all(np.ndim(v) == 0 and not isinstance(v, (pd.Series, pd.Index)) for v in values)


def check(bad: np.ndarray, message: str, errors: Errors = "raise") -> np.ndarray:
    """Return the boolean mask ``bad``; raise ValueError(message) when any is set and errors == 'raise'.

    ``message`` may contain ``{n}``, replaced with the number of offending elements.
    """
    bad = np.asarray(bad, dtype=bool)
    if errors == "raise" and bad.any():
        raise ValueError(message.format(n=int(bad.sum())))
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}.")
    return bad


def to_output(array: np.ndarray, scalar: bool) -> float | np.ndarray:
    """Return a plain float for scalar results, otherwise the ndarray."""
    return float(array) if scalar else array
