"""Benchmark `landscape build` against the I/O floor of the same work, at 1x and scaled source sizes.

    .venv/bin/python benchmarks/bench_build.py                     # 1x only
    .venv/bin/python benchmarks/bench_build.py --scales 1,4,16     # growth with the sources scaled
    .venv/bin/python benchmarks/bench_build.py --area E08000026    # also one LA on a fresh data root

Each build is `landscape build` itself (`cli.main(["build"])`), run in its own child process with a fresh
data root and DAGSTER_HOME (holding the project's dagster.yaml) in a temporary folder, so its peak RSS is its
own. From the run's step statistics it prints the wall time, each step's time and peak RSS (sampled from
/proc every 50 ms), the time before the first step starts (interpreter start, imports, definitions, run
creation) and after the last ends.

The I/O floor, also in a child process, is the least any build must do: read every bundled input file
(CSV with pyarrow, Excel with python-calamine, zip members either way) ``scale`` times, then write the
same number of Parquet partitions (the current LAs' rows of the indicator table, split by area) and the
same number and bytes of pages the build wrote. Scaled builds use :mod:`scaling` (each parsed source
table repeated with its periods moved back), so rows, not files, grow.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

MIB = 1024**2
PROJECT = Path(__file__).resolve().parents[1]


def _peak_rss() -> int:
    """Peak RSS in bytes of this process or any child it waited for (ru_maxrss is KiB on Linux)."""
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return peak if sys.platform == "darwin" else peak * 1024


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _dir_bytes(folder: Path, pattern: str) -> tuple[int, int]:
    files = [p for p in folder.rglob(pattern) if p.is_file()] if folder.exists() else []
    return len(files), sum(p.stat().st_size for p in files)


class RssSampler:
    """Sample the resident set size of this process and all its descendants (Linux /proc) in a thread.

    Summed over the process tree, so work handed to worker processes counts towards the build's memory.
    """

    def __init__(self, every: float = 0.05) -> None:
        self.samples: list[tuple[float, int]] = []
        self._every, self._stop = every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss(pid: int) -> int:
        """Sum VmRSS over ``pid`` and its descendants, leaving out a child that has not yet replaced its image.

        Between fork (or vfork) and exec, a starting worker shows its parent's resident pages as its own (with
        vfork they are the same pages); counting them twice would report a second copy of the build for a few
        milliseconds. Once the worker has exec'd (its command line differs), it is counted in full.
        """
        total, todo = 0, [(pid, None)]
        while todo:
            current, parent_cmdline = todo.pop()
            try:
                cmdline = Path(f"/proc/{current}/cmdline").read_bytes()
                if cmdline != parent_cmdline:
                    for line in Path(f"/proc/{current}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                for task in Path(f"/proc/{current}/task").iterdir():
                    todo += [(int(c), cmdline) for c in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError, PermissionError):  # a worker that just ended
                continue
        return total

    def _run(self) -> None:
        if not Path("/proc/self/status").exists():
            return
        while not self._stop.is_set():
            self.samples.append((time.time(), self._tree_rss(os.getpid())))
            self._stop.wait(self._every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def at(self, moment: float) -> int:
        """Return the last sample taken at or before ``moment`` (0 when none was)."""
        return max(((at, rss) for at, rss in self.samples if at <= moment), default=(0.0, 0))[1]

    def peak_between(self, start: float, end: float) -> int:
        """Return the highest sample taken between ``start`` and ``end`` (0 when none was)."""
        return max((rss for at, rss in self.samples if start <= at <= end), default=0)


def child_build(root: Path, scale: int, area: str | None, launched: float) -> dict[str, object]:
    """Run `landscape build` into ``root``; return timings, each step's time and peak RSS, outputs, peak RSS.

    The overall peak is the larger of the process's own high-water mark and the highest sampled sum over its
    process tree (worker processes included).
    """
    os.environ["DAGSTER_HOME"] = str(root / "home")
    os.environ["LANDSCAPE_DATA_DIR"] = str(root / "data")
    (root / "home").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "dagster.yaml", root / "home" / "dagster.yaml")  # the instance as `landscape build` uses it
    if scale > 1:
        import scaling

        scaling.install(scale)
    import dagster as dg

    from landscape_pipeline.cli.main import main

    with RssSampler() as rss:
        code = main(["build", *(["--area", area] if area else [])])
    ended = time.time()
    unscaled = dict(sys.modules["scaling"].UNSCALED) if scale > 1 else {}
    steps: list[dict[str, object]] = []
    with dg.DagsterInstance.get() as instance:
        for run in reversed(instance.get_runs()):
            for stat in instance.get_run_step_stats(run.run_id):
                if stat.start_time and stat.end_time:
                    steps.append({"step": stat.step_key, "start": stat.start_time, "end": stat.end_time,
                                  "status": stat.status.value if stat.status else "?",
                                  "peak_rss": rss.peak_between(stat.start_time, stat.end_time),
                                  "start_rss": rss.at(stat.start_time)})
    data = root / "data"
    pages, page_bytes = _dir_bytes(data / "summaries", "*.*")
    parts, part_bytes = _dir_bytes(data / "baselines", "*.parquet")
    rows = 0
    if (data / "indicators" / "indicators.parquet").exists():
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(data / "indicators" / "indicators.parquet").metadata.num_rows
    return {"exit": code, "wall": ended - launched, "steps": steps, "launched": launched, "ended": ended,
            "peak_rss": max(_peak_rss(), max((r for _, r in rss.samples), default=0)), "cpu": _cpu_seconds(),
            "pages": pages, "page_bytes": page_bytes,
            "partitions": parts,
            "partition_bytes": part_bytes, "indicator_rows": rows, "unscaled": unscaled}


def _read_input(path: Path, data: bytes | None = None) -> int:
    """Read one publisher file the cheapest complete way; return the bytes it holds."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from python_calamine import CalamineWorkbook

    raw = data if data is not None else path.read_bytes()
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return sum(_read_input(Path(m), archive.read(m)) for m in archive.namelist() if not m.endswith("/"))
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        for sheet in book.sheet_names:
            book.get_sheet_by_name(sheet).to_python()
        return len(raw)
    if name.endswith((".csv", ".csv.gz", ".txt")):
        for generated in (False, True):  # header row first; a preamble pyarrow cannot frame: generated names
            stream = pa.input_stream(pa.py_buffer(raw), compression="gzip" if name.endswith(".gz") else None)
            try:
                pacsv.read_csv(stream, read_options=pacsv.ReadOptions(autogenerate_column_names=generated),
                               parse_options=pacsv.ParseOptions(invalid_row_handler=lambda _row: "skip"))
                break
            except pa.ArrowInvalid:
                continue
    return len(raw)


