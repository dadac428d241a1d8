"""Deterministic generator of the synthetic part of the bundled ONS estimates (invented values, real layout).

The bundle's real files are the ONS MYE2 sheets for mid-2020 (see ``provenance.json``). For the other
years the pipeline needs (HES denominators for 2001/02 and 2019/20 to 2023/24) no real file is
bundled, so this writes ``data_sources/ons_population/ukdetailedtimeseries_synthetic.zip`` holding one
CSV in the ONS "MYEB1" detailed time-series layout (``ladcode25,laname25,country,sex,age,population_YYYY``;
one row per local authority district x sex (1 male, 2 female) x single year of age 0..90, where 90
means 90 and over), on today's (2025) district codes, for the years in :data:`YEARS`, scaled from the
real mid-2020 figures. The real download (mid-2001 to mid-2020, 2021 codes) is a zip with the same
layout. Run
``python -m landscape_pipeline.sources.ons_population.sample`` to rewrite it.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.ons_population.parser import read_long

SEED = 20260425
#: Years with no real file in the bundle (mid-2020 is real: the ONS MYE2 sheets).
YEARS: tuple[int, ...] = (2001, 2019, 2021, 2022, 2023)
ZIP_NAME = "ukdetailedtimeseries_synthetic.zip"
MEMBER_NAME = "MYEB1_detailed_population_estimates_series_UK_(2023_geog25).csv"
AGES = np.arange(91)  # 90 = "90 and over", as in MYEB1
_COUNTRY = {"E92000001": "E", "W92000004": "W", "S92000003": "S", "N92000002": "N"}

#: Real files the synthetic years are scaled from (bundled beside the sample).
REAL_FILES = ("MYE2_Males_mid2020_geog2021.csv", "MYE2_Females_mid2020_geog2021.csv")
BASE_YEAR = 2020


@lru_cache(maxsize=2)
def _base(real_dir: Path) -> pd.DataFrame:
    """Return the real mid-2020 populations by current district, sex and single year of age."""
    long = read_long([real_dir / name for name in REAL_FILES])
    return long.groupby(["current", "sex", "age"], as_index=False)["population"].sum()


def build_population(seed: int = SEED, real_dir: Path | None = None) -> pd.DataFrame:
    """Return the synthetic MYEB1 table: one row per district x sex x age, one column per year in :data:`YEARS`.

    Each district's real mid-2020 figures by sex and age are grown or shrunk at an invented rate per
    district (about 0.6% a year) with 1.5% noise per cell, so synthetic years are plausible beside the
    real one but are not estimates.
    """
    rng = np.random.default_rng(seed)
    base = _base(real_dir or data_sources_dir() / "ons_population")
    las = geography.as_frame()
    las = las[las["tier"] != "upper"].sort_values("area_code", ignore_index=True)
    cube = np.zeros((len(las), 2, AGES.size))
    index = {c: i for i, c in enumerate(las["area_code"])}
    cube[base["current"].map(index).to_numpy(int), base["sex"].to_numpy(int) - 1,
         base["age"].to_numpy(int)] = base["population"].to_numpy(float)
    growth = rng.normal(0.006, 0.004, len(las))
    columns = {}
    for year in YEARS:
        scale = np.exp(growth * (year - BASE_YEAR))
        noise = np.exp(rng.normal(0, 0.015, cube.shape))
        columns[f"population_{year}"] = np.rint(cube * scale[:, None, None] * noise).astype(np.int64).ravel()
    n = len(las)
    frame = pd.DataFrame({
        "ladcode25": np.repeat(las["area_code"].to_numpy(), 2 * AGES.size),
        "laname25": np.repeat(las["area_name"].to_numpy(), 2 * AGES.size),
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
