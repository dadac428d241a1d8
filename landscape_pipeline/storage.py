"""The one writer of outputs: atomic (temp file + ``os.replace``), canonical schema, provenance metadata.

Files are written with the permissions the umask allows (0644 under the usual 022), not the 0600 of
a bare temp file, so colleagues and a web server can read pages, baselines and manifests. A write
killed half-way leaves a hidden ``.<name>.<random>.tmp`` beside its target; :func:`sweep_temp_files`
removes those at the start of a build (under the build lock, so never another build's files).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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


def read_indicators(path: Path, *, dictionary: bool = False) -> pd.DataFrame:
    """Read a canonical indicator Parquet file back into a conformed frame.

    With ``dictionary``, :data:`schema.DICTIONARY_COLUMNS` are read as categoricals (each distinct text once,
    categories in text order).
    """
    coded = schema.DICTIONARY_COLUMNS if dictionary else ()
    return schema.conform(_in_text_order(pq.read_table(path, schema=_schema_coding(coded)).to_pandas(), coded))


def read_indicator_columns(path: Path, columns: Sequence[str], categorical: Sequence[str] = ()) -> pd.DataFrame:
    """Read only ``columns`` of a canonical indicator file, with the dtypes :func:`read_indicators` gives them.

    Text columns named in ``categorical`` are read as pandas categoricals instead (each distinct string held
    once: a source URL repeated on 470,000 rows costs 2 MB instead of 67 MB). Their categories are in text
    order, so sorting by them gives the order sorting the text gives. Only for columns a reader compares,
    groups, sorts and reads values from, never fills with a new value.
    """
    coded = tuple(c for c in columns if c in categorical)
    frame = columns_frame(pq.read_table(path, schema=_schema_coding(coded), columns=list(columns)))
    return _in_text_order(frame, coded)[list(columns)]


@functools.cache
def _schema_coding(columns: tuple[str, ...]) -> pa.Schema:
    """Return :data:`schema.SCHEMA` with the text ``columns`` read as dictionaries (pandas categoricals)."""
    out = schema.SCHEMA
    for name in columns:
        at = out.get_field_index(name)
        out = out.set(at, out.field(at).with_type(pa.dictionary(pa.int32(), pa.string())))
    return out


def _in_text_order(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Put the categories of ``frame``'s categorical ``columns`` in text order, so sorting by one gives the
    order sorting its text gives (a read leaves them in order of first appearance)."""
    for column in columns:
        frame[column] = frame[column].cat.reorder_categories(sorted(frame[column].cat.categories))
    return frame


def columns_frame(table: pa.Table) -> pd.DataFrame:
    """Return canonical columns held as Arrow (any subset) as pandas, with the dtypes :func:`read_indicators`
    gives them."""
    frame = table.to_pandas(date_as_object=False)
    for name in frame.columns:
        if pa.types.is_date(table.schema.field(name).type):
            frame[name] = frame[name].astype("datetime64[s]")
    return frame


_BATCH_ROWS = 65_536


def read_indicators_arrow(path: Path, area_codes: Sequence[str] | None = None) -> pa.Table:
    """Read a canonical indicator Parquet file as Arrow, only the rows of ``area_codes`` when given.

    The table keeps the file's pandas metadata (so files written from it read back with the same dtypes),
    not its build metadata.
    """
    if area_codes is None:
        table = pq.read_table(path, schema=schema.SCHEMA)
    else:  # batch by batch, so the whole file is never held beside the selected rows
        wanted = pa.array(list(area_codes), pa.string())
        batches = [batch.filter(pc.is_in(batch.column("area_code"), value_set=wanted))
                   for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS)]
        table = (pa.Table.from_batches(batches) if batches else pq.read_table(path).slice(0, 0)).cast(schema.SCHEMA)
    dtypes = (pq.read_schema(path).metadata or {}).get(b"pandas")
    return table.replace_schema_metadata({**(table.schema.metadata or {}), b"pandas": dtypes}) if dtypes else table


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


#: Temp files of :func:`_atomic_target` are ``.<target name>.<random>`` + this suffix.
TEMP_SUFFIX = ".tmp"
_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """Return the process umask (read by setting and restoring it, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def output_mode() -> int:
    """Return the permission bits a new output file gets: ``0666`` less the umask (0644 under 022)."""
    return 0o666 & ~current_umask()


def sweep_temp_files(root: Path) -> list[Path]:
    """Remove temp files left under ``root`` by writes that were killed; return what was removed.

    Only hidden files named like this module's temp files (``.<name>.<random>.tmp``) are touched.
    Call it only while holding the build lock, so another build's in-flight files are never removed.
    """
    if not root.is_dir():
        return []
    removed = []
    for path in root.rglob(f".*{TEMP_SUFFIX}"):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextmanager
def _atomic_target(path: Path) -> Iterator[str]:
    """Yield a sibling temp path; on success fsync it and move it over ``path``, else remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        yield tmp_name
        os.chmod(tmp_name, output_mode())  # mkstemp creates 0600 whatever the umask
        with open(tmp_name, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
