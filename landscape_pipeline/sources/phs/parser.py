"""Dispatch PHS files to their parser by header and combine them into one canonical frame."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.base import SourceInputs

from .canonical import finish
from .common import read_header
from .incidence import read_incidence_rows
from .mortality import read_mortality_rows

#: Lookup files PHS publishes beside the data (qualifiers, board names): recognised and skipped.
LOOKUP_HEADERS = ({"Qualifier", "QualifierName"}, {"HB", "HBName"}, {"CA", "CAName"})


def kind_of(path: Path) -> str:
    """Return "mortality", "incidence" or "lookup" from a PHS file's header; raise for anything else."""
    header = set(read_header(path))
    geography = header & {"CA", "HB", "Country"}
    if "DeathsAllAges" in header and geography & {"CA", "Country"}:
        return "mortality"
    if "IncidencesAllAges" in header and geography & {"HB", "Country"}:
        return "incidence"
    if any(lookup <= header for lookup in LOOKUP_HEADERS):
        return "lookup"
    if "DeathsAllAges" in header:
        raise SourceDataError(path, "is PHS cancer mortality by health board or region; this source reads "
                                    "mortality by council area (column CA) or for Scotland (column Country).")
    raise SourceDataError(path, "is not a PHS cancer file this source knows: expected a CA, HB or Country column "
                                "with DeathsAllAges or IncidencesAllAges. Remove it from data_sources/phs/.")


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return one canonical frame from PHS mortality and incidence files (lookups are skipped).

    Scotland files are read first so that, where a council-area file repeats Scotland's rows,
    the national file's rows are kept.
    """
    del inputs  # PHS needs no upstream tables
    readers = {"mortality": read_mortality_rows, "incidence": read_incidence_rows}
    found = [(Path(p), kind_of(Path(p))) for p in paths]
    found = [(p, kind) for p, kind in found if kind != "lookup"]
    found.sort(key=lambda item: "Country" not in read_header(item[0]))
    if not found:
        raise SourceDataError(paths[0] if paths else "data_sources/phs",
                              "no PHS mortality or incidence file was given; add one to data_sources/phs/.")
    return finish(pd.concat([readers[kind](path) for path, kind in found], ignore_index=True))
