"""PHS-specific Great Expectations checks, added to the canonical suite."""

from __future__ import annotations

from landscape_pipeline.validation.suite import described as meta

#: PHS geography in the canonical table: council areas, boards, the island-board group, Scotland.
AREA_CODE_PATTERN = r"^(?:S12\d{6}|S08\d{6}|S92000003|GR0800001)$"


def expectations() -> list:
    """Return the PHS expectations (GX 1.x objects, imported lazily), each with a description."""
    import great_expectations.expectations as gxe


    attributed = 'geography_method=="attributed"'
    dsr = 'value_type=="DSR"'
    return [
        gxe.ExpectColumnValuesToBeInSet(column="source_id", value_set=["phs"],
                                        meta=meta("Every row belongs to the PHS source.")),
        gxe.ExpectColumnValuesToMatchRegex(column="area_code", regex=AREA_CODE_PATTERN,
                                           meta=meta("PHS rows are for Scottish council areas, boards or Scotland.")),
        gxe.ExpectColumnValuesToBeInSet(column="geography_method", value_set=["direct", "attributed"],
                                        meta=meta("PHS rows are published directly or attributed from a board.")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="attribution_note", row_condition=attributed, condition_parser="pandas",
            meta=meta("Attributed rows say which board their value came from.")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="area_code", regex=r"^S12\d{6}$", row_condition=attributed, condition_parser="pandas",
            meta=meta("Only council areas receive attributed values.")),
        gxe.ExpectColumnValuesToBeInSet(column="value_type", value_set=["DSR", "crude rate", "count"],
                                        meta=meta("PHS values are EASRs, crude rates or counts.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="unit", value_set=["per 100,000"], row_condition=dsr, condition_parser="pandas",
            meta=meta("Age-standardised rates are per 100,000.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0,
                                          meta=meta("Rates and counts are not negative.")),
        gxe.ExpectColumnValuesToBeInSet(column="category_type", value_set=["Cancer site"],
                                        meta=meta("Every PHS row is broken down by cancer site.")),
    ]
