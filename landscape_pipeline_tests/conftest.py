"""Shared fixtures: the real reference data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "reference_data"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Return ../shared/reference_data, or skip: it holds real published files these tests compare with."""
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"real reference data not found at {REFERENCE_DATA} (../shared/reference_data beside the project)")
    return REFERENCE_DATA
