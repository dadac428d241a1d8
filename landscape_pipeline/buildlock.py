"""One build at a time per data root: an exclusive file lock that names its holder.

``landscape build`` takes the lock for the whole build; every Dagster step that uses the settings
resource takes it for the step (re-entrant within a process, so an in-process build locks once).
Two builds on one data root therefore cannot interleave their writes: the second is refused with
a sentence naming the holder's pid, host, command and start time. (Re-entrancy is per process: threads
of one process share the lock.)

The lock is ``fcntl.flock`` on ``<root>/.landscape-build.lock``. The kernel releases it when the
holder exits, even after ``kill -9``, so a lock left by a dead build is stale by construction: the
file's holder details remain, the next build takes the lock over and says so.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline.errors import LandscapeError

LOCK_NAME = ".landscape-build.lock"
POLL_SECONDS = 0.1

#: Data roots whose lock this process holds, with a nesting depth (re-entrancy).
_HELD: dict[Path, int] = {}


class BuildLockedError(LandscapeError):
    """Another build holds the data root's lock."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a lock."""

    pid: int | None
    host: str
    command: str
    started_at: str

    def describe(self) -> str:
        """Return 'pid 123 on host, `landscape build`, since 2026-...' for messages."""
        return f"pid {self.pid} on {self.host} (`{self.command}`), started {self.started_at}"


def lock_path(root: Path) -> Path:
    """Return the lock file of a data root."""
    return root / LOCK_NAME


def read_holder(root: Path) -> Holder | None:
    """Return the holder details written in the lock file, or None when there are none."""
    try:
        data = json.loads(lock_path(root).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return None
    if not data:
        return None
    return Holder(data.get("pid"), str(data.get("host", "?")), str(data.get("command", "?")),
                  str(data.get("started_at", "?")))


def holds_lock(root: Path) -> bool:
    """Return True when this process holds the lock of ``root``."""
    return root.resolve() in _HELD


@contextmanager
def build_lock(root: Path, *, timeout: float = 0.0, command: str | None = None,
               on_stale=None) -> Iterator[None]:
    """Hold the data root's lock for the block; wait up to ``timeout`` seconds, then refuse.

    ``on_stale`` (a callable taking the previous :class:`Holder`) is told when the lock file names a
    holder that is gone, i.e. a build that was killed; the lock is then taken over.
    """
    key = root.resolve()
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    key.mkdir(parents=True, exist_ok=True)
    try:
        handle = open(lock_path(key), "a+", encoding="utf-8")  # noqa: SIM115 - held open for the block
    except PermissionError as exc:
        raise BuildLockedError(f"Cannot open the build lock {lock_path(key)} ({exc.strerror}); the data root "
                               "must be writable by everyone who builds into it.") from None
    try:
        _acquire(handle, key, timeout)
        previous = read_holder(key)
        if previous is not None and on_stale is not None and previous.pid != os.getpid():
            on_stale(previous)
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "command": command or "landscape",
              "started_at": datetime.now(UTC).isoformat(timespec="seconds")}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(me))
        handle.flush()
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _acquire(handle, root: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = read_holder(root)
                who = holder.describe() if holder else "another process (details not yet written)"
                waited = f" after waiting {timeout:g} s" if timeout else ""
                raise BuildLockedError(
                    f"Another build is writing to {root}: {who}. Nothing was written{waited}. Wait for it to "
                    f"finish, or use another --data-dir.") from None
            time.sleep(POLL_SECONDS)
