"""Postcode -> local authority, from an ONS postcode lookup (ONSPD, NSPL or the postcode-to-OA/LSOA/LAD file).

Any vintage of field names is accepted: the postcode from ``pcds``/``pcd``/``pcd7``/``pcd8``/``pcd2``
(or ``postcode``), the LA from ``ladcd``/``ladXXcd``/``laua``/``oslaua``. Postcodes are matched without
spaces and in capitals. LA codes of older vintages are moved to their current successor; a code the
geography does not know, or one now split between authorities, is an error naming the row. Terminated
postcodes (``doterm`` filled) are kept: services registered years ago may still use them.

The bundled lookup (``data_sources/geography/postcode_to_la_sample.csv``) is SYNTHETIC and covers only
the synthetic CQC locations; point ``LANDSCAPE_POSTCODE_LOOKUP`` at a real ONS file (CSV, .csv.gz or
.zip) for real data.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.local_authorities import AreaCodeError, geography_dir, resolve_area_code
from landscape_pipeline.tabular import normalise, read_table

POSTCODE_SAMPLE_FILE = "postcode_to_la_sample.csv"
LOOKUP_ENV = "LANDSCAPE_POSTCODE_LOOKUP"
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode")
_LA_COLUMN = re.compile(r"^(ladcd|lad\d{2}cd|laua|oslaua|lad)$")


def postcode_lookup_path() -> Path:
    """Return ``LANDSCAPE_POSTCODE_LOOKUP`` when set, else the bundled (synthetic) lookup."""
    override = os.environ.get(LOOKUP_ENV, "").strip()
    return Path(override) if override else geography_dir() / POSTCODE_SAMPLE_FILE


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """Return postcodes in capitals without spaces (``'cv1 2gn'`` -> ``'CV12GN'``); blanks stay missing."""
    folded = postcodes.astype("str").str.upper().str.replace(r"\s+", "", regex=True)
    return folded.where(folded.str.len() > 0)


def is_postcode_lookup_header(columns: list[str]) -> bool:
    """Return True when a header looks like an ONS postcode lookup (a postcode and an LA code column)."""
    folded = {normalise(c) for c in columns}
    return bool(folded & set(POSTCODE_COLUMNS)) and any(_LA_COLUMN.match(c) for c in folded)


def read_postcode_lookup(path: Path | str | None = None) -> pd.Series:
    """Return {postcode without spaces: current LA code} as a Series indexed by postcode."""
    path = Path(path or postcode_lookup_path())
    return _read(path.resolve(), path.stat().st_mtime_ns if path.exists() else 0).copy()


@lru_cache(maxsize=4)
def _read(path: Path, _mtime: int) -> pd.Series:
    table = read_table(path)
    columns = {normalise(c): c for c in table.frame.columns}
    postcode_col = next((columns[c] for c in POSTCODE_COLUMNS if c in columns), None)
    la_col = next((columns[c] for c in columns if _LA_COLUMN.match(c)), None)
    if postcode_col is None or la_col is None:
        raise SourceDataError(path, "is not an ONS postcode lookup: it needs a postcode column (pcds, pcd, pcd7, "
                              "pcd8) and a local authority column (ladcd, lad24cd, laua, oslaua).",
                              line=table.header_line)
    codes = table.frame[la_col].fillna("").str.strip().str.upper()
    resolved: dict[str, str | None] = {"": None}
    for code in codes.unique():
        if code in resolved:
            continue
        if code[:3] in ("L99", "M99", "S99", "W99", "N99") or code.endswith("99999999"):
            resolved[code] = None  # ONS pseudo-codes: Channel Islands, Isle of Man, no LA
            continue
        try:
            resolved[code] = resolve_area_code(code)
        except AreaCodeError as exc:
            label = codes.index[codes.eq(code)][0]
            raise table.error(f"{exc} Use a postcode lookup on current LA codes.", label=label,
                              column=la_col) from None
    postcodes = normalise_postcodes(table.frame[postcode_col])
    out = pd.Series(codes.map(resolved).to_numpy(), index=postcodes.to_numpy(), dtype=object)
    out = out[out.index.notna() & out.notna()]
    return out[~out.index.duplicated(keep="first")]
