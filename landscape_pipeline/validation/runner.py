"""Run the GX suite on a canonical frame and report failures by file, row and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from landscape_pipeline import schema
from landscape_pipeline.validation import canonical_rules, suite

#: Bad cells listed per failed expectation (the count beside them is the full number).
SAMPLE_ROWS = 50


@dataclass(frozen=True)
class Failure:
    """One failed expectation: what it checks, which columns, how many rows, and a sample."""

    expectation: str
    description: str
    columns: tuple[str, ...]
    unexpected_count: int
    sample: tuple[dict[str, object], ...] = ()

    def lines(self) -> list[str]:
        """Return human-readable lines naming file, row and column for each sampled row."""
        head = f"{self.description} [{self.expectation}] failed on {self.unexpected_count} row(s)"
        out = [head]
        for row in self.sample:
            where = f"row {row['row']}" if isinstance(row["row"], int) else str(row["row"])
            out.append(f"  {row['file']}, {where}, column '{row['column']}': {row['value']}")
        if self.unexpected_count > len(self.sample) and self.sample:
            out.append(f"  ... and {self.unexpected_count - len(self.sample)} more row(s)")
        return out


@dataclass
class ValidationReport:
    """Outcome of validating one table."""

    name: str
    row_count: int
    failures: list[Failure] = field(default_factory=list)
    evaluated: int = 0

    @property
    def passed(self) -> bool:
        """True when every expectation passed."""
        return not self.failures

    def text(self) -> str:
        """Return the report as plain text for the CLI."""
        if self.passed:
            return f"{self.name}: {self.row_count} rows, {self.evaluated} expectations passed."
        lines = [f"{self.name}: {len(self.failures)} of {self.evaluated} expectations failed ({self.row_count} rows)"]
        for failure in self.failures:
            lines += ["- " + line for line in failure.lines()[:1]] + failure.lines()[1:]
        return "\n".join(lines)

    def metadata(self) -> dict[str, object]:
        """Return Dagster-friendly metadata: counts, failed expectations and sample bad rows."""
        return {
            "rows": self.row_count,
            "expectations_evaluated": self.evaluated,
            "expectations_failed": len(self.failures),
            "failures": [
                {"expectation": f.expectation, "description": f.description, "columns": list(f.columns),
                 "unexpected_rows": f.unexpected_count, "sample": list(f.sample)}
                for f in self.failures
            ],
        }


_COMPLETE = {"result_format": "COMPLETE", "unexpected_index_column_names": None}


def _forget(batch: object) -> None:
    """Drop the batch from its execution engine's caches. The engine lives as long as the cached context, and
    would otherwise hold the last frame validated (a build's whole indicator table, ~350 MB) into later steps."""
    manager = batch.data.execution_engine.batch_manager
    manager.reset_batch_cache()
    manager.batch_data_cache.clear()


@lru_cache(maxsize=1)
def _batch_definition():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("landscape")
    return context, source.add_dataframe_asset("indicators").add_batch_definition_whole_dataframe("whole")


def validate_frame(frame: pd.DataFrame, name: str, *, column_labels: Mapping[str, str] | None = None,
                   extra_expectations: Sequence = (), build_date: date | None = None, count_rounding: float = 1.0,
                   files: Sequence[Path | str] = ()) -> ValidationReport:
    """Validate a canonical frame with GX and the plausibility rules; return a :class:`ValidationReport`.

    ``column_labels`` maps canonical column names to the publisher's, so that a failure names
    the column the user sees in the source file. ``build_date`` (default today) bounds periods;
    ``count_rounding`` is how the source rounds its published counts; ``files`` are named when
    the table has no rows at all.
    """
    import great_expectations as gx

    _context, batch_definition = _batch_definition()
    prepared = suite.prepare(frame)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": prepared})
    expectation_list = suite.expectations() + list(extra_expectations)
    gx_suite = gx.ExpectationSuite(name=f"{name}_suite", expectations=expectation_list)
    # Pass/fail needs only counts. When something fails, the suite runs again with the unexpected rows
    # (as it always did), so a failing table's report, its order and its samples are unchanged.
    try:
        results = batch.validate(gx_suite, result_format={"result_format": "BOOLEAN_ONLY"}).results
        if not all(item.success for item in results):
            results = batch.validate(gx_suite, result_format=_COMPLETE).results
    finally:
        _forget(batch)
    report = ValidationReport(name=name, row_count=len(frame), evaluated=len(results))
    labels = dict(column_labels or {})
    for item in results:
        if item.success:
            continue
        config = item.expectation_config
        kwargs = config.kwargs
        columns = tuple(c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c)
        columns = columns or tuple(kwargs.get("column_list") or ())
        description = (config.meta or {}).get("description", config.type)
        indices = list(item.result.get("unexpected_index_list") or [])
        if item.exception_info and item.exception_info.get("raised_exception"):
            description += f" (could not evaluate: {item.exception_info.get('exception_message')})"
        count = int(item.result.get("unexpected_count") or len(indices) or 0)
        sample = tuple(_describe_row(frame, prepared, idx, columns, labels) for idx in indices[:SAMPLE_ROWS])
        report.failures.append(Failure(config.type, description, columns, count, sample))
    _add_plausibility(report, frame, labels, build_date or date.today(), count_rounding, files)
    return report


def _add_plausibility(report: ValidationReport, frame: pd.DataFrame, labels: Mapping[str, str], build_date: date,
                      count_rounding: float, files: Sequence[Path | str]) -> None:
    """Append the plausibility rules' failures (see :mod:`canonical_rules`) to ``report``."""
    report.evaluated += 1
    if frame.empty:
        message = canonical_rules.empty_table_message([Path(f).name for f in files])
        report.failures.append(Failure("table_has_rows", message, (), 0))
        return
    conformed = schema.conform(frame)
    ran, found = canonical_rules.violations(conformed, canonical_rules.Context(build_date, count_rounding))
    report.evaluated += ran
    for violation in found:
        rows = violation.mask.nonzero()[0]
        sample = tuple(_describe_row(conformed, conformed, i, violation.columns, labels, blame=violation.blame)
                       for i in rows[:SAMPLE_ROWS])
        report.failures.append(Failure(violation.rule, violation.description, violation.columns, len(rows), sample))


def _describe_row(frame: pd.DataFrame, prepared: pd.DataFrame, index: object, columns: Sequence[str],
                  labels: Mapping[str, str], *, blame: str | None = None) -> dict[str, object]:
    if isinstance(index, dict):  # GX returns dicts when index column names are requested
        index = next(iter(index.values()))
    row = prepared.loc[index]
    shown = [c for c in columns if c != suite.AREA_STATUS_COLUMN] or ["area_code"]
    # In a pair rule such as value >= lower limit, the limit (not the value) is the suspect column.
    column = blame or (shown[1] if len(shown) == 2 and shown[0] in ("value", "denominator") else shown[0])
    file, source_row = row.get("source_file"), row.get("source_row")
    return {
        "file": file if isinstance(file, str) else "(derived)",
        "row": int(source_row) if pd.notna(source_row) else _computed(row),
        "column": labels.get(column, column),
        "value": ", ".join(f"{labels.get(c, c)}={_show(row[c])}" for c in shown),
    }


def _computed(row: pd.Series) -> str:
    """Name a row computed from several source rows (no single row to point at) by its area, period and sex."""
    parts = [str(row[c]) for c in ("area_code", "period_label", "sex") if c in row and pd.notna(row[c])]
    return f"the row computed for {' '.join(parts)} (from several rows of the file)"


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "blank"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)
