"""Shared fixtures: the real reference data (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests are deterministic by default, so the README's test command gives the same answer on
# every machine (CI included). Developers explore randomly with HYPOTHESIS_PROFILE=dev.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REFERENCE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "reference_data"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Return ../shared/reference_data, or skip: it holds real published files these tests compare with."""
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"real reference data not found at {REFERENCE_DATA} (../shared/reference_data beside the project)")
    return REFERENCE_DATA
