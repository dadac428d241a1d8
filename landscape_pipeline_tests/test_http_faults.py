"""The fetcher against a real misbehaving server on 127.0.0.1 (``http.server`` in a thread).

Each path of the server is one fault a publisher's site really shows: errors, a flaky 503, a slow
drip, a body cut short, an HTML page or nothing with status 200, a redirect loop, and ETag/304.
Timeouts and deadlines are sub-second, so the whole file runs in a few seconds.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from landscape_pipeline import content, fetchlog
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher, save_snapshot, sweep_orphans
from landscape_pipeline.provenance import SIDECAR_SUFFIX

CSV = b"Area Code,Value\nE06000001,12.5\nE06000002,13.0\n"


class FaultHandler(BaseHTTPRequestHandler):
    """Serves one fault per path; counts requests per path in ``server.hits``."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        hits = self.server.hits
        hits[path] += 1
        if path == "/ok.csv":
            self._send(200, CSV)
        elif path == "/500.csv":
            self._send(500, b"boom")
        elif path == "/404.csv":
            self._send(404, b"not here")
        elif path == "/flaky.csv":  # 503 twice, then the file
            self._send(503, b"busy", {"Retry-After": "0"}) if hits[path] <= 2 else self._send(200, CSV)
        elif path == "/patient.csv":  # asks for an hour's pause, then serves
            self._send(429, b"slow down", {"Retry-After": "3600"}) if hits[path] == 1 else self._send(200, CSV)
        elif path == "/drip.csv":  # announces 10 kB, sends a byte every 20 ms
            self.send_response(200)
            self.send_header("Content-Length", "10000")
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.02)
            except OSError:
                pass
        elif path == "/truncated.csv":  # announces more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(CSV) + 500))
            self.end_headers()
            self.wfile.write(CSV)
            self.wfile.flush()
            self.close_connection = True
        elif path == "/html.csv":
            self._send(200, b"<!DOCTYPE html><html><body>Sign in</body></html>", {"Content-Type": "text/html"})
        elif path == "/empty.csv":
            self._send(200, b"")
        elif path == "/loop.csv":
            self._send(302, b"", {"Location": "/loop.csv"})
        elif path == "/etag.csv":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, b"", {"ETag": '"v1"'})
            else:
                self._send(200, CSV, {"ETag": '"v1"'})
        elif path == "/modified.csv":
            stamp = "Wed, 01 Oct 2025 09:30:00 GMT"
            if self.headers.get("If-Modified-Since") == stamp:
                self._send(304, b"", {"Last-Modified": stamp})
            else:
                self._send(200, CSV, {"Last-Modified": stamp})
        else:
            self._send(404, b"?")


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FaultHandler)
    httpd.daemon_threads = True
    httpd.hits = Counter()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base(server: ThreadingHTTPServer) -> str:
    server.hits.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


def fetcher(tmp_path: Path, **kwargs: object) -> HttpFetcher:
    options = {"timeout_seconds": 0.5, "deadline_seconds": 3.0, "retries": 2, "backoff_seconds": 0.01,
               "max_retry_after_seconds": 0.05, "cache_path": tmp_path / "raw" / "http_cache.json",
               "log_path": tmp_path / "raw" / "fetch_log.jsonl"}
    return HttpFetcher(**{**options, **kwargs})


