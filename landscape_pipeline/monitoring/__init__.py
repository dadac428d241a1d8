"""The local monitoring return: a CSV template (aggregate counts only) and the mapping that reads it.

A site fills one row per site, service, tumour group and month with counts - never a row per
patient. ``landscape map template DIR`` copies the template and its mapping into a new folder of
``data_sources/jsna/``; the pipeline then rolls the returns up to each site's local authorities
(``data_sources/sites.yaml``), derives the HNA completion proportion with Wilson limits and applies
the small-number rule (counts 1-4 withheld, with secondary suppression across breakdowns).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from landscape_pipeline.errors import LandscapeError

TEMPLATE_DIR = Path(__file__).resolve().parent
TEMPLATE_FILE = "monitoring_return.csv"
MAPPING_FILE = "mapping.yaml"

#: Column -> (unit, meaning), in template order; the README's table is written from this.
COLUMNS: dict[str, tuple[str, str]] = {
    "site": ("text", "Site name or id as in data_sources/sites.yaml"),
    "la_code": ("GSS code", "Local authority the row is about; blank when the site serves one LA"),
    "service": ("text", "Service delivering the support (e.g. cancer care coordinator, information centre)"),
    "tumour_group": ("text", "Tumour group of the people supported (e.g. Breast, Lung, Colorectal, Other)"),
    "month": ("YYYY-MM", "Calendar month the counts cover"),
    "hnas_offered": ("assessments", "Holistic needs assessments offered in the month"),
    "hnas_completed": ("assessments", "Holistic needs assessments completed in the month"),
    "care_plans_completed": ("care plans", "Care and support plans agreed after an HNA"),
    "concerns_physical": ("concerns", "Physical concerns raised in completed HNAs"),
    "concerns_emotional": ("concerns", "Emotional concerns raised"),
    "concerns_practical": ("concerns", "Practical concerns raised (e.g. money, housing, work)"),
    "concerns_family": ("concerns", "Family or relationship concerns raised"),
    "concerns_spiritual": ("concerns", "Spiritual or religious concerns raised"),
    "concerns_lifestyle": ("concerns", "Lifestyle or information concerns raised"),
    "referrals_made": ("referrals", "Onward referrals made (to any service)"),
    "people_supported": ("people", "Distinct people supported by the service in the month"),
}


def copy_template(folder: Path | str) -> list[Path]:
    """Copy the template CSV and its mapping into ``folder`` (created); refuse to overwrite; return the paths."""
    folder = Path(folder)
    targets = [folder / TEMPLATE_FILE, folder / MAPPING_FILE]
    existing = [p for p in targets if p.exists()]
    if existing:
        raise LandscapeError(f"{existing[0]} already exists; choose an empty folder for a new return.")
    folder.mkdir(parents=True, exist_ok=True)
    for target in targets:
        shutil.copyfile(TEMPLATE_DIR / target.name, target)
    return targets


def columns_markdown() -> str:
    """Return the template's columns and units as a Markdown table."""
    lines = ["| column | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {unit} | {meaning} |" for name, (unit, meaning) in COLUMNS.items()]
    return "\n".join(lines)
