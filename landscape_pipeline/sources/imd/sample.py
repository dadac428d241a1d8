"""Deterministic generator of the bundled IoD2019 sample (synthetic values, MHCLG layouts, real 2019 codes).

Writes to ``data_sources/imd/``:

* ``File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.csv`` - the "IMD" sheet of
  File 10 saved as CSV: the 317 lower-tier districts of 2019 (real codes and names, e.g. E07000026
  Allerdale, E07000150 Corby, E08000016 Barnsley) with the 12 IMD summary columns;
* ``File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.csv`` - the 151 upper-tier
  authorities of 2019 (counties are population-weighted from their districts);
* ``IoD2019_population_denominators_by_LAD.csv`` - LSOA counts and mid-2015 populations per 2019
  district, i.e. File 7 ("scores, ranks, deciles and population denominators", LSOA level) summed by
  district, which the parser uses to weight districts that have since merged.

Scores are synthetic but shaped like the real distribution (metropolitan and coastal towns most
deprived, shire districts least); populations are Census 2021 LA totals scaled to 2015 with noise.
Run ``python -m landscape_pipeline.sources.imd.sample`` to rewrite the files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.geography.nhs import la_populations
from landscape_pipeline.paths import data_sources_dir

SEED = 20190926  # IoD2019 publication day
FILE_10 = "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.csv"
FILE_11 = "File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.csv"
DENOMINATORS = "IoD2019_population_denominators_by_LAD.csv"
N_LSOAS_ENGLAND = 32_844
MEASURE_HEADERS = (
    "IMD - Average rank", "IMD - Rank of average rank", "IMD - Average score", "IMD - Rank of average score",
    "IMD - Proportion of LSOAs in most deprived 10% nationally",
    "IMD - Rank of proportion of LSOAs in most deprived 10% nationally", "IMD - Extent", "IMD - Rank of extent",
    "IMD - Local concentration", "IMD - Rank of local concentration",
)
#: 2019 districts abolished since (Census 2021 populations; Bucks and Northants split approximately).
RETIRED_DISTRICTS: dict[str, int] = {
    "E07000004": 207_000, "E07000005": 96_000, "E07000006": 70_000, "E07000007": 180_000,
    "E07000150": 75_000, "E07000152": 95_000, "E07000153": 102_000, "E07000156": 87_000,
    "E07000151": 91_000, "E07000154": 249_000, "E07000155": 99_500,
    "E07000026": 96_100, "E07000027": 67_300, "E07000028": 110_000, "E07000029": 67_000, "E07000030": 54_700,
    "E07000031": 103_000, "E07000163": 56_900, "E07000164": 89_600, "E07000165": 162_600, "E07000166": 49_700,
    "E07000167": 54_600, "E07000168": 108_700, "E07000169": 91_900, "E07000187": 116_200, "E07000188": 125_200,
    "E07000189": 172_600, "E07000246": 163_000, "E08000016": 244_300, "E08000019": 555_500,
}
RETIRED_COUNTIES = ("E10000002", "E10000006", "E10000021", "E10000023", "E10000027")
#: Typical deprivation by 2019 LA type, before regional and random variation.
_BASE_SCORE = {"E06": 24.0, "E07": 16.5, "E08": 29.0, "E09": 24.5}
_REGION_SHIFT = {"E12000001": 5.5, "E12000002": 5.0, "E12000003": 3.5, "E12000004": 0.5, "E12000005": 3.0,
                 "E12000006": -2.5, "E12000007": 0.0, "E12000008": -4.0, "E12000009": -2.0}
#: Anchor scores for a few well-known areas so the sample reads plausibly (not the published values).
_ANCHORS = {"E06000009": 45.0, "E08000011": 43.0, "E08000012": 42.4, "E06000002": 40.5, "E06000010": 40.3,
            "E08000003": 40.0, "E08000025": 38.1, "E08000026": 26.0, "E09000001": 11.5, "E07000089": 5.8}


def districts_2019() -> pd.DataFrame:
    """Return the 317 lower-tier districts of IoD2019: code, name, 2019 county (or itself), region, population."""
    las = geography.as_frame()
    england = las[(las["nation_code"] == geography.ENGLAND) & (las["tier"] != "upper")]
    new = set(RETIRED_DISTRICTS) | set(RETIRED_COUNTIES)
    replaced = {s for code in new for s in geography.successor_of(code)}
    kept = england[~england["area_code"].isin(replaced)]
    pops = la_populations()
    rows = [{"code": r.area_code, "name": r.area_name, "upper": r.upper_tier_code, "region": r.region_code,
             "population": pops[r.area_code]} for r in kept.itertuples()]
    for code, population in RETIRED_DISTRICTS.items():
        successor = geography.successor_of(code)[0]
        county = {"E06000060": "E10000002", "E06000061": "E10000021", "E06000062": "E10000021",
                  "E06000063": "E10000006", "E06000064": "E10000006", "E06000065": "E10000023",
                  "E06000066": "E10000027"}.get(successor, code)
        rows.append({"code": code, "name": geography.area_name(code), "upper": county,
                     "region": geography.region_of(successor), "population": population})
    out = pd.DataFrame(rows).sort_values("code", ignore_index=True)
    if len(out) != 317:
        raise AssertionError(f"expected 317 districts in 2019, built {len(out)}")
    return out


def _raw_measures(frame: pd.DataFrame, scores: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Return unranked summary measures (average rank, score, proportion, extent, local concentration)."""
    proportion = frame["top10"].to_numpy() / frame["n_lsoas"].to_numpy()
    size = len(frame)
    return pd.DataFrame({
        "average_rank": np.clip(N_LSOAS_ENGLAND * (0.93 - scores / 55) + rng.normal(0, 600, size), 2_000, 30_000),
        "score": scores,
        "proportion": proportion,
        "extent": np.clip(proportion * 1.6 + rng.normal(0, 0.02, size), 0, 1) * (proportion > 0),
        "concentration": np.clip(N_LSOAS_ENGLAND * (0.75 - scores / 70) + rng.normal(0, 900, size), 80, 31_000),
    })


