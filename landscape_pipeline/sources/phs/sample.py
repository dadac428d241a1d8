"""Write the bundled synthetic PHS extract: ``python -m landscape_pipeline.sources.phs.sample``.

Only council-area mortality is bundled synthetic (no real file is bundled for it); the incidence
files in ``data_sources/phs/`` are real PHS releases. :func:`write_incidence_samples` still writes
synthetic annual incidence in PHS's layout for tests.

Values are synthetic (seeded Poisson draws on plausible Scottish populations and age-specific
rates); the layouts are PHS's (see :mod:`.mortality` and :mod:`.incidence`). Council-area
populations approximate the 2021 mid-year estimates; age structure, deprivation-like risk and
year trends are invented. Rates are computed from the drawn counts exactly as PHS defines them
(EASR on the 2013 ESP, WASR on the Segi world standard, 95% limits with ``landscape_pipeline.stats``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.stats import ESP2013, dsr, poisson_limits, rate

SEED = 20261125
MORTALITY_FILE, INCIDENCE_FILE, SCOTLAND_FILE = (
    "opendata_mort1923_ca.csv", "opendata_inc1822_hb.csv", "opendata_inc1822_scotland.csv")
MORTALITY_YEARS, INCIDENCE_YEARS = np.arange(2019, 2024), np.arange(2018, 2023)
SUFFIX = ["Under5"] + [f"{a}To{a + 4}" for a in range(5, 90, 5)] + ["90AndOver"]  # 19 ESP2013 bands
SUFFIX_85 = [*SUFFIX[:17], "85AndOver"]  # incidence files stop at 85+
ESP = np.array(ESP2013, dtype=float)
WORLD_85 = np.array([12, 10, 9, 9, 8, 8, 6, 6, 6, 6, 5, 4, 4, 3, 2, 1, 0.5, 0.5]) * 1000  # Segi, 85+ combined
CA_POP = {  # thousands, approximately mid-2021
    "S12000033": 227, "S12000034": 263, "S12000041": 116, "S12000035": 87, "S12000036": 526, "S12000005": 52,
    "S12000006": 148, "S12000042": 148, "S12000008": 122, "S12000045": 109, "S12000010": 109, "S12000011": 97,
    "S12000013": 26.5, "S12000014": 161, "S12000047": 375, "S12000049": 636, "S12000017": 238, "S12000018": 77,
    "S12000019": 95, "S12000020": 96, "S12000021": 134, "S12000050": 341, "S12000023": 22.5, "S12000048": 154,
    "S12000038": 180, "S12000026": 116, "S12000027": 23, "S12000028": 112, "S12000029": 323, "S12000030": 93,
    "S12000039": 88, "S12000040": 186,
}
RISK = {"S12000049": 1.22, "S12000018": 1.18, "S12000039": 1.17, "S12000042": 1.15, "S12000050": 1.12,
        "S12000021": 1.1, "S12000008": 1.1, "S12000038": 1.06, "S12000005": 1.06, "S12000034": 0.88,
        "S12000045": 0.85, "S12000011": 0.85, "S12000023": 0.9, "S12000027": 0.9, "S12000048": 0.9,
        "S12000036": 0.95}
CITIES, RURAL = {"S12000033", "S12000036", "S12000042", "S12000049"}, {"S12000035", "S12000006", "S12000026",
                                                                      "S12000013", "S12000023", "S12000027"}
AGE_SHARE = np.array([4.7, 5.3, 5.4, 5.2, 6.2, 6.5, 6.6, 6.2, 5.8, 6.2, 7.3, 7.4, 6.7, 5.8, 5.4, 3.8, 2.6, 1.5, .8])
MALE_SHARE = np.array([.51] * 10 + [.49] * 4 + [.47, .47, .42, .37, .30])
MORT_SHAPE = np.array([2, 2, 2, 3, 4, 5, 8, 14, 28, 55, 105, 190, 330, 540, 820, 1200, 1700, 2300, 2800.])
FEMALE_MORT = np.array([1, 1, 1, 1, 1.1, 1.3, 1.5, 1.6, 1.4, 1.25, 1, .85, .75, .7, .68, .65, .62, .6, .6])
INC_MALE = np.array([18, 9, 11, 20, 27, 45, 65, 75, 140, 190, 390, 640, 1060, 1640, 2200, 2800, 3160, 3150, 3100.])
INC_FEMALE = np.array([14, 10, 12, 20, 35, 70, 120, 225, 270, 365, 555, 770, 1040, 1270, 1570, 2020, 2080, 2300,
                       2350.])
#: (ICD-10, site, sexes published, share of male deaths, female deaths, male cases, female cases)
SITES = [
    ("C00-C97, excluding C44", "All cancer types", "AMF", 1, 1, 1, 1),
    ("C33-C34", "Trachea, bronchus and lung", "AMF", .235, .245, .125, .13),
    ("C18-C20", "Colorectal cancer", "AMF", .10, .09, .12, .095),
    ("C50", "Breast", "AMF", .0025, .14, .003, .285),
    ("C61", "Prostate", "M", .12, 0, .245, 0),
]
SEX_LABEL = {"A": "All", "M": "Male", "F": "Female"}
ARCHIVED_2018 = {"S08000031": "S08000021", "S08000032": "S08000023"}  # codes in use during 2018


def _calibrated(shape: np.ndarray, target_easr: float) -> np.ndarray:
    return shape * target_easr / (shape @ ESP / ESP.sum())


def populations(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """Return populations shaped (council area, year, sex M/F, 19 age bands)."""
    codes = list(CA_POP)
    out = np.empty((len(codes), len(years), 2, 19))
    for i, code in enumerate(codes):
        ageing = (0.8 if code in CITIES else 1.25 if code in RURAL else 1.0) * rng.lognormal(0, 0.05)
        share = AGE_SHARE * np.where(np.arange(19) >= 13, ageing, 1.0)
        total = CA_POP[code] * 1000 * share / share.sum()
        growth = (1 + rng.normal(0.002, 0.002)) ** (years - years[0])
        out[i, :, 0] = np.round(np.outer(growth, total * MALE_SHARE))
        out[i, :, 1] = np.round(np.outer(growth, total * (1 - MALE_SHARE)))
    return out


def draw(rng: np.random.Generator, pops: np.ndarray, profiles: np.ndarray, shares: np.ndarray,
         risk_power: float, trend: np.ndarray) -> np.ndarray:
    """Return Poisson counts shaped (area, year, sex M/F, site, band)."""
    risk = np.array([RISK.get(c, 1.0) for c in CA_POP]) ** risk_power * rng.lognormal(0, 0.03, len(CA_POP))
    mean = (pops[:, :, :, None, :] * profiles[None, None, :, None, :] / 1e5 * shares.T[None, None, :, :, None]
            * risk[:, None, None, None, None] * trend[None, :, None, None, None])
    return rng.poisson(mean).astype(float)


def _collapse_85(bands: np.ndarray) -> np.ndarray:
    """Return rows x bands with every band from 85 upwards summed into one 85+ band."""
    return np.column_stack([bands[:, :17], bands[:, 17:].sum(axis=1)])


def measures(counts: np.ndarray, pops: np.ndarray, top_85: bool) -> dict[str, object]:
    """Return PHS measures for rows of band counts and populations (rows x bands)."""
    if top_85:
        counts, pops = _collapse_85(counts), _collapse_85(pops)
    esp = np.array(ESP2013.collapsed(85) if top_85 else ESP2013, dtype=float)
    world_counts, world_pops = _collapse_85(counts), _collapse_85(pops)
    rates, total = counts / pops * 1e5, counts.sum(axis=1)
    return {
        "counts": counts, "rates": rates, "total": total, "crude": rate(total, pops.sum(axis=1)),
        "EASR": rates @ esp / esp.sum(), "EASR_fit": dsr(counts, pops, standard=tuple(esp)),
        "WASR": (world_counts / world_pops * 1e5) @ WORLD_85 / WORLD_85.sum(),
        "WASR_fit": dsr(world_counts, world_pops, standard=tuple(WORLD_85)),
    }


def _rows(sites: list, years: np.ndarray) -> pd.DataFrame:
    keys = [(s, sex, y) for s in range(len(sites)) for sex in sites[s][2] for y in years]
    return pd.DataFrame(keys, columns=["site", "sex", "year"])


def _by_sex(counts: np.ndarray, pops: np.ndarray, keys: pd.DataFrame, years: np.ndarray) -> tuple:
    """Return (counts, pops) rows x bands for one area, in ``keys`` order (sex A = M + F)."""
    year_ix = np.searchsorted(years, keys["year"].to_numpy())
    sex_ix = {"M": [0], "F": [1], "A": [0, 1]}
    c = np.stack([counts[y, sex_ix[s], site].sum(axis=0) for site, s, y in
                  zip(keys["site"], keys["sex"], year_ix, strict=True)])
    p = np.stack([pops[y, sex_ix[s]].sum(axis=0) for s, y in zip(keys["sex"], year_ix, strict=True)])
    return c, p


def _identity(geo_col: str, code: str, keys: pd.DataFrame, qf_col: str | None, qf: str | None) -> dict:
    out = {geo_col: code}
    if qf_col:
        out[qf_col] = qf or "NA"
    out |= {"CancerSiteICD10Code": [SITES[s][0] for s in keys["site"]],
            "CancerSite": [SITES[s][1] for s in keys["site"]],
            "Sex": keys["sex"].map(SEX_LABEL).to_numpy(),
            "SexQF": np.where(keys["sex"] == "A", "d", "NA"), "Year": keys["year"].to_numpy()}
    return out


def mortality_table(rng: np.random.Generator) -> pd.DataFrame:
    """Return the synthetic cancer-mortality-by-council-area table (32 areas + Scotland)."""
    years = MORTALITY_YEARS
    pops = populations(rng, years)
    profiles = np.stack([_calibrated(MORT_SHAPE, 360), _calibrated(MORT_SHAPE * FEMALE_MORT, 250)])
    shares = np.array([[s[3], s[4]] for s in SITES])
    deaths = draw(rng, pops, profiles, shares, 1.0, 0.99 ** (years - years[0]))
    keys = _rows(SITES, years)
    areas = [*CA_POP, geography.SCOTLAND]
    blocks, scot = [], _by_sex(deaths.sum(axis=0), pops.sum(axis=0), keys, years)
    scot_rates = scot[0] / scot[1] * 1e5
    for i, code in enumerate(areas):
        c, p = scot if code == geography.SCOTLAND else _by_sex(deaths[i], pops[i], keys, years)
        m = measures(c, p, top_85=False)
        expected = (p * scot_rates / 1e5).sum(axis=1)
        frame = pd.DataFrame(_identity("CA", code, keys, "CAQF", "d" if code == geography.SCOTLAND else None))
        band = pd.DataFrame(c, columns=[f"DeathsAge{s}" for s in SUFFIX])
        rates = pd.DataFrame(m["rates"], columns=[f"MortalityRateAge{s}" for s in SUFFIX])
        frame = pd.concat([frame, band, pd.DataFrame({"DeathsAllAges": m["total"]}), rates], axis=1)
        frame["CrudeRate"], frame["EASR"], frame["WASR"] = m["crude"].value, m["EASR"], m["WASR"]
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["StandardisedMortalityRatio"] = np.where(expected > 0, m["total"] / expected * 100, np.nan)
        blocks.append(frame)
    return pd.concat(blocks, ignore_index=True)


def incidence_tables(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the synthetic incidence tables: by NHS board (14 boards) and for Scotland."""
    years = INCIDENCE_YEARS
    pops = populations(rng, years)
    profiles = np.stack([_calibrated(INC_MALE, 680), _calibrated(INC_FEMALE, 600)])
    shares = np.array([[s[5], s[6]] for s in SITES])
    trend = 1.005 ** (years - years[0]) * np.where(years == 2020, 0.9, 1.0)  # fewer diagnoses in 2020
    cases = draw(rng, pops, profiles, shares, 0.6, trend)
    keys = _rows(SITES, years)
    boards = sorted({geography.board_of_council_area(c) for c in CA_POP})
    members = {b: [list(CA_POP).index(c) for c in geography.council_areas_in_board(b)] for b in boards}
    scot = _by_sex(cases.sum(axis=0), pops.sum(axis=0), keys, years)
    tables = []
    for code in [*boards, geography.SCOTLAND]:
        if code == geography.SCOTLAND:
            c, p = scot
        else:
            c, p = _by_sex(cases[members[code]].sum(axis=0), pops[members[code]].sum(axis=0), keys, years)
        geo = "Country" if code == geography.SCOTLAND else "HB"
        frame = pd.DataFrame(_identity(geo, code, keys, None, None))
        if code in ARCHIVED_2018:
            frame.loc[frame["Year"] == 2018, "HB"] = ARCHIVED_2018[code]
        frame = pd.concat([frame, _incidence_measures(c, p, scot, with_sir=geo == "HB")], axis=1)
        tables.append(frame)
    return pd.concat(tables[:-1], ignore_index=True), tables[-1]


