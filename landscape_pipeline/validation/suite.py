"""The Great Expectations suite every canonical indicator table must pass, derived from the schema.

Each expectation carries a plain-English description (shown in the Dagster UI and by
``landscape validate``) in its ``meta``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from landscape_pipeline import schema

SEXES = ("Persons", "Male", "Female")
POLARITIES = ("High is good", "Low is good", "No judgement", "Not applicable")
VALUE_TYPES = ("proportion", "crude rate", "DSR", "ISR", "mean", "count", "score", "rank", "ratio", "other")

#: Codes shaped like an LA, region or nation code must be known to the geography module.
_LA_SHAPED = re.compile(r"^(E0[6-9]|E10|E12|E92|S12|S92|W06|W92|N09|N92)\d{6}$")

AREA_STATUS_COLUMN = "_area_status"
ALLOWED_AREA_STATUSES = ("current_la", "retired_la", "region", "nation", "health_board", "other_geography")


def area_status(codes: pd.Series) -> pd.Series:
    """Return each code's geography status; LA-shaped codes the geography does not know are 'unknown'."""
    from landscape_pipeline.geography import classify_area_codes

    status = classify_area_codes(codes).astype(object)
    unknown = status.eq("unknown")
    shaped = codes.astype(str).str.match(_LA_SHAPED)
    status[unknown & ~shaped] = "other_geography"
    return status.astype(str)


def described(text: str) -> dict[str, str]:
    """Return the ``meta`` of an expectation: the plain-English sentence shown when it fails."""
    return {"description": text}


def every_english_la_present():
    """Return the expectation that England and every current English LA (both tiers) have rows."""
    import great_expectations.expectations as gxe

    from landscape_pipeline import geography

    codes = [la.area_code for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND]
    return gxe.ExpectColumnDistinctValuesToContainSet(
        column="area_code", value_set=[geography.ENGLAND, *codes],
        meta=described("England and every current English local authority (both tiers) are present."))


def expectations() -> list:
    """Return the canonical expectations (GX 1.x objects), each with a ``meta['description']``.

    Rules that need arithmetic across columns or rows (a proportion's count within its denominator,
    ranges by unit, ...) are vectorised checks in :mod:`landscape_pipeline.validation.canonical_rules`,
    reported in the same report; a GX ``row_condition`` costs a pandas query per metric.
    """
    import great_expectations.expectations as gxe

    meta = described

    required = [c.name for c in schema.COLUMNS if not c.nullable]
    out: list = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=[*schema.COLUMN_NAMES, AREA_STATUS_COLUMN], exact_match=True,
            meta=meta("The table has exactly the canonical columns.")),
    ]
    out += [gxe.ExpectColumnValuesToNotBeNull(column=name, meta=meta(f"'{name}' is always filled in."))
            for name in required]
    out += [
        gxe.ExpectColumnValuesToBeInSet(
            column=AREA_STATUS_COLUMN, value_set=list(ALLOWED_AREA_STATUSES),
            meta=meta("Area codes are known: current or retired LAs, regions, nations, health boards.")),
        gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=list(SEXES),
                                        meta=meta("Sex is Persons, Male or Female.")),
        gxe.ExpectColumnValuesToBeInSet(column="polarity", value_set=list(POLARITIES),
                                        meta=meta("Polarity is a Fingertips polarity.")),
        gxe.ExpectColumnValuesToBeInSet(column="value_type", value_set=list(VALUE_TYPES),
                                        meta=meta("Value type is a known statistic.")),
        gxe.ExpectColumnValuesToBeBetween(column="count", min_value=0, meta=meta("Counts are not negative.")),
        gxe.ExpectColumnValuesToBeBetween(column="denominator", min_value=0,
                                          meta=meta("Denominators are not negative.")),
        gxe.ExpectColumnValuesToNotBeNull(column="period_start",
                                          meta=meta("The time period parses to a start date.")),
        gxe.ExpectColumnValuesToNotBeNull(column="period_end", meta=meta("The time period parses to an end date.")),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=meta("A period ends on or after its start.")),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(schema.KEY_COLUMNS),
            meta=meta("No two rows share indicator, area, period, sex, age and category.")),
    ]
    for level in ("95", "99_8"):
        lower, upper = f"lower_ci_{level}", f"upper_ci_{level}"
        shown = level.replace("_", ".")
        out += [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="value", column_B=lower, or_equal=True, ignore_row_if="either_value_is_missing",
                meta=meta(f"The lower {shown}% limit is not above the value.")),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=upper, column_B="value", or_equal=True, ignore_row_if="either_value_is_missing",
                meta=meta(f"The upper {shown}% limit is not below the value.")),
        ]
    return out


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame GX validates: conformed, with the area-status helper column.

    Rows that repeat another row exactly (Fingertips lists England twice) are dropped so that
    only conflicting duplicates fail the uniqueness expectation; index labels stay those of
    ``frame`` so failures map back to source rows.
    """
    conformed = schema.conform(frame)
    conformed.index = frame.index
    repeats = _repeats(conformed)
    # columns are replaced below, never written into: without repeats, a shallow copy holds no second table
    prepared = conformed.loc[~repeats].copy() if repeats.any() else conformed.copy(deep=False)
    for name in ("category_type", "category"):
        prepared[name] = prepared[name].fillna("")
    prepared[AREA_STATUS_COLUMN] = area_status(prepared["area_code"]).to_numpy()
    return _dictionary_encoded(prepared)


_VALUE_COLUMNS = ("value", "lower_ci_95", "upper_ci_95", "count", "denominator")


def _repeats(frame: pd.DataFrame) -> pd.Series:
    """Return which rows repeat an earlier row's key and values, as their text would (-0 and 0 differ)."""
    keyed = frame[[*schema.KEY_COLUMNS, *_VALUE_COLUMNS]].copy()
    for name in _VALUE_COLUMNS:
        values = keyed[name].to_numpy(dtype=float, na_value=np.nan)
        keyed[f"{name}_negative_zero"] = (values == 0) & np.signbit(values)
    return keyed.duplicated()


#: Columns whose distinct values an expectation reads: categories unused after GX drops null rows would count.
_KEEP_AS_STRING = ("area_code",)


def _dictionary_encoded(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its repeated-string columns as categoricals.

    GX filters the whole frame once per metric (dropping the rows where the metric's column is
    null); taking rows from integer codes costs a fraction of copying Arrow strings, and every
    expectation sees the same values.
    """
    for name in frame.columns:
        if name not in _KEEP_AS_STRING and pd.api.types.is_string_dtype(frame[name].dtype):
            frame[name] = frame[name].astype("category")
    return frame
