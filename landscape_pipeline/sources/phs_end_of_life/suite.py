"""PHS end-of-life Great Expectations, added to the canonical suite."""

from __future__ import annotations

from landscape_pipeline.validation.suite import described as meta


def expectations() -> list:
    """Return the PHS end-of-life expectations (GX 1.x objects, imported lazily), each with a description."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="indicator_id",
            value_set=["phs_eol_home_community_last_6_months", "phs_eol_home_community_last_12_months"],
            meta=meta("Every row is PHS's share of the end of life spent at home or in a community setting.")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="area_code", regex=r"^(?:S12\d{6}|S37\d{6}|S08\d{6}|S92000003)$",
            meta=meta("Rows are for council areas, HSC partnerships, boards or Scotland.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=50, max_value=100,
            meta=meta("The share of the end of life spent out of hospital is plausible (50-100%; Scotland is "
                      "near 90%).")),
        gxe.ExpectColumnValuesToNotBeNull(column="value", meta=meta("Every row has a published percentage.")),
        gxe.ExpectColumnValuesToBeBetween(column="denominator", min_value=1,
                                          meta=meta("Every row counts at least one death.")),
        gxe.ExpectColumnValuesToMatchRegex(column="period_label", regex=r"^\d{4}/\d{2}$",
                                           meta=meta("Periods are financial years (YYYY/YY).")),
    ]
