"""The build process returns freed memory: Arrow's jemalloc pool with no decay, unless the deployment chose."""

import subprocess
import sys

import pytest

PROBE = ("import pyarrow as pa; from landscape_pipeline.memory import use_lean_allocators as u; "
         "said = u(); print(pa.default_memory_pool().backend_name, '|', said)")


def _probe(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_build_process_uses_jemalloc_without_decay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.delenv("LANDSCAPE_DEFAULT_ALLOCATORS", raising=False)
    pa = pytest.importorskip("pyarrow")
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow was built without jemalloc")
    backend, said = _probe(monkeypatch).split(" | ")
    assert backend == "jemalloc" and "decay 0 ms" in said
    if sys.platform.startswith("linux"):
        assert "128 KiB thresholds" in said


def test_deployment_choices_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANDSCAPE_DEFAULT_ALLOCATORS", raising=False)
    backend, said = _probe(monkeypatch, ARROW_DEFAULT_MEMORY_POOL="system").split(" | ")
    assert backend == "system" and said.startswith("arrow: default")
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL")
    plain = subprocess.run([sys.executable, "-c", "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    backend, said = _probe(monkeypatch, LANDSCAPE_DEFAULT_ALLOCATORS="1").split(" | ")
    assert (backend, said) == (plain, "unchanged")


RELEASE_PROBE = """
import gc, sys
gc.disable()  # as between two steps: the collector has not yet run on the cycle below
from landscape_pipeline.memory import release_memory, use_lean_allocators
use_lean_allocators()
def rss():
    return int([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]) // 1024
class Holder:
    pass
before = rss()
holder = Holder()
holder.me, holder.rows = holder, [str(i) * 20 for i in range(1_000_000)]  # ~100 MB of small objects in a cycle
del holder
held = rss()
release_memory()
print(before, held, rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads resident memory from /proc")
def test_release_memory_returns_what_a_cycle_held() -> None:
    before, held, after = map(int, subprocess.run([sys.executable, "-c", RELEASE_PROBE], capture_output=True,
                                                 text=True, check=True).stdout.split())
    assert held - before > 60  # MiB held by unreachable objects the collector has not seen yet
    assert held - after > 0.8 * (held - before)  # collected and handed back to the system


FREEZE_PROBE = """
import gc, weakref
gc.disable()
from landscape_pipeline.memory import release_memory, startup_frozen
class Node:
    pass
def garbage_cycle():
    node = Node()
    node.me = node
    return weakref.ref(node)
startup_garbage = garbage_cycle()
with startup_frozen() as frozen:
    run_garbage = garbage_cycle()
    release_memory()
    walked = len(gc.get_objects())
print(frozen, startup_garbage() is None, run_garbage() is None, walked < frozen, gc.get_freeze_count() == 0)
"""


def test_startup_frozen_collects_first_and_later_garbage_is_still_collected() -> None:
    frozen, startup_freed, run_freed, fewer_walked, thawed = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE], capture_output=True, text=True, check=True).stdout.split()
    assert int(frozen) > 1000  # the imports' objects
    assert startup_freed == "True"  # garbage of start-up is collected, not frozen
    assert run_freed == "True"  # garbage made during the run is still collected
    assert fewer_walked == "True"  # the collector no longer walks what was frozen
    assert thawed == "True"  # after the block, everything is the collector's again


EXIT_PROBE = """
import atexit, gc, sys
from landscape_pipeline.cli import entry_point
atexit.register(lambda: print(gc.get_freeze_count(), len(gc.get_objects()), flush=True))
sys.argv = ["landscape", "schema"]
entry_point()
"""


def test_cli_exits_with_its_objects_frozen_so_shutdown_does_not_walk_them() -> None:
    done = subprocess.run([sys.executable, "-c", EXIT_PROBE], capture_output=True, text=True, check=True)
    assert "| `indicator_id` |" in done.stdout  # the command ran and printed its output before the exit
    frozen, walked = map(int, done.stdout.split()[-2:])  # as the atexit handlers run, before shutdown
    assert frozen > 10_000  # the imports' and the command's objects
    assert walked < 100  # what shutdown's collections would still have to walk
