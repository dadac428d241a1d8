"""Benchmark the statistics: prints time and throughput (best of 3) for proportions, rates and DSRs.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_stats [--rows 1000000] [--areas 100000]``
(or ``.venv/bin/python benchmarks/bench_stats.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make the project importable without installing it
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    """Return the fastest wall-clock time in seconds of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(label: str, seconds: float, n: int, unit: str) -> None:
    """Print one result line."""
    print(f"{label:<52} {seconds:8.3f} s  {n / seconds:14,.0f} {unit}/s")


def main() -> None:
    """Generate synthetic inputs and print the benchmark table."""
    from landscape_pipeline.stats import (
        ESP2013,
        dsr_frame,
        proportion,
        proportion_frame,
        rate,
        rate_frame,
        recent_trend_frame,
    )

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    n = args.rows

    denominators = rng.integers(1, 50_000, n).astype(float)
    numerators = np.floor(denominators * rng.beta(0.6, 300, n))  # about a third below 10, some zeros
    frame = pd.DataFrame({"count": numerators, "denominator": denominators})
    print(f"{n:,} rows; {(numerators < 10).mean():.0%} of counts below 10 (exact limits)")

    # Warm-up: builds the exact-limit lookup tables and z-values once.
    rate(numerators[:10], denominators[:10])
    report("proportion(), array API, one 95% interval", best_of(lambda: proportion(numerators, denominators)),
           n, "intervals")
    report("rate(), array API, one 95% interval", best_of(lambda: rate(numerators, denominators)), n, "intervals")
    report("proportion_frame(), 95% + 99.8% intervals", best_of(lambda: proportion_frame(frame)), n, "rows")
    report("rate_frame(), 95% + 99.8% intervals", best_of(lambda: rate_frame(frame)), n, "rows")

    areas = args.areas
    bands = np.asarray(ESP2013.labels, dtype=object)
    codes = np.array([f"E{i:08d}" for i in range(areas)], dtype=object)
    populations = rng.integers(200, 20_000, areas * bands.size).astype(float)
    counts = rng.poisson(populations * 0.002).astype(float)
    dsr_input = pd.DataFrame({
        "area_code": np.repeat(codes, bands.size),
        "age_band": np.tile(bands, areas),
        "count": counts,
        "population": populations,
    })
    report(f"dsr_frame(), {areas:,} areas x {bands.size} bands", best_of(lambda: dsr_frame(dsr_input, ["area_code"])),
           areas, "DSRs")

    years = np.arange(2015, 2024)
    values = rng.normal(50, 5, areas * years.size)
    trend_input = pd.DataFrame({
        "area_code": np.repeat(codes, years.size),
        "year": np.tile(years, areas),
        "value": values,
        "lower_ci_95": values - 1,
        "upper_ci_95": values + 1,
        "polarity": "Low is good",
    })
    report(f"recent_trend_frame(), {areas:,} series x {years.size} years",
           best_of(lambda: recent_trend_frame(trend_input, ["area_code"], "year", "polarity")), areas, "series")


if __name__ == "__main__":
    main()
