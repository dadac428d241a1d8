"""Reading rules every source shares: files as text, missing tokens, header variants, label synonyms.

A publisher's file is read once into a :class:`RawTable` of strings, whatever it is (CSV in
UTF-8 or Windows-1252, ``.csv.gz``, one CSV inside a ``.zip``, or a sheet of an Excel workbook,
read with python-calamine). Rules, not patches:

* a cell that is empty or whitespace only is missing, and so is any of the source's missing tokens;
* headers are matched by :func:`normalise` (case, spacing and punctuation ignored) against each
  source's table of known variants per vintage (:func:`find_columns`);
* labels (sex, age, area type...) are mapped through one synonym table per source (:func:`map_labels`);
* every error is a :class:`~landscape_pipeline.errors.SourceDataError` naming the file, the data
  row, the line an editor shows (the spreadsheet row for Excel) and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landscape_pipeline.errors import SourceDataError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
ENCODINGS = ("utf-8-sig", "cp1252")
#: Bad cells one rule lists in its error (the first is the message; the others are in ``SourceDataError.cells``).
BAD_CELL_LIMIT = 50
#: Tokens publishers use for "no value" beside suppression markers; sources add their own.
COMMON_MISSING = ("NA", "N/A", "n/a", "NaN", "null", "NULL")
#: Suppression and "not available" markers seen in UK official statistics ([c], .., :, x, *, -, ~ ...).
COMMON_SUPPRESSION = ("*", "c", "[c]", "..", ":", "-", "x", "[x]", "[z]", "z", "~", "[low]", "[u]")


def normalise(text: object) -> str:
    """Return ``text`` folded for matching: lower case, letters and digits only (``'Area Code '`` -> ``areacode``)."""
    return re.sub(r"[^0-9a-z]+", "", str(text).replace("\u00a0", " ").casefold())


@dataclass
class RawTable:
    """A file's data rows as strings (missing cells are NA), with where each row sits in the file.

    The frame's index is each row's 0-based position among the data rows of the file (blank lines
    dropped, positions kept), so messages give the same row and line the user sees.
    """

    path: Path
    frame: pd.DataFrame
    #: Line (CSV) or spreadsheet row (Excel) of the header; data row ``i`` (0-based) is on ``header_line + 1 + i``.
    header_line: int = 1
    sheet: str | None = None

    @property
    def where(self) -> str:
        """Return the file (and sheet) as shown in messages."""
        return f"{self.path.name} (sheet '{self.sheet}')" if self.sheet else self.path.name

    def line_of(self, label: int) -> int:
        """Return the line an editor shows for the data row with index ``label``."""
        return self.header_line + 1 + int(label)

    def error(self, message: str, *, label: int | None = None, column: str | None = None) -> SourceDataError:
        """Return a SourceDataError naming this file, the 1-based data row (and its line) and the column."""
        row = None if label is None else int(label) + 1
        line = None if label is None else self.line_of(label)
        return SourceDataError(self.path, message, row=row, column=column, line=line, sheet=self.sheet)

    def fail_first(self, mask: object, column: str, message: str) -> None:
        """Raise :meth:`error` at the first row where ``mask`` is true; ``{value}`` in message is that cell.

        The error also lists every other row the mask hits (up to :data:`BAD_CELL_LIMIT`) in ``cells``.
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if hits.size:
            def cell(position: int) -> tuple[str, object]:
                value = self.frame[column].iloc[position] if column in self.frame else None
                return message.format(value=value), self.frame.index[position]

            text, label = cell(int(hits[0]))
            error = self.error(text, label=label, column=column)
            for position in hits[1:BAD_CELL_LIMIT]:
                text, label = cell(int(position))
                error.cells.append({"row": int(label) + 1, "line": self.line_of(label), "column": column,
                                    "message": text})
            error.more_cells = max(0, int(hits.size) - BAD_CELL_LIMIT)
            raise error


