"""Registration weights: how many of each practice's registered patients live in each local authority.

The one place GPPS touches the GP-registration machinery shared with ``qof_prevalence``
(:mod:`landscape_pipeline.sources.qof_prevalence.registrations` reads the NHS "Patients Registered at a GP
Practice" LSOA extracts, :mod:`~landscape_pipeline.sources.qof_prevalence.apportion` turns one into shares
through the ONS LSOA -> LA lookup). GPPS fieldwork runs from January to March, so each survey year uses the
extract dated nearest to 1 January of that year, within :data:`MAX_DAYS` (otherwise the weights would
describe a different population). When no extract is given with the survey files, the extracts bundled
with ``qof_prevalence`` are used: one set of registrations for both sources.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from landscape_pipeline import paths
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.nhs import read_lsoa_to_la
from landscape_pipeline.sources.qof_prevalence.apportion import choose_extract, practice_shares
from landscape_pipeline.sources.qof_prevalence.registrations import (
    Registrations,
    is_registration_header,
    read_registrations,
)

MAX_DAYS = 550
SHARED_SOURCE = "qof_prevalence"


def header_of(path: Path) -> list[str]:
    """Return the first line of a CSV split into cells (empty for other files)."""
    if path.suffix.lower() != ".csv":
        return []
    text = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace")
    return [h.strip() for h in next(csv.reader(io.StringIO(text)), [])]


def is_lsoa_lookup_header(columns: list[str]) -> bool:
    """Return True for an ONS LSOA -> LA lookup header (``LSOA21CD`` ... ``LAD23CD``)."""
    return any(re.fullmatch(r"LSOA\d{2}CD", c) for c in columns)


def shared_registration_files(data_sources: Path | None = None) -> list[Path]:
    """Return the registration extracts bundled with the shared source (``qof_prevalence``)."""
    folder = (data_sources or paths.data_sources_dir()) / SHARED_SOURCE
    return sorted(p for p in folder.glob("*.csv") if is_registration_header(header_of(p)))


class Weights:
    """Registration weights for survey years: ``for_year(year)`` -> ``practice_code, la_code, patients``."""

    def __init__(self, extract_paths: Sequence[Path], lookup_paths: Sequence[Path] = ()):
        if not extract_paths:
            raise SourceDataError(Path(SHARED_SOURCE), "no 'Patients Registered at a GP Practice' LSOA extract "
                                  "was found: add one beside the survey files or to data_sources/qof_prevalence.")
        self.extracts: list[Registrations] = [read_registrations(p) for p in extract_paths]
        lookups = [read_lsoa_to_la(p) for p in lookup_paths] or [read_lsoa_to_la()]
        self.lsoa_to_la = pd.concat(lookups, ignore_index=True).drop_duplicates("lsoa_code")
        self._shares: dict[Path, pd.DataFrame] = {}

    def extract_for(self, year: int, survey_path: Path) -> Registrations:
        """Return the extract nearest to 1 January of the survey year, or raise when none is close enough."""
        target = pd.Timestamp(year, 1, 1)
        chosen = choose_extract(target, self.extracts)
        if abs((chosen.extract_date - target).days) > MAX_DAYS:
            raise SourceDataError(survey_path, f"is the {year} survey, but the nearest GP registration extract is "
                                  f"{chosen.label} ({chosen.path.name}); add an extract within {MAX_DAYS} days of "
                                  f"January {year}.")
        return chosen

    def for_year(self, year: int, survey_path: Path) -> tuple[pd.DataFrame, Registrations]:
        """Return (``practice_code, la_code, patients`` of known residence, the extract used)."""
        extract = self.extract_for(year, survey_path)
        if extract.path not in self._shares:
            self._shares[extract.path] = practice_shares(extract, self.lsoa_to_la)
        return self._shares[extract.path][["practice_code", "la_code", "patients"]], extract
