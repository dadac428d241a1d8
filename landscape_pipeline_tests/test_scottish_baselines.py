"""A small build for the three Scottish programme sites: every theme present, validated and compared.

The Scottish sources are ingested as the build does (parse, disclosure, GX), harmonised into one
indicator table (validated with the canonical suite), and the baselines of Dundee, Fife and Glasgow
are written and read back. Each must hold incidence, early mortality, screening, deprivation and end
of life, compared with Scotland and with its NHS board.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import geography, harmonise
from landscape_pipeline.baselines import read_baseline, write_baselines
from landscape_pipeline.ingest import ingest
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.registry import get_source
from landscape_pipeline.validation.runner import validate_frame

SITES = {"S12000042": "S08000030", "S12000047": "S08000029", "S12000049": "S08000031"}  # council area: board
SOURCES = ("scotpho", "simd", "phs_end_of_life")
#: What each theme needs on a Scottish page, and the indicator that carries it.
THEMES = {
    "incidence": "scotpho_cancer_registrations",
    "early mortality": "scotpho_early_deaths_cancer_under75",
    "screening": "scotpho_bowel_screening_uptake",
    "deprivation": "simd_overall_pop_most_deprived_20pct",
    "deprivation rank": "simd_overall_pop_weighted_rank",
    "end of life": "phs_eol_home_community_last_6_months",
}
WITH_LIMITS = ("incidence", "early mortality", "screening", "end of life")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    staged = []
    for source_id in SOURCES:
        spec = get_source(source_id)
        result = ingest(spec, spec.bundled_files(data_sources_dir()))
        assert result.passed, result.text()
        staged.append(result.frame)
    table = harmonise.harmonise(staged)
    report = validate_frame(table, "indicator_table")
    assert report.passed, report.text()
    root = tmp_path_factory.mktemp("scottish_build")
    written = write_baselines(table, list(SITES), root)
    assert [w.area_code for w in written] == list(SITES)
    return root, table


@pytest.mark.parametrize("code", list(SITES))
def test_each_site_has_every_theme_validated_and_compared(built: tuple[Path, pd.DataFrame], code: str) -> None:
    root, _ = built
    baseline = read_baseline(root, code)
    latest = baseline[baseline["is_latest"]].set_index("indicator_id")
    for theme, indicator in THEMES.items():
        assert indicator in latest.index, f"{code} has no {theme} ({indicator})"
        row = latest.loc[indicator]
        assert pd.notna(row["value"]), f"{code} {theme}: no value"
        assert row["comparator_code"] == geography.SCOTLAND and pd.notna(row["comparator_value"]), theme
        assert row["region_code"] == SITES[code] and pd.notna(row["region_value"]), theme
        assert row["comparison"] in ("Better", "Similar", "Worse", "Higher", "Lower", "Not compared"), theme
        if theme in WITH_LIMITS:
            assert row["comparison"] != "Not compared", f"{code} {theme} was not compared with Scotland"
            assert row["lower_ci_95"] <= row["value"] <= row["upper_ci_95"], theme


def test_board_comparisons_are_real_except_where_the_board_is_the_council(built: tuple[Path, pd.DataFrame]) -> None:
    root, _ = built
    dundee = read_baseline(root, "S12000042").set_index(["indicator_id", "is_latest"])
    assert dundee.loc[("scotpho_cancer_registrations", True), "region_comparison"] in ("Better", "Similar", "Worse")
    fife = read_baseline(root, "S12000047")
    assert fife.loc[fife["region_code"].eq("S08000029"), "region_comparison"].eq("Not compared").all()


def test_deprivation_comes_from_real_data_and_incidence_from_the_council_area(built: tuple[Path, pd.DataFrame]
                                                                             ) -> None:
    _, table = built
    glasgow = table[table["area_code"].eq("S12000049") & table["is_latest"]].set_index("indicator_id")
    assert not glasgow.loc["simd_overall_pop_most_deprived_20pct", "synthetic"]  # real ranks and populations
    assert glasgow.loc["simd_overall_pop_most_deprived_20pct", "value"] > 40  # Glasgow: over 40% in the worst 20%
    incidence = glasgow.loc["scotpho_cancer_registrations"]
    assert incidence["geography_method"] == "direct" and incidence["value"] == 732.6  # as ScotPHO published it
    assert incidence["synthetic"]  # compared with the derived (synthetic) Scotland and board rows
