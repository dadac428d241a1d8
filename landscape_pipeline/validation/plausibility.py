"""Plausibility rules shared by sources: no future periods, values within each indicator's plausible range.

A file can be well formed and still wrong (a period typed as 2204, a rate read from the wrong
column). Parsers call :func:`refuse_future_periods` on the rows they keep, naming the row and
column; suites add :func:`range_expectations`, one GX expectation per indicator range.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from landscape_pipeline.tabular import RawTable
from landscape_pipeline.validation.suite import described


def refuse_future_periods(table: RawTable, starts: pd.Series, column: str, *, today: date | None = None) -> None:
    """Raise naming the first row whose period starts after ``today`` (the build date by default).

    ``starts`` is indexed like ``table.frame`` (rows not kept may be absent).
    """
    limit = pd.Timestamp(today or date.today())
    future = pd.to_datetime(starts).gt(limit)
    if future.any():
        label = future.index[int(np.flatnonzero(future.to_numpy())[0])]
        raise table.error(f"the period {table.frame.at[label, column]!r} starts after the build date "
                          f"({limit:%Y-%m-%d}); a published figure cannot be for a future period.",
                          label=label, column=column)


def range_expectations(ranges: Mapping[str, tuple[float, float]], what: Mapping[str, str]) -> list:
    """Return one GX expectation per indicator id: its values lie within ``ranges[id]``.

    ``what`` gives each indicator's name for the description shown when the expectation fails.
    """
    import great_expectations.expectations as gxe

    out = []
    for indicator_id, (low, high) in ranges.items():
        out.append(gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=low, max_value=high,
            row_condition=f'indicator_id=="{indicator_id}"', condition_parser="pandas",
            meta=described(f"{what.get(indicator_id, indicator_id)} lies between {low:g} and {high:g} "
                           "(a plausible range; outside it the file or its columns are wrong).")))
    return out
