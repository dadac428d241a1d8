"""Aggregate a record-level HES extract with an SQL engine (DuckDB here; the SQL is portable to Spark SQL).

For extracts of tens of millions of episodes a year. The result is the same :class:`.Aggregation`
as the Arrow streaming reader in :mod:`.aggregate`, cell for cell and tally for tally, because the
per-value rules are not rewritten in SQL: one scan collects each column's distinct values, which are
mapped by :func:`.aggregate.column_mappers` (the same functions) into small lookup tables; a second
scan joins the episodes to those tables and counts them by code in the engine, which spills to disk
beyond its memory limit. Episodes never leave the engine; only the count cube does.

The plausibility rules of :mod:`.checks` are kept: a financial year not yet begun is found among the
distinct values, a repeated ``EPIKEY`` by a grouped count; either way the file is then read again by
:class:`.checks.RecordChecks`, so the refusal names the same rows in the same words.

Select it with ``LANDSCAPE_HES_ENGINE=duckdb`` (needs the ``scale`` extra: ``pip install -e ".[scale]"``).
Zipped extracts are read by the Arrow reader, since DuckDB cannot open a zip member.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from landscape_pipeline.errors import ConfigurationError, SourceDataError
from landscape_pipeline.sources.hes import checks
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.aggregate import Aggregation, column_mappers, english_districts
from landscape_pipeline.sources.hes.residence import BLANK, AreaResolver

ENGINE_ENV = "LANDSCAPE_HES_ENGINE"
ENGINES = ("arrow", "duckdb")
#: Memory the engine may use before it spills to its temporary directory (read when a connection opens).
MEMORY_ENV, DEFAULT_MEMORY_LIMIT = "LANDSCAPE_HES_MEMORY_LIMIT", "1GB"
MAPPED = ("EPISTAT", "EPIORDER", "FYEAR", "ADMIDATE", "DIAG_4_01", "DIAG_3_01", "RESLADST_ONS", "RESLADST",
          "ADMIMETH", "SEX", "STARTAGE")


class EngineError(ConfigurationError):
    """The SQL engine was asked for but cannot run (not installed, or an unknown engine name)."""


def engine_from_env() -> str:
    """Return the HES aggregation engine named by ``LANDSCAPE_HES_ENGINE`` (default ``arrow``)."""
    name = os.environ.get(ENGINE_ENV, "arrow").strip().lower() or "arrow"
    if name not in ENGINES:
        raise EngineError(f"{ENGINE_ENV}={name!r} is not an engine; use one of {', '.join(ENGINES)}.")
    return name


def connect(memory_limit: str | None = None, threads: int | None = None) -> Any:
    """Return an in-memory DuckDB connection with a memory limit (default ``LANDSCAPE_HES_MEMORY_LIMIT``, 1GB)."""
    try:
        import duckdb
    except ImportError as exc:
        raise EngineError(f"{ENGINE_ENV}=duckdb needs DuckDB: pip install -e \".[scale]\"") from exc
    memory_limit = memory_limit or os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_LIMIT)
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip()):
        raise EngineError(f"{MEMORY_ENV}={memory_limit!r} is not a size such as 1GB or 800MiB.")
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit.strip()}'")
    con.execute("SET preserve_insertion_order = false")
    # A CSV scan has no row estimate, so the optimiser would build hash tables on the episodes and probe with
    # the lookup tables; keep the written order: episodes probe, each small lookup table is built.
    con.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source(path: Path, header: list[str]) -> str:
    """Return the read_csv call over ``path``: the (upper-cased) header as names, every column text, no sniffing."""
    columns = ", ".join(f"'{_text(n)}': 'VARCHAR'" for n in header)
    return (f"read_csv('{_text(str(path))}', header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"escape = '\"', columns = {{{columns}}})")


def _text(value: str) -> str:
    return value.replace("'", "''")


def _cell(column: str) -> str:
    return f"coalesce(e.{_q(column)}, '')"


def cube_sql(source: str, present: set[str]) -> str:
    """Return the counting query: episodes joined to ``map_<COLUMN>(value, code)`` tables, grouped by code.

    Plain SQL (joins, CASE, GROUP BY) that Spark SQL also runs, given the same lookup tables.
    """
    joins = "\n".join(f"LEFT JOIN map_{c} AS m_{c} ON m_{c}.value = {_cell(c)}" for c in MAPPED if c in present)

    def code(column: str) -> str:
        return f"m_{column}.code" if column in present else "-1"

    keep = f"{code('EPISTAT')} = 1 AND {code('EPIORDER')} = 1"
    non_cancer = ind.SITE_GROUPS.index("non_cancer")
    area = code("RESLADST_ONS")
    if "RESLADST" in present:
        area = f"CASE WHEN {area} = {BLANK} THEN {code('RESLADST')} ELSE {area} END"
    dims = {
        "fy": f"CASE WHEN {code('FYEAR')} >= 0 THEN {code('FYEAR')} ELSE {code('ADMIDATE')} END",
        "site": (f"CASE WHEN {code('DIAG_4_01')} >= 0 THEN {code('DIAG_4_01')} "
                 f"WHEN {code('DIAG_3_01')} >= 0 THEN {code('DIAG_3_01')} ELSE {non_cancer} END"),
        "area": area, "method": code("ADMIMETH"), "sex": code("SEX"), "band": code("STARTAGE"),
    }
    selected = ",\n  ".join(f"CASE WHEN {keep} THEN {expr} END AS {name}" for name, expr in dims.items())
    return (f"SELECT {code('EPISTAT')} AS finished, {code('EPIORDER')} AS first_episode,\n  {selected},\n"
            f"  count(*) AS episodes\nFROM {source} AS e\n{joins}\n"
            "GROUP BY ALL")


def _distinct_values(con: Any, source: str, present: list[str]) -> dict[str, list[str]]:
    """Return each mapped column's distinct values (nulls as ''), from one scan."""
    lists = ", ".join(f"list(DISTINCT {_cell(c)})" for c in present)
    row = con.execute(f"SELECT {lists} FROM {source} AS e").fetchall()[0]
    return {c: list(values or []) for c, values in zip(present, row, strict=True)}


