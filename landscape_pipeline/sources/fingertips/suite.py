"""Fingertips-specific Great Expectations, run after the canonical suite on the parsed table.

``Time period Sortable`` is not kept in the canonical table, so its consistency with the time period
(same leading year) is checked by the parser, which raises :class:`SourceDataError` naming the row.
"""

from __future__ import annotations

from landscape_pipeline.stats import TREND_LABELS
from landscape_pipeline.validation.suite import described as meta

#: Benchmark labels Fingertips writes in its "Compared to ..." columns.
COMPARISON_LABELS = (
    "Better", "Similar", "Worse", "Higher", "Lower", "Not compared", "Best", "Worst",
    "Lowest quintile", "2nd lowest quintile", "Middle quintile", "2nd highest quintile", "Highest quintile",
)
#: Every Fingertips time-period label the parser understands (see ``periods.py``).
PERIOD_PATTERN = (
    r"^(?:\d{4}(?: ?- ?\d{2,4}| ?/ ?\d{2,4}(?: - \d{2,4}/\d{2})?)?(?: Q[1-4])?"
    r"|[A-Za-z]{3,9}\.? \d{4}(?: - [A-Za-z]{3,9}\.? \d{4})?|\d{4}/\d{2} Q[1-4] - \d{4}/\d{2} Q[1-4])$"
)


def extra_expectations() -> list:
    """Return the Fingertips expectations (GX 1.x objects, each with ``meta['description']``)."""
    import great_expectations.expectations as gxe


    proportion = {"row_condition": 'value_type=="proportion"', "condition_parser": "pandas"}
    out = [
        gxe.ExpectColumnValuesToMatchRegex(
            column="indicator_id", regex=r"^fingertips_(?:\d+|[a-z][a-z0-9_]*)$",
            meta=meta("Indicator ID is a Fingertips indicator number (read as fingertips_<id>, or the catalogue's "
                      "stable name for an id resolved at run time).")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="period_label", regex=PERIOD_PATTERN,
            meta=meta("Time period is written as Fingertips writes it (e.g. '2022', '2022/23', '2021 - 23').")),
        gxe.ExpectColumnValuesToBeInSet(
            column="comparison", value_set=list(COMPARISON_LABELS),
            meta=meta("'Compared to England value or percentiles' holds a Fingertips benchmark label.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="region_comparison", value_set=list(COMPARISON_LABELS),
            meta=meta("The comparison with the region holds a Fingertips benchmark label.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="recent_trend", value_set=list(TREND_LABELS),
            meta=meta("Recent Trend holds a Fingertips trend label.")),
        gxe.ExpectColumnValuesToBeInSet(
            column="comparator_code", value_set=["E92000001"],
            meta=meta("Fingertips compares areas with England (E92000001).")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="region_code", regex=r"^E12\d{6}$",
            meta=meta("Parent Code, where it is a region, is an English region code (E12).")),
        gxe.ExpectColumnValuesToBeNull(
            column="value", row_condition="suppressed==True", condition_parser="pandas",
            meta=meta("Rows suppressed for disclosure control have no value.")),
    ]
    for column in ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"):
        out.append(gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=0, max_value=100, **proportion,
            meta=meta(f"For percentages, '{column}' lies between 0 and 100.")))
    out.append(gxe.ExpectColumnValuesToBeBetween(
        column="value", min_value=0, row_condition='value_type!="other"', condition_parser="pandas",
        meta=meta("Values of catalogued indicators are not negative (rates, percentages).")))
    return out
