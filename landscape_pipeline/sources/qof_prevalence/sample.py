"""Deterministic generator of the bundled QOF cancer prevalence sample (synthetic values, real layouts).

Writes:

* ``data_sources/qof_prevalence/fingertips_276_cancer_qof_prevalence_gp.csv`` - a Fingertips
  ``all_data`` export (27 columns) of indicator 276 "Cancer: QOF prevalence (all ages)" for about
  1,200 **synthetic** GP practices (ODS-style codes such as ``M84012``, a few per English LA) over five
  financial years, plus England rows; values and Wilson limits computed with ``landscape_pipeline.stats``;
* ``data_sources/qof_prevalence/gp-reg-pat-prac-lsoa-all-jan-21.csv``, ``...-apr-22.csv`` and
  ``...-apr-24.csv`` - NHS Digital "Patients Registered at a GP Practice" LSOA files of three
  vintages, in their real layouts: the January 2021 extract headed ``PUBLICATION, EXTRACT_DATE,
  PRACTICE_CODE, PRACTICE_NAME, LSOA_CODE, SEX, Number of Patients`` (the real 2021 header), the
  April 2022 and April 2024 ones ending ``NUMBER_OF_PATIENTS``; SEX = ALL; practices draw patients
  from a neighbouring LA.

Practices, names and counts are synthetic; the LSOAs of residence are **real** LSOA codes of the
extract's vintage: 2011 codes (extracts before 2023) from the bundled real ONS lookup
(:data:`~landscape_pipeline.geography.lsoa.LSOA11_FILE`), and for the April 2024 extract the same
LSOAs moved to their 2021 codes with the bundled real ONS best-fit lookup
(:data:`~landscape_pipeline.geography.lsoa.LSOA21_FILE`), so each is placed like a real extract. The
April 2024 extract is drawn with its own seed, so adding it left the earlier files unchanged. It lets
the GP Patient Survey years 2023-2025 find an extract within the limit. Run
``python -m landscape_pipeline.sources.qof_prevalence.sample`` to rewrite them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.geography.lsoa import LSOA11_FILE, LSOA21_FILE, read_lsoa_lookup
from landscape_pipeline.geography.nhs import la_populations
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.stats import compare_frame, proportion
from landscape_pipeline.tabular import read_table

SEED = 20240401
YEARS = ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24")
NATIONAL = {"2019/20": 3.15, "2020/21": 3.22, "2021/22": 3.33, "2022/23": 3.47, "2023/24": 3.58}
FINGERTIPS_FILE = "fingertips_276_cancer_qof_prevalence_gp.csv"
#: file name -> (EXTRACT_DATE, header of the count column, LSOA vintage), per the layouts of those vintages.
EXTRACTS = {"gp-reg-pat-prac-lsoa-all-jan-21.csv": ("04JAN2021", "Number of Patients", 2011),
            "gp-reg-pat-prac-lsoa-all-apr-22.csv": ("01APR2022", "NUMBER_OF_PATIENTS", 2011),
            "gp-reg-pat-prac-lsoa-all-apr-24.csv": ("01APR2024", "NUMBER_OF_PATIENTS", 2021)}
LATER_SEED_OFFSET = 2024  # extracts with LSOA 2021 codes draw from their own generator
INDICATOR = (276, "Cancer: QOF prevalence (all ages)")
PEOPLE_PER_PRACTICE = 47_000  # sample density: about 1,200 practices for England
FINGERTIPS_HEADER = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex",
    "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
    "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles", "Time period Sortable", "New data",
    "Compared to goal", "Time period range",
)
_LETTER = {"E12000001": "A", "E12000002": "P", "E12000003": "B", "E12000004": "C", "E12000005": "M",
           "E12000006": "D", "E12000007": "F", "E12000008": "H", "E12000009": "L"}
_PLACES = ("Park", "Station Road", "Church Street", "Riverside", "High Street", "Oak Tree", "Victoria", "Abbey",
           "Mill Lane", "Castle", "Priory", "Green Lane", "Market Square", "Westgate", "Meadowbank", "Orchard")
_KINDS = ("Medical Centre", "Surgery", "Health Centre", "Family Practice", "Group Practice", "Medical Practice")
#: Older populations have more people living with cancer: prevalence multiplier by LA type.
_AGE_EFFECT = {"E06": 1.0, "E07": 1.22, "E08": 0.88, "E09": 0.62}


def _las() -> pd.DataFrame:
    las = geography.as_frame()
    las = las[(las["nation_code"] == geography.ENGLAND) & (las["tier"] != "upper")].reset_index(drop=True)
    las["population"] = las["area_code"].map(la_populations()).to_numpy(float)
    return las


def _lsoas(las: pd.DataFrame) -> pd.DataFrame:
    """Return the real LSOA 2011 codes of each current English LA, from the bundled ONS lookup."""
    lookup = read_lsoa_lookup(geography.geography_dir() / LSOA11_FILE).rows
    out = lookup[lookup["la_code"].isin(las["area_code"])]
    return out[["lsoa_code", "la_code"]]


def _to_lsoa21(registrations: pd.DataFrame) -> pd.DataFrame:
    """Return the registrations with each LSOA 2011 moved to its best-fit LSOA 2021 (merged LSOAs summed)."""
    table = read_table(geography.geography_dir() / LSOA21_FILE, columns=("LSOA11CD", "LSOA21CD")).frame
    best_fit = dict(zip(table["LSOA11CD"], table["LSOA21CD"], strict=True))
    out = registrations.assign(LSOA_CODE=registrations["LSOA_CODE"].map(best_fit))
    if out["LSOA_CODE"].isna().any():
        raise ValueError("An LSOA 2011 code of the sample has no best-fit LSOA 2021 code.")
    return out.groupby(["PRACTICE_CODE", "PRACTICE_NAME", "LSOA_CODE"], as_index=False, sort=False)[
        "NUMBER_OF_PATIENTS"].sum()


def _practices(las: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return practices: code, name, home LA, neighbour LA and cross-boundary share, list size, prevalence."""
    per_la = np.where(las["population"] < 20_000, 1,
                      np.clip(np.round(las["population"] / PEOPLE_PER_PRACTICE), 2, 24)).astype(int)
    home = las.loc[las.index.repeat(per_la)].reset_index(drop=True)
    n = len(home)
    numbers: dict[str, int] = {}
    codes = []
    for region in home["region_code"]:
        letter = _LETTER[region]
        numbers[letter] = numbers.get(letter, 81000) + int(rng.integers(1, 4))
        codes.append(f"{letter}{numbers[letter]:05d}")
    siblings = {}
    for la in las.itertuples():
        same = las[(las["upper_tier_code"] == la.upper_tier_code) & (las["area_code"] != la.area_code)]
        if same.empty:
            same = las[(las["region_code"] == la.region_code) & (las["area_code"] != la.area_code)]
        siblings[la.area_code] = same["area_code"].to_numpy()
    crossing = rng.random(n) < 0.25
    neighbour = [rng.choice(siblings[c]) if cross else None for c, cross in zip(home["area_code"], crossing,
                                                                             strict=True)]
    la_effect = dict(zip(las["area_code"], las["area_code"].str[:3].map(_AGE_EFFECT) * np.exp(
        rng.normal(0, 0.12, len(las))), strict=True))
    return pd.DataFrame({
        "code": codes,
        "name": [f"{rng.choice(_PLACES)} {rng.choice(_KINDS)}".upper() for _ in range(n)],
        "home": home["area_code"], "neighbour": neighbour,
        "cross_share": np.where(crossing, rng.uniform(0.04, 0.3, n), 0.0),
        "list_size": np.clip(rng.lognormal(np.log(9_000), 0.5, n), 1_500, 40_000).round(),
        "effect": home["area_code"].map(la_effect).to_numpy() * np.exp(rng.normal(0, 0.18, n)),
        "opened": np.where(rng.random(n) < 0.02, 2, 0),  # index of the first QOF year it reports
        "closed": np.where(rng.random(n) < 0.02, 4, len(YEARS)),  # reports up to (not incl.) this year index
    })


