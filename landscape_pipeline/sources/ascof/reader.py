"""Read ASCOF CSVs in any of their layouts into one long frame of kept measures.

Layouts (recognised by header, matched ignoring case, spacing and punctuation):

* **long CSV from 2024-25** (gov.uk): ``Geographical code, Geographical description, Geographical level,
  ONS code, ASCOF measure code, Disaggregation level, Measure type, Measure value``;
* **earlier CSV** (NHS Digital / NHS England, up to 2023-24): ``Geographical Description, Geographical
  Level, ONS Code, Measure Group, Measure Group Description, Disaggregation Level, Measure Type,
  Measure_Value`` (also ``Measure Value``; ``Geographical Code`` optional);
* **Oflog's reshaped table**: ``Financial year, Local authority code, Local authority name, Measure, Value``
  (local authorities only, outcome values only).

The NHS files carry no year column: the financial year comes from the file name (``2024-25``,
``2024_25``, ``2024-2025``, ``2024 to 2025`` or ``2425``), or from a ``Year``/``Financial year`` column
when one is present. Rows are kept for the measures in :mod:`.measures` only, read through the
framework of their year. Blank values and the publisher's markers are kept, with what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.sources.ascof.measures import (
    description_agrees,
    framework_of,
    indicator_for,
    oflog_indicator,
)
from landscape_pipeline.tabular import (
    RawTable,
    find_columns,
    map_labels,
    normalise,
    numbers,
    read_table,
    require_rows,
    synonym_table,
)

LONG, EARLIER, OFLOG = "long CSV (2024-25 onwards)", "earlier CSV (to 2023-24)", "Oflog reshaped table"
#: Publisher marker -> (withheld for disclosure control?, what it means).
MARKERS: dict[str, tuple[bool, str]] = {
    "*": (True, "suppressed by the publisher (small numbers)"),
    "c": (True, "suppressed by the publisher (confidential)"),
    "[c]": (True, "suppressed by the publisher (confidential)"),
    "x": (False, "not available"),
    "[x]": (False, "not available"),
    ":": (False, "not available"),
    "..": (False, "not available"),
    "-": (False, "nil or not applicable"),
    "[z]": (False, "not applicable"),
}
BLANK_NOTE = "Blank in the publisher's file: no value published."

_COMMON = {
    "level": ("Geographical level", "Geographical Level"),
    "ons_code": ("ONS code", "ONS Code", "ONS area code"),
    "disaggregation": ("Disaggregation level", "Disaggregation Level", "Disaggregation"),
    "measure_type": ("Measure type", "Measure Type"),
    "value": ("Measure value", "Measure_Value", "Measure Value", "Value"),
}
VARIANTS = {
    LONG: {"geo_code": ("Geographical code",), "area_name": ("Geographical description",),
           "code": ("ASCOF measure code", "Measure code"), **_COMMON},
    EARLIER: {"geo_code": ("Geographical Code", "CASSR code"), "area_name": ("Geographical Description",),
              "code": ("Measure Group",), "description": ("Measure Group Description",), **_COMMON},
    OFLOG: {"year": ("Financial year",), "ons_code": ("Local authority code",),
            "area_name": ("Local authority name",), "measure": ("Measure",), "value": ("Value",)},
}
OPTIONAL = {LONG: ("year",), EARLIER: ("geo_code", "year"), OFLOG: ()}
YEAR_COLUMN = ("Year", "Financial year", "Reporting year", "Period")

LEVELS = synonym_table({"Council": ("Local authority", "CASSR", "LA", "Council level"),
                        "Region": ("Regional", "Region level"), "England": ("National", "Country"),
                        "Council type": ("Council types", "Type")})
DISAGGREGATIONS = {  # folded label -> (sex, age)
    **{normalise(s): ("Persons", "18+ yrs") for s in ("Total", "All", "Persons", "18 and over", "18+")},
    **{normalise(s): ("Male", "18+ yrs") for s in ("Male", "Males", "Men")},
    **{normalise(s): ("Female", "18+ yrs") for s in ("Female", "Females", "Women")},
    **{normalise(s): ("Persons", "18-64 yrs") for s in ("18-64", "18 to 64", "Aged 18-64", "18-64 years")},
    **{normalise(s): ("Persons", "65+ yrs") for s in ("65 and over", "65+", "65 and older", "Aged 65 and over",
                                                     "65 plus", "65 or over")},
}
MEASURE_TYPES = {normalise(t): t for t in ("Outcome", "Numerator", "Denominator")}


@dataclass(frozen=True)
class AscofTable:
    """One file's kept rows: ``indicator_id, start_year, level, ons_code, area_name, sex, age, category,
    measure_type, value, suppressed, note, code, source_row`` (source_row is 1-based)."""

    path: Path
    layout: str
    rows: pd.DataFrame


def detect_layout(table: RawTable) -> str:
    """Return the layout of a file by its header, or raise naming what was expected."""
    header = {normalise(c) for c in table.frame.columns}
    if "ascofmeasurecode" in header or "measurecode" in header:
        return LONG
    if "measuregroup" in header:
        return EARLIER
    if {"measure", "localauthoritycode"} <= header:
        return OFLOG
    shown = ", ".join(repr(c) for c in list(table.frame.columns)[:12])
    raise SourceDataError(table.path, "is not an ASCOF CSV this source knows: it has neither 'ASCOF measure code' "
                          "(2024-25 onwards), 'Measure Group' (earlier years) nor Oflog's 'Measure' and 'Local "
                          f"authority code'. Its header is: {shown}.", line=table.header_line)


_YEAR_PAIR = re.compile(r"(?<!\d)(20\d{2})\s*(?:[-_/]|\s+to\s+)?\s*(?:20)?(\d{2})(?!\d)", re.I)
_YEAR_SHORT = re.compile(r"(?<!\d)(\d{2})[-_]?(\d{2})(?!\d)")


def year_from_text(text: str) -> int | None:
    """Return the start year of the financial year named in ``text`` (``'ascof-2024-25.csv'`` -> 2024)."""
    for match in _YEAR_PAIR.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 == end:
            return start
    for match in _YEAR_SHORT.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if 10 <= start <= 60 and start + 1 == end:
            return 2000 + start
    return None


def _years(table: RawTable, column: str | None) -> pd.Series:
    """Return the start year of every row: from the year column when given, else from the file name."""
    if column is None:
        year = year_from_text(table.path.name)
        if year is None:
            raise SourceDataError(table.path, "does not say which year it covers: ASCOF CSVs have no year column, "
                                  "so the file name must contain the financial year (e.g. 'ascof-2024-25.csv').")
        return pd.Series(year, index=table.frame.index)
    years = table.frame[column].map(lambda v: year_from_text(str(v)) if pd.notna(v) else None)
    table.fail_first(years.isna().to_numpy(), column, "{value!r} is not a financial year such as 2024-25.")
    return years.astype(int)


def read_ascof(path: Path | str) -> AscofTable:
    """Return the kept measures of one ASCOF file, or raise :class:`SourceDataError` naming row and column."""
    table = read_table(path, missing=("NA", "N/A", "n/a", "NULL", "null"))
    layout = detect_layout(table)
    cols = find_columns(table, VARIANTS[layout], optional=OPTIONAL[layout], what=f"ASCOF {layout}")
    if layout != OFLOG and "year" not in cols:
        year_col = find_columns(table, {"year": YEAR_COLUMN}, optional=("year",)).get("year")
    else:
        year_col = cols.get("year")
    require_rows(table, "ASCOF rows")
    frame = table.frame
    years = _years(table, year_col)
    if layout == OFLOG:
        indicator = _by_unique(frame[cols["measure"]].fillna(""), oflog_indicator)
        level = pd.Series("Council", index=frame.index)
        measure_type = pd.Series("Outcome", index=frame.index)
        code = frame[cols["measure"]]
        sex_age = pd.Series([("Persons", "18+ yrs")] * len(frame), index=frame.index)
        category = pd.Series(None, index=frame.index, dtype=object)
    else:
        code = frame[cols["code"]]
        keyed = years.astype(str) + "\u241f" + code.fillna("")
        indicator = _by_unique(keyed, lambda k: indicator_for(framework_of(int(k.split("\u241f")[0])),
                                                              k.split("\u241f", 1)[1]))
        level = map_labels(table, cols["level"], LEVELS, what="Geographical level")
        measure_type = _by_unique(frame[cols["measure_type"]].fillna(""), lambda v: MEASURE_TYPES.get(normalise(v)))
        label = frame[cols["disaggregation"]].fillna("Total")
        sex_age = _by_unique(label, lambda v: DISAGGREGATIONS.get(normalise(v), ("Persons", "18+ yrs")))
        category = label.where(~_by_unique(label, lambda v: normalise(v) in DISAGGREGATIONS).astype(bool))
    keep = indicator.notna() & measure_type.notna() & ~level.eq("Council type")
    if not keep.any():
        raise SourceDataError(table.path, "holds none of the ASCOF measures this source keeps (quality of life, "
                              "carer-reported quality of life, control over daily life, ease of finding "
                              "information, for people who use services and carers).")
    if layout == EARLIER:
        _check_descriptions(table, cols, indicator, keep)
    values, marked = numbers(table, cols["value"], suppression=MARKERS.keys())
    marker = frame[cols["value"]].str.strip().str.casefold().where(marked)
    note = _by_unique(marker, lambda m: f"Publisher marker '{m}': {MARKERS[m][1]}." if isinstance(m, str) else None)
    note = note.where(marked | values.notna(), BLANK_NOTE)
    rows = pd.DataFrame({
        "indicator_id": indicator, "start_year": years, "level": level, "ons_code": frame[cols["ons_code"]],
        "area_name": frame[cols["area_name"]], "sex": sex_age.map(lambda t: t[0]), "age": sex_age.map(lambda t: t[1]),
        "category": category,
        "measure_type": measure_type, "value": values,
        "suppressed": _by_unique(marker, lambda m: MARKERS[m][0] if isinstance(m, str) else False).astype(bool),
        "note": note, "code": code, "source_row": np.asarray(frame.index, dtype=int) + 1,
    }, index=frame.index)
    return AscofTable(table.path, layout, rows.loc[keep].reset_index(drop=True))


def _check_descriptions(table: RawTable, cols: dict[str, str], indicator: pd.Series, keep: pd.Series) -> None:
    """Raise where a kept code's published description disagrees with the crosswalk (a wrong code mapping)."""
    pairs = indicator.where(keep).fillna("") + "\u241f" + table.frame[cols["description"]].fillna("")
    agrees = _by_unique(pairs, lambda p: not p.startswith("\u241f") and description_agrees(*p.split("\u241f", 1)))
    table.fail_first((keep & ~agrees.astype(bool)).to_numpy(), cols["description"],
                     "{value!r} does not describe the measure its code maps to in the ASCOF crosswalk; check the "
                     "measure code against the year's framework (sources/ascof/measures.py).")


def _by_unique(values: pd.Series, func) -> pd.Series:
    """Return ``func`` applied to each distinct value of ``values`` (files repeat a few labels many times)."""
    distinct = pd.unique(values.to_numpy(dtype=object))
    lookup = {v: func(v) for v in distinct}
    return pd.Series([lookup[v] for v in values.to_numpy(dtype=object)], index=values.index, dtype=object)
