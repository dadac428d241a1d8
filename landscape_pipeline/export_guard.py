"""The last check before rows leave the pipeline in a pull or a comparison: disclosure control still holds.

Every published count column (``count``, ``denominator`` of a share, ``baseline_count``,
``current_count``) is checked against its source's disclosure rule with
:func:`landscape_pipeline.disclosure.find_leaks`; a breach refuses the export with a sentence naming
the indicator and area, and nothing is written.

Hook for the disclosure attacks of issue 10: when a function that attacks a published table (for
example by differencing overlapping areas or periods) is available in :mod:`landscape_pipeline.disclosure`,
call it from :func:`check_publishable` on the same frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from landscape_pipeline import disclosure
from landscape_pipeline.errors import LandscapeError

COUNT_COLUMNS: tuple[str, ...] = ("count", "baseline_count", "current_count")


class DisclosureRefusal(LandscapeError):
    """An export would publish a count its source's disclosure rule forbids."""


def check_publishable(frame: pd.DataFrame, count_columns: Sequence[str] = COUNT_COLUMNS) -> None:
    """Raise :class:`DisclosureRefusal` when a count in ``frame`` breaks its source's disclosure rule."""
    if frame.empty or "source_id" not in frame:
        return
    from landscape_pipeline.sources.registry import all_sources

    specs = all_sources()
    columns = [c for c in count_columns if c in frame]
    for source_id, rows in frame.groupby("source_id", sort=True):
        spec = specs.get(str(source_id))
        if spec is None or spec.disclosure_rule == "none" or not columns:
            continue
        probe = rows[[*columns, "indicator_id", "area_code"]].reset_index(drop=True)
        leaks = disclosure.find_leaks(probe, spec.disclosure_rule, count_cols=columns)
        if len(leaks):
            first = leaks.iloc[0]
            raise DisclosureRefusal(
                f"Export refused: {len(leaks)} row(s) of {source_id} would publish a count its disclosure rule "
                f"({spec.disclosure_rule}) forbids, e.g. {first['indicator_id']} in {first['area_code']} "
                f"({first['leak']}). Nothing was written.")
