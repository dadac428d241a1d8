"""Refuse a source that shrinks sharply against its last good staging (a header-only or truncated file).

A new release normally adds periods; it rarely removes many rows. When a source would stage far
fewer rows than its last good table (in total, or for one indicator), or loses an indicator
altogether, the staged file is kept and the build fails, unless the run says the shrink is expected
(``landscape build --allow-shrink SOURCE``). The check's metadata says by how much.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

#: Indicators with fewer previous rows than this are judged only on disappearing, not on their share.
MIN_ROWS_FOR_SHARE = 50


@dataclass(frozen=True)
class ShrinkCheck:
    """A new table's rows against the last good staging of the same source."""

    previous_rows: int | None
    rows: int
    max_fraction: float
    allowed: bool = False
    lost_indicators: tuple[str, ...] = ()
    #: indicator id -> (rows before, rows now), for indicators that lost more than ``max_fraction``.
    shrunk_indicators: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        """Return the relative change in rows (-0.25 = a quarter fewer), or None without a previous table."""
        if not self.previous_rows:
            return None
        return (self.rows - self.previous_rows) / self.previous_rows

    @property
    def sharp(self) -> bool:
        """True when the total, or an indicator, lost more than ``max_fraction`` of its rows, or one vanished."""
        total = self.change is not None and -self.change > self.max_fraction
        return total or bool(self.lost_indicators) or bool(self.shrunk_indicators)

    @property
    def refused(self) -> bool:
        """True when the shrink is sharp and the run did not say it is expected."""
        return self.sharp and not self.allowed

    def text(self, source_id: str) -> str:
        """Return one sentence for logs and check descriptions."""
        if self.previous_rows is None:
            return f"{source_id}: no earlier staging to compare with ({self.rows:,} rows)."
        change = f"{self.previous_rows:,} -> {self.rows:,} rows ({self.change:+.1%})"
        if not self.sharp:
            return f"{source_id}: {change}, within the allowed {self.max_fraction:.0%} shrink."
        parts = []
        if self.lost_indicators:
            parts.append(f"{len(self.lost_indicators)} indicator(s) vanished ({', '.join(self.lost_indicators[:5])})")
        if self.shrunk_indicators:
            shown = ", ".join(f"{k} {a:,}->{b:,}" for k, (a, b) in list(self.shrunk_indicators.items())[:5])
            parts.append(f"{len(self.shrunk_indicators)} indicator(s) lost more than {self.max_fraction:.0%} of "
                         f"their rows ({shown})")
        detail = f"; {'; '.join(parts)}" if parts else ""
        verdict = ("allowed by --allow-shrink" if self.allowed else
                   f"refused: the last good staging was kept. If the publisher really removed these rows, "
                   f"build again with --allow-shrink {source_id}")
        return f"{source_id} shrank sharply: {change}{detail}. {verdict}."

    def metadata(self) -> dict[str, object]:
        """Return Dagster metadata: rows before and after, the change, and what shrank."""
        return {
            "previous_rows": self.previous_rows if self.previous_rows is not None else "none",
            "rows": self.rows,
            "row_change": f"{self.change:+.1%}" if self.change is not None else "n/a",
            "max_shrink": f"{self.max_fraction:.0%}",
            "indicators_vanished": list(self.lost_indicators),
            "indicators_shrunk": {k: {"before": a, "after": b} for k, (a, b) in self.shrunk_indicators.items()},
            "shrink_allowed": self.allowed,
        }


def staged_indicator_rows(staged: Path) -> pd.Series | None:
    """Return rows per indicator of a staged table (reads one column), or None when there is none."""
    if not staged.is_file():
        return None
    ids = pq.read_table(staged, columns=["indicator_id"]).column("indicator_id").to_pandas()
    return ids.value_counts()


def compare_with_staging(staged: Path, frame: pd.DataFrame, *, max_fraction: float,
                         allowed: bool = False) -> ShrinkCheck:
    """Compare ``frame`` with the table staged at ``staged``."""
    before = staged_indicator_rows(staged)
    if before is None:
        return ShrinkCheck(None, len(frame), max_fraction, allowed)
    after = frame["indicator_id"].value_counts().reindex(before.index, fill_value=0)
    lost = tuple(sorted(before.index[after.eq(0)]))
    share = (before - after) / before
    big = before.ge(MIN_ROWS_FOR_SHARE) & after.gt(0) & share.gt(max_fraction)
    shrunk = {k: (int(before[k]), int(after[k])) for k in sorted(before.index[big])}
    return ShrinkCheck(int(before.sum()), len(frame), max_fraction, allowed, lost, shrunk)
