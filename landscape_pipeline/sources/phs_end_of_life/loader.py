"""Live loader: the PHS end-of-life open-data files, found in the CKAN dataset at run time.

Dataset ``palliative-and-end-of-life-care`` (id a739339b-812f-471b-9630-0b731070e98a) on
https://www.opendata.nhs.scot. Each release replaces its CSVs (file names carry the publication
date), so the resources are found at run time with ``package_show`` by what their name or URL says
(``council-area``, ``hscp``, ``health-board``), then downloaded as published. Resource ids seen for
the October 2021 release (not relied on): health board 3b68cad8-a4ba-4aeb-908a-f731e5380aea, HSCP
48467a13-3db2-4eaa-bfba-87b36e9c6668.
"""

from __future__ import annotations

from pathlib import Path

from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher

from .reader import read_eol_file

CKAN_BASE = "https://www.opendata.nhs.scot"
PACKAGE_SHOW = f"{CKAN_BASE}/api/3/action/package_show"
DATASET = "palliative-and-end-of-life-care"
#: What each wanted resource's name or URL contains.
WANTED = {"council_area": "council-area", "hscp": "hscp", "health_board": "health-board"}


def find_resources(fetcher: HttpFetcher, dataset: str = DATASET) -> dict[str, dict]:
    """Return {level: CKAN resource} for the council-area, HSCP and board files of the current release."""
    payload = fetcher.get_json(PACKAGE_SHOW, params={"id": dataset})
    if not isinstance(payload, dict) or not payload.get("success"):
        raise FetchError(f"{PACKAGE_SHOW}?id={dataset} did not answer with the dataset; PHS may have renamed it.")
    resources = payload["result"].get("resources", [])
    found = {}
    for level, marker in WANTED.items():
        hits = [r for r in resources if marker in f"{r.get('name', '')} {r.get('url', '')}".lower().replace(" ", "-")
                and str(r.get("url", "")).lower().endswith(".csv")]
        if not hits:
            raise FetchError(f"The PHS dataset '{dataset}' has no {marker} CSV resource; see {CKAN_BASE}/dataset/"
                             f"{dataset}.")
        found[level] = max(hits, key=lambda r: str(r.get("last_modified") or r.get("created") or ""))
    return found


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Download the three files of the current release into ``dest_dir``; return their paths."""
    saved = []
    for level, resource in find_resources(fetcher).items():
        url = resource["url"]
        fetched = fetcher.download(url, dest_dir, url.rsplit("/", 1)[-1], min_bytes=50)
        try:
            table = read_eol_file(fetched.path)
        except SourceDataError as exc:
            table, problem = None, str(exc)
        else:
            problem = "" if table is not None and table.level == level else "it holds another breakdown"
        if problem:
            fetched.path.unlink(missing_ok=True)
            fetched.path.with_name(fetched.path.name + ".meta.json").unlink(missing_ok=True)
            raise FetchError(f"{url} is not the PHS end-of-life {level.replace('_', ' ')} file: {problem}")
        saved.append(fetched.path)
    return saved
