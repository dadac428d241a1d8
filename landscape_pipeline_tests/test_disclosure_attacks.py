"""The disclosure attacks: each recovers what a leaky table gives away, names where, and blocks the asset."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape_pipeline import disclosure, paths, stats
from landscape_pipeline.defs.landscape_assets import ATTACK_CHECK, build_baselines, build_indicator_table
from landscape_pipeline.disclosure import attacks, inversion
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.hes import SOURCE as HES
from landscape_pipeline.storage import write_indicators
from landscape_pipeline_tests.factories import indicator_rows
from landscape_pipeline_tests.test_disclosure_layer import BOARD, COUNCILS, POOLED, _rows, families


def _findings(frame: pd.DataFrame, rule: str = "hes") -> pd.DataFrame:
    return disclosure.attack_source(frame, rule, families).findings


def _cell_by_cell(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as the pipeline published it before the layer: rule applied, rates left unrounded."""
    out = disclosure.apply_rule(frame, "hes")
    is_count = out["value_type"].eq("count")
    out.loc[is_count, "value"] = out.loc[is_count, "count"]
    return out


def test_rates_from_unrounded_counts_give_the_counts_back() -> None:
    leaky = _cell_by_cell(_rows({(COUNCILS[0], "Male", "2021"): 12.0}, ("count", "crude")))
    found = _findings(leaky)
    assert found.iloc[0][["indicator_id", "area_code", "period_label", "sex", "attack"]].tolist() == [
        "adm_crude", COUNCILS[0], "2021", "Male", attacks.VALUE]


