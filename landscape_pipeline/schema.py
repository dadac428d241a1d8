"""The canonical indicator schema: one row per indicator x area x period x breakdown.

Defined once here. Parsers return frames that :func:`conform` accepts; the validation
suite, the Parquet writer, the baseline files and the README's column table all derive
from :data:`COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Column:
    """One canonical column: name, Arrow type, whether it may be null, and what it means."""

    name: str
    type: pa.DataType
    nullable: bool
    description: str


_S, _F, _B, _D = pa.string(), pa.float64(), pa.bool_(), pa.date32()

COLUMNS: tuple[Column, ...] = (
    Column("indicator_id", _S, False, "Stable indicator id, namespaced by source (e.g. 'fingertips_40501')."),
    Column("indicator_name", _S, False, "Indicator name as the publisher words it."),
    Column("source_id", _S, False, "Registry id of the source (e.g. 'fingertips', 'phs', 'hes')."),
    Column("area_code", _S, False, "GSS code of the area (LA, region, nation, health board, ...)."),
    Column("area_name", _S, True, "Area name."),
    Column("area_type", _S, True, "Area type as published (e.g. 'Counties & UAs (from Apr 2023)')."),
    Column("period_label", _S, False, "Time period as published (e.g. '2021 - 23', '2022/23')."),
    Column("period_start", _D, True, "First day of the period."),
    Column("period_end", _D, True, "Last day of the period."),
    Column("sex", _S, False, "Persons, Male or Female."),
    Column("age", _S, False, "Age group as published (e.g. 'All ages', '<75 yrs')."),
    Column("category_type", _S, True, "Breakdown type (e.g. a deprivation decile set, a cancer site)."),
    Column("category", _S, True, "Breakdown value within category_type."),
    Column("value", _F, True, "Indicator value; null when suppressed or not calculable."),
    Column("value_type", _S, True, "Statistic: proportion, crude rate, DSR, ISR, mean, count, score, rank."),
    Column("unit", _S, True, "Unit of the value (e.g. '%', 'per 100,000', 'score 0-10')."),
    Column("lower_ci_95", _F, True, "Lower 95% confidence limit."),
    Column("upper_ci_95", _F, True, "Upper 95% confidence limit."),
    Column("lower_ci_99_8", _F, True, "Lower 99.8% confidence limit."),
    Column("upper_ci_99_8", _F, True, "Upper 99.8% confidence limit."),
    Column("count", _F, True, "Numerator as published (after disclosure control)."),
    Column("denominator", _F, True, "Denominator as published (after disclosure control)."),
    Column("value_note", _S, True, "Publisher or pipeline note on the value (suppression, aggregation...)."),
    Column("polarity", _S, True, "High is good, Low is good, No judgement or Not applicable."),
    Column("comparator_code", _S, True, "National comparator area (England E92000001 or Scotland S92000003)."),
    Column("comparator_value", _F, True, "The comparator's value for the same indicator, period and breakdown."),
    Column("comparison", _S, True, "Better/Similar/Worse, Higher/Similar/Lower or Not compared, vs the comparator."),
    Column("region_code", _S, True, "English region of the area, or the NHS health board of a Scottish council area."),
    Column("region_value", _F, True, "The region's (or board's) value for the same indicator, period and breakdown."),
    Column("region_comparison", _S, True, "Comparison label against the region (or board)."),
    Column("recent_trend", _S, True, "Fingertips recent-trend label over the 5 most recent points."),
    Column("is_latest", _B, False, "True on the most recent period of each indicator series for the area."),
    Column("suppressed", _B, False, "True when the value was withheld for disclosure control."),
    Column("geography_method", _S, False, "direct, attributed (from a containing NHS area) or apportioned."),
    Column("attribution_note", _S, True, "How an attributed/apportioned value reached this area."),
    Column("source_url", _S, True, "Publisher URL the data came from (or imitates, for bundled samples)."),
    Column("source_file", _S, True, "File the row was read from."),
    Column("source_row", pa.int64(), True, "1-based data row in source_file (header excluded); null if derived."),
    Column("source_sha256", _S, True, "sha256 of source_file as read."),
    Column("retrieved_at", pa.timestamp("us", tz="UTC"), True, "When the source file was fetched or bundled."),
    Column("synthetic", _B, False, "True when the value comes from bundled synthetic sample data."),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
SCHEMA = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in COLUMNS])
SCHEMA = SCHEMA.with_metadata({b"landscape_schema_version": SCHEMA_VERSION.encode()})

#: Columns that identify a row; no two rows of a table may share them.
KEY_COLUMNS: tuple[str, ...] = (
    "indicator_id", "area_code", "period_label", "sex", "age", "category_type", "category",
)

#: Text columns a table may hold as pandas categoricals: long strings with a few distinct values, repeated on
#: every row (at 1x, 152 MiB of the indicator table's 383 MiB as Python-visible strings). Code that holds them
#: so compares, groups, takes and writes them, never assigns new values into them.
DICTIONARY_COLUMNS: tuple[str, ...] = ("indicator_name", "source_url", "source_file", "source_sha256")

_STRING = {c.name for c in COLUMNS if c.type == _S}
_FLOAT = {c.name for c in COLUMNS if c.type == _F}
_BOOL = {c.name for c in COLUMNS if c.type == _B}
_DATE = {c.name for c in COLUMNS if c.type == _D}


def _dtypes() -> dict[str, object]:
    """Return each column's pandas dtype after :func:`_cast` (a column already of it is kept as it is)."""
    return {c.name: _cast(pd.Series([None], dtype=object), c).dtype for c in COLUMNS}


