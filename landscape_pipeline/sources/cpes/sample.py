"""Deterministic generator of the bundled CPES data tables (synthetic values, realistic layout).

Writes ``data_sources/cpes/cpes_<year>_data_tables.csv`` for the 2021, 2022 and 2023 surveys: one row
per organisation x scored question, for the national result, the 21 Cancer Alliances, the 42 ICBs
(real codes) and a selection of acute trusts (real ODS codes). Layout (Windows-1252, as saved from
Excel): ``Survey Year, Level, Organisation Code, ONS Code, Organisation Name, Question Number,
Question Text, Number of responses`` (thousands separators, quoted), ``scored percentage`` (the
0-10 mean for the overall rating), ``Lower/Upper 95% confidence interval, Expected Range
(lower)/(upper)`` (blank for the national row), ``Case-mix adjusted`` (Yes/No). Results based on
fewer than 21 respondents are ``*``. Question numbers follow :mod:`.questions` for each year.

Also writes ``data_sources/cpes/fixtures/cpes_2023_data_tables_renumbered.csv``: the 2023 table with
a new question inserted after Q32, shifting later numbers - ``landscape validate`` must reject it,
naming the unmapped question. Run ``python -m landscape_pipeline.sources.cpes.sample``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.geography.nhs import la_populations, nhs_areas_of_las, short_icb_name
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.cpes.questions import IGNORED, QUESTION_MAP
from landscape_pipeline.stats import proportion

SEED = 20230720
YEARS = (2021, 2022, 2023)
HEADER = ("Survey Year", "Level", "Organisation Code", "ONS Code", "Organisation Name", "Question Number",
          "Question Text", "Number of responses", "scored percentage", "Lower 95% confidence interval",
          "Upper 95% confidence interval", "Expected Range (lower)", "Expected Range (upper)", "Case-mix adjusted")
ENCODING = "cp1252"
SUPPRESS_BELOW = 21
RESPONDENTS = {2021: 59_352, 2022: 61_268, 2023: 63_438}
#: Question text by stable key (ignored questions keyed by a short tag), national level and answer share.
QUESTIONS = {
    "test_information": ("Beforehand, did you have all the information you needed about your test?", 95.6, 0.92),
    "cpes_diagnosis_explained_understandably": (
        "Was your diagnosis explained to you in a way you could completely understand?", 74.0, 0.97),
    "family_member": ("When you were told you had cancer, had you been told you could bring a family member or "
                      "friend with you?", 79.2, 0.80),
    "cpes_involved_in_treatment_decisions": (
        "Were you involved as much as you wanted to be in decisions about your treatment?", 81.1, 0.95),
    "side_effects": ("Were you told about any side effects of the treatment that could affect you in the "
                     "future?", 56.0, 0.88),
    "cpes_given_name_of_main_contact": (
        "Were you given the name of a main contact, such as a Clinical Nurse Specialist, who would support you "
        "through your treatment?", 91.5, 0.97),
    "cpes_offered_care_plan": ("Have you been offered a care plan?", 33.6, 0.83),
    "preferred_name": ("Did the hospital staff ask you what name you prefer to be called by?", 68.5, 0.60),
    "cpes_able_to_discuss_worries_or_fears": (
        "Were you able to discuss any worries or fears with hospital staff while you were being treated?",
        71.5, 0.62),
    "cpes_treated_with_respect_and_dignity": (
        "Overall, were you treated with respect and dignity while you were in hospital?", 87.3, 0.65),
    "cpes_support_from_health_or_social_services_after_treatment": (
        "After treatment, were you given enough support from health or social services?", 52.8, 0.35),
    "research": ("Has anyone discussed with you whether you would like to take part in cancer research?",
                 43.9, 0.90),
    "cpes_gp_practice_support": (
        "Did your GP practice do everything they could to support you while you were having cancer "
        "treatment?", 61.3, 0.58),
    "team_work": ("Did the whole care team work well together to give you the best possible care?", 88.4, 0.97),
    "cpes_overall_rating_of_care": ("Overall, how would you rate your care? (0 \u2013 very poor, 10 \u2013 "
                                    "very good)", 8.88, 0.98),
}
#: Question keys in questionnaire order (ignored ones by tag), matching QUESTION_MAP's numbering.
ORDER = tuple(QUESTIONS)
NEW_QUESTION = ("Were you given information about financial help or benefits you might be entitled to?", 62.0)
ALLIANCE_OF_ICB = {
    "E54000050": "Northern", "E54000048": "Lancashire and South Cumbria", "E54000057": "Greater Manchester",
    "E54000008": "Cheshire and Merseyside", "E54000051": "Humber and North Yorkshire",
    "E54000054": "West Yorkshire and Harrogate", "E54000061": "South Yorkshire and Bassetlaw",
    **dict.fromkeys(("E54000013", "E54000059", "E54000015", "E54000058", "E54000060"), "East Midlands"),
    **dict.fromkeys(("E54000010", "E54000011", "E54000018", "E54000019", "E54000055", "E54000062"),
                    "West Midlands"),
    **dict.fromkeys(("E54000024", "E54000025", "E54000026"), "East of England - South"),
    **dict.fromkeys(("E54000056", "E54000023", "E54000022"), "East of England - North"),
    "E54000028": "North Central London", "E54000029": "North East London",
    **dict.fromkeys(("E54000027", "E54000031"), "RM Partners West London"), "E54000030": "South East London",
    "E54000032": "Kent and Medway", **dict.fromkeys(("E54000053", "E54000052", "E54000034"), "Surrey and Sussex"),
    **dict.fromkeys(("E54000042", "E54000041"), "Wessex"), "E54000044": "Thames Valley",
    **dict.fromkeys(("E54000039", "E54000040", "E54000043", "E54000038"),
                    "Somerset, Wiltshire, Avon and Gloucestershire"),
    **dict.fromkeys(("E54000036", "E54000037"), "Peninsula"),
}
TRUSTS = (  # ODS code, name, ICB (E54), relative size
    ("RKB", "University Hospitals Coventry and Warwickshire NHS Trust", "E54000018", 1.2),
    ("RJC", "South Warwickshire University NHS Foundation Trust", "E54000018", 0.5),
    ("RLT", "George Eliot Hospital NHS Trust", "E54000018", 0.3),
    ("RRK", "University Hospitals Birmingham NHS Foundation Trust", "E54000055", 2.2),
    ("RL4", "The Royal Wolverhampton NHS Trust", "E54000062", 0.9),
    ("RXW", "The Shrewsbury and Telford Hospital NHS Trust", "E54000011", 0.8),
    ("RWP", "Worcestershire Acute Hospitals NHS Trust", "E54000019", 0.9),
    ("RWE", "University Hospitals of Leicester NHS Trust", "E54000015", 1.5),
    ("RX1", "Nottingham University Hospitals NHS Trust", "E54000060", 1.5),
    ("RTD", "The Newcastle upon Tyne Hospitals NHS Foundation Trust", "E54000050", 1.6),
    ("RTR", "South Tees Hospitals NHS Foundation Trust", "E54000050", 0.9),
    ("RBV", "The Christie NHS Foundation Trust", "E54000057", 1.8),
    ("R0A", "Manchester University NHS Foundation Trust", "E54000057", 1.4),
    ("REN", "The Clatterbridge Cancer Centre NHS Foundation Trust", "E54000008", 1.3),
    ("RXN", "Lancashire Teaching Hospitals NHS Foundation Trust", "E54000048", 1.0),
    ("RR8", "Leeds Teaching Hospitals NHS Trust", "E54000054", 1.7),
    ("RHQ", "Sheffield Teaching Hospitals NHS Foundation Trust", "E54000061", 1.4),
    ("RWA", "Hull University Teaching Hospitals NHS Trust", "E54000051", 1.0),
    ("RGT", "Cambridge University Hospitals NHS Foundation Trust", "E54000056", 1.3),
    ("RM1", "Norfolk and Norwich University Hospitals NHS Foundation Trust", "E54000022", 1.2),
    ("RDE", "East Suffolk and North Essex NHS Foundation Trust", "E54000023", 1.2),
    ("RAJ", "Mid and South Essex NHS Foundation Trust", "E54000026", 1.6),
    ("RRV", "University College London Hospitals NHS Foundation Trust", "E54000028", 1.5),
    ("RP6", "Moorfields Eye Hospital NHS Foundation Trust", "E54000028", 0.012),
    ("RJ1", "Guy\u2019s and St Thomas\u2019 NHS Foundation Trust", "E54000030", 1.7),
    ("RJZ", "King\u2019s College Hospital NHS Foundation Trust", "E54000030", 1.0),
    ("RPY", "The Royal Marsden NHS Foundation Trust", "E54000031", 1.9),
    ("RTH", "Oxford University Hospitals NHS Foundation Trust", "E54000044", 1.5),
    ("RHM", "University Hospital Southampton NHS Foundation Trust", "E54000042", 1.3),
    ("RA7", "University Hospitals Bristol and Weston NHS Foundation Trust", "E54000039", 1.1),
    ("RH8", "Royal Devon University Healthcare NHS Foundation Trust", "E54000037", 1.2),
    ("RK9", "University Hospitals Plymouth NHS Trust", "E54000037", 0.9),
    ("RWF", "Maidstone and Tunbridge Wells NHS Trust", "E54000032", 1.1),
    ("RXH", "University Hospitals Sussex NHS Foundation Trust", "E54000053", 1.4),
    ("RDU", "Frimley Health NHS Foundation Trust", "E54000034", 1.1),
    ("RN3", "Great Western Hospitals NHS Foundation Trust", "E54000040", 0.6),
)


def _numbers_for_year(year: int) -> dict[str, str]:
    """Return question key -> question number for ``year`` (ignored questions matched by position)."""
    numbers = list(QUESTION_MAP[year])
    if len(numbers) != len(ORDER):
        raise AssertionError(f"QUESTION_MAP[{year}] has {len(numbers)} questions; the sample has {len(ORDER)}")
    for number, key in zip(numbers, ORDER, strict=True):
        mapped = QUESTION_MAP[year][number]
        if mapped != IGNORED and mapped != key:
            raise AssertionError(f"{year} {number} maps to {mapped}, the sample's question there is {key}")
    return dict(zip(ORDER, numbers, strict=True))


def _organisations() -> pd.DataFrame:
    """Return national, alliance, ICB and trust organisations with their share of national respondents."""
    icbs = nhs_areas_of_las("2023-07-01", "icb")
    pops = la_populations("2023-07-01")
    lower = icbs[icbs["la_code"].str[:3] != "E10"]
    icb_pop = lower.groupby(["nhs_code", "nhs_ods_code", "nhs_name"])["population"].sum().reset_index()
    icb_pop["share"] = icb_pop["population"] / pops[~pops.index.str.startswith("E10")].sum()
    rows = [{"Level": "National", "code": "", "ons": "E92000001", "name": "England", "share": 1.0, "icb": None}]
    rows += [{"Level": "ICB", "code": r.nhs_ods_code, "ons": r.nhs_code, "name": short_icb_name(r.nhs_name),
              "share": r.share, "icb": r.nhs_code} for r in icb_pop.itertuples()]
    alliance = icb_pop.assign(alliance=icb_pop["nhs_code"].map(ALLIANCE_OF_ICB)).groupby("alliance")["share"].sum()
    rows += [{"Level": "Cancer Alliance", "code": "", "ons": "", "name": name, "share": share, "icb": None}
             for name, share in alliance.items()]
    rows += [{"Level": "Trust", "code": code, "ons": "", "name": name, "share": size / 42, "icb": icb}
             for code, name, icb, size in TRUSTS]
    return pd.DataFrame(rows)


def _fmt(values: np.ndarray, digits: int) -> list[str]:
    return [f"{v:.{digits}f}" for v in values]


def build_year(year: int, rng: np.random.Generator, orgs: pd.DataFrame, effects: np.ndarray) -> pd.DataFrame:
    """Return one survey year's data table."""
    numbers = _numbers_for_year(year)
    drift = {2021: -0.6, 2022: 0.0, 2023: 0.3}[year]
    parts = []
    for key in ORDER:
        text, level, answered = QUESTIONS[key]
        is_score = key == "cpes_overall_rating_of_care"
        n = np.maximum(3, np.round(RESPONDENTS[year] * answered * orgs["share"].to_numpy()
                                   * rng.normal(1, 0.04, len(orgs)))).astype(int)
        n[0] = round(RESPONDENTS[year] * answered)
        national = level + (drift / 20 if is_score else drift) + rng.normal(0, 0.05 if is_score else 0.4)
        spread = 0.12 if is_score else 3.0
        value = national + effects * spread + rng.normal(0, spread / 3, len(orgs)) / np.sqrt(np.maximum(n, 1) / 400)
        value[0] = national
        if is_score:
            value = np.clip(value, 7.5, 9.8)
            half = 1.96 * 1.55 / np.sqrt(n)
            lower, upper = value - half, value + half
            er_half = 1.96 * 1.55 / np.sqrt(n) * 1.15
            digits = 2
        else:
            value = np.clip(value, 5, 99.5)
            ci = proportion(value / 100 * n, n)
            lower, upper = ci.lower * 100, ci.upper * 100
            er_half = 1.96 * np.sqrt(national * (100 - national) / n) * 1.15
            digits = 1
        er_low, er_high = national - er_half, national + er_half
        suppressed = n < SUPPRESS_BELOW
        table = pd.DataFrame({
            "Survey Year": year, "Level": orgs["Level"], "Organisation Code": orgs["code"], "ONS Code": orgs["ons"],
            "Organisation Name": orgs["name"], "Question Number": numbers[key], "Question Text": text,
            "Number of responses": [f"{v:,}" for v in n], "scored percentage": _fmt(value, digits),
            "Lower 95% confidence interval": _fmt(lower, digits), "Upper 95% confidence interval": _fmt(upper, digits),
            "Expected Range (lower)": _fmt(er_low, digits), "Expected Range (upper)": _fmt(er_high, digits),
            "Case-mix adjusted": np.where(orgs["Level"].eq("National"), "No", "Yes"),
        })
        table.loc[0, ["Expected Range (lower)", "Expected Range (upper)"]] = ""
        for column in HEADER[8:13]:
            table.loc[suppressed, column] = "*"
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    order = out["Level"].map({"National": 0, "Cancer Alliance": 1, "ICB": 2, "Trust": 3})
    question = out["Question Number"].str[1:].astype(int)
    return out.assign(_o=order, _q=question).sort_values(["_o", "Organisation Name", "_q"], kind="stable") \
        .drop(columns=["_o", "_q"]).reset_index(drop=True)


