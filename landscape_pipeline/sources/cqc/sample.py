"""Write the bundled SYNTHETIC CQC snapshots and postcode lookup (seeded, reproducible).

No real HSCA Active Locations file could be bundled (each is ~50,000 rows), so three monthly snapshots
(September, October and November 2026) are written in the sheet's exact 119-column layout
(:mod:`.layout`) as .ods, like CQC's own: about 25 locations per English district or unitary
authority (care homes with and without nursing, home care agencies, hospices, GP practices, and
dentists and independent clinics the source must not count). Between months about 1% of locations
close, 1% open and 3% get a new rating, so change shows. Postcodes use the non-existent postcode area
``ZX`` and are placed by a synthetic lookup in the ONS "postcode to OA/LSOA/MSOA/LAD" layout
(``data_sources/geography/postcode_to_la_sample.csv``); two locations per month carry the pseudo
postcode ``ZZ99 3VZ`` and cannot be placed. ``Location Local Authority`` (a name) is filled in but,
for one location in fifty, names a neighbouring authority, as stale addresses do: the parser must
place by postcode. Run ``python -m landscape_pipeline.sources.cqc.sample``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, paths
from landscape_pipeline.geography.postcodes import POSTCODE_SAMPLE_FILE
from landscape_pipeline.sources.cqc.layout import header
from landscape_pipeline.sources.cqc.ods import write_ods

SEED = 20261101
MONTHS = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"))
UNPLACEABLE = "ZZ99 3VZ"
# kind -> (sector, directorate, primary inspection category, service type, rating weights O/G/RI/I/not yet)
KINDS = {
    "care_home_nursing": ("Social Care Org", "Adult social care", "Residential social care",
                          "Care home service with nursing", (0.03, 0.68, 0.22, 0.03, 0.04)),
    "care_home": ("Social Care Org", "Adult social care", "Residential social care",
                  "Care home service without nursing", (0.05, 0.74, 0.15, 0.01, 0.05)),
    "home_care": ("Social Care Org", "Adult social care", "Community based adult social care services",
                  "Domiciliary care service", (0.04, 0.70, 0.12, 0.01, 0.13)),
    "hospice": ("Independent Healthcare Org", "Hospitals", "Hospice services", "Hospice services",
                (0.25, 0.70, 0.03, 0.0, 0.02)),
    "gp": ("Primary Medical Services", "Primary medical services", "GP Practices", "Doctors treatment service",
           (0.05, 0.88, 0.04, 0.01, 0.02)),
    "dentist": ("Primary Dental Care", "Primary medical services", "Dentists", "Dental service",
                (0.0, 0.0, 0.0, 0.0, 1.0)),
    "clinic": ("Independent Healthcare Org", "Hospitals", "Independent doctors", "Doctors consultation service",
               (0.02, 0.6, 0.05, 0.0, 0.33)),
}
RATING_WORDS = ("Outstanding", "Good", "Requires improvement", "Inadequate", "")
NAMES = ("Oakfield", "Beech", "Willow", "Meadow", "Cedar", "Rose", "Elm", "Hawthorn", "Orchard", "Park", "Riverside",
         "Hillside", "Ash", "Holly", "Maple", "Linden", "Brook", "Chestnut", "Rowan", "Heather")
SUFFIX = {"care_home_nursing": "Nursing Home", "care_home": "House", "home_care": "Home Care", "hospice": "Hospice",
          "gp": "Surgery", "dentist": "Dental Practice", "clinic": "Clinic"}


def _districts() -> list[geography.LocalAuthority]:
    return [la for la in geography.current_local_authorities()
            if la.nation_code == geography.ENGLAND and la.tier != "upper"]


def _locations(rng: np.random.Generator) -> pd.DataFrame:
    """Return the September population of synthetic locations (one row each, with its LA and kind)."""
    rows = []
    serial = 0
    for index in range(len(_districts())):
        plan = {"care_home_nursing": rng.integers(1, 6), "care_home": rng.integers(2, 9),
                "home_care": rng.integers(2, 9), "hospice": int(rng.random() < 0.35), "gp": rng.integers(3, 14),
                "dentist": 2, "clinic": 1}
        for kind, count in plan.items():
            for _ in range(int(count)):
                serial += 1
                rows.append({"serial": serial, "la_index": index, "kind": kind})
    frame = pd.DataFrame(rows)
    frame["rating"] = [RATING_WORDS[rng.choice(5, p=KINDS[k][4])] for k in frame["kind"]]
    frame["postcode"] = [f"ZX{i + 1} {rng.integers(1, 4)}{('AB', 'DE')[rng.integers(2)]}" for i in frame["la_index"]]
    frame["dormant"] = rng.random(len(frame)) < 0.01
    frame["beds"] = np.where(frame["kind"].str.startswith("care_home"), rng.integers(12, 90, len(frame)), 0)
    return frame


def _evolve(frame: pd.DataFrame, rng: np.random.Generator, serial: int) -> tuple[pd.DataFrame, int]:
    """Return next month's population: some close, some open, some are re-rated."""
    kept = frame[rng.random(len(frame)) > 0.01].copy()
    rerate = rng.random(len(kept)) < 0.03
    kept.loc[rerate, "rating"] = [RATING_WORDS[rng.choice(5, p=KINDS[k][4])] for k in kept.loc[rerate, "kind"]]
    births = kept.sample(frac=0.01, random_state=int(rng.integers(1 << 31))).copy()
    births["serial"] = np.arange(serial + 1, serial + 1 + len(births))
    births["rating"] = ""
    births["dormant"] = False
    return pd.concat([kept, births], ignore_index=True), serial + len(births)


