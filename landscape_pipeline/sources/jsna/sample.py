"""Write the synthetic example extracts of ``data_sources/jsna/`` (seeded, so the same bytes every run).

Four invented files in layouts councils and partnerships really use (the fifth example, Trafford's
ward file, is real and is not generated):

* ``west_sussex_screening/``: an LA-level JSNA extract in the West Sussex JSNA's Fingertips re-export
  layout (``ID, Indicator_Name, Area_Code, Area_Name, Type, Period, Value, Lower_CI, Upper_CI,
  Numerator, Compared_to_eng, Note``), bowel and breast screening coverage;
* ``greater_manchester_registrations/``: a wide Excel sheet with title rows, years across, tokens;
* ``monitoring_returns/``: a local monitoring return in the shipped template's layout;
* ``lived_experience_survey_2025/``: aggregated results of a lived-experience survey of people living
  with cancer and carers (% agreeing and respondents per question and council area).

Run ``python -m landscape_pipeline.sources.jsna.sample [DATA_SOURCES]``. Mapping files are written by
hand (the monitoring one is the template's), so this writes only data files.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, paths, stats
from landscape_pipeline.monitoring import COLUMNS, TEMPLATE_DIR, TEMPLATE_FILE
from landscape_pipeline.sites import read_sites
from landscape_pipeline.sources.jsna.xlsx import write_xlsx

WEST_SUSSEX = {"E07000223": 64_000, "E07000224": 164_000, "E07000225": 124_000, "E07000226": 118_000,
               "E07000227": 146_000, "E07000228": 152_000, "E07000229": 111_000}
GREATER_MANCHESTER = {"E08000001": 296_000, "E08000002": 193_000, "E08000003": 568_000, "E08000004": 242_000,
                      "E08000005": 223_000, "E08000006": 270_000, "E08000007": 294_000, "E08000008": 231_000,
                      "E08000009": 235_000, "E08000010": 330_000}
SCREENING = {"91720": ("Cancer screening coverage: bowel cancer", 0.18, 0.70),
             "22001": ("Cancer screening coverage: breast cancer", 0.12, 0.72)}


def screening_extract(rng: np.random.Generator) -> pd.DataFrame:
    """Return the West Sussex-style re-export: two indicators x 3 years x 7 districts, county and England."""
    rows = []
    for indicator, (name, eligible, rate) in SCREENING.items():
        for year in (2021, 2022, 2023):
            districts = {code: (int(pop * eligible), rate + rng.normal(0, 0.025)) for code, pop in WEST_SUSSEX.items()}
            counts = {code: (n, int(rng.binomial(n, p))) for code, (n, p) in districts.items()}
            county = (sum(n for n, _ in counts.values()), sum(k for _, k in counts.values()))
            england = (int(56_000_000 * eligible), int(56_000_000 * eligible * (rate - 0.005)))
            areas = [*((c, "District & UA", n, k) for c, (n, k) in counts.items()),
                     ("E10000032", "County & UA", *county), ("E92000001", "England", *england)]
            for code, kind, n, k in areas:
                rows.append({"ID": indicator, "Indicator_Name": name, "Area_Code": code,
                             "Area_Name": geography.area_name(code), "Type": kind, "Period": str(year),
                             "Numerator": k, "_denominator": n})
    frame = pd.DataFrame(rows)
    frame = stats.proportion_frame(frame, "Numerator", "_denominator", multiplier=100)
    england = frame[frame["Area_Code"].eq("E92000001")].set_index(["ID", "Period"])["value"]
    benchmark = frame.set_index(["ID", "Period"]).index.map(england)
    frame["Compared_to_eng"] = stats.compare_frame(frame["value"], frame["lower_ci_95"], frame["upper_ci_95"],
                                                   np.asarray(benchmark, dtype=float), "High is good")
    frame.loc[frame["Area_Code"].eq("E92000001"), "Compared_to_eng"] = ""
    out = frame.rename(columns={"value": "Value", "lower_ci_95": "Lower_CI", "upper_ci_95": "Upper_CI"})
    out[["Value", "Lower_CI", "Upper_CI"]] = out[["Value", "Lower_CI", "Upper_CI"]].round(1)
    out["Note"] = ""
    return out[["ID", "Indicator_Name", "Area_Code", "Area_Name", "Type", "Period", "Value", "Lower_CI", "Upper_CI",
                "Numerator", "Compared_to_eng", "Note"]]


def registrations_sheet(rng: np.random.Generator) -> list[list[object]]:
    """Return the wide sheet: title rows, a blank row, a header of years, one row per LA, tokens in two cells."""
    years = list(range(2017, 2022))
    grid: list[list[object]] = [
        ["Table 2: New cancer registrations by local authority of residence, Greater Manchester, 2017 to 2021"],
        ["Synthetic example data for landscape_pipeline (not official statistics). [c] = withheld, .. = not available"],
        [],
        ["Area code", "Area name", *years],
    ]
    for code, population in GREATER_MANCHESTER.items():
        grid.append([code, geography.area_name(code), *(int(rng.poisson(population * 0.0056)) for _ in years)])
    grid[5][6] = ".."   # Bury 2019 not available
    grid[9][2] = "[c]"  # Salford 2017 withheld
    return grid


def monitoring_return(rng: np.random.Generator, data_sources: Path) -> pd.DataFrame:
    """Return a monitoring return: every site x 2 services x 4 tumour groups x 6 months of 2025."""
    services = ("Cancer care coordinator", "Information and support centre")
    tumours = ("Breast", "Colorectal", "Lung", "Other")
    months = [f"2025-{m:02d}" for m in range(4, 10)]
    rows = []
    for site in read_sites(data_sources / "sites.yaml").sites:
        size = rng.uniform(4, 16)
        for service in services:
            for tumour in tumours:
                for month in months:
                    offered = int(rng.poisson(size))
                    completed = int(rng.binomial(offered, 0.75))
                    concerns = {f"concerns_{d}": int(rng.poisson(completed * r)) for d, r in
                                (("physical", 1.6), ("emotional", 1.2), ("practical", 0.9), ("family", 0.5),
                                 ("spiritual", 0.1), ("lifestyle", 0.6))}
                    rows.append({"site": site.name, "la_code": site.la_codes[0] if site.id == "glasgow" else "",
                                 "service": service, "tumour_group": tumour, "month": month,
                                 "hnas_offered": offered, "hnas_completed": completed,
                                 "care_plans_completed": int(rng.binomial(completed, 0.8)), **concerns,
                                 "referrals_made": int(rng.binomial(completed, 0.4)),
                                 "people_supported": offered + int(rng.poisson(3))})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["concerns_spiritual"] = frame["concerns_spiritual"].astype(object)
    frame.loc[2, "concerns_spiritual"] = ""  # one cell left blank by a site: that total is not computed
    return frame


LIVED_EXPERIENCE = {"S12000042": ("Dundee City", 140), "S12000047": ("Fife", 210), "S12000049": ("Glasgow City", 260)}
LIVED_QUESTIONS = (("I was given enough information about my diagnosis and treatment", 0.74, 1.0),
                   ("I knew who to contact with questions about my care", 0.81, 1.0),
                   ("Support for carers was available when it was needed", 0.48, 0.45),
                   ("Cancer has affected my ability to work, study or care for others", 0.57, 0.85))


def lived_experience_survey(rng: np.random.Generator) -> pd.DataFrame:
    """Return an aggregated lived-experience survey: % agreeing and respondents per question and council area."""
    rows = []
    for code, (name, size) in LIVED_EXPERIENCE.items():
        for question, share, answering in LIVED_QUESTIONS:
            respondents = int(rng.binomial(size, answering))
            agree = rng.binomial(respondents, float(np.clip(share + rng.normal(0, 0.05), 0.02, 0.98)))
            rows.append({"Council area code": code, "Council area": name, "Question": question,
                         "Respondents": respondents, "Agree (%)": round(100 * agree / respondents, 1)})
    return pd.DataFrame(rows)


def write_samples(data_sources: Path | None = None) -> list[Path]:
    """Write the four synthetic example data files under ``data_sources/jsna``; return their paths."""
    root = Path(data_sources or paths.data_sources_dir())
    rng = np.random.default_rng(20261202)
    jsna = root / "jsna"
    written = []
    path = jsna / "west_sussex_screening" / "jsna_cancer_screening_extract.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    screening_extract(rng).to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    written.append(write_xlsx(jsna / "greater_manchester_registrations" / "cancer_registrations_gm.xlsx",
                              registrations_sheet(rng), sheet="Table 2"))
    folder = jsna / "monitoring_returns"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TEMPLATE_FILE
    monitoring_return(rng, root).to_csv(path, index=False, lineterminator="\n")
    shutil.copyfile(TEMPLATE_DIR / "mapping.yaml", folder / "mapping.yaml")
    written += [path, folder / "mapping.yaml"]
    path = jsna / "lived_experience_survey_2025" / "lived_experience_survey_2025.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lived_experience_survey(np.random.default_rng(2025)).to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    for written_path in write_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(written_path)
