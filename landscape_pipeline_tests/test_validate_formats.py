"""`landscape validate --format text|json|junit|github` and `--changed REF`: every bad cell, by file, row and line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from landscape_pipeline import paths
from landscape_pipeline.cli import main
from landscape_pipeline_tests.test_cli import _break_field, _fingertips_copy

BAD_VALUES = {7: "twelve", 9: "thirteen", 11: "fourteen"}  # data row -> text in the Value column


@pytest.fixture
def three_bad_values(tmp_path: Path) -> Path:
    path = _fingertips_copy(tmp_path)
    for row, text in BAD_VALUES.items():
        _break_field(path, row, 12, text)
    return path


def _line_of(path: Path, text: str) -> int:
    """Return the editor line holding ``text`` (read independently of the reader under test)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_junit_has_a_suite_per_source_a_case_per_file_and_every_bad_cell(three_bad_values: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    report = tmp_path / "reports" / "validate.xml"
    assert main(["validate", "--format", "junit", "--output", str(report), str(three_bad_values)]) == 1
    root = ET.parse(report).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["fingertips"]
    cases = {c.get("name"): c for c in suites[0].findall("testcase")}
    assert set(cases) == {str(three_bad_values), "fingertips (table)"}
    failure = cases[str(three_bad_values)].find("failure")
    assert failure is not None and failure.get("message").startswith("3 bad cell(s)")
    for row, text in BAD_VALUES.items():
        assert f"row {row} (line {_line_of(three_bad_values, text)})" in failure.text and repr(text) in failure.text
    assert cases["fingertips (table)"].find("failure") is None
    assert suites[0].get("failures") == "1" and suites[0].get("tests") == "2"


def test_text_lists_every_bad_cell_not_just_the_first(three_bad_values: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["validate", str(three_bad_values)]) == 1
    out = capsys.readouterr().out
    assert all(repr(text) in out for text in BAD_VALUES.values())
    assert "::error" not in out


def test_json_groups_expectation_failures_by_file_with_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = _fingertips_copy(tmp_path)
    _break_field(path, 20, 4, "E06999999")
    _break_field(path, 25, 4, "E06999998")
    assert main(["validate", "--format", "json", str(path)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False and [s["source"] for s in data["sources"]] == ["fingertips"]
    (entry,) = data["sources"][0]["files"]
    bad = {(p["row"], p["column"]) for p in entry["problems"] if "E0699999" in p["message"]}
    assert bad == {(20, "Area Code"), (25, "Area Code")}


def test_github_annotations_name_file_and_line(three_bad_values: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # on GitHub Actions the text report also carries annotations
    assert main(["validate", str(three_bad_values)]) == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 3
    lines = sorted(int(a.split("line=")[1].split(",")[0]) for a in annotations)
    assert lines == sorted(_line_of(three_bad_values, t) for t in BAD_VALUES.values())
    assert all("file=" in a and "fingertips_40501" in a for a in annotations)


def test_clean_files_give_a_passing_junit_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fingertips_copy(tmp_path)
    assert main(["validate", "--format", "junit", str(path)]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert root.find("testsuite").get("failures") == "0"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_validates_only_sources_whose_files_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sources = tmp_path / "repo" / "data_sources"
    for sid in ("cqc_la_assessment", "phs_end_of_life"):
        shutil.copytree(paths.data_sources_dir() / sid, sources / sid)
    _git(sources.parent, "init", "-q")
    _git(sources.parent, "add", "-A")
    _git(sources.parent, "commit", "-qm", "bundle")
    monkeypatch.setenv("LANDSCAPE_DATA_SOURCES", str(sources))
    assert main(["validate", "--changed", "HEAD", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"] == []
    changed = sorted((sources / "cqc_la_assessment").glob("*.csv"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert main(["validate", "--changed", "HEAD", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["source"] for s in data["sources"]] == ["cqc_la_assessment"]
    assert main(["validate", "--changed", "no-such-ref"]) == 2


def test_output_needs_a_machine_format(tmp_path: Path) -> None:
    assert main(["validate", "--output", str(tmp_path / "x.txt")]) == 2


def test_ci_runs_the_readme_test_command_and_publishes_both_junit_reports() -> None:
    from landscape_pipeline.cli.main import build_parser

    root = Path(__file__).resolve().parents[1]
    script = (root / ".ci" / "run").read_text(encoding="utf-8")
    readme_command = next(line.strip() for line in (root / "README.md").read_text(encoding="utf-8").splitlines()
                          if line.startswith("python3 -m venv .venv") and "pytest" in line)
    assert f"\n{readme_command} || status=$?\n" in script
    assert "--junitxml=reports/pytest-junit.xml" in script
    call = next(line.strip() for line in script.splitlines() if line.strip().startswith(".venv/bin/landscape validate"))
    argv = call.split("||")[0].split()[1:]
    args = build_parser().parse_args(argv)
    assert (args.command, args.format, args.output) == ("validate", "junit", "reports/validate-junit.xml")
