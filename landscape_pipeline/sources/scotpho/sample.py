"""Build the bundled Scotland / NHS board / HSCP complement of the real ScotPHO council-area extract.

The bundled real extract (a public copy of a ScotPHO profiles download, council areas only) has no
Scotland, board or HSCP rows, so council areas would have nothing to be compared with. This module
derives them, deterministically, from the real council-area rows and writes them in the old profiles
tool's ``scotpho_data_extract.csv`` layout: each aggregate's value is the mean of its council areas'
values weighted by their implied populations (numerator / value), its numerator the sum, and its 95%
limits Byar/exact Poisson (rates) or Wilson (percentages) on the period's total count. These are NOT
ScotPHO's published figures: the file is marked synthetic in ``provenance.json``.

Run ``python -m landscape_pipeline.sources.scotpho.sample`` to rewrite the complement.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, paths, stats
from landscape_pipeline.geography import scotland
from landscape_pipeline.tabular import normalise

from . import catalogue as cat
from .periods import parse_period

REAL_EXTRACT = "scotpho_data_council_areas_excerpt.csv"
SAMPLE = "scotpho_data_extract_scotland_boards_hscps_sample.csv"
LEGACY_HEADER = ("indicator", "area_name", "area_code", "area_type", "year", "period", "numerator", "measure",
                 "lower_confidence_interval", "upper_confidence_interval", "definition", "data_source")


def aggregate(real: pd.DataFrame, members: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Return one row per (indicator, period, area) summing/weighting the member council areas' rows."""
    rows = []
    for (indicator, period), group in real.groupby(["indicator", "period"], sort=True):
        entry = cat.BY_KEY[cat.NAMES[normalise(indicator)]]
        years = _years(period)
        by_code = group.set_index("area_code")
        for area, codes in members.items():
            part = by_code.loc[[c for c in codes if c in by_code.index]]
            if part.empty:
                continue
            weight = part["numerator"] / part["measure"]
            value = float((part["measure"] * weight).sum() / weight.sum())
            numerator = float(part["numerator"].sum())
            total = numerator * years
            if entry.value_type == "proportion":
                _, lower, upper = stats.proportion(np.array([total]), np.array([total * 100 / value]), 0.95,
                                                   multiplier=100)
            else:
                low, up = stats.poisson_limits(np.array([total]), 0.95)
                lower, upper = value * low / total, value * up / total
            first = group.iloc[0]
            rows.append({"indicator": indicator, "area_code": area, "year": first["year"], "period": period,
                         "numerator": round(numerator, 1), "measure": round(value, 1),
                         "lower_confidence_interval": round(float(np.ravel(lower)[0]), 1),
                         "upper_confidence_interval": round(float(np.ravel(upper)[0]), 1),
                         "definition": first["type_definition"]})
    return pd.DataFrame(rows)


def _years(period: str) -> int:
    parsed = parse_period(period)
    if parsed is None:
        raise ValueError(f"{period!r} is not a ScotPHO period.")
    return parsed[2].year - parsed[1].year + 1


def memberships() -> dict[str, tuple[str, str, dict[str, tuple[str, ...]]]]:
    """Return area type -> (ScotPHO area type label, name style, {code: member council areas})."""
    councils = [la for la in geography.current_local_authorities() if la.nation_code == geography.SCOTLAND]
    boards: dict[str, list[str]] = {}
    for la in councils:
        boards.setdefault(la.health_board_code, []).append(la.area_code)
    return {
        "Scotland": {cat.SCOTPHO_SCOTLAND: tuple(la.area_code for la in councils)},
        "Health board": {code: tuple(members) for code, members in sorted(boards.items())},
        "HSC partnership": {p.area_code: p.council_areas for p in scotland.partnerships()},
    }


def area_label(kind: str, code: str) -> str:
    """Return the area name as ScotPHO writes it ("NHS Tayside" for boards)."""
    if kind == "Scotland":
        return "Scotland"
    if kind == "Health board":
        return f"NHS {geography.area_name(code)}"
    return scotland.partnership(code).area_name


def build(real_path: Path) -> str:
    """Return the complement file's text (legacy extract layout) built from the real council-area extract."""
    real = pd.read_csv(real_path, dtype={"area_code": str})
    parts = []
    for kind, members in memberships().items():
        frame = aggregate(real, members)
        frame["area_type"] = kind
        frame["area_name"] = frame["area_code"].map(lambda c, k=kind: area_label(k, c))
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["data_source"] = "Synthetic: aggregated from the real council-area rows for the bundled sample"
    buffer = io.StringIO()
    out.loc[:, list(LEGACY_HEADER)].to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def generate(dest: Path | None = None) -> Path:
    """Rewrite the complement file and its provenance entry in ``dest`` (default data_sources/scotpho)."""
    dest = dest or paths.data_sources_dir() / "scotpho"
    target = dest / SAMPLE
    target.write_text(build(dest / REAL_EXTRACT), encoding="utf-8", newline="")
    manifest_path = dest / "provenance.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][SAMPLE]["rows"] = target.read_text(encoding="utf-8").count("\n") - 1
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover
    written = generate()
    print(f"{written.name}: {written.stat().st_size:,} bytes")
