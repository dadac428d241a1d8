"""What the Dagster UI shows for a table: row count, column schema, a Markdown preview, failure tables.

Shared by every table asset and check so that the UI reads the same everywhere: ``dagster/row_count``
and ``dagster/column_schema`` (the canonical schema, with each column's meaning), a ``preview`` of the
first rows, and check failures as Markdown tables instead of JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import dagster as dg
import pandas as pd
import pyarrow as pa

from landscape_pipeline import geography, schema

#: Columns shown in a preview of a canonical table (the rest are in the column schema).
PREVIEW_COLUMNS = ("indicator_id", "area_code", "period_label", "sex", "value", "unit", "comparison")
PREVIEW_ROWS = 5
#: Rows of a failure table shown in the UI; the full count is beside it.
FAILURE_ROWS = 20


@lru_cache(maxsize=1)
def canonical_column_schema() -> dg.TableSchema:
    """Return the canonical indicator schema as a Dagster table schema (type, nullability, meaning)."""
    return dg.TableSchema(columns=[
        dg.TableColumn(c.name, str(c.type), description=c.description,
                       constraints=dg.TableColumnConstraints(nullable=c.nullable))
        for c in schema.COLUMNS])


def frame_schema(frame: pd.DataFrame) -> dg.TableSchema:
    """Return the column schema of a non-canonical table from its dtypes."""
    return dg.TableSchema(columns=[dg.TableColumn(str(name), str(dtype)) for name, dtype in frame.dtypes.items()])


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, (list, dict, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(records: Iterable[Mapping[str, object]], columns: Sequence[str], *,
                   limit: int = FAILURE_ROWS, total: int | None = None) -> str:
    """Return ``records`` as a Markdown table of ``columns``; says how many rows were left out."""
    rows = list(records)
    shown = rows[:limit]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r.get(c)) for c in columns) + " |" for r in shown]
    total = len(rows) if total is None else total
    if total > len(shown):
        lines.append(f"\n{total - len(shown)} more not shown.")
    return "\n".join(lines)


def preview(frame: pd.DataFrame, columns: Sequence[str] = PREVIEW_COLUMNS,
            rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    """Return a Markdown preview of the first ``rows`` rows of ``frame`` (those of ``columns`` it has)."""
    present = [c for c in columns if c in frame.columns]
    return dg.MetadataValue.md(markdown_table(frame.head(rows)[present].to_dict("records"), present,
                                              limit=rows, total=len(frame)))


def preview_arrow(table: pa.Table, columns: Sequence[str] = PREVIEW_COLUMNS, rows: int = PREVIEW_ROWS,
                  total: int | None = None) -> dg.MetadataValue:
    """Return the same Markdown preview as :func:`preview` for an Arrow table (of ``total`` rows in all)."""
    present = [c for c in columns if c in table.column_names]
    return dg.MetadataValue.md(markdown_table(table.slice(0, rows).select(present).to_pylist(), present,
                                              limit=rows, total=table.num_rows if total is None else total))


def table_metadata(frame: pd.DataFrame) -> dict[str, object]:
    """Return row count, column schema and preview of a canonical table."""
    return {"dagster/row_count": len(frame), "dagster/column_schema": canonical_column_schema(),
            "preview": preview(frame)}


def failures_markdown(failures: Sequence[Mapping[str, object]]) -> dg.MetadataValue:
    """Return GX/plausibility failures (``ValidationReport.metadata()['failures']``) as a Markdown table.

    One line per sampled bad cell (file, row, column, value), under the expectation that failed.
    """
    rows = []
    for failure in failures:
        sample = list(failure.get("sample") or []) or [{}]
        for cell in sample:
            rows.append({"expectation": failure.get("description"), "rows failing": failure.get("unexpected_rows"),
                         "file": cell.get("file"), "row": cell.get("row"), "column": cell.get("column"),
                         "value": cell.get("value")})
    columns = ["expectation", "rows failing", "file", "row", "column", "value"]
    return dg.MetadataValue.md(markdown_table(rows, columns) if rows else "No failures.")


def gx_metadata(meta: Mapping[str, object]) -> dict[str, object]:
    """Return a validation report's metadata with its failures also as a Markdown table."""
    return {**meta, "failures_table": failures_markdown(meta.get("failures") or [])}


def records_markdown(records: Sequence[Mapping[str, object]], total: int | None = None) -> dg.MetadataValue:
    """Return sample records (e.g. leaking rows) as a Markdown table of their own columns."""
    if not records:
        return dg.MetadataValue.md("None.")
    columns = list(dict.fromkeys(c for r in records for c in r))
    return dg.MetadataValue.md(markdown_table(records, columns, total=total))


@lru_cache(maxsize=1)
def la_names() -> dg.MetadataValue:
    """Return every LA partition key with its name, tier and nation: the UI's code -> name lookup."""
    las = [geography.local_authority(code) for code in geography.partition_keys()]
    columns = [dg.TableColumn("code", "string"), dg.TableColumn("name", "string"),
               dg.TableColumn("tier", "string"), dg.TableColumn("nation", "string")]
    return dg.MetadataValue.table(
        records=[dg.TableRecord({"code": la.area_code, "name": la.area_name, "tier": la.tier,
                                 "nation": la.nation_name}) for la in las],
        schema=dg.TableSchema(columns=columns))


def la_metadata(code: str) -> dict[str, object]:
    """Return one LA's identity for its partition: name, tier and nation."""
    la = geography.local_authority(code)
    return {"area_name": la.area_name, "tier": la.tier, "nation": la.nation_name}


def latest_period(frame: pd.DataFrame) -> str:
    """Return the most recent period label of ``frame`` (by period end), or '' when it has none."""
    if frame.empty:
        return ""
    ends = pd.to_datetime(frame["period_end"], errors="coerce")
    if ends.notna().any():
        return str(frame.loc[ends.idxmax(), "period_label"])
    return str(frame["period_label"].iloc[-1])
