"""Deterministic generator of the bundled ONS mid-year estimates sample (synthetic values, real layout).

Writes ``data_sources/ons_population/ukdetailedtimeseries2019to2023.zip`` holding one CSV in the ONS
"MYEB1" detailed time-series layout (``ladcode23,laname23,country,sex,age,population_2019..2023``;
one row per local authority district x sex (1 male, 2 female) x single year of age 0..90, where 90
means 90 and over). The real download (mid-2001 to mid-2020, 2021 codes) is a zip with the same
layout; the bundle carries five years only and 2023 codes, to stay small. Run
``python -m landscape_pipeline.sources.ons_population.sample`` to rewrite it.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.paths import data_sources_dir

SEED = 20260425
YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)
ZIP_NAME = "ukdetailedtimeseries2019to2023.zip"
MEMBER_NAME = "MYEB1_detailed_population_estimates_series_UK_(2023_geog23).csv"
AGES = np.arange(91)  # 90 = "90 and over", as in MYEB1
_COUNTRY = {"E92000001": "E", "W92000004": "W", "S92000003": "S", "N92000002": "N"}

#: Median mid-2022 population and log-sd by LA type (realistic magnitudes, not real values).
_SIZE = {
    "london_borough": (285_000, 0.22), "metropolitan_district": (300_000, 0.45), "unitary": (255_000, 0.40),
    "non_metropolitan_district": (112_000, 0.28), "council_area": (105_000, 0.70),
    "principal_area": (120_000, 0.50), "ni_district": (160_000, 0.30),
}
#: Anchors near the real mid-2022 figures so headline areas look familiar.
_ANCHORS = {
    "E08000026": 345_000, "E08000025": 1_145_000, "E08000035": 812_000, "E08000003": 568_000,
    "E09000001": 8_600, "E06000053": 2_100, "E06000052": 573_000, "E06000047": 525_000, "E06000017": 41_000,
    "S12000049": 622_000, "S12000036": 515_000, "S12000023": 22_000, "S12000027": 23_000,
    "S12000013": 26_000, "W06000015": 372_000, "N09000003": 345_000,
}
#: County anchors (districts scaled to sum to these).
_COUNTY_TOTALS = {"E10000014": 1_410_000, "E10000016": 1_590_000, "E10000012": 1_510_000}
#: Mean "younger population" tilt by LA type (London and cities younger; shire districts older).
_TILT = {"london_borough": 0.7, "metropolitan_district": 0.25, "unitary": 0.05, "non_metropolitan_district": -0.2,
         "council_area": -0.1, "principal_area": -0.15, "ni_district": 0.1}


def _totals(las: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Return a mid-2022 total population for each LA."""
    median = las["la_type"].map(lambda t: _SIZE[t][0]).to_numpy(float)
    sd = las["la_type"].map(lambda t: _SIZE[t][1]).to_numpy(float)
    totals = median * np.exp(rng.normal(0, 1, len(las)) * sd)
    for county, target in _COUNTY_TOTALS.items():
        inside = (las["upper_tier_code"] == county).to_numpy()
        totals[inside] *= target / totals[inside].sum()
    anchors = las["area_code"].map(_ANCHORS).to_numpy(float)
    return np.where(np.isnan(anchors), totals, anchors)


def _age_shares(tilt: np.ndarray) -> np.ndarray:
    """Return (LA x age) shares of the population by single year of age 0..90+."""
    base = np.interp(AGES, [0, 17, 18, 25, 35, 50, 60, 70, 80, 85, 89],
                     [1.10, 1.20, 1.15, 1.30, 1.35, 1.35, 1.25, 1.05, 0.75, 0.45, 0.30])
    base[90] = 0.9  # 90 and over: about 0.9% of the population
    shape = np.interp(AGES, [0, 15, 20, 30, 40, 55, 65, 75, 90], [0.05, 0, 0.3, 0.35, 0.15, 0, -0.25, -0.4, -0.45])
    weights = base[None, :] * np.exp(tilt[:, None] * shape[None, :])
    return weights / weights.sum(axis=1, keepdims=True)


def build_population(seed: int = SEED) -> pd.DataFrame:
    """Return the synthetic MYEB1 table: one row per LA district x sex x age, one column per year."""
    rng = np.random.default_rng(seed)
    las = geography.as_frame()
    las = las[las["tier"] != "upper"].sort_values("area_code", ignore_index=True)
    n = len(las)
    totals = _totals(las, rng)
    tilt = las["la_type"].map(_TILT).to_numpy(float) + rng.normal(0, 0.25, n)
    shares = _age_shares(tilt)
    male_share = np.interp(AGES, [0, 40, 60, 75, 85, 89, 90], [0.512, 0.50, 0.49, 0.47, 0.42, 0.38, 0.30])
    by_sex = np.stack([shares * male_share, shares * (1 - male_share)], axis=1)  # LA x sex x age
    growth = rng.normal(0.006, 0.004, n)
    columns = {}
    for year in YEARS:
        scale = totals * np.exp(growth * (year - 2022))
        noise = np.exp(rng.normal(0, 0.015, by_sex.shape))
        columns[f"population_{year}"] = np.rint(by_sex * scale[:, None, None] * noise).astype(np.int64).ravel()
    frame = pd.DataFrame({
        "ladcode23": np.repeat(las["area_code"].to_numpy(), 2 * AGES.size),
        "laname23": np.repeat(las["area_name"].to_numpy(), 2 * AGES.size),
        "country": np.repeat(las["nation_code"].map(_COUNTRY).to_numpy(), 2 * AGES.size),
        "sex": np.tile(np.repeat([1, 2], AGES.size), n),
        "age": np.tile(AGES, 2 * n),
    })
    for name, values in columns.items():
        frame[name] = values
    return frame


def write_zip(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as the MYEB1 CSV inside a zip with fixed timestamps (byte-for-byte reproducible)."""
    text = frame.to_csv(index=False, lineterminator="\r\n")
    info = zipfile.ZipInfo(MEMBER_NAME, date_time=(2024, 7, 15, 9, 30, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, text.encode("utf-8"), compresslevel=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def main(argv: list[str] | None = None) -> None:
    """Rewrite the bundled sample (``--out`` to write elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_sources_dir() / "ons_population" / ZIP_NAME)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    path = write_zip(build_population(args.seed), args.out)
    print(f"Wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
