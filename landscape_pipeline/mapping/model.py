"""The mapping file of a local extract: how one CSV or Excel file becomes canonical indicator rows.

One pydantic model, defined once: :func:`json_schema` generates the JSON Schema shipped beside this
module (``mapping.schema.json``) so editors can check a mapping as it is written, and
:func:`landscape_pipeline.mapping.load_mapping` validates a mapping before any data is read. Words
follow Frictionless Table Schema where they fit (``missing_values``, ``primary key`` -> dimensions).
Checks that tie several keys together are in :meth:`MappingFile.problems`, each with the location
of the key to fix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from landscape_pipeline.disclosure import RULES
from landscape_pipeline.mapping.options import Intervals, Select, Shares, option_problems
from landscape_pipeline.mapping.periods import FORMATS
from landscape_pipeline.sources.base import THEMES
from landscape_pipeline.tabular import COMMON_SUPPRESSION, normalise
from landscape_pipeline.validation.suite import POLARITIES, SEXES, VALUE_TYPES

SCHEMA_PATH = Path(__file__).with_name("mapping.schema.json")
MAPPING_FILE = "mapping.yaml"

PeriodFormat = Literal[tuple(FORMATS)]  # type: ignore[valid-type]
DisclosureName = Literal[tuple(RULES)]  # type: ignore[valid-type]
ValueType = Literal[VALUE_TYPES]  # type: ignore[valid-type]
Polarity = Literal[POLARITIES]  # type: ignore[valid-type]
Theme = Literal[THEMES]  # type: ignore[valid-type]
#: Geography levels a file may be at; ``site`` means programme site names from ``data_sources/sites.yaml``.
Level = Literal["la", "ward", "lsoa", "site", "health_board", "hscp"]
RollUp = Literal["not_allowed", "sum_counts", "recompute_from_counts", "population_weighted", "attribute"]
#: Levels whose areas contain whole council areas, so their values may be attributed to them.
CONTAINING_LEVELS = ("hscp", "health_board")
IndicatorId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,79}$",
                                   description="Lower-case letters, digits and '_' (e.g. 'local_hna_completed').")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _column_shorthand(value: object) -> object:
    """Accept ``area_code: Area Code`` as short for ``area_code: {column: Area Code}``."""
    return {"column": value} if isinstance(value, str) else value


class Fill(_Strict):
    """How one canonical column is filled: from a column of the file (optionally through a value map) or a constant."""

    column: str | None = Field(None, description="Header of the file's column (case, spacing and punctuation ignored).")
    constant: str | float | None = Field(None, description="The same value on every row.")
    map: dict[str, str] | None = Field(
        None, description="Text in the column -> canonical value (matched ignoring case and punctuation); "
                          "a value not listed is an error.")
    recode: dict[str, str] | None = Field(
        None, description="Text in the column -> replacement (matched ignoring case and punctuation); values not "
                          "listed are kept as they are (e.g. 'Scotland' -> S92000003 among area codes).")

    def problems(self) -> list[tuple[tuple, str]]:
        """Return (location, message) for each inconsistency."""
        if (self.column is None) == (self.constant is None):
            return [((), "give exactly one of 'column' or 'constant'.")]
        for key in ("map", "recode"):
            if getattr(self, key) is not None and self.column is None:
                return [((key,), f"a value {key} needs a 'column' to read from.")]
        if self.map is not None and self.recode is not None:
            return [(("recode",), "give either 'map' (every value listed) or 'recode' (some values), not both.")]
        return []


FillField = Annotated[Fill, BeforeValidator(_column_shorthand, json_schema_input_type=Fill | str)]


class Reader(_Strict):
    """Where the data are and how to read them."""

    file: str = Field(description="The data file's name, in the same folder as the mapping.")
    format: Literal["csv", "xlsx"] | None = Field(None, description="Default: from the file name (.csv, .xlsx...).")
    sheet: str | int | None = Field(None, description="Excel sheet name, or its 1-based number (default: the first).")
    header_row: int = Field(1, ge=1, description="1-based line (CSV) or row (Excel) holding the header.")
    find_header: list[str] = Field(
        default_factory=list, description="Header names that identify the header row; when given, title rows above "
                                          "it are skipped wherever the table starts (header_row is then ignored).")
    encoding: str | None = Field(None, description="CSV text encoding (default: UTF-8, then Windows-1252).")
    missing_values: list[str] = Field(default_factory=list,
                                      description="Cell texts meaning 'no value', besides blanks, NA and N/A.")
    suppression_tokens: list[str] = Field(
        default_factory=lambda: list(COMMON_SUPPRESSION),
        description="Cell texts meaning 'withheld' in numeric columns (the row is kept, marked suppressed).")


class Shape(_Strict):
    """Long (one value column) or wide (several value columns whose headers are periods or indicators)."""

    kind: Literal["long", "wide"] = "long"
    columns: list[str] = Field(default_factory=list, description="Wide: the value columns.")
    columns_pattern: str | None = Field(None, description="Wide: a regular expression matching the value columns.")
    headers_are: Literal["period", "indicator"] = Field(
        "period", description="Wide: what each value column's header holds.")


class Columns(_Strict):
    """Canonical column -> how it is filled. Unlisted optional columns stay empty."""

    area_code: FillField
    area_name: FillField | None = None
    area_type: FillField | None = None
    period: FillField | None = Field(None, description="The period text (not needed when wide headers are periods).")
    indicator: FillField | None = Field(
        None, description="The text matched against the indicator rules (not needed when wide headers are indicators).")
    value: FillField | None = Field(None, description="Not needed when the shape is wide.")
    count: FillField | None = None
    denominator: FillField | None = None
    lower_ci_95: FillField | None = None
    upper_ci_95: FillField | None = None
    lower_ci_99_8: FillField | None = None
    upper_ci_99_8: FillField | None = None
    sex: FillField | None = Field(None, description="Default Persons; map the file's words to Persons/Male/Female.")
    age: FillField | None = Field(None, description="Default 'All ages'.")
    category_type: FillField | None = None
    category: FillField | None = None
    value_note: FillField | None = None
    population: FillField | None = Field(None, description="Population of each area (for population_weighted roll-up).")


class Period(_Strict):
    """How the period texts are written."""

    format: PeriodFormat = Field(description="; ".join(f"{k}: e.g. {v}" for k, v in FORMATS.items()))


class Geography(_Strict):
    """The level and code vintage of the file's areas, and whether and how they roll up to local authorities."""

    level: Level = Field(description="la (LA, region and nation codes), ward, lsoa, health_board, hscp (Scottish "
                                     "health and social care partnerships, S37), or site (programme site names "
                                     "from data_sources/sites.yaml).")
    vintage: int | None = Field(None, ge=1990, le=2100,
                                description="Year of the code vintage (2018 for WD18/LAD18 codes); not for sites.")
    roll_up: RollUp = Field(
        "not_allowed", description="not_allowed: rows stay at their level; sum_counts: LA = sum of counts; "
                                   "recompute_from_counts: LA value recomputed from summed count and denominator; "
                                   "population_weighted: LA value = population-weighted mean; attribute "
                                   "(hscp, health_board): each council area the area contains carries its value, "
                                   "'direct' where they are the same area, 'attributed' where it is shared.")
    la_column: str | None = Field(None, description="Sites serving several LAs: the column naming each row's LA code.")


