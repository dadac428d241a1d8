"""Public-health indicator statistics written from the OHID/Fingertips formulas (see ../shared/brief/methods.md).

Scalar/array API: :func:`proportion` (Wilson), :func:`rate` (exact below 10, Byar's from 10),
:func:`dsr` (Dobson, ESP2013; returns a :class:`DSRInterval` whose ``note`` says why no DSR was
given), :func:`isr`, :func:`mean`, :func:`compare`, :func:`recent_trend`. Frame API (one call per
table, no per-row Python): :func:`proportion_frame`, :func:`rate_frame`, :func:`dsr_frame`,
:func:`compare_frame`, :func:`recent_trend_frame`.
"""

from ._common import normalise_confidence, z_value
from .agebands import (
    ESP2013,
    StandardPopulation,
    band_weights,
    esp2013_band_for,
    map_age_bands,
)
from .compare import NOT_COMPARED, compare, compare_frame, polarity_code
from .frame import (
    CI_COLUMNS,
    dsr_frame,
    proportion_frame,
    rate_frame,
    recent_trend_frame,
)
from .intervals import (
    EXACT_BELOW,
    Interval,
    byar_limits,
    exact_limits,
    mean,
    poisson_limits,
    proportion,
    rate,
    rate_method,
    wilson_limits,
)
from .standardise import DSR_MIN_COUNT, DSR_NOTE, DSRInterval, dsr, isr, isr_method
from .trend import CHI2_THRESHOLD, TREND_LABELS, recent_trend, trend_labels

__all__ = [
    "CHI2_THRESHOLD",
    "CI_COLUMNS",
    "DSR_MIN_COUNT",
    "DSR_NOTE",
    "ESP2013",
    "EXACT_BELOW",
    "NOT_COMPARED",
    "TREND_LABELS",
    "DSRInterval",
    "Interval",
    "StandardPopulation",
    "band_weights",
    "byar_limits",
    "compare",
    "compare_frame",
    "dsr",
    "dsr_frame",
    "esp2013_band_for",
    "exact_limits",
    "isr",
    "isr_method",
    "map_age_bands",
    "mean",
    "normalise_confidence",
    "poisson_limits",
    "polarity_code",
    "proportion",
    "proportion_frame",
    "rate",
    "rate_frame",
    "rate_method",
    "recent_trend",
    "recent_trend_frame",
    "trend_labels",
    "wilson_limits",
    "z_value",
]
