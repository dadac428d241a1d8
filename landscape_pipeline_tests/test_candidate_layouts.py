"""Bundled synthetic files follow the real publishers' headers held in ../shared/reference_data/candidates/.

Where no real release could be bundled, the synthetic file must still be in the publisher's exact layout; these
tests compare each bundled file's header with the real one, column for column and in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from landscape_pipeline.paths import PROJECT_ROOT
from landscape_pipeline.tabular import read_header

BUNDLED = PROJECT_ROOT / "data_sources"


def _real_csv_header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")


def _real_column_list(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]


@pytest.mark.parametrize(("bundled", "real"), [
    ("phs_end_of_life/2024-10-08_last-six-months-of-life_council-area.csv",
     "phs_palliative_eol/last_six_months_of_life_council_area_header.csv"),
    ("phs_end_of_life/2024-10-08_last-six-months-of-life_hscp.csv",
     "phs_palliative_eol/last_six_months_of_life_hscp_header.csv"),
])
def test_end_of_life_files_have_the_published_header(reference_data: Path, bundled: str, real: str) -> None:
    assert read_header(BUNDLED / bundled) == _real_csv_header(reference_data / "candidates" / real)


def test_the_january_2021_registrations_extract_has_that_release_header(reference_data: Path) -> None:
    """The real header is from the January 2021 extract (its count column is ``Number of Patients``; later
    vintages write ``NUMBER_OF_PATIENTS``, a variant the reader knows)."""
    real = _real_csv_header(reference_data / "candidates" / "gpps" / "gp_reg_pat_prac_lsoa_all_header_and_row.csv")
    assert read_header(BUNDLED / "qof_prevalence" / "gp-reg-pat-prac-lsoa-all-jan-21.csv") == real


def test_cqc_snapshots_have_the_119_published_columns(reference_data: Path) -> None:
    real = _real_column_list(reference_data / "candidates" / "cqc" / "hsca_active_locations_columns.txt")
    files = sorted((BUNDLED / "cqc").glob("*_HSCA_Active_Locations.ods"))
    assert len(real) == 119 and files
    for path in files:
        assert read_header(path, sheet=0) == real, path.name
