"""Live loader: download the ONS mid-year estimates detailed time series (MYEB1 tables, zipped CSV).

ONS publishes the UK detailed time series as a zip of CSVs (MYEB1 = population by district, sex and
single year of age); the reader takes the MYEB1 member. Each year's estimates are also published as an
Excel workbook whose "MYE2 - Males" and "MYE2 - Females" sheets the reader reads directly (python-calamine).
Point ``LANDSCAPE_ONS_POPULATION_URL`` at such a workbook, a newer zip or CSV in the MYEB1 layout, or a
MYE2 sheet saved as CSV, to use another vintage.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher

DATASET_URL = ("https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/"
               "datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland")
#: The UK detailed time series zip (mid-2001 to mid-2020, 2021 local authority codes).
MYEB_ZIP_URL = ("https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
                "populationestimates/datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland/"
                "mid2001tomid2020detailedtimeseries/ukdetailedtimeseries2001to2020.zip")
URL_ENV = "LANDSCAPE_ONS_POPULATION_URL"
MIN_BYTES = 1_000


def download_name(url: str) -> str:
    """Return the file name a URL points at (the last part of ONS's ``file?uri=`` path)."""
    parsed = urlparse(url)
    path = parse_qs(parsed.query).get("uri", [parsed.path])[0]
    return path.rstrip("/").rsplit("/", 1)[-1] or "ons_population.csv"


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download the configured ONS file into ``dest_dir`` (with a sha256 sidecar) and return its path."""
    url = os.environ.get(URL_ENV, MYEB_ZIP_URL)
    name = download_name(url)
    fetched = fetcher.download(url, dest_dir, name, min_bytes=MIN_BYTES, check=_check(url, name))
    if name.lower().endswith(".zip") and not zipfile.is_zipfile(fetched.path):
        fetched.path.unlink(missing_ok=True)
        raise FetchError(f"{url} did not return a zip file (ONS may have moved it); set {URL_ENV} to the current "
                         f"MYEB1 download listed on {DATASET_URL}.")
    return [fetched.path]


def _check(url: str, name: str) -> content.ContentCheck:
    """Refuse, before it is kept, a body that is not the zip (or CSV) the URL names."""
    def check(body: bytes, _url: str) -> None:
        if name.lower().endswith(".zip") and not body.startswith(b"PK"):
            raise FetchError(f"{url} did not return a zip file (ONS may have moved it); set {URL_ENV} to the current "
                             f"MYEB1 download listed on {DATASET_URL}.")
        content.csv_or_zip_with_columns("sex", "age")(body, url)
    return check
