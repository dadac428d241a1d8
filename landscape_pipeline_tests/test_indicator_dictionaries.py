"""Dictionaries of the social-care sources and of mapped local extracts: every indicator produced is declared alike."""

from __future__ import annotations

import pandas as pd
import pytest

from landscape_pipeline import catalogue, paths
from landscape_pipeline.mapping.build import load_mapping
from landscape_pipeline.sources.registry import all_sources

SPECS = all_sources()
CHECKED = sorted(k for k in SPECS if k in ("ascof", "gpps", "cqc", "cqc_la_assessment") or k.startswith("jsna_"))
FIELDS = ("name", "value_type", "unit", "polarity")


@pytest.mark.parametrize("source_id", CHECKED)
def test_every_indicator_a_source_produces_is_declared_as_the_data_describe_it(source_id):
    spec = SPECS[source_id]
    frame = spec.parse(spec.bundled_files(paths.data_sources_dir()), None)
    declared = {e.indicator_id: e for e in spec.dictionary()}
    seen = frame.drop_duplicates("indicator_id").set_index("indicator_id")
    assert set(seen.index) <= set(declared), sorted(set(seen.index) - set(declared))
    for indicator_id, row in seen.iterrows():
        entry = declared[indicator_id]
        assert (entry.name, entry.value_type, entry.unit, entry.polarity) == (
            row["indicator_name"], row["value_type"], row["unit"], row["polarity"]), indicator_id
        assert len(entry.definition) > 20 and entry.cadence and entry.ci_method and entry.numerator
        assert entry.decimals >= 0 and (entry.multiplier is None or entry.multiplier > 0)
    built = catalogue.build_catalogue(frame, {source_id: spec})
    assert built.loc[built["in_data"], "declared"].all()
    assert set(built["publisher"]) == {spec.publisher}
    assert built["disclosure_rule"].str.startswith(spec.disclosure_rule).all()


@pytest.mark.parametrize("source_id", [k for k in CHECKED if k.startswith("jsna_")])
def test_a_mapped_extract_is_declared_from_its_mapping_rules(source_id):
    spec = SPECS[source_id]
    mapping = load_mapping(paths.data_sources_dir() / spec.folder).model
    declared = {e.indicator_id: e for e in spec.dictionary()}
    assert set(declared) == {r.id for r in mapping.indicators} | {d.id for d in mapping.derived}
    for rule in mapping.indicators:
        entry = declared[rule.id]
        assert (entry.definition, entry.unit, entry.value_type, entry.multiplier, entry.polarity) == (
            rule.definition, rule.unit, rule.value_type, rule.multiplier, rule.polarity)
        limits = mapping.columns.lower_ci_95 is not None
        assert entry.ci_method.startswith("Publisher's") == limits
    for rule in mapping.derived:
        entry = declared[rule.id]
        assert (entry.definition, entry.multiplier, entry.polarity) == (rule.definition, rule.multiplier,
                                                                       rule.polarity)
        assert entry.numerator.endswith(f"({rule.numerator})") and entry.denominator.endswith(f"({rule.denominator})")
        assert entry.ci_method == "Computed here: Wilson score interval" and entry.value_type == "proportion"


def test_census_counts_and_judgements_are_not_tested_for_change_but_computed_shares_are():
    tests = {e.indicator_id: e.change_test for k in ("ascof", "gpps", "cqc", "cqc_la_assessment")
             for e in SPECS[k].dictionary()}
    assert tests["cqc_care_homes"] == tests["cqc_care_home_beds"] == "none"
    assert tests["cqc_care_homes_good_outstanding"] == "auto"  # Wilson limits computed from the counts
    assert tests["cqc_la_assessment_overall_rating"] == tests["ascof_scrqol"] == tests["gpps_phone_access_easy"]
    assert pd.Series(tests).isin(["auto", "none"]).all()
