"""Live loader: practice-level QOF cancer prevalence, GP registrations by LSOA, and the LSOA -> LA lookup.

* Fingertips indicator 276 at GP practice level (area type 7) with sub-ICB parents (area type 66,
  "Sub-ICB, former CCGs"), all periods: ``GET https://fingertips.phe.org.uk/api/all_data/csv/
  by_indicator_id?indicator_ids=276&child_area_type_id=7&parent_area_type_id=66``.
* NHS Digital "Patients Registered at a GP Practice": the publication page lists the LSOA file
  (``gp-reg-pat-prac-lsoa-all.csv``, sometimes zipped) under https://files.digital.nhs.uk/...; the
  loader follows the first such link (set ``LANDSCAPE_GP_REG_PAGE`` to another month's page).
* ONS LSOA 2021 -> LAD lookup from the ONS Open Geography Portal (ArcGIS feature service
  :data:`LOOKUP_SERVICE`, paged 2,000 records at a time), saved as one CSV: it places extracts from
  2023 on, which use LSOA 2021 codes;
* ONS LSOA 2011 -> CCG -> LAD (April 2020) lookup, the CSV linked from its data.gov.uk record
  (:data:`LSOA11_LOOKUP_PAGE`; the same file is bundled): it places extracts before 2023.

Only the latest registration extract is fetched; QOF years further from it than the configured limit
are reported, not apportioned (set ``LANDSCAPE_GP_REG_PAGE`` to fetch another month's extract).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pandas as pd

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError
from landscape_pipeline.geography.lsoa import is_lookup_header
from landscape_pipeline.http import HttpFetcher, save_snapshot
from landscape_pipeline.sources.fingertips.parser import check_header

FINGERTIPS_URL = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
FINGERTIPS_PARAMS = {"indicator_ids": 276, "child_area_type_id": 7, "parent_area_type_id": 66}
PUBLICATION_PAGE = ("https://digital.nhs.uk/data-and-information/publications/statistical/"
                    "patients-registered-at-a-gp-practice")
PAGE_ENV = "LANDSCAPE_GP_REG_PAGE"
LOOKUP_SERVICE = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
                  "LSOA21_SICBL23_ICB23_LAD23_EN_LU/FeatureServer/0/query")
LOOKUP_FIELDS = ("LSOA21CD", "LSOA21NM", "LAD23CD", "LAD23NM")
PAGE_SIZE = 2000
LSOA11_LOOKUP_PAGE = ("https://data.gov.uk/dataset/94cf8e7a-5ade-4c47-8b6f-cae3f90b6ec9/lower-layer-super-output-area-"
                      "2011-to-clinical-commissioning-group-to-local-authority-district-april-2020-lookup-in-england")
#: A CSV download link: ``....csv``, ``?format=csv`` or an ArcGIS hub ``.../csv?layers=0``.
_CSV_LINK = re.compile(r"""href=["']([^"']+?(?:\.csv|[?&]format=csv|/csv)(?:[?#&][^"']*)?)["']""", re.I)
_LSOA_LINK = re.compile(r"""href=["'](https://files\.digital\.nhs\.uk/[^"']*gp-reg-pat-prac-lsoa[^"']*)["']""",
                        re.I)
