"""JSNA extracts and monitoring returns as sources: bundled examples, the real Trafford file, new folder = new asset."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from landscape_pipeline import disclosure, paths
from landscape_pipeline.definitions import build_definitions
from landscape_pipeline.defs.source_assets import build_source_asset, source_asset_key
from landscape_pipeline.ingest import ingest
from landscape_pipeline.monitoring import COLUMNS, TEMPLATE_DIR
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.registry import all_sources
from landscape_pipeline.storage import read_indicators
from landscape_pipeline_tests.factories import LONG_MAPPING, mapped_folder

BUNDLED = {"jsna_trafford_breast_cancer_wards", "jsna_west_sussex_screening",
           "jsna_greater_manchester_registrations", "jsna_monitoring_returns"}


def _bundled(source_id: str):
    spec = all_sources()[source_id]
    return spec, spec.bundled_files(paths.data_sources_dir())


def test_every_bundled_extract_is_registered_and_passes_every_check() -> None:
    assert set(all_sources()) >= BUNDLED
    for source_id in sorted(BUNDLED):
        spec, files = _bundled(source_id)
        result = ingest(spec, files)
        assert result.passed, result.text()
        synthetic = source_id != "jsna_trafford_breast_cancer_wards"
        assert result.frame["synthetic"].all() == synthetic and result.frame["synthetic"].any() == synthetic


def test_the_real_trafford_ward_file_is_read_as_published_and_kept_at_ward_level(reference_data: Path) -> None:
    real = pd.read_csv(reference_data / "candidates" / "jsna" / "trafford_ward_breast_cancer.csv")
    spec, files = _bundled("jsna_trafford_breast_cancer_wards")
    assert files[0].read_bytes() == (reference_data / "candidates" / "jsna" / "trafford_ward_breast_cancer.csv"
                                     ).read_bytes()
    frame = spec.parse(files, None).set_index("area_code")
    assert len(real) == 21 and len(frame) == 21
    assert frame.loc[real["area_code"], "value"].tolist() == real["value"].tolist()
    assert frame.loc[real["area_code"], "area_name"].tolist() == real["area_name"].tolist()
    assert (frame["sex"] == "Female").all() and (frame["period_label"] == "2011 - 15").all()
    assert frame.index.str.startswith("E05").all() and (frame["area_type"] == "Ward").all()


def test_monitoring_totals_are_the_sums_of_the_sites_return() -> None:
    spec, files = _bundled("jsna_monitoring_returns")
    result = ingest(spec, files, validate=False)  # as published: through the disclosure layer
    frame = result.frame
    raw = pd.read_csv(files[0])
    from landscape_pipeline.sites import read_sites

    la_of = {s.name: s.la_codes[0] for s in read_sites().sites}
    raw["area_code"] = raw["site"].map(la_of)
    raw = raw.rename(columns={"month": "period_label"})
    expected = raw.groupby(["area_code", "period_label"])["hnas_offered"].sum()
    totals = frame[frame["indicator_id"].eq("monitoring_hnas_offered") & frame["category_type"].isna()]
    shown = totals.dropna(subset=["count"]).set_index(["area_code", "period_label"])["count"]
    assert len(shown) == len(expected) == 7 * 6
    assert shown.sort_index().tolist() == expected.sort_index().astype(float).tolist()
    completion = frame[frame["indicator_id"].eq("monitoring_hna_completion") & frame["category_type"].isna()]
    done = raw.groupby(["area_code", "period_label"])["hnas_completed"].sum()
    got = completion.set_index(["area_code", "period_label"])
    assert (got["value"] - done / expected * 100).abs().max() < 1e-9
    assert (got["lower_ci_95"] < got["value"]).all() and (got["value"] < got["upper_ci_95"]).all()
    assert set(frame["category_type"].dropna()) == {"Tumour group", "Service"}


def test_the_monitoring_return_is_protected_by_the_one_layer_across_its_breakdowns() -> None:
    spec, files = _bundled("jsna_monitoring_returns")
    raw = spec.parse(files, None)  # as read: no disclosure control yet
    published = ingest(spec, files, validate=False).frame
    key = ["indicator_id", "area_code", "period_label", "category_type", "category"]
    both = raw.merge(published, on=key, suffixes=("_raw", ""), validate="one_to_one")
    small = both["count_raw"].between(1, 4) & both["value_type"].eq("count")
    assert small.any() and both.loc[small, "suppressed"].all() and both.loc[small, "count"].isna().all()
    shown = both["count"].notna()
    assert (both.loc[shown, "count"] == both.loc[shown, "count_raw"]).all()  # fewer_than_5 does not round
    # A completion figure is hidden whenever its completed or offered count is hidden in the same cell.
    counts = published[published["value_type"].eq("count")].fillna({"category_type": "", "category": ""})
    hidden = counts.set_index(["indicator_id", "area_code", "period_label", "category_type", "category"])["suppressed"]
    completion = published[published["indicator_id"].eq("monitoring_hna_completion")]
    for row in completion.fillna({"category_type": "", "category": ""}).itertuples():
        cell = (row.area_code, row.period_label, row.category_type, row.category)
        inputs = any(hidden.get((i, *cell), True) for i in ("monitoring_hnas_completed", "monitoring_hnas_offered"))
        assert row.suppressed == inputs and np.isnan(row.value) == (inputs or row.denominator == 0)
    report = disclosure.attack_source(published, spec.disclosure_rule, spec.count_families)
    assert report.passed, report.text()
    assert report.tried["breakdown differencing"] > 0
    primary_only = disclosure.apply_rule(raw, spec.disclosure_rule)
    assert not disclosure.attack_source(primary_only, spec.disclosure_rule, spec.count_families).passed


def test_the_bundled_monitoring_mapping_is_the_shipped_template() -> None:
    _spec, files = _bundled("jsna_monitoring_returns")
    folder = files[0].parent
    assert (folder / "mapping.yaml").read_bytes() == (TEMPLATE_DIR / "mapping.yaml").read_bytes()
    header = (TEMPLATE_DIR / "monitoring_return.csv").read_text(encoding="utf-8").strip().split(",")
    assert header == list(COLUMNS) == pd.read_csv(files[0], nrows=0).columns.tolist()


def _settings(tmp_path: Path, sources: Path) -> LandscapeSettings:
    return LandscapeSettings(data_dir=str(tmp_path / "data"), data_sources_dir=str(sources))


def test_a_new_folder_with_one_mapping_file_is_a_new_asset_that_materialises(tmp_path: Path) -> None:
    sources = tmp_path / "data_sources"
    shutil.copytree(paths.data_sources_dir(), sources)
    before = build_definitions(_settings(tmp_path, sources)).resolve_asset_graph().get_all_asset_keys()
    mapped_folder(sources / "jsna" / "coventry_screening", LONG_MAPPING,
                  {"data.csv": "code,indicator,period,value\nE08000026,Bowel screening,2023,70.1\n"
                               "E92000001,Bowel screening,2023,71.0\n"})
    defs = build_definitions(_settings(tmp_path, sources))
    key = source_asset_key("jsna_coventry_screening")
    assert set(defs.resolve_asset_graph().get_all_asset_keys()) - set(before) == {key}
    result = dg.materialize([build_source_asset(all_sources(sources)["jsna_coventry_screening"])],
                            resources={"settings": _settings(tmp_path, sources)})
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    staged = read_indicators(paths.staging_path(tmp_path / "data", "jsna_coventry_screening"))
    assert staged.set_index("area_code")["value"].to_dict() == {"E08000026": 70.1, "E92000001": 71.0}


def test_a_broken_mapping_keeps_the_graph_loading_and_fails_its_own_check(tmp_path: Path) -> None:
    sources = tmp_path / "data_sources"
    sources.mkdir()
    mapped_folder(sources / "jsna" / "broken", LONG_MAPPING.replace("value_type: proportion", "value_type: pct"),
                  {"data.csv": "code,indicator,period,value\nE08000026,Bowel screening,2023,70.1\n"})
    defs = build_definitions(_settings(tmp_path, sources))
    assert source_asset_key("jsna_broken") in defs.resolve_asset_graph().get_all_asset_keys()
    result = dg.materialize([build_source_asset(all_sources(sources)["jsna_broken"])],
                            resources={"settings": _settings(tmp_path, sources)}, raise_on_error=False)
    failed = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not failed["gx_suite"].passed
    line = LONG_MAPPING.splitlines().index("    value_type: proportion") + 1
    assert f"mapping.yaml, line {line}: indicators[0].value_type" in failed["gx_suite"].metadata["error"].value
    assert not paths.staging_path(tmp_path / "data", "jsna_broken").exists()


@pytest.mark.parametrize("source_id", sorted(BUNDLED))
def test_every_indicator_has_a_definition_and_theme(source_id: str) -> None:
    spec = all_sources()[source_id]
    frame = ingest(spec, spec.bundled_files(paths.data_sources_dir()), validate=False).frame
    for indicator in frame["indicator_id"].unique():
        assert len(spec.indicator_meta[indicator]["definition"]) > 10
        assert spec.theme_of(indicator)
