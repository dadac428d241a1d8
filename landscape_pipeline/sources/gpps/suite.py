"""GPPS-specific Great Expectations (plausibility rules), run after the canonical suite."""

from __future__ import annotations

from landscape_pipeline.sources.gpps.parser import NOT_GIVEN
from landscape_pipeline.sources.gpps.questions import QUESTIONS
from landscape_pipeline.validation.suite import described as meta
from landscape_pipeline.validation.suite import every_english_la_present


def extra_expectations() -> list:
    """Return the GPPS expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=list(QUESTIONS),
                                        meta=meta("Every row is one of the mapped GP Patient Survey questions.")),
        every_english_la_present(),
        gxe.ExpectColumnValuesToBeInSet(column="geography_method", value_set=["apportioned"],
                                        meta=meta("Every GPPS figure is modelled from practices (apportioned).")),
        gxe.ExpectColumnValuesToMatchRegex(column="value_note", regex=r"^Modelled:",
                                           meta=meta("Every row says its figure is modelled.")),
        gxe.ExpectColumnValuesToNotBeNull(column="attribution_note",
                                          meta=meta("Every row names its practices, weights and extract.")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100,
                                          meta=meta("Results are percentages.")),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=10, max_value=99, mostly=0.99,
            meta=meta("Plausibility: at least 99% of area results lie between 10% and 99% (published practice "
                      "results average 50-90% on these questions; fractions read as percentages would not).")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value", condition_parser="pandas",
            row_condition=f'area_type!="Local authority" and ~value_note.str.contains("{NOT_GIVEN}", regex=False)',
            meta=meta("England and every region have a result (but in a survey year with no registration extract "
                      "within the limit, which is not modelled).")),
    ]
