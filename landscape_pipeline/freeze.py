"""Frozen baselines: an immutable, checksummed copy of the baselines at a programme's start.

``freeze(root, label)`` copies every current baseline file to
``<root>/frozen/<label>/<CODE>/baseline.parquet``, the indicator catalogue of that build to
``_catalogue.parquet``, and writes ``_manifest.json`` with each file's sha256, the build it came
from, when it was frozen and the local evidence register's entries covering the frozen LAs dated on
or before the freeze (for a site, its programme start), so an evaluation sees what evidence stood
at the baseline date. The underscore keeps both out of the data when the folder is read
as one table (``pandas.read_parquet("data/frozen/<label>")``). A label is never overwritten, so an
evaluation can always compare against exactly what was frozen; ``verify`` proves it is unchanged.
Sets frozen before this layout (``manifest.json``, ``area_code=<CODE>`` folders) are still read.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline import evidence, geography, paths
from landscape_pipeline.errors import LandscapeError
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.sites import Site
from landscape_pipeline.storage import read_metadata, write_bytes_atomic

MANIFEST = "_manifest.json"
LEGACY_MANIFEST = "manifest.json"
CATALOGUE = "_catalogue.parquet"
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _relative(area_code: str) -> Path:
    """Return a baseline's path inside a baseline set (``<CODE>/baseline.parquet``)."""
    return paths.baseline_path(Path(), area_code).relative_to("baselines")


def frozen_dir(root: Path, label: str) -> Path:
    """Return the folder of one frozen baseline set; the whole label must be letters, digits, '.', '_' or '-'."""
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise LandscapeError(f"{label!r} is not a valid label: use letters, digits, '.', '_' or '-' "
                             "(starting with a letter or digit, at most 64).")
    return root / "frozen" / label


def labels(root: Path) -> list[str]:
    """Return the labels of the frozen sets under ``root`` (sorted; partial copies excluded)."""
    folder = root / "frozen"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_dir() and _LABEL.fullmatch(p.name) and _manifest_file(p) is not None)


def list_frozen(root: Path) -> list[dict[str, object]]:
    """Return one summary per frozen set: label, frozen_at, areas, note and whether any file is synthetic."""
    out = []
    for label in labels(root):
        manifest = read_manifest(root, label)
        files = manifest.get("files", {})
        out.append({"label": label, "frozen_at": manifest.get("frozen_at"), "areas": len(files),
                    "note": manifest.get("note", ""),
                    "synthetic": any(bool(f.get("synthetic")) for f in files.values())})
    return out


def _manifest_file(target: Path) -> Path | None:
    for name in (MANIFEST, LEGACY_MANIFEST):
        if (target / name).is_file():
            return target / name
    return None


def read_manifest(root: Path, label: str) -> dict:
    """Return the manifest of a frozen set, or raise a clear error naming the labels that exist."""
    target = frozen_dir(root, label)
    found = _manifest_file(target)
    if found is None:
        known = labels(root)
        hint = f"Frozen labels here: {', '.join(known)}." if known else "No baselines have been frozen here yet."
        raise LandscapeError(f"No frozen baseline set called '{label}' under {root / 'frozen'}. {hint} "
                             "(`landscape freeze --list` shows them.)")
    try:
        return json.loads(found.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise LandscapeError(f"The manifest of frozen set '{label}' ({found}) is not valid JSON: {exc}.") from None


def freeze(root: Path, label: str, area_codes: Sequence[str] | None = None, *, note: str = "",
           site: Site | None = None, evidence_register: Path | None = None) -> Path:
    """Freeze the current baselines of ``area_codes`` (default: all, or ``site``'s LAs) under ``label``.

    Return the manifest path. With ``site``, the manifest records the site and its programme start date.
    The manifest records the evidence register's entries covering the frozen LAs dated on or before the
    site's start (or today): ``evidence_register`` is its path (default ``data_sources/evidence.yaml``).
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
    as_at = site.start_date if site is not None else datetime.now(UTC).date()
    stood = evidence.snapshot(codes, as_at, evidence_register)  # an invalid register refuses the freeze here
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
        files[code] = {"file": copy.as_posix(), "sha256": sha256_of(destination), "built_at": meta.get("built_at"),
                       "run_id": meta.get("run_id"), "synthetic": meta.get("synthetic")}
    manifest = {"label": label, "frozen_at": datetime.now(UTC).isoformat(), "note": note,
                "areas": len(files), "files": files, "evidence": stood}
    if site is not None:
        manifest["site"] = {"id": site.id, "name": site.name, "start_date": site.start_date.isoformat()}
    catalogue = paths.catalogue_path(root)
    if catalogue.exists():
        shutil.copy2(catalogue, staging / CATALOGUE)
        manifest["catalogue"] = {"file": CATALOGUE, "sha256": sha256_of(staging / CATALOGUE)}
    write_bytes_atomic(json.dumps(manifest, indent=2).encode(), staging / MANIFEST)
    staging.rename(target)  # the whole set appears at once
    return target / MANIFEST


def verify(root: Path, label: str) -> list[str]:
    """Return the codes (and 'catalogue') whose frozen file no longer matches its sha256 (empty when intact)."""
    target = frozen_dir(root, label)
    manifest = read_manifest(root, label)
    entries = dict(manifest.get("files", {}))
    if "catalogue" in manifest:
        entries["catalogue"] = manifest["catalogue"]
    return [code for code, entry in entries.items()
            if not (target / entry["file"]).exists() or sha256_of(target / entry["file"]) != entry["sha256"]]


def frozen_codes(root: Path, label: str) -> list[str]:
    """Return the LA codes a frozen set holds."""
    return sorted(read_manifest(root, label).get("files", {}))


def frozen_baseline_path(root: Path, label: str, area_code: str) -> Path:
    """Return the frozen file of one LA, or raise a clear error when it was not frozen."""
    entry = read_manifest(root, label).get("files", {}).get(area_code)
    if entry is None:
        raise LandscapeError(f"{area_code} was not included when '{label}' was frozen.")
    path = frozen_dir(root, label) / entry["file"]
    if not path.exists():
        raise LandscapeError(f"The frozen file of {area_code} in '{label}' is missing ({path}); "
                             f"run `landscape freeze --label {label} --verify`.")
    return path


def frozen_catalogue_path(root: Path, label: str) -> Path | None:
    """Return the catalogue frozen with a set, or None for sets frozen before catalogues existed."""
    entry = read_manifest(root, label).get("catalogue")
    path = frozen_dir(root, label) / entry["file"] if entry else None
    return path if path is not None and path.exists() else None
