"""Ingest: disclosure rules applied generically before validation, secondary suppression by sex."""

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