def _incidence_measures(c: np.ndarray, p: np.ndarray, scot: tuple[np.ndarray, np.ndarray],
                        with_sir: bool) -> pd.DataFrame:
    m = measures(c, p, top_85=True)
    out = pd.concat([pd.DataFrame(m["counts"], columns=[f"IncidencesAge{s}" for s in SUFFIX_85]),
                     pd.DataFrame({"IncidencesAllAges": m["total"]}),
                     pd.DataFrame(m["rates"], columns=[f"IncidenceRateAge{s}" for s in SUFFIX_85])], axis=1)
    few = m["total"] < 20  # PHS: no CI (qualifier z) under 20 cases
    out["CrudeRate"] = m["crude"].value
    out["CrudeRateLower95pcConfidenceInterval"] = m["crude"].lower
    out["CrudeRateUpper95pcConfidenceInterval"] = m["crude"].upper
    for name in ("EASR", "WASR"):
        out[name] = m[name]
        for side, limit in (("Lower", m[f"{name}_fit"].lower), ("Upper", m[f"{name}_fit"].upper)):
            out[f"{name}{side}95pcConfidenceInterval"] = np.where(few, np.nan, limit)
            out[f"{name}{side}95pcConfidenceIntervalQF"] = np.where(few, "z", "NA")
    if with_sir:
        scot_rates = _collapse_85(scot[0]) / _collapse_85(scot[1])
        expected = (_collapse_85(p) * scot_rates).sum(axis=1)
        low, up = poisson_limits(m["total"], 0.95)
        out["StandardisedIncidenceRatio"] = m["total"] / expected * 100
        out["SIRLower95pcConfidenceInterval"] = low / expected * 100
        out["SIRUpper95pcConfidenceInterval"] = up / expected * 100
    return out


