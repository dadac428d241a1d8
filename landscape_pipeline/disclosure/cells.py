"""Count cells: the counts of people behind a table, each shared by every row that shows or uses it.

One count appears in several rows: an admissions count is the ``count`` of the count row, of the
crude-rate row and of the DSR row, and the all-admissions count is the ``denominator`` of the
emergency share. Disclosure decisions are taken per cell, so a count hidden in one row is hidden in
all of them. A source says which counts its indicators share with ``CountFamilies``: a function of
the indicator id returning (numerator family, denominator family or None when the denominator is
not a count of people, e.g. a population). By default each indicator is its own family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: indicator_id -> (family of its numerator, family of its denominator or None).
CountFamilies = Callable[[str], tuple[str, str | None]]

#: Columns that, with the family, identify a cell.
CELL_COLUMNS: tuple[str, ...] = ("area_code", "period_label", "sex", "age", "category_type", "category")


def own_family(indicator_id: str) -> tuple[str, str | None]:
    """Return (indicator_id, None): the indicator's count is its own, its denominator is not protected."""
    return indicator_id, None


@dataclass(frozen=True)
class Cells:
    """The distinct count cells of a frame and, per row, the cells its count and denominator belong to."""

    #: One row per cell: integer codes of ``family`` and each of :data:`CELL_COLUMNS`.
    codes: pd.DataFrame
    #: Per column of ``codes``: the value each code stands for.
    labels: dict[str, pd.Index]
    #: The distinct periods: ``period_label``, ``period_start``, ``period_end``.
    periods: pd.DataFrame
    #: Per row of the frame: index of the cell of its count.
    numerator: np.ndarray
    #: Per row: index of the cell of its denominator, -1 when the denominator is not a protected count.
    denominator: np.ndarray

    @property
    def size(self) -> int:
        """Return the number of cells."""
        return len(self.codes)

    def values(self, column: str) -> np.ndarray:
        """Return the value of ``column`` (``family`` or a cell column) for every cell."""
        return np.asarray(self.labels[column], dtype=object)[self.codes[column].to_numpy()]

    def gather(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return (value per cell, conflict per cell) read from the rows' ``count`` and ``denominator``.

        A cell's value is the one any row shows (NaN when no row shows it); ``conflict`` is True
        where two rows show different values for the same cell.
        """
        has_den = self.denominator >= 0
        cell = np.concatenate([self.numerator, self.denominator[has_den]])
        values = np.concatenate([floats(frame, "count"), floats(frame, "denominator")[has_den]])
        shown = ~np.isnan(values)
        lo = np.full(self.size, np.inf)
        hi = np.full(self.size, -np.inf)
        np.minimum.at(lo, cell[shown], values[shown])
        np.maximum.at(hi, cell[shown], values[shown])
        found = np.isfinite(lo)
        return np.where(found, lo, np.nan), found & (hi > lo)

    def rows_of(self, cell_mask: np.ndarray) -> np.ndarray:
        """Return per row: True where its count or its protected denominator is a cell in ``cell_mask``."""
        out = cell_mask[self.numerator]
        has_den = self.denominator >= 0
        out[has_den] |= cell_mask[self.denominator[has_den]]
        return out


def floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a numeric column as floats (NaN for missing values, or for every row if the column is absent)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(float, na_value=np.nan)


def dense_ids(columns: list[np.ndarray]) -> np.ndarray:
    """Return one integer per position, equal where all the non-negative integer ``columns`` are equal."""
    if not columns:
        return np.zeros(0, dtype=np.int64)
    dims = [int(c.max(initial=0)) + 1 for c in columns]
    if np.prod(np.asarray(dims, dtype=float)) < 2.0**62:
        return np.ravel_multi_index(columns, dims)
    ids = np.zeros(len(columns[0]), dtype=np.int64)
    for codes, width in zip(columns, dims, strict=True):
        ids = pd.factorize(ids * width + codes)[0]
    return ids


def cells_of(frame: pd.DataFrame, families: CountFamilies | None = None) -> Cells:
    """Return the count cells of a canonical ``frame`` (one source's rows) under ``families``."""
    families = families or own_family
    position, indicators = pd.factorize(frame["indicator_id"])
    mapped = [families(str(i)) for i in indicators]
    family_code, family_names = pd.factorize(pd.Series([m[0] for m in mapped] + [m[1] for m in mapped], dtype=object))
    num_family = family_code[: len(mapped)][position]
    den_family = family_code[len(mapped):][position]
    has_den = den_family >= 0
    rows = np.concatenate([np.arange(len(frame)), np.flatnonzero(has_den)])
    labels = {"family": pd.Index(family_names, dtype=object)}
    columns = {"family": np.concatenate([num_family, den_family[has_den]])}
    for col in CELL_COLUMNS:
        column = frame[col] if col in frame else pd.Series([""] * len(frame), dtype=object)
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        merged, labels[col] = pd.factorize(pd.Index(uniques, dtype=object).fillna(""))  # blank and NA alike
        columns[col] = merged[codes][rows]
    _, first, ids = np.unique(dense_ids(list(columns.values())), return_index=True, return_inverse=True)
    periods = frame[["period_label", "period_start", "period_end"]].drop_duplicates("period_label")
    n = len(frame)
    denominator = np.full(n, -1, dtype=np.int64)
    denominator[has_den] = ids[n:]
    return Cells(pd.DataFrame({c: v[first] for c, v in columns.items()}), labels, periods.reset_index(drop=True),
                 ids[:n].astype(np.int64), denominator)
