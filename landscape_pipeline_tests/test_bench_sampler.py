"""The build benchmark's memory sampler counts worker processes once, and a starting one not twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_build import RssSampler

MIB = 1024**2
pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")


def _own_rss() -> int:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def test_a_worker_is_counted_and_an_unexecd_fork_is_not() -> None:
    held = bytearray(os.urandom(1024)) * (120 * 1024)  # ~120 MiB resident in this process
    child = os.fork()
    if child == 0:  # not exec'd: shares every page above with the parent
        time.sleep(3)
        os._exit(0)
    worker = subprocess.Popen([sys.executable, "-c", "import time; x = b'x' * (90 * 2**20); time.sleep(3)"])
    try:
        time.sleep(1.5)
        tree, own = RssSampler._tree_rss(os.getpid()), _own_rss()
    finally:
        worker.kill()
        worker.wait()
        os.waitpid(child, 0)
    assert len(held) > 100 * MIB
    assert tree - own > 80 * MIB  # the exec'd worker's 90 MiB
    assert tree - own < 100 * MIB + 120 * MIB // 2  # ... but not the fork's copy of this process's 120 MiB
