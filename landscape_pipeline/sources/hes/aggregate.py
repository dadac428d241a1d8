"""Streaming aggregation of HES admitted patient care episodes into a small count cube.

The extract is read in blocks with ``pyarrow.csv.open_csv`` (only the needed columns, as strings).
Each column of a block is dictionary-encoded in Arrow, the distinct codes are mapped once (and
memoised across blocks), and the block's finished first episodes are added to per-financial-year
arrays with ``numpy.bincount``. Peak memory is one block plus the cube (a few MB per year),
whatever the size of the file; no episode is kept after its block is counted.

The cube's dimensions: English lower/single-tier LA of residence x site group x admission-method
group x sex x age band (ESP2013 bands + Unknown). Residence is ``RESLADST_ONS``, or ``RESLADST``
where that is blank (older vintages; see :mod:`.residence`). Episodes whose residence cannot be
resolved to a current English district or unitary authority are not dropped silently: they are
counted in :attr:`Aggregation.tally` under "unresolved residence: <reason>".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from landscape_pipeline import geography
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.residence import UNRESOLVED, AreaResolver, combine

DEFAULT_BLOCK_SIZE = 8 << 20  # ~0.5 GB peak for any file size; larger blocks buy little speed


def english_districts() -> tuple[str, ...]:
    """Return the sorted codes of England's 296 lower/single-tier local authorities."""
    frame = geography.as_frame()
    keep = frame["area_code"].str.startswith("E") & frame["tier"].ne("upper")
    return tuple(sorted(frame.loc[keep, "area_code"]))


