"""The canonical schema and the atomic Parquet writer."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from landscape_pipeline import schema, storage
from landscape_pipeline_tests.factories import indicator_rows


def test_schema_columns_are_unique_and_documented() -> None:
    names = [c.name for c in schema.COLUMNS]
    assert len(names) == len(set(names))
    assert all(c.description.endswith(".") for c in schema.COLUMNS)
    assert set(schema.KEY_COLUMNS) <= set(names)
    assert "| `value` | double |" in schema.describe_markdown()


def test_conform_orders_columns_adds_defaults_and_casts() -> None:
    raw = pd.DataFrame({"value": ["1.5"], "indicator_id": ["x"], "indicator_name": ["X"], "source_id": ["s"],
                        "area_code": ["E06000001"], "period_label": ["2022"], "sex": ["Persons"], "age": ["All ages"]})
    out = schema.conform(raw)
    assert list(out.columns) == list(schema.COLUMN_NAMES)
    assert out.loc[0, "value"] == 1.5
    assert out.loc[0, "geography_method"] == "direct"
    assert not out.loc[0, "suppressed"] and not out.loc[0, "synthetic"]
    assert pd.isna(out.loc[0, "area_name"])


def test_conform_rejects_unknown_and_missing_required_columns() -> None:
    with pytest.raises(schema.SchemaError, match="not in the canonical schema: surprise"):
        schema.conform(pd.DataFrame({"surprise": [1]}))
    with pytest.raises(schema.SchemaError, match="'indicator_id' is missing"):
        schema.conform(pd.DataFrame({"value": [1.0]}))


def test_round_trip_keeps_values_and_metadata(tmp_path: Path) -> None:
    frame = indicator_rows([{"area_code": "E06000001", "value": 12.5, "count": 5, "denominator": 40}])
    path = storage.write_indicators(frame, tmp_path / "a" / "t.parquet", metadata={"note": ["x", 1]})
    back = storage.read_indicators(path)
    assert back.loc[0, "value"] == 12.5 and back.loc[0, "count"] == 5
    assert storage.read_metadata(path) == {"note": ["x", 1]}
    assert pq.read_schema(path).field("is_latest").nullable is False


def test_atomic_write_leaves_previous_file_when_writing_fails(tmp_path: Path, monkeypatch) -> None:
    frame = indicator_rows([{"area_code": "E06000001", "value": 1.0}])
    path = storage.write_indicators(frame, tmp_path / "t.parquet")
    before = path.read_bytes()

    def explode(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(storage.pq, "write_table", explode)
    with pytest.raises(OSError, match="disk full"):
        storage.write_indicators(indicator_rows([{"area_code": "E06000002", "value": 2.0}]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"], "temp file left behind"


def test_write_bytes_atomic_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "raw.csv"
    storage.write_bytes_atomic(b"one", target)
    inode_before = os.stat(target).st_ino
    storage.write_bytes_atomic(b"two", target)
    assert target.read_bytes() == b"two"
    assert os.stat(target).st_ino != inode_before


def test_arrow_read_of_some_areas_writes_back_what_pandas_reads(tmp_path: Path) -> None:
    from landscape_pipeline.storage import read_indicators_arrow

    frame = indicator_rows([{"area_code": code, "value": 10.0 + i} for i, code in
                            enumerate(("E08000026", "E09000030", "E92000001", "E08000026"))])
    frame.loc[3, "period_label"] = "2023"
    path = storage.write_indicators(frame, tmp_path / "table.parquet", metadata={"built_at": "then"})
    rows = read_indicators_arrow(path, area_codes=["E08000026"])
    assert set(rows.column("area_code").to_pylist()) == {"E08000026"}
    assert b"built_at" not in rows.schema.metadata, "the file's build metadata is not carried into what is written"
    copy = storage.write_parquet_atomic(rows, tmp_path / "copy.parquet")
    expected = frame.loc[frame["area_code"].eq("E08000026")].reset_index(drop=True)
    from_pandas = storage.write_indicators(expected, tmp_path / "from_pandas.parquet")
    assert pq.read_table(copy).equals(pq.read_table(from_pandas), check_metadata=True)  # data and pandas dtypes
    pd.testing.assert_frame_equal(pd.read_parquet(copy), pd.read_parquet(from_pandas))  # same dtypes in pandas


def test_reading_some_columns_gives_the_dtypes_of_a_full_read(tmp_path: Path) -> None:
    frame = indicator_rows([{"area_code": "E08000026", "value": 1.0}, {"area_code": "E09000030", "value": None}])
    path = storage.write_indicators(frame, tmp_path / "table.parquet")
    columns = ["indicator_id", "period_start", "value", "synthetic"]
    part = storage.read_indicator_columns(path, columns)
    pd.testing.assert_frame_equal(part, storage.read_indicators(path)[columns])


def test_categorical_columns_hold_the_same_values(tmp_path: Path) -> None:
    rows = [{"area_code": code, "value": 1.0, "source_url": url}
            for code in ("E08000026", "E09000030", "S12000036") for url in ("https://a.example/x", None)]
    path = storage.write_indicators(indicator_rows(rows), tmp_path / "table.parquet")
    columns = ["area_code", "source_url", "value"]
    part = storage.read_indicator_columns(path, columns, categorical=["source_url"])
    plain = storage.read_indicators(path)[columns]
    assert list(part.columns) == columns and isinstance(part["source_url"].dtype, pd.CategoricalDtype)
    assert part["source_url"].isna().sum() == 3
    pd.testing.assert_frame_equal(part.astype({"source_url": plain["source_url"].dtype}), plain)


def test_dictionary_read_holds_repeated_text_once_and_writes_back_the_same_file(tmp_path: Path) -> None:
    rows = [{"area_code": code, "value": float(i), "source_url": url, "source_sha256": sha}
            for i, (code, (url, sha)) in enumerate(itertools.product(
                ("E08000026", "E09000030", "S12000036"), (("https://a.example/x", "ab" * 32), (None, None))))]
    path = storage.write_indicators(indicator_rows(rows), tmp_path / "table.parquet")
    coded, plain = storage.read_indicators(path, dictionary=True), storage.read_indicators(path)
    for column in schema.DICTIONARY_COLUMNS:
        assert isinstance(coded[column].dtype, pd.CategoricalDtype), column
        assert coded[column].astype(plain[column].dtype).equals(plain[column]), column
    others = [c for c in schema.COLUMN_NAMES if c not in schema.DICTIONARY_COLUMNS]
    assert coded[others].equals(plain[others])
    again = storage.write_indicators(coded, tmp_path / "again.parquet")
    assert pq.read_table(again).equals(pq.read_table(path))
    assert pq.read_schema(again).metadata == pq.read_schema(path).metadata  # pandas reads both back as text


def test_conform_keeps_categoricals_only_where_the_schema_allows_them() -> None:
    frame = indicator_rows([{"area_code": "E08000026", "value": 1.0}])
    frame["source_file"] = frame["source_file"].astype("category")
    frame["area_name"] = frame["area_name"].astype("category")
    frame["source_url"] = pd.Series(pd.Categorical([7]))  # categories that are not text are cast
    out = schema.conform(frame)
    assert isinstance(out["source_file"].dtype, pd.CategoricalDtype)
    assert out["area_name"].dtype == "str" and out["source_url"].dtype == "str" and out.loc[0, "source_url"] == "7"


def test_categorical_columns_sort_as_their_text_does(tmp_path: Path) -> None:
    names = ["Zeta rate", "alpha share", "Beta count", "Émigré rate", "Alpha share", "Zeta rate"]
    rows = [{"area_code": "E08000026", "indicator_id": f"i{n}", "indicator_name": name, "value": 1.0}
            for n, name in enumerate(names)]
    path = storage.write_indicators(indicator_rows(rows), tmp_path / "table.parquet")
    coded = storage.read_indicator_columns(path, ["indicator_id", "indicator_name"], categorical=["indicator_name"])
    plain = storage.read_indicators(path)
    assert list(coded.sort_values("indicator_name", kind="stable")["indicator_id"]) == list(
        plain.sort_values("indicator_name", kind="stable")["indicator_id"])  # first-seen order would differ
