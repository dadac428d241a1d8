"""Read a mapped extract through :mod:`landscape_pipeline.tabular`: one detail row per value cell.

Long files give one row per data row; wide files one row per (data row, value column), with the
column's header as the period or indicator text. A blank cell under a period header is skipped (no data
that year); under an indicator header it is kept as unknown, so sums over it are not computed. Every row
keeps ``_label`` (its data row in the file) and ``_column`` (the column its value came from), so
later checks name the file, row, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import tabular
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.mapping.model import Fill, MappingFile
from landscape_pipeline.tabular import RawTable, normalise
from landscape_pipeline.yamlfile import Loaded

TEXT_FIELDS = ("area_code", "area_name", "area_type", "period", "indicator", "sex", "age", "category_type",
               "category", "value_note")
NUMBER_FIELDS = ("value", "count", "denominator", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8",
                 "population")
SIGNED = {"value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"}
SEX_SYNONYMS = tabular.synonym_table({"Persons": ["All", "All persons", "Both", "Both sexes", "Total", "People"],
                                      "Male": ["Males", "Men", "M"], "Female": ["Females", "Women", "F"]})
DEFAULTS = {"sex": "Persons", "age": "All ages"}


@dataclass
class Extract:
    """A file read through its mapping: the raw table and its detail rows."""

    loaded: Loaded[MappingFile]
    table: RawTable
    rows: pd.DataFrame
    #: Field -> the file's column it was read from (None for constants and defaults).
    sources: dict[str, str | None]

    @property
    def mapping(self) -> MappingFile:
        """Return the mapping model."""
        return self.loaded.model

    def fail(self, mask: object, message: str, *, column: str | None = None, field: str | None = None) -> None:
        """Raise naming the first row where ``mask`` holds; ``{value}`` in ``message`` is ``field`` on that row.

        The column named is ``column``, else the row's own ``_column`` (where its value came from).
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not hits.size:
            return
        row = self.rows.iloc[int(hits[0])]
        value = row[field] if field else None
        raise self.table.error(message.format(value=value), label=int(row["_label"]),
                               column=column or row["_column"])

    def fail_header(self, column: str, message: str) -> SourceDataError:
        """Return an error at the header line, naming a wide column."""
        return SourceDataError(self.table.path, message, line=self.table.header_line, column=column,
                               sheet=self.table.sheet)


def data_path(loaded: Loaded[MappingFile]) -> Path:
    """Return the data file the mapping names, or raise at the mapping's ``reader.file`` line."""
    reader = loaded.model.reader
    path = loaded.path.parent / reader.file
    if not path.is_file():
        present = sorted(p.name for p in loaded.path.parent.iterdir() if p.is_file() and p.name != loaded.path.name)
        raise loaded.error(("reader", "file"), f"names '{reader.file}', which is not in the mapping's folder "
                                               f"(it holds: {', '.join(present) or 'nothing else'}).")
    is_excel = path.suffix.lower() in tabular.EXCEL_SUFFIXES
    if reader.format and (reader.format == "xlsx") != is_excel:
        raise loaded.error(("reader", "format"), f"says {reader.format}, but '{path.name}' is "
                                                 f"{'an Excel workbook' if is_excel else 'not an Excel workbook'}.")
    return path


def read_raw(loaded: Loaded[MappingFile]) -> RawTable:
    """Return the file's data rows as text, read the way the mapping's ``reader`` says."""
    reader = loaded.model.reader
    sheet = reader.sheet - 1 if isinstance(reader.sheet, int) else reader.sheet
    table = tabular.read_table(data_path(loaded), sheet=sheet, header_row=reader.header_row - 1,
                               find_header=reader.find_header, encoding=reader.encoding,
                               missing=(*tabular.COMMON_MISSING, *reader.missing_values))
    tabular.require_rows(table)
    return _select(loaded, table)


def _select(loaded: Loaded[MappingFile], table: RawTable) -> RawTable:
    """Return the table with only the rows the mapping's ``select.where`` keeps (row labels unchanged)."""
    where = loaded.model.select.where
    if not where:
        return table
    keep = pd.Series(True, index=table.frame.index)
    for header, values in where.items():
        column = _header_column(loaded, table, header, ("select", "where", header))
        wanted = {normalise(v) for v in values}
        keep &= table.frame[column].map(lambda text, w=wanted: pd.notna(text) and normalise(text) in w).astype(bool)
        if not keep.any():
            seen = ", ".join(repr(v) for v in table.frame[column].dropna().unique()[:12])
            raise loaded.error(("select", "where", header), f"keeps no row of {table.where}: its column "
                                                            f"'{column}' holds {seen or 'nothing'}.")
    return replace(table, frame=table.frame.loc[keep])


def _header_column(loaded: Loaded[MappingFile], table: RawTable, name: str, loc: tuple) -> str:
    by_norm = {normalise(c): c for c in reversed(table.frame.columns)}
    found = by_norm.get(normalise(name))
    if found is None:
        header = ", ".join(repr(c) for c in table.frame.columns[:25])
        raise loaded.error(loc, f"names column '{name}', which {table.where} does not have; its header "
                                f"(line {table.header_line}) is: {header}.")
    return found


