"""HTTP for live loaders: a deadline per file, retries for transient faults only, checked snapshots.

* **Deadline.** Every file (all attempts and waits included) must arrive within ``deadline_seconds``;
  the body is read in pieces and the clock is checked between them, so a server that drips a byte
  at a time cannot hold a fetch past the deadline (``timeout_seconds`` bounds each connect and read).
* **Retries** only for faults another attempt may cure: connection errors, timeouts, truncated
  bodies, HTTP 408, 429 and 5xx; with exponential backoff and jitter, and ``Retry-After`` obeyed but
  capped at ``max_retry_after_seconds``. A 404, a redirect loop or a wrong body fails at once.
* **Content checks** before anything is kept: by file name (:func:`content.check_by_name`: not
  empty, not an HTML page, a zip that opens, ...) and the loader's own ``check``.
* **Snapshots** are written file first, sidecar second; a failed sidecar removes the file, so there
  is never one without the other (a killed write leaves only a temp file, swept by the next build).
* **Conditional requests** (``If-None-Match`` / ``If-Modified-Since``) reuse the last snapshot on
  304, and every fetch is recorded in the fetch log (:mod:`landscape_pipeline.fetchlog`).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests
import urllib3

from landscape_pipeline import content
from landscape_pipeline.content import ContentCheck
from landscape_pipeline.errors import FetchError
from landscape_pipeline.fetchlog import HttpCache, append_log
from landscape_pipeline.provenance import SIDECAR_SUFFIX, sha256_of
from landscape_pipeline.storage import write_bytes_atomic

USER_AGENT = "landscape-pipeline/0.1 (+local authority cancer landscape baselines)"
#: Statuses that mean "try again later".
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
CHUNK_BYTES = 1 << 16
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class FetchedFile:
    """A raw publisher file saved under the data root, with what was fetched and when."""

    path: Path
    url: str
    sha256: str
    retrieved_at: datetime
    size: int
    #: True when the server answered 304 and the previous snapshot was reused.
    not_modified: bool = False


@dataclass
class HttpFetcher:
    """Fetch publisher files within a deadline, retrying only transient faults, keeping checked snapshots."""

    timeout_seconds: float = 60.0
    retries: int = 4
    backoff_seconds: float = 1.0
    deadline_seconds: float = 900.0
    max_retry_after_seconds: float = 120.0
    #: JSON index of ETag/Last-Modified per URL (conditional requests); None disables them.
    cache_path: Path | None = None
    #: JSON-lines log of every download; None disables it.
    log_path: Path | None = None
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.session.max_redirects = MAX_REDIRECTS
        self.session.headers.setdefault("User-Agent", USER_AGENT)

    def request(self, url: str, params: dict[str, object] | None = None, *,
                headers: dict[str, str] | None = None) -> requests.Response:
        """Return the final response for ``url`` whatever its status, after retrying transient faults.

        The body is read within the deadline. Raises :class:`FetchError` (``transient`` set) when
        the retries or the deadline run out, or at once on a redirect loop or an invalid URL.
        """
        deadline = time.monotonic() + self.deadline_seconds
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                response = self._attempt(url, params, headers, deadline)
            except FetchError as exc:
                if not exc.transient:
                    raise
                problem = str(exc)
            else:
                if response.status_code not in TRANSIENT_STATUSES:
                    response.attempts = attempt
                    return response
                problem = f"{response.url} answered HTTP {response.status_code}"
                retry_after = self._retry_after(response.headers.get("Retry-After"))
            if attempt > self.retries:
                raise FetchError(f"{problem} after {attempt} attempt(s).", transient=True)
            wait = retry_after if retry_after is not None else self._backoff(attempt)
            if time.monotonic() + wait >= deadline:
                raise FetchError(f"{problem}; the {self.deadline_seconds:g} s deadline for this file leaves no "
                                 f"time to try again (attempt {attempt}).", transient=True)
            self.sleep(wait)

    def get(self, url: str, params: dict[str, object] | None = None, *,
            headers: dict[str, str] | None = None) -> requests.Response:
        """Return a successful (or 304) response for ``url``, or raise :class:`FetchError` saying why."""
        response = self.request(url, params, headers=headers)
        if response.status_code >= 400:
            raise FetchError(f"{response.url} answered HTTP {response.status_code}.", transient=False)
        return response

    def get_json(self, url: str, params: dict[str, object] | None = None) -> object:
        """Return the decoded JSON body of ``url``."""
        response = self.get(url, params)
        try:
            return response.json()
        except ValueError as exc:
            raise FetchError(f"{response.url} did not return JSON: {exc}") from exc

    def download(self, url: str, dest_dir: Path, filename: str, *, params: dict[str, object] | None = None,
                 expected_sha256: str | None = None, min_bytes: int = 1,
                 check: ContentCheck | None = None) -> FetchedFile:
        """Save ``url`` as ``dest_dir/<timestamp>_<filename>`` with a provenance sidecar, once checked.

        With a cache, the request is conditional; on 304 the previous snapshot is returned. The body is
        refused (nothing kept) when shorter than ``min_bytes``, not the kind of file ``filename`` names,
        rejected by ``check``, or when its sha256 differs from ``expected_sha256``.
        """
        key = requests.Request("GET", url, params=params).prepare().url or url
        cache = HttpCache(self.cache_path) if self.cache_path else None
        cached = cache.get(key) if cache else None
        started = time.monotonic()
        record: dict[str, object] = {"url": key, "file": filename}
        try:
            response = self.get(url, params, headers=cached.headers() if cached else None)
            record.update(final_url=response.url, status=response.status_code,
                          attempts=getattr(response, "attempts", 1))
            if response.status_code == 304 and cached is not None:
                record.update(outcome="not_modified", path=str(cached.path), sha256=cached.sha256)
                return FetchedFile(cached.path, response.url, cached.sha256, datetime.now(UTC),
                                   cached.path.stat().st_size, not_modified=True)
            if response.status_code == 304:
                raise FetchError(f"{response.url} answered 304 Not Modified to a request that was not conditional.")
            fetched = save_snapshot(response.content, response.url, dest_dir, filename,
                                    expected_sha256=expected_sha256, min_bytes=min_bytes, check=check,
                                    extra={"etag": response.headers.get("ETag"),
                                           "last_modified": response.headers.get("Last-Modified"),
                                           "content_type": response.headers.get("Content-Type")})
            record.update(outcome="saved", path=str(fetched.path), sha256=fetched.sha256, bytes=fetched.size)
            if cache is not None:
                cache.put(key, etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
                          path=fetched.path, sha256=fetched.sha256)
            return fetched
        except FetchError as exc:
            # "refused": a body arrived but failed a check and was not kept; "failed": no usable answer.
            record.update(outcome="refused" if "status" in record and not exc.transient else "failed",
                          transient=exc.transient, reason=str(exc))
            raise
        finally:
            record["seconds"] = round(time.monotonic() - started, 3)
            append_log(self.log_path, record)

    def _attempt(self, url: str, params: dict[str, object] | None, headers: dict[str, str] | None,
                 deadline: float) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url}: the {self.deadline_seconds:g} s deadline for this file has passed.")
        timeout = min(self.timeout_seconds, remaining)
        try:
            response = self.session.get(url, params=params, headers=headers, timeout=(timeout, timeout), stream=True)
        except requests.TooManyRedirects:
            raise FetchError(f"{url} redirects in a loop (more than {MAX_REDIRECTS} redirects).") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as exc:
            raise FetchError(f"{url} is not a valid URL ({exc}).") from None
        except requests.RequestException as exc:
            raise FetchError(f"Could not fetch {url}: {exc}", transient=True) from None
        try:
            response._content = self._read_body(response, deadline)
        finally:
            response.close()
        return response

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        """Read the body in pieces, checking the deadline between them and the length at the end."""
        raw, parts, size = response.raw, [], 0
        read = getattr(raw, "read1", None) or raw.read
        try:
            while True:
                chunk = read(CHUNK_BYTES, decode_content=True)
                if not chunk:
                    break
                parts.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise FetchError(f"{response.url} was still sending after the {self.deadline_seconds:g} s "
                                     f"deadline for this file ({size:,} bytes so far); given up.")
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise FetchError(f"{response.url}: the connection failed while reading the body ({exc}).",
                             transient=True) from None
        expected = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if expected and expected.isdigit() and not encoded and size != int(expected):
            raise FetchError(f"{response.url} sent {size:,} of the {int(expected):,} bytes it announced "
                             "(a truncated body).", transient=True)
        return b"".join(parts)

    def _retry_after(self, value: str | None) -> float | None:
        """Return the server's ``Retry-After`` in seconds, capped; None when absent or unreadable."""
        if not value:
            return None
        value = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", value):
            seconds = float(value)
        else:
            try:
                seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError):
                return None
        return min(max(seconds, 0.0), self.max_retry_after_seconds)

    def _backoff(self, attempt: int) -> float:
        base = self.backoff_seconds * 2 ** (attempt - 1)
        return min(base * random.uniform(0.5, 1.5), self.max_retry_after_seconds)