def _sheet_rows(frame: pd.DataFrame, date: pd.Timestamp, rng: np.random.Generator) -> list[list[object]]:
    columns = header()
    position = {name: i for i, name in enumerate(columns)}
    las = _districts()
    out: list[list[object]] = [columns]
    for n, loc in enumerate(frame.itertuples()):
        la = las[loc.la_index]
        sector, directorate, category, service, _w = KINDS[loc.kind]
        row: list[object] = [None] * len(columns)

        def put(name: str, value: object, row: list[object] = row) -> None:
            row[position[name]] = value

        named_la = las[(loc.la_index + 1) % len(las)] if loc.serial % 50 == 0 else la
        put("Location ID", f"1-{100000000 + loc.serial * 7}")
        put("Location HSCA start date", f"{1 + loc.serial % 28:02d}/{1 + loc.serial % 12:02d}/{2011 + loc.serial % 14}")
        put("Dormant (Y/N)", "Y" if loc.dormant else "N")
        put("Care home?", "Y" if loc.kind.startswith("care_home") else "N")
        put("Location Name", f"{NAMES[loc.serial % len(NAMES)]} {SUFFIX[loc.kind]}")
        if loc.kind.startswith("care_home"):
            put("Care homes beds", int(loc.beds))
        put("Location Type/Sector", sector)
        put("Location Inspection Directorate", directorate)
        put("Location Primary Inspection Category", category)
        if loc.rating:
            put("Location Latest Overall Rating", loc.rating)
            put("Publication Date", f"{1 + loc.serial % 28:02d}/{1 + loc.serial % 12:02d}/{2019 + loc.serial % 7}")
            put("Inherited Rating (Y/N)", "N")
        put("Location Region", geography.area_name(la.region_code))
        put("Location Local Authority", named_la.area_name)
        put("Location Street Address", f"{1 + loc.serial % 180} {NAMES[(loc.serial * 3) % len(NAMES)]} Road")
        put("Location City", la.area_name)
        put("Location Postal Code", UNPLACEABLE if n in (7, 4007) else loc.postcode)
        put("Provider ID", f"1-{200000000 + loc.serial // 3 * 11}")
        put("Provider Name", f"{NAMES[(loc.serial // 3) % len(NAMES)]} Care Ltd")
        put(f"Service type - {service}", "Y")
        if loc.kind.startswith("care_home"):
            put("Regulated activity - Accommodation for persons who require nursing or personal care", "Y")
            put("Service user band - Older People", "Y")
        if loc.kind == "home_care":
            put("Regulated activity - Personal care", "Y")
        if loc.kind == "hospice":
            put("Service type - Hospice services at home", "Y" if loc.serial % 2 else None)
        if loc.kind in ("gp", "hospice", "clinic"):
            put("Regulated activity - Treatment of disease, disorder or injury", "Y")
        out.append(row)
    return out


def write_lookup(frame: pd.DataFrame, path: Path) -> Path:
    """Write the synthetic ONS-style postcode lookup covering the given locations' postcodes."""
    las = _districts()
    pairs = frame.drop_duplicates("postcode")[["postcode", "la_index"]].sort_values("postcode")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pcd7", "pcd8", "pcds", "dointr", "doterm", "usertype", "oa21cd", "lsoa21cd", "msoa21cd",
                         "ladcd", "lsoa21nm", "msoa21nm", "ladnm", "ladnmw"])
        for n, (postcode, index) in enumerate(pairs.itertuples(index=False)):
            la = las[index]
            outward, inward = postcode.split()
            writer.writerow([f"{outward:<4}{inward}", f"{outward:<5}{inward}", postcode, "201901", "", "0",
                             f"E00{900001 + n}", f"E01{950001 + n // 4}", f"E02{990001 + n // 16}", la.area_code,
                             f"{la.area_name} 9{n // 4:03d}A", f"{la.area_name} 9{n // 16:02d}", la.area_name, ""])
    return path


def write_all(folder: Path | None = None, lookup: Path | None = None) -> list[Path]:
    """Write the three snapshots into ``data_sources/cqc`` and the postcode lookup; return the paths."""
    folder = folder or paths.data_sources_dir() / "cqc"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    frame = _locations(rng)
    serial = int(frame["serial"].max())
    written, everyone = [], [frame]
    for month, date in enumerate(MONTHS):
        if month:
            frame, serial = _evolve(frame, rng, serial)
            everyone.append(frame)
        name = f"{date.day:02d}_{date.strftime('%B')}_{date.year}_HSCA_Active_Locations.ods"
        written.append(write_ods(folder / name, {"HSCA_Active_Locations": _sheet_rows(frame, date, rng)}))
    lookup = lookup or geography.geography_dir() / POSTCODE_SAMPLE_FILE
    written.append(write_lookup(pd.concat(everyone), lookup))
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_all():
        print(path)
