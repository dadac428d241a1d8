"""Live loader for the PHS open data platform (CKAN, https://www.opendata.nhs.scot).

Each resource is read through ``datastore_search`` by its resource id (file names change with
every release; ids do not), page by page with ``limit``/``offset`` until the ``total`` the API
reports has been read, and written as CSV in the column order of ``result.fields`` (without
CKAN's ``_id``) with missing values as ``NA``, like the published download. The snapshot and its
sha256 sidecar are saved with :func:`landscape_pipeline.http.save_snapshot`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import FetchedFile, HttpFetcher, save_snapshot

CKAN_BASE = "https://www.opendata.nhs.scot"
DATASTORE_SEARCH = f"{CKAN_BASE}/api/3/action/datastore_search"
PAGE_SIZE = 10_000


@dataclass(frozen=True)
class Resource:
    """One PHS CKAN resource: our key, its stable id, its dataset and what it holds."""

    key: str
    resource_id: str
    dataset: str
    title: str

    @property
    def page_url(self) -> str:
        """Return the resource's page on the PHS open data platform."""
        return f"{CKAN_BASE}/dataset/{self.dataset}/resource/{self.resource_id}"

    @property
    def api_url(self) -> str:
        """Return the datastore_search URL that identifies the resource (stored as the snapshot URL)."""
        return f"{DATASTORE_SEARCH}?resource_id={self.resource_id}"


#: The PHS resources this source reads (one table of ids; see data_sources.md section 5).
RESOURCES: tuple[Resource, ...] = (
    Resource("mortality_ca", "eebc8f38-7297-4bdc-a417-69ce3e2e6d44", "cancer-mortality",
             "Cancer mortality by council area"),
    Resource("mortality_scotland", "ba8d7049-ec05-4291-9333-57ca49ce7697", "cancer-mortality",
             "Cancer mortality in Scotland"),
    Resource("incidence_hb", "3aef16b7-8af6-4ce0-a90b-8a29d6870014", "annual-cancer-incidence",
             "Cancer incidence by health board"),
    Resource("incidence_hb_5_year", "e8d33b2b-1fb2-4d59-ad21-20fa2f76d9d5", "annual-cancer-incidence",
             "Cancer incidence 5-year summary by health board"),
    Resource("incidence_scotland", "72c852b8-ee28-4fd8-84a9-5f415f4bc325", "annual-cancer-incidence",
             "Cancer incidence in Scotland"),
)


def fetch_live(fetcher: HttpFetcher, dest_dir: Path, resources: Iterable[Resource] = RESOURCES) -> list[Path]:
    """Fetch every PHS resource into ``dest_dir`` as CSV snapshots; return their paths."""
    return [fetch_resource(fetcher, resource, dest_dir).path for resource in resources]


def fetch_resource(fetcher: HttpFetcher, resource: Resource, dest_dir: Path,
                   page_size: int = PAGE_SIZE) -> FetchedFile:
    """Read all records of one resource via datastore_search and save them as a CSV snapshot."""
    first = _page(fetcher, resource, offset=0, limit=page_size)
    fields = [f["id"] for f in first.get("fields", []) if f.get("id") != "_id"]
    total = first.get("total")
    if not fields or not isinstance(total, int):
        raise FetchError(f"PHS resource '{resource.title}' ({resource.resource_id}) answered without "
                         "fields or total; the datastore may be unavailable for it.")
    records = list(first.get("records", []))
    while len(records) < total:
        page = _page(fetcher, resource, offset=len(records), limit=page_size).get("records", [])
        if not page:
            raise FetchError(f"PHS resource '{resource.title}' ({resource.resource_id}) stopped after "
                             f"{len(records)} of {total} records; try again later.")
        records += page
    body = records_to_csv(fields, records[:total])
    return save_snapshot(body, resource.api_url, dest_dir, f"phs_{resource.key}.csv", min_bytes=len(fields),
                         check=content.csv_with_columns(*fields[:3]))


def records_to_csv(fields: list[str], records: list[dict]) -> bytes:
    """Return datastore records as CSV bytes in the published layout (``NA`` for missing values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([_cell(record.get(field)) for field in fields] for record in records)
    return buffer.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return "NA"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _page(fetcher: HttpFetcher, resource: Resource, *, offset: int, limit: int) -> dict:
    """Return the ``result`` of one datastore_search page; raise FetchError naming the resource."""
    params = {"resource_id": resource.resource_id, "limit": limit, "offset": offset, "sort": "_id"}
    where = f"PHS resource '{resource.title}' ({resource.resource_id})"
    try:
        response = fetcher.request(DATASTORE_SEARCH, params)
    except FetchError as exc:
        raise FetchError(f"{where}: could not reach {DATASTORE_SEARCH}: {exc}", transient=exc.transient) from exc
    try:
        payload = response.json()
    except ValueError:
        raise FetchError(f"{where}: {response.url} answered HTTP {response.status_code} without JSON.") from None
    if not isinstance(payload, dict) or not payload.get("success"):
        error = payload.get("error") if isinstance(payload, dict) else payload
        detail = (error.get("message") or error.get("__type")) if isinstance(error, dict) else error
        raise FetchError(f"{where}: the PHS open data API refused the request (HTTP {response.status_code}): "
                         f"{detail or 'no reason given'}. Check the id in phs/loader.py RESOURCES against "
                         f"{resource.page_url}.")
    if response.status_code >= 400:
        raise FetchError(f"{where}: {response.url} answered HTTP {response.status_code}.")
    return payload["result"]
