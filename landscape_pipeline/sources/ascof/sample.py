"""Write the bundled SYNTHETIC ASCOF files in the publishers' exact layouts (seeded, reproducible).

No full real ASCOF CSV could be bundled, so three synthetic years are written:

* ``ascof-2022-23.csv``: earlier layout, 2014-15 framework codes (1A, 1B, 1D, 3D(1), 3D(2), and 3A
  "overall satisfaction", which the source must ignore);
* ``ascof-2023-24.csv``: earlier layout, objective-based codes (1A, 1B, 1D, 3A, 3B, and 2B, ignored);
* ``ascof-2024-25.csv``: the long CSV from 2024-25 (``ASCOF measure code``, no descriptions).

Every current council with adult social services responsibilities, the nine regions and England, with
Total/Male/Female/18-64/65 and over breakdowns and Outcome/Numerator/Denominator rows (the Total
numerator and denominator are the sums of the Male and Female ones). Region and
England values are the ratio of their councils' summed numerators and denominators. The Isles of
Scilly's carer measures are blank (as in the real Oflog excerpt) and the City of London's breakdowns
are marked ``[c]`` in 2024-25. Run ``python -m landscape_pipeline.sources.ascof.sample``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from landscape_pipeline import geography, paths

SEED = 20260116
DISAGGREGATIONS = ("Total", "Male", "Female", "18-64", "65 and over")
LONG_DISAGGREGATIONS = ("Total", "Male", "Female", "18 to 64", "65 and over")
# measure -> (mean, spread, kind, old code, new code, description)
SPECS = {
    "scrqol": (19.0, 0.5, "score", "1A", "1A", "Social care-related quality of life score"),
    "control": (77.0, 3.0, "pct", "1B", "1B",
                "The proportion of people who use services who have control over their daily life"),
    "carer_qol": (7.3, 0.35, "score", "1D", "1D", "Carer-reported quality of life score"),
    "info_users": (67.0, 4.0, "pct", "3D(1)", "3A",
                   "The proportion of people who use services who find it easy to find information about support"),
    "info_carers": (57.0, 5.0, "pct", "3D(2)", "3B",
                    "The proportion of carers who find it easy to find information about support"),
}
IGNORED = {  # measures the source does not keep, by year: (code, description, mean)
    2022: ("3A", "Overall satisfaction of people who use services with their care and support", 62.0),
    2023: ("2B", "Long-term support needs of younger adults (aged 18-64) met by admission to residential and "
                 "nursing care homes, per 100,000 population", 14.0),
    2024: ("2B", "", 14.0),
}
SCILLY, CITY = "E06000053", "E09000001"
EARLIER_HEADER = ["Geographical Description", "Geographical Level", "ONS Code", "Measure Group",
                  "Measure Group Description", "Disaggregation Level", "Measure Type", "Measure_Value"]
LONG_HEADER = ["Geographical code", "Geographical description", "Geographical level", "ONS code",
               "ASCOF measure code", "Disaggregation level", "Measure type", "Measure value"]


def councils() -> list[geography.LocalAuthority]:
    """Return the current English councils with adult social services responsibilities (not districts)."""
    return [la for la in geography.current_local_authorities()
            if la.nation_code == geography.ENGLAND and la.tier != "lower"]


def _council_values(rng: np.random.Generator, n: int, year: int) -> dict[str, dict[str, np.ndarray]]:
    """Return per measure and breakdown: numerator and denominator arrays over councils."""
    out: dict[str, dict[str, np.ndarray]] = {}
    size = rng.integers(1_500, 25_000, n).astype(float)
    drift = (year - 2022) * 0.2
    for measure, (mean, spread, kind, *_rest) in SPECS.items():
        base = rng.normal(mean + (drift if kind == "score" else drift * 2), spread, n)
        per: dict[str, np.ndarray] = {}
        for label in DISAGGREGATIONS:
            shift = {"Total": 0.0, "Male": 0.4, "Female": -0.3, "18-64": -0.6, "65 and over": 0.5}[label]
            value = base + shift * spread + rng.normal(0, spread / 4, n)
            share = {"Total": 1.0, "Male": 0.42, "Female": 0.58, "18-64": 0.35, "65 and over": 0.65}[label]
            if kind == "score":
                denominator = np.round(rng.integers(250, 450, n) * share)
                numerator = np.round(value * denominator)
            else:
                denominator = np.round(size * share)
                numerator = np.round(np.clip(value, 1, 99) / 100 * denominator)
            per[label] = np.stack([numerator, denominator])
        per["Total"] = per["Male"] + per["Female"]  # persons are the two sexes: counts add up, as published
        out[measure] = per
    return out


def _rows_for_year(year: int) -> list[dict[str, str]]:
    """Return one year's records (area, level, code, description, breakdown, type, value text)."""
    rng = np.random.default_rng(SEED + year)
    las = councils()
    values = _council_values(rng, len(las), year)
    areas = [(la.area_code, la.area_name, "Council", [i]) for i, la in enumerate(las)]
    for region in sorted({la.region_code for la in las if la.region_code}):
        members = [i for i, la in enumerate(las) if la.region_code == region]
        areas.append((region, geography.area_name(region), "Region", members))
    areas.append((geography.ENGLAND, "England", "England", list(range(len(las)))))
    records = []
    for code, name, level, members in areas:
        for measure, (_m, _s, kind, old, new, description) in SPECS.items():
            for index, label in enumerate(DISAGGREGATIONS):
                num, den = (values[measure][label][k][members].sum() for k in (0, 1))
                outcome = num / den if kind == "score" else num / den * 100
                cells = {"Outcome": f"{outcome:.1f}", "Numerator": f"{num:.0f}", "Denominator": f"{den:.0f}"}
                if code == SCILLY and measure.startswith(("carer", "info_carers")):
                    cells = dict.fromkeys(cells, "")
                if code == CITY and year >= 2024 and label != "Total":
                    cells = dict.fromkeys(cells, "[c]")
                for mtype, text in cells.items():
                    records.append({"code": code, "name": name, "level": level,
                                    "measure": old if year < 2023 else new, "description": description,
                                    "label": label if year < 2024 else LONG_DISAGGREGATIONS[index],
                                    "type": mtype, "value": text})
        other, text, mean = IGNORED[year]
        records.append({"code": code, "name": name, "level": level, "measure": other, "description": text,
                        "label": "Total", "type": "Outcome", "value": f"{rng.normal(mean, 2):.1f}"})
    return records


