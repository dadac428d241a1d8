"""Rebuild PHS's 16-column SIMD 2020v2 open-data file from the real Scottish Government file.

No copy of PHS's published ``simd2020v2_22062020.csv`` was available, so the bundled one is
reconstructed, deterministically, from the bundled real Scottish Government file:

* DataZone, SIMD2020V2Rank, country decile and quintile: copied (real);
* CA from the council-area name; HB and HSCP from the project's geography (2019 codes);
* board, HSCP and council-area deciles and quintiles: derived here as population-weighted bands within
  each area (PHS's own band boundaries may differ by a data zone); Most15pc / Least15pc from the rank;
* IntZone: left blank - no public data zone -> intermediate zone lookup was available.

This source reads only DataZone, HB, HSCP, CA, the rank and the country bands. Run
``python -m landscape_pipeline.sources.simd.sample`` to rewrite the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, paths
from landscape_pipeline.geography import scotland

from .reader import N_ZONES, read_zone_file

GOV_FILE = "simd2020_withinds.csv"
PHS_FILE = "simd2020v2_22062020_reconstructed.csv"
HEADER = ("DataZone", "IntZone", "HB", "HSCP", "CA", "SIMD2020V2Rank", "SIMD2020V2CountryDecile",
          "SIMD2020V2CountryQuintile", "SIMD2020V2HBDecile", "SIMD2020V2HBQuintile", "SIMD2020V2HSCPDecile",
          "SIMD2020V2HSCPQuintile", "SIMD2020V2CADecile", "SIMD2020V2CAQuintile", "SIMD2020V2Most15pc",
          "SIMD2020V2Least15pc")


def weighted_bands(rank: pd.Series, population: pd.Series, area: pd.Series, parts: int) -> pd.Series:
    """Return population-weighted bands (1 = most deprived) of each data zone within its area."""
    frame = pd.DataFrame({"rank": rank, "pop": population, "area": area}).sort_values(["area", "rank"])
    before = frame.groupby("area")["pop"].cumsum() - frame["pop"]
    total = frame.groupby("area")["pop"].transform("sum")
    bands = np.minimum(np.floor(before / total * parts) + 1, parts).astype(int)
    return bands.reindex(rank.index)


def build(gov_path: Path) -> str:
    """Return the reconstructed PHS file's text."""
    zones = read_zone_file(gov_path).zones.sort_values("data_zone").reset_index(drop=True)
    ca = zones["council_area"]
    out = pd.DataFrame({
        "DataZone": zones["data_zone"], "IntZone": "", "HB": ca.map(geography.board_of_council_area),
        "HSCP": ca.map(scotland.hscp_of_council_area), "CA": ca, "SIMD2020V2Rank": zones["rank"].astype(int),
        "SIMD2020V2CountryDecile": np.ceil(zones["rank"] * 10 / N_ZONES).astype(int),
        "SIMD2020V2CountryQuintile": np.ceil(zones["rank"] * 5 / N_ZONES).astype(int),
    })
    for level, column in (("HB", "HB"), ("HSCP", "HSCP"), ("CA", "CA")):
        out[f"SIMD2020V2{level}Decile"] = weighted_bands(zones["rank"], zones["population"], out[column], 10)
        out[f"SIMD2020V2{level}Quintile"] = weighted_bands(zones["rank"], zones["population"], out[column], 5)
    out["SIMD2020V2Most15pc"] = (zones["rank"] <= 0.15 * N_ZONES).astype(int)
    out["SIMD2020V2Least15pc"] = (zones["rank"] > 0.85 * N_ZONES).astype(int)
    buffer = io.StringIO()
    out.loc[:, list(HEADER)].to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def generate(dest: Path | None = None) -> Path:
    """Rewrite the reconstructed PHS file in ``dest`` (default data_sources/simd); return its path."""
    dest = dest or paths.data_sources_dir() / "simd"
    target = dest / PHS_FILE
    target.write_text(build(dest / GOV_FILE), encoding="utf-8", newline="")
    return target


if __name__ == "__main__":  # pragma: no cover
    written = generate()
    print(f"{written.name}: {written.stat().st_size:,} bytes")
