"""Synthetic scaling of the bundled sources for benchmarks: every parsed table repeated ``factor`` times.

Copy ``j`` (1 .. factor-1) of a parsed source table is the table itself moved ``j * YEARS`` years back:
``period_start``/``period_end`` shift by that many years and every year written in ``period_label``
("2019/20", "2021", "2017-19", "Q1 2023/24") shifts with them, so each copy is a new run of periods of
the same indicators, areas and breakdowns. Areas, indicators and values are unchanged, so the scaled build
runs the same parsers, validation, disclosure control, harmonisation, baselines and pages on ``factor``
times the rows. The wrapper sits around each source's parser (after it has read its files), so
files are read once and the cost of reading them is not scaled.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

#: Years between copies: longer than any series, so copies never overlap in time.
YEARS = 40

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?:([/-])(\d\d)(?!\d))?")


def shift_label(label: object, years: int) -> object:
    """Return ``label`` with every year in it (and a two-digit year after "/" or "-") moved back ``years``."""
    if not isinstance(label, str):
        return label

    def move(match: re.Match[str]) -> str:
        out = str(int(match.group(1)) - years)
        if match.group(3):
            out += f"{match.group(2)}{(int(match.group(3)) - years) % 100:02d}"
        return out

    return _YEAR.sub(move, label)


def replicate(frame: pd.DataFrame, factor: int) -> pd.DataFrame:
    """Return ``frame`` and ``factor - 1`` copies of it moved back in time (see the module docstring)."""
    if factor <= 1 or frame.empty:
        return frame
    copies = [frame]
    for j in range(1, factor):
        years = j * YEARS
        copy = frame.copy()
        for column in ("period_start", "period_end"):
            if column in copy:
                copy[column] = pd.to_datetime(copy[column]).astype("datetime64[s]") - pd.DateOffset(years=years)
        if "period_label" in copy:
            labels = copy["period_label"].astype(object)
            mapping = {v: shift_label(v, years) for v in labels.dropna().unique()}
            copy["period_label"] = labels.map(mapping).where(labels.notna(), None)
        copies.append(copy)
    out = pd.concat(copies, ignore_index=True)
    out.attrs = dict(frame.attrs)
    return out


def install(factor: int) -> None:
    """Make the build's ingest step see every source's parsed table scaled ``factor`` times (this process only)."""
    from landscape_pipeline.defs import source_assets

    original = source_assets.ingest

    def scaled_ingest(spec, files, upstream=None, *args, **kwargs):
        return original(_scaled(spec, factor), files, upstream, *args, **kwargs)

    source_assets.ingest = scaled_ingest


def _scaled(spec, factor: int):
    parse = spec.parse

    def scaled_parse(files, inputs):
        return replicate(parse(files, inputs), factor)

    return dataclasses.replace(spec, parse=scaled_parse)
