"""Benchmark the HES source: generate an artificial extract (50,000,000 episodes), aggregate it, build from it.

Each engine (the Arrow streaming reader, and DuckDB: ``LANDSCAPE_HES_ENGINE``) aggregates the same
file in its own child process, which reports its own peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``), so the figures are those of that step alone; the
engines' cubes and tallies are compared cell for cell. Exits with status 1 if any step's peak RSS
reaches the 2 GB limit or the engines disagree.

    .venv/bin/python benchmarks/bench_hes.py [--episodes 50000000] [--engine arrow|duckdb|both] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_BYTES = 2 * 1024**3


def _peak_rss_bytes() -> int:
    """Return this process's peak RSS in bytes (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def child_generate(path: Path, episodes: int) -> dict[str, float]:
    """Write the extract; return timings and peak RSS."""
    from landscape_pipeline.sources.hes.sample import write_extract

    began = time.perf_counter()
    write_extract(path, episodes)
    return {"seconds": time.perf_counter() - began, "bytes": path.stat().st_size, "peak_rss": _peak_rss_bytes()}


def child_build(path: Path, engine: str) -> dict[str, float]:
    """Aggregate the extract with ``engine``, then build the canonical rows; return timings, a digest, peak RSS."""
    import hashlib

    from landscape_pipeline.paths import data_sources_dir
    from landscape_pipeline.sources.base import SourceInputs
    from landscape_pipeline.sources.hes import aggregate_file, parse, publishable
    from landscape_pipeline.sources.ons_population import SOURCE as ONS

    population = ONS.parse(ONS.bundled_files(data_sources_dir()), None)
    began = time.perf_counter()
    agg = aggregate_file(path, engine=engine)
    aggregated = time.perf_counter() - began
    digest = hashlib.sha256(json.dumps(sorted(agg.tally.items())).encode())
    for year in sorted(agg.counts):
        digest.update(agg.counts[year].tobytes())
    began = time.perf_counter()
    import landscape_pipeline.sources.hes.parser as hes_parser

    hes_parser.aggregate_file = lambda *_, **__: agg  # build from this cube rather than reading the file again
    frame = publishable(parse([path], SourceInputs(upstream={"ons_population": population})))
    built = time.perf_counter() - began
    return {"aggregate_seconds": aggregated, "episodes": agg.tally["episodes read"],
            "admissions": agg.tally["admissions counted"], "build_seconds": built, "rows": len(frame),
            "digest": digest.hexdigest(), "peak_rss": _peak_rss_bytes()}


def _run(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=50_000_000)
    parser.add_argument("--engine", choices=["arrow", "duckdb", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="write the extract here instead of a temporary folder")
    parser.add_argument("--child", choices=["generate", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "generate":
        print(json.dumps(child_generate(args.path, args.episodes)))
        return 0
    if args.child == "build":
        print(json.dumps(child_build(args.path, args.engine)))
        return 0
    engines = ["arrow", "duckdb"] if args.engine == "both" else [args.engine]
    mib = 1024**2
    with tempfile.TemporaryDirectory(prefix="bench_hes_") as tmp:
        path = (args.keep or Path(tmp)) / "artificial_hes_apc_bench.csv"
        if path.exists() and args.keep:
            gen = {"seconds": float("nan"), "bytes": path.stat().st_size, "peak_rss": 0}
            print(f"episodes               reusing {path} (written earlier with --keep)")
        else:
            gen = _run(["--child", "generate", "--path", str(path), "--episodes", str(args.episodes)])
            print(f"episodes               {args.episodes:,} ({gen['bytes'] / mib:,.0f} MiB of CSV)")
            print(f"generation             {gen['seconds']:.1f} s, {args.episodes / gen['seconds']:,.0f} rows/s, "
                  f"peak RSS {gen['peak_rss'] / mib:,.0f} MiB")
        builds = {}
        for engine in engines:
            build = builds[engine] = _run(["--child", "build", "--path", str(path), "--engine", engine])
            print(f"{engine:<6} aggregation     {build['aggregate_seconds']:.1f} s, "
                  f"{build['episodes'] / build['aggregate_seconds']:,.0f} rows/s, "
                  f"{gen['bytes'] / mib / build['aggregate_seconds']:,.0f} MiB/s, "
                  f"{build['admissions']:,} admissions counted")
            seconds = build["build_seconds"]
            print(f"{engine:<6} build           {seconds:.1f} s from the cube (rates, DSRs, disclosure), "
                  f"{build['rows']:,} canonical rows, peak RSS {build['peak_rss'] / mib:,.0f} MiB")
    ok = all(step["peak_rss"] < LIMIT_BYTES for step in (gen, *builds.values()))
    agree = len({b["digest"] for b in builds.values()}) == 1
    if len(builds) > 1:
        print("engines agree cell for cell" if agree else "ENGINES DISAGREE")
    print("every step within the 2 GB limit" if ok else "OVER the 2 GB limit")
    return 0 if ok and agree else 1


if __name__ == "__main__":
    sys.exit(main())
