"""Ingest one source: files -> canonical frame -> disclosure control -> GX validation.

Shared by the Dagster source assets and ``landscape validate``; nothing here writes outputs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from landscape_pipeline import disclosure, paths, provenance, schema
from landscape_pipeline.errors import ConfigurationError, LandscapeError, SourceDataError
from landscape_pipeline.sources.base import SYNTHETIC_DERIVED, SourceInputs, SourceSpec
from landscape_pipeline.validation import ValidationReport, validate_frame

if TYPE_CHECKING:  # the settings import Dagster, which an ingest worker does not need
    from landscape_pipeline.settings import LandscapeSettings

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """The outcome of ingesting one source."""

    source_id: str
    files: list[Path]
    frame: pd.DataFrame
    report: ValidationReport | None = None
    error: LandscapeError | None = None
    leaks: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: What the parser reported besides rows (``DataFrame.attrs``), e.g. HES's unresolved-residence tally.
    notes: dict[str, object] = field(default_factory=dict)
    #: What disclosure control hid and recomputed (:class:`landscape_pipeline.disclosure.Protection` summary).
    disclosure: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when the files parsed and every expectation passed."""
        return self.error is None and self.report is not None and self.report.passed

    @property
    def disclosure_ok(self) -> bool:
        """True when no published count falls inside the source's suppressed range."""
        return self.error is None and self.leaks.empty

    @property
    def passed(self) -> bool:
        """True when the result may be staged."""
        return self.valid and self.disclosure_ok

    def text(self) -> str:
        """Return a plain-text account for the CLI."""
        if self.error is not None:
            lines = [f"{self.source_id}: {self.error}"]
            for cell in getattr(self.error, "cells", [])[1:]:  # the other bad cells the same rule found
                where = f"row {cell['row']} (line {cell['line']})" if cell.get("line") else f"row {cell['row']}"
                lines.append(f"  also {where}, column '{cell['column']}': {cell['message']}")
            if getattr(self.error, "more_cells", 0):
                lines.append(f"  ... and {self.error.more_cells} more cell(s)")
            return "\n".join(lines)
        lines = [self.report.text() if self.report else f"{self.source_id}: not validated"]
        lines += [f"- {note}" for note in self.notes.get("skipped", [])]  # files a parser recognised and set aside
        if not self.leaks.empty:
            lines.append(f"- {len(self.leaks)} published count(s) fall inside the suppressed range of the "
                         f"'{self.source_id}' disclosure rule.")
        return "\n".join(lines)


def resolve_files(spec: SourceSpec, settings: LandscapeSettings) -> list[Path]:
    """Return the files to read: fetched live when configured, else the bundled extracts."""
    if settings.is_live(spec.source_id):
        if spec.fetch_live is None:
            raise LandscapeError(f"Source '{spec.source_id}' has no live loader; remove it from live_sources.")
        return spec.fetch_live(settings.fetcher(), paths.raw_dir(settings.root(), spec.source_id))
    files = spec.bundled_files(settings.sources_dir())
    if not files:
        raise LandscapeError(f"No bundled files for '{spec.source_id}' in {settings.sources_dir() / spec.source_id}.")
    return files


def ingest(spec: SourceSpec, files: Sequence[Path], upstream: Mapping[str, pd.DataFrame] | None = None,
           *, validate: bool = True) -> IngestResult:
    """Parse, disclosure-control and validate ``files`` of one source."""
    tables = _ReadRecorder(dict(upstream or {}))
    try:
        parsed = spec.parse(list(files), SourceInputs(upstream=tables))
        notes = {k: v for k, v in parsed.attrs.items() if k != SYNTHETIC_DERIVED}
        frame = schema.conform(parsed)
        frame["synthetic"] = derive_synthetic(frame, files, tables, declared=bool(parsed.attrs.get(SYNTHETIC_DERIVED)))
    except SourceDataError as exc:
        return IngestResult(spec.source_id, list(files), schema.empty_frame(), error=exc)
    except (schema.SchemaError, ValueError) as exc:
        error = SourceDataError(files[0] if files else spec.source_id, f"could not be read: {exc}")
        return IngestResult(spec.source_id, list(files), schema.empty_frame(), error=error)
    except ConfigurationError:  # a wrong setting is not a fault of the files: say so, do not blame their layout
        raise
    except Exception as exc:  # a parser that crashed on odd input: refuse in a sentence, keep the traceback in the log
        log.debug("parser of %s crashed", spec.source_id, exc_info=True)
        names = ", ".join(Path(f).name for f in files) or spec.source_id
        error = SourceDataError(files[0] if len(files) == 1 else spec.source_id,
                                f"could not be read ({type(exc).__name__}: {exc}); the file(s) {names} do not have "
                                "the layout this source's parser knows.")
        return IngestResult(spec.source_id, list(files), schema.empty_frame(), error=error)
    try:
        protection = disclosure.protect(frame, spec.disclosure_rule, spec.count_families)
    except disclosure.DisclosureError as exc:
        error = SourceDataError(files[0] if files else spec.source_id, f"cannot be disclosure-controlled: {exc}")
        return IngestResult(spec.source_id, list(files), schema.empty_frame(), error=error)
    frame = schema.conform(protection.frame)
    result = IngestResult(spec.source_id, list(files), frame, notes=notes, disclosure=protection.summary)
    result.leaks = disclosure.find_leaks(frame, disclosure.RULES[spec.disclosure_rule])
    if validate:
        extra = spec.extra_expectations() if spec.extra_expectations else []
        result.report = validate_frame(frame, spec.source_id, column_labels=spec.column_labels,
                                       extra_expectations=extra, files=list(files),
                                       count_rounding=disclosure.RULES[spec.disclosure_rule].round_to or 1)
    return result


class _ReadRecorder(Mapping[str, pd.DataFrame]):
    """The upstream tables, remembering which ones the parser read."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self._tables, self.read = tables, set()

    def __getitem__(self, key: str) -> pd.DataFrame:
        table = self._tables[key]
        self.read.add(key)
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def derive_synthetic(frame: pd.DataFrame, files: Sequence[Path], upstream: Mapping[str, pd.DataFrame],
                     *, declared: bool = False) -> pd.Series:
    """Return each row's ``synthetic`` flag derived from every input that shaped it.

    A row is synthetic if the parser marked it, if its ``source_file`` names a synthetic file, or -
    unless the parser derived the flag row by row itself (``declared``) - if the parser read an
    upstream table holding any synthetic row. The rule only ever adds marks.
    """
    flags = provenance.synthetic_from_files(frame, files)
    if not declared:
        read = upstream.read if isinstance(upstream, _ReadRecorder) else set(upstream)
        if any(SourceInputs(upstream=upstream).synthetic_rows(name) for name in sorted(read)):
            flags = pd.Series(True, index=frame.index)
    return flags.astype(bool)


def publishable(frame: pd.DataFrame, rule_name: str, families: disclosure.CountFamilies | None = None) -> pd.DataFrame:
    """Return ``frame`` as it may be published under the named rule (see :func:`disclosure.protect`)."""
    return schema.conform(disclosure.protect(frame, rule_name, families).frame)
