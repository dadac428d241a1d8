"""Read HES admitted patient care inputs (record-level extract or tabulation) into canonical rows.

Two input kinds, told apart by the header:

* **record-level extract** (a DARS extract, or NHS England's Artificial HES APC): one row per
  episode with the standard HES field names. Read: ``FYEAR`` (``202223``, ``2223`` or ``2022/23``;
  ``ADMIDATE``, ISO or dd/mm/yyyy, is used only when FYEAR is blank or unusable), ``EPISTAT``
  (3 = finished), ``EPIORDER`` (``1``/``01`` = first episode of the spell), ``ADMIMETH``,
  ``STARTAGE`` (0-120; 7001-7007 = under 1), ``SEX`` (1, 2; 0/9 kept in Persons only),
  ``DIAG_4_01`` (else ``DIAG_3_01``), residence in ``RESLADST_ONS`` or, in older vintages where that
  is blank, ``RESLADST`` (old-style ONS codes; :mod:`.residence`), and ``EPIKEY`` when present. Every
  other column is ignored and never read. Streamed in blocks (see :mod:`.aggregate`); episodes never
  leave this step. A key repeated or a financial year not yet begun is refused (:mod:`.checks`).
* **tabulation** (pre-aggregated on the secure side, UNROUNDED; :mod:`.tabulation`).

An input with no admission that can be counted is refused in a sentence that says what was read
and why none counted. Files may be ``.csv``, ``.csv.gz`` or ``.zip`` (one CSV inside, as NHS England
ships Artificial HES). Each row's provenance names the files that gave its financial year.
"""

from __future__ import annotations

import csv
import gzip
import logging
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import combine_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.hes import denominators
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.aggregate import DEFAULT_BLOCK_SIZE, Aggregation, aggregate_records
from landscape_pipeline.sources.hes.checks import RecordChecks
from landscape_pipeline.sources.hes.measures import build_rows
from landscape_pipeline.sources.hes.residence import COLUMNS as RESIDENCE_COLUMNS
from landscape_pipeline.sources.hes.sql_engine import aggregate_csv, engine_from_env
from landscape_pipeline.sources.hes.tabulation import COLUMNS as TABULATION_COLUMNS
from landscape_pipeline.sources.hes.tabulation import aggregate_tabulation

log = logging.getLogger(__name__)
RECORD_REQUIRED = ("EPISTAT", "EPIORDER", "ADMIMETH", "STARTAGE", "SEX")
RECORD_OPTIONAL = ("FYEAR", "ADMIDATE", "DIAG_4_01", "DIAG_3_01", *RESIDENCE_COLUMNS, "EPIKEY")
POPULATION_SOURCE = "ons_population"


@contextmanager
def _binary(path: Path) -> Iterator[Any]:
    """Yield something pyarrow can stream: the path (.csv, .csv.gz) or the CSV member of a .zip."""
    if path.suffix.lower() != ".zip":
        yield str(path)
        return
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise SourceDataError(path, f"expected one CSV in the zip, found {members or 'none'}; extract the APC "
                                        "file and pass it directly.")
        with archive.open(members[0]) as handle:
            yield handle


@contextmanager
def _handle(path: Path) -> Iterator[Any]:
    """Yield a binary file handle on the CSV text of a .csv, .csv.gz or zipped CSV."""
    with _binary(path) as source:
        if not isinstance(source, str):
            yield source
            return
        opener = gzip.open if source.lower().endswith(".gz") else open
        with opener(source, "rb") as handle:
            yield handle


def read_header(path: Path) -> list[str]:
    """Return the upper-cased, stripped column names of a .csv, .csv.gz or zipped CSV."""
    with _handle(path) as handle:
        line = handle.readline()
    text = line.decode("utf-8-sig", errors="replace")
    return [c.strip().upper() for c in next(csv.reader([text]), [])]


def input_kind(header: Sequence[str], path: Path) -> str:
    """Return "records" or "tabulation" from the header, or raise naming the missing columns."""
    if "ADMISSIONS" in header:
        missing = [c for c in TABULATION_COLUMNS if c not in header]
        kind = "tabulation"
    else:
        missing = [c for c in RECORD_REQUIRED if c not in header]
        if not {"FYEAR", "ADMIDATE"} & set(header):
            missing.append("FYEAR (or ADMIDATE)")
        if not {"DIAG_4_01", "DIAG_3_01"} & set(header):
            missing.append("DIAG_4_01 (or DIAG_3_01)")
        if not set(RESIDENCE_COLUMNS) & set(header):
            missing.append("RESLADST_ONS (or RESLADST)")
        kind = "records"
    if missing:
        raise SourceDataError(path, f"the HES {kind} header lacks {', '.join(missing)}; a record-level extract needs "
                                    f"{', '.join(RECORD_REQUIRED)}, FYEAR, DIAG_4_01 and RESLADST_ONS (or RESLADST); "
                                    f"a tabulation needs {', '.join(TABULATION_COLUMNS)}.", column=missing[0])
    return kind


def aggregate_file(path: Path, *, block_size: int = DEFAULT_BLOCK_SIZE, engine: str | None = None) -> Aggregation:
    """Return the Aggregation of one HES input file (record-level, or a tabulation).

    Record-level files are streamed by the Arrow reader, or counted by DuckDB when ``engine`` (default:
    ``LANDSCAPE_HES_ENGINE``) is ``duckdb``; both give the same Aggregation (:mod:`.sql_engine`).
    """
    path = Path(path)
    header = read_header(path)
    if input_kind(header, path) == "tabulation":
        return aggregate_tabulation(path)
    if (engine or engine_from_env()) == "duckdb" and path.suffix.lower() != ".zip":
        return aggregate_csv(path, header, recheck=lambda p: _stream_records(p, header, block_size))
    return _stream_records(path, header, block_size)


