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


#: A small valid mapping of a long LA-level CSV (``data.csv``: code, indicator, period, value...).
LONG_MAPPING = """\
title: Test extract
publisher: Test council
reader:
  file: data.csv
columns:
  area_code: code
  indicator: indicator
  period: period
  value: value
period:
  format: year
geography:
  level: la
  vintage: 2023
indicators:
  - match: Bowel screening
    id: local_bowel
    definition: People screened for bowel cancer.
    unit: "%"
    value_type: proportion
    polarity: High is good
disclosure: none
"""


def mapped_folder(folder, mapping: str, files: dict[str, str | bytes]):
    """Write ``mapping.yaml`` and data files into ``folder`` (created); return the folder."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder
