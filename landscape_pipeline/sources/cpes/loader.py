"""Live loader: CPES data tables (CSV) linked from the survey's results pages.

CPES results are published by Picker for NHS England at https://www.ncpes.co.uk/ (reports and data
tables) and https://nhssurveys.co.uk/cpes (dashboard). The loader reads :data:`DATA_PAGE`, follows
every link to a CSV whose name mentions CPES/NCPES and "data table(s)", and saves each with a sha256
sidecar. Set ``LANDSCAPE_CPES_URLS`` to a comma-separated list of CSV URLs to bypass the page (for
example when a year is only offered as xlsx: save its scored-results sheet as CSV elsewhere and point
at it). The page address and link pattern must be checked against the site each year.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher

HOMEPAGE = "https://www.ncpes.co.uk/"
DATA_PAGE = "https://www.ncpes.co.uk/data-tables/"
URLS_ENV = "LANDSCAPE_CPES_URLS"
_LINK = re.compile(r"""href=["']([^"']+\.csv)(?:\?[^"']*)?["']""", re.I)
_DATA_TABLE = re.compile(r"n?cpes.*data[-_ ]?tables?", re.I)


def find_data_tables(html: str, base_url: str = DATA_PAGE) -> list[str]:
    """Return the absolute URLs of CPES data-table CSVs linked from a page, in page order, once each."""
    found: list[str] = []
    for href in _LINK.findall(html):
        name = unquote(href.rsplit("/", 1)[-1])
        url = urljoin(base_url, href)
        if _DATA_TABLE.search(name) and url not in found:
            found.append(url)
    return found


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download every CPES data-table CSV into ``dest_dir``; return the saved paths."""
    override = [u.strip() for u in os.environ.get(URLS_ENV, "").split(",") if u.strip()]
    if override:
        urls = override
    else:
        page = fetcher.get(DATA_PAGE)
        urls = find_data_tables(page.text, page.url or DATA_PAGE)
    if not urls:
        raise FetchError(f"{DATA_PAGE} links no CPES data-table CSV; set {URLS_ENV} to the CSV URL(s) of the "
                         "survey years you need.")
    saved = []
    for url in urls:
        name = unquote(url.rsplit("/", 1)[-1])
        saved.append(fetcher.download(url, dest_dir, name, min_bytes=200,
                                      check=content.csv_with_columns("Question Number")).path)
    return saved
