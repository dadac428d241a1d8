"""CPES-specific Great Expectations, run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline.sources.cpes.questions import INDICATORS
from landscape_pipeline.validation.suite import described as meta
from landscape_pipeline.validation.suite import every_english_la_present


def extra_expectations() -> list:
    """Return the CPES expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe


    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=list(INDICATORS),
                                        meta=meta("Every row is one of the mapped CPES indicators.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=100, row_condition='value_type=="proportion"',
            condition_parser="pandas", meta=meta("Scored percentages lie between 0 and 100.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=10, row_condition='value_type=="score"',
            condition_parser="pandas", meta=meta("The overall rating of care is a 0-10 score.")),
        gxe.ExpectColumnValuesToBeInSet(column="area_type", value_set=["England", "ICB", "Sub-ICB", "Local authority"],
                                        meta=meta("Rows are England, ICB, sub-ICB or attributed local authority.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="geography_method", value_set=["attributed"], row_condition='area_type=="Local authority"',
            condition_parser="pandas", meta=meta("Local-authority rows are marked as attributed.")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="attribution_note", row_condition='geography_method=="attributed"', condition_parser="pandas",
            meta=meta("Every attributed row names the NHS area it came from.")),
        gxe.ExpectColumnValuesToBeNull(
            column="value", row_condition="suppressed==True", condition_parser="pandas",
            meta=meta("Results suppressed for fewer than 21 respondents have no value.")),
        every_english_la_present(),
    ]
