"""Read PHS "last six months of life" open-data files (council area, HSCP, health board / Scotland).

Layout (PHS ``05_create-open-data.R``): FinancialYear, FinancialYearQF, the area code (CA2011 / HSCP2016 /
HBR2014 or HBR in later releases, with HBR2014QF "d" on Scotland's S92000003 row),
PercentageSpentInHomeCommunity, PercentageSpentInHospital, NumberOfDeaths, TotalLengthOfStay (absent in
older releases), AverageDaysInCommunity, AverageDaysInHospital. Percentages are unrounded; average days
are rounded half up.

PHS's definition: hospital time is the days spent in hospital (acute and psychiatric stays) in the last
six months before death, taken as 182.5 days; the rest is "at home or in a community setting". The
window is read from the data (TotalLengthOfStay / NumberOfDeaths against the hospital share, or the
two average-days columns), so a release measuring another window (12 months) is recognised, not mixed.
Rules: financial years as YYYY/YY and not in the future; percentages in 0-100 summing to 100; whole,
positive deaths; qualifiers known to PHS; area codes of the file's geography.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, tabular
from landscape_pipeline.geography import scotland
from landscape_pipeline.validation.plausibility import refuse_future_periods

GEOGRAPHY_COLUMNS: dict[str, tuple[str, ...]] = {
    "council_area": ("CA2011", "CA2019", "CA", "CAR"),
    "hscp": ("HSCP2016", "HSCP2019", "HSCP", "HSCPR"),
    "health_board": ("HBR2014", "HBR", "HB2014", "HB2019", "HB"),
}
#: Files PHS publishes beside these (by age and sex, deprivation, rurality): recognised and skipped.
OTHER_BREAKDOWNS = ("AgeGroup", "SIMD", "UrbanRural6Fold", "UrbanRural2Fold")
COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("FinancialYear",), "year_qf": ("FinancialYearQF",),
    "home": ("PercentageSpentInHomeCommunity",), "hospital": ("PercentageSpentInHospital",),
    "deaths": ("NumberOfDeaths",), "los": ("TotalLengthOfStay",),
    "days_community": ("AverageDaysInCommunity",), "days_hospital": ("AverageDaysInHospital",),
}
OPTIONAL = ("year_qf", "hospital", "los", "days_community", "days_hospital")
#: PHS statistical qualifiers that may mark a year or a code.
QUALIFIERS = {"p": "provisional", "r": "revised", "d": "derived", "z": "not applicable", ":": "not available",
              "c": "confidential", "e": "estimated", "u": "low reliability", "b": "break in time series"}
#: Windows (days) PHS has used: six months (182.5) and twelve (365).
WINDOWS = {182.5: "six months", 365.0: "twelve months"}
SUM_TOLERANCE = 0.11  # percentage points: the two shares may each be rounded to 1 dp


@dataclass
class EolTable:
    """One file's rows: canonical-ish columns plus where they came from."""

    path: Path
    level: str  # council_area | hscp | health_board
    rows: pd.DataFrame
    window_days: float
    table: tabular.RawTable


def level_of(table: tabular.RawTable) -> str | None:
    """Return the file's geography level, or None for the age/deprivation/rurality breakdown files."""
    header = {tabular.normalise(c) for c in table.frame.columns}
    for level, names in GEOGRAPHY_COLUMNS.items():
        if any(tabular.normalise(n) in header for n in names):
            return level
    if "country" in header and any(tabular.normalise(n) in header for n in OTHER_BREAKDOWNS):
        return None
    raise table.error("is not a PHS end-of-life open-data file: it has no CA2011, HSCP2016 or HBR2014/HBR column.")


def read_eol_file(path: Path | str) -> EolTable | None:
    """Return the validated rows of one file, or None for a breakdown file this source does not use."""
    table = tabular.read_table(path, missing=tabular.COMMON_MISSING)
    level = level_of(table)
    if level is None:
        return None
    tabular.require_rows(table)
    cols = tabular.find_columns(table, {**COLUMNS, "code": GEOGRAPHY_COLUMNS[level]}, optional=OPTIONAL,
                                what="PHS end-of-life file")
    rows = pd.DataFrame(index=table.frame.index)
    rows["area_code"], rows["area_name"], rows["attribution_note"] = _codes(table, cols["code"], level)
    rows = rows.join(_years(table, cols))
    home, _ = tabular.numbers(table, cols["home"], required=True)
    table.fail_first((home > 100).to_numpy(), cols["home"], "{value!r} is a percentage above 100.")
    deaths, _ = tabular.numbers(table, cols["deaths"], required=True)
    table.fail_first(((deaths % 1 != 0) | (deaths <= 0)).to_numpy(), cols["deaths"],
                     "{value!r} is not a whole, positive number of deaths.")
    if "hospital" in cols:
        hospital, _ = tabular.numbers(table, cols["hospital"], required=True)
        table.fail_first(((home + hospital - 100).abs() > SUM_TOLERANCE).to_numpy(), cols["hospital"],
                         "{value!r} plus PercentageSpentInHomeCommunity is not 100; the row is misaligned.")
    else:
        hospital = 100 - home
    window = _window(table, cols, hospital, deaths)
    rows["value"], rows["denominator"] = home, deaths
    rows["hospital_share"] = hospital
    if "los" in cols:
        rows["los"] = tabular.numbers(table, cols["los"])[0]
    return EolTable(table.path, level, rows, window, table)


