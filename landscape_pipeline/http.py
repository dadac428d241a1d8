"""HTTP for live loaders: timeouts, retries with backoff, sha256 and a cached raw snapshot."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from landscape_pipeline.errors import FetchError
from landscape_pipeline.provenance import SIDECAR_SUFFIX, sha256_of
from landscape_pipeline.storage import write_bytes_atomic

USER_AGENT = "landscape-pipeline/0.1 (+local authority cancer landscape baselines)"


@dataclass(frozen=True)
class FetchedFile:
    """A raw publisher file saved under the data root, with what was fetched and when."""

    path: Path
    url: str
    sha256: str
    retrieved_at: datetime
    size: int


@dataclass
class HttpFetcher:
    """Fetch publisher files with bounded timeouts and retries, keeping raw snapshots."""

    timeout_seconds: float = 60.0
    retries: int = 4
    backoff_seconds: float = 1.0
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        retry = Retry(
            total=self.retries, connect=self.retries, read=self.retries, status=self.retries,
            backoff_factor=self.backoff_seconds, backoff_jitter=0.5,
            status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET", "HEAD"),
            respect_retry_after_header=True, raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.setdefault("User-Agent", USER_AGENT)

    def get(self, url: str, params: dict[str, object] | None = None) -> requests.Response:
        """Return a successful response for ``url`` or raise :class:`FetchError` saying why."""
        try:
            response = self.session.get(url, params=params, timeout=self.timeout_seconds)
        except requests.RequestException as exc:
            raise FetchError(f"Could not fetch {url}: {exc}") from exc
        if response.status_code >= 400:
            raise FetchError(f"{response.url} answered HTTP {response.status_code} after retries.")
        return response

    def get_json(self, url: str, params: dict[str, object] | None = None) -> object:
        """Return the decoded JSON body of ``url``."""
        response = self.get(url, params)
        try:
            return response.json()
        except ValueError as exc:
            raise FetchError(f"{response.url} did not return JSON: {exc}") from exc

    def download(self, url: str, dest_dir: Path, filename: str, *, params: dict[str, object] | None = None,
                 expected_sha256: str | None = None, min_bytes: int = 1) -> FetchedFile:
        """Save ``url`` as ``dest_dir/<timestamp>_<filename>`` with a provenance sidecar.

        Raises :class:`FetchError` if the body is shorter than ``min_bytes`` or its sha256
        differs from ``expected_sha256``.
        """
        response = self.get(url, params)
        body = response.content
        return save_snapshot(body, response.url, dest_dir, filename,
                             expected_sha256=expected_sha256, min_bytes=min_bytes)


def save_snapshot(body: bytes, url: str, dest_dir: Path, filename: str, *,
                  expected_sha256: str | None = None, min_bytes: int = 1) -> FetchedFile:
    """Write fetched bytes and their sidecar atomically; return the :class:`FetchedFile`."""
    if len(body) < min_bytes:
        raise FetchError(f"{url} returned {len(body)} bytes; expected at least {min_bytes}.")
    now = datetime.now(UTC)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", filename)
    path = dest_dir / f"{now:%Y%m%dT%H%M%SZ}_{safe}"
    write_bytes_atomic(body, path)
    digest = sha256_of(path)
    if expected_sha256 and digest != expected_sha256.lower():
        path.unlink(missing_ok=True)
        raise FetchError(f"{url}: sha256 {digest} does not match the expected {expected_sha256}.")
    meta = {"url": url, "sha256": digest, "retrieved_at": now.isoformat(), "bytes": len(body), "synthetic": False}
    write_bytes_atomic(json.dumps(meta, indent=2).encode(), path.with_name(path.name + SIDECAR_SUFFIX))
    return FetchedFile(path, url, digest, now, len(body))
