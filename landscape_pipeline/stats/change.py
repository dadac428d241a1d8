"""Change between two periods of one indicator: the change, its confidence interval and a test.

Every function takes arrays (one element per comparison; baseline = 1, current = 2) and returns a
dict of float arrays with the keys in :data:`CHANGE_KEYS`: the absolute change (2 - 1) and its
limits, the relative change ((2 / 1 - 1) x 100, in %) and its limits, the test statistic and the
two-sided p-value. NaN where the method cannot be applied. The methods, by value type:

* **Proportions** with numerator and denominator (:func:`proportion_change`): two-sample z-test
  with the pooled proportion (Altman et al., *Statistics with Confidence*, 2nd ed. 2000, ch. 6);
  CI of the difference by Newcombe's hybrid score method (Newcombe, *Stat Med* 1998;17:873-890,
  method 10), built from the two Wilson intervals Fingertips publishes; relative change by the
  log ratio with Katz's SE, sqrt(1/O1 - 1/n1 + 1/O2 - 1/n2).
* **Rates and counts** with counts (:func:`poisson_change`): ratio of two Poisson rates. Both
  counts >= 10: z-test on the log rate ratio with SE sqrt(1/O1 + 1/O2) (Breslow & Day, *Statistical
  Methods in Cancer Research* vol. II, 1987, s. 2.2). A count below 10 (the switch Fingertips uses
  between exact and Byar's limits): the exact conditional test, O2 given O1 + O2 is binomial with
  p0 = n2 / (n1 + n2), two-sided p by doubling the smaller tail, CI of the ratio from the
  Clopper-Pearson limits of O2 / (O1 + O2) (Ulm, *Am J Epidemiol* 1990;131:373-375). The CI of
  the difference uses the normal approximation SE = m sqrt(O1/n1^2 + O2/n2^2), only when both
  counts are 10 or more (left empty otherwise). No relative change from a baseline count of 0.
* **DSRs, ISRs and anything else published with 95% limits** (:func:`change_from_limits`): the
  standard errors implied by the published limits (Altman & Bland, *BMJ* 2003;326:219 and
  *BMJ* 2011;343:d2090). Ratio-scale statistics (DSR, ISR, rates without counts) are tested on the
  log scale, SE = (ln U - ln L) / (2 z), which is how Dobson's limits, asymmetric around the DSR,
  carry the variance of the DSR; proportions without counts, scores and means on the natural
  scale, SE = (U - L) / (2 z). The other scale gives the other change's CI.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import as_float_array, z_value
from .intervals import wilson_limits

CHANGE_KEYS: tuple[str, ...] = ("abs_change", "abs_change_lower", "abs_change_upper", "rel_change",
                                "rel_change_lower", "rel_change_upper", "z", "p_value")
#: Counts below this use the exact conditional test (as Fingertips uses exact limits below 10).
EXACT_BELOW = 10


def _arrays(*values: Any) -> list[np.ndarray]:
    """Return the inputs as writable 1-d float arrays of one broadcast shape."""
    return [np.array(np.atleast_1d(a), dtype=float)
            for a in np.broadcast_arrays(*(as_float_array(v, "value") for v in values))]


def _sps() -> Any:
    """Return ``scipy.stats``, imported on first use: it takes about 1 s to import, and a build that reports no
    change (``landscape build --area`` without sites) never needs it."""
    from scipy import stats

    return stats


def _two_sided(z: np.ndarray) -> np.ndarray:
    return 2 * _sps().norm.sf(np.abs(z))


def _rel(log_ratio: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, ...]:
    """Return relative change (%) and its limits from a log ratio and its SE."""
    return tuple(100 * (np.exp(x) - 1) for x in (log_ratio, log_ratio - z * se, log_ratio + z * se))


def proportion_change(o1: Any, n1: Any, o2: Any, n2: Any, *, multiplier: float = 100,
                      confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Return the change between two proportions O1/n1 and O2/n2 (absolute change x ``multiplier``)."""
    o1, n1, o2, n2 = _arrays(o1, n1, o2, n2)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (n1 > 0) & (n2 > 0) & (o1 >= 0) & (o2 >= 0) & (o1 <= n1) & (o2 <= n2)
        p1, p2 = o1 / n1, o2 / n2
        l1, u1 = wilson_limits(o1, n1, z)
        l2, u2 = wilson_limits(o2, n2, z)
        diff = p2 - p1
        lower = diff - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        upper = diff + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        pooled = (o1 + o2) / (n1 + n2)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        stat = np.where(se0 > 0, diff / se0, np.where(diff == 0, 0.0, np.nan))
        log_ratio = np.where(p1 > 0, np.log(p2 / p1), np.nan)
        se_log = np.sqrt(1 / o1 - 1 / n1 + 1 / o2 - 1 / n2)
        rel = _rel(log_ratio, np.where((o1 > 0) & (o2 > 0), se_log, np.nan), z)
    out = {"abs_change": diff * multiplier, "abs_change_lower": lower * multiplier,
           "abs_change_upper": upper * multiplier, "rel_change": rel[0], "rel_change_lower": rel[1],
           "rel_change_upper": rel[2], "z": stat, "p_value": _two_sided(stat)}
    return {k: np.where(valid, v, np.nan) for k, v in out.items()}


