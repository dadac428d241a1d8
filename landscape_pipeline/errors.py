"""Errors a user can hit, phrased as sentences naming file, row and column."""

from __future__ import annotations

from pathlib import Path


class LandscapeError(Exception):
    """Base class for errors reported to users without a traceback."""


class SourceDataError(LandscapeError):
    """A source file cannot be read: names the file, the 1-based data row and the column."""

    def __init__(self, path: Path | str, message: str, *, row: int | None = None, column: str | None = None):
        self.path, self.row, self.column, self.detail = Path(path), row, column, message
        where = f"{Path(path).name}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class FetchError(LandscapeError):
    """A live loader could not fetch a publisher's file."""
