"""ScotPHO-specific Great Expectations, added to the canonical suite."""

from __future__ import annotations

from landscape_pipeline.validation.plausibility import range_expectations
from landscape_pipeline.validation.suite import described as meta

from . import catalogue as cat

#: ScotPHO geography kept in the canonical table: council areas, HSCPs, boards and Scotland.
AREA_CODE_PATTERN = r"^(?:S12\d{6}|S37\d{6}|S08\d{6}|S92000003)$"


def expectations() -> list:
    """Return the ScotPHO expectations (GX 1.x objects, imported lazily), each with a description."""
    import great_expectations.expectations as gxe

    out = [
        gxe.ExpectColumnValuesToBeInSet(column="source_id", value_set=["scotpho"],
                                        meta=meta("Every row belongs to the ScotPHO source.")),
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=[i.indicator_id for i in cat.INDICATORS],
                                        meta=meta("Every row is a catalogued ScotPHO indicator.")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="area_code", regex=AREA_CODE_PATTERN,
            meta=meta("ScotPHO rows are for Scottish council areas, HSC partnerships, boards or Scotland.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="area_type", value_set=["Scotland", "Health board", "Council area", "HSC partnership"],
            meta=meta("Area types are the four ScotPHO geographies this source keeps.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=100, row_condition='value_type=="proportion"',
            condition_parser="pandas", meta=meta("Percentages lie between 0 and 100.")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value", row_condition='area_code=="S92000003"', condition_parser="pandas",
            meta=meta("Scotland, the comparator of every council area, always has a value.")),
    ]
    return out + range_expectations({i.indicator_id: i.plausible for i in cat.INDICATORS},
                                    {i.indicator_id: f"ScotPHO '{i.name}'" for i in cat.INDICATORS})
