"""Plausibility rules for a record-level HES extract, applied block by block as it streams.

* **One episode, one key.** ``EPIKEY`` identifies an episode; an extract listing a key twice
  (two extracts concatenated, a join gone wrong) would count its admissions twice, so it is refused,
  naming both rows.
* **No future years.** A financial year that starts after today cannot have been recorded yet
  (``FYEAR`` 3132 would otherwise become every indicator's latest period), so it is refused.

Rows are 1-based data rows of the file (the header is line 1, so row ``n`` is on line ``n + 1``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.hes import indicators as ind

#: Stands for a blank key (never compared); a real key hashing to it is vanishingly unlikely.
BLANK = np.iinfo(np.int64).min


def today() -> date:
    """Return the date future years are judged against (a function, so tests can move it)."""
    return date.today()


class RecordChecks:
    """Collects episode keys and checks financial years of one file's blocks; :meth:`finish` judges the keys."""

    def __init__(self, path: Path):
        self.path = path
        self.keys: list[np.ndarray] = []  # one int64 per data row, in file order; BLANK where the key is blank
        self._years: dict[str, int] = {}

    def __call__(self, batch: pa.RecordBatch, first_row: int) -> None:
        """Check one block whose first record is data row ``first_row + 1``."""
        names = set(batch.schema.names)
        if "FYEAR" in names:
            self._check_years(batch.column("FYEAR"), first_row)
        if "EPIKEY" in names:
            keys = pc.utf8_trim_whitespace(batch.column("EPIKEY"))
            given = pc.fill_null(pc.not_equal(keys, ""), False).to_numpy(zero_copy_only=False)
            numbers = np.full(len(keys), BLANK, dtype=np.int64)  # blank keys are not compared
            numbers[given] = self._key_numbers(pc.filter(keys, pa.array(given)))
            self.keys.append(numbers)

    def _check_years(self, column: pa.Array, first_row: int) -> None:
        encoded = pc.dictionary_encode(pc.fill_null(column, ""))
        labels = encoded.dictionary.to_pylist()
        starts = np.array([self._years.setdefault(v, ind.financial_year(v)) for v in labels], dtype=np.int64)
        future = np.array([s >= 0 and date(int(s), 4, 1) > today() for s in starts], dtype=bool)
        if future.any():
            hits = np.flatnonzero(future[encoded.indices.to_numpy(zero_copy_only=False)])
            position = int(hits[0])
            row = first_row + position + 1
            value = labels[encoded.indices[position].as_py()]
            raise SourceDataError(self.path, f"financial year {value!r} starts after today ({today().isoformat()}): "
                                             "an extract cannot hold episodes that have not happened. Check the "
                                             "extract.", row=row, line=row + 1, column="FYEAR")

    @staticmethod
    def _key_numbers(column: pa.Array) -> np.ndarray:
        try:
            return pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # keys that are not whole numbers: hash them
            return pd.util.hash_array(np.asarray(column.to_pylist(), dtype=object)).astype(np.int64)

    def finish(self) -> None:
        """Raise naming the first key that appears twice and the two rows that hold it.

        Memory: 8 bytes a row, twice over at the peak (the keys and one sorted copy), so a 50-million
        episode extract is checked in about 0.8 GB.
        """
        if not self.keys:
            return
        keys = np.concatenate(self.keys)
        self.keys = []
        given = keys != BLANK
        ordered = keys[given]
        ordered.sort()  # in place: the keys and one sorted copy, no third array
        if not (ordered[1:] == ordered[:-1]).any():
            return
        rows = np.flatnonzero(given)  # 0-based data row of each non-blank key (only on the way to an error)
        keys = keys[given]
        order = np.argsort(keys, kind="stable")
        repeated = np.flatnonzero(keys[order][1:] == keys[order][:-1])
        pairs = np.sort(np.stack([rows[order[repeated]], rows[order[repeated + 1]]], axis=1), axis=1)
        first, second = pairs[np.argmin(pairs[:, 1])] + 1
        raise SourceDataError(self.path, f"episode key EPIKEY is repeated: data row {second} repeats the key of "
                                         f"row {first} ({repeated.size} repeat(s) in all). An extract lists each "
                                         "episode once; counting it twice would inflate admissions. Remove the "
                                         "repeated rows or request the extract again.",
                              row=int(second), line=int(second) + 1, column="EPIKEY")