def read_table(path: Path | str, *, sheet: str | int | None = None, header_row: int = 0,
               find_header: Sequence[str] = (), missing: Iterable[str] = COMMON_MISSING,
               encoding: str | None = None, member_pattern: str | None = None,
               columns: Iterable[str] | None = None) -> RawTable:
    """Return the data rows of a CSV, ``.csv.gz``, ``.zip`` member or Excel sheet as a :class:`RawTable`.

    ``header_row`` is the 0-based row holding the header. With ``find_header`` (header names, matched
    by :func:`normalise`), the header is instead the first row in the top 50 that contains all of them,
    so title rows above a table are skipped wherever they end. Cells equal to a ``missing`` token
    (after trimming) or blank are NA. A file that cannot be opened raises a SourceDataError in a sentence.
    ``columns`` (header names, matched by :func:`normalise`) keeps only those columns, converting no other
    cell: wide workbooks (a hundred columns, tens of thousands of rows) read in a fraction of the time.
    """
    wanted = None if columns is None else {normalise(c) for c in columns}
    path = Path(path)
    if not path.exists():
        raise SourceDataError(path, "does not exist.")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        grid, sheet_name = _excel_grid(path, sheet)
        if find_header:
            header_row = _locate_header(grid, find_header, path, sheet_name)
        if len(grid) <= header_row:
            raise SourceDataError(path, "is empty: it has no header row. Download it again from the publisher.",
                                  sheet=sheet_name)
        header = [_clean_header(_excel_cell(h)) for h in grid[header_row]]
        keep = [i for i, h in enumerate(header) if wanted is None or normalise(h) in wanted]
        body = _text_rows(grid[header_row + 1:], keep, len(header))
        frame = pd.DataFrame(body, columns=_unique([header[i] for i in keep]), dtype=object)
    else:
        sheet_name = None
        text = _decode(_raw_bytes(path, member_pattern), path, encoding)
        if find_header:
            head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:50]))))
            header_row = _locate_header(head, find_header, path, None)
        frame = _csv_frame(text, header_row, path)
        if wanted is not None:
            frame = frame[[c for c in frame.columns if normalise(c) in wanted]]
    frame = _blank_to_na(frame, missing)
    frame = frame.loc[~frame.isna().all(axis=1)]  # blank lines; index keeps each row's position
    return RawTable(path, frame, header_line=header_row + 1, sheet=sheet_name)


def read_head(path: Path | str, *, sheet: str | int | None = None, rows: int = 30,
              encoding: str | None = None) -> list[list[str | None]]:
    """Return the first ``rows`` rows of a file as text cells (None for empty), title rows included.

    For looking at a file before its header row is known (``landscape map init``); ragged rows are kept.
    """
    path = Path(path)
    if not path.exists():
        raise SourceDataError(path, "does not exist.")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        grid, _ = _excel_grid(path, sheet)
        return [[c if c not in ("", None) else None for c in map(_excel_cell, row)] for row in grid[:rows]]
    text = _decode(_raw_bytes(path, None), path, encoding)
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:rows]))))
    return [[c.strip() or None for c in row] for row in head]


def _csv_frame(text: str, header_row: int, path: Path) -> pd.DataFrame:
    """Return the CSV body below ``header_row`` as object strings (the C parser; ragged title rows skipped)."""
    if not text.strip():
        raise SourceDataError(path, "is empty: it has no header row. Download it again from the publisher.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a row wider than the header
            frame = pd.read_csv(io.StringIO(text), skiprows=header_row, header=0, dtype=str, keep_default_na=False,
                                na_filter=False, skip_blank_lines=False, index_col=False)
    except pd.errors.EmptyDataError:
        raise SourceDataError(path, "is empty: it has no header row. Download it again from the publisher.") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise SourceDataError(path, f"is not a readable CSV ({detail}); a row has more cells than the header, "
                                    "or a quote is not closed. Download it again from the publisher.") from None
    frame.columns = _unique([_clean_header(c) if not str(c).startswith("Unnamed: ") else "" for c in frame.columns])
    _refuse_cut_short(text, header_row, len(frame.columns), path)
    return frame  # read as ``str``; :func:`_blank_to_na` trims it


def read_lines(path: Path | str, count: int = 50, *, sheet: str | int | None = None, encoding: str | None = None,
               member_pattern: str | None = None) -> list[list[str]]:
    """Return the first ``count`` rows of a file or sheet as lists of trimmed cells ('' when empty).

    For looking at title rows above a table (what a sheet says it holds) without reading the table.
    """
    path = Path(path)
    if not path.exists():
        raise SourceDataError(path, "does not exist.")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        grid, _ = _excel_grid(path, sheet)
        rows = [[_excel_cell(c) for c in row] for row in grid[:count]]
    else:
        text = _decode(_raw_bytes(path, member_pattern), path, encoding)
        rows = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:count]))))
    return [[_clean_header(cell) for cell in row] for row in rows]


