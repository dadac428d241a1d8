"""A SQLite event log that writes a batch of Dagster events in one transaction per database.

A build materialises every LA partition of ``baselines`` and ``landscape_summary`` in one run: 764 asset
events. Dagster's SQLite event log opens a new engine and commits (an fsync) per event, twice for asset events
(the run's database and the cross-run index), which cost about 20 ms an event on a 2-core machine. Dagster
already groups a step's per-partition events (and a run's "planned" events, one per asset and asset check)
into batches when ``DAGSTER_EVENT_BATCH_SIZE`` is set, but its SQLite storage then stores them one by one;
this class stores each batch with one transaction on the run's database and one on the index (asset-check
rows included), and writes the index's per-asset row once per asset and event type (the row keeps only the
latest event, so the result is the same). Each database is kept in SQLite's write-ahead-log mode with
``synchronous=NORMAL``: commits are synced at checkpoints, not one by one, for the events that are not batched
(step starts, logs, check results). Connections stay open between uses (Dagster opens and closes one per
use). Everything else is Dagster's own SQLite storage.

``dagster.yaml`` selects it; :data:`BATCH_SIZE_ENV` is set by the definitions module so that every run worker
batches. With any other storage (PostgreSQL on a team server) the variable only groups events that the storage
still writes one by one.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from dagster import Field, StringSource
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS, EVENT_TYPE_TO_PIPELINE_RUN_STATUS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

#: Dagster reads this in the run worker; events of one step's partitions are grouped up to this many.
BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
BATCH_SIZE = "500"
#: Open connections kept per database. Dagster's SQLite storage opens and closes one per use, and closing the
#: last connection to a database in WAL mode checkpoints and syncs it: about 1 ms a use, ~800 uses in a build.
POOLED_CONNECTIONS = 2


def enable_batching() -> None:
    """Ask Dagster to group per-partition events (keeps a value the deployment set itself)."""
    os.environ.setdefault(BATCH_SIZE_ENV, BATCH_SIZE)


def default_base_dir() -> str:
    """Return where Dagster's default SQLite storage keeps event logs: ``$DAGSTER_HOME/history/runs``."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise ValueError("BatchedSqliteEventLogStorage needs base_dir in dagster.yaml or DAGSTER_HOME set")
    return os.path.join(os.path.abspath(os.path.expanduser(home)), "history", "runs")


def _is_asset_event(event: EventLogEntry) -> bool:
    return bool(event.is_dagster_event and event.dagster_event_type in ASSET_EVENTS
                and event.get_dagster_event().asset_key)


def _wal_without_fsync(dbapi_connection: Any, _record: object) -> None:
    """Write-ahead log, synced at checkpoints rather than at every commit (SQLite's ``synchronous=NORMAL``).

    The database cannot be corrupted by a crash; a power cut may lose the last events written, not the file.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with batches written in one transaction per database."""

    #: Engines kept for the most recently used databases (the index and the runs being written or read).
    ENGINES_KEPT = 16

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._batch = threading.local()  # the index connection of the batch this thread is storing
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,  # ty: ignore[invalid-method-override]
                          config_value: Mapping[str, Any]) -> BatchedSqliteEventLogStorage:
        return cls(base_dir=config_value.get("base_dir") or default_base_dir(), inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:
        """A connection from one engine per database, kept open between uses, in WAL mode without an fsync per
        commit."""
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(self.conn_string_for_shard(shard), poolclass=QueuePool,
                                       pool_size=POOLED_CONNECTIONS, max_overflow=-1,
                                       connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                     "check_same_thread": False})
                sa_event.listen(engine, "connect", _wal_without_fsync)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
                if len(self._engines) > self.ENGINES_KEPT:  # a long-lived UI reads many runs: keep a few
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def index_connection(self) -> AbstractContextManager[Any]:
        """Return the index connection of the batch being stored, if any, so a batch is one transaction."""
        current = getattr(self._batch, "conn", None)
        return nullcontext(current) if current is not None else super().index_connection()

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Store ``events`` (one run's) in one transaction on the run's database and one on the index."""
        if len({event.run_id for event in events}) != 1:
            super().store_event_batch(events)
            return
        statements = [self.prepare_insert_event(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            for statement in statements:
                conn.execute(statement)
        with super().index_connection() as conn:
            self._batch.conn = conn
            try:
                self._index(conn, list(zip(events, statements, strict=True)))
            finally:
                self._batch.conn = None

    def _index(self, conn: Any, pairs: list[tuple[EventLogEntry, Any]]) -> None:
        """Mirror a batch in the index database as Dagster's ``store_event`` does, on one connection."""
        indexed = [(event, statement) for event, statement in pairs if _is_asset_event(event)]
        ids = [conn.execute(statement).inserted_primary_key[0] for _, statement in indexed]
        if indexed:
            self._store_asset_event_tags(conn, [event for event, _ in indexed], ids)
        latest: dict[tuple[str, object], tuple[EventLogEntry, int]] = {}
        for (event, _), event_id in zip(indexed, ids, strict=True):
            key = (event.get_dagster_event().asset_key.to_string(), event.dagster_event_type)
            latest.pop(key, None)  # re-inserted so the dict keeps the order of each key's last event
            latest[key] = (event, event_id)
        for event, event_id in latest.values():
            self._store_asset_event(conn, event, event_id)
        for event, statement in pairs:
            if event.is_dagster_event and event.dagster_event_type in ASSET_CHECK_EVENTS:
                self.store_asset_check_event(event, conn.execute(statement).inserted_primary_key[0])
            if event.is_dagster_event and event.dagster_event_type in EVENT_TYPE_TO_PIPELINE_RUN_STATUS:
                conn.execute(statement)
