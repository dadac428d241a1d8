"""What live loaders fetched: a conditional-request cache and an append-only fetch log.

* ``raw/http_cache.json`` maps each request URL to the validators the server sent (``ETag``,
  ``Last-Modified``) and the snapshot saved for them, so the next fetch asks "has it changed?"
  and reuses the snapshot on ``304 Not Modified``.
* ``raw/fetch_log.jsonl`` gets one JSON line per file: when, which URL (and where it redirected
  to), the outcome (saved, not_modified, refused, failed), status, bytes, sha256, attempts, seconds
  and the saved path. It answers "which files did this build fetch, when and from where".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline.provenance import SIDECAR_SUFFIX, sha256_of
from landscape_pipeline.storage import write_bytes_atomic

CACHE_NAME = "http_cache.json"
LOG_NAME = "fetch_log.jsonl"


@dataclass(frozen=True)
class CacheEntry:
    """Validators and snapshot of one URL's last good download."""

    etag: str | None
    last_modified: str | None
    path: Path
    sha256: str

    def usable(self) -> bool:
        """Return True when the snapshot and its sidecar still exist and the snapshot is unchanged."""
        return (self.path.is_file() and self.path.with_name(self.path.name + SIDECAR_SUFFIX).is_file()
                and sha256_of(self.path) == self.sha256)

    def headers(self) -> dict[str, str]:
        """Return the conditional-request headers for this entry."""
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


class HttpCache:
    """The JSON index of validators per URL (read and rewritten atomically)."""

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url: str) -> CacheEntry | None:
        """Return the usable entry for ``url``, or None."""
        raw = self._read().get(url)
        if not isinstance(raw, dict) or not (raw.get("etag") or raw.get("last_modified")):
            return None
        entry = CacheEntry(raw.get("etag"), raw.get("last_modified"), Path(raw["path"]), raw["sha256"])
        return entry if entry.usable() else None

    def put(self, url: str, *, etag: str | None, last_modified: str | None, path: Path, sha256: str) -> None:
        """Record the validators of a new snapshot of ``url`` (nothing when the server sent none)."""
        data = self._read()
        if etag or last_modified:
            data[url] = {"etag": etag, "last_modified": last_modified, "path": str(path), "sha256": sha256}
        else:
            data.pop(url, None)
        write_bytes_atomic(json.dumps(data, indent=1, sort_keys=True).encode(), self.path)


def append_log(path: Path | None, record: dict[str, object]) -> None:
    """Append one record (with a UTC timestamp) to the fetch log, if there is one."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), **record}, default=str)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def read_log(path: Path) -> list[dict[str, object]]:
    """Return the fetch log's records, oldest first (an absent log is empty)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