def _refuse_cut_short(text: str, header_row: int, width: int, path: Path) -> None:
    """Refuse a file whose last line stops part-way through a row (no final newline, too few cells)."""
    if text.endswith(("\n", "\r")):
        return
    lines = text.splitlines()
    if len(lines) <= header_row + 1:
        return
    cells = next(csv.reader([lines[-1]]), [])
    if 0 < len(cells) < width:
        raise SourceDataError(path, f"ends part-way through a row ({len(cells)} of {width} cells and no line end): "
                                    "the file was cut short. Download it again from the publisher.",
                              row=len(lines) - header_row - 1, line=len(lines))


def read_header(path: Path | str, **kwargs: object) -> list[str]:
    """Return the header of a file as :func:`read_table` would see it (CSV: from its first line only)."""
    path = Path(path)
    if kwargs or path.suffix.lower() in EXCEL_SUFFIXES or not path.exists():
        return list(read_table(path, **kwargs).frame.columns)
    head = _raw_bytes(path, None)[:65536]
    cut = head.rfind(b"\n")
    text = _decode(head[:cut] if cut > 0 else head, path, None)
    first = next(csv.reader(io.StringIO(text)), [])
    return _unique([_clean_header(c) for c in first])


def _raw_bytes(path: Path, member_pattern: str | None) -> bytes:
    suffix = path.suffix.lower()
    try:
        if suffix == ".gz":
            return gzip.decompress(path.read_bytes())
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
                if member_pattern:
                    members = [m for m in members if re.search(member_pattern, m, re.I)] or members
                if len(members) != 1:
                    raise SourceDataError(path, f"holds {len(members)} CSV files ({', '.join(members[:5]) or 'none'});"
                                                " extract the one you need and pass it directly.")
                return archive.read(members[0])
    except (zipfile.BadZipFile, gzip.BadGzipFile, EOFError, OSError, zlib.error) as exc:
        kind = "zip archive" if suffix == ".zip" else "gzip file"
        raise SourceDataError(path, f"is not a readable {kind} ({exc}); it is corrupt or truncated. "
                                    "Download it again from the publisher.") from None
    return path.read_bytes()


def _decode(raw: bytes, path: Path, encoding: str | None) -> str:
    if raw[:4096].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise SourceDataError(path, "is a web page (HTML), not data: the download returned an error or sign-in "
                                    "page. Download the file again from the publisher.")
    if b"\x00" in raw[:4096]:
        raise SourceDataError(path, "is a binary file, not CSV text; if it is an Excel workbook, give it its "
                                    ".xlsx name.")
    for candidate in ((encoding,) if encoding else ENCODINGS):
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise SourceDataError(path, f"is not text in {encoding}; save it again as UTF-8 CSV.")


def _open_workbook(path: Path) -> Any:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a declared dependency
        raise SourceDataError(path, "is an Excel workbook and python-calamine is not installed; "
                                    "run `pip install python-calamine`.") from None
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise SourceDataError(path, f"is not a readable Excel workbook ({exc}); download it again.") from None


def sheet_names(path: Path | str) -> list[str]:
    """Return the sheet names of an Excel workbook, in order (a SourceDataError if it cannot be opened)."""
    path = Path(path)
    if not path.exists():
        raise SourceDataError(path, "does not exist.")
    return list(_open_workbook(path).sheet_names)


def _excel_grid(path: Path, sheet: str | int | None) -> tuple[list[list[object]], str]:
    """Return the sheet's cells as python-calamine gives them (converted by the caller, :func:`_excel_cell`)."""
    book = _open_workbook(path)
    names = list(book.sheet_names)
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int):
        if sheet >= len(names):
            raise SourceDataError(path, f"has {len(names)} sheet(s); there is no sheet number {sheet + 1}.")
        chosen = names[sheet]
    else:
        matches = [n for n in names if normalise(n) == normalise(sheet)]
        if not matches:
            raise SourceDataError(path, f"has no sheet called '{sheet}'; its sheets are: {', '.join(names)}.")
        chosen = matches[0]
    rows = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    return rows, chosen


