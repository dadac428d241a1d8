"""Live inputs for SIMD 2020v2: PHS's open-data file by URL, the Scottish Government ranks file if named.

* PHS open data, dataset ``scottish-index-of-multiple-deprivation`` (id 78d41fa9-1a62-4f7b-9edb-3e8522a93378),
  resource ``acade396-8430-4b34-895a-b3e757fa346e``: the 16-column data-zone file, downloaded as published.
* The Scottish Government's SIMD 2020v2 ranks workbook or indicator CSV (populations and domain ranks) has
  no stable download address (its binary links change with each page edit): download it from
  :data:`GOV_SCOT_COLLECTION` and name it in ``$LANDSCAPE_SIMD_RANKS`` (a local path, or an https URL that is
  fetched). Without it, only the data-zone shares of the overall index are produced.
"""

from __future__ import annotations

import os
from pathlib import Path

from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher, save_snapshot

from .reader import read_zone_file

PHS_SIMD_URL = ("https://www.opendata.nhs.scot/dataset/78d41fa9-1a62-4f7b-9edb-3e8522a93378/resource/"
                "acade396-8430-4b34-895a-b3e757fa346e/download/simd2020v2_22062020.csv")
GOV_SCOT_COLLECTION = "https://www.gov.scot/collections/scottish-index-of-multiple-deprivation-2020/"
RANKS_ENV = "LANDSCAPE_SIMD_RANKS"


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Fetch the PHS SIMD file (and the ranks file named in ``$LANDSCAPE_SIMD_RANKS``); return their paths."""
    fetched = fetcher.download(PHS_SIMD_URL, dest_dir, "simd2020v2_opendata.csv", min_bytes=1_000)
    saved = [_checked(fetched.path, PHS_SIMD_URL, "phs")]
    ranks = os.environ.get(RANKS_ENV, "").strip()
    if ranks.lower().startswith(("https://", "http://")):
        got = fetcher.download(ranks, dest_dir, ranks.rsplit("/", 1)[-1] or "simd2020v2_ranks", min_bytes=1_000)
        saved.append(_checked(got.path, ranks, "govscot"))
    elif ranks:
        path = Path(ranks).expanduser()
        if not path.is_file():
            raise FetchError(f"{RANKS_ENV} names {path}, which is not a readable file.")
        got = save_snapshot(path.read_bytes(), f"{GOV_SCOT_COLLECTION}#{path.name}", dest_dir, path.name)
        saved.append(_checked(got.path, str(path), "govscot"))
    return saved


def _checked(path: Path, origin: str, kind: str) -> Path:
    """Return ``path`` if it is a SIMD 2020v2 file of the expected kind; otherwise delete it and raise."""
    try:
        found = read_zone_file(path).kind
    except SourceDataError as exc:
        found, detail = None, str(exc)
    else:
        detail = f"it is a {found} file"
    if found != kind:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".meta.json").unlink(missing_ok=True)
        raise FetchError(f"{origin} is not the expected SIMD 2020v2 file ({detail}).")
    return path


__all__ = ["GOV_SCOT_COLLECTION", "PHS_SIMD_URL", "RANKS_ENV", "fetch_live"]
