"""Published margins: sets of cells that add up to another published cell.

Each margin is a linear equation ``total = sum(members)`` over cells of one family:

- sex: Persons = Male + Female;
- geography: a county = its districts; a region or nation = its districts and unitaries, and also
  = its counties and unitaries; England = its regions; a Scottish health board = its council areas,
  Scotland = its boards (from :mod:`landscape_pipeline.geography`);
- period: a pooled period (e.g. 2019-21) = the shorter periods that exactly tile it;
- breakdown: a total (the row with no category) = the rows of one ``category_type`` (e.g. every
  service, or every tumour group) under the same family, area, period, sex and age.

An equation is kept when its total is a cell of the table. Members the table lacks make it *open*:
the total is then only an upper bound on the members present (unknown non-negative slack). A
breakdown is the exception: it lists every category that has a count, so a category absent under
one total is read as zero and the equation stays closed (a reader would assume as much).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.disclosure.cells import CELL_COLUMNS, Cells, dense_ids

KINDS: tuple[str, ...] = ("sex", "geography", "period", "breakdown")
_KEY = ["family", *CELL_COLUMNS]


@dataclass(frozen=True)
class Margins:
    """Equations as terms: term i puts ``sign[i]`` (+1 member, -1 total) times cell ``cell[i]`` in ``group[i]``."""

    group: np.ndarray
    cell: np.ndarray
    sign: np.ndarray
    #: Per group: which margin it belongs to (one of :data:`KINDS`).
    kind: np.ndarray
    #: Per group: True when members are missing from the table (total >= sum of members present).
    open: np.ndarray

    @property
    def n_groups(self) -> int:
        """Return the number of equations."""
        return len(self.kind)

    def only(self, kinds: tuple[str, ...]) -> Margins:
        """Return the equations of the given kinds only (renumbered)."""
        keep = np.isin(self.kind, kinds)
        new_id = np.cumsum(keep) - 1
        terms = keep[self.group]
        return Margins(new_id[self.group[terms]], self.cell[terms], self.sign[terms], self.kind[keep], self.open[keep])


def _empty() -> Margins:
    i = np.zeros(0, dtype=np.int64)
    return Margins(i, i, np.zeros(0), np.zeros(0, dtype=object), np.zeros(0, dtype=bool))


def _sorted_lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Return the position in ``keys`` (distinct integers) of each ``wanted`` value, -1 where absent."""
    order = np.argsort(keys)
    at = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
    return np.where(keys[order][at] == wanted, order[at], -1)


def _equations(cells: Cells, column: str, edges: pd.DataFrame, kind: str) -> Margins:
    """Return the equations where ``edges`` (parent, child, partition, n_children) map ``column`` values."""
    if edges.empty or cells.size == 0:
        return _empty()
    labels = cells.labels[column]
    child, parent = labels.get_indexer(edges["child"]), labels.get_indexer(edges["parent"])
    keep = (child >= 0) & (parent >= 0)
    if not keep.any():
        return _empty()
    partition = pd.factorize(edges["partition"])[0][keep]
    child, parent, expected_n = child[keep], parent[keep], edges["n_children"].to_numpy()[keep]
    values = cells.codes[column].to_numpy()
    other = pd.factorize(dense_ids([cells.codes[c].to_numpy() for c in _KEY if c != column]))[0]
    # Every (cell, edge) pair where the edge's child is the cell's value.
    by_child = np.argsort(child, kind="stable")
    first = np.searchsorted(child[by_child], values, "left")
    n_edges = np.searchsorted(child[by_child], values, "right") - first
    cell = np.repeat(np.arange(cells.size), n_edges)
    edge = by_child[np.repeat(first - np.cumsum(n_edges) + n_edges, n_edges) + np.arange(n_edges.sum())]
    width = len(labels)
    total = _sorted_lookup(other * width + values, other[cell] * width + parent[edge])
    cell, edge, total = cell[total >= 0], edge[total >= 0], total[total >= 0]
    if cell.size == 0:
        return _empty()
    _, first_term, gid = np.unique(total * (partition.max() + 1) + partition[edge], return_index=True,
                                   return_inverse=True)
    n_groups = len(first_term)
    present = np.bincount(gid, minlength=n_groups)
    group = np.concatenate([gid, np.arange(n_groups)])
    cells_of_terms = np.concatenate([cell, total[first_term]])
    sign = np.concatenate([np.ones(len(gid)), -np.ones(n_groups)])
    return Margins(group, cells_of_terms, sign, np.full(n_groups, kind, dtype=object),
                   present < expected_n[edge[first_term]])


