"""Live loader: the latest monthly "care directory with ratings" from CQC's "Using CQC data" page.

CQC publishes the file monthly on https://www.cqc.org.uk/about-us/transparency/using-cqc-data as
``DD_Month_YYYY_HSCA_Active_Locations.ods`` (under ``/sites/default/files/YYYY-MM/``). The loader reads
the page, downloads the newest linked snapshot into the raw folder under its own name (which carries
the date) and returns every snapshot kept there, so months accumulate and change can be seen. Placing
real locations needs a real ONS postcode lookup (ONSPD or NSPL, hundreds of MB): download it once and
set ``LANDSCAPE_POSTCODE_LOOKUP`` to it. ``LANDSCAPE_CQC_URL`` bypasses the page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher

HOMEPAGE = "https://www.cqc.org.uk/about-us/transparency/using-cqc-data"
URL_ENV = "LANDSCAPE_CQC_URL"
_LINK = re.compile(r"""href=["']([^"']+\.(?:ods|xlsx))(?:\?[^"']*)?["']""", re.I)
_SNAPSHOT = re.compile(r"hsca[\s_-]*active[\s_-]*locations", re.I)


def find_snapshot_links(html: str, base_url: str = HOMEPAGE) -> list[str]:
    """Return absolute URLs of HSCA Active Locations workbooks linked from a page, in page order."""
    found: list[str] = []
    for href in _LINK.findall(html):
        url = urljoin(base_url, href)
        if _SNAPSHOT.search(unquote(href.rsplit("/", 1)[-1])) and url not in found:
            found.append(url)
    return found


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download the newest snapshot into ``dest_dir``; return every snapshot kept there, oldest first."""
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        page = fetcher.get(HOMEPAGE)
        links = find_snapshot_links(page.text, page.url or HOMEPAGE)
        if not links:
            raise FetchError(f"{HOMEPAGE} links no 'HSCA Active Locations' workbook; set {URL_ENV} to its URL.")
        url = links[0]
    fetcher.download(url, dest_dir, unquote(url.rsplit("/", 1)[-1]), min_bytes=10_000)
    kept = [p for p in dest_dir.iterdir() if p.is_file() and _SNAPSHOT.search(p.name)
            and p.suffix.lower() in (".ods", ".xlsx")]
    return sorted(kept)
