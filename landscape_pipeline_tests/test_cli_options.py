"""CLI options: --version, exit codes in --help, areas by name with did-you-mean, live mode that cannot be mistyped."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from landscape_pipeline.cli import main
from landscape_pipeline.cli.areas import AreaArgumentError, resolve_area
from landscape_pipeline.settings import LandscapeSettings, UnknownSourceError, check_source_ids


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"landscape {version('landscape_pipeline')}"


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"]])
def test_help_documents_the_exit_codes(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    text = capsys.readouterr().out
    assert "0  success" in text and "1  the data failed" in text and "2  usage error" in text


@pytest.mark.parametrize(("given", "code"), [("coventry", "E08000026"), ("E08000026", "E08000026"),
                                             ("e08000026", "E08000026"), ("County Durham", "E06000047"),
                                             ("Brighton & Hove", "E06000043"), ("Glasgow City", "S12000049")])
def test_areas_by_code_or_name(given: str, code: str) -> None:
    assert resolve_area(given) == code


@pytest.mark.parametrize(("given", "hint"), [
    ("E0800002", "E08000026 (Coventry)"),   # one digit short
    ("E08000O26", "E08000026 (Coventry)"),  # letter O for zero
    ("Coventri", "E08000026 (Coventry)"),
    ("Birmingam", "E08000025 (Birmingham)"),
])
def test_did_you_mean_for_a_mistyped_area(given: str, hint: str) -> None:
    with pytest.raises(AreaArgumentError, match="Did you mean") as caught:
        resolve_area(given)
    assert hint in str(caught.value) or "one character away" in str(caught.value)


def test_a_code_one_digit_short_lists_its_neighbours() -> None:
    with pytest.raises(AreaArgumentError) as caught:
        resolve_area("E0800002")
    assert "current codes are one character away" in str(caught.value)


def test_an_ambiguous_name_asks_for_more() -> None:
    with pytest.raises(AreaArgumentError, match="matches several"):
        resolve_area("Newcastle")


def test_a_retired_code_names_its_successor() -> None:
    with pytest.raises(AreaArgumentError, match="E06000063"):
        resolve_area("E07000026")


def test_an_area_name_works_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "--area", "coventry", "--data-dir", str(tmp_path)]) == 1  # nothing built there
    assert "E08000026" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["baseline", "--area"], ["summary", "--area"], ["freeze", "--label", "x",
                                                                                      "--area"]])
def test_a_mistyped_area_is_a_usage_error_everywhere(command: list[str], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "Coventri", "--data-dir", str(tmp_path)]) == 2
    assert "Did you mean E08000026 (Coventry)" in capsys.readouterr().err


def test_a_mistyped_live_source_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANDSCAPE_LIVE_SOURCES", raising=False)
    assert main(["build", "--live", "fingertipz", "--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert "--live: 'fingertipz' is not a registered source. Did you mean 'fingertips'?" in err
    assert not (tmp_path / "data").exists()


def test_a_mistyped_live_source_in_the_environment_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LANDSCAPE_LIVE_SOURCES", "phs, fingertipz")
    assert main(["build", "--data-dir", str(tmp_path / "data")]) == 2
    assert "$LANDSCAPE_LIVE_SOURCES: 'fingertipz'" in capsys.readouterr().err


def test_a_mistyped_allow_shrink_source_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANDSCAPE_LIVE_SOURCES", raising=False)
    assert main(["build", "--allow-shrink", "cpes", "hess", "--data-dir", str(tmp_path / "data")]) == 2
    assert "Did you mean 'hes'" in capsys.readouterr().err


def test_settings_refuse_unknown_live_sources_at_use() -> None:
    settings = LandscapeSettings(live_sources=["all"])
    assert settings.is_live("cpes")
    with pytest.raises(UnknownSourceError, match="Known sources: fingertips"):
        LandscapeSettings(live_sources=["nonsense"]).is_live("cpes")
    assert check_source_ids(["fingertips", "all"], "x") == ["fingertips", "all"]


@pytest.mark.parametrize("argv", [["freeze", "--label", "never-made", "--verify"],
                                  ["baseline", "--area", "E08000026", "--frozen", "never-made"]])
def test_an_unknown_frozen_label_is_a_usage_error_in_a_sentence(argv: list[str], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "frozen" / "programme-start").mkdir(parents=True)
    (tmp_path / "frozen" / "programme-start" / "manifest.json").write_text("{}")
    assert main([*argv, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no frozen baseline set called 'never-made'" in err and "programme-start" in err and "Errno" not in err


def test_an_unexpected_error_is_a_sentence_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from landscape_pipeline.cli import commands

    def broken(_args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(commands, "cmd_schema", broken)
    monkeypatch.delenv("LANDSCAPE_DEBUG", raising=False)
    assert main(["schema"]) == 1
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError: division by zero)" in err and "Traceback" not in err
    monkeypatch.setenv("LANDSCAPE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["schema"])
