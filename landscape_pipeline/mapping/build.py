"""A mapped extract end to end: validate the mapping, read the file, check, roll up, derive, conform.

Disclosure control is the one layer applied to every source at ingest (see :mod:`.derived`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.geography import scotland
from landscape_pipeline.geography.vintage import ward_table
from landscape_pipeline.mapping.aggregate import roll_up
from landscape_pipeline.mapping.checks import run_checks
from landscape_pipeline.mapping.derived import derive
from landscape_pipeline.mapping.model import MAPPING_FILE, MappingFile
from landscape_pipeline.mapping.plausible import expand_shares, fill_intervals
from landscape_pipeline.mapping.reader import data_path, read_extract
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sites import SiteRegister, read_sites, register_path
from landscape_pipeline.yamlfile import Loaded, load_model

AREA_TYPES = {"la": None, "ward": "Ward", "lsoa": "LSOA", "health_board": "NHS health board", "site": None,
              "hscp": "Health and social care partnership"}


def mapping_path(target: Path | str) -> Path:
    """Return the mapping file of a folder (``<folder>/mapping.yaml``), or ``target`` if it is the file."""
    target = Path(target)
    return target / MAPPING_FILE if target.is_dir() else target


def load_mapping(target: Path | str) -> Loaded[MappingFile]:
    """Return the validated mapping of a folder or file; the first problem raises naming its line and the fix."""
    loaded = load_model(mapping_path(target), MappingFile, what="mapping file")
    problems = sorted(loaded.model.problems(), key=lambda p: loaded.line_of(p[0]) or 0)
    if problems:
        loc, message = problems[0]
        more = f" ({len(problems) - 1} more problem(s) after it.)" if len(problems) > 1 else ""
        raise loaded.error(loc, message + more)
    return loaded


def _sites_for(loaded: Loaded[MappingFile], data_sources: Path | None) -> SiteRegister | None:
    if loaded.model.geography.level != "site":
        return None
    candidates = [register_path(data_sources)] if data_sources else []
    candidates += [p / "sites.yaml" for p in loaded.path.parents]  # the data_sources folder above jsna/<id>/
    for path in candidates:
        if path.is_file():
            return read_sites(path)
    return None


def build_frame(target: Path | str, source_id: str, *, data_sources: Path | None = None) -> pd.DataFrame:
    """Return the canonical rows of one mapped extract (checked, rolled up and derived; counts as in the file)."""
    loaded = load_mapping(target)
    mapping = loaded.model
    extract = read_extract(loaded)
    rows = run_checks(extract, _sites_for(loaded, data_sources))
    rows = expand_shares(rows, mapping)
    rows = fill_intervals(rows, mapping)
    rows = roll_up(rows, mapping)
    rows = derive(rows, mapping)
    return _canonical(rows, mapping, source_id, data_path(loaded))


def _canonical(rows: pd.DataFrame, mapping: MappingFile, source_id: str, path: Path) -> pd.DataFrame:
    rules = {r.id: r for r in mapping.indicators}
    derived = {d.id: d for d in mapping.derived}
    out = rows.copy()
    ids = out["rule_id"].astype(str)
    out["indicator_id"] = ids
    out["indicator_name"] = ids.map({**{k: r.label for k, r in rules.items()},
                                     **{k: d.name for k, d in derived.items()}})
    out["value_type"] = ids.map({**{k: r.value_type for k, r in rules.items()},
                                 **{k: "proportion" if d.method == "proportion" else "crude rate"
                                    for k, d in derived.items()}})
    out["unit"] = ids.map({**{k: r.unit for k, r in rules.items()}, **{k: d.unit for k, d in derived.items()}})
    out["polarity"] = ids.map({**{k: r.polarity for k, r in rules.items()},
                               **{k: d.polarity for k, d in derived.items()}})
    if "_polarity" in out:  # companion shares carry their own polarity
        out["polarity"] = out["_polarity"].fillna(out["polarity"])
    out["source_id"] = source_id
    out["source_row"] = pd.to_numeric(out["_label"], errors="coerce") + 1
    known = geography.classify_area_codes(out["area_code"]).ne("unknown")
    names = out.loc[known, "area_code"].map(geography.area_name)
    out.loc[known, "area_name"] = out.loc[known, "area_name"].fillna(names)
    if mapping.geography.level == "hscp":
        partnerships = {p.area_code: p.area_name for p in scotland.partnerships()}
        out["area_name"] = out["area_name"].fillna(out["area_code"].map(partnerships))
    if mapping.geography.level == "ward":
        wards = ward_table().set_index("ward_code")["ward_name"]
        out["area_name"] = out["area_name"].fillna(out["area_code"].map(wards))
    level_type = AREA_TYPES[mapping.geography.level]
    if level_type:
        fine = ~known & out["area_type"].isna()
        out.loc[fine, "area_type"] = level_type
    la = geography.classify_area_codes(out["area_code"]).isin(("current_la", "retired_la"))
    out.loc[la & out["area_type"].isna(), "area_type"] = "Local authority"
    method = out["geography_method"] if "geography_method" in out else pd.Series(None, index=out.index)
    out["geography_method"] = method.fillna("direct")
    keep = [c for c in schema.COLUMN_NAMES if c in out.columns]
    frame = add_provenance(out[keep], describe_file(path))
    return schema.conform(frame)