def _codes(table: tabular.RawTable, column: str, level: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    raw = table.frame[column].str.upper()
    table.fail_first(raw.isna().to_numpy(), column, "the area code is empty.")
    current, names, notes = {}, {}, {}
    for code in raw.dropna().unique():
        found = None
        try:
            if code == geography.SCOTLAND:
                found = code if level == "health_board" else None
            elif level == "hscp" and code.startswith("S37"):
                found = scotland.resolve_hscp_code(code)
            elif level == "health_board" and code.startswith("S08"):
                found = geography.resolve_area_code(code)
            elif level == "council_area" and code.startswith("S12"):
                geography.area_name(code)
                found = code
        except geography.AreaCodeError:
            found = None
        current[code] = found
        if found is not None:
            name = scotland.partnership(found).area_name if level == "hscp" else geography.area_name(found)
            names[code] = f"NHS {name}" if found.startswith("S08") else name
            if found != code:
                notes[code] = f"Published under archived code {code}"
    codes = raw.map(current)
    table.fail_first(codes.isna().to_numpy(), column,
                     f"{{value!r}} is not a {level.replace('_', ' ')} code known to data_sources/geography.")
    return codes, raw.map(names), raw.map(notes)


def _years(table: tabular.RawTable, cols: dict[str, str]) -> pd.DataFrame:
    text = table.frame[cols["year"]]
    parts = text.str.extract(r"^(\d{4})/(\d{2})$")
    start = pd.to_numeric(parts[0], errors="coerce")
    ok = start.notna() & ((start + 1) % 100 == pd.to_numeric(parts[1], errors="coerce"))
    table.fail_first((~ok).to_numpy(), cols["year"], "{value!r} is not a financial year written YYYY/YY.")
    out = pd.DataFrame({
        "period_label": text,
        "period_start": pd.to_datetime(start.astype(int).astype(str) + "-04-01"),
        "period_end": pd.to_datetime((start + 1).astype(int).astype(str) + "-03-31"),
    }, index=text.index)
    refuse_future_periods(table, out["period_start"], cols["year"])
    out["value_note"] = None
    if "year_qf" in cols:
        qf = table.frame[cols["year_qf"]]
        table.fail_first((qf.notna() & ~qf.isin(list(QUALIFIERS))).to_numpy(), cols["year_qf"],
                         "{value!r} is not a PHS statistical qualifier (" + ", ".join(QUALIFIERS) + ").")
        out["value_note"] = qf.map(lambda q: f"{QUALIFIERS[q].capitalize()} (PHS qualifier {q})"
                                   if isinstance(q, str) else None)
    return out


def _window(table: tabular.RawTable, cols: dict[str, str], hospital: pd.Series, deaths: pd.Series) -> float:
    """Return the days window the file measures (182.5 or 365), read from its own columns."""
    tolerance = pd.Series(1.0, index=hospital.index)
    if "los" in cols:
        los, _ = tabular.numbers(table, cols["los"], required=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            implied = los / deaths / (hospital / 100)
            # a share rounded to 1 dp moves the implied window by up to 0.05/share of itself
            tolerance = np.maximum(1.0, 365 * 0.051 / hospital)
        implied = implied.where(hospital > 0)
        column = cols["los"]
    elif "days_community" in cols and "days_hospital" in cols:
        implied = tabular.numbers(table, cols["days_community"], required=True)[0] + \
            tabular.numbers(table, cols["days_hospital"], required=True)[0]
        column = cols["days_community"]
    else:
        return 182.5  # the dataset's stated definition, nothing in the file to check it against
    window = pd.Series(np.nan, index=implied.index)
    window[implied.isna()] = -1
    for days in WINDOWS:
        window[window.isna() & ((implied - days).abs() <= tolerance)] = days
    table.fail_first(window.isna().to_numpy(), column,
                     "{value!r} does not fit a six- or twelve-month window with the row's deaths and hospital "
                     "share; the columns are misaligned or the measure was redefined.")
    found = sorted(set(window[window > 0]))
    if len(found) > 1:
        table.fail_first(window.eq(found[1]).to_numpy(), column, "this row measures a different window "
                                                                 "from the rows above it; one file, one definition.")
    return found[0] if found else 182.5
