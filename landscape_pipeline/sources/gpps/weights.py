"""Registration weights: how many of each practice's registered patients live in each local authority.

The one place GPPS touches the GP-registration machinery shared with ``qof_prevalence``: its reader
(:mod:`~landscape_pipeline.sources.qof_prevalence.registrations`), its rule for which extract weights
which period (:mod:`~landscape_pipeline.sources.qof_prevalence.extracts`: the extract nearest the survey,
within the one configurable limit) and its apportionment (:func:`~landscape_pipeline.sources.
qof_prevalence.apportion.choose_lookup`, :func:`~landscape_pipeline.sources.qof_prevalence.apportion.
practice_shares`), with the geography's ONS LSOA lookups (:mod:`landscape_pipeline.geography.lsoa`).
GPPS fieldwork runs from January to March, so a survey year's target date is 1 January of that year.
When no extract is given with the survey files, the extracts bundled with ``qof_prevalence`` are
used; when no lookup is given, the geography's: one set of registrations and lookups for both sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from landscape_pipeline import paths
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.lsoa import LsoaLookup, bundled_lookups, read_lsoa_lookup
from landscape_pipeline.sources.qof_prevalence.apportion import choose_lookup, practice_shares
from landscape_pipeline.sources.qof_prevalence.extracts import ExtractChoice, choose_extracts
from landscape_pipeline.sources.qof_prevalence.registrations import (
    Registrations,
    looks_like_registrations,
    read_registrations,
)

SHARED_SOURCE = "qof_prevalence"


def survey_target(year: int) -> pd.Timestamp:
    """Return the date a survey year's registrations should be nearest to (fieldwork starts in January)."""
    return pd.Timestamp(year, 1, 1)


def shared_registration_files(data_sources: Path | None = None) -> list[Path]:
    """Return the registration extracts bundled with the shared source (``qof_prevalence``)."""
    folder = (data_sources or paths.data_sources_dir()) / SHARED_SOURCE
    return sorted(p for p in (*folder.glob("*.csv"), *folder.glob("*.csv.gz")) if looks_like_registrations(p))


class Weights:
    """Registration weights for survey years: :meth:`choose` the extracts, :meth:`for_extract` their weights."""

    def __init__(self, extract_paths: Sequence[Path], lookup_paths: Sequence[Path] = ()):
        if not extract_paths:
            raise SourceDataError(Path(SHARED_SOURCE), "no 'Patients Registered at a GP Practice' LSOA extract "
                                  "was found: add one beside the survey files or to data_sources/qof_prevalence.")
        self.extracts: list[Registrations] = [read_registrations(p) for p in extract_paths]
        self.lookups: list[LsoaLookup] = [read_lsoa_lookup(p) for p in lookup_paths] or bundled_lookups()
        self._shares: dict[Path, tuple[pd.DataFrame, LsoaLookup]] = {}

    def choose(self, years: Mapping[int, Path]) -> ExtractChoice:
        """Return the extract of each survey year (labels are the years as text), within the configured limit."""
        return choose_extracts({str(year): survey_target(year) for year in years}, self.extracts)

    def for_extract(self, extract: Registrations) -> tuple[pd.DataFrame, LsoaLookup]:
        """Return (``practice_code, la_code, patients`` of known residence, the lookup that placed them)."""
        if extract.path not in self._shares:
            lookup = choose_lookup(extract, self.lookups)
            self._shares[extract.path] = (practice_shares(extract, lookup), lookup)
        shares, lookup = self._shares[extract.path]
        return shares[["practice_code", "la_code", "patients"]], lookup
