"""Small canonical frames for tests of shared machinery (not sample data)."""

from __future__ import annotations

import pandas as pd

from landscape_pipeline import schema


def indicator_rows(rows: list[dict[str, object]], **defaults: object) -> pd.DataFrame:
    """Return a conformed canonical frame from partial rows plus sensible defaults."""
    base = {
        "indicator_id": "test_indicator", "indicator_name": "Test indicator", "source_id": "test",
        "area_name": "Somewhere", "period_label": "2022", "period_start": "2022-01-01",
        "period_end": "2022-12-31", "sex": "Persons", "age": "All ages", "value_type": "proportion",
        "unit": "%", "polarity": "High is good", "source_file": "test.csv",
    }
    base.update(defaults)
    frame = pd.DataFrame([{**base, **row} for row in rows])
    if "source_row" not in frame:
        frame["source_row"] = range(1, len(frame) + 1)
    return schema.conform(frame)
