"""The indicator catalogue: one row per indicator, from each source's dictionary and the built table.

Built with every run as ``<data root>/indicators/catalogue.parquet``, ``.csv`` and ``.html``. Each
entry has the stable id, name, definition, numerator, denominator, unit, value type, multiplier,
CI method (the publisher's or computed here), polarity, source, publisher, cadence, disclosure
rule and the publisher's precision (``decimals``), plus what the current build holds (periods,
areas, synthetic). An indicator in the data that its source's dictionary does not declare still
gets a row, marked ``declared = False``, described from the data.

:func:`round_published` rounds published figures to each indicator's ``decimals``, once, when the
indicator table is written; baselines, pages and exports carry those figures as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import disclosure, paths
from landscape_pipeline.sources.base import IndicatorInfo, SourceSpec
from landscape_pipeline.storage import write_bytes_atomic, write_parquet_atomic

COLUMNS: tuple[str, ...] = (
    "indicator_id", "name", "definition", "numerator", "denominator", "unit", "value_type", "multiplier",
    "ci_method", "polarity", "source_id", "source_title", "publisher", "cadence", "disclosure_rule", "decimals",
    "publisher_id", "theme", "change_test", "notes", "declared", "in_data", "first_period", "latest_period",
    "areas", "synthetic",
)
#: Published figures rounded to the indicator's precision.
ROUNDED_COLUMNS: tuple[str, ...] = ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8",
                                    "comparator_value", "region_value")
#: Precision of an undeclared indicator, by value type (1 decimal place otherwise).
DEFAULT_DECIMALS = {"count": 0, "rank": 0, "score": 2, "mean": 2}
UNDECLARED = "Not in the source's indicator dictionary; described from the data."


def dictionary_entries(specs: Mapping[str, SourceSpec]) -> dict[str, tuple[SourceSpec, IndicatorInfo]]:
    """Return indicator id -> (its source, its dictionary entry) over every registered source."""
    out: dict[str, tuple[SourceSpec, IndicatorInfo]] = {}
    for spec in specs.values():
        for entry in spec.dictionary() if spec.dictionary else ():
            out[entry.indicator_id] = (spec, entry)
    return out


def build_catalogue(table: pd.DataFrame, specs: Mapping[str, SourceSpec]) -> pd.DataFrame:
    """Return the catalogue: every declared indicator, and every undeclared one found in ``table``."""
    entries = dictionary_entries(specs)
    seen = _observed(table)
    rows = []
    for indicator_id, (spec, entry) in entries.items():
        rows.append({**asdict(entry), **_source_columns(spec, indicator_id), "declared": True})
    for indicator_id in sorted(set(seen.index) - set(entries)):
        first = seen.loc[indicator_id]
        spec = specs.get(first["source_id"])
        rows.append({
            "indicator_id": indicator_id, "name": first["indicator_name"], "definition": UNDECLARED,
            "numerator": "", "denominator": "", "value_type": first["value_type"], "unit": first["unit"],
            "multiplier": np.nan, "ci_method": "Unknown", "polarity": first["polarity"], "cadence": "Unknown",
            "decimals": DEFAULT_DECIMALS.get(first["value_type"], 1), "publisher_id": "", "notes": "",
            "change_test": "auto", "declared": False,
            **(_source_columns(spec, indicator_id) if spec else {"source_id": first["source_id"]}),
        })
    frame = pd.DataFrame(rows)
    frame = frame.join(seen[["first_period", "latest_period", "areas", "synthetic"]], on="indicator_id")
    frame["in_data"] = frame["indicator_id"].isin(seen.index)
    frame["areas"] = frame["areas"].fillna(0).astype("int64")
    frame["synthetic"] = frame["synthetic"].fillna(False).astype(bool)
    frame["multiplier"] = pd.to_numeric(frame["multiplier"], errors="coerce").astype("float64")
    frame["decimals"] = frame["decimals"].astype("int64")
    for column in COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame[list(COLUMNS)].sort_values(["source_id", "indicator_id"], kind="stable").reset_index(drop=True)


def _source_columns(spec: SourceSpec, indicator_id: str) -> dict[str, object]:
    rule = disclosure.RULES.get(spec.disclosure_rule)
    return {"source_id": spec.source_id, "source_title": spec.title, "publisher": spec.publisher,
            "disclosure_rule": f"{spec.disclosure_rule}: {rule.description}" if rule else spec.disclosure_rule,
            "theme": spec.theme_of(indicator_id)}


#: The indicator-table columns the catalogue reads.
OBSERVED_COLUMNS = ("indicator_id", "indicator_name", "source_id", "value_type", "unit", "polarity", "period_start",
                    "period_label", "area_code", "synthetic")


def _observed(table: pd.DataFrame) -> pd.DataFrame:
    """Return per indicator id: first row's descriptors, first and latest period, areas, synthetic."""
    if table.empty:
        return pd.DataFrame(columns=["indicator_name", "source_id", "value_type", "unit", "polarity", "first_period",
                                     "latest_period", "areas", "synthetic"]).rename_axis("indicator_id")
    ordered = table[list(OBSERVED_COLUMNS)].sort_values("period_start", kind="stable")
    grouped = ordered.groupby("indicator_id", sort=True)
    out = grouped[["indicator_name", "source_id", "value_type", "unit", "polarity"]].first()
    out["first_period"] = grouped["period_label"].first()
    out["latest_period"] = grouped["period_label"].last()
    out["areas"] = grouped["area_code"].nunique()
    out["synthetic"] = grouped["synthetic"].any()
    return out


