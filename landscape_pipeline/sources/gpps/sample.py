"""Write the bundled SYNTHETIC GP Patient Survey practice files (seeded, reproducible).

No real GPPS practice CSV could be bundled (each is ~6,500 practices x ~1,000 columns), so three survey
years are written in the publisher's layout: 2023 (2018-2023 questionnaire) and 2024 and 2025 (the new
questionnaire), with the question numbers of :mod:`.questions`. Practices are those of the GP
registration extract bundled with ``qof_prevalence`` that the parser's rule picks for each survey (the
nearest within the limit, :mod:`landscape_pipeline.sources.qof_prevalence.extracts`; the same
registrations weight the results), plus three surveyed practices that are in no extract. Results are fractions
(0.8512) like the publisher's; practices with fewer than 10 respondents to a question have ``*``
instead. An unmapped question (Q18) is included and must be ignored.
Run ``python -m landscape_pipeline.sources.gpps.sample``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import paths
from landscape_pipeline.geography.lsoa import la_of_lsoas
from landscape_pipeline.sources.gpps.questions import QUESTION_MAP, QUESTIONS
from landscape_pipeline.sources.gpps.weights import shared_registration_files, survey_target
from landscape_pipeline.sources.qof_prevalence.extracts import DEFAULT_MAX_YEARS, choose_extract
from landscape_pipeline.sources.qof_prevalence.registrations import read_registrations

SEED = 20240711
YEARS = (2023, 2024, 2025)
# indicator stem -> (mean share positive, spread between LAs, spread between practices)
LEVELS = {"overall_experience_good": (0.74, 0.05, 0.09), "phone_access_easy": (0.50, 0.08, 0.15),
          "ltc_support_enough": (0.70, 0.04, 0.08), "ltc_confident_managing": (0.86, 0.03, 0.05)}
EXTRA = ("Y99901", "Y99902", "Y99903")


def _practices(year: int) -> pd.DataFrame:
    """Return the practices of the shared extract nearest to the survey (name, list size, main LSOA)."""
    extracts = [read_registrations(p) for p in shared_registration_files()]
    extract = choose_extract(survey_target(year), extracts, DEFAULT_MAX_YEARS)
    if extract is None:
        raise ValueError(f"No bundled registration extract lies within {DEFAULT_MAX_YEARS:g} years of the {year} "
                         "survey.")
    rows = extract.rows.groupby("practice_code", as_index=False)["patients"].sum()
    main = extract.rows.sort_values("patients").groupby("practice_code")["lsoa_code"].last()
    return rows.assign(main_lsoa=rows["practice_code"].map(main)).sort_values("practice_code").reset_index(drop=True)


def _header(year: int) -> list[str]:
    columns = ["Practice_Code", "Practice_Name", "ICS_Code", "ICS_Name", "PCN_Code", "PCN_Name", "distributed",
               "received", "resprate", "Q18base", "Q18_12", "Q18_12pct"]
    for m in QUESTION_MAP:
        if m.first_year <= year <= m.last_year:
            n, suffix = m.number, QUESTIONS[m.indicator_id].suffix
            columns += [f"Q{n}base", f"Q{n}_{suffix[:-3]}", f"Q{n}_{suffix}"]
    return columns


def write_year(path: Path, year: int, practices: pd.DataFrame) -> Path:
    """Write one survey year's practice file."""
    rng = np.random.default_rng(SEED + year)
    area = la_of_lsoas(practices["main_lsoa"]).fillna("none")  # practices in one LA share an area effect
    effects = {stem: dict(zip(area.unique(), rng.normal(0, spread, area.nunique()), strict=True))
               for stem, (_m, spread, _p) in LEVELS.items()}
    codes = [*practices["practice_code"], *EXTRA]
    sizes = [*practices["patients"], 6_000, 9_000, 4_000]
    areas = [*area, *(area.iloc[i] for i in range(3))]
    header = _header(year)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for code, size, where in zip(codes, sizes, areas, strict=True):
            distributed = int(min(max(size * 0.035, 120), 600))
            received = int(distributed * rng.uniform(0.2, 0.45))
            cells = {"Practice_Code": code, "Practice_Name": f"SYNTHETIC PRACTICE {code}", "ICS_Code": "QZZ",
                     "ICS_Name": "Synthetic Integrated Care System", "PCN_Code": f"U{where[-5:]}",
                     "PCN_Name": "Synthetic PCN", "distributed": distributed, "received": received,
                     "resprate": f"{received / distributed:.6f}"}
            for column in header[9:]:
                if not column.endswith("base"):
                    continue
                n = column[1:-4]
                stem = next((m.indicator_id.removeprefix("gpps_").removesuffix("_to2023") for m in QUESTION_MAP
                             if m.number == int(n) and m.first_year <= year <= m.last_year), None)
                mean, _s, spread = LEVELS.get(stem, (0.6, 0.0, 0.1))
                share = float(np.clip(mean + effects.get(stem, {}).get(where, 0) + rng.normal(0, spread), 0.02, 1))
                base = int(received * (0.35 if stem and stem.startswith("ltc") else 0.97) * rng.uniform(0.8, 1.0))
                if code == "Y99902":
                    base = 0
                positive = round(base * share)
                cells[column] = base
                cells[f"Q{n}_12"] = positive if base >= 10 else "*"
                cells[f"Q{n}_12pct"] = f"{positive / base:.6f}" if base >= 10 else "*"
            writer.writerow([cells.get(c, "") for c in header])
    return path


def write_all(folder: Path | None = None) -> list[Path]:
    """Write the three survey years into ``data_sources/gpps``; return their paths."""
    folder = folder or paths.data_sources_dir() / "gpps"
    folder.mkdir(parents=True, exist_ok=True)
    return [write_year(folder / f"GPPS_{year}_Practice_data_(weighted)_(csv)_PUBLIC.csv", year, _practices(year))
            for year in YEARS]


if __name__ == "__main__":  # pragma: no cover
    for written in write_all():
        print(written)