def write_earlier(path: Path, year: int) -> Path:
    """Write one year in the earlier layout (Measure Group, Measure Group Description, Measure_Value)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EARLIER_HEADER)
        for r in _rows_for_year(year):
            writer.writerow([r["name"], r["level"], r["code"], r["measure"], r["description"], r["label"], r["type"],
                             r["value"]])
    return path


def write_long(path: Path, year: int) -> Path:
    """Write one year in the long layout published from 2024-25 (ASCOF measure code, Measure value)."""
    level = {"Council": "Local authority", "Region": "Regional", "England": "England"}
    cassr = {la.area_code: str(100 + i * 3) for i, la in enumerate(councils())}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LONG_HEADER)
        for r in _rows_for_year(year):
            geo = "England" if r["level"] == "England" else cassr.get(r["code"], r["code"][-3:])
            writer.writerow([geo, r["name"], level[r["level"]], r["code"], r["measure"], r["label"], r["type"],
                             r["value"]])
    return path


def write_all(folder: Path | None = None) -> list[Path]:
    """Write the three bundled years into ``data_sources/ascof``; return their paths."""
    folder = folder or paths.data_sources_dir() / "ascof"
    folder.mkdir(parents=True, exist_ok=True)
    return [write_earlier(folder / "ascof-2022-23.csv", 2022), write_earlier(folder / "ascof-2023-24.csv", 2023),
            write_long(folder / "ascof-2024-25.csv", 2024)]


if __name__ == "__main__":  # pragma: no cover
    for written in write_all():
        print(written)