def wide_columns(loaded: Loaded[MappingFile], table: RawTable) -> list[str]:
    """Return the file's value columns of a wide mapping, in file order."""
    shape = loaded.model.shape
    if shape.columns:
        return [_header_column(loaded, table, c, ("shape", "columns", i)) for i, c in enumerate(shape.columns)]
    pattern = re.compile(shape.columns_pattern or "")
    found = [c for c in table.frame.columns if c and pattern.fullmatch(str(c))]
    if not found:
        raise loaded.error(("shape", "columns_pattern"), f"matches no column of {table.where}; its header is: "
                                                         f"{', '.join(repr(c) for c in table.frame.columns[:25])}.")
    return found


def _text(loaded: Loaded[MappingFile], table: RawTable, name: str, fill: Fill | None) -> tuple[pd.Series, str | None]:
    """Return (text per data row, source column or None) for one text field."""
    index = table.frame.index
    if fill is None:
        return pd.Series(DEFAULTS.get(name), index=index, dtype=object), None
    if fill.column is None:
        return pd.Series(str(fill.constant), index=index, dtype=object), None
    column = _header_column(loaded, table, fill.column, ("columns", name, "column"))
    if fill.recode is not None:
        lookup = {normalise(k): v for k, v in fill.recode.items()}
        texts = table.frame[column].map(lambda t: lookup.get(normalise(t), t) if pd.notna(t) else t)
        return texts.astype(object), column
    if fill.map is not None:
        synonyms = tabular.synonym_table({v: [k for k, vv in fill.map.items() if vv == v] for v in fill.map.values()})
        return tabular.map_labels(table, column, synonyms, what=f"{name.replace('_', ' ')}").astype(object), column
    if name == "sex":
        return tabular.map_labels(table, column, SEX_SYNONYMS, what="Sex").astype(object), column
    return table.frame[column].astype(object), column


def _number(loaded: Loaded[MappingFile], table: RawTable, name: str, fill: Fill | None,
            tokens: list[str]) -> tuple[pd.Series, pd.Series, str | None]:
    index = table.frame.index
    if fill is None:
        return pd.Series(np.nan, index=index), pd.Series(False, index=index), None
    if fill.column is None:
        try:
            constant = float(fill.constant)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise loaded.error(("columns", name, "constant"), f"{fill.constant!r} is not a number.") from None
        return pd.Series(constant, index=index), pd.Series(False, index=index), None
    column = _header_column(loaded, table, fill.column, ("columns", name, "column"))
    return (*tabular.numbers(table, column, suppression=tokens, allow_negative=name in SIGNED), column)


def read_extract(loaded: Loaded[MappingFile]) -> Extract:
    """Return the extract's detail rows: text fields, numbers, suppression flags, ``_label`` and ``_column``."""
    mapping = loaded.model
    table = read_raw(loaded)
    fills = mapping.fills()
    tokens = mapping.reader.suppression_tokens
    base = pd.DataFrame(index=table.frame.index)
    sources: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        base[name], sources[name] = _text(loaded, table, name, fills.get(name))
    for i, dim in enumerate(mapping.dimensions):
        column = _header_column(loaded, table, dim.column, ("dimensions", i, "column"))
        base[f"dim:{dim.name}"] = table.frame[column].fillna("").astype(object)
    if mapping.geography.la_column:
        column = _header_column(loaded, table, mapping.geography.la_column, ("geography", "la_column"))
        base["_la_given"] = table.frame[column].astype(object)
    any_suppressed = pd.Series(False, index=table.frame.index)
    for name in NUMBER_FIELDS:
        if name == "value" and mapping.shape.kind == "wide":
            continue
        base[name], suppressed, sources[name] = _number(loaded, table, name, fills.get(name), tokens)
        any_suppressed |= suppressed
    for share in mapping.shares.columns if mapping.shares else ():
        for part in ("value", "count"):
            header = getattr(share, part)
            if header is None:  # only a share's count may be absent
                base[f"share:{share.category}:{part}"] = np.nan
                continue
            index = mapping.shares.columns.index(share)
            column = _header_column(loaded, table, header, ("shares", "columns", index, part))
            base[f"share:{share.category}:{part}"], suppressed = tabular.numbers(table, column, suppression=tokens)
            sources[f"share:{share.category}:{part}"] = column
            if part == "value":
                base[f"share:{share.category}:suppressed"] = suppressed.to_numpy()
    base["_label"] = table.frame.index.astype(int)
    if mapping.shape.kind == "long":
        value_fill = fills["value"]
        base["suppressed"] = any_suppressed.to_numpy()
        base["_column"] = (_header_column(loaded, table, value_fill.column, ("columns", "value", "column"))
                           if value_fill.column else None)
        rows = base
    else:
        parts = []
        for column in wide_columns(loaded, table):
            values, suppressed = tabular.numbers(table, column, suppression=tokens, allow_negative=True)
            part = base.assign(value=values, suppressed=(suppressed | any_suppressed).to_numpy(), _column=column)
            part[mapping.shape.headers_are] = column
            # A blank under a period header is a year with no data; under an indicator header it is unknown.
            by_period = mapping.shape.headers_are == "period"
            parts.append(part.loc[values.notna() | suppressed] if by_period else part)
        rows = pd.concat(parts)
    return Extract(loaded, table, rows.reset_index(drop=True), sources)
