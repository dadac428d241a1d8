"""Benchmark: a full build (every source, all 382 LA partitions) as ONE Dagster run.

Prints wall time, time per step and peak RSS. Run: `.venv/bin/python benchmarks/bench_build.py`.
Outputs go to a temporary folder; the project's data/ and .dagster_home/ are untouched.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DAGSTER_HOME"] = str(Path(tmp) / "home")
        Path(os.environ["DAGSTER_HOME"]).mkdir()
        import dagster as dg

        from landscape_pipeline.cli.run import PROGRESS_RUN_CONFIG
        from landscape_pipeline.definitions import build_definitions
        from landscape_pipeline.defs.automation import BUILD_JOB_NAME
        from landscape_pipeline.defs.partitions import range_tags
        from landscape_pipeline.settings import LandscapeSettings

        settings = LandscapeSettings(data_dir=str(Path(tmp) / "data"))
        job = build_definitions(settings).resolve_job_def(BUILD_JOB_NAME)
        with dg.DagsterInstance.get() as instance:
            started = time.perf_counter()
            result = job.execute_in_process(instance=instance, tags=range_tags(), run_config=PROGRESS_RUN_CONFIG)
            wall = time.perf_counter() - started
            assert result.success, "the build failed"
            print(f"full build, one run, 382 LA partitions: {wall:.1f} s wall")
            for stat in sorted(instance.get_run_step_stats(result.run_id), key=lambda s: s.start_time or 0):
                print(f"  {stat.step_key:<28} {stat.end_time - stat.start_time:7.1f} s")
        files = list((Path(tmp) / "data" / "baselines").rglob("*.parquet"))
        print(f"baseline files written: {len(files)}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
