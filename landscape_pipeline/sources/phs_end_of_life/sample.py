"""Deterministic generator of the bundled PHS end-of-life sample (synthetic values, PHS's exact layout).

No real release was available. For each council area and financial year it draws deaths (about 1.1%
of the council area's population, taken from the bundled real SIMD 2020v2 data-zone populations) and
the days spent in hospital in the last six months, then derives every published column exactly as
PHS's ``summarise_data()`` does: PercentageSpentInHomeCommunity = 100 - LOS / deaths / 182.5 x 100
(unrounded), AverageDays = round-half-up(182.5 x share). HSCPs, boards and Scotland are sums of their
council areas, so the deaths add up as in the real files. The last year carries qualifier ``p``.

Run ``python -m landscape_pipeline.sources.phs_end_of_life.sample`` to rewrite ``data_sources/phs_end_of_life/``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, paths
from landscape_pipeline.geography import scotland

SEED = 20261126
BUNDLED_ON = "2026-11-25"
PUBLICATION = "2024-10-08"
FIRST_YEAR, YEARS = 2014, 10
WINDOW = 182.5
DATASET = "https://www.opendata.nhs.scot/dataset/palliative-and-end-of-life-care"
FILES = {"council_area": ("council-area", "CA2011"), "hscp": ("hscp", "HSCP2016"),
         "health_board": ("health-board", "HBR2014")}
VALUE_COLUMNS = ("PercentageSpentInHomeCommunity", "PercentageSpentInHospital", "NumberOfDeaths",
                 "TotalLengthOfStay", "AverageDaysInCommunity", "AverageDaysInHospital")


def council_populations() -> pd.Series:
    """Return council-area populations summed from the bundled SIMD 2020v2 data-zone file."""
    from landscape_pipeline.sources.simd.reader import read_zone_file

    zones = read_zone_file(paths.data_sources_dir() / "simd" / "simd2020_withinds.csv").zones
    return zones.groupby("council_area")["population"].sum()


def simulate(populations: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Return deaths and hospital days per council area and year (long)."""
    effect = rng.normal(0, 0.12, len(populations))
    rows = []
    for t in range(YEARS):
        year = FIRST_YEAR + t
        deaths = rng.poisson(populations.to_numpy() * 0.0098)
        share = 1 / (1 + np.exp(-(np.log(0.115 / 0.885) - 0.012 * t + effect + rng.normal(0, 0.02, len(effect)))))
        if year == 2020:  # the first pandemic year: less time in hospital
            share *= 0.9
        los = np.round(deaths * WINDOW * share)
        rows.append(pd.DataFrame({"council_area": populations.index, "year": f"{year}/{(year + 1) % 100:02d}",
                                  "deaths": deaths.astype(float), "los": los}))
    return pd.concat(rows, ignore_index=True)


def _half_up(values: np.ndarray) -> np.ndarray:
    """Return non-negative values rounded half up (R's janitor::round_half_up), not to even."""
    return np.floor(values + 0.5 + 1e-9)


def publish(sums: pd.DataFrame, code_column: str) -> pd.DataFrame:
    """Return PHS's published columns from summed deaths and length of stay."""
    qom_hosp = sums["los"] / sums["deaths"] / WINDOW * 100
    qom = 100 - qom_hosp
    last = sums["year"].max()
    return pd.DataFrame({
        "FinancialYear": sums["year"], "FinancialYearQF": np.where(sums["year"].eq(last), "p", ""),
        code_column: sums["code"], "PercentageSpentInHomeCommunity": qom.map("{:.15g}".format),
        "PercentageSpentInHospital": qom_hosp.map("{:.15g}".format), "NumberOfDeaths": sums["deaths"].astype(int),
        "TotalLengthOfStay": sums["los"].astype(int),
        "AverageDaysInCommunity": _half_up((WINDOW * qom / 100).to_numpy()).astype(int),
        "AverageDaysInHospital": _half_up((WINDOW * qom_hosp / 100).to_numpy()).astype(int),
    })


def build(draws: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the three published tables built from the council-area draws."""
    board = {la.area_code: la.health_board_code for la in geography.current_local_authorities()
             if la.nation_code == geography.SCOTLAND}
    hscp = {ca: p.area_code for p in scotland.partnerships() for ca in p.council_areas}
    out = {}
    for level, mapping in (("council_area", None), ("hscp", hscp), ("health_board", board)):
        codes = draws["council_area"] if mapping is None else draws["council_area"].map(mapping)
        sums = draws.assign(code=codes).groupby(["year", "code"], as_index=False)[["deaths", "los"]].sum()
        if level == "health_board":
            nation = draws.groupby("year", as_index=False)[["deaths", "los"]].sum().assign(code=geography.SCOTLAND)
            sums = pd.concat([nation, sums], ignore_index=True)
        table = publish(sums.sort_values(["year", "code"], key=_scotland_first, kind="stable"), FILES[level][1])
        if level == "health_board":
            table.insert(3, "HBR2014QF", np.where(table["HBR2014"].eq(geography.SCOTLAND), "d", ""))
        out[level] = table
    return out


def _scotland_first(column: pd.Series) -> pd.Series:
    return column.replace({geography.SCOTLAND: "0"}) if column.name == "code" else column


def generate(dest: Path | None = None) -> list[Path]:
    """Write the three sample files and ``provenance.json`` into ``dest``; return the CSV paths."""
    dest = dest or paths.data_sources_dir() / "phs_end_of_life"
    dest.mkdir(parents=True, exist_ok=True)
    tables = build(simulate(council_populations(), np.random.default_rng(SEED)))
    written, manifest = [], {}
    for level, table in tables.items():
        name = f"{PUBLICATION}_last-six-months-of-life_{FILES[level][0]}.csv"
        buffer = io.StringIO()
        table.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        (dest / name).write_text(buffer.getvalue(), encoding="utf-8", newline="")
        written.append(dest / name)
        manifest[name] = {"imitates_url": DATASET, "rows": len(table),
                          "description": f"Synthetic {level.replace('_', ' ')} file in PHS's open-data layout."}
    (dest / "provenance.json").write_text(json.dumps({
        "source_id": "phs_end_of_life", "synthetic": True, "bundled_on": BUNDLED_ON, "publisher_url": DATASET,
        "note": "Synthetic values in the publisher's exact layout (header from PHS's 05_create-open-data.R); "
                "not official statistics. Populations behind the draws are the real SIMD 2020v2 ones.",
        "generator": "python -m landscape_pipeline.sources.phs_end_of_life.sample", "files": manifest,
    }, indent=2) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in generate():
        print(f"{path.name}: {path.stat().st_size:,} bytes")
