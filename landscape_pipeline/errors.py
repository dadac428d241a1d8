"""Errors a user can hit, phrased as sentences naming file, row and column."""

from __future__ import annotations

from pathlib import Path


class LandscapeError(Exception):
    """Base class for errors reported to users without a traceback."""


class ConfigurationError(LandscapeError):
    """A setting (an environment variable, an option) is wrong or cannot be met: not a fault of the data."""


class FrozenLabelError(LandscapeError):
    """A frozen-baseline label that is not a valid label or names no frozen set: a usage error (exit 2)."""


class SourceDataError(LandscapeError):
    """A source file cannot be read: names the file (and sheet), the 1-based data row, its line and the column.

    ``row`` counts data rows (the header excluded); ``line`` is what an editor or spreadsheet shows.
    """

    def __init__(self, path: Path | str, message: str, *, row: int | None = None, column: str | None = None,
                 line: int | None = None, sheet: str | None = None):
        self.path, self.row, self.column, self.detail = Path(path), row, column, message
        self.line, self.sheet = line, sheet
        #: Every bad cell found by the same rule (this one first), up to a limit: dicts of row, line, column,
        #: message. ``more_cells`` counts those beyond the limit.
        self.cells: list[dict[str, object]] = [{"row": row, "line": line, "column": column, "message": message}]
        self.more_cells = 0
        where = f"{Path(path).name}"
        if sheet:
            where += f" (sheet '{sheet}')"
        if row is not None:
            where += f", row {row}"
            if line is not None:
                where += f" (line {line})"
        elif line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class FetchError(LandscapeError):
    """A live loader could not fetch a publisher's file.

    ``transient`` is True for faults that another attempt may cure (a dropped connection, a timeout,
    HTTP 429 or 5xx); a wrong answer (404, an HTML page, a corrupt file) is never retried.
    """

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient
