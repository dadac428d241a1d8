"""QOF prevalence Great Expectations, run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline.sources.qof_prevalence.parser import INDICATOR_ID
from landscape_pipeline.validation.suite import described as meta
from landscape_pipeline.validation.suite import every_english_la_present


def extra_expectations() -> list:
    """Return the QOF prevalence expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe


    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=[INDICATOR_ID],
                                        meta=meta("Only apportioned QOF cancer prevalence is produced.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=20,
                                          meta=meta("Cancer register prevalence lies between 0% and 20%.")),
        gxe.ExpectColumnValuesToNotBeNull(column="lower_ci_95", meta=meta("Every value has a Wilson interval.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="geography_method", value_set=["apportioned"], row_condition='area_code!="E92000001"',
            condition_parser="pandas", meta=meta("Every local-authority and region row is apportioned.")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="attribution_note", row_condition='geography_method=="apportioned"', condition_parser="pandas",
            meta=meta("Every apportioned row says how it was apportioned.")),
        every_english_la_present(),
    ]
