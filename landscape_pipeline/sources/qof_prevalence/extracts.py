"""Which GP registration extract weights which period: one rule and one limit, shared by QOF and GPPS.

Each period (a QOF year, register date 31 March; a GP Patient Survey year, fieldwork from 1 January)
takes the "Patients Registered at a GP Practice" extract dated nearest to its target date (ties: the
earlier extract), but never one further away than :func:`max_extract_years` (set by
:data:`MAX_YEARS_ENV`, default :data:`DEFAULT_MAX_YEARS`): registrations from further away would
describe a different population. A period without an extract that close is not apportioned; the
parser says so in its metadata (:meth:`ExtractChoice.metadata`) and on the row it still gives
(:meth:`ExtractChoice.note`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from landscape_pipeline.sources.qof_prevalence.registrations import Registrations

MAX_YEARS_ENV = "LANDSCAPE_QOF_MAX_EXTRACT_YEARS"
DEFAULT_MAX_YEARS = 2.0
DAYS_PER_YEAR = 365.25


def max_extract_years() -> float:
    """Return the configured limit (years) between a period's target date and the extract used for it."""
    text = os.environ.get(MAX_YEARS_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_YEARS
    try:
        years = float(text)
    except ValueError:
        years = float("nan")
    if not np.isfinite(years) or years <= 0:
        raise ValueError(f"{MAX_YEARS_ENV}={text!r} is not a positive number of years.")
    return years


def extract_distance_years(when: pd.Timestamp, extract: Registrations) -> float:
    """Return how many years lie between a target date and an extract (either way)."""
    return abs((extract.extract_date - pd.Timestamp(when)).days) / DAYS_PER_YEAR


def choose_extract(when: pd.Timestamp, extracts: Sequence[Registrations],
                   max_years: float | None = None) -> Registrations | None:
    """Return the extract dated nearest to ``when``; ties go to the earlier extract.

    With ``max_years``, return None when even the nearest extract lies further away than that.
    """
    if not extracts:
        raise ValueError("No GP registration extract was given.")
    when = pd.Timestamp(when)
    nearest = min(extracts, key=lambda e: (abs((e.extract_date - when).days), e.extract_date))
    if max_years is not None and extract_distance_years(when, nearest) > max_years:
        return None
    return nearest


@dataclass(frozen=True)
class ExtractChoice:
    """The extract chosen for each period label, and the periods whose nearest extract is beyond the limit."""

    limit: float
    chosen: dict[str, Registrations] = field(default_factory=dict)
    too_far: dict[str, dict[str, object]] = field(default_factory=dict)

    def metadata(self) -> dict[str, object]:
        """Return the limit, its setting and the periods not apportioned (for the asset's metadata)."""
        return {"max_years": self.limit, "setting": MAX_YEARS_ENV, "years_not_apportioned": self.too_far}

    def note(self, label: str, what: str, period: str) -> str:
        """Return the row note of a period beyond the limit, e.g. what="Not apportioned to local authorities"."""
        far = self.too_far[label]
        return (f"{what}: the nearest GP registration extract, {far['nearest_extract']}, is {far['years_away']} "
                f"years from this {period}, beyond the limit of {self.limit:g} years ({MAX_YEARS_ENV}).")

    def nearest_text(self) -> str:
        """Return the nearest extract of every period beyond the limit, for an error message."""
        return "; ".join(f"{label}: {far['nearest_extract']}, {far['years_away']} years away"
                         for label, far in self.too_far.items())


def choose_extracts(targets: Mapping[str, pd.Timestamp], extracts: Sequence[Registrations],
                    limit: float | None = None) -> ExtractChoice:
    """Return the extract for each period label (target date), within ``limit`` (default: the configured one)."""
    limit = max_extract_years() if limit is None else limit
    choice = ExtractChoice(limit)
    for label, when in targets.items():
        extract = choose_extract(when, extracts, limit)
        if extract is None:
            nearest = choose_extract(when, extracts)
            choice.too_far[label] = {"nearest_extract": f"{nearest.label} ({nearest.path.name})",
                                     "years_away": round(extract_distance_years(when, nearest), 2)}
        else:
            choice.chosen[label] = extract
    return choice
