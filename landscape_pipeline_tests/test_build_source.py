"""`landscape build --source ID`: only that source and what depends on it are rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from landscape_pipeline.cli import main
from landscape_pipeline.cli.run import downstream_of
from landscape_pipeline.definitions import build_definitions
from landscape_pipeline.sources.registry import all_sources


@pytest.mark.parametrize("source", ["fingertips", "ons_population"])
def test_a_source_selects_itself_its_dependents_and_the_landscape_assets(source: str) -> None:
    keys = {k.to_user_string() for k in downstream_of(build_definitions(), [source])}
    specs = all_sources()
    dependents = {sid for sid, spec in specs.items() if source in spec.depends_on}
    expected_sources = {f"{sid}_indicators" for sid in {source, *dependents}}
    assert {k for k in keys if k.endswith("_indicators")} >= expected_sources
    untouched = {f"{sid}_indicators" for sid, spec in specs.items()
                 if sid != source and not spec.depends_on}
    assert not keys & untouched
    assert {"indicator_table", "indicator_catalogue", "baselines", "landscape_summary"} <= keys


def test_a_mistyped_source_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--source", "fingertipz"]) == 2
    assert "Did you mean 'fingertips'" in capsys.readouterr().err


def test_a_partial_rebuild_needs_the_other_sources_staged(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LANDSCAPE_LIVE_SOURCES", raising=False)
    assert main(["build", "--source", "cqc_la_assessment", "--data-dir", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert "run a full `landscape build` first" in err and "fingertips" in err
    assert not (tmp_path / "data" / "baselines").exists()


def test_a_staging_is_current_until_its_files_change(tmp_path: Path) -> None:
    import shutil

    import dagster as dg

    from landscape_pipeline import paths
    from landscape_pipeline.defs.source_assets import build_source_asset
    from landscape_pipeline.settings import LandscapeSettings
    from landscape_pipeline.sources.registry import get_source
    from landscape_pipeline.staleness import is_current

    source = "phs_end_of_life"
    sources = tmp_path / "data_sources"
    shutil.copytree(paths.data_sources_dir() / source, sources / source)
    settings = LandscapeSettings(data_dir=str(tmp_path / "data"), data_sources_dir=str(sources), live_sources=[])
    spec = get_source(source)
    assert not is_current(spec, settings)  # never staged
    assert dg.materialize([build_source_asset(spec)], resources={"settings": settings}).success
    assert is_current(spec, settings)
    assert not is_current(spec, LandscapeSettings(data_dir=settings.data_dir, data_sources_dir=str(sources),
                                                  live_sources=[source]))  # live: the publisher may have released
    data = sorted((sources / source).glob("*.csv"))[0]
    data.write_text(data.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not is_current(spec, settings)
