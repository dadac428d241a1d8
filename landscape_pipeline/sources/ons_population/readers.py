"""Read ONS mid-year population files (MYEB1, MYE2 sheets as CSV, the ONS workbook) into long district rows.

Every file goes through :mod:`landscape_pipeline.tabular` (CSV, ``.csv.gz``, the MYEB1 member of a
``.zip``, or the workbook's sheets read with python-calamine), so blank cells, header variants and
labels follow one set of rules (:mod:`.layouts`). The result of each table is one row per area code x
sex x single year of age x year, with the row, line, sheet and column it came from. Only district
and unitary rows are kept; counties, regions and nations are sums the parser recomputes. Plausibility
is checked here, where the file's row is known: populations are whole, non-negative numbers and no
estimate is for a mid-year after today, and no cell exceeds :data:`UK_POPULATION_LIMIT`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import (
    EXCEL_SUFFIXES,
    RawTable,
    find_columns,
    map_labels,
    normalise,
    numbers,
    parse_floats,
    read_lines,
    read_table,
    require_rows,
    sheet_names,
)

from . import layouts

DATASET_URL = ("https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/"
               "datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland")
SEX_CODES = {"Male": 1, "Female": 2}


@dataclass
class PopulationTable:
    """District rows of one table: ``code, sex (1/2), age (0..90+), year, population, row, line, column``."""

    path: Path
    rows: pd.DataFrame
    code_column: str
    #: The geography date the file states (1 April of its geography year), if it states one.
    declared: date | None = None
    sheet: str | None = None

    def error(self, message: str, position: int | None = None, column: str | None = None) -> SourceDataError:
        """Return a SourceDataError naming this file (and sheet) and, for ``position``, that row's row and line."""
        if position is None:
            return SourceDataError(self.path, message, column=column, sheet=self.sheet)
        row = self.rows.iloc[position]
        return SourceDataError(self.path, message, row=int(row["row"]), line=int(row["line"]),
                               column=column or self.code_column, sheet=self.sheet)


def today() -> date:
    """Return the date checks compare estimate years with (a function, so tests can move it)."""
    return date.today()

#: No area's population (nor the UK's) reaches this; the GX suite uses the same bound.
UK_POPULATION_LIMIT = 80_000_000


def _counts(table: RawTable, columns: list[str]) -> np.ndarray:
    """Return the populations in ``columns`` (rows x columns); the first blank, bad or fractional cell raises.

    All cells are parsed at once; only when one fails is the column read again through
    :func:`~landscape_pipeline.tabular.numbers`, which names the row, line and column.
    """
    cells = pd.Series(table.frame[columns].to_numpy(object).ravel()).astype("str").str.replace(",", "", regex=False)
    values = parse_floats(cells).to_numpy(float).reshape(len(table.frame), len(columns))
    bad = ~np.isfinite(values) | (values < 0) | (values % 1 != 0) | (values > UK_POPULATION_LIMIT)
    if bad.any():
        column = columns[int(bad.any(axis=0).argmax())]
        checked, _ = numbers(table, column, required=True)
        table.fail_first((checked % 1 != 0).to_numpy(), column,
                         "population {value!r} is not a whole number; an estimate counts people.")
        table.fail_first((checked > UK_POPULATION_LIMIT).to_numpy(), column,
                         f"population {{value!r}} is more than the UK's ({UK_POPULATION_LIMIT:,}); it cannot be "
                         "the population of one area.")
    return values


def _long(table: RawTable, keep: np.ndarray, values: np.ndarray, columns: list[str],
          per_row: dict[str, np.ndarray], per_column: dict[str, object]) -> pd.DataFrame:
    """Return one row per kept table row x value column (``per_column`` values: scalars or one per column)."""
    n, k = int(keep.sum()), len(columns)
    index = table.frame.index.to_numpy()[keep]
    out: dict[str, object] = {name: np.repeat(np.asarray(v)[keep], k) for name, v in per_row.items()}
    for name, value in per_column.items():
        out[name] = np.tile(np.asarray(value), n) if np.ndim(value) else value
    out.update(population=values[keep].ravel(), row=np.repeat(index + 1, k),
               line=np.repeat(table.header_line + 1 + index, k), column=np.tile(np.asarray(columns, object), n))
    return pd.DataFrame(out)