class IndicatorRule(_Strict):
    """One indicator: the source text(s) that select it and what it is."""

    match: str | list[str] = Field(min_length=1, description="Source text(s) of this indicator, matched ignoring case "
                                                       "and punctuation (the indicator column or wide header).")
    id: IndicatorId
    name: str | None = Field(None, description="Indicator name (default: the first match text).")
    definition: str = Field(min_length=3, description="What is measured, in a sentence.")
    unit: str = Field(min_length=1, description="e.g. '%', 'per 100,000', 'SIR (England = 100)', 'people'.")
    value_type: ValueType
    multiplier: float = Field(1, gt=0, description="Value = count / denominator x multiplier (100 for %, 100000 per "
                                                   "100,000); used when values are recomputed.")
    scale: float = Field(1, gt=0, description="Multiply published values and limits by this (100 when 0.56 means 56%).")
    polarity: Polarity
    beside: IndicatorId | None = Field(None, description="Canonical indicator this one sits beside "
                                                         "(e.g. fingertips_91720).")
    theme: Theme = "Local data"

    @property
    def texts(self) -> list[str]:
        """Return the source texts that select this indicator."""
        return [self.match] if isinstance(self.match, str) else list(self.match)

    @property
    def label(self) -> str:
        """Return the indicator name: ``name``, else the first match text."""
        return self.name or self.texts[0]


