"""NHS England geographies for attributing and apportioning NHS-area data to local authorities.

One lookup lives in ``data_sources/geography/`` (or ``$LANDSCAPE_DATA_SOURCES/geography``):

* ``nhs_sub_icb_to_la.csv`` - a *dated* sub-ICB location (SICBL) / ICB -> local authority lookup.
  Columns ``SICBLCD, SICBLCDH, SICBLNM, ICBCD, ICBCDH, ICBNM, LADCD, LADNM, population, lad_share,
  sicbl_share, valid_from, valid_to``: ONS field names (GSS ``CD``, ODS ``CDH``, ``NM``) without the
  vintage digits, because the file stacks vintages, each valid from ``valid_from`` to ``valid_to``
  (blank = open-ended). One row per SICBL x current lower/single-tier LA overlap. ``population`` is
  the overlap's usual residents (Census 2021 LAD totals, rounded to 100; split LAs by approximate
  shares), ``lad_share`` the fraction of the LA's residents in the SICBL and ``sicbl_share`` the
  fraction of the SICBL's residents in the LA. Vintages: 2022-07-01 (ICBs established; Glossop in
  Derbyshire, West Birmingham in Birmingham and Solihull) to 2024-03-31, and 2024-04-01 (Bassetlaw
  moved from South Yorkshire to Nottingham and Nottinghamshire ICB) to 2026-03-31. The ICB mergers of
  April 2026 are not in the file yet, so dates after 2026-03-31 raise an error until that vintage is
  added. Codes are real ONS / ODS codes; the shares of split LAs are approximations to check against
  the ONS ``LSOA21_SICBL2x_ICB2x_LAD2x`` lookups.

LSOA -> LA lookups (real ONS files, both LSOA vintages) are read by :mod:`landscape_pipeline.geography.lsoa`.

Counties (E10) are covered through their districts: their overlap populations are summed.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography import current_local_authorities, geography_dir

SUB_ICB_LOOKUP_FILE = "nhs_sub_icb_to_la.csv"
LOOKUP_COLUMNS = (
    "SICBLCD", "SICBLCDH", "SICBLNM", "ICBCD", "ICBCDH", "ICBNM", "LADCD", "LADNM",
    "population", "lad_share", "sicbl_share", "valid_from", "valid_to",
)
#: level -> (code, ODS code, name) columns of the lookup.
LEVELS = {"icb": ("ICBCD", "ICBCDH", "ICBNM"), "sub_icb": ("SICBLCD", "SICBLCDH", "SICBLNM")}
_GSS = {"icb": re.compile(r"^E54\d{6}$"), "sub_icb": re.compile(r"^E38\d{6}$")}


def sub_icb_lookup_path() -> Path:
    """Return the path of the dated sub-ICB/ICB -> LA lookup."""
    return geography_dir() / SUB_ICB_LOOKUP_FILE


def short_icb_name(name: str) -> str:
    """Return an ICB name in its short form ("NHS X Integrated Care Board" -> "NHS X ICB")."""
    return re.sub(r"\s+Integrated Care Board$", " ICB", str(name).strip())


def read_sub_icb_lookup(path: Path | str | None = None) -> pd.DataFrame:
    """Return the dated SICBL/ICB -> LA lookup, validated, with ``valid_from``/``valid_to`` as dates."""
    return _read_lookup(str(path or sub_icb_lookup_path())).copy()


@lru_cache(maxsize=4)
def _read_lookup(path_text: str) -> pd.DataFrame:
    path = Path(path_text)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in LOOKUP_COLUMNS if c not in frame.columns]
    if missing:
        raise SourceDataError(path, f"lacks the column(s) {', '.join(missing)}; the lookup needs "
                              f"{', '.join(LOOKUP_COLUMNS)}.", column=missing[0])
    frame = frame.loc[:, list(LOOKUP_COLUMNS)].apply(lambda col: col.str.strip())
    for level, pattern in _GSS.items():
        column = LEVELS[level][0]
        bad = ~frame[column].str.match(pattern)
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise SourceDataError(path, f"'{frame[column].iloc[row - 1]}' is not a {level.replace('_', '-')} "
                                  "GSS code.", row=row, column=column)
    for column in ("population", "lad_share", "sicbl_share"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() | (numbers < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise SourceDataError(path, f"'{frame[column].iloc[row - 1]}' is not a non-negative number.",
                                  row=row, column=column)
        frame[column] = numbers.astype(float)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"], format="%Y-%m-%d", errors="coerce")
    frame["valid_to"] = pd.to_datetime(frame["valid_to"].replace("", None), format="%Y-%m-%d", errors="coerce")
    if frame["valid_from"].isna().any():
        row = int(np.flatnonzero(frame["valid_from"].isna())[0]) + 1
        raise SourceDataError(path, "valid_from must be a date written YYYY-MM-DD.", row=row, column="valid_from")
    return frame


def sub_icb_lookup_on(when: date | str, path: Path | str | None = None) -> pd.DataFrame:
    """Return the lookup rows valid on ``when``; raise :class:`SourceDataError` if no vintage covers it."""
    frame = read_sub_icb_lookup(path)
    day = pd.Timestamp(when)
    valid = frame["valid_from"].le(day) & (frame["valid_to"].isna() | frame["valid_to"].ge(day))
    if not valid.any():
        first, last = frame["valid_from"].min().date(), frame["valid_to"].max()
        until = "open-ended" if frame["valid_to"].isna().any() else f"to {last.date()}"
        raise SourceDataError(path or sub_icb_lookup_path(), f"no lookup vintage is valid on {day.date()} (the lookup "
                              f"covers {first} {until}). Add the NHS geography vintage for that date to the lookup.")
    return frame.loc[valid].reset_index(drop=True)


def nhs_areas_of_las(when: date | str, level: str = "icb", path: Path | str | None = None) -> pd.DataFrame:
    """Return every (current English LA, NHS area) overlap valid on ``when``, largest share first.

    Columns: ``la_code, nhs_code, nhs_ods_code, nhs_name, population, la_share, valid_from,
    valid_to``. Lower/single-tier LAs come straight from the lookup; counties (E10) sum their
    districts' overlaps. ``level`` is ``"icb"`` or ``"sub_icb"``.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}.")
    code, ods, name = LEVELS[level]
    rows = sub_icb_lookup_on(when, path)
    rows = rows.rename(columns={"LADCD": "la_code", code: "nhs_code", ods: "nhs_ods_code", name: "nhs_name"})
    uppers = {la.area_code: la.upper_tier_code for la in current_local_authorities() if la.tier == "lower"}
    counties = rows[rows["la_code"].isin(uppers)].assign(la_code=lambda f: f["la_code"].map(uppers))
    keys = ["la_code", "nhs_code", "nhs_ods_code", "nhs_name"]
    both = pd.concat([rows, counties], ignore_index=True)
    grouped = both.groupby(keys, as_index=False).agg(population=("population", "sum"),
                                                     valid_from=("valid_from", "min"),
                                                     valid_to=("valid_to", "max"))
    grouped["la_share"] = grouped["population"] / grouped.groupby("la_code")["population"].transform("sum")
    return grouped.sort_values(["la_code", "la_share", "nhs_code"], ascending=[True, False, True],
                               ignore_index=True)


def la_populations(when: date | str = "2024-04-01", path: Path | str | None = None) -> pd.Series:
    """Return the lookup's usual-resident population of every current English LA (counties included)."""
    areas = nhs_areas_of_las(when, "icb", path)
    return areas.groupby("la_code")["population"].sum().rename("population")


def main_nhs_area_of_las(when: date | str, level: str = "icb", path: Path | str | None = None) -> pd.DataFrame:
    """Return one row per current English LA: the NHS area covering most of its residents on ``when``.

    Columns as :func:`nhs_areas_of_las` plus ``others`` - a text listing the other areas and their
    shares ("" when the LA lies wholly in one area).
    """
    areas = nhs_areas_of_las(when, level, path)
    described = areas["nhs_name"].map(short_icb_name) + " (" + areas["nhs_code"] + ", " + \
        (areas["la_share"] * 100).round(0).astype(int).astype(str) + "%)"
    first = ~areas["la_code"].duplicated()
    others = described[~first].groupby(areas.loc[~first, "la_code"]).agg("; ".join)
    main = areas.loc[first].reset_index(drop=True)
    main["others"] = main["la_code"].map(others).fillna("")
    return main
