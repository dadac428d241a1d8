"""Provenance of source files: sha256, origin URL, retrieval time and the synthetic flag.

Bundled extracts sit beside a ``provenance.json`` manifest that declares them synthetic and
names the publisher URL each one imitates. Files fetched by a live loader get a
``<file>.meta.json`` sidecar written by :mod:`landscape_pipeline.http`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

MANIFEST_NAME = "provenance.json"
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class FileProvenance:
    """Where one file came from and whether its values are synthetic."""

    path: Path
    sha256: str
    synthetic: bool
    url: str | None
    retrieved_at: datetime

    def columns(self) -> dict[str, object]:
        """Return the canonical provenance columns for rows read from this file."""
        return {
            "source_file": self.path.name,
            "source_sha256": self.sha256,
            "source_url": self.url,
            "retrieved_at": pd.Timestamp(self.retrieved_at),
            "synthetic": self.synthetic,
        }


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(folder: Path) -> dict:
    manifest = folder / MANIFEST_NAME
    return _read_manifest(manifest, manifest.stat().st_mtime_ns) if manifest.exists() else {}


@lru_cache(maxsize=64)
def _read_manifest(manifest: Path, _mtime_ns: int) -> dict:
    return json.loads(manifest.read_text(encoding="utf-8"))


def is_synthetic(path: Path | str) -> bool:
    """Return the synthetic flag of ``path`` from its sidecar or its folder's manifest (no hashing)."""
    path = Path(path)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.exists():
        return bool(json.loads(sidecar.read_text(encoding="utf-8")).get("synthetic", False))
    manifest = _manifest(path.parent.resolve())
    entry = manifest.get("files", {}).get(path.name, {})
    return bool(entry.get("synthetic", manifest.get("synthetic", False)))


def describe_file(path: Path | str) -> FileProvenance:
    """Return the provenance of ``path`` from its sidecar or its folder's manifest.

    A file with neither is taken as a real publisher file (not synthetic) retrieved when it
    was last modified.
    """
    path = Path(path)
    sha = sha256_of(path)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.exists():
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        return FileProvenance(path, sha, bool(meta.get("synthetic", False)), meta.get("url"),
                              datetime.fromisoformat(meta["retrieved_at"]))
    manifest = _manifest(path.parent.resolve())
    entry = manifest.get("files", {}).get(path.name, {})
    synthetic = is_synthetic(path)
    url = entry.get("imitates_url") or entry.get("url") or manifest.get("publisher_url")
    when = manifest.get("bundled_on")
    retrieved = (datetime.fromisoformat(when).replace(tzinfo=UTC) if when
                 else datetime.fromtimestamp(path.stat().st_mtime, UTC))
    return FileProvenance(path, sha, synthetic, url, retrieved)


def add_provenance(frame: pd.DataFrame, prov: FileProvenance) -> pd.DataFrame:
    """Return ``frame`` with the provenance columns of ``prov`` filled in."""
    out = frame.copy()
    for name, value in prov.columns().items():
        out[name] = value
    return out


def combined_columns(paths: Sequence[Path]) -> dict[str, object]:
    """Return provenance columns for rows built from several files (names and sha256s joined)."""
    return combine_provenance([describe_file(p) for p in paths])


def combine_provenance(provs: Sequence[FileProvenance]) -> dict[str, object]:
    """Return provenance columns for rows built from the files ``provs`` describe (each hashed once, by the caller)."""
    if len(provs) == 1:
        return provs[0].columns()
    return {"source_file": "; ".join(p.path.name for p in provs), "source_sha256": "; ".join(p.sha256 for p in provs),
            "source_url": provs[0].url, "retrieved_at": pd.Timestamp(max(p.retrieved_at for p in provs)),
            "synthetic": any(p.synthetic for p in provs)}


#: Separator of file names in ``source_file`` when a row was built from several files.
FILE_SEPARATOR = "; "


def synthetic_from_files(frame: pd.DataFrame, files: Sequence[Path]) -> pd.Series:
    """Return ``frame['synthetic']`` OR'ed with the flag of every file its ``source_file`` names.

    The rule is monotone: a row is synthetic if any input that shaped it was, so a row naming a
    synthetic file (alone or among several, joined by ``'; '``) is synthetic; nothing is unmarked.
    """
    flags = {Path(p).name: is_synthetic(p) for p in files}
    if not any(flags.values()) or "source_file" not in frame:
        return frame["synthetic"].astype(bool)
    names = frame["source_file"].fillna("").astype("str")
    named = {value: any(flags.get(n, False) for n in value.split(FILE_SEPARATOR)) for value in names.unique()}
    return frame["synthetic"].astype(bool) | names.map(named).astype(bool)
