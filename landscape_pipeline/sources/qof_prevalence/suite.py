"""QOF prevalence Great Expectations, run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline import geography
from landscape_pipeline.sources.qof_prevalence.parser import INDICATOR_ID


def extra_expectations() -> list:
    """Return the QOF prevalence expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe

    def meta(text: str) -> dict[str, str]:
        return {"description": text}

    english_las = [la.area_code for la in geography.current_local_authorities()
                   if la.nation_code == geography.ENGLAND]
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
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="area_code", value_set=[geography.ENGLAND, *english_las],
            meta=meta("England and every current English local authority are present.")),
    ]
