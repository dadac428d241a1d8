"""Small canonical frames for tests of shared machinery (not sample data)."""

from __future__ import annotations

import pandas as pd

from landscape_pipeline import schema


def indicator_rows(rows: list[dict[str, object]], **defaults: object) -> pd.DataFrame:
    """Return a conformed canonical frame from partial rows plus sensible defaults."""
    base = {
        "indicator_id": "test_indicator", "indicator_name": "Test indicator", "source_id": "test",
        "area_name": "Somewhere", "period_label": "2022", "period_start": "2022-01-01",
        "period_end": "2022-12-31", "sex": "Persons", "age": "All ages", "value_type": "proportion",
        "unit": "%", "polarity": "High is good", "source_file": "test.csv",
    }
    base.update(defaults)
    frame = pd.DataFrame([{**base, **row} for row in rows])
    if "source_row" not in frame:
        frame["source_row"] = range(1, len(frame) + 1)
    return schema.conform(frame)


#: A small valid mapping of a long LA-level CSV (``data.csv``: code, indicator, period, value...).
LONG_MAPPING = """\
title: Test extract
publisher: Test council
reader:
  file: data.csv
columns:
  area_code: code
  indicator: indicator
  period: period
  value: value
period:
  format: year
geography:
  level: la
  vintage: 2023
indicators:
  - match: Bowel screening
    id: local_bowel
    definition: People screened for bowel cancer.
    unit: "%"
    value_type: proportion
    polarity: High is good
disclosure: none
"""


def mapped_folder(folder, mapping: str, files: dict[str, str | bytes]):
    """Write ``mapping.yaml`` and data files into ``folder`` (created); return the folder."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


#: Five LAs and ten indicators of the registry, for evaluator tests (pulls, compare, exports).
EVALUATOR_AREAS: tuple[str, ...] = ("E06000001", "E06000002", "E08000026", "E09000033", "E07000223")
EVALUATOR_INDICATORS: dict[str, tuple[str, str, str]] = {  # id -> (value type, unit, polarity)
    "fingertips_22001": ("proportion", "%", "High is good"),
    "fingertips_91720": ("proportion", "%", "High is good"),
    "fingertips_276": ("proportion", "%", "No judgement"),
    "qof_prevalence_cancer": ("proportion", "%", "No judgement"),
    "fingertips_40501": ("DSR", "per 100,000", "Low is good"),
    "fingertips_91355": ("crude rate", "per 100,000", "Low is good"),
    "hes_admissions_lung_emergency_crude": ("crude rate", "per 100,000", "Low is good"),
    "hes_admissions_lung_emergency_count": ("count", "admissions", "Not applicable"),
    "cpes_overall_rating_of_care": ("score", "score 0-10", "High is good"),
    "imd_rank_of_average_score": ("rank", "rank (1 = most deprived)", "Not applicable"),
}


def evaluator_rows(years: tuple[int, ...], *, step: int = 0) -> pd.DataFrame:
    """Return rows of the ten indicators for the five LAs and ``years``; ``step`` shifts later years' counts.

    Counts grow by ``step`` (x area number + 1) a year after the first, so a later build differs
    from the frozen one in a known way. Limits come from the project's own statistics.
    """
    from landscape_pipeline import geography, stats

    rows = []
    for a, code in enumerate(EVALUATOR_AREAS):
        for y, year in enumerate(years):
            shift = step * (a + 1) * y
            for indicator_id, (value_type, unit, polarity) in EVALUATOR_INDICATORS.items():
                row = {"indicator_id": indicator_id, "indicator_name": indicator_id.replace("_", " "),
                       "source_id": indicator_id.split("_")[0] if not indicator_id.startswith("qof") else
                       "qof_prevalence", "area_code": code, "area_name": geography.area_name(code),
                       "period_label": str(year), "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
                       "value_type": value_type, "unit": unit, "polarity": polarity,
                       "is_latest": year == years[-1], "synthetic": True}
                if value_type == "proportion":
                    count, denominator = 600 + 10 * a + shift, 1000
                    got = stats.proportion(count, denominator, multiplier=100)
                elif value_type in ("crude rate", "DSR"):
                    count, denominator = 120 + 5 * a + shift, 90_000
                    got = stats.rate(count, denominator)
                elif value_type == "count":
                    count, denominator = 200 + 5 * a + shift, None  # HES counts are multiples of 5
                    got = stats.Interval(float(count), None, None)
                elif value_type == "score":
                    count, denominator = None, 300
                    value = 8.6 + 0.01 * shift
                    got = stats.Interval(value, value - 0.12, value + 0.12)
                else:  # rank
                    count, denominator = None, None
                    got = stats.Interval(float(10 + a + y), None, None)
                row.update(value=got.value, lower_ci_95=got.lower, upper_ci_95=got.upper, count=count,
                           denominator=denominator)
                rows.append(row)
    return indicator_rows(rows)


def build_evaluator_root(root, years: tuple[int, ...] = (2021, 2022), *, step: int = 0):
    """Write the baselines and catalogue of :func:`evaluator_rows` under ``root`` (as a build would)."""
    from datetime import UTC, datetime

    from landscape_pipeline import baselines, catalogue
    from landscape_pipeline.sources.registry import all_sources

    table = evaluator_rows(years, step=step)
    frame = catalogue.build_catalogue(table, all_sources())
    table = catalogue.round_published(table, catalogue.decimals_by_id(frame))
    catalogue.write_catalogue(frame, root, built_at=datetime.now(UTC), run_id=f"run-{years[-1]}")
    baselines.write_baselines(table, list(EVALUATOR_AREAS), root, run_id=f"run-{years[-1]}")
    return table
