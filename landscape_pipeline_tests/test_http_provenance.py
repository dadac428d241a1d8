"""Live-loader plumbing: retries, timeouts, sha256 snapshots and provenance sidecars (no network)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests
import responses

from landscape_pipeline import provenance
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher

URL = "https://publisher.example/data.csv"


@responses.activate
def test_download_saves_snapshot_with_sha256_sidecar(tmp_path: Path) -> None:
    body = b"a,b\n1,2\n"
    responses.get(URL, body=body)
    fetched = HttpFetcher(retries=0).download(URL, tmp_path, "data.csv")
    assert fetched.path.read_bytes() == body
    assert fetched.sha256 == hashlib.sha256(body).hexdigest()
    described = provenance.describe_file(fetched.path)
    assert described.url == URL and described.sha256 == fetched.sha256 and described.synthetic is False
    sidecar = json.loads(fetched.path.with_name(fetched.path.name + ".meta.json").read_text())
    assert sidecar["bytes"] == len(body)


@responses.activate
def test_retries_server_errors_then_succeeds(tmp_path: Path) -> None:
    responses.get(URL, status=503)
    responses.get(URL, status=502)
    responses.get(URL, body=b"ok")
    fetched = HttpFetcher(retries=3, backoff_seconds=0).download(URL, tmp_path, "x.csv")
    assert fetched.path.read_bytes() == b"ok"
    assert len(responses.calls) == 3


@responses.activate
def test_gives_up_with_a_sentence_after_retries(tmp_path: Path) -> None:
    responses.get(URL, status=500)
    with pytest.raises(FetchError, match="answered HTTP 500 after 2 attempt"):
        HttpFetcher(retries=1, backoff_seconds=0).download(URL, tmp_path, "x.csv")
    assert not list(tmp_path.glob("*.csv"))


@responses.activate
def test_checksum_mismatch_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    responses.get(URL, body=b"changed")
    with pytest.raises(FetchError, match="does not match"):
        HttpFetcher(retries=0).download(URL, tmp_path, "x.csv", expected_sha256="0" * 64)
    assert not list(tmp_path.glob("*x.csv"))


@responses.activate
def test_timeout_becomes_fetch_error(tmp_path: Path) -> None:
    responses.get(URL, body=requests.exceptions.ConnectTimeout("slow"))
    with pytest.raises(FetchError, match="Could not fetch"):
        HttpFetcher(retries=0, timeout_seconds=0.1).get(URL)


def test_bundled_manifest_marks_files_synthetic(tmp_path: Path) -> None:
    (tmp_path / "provenance.json").write_text(json.dumps({
        "synthetic": True, "bundled_on": "2026-11-25", "publisher_url": "https://publisher.example",
        "files": {"a.csv": {"imitates_url": "https://publisher.example/a"}}}))
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "b.csv").write_text("x\n2\n")
    a, b = provenance.describe_file(tmp_path / "a.csv"), provenance.describe_file(tmp_path / "b.csv")
    assert a.synthetic and b.synthetic
    assert a.url == "https://publisher.example/a" and b.url == "https://publisher.example"
    assert a.retrieved_at.year == 2026


def test_file_without_manifest_is_not_synthetic(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("x\n1\n")
    assert provenance.describe_file(tmp_path / "real.csv").synthetic is False
