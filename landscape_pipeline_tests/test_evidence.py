"""The local evidence register: the bundled entries per site, dates as at a baseline, bad registers by line, CLI."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from landscape_pipeline import paths
from landscape_pipeline.cli.main import main
from landscape_pipeline.evidence import EvidenceRegister, evidence_for, read_register, register_path, snapshot
from landscape_pipeline.sites import read_sites
from landscape_pipeline.sources.base import THEMES
from landscape_pipeline.yamlfile import YamlFileError

ENTRY = """\
entries:
  - id: test_report
    title: A local report
    publisher: A council
    date: 2024-05-01
    type: research report
    link: https://www.example.gov.uk/report.pdf
    la_codes: [S12000042]
    themes: [Patient experience]
    summary: >-
      What the report found about cancer care locally, in one paragraph of plain English.
"""


def _register(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "evidence.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_register_is_valid_and_lists_every_sites_evidence_with_dates() -> None:
    register = read_register()
    raw = yaml.safe_load(register_path().read_text())
    assert len(register.entries) == len(raw["entries"]) >= 5
    assert all(e.example for e in register.entries), "invented entries are marked as examples"
    for site in read_sites().sites:
        found = register.covering(site.la_codes)
        assert found, f"{site.name} has no local evidence"
        assert all(e.date <= date.today() and set(e.la_codes) & set(site.la_codes) for e in found)
        assert [e.date for e in found] == sorted((e.date for e in found), reverse=True)
    assert {t for e in register.entries for t in e.themes} <= set(THEMES)


def test_evidence_as_at_a_sites_start_leaves_out_later_documents() -> None:
    fife = read_sites().find("Fife")
    today = [e.id for e in evidence_for("S12000047")]
    at_start = [e.id for e in evidence_for("S12000047", fife.start_date)]
    later = [e.id for e in read_register().entries if e.date > fife.start_date and "S12000047" in e.la_codes]
    assert later and set(later) <= set(today) and not set(later) & set(at_start)
    assert set(at_start) == set(today) - set(later)


def test_a_survey_entry_names_its_mapped_extract_and_a_file_beside_the_register() -> None:
    entry = next(e for e in read_register().entries if e.type == "lived-experience survey")
    assert entry.extract == "jsna_lived_experience_survey_2025"
    assert (paths.data_sources_dir() / entry.file).is_file()


def test_retired_codes_are_refused_with_their_successor() -> None:
    with pytest.raises(ValueError, match="E06000060"):
        evidence_for("E07000005")


def test_snapshot_records_the_entries_that_stood_at_a_date(tmp_path: Path) -> None:
    path = _register(tmp_path, ENTRY)
    before = snapshot(["S12000042"], date(2024, 4, 30), path)
    after = snapshot(["S12000042", "S12000047"], date(2024, 5, 1), path)
    assert before["entries"] == [] and [e["id"] for e in after["entries"]] == ["test_report"]
    assert after["entries"][0]["date"] == "2024-05-01" and len(after["sha256"]) == 64
    assert snapshot(["S12000042"], date(2024, 5, 1), tmp_path / "none.yaml")["entries"] == []


def test_no_register_means_no_evidence(tmp_path: Path) -> None:
    assert read_register(tmp_path / "evidence.yaml") == EvidenceRegister()


TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("old", "new", "line", "expected"), [
    ("date: 2024-05-01", f"date: {TOMORROW}", 5, "is after today"),
    ("la_codes: [S12000042]", "la_codes: [S12000042, S99999999]", 8, "S99999999"),
    ("la_codes: [S12000042]", "la_codes: [E07000005]", 8, "E06000060"),
    ("link: https://www.example.gov.uk/report.pdf", "link: www.example.gov.uk/report", 7, "is not a web address"),
    ("link: https://www.example.gov.uk/report.pdf", "file: reports/missing.pdf", 7, "is not a file"),
    ("themes: [Patient experience]", "themes: [Patient stories]", 9, "Patient experience"),
    ("type: research report", "type: blog post", 6, "JSNA chapter"),
    ("    date: 2024-05-01", "    date: 2024-05-01\n    extract: jsna_nothing", 6, "is not a mapped local extract"),
    ("    summary: >-\n", "    summary: |-\n", 10, "one paragraph"),
])
def test_bad_entries_are_refused_naming_the_line(tmp_path: Path, old: str, new: str, line: int, expected: str) -> None:
    text = ENTRY.replace(old, new)
    if "one paragraph" in expected:
        text += "\n      A second paragraph.\n"
    with pytest.raises(YamlFileError) as caught:
        read_register(_register(tmp_path, text))
    assert expected in str(caught.value) and caught.value.line == line, str(caught.value)


def test_a_repeated_id_and_a_link_with_a_file_are_refused(tmp_path: Path) -> None:
    twice = ENTRY + ENTRY[ENTRY.index("  - id"):]
    with pytest.raises(YamlFileError, match="also the id of entry 1") as caught:
        read_register(_register(tmp_path, twice))
    assert caught.value.line == 12
    both = ENTRY.replace("    la_codes", "    file: evidence.yaml\n    la_codes")
    with pytest.raises(YamlFileError, match="exactly one of 'link'"):
        read_register(_register(tmp_path, both))


def test_cli_lists_a_sites_entries_with_dates_and_checks_the_register(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "list", "--site", "Glasgow"]) == 0
    out = capsys.readouterr().out
    expected = read_register().covering(read_sites().find("Glasgow").la_codes)
    assert f"{len(expected)} entries" in out
    for entry in expected:
        assert f"{entry.date.isoformat()}  {entry.type}" in out and entry.title in out
    assert main(["evidence", "list", "--area", "S12000047", "--as-at", "2025-09-01"]) == 0
    assert "Mapping cancer support services" not in capsys.readouterr().out
    assert main(["evidence", "check"]) == 0
    bad = _register(tmp_path, ENTRY.replace("2024-05-01", TOMORROW))
    assert main(["evidence", "check", "--register", str(bad)]) == 1
    assert "line 5" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["evidence", "list", "--as-at", "May 2024"])
    assert usage.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err
