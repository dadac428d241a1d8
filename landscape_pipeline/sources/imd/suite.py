"""IMD-specific Great Expectations, run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline import geography
from landscape_pipeline.sources.imd.parser import INDICATORS, PROPORTION_ID, RANK_ID, SCORE_ID, UPPER_RANK_ID
from landscape_pipeline.validation.suite import described as meta
from landscape_pipeline.validation.suite import every_english_la_present


def extra_expectations() -> list:
    """Return the IMD expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe


    las = [la for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND]
    lower = [la.area_code for la in las if la.tier != "upper"]
    upper = [la.area_code for la in las if la.tier != "lower"]

    def only(indicator_id: str) -> dict[str, str]:
        return {"row_condition": f'indicator_id=="{indicator_id}"', "condition_parser": "pandas"}

    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=list(INDICATORS),
                                        meta=meta("Only the four IMD indicators are produced.")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value", row_condition='value_note.str.startswith("Not computed", na=False) == False',
            condition_parser="pandas",
            meta=meta("Every IMD summary has a value, unless its note says why it could not be computed.")),

        every_english_la_present(),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100, **only(SCORE_ID),
                                          meta=meta("Average scores lie between 0 and 100.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100, **only(PROPORTION_ID),
                                          meta=meta("Proportions of LSOAs are percentages between 0 and 100.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=1, max_value=len(lower), **only(RANK_ID),
                                          meta=meta(f"Lower-tier ranks run from 1 to {len(lower)}.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=1, max_value=len(upper), **only(UPPER_RANK_ID),
                                          meta=meta(f"Upper-tier ranks run from 1 to {len(upper)}.")),
        gxe.ExpectColumnValuesToBeInSet(column="period_label", value_set=["2019"],
                                        meta=meta("The IoD2019 edition is labelled 2019.")),
    ]