def _cell(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return "NA"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.10g}"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` like PHS does: LF line ends, quotes only where needed, ``NA`` for missing."""
    text = frame.astype(object).map(_cell)
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


#: Real PHS files bundled as the default (copied unchanged from the project's shared reference data).
REAL_FILES = {
    "incidence_5yr_comb_hb_2017-2021.csv": (
        "edc306eeab8f8aed1e758c9df5b2bd7036ccadd04e95cba83959bf009d121d23",
        "annual-cancer-incidence/resource/e8d33b2b-1fb2-4d59-ad21-20fa2f76d9d5",
        "Cancer incidence, 5-year summary 2017-2021 by NHS board (59 columns; sex written 'Females'; island "
        "boards grouped as GR0800001)."),
    "opendata_inc1620comb_hb_5_year_summary.csv": (
        "c0bab1aa19e46f3a99f36c1e61efa2997edc7a5d74f191fe62a62bb1964419da",
        "annual-cancer-incidence/resource/e8d33b2b-1fb2-4d59-ad21-20fa2f76d9d5",
        "Cancer incidence, 5-year summary 2016-2020 by NHS board (59 columns)."),
    "opendata_inc9721_scotland.csv": (
        "746c3b136bf0da4f07dc38d15bf15a74dce4edabb69c67e08d9b8001e94358b9",
        "annual-cancer-incidence/resource/72c852b8-ee28-4fd8-84a9-5f415f4bc325",
        "Annual cancer incidence for Scotland, 1997-2021 (60 columns; bands to 85To89 and 90AndOver; "
        "StandardisedIncidenceRatioQF)."),
}
REAL_ORIGIN = ("Downloaded from the Scottish Health and Social Care Open Data platform "
               "(https://www.opendata.nhs.scot/dataset/annual-cancer-incidence) and kept unmodified in the public "
               "repository fionacarson/cancer_incidence_nhs_borders (raw_data/); copied from the project's shared "
               "reference data (reference_data/phs_cancer_incidence/).")


