"""The source asset's guards: no sharp shrink without --allow-shrink, retries only for transient faults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from landscape_pipeline import paths
from landscape_pipeline.defs.source_assets import SHRINK_CHECK, build_source_asset
from landscape_pipeline.errors import FetchError
from landscape_pipeline.ingest import ingest
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.shrink import compare_with_staging
from landscape_pipeline.sources.registry import all_sources
from landscape_pipeline.storage import read_indicators, write_indicators
from landscape_pipeline_tests.factories import indicator_rows

FILE = "fingertips_40501_counties_uas_502.csv"


def _materialize(spec, root: Path, sources: Path, **settings: object) -> dg.ExecuteInProcessResult:
    resource = LandscapeSettings(data_dir=str(root), data_sources_dir=str(sources), **settings)
    return dg.materialize([build_source_asset(spec)], resources={"settings": resource}, raise_on_error=False)


def _check(result: dg.ExecuteInProcessResult, name: str):
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == name)


def _step_errors(result: dg.ExecuteInProcessResult) -> str:
    errors = [getattr(e.event_specific_data, "error", None) for e in result.all_events]
    return " ".join(err.message for err in errors if err is not None)


def test_a_truncated_file_cannot_replace_good_staging_unless_allowed(tmp_path: Path) -> None:
    spec = all_sources()["fingertips"]
    sources, root = tmp_path / "data_sources", tmp_path / "data"
    (sources / "fingertips").mkdir(parents=True)
    good = (paths.data_sources_dir() / "fingertips" / FILE).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    target = sources / "fingertips" / FILE
    target.write_text("".join(good), encoding="utf-8")
    staged = paths.staging_path(root, "fingertips")
    write_indicators(ingest(spec, [target], validate=False).frame, staged)  # the last good staging
    before = staged.read_bytes()

    target.write_text("".join(good[:400]), encoding="utf-8")  # cut at a line: every row is well formed
    refused = _materialize(spec, root, sources)
    assert not refused.success and staged.read_bytes() == before
    check = _check(refused, SHRINK_CHECK)
    assert not check.passed
    meta = {k: v.value for k, v in check.metadata.items()}
    assert meta["previous_rows"] == len(good) - 1 and meta["rows"] == 399
    assert meta["row_change"] == f"{(399 - (len(good) - 1)) / (len(good) - 1):+.1%}"
    assert "--allow-shrink fingertips" in check.description

    allowed = _materialize(spec, root, sources, allow_shrink=["fingertips"])
    assert allowed.success and _check(allowed, SHRINK_CHECK).passed
    assert len(read_indicators(staged)) == 399


def test_shrink_measures_totals_and_each_indicator(tmp_path: Path) -> None:
    staged = tmp_path / "s.parquet"
    rows = [{"indicator_id": "a", "area_code": f"E0600000{i % 9 + 1}", "period_label": str(2000 + i)}
            for i in range(100)]
    rows += [{"indicator_id": "b", "area_code": "E06000001", "period_label": str(2000 + i)} for i in range(100)]
    rows += [{"indicator_id": "c", "area_code": "E06000001", "period_label": "2020"}]
    write_indicators(indicator_rows(rows), staged)
    frame = read_indicators(staged)
    assert not compare_with_staging(staged, frame, max_fraction=0.2).sharp
    fewer_b = pd.concat([frame[frame.indicator_id == "a"], frame[frame.indicator_id == "b"].head(70)])
    check = compare_with_staging(staged, fewer_b, max_fraction=0.2)
    assert check.sharp and check.refused and check.lost_indicators == ("c",)
    assert check.shrunk_indicators == {"b": (100, 70)} and check.previous_rows == 201 and check.rows == 170
    assert not compare_with_staging(staged, fewer_b, max_fraction=0.2, allowed=True).refused
    assert compare_with_staging(tmp_path / "none.parquet", fewer_b, max_fraction=0.2).previous_rows is None


@pytest.mark.parametrize(("transient", "calls"), [(True, 3), (False, 1)])
def test_only_transient_live_failures_are_retried(tmp_path: Path, transient: bool, calls: int) -> None:
    attempts = []

    def flaky_loader(fetcher, dest):
        attempts.append(dest)
        raise FetchError("https://publisher.example/x.csv answered HTTP 503", transient=transient)

    spec = dataclasses.replace(all_sources()["cpes"], fetch_live=flaky_loader)
    result = _materialize(spec, tmp_path / "data", paths.data_sources_dir(), live_sources=["cpes"],
                          live_retries=2, live_retry_seconds=0)
    assert not result.success and len(attempts) == calls
    assert "answered HTTP 503" in _step_errors(result)


def test_a_bundled_failure_is_not_retried_and_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "data_sources"
    empty.mkdir()
    result = _materialize(all_sources()["cpes"], tmp_path / "data", empty, live_retries=2, live_retry_seconds=0)
    retried = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert not result.success and retried == []
    assert "No bundled files for 'cpes'" in _step_errors(result)


def test_a_mistyped_live_source_fails_the_asset_instead_of_using_bundled_data(tmp_path: Path) -> None:
    result = _materialize(all_sources()["cpes"], tmp_path / "data", paths.data_sources_dir(),
                          live_sources=["fingertipz"])
    assert not result.success and "Did you mean 'fingertips'" in _step_errors(result)
    assert not paths.staging_path(tmp_path / "data", "cpes").exists()