def save_snapshot(body: bytes, url: str, dest_dir: Path, filename: str, *,
                  expected_sha256: str | None = None, min_bytes: int = 1, check: ContentCheck | None = None,
                  extra: dict[str, object] | None = None) -> FetchedFile:
    """Check fetched bytes, then write them and their sidecar atomically; return the :class:`FetchedFile`.

    Nothing is written when a check fails. The sidecar is written after the file; if that fails the
    file is removed, so a file never stands without its sidecar (nor a sidecar without its file).
    """
    if len(body) < min_bytes:
        raise FetchError(f"{url} returned {len(body)} bytes; expected at least {min_bytes}. Nothing was kept.")
    if check is not None:  # the loader's own check first: its message says what to do
        check(body, url)
    content.check_by_name(body, url, filename)
    now = datetime.now(UTC)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", filename)
    path = dest_dir / f"{now:%Y%m%dT%H%M%SZ}_{safe}"
    write_bytes_atomic(body, path)
    try:
        digest = sha256_of(path)
        if expected_sha256 and digest != expected_sha256.lower():
            raise FetchError(f"{url}: sha256 {digest} does not match the expected {expected_sha256}. "
                             "Nothing was kept.")
        meta = {"url": url, "sha256": digest, "retrieved_at": now.isoformat(), "bytes": len(body),
                "synthetic": False, **{k: v for k, v in (extra or {}).items() if v}}
        write_bytes_atomic(json.dumps(meta, indent=2).encode(), path.with_name(path.name + SIDECAR_SUFFIX))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FetchedFile(path, url, digest, now, len(body))


def sweep_orphans(raw_root: Path) -> list[Path]:
    """Remove snapshots without a sidecar and sidecars without a snapshot under ``raw_root``; return them.

    Files written without a sidecar by design (receipts, the cache and the log) are kept.
    """
    if not raw_root.is_dir():
        return []
    removed = []
    for path in raw_root.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.name.endswith("receipt.json"):
            continue
        if path.name.endswith(SIDECAR_SUFFIX):
            orphan = not path.with_name(path.name[: -len(SIDECAR_SUFFIX)]).exists()
        else:
            orphan = (re.match(r"\d{8}T\d{6}Z_", path.name) is not None
                      and not path.with_name(path.name + SIDECAR_SUFFIX).exists())
        if orphan:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
