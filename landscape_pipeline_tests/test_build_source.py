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


def test_an_area_build_plans_only_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Stagings carrying the fingerprint of today's files: nothing is re-read until a file changes."""
    import shutil

    from landscape_pipeline import paths, schema
    from landscape_pipeline.cli.run import _area_plan
    from landscape_pipeline.settings import LandscapeSettings
    from landscape_pipeline.staleness import INPUTS_KEY, inputs_fingerprint
    from landscape_pipeline.storage import write_indicators

    sources = tmp_path / "data_sources"
    shutil.copytree(paths.data_sources_dir(), sources)
    settings = LandscapeSettings(data_dir=str(tmp_path / "data"), data_sources_dir=str(sources), live_sources=[])
    specs = all_sources(sources)
    for sid in sorted(specs, key=lambda s: len(specs[s].depends_on)):  # upstream stagings first
        spec = specs[sid]
        files = list(spec.bundled_files(sources))
        write_indicators(schema.empty_frame(), paths.staging_path(settings.root(), sid),
                         metadata={INPUTS_KEY: inputs_fingerprint(spec, files, settings)})
    defs = build_definitions(settings)

    def plan() -> set[str] | None:
        keys = _area_plan(defs, settings)
        return None if keys is None else {k.to_user_string() for k in keys}

    assert plan() == {"indicator_table", "indicator_catalogue", "baselines", "landscape_summary"}  # no table yet
    write_indicators(schema.empty_frame(), paths.indicators_path(settings.root()))
    assert plan() == {"baselines", "landscape_summary"}  # everything current: only the LA partitions
    changed = sorted((sources / "fingertips").glob("*.csv"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    keys = plan()
    assert "fingertips_indicators" in keys and "baselines" in keys and "phs_indicators" not in keys
    assert "not re-read" in capsys.readouterr().err