def poisson_change(o1: Any, n1: Any, o2: Any, n2: Any, *, multiplier: float = 1,
                   confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Return the change between two Poisson rates O1/n1 and O2/n2 (x ``multiplier``); counts: n = 1."""
    o1, n1, o2, n2 = _arrays(o1, n1, o2, n2)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (n1 > 0) & (n2 > 0) & (o1 >= 0) & (o2 >= 0) & (o1 + o2 > 0)
        r1, r2 = o1 / n1 * multiplier, o2 / n2 * multiplier
        se_diff = multiplier * np.sqrt(o1 / n1**2 + o2 / n2**2)
        log_rr = np.where(r1 > 0, np.log(r2 / r1), np.nan)
        se_log = np.sqrt(1 / o1 + 1 / o2)
        stat = log_rr / se_log
        p_value = _two_sided(stat)
        rel = list(_rel(log_rr, se_log, z))
    exact = valid & ((o1 < EXACT_BELOW) | (o2 < EXACT_BELOW))
    if exact.any():
        e_p, e_rel = _exact_conditional(o1[exact], n1[exact], o2[exact], n2[exact], confidence)
        p_value[exact], stat[exact] = e_p, np.nan
        for i in range(3):
            rel[i][exact] = e_rel[i]
    se_diff = np.where(exact, np.nan, se_diff)  # the normal approximation is not trusted below 10 events
    for part in rel:
        part[o1 == 0] = np.nan  # no relative change from a baseline of zero
    out = {"abs_change": r2 - r1, "abs_change_lower": r2 - r1 - z * se_diff, "abs_change_upper": r2 - r1 + z * se_diff,
           "rel_change": rel[0], "rel_change_lower": rel[1], "rel_change_upper": rel[2], "z": stat, "p_value": p_value}
    return {k: np.where(valid, v, np.nan) for k, v in out.items()}


def _exact_conditional(o1: np.ndarray, n1: np.ndarray, o2: np.ndarray, n2: np.ndarray,
                       confidence: float) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Return the exact conditional p-value and relative change (%) with Clopper-Pearson limits."""
    total = (o1 + o2).astype(int)
    x = o2.astype(int)
    p0 = n2 / (n1 + n2)
    sps = _sps()
    tails = np.minimum(sps.binom.cdf(x, total, p0), sps.binom.sf(x - 1, total, p0))
    p_value = np.minimum(1.0, 2 * tails)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, sps.beta.ppf(alpha / 2, x, total - x + 1), 0.0)
        hi = np.where(x < total, sps.beta.ppf(1 - alpha / 2, x + 1, total - x), 1.0)
        scale = n1 / n2

        def to_rel(pi: np.ndarray) -> np.ndarray:
            return 100 * (pi / (1 - pi) * scale - 1)

        return p_value, (to_rel(x / total), to_rel(lo), to_rel(hi))


def change_from_limits(v1: Any, l1: Any, u1: Any, v2: Any, l2: Any, u2: Any, *, log_scale: bool,
                       confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Return the change between two published values using the SEs implied by their limits.

    ``log_scale`` chooses the scale of the test (ratio-type statistics); the log scale needs
    positive values and limits, else that row falls back to the natural scale.
    """
    v1, l1, u1, v2, l2, u2 = _arrays(v1, l1, u1, v2, l2, u2)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = np.isfinite(v1) & np.isfinite(v2) & (l1 <= v1) & (v1 <= u1) & (l2 <= v2) & (v2 <= u2)
        se_nat = np.sqrt(((u1 - l1) / (2 * z)) ** 2 + ((u2 - l2) / (2 * z)) ** 2)
        diff = v2 - v1
        positive = (l1 > 0) & (l2 > 0) & (v1 > 0) & (v2 > 0)
        se_log = np.sqrt(((np.log(u1) - np.log(l1)) / (2 * z)) ** 2 + ((np.log(u2) - np.log(l2)) / (2 * z)) ** 2)
        log_ratio = np.log(v2 / v1)
        rel = _rel(log_ratio, np.where(positive, se_log, np.nan), z)
        use_log = positive & bool(log_scale)
        stat = np.where(use_log, log_ratio / se_log, np.where(se_nat > 0, diff / se_nat, np.nan))
    out = {"abs_change": diff, "abs_change_lower": diff - z * se_nat, "abs_change_upper": diff + z * se_nat,
           "rel_change": np.where(v1 > 0, 100 * (v2 / v1 - 1), np.nan), "rel_change_lower": rel[1],
           "rel_change_upper": rel[2], "z": stat, "p_value": _two_sided(stat)}
    return {k: np.where(valid, v, np.nan) for k, v in out.items()}
