"""Read a HES tabulation: admissions already counted on the secure side (UNROUNDED), one row per cell.

Columns ``FYEAR, RESLADST_ONS, SITE_GROUP, ADMIMETH_GROUP, SEX, AGE_BAND, ADMISSIONS``; SITE_GROUP is
one of the exclusive groups (lung, breast, bowel, prostate, haematological, other_cancer,
non_melanoma_skin, non_cancer) or an ICD-10 3-character code; ADMIMETH_GROUP is
elective/emergency/other or an ADMIMETH code; AGE_BAND is an ESP2013 band ("0-4" ... "90+"), a single
year of age or "Unknown". The result is the same :class:`~.aggregate.Aggregation` a record-level
extract gives.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.aggregate import Aggregation, english_districts
from landscape_pipeline.sources.hes.residence import AreaResolver

COLUMNS = ("FYEAR", "RESLADST_ONS", "SITE_GROUP", "ADMIMETH_GROUP", "SEX", "AGE_BAND", "ADMISSIONS")


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
