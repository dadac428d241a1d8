"""Benchmark the HES source: generate a 5,000,000-episode artificial extract, then aggregate and build from it.

Each step runs in its own child process, which reports its own peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``), so the figures are those of generating and of
building alone. Exits with status 1 if either step's peak RSS reaches the 2 GB limit.

    .venv/bin/python benchmarks/bench_hes.py [--episodes 5000000] [--keep DIR]
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


def child_build(path: Path) -> dict[str, float]:
    """Aggregate the extract in one streaming pass, then build the canonical rows; return timings and peak RSS."""
    from landscape_pipeline.paths import data_sources_dir
    from landscape_pipeline.sources.base import SourceInputs
    from landscape_pipeline.sources.hes import aggregate_file, parse, publishable
    from landscape_pipeline.sources.ons_population import SOURCE as ONS

    population = ONS.parse(ONS.bundled_files(data_sources_dir()), None)
    began = time.perf_counter()
    agg = aggregate_file(path)
    aggregated = time.perf_counter() - began
    began = time.perf_counter()
    frame = publishable(parse([path], SourceInputs(upstream={"ons_population": population})))
    built = time.perf_counter() - began
    return {"aggregate_seconds": aggregated, "episodes": agg.tally["episodes read"],
            "admissions": agg.tally["admissions counted"], "build_seconds": built, "rows": len(frame),
            "peak_rss": _peak_rss_bytes()}


def _run(args: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="write the extract here instead of a temporary folder")
    parser.add_argument("--child", choices=["generate", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "generate":
        print(json.dumps(child_generate(args.path, args.episodes)))
        return 0
    if args.child == "build":
        print(json.dumps(child_build(args.path)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench_hes_") as tmp:
        path = (args.keep or Path(tmp)) / "artificial_hes_apc_bench.csv"
        gen = _run(["--child", "generate", "--path", str(path), "--episodes", str(args.episodes)])
        build = _run(["--child", "build", "--path", str(path)])
    mib = 1024**2
    print(f"episodes               {args.episodes:,} ({gen['bytes'] / mib:,.0f} MiB of CSV)")
    print(f"generation             {gen['seconds']:.1f} s, {args.episodes / gen['seconds']:,.0f} rows/s, "
          f"peak RSS {gen['peak_rss'] / mib:,.0f} MiB")
    print(f"aggregation (1 pass)   {build['aggregate_seconds']:.1f} s, "
          f"{build['episodes'] / build['aggregate_seconds']:,.0f} rows/s, {build['admissions']:,} admissions counted")
    print(f"build (parse+publish)  {build['build_seconds']:.1f} s, {build['rows']:,} canonical rows, "
          f"peak RSS {build['peak_rss'] / mib:,.0f} MiB")
    ok = gen["peak_rss"] < LIMIT_BYTES and build["peak_rss"] < LIMIT_BYTES
    print("within the 2 GB limit" if ok else "OVER the 2 GB limit")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
