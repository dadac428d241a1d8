"""Content checks a live download must pass before it is kept (an HTTP 200 is not proof of data).

:func:`check_by_name` runs on every download, chosen by the file name it will be saved under:
an empty body, an HTML page saved as data, a zip or gzip that does not open, a CSV that is not
text or has no header line, or JSON that does not parse, is refused. Loaders add their own
checks (:func:`csv_with_columns`, :func:`zip_with_member`) through the ``check`` argument of
:meth:`~landscape_pipeline.http.HttpFetcher.download`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable

from landscape_pipeline.errors import FetchError

#: ``check(body, url)`` raises :class:`FetchError` when ``body`` is not what the loader asked for.
ContentCheck = Callable[[bytes, str], None]

ZIP_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".ods")
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")


def looks_like_html(body: bytes) -> bool:
    """Return True when ``body`` starts like an HTML (or XML error) page."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_START) or (head.startswith(b"<") and b"<html" in head)


def _refuse(url: str, why: str) -> FetchError:
    return FetchError(f"{url} {why}; nothing was kept.", transient=False)


def not_a_page(body: bytes, url: str) -> None:
    """Refuse an empty body or an HTML page (an error or sign-in page served with status 200)."""
    if not body:
        raise _refuse(url, "returned an empty body")
    if looks_like_html(body):
        raise _refuse(url, "returned a web page (HTML), not the data file: an error or sign-in page")


def check_by_name(body: bytes, url: str, filename: str) -> None:
    """Refuse ``body`` unless it is plausibly the kind of file ``filename`` names."""
    name = filename.lower()
    if name.endswith((".html", ".htm")):
        if not body:
            raise _refuse(url, "returned an empty body")
        return
    not_a_page(body, url)
    if name.endswith(ZIP_SUFFIXES):
        _check_zip(body, url)
    elif name.endswith(".gz"):
        try:
            gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            raise _refuse(url, f"returned a gzip file that does not open ({exc})") from None
    elif name.endswith((".csv", ".txt")):
        _csv_header(body, url)
    elif name.endswith(".json"):
        try:
            json.loads(body)
        except ValueError as exc:
            raise _refuse(url, f"returned JSON that does not parse ({exc})") from None


def _check_zip(body: bytes, url: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _refuse(url, f"returned a zip archive that does not open ({exc})") from None
    if broken is not None:
        raise _refuse(url, f"returned a zip archive whose member {broken} is corrupt")
    return archive


def _text(body: bytes, url: str) -> str:
    if b"\x00" in body[:4096]:
        raise _refuse(url, "returned binary data, not CSV text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(url, "returned text in an unknown encoding")  # pragma: no cover - cp1252 decodes nearly all


def _csv_header(body: bytes, url: str) -> list[str]:
    text = _text(body, url)
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = next(csv.reader([first]), [])
    if not header:
        raise _refuse(url, "returned blank text, without a CSV header line")
    return [h.strip() for h in header]


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def csv_with_columns(*columns: str) -> ContentCheck:
    """Return a check that the body is a CSV whose header has ``columns`` (case and punctuation ignored)."""
    def check(body: bytes, url: str) -> None:
        not_a_page(body, url)
        header = {_normal(h) for h in _csv_header(body, url)}
        missing = [c for c in columns if _normal(c) not in header]
        if missing:
            raise _refuse(url, f"returned a CSV without the column(s) {', '.join(missing)}")
    return check


def zip_with_member(pattern: str = r"\.csv$") -> ContentCheck:
    """Return a check that the body is a readable zip holding a member whose name matches ``pattern``."""
    def check(body: bytes, url: str) -> None:
        not_a_page(body, url)
        names = _check_zip(body, url).namelist()
        if not any(re.search(pattern, n, re.I) for n in names):
            raise _refuse(url, f"returned a zip without a member matching {pattern!r} ({', '.join(names[:5])})")
    return check


def csv_or_zip_with_columns(*columns: str) -> ContentCheck:
    """Return a check for a CSV, or a zip holding one, with ``columns`` in its header."""
    plain = csv_with_columns(*columns)

    def check(body: bytes, url: str) -> None:
        not_a_page(body, url)
        if body[:4] != b"PK\x03\x04":
            plain(body, url)
            return
        archive = _check_zip(body, url)
        members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if not members:
            raise _refuse(url, "returned a zip without a CSV")
        plain(archive.read(members[0])[:65536], url)
    return check
