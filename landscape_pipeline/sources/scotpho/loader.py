"""ScotPHO "live" inputs: the extracts an analyst downloads from the ScotPHO online profiles.

ScotPHO has no API: its data leave through the profiles tool's "Download data" buttons
(https://scotland.shinyapps.io/ScotPHO_profiles_tool/). :func:`fetch_live` therefore takes the
downloaded files named by ``$LANDSCAPE_SCOTPHO_EXTRACTS`` (paths separated by the OS path
separator), checks each is a ScotPHO extract this source can read (its header), and keeps a raw
snapshot of each under the data root with a sidecar (sha256, time, where it came from), so a build
records exactly which download it used. The data are public, so copying them is allowed.
"""

from __future__ import annotations

import os
from pathlib import Path

from landscape_pipeline import tabular
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher, save_snapshot

from .parser import COLUMNS, MISSING_TOKENS, REQUIRED

EXTRACTS_ENV = "LANDSCAPE_SCOTPHO_EXTRACTS"
PROFILES_URL = "https://scotland.shinyapps.io/ScotPHO_profiles_tool/"


def configured_extracts() -> list[Path]:
    """Return the extract paths named by ``$LANDSCAPE_SCOTPHO_EXTRACTS``, or raise FetchError saying what to do."""
    value = os.environ.get(EXTRACTS_ENV, "").strip()
    if not value:
        raise FetchError(f"ScotPHO has no download API. Download the data from {PROFILES_URL} ('Download data', "
                         f"CSV) and set {EXTRACTS_ENV} to the file(s), separated by '{os.pathsep}'.")
    paths = [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FetchError(f"{EXTRACTS_ENV} names {', '.join(missing)}, which is not a readable file.")
    return paths


def fetch_live(fetcher: HttpFetcher, dest_dir: Path) -> list[Path]:
    """Snapshot each configured extract into ``dest_dir`` (with sidecar) and return the snapshots.

    ``fetcher`` is unused: nothing is downloaded. A file whose header is not a ScotPHO layout is refused.
    """
    del fetcher
    saved = []
    for path in configured_extracts():
        check_extract(path)
        fetched = save_snapshot(path.read_bytes(), f"{PROFILES_URL}#{path.name}", dest_dir, path.name, min_bytes=20)
        saved.append(fetched.path)
    return saved


def check_extract(path: Path) -> None:
    """Raise FetchError unless ``path`` has the header of a ScotPHO extract this source reads."""
    try:
        table = tabular.read_table(path, missing=MISSING_TOKENS)
        tabular.find_columns(table, COLUMNS, optional=set(COLUMNS) - set(REQUIRED), what="ScotPHO extract")
    except SourceDataError as exc:
        raise FetchError(f"{path} is not a ScotPHO extract this source reads: {exc}") from None