def _ranked(raw: pd.DataFrame) -> pd.DataFrame:
    """Return the 10 published IMD columns: each measure followed by its rank (1 = most deprived)."""
    def rank(values: pd.Series, most_deprived_high: bool) -> pd.Series:
        return (-values if most_deprived_high else values).rank(method="min").astype(int)

    out = {}
    for position, (name, high, digits) in enumerate((("average_rank", False, 2), ("score", True, 3),
                                                      ("proportion", True, 4), ("extent", True, 4),
                                                      ("concentration", False, 2))):
        out[MEASURE_HEADERS[2 * position]] = raw[name].round(digits).to_numpy()
        out[MEASURE_HEADERS[2 * position + 1]] = rank(raw[name].round(digits), high).to_numpy()
    return pd.DataFrame(out)


def build(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Return the three sample tables keyed by file name."""
    rng = np.random.default_rng(seed)
    lower = districts_2019()
    n = len(lower)
    lower["population"] = (lower["population"] * 0.955 * rng.normal(1, 0.01, n)).round().astype(int)
    lower["n_lsoas"] = np.maximum(1, (lower["population"] / 1_690 * rng.normal(1, 0.03, n)).round()).astype(int)
    base = lower["code"].str[:3].map(_BASE_SCORE) + lower["region"].map(_REGION_SHIFT).fillna(0)
    scores = np.clip(base.to_numpy() + rng.normal(0, 5.0, n), 5.0, 46.0)
    anchors = lower["code"].map(_ANCHORS)
    scores = np.where(anchors.notna(), anchors, scores)
    share = np.clip((np.clip(scores - 8, 0, None) / 38) ** 2.5 * 0.62 + rng.normal(0, 0.006, n), 0, 0.55)
    lower["top10"] = np.minimum(lower["n_lsoas"], (share * lower["n_lsoas"]).round()).astype(int)
    raw = _raw_measures(lower, scores, rng)
    file10 = pd.concat([lower[["code", "name"]].reset_index(drop=True), _ranked(raw)], axis=1)
    file10.columns = ["Local Authority District code (2019)", "Local Authority District name (2019)",
                      *MEASURE_HEADERS]

    # Upper tier: single-tier authorities repeat their File 10 measures; counties are population-weighted.
    work = pd.concat([lower.reset_index(drop=True), raw], axis=1)
    work["upper"] = np.where(work["upper"].str.startswith("E10"), work["upper"], work["code"])
    weighted = work[["average_rank", "score", "extent", "concentration"]].mul(work["population"], axis=0)
    sums = pd.concat([work[["upper", "population", "n_lsoas", "top10"]], weighted], axis=1).groupby("upper").sum()
    upper_raw = sums[["average_rank", "score", "extent", "concentration"]].div(sums["population"], axis=0)
    upper_raw["proportion"] = sums["top10"] / sums["n_lsoas"]
    upper_raw = upper_raw[["average_rank", "score", "proportion", "extent", "concentration"]]
    names = dict(zip(lower["code"], lower["name"], strict=True))
    codes = upper_raw.index.to_series()
    file11 = pd.concat([pd.DataFrame({
        "Upper Tier Local Authority District code (2019)": codes.to_numpy(),
        "Upper Tier Local Authority District name (2019)": [names.get(c) or geography.area_name(c) for c in codes],
    }), _ranked(upper_raw.reset_index(drop=True))], axis=1)
    if len(file11) != 151:
        raise AssertionError(f"expected 151 upper-tier authorities in 2019, built {len(file11)}")

    denominators = pd.DataFrame({
        "Local Authority District code (2019)": lower["code"], "Local Authority District name (2019)": lower["name"],
        "Number of LSOAs": lower["n_lsoas"], "Total population: mid 2015 (excluding prisoners)": lower["population"],
    })
    return {FILE_10: file10, FILE_11: file11, DENOMINATORS: denominators}


def write(folder: Path | None = None, seed: int = SEED) -> list[Path]:
    """Write the sample files into ``folder`` (default ``data_sources/imd``); return their paths."""
    folder = folder or data_sources_dir() / "imd"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in build(seed).items():
        path = folder / name
        table.to_csv(path, index=False, lineterminator="\r\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: rewrite the bundled sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default data_sources/imd)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in write(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
