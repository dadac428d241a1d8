"""Write tables for people: CSV, Parquet, JSON (with a metadata envelope) and Excel, safely.

* Text cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
  carriage return) get a leading apostrophe, in CSV, JSON and Excel alike (OWASP "CSV injection").
  Numbers are numbers and are never touched.
* ``--out`` must be a file outside the data root (so an export can never replace a baseline, a
  frozen set or a staged source) and not a folder; every file is written atomically by
  :mod:`landscape_pipeline.storage`, so a failed export leaves no half file.
* Excel is written by XlsxWriter directly (write-only, pure Python, no dependencies) with formulas
  and URLs taken as text; sheets: ``data``, ``indicators`` (the catalogue rows of the indicators present)
  and ``notes`` (the metadata and notes). The project reads Excel with python-calamine, so no
  reader/writer library (openpyxl) is needed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import xlsxwriter

from landscape_pipeline.errors import LandscapeError
from landscape_pipeline.storage import write_bytes_atomic, write_parquet_atomic

FORMATS: tuple[str, ...] = ("csv", "parquet", "json", "xlsx")
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
SHEET_ROWS = 1_048_575  # Excel's row limit less the header


class ExportPathError(LandscapeError):
    """``--out`` names a place an export may not be written."""


def neutralise(text: object) -> object:
    """Return ``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(text, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every text cell neutralised (column names too).

    The text columns are read as one plain object array and scanned in Python (pandas' per-column
    access costs a fraction of a millisecond per column, which dominates small tables such as a
    summary page's download); a column is replaced only when one of its cells needs an apostrophe.
    """
    out = frame.copy()
    if frame.columns.is_unique:
        text = [i for i, dtype in enumerate(frame.dtypes) if _is_text(frame, i, dtype)]
        every = len(text) == frame.shape[1]
        cells = (frame if every else frame.iloc[:, text]).to_numpy(dtype=object) if text else None
        for j, position in enumerate(text):
            if any(_is_formula(v) for v in cells[:, j]):
                _replace(out, position)
    else:  # duplicate names: column by column, each as ``out`` now holds it
        for position, dtype in enumerate(frame.dtypes):
            if _is_text(out, position, dtype) and any(_is_formula(v) for v in
                                                      out.iloc[:, position].to_numpy(dtype=object)):
                _replace(out, position)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _is_text(frame: pd.DataFrame, position: int, dtype: object) -> bool:
    """Return whether a column holds text, as ``is_string_dtype`` of the column (or object dtype) says."""
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return True
    if getattr(dtype, "kind", "") == "O" and not isinstance(dtype, pd.StringDtype):
        return pd.api.types.is_string_dtype(frame.iloc[:, position])  # e.g. categorical: decided by content
    return pd.api.types.is_string_dtype(dtype)


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _replace(out: pd.DataFrame, position: int) -> None:
    """Neutralise one column of ``out`` in place (keeping its dtype)."""
    series = out.iloc[:, position]
    fixed = [neutralise(v) for v in series.to_numpy(dtype=object)]
    out[out.columns[position]] = pd.Series(fixed, index=out.index, dtype=series.dtype)


def check_out_path(out: Path | str, data_root: Path) -> Path:
    """Return ``out`` resolved, or raise :class:`ExportPathError` if it is a folder or inside the data root."""
    text = str(out)
    path = Path(out).expanduser()
    if text.endswith(("/", "\\")) or path.is_dir():
        raise ExportPathError(f"--out {text} is a folder; give a file name, e.g. {Path(text) / 'export.xlsx'}.")
    resolved = path.resolve()
    root = Path(data_root).expanduser().resolve()
    if resolved == root or root in resolved.parents:
        raise ExportPathError(f"--out {text} is inside the data root {root}; exports are written elsewhere so "
                              "they can never replace a baseline, a frozen set or a staged file.")
    return resolved


def json_text(frame: pd.DataFrame, metadata: Mapping[str, object],
              dictionary: pd.DataFrame | None = None) -> str:
    """Return ``{"metadata": ..., "indicators": [...], "data": [...]}`` as indented JSON."""
    body: dict[str, object] = {"metadata": dict(metadata)}
    if dictionary is not None:
        body["indicators"] = _records(neutralise_frame(dictionary))
    body["data"] = _records(neutralise_frame(frame))
    return json.dumps(body, indent=1, default=str, ensure_ascii=False) + "\n"


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    text = frame.to_json(orient="records", date_format="iso", date_unit="s")
    return json.loads(text)


def csv_text(frame: pd.DataFrame) -> str:
    """Return the frame as CSV with text cells neutralised."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n")


def xlsx_bytes(frame: pd.DataFrame, metadata: Mapping[str, object], dictionary: pd.DataFrame | None = None,
               notes: Sequence[str] = ()) -> bytes:
    """Return an Excel workbook: ``data``, ``indicators`` and ``notes`` sheets, text neutralised.

    Written with XlsxWriter directly (pandas' Excel writer costs about 0.1 s per small workbook);
    numbers and booleans stay numbers and booleans, missing values are empty cells, date-times lose
    their time zone (Excel has none).
    """
    if len(frame) > SHEET_ROWS:
        raise LandscapeError(f"{len(frame):,} rows do not fit one Excel sheet ({SHEET_ROWS:,}); "
                             "filter the pull or use --format parquet or csv.")
    sheets = [("data", *_frame_cells(frame))]
    if dictionary is not None:
        sheets.append(("indicators", *_frame_cells(dictionary)))
    return _workbook(sheets, metadata, notes)


def xlsx_rows(header: Sequence[str], rows: Sequence[Sequence[object]], metadata: Mapping[str, object],
              notes: Sequence[str] = ()) -> bytes:
    """Return the workbook :func:`xlsx_bytes` writes for a plain object table of ``rows`` (a ``data`` sheet and
    ``notes``), without building a DataFrame: cells are Python values, text is neutralised the same way."""
    columns = [_excel_values([neutralise(v) for v in cells]) for cells in zip(*rows, strict=True)] if rows else \
        [[] for _ in header]
    return _workbook([("data", _neutralised_header(header), columns)], metadata, notes)


def csv_rows(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return what :func:`csv_text` gives for a plain object table of ``rows`` (missing values blank)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_neutralised_header(header))
    writer.writerows([["" if _missing(v) else neutralise(v) for v in row] for row in rows])
    return out.getvalue()


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


Sheet = tuple[str, list[str], list[list[object]]]  # name, header, columns of Excel-ready values


def _workbook(sheets: list[Sheet], metadata: Mapping[str, object], notes: Sequence[str]) -> bytes:
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False, "nan_inf_to_errors": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        stamp = _built_at(metadata)
        if stamp is not None:  # the workbook's created/modified time is the build's, so a rebuild is byte-identical
            book.set_properties({"created": stamp})
        formats = {"header": book.add_format({"bold": True, "border": 1, "align": "center", "valign": "top"}),
                   "date": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
        for sheet in sheets:
            _sheet(book, formats, *sheet)
        _sheet(book, formats, "notes", *_notes_cells(metadata, notes))
    return buffer.getvalue()


def _notes_cells(metadata: Mapping[str, object], notes: Sequence[str]) -> tuple[list[str], list[list[object]]]:
    """Return the ``notes`` sheet's header and columns: one row per metadata item, then one per note."""
    items = [*metadata, *(["note"] * len(notes))]
    values = [*(_plain(v) for v in metadata.values()), *notes]
    if all(isinstance(i, str) for i in items) and any(isinstance(v, str) for v in values):
        return _neutralised_header(["item", "value"]), [_excel_values([neutralise(i) for i in items]),
                                                        _excel_values([neutralise(v) for v in values])]
    return _frame_cells(pd.DataFrame({"item": items, "value": values}, columns=["item", "value"]))


def _neutralised_header(names: Sequence[object]) -> list[str]:
    return [neutralise(str(c)) for c in names]


def _frame_cells(frame: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    safe = neutralise_frame(frame)
    return [str(c) for c in safe.columns], _excel_columns(safe)


def _built_at(metadata: Mapping[str, object]) -> datetime | None:
    """Return the metadata's ``built_at`` as a naive UTC datetime, or None when absent or unreadable."""
    value = metadata.get("built_at")
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()


def _sheet(book: xlsxwriter.Workbook, formats: dict, name: str, header: Sequence[str],
           columns: Sequence[list[object]]) -> None:
    """Write one sheet column by column (the shared-string order XlsxWriter records follows the writes)."""
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    write_string, write_number, write_boolean = sheet.write_string, sheet.write_number, sheet.write_boolean
    for number, (column, cells) in enumerate(zip(header, columns, strict=True)):
        write_string(0, number, column, formats["header"])
        for row, value in enumerate(cells, start=1):
            kind = type(value)
            if value is None:
                continue
            if kind is str:
                write_string(row, number, value)
            elif kind is float or kind is int:
                write_number(row, number, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, number, value, formats["date"])
            elif isinstance(value, bool):
                write_boolean(row, number, value)
            elif isinstance(value, (int, float)):
                write_number(row, number, value)
            else:
                write_string(row, number, str(value))
        lengths = sorted(len(str(v)) for v in cells[:500] if v is not None)
        typical = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
        sheet.set_column(number, number, min(60, max(10, len(column) + 2, typical + 2)))


def _excel_columns(frame: pd.DataFrame) -> list[list[object]]:
    """Return every column as :func:`_excel_cells` gives it; plain object columns are read as one array."""
    objects = [i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, np.dtype) and dtype.kind == "O"]
    block = frame.iloc[:, objects].to_numpy(dtype=object) if objects else None
    where = {position: j for j, position in enumerate(objects)}
    return [_excel_values(block[:, where[i]]) if i in where else _excel_cells(frame.iloc[:, i])
            for i in range(frame.shape[1])]


def _excel_cells(series: pd.Series) -> list[object]:
    """Return a column as Python values for Excel: None for missing, naive datetimes, plain numbers."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    return _excel_values(series.to_numpy(dtype=object))


def _excel_values(values: Sequence[object]) -> list[object]:
    out = []
    for value in values:
        if _missing(value):
            out.append(None)
        elif isinstance(value, np.generic):
            out.append(value.item())
        elif isinstance(value, pd.Timestamp):
            out.append(value.tz_convert("UTC").tz_localize(None).to_pydatetime() if value.tzinfo
                       else value.to_pydatetime())
        elif isinstance(value, float) and value in (float("inf"), float("-inf")):
            out.append(str(value))
        else:
            out.append(value)
    return out


def _plain(value: object) -> object:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def write_export(frame: pd.DataFrame, out: Path, fmt: str, *, metadata: Mapping[str, object],
                 dictionary: pd.DataFrame | None = None, notes: Sequence[str] = ()) -> Path:
    """Write ``frame`` to ``out`` (already checked by :func:`check_out_path`) atomically in ``fmt``."""
    if fmt == "parquet":
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return write_parquet_atomic(table, out, metadata={**metadata, "notes": list(notes)})
    if fmt == "csv":
        body = csv_text(frame).encode("utf-8")
    elif fmt == "json":
        body = json_text(frame, {**metadata, "notes": list(notes)}, dictionary).encode("utf-8")
    elif fmt == "xlsx":
        body = xlsx_bytes(frame, metadata, dictionary, notes)
    else:
        raise LandscapeError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return write_bytes_atomic(body, out)