def test_a_rounded_value_gives_a_count_back_only_when_its_rounding_leaves_one_whole_count() -> None:
    # a crude rate per 100,000 of England published to 1 decimal: 0.0 allows 0 to 25 admissions, not 0
    assert np.isnan(inversion.value_times_denominator(np.array([0.0]), np.array([50_675_182.0]),
                                                      np.array([100_000.0]), 0.05)[0])
    assert inversion.value_times_denominator(np.array([0.0]), np.array([50_675_182.0]), np.array([100_000.0]))[0] == 0
    # 12.3% of 1,000 to 1 decimal allows 122.5 to 123.5: one whole count, recovered
    assert inversion.value_times_denominator(np.array([12.3]), np.array([1000.0]), np.array([100.0]), 0.05)[0] == 123
    assert np.isnan(inversion.count_over_value(np.array([10.0]), np.array([0.1]), np.array([100_000.0]), 0.05)[0])
    # through the attack: a rate of 12 in 5,000 rounded to whole numbers (240 allows 11.975 to 12.025) still
    # gives 12 back, so knowing the precision does not blind the attack
    leaky = _cell_by_cell(_rows({(COUNCILS[0], "Male", "2021"): 12.0}, ("count", "crude")))
    crude = leaky["indicator_id"].eq("adm_crude")
    leaky.loc[crude, "value"] = leaky.loc[crude, "value"].round(0)
    leaky.loc[crude, ["lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]] = np.nan
    assert attacks.VALUE in set(disclosure.attack_source(leaky, "hes", families,
                                                         decimals={"adm_crude": 0}).findings["attack"])


def test_limits_alone_give_the_count_back() -> None:
    leaky = _cell_by_cell(_rows({(COUNCILS[0], "Persons", "2021"): 12.0}, ("count", "crude")))
    leaky["value"] = np.nan  # even without the rate, its limits were computed from 12
    found = _findings(leaky)
    assert found["attack"].tolist() == [attacks.LIMITS] and found["indicator_id"].tolist() == ["adm_crude"]


def test_dsr_limits_give_their_total_count_back() -> None:
    dsr = stats.dsr(np.full(19, 13 / 19), np.full(19, 1000.0))
    rows = [{"indicator_id": "adm_dsr", "area_code": COUNCILS[1], "value_type": "DSR", "unit": "per 100,000",
             "count": 15, "denominator": 19000, "value": dsr.value, "lower_ci_95": dsr.lower,
             "upper_ci_95": dsr.upper}]
    found = _findings(indicator_rows(rows, source_id="test"))
    assert found["attack"].tolist() == [attacks.LIMITS]


def test_wilson_limits_give_counts_back_even_with_a_rounded_denominator() -> None:
    share = stats.proportion(11, 32, multiplier=100)
    rows = [{"indicator_id": "em_share", "area_code": COUNCILS[0], "count": 10, "denominator": 30, "value": np.nan,
             "lower_ci_95": share.lower, "upper_ci_95": share.upper}]
    found = disclosure.attack_source(indicator_rows(rows, source_id="test"), "hes", lambda i: ("em", "all")).findings
    assert found["attack"].tolist() == [attacks.LIMITS]


def test_sex_differencing_recovers_a_lone_hidden_sex() -> None:
    counts = {(COUNCILS[0], "Persons", "2021"): 23.0, (COUNCILS[0], "Male", "2021"): 3.0,
              (COUNCILS[0], "Female", "2021"): 20.0}
    found = _findings(disclosure.apply_rule(_rows(counts), "fewer_than_5"), "fewer_than_5")
    assert found[["sex", "attack"]].values.tolist() == [["Male", attacks.DIFFERENCING["sex"]]]


def test_hierarchy_differencing_recovers_a_council_from_its_board() -> None:
    counts = {(c, "Persons", "2021"): v for c, v in zip(COUNCILS, [2.0, 30.0, 9.0], strict=True)}
    counts[(BOARD, "Persons", "2021")] = 41.0
    found = _findings(disclosure.apply_rule(_rows(counts), "fewer_than_5"), "fewer_than_5")
    assert found[["area_code", "attack"]].values.tolist() == [[COUNCILS[0], attacks.DIFFERENCING["geography"]]]


def test_period_differencing_recovers_a_year_from_its_pooled_period() -> None:
    counts = {(COUNCILS[0], "Persons", y): v for y, v in zip(("2020", "2021", "2022"), [12.0, 1.0, 40.0], strict=True)}
    counts[(COUNCILS[0], "Persons", POOLED)] = 53.0
    found = _findings(disclosure.apply_rule(_rows(counts), "fewer_than_3"), "fewer_than_3")
    assert found[["period_label", "attack"]].values.tolist() == [["2021", attacks.DIFFERENCING["period"]]]


def test_recovered_counts_feed_the_differencing() -> None:
    # The rates give Persons (23, shown as 25) exactly, and show that Female's 20 is exact: Persons - Female
    # then gives the hidden Male (the 821 cells). Female's count is as shown, so not a finding.
    counts = {(COUNCILS[0], "Persons", "2021"): 23.0, (COUNCILS[0], "Male", "2021"): 3.0,
              (COUNCILS[0], "Female", "2021"): 20.0}
    found = _findings(_cell_by_cell(_rows(counts, ("count", "crude"))))
    assert found.set_index("sex")["attack"].to_dict() == {"Persons": attacks.VALUE,
                                                          "Male": attacks.DIFFERENCING["sex"]}


def test_counts_shown_as_published_are_read_directly() -> None:
    frame = _rows({(COUNCILS[0], "Persons", "2021"): 12.0, (COUNCILS[1], "Persons", "2021"): 3.0})
    found = _findings(frame)
    assert found["attack"].tolist() == [attacks.DIRECT, attacks.DIRECT]


def test_a_protected_table_passes_and_the_report_says_what_was_tried() -> None:
    counts = {(COUNCILS[0], "Persons", "2021"): 23.0, (COUNCILS[0], "Male", "2021"): 3.0,
              (COUNCILS[0], "Female", "2021"): 20.0}
    frame = _rows(counts, ("count", "crude")).assign(source_id="hes")
    safe = disclosure.protect(frame, "hes", families)
    spec = type("Spec", (), {"disclosure_rule": "hes", "count_families": staticmethod(families)})()
    none = type("Spec", (), {"disclosure_rule": "none", "count_families": None})()
    report = disclosure.disclosure_attacks(pd.concat([safe.frame, frame.assign(source_id="other")]),
                                           {"hes": spec, "other": none}, lost={"hes": safe.summary})
    assert report.passed and report.rows_checked == 6 and report.cells_checked == 3
    meta = report.metadata()
    assert set(meta["attacks_tried"]) == set(disclosure.ATTACKS)
    assert meta["attacks_tried"][attacks.VALUE] == 4 and meta["attacks_tried"][attacks.DIFFERENCING["sex"]] == 1
    assert meta["cells_lost_to_secondary_suppression"] == 0 and meta["lost_by_source"]["hes"]["cells"] == 3


# ---------------------------------------------------------------- inversion, for any count
@settings(deadline=None, max_examples=60)
@given(count=st.integers(min_value=0, max_value=200_000), population=st.integers(min_value=1, max_value=10**7))
def test_poisson_limits_invert_to_their_count(count: int, population: int) -> None:
    rate = stats.rate(count, population + count)
    found = inversion.poisson_count(np.array([rate.upper]), np.array([rate.lower]),
                                    np.array([population + count], float), np.array([1e5]))
    assert found[0] == count


@settings(deadline=None, max_examples=60)
@given(count=st.integers(min_value=0, max_value=50_000), extra=st.integers(min_value=0, max_value=50_000))
def test_wilson_limits_invert_to_their_numerator(count: int, extra: int) -> None:
    n = count + extra + 1
    share = stats.proportion(count, n, multiplier=100)
    found = inversion.wilson_count(np.array([share.upper]), np.array([share.lower]), np.array([n], float),
                                   np.array([100.0]))
    assert found[0] == count


@settings(deadline=None, max_examples=60)
@given(count=st.integers(min_value=10, max_value=500_000), spread=st.floats(min_value=0.05, max_value=0.9))
def test_dobson_limits_invert_to_their_total(count: int, spread: float) -> None:
    counts = np.array([count * spread, count * (1 - spread)])
    dsr = stats.dsr(counts, np.array([count * 50.0, count * 7.0]), standard=[0.3, 0.7])
    found = inversion.dobson_count(np.array([dsr.value]), np.array([dsr.lower]), np.array([dsr.upper]))
    assert found[0] == count


# ---------------------------------------------------------------- the blocking check
def _stage(root: Path, frame: pd.DataFrame) -> None:
    write_indicators(frame, paths.staging_path(root, "hes"), metadata={"disclosure": {"cells_lost_to_secondary": 0}})


def _leaky_hes() -> pd.DataFrame:
    counts = {(COUNCILS[0], "Persons", "2021"): 23.0, (COUNCILS[0], "Male", "2021"): 3.0,
              (COUNCILS[0], "Female", "2021"): 20.0}
    frame = _rows(counts, ("count", "crude")).assign(source_id="hes")
    frame["indicator_id"] = "hes_admissions_lung_emergency_" + frame["indicator_id"].str.removeprefix("adm_")
    return frame


def test_the_baselines_check_reads_its_columns_and_blocks_what_the_table_check_blocks(tmp_path: Path) -> None:
    """The baselines step checks only the columns the attacks and catalogue read: same verdict, same figures."""
    table = paths.indicators_path(tmp_path)
    write_indicators(_cell_by_cell(_leaky_hes()), table, metadata={"disclosure": {"hes": {"cells_lost": 0}}})
    result = dg.materialize([build_baselines({"hes": HES})], partition_key=COUNCILS[0], raise_on_error=False,
                            resources={"settings": LandscapeSettings(data_dir=str(tmp_path))})
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == ATTACK_CHECK)
    meta = {k: v.value for k, v in check.metadata.items()}
    assert not check.passed and meta["counts_recovered"] == 2 and meta["cells_checked"] == 3
    assert meta["recovered_by_attack"] == {attacks.VALUE: 1, attacks.DIFFERENCING["sex"]: 1}
    assert not (tmp_path / "baselines").exists() or not any((tmp_path / "baselines").rglob("*.parquet"))


def test_the_indicator_table_check_blocks_a_leaky_table(tmp_path: Path) -> None:
    frame = _leaky_hes()
    assert disclosure.disclosure_attacks(disclosure.protect(frame, "hes", HES.count_families).frame,
                                         {"hes": HES}).passed
    _stage(tmp_path, _cell_by_cell(frame))
    result = dg.materialize([build_indicator_table({"hes": HES})], raise_on_error=False,
                            resources={"settings": LandscapeSettings(data_dir=str(tmp_path))})
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == ATTACK_CHECK)
    meta = {k: v.value for k, v in check.metadata.items()}
    assert not check.passed and not result.success
    assert meta["cells_checked"] == 3 and meta["lost_by_source"] == {"hes": {"cells_lost_to_secondary": 0}}
    assert meta["counts_recovered"] == 2 and meta["recovered_by_attack"] == {attacks.VALUE: 1,
                                                                            attacks.DIFFERENCING["sex"]: 1}
    assert f"hes_admissions_lung_emergency_crude, area {COUNCILS[0]}, period 2021, sex Persons" in check.description
    assert not paths.indicators_path(tmp_path).exists()