def child_floor(build_root: Path, out: Path, scale: int, pages: int, page_bytes: int) -> dict[str, object]:
    """Time the I/O floor of a build (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from landscape_pipeline import geography
    from landscape_pipeline.paths import data_sources_dir

    inputs = [p for p in sorted(data_sources_dir().rglob("*")) if p.is_file()]
    data = build_root / "data"
    began, cpu_before = time.perf_counter(), _cpu_seconds()
    read = sum(_read_input(p) for _ in range(scale) for p in inputs)
    table_path = data / "indicators" / "indicators.parquet"
    table = (pq.read_table(table_path) if table_path.exists()
             else pa.concat_tables([pq.read_table(p) for p in sorted((data / "staging").glob("*.parquet"))],
                                   promote_options="permissive"))
    codes = [la.area_code for la in geography.current_local_authorities()]
    table = table.filter(pc.is_in(table["area_code"], pa.array(codes))).sort_by("area_code")
    ends = {}
    for i, code in enumerate(table["area_code"].to_pylist()):
        ends.setdefault(code, [i, i])[1] = i + 1
    for code in codes:
        first, last = ends.get(code, (0, 0))
        (out / "baselines" / code).mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(first, last - first), out / "baselines" / code / "baseline.parquet")
    (out / "pages").mkdir()
    chunk = b"x" * (page_bytes // max(pages, 1))
    for i in range(pages):
        (out / "pages" / f"{i}.html").write_bytes(chunk)
    return {"wall": time.perf_counter() - began, "cpu": _cpu_seconds() - cpu_before, "files": len(inputs),
            "input_bytes": read,
            "partitions": len(codes), "rows_written": table.num_rows}


def _child(args: list[str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"benchmark child {args[:2]} failed with status {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(scale: int, area: str | None = None) -> tuple[dict[str, object], dict[str, object] | None]:
    """Build at ``scale`` (and time its I/O floor unless ``area``); return (build, floor) figures."""
    with tempfile.TemporaryDirectory(prefix=f"bench_build_{scale}x_") as tmp:
        root = Path(tmp)
        build = _child(["--child", "build", "--root", str(root), "--scale", str(scale), "--launched", str(time.time()),
                        *(["--area", area] if area else [])])
        if area:
            return build, None
        (root / "floor").mkdir()
        floor = _child(["--child", "floor", "--root", str(root), "--out", str(root / "floor"), "--scale", str(scale),
                        "--pages", str(build["pages"]), "--page-bytes", str(build["page_bytes"])])
    return build, floor


def report(scale: int, build: dict[str, object], floor: dict[str, object] | None, label: str = "") -> None:
    """Print one build's figures."""
    steps = sorted(build["steps"], key=lambda s: s["start"])
    status = "succeeded" if build["exit"] == 0 else f"FAILED (exit {build['exit']})"
    print(f"\n== {label or f'full build at {scale}x the bundled rows'}: {status}")
    print(f"wall {build['wall']:.1f} s (CPU {build['cpu']:.1f} s); peak RSS {build['peak_rss'] / MIB:,.0f} MiB; "
          f"{build['indicator_rows']:,} indicator rows; {build['partitions']} partitions "
          f"({build['partition_bytes'] / MIB:.1f} MiB), {build['pages']} pages ({build['page_bytes'] / MIB:.1f} MiB)")
    for source, why in build.get("unscaled", {}).items():
        print(f"  built at 1x: {source} (its suite refuses moved copies: {why})")
    if steps:
        print(f"before the first step {steps[0]['start'] - build['launched']:.1f} s; "
              f"after the last {build['ended'] - max(s['end'] for s in steps):.1f} s")
        for s in steps:
            print(f"  {s['step']:<52} {s['end'] - s['start']:6.1f} s  {s.get('start_rss', 0) / MIB:6,.0f} MiB at start"
                  f"  {s.get('peak_rss', 0) / MIB:6,.0f} MiB peak  {s['status'].lower()}")
    if floor:
        print(f"I/O floor {floor['wall']:.1f} s (CPU {floor['cpu']:.1f} s; read {floor['files']} files x{scale}, "
              f"{floor['input_bytes'] / MIB:.1f} MiB; wrote {floor['partitions']} partitions, "
              f"{floor['rows_written']:,} rows, and the pages)"
              f"\nbuild / floor = {build['wall'] / floor['wall']:.1f}x wall, "
              f"{build['cpu'] / floor['cpu']:.1f}x CPU")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0 when every build succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1", help="comma-separated multiples of the bundled rows (default 1)")
    parser.add_argument("--area", help="also time `landscape build --area CODE` on a fresh data root")
    parser.add_argument("--child", choices=["build", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--page-bytes", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "build":
        print(json.dumps(child_build(args.root, args.scale, args.area, args.launched)))
        return 0
    if args.child == "floor":
        print(json.dumps(child_floor(args.root, args.out, args.scale, args.pages, args.page_bytes)))
        return 0
    print(f"machine: {os.cpu_count()} CPU(s), {sys.platform}, Python {sys.version.split()[0]}; "
          f"load average {os.getloadavg()[0]:.1f} at start")
    ok = True
    results = []
    for scale in [int(s) for s in args.scales.split(",") if s.strip()]:
        build, floor = measure(scale)
        report(scale, build, floor)
        results.append((scale, build, floor))
        ok = ok and build["exit"] == 0
    if len(results) > 1:
        base = results[0]
        print("\ngrowth (relative to the first scale): scale, rows, wall, peak RSS")
        for scale, build, _floor in results:
            print(f"  {scale:>3}x  rows x{build['indicator_rows'] / max(base[1]['indicator_rows'], 1):.1f}  "
                  f"wall x{build['wall'] / base[1]['wall']:.1f}  RSS x{build['peak_rss'] / base[1]['peak_rss']:.1f}")
    if args.area:
        build, _ = measure(1, args.area)
        report(1, build, None, label=f"landscape build --area {args.area} (fresh data root)")
        ok = ok and build["exit"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