def _registrations(practices: pd.DataFrame, lsoas: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return (practice, LSOA, patients) for the April 2023 extract."""
    by_la = lsoas.groupby("la_code")["lsoa_code"].apply(np.array).to_dict()
    rows = []
    for p in practices.itertuples():
        own = rng.choice(by_la[p.home], size=min(len(by_la[p.home]), int(rng.integers(4, 9))), replace=False)
        shares = rng.dirichlet(np.full(len(own), 1.5)) * (1 - p.cross_share)
        picked, weights = list(own), list(shares)
        if isinstance(p.neighbour, str):
            near = rng.choice(by_la[p.neighbour], size=min(2, len(by_la[p.neighbour])), replace=False)
            picked += list(near)
            weights += list(rng.dirichlet(np.ones(len(near))) * p.cross_share)
        patients = np.round(np.array(weights) * p.list_size).astype(int)
        rows += [(p.code, p.name, lsoa, n) for lsoa, n in zip(picked, patients, strict=True) if n > 0]
    return pd.DataFrame(rows, columns=["PRACTICE_CODE", "PRACTICE_NAME", "LSOA_CODE", "NUMBER_OF_PATIENTS"])


def _extract(registrations: pd.DataFrame, date_text: str, count_header: str, keep: pd.Series, growth: float,
             rng: np.random.Generator) -> pd.DataFrame:
    out = registrations[registrations["PRACTICE_CODE"].isin(keep)].copy()
    out["NUMBER_OF_PATIENTS"] = np.maximum(1, np.round(out["NUMBER_OF_PATIENTS"] * growth
                                                        * rng.normal(1, 0.02, len(out)))).astype(int)
    out.insert(0, "EXTRACT_DATE", date_text)
    out.insert(0, "PUBLICATION", "GP_PRAC_PAT_LIST")
    out.insert(5, "SEX", "ALL")
    out = out.rename(columns={"NUMBER_OF_PATIENTS": count_header})
    return out.sort_values(["PRACTICE_CODE", "LSOA_CODE"], ignore_index=True)


def _fingertips(practices: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return the Fingertips export: England then practices, for every year each practice reported."""
    parts = []
    for index, year in enumerate(YEARS):
        live = practices[(practices["opened"] <= index) & (practices["closed"] > index)]
        denominator = np.round(live["list_size"] * (1 + 0.008 * index) * rng.normal(1, 0.01, len(live)))
        rate = np.clip(NATIONAL[year] / 100 * live["effect"].to_numpy(), 0.002, 0.12)
        count = rng.binomial(denominator.astype(int), rate).astype(float)
        frame = pd.DataFrame({"Area Code": live["code"], "Area Name": live["name"].str.title(), "Count": count,
                              "Denominator": denominator, "Time period": year, "_order": 1})
        england = pd.DataFrame({"Area Code": ["E92000001"], "Area Name": ["England"], "Count": [count.sum()],
                                "Denominator": [denominator.sum()], "Time period": [year], "_order": [0]})
        parts += [england, frame]
    out = pd.concat(parts, ignore_index=True)
    ci95, ci998 = proportion(out["Count"], out["Denominator"], 0.95, 100), proportion(
        out["Count"], out["Denominator"], 0.998, 100)
    england_value = out["Area Code"].eq("E92000001")
    national = out[england_value].set_index("Time period")["Count"] / out[england_value].set_index(
        "Time period")["Denominator"] * 100
    compared = compare_frame(ci95.value, ci95.lower, ci95.upper, out["Time period"].map(national), "No judgement")
    gp = ~england_value
    table = pd.DataFrame({
        "Indicator ID": INDICATOR[0], "Indicator Name": INDICATOR[1],
        "Parent Code": np.where(gp, "E92000001", ""), "Parent Name": np.where(gp, "England", ""),
        "Area Code": out["Area Code"], "Area Name": out["Area Name"], "Area Type": np.where(gp, "GPs", "England"),
        "Sex": "Persons", "Age": "All ages", "Category Type": "", "Category": "", "Time period": out["Time period"],
        "Value": ci95.value, "Lower CI 95.0 limit": ci95.lower, "Upper CI 95.0 limit": ci95.upper,
        "Lower CI 99.8 limit": ci998.lower, "Upper CI 99.8 limit": ci998.upper,
        "Count": out["Count"].astype(int), "Denominator": out["Denominator"].astype(int), "Value note": "",
        "Recent Trend": "", "Compared to England value or percentiles": np.where(gp, compared, "Not compared"),
        "Compared to percentiles": "Not compared", "Time period Sortable": out["Time period"].str[:4] + "0000",
        "New data": "", "Compared to goal": "", "Time period range": "1y",
    })
    return table[list(FINGERTIPS_HEADER)]


def build(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Return every sample table keyed by file name (the real LSOA lookups are read from the geography)."""
    rng = np.random.default_rng(seed)
    las = _las()
    lsoas = _lsoas(las)
    practices = _practices(las, rng)
    registrations = _registrations(practices, lsoas, rng)
    listed = practices["code"]  # every practice reports a QOF year within reach of every extract
    extracts = {}
    for index, (name, (date_text, header, vintage)) in enumerate(EXTRACTS.items()):
        if vintage == 2011:
            extracts[name] = _extract(registrations, date_text, header, listed, 1 + 0.01 * index, rng)
    fingertips = _fingertips(practices, rng)
    later = np.random.default_rng(seed + LATER_SEED_OFFSET)
    for index, (name, (date_text, header, vintage)) in enumerate(EXTRACTS.items()):
        if vintage == 2021:
            extracts[name] = _extract(_to_lsoa21(registrations), date_text, header, listed, 1 + 0.01 * index, later)
    return {FINGERTIPS_FILE: fingertips, **extracts}


def write(folder: Path | None = None, seed: int = SEED) -> list[Path]:
    """Write the sample into ``folder`` (default data_sources/qof_prevalence); return the paths written."""
    folder = folder or data_sources_dir() / "qof_prevalence"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in build(seed).items():
        path = folder / name
        table.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: rewrite the bundled sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for the QOF files")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in write(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
