"""Read HES admitted patient care inputs (record-level extract or tabulation) into canonical rows.

Two input kinds, told apart by the header:

* **record-level extract** (a DARS extract, or NHS England's Artificial HES APC): one row per
  episode with the standard HES field names. Read: ``FYEAR`` (``202223``, ``2223`` or ``2022/23``;
  ``ADMIDATE``, ISO or dd/mm/yyyy, is used only when FYEAR is blank or unusable), ``EPISTAT``
  (3 = finished), ``EPIORDER`` (``1``/``01`` = first episode of the spell), ``ADMIMETH``,
  ``STARTAGE`` (0-120; 7001-7007 = under 1), ``SEX`` (1, 2; 0/9 kept in Persons only),
  ``DIAG_4_01`` (else ``DIAG_3_01``) and ``RESLADST_ONS``. Every other column is ignored and never
  read. Streamed in blocks (see :mod:`.aggregate`); episodes never leave this step.
* **tabulation** (pre-aggregated on the secure side, UNROUNDED): columns ``FYEAR, RESLADST_ONS,
  SITE_GROUP, ADMIMETH_GROUP, SEX, AGE_BAND, ADMISSIONS``; SITE_GROUP is one of the exclusive groups
  (lung, breast, bowel, prostate, haematological, other_cancer, non_melanoma_skin, non_cancer) or an
  ICD-10 3-character code; ADMIMETH_GROUP is elective/emergency/other or an ADMIMETH code; AGE_BAND
  is an ESP2013 band ("0-4" ... "90+"), a single year of age or "Unknown".

Files may be ``.csv``, ``.csv.gz`` or ``.zip`` (one CSV inside, as NHS England ships Artificial HES).
"""

from __future__ import annotations

import csv
import gzip
import logging
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import combined_columns
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.aggregate import (
    DEFAULT_BLOCK_SIZE,
    Aggregation,
    AreaResolver,
    aggregate_records,
    english_districts,
)
from landscape_pipeline.sources.hes.measures import build_rows
from landscape_pipeline.sources.ons_population import population_by_esp_band

log = logging.getLogger(__name__)
RECORD_REQUIRED = ("EPISTAT", "EPIORDER", "ADMIMETH", "STARTAGE", "SEX", "RESLADST_ONS")
RECORD_OPTIONAL = ("FYEAR", "ADMIDATE", "DIAG_4_01", "DIAG_3_01")
TABULATION_COLUMNS = ("FYEAR", "RESLADST_ONS", "SITE_GROUP", "ADMIMETH_GROUP", "SEX", "AGE_BAND", "ADMISSIONS")
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


def read_header(path: Path) -> list[str]:
    """Return the upper-cased, stripped column names of a .csv, .csv.gz or zipped CSV."""
    with _binary(path) as source:
        if isinstance(source, str):
            opener = gzip.open if source.lower().endswith(".gz") else open
            with opener(source, "rb") as handle:
                line = handle.readline()
        else:
            line = source.readline()
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
        kind = "records"
    if missing:
        raise SourceDataError(path, f"the HES {kind} header lacks {', '.join(missing)}; a record-level extract needs "
                                    f"{', '.join(RECORD_REQUIRED)}, FYEAR and DIAG_4_01; a tabulation needs "
                                    f"{', '.join(TABULATION_COLUMNS)}.", row=None, column=missing[0])
    return kind


def aggregate_file(path: Path, *, block_size: int = DEFAULT_BLOCK_SIZE) -> Aggregation:
    """Return the Aggregation of one HES input file (record-level streamed, or a tabulation)."""
    path = Path(path)
    header = read_header(path)
    if input_kind(header, path) == "tabulation":
        return aggregate_tabulation(path)
    columns = [c for c in (*RECORD_REQUIRED, *RECORD_OPTIONAL) if c in header]
    with _binary(path) as source:
        return aggregate_records(source, columns, column_names=header, block_size=block_size)


