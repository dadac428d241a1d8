"""A mapped extract's indicator dictionary, written from its mapping's indicator and derived rules.

Each rule already says what the indicator is (definition, unit, value type, multiplier, polarity);
the rest follows from the mapping: the numerator and denominator are the file's count and
denominator columns (or, for a derived indicator, the two rules it divides), the CI method is the
file's own limits or the one computed here, the cadence comes from the period format, and the
precision is the catalogue's default for the value type. So every indicator a mapping produces is
declared in the catalogue.
"""

from __future__ import annotations

from landscape_pipeline.catalogue import DEFAULT_DECIMALS
from landscape_pipeline.mapping.model import MAPPING_FILE, Fill, MappingFile
from landscape_pipeline.sources.base import IndicatorInfo

CADENCES = {"year": "Annual (calendar year)", "financial_year": "Annual (financial year)",
            "year_range": "Multi-year periods (calendar years)",
            "financial_year_range": "Multi-year periods (financial years)", "quarter": "Quarterly",
            "month": "Monthly", "date": "As dated in the extract"}
DERIVED_CI = {"proportion": "Computed here: Wilson score interval",
              "rate": "Computed here: exact Poisson limits below 10 events, Byar's from 10"}


def _given(fill: Fill | None, what: str) -> str:
    if fill is None:
        return f"Not given in the extract ({what})"
    return f"The extract's column '{fill.column}'" if fill.column else f"The constant {fill.constant!r}"


def mapping_dictionary(mapping: MappingFile, folder: str = "") -> list[IndicatorInfo]:
    """Return one entry per indicator rule and derived rule of ``mapping`` (``folder``: its path, for notes)."""
    columns = mapping.columns
    limits = columns.lower_ci_95 is not None and columns.upper_ci_95 is not None
    ci = "Publisher's: the extract's 95% limits" if limits else "None given in the extract"
    cadence = CADENCES.get(mapping.period.format, "As in the extract")
    where = f"Local extract described by {folder}/{MAPPING_FILE}." if folder else "Local extract."
    out = []
    for rule in mapping.indicators:
        notes = f"{where} Sits beside {rule.beside}." if rule.beside else where
        if rule.value_type == "count" and columns.count is None:
            numerator, denominator = "The value (a count)", "Not applicable (a count)"
        else:
            numerator, denominator = _given(columns.count, "count"), _given(columns.denominator, "denominator")
        out.append(IndicatorInfo(
            rule.id, rule.label, rule.definition, numerator, denominator, rule.value_type, rule.unit,
            rule.multiplier, ci, rule.polarity, cadence, DEFAULT_DECIMALS.get(rule.value_type, 1), notes=notes))
    labels = {r.id: r.label for r in mapping.indicators}
    for rule in mapping.derived:
        value_type = "proportion" if rule.method == "proportion" else "crude rate"
        out.append(IndicatorInfo(
            rule.id, rule.name, rule.definition, f"{labels.get(rule.numerator, rule.numerator)} ({rule.numerator})",
            f"{labels.get(rule.denominator, rule.denominator)} ({rule.denominator})", value_type, rule.unit,
            rule.multiplier, DERIVED_CI[rule.method], rule.polarity, cadence, DEFAULT_DECIMALS.get(value_type, 1),
            notes=f"{where} Derived: {rule.numerator} / {rule.denominator} x {rule.multiplier:g}."))
    return out
