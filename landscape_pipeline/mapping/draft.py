"""``landscape map init``: draft a mapping from a file's header and rows, leaving TODOs for what it cannot tell.

Guesses, by rule: the header row (the first row as wide as the widest of the top rows, so title rows
are skipped); canonical columns from header names (case, spacing and punctuation ignored); a wide
shape when several headers are periods; the period format from the period texts; the geography level
from the codes' shape; one indicator rule per distinct indicator text. What only the analyst knows -
title, publisher, code vintage, definitions, units, value types, polarity, the disclosure rule - is
left as ``TODO: ...``, which ``landscape map check`` refuses until it is replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from landscape_pipeline import tabular
from landscape_pipeline.disclosure import RULES
from landscape_pipeline.mapping import periods
from landscape_pipeline.tabular import normalise
from landscape_pipeline.validation.suite import POLARITIES, VALUE_TYPES

#: Canonical column -> header spellings (normalised) that suggest it.
NAMES: dict[str, tuple[str, ...]] = {
    "area_code": ("areacode", "code", "gsscode", "lacode", "ladcode", "geographycode", "onscode", "areacd", "wardcode"),
    "area_name": ("areaname", "name", "area", "geography", "geographyname", "laname", "wardname"),
    "area_type": ("areatype", "type", "geographytype"),
    "indicator": ("indicator", "indicatorname", "measure", "indicatorlabel", "metric"),
    "period": ("period", "timeperiod", "year", "date", "month", "quarter", "financialyear"),
    "value": ("value", "rate", "percentage", "percent", "ratio"),
    "count": ("count", "numerator", "number", "n", "cases"),
    "denominator": ("denominator", "denom", "population"),
    "lower_ci_95": ("lowerci", "lowerci95", "lowerci95limit", "lowerci950limit", "lci", "lower95", "lowercl",
                    "lower95ci"),
    "upper_ci_95": ("upperci", "upperci95", "upperci95limit", "upperci950limit", "uci", "upper95", "uppercl",
                    "upper95ci"),
    "lower_ci_99_8": ("lowerci998", "lowerci998limit", "lower998"),
    "upper_ci_99_8": ("upperci998", "upperci998limit", "upper998"),
    "sex": ("sex", "gender"),
    "age": ("age", "agegroup", "ageband"),
    "value_note": ("note", "notes", "valuenote"),
}
_GSS = re.compile(r"^[EWSNK]\d{8}$")
_LEVELS = (("ward", re.compile(r"^(E05|W05|S13|N08)\d{6}$")), ("lsoa", re.compile(r"^(E01|W01)\d{6}$")),
           ("la", re.compile(r"^(E0[6-9]|E1[02]|E92|S12|S92|W06|W92|N09|N92)\d{6}$")))


def todo(what: str) -> str:
    """Return a TODO marker the check refuses."""
    return f"TODO: {what}"


def header_row(head: list[list[str | None]]) -> int:
    """Return the 0-based header row: the first row as wide as the widest of the top rows."""
    widths = [sum(c is not None for c in row) for row in head[:20]]
    return widths.index(max(widths)) if widths else 0


def _by_name(columns: list[str]) -> dict[str, str]:
    by_norm = {normalise(c): c for c in reversed(columns) if c}
    found: dict[str, str] = {}
    for field, spellings in NAMES.items():
        hit = next((by_norm[s] for s in spellings if s in by_norm and by_norm[s] not in found.values()), None)
        if hit:
            found[field] = hit
    return found


def _gss_column(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        values = frame[column].dropna().astype(str).str.strip()
        if len(values) and values.str.match(_GSS).mean() >= 0.9:
            return column
    return None


def _level(codes: pd.Series) -> str | None:
    sample = codes.dropna().astype(str).str.strip().str.upper()
    for level, pattern in _LEVELS:
        if len(sample) and sample.str.match(pattern).any():
            return level
    return None


def _slug(text: str) -> str:
    slug = re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_")[:60].rstrip("_")
    return f"local_{slug or 'indicator'}"


def draft(path: Path | str, *, sheet: str | None = None) -> dict:
    """Return a draft mapping (a dict ready for YAML) for ``path``."""
    path = Path(path)
    head = tabular.read_head(path, sheet=sheet)
    row = header_row(head)
    table = tabular.read_table(path, sheet=sheet, header_row=row)
    tabular.require_rows(table)
    frame = table.frame
    columns = [str(c) for c in frame.columns]
    fills = _by_name(columns)
    code_column = fills.get("area_code") or _gss_column(frame)
    site_column = next((c for c in columns if normalise(c) in ("site", "sitename")), None)
    period_headers = [c for c in columns if periods.guess_format([c])]
    wide = len(period_headers) >= 2 and "period" not in fills
    out: dict = {"title": todo("what the file holds, in a line"), "publisher": todo("who produced it")}
    reader: dict = {"file": path.name}
    if table.sheet:
        reader["sheet"] = table.sheet
    reader["header_row"] = row + 1
    out["reader"] = reader
    if wide:
        out["shape"] = {"kind": "wide", "columns": period_headers, "headers_are": "period"}
        fills.pop("value", None)
    mapped: dict[str, object] = {}
    mapped["area_code"] = code_column or site_column or todo("the column holding area codes")
    for field in NAMES:
        if field != "area_code" and field in fills and not (wide and field == "period"):
            mapped[field] = fills[field]
    if "indicator" not in mapped:
        mapped["indicator"] = {"constant": todo("the indicator's name (the file holds one indicator)")}
    if not wide and "value" not in mapped:
        mapped["value"] = todo("the column holding the values")
    out["columns"] = mapped
    texts = period_headers if wide else (frame[fills["period"]].dropna().astype(str).unique()[:200].tolist()
                                         if "period" in fills else [])
    out["period"] = {"format": periods.guess_format(texts) or todo(f"one of {', '.join(periods.FORMATS)}")}
    level = "site" if site_column and not code_column else (_level(frame[code_column]) if code_column else None)
    geography: dict[str, object] = {"level": level or todo("la, ward, lsoa, health_board or site")}
    if level != "site":
        geography["vintage"] = todo("year of the area codes' vintage (e.g. 2023 for LAD23 codes)")
    geography["roll_up"] = "not_allowed" if level != "site" else "sum_counts"
    out["geography"] = geography
    indicator = mapped["indicator"]
    names = (frame[indicator].dropna().astype(str).unique()[:50].tolist() if isinstance(indicator, str)
             else [todo("the same name as columns.indicator.constant")])
    out["indicators"] = [{"match": name, "id": _slug(name) if not name.startswith("TODO") else todo("indicator id"),
                          "definition": todo("what is measured, in a sentence"), "unit": todo("e.g. %, per 100,000"),
                          "value_type": todo(" / ".join(VALUE_TYPES)), "polarity": todo(" / ".join(POLARITIES))}
                         for name in names]
    out["disclosure"] = todo(" / ".join(RULES))
    return out


def draft_text(path: Path | str, *, sheet: str | None = None) -> str:
    """Return the draft mapping as YAML with a header saying what to do next."""
    body = yaml.safe_dump(draft(path, sheet=sheet), sort_keys=False, allow_unicode=True, width=110)
    count = body.count("TODO")
    return (f"# Draft mapping for {Path(path).name}, written by `landscape map init`.\n"
            f"# Replace the {count} TODO value(s), check the guesses, then run `landscape map check` on this folder.\n"
            "# Every key is described in the JSON Schema printed by `landscape map schema`.\n" + body)
