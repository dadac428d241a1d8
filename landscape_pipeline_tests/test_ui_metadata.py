"""What the Dagster UI shows: each LA partition's own figures, row counts, schemas, previews, failure tables.

A small build: the bundled CQC local-authority assessments are ingested and harmonised into an indicator
table, then ``baselines`` and ``landscape_summary`` are materialised for two neighbouring LAs in ONE run
(a single-run backfill), as the full build does for all 382.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from landscape_pipeline import geography, harmonise, paths
from landscape_pipeline.defs import metadata as ui
from landscape_pipeline.defs.landscape_assets import BASELINES, build_baselines
from landscape_pipeline.defs.summary_assets import SUMMARY, build_summary_asset
from landscape_pipeline.ingest import ingest
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.registry import get_source
from landscape_pipeline.storage import read_indicators, write_indicators
from landscape_pipeline.validation import validate_frame
from landscape_pipeline_tests.factories import indicator_rows
from landscape_pipeline_tests.test_validation import GOOD

SOURCE = "cqc_la_assessment"
COVENTRY = "E08000026"


def _two_neighbours() -> list[str]:
    keys = geography.partition_keys()
    i = keys.index(COVENTRY)
    return keys[i:i + 2]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ui") / "data"
    spec = get_source(SOURCE)
    result = ingest(spec, spec.bundled_files(paths.data_sources_dir()))
    assert result.passed, result.text()
    table = harmonise.harmonise([result.frame])
    write_indicators(table, paths.indicators_path(root), metadata={"disclosure": {}})
    specs = {SOURCE: spec}
    codes = _two_neighbours()
    tags = {"dagster/asset_partition_range_start": codes[0], "dagster/asset_partition_range_end": codes[-1]}
    with dg.instance_for_test() as instance:
        outcome = dg.materialize([build_baselines(specs), build_summary_asset(specs)], instance=instance, tags=tags,
                                 resources={"settings": LandscapeSettings(data_dir=str(root), live_sources=[])})
        assert outcome.success
        events = {}
        for key in (BASELINES, SUMMARY):
            records = instance.fetch_materializations(key, limit=10).records
            events[key] = {r.partition_key: r.asset_materialization.metadata for r in records}
    return root, table, codes, events


def test_each_partition_has_its_own_name_rows_and_file(run) -> None:
    root, table, codes, events = run
    assert set(events[BASELINES]) == set(codes)  # one materialisation per LA, no run-wide duplicates
    for code in codes:
        meta = events[BASELINES][code]
        baseline = read_indicators(paths.baseline_path(root, code))
        assert meta["area_name"].value == geography.local_authority(code).area_name
        assert meta["dagster/row_count"].value == len(baseline) == int(table["area_code"].eq(code).sum())
        assert meta["indicators"].value == baseline["indicator_id"].nunique()
        assert meta["path"].value == str(paths.baseline_path(root, code))
        assert code in meta["preview"].value or len(baseline) == 0
    coventry = events[BASELINES][COVENTRY]
    assert coventry["area_name"].value == "Coventry" and coventry["latest_period"].value == "2025-06-12"
    rows = [events[BASELINES][c]["dagster/row_count"].value for c in codes]
    assert len(set(rows)) == 2, "each partition reports its own count, not the run's total"
    assert isinstance(coventry["dagster/column_schema"].value, dg.TableSchema)


def test_summary_partitions_link_their_own_page(run) -> None:
    _root, _table, codes, events = run
    for code in codes:
        meta = events[SUMMARY][code]
        page = Path(meta["page"].value)
        assert page.name == f"{code}.html" and page.exists()
        assert meta["area_name"].value == geography.local_authority(code).area_name


def test_la_names_lookup_maps_every_partition_key_to_its_name() -> None:
    table = ui.la_names().value
    names = {r.data["code"]: r.data["name"] for r in table.records}
    assert list(names) == geography.partition_keys()
    assert names[COVENTRY] == "Coventry"
    spec = build_baselines({}).specs_by_key[BASELINES]
    assert spec.metadata["la_names"] == ui.la_names()


def test_failures_render_as_a_markdown_table_naming_file_row_and_column() -> None:
    frame = indicator_rows([GOOD, {**GOOD, "area_code": "E06000002", "count": -5, "denominator": None}])
    frame["source_file"], frame["source_row"] = "extract.csv", [1, 2]
    report = validate_frame(frame, "meta")
    assert not report.passed
    markdown = ui.gx_metadata(report.metadata())["failures_table"].value
    header, _rule, *body = markdown.splitlines()
    assert header == "| expectation | rows failing | file | row | column | value |"
    assert len(body) == 1 and "| 1 | extract.csv | 2 | count |" in body[0], markdown


def test_markdown_table_escapes_pipes_and_says_what_is_left_out() -> None:
    text = ui.markdown_table([{"a": "x|y", "b": 1.5}] * 3, ["a", "b"], limit=2)
    assert text.splitlines()[2] == "| x\\|y | 1.5 |"
    assert text.endswith("1 more not shown.")


def test_canonical_schema_lists_every_column_with_its_meaning() -> None:
    from landscape_pipeline import schema

    columns = ui.canonical_column_schema().columns
    assert [c.name for c in columns] == list(schema.COLUMN_NAMES)
    assert all(c.description for c in columns)
    assert {c.name for c in columns if not c.constraints.nullable} >= {"indicator_id", "area_code"}
