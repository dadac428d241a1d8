"""Tidy pulls: the rows of several LAs' baselines (current or frozen), filtered, with their metadata.

``pull(root, areas=..., indicators=..., sexes=..., latest=..., frozen=...)`` returns a
:class:`Pull`: the canonical rows (one per indicator x area x period x breakdown), the catalogue
rows of the indicators present, and the metadata an evaluator needs to cite the figures (when and
by which run each file was built, the frozen label, whether any figure is synthetic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from landscape_pipeline import freeze, paths, schema
from landscape_pipeline.catalogue import build_catalogue, read_catalogue
from landscape_pipeline.errors import LandscapeError
from landscape_pipeline.export_guard import check_publishable
from landscape_pipeline.selection import match_indicators, match_sexes
from landscape_pipeline.storage import read_metadata

NOTES: tuple[str, ...] = (
    "One row per indicator x area x period x sex x age x breakdown; columns as in `landscape schema`.",
    "Values and confidence limits are rounded once, to the publisher's precision (catalogue column 'decimals').",
    "Rows with synthetic = True come from bundled sample data: they are not official statistics.",
    "Text cells that start with = + - @ carry a leading apostrophe so spreadsheets never run them as formulas.",
)


@dataclass
class Pull:
    """Rows, their indicators' catalogue entries and metadata."""

    rows: pd.DataFrame
    dictionary: pd.DataFrame
    metadata: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = NOTES


def baseline_files(root: Path, codes: Sequence[str] | None, frozen: str | None = None) -> dict[str, Path]:
    """Return LA code -> baseline file, from the current baselines or a frozen set (all LAs when None)."""
    if frozen:
        available = freeze.frozen_codes(root, frozen)
        chosen = list(codes) if codes else available
        return {code: freeze.frozen_baseline_path(root, frozen, code) for code in chosen}
    folder = root / "baselines"
    if codes is None:
        codes = sorted(p.parent.name for p in folder.glob("*/baseline.parquet"))
        if not codes:
            raise LandscapeError(f"No baselines under {folder}; run `landscape build` first.")
    missing = [c for c in codes if not paths.baseline_path(root, c).exists()]
    if missing:
        raise LandscapeError(f"No baseline for {', '.join(missing[:5])}{' and others' if len(missing) > 5 else ''} "
                             f"under {folder}; run `landscape build --area {' '.join(missing[:5])}` first.")
    return {code: paths.baseline_path(root, code) for code in codes}


def read_rows(files: dict[str, Path]) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Return the rows of the given baseline files and each file's metadata."""
    tables, metas = [], []
    for code, path in files.items():
        tables.append(pq.read_table(path, schema=schema.SCHEMA))
        meta = read_metadata(path)
        metas.append({"area_code": code, "built_at": meta.get("built_at"), "run_id": meta.get("run_id"),
                      "synthetic": bool(meta.get("synthetic"))})
    if not tables:
        return schema.empty_frame(), metas
    return schema.conform(pa.concat_tables(tables).to_pandas()), metas


def catalogue_for(root: Path, rows: pd.DataFrame, frozen: str | None = None) -> pd.DataFrame:
    """Return the catalogue that describes ``rows``: the frozen set's, else the build's, else built from the rows."""
    path = freeze.frozen_catalogue_path(root, frozen) if frozen else paths.catalogue_path(root)
    if path is not None and path.exists():
        catalogue = read_catalogue(path)
    else:
        from landscape_pipeline.sources.registry import all_sources

        catalogue = build_catalogue(rows, all_sources())
    missing = set(rows["indicator_id"]) - set(catalogue["indicator_id"])
    if missing:  # an indicator the stored catalogue does not know: describe it from the rows
        from landscape_pipeline.sources.registry import all_sources

        extra = build_catalogue(rows[rows["indicator_id"].isin(missing)], all_sources())
        catalogue = pd.concat([catalogue, extra[extra["indicator_id"].isin(missing)]], ignore_index=True)
    return catalogue


def filter_rows(rows: pd.DataFrame, indicators: Sequence[str] | None, sexes: Sequence[str] | None,
                latest: bool) -> pd.DataFrame:
    """Return the rows of the given indicators (patterns) and sexes, only latest periods if asked."""
    ids = match_indicators(indicators, rows["indicator_id"])
    sex_labels = match_sexes(sexes)
    keep = pd.Series(True, index=rows.index)
    if ids is not None:
        keep &= rows["indicator_id"].isin(ids)
    if sex_labels is not None:
        keep &= rows["sex"].isin(sex_labels)
    if latest:
        keep &= rows["is_latest"]
    return rows.loc[keep].reset_index(drop=True)


def file_metadata(metas: list[dict[str, object]], frozen: str | None) -> dict[str, object]:
    """Return the envelope: built_at, run(s), frozen label, synthetic, areas and when the pull was made."""
    built = sorted({str(m["built_at"]) for m in metas if m["built_at"]})
    runs = sorted({str(m["run_id"]) for m in metas if m["run_id"]})
    return {"built_at": built[-1] if built else None, "built_at_earliest": built[0] if built else None,
            "run": runs[0] if len(runs) == 1 else runs, "frozen_label": frozen,
            "synthetic": any(bool(m["synthetic"]) for m in metas), "areas": [m["area_code"] for m in metas],
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_version": schema.SCHEMA_VERSION}


def pull(root: Path, *, areas: Sequence[str] | None = None, indicators: Sequence[str] | None = None,
         sexes: Sequence[str] | None = None, latest: bool = False, frozen: str | None = None) -> Pull:
    """Return the filtered rows of ``areas`` (all when None) from the current or a frozen baseline set."""
    files = baseline_files(root, areas, frozen)
    rows, metas = read_rows(files)
    rows = filter_rows(rows, indicators, sexes, latest)
    check_publishable(rows)
    catalogue = catalogue_for(root, rows, frozen)
    dictionary = catalogue[catalogue["indicator_id"].isin(rows["indicator_id"])].reset_index(drop=True)
    metadata = file_metadata(metas, frozen)
    metadata.update({"rows": len(rows), "synthetic": bool(rows["synthetic"].any()),
                     "indicators": sorted(rows["indicator_id"].unique().tolist()), "sexes": list(sexes or []),
                     "periods": "latest" if latest else "all"})
    return Pull(rows, dictionary, metadata)
