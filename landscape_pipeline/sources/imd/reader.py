"""Read IoD2019 local-authority summaries (File 10 lower tier, File 11 upper tier) as MHCLG publishes them.

Through :mod:`landscape_pipeline.tabular`: the workbook itself (.xlsx, sheets ``IMD`` and ``Income``,
read with python-calamine) or one sheet saved as CSV. Files are recognised by their headers:

* ``IMD`` sheet: the area code, its name and the ``IMD - ...`` summary columns;
* ``Income`` sheet (optional): ``Income - Average score`` and ``Income scale``, whose ratio is the
  IoD's own population denominator of each district (mid-2015, excluding prisoners).

Header variants across editions are in :data:`HEADER_VARIANTS` (the year in brackets may change,
e.g. ``(2024)``; MHCLG writes some prefixes as ``IMD 2019 - ``; headers keep trailing spaces); all are
matched ignoring case, spacing and punctuation. A publisher's erratum is mended only through the
reviewed :mod:`landscape_pipeline.corrections` table. Plausibility: scores within 0-100, proportions
within 0-1, each published rank within 1..the number of areas in the file, one row per area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import corrections
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import (
    EXCEL_SUFFIXES,
    RawTable,
    find_columns,
    numbers,
    read_table,
    require_rows,
)

SOURCE_ID = "imd"
SUPPRESSION = ("*", "..", ":", "-", "x")
_YEAR = re.compile(r"\((?P<year>\d{4})\)")
#: Our name -> header spellings per edition (IoD2019 File 10/11 "IMD" and "Income" sheets).
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "lower_code": ("Local Authority District code (2019)", "Local Authority District code (2024)",
                   "Local Authority District code (2025)"),
    "upper_code": ("Upper Tier Local Authority District code (2019)", "Upper Tier Local Authority code (2019)"),
    "lower_name": ("Local Authority District name (2019)", "Local Authority District name (2024)",
                   "Local Authority District name (2025)"),
    "upper_name": ("Upper Tier Local Authority District name (2019)", "Upper Tier Local Authority name (2019)"),
    "score": ("IMD - Average score", "IMD 2019 - Average score"),
    "published_rank": ("IMD - Rank of average score", "IMD 2019 - Rank of average score"),
    "proportion": ("IMD - Proportion of LSOAs in most deprived 10% nationally",
                   "IMD 2019 - Proportion of LSOAs in most deprived 10% nationally"),
    "income_score": ("Income - Average score",),
    "income_scale": ("Income scale", "Income - Scale"),
}
IMD_SHEET, INCOME_SHEET = "IMD", "Income"


@dataclass(frozen=True)
class Table:
    """One recognised sheet: its tier (lower, upper), kind (imd, income), edition year and rows.

    ``frame`` has ``code, name, source_row`` and, for ``imd``, ``score, published_rank, proportion``;
    for ``income``, ``population`` (Income scale / Income average score).
    """

    path: Path
    tier: str
    kind: str
    year: str
    frame: pd.DataFrame
    sheet: str | None = None
    code_column: str = ""
    applied: list[corrections.AppliedCorrection] = field(default_factory=list)

    @property
    def notes(self) -> dict[int, str]:
        """Return {1-based data row: correction note} for rows mended from the corrections table."""
        return {label + 1: note for label, note in corrections.notes_by_row(self.applied).items()}


def read_tables(path: Path | str) -> list[Table]:
    """Return the IoD sheets in ``path``: the IMD sheet (and Income sheet) of a workbook, or one CSV sheet."""
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        tables = [read_sheet(read_table(path, sheet=IMD_SHEET))]
        try:
            income = read_table(path, sheet=INCOME_SHEET)
        except SourceDataError:
            return tables  # a workbook without the Income sheet gives no denominators; weights come elsewhere
        return [*tables, read_sheet(income)]
    return [read_sheet(read_table(path))]


def read_sheet(raw: RawTable) -> Table:
    """Return one sheet as a :class:`Table`, or raise :class:`SourceDataError` naming file, row and column."""
    applied = corrections.apply_corrections(raw, SOURCE_ID)
    found = find_columns(raw, HEADER_VARIANTS, optional=HEADER_VARIANTS, what="IoD local authority summary")
    tier = "upper" if "upper_code" in found else "lower"
    code_col, name_col = found.get(f"{tier}_code"), found.get(f"{tier}_name")
    if code_col is None:
        raise SourceDataError(raw.path, "has no 'Local Authority District code (2019)' column; it is not an IoD "
                              "local authority summary (File 10 or File 11, 'IMD' or 'Income' sheet).",
                              sheet=raw.sheet, line=raw.header_line)
    if {"score", "proportion"} <= set(found):
        kind = "imd"
    elif {"income_score", "income_scale"} <= set(found):
        kind = "income"
    else:
        raise SourceDataError(raw.path, "has neither the IMD summary columns ('IMD - Average score', 'IMD - "
                              "Proportion of LSOAs in most deprived 10% nationally') nor the Income ones ('Income - "
                              "Average score', 'Income scale'). Use the 'IMD' sheet of the IoD summaries unchanged.",
                              sheet=raw.sheet, line=raw.header_line)
    require_rows(raw, "local authority rows")
    year_match = _YEAR.search(code_col)
    codes = raw.frame[code_col].fillna("").str.upper()
    raw.fail_first(codes.eq("").to_numpy(), code_col, "the area code is blank; every row names its local authority.")
    raw.fail_first(codes.duplicated().to_numpy(), code_col, "{value} appears twice; one row per area.")
    out = pd.DataFrame({"code": codes, "name": raw.frame[name_col] if name_col else None,
                        "source_row": raw.frame.index.to_numpy() + 1}, index=raw.frame.index)
    if kind == "imd":
        _imd_measures(raw, found, out)
    else:
        _income_denominators(raw, found, out)
    return Table(raw.path, tier, kind, year_match["year"] if year_match else "2019", out.reset_index(drop=True),
                 raw.sheet, code_col, applied)


def _value(raw: RawTable, column: str, *, required: bool = True) -> pd.Series:
    values, _ = numbers(raw, column, required=required, suppression=SUPPRESSION if not required else ())
    return values


def _imd_measures(raw: RawTable, found: dict[str, str], out: pd.DataFrame) -> None:
    out["score"] = _value(raw, found["score"])
    raw.fail_first((out["score"] > 100).to_numpy(), found["score"],
                   "{value} is not an IMD average score; scores lie between 0 and 100.")
    out["proportion"] = _value(raw, found["proportion"])
    raw.fail_first((out["proportion"] > 1).to_numpy(), found["proportion"],
                   "{value} is not a proportion between 0 and 1.")
    if "published_rank" in found:
        rank = _value(raw, found["published_rank"], required=False)
        size = len(out)
        raw.fail_first(((rank < 1) | (rank > size) | (rank % 1 != 0)).to_numpy(), found["published_rank"],
                       f"{{value}} is not a rank of the {size} areas in this file (1 to {size}).")
        out["published_rank"] = rank
    else:
        out["published_rank"] = np.nan


def _income_denominators(raw: RawTable, found: dict[str, str], out: pd.DataFrame) -> None:
    score, scale = _value(raw, found["income_score"]), _value(raw, found["income_scale"])
    raw.fail_first(((score <= 0) | (score > 1)).to_numpy(), found["income_score"],
                   "{value} is not an Income average score (a proportion above 0 and at most 1).")
    out["population"] = scale / score
    out["income_scale"] = scale

