"""PHS end-of-life files -> canonical rows: % of the last six months of life at home or in the community.

PHS publishes no confidence interval. The limits here are computed by the pipeline and are
conservative: the share of a window spent out of hospital is a mean of per-death shares bounded in
[0, 1], whose variance is at most p(1 - p) (Bhatia-Davis), so the Wilson interval for p over the number
of deaths is at least as wide as the true one. They let council areas be compared with Scotland and
their board; the value note says how they were made.

Deaths add up: where a file of council areas or HSCPs comes with the board file (which carries
Scotland), each year's deaths over all areas must equal Scotland's, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema, stats
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs

from .reader import WINDOWS, EolTable, read_eol_file

SOURCE_ID = "phs_end_of_life"
LIMITS_NOTE = ("95% limits computed by the pipeline (PHS publishes none): conservative Wilson interval over the "
               "number of deaths")
AREA_TYPES = {"council_area": "Council area", "hscp": "HSC partnership", "health_board": "Health board"}
COLUMN_LABELS = {"area_code": "CA2011 / HSCP2016 / HBR2014", "period_label": "FinancialYear",
                 "value": "PercentageSpentInHomeCommunity", "denominator": "NumberOfDeaths"}


def indicator_id(window_days: float) -> str:
    """Return the indicator id for a window: six months is the published measure."""
    return "phs_eol_home_community_last_6_months" if window_days == 182.5 else \
        "phs_eol_home_community_last_12_months"


def indicator_name(window_days: float) -> str:
    """Return the indicator's name for a window (PHS's wording)."""
    return f"Percentage of the last {WINDOWS[window_days]} of life spent at home or in a community setting"


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return canonical rows for every council area, HSCP, board and Scotland in the given files."""
    del inputs
    tables = [t for t in (read_eol_file(p) for p in paths) if t is not None]
    if not tables:
        raise SourceDataError(paths[0] if paths else "data_sources/phs_end_of_life",
                              "no PHS end-of-life council-area, HSCP or health-board file was given.")
    _check_totals(tables)
    frames = [_canonical(t) for t in tables]
    out = schema.conform(pd.concat(frames, ignore_index=True))
    out.attrs["windows_days"] = sorted({t.window_days for t in tables})
    return out


def _canonical(item: EolTable) -> pd.DataFrame:
    rows = item.rows.copy()
    p, n = rows["value"].to_numpy(dtype=float) / 100, rows["denominator"].to_numpy(dtype=float)
    _, lower, upper = stats.proportion(p * n, n, 0.95, multiplier=100)
    rows["lower_ci_95"], rows["upper_ci_95"] = lower, upper
    rows["indicator_id"] = indicator_id(item.window_days)
    rows["indicator_name"] = indicator_name(item.window_days)
    rows["area_type"] = np.where(rows["area_code"].eq(geography.SCOTLAND), "Scotland", AREA_TYPES[item.level])
    rows["value_type"], rows["unit"], rows["polarity"] = "proportion", "%", "High is good"
    rows["sex"], rows["age"] = "Persons", "All ages"
    rows["value_note"] = [LIMITS_NOTE if not isinstance(q, str) else f"{q}; {LIMITS_NOTE}" for q in rows["value_note"]]
    rows["source_id"] = SOURCE_ID
    rows["geography_method"] = "direct"
    rows["source_row"] = rows.index.to_numpy() + 1
    rows = rows.drop(columns=["hospital_share", "los"], errors="ignore")
    return add_provenance(rows.reset_index(drop=True), describe_file(item.path))


def _check_totals(tables: list[EolTable]) -> None:
    """Refuse a council-area or HSCP file whose deaths do not add up to Scotland's in the board file."""
    boards = [t for t in tables if t.level == "health_board"]
    if not boards:
        return
    national = boards[0].rows.loc[boards[0].rows["area_code"].eq(geography.SCOTLAND)]
    scotland = national.set_index("period_label")["denominator"]
    for item in tables:
        areas = item.rows.loc[item.rows["area_code"].ne(geography.SCOTLAND)]
        totals = areas.groupby("period_label")["denominator"].sum()
        for year, total in totals.items():
            if year in scotland.index and total != scotland[year]:
                label = areas.index[areas["period_label"].eq(year)][0]
                raise item.table.error(
                    f"the {item.level.replace('_', ' ')} deaths for {year} add up to {total:,.0f}, but Scotland's "
                    f"row in {boards[0].path.name} says {scotland[year]:,.0f}; the files are from different "
                    "releases or one is incomplete.", label=label, column="NumberOfDeaths")
