"""ASCOF measures by council (CASSR), region and England, in the canonical schema.

Every file in any layout (:mod:`.reader`) is read; each kept measure's ``Outcome`` row becomes one
canonical row, with its ``Numerator`` and ``Denominator`` rows as count and denominator. Councils are
the 153 councils with adult social services responsibilities (unitary, metropolitan, London boroughs
and counties), on their ONS codes; retired codes are moved to their successors by the indicator
table. Blank values and the publisher's markers stay as rows with no value and a note saying what the
publisher wrote (``*``/``c`` are marked suppressed). For scores the denominator (respondents) is kept and
the numerator (a sum of scores, not a count of people) is not. ASCOF publishes no confidence intervals and its
survey measures' numerators are weighted estimates, so no limits are computed: comparisons with
England are by value only ("Not compared" by the significance rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.ascof.measures import MEASURES
from landscape_pipeline.sources.ascof.reader import AscofTable, read_ascof
from landscape_pipeline.sources.base import SourceInputs

SOURCE_ID = "ascof"
AREA_TYPES = {"Council": "Local authority", "Region": "Region", "England": "England"}
COLUMN_LABELS = {"area_code": "ONS code", "area_name": "Geographical description",
                 "indicator_id": "ASCOF measure code / Measure Group", "value": "Measure value",
                 "count": "Measure value (Numerator)", "denominator": "Measure value (Denominator)"}
KEY = ["indicator_id", "start_year", "ons_code", "sex", "age", "category"]


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return the canonical ASCOF table from every given file (any layout, any year)."""
    if not paths:
        raise SourceDataError(Path(SOURCE_ID), "no ASCOF file was given.")
    parts = [_canonical(read_ascof(p)) for p in paths]
    rows = pd.concat(parts, ignore_index=True)
    _refuse_overlaps(rows)
    return schema.conform(rows.drop(columns=["_start_year", "_ons_code"]))


def _canonical(table: AscofTable) -> pd.DataFrame:
    """Return one file's outcome rows with numerators and denominators attached, and provenance."""
    rows = table.rows.copy()
    england = rows["level"].eq("England")
    rows.loc[england, "ons_code"] = rows.loc[england, "ons_code"].fillna(geography.ENGLAND)
    _check_codes(table, rows)
    rows["category"] = rows["category"].fillna("")
    duplicated = rows.duplicated([*KEY, "measure_type"], keep="first")
    if duplicated.any():
        first = rows[duplicated].iloc[0]
        raise SourceDataError(table.path, f"gives the {first['measure_type']} of {first['code']} for "
                              f"{first['ons_code']} ({first['sex']}, {first['age']}) twice.",
                              row=int(first["source_row"]), column="Measure type")
    outcome = rows[rows["measure_type"].eq("Outcome")].set_index(KEY)
    for kind, column in (("Numerator", "count"), ("Denominator", "denominator")):
        part = rows[rows["measure_type"].eq(kind)].set_index(KEY)["value"]
        outcome[column] = part.reindex(outcome.index).to_numpy()
    out = outcome.reset_index()
    missing = out["value"].isna()
    out.loc[missing, ["count", "denominator"]] = np.nan  # keep nothing that would reveal a withheld value
    scores = out["indicator_id"].map(lambda i: MEASURES[i].value_type == "score")
    out.loc[scores, "count"] = np.nan  # a score's numerator is a sum of scores, not a count of people
    return add_provenance(_columns(out), describe_file(table.path))


def _check_codes(table: AscofTable, rows: pd.DataFrame) -> None:
    """Raise naming the row where a council's ONS code is not an English LA code the geography knows."""
    council = rows["level"].eq("Council")
    status = geography.classify_area_codes(rows["ons_code"].fillna(""))
    bad = council & ~status.isin(["current_la", "retired_la"]) | council & ~rows["ons_code"].fillna("").str.match(
        r"^E(0[689]|10)\d{6}$")
    bad |= rows["level"].eq("Region") & ~status.eq("region")
    if bad.any():
        first = rows[bad].iloc[0]
        raise SourceDataError(table.path, f"{first['ons_code']!r} ({first['area_name']}) is not the ONS code of an "
                              f"English {'council' if first['level'] == 'Council' else 'region'} the geography knows.",
                              row=int(first["source_row"]), column="ONS code")


def _columns(out: pd.DataFrame) -> pd.DataFrame:
    """Return canonical columns for outcome rows (identifiers, period, labels, notes)."""
    measures = out["indicator_id"].map(MEASURES)
    start = out["start_year"].astype(int)
    frame = pd.DataFrame({
        "indicator_id": out["indicator_id"],
        "indicator_name": measures.map(lambda m: m.name),
        "source_id": SOURCE_ID,
        "area_code": out["ons_code"],
        "area_name": out["ons_code"].map({c: _name(c) for c in out["ons_code"].unique()}).fillna(out["area_name"]),
        "area_type": out["level"].map(AREA_TYPES),
        "period_label": start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2),
        "period_start": pd.to_datetime(start.astype(str) + "-04-01"),
        "period_end": pd.to_datetime((start + 1).astype(str) + "-03-31"),
        "sex": out["sex"], "age": out["age"],
        "category_type": np.where(out["category"].eq(""), None, "Disaggregation level"),
        "category": out["category"].replace("", None),
        "value": out["value"], "count": out["count"], "denominator": out["denominator"],
        "value_type": measures.map(lambda m: m.value_type), "unit": measures.map(lambda m: m.unit),
        "polarity": "High is good",
        "value_note": out["note"],
        "suppressed": out["suppressed"].astype(bool),
        "geography_method": "direct",
        "source_row": out["source_row"],
        "_start_year": start, "_ons_code": out["ons_code"],
    })
    return frame


def _name(code: str) -> str | None:
    try:
        return geography.area_name(code)
    except (KeyError, ValueError):
        return None


def _refuse_overlaps(rows: pd.DataFrame) -> None:
    """Raise when two files give the same measure, area, year and breakdown (e.g. the same year twice)."""
    key = ["indicator_id", "_start_year", "_ons_code", "sex", "age", "category"]
    clash = rows.duplicated(key, keep="first")
    if clash.any():
        second = rows[clash].iloc[0]
        first = rows[(rows[key].fillna("") == second[key].fillna("")).all(axis=1)].iloc[0]
        raise SourceDataError(Path(second["source_file"]), f"gives {second['indicator_id']} for "
                              f"{second['area_code']} in {second['period_label']}, which {first['source_file']} "
                              "already gives; keep one file per year.", row=int(second["source_row"]))