def renumbered(table: pd.DataFrame, after: int = 32) -> pd.DataFrame:
    """Return ``table`` with a new question inserted after Q``after`` and later questions renumbered."""
    number = table["Question Number"].str[1:].astype(int)
    out = table.assign(**{"Question Number": np.where(number > after, "Q" + (number + 1).astype(str),
                                                      table["Question Number"])})
    inserted = table[number == after].copy()
    inserted["Question Number"] = f"Q{after + 1}"
    inserted["Question Text"] = NEW_QUESTION[0]
    inserted["scored percentage"] = _fmt(np.full(len(inserted), NEW_QUESTION[1]), 1)
    inserted.loc[table.loc[number == after, "scored percentage"].eq("*").to_numpy(), "scored percentage"] = "*"
    merged = pd.concat([out, inserted])
    key = merged["Question Number"].str[1:].astype(int)
    order = merged["Level"].map({"National": 0, "Cancer Alliance": 1, "ICB": 2, "Trust": 3})
    return merged.assign(_o=order, _q=key).sort_values(["_o", "Organisation Name", "_q"], kind="stable") \
        .drop(columns=["_o", "_q"]).reset_index(drop=True)


def build(seed: int = SEED) -> dict[int, pd.DataFrame]:
    """Return the data table of every sample year."""
    rng = np.random.default_rng(seed)
    orgs = _organisations()
    effects = rng.normal(0, 1, len(orgs))  # persistent organisation effects, so years correlate
    effects[0] = 0.0
    return {year: build_year(year, rng, orgs, effects) for year in YEARS}


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write one data table as Excel saves CSV: Windows-1252, CRLF, minimal quoting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, encoding=ENCODING, lineterminator="\r\n")
    return path


def write(folder: Path | None = None, seed: int = SEED) -> list[Path]:
    """Write the sample tables and the renumbered fixture; return their paths."""
    folder = folder or data_sources_dir() / "cpes"
    tables = build(seed)
    written = [write_table(table, folder / f"cpes_{year}_data_tables.csv") for year, table in tables.items()]
    written.append(write_table(renumbered(tables[2023]), folder / "fixtures" / "cpes_2023_data_tables_renumbered.csv"))
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: rewrite the bundled sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default data_sources/cpes)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in write(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
