"""ASCOF-specific Great Expectations (plausibility rules), run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline import geography
from landscape_pipeline.sources.ascof.measures import MEASURES
from landscape_pipeline.validation.suite import described as meta


def extra_expectations() -> list:
    """Return the ASCOF expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe

    councils = [la.area_code for la in geography.current_local_authorities()
                if la.nation_code == geography.ENGLAND and la.tier != "lower"]
    out = [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=list(MEASURES),
                                        meta=meta("Every row is one of the kept ASCOF measures.")),
        gxe.ExpectColumnValuesToBeInSet(column="area_type", value_set=["Local authority", "Region", "England"],
                                        meta=meta("Rows are councils, English regions or England.")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="area_code", regex=r"^E(?:0[689]|1[02]|92)\d{6}$",
            meta=meta("Areas are English councils with social services responsibilities, regions or England "
                      "(never districts).")),
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="area_code", value_set=[geography.ENGLAND, *councils],
            meta=meta("England and every current council with adult social services responsibilities are present.")),
        gxe.ExpectColumnValuesToBeNull(column="value", row_condition="suppressed==True", condition_parser="pandas",
                                       meta=meta("Values the publisher withheld have no value.")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value_note", row_condition="value.isnull()", condition_parser="pandas",
            meta=meta("Every row without a value says what the publisher wrote instead.")),
        gxe.ExpectColumnValuesToMatchRegex(column="period_label", regex=r"^20\d{2}/\d{2}$",
                                           meta=meta("Periods are financial years such as 2024/25.")),
    ]
    for measure in MEASURES.values():
        out.append(gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=measure.minimum, max_value=measure.maximum,
            row_condition=f'indicator_id=="{measure.indicator_id}"', condition_parser="pandas",
            meta=meta(f"{measure.name} lies between {measure.minimum:g} and {measure.maximum:g} ({measure.unit}).")))
        low, high = measure.plausible
        out.append(gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=low, max_value=high, mostly=0.99,
            row_condition=f'indicator_id=="{measure.indicator_id}"', condition_parser="pandas",
            meta=meta(f"Plausibility: at least 99% of {measure.name} values lie between {low:g} and {high:g} "
                      "(published values have; fractions instead of percentages would not).")))
    return out
