"""Source-specific Great Expectations checks for the ONS population table."""

from __future__ import annotations

from landscape_pipeline.sources.ons_population.parser import BANDS, BY_AGE_ID, TOTAL_ID
from landscape_pipeline.sources.ons_population.readers import UK_POPULATION_LIMIT
from landscape_pipeline.validation.suite import described as meta


def expectations() -> list:
    """Return GX expectations on top of the canonical suite (GX imported lazily)."""
    import great_expectations.expectations as gxe


    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=[TOTAL_ID, BY_AGE_ID],
                                        meta=meta("Only the two population indicators are produced.")),
        gxe.ExpectColumnValuesToNotBeNull(column="value", meta=meta("Every population estimate has a value.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=UK_POPULATION_LIMIT,
                                          meta=meta(f"Populations lie between 0 and the UK total "
                                                    f"({UK_POPULATION_LIMIT // 1_000_000} million).")),
        gxe.ExpectColumnValuesToBeInSet(column="category", value_set=["", *BANDS],
                                        meta=meta("Age-band rows use the 19 ESP2013 bands 0-4 ... 90+.")),
        gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=["persons"], meta=meta("Populations are persons.")),
    ]
