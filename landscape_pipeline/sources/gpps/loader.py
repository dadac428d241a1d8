"""Live loader: GPPS practice CSVs, plus the GP registrations and LSOA lookup that weight them.

Ipsos publishes each survey's practice results on https://www.gp-patient.co.uk/surveysandreports as
"Practice data (.csv)" (``GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv``, sometimes zipped). The
loader reads that page and downloads every linked practice CSV (or zip, unpacked) whose name carries a
survey year, then fetches the registrations extract and the ONS LSOA -> LA lookup with the
``qof_prevalence`` loader's own functions (one registrations machinery). ``LANDSCAPE_GPPS_URLS``
(comma-separated) bypasses the page.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin

from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.qof_prevalence.loader import fetch_lsoa_lookup, fetch_registrations

HOMEPAGE = "https://www.gp-patient.co.uk/surveysandreports"
URLS_ENV = "LANDSCAPE_GPPS_URLS"
_LINK = re.compile(r"""href=["']([^"']+\.(?:csv|zip))(?:\?[^"']*)?["']""", re.I)
_PRACTICE_FILE = re.compile(r"gpps.*20\d{2}.*practice|practice.*20\d{2}.*gpps", re.I)


def find_practice_links(html: str, base_url: str = HOMEPAGE) -> list[str]:
    """Return absolute URLs of GPPS practice-level CSV/zip files linked from a page, once each."""
    found: list[str] = []
    for href in _LINK.findall(html):
        url = urljoin(base_url, href)
        if _PRACTICE_FILE.search(unquote(href.rsplit("/", 1)[-1])) and url not in found:
            found.append(url)
    return found


def _unzipped(path: Path) -> Path:
    if path.suffix.lower() != ".zip":
        return path
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise FetchError(f"{path.name} holds {len(members)} CSV files; expected the one practice file.")
        target = path.with_name(Path(members[0]).name)
        target.write_bytes(archive.read(members[0]))
    return target


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download the practice files, the registrations extract and the LSOA lookup; return their paths."""
    urls = [u.strip() for u in os.environ.get(URLS_ENV, "").split(",") if u.strip()]
    if not urls:
        page = fetcher.get(HOMEPAGE)
        urls = find_practice_links(page.text, page.url or HOMEPAGE)
    if not urls:
        raise FetchError(f"{HOMEPAGE} links no GPPS practice file; set {URLS_ENV} to the practice CSV URL(s).")
    saved = [_unzipped(fetcher.download(u, dest_dir, unquote(u.rsplit("/", 1)[-1]), min_bytes=1_000).path)
             for u in urls]
    return [*saved, fetch_registrations(fetcher, dest_dir), fetch_lsoa_lookup(fetcher, dest_dir)]
