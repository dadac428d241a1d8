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
import functools
import re

import pandas as pd

#: Years between copies: longer than any series, so copies never overlap in time.
YEARS = 40

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?:( ?[/-] ?)(\d\d)(?![\d-]))?")
#: Sources whose scaled copies their own suite refuses (e.g. a period pinned to one edition), built at 1x.
UNSCALED: dict[str, str] = {}


def shift_label(label: object, years: int) -> object:
    """Return ``label`` with every year in it (and a two-digit year after "/" or "-") moved back ``years``.

    A two-digit number after "-" that is followed by "-" ("2024-05-01"), or is not after the year ("2024-05"),
    is a month, not a year: only the year moves.
    """
    if not isinstance(label, str):
        return label

    def move(match: re.Match[str]) -> str:
        out = str(int(match.group(1)) - years)
        if match.group(2) == "-" and match.group(3) and int(match.group(3)) <= int(match.group(1)) % 100:
            return out + match.group(2) + match.group(3)  # "2024-05": a month, not the range 2024-2105
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
    from landscape_pipeline import ingest_ahead
    from landscape_pipeline.defs import source_assets

    original = source_assets.ingest

    def scaled_ingest(spec, files, upstream=None, *args, **kwargs):
        result = original(_scaled(spec, factor), files, upstream, *args, **kwargs)
        if result.valid:
            return result
        # The source's own rules refuse the moved copies (e.g. IoD2019 is edition 2019, ASCOF years are 20xx):
        # build it at 1x and say so, rather than weaken a suite for a benchmark.
        failed = [f.description for f in result.report.failures] if result.report is not None else [str(result.error)]
        UNSCALED[spec.source_id] = "; ".join(failed)[:160]
        return original(spec, files, upstream, *args, **kwargs)

    source_assets.ingest = scaled_ingest
    # the ingest-ahead worker is another process: it scales the sources it takes itself
    ingest_ahead.ingest_job = functools.partial(scaled_worker_job, factor)


def scaled_worker_job(factor: int, job, folder):
    """The ingest-ahead worker's job with the source scaled ``factor`` times. A source whose suite refuses its
    copies comes back as None, so its step ingests it and records it as built at 1x (see :func:`install`)."""
    import landscape_pipeline.ingest as ingest_module
    from landscape_pipeline import ingest_ahead

    original = ingest_module.ingest
    ingest_module.ingest = lambda spec, *args, **kwargs: original(_scaled(spec, factor), *args, **kwargs)
    try:
        return ingest_ahead.ingest_job(job, folder)
    finally:
        ingest_module.ingest = original


def _scaled(spec, factor: int):
    parse = spec.parse

    def scaled_parse(files, inputs):
        return replicate(parse(files, inputs), factor)

    return dataclasses.replace(spec, parse=scaled_parse)