class DerivedRule(_Strict):
    """An indicator computed from two others at each area, period and breakdown (e.g. a completion proportion)."""

    id: IndicatorId
    name: str
    definition: str = Field(min_length=3)
    numerator: IndicatorId = Field(description="Id of the indicator rule giving the numerator counts.")
    denominator: IndicatorId = Field(description="Id of the indicator rule giving the denominator counts.")
    method: Literal["proportion", "rate"] = Field("proportion", description="proportion: Wilson limits; "
                                                                            "rate: exact/Byar's limits.")
    multiplier: float = Field(100, gt=0)
    unit: str = "%"
    polarity: Polarity
    theme: Theme = "Local data"


class Dimension(_Strict):
    """A column that tells rows apart besides area, period and indicator (e.g. service, tumour group)."""

    name: str = Field(min_length=1, description="Label used as category_type (e.g. 'Tumour group').")
    column: str


class MappingFile(_Strict):
    """A local extract's mapping file (``mapping.yaml`` beside the data file)."""

    mapping_version: Literal[1] = 1
    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    homepage: str | None = None
    caveat: str = ""
    reader: Reader
    shape: Shape = Shape()
    columns: Columns
    period: Period
    geography: Geography
    indicators: list[IndicatorRule] = Field(min_length=1)
    derived: list[DerivedRule] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(default_factory=list)
    breakdowns: list[str] = Field(
        default_factory=list, description="With dimensions: the tables to build, 'total' (summed over every "
                                          "dimension) or a dimension name (one row per value of it).")
    disclosure: DisclosureName = Field(description="Small-number rule applied to published counts.")
    select: Select = Field(Select(), description="Which data rows are read (default: all).")
    shares: Shares | None = Field(None, description="Companion shares of each row's responses (long files).")
    intervals: Intervals = Field(Intervals(), description="Numerators and limits filled in where none are given.")

    def fills(self) -> dict[str, Fill]:
        """Return the canonical columns this mapping fills, by name."""
        return {name: fill for name, fill in self.columns if fill is not None}

    def problems(self) -> list[tuple[tuple, str]]:
        """Return (location, message) for every rule that ties several keys together."""
        out = [(("columns", name, *loc), msg) for name, fill in self.fills().items() for loc, msg in fill.problems()]
        sex = self.columns.sex
        if sex is not None and sex.map and not set(sex.map.values()) <= set(SEXES):
            out.append((("columns", "sex", "map"), f"maps to {sorted(set(sex.map.values()) - set(SEXES))}; "
                                                   f"sex must become one of {', '.join(SEXES)}."))
        out += self._shape_problems()
        out += self._rule_problems()
        out += self._geography_problems()
        out += option_problems(self)
        return out

    def _shape_problems(self) -> list[tuple[tuple, str]]:
        out: list[tuple[tuple, str]] = []
        wide = self.shape.kind == "wide"
        if wide and not (self.shape.columns or self.shape.columns_pattern):
            out.append((("shape",), "a wide file needs 'columns' (the value columns) or 'columns_pattern'."))
        if self.shape.columns_pattern:
            try:
                re.compile(self.shape.columns_pattern)
            except re.error as exc:
                out.append((("shape", "columns_pattern"), f"is not a regular expression ({exc})."))
        needed = {"value": not wide, "period": not (wide and self.shape.headers_are == "period"),
                  "indicator": not (wide and self.shape.headers_are == "indicator")}
        for name, required in needed.items():
            if required and getattr(self.columns, name) is None:
                out.append((("columns",), f"'{name}' is required here; say which column (or constant) fills it."))
            if wide and not required and getattr(self.columns, name) is not None:
                out.append((("columns", name), f"comes from the wide headers; remove '{name}' from columns."))
        return out

    def _rule_problems(self) -> list[tuple[tuple, str]]:
        out: list[tuple[tuple, str]] = []
        ids: dict[str, int] = {}
        texts: dict[str, str] = {}
        for i, rule in enumerate(self.indicators):
            if rule.id in ids:
                out.append((("indicators", i, "id"), f"'{rule.id}' is also the id of indicator {ids[rule.id] + 1}."))
            ids.setdefault(rule.id, i)
            for text in rule.texts:
                key = normalise(text)
                if key in texts and texts[key] != rule.id:
                    out.append((("indicators", i, "match"), f"{text!r} already selects '{texts[key]}'."))
                texts.setdefault(key, rule.id)
        for i, rule in enumerate(self.derived):
            if rule.id in ids:
                out.append((("derived", i, "id"), f"'{rule.id}' is already an indicator id; choose another."))
            for part in ("numerator", "denominator"):
                if getattr(rule, part) not in ids:
                    out.append((("derived", i, part), f"'{getattr(rule, part)}' is not the id of an indicator rule "
                                                      f"(known: {', '.join(ids)})."))
            ids.setdefault(rule.id, i)
        return out

    def _geography_problems(self) -> list[tuple[tuple, str]]:
        out: list[tuple[tuple, str]] = []
        geo, method = self.geography, self.geography.roll_up
        if geo.level != "site" and geo.vintage is None:
            out.append((("geography",), "'vintage' is required: the year of the area codes (e.g. 2018 for WD18)."))
        if method == "attribute" and geo.level not in CONTAINING_LEVELS:
            out.append((("geography", "roll_up"), f"attribute needs areas that contain council areas "
                                                  f"({' or '.join(CONTAINING_LEVELS)}), not {geo.level!r}."))
        if geo.level == "site" and method == "not_allowed":
            out.append((("geography", "roll_up"), "site rows must roll up to local authorities; choose sum_counts, "
                                                  "recompute_from_counts or population_weighted."))
        wrong = {"sum_counts": ("count",), "recompute_from_counts": ("proportion", "crude rate")}.get(method)
        for i, rule in enumerate(self.indicators):
            if wrong and rule.value_type not in wrong:
                out.append((("indicators", i, "value_type"), f"is {rule.value_type!r}, which {method} cannot "
                                                             f"combine; it needs {' or '.join(wrong)}."))
        if method == "recompute_from_counts" and (self.columns.count is None or self.columns.denominator is None):
            out.append((("columns",), "recompute_from_counts needs the 'count' and 'denominator' columns."))
        if method == "population_weighted" and self.columns.population is None:
            out.append((("columns",), "population_weighted needs the 'population' column."))
        names = [d.name for d in self.dimensions]
        if self.dimensions and method == "not_allowed":
            out.append((("dimensions",), "rows with dimensions are summed into breakdowns; set geography.roll_up."))
        if self.dimensions and not self.breakdowns:
            out.append((("dimensions",), "say which tables to build: breakdowns: [total, <dimension name>...]."))
        for i, name in enumerate(self.breakdowns):
            if name != "total" and name not in names:
                out.append((("breakdowns", i), f"{name!r} is neither 'total' nor a dimension ({', '.join(names)})."))
        if self.breakdowns and (self.columns.category_type or self.columns.category):
            out.append((("columns",), "breakdowns set the category columns; remove category_type and category."))
        return out


def json_schema() -> dict:
    """Return the JSON Schema of a mapping file (what ``mapping.schema.json`` ships)."""
    schema = MappingFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "landscape_pipeline mapping file for a local extract"
    return schema


def schema_text() -> str:
    """Return the shipped schema's text (stable formatting, so the test can compare files)."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
