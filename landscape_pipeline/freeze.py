"""Frozen baselines: an immutable, checksummed copy of the baselines at a programme's start.

``freeze(root, label)`` copies every current baseline file to
``<root>/frozen/<label>/area_code=<CODE>/baseline.parquet`` and writes ``manifest.json`` with each
file's sha256, the build it came from and when it was frozen. A label is never overwritten, so an
evaluation can always compare against exactly what was frozen; ``verify`` proves it is unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline import geography, paths
from landscape_pipeline.errors import LandscapeError
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.sites import Site
from landscape_pipeline.storage import read_metadata, write_bytes_atomic

MANIFEST = "manifest.json"
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _relative(area_code: str) -> Path:
    """Return a baseline's path inside a baseline set (``area_code=<CODE>/baseline.parquet``)."""
    return paths.baseline_path(Path(), area_code).relative_to("baselines")


def frozen_dir(root: Path, label: str) -> Path:
    """Return the folder of one frozen baseline set."""
    if not _LABEL.match(label):
        raise LandscapeError(f"'{label}' is not a valid label: use letters, digits, '.', '_' or '-' (max 64).")
    return root / "frozen" / label


def freeze(root: Path, label: str, area_codes: Sequence[str] | None = None, *, note: str = "",
           site: Site | None = None) -> Path:
    """Freeze the current baselines of ``area_codes`` (default: all, or ``site``'s LAs) under ``label``.

    Return the manifest path. With ``site``, the manifest records the site and its programme start date.
    """
    if site is not None and not area_codes:
        area_codes = site.la_codes
    target = frozen_dir(root, label)
    if target.exists():
        raise LandscapeError(f"A frozen baseline set called '{label}' already exists at {target}; "
                             "frozen sets are never overwritten — choose another label.")
    codes = [geography.validate_partition_key(c) for c in area_codes] if area_codes else geography.partition_keys()
    missing = [c for c in codes if not paths.baseline_path(root, c).exists()]
    if missing:
        raise LandscapeError(f"No baseline yet for {', '.join(missing[:5])}"
                             f"{' and others' if len(missing) > 5 else ''}; run `landscape build` first.")
    staging = target.with_name(f".{label}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    files = {}
    for code in codes:
        source = paths.baseline_path(root, code)
        copy = _relative(code)
        destination = staging / copy
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        meta = read_metadata(source)
        files[code] = {"file": str(copy), "sha256": sha256_of(destination), "built_at": meta.get("built_at"),
                       "run_id": meta.get("run_id"), "synthetic": meta.get("synthetic")}
    manifest = {"label": label, "frozen_at": datetime.now(UTC).isoformat(), "note": note,
                "areas": len(files), "files": files}
    if site is not None:
        manifest["site"] = {"id": site.id, "name": site.name, "start_date": site.start_date.isoformat()}
    write_bytes_atomic(json.dumps(manifest, indent=2).encode(), staging / MANIFEST)
    staging.rename(target)  # the whole set appears at once
    return target / MANIFEST


def verify(root: Path, label: str) -> list[str]:
    """Return the codes whose frozen file no longer matches its recorded sha256 (empty when intact)."""
    target = frozen_dir(root, label)
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    return [code for code, entry in manifest["files"].items()
            if not (target / entry["file"]).exists() or sha256_of(target / entry["file"]) != entry["sha256"]]


def frozen_baseline_path(root: Path, label: str, area_code: str) -> Path:
    """Return the frozen file of one LA, or raise a clear error when it was not frozen."""
    target = frozen_dir(root, label)
    if not (target / MANIFEST).exists():
        raise LandscapeError(f"No frozen baseline set called '{label}' under {root / 'frozen'}.")
    path = target / _relative(area_code)
    if not path.exists():
        raise LandscapeError(f"{area_code} was not included when '{label}' was frozen.")
    return path