_MONTH_LINK = re.compile(r"""href=["']([^"']*/patients-registered-at-a-gp-practice/[a-z]+-\d{4})["']""", re.I)


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download the QOF export, the latest LSOA registration file and the LSOA lookup; return their paths."""
    export = fetcher.download(FINGERTIPS_URL, dest_dir, "fingertips_276_gp_practices.csv",
                              params=FINGERTIPS_PARAMS, min_bytes=200,
                              check=content.csv_with_columns("Indicator ID", "Area Code", "Value"))
    header = pd.read_csv(export.path, nrows=0, encoding="utf-8-sig").columns.tolist()
    check_header(export.path, header)
    return [export.path, fetch_registrations(fetcher, dest_dir), fetch_lsoa_lookup(fetcher, dest_dir),
            fetch_lsoa11_lookup(fetcher, dest_dir)]


def registration_link(fetcher: HttpFetcher) -> str:
    """Return the URL of the LSOA file on the configured (or latest monthly) publication page."""
    page_url = os.environ.get(PAGE_ENV, PUBLICATION_PAGE)
    page = fetcher.get(page_url)
    found = _LSOA_LINK.search(page.text)
    if found is None and PAGE_ENV not in os.environ:
        month = _MONTH_LINK.search(page.text)  # the series page links the monthly releases, newest first
        if month:
            page = fetcher.get(urljoin(page_url, month.group(1)))
            found = _LSOA_LINK.search(page.text)
    if found is None:
        raise FetchError(f"No gp-reg-pat-prac-lsoa file is linked from {page.url}; set {PAGE_ENV} to a monthly "
                         "publication page that has one.")
    return found.group(1)


def fetch_registrations(fetcher: HttpFetcher, dest_dir: Path) -> Path:
    """Download the LSOA registration file (unzipping it if needed); return the CSV path."""
    url = registration_link(fetcher)
    fetched = fetcher.download(url, dest_dir, url.rsplit("/", 1)[-1], min_bytes=1_000,
                               check=content.csv_or_zip_with_columns("PRACTICE_CODE", "LSOA_CODE"))
    if not zipfile.is_zipfile(fetched.path):
        return fetched.path
    with zipfile.ZipFile(fetched.path) as archive:
        members = [m for m in archive.namelist() if re.search(r"lsoa-all\.csv$", m, re.I)] or \
            [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if not members:
            raise FetchError(f"{url} holds no CSV.")
        body = archive.read(members[0])
    return save_snapshot(body, url, dest_dir, Path(members[0]).name,
                         check=content.csv_with_columns("PRACTICE_CODE", "LSOA_CODE")).path


def fetch_lsoa_lookup(fetcher: HttpFetcher, dest_dir: Path) -> Path:
    """Page through the ONS LSOA 2021 -> LAD lookup and save it as one CSV; return its path."""
    records: list[dict] = []
    offset = 0
    while True:
        params = {"where": "1=1", "outFields": ",".join(LOOKUP_FIELDS), "returnGeometry": "false", "f": "json",
                  "resultOffset": offset, "resultRecordCount": PAGE_SIZE}
        page = fetcher.get_json(LOOKUP_SERVICE, params)
        if not isinstance(page, dict) or "features" not in page:
            raise FetchError(f"{LOOKUP_SERVICE} did not return ArcGIS features: {str(page)[:200]}")
        records += [f.get("attributes", {}) for f in page["features"]]
        if not page.get("exceededTransferLimit") or not page["features"]:
            break
        offset += len(page["features"])
    if not records:
        raise FetchError(f"{LOOKUP_SERVICE} returned no LSOAs.")
    table = pd.DataFrame(records, columns=list(LOOKUP_FIELDS))
    buffer = io.StringIO()
    table.to_csv(buffer, index=False)
    return save_snapshot(buffer.getvalue().encode(), LOOKUP_SERVICE, dest_dir, "lsoa21_to_lad23_lookup.csv",
                         check=content.csv_with_columns(*LOOKUP_FIELDS)).path


def fetch_lsoa11_lookup(fetcher: HttpFetcher, dest_dir: Path) -> Path:
    """Download the ONS LSOA 2011 -> CCG -> LAD (April 2020) lookup CSV linked from its data.gov.uk record."""
    page = fetcher.get(LSOA11_LOOKUP_PAGE)
    found = _CSV_LINK.search(page.text)
    if found is None:
        raise FetchError(f"{LSOA11_LOOKUP_PAGE} links no CSV; download the ONS LSOA (2011) to CCG to LAD (April "
                         f"2020) lookup by hand into {dest_dir}.")
    url = urljoin(page.url or LSOA11_LOOKUP_PAGE, found.group(1))
    saved = fetcher.download(url, dest_dir, "lsoa11_ccg20_lad20_lookup.csv", min_bytes=1_000).path
    header = pd.read_csv(saved, nrows=0, encoding="utf-8-sig").columns.tolist()
    if not is_lookup_header(header):
        saved.unlink(missing_ok=True)
        saved.with_name(saved.name + ".meta.json").unlink(missing_ok=True)
        raise FetchError(f"{url} is not an LSOA -> LAD lookup (header: {', '.join(header[:8])}).")
    return saved
