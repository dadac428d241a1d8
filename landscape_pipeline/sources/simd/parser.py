"""SIMD 2020v2: data-zone files in, council-area / board / Scotland summaries out (canonical schema)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import combined_columns
from landscape_pipeline.sources.base import SourceInputs

from .reader import join, read_zone_file
from .summarise import PERIOD, summarise

SOURCE_ID = "simd"
COLUMN_LABELS = {"area_code": "CA (PHS) / Council_area (Scottish Government)",
                 "value": "SIMD2020V2Rank / SIMD2020v2_Rank and domain ranks, summarised",
                 "denominator": "data zones or Total_population", "count": "data zones or Total_population"}
NO_POPULATION_NOTE = ("Only the PHS open-data file was given: population-weighted measures and domains need the "
                      "Scottish Government SIMD 2020v2 ranks file (with Total_population and domain ranks).")


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return the SIMD 2020v2 summaries for every Scottish council area, board and Scotland."""
    del inputs
    if not paths:
        raise SourceDataError("data_sources/simd", "no SIMD 2020v2 file was given; add the PHS open-data file "
                                                   "and/or the Scottish Government ranks file to data_sources/simd/.")
    zones, used = join([read_zone_file(p) for p in paths])
    if len(zones) != 6976:
        first = used[0]
        raise SourceDataError(first.path, f"lists {len(zones):,} data zones; SIMD 2020v2 ranks all 6,976 2011 data "
                                          "zones, so council-area summaries from part of them would be wrong. "
                                          "Use the complete file.")
    rows = summarise(zones)
    rows["area_name"] = rows["area_code"].map(geography.area_name)
    boards = rows["area_type"].eq("Health board")
    rows.loc[boards, "area_name"] = "NHS " + rows.loc[boards, "area_name"]
    rows["source_id"] = SOURCE_ID
    rows["period_label"] = PERIOD
    rows["period_start"], rows["period_end"] = pd.Timestamp(f"{PERIOD}-01-01"), pd.Timestamp(f"{PERIOD}-12-31")
    rows["sex"], rows["age"] = "Persons", "All ages"
    rows["geography_method"] = "direct"
    rows["value_note"] = np.where(rows["area_code"].eq(geography.SCOTLAND) & rows["indicator_id"].str.contains(
        "dz_most_deprived"), "20% of Scotland's data zones by definition", None)
    for name, value in combined_columns([u.path for u in used]).items():
        rows[name] = value
    out = schema.conform(rows)
    out.attrs["population_weighted"] = rows.attrs.get("population_weighted", False)
    out.attrs["files"] = {u.kind: u.path.name for u in used}
    if not out.attrs["population_weighted"]:
        out.attrs["note"] = NO_POPULATION_NOTE
    return out