def _first_bad(path: Path, bad: np.ndarray, column: str, values: pd.Series, what: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SourceDataError(path, f"{values.iloc[i]!r} is not {what}.", row=i + 1, column=column)


def aggregate_tabulation(path: Path) -> Aggregation:
    """Return the Aggregation of a pre-aggregated tabulation (see the module docstring for its columns)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")
    df.columns = [str(c).strip().upper() for c in df.columns]
    agg = Aggregation(english_districts())
    agg.tally["tabulation rows read"] += len(df)
    admissions = pd.to_numeric(df["ADMISSIONS"].str.replace(",", "").str.strip(), errors="coerce")
    _first_bad(path, (admissions.isna() | (admissions < 0) | (admissions % 1 != 0)).to_numpy(), "ADMISSIONS",
               df["ADMISSIONS"], "an unrounded whole number of admissions (suppressed '*' cells cannot be used)")

    def mapped(column: str, mapper: Any) -> np.ndarray:
        codes, uniques = pd.factorize(df[column].str.strip())
        return ind.map_distinct(list(uniques), mapper, {})[codes] if len(df) else np.zeros(0, dtype=np.int64)

    fy = mapped("FYEAR", ind.financial_year)
    _first_bad(path, fy < 0, "FYEAR", df["FYEAR"], "a financial year such as 2022/23, 202223 or 2223")
    site = mapped("SITE_GROUP", _tabulated_site)
    _first_bad(path, site < 0, "SITE_GROUP", df["SITE_GROUP"],
               f"a site group ({', '.join(ind.SITE_GROUPS)}) or an ICD-10 code such as C34")
    method = mapped("ADMIMETH_GROUP", _tabulated_method)
    _first_bad(path, method < 0, "ADMIMETH_GROUP", df["ADMIMETH_GROUP"],
               "elective, emergency, other or an ADMIMETH code")
    band = mapped("AGE_BAND", _tabulated_band)
    _first_bad(path, band < 0, "AGE_BAND", df["AGE_BAND"], "an age band 0-4 ... 90+, a single age or Unknown")
    agg.add(fy, mapped("RESLADST_ONS", AreaResolver(agg.districts)), site, method, mapped("SEX", ind.sex_group), band,
            weights=admissions.to_numpy().astype(np.int64))
    return agg


def _tabulated_site(value: object) -> int:
    text = str(value).strip().lower()
    if text in ind.SITE_GROUPS:
        return ind.SITE_GROUPS.index(text)
    return ind.site_group(text) if re.fullmatch(r"[a-z]\d{2}[0-9x]?", text) else -1


def _tabulated_method(value: object) -> int:
    text = str(value).strip().lower()
    return ind.method_group_label(text) if text in ind.METHOD_GROUPS or re.fullmatch(r"\d[0-9a-d]", text) else -1


def _tabulated_band(value: object) -> int:
    text = str(value).strip()
    if text.lower() in ("", "unknown"):
        return ind.UNKNOWN_AGE
    band = ind.age_band_label(text)
    return -1 if band == ind.UNKNOWN_AGE else band


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None, *,
          block_size: int = DEFAULT_BLOCK_SIZE) -> pd.DataFrame:
    """Return canonical HES rows (unrounded ``count``; rates and CIs from unrounded counts).

    Needs the staged ``ons_population`` table in ``inputs.upstream``. The tally of episodes read,
    filtered and unresolved is logged and kept in ``frame.attrs["hes_tally"]``.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise SourceDataError("hes", "no HES input file was given.")
    upstream = (inputs.upstream if inputs else {}).get(POPULATION_SOURCE)
    if upstream is None or len(upstream) == 0:
        raise SourceDataError(paths[0], "HES rates need the ons_population table (SourceInputs.upstream"
                                        "['ons_population']); build the ons_population source first.")
    agg = reduce(Aggregation.merge, (aggregate_file(p, block_size=block_size) for p in paths))
    frame = build_rows(agg, population_by_esp_band(upstream))
    for name, value in combined_columns(paths).items():
        frame[name] = value
    tally = {k: int(v) for k, v in sorted(agg.tally.items())}
    unresolved = sum(v for k, v in tally.items() if k.startswith("unresolved") and not k.endswith("(cancer)"))
    if unresolved:
        log.warning("HES: %s admission(s) had a residence that could not be resolved to an English LA: %s",
                    unresolved, {k: v for k, v in tally.items() if k.startswith("unresolved")})
    frame.attrs["hes_tally"] = tally
    return frame