def _text_rows(rows: list[list[object]], keep: list[int], width: int) -> list[list[str | None]]:
    """Return the ``keep`` cells of each row through :func:`_excel_cell` (None past a row's end)."""
    pad: list[object] = [None] * width
    every = keep == list(range(width))
    out = []
    for row in rows:
        cells = [*row, *pad[len(row):]][:width] if every else [row[i] if i < len(row) else None for i in keep]
        out.append([c if type(c) is str else _excel_cell(c) for c in cells])
    return out


def _excel_cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _locate_header(grid: list[list[object]], names: Sequence[str], path: Path, sheet: str | None) -> int:
    wanted = {normalise(n) for n in names}
    for index, row in enumerate(grid[:50]):
        if wanted <= {normalise(_excel_cell(c)) for c in row if c is not None}:
            return index
    raise SourceDataError(path, f"has no header row with {', '.join(repr(n) for n in names)} in its first 50 "
                                "rows; is this the right file?", sheet=sheet)


def _clean_header(value: str | None) -> str:
    return " ".join(str(value or "").replace("\u00a0", " ").split())


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}.{count}")
        seen[name] = count + 1
    return out


def _blank_to_na(frame: pd.DataFrame, missing: Iterable[str]) -> pd.DataFrame:
    """Return ``frame`` as trimmed ``str`` columns where blank cells and missing tokens are NA."""
    tokens = pa.array(sorted({t.strip() for t in missing} | {""}), pa.string())
    out = {}
    for position in range(frame.shape[1]):
        text = pc.utf8_trim_whitespace(pa.array(frame.iloc[:, position].astype("str").array))
        out[position] = pd.array(pc.if_else(pc.is_in(text, value_set=tokens), None, text), dtype="str")
    return pd.DataFrame(out, index=frame.index).set_axis(frame.columns, axis=1)


def _folded(text: pd.Series) -> pd.Series:
    """Return :func:`normalise` applied to a string column (NA stays NA)."""
    return text.astype("str").str.replace("\u00a0", " ").str.casefold().str.replace(r"[^0-9a-z]+", "", regex=True)


def find_columns(table: RawTable, variants: Mapping[str, Sequence[str]], *,
                 optional: Iterable[str] = (), what: str = "file") -> dict[str, str]:
    """Return {our name: the file's column} for each entry of ``variants`` (header spellings across vintages).

    Matching ignores case, spacing and punctuation. A required column that no variant matches raises a
    SourceDataError listing what was expected and what the header holds; optional ones are left out.
    """
    by_norm: dict[str, str] = {}
    for column in table.frame.columns:
        by_norm.setdefault(normalise(column), column)
    found: dict[str, str] = {}
    missing = []
    optional = set(optional)
    for name, spellings in variants.items():
        hit = next((by_norm[normalise(s)] for s in spellings if normalise(s) in by_norm), None)
        if hit is not None:
            found[name] = hit
        elif name not in optional:
            missing.append(f"{name} (one of: {', '.join(repr(s) for s in spellings)})")
    if missing:
        header = ", ".join(repr(c) for c in list(table.frame.columns)[:20])
        raise SourceDataError(table.path, f"is not a {what} this source knows: missing {'; '.join(missing)}. "
                                          f"Its header is: {header}.", sheet=table.sheet,
                              line=table.header_line)
    return found


