"""A small Dagster build of the care-and-support sources: three sites' baselines carry ASCOF, GPPS and CQC.

Only the four sources of the "Social care and support" theme, the indicator table and three baseline
partitions are materialised, through the same asset factories as the full build.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from landscape_pipeline import paths
from landscape_pipeline.defs.landscape_assets import BASELINES, build_baselines, build_indicator_table
from landscape_pipeline.defs.source_assets import GX_CHECK, source_assets
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import THEMES
from landscape_pipeline.sources.registry import get_source
from landscape_pipeline.storage import read_indicators

pytestmark = pytest.mark.slow
SOURCES = ("ascof", "cqc", "cqc_la_assessment", "gpps")
SITES = {"E08000026": "Coventry", "E06000047": "County Durham", "E09000030": "Tower Hamlets"}
THEME = "Social care and support"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dg.AssetCheckEvaluation]]:
    root = tmp_path_factory.mktemp("care") / "data"
    specs = {sid: get_source(sid) for sid in SOURCES}
    assets = [*source_assets(specs), build_indicator_table(specs), build_baselines(specs)]
    resources = {"settings": LandscapeSettings(data_dir=str(root), live_sources=[])}
    with dg.instance_for_test() as instance:
        first = dg.materialize(assets, selection=[a.key for a in assets[:-1]], resources=resources, instance=instance)
        assert first.success
        checks = first.get_asset_check_evaluations()
        for code in SITES:
            assert dg.materialize(assets, selection=[BASELINES], partition_key=code, resources=resources,
                                  instance=instance).success
    return root, checks


def test_every_source_and_the_indicator_table_pass_their_checks(built):
    _root, checks = built
    gx = {e.asset_key.to_user_string(): e.passed for e in checks if e.check_name == GX_CHECK}
    assert gx == {**{f"{sid}_indicators": True for sid in SOURCES}, "indicator_table": True}
    assert all(e.passed for e in checks)


@pytest.mark.parametrize("code", list(SITES))
def test_site_baselines_carry_ascof_gpps_and_cqc(built, code):
    root, _checks = built
    baseline = read_indicators(paths.baseline_path(root, code))
    assert {"ascof", "gpps", "cqc"} <= set(baseline["source_id"])
    latest = baseline[baseline["is_latest"]]
    for source in ("ascof", "gpps", "cqc"):
        rows = latest[latest["source_id"] == source]
        assert rows["value"].notna().any() and (rows["comparator_code"] == "E92000001").all(), source
        assert {get_source(source).theme_of(i) for i in rows["indicator_id"]} == {THEME}
    gpps = baseline[baseline["source_id"] == "gpps"]
    assert (gpps["geography_method"] == "apportioned").all() and gpps["value_note"].str.startswith("Modelled").all()
    assert gpps["attribution_note"].str.contains("registered patients living here").all()
    care_homes = latest[(latest["indicator_id"] == "cqc_care_homes") & latest["category"].isna()]
    assert care_homes["period_label"].tolist() == ["November 2026"]
    assert THEME in THEMES


def test_coventry_carries_its_cqc_assessment_with_its_date(built):
    root, _checks = built
    baseline = read_indicators(paths.baseline_path(root, "E08000026"))
    rating = baseline[baseline["indicator_id"] == "cqc_la_assessment_overall_rating"].iloc[0]
    assert (rating["value"], rating["period_label"]) == (3.0, "2025-06-12")
    assert rating["value_note"].startswith("Good; published 2025-06-12") and rating["synthetic"]
    assert pd.Timestamp(rating["period_end"]) == pd.Timestamp("2025-06-12")
    durham = read_indicators(paths.baseline_path(root, "E06000047"))
    assert durham.loc[durham["indicator_id"] == "cqc_la_assessment_overall_score", "period_label"].tolist() == [
        "2024-08"]
