"""CQC-specific Great Expectations (plausibility rules), run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline.sources.cqc.parser import BEDS_ID, indicator_ids
from landscape_pipeline.sources.cqc.reader import RATINGS
from landscape_pipeline.validation.suite import described as meta
from landscape_pipeline.validation.suite import every_english_la_present


def extra_expectations() -> list:
    """Return the CQC expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe

    counts = 'value_type=="count"'
    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=indicator_ids(),
                                        meta=meta("Rows are the CQC location counts, shares and care home beds.")),
        every_english_la_present(),
        gxe.ExpectColumnValuesToBeInSet(column="category", value_set=["", *RATINGS],
                                        meta=meta("Breakdowns are CQC's latest overall ratings.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, row_condition=counts, condition_parser="pandas",
                                          meta=meta("Counts of locations and beds are not negative.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100,
                                          row_condition='value_type=="proportion"', condition_parser="pandas",
                                          meta=meta("Shares rated Good or Outstanding are percentages.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=2_000,
            row_condition='area_type=="Local authority" and value_type=="count" and indicator_id!="' + BEDS_ID + '"',
            condition_parser="pandas",
            meta=meta("Plausibility: a local authority has at most 2,000 active locations of one kind (England has "
                      "about 15,000 care homes in all).")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=20, max_value=100, mostly=0.95,
            row_condition='indicator_id=="cqc_gp_practices_good_outstanding" and area_type!="Local authority"',
            condition_parser="pandas",
            meta=meta("Plausibility: most regions have most GP practices rated Good or Outstanding.")),
        gxe.ExpectColumnValuesToNotBeNull(column="period_start", meta=meta("Every row has its snapshot date.")),
    ]
