"""The 2013 European Standard Population and mapping of published age-band labels onto its bands.

ESP2013 has 19 bands, 0-4, 5-9, ..., 85-89, 90+ (Eurostat 2013; age 0 and 1-4 combined into 0-4,
90-94 and 95+ into 90+), total 100,000. Data whose oldest band is open-ended below 90 (typically
"85+") is standardised against a collapsed standard: every standard band from that age upwards is
merged into one band whose weight is their sum (85+ = 1,500 + 1,000 = 2,500).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

_TOP = 90  # start of ESP2013's open-ended top band


def band_start(label: str) -> int:
    """Return the first age of a canonical band label such as "0-4", "90+" or "85+"."""
    return int(label.split("-")[0].rstrip("+"))


class StandardPopulation(tuple):
    """A tuple of standard-population weights that also knows its band labels.

    Behaves as a plain tuple of numbers (``sum(ESP2013) == 100000``, ``ESP2013[0] == 5000``);
    indexing with a band label (``ESP2013["85+"]``) returns that band's weight, summing the
    standard's bands for an open-ended label below the standard's top band.
    """

    labels: tuple[str, ...]

    def __new__(cls, weights: Iterable[float], labels: Iterable[str]) -> Self:
        obj = super().__new__(cls, weights)
        obj.labels = tuple(labels)
        if len(obj.labels) != len(obj):
            raise ValueError(f"A standard population needs one label per weight; got {len(obj.labels)} and {len(obj)}.")
        return obj

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self.weight(key)
        return super().__getitem__(key)

    def __repr__(self) -> str:
        return f"StandardPopulation({dict(zip(self.labels, tuple(self), strict=True))!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (StandardPopulation, (tuple(self), self.labels))

    def weight(self, band: str) -> float:
        """Return the weight of one canonical band label (open-ended labels sum the bands they cover)."""
        if band in self.labels:
            return tuple.__getitem__(self, self.labels.index(band))
        if band.endswith("+"):
            start = band_start(band)
            if start in {band_start(lab) for lab in self.labels}:
                return sum(w for lab, w in zip(self.labels, self, strict=True) if band_start(lab) >= start)
        raise ValueError(f"Age band '{band}' is not a band of this standard population ({', '.join(self.labels)}).")

    def collapsed(self, start: int) -> StandardPopulation:
        """Return the standard with every band from age ``start`` upwards merged into one "start+" band."""
        keep = [(lab, w) for lab, w in zip(self.labels, self, strict=True) if band_start(lab) < start]
        top = f"{start}+"
        return StandardPopulation([*(w for _, w in keep), self.weight(top)], [*(lab for lab, _ in keep), top])


ESP2013 = StandardPopulation(
    (5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000),
    [f"{a}-{a + 4}" for a in range(0, _TOP, 5)] + [f"{_TOP}+"],
)

_UNITS = re.compile(r"\b(?:years?|yrs?|aged|ages?)\b")
_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,3})$")
_OPEN = re.compile(r"^(\d{1,3})\s*(?:\+|plus|and over|or over|and older|or older|and above|or more)$")
_UNDER = re.compile(r"^(?:under|<|less than)\s*(\d{1,3})$")
_SINGLE = re.compile(r"^(\d{1,3})$")


def _parse(label: Any) -> tuple[int, int | None]:
    """Return (first age, last age or None if open-ended) for an age-band label."""
    if isinstance(label, (int, np.integer)) or (isinstance(label, (float, np.floating)) and float(label).is_integer()):
        return int(label), int(label)
    text = " ".join(_UNITS.sub(" ", str(label).strip().lower()).split())
    if m := _RANGE.match(text):
        return int(m[1]), int(m[2])
    if m := _OPEN.match(text):
        return int(m[1]), None
    if m := _UNDER.match(text):
        return 0, int(m[1]) - 1
    if m := _SINGLE.match(text):
        return int(m[1]), int(m[1])
    raise ValueError(
        f"Age band {label!r} is not recognised; use labels such as '0-4', '0 to 4', 'Under 5', '85+', "
        "'90 and over' or single years '0'..'100'."
    )


def esp2013_band_for(label: Any) -> str:
    """Return the ESP2013 band ("0-4" ... "90+") containing an age-band label, or "X+" for an open band below 90.

    Raises ValueError for labels that span more than one ESP2013 band (e.g. "0-14") or cannot be parsed.
    """
    lo, hi = _parse(label)
    if hi is not None and hi < lo:
        raise ValueError(f"Age band {label!r} ends before it starts.")
    if lo >= _TOP:
        return f"{_TOP}+"
    if hi is None:
        if lo % 5:
            raise ValueError(f"Open-ended age band {label!r} must start at a multiple of 5 to match ESP2013 bands.")
        return f"{lo}+"
    start = lo - lo % 5
    if hi > start + 4:
        raise ValueError(f"Age band {label!r} spans more than one ESP2013 band; supply 5-year bands or single years.")
    return f"{start}-{start + 4}"


def band_codes(labels: Sequence[Any] | pd.Series | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Return (code per label, ESP2013 band per code) for :func:`map_age_bands`, mapping each distinct label once."""
    series = labels if isinstance(labels, pd.Series) else pd.Series(np.asarray(labels, dtype=object))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError(f"{int((codes < 0).sum())} age band label(s) are missing; every row needs an age band.")
    bands = [esp2013_band_for(u) for u in uniques]
    open_starts = [band_start(b) for b in bands if b.endswith("+") and band_start(b) < _TOP]
    if open_starts:
        top = min(open_starts)
        bands = [f"{top}+" if band_start(b) >= top else b for b in bands]
    return codes, bands


def map_age_bands(labels: Sequence[Any] | pd.Series | np.ndarray) -> np.ndarray:
    """Return the ESP2013 band label for every input label, collapsing bands above an open-ended band below 90.

    If any label is open-ended below 90 (e.g. "85+"), every band from its start upwards (85-89,
    90+, single years 86...) maps to that one band, so a frame mixing "85+" with finer bands is
    harmonised to the coarsest top band. Raises ValueError for missing or unrecognised labels.
    """
    codes, bands = band_codes(labels)
    return np.asarray(bands, dtype=object)[codes]


def band_weights(bands: Sequence[str] | np.ndarray, standard: StandardPopulation = ESP2013) -> np.ndarray:
    """Return the standard weight for each canonical band label (as produced by :func:`map_age_bands`)."""
    unique = pd.unique(np.asarray(bands, dtype=object))
    lookup = {b: float(standard.weight(b)) for b in unique}
    return np.array([lookup[b] for b in unique], dtype=float)[pd.Index(unique).get_indexer(bands)]