@dataclass
class Aggregation:
    """Admissions (finished first episodes) by financial year -> (LA, site, method, sex, age band) array."""

    districts: tuple[str, ...]
    counts: dict[int, np.ndarray] = field(default_factory=dict)
    tally: Counter = field(default_factory=Counter)

    @property
    def shape(self) -> tuple[int, ...]:
        """Return the cube shape for one financial year."""
        return (len(self.districts), len(ind.SITE_GROUPS), len(ind.METHOD_GROUPS), len(ind.SEX_GROUPS),
                len(ind.AGE_BANDS))

    def add(self, fy: np.ndarray, area: np.ndarray, site: np.ndarray, method: np.ndarray, sex: np.ndarray,
            band: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Add admissions (one each, or ``weights``); rows with fy < 0 or area < 0 are tallied, not added."""
        weights = np.ones(fy.size, dtype=np.int64) if weights is None else weights.astype(np.int64)
        cancer = site < len(ind.ALL_CANCER_GROUPS)
        no_year = fy < 0
        self.tally["no usable financial year"] += int(weights[no_year].sum())
        for code, reason in UNRESOLVED.items():
            hit = (area == code) & ~no_year
            if hit.any():
                self.tally[f"unresolved residence: {reason}"] += int(weights[hit].sum())
                self.tally[f"unresolved residence: {reason} (cancer)"] += int(weights[hit & cancer].sum())
        ok = ~no_year & (area >= 0)
        self.tally["admissions counted"] += int(weights[ok].sum())
        self.tally["admissions counted with unknown age"] += int(weights[ok & (band == ind.UNKNOWN_AGE)].sum())
        self.tally["admissions counted with unknown sex"] += int(weights[ok & (sex == 2)].sum())
        shape = self.shape
        key = np.ravel_multi_index((area[ok], site[ok], method[ok], sex[ok], band[ok]), shape)
        years, w = fy[ok], weights[ok]
        for year in np.unique(years):
            sel = years == year
            cube = self.counts.setdefault(int(year), np.zeros(int(np.prod(shape)), dtype=np.int64))
            cube += np.bincount(key[sel], weights=w[sel], minlength=cube.size).astype(np.int64)

    def merge(self, other: Aggregation) -> Aggregation:
        """Return a new Aggregation summing this one and ``other`` (same districts)."""
        out = Aggregation(self.districts, {y: c.copy() for y, c in self.counts.items()}, self.tally + other.tally)
        for year, cube in other.counts.items():
            out.counts[year] = out.counts.get(year, 0) + cube
        return out

    def cube(self) -> tuple[list[int], np.ndarray]:
        """Return (financial years, array of shape (years, *shape))."""
        years = sorted(self.counts)
        stacked = np.stack([self.counts[y].reshape(self.shape) for y in years]) if years else np.zeros((0, *self.shape))
        return years, stacked

    def to_frame(self) -> pd.DataFrame:
        """Return the non-zero cells: fy, area_code, site_group, method_group, sex, age_band, admissions."""
        years, cube = self.cube()
        idx = np.nonzero(cube)
        labels = (np.asarray(years), np.asarray(self.districts), np.asarray(ind.SITE_GROUPS),
                  np.asarray(ind.METHOD_GROUPS), np.asarray(ind.SEX_GROUPS), np.asarray(ind.AGE_BANDS))
        names = ("fy", "area_code", "site_group", "method_group", "sex", "age_band")
        frame = pd.DataFrame({n: lab[i] for n, lab, i in zip(names, labels, idx, strict=True)})
        frame["admissions"] = cube[idx]
        return frame


class _Mappers:
    """Memoised code mappers shared by all blocks of one extract."""

    def __init__(self, districts: tuple[str, ...]):
        self.caches: dict[str, dict[Hashable, int]] = {}
        self.mappers = column_mappers(AreaResolver(districts))

    def codes(self, array: pa.Array, name: str, mapper: Any) -> np.ndarray:
        encoded = pc.dictionary_encode(pc.fill_null(array, ""))
        table = ind.map_distinct(encoded.dictionary.to_pylist(), mapper, self.caches.setdefault(name, {}))
        return table[encoded.indices.to_numpy(zero_copy_only=False)]


def _diag_or_blank(code: object) -> int:
    return ind.site_group(code) if str(code or "").strip() else -1


def column_mappers(area: AreaResolver) -> dict[str, Callable[[object], int]]:
    """Return, per extract column, the function from one cell's text to its cube code (-1 = unusable).

    Every engine (this module's Arrow blocks, :mod:`.sql_engine`) maps each distinct value with these.
    """
    return {
        "EPISTAT": lambda v: int(str(v).strip() == "3"),
        "EPIORDER": lambda v: int(str(v).strip().lstrip("0") == "1"),
        "FYEAR": ind.financial_year, "ADMIDATE": ind.financial_year_of_date,
        "DIAG_4_01": _diag_or_blank, "DIAG_3_01": _diag_or_blank,
        "RESLADST_ONS": area, "RESLADST": area,
        "ADMIMETH": ind.method_group, "SEX": ind.sex_group, "STARTAGE": ind.age_band,
    }


def add_block(agg: Aggregation, batch: pa.RecordBatch, maps: _Mappers) -> None:
    """Count one block of episodes: keep finished (EPISTAT 3) first episodes (EPIORDER 1) and add them."""
    names = set(batch.schema.names)
    col = batch.column
    mapper = maps.mappers
    agg.tally["episodes read"] += batch.num_rows
    finished = maps.codes(col("EPISTAT"), "EPISTAT", mapper["EPISTAT"]).astype(bool)
    first = maps.codes(col("EPIORDER"), "EPIORDER", mapper["EPIORDER"]).astype(bool)
    agg.tally["episodes not finished"] += int((~finished).sum())
    agg.tally["finished episodes not first in spell"] += int((finished & ~first).sum())
    keep = finished & first
    if not keep.any():
        return

    def codes(name: str) -> np.ndarray:
        if name not in names:
            return np.full(int(keep.sum()), -1, dtype=np.int64)
        return maps.codes(col(name), name, mapper[name])[keep]

    fy = codes("FYEAR")
    if (fy < 0).any():
        fy = np.where(fy < 0, codes("ADMIDATE"), fy)
    site = codes("DIAG_4_01")
    if (site < 0).any():
        site = np.where(site < 0, codes("DIAG_3_01"), site)
    site = np.where(site < 0, ind.SITE_GROUPS.index("non_cancer"), site)
    area = combine(codes("RESLADST_ONS"), codes("RESLADST") if "RESLADST" in names else None)
    agg.add(fy, area, site, codes("ADMIMETH"), codes("SEX"), codes("STARTAGE"))


def aggregate_records(source: Any, columns: list[str], *, column_names: list[str] | None = None,
                      block_size: int = DEFAULT_BLOCK_SIZE, districts: tuple[str, ...] | None = None,
                      inspect: Callable[[pa.RecordBatch, int], None] | None = None) -> Aggregation:
    """Stream a record-level CSV (a path or binary file object) and return its Aggregation.

    ``columns`` are the columns to read (the caller checks the header); ``column_names`` replaces
    the file's header (e.g. upper-cased); ``inspect`` sees each block first and may raise. Memory use
    is bounded by ``block_size`` (bytes of CSV per block), not by the size of the file.
    """
    districts = districts or english_districts()
    agg, maps = Aggregation(districts), _Mappers(districts)
    reader = pacsv.open_csv(
        source, read_options=pacsv.ReadOptions(block_size=block_size, column_names=column_names,
                                               skip_rows=1 if column_names else 0),
        convert_options=pacsv.ConvertOptions(include_columns=columns, column_types={c: pa.string() for c in columns}),
    )
    first_row = 0
    for batch in reader:
        if inspect is not None:  # per-block checks by the caller, told the 0-based row of the block's first record
            inspect(batch, first_row)
        add_block(agg, batch, maps)
        first_row += batch.num_rows
    return agg
