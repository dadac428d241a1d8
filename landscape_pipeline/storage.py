"""The one Parquet writer: atomic (temp file + ``os.replace``), canonical schema, provenance metadata."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from landscape_pipeline import schema


def write_parquet_atomic(table: pa.Table, path: Path, *, metadata: Mapping[str, object] | None = None) -> Path:
    """Write ``table`` to ``path`` so readers see either the old file or the new one, never half.

    ``metadata`` is stored as JSON strings in the file's key-value metadata.
    """
    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({k.encode(): json.dumps(v, default=str).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(merged)
    with _atomic_target(path) as tmp_name:
        pq.write_table(table, tmp_name, compression="zstd")
    return path


def write_indicators(frame: pd.DataFrame, path: Path, *, metadata: Mapping[str, object] | None = None) -> Path:
    """Write a canonical indicator frame atomically (conforming it to the schema first)."""
    return write_parquet_atomic(schema.to_arrow(frame), path, metadata=metadata)


def read_indicators(path: Path) -> pd.DataFrame:
    """Read a canonical indicator Parquet file back into a conformed frame."""
    return schema.conform(pq.read_table(path, schema=schema.SCHEMA).to_pandas())


def read_metadata(path: Path) -> dict[str, object]:
    """Return the JSON key-value metadata the writer stored in ``path``."""
    raw = pq.read_schema(path).metadata or {}
    out: dict[str, object] = {}
    for key, value in raw.items():
        name = key.decode()
        if name in ("pandas", "landscape_schema_version"):
            continue
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value.decode()
    return out


def write_bytes_atomic(body: bytes, path: Path) -> Path:
    """Write raw bytes to ``path`` via a sibling temp file and ``os.replace``."""
    with _atomic_target(path) as tmp_name, open(tmp_name, "wb") as handle:
        handle.write(body)
    return path


@contextmanager
def _atomic_target(path: Path) -> Iterator[str]:
    """Yield a sibling temp path; on success fsync it and move it over ``path``, else remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp_name
        with open(tmp_name, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
