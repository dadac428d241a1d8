"""Writing per-LA baselines: one file per partition, empty-but-valid files, metadata, refusals."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from landscape_pipeline import baselines, geography, paths, schema
from landscape_pipeline.storage import read_metadata
from landscape_pipeline_tests.factories import indicator_rows


def _table():
    return indicator_rows([
        {"area_code": "E08000026", "value": 1.0, "synthetic": True},
        {"area_code": "E08000026", "value": 2.0, "period_label": "2023", "period_start": "2023-01-01",
         "period_end": "2023-12-31", "synthetic": True},
        {"area_code": "S12000042", "value": 3.0},
        {"area_code": "E92000001", "value": 9.0},
    ])


def test_each_requested_la_gets_exactly_its_rows(tmp_path: Path) -> None:
    written = baselines.write_baselines(_table(), ["E08000026", "S12000042"], tmp_path)
    assert [(w.area_code, w.rows, w.periods) for w in written] == [("E08000026", 2, 2), ("S12000042", 1, 1)]
    coventry = pq.read_table(paths.baseline_path(tmp_path, "E08000026")).to_pandas()
    assert set(coventry["area_code"]) == {"E08000026"}
    meta = read_metadata(paths.baseline_path(tmp_path, "E08000026"))
    assert meta["area_name"] == "Coventry" and meta["synthetic"] is True
    assert meta["notes"] == [baselines.SYNTHETIC_NOTE]
    assert read_metadata(paths.baseline_path(tmp_path, "S12000042"))["synthetic"] is False


def test_uncovered_la_gets_valid_empty_file_with_a_note(tmp_path: Path) -> None:
    [written] = baselines.write_baselines(_table(), ["W06000015"], tmp_path)
    path = paths.baseline_path(tmp_path, "W06000015")
    assert written.rows == 0 and pq.read_table(path).num_rows == 0
    assert pq.read_schema(path).names == list(schema.COLUMN_NAMES)
    assert read_metadata(path)["notes"] == [baselines.EMPTY_NOTE]


def test_read_baseline_refuses_retired_codes_naming_the_successor(tmp_path: Path) -> None:
    baselines.write_baselines(_table(), ["E08000026"], tmp_path)
    assert len(baselines.read_baseline(tmp_path, "e08000026 ")) == 2
    with pytest.raises(geography.RetiredAreaCodeError, match="E06000060"):
        baselines.read_baseline(tmp_path, "E07000004")
    with pytest.raises(FileNotFoundError, match="landscape build --area E08000025"):
        baselines.read_baseline(tmp_path, "E08000025")


def test_summary_counts_empty_partitions(tmp_path: Path) -> None:
    written = baselines.write_baselines(_table(), ["E08000026", "W06000015", "N09000003"], tmp_path)
    summary = baselines.summarise(written)
    assert summary["partitions_written"] == 3 and summary["empty_partition_count"] == 2
    assert summary["rows"] == 2 and summary["synthetic_partitions"] == 1
