"""The local-authority partitions: every current UK LA code (382), from the geography module."""

from __future__ import annotations

import dagster as dg

from landscape_pipeline import geography

LA_PARTITIONS = dg.StaticPartitionsDefinition(geography.partition_keys())


def range_tags(first: str | None = None, last: str | None = None) -> dict[str, str]:
    """Return run tags that target LA partitions ``first``..``last`` (default: all) in one run."""
    keys = geography.partition_keys()
    return {
        "dagster/asset_partition_range_start": first or keys[0],
        "dagster/asset_partition_range_end": last or keys[-1],
    }


def contiguous_ranges(codes: list[str]) -> list[tuple[str, str]]:
    """Group partition keys into the fewest contiguous (first, last) ranges of the partition order."""
    order = {code: i for i, code in enumerate(geography.partition_keys())}
    positions = sorted({order[geography.validate_partition_key(c)] for c in codes})
    keys = geography.partition_keys()
    ranges: list[tuple[str, str]] = []
    for pos in positions:
        if ranges and order[ranges[-1][1]] == pos - 1:
            ranges[-1] = (ranges[-1][0], keys[pos])
        else:
            ranges.append((keys[pos], keys[pos]))
    return ranges