def saved(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []


def test_a_good_file_is_saved_with_its_sidecar_and_logged(base: str, tmp_path: Path) -> None:
    got = fetcher(tmp_path).download(f"{base}/ok.csv", tmp_path / "files", "ok.csv")
    assert got.path.read_bytes() == CSV and not got.not_modified
    assert json.loads(got.path.with_name(got.path.name + SIDECAR_SUFFIX).read_text())["sha256"] == got.sha256
    [record] = fetchlog.read_log(tmp_path / "raw" / "fetch_log.jsonl")
    assert record["outcome"] == "saved" and record["url"] == f"{base}/ok.csv" and record["sha256"] == got.sha256
    assert record["status"] == 200 and record["bytes"] == len(CSV) and "at" in record


def test_500_is_retried_then_given_up_in_a_sentence(base: str, server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"answered HTTP 500 after 3 attempt") as caught:
        fetcher(tmp_path).download(f"{base}/500.csv", tmp_path / "files", "x.csv")
    assert caught.value.transient and server.hits["/500.csv"] == 3
    assert saved(tmp_path / "files") == []
    assert fetchlog.read_log(tmp_path / "raw" / "fetch_log.jsonl")[-1]["outcome"] == "failed"


def test_503_then_200_succeeds(base: str, server, tmp_path: Path) -> None:
    got = fetcher(tmp_path).download(f"{base}/flaky.csv", tmp_path / "files", "flaky.csv")
    assert got.path.read_bytes() == CSV and server.hits["/flaky.csv"] == 3


def test_404_is_not_retried(base: str, server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetcher(tmp_path).download(f"{base}/404.csv", tmp_path / "files", "x.csv")
    assert not caught.value.transient and server.hits["/404.csv"] == 1


def test_retry_after_is_obeyed_but_capped(base: str, server, tmp_path: Path) -> None:
    waits: list[float] = []
    got = fetcher(tmp_path, sleep=waits.append).download(f"{base}/patient.csv", tmp_path / "files", "p.csv")
    assert got.path.read_bytes() == CSV
    assert waits == [0.05]  # the server asked for 3600 s; the cap is 0.05 s


def test_a_slow_drip_cannot_hold_the_fetch_past_its_deadline(base: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline"):
        fetcher(tmp_path, deadline_seconds=0.6).download(f"{base}/drip.csv", tmp_path / "files", "d.csv")
    assert time.monotonic() - started < 0.6 + 0.5 + 0.3  # deadline + one read timeout + slack
    assert saved(tmp_path / "files") == []


def test_a_truncated_body_is_retried_and_refused(base: str, server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"truncated|connection failed") as caught:
        fetcher(tmp_path).download(f"{base}/truncated.csv", tmp_path / "files", "t.csv")
    assert caught.value.transient and server.hits["/truncated.csv"] == 3
    assert saved(tmp_path / "files") == []


@pytest.mark.parametrize(("path", "message"), [("/html.csv", "web page"), ("/empty.csv", "empty body")])
def test_html_or_empty_200_is_refused_at_once_and_nothing_kept(base: str, server, tmp_path: Path, path: str,
                                                               message: str) -> None:
    with pytest.raises(FetchError, match=message) as caught:
        fetcher(tmp_path).download(f"{base}{path}", tmp_path / "files", "data.csv", min_bytes=0)
    assert not caught.value.transient and server.hits[path] == 1
    assert saved(tmp_path / "files") == []
    assert fetchlog.read_log(tmp_path / "raw" / "fetch_log.jsonl")[-1]["outcome"] == "refused"


def test_a_loader_check_refuses_the_wrong_csv(base: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="Indicator ID"):
        fetcher(tmp_path).download(f"{base}/ok.csv", tmp_path / "files", "ok.csv",
                                   check=content.csv_with_columns("Indicator ID"))
    assert saved(tmp_path / "files") == []


def test_a_redirect_loop_is_refused_without_retries(base: str, server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="redirects in a loop") as caught:
        fetcher(tmp_path).download(f"{base}/loop.csv", tmp_path / "files", "l.csv")
    assert not caught.value.transient and server.hits["/loop.csv"] == 11  # first request + 10 redirects


@pytest.mark.parametrize("path", ["/etag.csv", "/modified.csv"])
def test_conditional_request_reuses_the_snapshot_on_304(base: str, server, tmp_path: Path, path: str) -> None:
    first = fetcher(tmp_path).download(f"{base}{path}", tmp_path / "files", "c.csv")
    second = fetcher(tmp_path).download(f"{base}{path}", tmp_path / "files", "c.csv")
    assert second.not_modified and second.path == first.path and second.sha256 == first.sha256
    assert len(saved(tmp_path / "files")) == 2  # one snapshot and its sidecar, not two of each
    outcomes = [r["outcome"] for r in fetchlog.read_log(tmp_path / "raw" / "fetch_log.jsonl")]
    assert outcomes == ["saved", "not_modified"] and server.hits[path] == 2


def test_a_changed_snapshot_is_fetched_again_not_trusted(base: str, tmp_path: Path) -> None:
    first = fetcher(tmp_path).download(f"{base}/etag.csv", tmp_path / "files", "c.csv")
    first.path.write_bytes(b"tampered")
    second = fetcher(tmp_path).download(f"{base}/etag.csv", tmp_path / "files", "c.csv")
    assert not second.not_modified and second.path.read_bytes() == CSV


def test_unreachable_server_is_a_transient_failure(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="Could not fetch") as caught:
        fetcher(tmp_path, retries=1).get("http://127.0.0.1:9/nothing")
    assert caught.value.transient


def test_no_file_is_kept_without_its_sidecar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import landscape_pipeline.http as http

    real = http.write_bytes_atomic

    def failing(body: bytes, path: Path) -> Path:
        if path.name.endswith(SIDECAR_SUFFIX):
            raise OSError("disk full")
        return real(body, path)

    monkeypatch.setattr(http, "write_bytes_atomic", failing)
    with pytest.raises(OSError, match="disk full"):
        save_snapshot(CSV, "https://publisher.example/a.csv", tmp_path, "a.csv")
    assert saved(tmp_path) == []


def test_orphans_of_a_killed_write_are_swept(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "cpes"
    raw.mkdir(parents=True)
    kept = save_snapshot(CSV, "https://publisher.example/a.csv", raw, "a.csv").path
    lone_file = raw / "20260101T000000Z_b.csv"
    lone_file.write_bytes(CSV)
    lone_sidecar = raw / ("20260101T000000Z_c.csv" + SIDECAR_SUFFIX)
    lone_sidecar.write_text("{}")
    receipt = raw / "20260101T000000Z_hes_extract_receipt.json"
    receipt.write_text("{}")
    assert sorted(sweep_orphans(tmp_path / "raw")) == sorted([lone_file, lone_sidecar])
    assert kept.exists() and receipt.exists()
