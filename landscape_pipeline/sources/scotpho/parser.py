"""Read ScotPHO online-profile extracts, in every known download layout, into the canonical schema.

ScotPHO has published its data in several layouts whose columns differ in name and order (the old
profiles tool's ``scotpho_data_extract.csv``, the new app's bulk download and trend download, and
the per-indicator ``<name>_shiny.csv`` of its production code). Every column is found by name
through :data:`COLUMNS` (case, spacing and punctuation ignored), never by position, so the
confidence limits are read right whichever order they come in.

Rules: rows are kept for the catalogued indicators (:mod:`.catalogue`) at Scotland, health board,
council area and HSC partnership level; other indicators and geographies are skipped and counted
(``frame.attrs``). ScotPHO's Scotland code S00000001 becomes S92000003 and archived board/HSCP codes
their 2019 successors (retired council-area codes are left for harmonisation to move). A row whose
type definition contradicts the catalogue, whose year lies outside its period, whose period starts
after the build date, or whose percentage disagrees with its numerator and denominator is refused,
naming the file, row and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema, tabular
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography import scotland
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.validation.plausibility import refuse_future_periods

from . import catalogue as cat
from .periods import parse_periods

SOURCE_ID = "scotpho"
#: Our name -> the header spellings ScotPHO has used (see ../shared/reference_data/candidates/scotpho).
COLUMNS: dict[str, tuple[str, ...]] = {
    "area_code": ("area_code", "code", "areacode"),
    "area_type": ("area_type", "areatype"),
    "area_name": ("area_name", "areaname"),
    "indicator": ("indicator", "indicator_name"),
    "ind_id": ("ind_id", "indicator_id"),
    "year": ("year",),
    "period": ("period", "def_period", "definition_period"),
    "trend_axis": ("trend_axis",),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "measure": ("measure", "rate", "value"),
    "lower": ("lower_confidence_interval", "lowci", "lower_ci", "lci"),
    "upper": ("upper_confidence_interval", "upci", "upper_ci", "uci"),
    "type_definition": ("type_definition", "definition"),
    "data_source": ("data_source",),
}
REQUIRED = ("area_code", "measure")
MISSING_TOKENS = (*tabular.COMMON_MISSING, "-", "..")
#: Canonical column -> ScotPHO header, for validation messages.
COLUMN_LABELS = {"area_code": "area_code/code", "indicator_id": "indicator/ind_id", "period_label": "period/trend_axis",
                 "value": "measure/rate", "lower_ci_95": "lower_confidence_interval/lowci",
                 "upper_ci_95": "upper_confidence_interval/upci", "count": "numerator"}
#: Percentage points a published percentage may differ from 100 x numerator / denominator (1 dp rounding).
PERCENT_TOLERANCE = 0.051


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return one canonical frame from ScotPHO extracts (any mix of the known layouts)."""
    del inputs
    if not paths:
        raise SourceDataError("data_sources/scotpho", "no ScotPHO extract was given; download one from the "
                                                      "ScotPHO profiles tool and put it in data_sources/scotpho/.")
    frames, skipped = [], {"other_indicators": 0, "other_geographies": 0}
    for path in paths:
        frame, counts = read_scotpho_extract(path)
        frames.append(frame)
        for key, value in counts.items():
            skipped[key] += value
    out = schema.conform(pd.concat(frames, ignore_index=True))
    out.attrs["skipped_rows"] = skipped
    return out


