"""SIMD-specific Great Expectations, added to the canonical suite."""

from __future__ import annotations

from landscape_pipeline.validation.suite import described as meta

from .summarise import N_ZONES, all_indicator_ids


def expectations() -> list:
    """Return the SIMD expectations (GX 1.x objects, imported lazily), each with a description."""
    import great_expectations.expectations as gxe

    scotland = 'area_code=="S92000003"'
    dz_share = f"indicator_id in {[i for i in all_indicator_ids() if 'dz_most_deprived' in i]}"
    by_population = f"indicator_id in {[i for i in all_indicator_ids() if '_pop_' in i]}"
    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=all_indicator_ids(),
                                        meta=meta("Every row is one of the SIMD 2020v2 summaries.")),
        gxe.ExpectColumnValuesToMatchRegex(column="area_code", regex=r"^(?:S12\d{6}|S08\d{6}|S92000003)$",
                                           meta=meta("SIMD summaries are for council areas, boards and Scotland.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=1, max_value=N_ZONES, row_condition='value_type=="mean"',
            condition_parser="pandas",
            meta=meta(f"Average ranks lie within 1-{N_ZONES:,}, the ranks of the 2011 data zones.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=100, row_condition='value_type=="proportion"',
            condition_parser="pandas", meta=meta("Shares of data zones and population lie between 0 and 100.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=19.9, max_value=20.1,
            row_condition=f"{scotland} and {dz_share}", condition_parser="pandas",
            meta=meta("Scotland has 20% of its data zones in its own most deprived 20% (a check on the ranks).")),
        gxe.ExpectColumnValuesToBeBetween(
            column="denominator", min_value=4_500_000, max_value=6_500_000,
            row_condition=f"{scotland} and {by_population}", condition_parser="pandas",
            meta=meta("Scotland's population summed over data zones is plausible (4.5 to 6.5 million).")),
        gxe.ExpectColumnValuesToBeBetween(
            column="denominator", min_value=N_ZONES, max_value=N_ZONES,
            row_condition=f"{scotland} and {dz_share}", condition_parser="pandas",
            meta=meta(f"Scotland's summaries cover all {N_ZONES:,} data zones.")),
    ]