def provenance() -> dict:
    """Return the provenance manifest of the bundled files: real incidence, synthetic mortality."""
    base = "https://www.opendata.nhs.scot/dataset"
    files: dict[str, dict[str, object]] = {
        name: {"synthetic": False, "url": f"{base}/{resource}", "origin": REAL_ORIGIN,
               "licence": "Open Government Licence v3.0 (Public Health Scotland)", "sha256": sha, "description": text}
        for name, (sha, resource, text) in REAL_FILES.items()}
    files[MORTALITY_FILE] = {
        "synthetic": True, "imitates_url": f"{base}/cancer-mortality/resource/eebc8f38-7297-4bdc-a417-69ce3e2e6d44",
        "licence": "Synthetic values made by this project (landscape_pipeline/sources/phs/sample.py); not official "
                   "statistics.",
        "description": "Cancer mortality by council area, 2019-2023, 32 council areas and Scotland (CAQF d), deaths "
                       "and rates by 19 age bands. Synthetic because no real council-area mortality file is bundled; "
                       "the layout follows public code reading the resource and is not verified against a download."}
    return {
        "source_id": "phs", "synthetic": False, "bundled_on": "2026-12-02", "publisher_url": "https://www.opendata.nhs.scot",
        "note": "Incidence files are real PHS open data, as published. Mortality by council area is synthetic (no real "
                "file bundled); its rows are marked synthetic.",
        "files": files,
    }


def write_incidence_samples(folder: Path) -> list[Path]:
    """Write synthetic annual incidence files (by board, and Scotland) in PHS's layout, e.g. for tests."""
    rng = np.random.default_rng(SEED)
    mortality_table(rng)  # the draws follow the mortality table's, as when all three were bundled
    by_board, scotland = incidence_tables(rng)
    paths = [folder / INCIDENCE_FILE, folder / SCOTLAND_FILE]
    for frame, path in zip((by_board, scotland), paths, strict=True):
        write_csv(frame, path)
    return paths


def main(folder: Path | None = None) -> list[Path]:
    """Write the bundled synthetic extract (mortality) and the manifest into ``folder`` (default data_sources/phs)."""
    folder = folder or data_sources_dir() / "phs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MORTALITY_FILE
    write_csv(mortality_table(np.random.default_rng(SEED)), path)
    (folder / "provenance.json").write_text(json.dumps(provenance(), indent=2) + "\n", encoding="utf-8")
    return [path]


if __name__ == "__main__":
    for written in main():
        print(written)
