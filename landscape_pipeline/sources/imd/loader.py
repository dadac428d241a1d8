"""Live loader: IoD2019 File 10 and File 11 from the gov.uk statistics page.

The files sit on ``assets.publishing.service.gov.uk`` under content-hash folders, so the loader
reads the statistics page and follows the links whose file names start ``File_10_`` and
``File_11_``. Both are published as .xlsx workbooks and are read as published (python-calamine).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher

STATISTICS_PAGE = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
#: File-name prefix -> what it is, in download order.
WANTED = {
    "File_10_": "local authority district summaries (lower tier)",
    "File_11_": "local authority district summaries (upper tier)",
}
_LINK = re.compile(r"""href=["']([^"']+)["']""", re.I)


def find_links(html: str, base_url: str = STATISTICS_PAGE) -> dict[str, str]:
    """Return the first download link for each wanted file prefix found in the page."""
    found: dict[str, str] = {}
    for href in _LINK.findall(html):
        name = href.rsplit("/", 1)[-1]
        for prefix in WANTED:
            if prefix in found or not name.startswith(prefix):
                continue
            found[prefix] = urljoin(base_url, href)
    return found


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download Files 10 and 11 of IoD2019 into ``dest_dir``; return the saved paths."""
    page = fetcher.get(STATISTICS_PAGE)
    links = find_links(page.text, page.url or STATISTICS_PAGE)
    missing = [f"{prefix} ({what})" for prefix, what in WANTED.items() if prefix not in links]
    if missing:
        raise FetchError(f"{STATISTICS_PAGE} no longer links {', '.join(missing)}; download them by hand into "
                         f"{dest_dir}.")
    saved = []
    for prefix in WANTED:
        url = links[prefix]
        check = content.csv_with_columns("Local Authority District code (2019)") if url.lower().endswith(".csv") \
            else content.zip_with_member(r"\.xml$")  # an .xlsx is a zip of XML parts
        saved.append(fetcher.download(url, dest_dir, url.rsplit("/", 1)[-1], min_bytes=1_000, check=check).path)
    return saved
