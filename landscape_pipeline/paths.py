"""Where the project's inputs and outputs live.

Inputs (bundled source extracts) default to ``data_sources/`` at the project root;
outputs go under the *data root*: ``$LANDSCAPE_DATA_DIR`` if set, else ``data/`` in
the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_sources_dir() -> Path:
    """Return the folder holding the bundled source extracts."""
    override = os.environ.get("LANDSCAPE_DATA_SOURCES")
    return Path(override) if override else PROJECT_ROOT / "data_sources"


def data_root() -> Path:
    """Return the output root: ``$LANDSCAPE_DATA_DIR`` or ``./data``."""
    override = os.environ.get("LANDSCAPE_DATA_DIR")
    return Path(override) if override else Path.cwd() / "data"


def staging_path(root: Path, source_id: str) -> Path:
    """Return where a validated, disclosure-controlled source table is kept."""
    return root / "staging" / f"{source_id}.parquet"


def indicators_path(root: Path) -> Path:
    """Return the path of the harmonised indicator table."""
    return root / "indicators" / "indicators.parquet"


def baseline_path(root: Path, area_code: str) -> Path:
    """Return the baseline file of one local authority, ``baselines/<CODE>/baseline.parquet``.

    The folder is named by the bare code, not ``area_code=<CODE>``: a hive key beside the
    ``area_code`` column made ``pandas.read_parquet("data/baselines")`` fail (the key is inferred
    as a dictionary, the column is a string). Without a key every reader takes the column as it is.
    """
    return root / "baselines" / area_code / "baseline.parquet"


def legacy_baseline_dir(root: Path, area_code: str) -> Path:
    """Return the hive-style folder (``area_code=<CODE>``) that builds before the layout change wrote."""
    return root / "baselines" / f"area_code={area_code}"


def catalogue_path(root: Path, suffix: str = ".parquet") -> Path:
    """Return the indicator catalogue file (``indicators/catalogue.parquet``, ``.csv`` or ``.html``)."""
    return root / "indicators" / f"catalogue{suffix}"


def raw_dir(root: Path, source_id: str) -> Path:
    """Return the folder for raw snapshots fetched by a live loader."""
    return root / "raw" / source_id
