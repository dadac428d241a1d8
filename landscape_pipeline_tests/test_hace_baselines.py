"""A small build of the Scottish sites with HACE and the local evidence: baselines and a site's frozen set.

HACE and the lived-experience extract are ingested as the build does (parse, GX), harmonised into a
validated indicator table, and the baselines of Dundee, Fife, Glasgow, Clackmannanshire and Stirling
written with the evidence register. Each site's baseline must carry HACE compared with Scotland and
list its local evidence with dates; a set frozen at Fife's start records the evidence that stood then.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from landscape_pipeline import harmonise, paths
from landscape_pipeline.baselines import read_baseline, write_baselines
from landscape_pipeline.evidence import read_register
from landscape_pipeline.freeze import freeze
from landscape_pipeline.ingest import ingest
from landscape_pipeline.sites import read_sites
from landscape_pipeline.sources.registry import all_sources
from landscape_pipeline.storage import read_metadata
from landscape_pipeline.validation.runner import validate_frame

SITES = {"S12000042": "dundee", "S12000047": "fife", "S12000049": "glasgow"}
SHARED = ("S12000005", "S12000030")  # Clackmannanshire, Stirling
SOURCES = ("hace_2023_24", "jsna_lived_experience_survey_2025")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    staged = []
    for source_id in SOURCES:
        spec = all_sources()[source_id]
        result = ingest(spec, spec.bundled_files(paths.data_sources_dir()))
        assert result.passed, result.text()
        staged.append(result.frame)
    table = harmonise.harmonise(staged)
    report = validate_frame(table, "indicator_table")
    assert report.passed, report.text()
    root = tmp_path_factory.mktemp("hace_build")
    write_baselines(table, [*SITES, *SHARED], root, evidence=read_register())
    return root


@pytest.mark.parametrize("code", list(SITES))
def test_each_scottish_site_carries_hace_compared_with_scotland(built: Path, code: str) -> None:
    baseline = read_baseline(built, code)
    hace = baseline[baseline["source_id"].eq("hace_2023_24") & baseline["category"].isna()]
    assert hace["indicator_id"].nunique() == 11 and (hace["period_label"] == "2023/24").all()
    assert (hace["geography_method"] == "direct").all() and hace["attribution_note"].str.contains("HSCP").all()
    assert hace["comparator_value"].notna().all() and hace["comparison"].notna().all()
    assert (hace["comparator_code"] == "S92000003").all() and hace["synthetic"].all()
    responses = baseline[baseline["source_id"].eq("hace_2023_24") & baseline["category_type"].eq("Response")]
    assert set(responses["category"]) == {"Neutral", "Negative"}
    lived = baseline[baseline["source_id"].eq("jsna_lived_experience_survey_2025")]
    assert lived["indicator_id"].nunique() == 4 and lived["lower_ci_95"].notna().all()


def test_clackmannanshire_and_stirling_carry_the_same_attributed_hace(built: Path) -> None:
    frames = [read_baseline(built, code) for code in SHARED]
    values = [f.query("source_id == 'hace_2023_24'").set_index(["indicator_id", "category"])["value"].sort_index()
              for f in frames]
    assert len(values[0]) == 33 and values[0].equals(values[1])
    assert all((f["geography_method"] == "attributed").all() for f in frames)


@pytest.mark.parametrize("code", list(SITES))
def test_each_site_baseline_lists_its_local_evidence_with_dates(built: Path, code: str) -> None:
    meta = read_metadata(paths.baseline_path(built, code))
    listed = meta["evidence"]
    built_on = pd.Timestamp(meta["built_at"]).date().isoformat()
    expected = [e.id for e in read_register().covering(code)]
    assert [e["id"] for e in listed] == expected and listed
    assert all(code in e["la_codes"] and e["date"] <= built_on and e["title"] for e in listed)
    assert meta["evidence"] == [e.record() for e in read_register().covering(code)]


def test_an_la_without_entries_lists_none(built: Path) -> None:
    assert read_metadata(paths.baseline_path(built, "S12000005"))["evidence"] == []


def test_a_set_frozen_at_a_sites_start_records_the_evidence_that_stood_then(built: Path) -> None:
    fife = read_sites().find("Fife")
    manifest = json.loads(freeze(built, fife.freeze_label(), site=fife).read_text())
    stood = manifest["evidence"]
    assert stood["as_at"] == fife.start_date.isoformat() and stood["register"] == "evidence.yaml"
    ids = [e["id"] for e in stood["entries"]]
    assert ids == [e.id for e in read_register().covering(fife.la_codes, fife.start_date)]
    later = [e.id for e in read_register().covering(fife.la_codes) if e.date > fife.start_date]
    assert later and not set(later) & set(ids)
    baseline_meta = read_metadata(paths.baseline_path(built, "S12000047"))  # the build lists them all
    assert set(later) <= {e["id"] for e in baseline_meta["evidence"]}
