"""Known publisher errata, mended only from a reviewed table and reported wherever they are used.

Publishers' files carry errors of their own (an IoD2019 file has been seen with a local authority
code one digit short). A reader never guesses a fix: it refuses the cell in a sentence, and the fix,
once a person has checked it against the publisher, goes into ``corrections.csv`` beside this module:

``source_id, file_pattern, column, wrong_value, correct_value, reason, reviewed_by, reviewed_on``

* ``file_pattern`` is a glob matched against the file name (case-insensitive), ``column`` the
  published header (matched like every header, ignoring case, spacing and punctuation);
* a correction replaces a cell only when the cell, trimmed, equals ``wrong_value`` exactly;
* ``reviewed_by`` and ``reviewed_on`` (ISO date) are required: an unreviewed row is an error.

:func:`apply_corrections` edits a :class:`~landscape_pipeline.tabular.RawTable` in place and returns
what it changed. Sources put :func:`report` into ``DataFrame.attrs["corrections"]`` (shown in the
asset's check metadata as ``parser_corrections``) and :func:`notes_by_row` into the ``value_note``
of every row built from a corrected cell.
"""

from __future__ import annotations

import csv
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.tabular import RawTable, normalise

CORRECTIONS_FILE = Path(__file__).with_name("corrections.csv")
FIELDS = ("source_id", "file_pattern", "column", "wrong_value", "correct_value", "reason", "reviewed_by",
          "reviewed_on")


@dataclass(frozen=True)
class Correction:
    """One reviewed erratum: in files matching ``file_pattern``, ``column`` reads ``wrong_value``."""

    source_id: str
    file_pattern: str
    column: str
    wrong_value: str
    correct_value: str
    reason: str
    reviewed_by: str
    reviewed_on: date

    def matches(self, source_id: str, file_name: str) -> bool:
        """Return True when this correction is for ``source_id`` and a file named ``file_name``."""
        return self.source_id == source_id and fnmatch.fnmatch(file_name.casefold(), self.file_pattern.casefold())


@dataclass(frozen=True)
class AppliedCorrection:
    """One cell mended by a :class:`Correction`: where it was and what it said."""

    correction: Correction
    file: str
    sheet: str | None
    label: int  # the RawTable index label of the row
    row: int  # 1-based data row
    line: int  # line (or spreadsheet row) shown by an editor
    column: str

    def note(self) -> str:
        """Return the sentence put in the ``value_note`` of rows built from this cell."""
        c = self.correction
        return (f"Publisher erratum corrected: {self.column} '{c.wrong_value}' read as '{c.correct_value}' "
                f"({c.reason}; reviewed by {c.reviewed_by} on {c.reviewed_on.isoformat()}).")

    def metadata(self) -> dict[str, object]:
        """Return a JSON-ready record for the check metadata."""
        c = self.correction
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "line": self.line, "column": self.column,
                "wrong_value": c.wrong_value, "correct_value": c.correct_value, "reason": c.reason,
                "reviewed_by": c.reviewed_by, "reviewed_on": c.reviewed_on.isoformat()}


def load_corrections(path: Path | str | None = None) -> tuple[Correction, ...]:
    """Return the reviewed corrections in ``path`` (default: the package's table).

    Raises :class:`SourceDataError` naming the row and column of an incomplete or unreviewed entry.
    """
    path = Path(path or CORRECTIONS_FILE)
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: Path, _mtime_ns: int, _size: int) -> tuple[Correction, ...]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise SourceDataError(path, f"lacks the column(s) {', '.join(missing)}; a corrections table has "
                                        f"{', '.join(FIELDS)}.", line=1)
        out = []
        for number, entry in enumerate(reader, start=1):
            values = {k: (entry.get(k) or "").strip() for k in FIELDS}
            for name in FIELDS:
                if not values[name]:
                    raise SourceDataError(path, "is empty; every correction names its file, column, wrong and "
                                                "correct values, reason, reviewer and review date.",
                                          row=number, line=number + 1, column=name)
            try:
                reviewed = date.fromisoformat(values["reviewed_on"])
            except ValueError:
                raise SourceDataError(path, f"'{values['reviewed_on']}' is not a date (YYYY-MM-DD).", row=number,
                                      line=number + 1, column="reviewed_on") from None
            if values["wrong_value"] == values["correct_value"]:
                raise SourceDataError(path, "the wrong and correct values are the same.", row=number,
                                      line=number + 1, column="correct_value")
            out.append(Correction(**{**values, "reviewed_on": reviewed}))
    return tuple(out)


def apply_corrections(table: RawTable, source_id: str, *, path: Path | str | None = None) -> list[AppliedCorrection]:
    """Mend ``table`` in place with the corrections for ``source_id`` and its file; return what changed."""
    applied: list[AppliedCorrection] = []
    by_norm = {normalise(c): c for c in table.frame.columns}
    for correction in load_corrections(path):
        if not correction.matches(source_id, table.path.name):
            continue
        column = by_norm.get(normalise(correction.column))
        if column is None:
            continue
        cells = table.frame[column]
        hits = cells.notna() & cells.astype("str").str.strip().eq(correction.wrong_value)
        for label in cells.index[hits.to_numpy()]:
            table.frame.loc[label, column] = correction.correct_value
            applied.append(AppliedCorrection(correction, table.path.name, table.sheet, int(label), int(label) + 1,
                                             table.line_of(label), column))
    return applied


def notes_by_row(applied: Iterable[AppliedCorrection]) -> dict[int, str]:
    """Return {RawTable index label: note} joining the notes of every correction on that row."""
    notes: dict[int, list[str]] = {}
    for item in applied:
        notes.setdefault(item.label, []).append(item.note())
    return {label: " ".join(parts) for label, parts in notes.items()}


def report(applied: Iterable[AppliedCorrection]) -> list[dict[str, object]]:
    """Return the metadata records of ``applied`` (empty list when nothing was corrected)."""
    return [item.metadata() for item in applied]
