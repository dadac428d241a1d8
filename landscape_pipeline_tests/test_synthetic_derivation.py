"""``synthetic`` is derived, never asserted: a row is synthetic if any input that shaped it was."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from landscape_pipeline import schema
from landscape_pipeline.ingest import derive_synthetic, ingest
from landscape_pipeline.provenance import combined_columns, synthetic_from_files
from landscape_pipeline.sources.base import SYNTHETIC_DERIVED, SourceInputs, SourceSpec


def files(tmp_path: Path) -> tuple[Path, Path]:
    real, fake = tmp_path / "real.csv", tmp_path / "fake.csv"
    real.write_text("x\n1\n")
    fake.write_text("x\n2\n")
    (tmp_path / "provenance.json").write_text(json.dumps({"files": {"real.csv": {"synthetic": False},
                                                                    "fake.csv": {"synthetic": True}}}))
    return real, fake


def rows(source_files: list[str], synthetic: list[bool] | None = None) -> pd.DataFrame:
    n = len(source_files)
    return schema.conform(pd.DataFrame({
        "indicator_id": [f"i{k}" for k in range(n)], "indicator_name": "x", "source_id": "t", "area_code": "E92000001",
        "period_label": "2024", "sex": "Persons", "age": "All ages", "value": 1.0, "source_file": source_files,
        "synthetic": synthetic or [False] * n}))


def test_a_row_naming_a_synthetic_file_among_several_is_synthetic(tmp_path):
    real, fake = files(tmp_path)
    frame = rows(["real.csv", "real.csv; fake.csv", "fake.csv", "other.csv"], [False, False, False, True])
    assert synthetic_from_files(frame, [real, fake]).tolist() == [False, True, True, True]  # never unmarked
    assert combined_columns([real, fake])["synthetic"] and not combined_columns([real])["synthetic"]


def test_rows_of_a_parser_that_read_synthetic_upstream_rows_are_all_synthetic_unless_it_derived_them(tmp_path):
    real, _ = files(tmp_path)
    upstream = {"pop": pd.DataFrame({"synthetic": [False, True]}), "other": pd.DataFrame({"synthetic": [True]})}

    def parser(reads: tuple[str, ...], declared: bool):
        def parse(paths, inputs: SourceInputs):
            for name in reads:
                inputs.upstream.get(name)
            out = rows(["real.csv", "real.csv"], [True, False])
            out.attrs[SYNTHETIC_DERIVED] = declared
            return out
        return SourceSpec("t", "T", "P", "https://example.org", parse, depends_on=("pop", "other"))

    def flags(reads, declared):
        return ingest(parser(reads, declared), [real], upstream, validate=False).frame["synthetic"].tolist()

    assert flags((), False) == [True, False]  # read nothing upstream: the parser's own flags stand
    assert flags(("pop",), False) == [True, True]  # read a table with a synthetic row: everything is marked
    assert flags(("pop",), True) == [True, False]  # the parser derived its flags row by row itself
    assert SourceInputs(upstream=upstream).synthetic_rows("pop", pd.Series([True, False])) is False
    assert derive_synthetic(rows(["real.csv"]), [real], {"pop": upstream["pop"]}).tolist() == [True]
