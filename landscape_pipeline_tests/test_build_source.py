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
