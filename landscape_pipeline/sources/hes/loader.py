"""HES inputs: a DARS extract held on a secure path, or NHS England's Artificial HES sample download.

HES is not downloadable: local teams receive an extract under a data-sharing agreement (DARS).
:func:`fetch_live` therefore does not copy it. Record-level rows must never be written under the
data root, and the raw folder is under the data root, so the extract is read in place from the
secure path named by ``$LANDSCAPE_HES_EXTRACT``; the raw folder only receives a small JSON
receipt (path, size, sha256, time) so each build says exactly which extract it used.

:func:`fetch_artificial_sample` downloads NHS England's Artificial HES APC sample zip (artificial,
not patient data) through :class:`~landscape_pipeline.http.HttpFetcher`, for trying the pipeline on
the real published layout. Save it outside the data root as well (it has the shape of patient data).
"""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.storage import write_bytes_atomic

EXTRACT_ENV = "LANDSCAPE_HES_EXTRACT"
DARS_URL = "https://digital.nhs.uk/services/data-access-request-service-dars"
ARTIFICIAL_DATA_URL = "https://digital.nhs.uk/services/artificial-data"
#: Artificial HES APC sample (the files.digital.nhs.uk bucket; "+" is a space in the object key).
ARTIFICIAL_HES_APC_SAMPLE_URL = ("https://files.digital.nhs.uk/assets/Services/Artificial+data/Artificial+HES+final/"
                                 "artificial_hes_apc_202302_v1_sample.zip")
RECEIPT_SUFFIX = "_hes_extract_receipt.json"


def configured_extract() -> Path:
    """Return the secure extract path from ``$LANDSCAPE_HES_EXTRACT``, or raise FetchError saying what to do."""
    value = os.environ.get(EXTRACT_ENV, "").strip()
    if not value:
        raise FetchError(f"HES cannot be downloaded: it is released under a data-sharing agreement ({DARS_URL}). "
                         f"Set {EXTRACT_ENV} to the path of your HES APC extract (.csv, .csv.gz or .zip) or of a "
                         "tabulation, or build from the bundled artificial sample instead.")
    path = Path(value).expanduser()
    if not path.is_file():
        raise FetchError(f"{EXTRACT_ENV} points to {path}, which is not a readable file.")
    return path


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Return the configured extract (read in place) after writing its receipt into ``dest_dir``.

    ``fetcher`` is unused: nothing is downloaded. The receipt records path, size and sha256.
    """
    del fetcher
    path = configured_extract()
    now = datetime.now(UTC)
    receipt = {"path": str(path.resolve()), "bytes": path.stat().st_size, "sha256": sha256_of(path),
               "retrieved_at": now.isoformat(), "synthetic": False,
               "note": "Record-level HES is read in place from the secure path and never copied under the data root."}
    write_bytes_atomic(json.dumps(receipt, indent=2).encode(), dest_dir / f"{now:%Y%m%dT%H%M%SZ}{RECEIPT_SUFFIX}")
    return [path]


def fetch_artificial_sample(fetcher: HttpFetcher, dest_dir: Path, url: str = ARTIFICIAL_HES_APC_SAMPLE_URL) -> Path:
    """Download the Artificial HES APC sample zip into ``dest_dir`` (with sidecar) and return its path."""
    fetched = fetcher.download(url, dest_dir, url.rsplit("/", 1)[-1], min_bytes=1_000, check=_zip_check(url))
    if not zipfile.is_zipfile(fetched.path):
        fetched.path.unlink(missing_ok=True)
        raise FetchError(f"{url} did not return a zip; find the current Artificial HES link on {ARTIFICIAL_DATA_URL}.")
    return fetched.path


def _zip_check(url: str) -> content.ContentCheck:
    """Refuse a download that is not the sample zip, before it is kept."""
    def check(body: bytes, _url: str) -> None:
        if not body.startswith(b"PK"):
            raise FetchError(f"{url} did not return a zip; find the current Artificial HES link on "
                             f"{ARTIFICIAL_DATA_URL}.")
        content.zip_with_member(r"\.(csv|txt)$")(body, url)
    return check