def read_scotpho_extract(path: Path | str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return (canonical rows, counts of skipped rows) for one ScotPHO extract."""
    table = tabular.read_table(path, missing=MISSING_TOKENS)
    cols = tabular.find_columns(table, COLUMNS, optional=set(COLUMNS) - set(REQUIRED), what="ScotPHO extract")
    if "indicator" not in cols and "ind_id" not in cols:
        raise table.error("has neither an 'indicator' nor an 'ind_id' column; it is not a ScotPHO extract "
                          "this source knows.")
    if "period" not in cols and "trend_axis" not in cols:
        raise table.error("has no period column ('period', 'def_period' or 'trend_axis').")
    tabular.require_rows(table)
    frame = table.frame
    keys = _indicator_keys(table, cols)
    kinds = _area_kinds(table, cols)
    keep = keys.notna() & kinds.notna()
    counts = {"other_indicators": int(keys.isna().sum()), "other_geographies": int((keys.notna() & kinds.isna()).sum())}
    if not keep.any():
        return schema.empty_frame(), counts
    sub = tabular.RawTable(table.path, frame.loc[keep], table.header_line, table.sheet)
    keys, kinds = keys[keep], kinds[keep]
    entries = keys.map(cat.BY_KEY)
    out = pd.DataFrame(index=sub.frame.index)
    out["indicator_id"] = entries.map(lambda e: e.indicator_id)
    out["indicator_name"] = entries.map(lambda e: e.name)
    out["area_code"], out["area_name"], out["attribution_note"] = _area_codes(sub, cols["area_code"], kinds)
    out["area_type"] = kinds
    out = out.join(_periods(sub, cols))
    _check_types(sub, cols, entries)
    values = {}
    for name, column in (("value", "measure"), ("lower_ci_95", "lower"), ("upper_ci_95", "upper"),
                         ("count", "numerator"), ("denominator", "denominator")):
        if column in cols:
            values[name], _ = tabular.numbers(sub, cols[column], suppression=tabular.COMMON_SUPPRESSION)
            out[name] = values[name]
    _check_percentages(sub, cols, entries, out)
    for column in ("value_type", "unit", "polarity", "sex", "age"):
        out[column] = entries.map(lambda e, c=column: getattr(e, c))
    out["value_note"] = np.where(out["value"].isna(), "No value published by ScotPHO", None)
    out["source_id"] = SOURCE_ID
    out["geography_method"] = "direct"
    out["source_row"] = out.index.to_numpy() + 1
    out = add_provenance(out.reset_index(drop=True), describe_file(table.path))
    return schema.conform(out), counts


def _lookup(labels: pd.Series, synonyms: dict[str, str]) -> pd.Series:
    """Return each label mapped through a synonym table, matched in full by normalised text (NA if unknown)."""
    found = {label: synonyms.get(tabular.normalise(label)) for label in labels.dropna().unique()}
    return labels.map(found)


def _indicator_keys(table: tabular.RawTable, cols: dict[str, str]) -> pd.Series:
    """Return each row's catalogue key (NA for indicators not catalogued); name and number must agree."""
    frame = table.frame
    by_name = by_id = None
    if "indicator" in cols:
        by_name = _lookup(frame[cols["indicator"]], cat.NAMES)
    if "ind_id" in cols:
        ids, _ = tabular.numbers(table, cols["ind_id"])
        by_id = ids.map(lambda v: cat.BY_IND_ID[int(v)].key if pd.notna(v) and int(v) in cat.BY_IND_ID else None)
    if by_name is not None and by_id is not None:
        clash = by_name.notna() & by_id.notna() & by_name.ne(by_id)
        table.fail_first(clash.to_numpy(), cols["indicator"], "indicator {value!r} does not match its ind_id; the "
                                                              "extract mixes up indicators.")
        return by_name.fillna(by_id)
    return by_name if by_name is not None else by_id


def _area_kinds(table: tabular.RawTable, cols: dict[str, str]) -> pd.Series:
    """Return Scotland / Health board / Council area / HSC partnership per row by its code (NA: skipped).

    Where an area type column exists, a kept code whose published type names another kept kind is refused.
    """
    codes = table.frame[cols["area_code"]].str.upper()
    kinds = pd.Series(None, index=codes.index, dtype=object)
    kinds[codes.isin([cat.SCOTPHO_SCOTLAND, geography.SCOTLAND])] = "Scotland"
    kinds[codes.str.match(r"^S08\d{6}$", na=False)] = "Health board"
    kinds[codes.str.match(r"^S12\d{6}$", na=False)] = "Council area"
    kinds[codes.str.match(r"^S37\d{6}$", na=False)] = "HSC partnership"
    table.fail_first(codes.isna().to_numpy(), cols["area_code"], "the area code is empty.")
    if "area_type" in cols:
        published = _lookup(table.frame[cols["area_type"]], cat.AREA_TYPES)
        clash = kinds.notna() & published.notna() & published.ne(kinds)
        table.fail_first(clash.to_numpy(), cols["area_type"],
                         "area type {value!r} does not fit the area code in this row; the columns are misaligned.")
    return kinds


def _area_codes(table: tabular.RawTable, column: str, kinds: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return (canonical codes, names, notes): Scotland as S92000003, archived boards and HSCPs recoded."""
    raw = table.frame[column].str.upper()
    mapping, names, notes = {}, {}, {}
    for code, kind in zip(raw, kinds, strict=True):
        if code in mapping:
            continue
        try:
            if kind == "Scotland":
                current = geography.SCOTLAND
            elif kind == "HSC partnership":
                current = scotland.resolve_hscp_code(code)
            else:
                current = geography.resolve_area_code(code) if kind == "Health board" else code
                geography.area_name(current)
        except geography.AreaCodeError:
            current = None
        mapping[code] = current
        if current is not None:
            names[code] = (scotland.partnership(current).area_name if kind == "HSC partnership"
                           else geography.area_name(current))
            if current != code and code != cat.SCOTPHO_SCOTLAND and kind != "Council area":
                notes[code] = f"Published under archived code {code}"
    codes = raw.map(mapping)
    table.fail_first(codes.isna().to_numpy(), column,
                     "area code {value!r} is not a Scottish council area, HSCP, health board or Scotland code "
                     "known to data_sources/geography.")
    return codes, raw.map(names), raw.map(notes)


def _periods(table: tabular.RawTable, cols: dict[str, str]) -> pd.DataFrame:
    """Return the canonical period columns; refuse unreadable, future or year-contradicting periods."""
    column = cols.get("period", cols.get("trend_axis"))
    texts = table.frame[column]
    if "trend_axis" in cols and "period" in cols:
        texts = texts.fillna(table.frame[cols["trend_axis"]])
    periods = parse_periods(texts)
    table.fail_first(periods["period_label"].isna().to_numpy(), column,
                     "{value!r} is not a ScotPHO time period (e.g. '2019 to 2021 calendar years; 3-year "
                     "aggregates', '2021/22 financial year', '2019-2021').")
    refuse_future_periods(table, periods["period_start"], column)
    if "year" in cols:
        year, _ = tabular.numbers(table, cols["year"])
        outside = year.notna() & ((year < periods["period_start"].dt.year) | (year > periods["period_end"].dt.year))
        table.fail_first(outside.to_numpy(), cols["year"], "year {value!r} lies outside the row's period; the year "
                                                           "and period columns do not belong together.")
    return periods


def _check_types(table: tabular.RawTable, cols: dict[str, str], entries: pd.Series) -> None:
    """Refuse a row whose published type definition contradicts the catalogued value type."""
    if "type_definition" not in cols:
        return
    published = _lookup(table.frame[cols["type_definition"]], cat.TYPE_DEFINITIONS)
    expected = entries.map(lambda e: e.value_type)
    clash = published.notna() & published.ne(expected)
    table.fail_first(clash.to_numpy(), cols["type_definition"],
                     "type definition {value!r} is not what this indicator publishes; the row is misaligned or "
                     "the indicator was redefined.")


def _check_percentages(table: tabular.RawTable, cols: dict[str, str], entries: pd.Series, out: pd.DataFrame) -> None:
    """Refuse percentages outside 0-100, and ones that disagree with numerator / denominator."""
    percent = entries.map(lambda e: e.value_type == "proportion").to_numpy(dtype=bool)
    value = out["value"].to_numpy(dtype=float)
    table.fail_first(percent & ((value < 0) | (value > 100)), cols["measure"],
                     "{value!r} is a percentage outside 0-100.")
    if "numerator" in cols and "denominator" in cols:
        with np.errstate(invalid="ignore", divide="ignore"):
            implied = 100 * out["count"].to_numpy(dtype=float) / out["denominator"].to_numpy(dtype=float)
        off = percent & np.isfinite(implied) & np.isfinite(value) & (np.abs(implied - value) > PERCENT_TOLERANCE)
        table.fail_first(off, cols["measure"], "{value!r} is not 100 x numerator / denominator (to 1 decimal).")
