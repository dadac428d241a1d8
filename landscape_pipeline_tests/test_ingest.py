"""Ingest: the disclosure layer applied generically before validation (secondary suppression by sex)."""

from __future__ import annotations

import pandas as pd
import pytest

from landscape_pipeline import disclosure, ingest
from landscape_pipeline_tests.factories import indicator_rows


def _sexes(male: float, female: float, **extra) -> pd.DataFrame:
    base = {"area_code": "E08000026", "value_type": "count", "unit": "deaths", "polarity": "Not applicable", **extra}
    return indicator_rows([{**base, "sex": "Persons", "count": male + female, "value": male + female},
                           {**base, "sex": "Male", "count": male, "value": male},
                           {**base, "sex": "Female", "count": female, "value": female}])


def test_a_suppressed_sex_cannot_be_recovered_from_the_persons_total() -> None:
    out = ingest.publishable(_sexes(3, 17), "fewer_than_5").set_index("sex")
    assert out.loc["Male", "suppressed"] and out.loc["Female", "suppressed"]
    assert pd.isna(out.loc["Female", "count"]) and pd.isna(out.loc["Female", "value"])
    assert out.loc["Female", "value_note"] == disclosure.SUPPRESSED_NOTE
    assert out.loc["Persons", "count"] == 20
    assert disclosure.find_leaks(out.reset_index(), disclosure.RULES["fewer_than_5"]).empty


def test_no_extra_suppression_when_nothing_is_hidden_or_the_rule_rounds() -> None:
    clean = ingest.publishable(_sexes(30, 17), "fewer_than_5")
    assert not clean["suppressed"].any()
    hes = ingest.publishable(_sexes(3, 17), "hes").set_index("sex")
    assert hes.loc["Male", "suppressed"] and not hes.loc["Female", "suppressed"]
    assert hes.loc["Female", "count"] == 15 and hes.loc["Persons", "count"] == 20


@pytest.mark.parametrize("rule", ["fewer_than_3", "7_or_fewer"])
def test_single_persons_rows_are_left_to_the_primary_rule(rule: str) -> None:
    frame = indicator_rows([{"area_code": "E08000026", "count": 2, "value": 2, "value_type": "count",
                             "polarity": "Not applicable"}])
    out = ingest.publishable(frame, rule)
    assert out.loc[0, "suppressed"] and pd.isna(out.loc[0, "count"])


def test_ingest_reports_what_disclosure_control_cost_and_refuses_contradictory_counts(tmp_path) -> None:
    from landscape_pipeline.sources.base import SourceSpec

    rows = [{"indicator_id": i, "area_code": "E08000026", "count": c, "value": c, "value_type": "count",
             "unit": "deaths", "polarity": "Not applicable"} for i, c in (("a_count", 12), ("b_count", 13))]
    frame = indicator_rows(rows)
    spec = SourceSpec("test", "Test", "Nobody", "https://example.org", parse=lambda files, inputs: frame,
                      disclosure_rule="hes")
    result = ingest.ingest(spec, [tmp_path / "x.csv"], validate=False)
    assert result.frame["count"].tolist() == [10, 15] and result.disclosure["cells"] == 2
    shared = SourceSpec("test", "Test", "Nobody", "https://example.org", parse=lambda files, inputs: frame,
                        disclosure_rule="hes", count_families=lambda i: ("one count", None))
    refused = ingest.ingest(shared, [tmp_path / "x.csv"], validate=False)
    assert refused.error is not None and "different values" in str(refused.error) and refused.frame.empty
