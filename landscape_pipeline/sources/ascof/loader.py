"""Live loader: the ASCOF CSV of each year from its publication page.

From 2024-25 ASCOF is published on gov.uk ("Measures from the adult social care outcomes framework,
England: 2024 to 2025", with "a CSV file and guidance on how to use the CSV file"); earlier years were
published by NHS Digital / NHS England on digital.nhs.uk ("Adult Social Care Outcomes Framework
(ASCOF), England 2022-23"). The loader reads each page in :data:`PAGES`, follows the links to CSV
files whose names look like ASCOF data, and saves each under a name that carries the financial year
(the parser takes the year from the name). Set ``LANDSCAPE_ASCOF_PAGES`` to a comma-separated list of
``YEAR=URL`` pairs (e.g. ``2025-26=https://www.gov.uk/...``) to add or replace pages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.ascof.reader import year_from_text

HOMEPAGE = "https://www.gov.uk/government/statistics/measures-from-the-adult-social-care-outcomes-framework-england-2024-to-2025"
#: Financial year -> publication page.
PAGES: dict[str, str] = {
    "2022-23": "https://digital.nhs.uk/data-and-information/publications/statistical/"
               "adult-social-care-outcomes-framework-ascof/england-2022-23",
    "2023-24": "https://digital.nhs.uk/data-and-information/publications/statistical/"
               "adult-social-care-outcomes-framework-ascof/england-2023-24",
    "2024-25": HOMEPAGE,
}
PAGES_ENV = "LANDSCAPE_ASCOF_PAGES"
_LINK = re.compile(r"""href=["']([^"']+\.csv)(?:\?[^"']*)?["']""", re.I)
_ASCOF_NAME = re.compile(r"ascof|meas[-_ ]?from|adult[-_ ]social[-_ ]care[-_ ]outcomes", re.I)


def pages() -> dict[str, str]:
    """Return the publication pages to read: :data:`PAGES` updated from ``LANDSCAPE_ASCOF_PAGES``."""
    out = dict(PAGES)
    for pair in filter(None, (p.strip() for p in os.environ.get(PAGES_ENV, "").split(","))):
        year, sep, url = pair.partition("=")
        if not sep or year_from_text(year.strip()) is None:
            raise FetchError(f"{PAGES_ENV} entry {pair!r} is not YEAR=URL with a year such as 2025-26.")
        out[year.strip()] = url.strip()
    return out


def find_csv_links(html: str, base_url: str) -> list[str]:
    """Return absolute URLs of ASCOF data CSVs linked from a page, in page order, once each."""
    found: list[str] = []
    for href in _LINK.findall(html):
        url = urljoin(base_url, href)
        if _ASCOF_NAME.search(unquote(href.rsplit("/", 1)[-1])) and url not in found:
            found.append(url)
    return found


def saved_name(url: str, year: str) -> str:
    """Return the file name to save a CSV under: its own name, prefixed with the year when it has none."""
    name = unquote(url.rsplit("/", 1)[-1])
    return name if year_from_text(name) is not None else f"ascof-{year}__{name}"


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download the ASCOF CSV of every configured year into ``dest_dir``; return the saved paths."""
    saved: list[Path] = []
    for year, page_url in pages().items():
        page = fetcher.get(page_url)
        links = find_csv_links(page.text, page.url or page_url)
        if not links:
            raise FetchError(f"{page_url} links no ASCOF CSV for {year}; download it by hand into {dest_dir} "
                             f"with the year in its name, or set {PAGES_ENV}.")
        url = links[0]
        saved.append(fetcher.download(url, dest_dir, saved_name(url, year), min_bytes=500).path)
    return saved