def decimals_by_id(catalogue: pd.DataFrame) -> dict[str, int]:
    """Return indicator id -> publisher's precision (decimal places)."""
    return dict(zip(catalogue["indicator_id"], catalogue["decimals"].astype(int), strict=True))


def round_half_away(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Return ``values`` rounded half away from zero to per-element ``decimals`` (NaN kept; NaN decimals: as is)."""
    values = np.asarray(values, dtype=float)
    decimals = np.asarray(decimals, dtype=float)
    known = np.isfinite(decimals)
    factor = np.power(10.0, np.where(known, decimals, 0))
    with np.errstate(invalid="ignore"):
        rounded = np.sign(values) * np.floor(np.abs(values) * factor + 0.5 + 1e-9) / factor
    return np.where(known, rounded, values)


def round_published(table: pd.DataFrame, decimals: Mapping[str, int]) -> pd.DataFrame:
    """Return ``table`` with values, limits and comparator values rounded to each indicator's precision."""
    out = table.copy()
    places = out["indicator_id"].map(decimals).to_numpy(dtype=float)
    for column in ROUNDED_COLUMNS:
        if column in out:
            out[column] = round_half_away(out[column].to_numpy(dtype=float), places)
    return out


def write_catalogue(catalogue: pd.DataFrame, root: Path, *, built_at: datetime, run_id: str | None) -> list[Path]:
    """Write the catalogue as Parquet, CSV and an HTML page under ``<root>/indicators``; return the paths."""
    import pyarrow as pa

    from landscape_pipeline.exports import neutralise_frame

    meta = {"built_at": built_at.isoformat(), "run_id": run_id, "synthetic": bool(catalogue["synthetic"].any())}
    table = pa.Table.from_pandas(catalogue, preserve_index=False)
    parquet = write_parquet_atomic(table, paths.catalogue_path(root), metadata=meta)
    csv = write_bytes_atomic(neutralise_frame(catalogue).to_csv(index=False).encode("utf-8"),
                             paths.catalogue_path(root, ".csv"))
    html = write_bytes_atomic(render_html(catalogue, built_at=built_at).encode("utf-8"),
                              paths.catalogue_path(root, ".html"))
    return [parquet, csv, html]


def read_catalogue(path: Path) -> pd.DataFrame:
    """Read a catalogue written by :func:`write_catalogue`."""
    return pd.read_parquet(path)


def render_html(catalogue: pd.DataFrame, *, built_at: datetime | None = None) -> str:
    """Return the catalogue as one self-contained, searchable HTML page."""
    from landscape_pipeline.summary.render import environment

    records = catalogue.replace({np.nan: None}).to_dict("records")
    return environment().get_template("catalogue.html.j2").render(
        entries=records, built_at=built_at, synthetic=bool(catalogue["synthetic"].any()))
