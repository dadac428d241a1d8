"""Dispatch PHS files to their parser by header and combine them into one canonical frame."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from landscape_pipeline import schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import describe_file
from landscape_pipeline.sources.base import SourceInputs

from .canonical import finish
from .common import kind_of
from .incidence import read_incidence_rows
from .mortality import read_mortality_rows

READERS = {"mortality": read_mortality_rows, "incidence": read_incidence_rows}


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return one canonical frame from PHS mortality and incidence files; lookups are recognised and skipped.

    Real files are read before synthetic ones and Scotland files before the others, so where two
    files give the same row (a council-area file repeating Scotland's rows, or a synthetic file
    covering a cell a real one has), the real, national one is kept. The skipped lookups are listed
    in ``frame.attrs["skipped"]``.
    """
    del inputs  # PHS needs no upstream tables
    if not paths:
        raise SourceDataError("data_sources/phs", "no PHS file was given; add a mortality or incidence file.")
    found, skipped = [], []
    for path in map(Path, paths):
        kind, detail = kind_of(path)
        if kind == "lookup":
            skipped.append(f"{path.name}: a PHS {detail}, not data; skipped.")
        else:
            found.append((describe_file(path).synthetic, detail != "Country", path, kind, detail))
    if not found:
        frame = schema.empty_frame()
        frame.attrs["skipped"] = skipped
        return frame
    found.sort(key=lambda item: item[:2])
    frame = finish(pd.concat([READERS[kind](path, geo) for _, _, path, kind, geo in found], ignore_index=True))
    frame.attrs["skipped"] = skipped
    return frame
