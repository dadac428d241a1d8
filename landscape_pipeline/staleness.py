"""Is a staged source current? Its files and the code that read them are unchanged since it was staged.

Each staged table records ``inputs_sha256``: the sha256 over the source's files (and, for a source built on
others, their staged fingerprints) and over the pipeline's code and geography lookups. ``landscape build
--area`` re-reads only the sources whose fingerprint no longer matches; a live source is never current
(the publisher may have released since).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from landscape_pipeline import paths, provenance
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import read_metadata

INPUTS_KEY = "inputs_sha256"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Return the sha256 over the package's Python files and the bundled geography lookups."""
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py")) + sorted((paths.data_sources_dir() / "geography").rglob("*"))
    digest = hashlib.sha256()
    for path in (f for f in files if f.is_file()):
        digest.update(path.name.encode() + b"\0" + provenance.sha256_of(path).encode())
    return digest.hexdigest()


def inputs_fingerprint(spec: SourceSpec, files: list[Path], settings: LandscapeSettings) -> str:
    """Return the fingerprint a staging of ``spec`` from ``files`` records."""
    from landscape_pipeline.defs.file_assets import fingerprint

    digest = hashlib.sha256((fingerprint(files) + code_fingerprint()).encode())
    for dep in spec.depends_on:  # a source built on another is stale when that one is restaged
        digest.update(str(staged_fingerprint(settings, dep)).encode())
    return digest.hexdigest()


def staged_fingerprint(settings: LandscapeSettings, source_id: str) -> str | None:
    """Return the fingerprint recorded in a source's staging (None when not staged or not recorded)."""
    path = paths.staging_path(settings.root(), source_id)
    if not path.exists():
        return None
    value = read_metadata(path).get(INPUTS_KEY)
    return value if isinstance(value, str) else None


def is_current(spec: SourceSpec, settings: LandscapeSettings) -> bool:
    """True when the source's staging was made from the same files and code as the next build would use."""
    if settings.is_live(spec.source_id):
        return False
    recorded = staged_fingerprint(settings, spec.source_id)
    files = list(spec.bundled_files(settings.sources_dir()))
    return recorded is not None and bool(files) and recorded == inputs_fingerprint(spec, files, settings)