def _check_year(path: Path, year: int, column: str | None, sheet: str | None = None) -> None:
    mid_year = date(year, 6, 30)
    if mid_year > today():
        raise SourceDataError(path, f"holds an estimate for mid-{year} (30 June {year}), which is after today "
                                    f"({today().isoformat()}): a future year cannot be an estimate. Remove it or use "
                                    "the published file.", column=column, sheet=sheet, line=None if column else 1)


def _ages(labels: pd.Series, table: RawTable, column: str) -> pd.Series:
    text = labels.str.strip().str.rstrip("+").str.replace(r"\s*and over$", "", regex=True)
    ages = pd.to_numeric(text, errors="coerce")
    table.fail_first((ages.isna() | (ages < 0) | (ages % 1 != 0) | (ages > 120)).to_numpy(), column,
                     "age {value!r} is not a single year of age (0 ... 90+).")
    return ages.clip(upper=90).astype(int)


def read_myeb1(table: RawTable) -> list[PopulationTable]:
    """Return the district rows of a MYEB1 long table (``.csv``, ``.csv.gz`` or the MYEB1 member of a ``.zip``)."""
    path = table.path
    require_rows(table)
    found = find_columns(table, layouts.MYEB1_COLUMNS, what="ONS MYEB1 detailed time series")
    year_columns = [c for c in table.frame.columns if layouts.MYEB1_YEAR.match(normalise(c))]
    if not year_columns:
        raise SourceDataError(path, "has no population_YYYY column; expected the ONS MYEB1 layout ladcodeNN, "
                                    "lanameNN, country, sex, age, population_YYYY...", line=table.header_line)
    sex = map_labels(table, found["sex"], layouts.SEX, what="sex")
    keep = sex.isin(list(SEX_CODES)).to_numpy()  # a Persons row is derived: the parser recomputes it
    ages = _ages(table.frame[found["age"]].astype("str"), table, found["age"])
    codes = table.frame[found["code"]].astype("str").str.strip().str.upper()
    table.fail_first(table.frame[found["code"]].isna().to_numpy(), found["code"], "the area code is empty.")
    years = [int(layouts.MYEB1_YEAR.match(normalise(c))[1]) for c in year_columns]
    for year, column in zip(years, year_columns, strict=True):
        _check_year(path, year, column)
    values = _counts(table, year_columns)
    per_row = {"code": codes.to_numpy(), "sex": sex.map(SEX_CODES).fillna(0).to_numpy(int), "age": ages.to_numpy()}
    rows = _long(table, keep, values, year_columns, per_row, {"year": years})
    return [PopulationTable(path, rows, found["code"], layouts.geography_date_of_column(found["code"]))]


def _mye2_table(path: Path, sheet: str | None, sex_label: str, title: str) -> PopulationTable:
    """Return the district rows of one MYE2 sheet (CSV or workbook) of one sex; ``title``: text above its header."""
    table = read_table(path, sheet=sheet, find_header=("Code", "Name"))
    require_rows(table)
    where = f"{title} {sheet or ''} {path.name}"
    year = layouts.mid_year_of(where)
    if year is None:
        raise SourceDataError(path, "does not say which mid-year it estimates: its title or name should read "
                                    "'mid-YYYY', as the ONS sheet does.", sheet=sheet, line=1)
    _check_year(path, year, None, sheet)
    found = find_columns(table, layouts.MYE2_COLUMNS, optional=("name", "geography"), what="ONS MYE2 sheet")
    age_columns = [c for c in table.frame.columns if layouts.MYE2_AGE.match(str(c).strip())]
    if not age_columns:
        raise SourceDataError(path, "has no single-year-of-age columns (0, 1, ..., 90+) after Code, Name, Geography.",
                              sheet=sheet, line=table.header_line)
    codes = table.frame[found["code"]].astype("str").str.strip().str.upper()
    table.fail_first(table.frame[found["code"]].isna().to_numpy(), found["code"], "the area code is empty.")
    keep = _district_rows(table, codes, found.get("geography"))
    ages = [min(int(layouts.MYE2_AGE.match(str(c).strip())[1]), 90) for c in age_columns]
    rows = _long(table, keep, _counts(table, age_columns), age_columns, {"code": codes.to_numpy()},
                 {"sex": SEX_CODES[sex_label], "age": ages, "year": year})
    return PopulationTable(path, rows, found["code"], layouts.geography_date_of(where), table.sheet)