def _has_repeated_key(con: Any, source: str) -> bool:
    """Return True when some non-blank ``EPIKEY`` appears twice (by hash; a collision is re-checked exactly)."""
    key = f"trim(e.{_q('EPIKEY')})"
    found = con.execute(f"SELECT 1 FROM {source} AS e WHERE {key} <> '' GROUP BY hash({key}) "
                        "HAVING count(*) > 1 LIMIT 1").fetchall()
    return bool(found)


def _future_year(values: list[str]) -> bool:
    starts = [ind.financial_year(v) for v in values]
    return any(s >= 0 and date(s, 4, 1) > checks.today() for s in starts)


def aggregate_csv(path: Path, header: list[str], *, con: Any = None,
                  districts: tuple[str, ...] | None = None, recheck: Any = None) -> Aggregation:
    """Return the Aggregation of a record-level .csv or .csv.gz extract, counted by DuckDB.

    ``header`` is the file's upper-cased header (:func:`.parser.read_header`); ``recheck(path)`` re-reads
    the file with the Arrow reader when a plausibility rule may be broken or DuckDB cannot read a row,
    so that the refusal is the Arrow reader's, naming the row.
    """
    con = con or connect()  # refuses in a sentence when DuckDB is not installed
    import duckdb

    try:
        return _aggregate(path, header, con, districts or english_districts(), recheck)
    except duckdb.Error as exc:
        if recheck is not None:
            recheck(path)
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceDataError(path, f"DuckDB could not read the extract: {first_line}") from exc


def _aggregate(path: Path, header: list[str], con: Any, districts: tuple[str, ...], recheck: Any) -> Aggregation:
    source = _source(path, header)
    present = [c for c in MAPPED if c in header]
    values = _distinct_values(con, source, present)
    needs_recheck = _future_year(values.get("FYEAR", []))
    if not needs_recheck and "EPIKEY" in header:
        needs_recheck = _has_repeated_key(con, source)
    if needs_recheck and recheck is not None:  # the Arrow reader raises naming the row (a hash collision passes)
        recheck(path)
    mappers = column_mappers(AreaResolver(districts))
    for column in present:
        lookup = pa.table({"value": pa.array(values[column], pa.string()),
                           "code": pa.array([mappers[column](v) for v in values[column]], pa.int64())})
        con.register(f"map_{column}", lookup)
    cells = con.execute(cube_sql(source, set(present))).df()
    return _to_aggregation(cells, districts)


def _to_aggregation(cells: pd.DataFrame, districts: tuple[str, ...]) -> Aggregation:
    """Turn the engine's grouped counts into the Arrow reader's Aggregation (same tallies, same cube)."""
    agg = Aggregation(districts, tally=Counter())
    n = cells["episodes"].to_numpy(dtype=np.int64)
    finished = cells["finished"].to_numpy(dtype=np.int64) == 1
    first = cells["first_episode"].to_numpy(dtype=np.int64) == 1
    agg.tally["episodes read"] += int(n.sum())
    agg.tally["episodes not finished"] += int(n[~finished].sum())
    agg.tally["finished episodes not first in spell"] += int(n[finished & ~first].sum())
    kept = cells[finished & first]
    if len(kept):
        def dim(name: str) -> np.ndarray:
            return kept[name].to_numpy(dtype=np.int64)

        agg.add(dim("fy"), dim("area"), dim("site"), dim("method"), dim("sex"), dim("band"),
                weights=kept["episodes"].to_numpy(dtype=np.int64))
    return agg
