"""Optional parts of a mapping file: which rows to read, companion shares, and derived numerators and limits.

Generic, for publisher workbooks that hold more than one table's worth of rows (several geography
levels, many questions) and give a result as shares of one set of responses (positive / neutral /
negative). Each is off unless the mapping asks for it:

* ``select``: keep only rows whose columns hold given values (e.g. ``level: [HSCP, Scotland]``), and
  optionally skip rows whose indicator text selects no rule (a workbook of 60 questions, 11 wanted);
* ``shares``: columns on the same row giving the other shares of the same responses; each becomes a
  row of the breakdown ``category_type`` (e.g. Response: Neutral, Negative), and the row's value plus
  its shares must add up to ``total`` within ``tolerance`` (published rounding);
* ``intervals``: derive a proportion's numerator from its value and denominator where the file gives
  none, and compute Wilson limits where the file publishes none (only where they bracket the value:
  a weighted percentage is not the share of its unweighted numerator, so it gets none from it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from landscape_pipeline.validation.suite import POLARITIES

if TYPE_CHECKING:
    from landscape_pipeline.mapping.model import MappingFile

Polarity = Literal[POLARITIES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Select(_Strict):
    """Which of the file's data rows are read; the rest are skipped before any check."""

    where: dict[str, list[str]] = Field(
        default_factory=dict, description="Column header -> the cell texts to keep (matched ignoring case and "
                                          "punctuation); rows with any other text in that column are skipped.")
    unmatched_indicators: Literal["error", "skip"] = Field(
        "error", description="error: a row whose indicator text selects no rule refuses the file; skip: such rows "
                             "are not read (for workbooks holding many more questions than the mapping wants).")


class Share(_Strict):
    """One companion share on the same row (e.g. the % neutral beside the % positive)."""

    category: str = Field(min_length=1, description="The category this share becomes (e.g. 'Neutral').")
    value: str = Field(description="Header of the column holding the share.")
    count: str | None = Field(None, description="Header of the column holding its count of responses, if any.")
    polarity: Polarity = Field("No judgement", description="Polarity of the share's rows.")


class Shares(_Strict):
    """Companion shares of each row's responses, and the total they make with the row's own value."""

    category_type: str = Field(min_length=1, description="Breakdown name of the share rows (e.g. 'Response').")
    columns: list[Share] = Field(min_length=1)
    total: float = Field(100, gt=0, description="What the row's value and its shares add up to (100 for %).")
    tolerance: float = Field(1.5, ge=0, description="Allowed difference from 'total' (published rounding).")


class Intervals(_Strict):
    """Numerators and confidence limits the pipeline fills in where the file gives none (proportions only)."""

    derive_count: bool = Field(
        False, description="Numerator = round(value / multiplier x denominator) where the file gives a proportion "
                           "and its denominator (e.g. % positive and number of responses) but no count.")
    wilson_where_missing: bool = Field(
        False, description="Compute Wilson 95% and 99.8% limits from the (derived) numerator and denominator where "
                           "the file publishes no 95% limits.")


def option_problems(mapping: MappingFile) -> list[tuple[tuple, str]]:
    """Return (location, message) for options that do not fit the rest of a mapping file."""
    out: list[tuple[tuple, str]] = []
    shape, columns = mapping.shape, mapping.columns
    if mapping.shares is not None and shape.kind != "long":
        out.append((("shares",), "shares sit beside a long file's value column; use shape kind: long."))
    if mapping.shares is not None and (columns.category_type or columns.category or mapping.dimensions):
        out.append((("shares",), "shares set the category columns; remove category_type, category and dimensions."))
    if mapping.select.unmatched_indicators == "skip" and shape.kind == "wide" \
            and shape.headers_are == "indicator":
        out.append((("select", "unmatched_indicators"), "with indicators in the wide headers, list the wanted "
                                                        "columns in shape.columns instead of skipping."))
    if mapping.geography.roll_up == "attribute" and mapping.dimensions:
        out.append((("dimensions",), "attributed rows are copied, not summed: remove dimensions or choose another "
                                     "roll_up."))
    return out