def _district_rows(table: RawTable, codes: pd.Series, geography_column: str | None) -> np.ndarray:
    """Return which rows are districts/unitaries, checking the ``Geography`` label against the code's tier."""
    tiers = codes.map(geography.tier_of)
    if geography_column is None:
        aggregate = codes.str[:3].isin(layouts.AGGREGATE_ENTITIES) | geography.classify_area_codes(codes).isin(
            ["region", "nation", "health_board"])
        table.fail_first((tiers.isna() & ~aggregate).to_numpy(), table.frame.columns[0],
                         "area code {value!r} is not a UK area code this project knows.")
        return tiers.isin(geography.vintages.DISTRICT_TIERS).to_numpy()
    kind = map_labels(table, geography_column, layouts.AREA_TYPE, what="geography type")
    district = kind.eq("district")
    column = table.frame.columns[0]
    mismatch = district & ~tiers.isin(geography.vintages.DISTRICT_TIERS)
    table.fail_first(mismatch.to_numpy(), column, "area code {value!r} is labelled a district or unitary authority "
                                                  "but is not one in the geography tables.")
    county = ~district & tiers.isin(geography.vintages.DISTRICT_TIERS)
    table.fail_first(county.to_numpy(), column, "area code {value!r} is a district or unitary authority but its "
                                                "Geography label says it is a sum of districts.")
    return district.to_numpy()


def _workbook_sheet(path: Path, names: list[str], sex_label: str) -> str:
    wanted = {normalise(s) for s in layouts.MYE2_SHEETS[sex_label]}
    hits = [n for n in names if normalise(n) in wanted]
    if hits:
        return hits[0]
    sheet = layouts.MYE2_SHEETS[sex_label][0]
    raise SourceDataError(path, f"has no '{sheet}' sheet (its sheets are: {', '.join(names)}). Pass the ONS "
                                "workbook 'Estimates of the population for the UK, England, Wales, Scotland and "
                                f"Northern Ireland' unchanged (download it again from {DATASET_URL}), or save its "
                                "'MYE2 - Males' and 'MYE2 - Females' sheets as CSV and pass those two files.")


def read_population_file(path: Path) -> list[PopulationTable]:
    """Return the district tables of one ONS file: MYEB1 (long), a MYE2 sheet saved as CSV, or the workbook.

    A MYE2 Persons sheet yields no table (Persons is recomputed as Male + Female).
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        names = sheet_names(path)
        sheets = [(_workbook_sheet(path, names, s), s) for s in ("Male", "Female")]
        return [_mye2_table(path, sheet, s, _title(read_lines(path, sheet=sheet))) for sheet, s in sheets]
    head = read_lines(path, member_pattern="myeb1")
    if head and any(normalise(c) in _MYEB1_CODES for c in head[0]):
        return read_myeb1(read_table(path, member_pattern="myeb1"))
    title = _title(head)
    sex_label = layouts.sex_in(f"{title} {path.name}")
    if sex_label is None:
        raise SourceDataError(path, "is neither the ONS MYEB1 layout (ladcodeNN, ..., population_YYYY) nor a MYE2 "
                                    "sheet whose title names Males or Females (Code, Name, Geography, All ages, 0, "
                                    "..., 90+).", line=1)
    if sex_label == "Persons":
        return []
    return [_mye2_table(path, None, sex_label, title)]


_MYEB1_CODES = frozenset(normalise(s) for s in layouts.MYEB1_COLUMNS["code"])


def _title(rows: list[list[str]]) -> str:
    """Return the text of the rows above a MYE2 header (the sheet's title and notes)."""
    wanted = {normalise("Code"), normalise("Name")}
    above = []
    for row in rows:
        if wanted <= {normalise(c) for c in row}:
            break
        above.extend(c for c in row if c)
    return " ".join(above)
