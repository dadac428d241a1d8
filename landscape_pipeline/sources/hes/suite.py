"""Source-specific Great Expectations checks for the HES admissions table."""

from __future__ import annotations

from landscape_pipeline.validation.suite import described as meta


def expectations() -> list:
    """Return GX expectations on top of the canonical suite (GX imported lazily)."""
    import great_expectations.expectations as gxe


    return [
        gxe.ExpectColumnValuesToMatchRegex(
            column="indicator_id", regex=r"^hes_admissions_[a-z_]+_(?:emergency|elective)_(?:count|crude|dsr|share)$",
            meta=meta("Indicator ids follow hes_admissions_<site>_<method>_<statistic>.")),
        gxe.ExpectColumnValuesToBeInSet(column="value_type", value_set=["count", "crude rate", "DSR", "proportion"],
                                        meta=meta("HES rows are counts, crude rates, DSRs or proportions.")),
        gxe.ExpectColumnValuesToMatchRegex(column="area_code", regex=r"^E(?:0[6-9]|10|12|92)\d{6}$",
                                           meta=meta("HES areas are English LAs, counties, regions or England.")),
        gxe.ExpectColumnValuesToMatchRegex(column="period_label", regex=r"^\d{4}/\d{2}$",
                                           meta=meta("Periods are financial years such as 2022/23.")),
        gxe.ExpectColumnValuesToBeNull(column="source_row",
                                       meta=meta("Rows are aggregates: no row points at a record-level episode.")),
        gxe.ExpectColumnValuesToBeNull(
            column="value", row_condition='value_type=="DSR" & count<10', condition_parser="pandas",
            meta=meta("No DSR is published for fewer than 10 admissions.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=100, row_condition='value_type=="proportion"',
            condition_parser="pandas", meta=meta("The emergency share is a percentage between 0 and 100.")),
    ]
