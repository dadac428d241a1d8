"""Per-local-authority baselines: split the indicator table and write one Parquet file per LA.

Each file is ``<data root>/baselines/<CODE>/baseline.parquet``, written atomically, with the
LA's name, build time, sources, the synthetic flag and the local evidence register's entries that
cover the LA and were dated on or before the build (``evidence``) in the file's metadata. The folder reads
as one table, as it is, with ``pandas.read_parquet``, ``pyarrow.dataset`` or DuckDB
(``read_parquet('data/baselines/*/*.parquet')``). An LA that no source covers gets a valid empty
file saying so. A folder left by the older hive layout (``area_code=<CODE>``) is removed once the
LA's new file is written, so the folder never holds an LA twice.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landscape_pipeline import geography, paths, schema
from landscape_pipeline.evidence import EvidenceRegister
from landscape_pipeline.storage import read_indicators, write_parquet_atomic

EMPTY_NOTE = "No source covers this local authority yet; the baseline is empty but valid."
SYNTHETIC_NOTE = "Built from bundled SYNTHETIC sample data: not official statistics."
WRITER_THREADS = 4
HEAD_ROWS = 5  # latest rows kept per LA for the UI's preview
#: Order of rows in a baseline file (stable, nulls last, as pandas' sort_values).
SORT_KEYS = ("area_code", "indicator_id", "period_start")


@dataclass(frozen=True)
class BaselineWritten:
    """What was written for one local authority."""

    area_code: str
    path: Path
    rows: int
    indicators: int
    periods: int
    synthetic: bool
    sources: tuple[str, ...] = ()
    latest_period: str = ""
    latest_rows: int = 0  # rows of each series' latest period
    latest_head: pa.Table | None = None  # the first of them in file order (a copy: the table is not kept alive)


def baseline_rows(table: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """Return one LA's rows of the indicator table (all indicators, all periods)."""
    return table.loc[table["area_code"].eq(area_code)]


def write_baselines(table: pd.DataFrame | pa.Table, area_codes: Sequence[str], root: Path, *,
                    built_at: datetime | None = None, run_id: str | None = None,
                    evidence: EvidenceRegister | None = None, evidence_error: str | None = None
                    ) -> list[BaselineWritten]:
    """Write the baseline of every code in ``area_codes``; return what was written per LA.

    ``table``: the indicator table's rows (a canonical frame, or an Arrow table with :data:`schema.SCHEMA`).

    ``evidence``: the local evidence register; each file lists its entries covering the LA dated on or
    before ``built_at``. ``evidence_error``: why the register could not be read (noted in each file).
    """
    built_at = built_at or datetime.now(UTC)
    arrow = schema.to_arrow(table) if isinstance(table, pd.DataFrame) else table
    order = pc.sort_indices(arrow, [(c, "ascending", "at_end") for c in SORT_KEYS]).to_numpy()
    if not np.array_equal(order, np.arange(len(order))):  # the indicator table is written in this order already
        arrow = arrow.take(order)
    bounds = _group_bounds(arrow.column("area_code").to_numpy(zero_copy_only=False))

    def write(code: str) -> BaselineWritten:
        start, stop = bounds.get(code, (0, 0))
        entries = [e.record() for e in evidence.covering(code, built_at.date())] if evidence else []
        return _write_one(arrow.slice(start, stop - start), geography.local_authority(code), root, built_at,
                          run_id, entries, evidence_error)

    # Parquet encoding and fsync release the GIL: a few threads overlap one file's fsync with the next's encoding.
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        return list(pool.map(write, area_codes))


def _group_bounds(codes) -> dict[str, tuple[int, int]]:
    bounds: dict[str, tuple[int, int]] = {}
    if len(codes) == 0:
        return bounds
    codes = np.asarray(codes, dtype=object)
    change = np.concatenate(([0], np.flatnonzero(codes[1:] != codes[:-1]) + 1, [len(codes)]))
    for start, stop in itertools.pairwise(change):
        bounds[str(codes[start])] = (int(start), int(stop))
    return bounds


def _write_one(part: pa.Table, la: geography.LocalAuthority, root: Path, built_at: datetime,
               run_id: str | None, entries: list[dict], evidence_error: str | None) -> BaselineWritten:
    synthetic = bool(pc.any(part.column("synthetic")).as_py()) if part.num_rows else False
    sources = sorted(set(part.column("source_id").to_pylist()))
    notes = [EMPTY_NOTE] if part.num_rows == 0 else []
    if synthetic:
        notes.append(SYNTHETIC_NOTE)
    if evidence_error:
        notes.append(f"Local evidence not listed: the evidence register is not valid ({evidence_error}).")
    metadata = {
        "area_code": la.area_code, "area_name": la.area_name, "tier": la.tier, "nation": la.nation_name,
        "built_at": built_at.isoformat(), "run_id": run_id, "sources": sources, "synthetic": synthetic,
        "notes": notes, "schema_version": schema.SCHEMA_VERSION, "evidence": entries,
    }
    path = write_parquet_atomic(part, paths.baseline_path(root, la.area_code), metadata=metadata)
    shutil.rmtree(paths.legacy_baseline_dir(root, la.area_code), ignore_errors=True)
    indicators = pc.count_distinct(part.column("indicator_id")).as_py()
    periods = pc.count_distinct(part.column("period_label")).as_py()
    latest = part.filter(part.column("is_latest"))
    head = latest.take(pa.array(range(min(HEAD_ROWS, latest.num_rows)), pa.int64()))
    return BaselineWritten(la.area_code, path, part.num_rows, indicators, periods, synthetic, tuple(sources),
                           _latest_period(part), latest.num_rows, head)


def _latest_period(part: pa.Table) -> str:
    """Return the label of the period that ends last (the first such row), or the last row's label; '' if none."""
    if part.num_rows == 0:
        return ""
    ends = part.column("period_end")
    last = pc.max(ends)
    row = pc.index(ends, last).as_py() if last.is_valid else part.num_rows - 1
    return str(part.column("period_label")[row].as_py())


def read_baseline(root: Path, area_code: str) -> pd.DataFrame:
    """Return the baseline of one LA, refusing retired or unknown codes with a clear message."""
    code = geography.validate_partition_key(area_code)
    path = paths.baseline_path(root, code)
    if not path.exists():
        raise FileNotFoundError(f"No baseline for {code} under {root}; run `landscape build --area {code}` first.")
    return read_indicators(path)


def summarise(written: Iterable[BaselineWritten]) -> dict[str, object]:
    """Return run metadata: totals and the LAs left empty."""
    items = list(written)
    return {
        "partitions_written": len(items),
        "rows": sum(w.rows for w in items),
        "empty_partitions": [w.area_code for w in items if w.rows == 0][:50],
        "empty_partition_count": sum(1 for w in items if w.rows == 0),
        "max_indicators_per_la": max((w.indicators for w in items), default=0),
        "max_periods_per_la": max((w.periods for w in items), default=0),
        "synthetic_partitions": sum(1 for w in items if w.synthetic),
    }
