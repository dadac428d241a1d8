"""Expectations for CQC local authority assessments (plausibility rules), run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline.sources.cqc_la_assessment.template import PERCENT_ID, QUALITY_STATEMENTS, RATING_ID
from landscape_pipeline.validation.suite import described as meta


def extra_expectations() -> list:
    """Return the assessment expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe

    ids = [RATING_ID, PERCENT_ID, *(qs.indicator_id for qs in QUALITY_STATEMENTS)]
    scored = " or ".join(f'indicator_id=="{i}"' for i in ids if i != PERCENT_ID)
    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=ids,
                                        meta=meta("Rows are the overall rating, the total score or one of the nine "
                                                  "quality statements.")),
        gxe.ExpectColumnValuesToMatchRegex(column="area_code", regex=r"^E(?:0[689]|10)\d{6}$",
                                           meta=meta("Every assessment is of an English council with adult social "
                                                     "services duties.")),
        gxe.ExpectColumnValuesToBeInSet(column="value", value_set=[1, 2, 3, 4], row_condition=scored,
                                        condition_parser="pandas",
                                        meta=meta("Ratings and quality-statement scores are whole numbers 1-4.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=25, max_value=100,
                                          row_condition=f'indicator_id=="{PERCENT_ID}"', condition_parser="pandas",
                                          meta=meta("Total scores lie between 25% (all 1s) and 100% (all 4s).")),
        gxe.ExpectColumnValuesToNotBeNull(column="value_note", meta=meta("Every row says when CQC published it.")),
        gxe.ExpectColumnValuesToMatchRegex(column="period_label", regex=r"^20\d{2}-\d{2}(?:-\d{2})?$",
                                           meta=meta("Periods are assessment dates (YYYY-MM-DD or YYYY-MM).")),
    ]