def _stream_records(path: Path, header: list[str], block_size: int) -> Aggregation:
    """Stream a record-level file through the Arrow reader, applying the record checks block by block."""
    columns = [c for c in (*RECORD_REQUIRED, *RECORD_OPTIONAL) if c in header]
    checks = RecordChecks(path)
    try:
        with _binary(path) as source:
            agg = aggregate_records(source, columns, column_names=header, block_size=block_size, inspect=checks)
    except pa.ArrowInvalid as exc:
        raise _unreadable_row(path, str(exc)) from None
    checks.finish()
    return agg


def _unreadable_row(path: Path, message: str) -> SourceDataError:
    """Return the refusal of a row the CSV reader cannot split (wrong field count), naming its line."""
    detail = message.removeprefix("CSV parse error: ").strip()
    fields, _, text = detail.partition(": ")
    line_number = _line_holding(path, text.removesuffix(" ...").rstrip("\r")) if text else None
    row = line_number - 1 if line_number else None
    return SourceDataError(path, f"a row cannot be read as CSV ({fields.lower() or detail}); every row of an extract "
                                 "has the header's columns. Check for an unquoted comma or a cut-off line.",
                           row=row, line=line_number)


def _line_holding(path: Path, text: str) -> int | None:
    """Return the 1-based line of ``path`` whose text starts with ``text`` (the reader quotes the row), or None."""
    with _handle(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if number > 1 and raw.decode("utf-8", errors="replace").rstrip("\r\n").startswith(text):
                return number
    return None


def nothing_countable(paths: Sequence[Path], tally: dict[str, int]) -> SourceDataError:
    """Return the error for inputs with no countable admission: what was read, and why none counted."""
    why = [f"{tally[k]:,} {k}" for k in ("episodes not finished", "finished episodes not first in spell",
                                         "no usable financial year") if tally.get(k)]
    why += [f"{v:,} with {k.removeprefix('unresolved ')}" for k, v in tally.items()
            if k.startswith("unresolved residence") and not k.endswith("(cancer)") and v]
    read = tally.get("episodes read", tally.get("tabulation rows read", 0))
    names = ", ".join(Path(p).name for p in paths)
    return SourceDataError(paths[0], (
        f"holds no admission that can be counted ({names}): of {read:,} row(s) read, "
        f"{'; '.join(why) or 'none was a finished first episode'}. HES rates need finished first episodes "
        "(EPISTAT 3, EPIORDER 1) with a financial year (FYEAR or ADMIDATE) and a residence in England "
        "(RESLADST_ONS, or RESLADST in older extracts). Check that the extract is the one intended."))


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None, *,
          block_size: int = DEFAULT_BLOCK_SIZE) -> pd.DataFrame:
    """Return canonical HES rows (unrounded ``count``; rates and CIs from unrounded counts).

    Needs the staged ``ons_population`` table in ``inputs.upstream``. The tally of episodes read,
    filtered and unresolved is logged and kept in ``frame.attrs["hes_tally"]``. ``synthetic`` is
    derived per row: from the files behind its financial year and, for rates, from the population.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise SourceDataError("hes", "no HES input file was given.")
    upstream = (inputs.upstream if inputs else {}).get(POPULATION_SOURCE)
    if upstream is None or len(upstream) == 0:
        raise SourceDataError(paths[0], "HES rates need the ons_population table (SourceInputs.upstream"
                                        "['ons_population']); build the ons_population source first.")
    per_file = [aggregate_file(p, block_size=block_size) for p in paths]
    agg = reduce(Aggregation.merge, per_file)
    tally = {k: int(v) for k, v in sorted(agg.tally.items())}
    if not agg.counts or tally.get("admissions counted", 0) == 0:
        raise nothing_countable(paths, tally)
    population, substitutes = denominators.populations_for(agg.counts, upstream)
    frame = denominators.note_substitutes(build_rows(agg, population), substitutes)
    frame = _with_provenance(frame, paths, per_file, denominators.synthetic_populations(upstream, substitutes))
    unresolved = sum(v for k, v in tally.items() if k.startswith("unresolved") and not k.endswith("(cancer)"))
    if unresolved:
        log.warning("HES: %s admission(s) had a residence that could not be resolved to an English LA: %s",
                    unresolved, {k: v for k, v in tally.items() if k.startswith("unresolved")})
    frame.attrs["hes_tally"] = tally
    return frame


def _with_provenance(frame: pd.DataFrame, paths: list[Path], per_file: list[Aggregation],
                     population_synthetic: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with provenance per financial year (the files that gave it) and a derived ``synthetic``."""
    years = sorted({y for agg in per_file for y in agg.counts})
    described = [describe_file(p) for p in paths]  # each file hashed once, however many years it holds
    by_year = pd.DataFrame([{"period_label": ind.fy_label(y), "year": y,
                             **combine_provenance([d for d, agg in zip(described, per_file, strict=True)
                                                   if y in agg.counts])}
                            for y in years])
    out = frame.merge(by_year, on="period_label", how="left", validate="many_to_one")
    out = out.merge(population_synthetic, on=["area_code", "year"], how="left", validate="many_to_one")
    rate = out["value_type"].isin(denominators.RATE_TYPES).to_numpy()
    borrowed = out["population_synthetic"].fillna(False).astype(bool).to_numpy()
    out["synthetic"] = out["synthetic"].astype(bool).to_numpy() | (rate & borrowed)
    return out.drop(columns=["year", "population_synthetic"])