def synonym_table(entries: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Return {normalised spelling: canonical label} from {canonical label: [spellings]} (the label included)."""
    out: dict[str, str] = {}
    for label, spellings in entries.items():
        for spelling in (label, *spellings):
            key = normalise(spelling)
            if out.get(key, label) != label:
                raise ValueError(f"Synonym {spelling!r} is claimed by both {out[key]!r} and {label!r}.")
            out[key] = label
    return out


def map_labels(table: RawTable, column: str, synonyms: Mapping[str, str], *, what: str) -> pd.Series:
    """Return ``column`` mapped through a :func:`synonym_table`; the first unknown label raises, naming it."""
    mapped = _folded(table.frame[column]).map(synonyms)
    known = sorted(set(synonyms.values()))
    table.fail_first(mapped.isna().to_numpy(), column,
                     f"{what} {{value!r}} is not one this source knows ({', '.join(known)}).")
    return mapped.astype("str")


def numbers(table: RawTable, column: str, *, required: bool = False, suppression: Iterable[str] = (),
            allow_negative: bool = False) -> tuple[pd.Series, pd.Series]:
    """Return (floats, suppressed mask) for ``column``: thousands separators and % signs are allowed.

    Cells holding one of the ``suppression`` markers become NaN with the mask True. Text that is not a
    number, a number that is not finite, a negative number (unless allowed) or, when ``required``, a
    missing cell raises naming the first such row.
    """
    text = table.frame[column].astype("str")
    cells = pa.array(text.array)
    suppressed = pd.Series(_marked(cells, {m.strip().casefold() for m in suppression}), index=text.index,
                           name=text.name)
    cleaned = pc.if_else(pa.array(suppressed.to_numpy()), None, cells)
    cleaned = pc.utf8_trim_whitespace(pc.replace_substring(pc.replace_substring(cleaned, ",", ""), "%", ""))
    values = parse_floats(pd.Series(pd.array(cleaned, dtype="str"), index=text.index, name=text.name))
    present = pc.is_valid(cleaned).to_numpy(zero_copy_only=False)
    table.fail_first(values.isna().to_numpy() & present, column, "{value!r} is not a number.")
    table.fail_first(np.isinf(values.to_numpy()), column, "{value!r} is not a finite number.")
    if not allow_negative:
        table.fail_first((values < 0).to_numpy(), column, "{value!r} is negative; this column cannot be.")
    if required:
        table.fail_first((values.isna() & ~suppressed).to_numpy(), column, "the cell is empty; a value is required.")
    return values, suppressed


def _marked(cells: pa.Array, marks: set[str]) -> np.ndarray:
    """Return True where a cell's casefold is one of ``marks`` (casefolding never shortens a string)."""
    out = np.zeros(len(cells), dtype=bool)
    if not marks:
        return out
    short = pc.fill_null(pc.less_equal(pc.utf8_length(cells), max(map(len, marks))), False)
    positions = np.flatnonzero(short.to_numpy(zero_copy_only=False))
    hits = [cell.casefold() in marks for cell in cells.take(positions).to_pylist()]
    out[positions[np.asarray(hits, dtype=bool)]] = True
    return out


def parse_floats(text: pd.Series) -> pd.Series:
    """Return ``pd.to_numeric(text, errors="coerce")`` as float64, reading plain decimals with one Arrow cast.

    Only a ``str`` column whose cells are all plain decimals (or missing) takes the Arrow path; any other
    column goes through ``pd.to_numeric`` whole, so every result is the one pandas gives.
    """
    if text.dtype == "str":
        cells = pa.array(text.array)
        values = _plain_floats(cells)
        if np.isnan(values).sum() == cells.null_count:
            return pd.Series(values, index=text.index, name=text.name)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _plain_floats(cleaned: pa.Array) -> np.ndarray:
    """Return cells of up to 15 digits (``123`` or ``12.5``, no sign) as floats; NaN for null and any other cell.

    For such cells Arrow's cast and ``pd.to_numeric`` give the same (correctly rounded) double.
    """
    plain = pc.and_(pc.match_substring_regex(cleaned, r"^[0-9]+(\.[0-9]+)?$"),
                    pc.less_equal(pc.subtract(pc.utf8_length(cleaned),
                                              pc.count_substring(cleaned, ".")), 15))
    kept = pc.if_else(pc.fill_null(plain, False), cleaned, None)
    return np.asarray(pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def require_rows(table: RawTable, what: str = "data rows") -> None:
    """Raise a SourceDataError when the file has a header but no data rows (header-only or truncated)."""
    if table.frame.empty:
        raise SourceDataError(table.path, f"has a header but no {what}; it is empty or was cut short. "
                                          "Download it again from the publisher.", sheet=table.sheet)