def _breakdown_equations(cells: Cells) -> Margins:
    """Return one closed equation per total cell and ``category_type`` found under it (see module docstring)."""
    if cells.size == 0:
        return _empty()
    kind_code = cells.codes["category_type"].to_numpy()
    category_code = cells.codes["category"].to_numpy()
    blank_kind = cells.labels["category_type"].get_indexer([""])[0]
    blank_category = cells.labels["category"].get_indexer([""])[0]
    is_total = (kind_code == blank_kind) & (category_code == blank_category)
    is_member = (kind_code != blank_kind) & (category_code != blank_category)
    if not is_total.any() or not is_member.any():
        return _empty()
    base = dense_ids([cells.codes[c].to_numpy() for c in ("family", "area_code", "period_label", "sex", "age")])
    totals = np.flatnonzero(is_total)
    members = np.flatnonzero(is_member)
    at = _sorted_lookup(base[totals], base[members])
    members, total = members[at >= 0], totals[at[at >= 0]]
    if members.size == 0:
        return _empty()
    _, first_term, gid = np.unique(total * (kind_code.max() + 1) + kind_code[members], return_index=True,
                                   return_inverse=True)
    n_groups = len(first_term)
    group = np.concatenate([gid, np.arange(n_groups)])
    cells_of_terms = np.concatenate([members, total[first_term]])
    sign = np.concatenate([np.ones(len(gid)), -np.ones(n_groups)])
    return Margins(group, cells_of_terms, sign, np.full(n_groups, "breakdown", dtype=object),
                   np.zeros(n_groups, dtype=bool))


@lru_cache(maxsize=1)
def geography_edges() -> pd.DataFrame:
    """Return (parent, child, partition, n_children) for every area that is the sum of others."""
    la = geography.as_frame()
    base, units = la[la["tier"] != "upper"], la[la["tier"] != "lower"]
    parts = [
        (base[base["tier"] == "lower"], "upper_tier_code", "districts"),
        (base, "region_code", "districts"), (base, "nation_code", "districts"),
        (base, "health_board_code", "districts"),
        (units, "region_code", "upper_tier"), (units, "nation_code", "upper_tier"),
    ]
    frames = [pd.DataFrame({"parent": f[col], "child": f["area_code"], "partition": name}) for f, col, name in parts]
    areas = geography.areas()
    for area_type, name in (("region", "regions"), ("health_board", "boards")):
        sub = areas[areas["area_type"] == area_type]
        frames.append(pd.DataFrame({"parent": sub["parent_code"], "child": sub["area_code"], "partition": name}))
    edges = pd.concat(frames, ignore_index=True).dropna(subset=["parent"]).astype({"parent": str, "child": str})
    edges = edges[edges["parent"] != edges["child"]].drop_duplicates()
    edges["n_children"] = edges.groupby(["parent", "partition"])["child"].transform("size")
    return edges.reset_index(drop=True)


def _sex_edges() -> pd.DataFrame:
    return pd.DataFrame({"parent": "Persons", "child": ["Male", "Female"], "partition": "sex", "n_children": 2})


def period_edges(periods: pd.DataFrame) -> pd.DataFrame:
    """Return (parent, child, partition, n_children) for each period tiled exactly by shorter ``periods``.

    ``periods`` holds distinct ``period_label``, ``period_start`` and ``period_end``.
    """
    periods = periods.dropna()
    if len(periods) < 2:
        return pd.DataFrame(columns=["parent", "child", "partition", "n_children"])
    start = pd.to_datetime(periods["period_start"]).to_numpy()
    end = pd.to_datetime(periods["period_end"]).to_numpy()
    labels = periods["period_label"].to_numpy()
    rows = []
    for i in np.argsort(start - end):  # longest first; few distinct periods, so a loop is cheap
        inside = np.flatnonzero((start >= start[i]) & (end <= end[i]) & ((end - start) < (end[i] - start[i])))
        # The smallest periods inside (those containing no other period inside), in time order.
        minimal = [c for c in inside if not any(o != c and start[o] >= start[c] and end[o] <= end[c] for o in inside)]
        chain = np.asarray(sorted(minimal, key=lambda c: start[c]), dtype=np.int64)
        if len(chain) < 2:
            continue
        one_day = np.timedelta64(1, "D")
        tiles = (start[chain[0]] == start[i]) and (end[chain[-1]] == end[i]) and all(
            start[b] - end[a] == one_day for a, b in pairwise(chain))
        if tiles:
            rows += [(labels[i], labels[c], "periods", len(chain)) for c in chain]
    return pd.DataFrame(rows, columns=["parent", "child", "partition", "n_children"])


def margins_of(cells: Cells, kinds: tuple[str, ...] = KINDS) -> Margins:
    """Return every published margin among ``cells`` of the given kinds (see :data:`KINDS`)."""
    parts = []
    if "sex" in kinds:
        parts.append(_equations(cells, "sex", _sex_edges(), "sex"))
    if "geography" in kinds:
        parts.append(_equations(cells, "area_code", geography_edges(), "geography"))
    if "period" in kinds:
        parts.append(_equations(cells, "period_label", period_edges(cells.periods), "period"))
    if "breakdown" in kinds:
        parts.append(_breakdown_equations(cells))
    offset, groups = 0, []
    for part in parts:
        groups.append(part.group + offset)
        offset += part.n_groups
    if not parts:
        return _empty()
    return Margins(np.concatenate(groups), np.concatenate([p.cell for p in parts]),
                   np.concatenate([p.sign for p in parts]), np.concatenate([p.kind for p in parts]),
                   np.concatenate([p.open for p in parts]))
