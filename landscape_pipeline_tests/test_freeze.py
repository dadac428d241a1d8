"""Frozen baselines: immutable, checksummed, readable by evaluators through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from landscape_pipeline import baselines, freeze
from landscape_pipeline.cli import main
from landscape_pipeline.errors import LandscapeError
from landscape_pipeline_tests.factories import indicator_rows


@pytest.fixture
def root(tmp_path: Path) -> Path:
    table = indicator_rows([{"area_code": "E08000026", "value": 1.0}, {"area_code": "S12000042", "value": 2.0}])
    baselines.write_baselines(table, ["E08000026", "S12000042"], tmp_path)
    return tmp_path


def test_freeze_copies_with_checksums_and_later_builds_do_not_change_it(root: Path) -> None:
    manifest = freeze.freeze(root, "start-2026", ["E08000026", "S12000042"], note="programme start")
    assert manifest.exists() and freeze.verify(root, "start-2026") == []
    rebuilt = indicator_rows([{"area_code": "E08000026", "value": 99.0}])
    baselines.write_baselines(rebuilt, ["E08000026"], root)
    frozen = freeze.frozen_baseline_path(root, "start-2026", "E08000026")
    assert __import__("pandas").read_parquet(frozen)["value"].tolist() == [1.0]


def test_labels_are_never_overwritten_and_tampering_is_detected(root: Path) -> None:
    freeze.freeze(root, "start", ["E08000026"])
    with pytest.raises(LandscapeError, match="never overwritten"):
        freeze.freeze(root, "start", ["E08000026"])
    path = freeze.frozen_baseline_path(root, "start", "E08000026")
    path.write_bytes(path.read_bytes() + b"x")
    assert freeze.verify(root, "start") == ["E08000026"]
    with pytest.raises(LandscapeError, match="not included"):
        freeze.frozen_baseline_path(root, "start", "S12000042")


def test_freeze_refuses_missing_baselines_and_bad_labels(root: Path) -> None:
    with pytest.raises(LandscapeError, match="No baseline yet for E06000001"):
        freeze.freeze(root, "x", ["E06000001"])
    with pytest.raises(LandscapeError, match="not a valid label"):
        freeze.freeze(root, "../escape", ["E08000026"])
    assert not (root / "frozen" / "x").exists()


def test_cli_freeze_verify_and_read_frozen(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["freeze", "--label", "base", "--area", "E08000026", "--data-dir", str(root)]) == 0
    assert main(["freeze", "--label", "base", "--verify", "--data-dir", str(root)]) == 0
    capsys.readouterr()
    assert main(["baseline", "--area", "E08000026", "--frozen", "base", "--data-dir", str(root)]) == 0
    assert "E08000026" in capsys.readouterr().out
    assert main(["freeze", "--label", "base", "--data-dir", str(root), "--area", "E08000026"]) == 1


def test_sets_frozen_in_the_older_layout_are_still_read_and_verified(root: Path) -> None:
    import json
    import shutil

    from landscape_pipeline import paths
    from landscape_pipeline.provenance import sha256_of

    old = root / "frozen" / "old-2025"
    target = old / "area_code=E08000026" / "baseline.parquet"
    target.parent.mkdir(parents=True)
    shutil.copy2(paths.baseline_path(root, "E08000026"), target)
    files = {"E08000026": {"file": "area_code=E08000026/baseline.parquet", "sha256": sha256_of(target)}}
    (old / "manifest.json").write_text(json.dumps({"label": "old-2025", "files": files}), encoding="utf-8")
    assert freeze.labels(root) == ["old-2025"]
    assert freeze.frozen_baseline_path(root, "old-2025", "E08000026") == target
    assert freeze.verify(root, "old-2025") == [] and freeze.frozen_catalogue_path(root, "old-2025") is None