class SchemaError(ValueError):
    """A frame does not fit the canonical schema."""


def empty_frame() -> pd.DataFrame:
    """Return a zero-row frame with every canonical column and dtype."""
    return SCHEMA.empty_table().to_pandas()


def conform(frame: pd.DataFrame, *, fill: dict[str, object] | None = None) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns, in order, with canonical dtypes.

    Missing nullable columns are added as nulls (or from ``fill``); an unknown column or a
    missing non-nullable column raises :class:`SchemaError`. A :data:`DICTIONARY_COLUMNS` column held as a
    categorical of text is kept so.
    """
    extra = [c for c in frame.columns if c not in COLUMN_NAMES]
    if extra:
        raise SchemaError(f"Columns not in the canonical schema: {', '.join(map(str, extra))}.")
    n = len(frame)
    fill = fill or {}
    plain_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1
    columns: dict[str, pd.Series] = {}
    for col in COLUMNS:
        if col.name in frame.columns:
            series = frame[col.name] if plain_index else frame[col.name].reset_index(drop=True)
        elif col.name in fill:
            series = pd.Series([fill[col.name]] * n)
        elif col.name in ("is_latest", "suppressed", "synthetic"):
            series = pd.Series(False, index=pd.RangeIndex(n))
        elif col.name == "geography_method":
            series = pd.Series("direct", index=pd.RangeIndex(n), dtype="str")
        elif col.nullable:
            series = pd.Series([None] * n)
        else:
            raise SchemaError(f"Required canonical column '{col.name}' is missing.")
        kept = series.dtype == _DTYPES[col.name] or (col.name in DICTIONARY_COLUMNS and _text_categorical(series))
        columns[col.name] = series if kept else _cast(series, col)
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def _text_categorical(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(series.cat.categories)


def _cast(series: pd.Series, col: Column) -> pd.Series:
    if col.name in _STRING:
        return series.astype("str").where(series.notna(), None).astype("str")
    if col.name in _FLOAT:
        return pd.to_numeric(series, errors="raise").astype("float64")
    if col.name in _BOOL:
        return series.fillna(False).astype(bool)
    if col.name in _DATE:
        return pd.to_datetime(series, errors="coerce").astype("datetime64[s]")
    if col.name == "source_row":
        return pd.to_numeric(series, errors="raise").astype("Int64")
    if col.name == "retrieved_at":
        return pd.to_datetime(series, utc=True, errors="coerce").astype("datetime64[us, UTC]")
    raise AssertionError(col.name)  # pragma: no cover - every column has a cast above


_DTYPES = _dtypes()


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Return the canonical frame as an Arrow table with :data:`SCHEMA`.

    The pandas metadata is always that of the canonical dtypes, so a file reads back the same whether its
    :data:`DICTIONARY_COLUMNS` were held as text or as categoricals.
    """
    frame = conform(frame)
    coded = {c: _decoded(frame[c]) for c in DICTIONARY_COLUMNS if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    table = pa.Table.from_pandas(frame.assign(**coded) if coded else frame, schema=SCHEMA, preserve_index=False)
    return table.replace_schema_metadata(_ARROW_METADATA)


def _decoded(series: pd.Series) -> pd.Series:
    """Return a categorical of text as a text column, each row's string written once, straight into Arrow.

    Arrow's own conversion of a categorical to strings makes two intermediate copies: writing the 1x indicator
    table grew resident memory by 467 MB that way, by 108 MB when its columns were text already.
    """
    codes = series.cat.codes.to_numpy()
    values = pa.array(series.cat.categories.to_numpy(dtype=object), pa.string())
    return pd.Series(pd.array(values.take(pa.array(codes, mask=codes < 0)), dtype="str"), index=series.index)


_ARROW_METADATA = pa.Table.from_pandas(conform(empty_frame()), schema=SCHEMA, preserve_index=False).schema.metadata


def describe_markdown() -> str:
    """Return the schema as a Markdown table (for the README and ``landscape schema``)."""
    lines = ["| column | type | nullable | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {c.description} |" for c in COLUMNS]
    return "\n".join(lines)
