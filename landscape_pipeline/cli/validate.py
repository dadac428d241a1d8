"""``landscape validate``: run each source's parser and GX suite on files, report, set the exit code."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from landscape_pipeline import paths
from landscape_pipeline.cli import validate_formats as formats
from landscape_pipeline.cli.main import UsageError
from landscape_pipeline.ingest import IngestResult, ingest
from landscape_pipeline.mapping.source import source_id_for
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.registry import all_sources


def source_for(path: Path, explicit: str | None) -> SourceSpec:
    """Return the source a file belongs to: ``--source``, else its folder name, else its file-name prefix."""
    sources = all_sources()
    if explicit:
        if explicit not in sources:
            raise UsageError(f"unknown source '{explicit}'; known sources: {', '.join(sources)}.")
        return sources[explicit]
    folder = path if path.is_dir() else path.parent
    if folder.name in sources:
        return sources[folder.name]
    mapped = source_id_for(folder.parent.name, folder.name)  # data_sources/jsna/<extract_id>/
    if mapped in sources:
        return sources[mapped]
    prefixes = sorted((sid for sid in sources if path.name.startswith(sid)), key=len, reverse=True)
    if prefixes:
        return sources[prefixes[0]]
    raise UsageError(f"cannot tell which source {path} belongs to; pass --source "
                     f"(one of: {', '.join(sources)}).")


def _groups(targets: list[Path], explicit: str | None) -> dict[str, tuple[SourceSpec, list[Path]]]:
    groups: dict[str, tuple[SourceSpec, list[Path]]] = {}
    for target in targets:
        if not target.exists():
            raise UsageError(f"{target} does not exist.")
        spec = source_for(target, explicit)
        if target.is_dir():
            files = sorted({p for pattern in spec.bundled_patterns for p in target.glob(pattern)})
        else:
            files = [target]
        groups.setdefault(spec.source_id, (spec, []))[1].extend(files)
    return groups


#: Parsed bundled upstream tables, by source id and the (path, mtime, size) of their files.
_BUNDLED: dict[tuple[str, tuple], IngestResult] = {}


def _upstream(spec: SourceSpec, cache: dict[str, IngestResult]) -> dict[str, object]:
    """Return parsed bundled tables of the sources ``spec`` depends on (not validated again)."""
    out = {}
    for dep in spec.depends_on:
        if dep not in cache:
            dep_spec = all_sources()[dep]
            files = dep_spec.bundled_files(paths.data_sources_dir())
            key = (dep, tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))
            if key not in _BUNDLED:  # unchanged bundled files parse the same: reuse them within a process
                _BUNDLED.clear()
                _BUNDLED[key] = ingest(dep_spec, files, _upstream(dep_spec, cache), validate=False)
            cache[dep] = _BUNDLED[key]
        out[dep] = cache[dep].frame
    return out


def changed_since(ref: str) -> set[Path]:
    """Return the files under ``data_sources/`` that differ from git ``ref`` (committed, staged, unstaged or new)."""
    root = paths.data_sources_dir()
    if not ref or ref.startswith("-"):
        raise UsageError(f"--changed needs a git ref such as origin/main, not '{ref}'.")

    def git(*args: str) -> list[str]:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise UsageError(f"--changed needs git ({exc}).") from None
        if done.returncode != 0:
            raise UsageError(f"--changed {ref}: git says: {done.stderr.strip() or done.stdout.strip()}")
        return [line for line in done.stdout.splitlines() if line]

    names = git("diff", "--relative", "--name-only", ref, "--", ".") + git("ls-files", "--others",
                                                                           "--exclude-standard", ".")
    return {(root / name).resolve() for name in names}


def _changed_groups(ref: str) -> dict[str, tuple[SourceSpec, list[Path]]]:
    """Return the sources owning a bundled file changed since ``ref``, with all their files (a parser reads a
    source's files together)."""
    changed = changed_since(ref)
    root = paths.data_sources_dir()
    groups = {}
    for sid, spec in all_sources().items():
        files = spec.bundled_files(root)
        if any(f.resolve() in changed for f in files):
            groups[sid] = (spec, files)
    return groups


def run_validate(targets: list[Path], explicit: str | None, *, fmt: str = "text", output: Path | None = None,
                 changed: str | None = None) -> int:
    """Validate and report in ``fmt`` (to ``output`` or stdout); return 0 when everything passed, else 1."""
    if changed and targets:
        raise UsageError("give files or --changed, not both.")
    if output is not None and fmt not in ("json", "junit"):
        raise UsageError("--output needs --format json or junit.")
    if changed:
        groups = _changed_groups(changed)
    elif targets:
        groups = _groups(targets, explicit)
    else:
        root = paths.data_sources_dir()
        groups = {sid: (spec, spec.bundled_files(root)) for sid, spec in all_sources().items()}
    text = fmt == "text"
    cache: dict[str, IngestResult] = {}
    outcomes: list[formats.SourceOutcome] = []
    failed = 0
    if changed and not groups:
        print(f"No bundled source file changed since {changed}.", file=sys.stdout if text else sys.stderr)
    for spec, files in groups.values():
        if not files:
            print(f"{spec.source_id}: no files to validate.", file=sys.stdout if text else sys.stderr)
            continue
        started = time.perf_counter()
        result = ingest(spec, files, _upstream(spec, cache))
        outcomes.append(formats.outcome_of(result, time.perf_counter() - started))
        cache.setdefault(spec.source_id, result)
        if text:
            print(f"[{'ok' if result.passed else 'FAILED'}] {result.text()}")
        failed += 0 if result.passed else 1
    _emit(outcomes, fmt, output)
    if failed:
        print(f"{failed} source(s) failed validation.", file=sys.stderr)
        return 1
    return 0


def _emit(outcomes: list[formats.SourceOutcome], fmt: str, output: Path | None) -> None:
    """Write the machine-readable report and, when wanted, the GitHub annotations."""
    report = {"json": formats.render_json, "junit": formats.render_junit}.get(fmt)
    if report is not None:
        body = report(outcomes)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(body, encoding="utf-8")
        else:
            sys.stdout.write(body)
    if formats.annotations_wanted(fmt):
        # Annotations go to stdout unless the report itself is there (GitHub reads workflow commands from both).
        stream = sys.stderr if report is not None and output is None else sys.stdout
        for line in formats.github_annotations(outcomes):
            print(line, file=stream)
