"""Mapped folders become registered sources: ``data_sources/<family>/<extract_id>/mapping.yaml`` -> a SourceSpec.

Discovery reads only the mapping (never the data), so the code location loads even when a mapping
is wrong: such a source is still registered, and its asset's blocking check reports the mapping's
error (file, line, what to fix) instead of breaking every other asset.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache, partial
from pathlib import Path

import pandas as pd

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.mapping.build import build_frame, load_mapping
from landscape_pipeline.mapping.derived import count_families
from landscape_pipeline.mapping.dictionary import mapping_dictionary
from landscape_pipeline.mapping.model import MAPPING_FILE
from landscape_pipeline.sources.base import SourceInputs, SourceSpec
from landscape_pipeline.validation.plausibility import range_expectations


def source_id_for(family: str, extract_id: str) -> str:
    """Return the registry id of an extract folder (``jsna`` + ``Trafford wards`` -> ``jsna_trafford_wards``)."""
    return f"{family}_{re.sub(r'[^0-9a-z]+', '_', extract_id.casefold()).strip('_')}"


def parse_mapped(files: Sequence[Path], _inputs: SourceInputs | None = None, *, source_id: str) -> pd.DataFrame:
    """Return the canonical rows of the extract whose files (data file or mapping) are given."""
    if not files:
        raise SourceDataError(source_id, "has no files to read.")
    return build_frame(Path(files[0]).parent, source_id)


def spec_for_folder(folder: Path, source_id: str, relative: str) -> SourceSpec:
    """Return the SourceSpec of one mapped folder (``relative``: its path under ``data_sources``)."""
    parse = partial(parse_mapped, source_id=source_id)
    try:
        mapping = load_mapping(folder).model
    except SourceDataError as exc:
        return SourceSpec(source_id=source_id, title=f"Local extract '{folder.name}' (mapping not valid)",
                          publisher="local", homepage="", parse=parse, bundled_patterns=(MAPPING_FILE,),
                          folder=relative, caveat=f"Its mapping is not valid: {exc}")
    fills = mapping.fills()
    labels = {name: fill.column for name, fill in fills.items() if fill.column}
    labels["period_label"] = labels.pop("period", "period")
    labels["indicator_id"] = labels.pop("indicator", "indicator")
    themes = {r.id: r.theme for r in mapping.indicators} | {d.id: d.theme for d in mapping.derived}
    meta = {r.id: {"definition": r.definition, "beside": r.beside or "", "unit": r.unit}
            for r in mapping.indicators}
    meta |= {d.id: {"definition": d.definition, "beside": "", "unit": d.unit,
                    "derived_from": f"{d.numerator} / {d.denominator}"} for d in mapping.derived}
    percent = {r.id: (0.0, 100.0) for r in mapping.indicators if r.value_type == "proportion" and r.unit == "%"}
    names = {r.id: r.label for r in mapping.indicators}
    expectations = partial(range_expectations, percent, names) if percent else None
    return SourceSpec(source_id=source_id, title=mapping.title, publisher=mapping.publisher,
                      homepage=mapping.homepage or "", parse=parse, bundled_patterns=(mapping.reader.file,),
                      disclosure_rule=mapping.disclosure, count_families=count_families(mapping),
                      column_labels=labels, themes=themes, caveat=mapping.caveat, folder=relative,
                      indicator_meta=meta, dictionary=partial(mapping_dictionary, mapping, relative),
                      extra_expectations=expectations)


@lru_cache(maxsize=16)
def _discover(root: Path, family: str, _stamp: tuple) -> dict[str, SourceSpec]:
    specs: dict[str, SourceSpec] = {}
    for mapping in sorted((root / family).glob(f"*/{MAPPING_FILE}")):
        folder = mapping.parent
        source_id = source_id_for(family, folder.name)
        specs[source_id] = spec_for_folder(folder, source_id, f"{family}/{folder.name}")
    return specs


def discover(data_sources: Path, family: str) -> dict[str, SourceSpec]:
    """Return a SourceSpec for every ``<data_sources>/<family>/*/mapping.yaml``, by source id (cached per content)."""
    root = Path(data_sources).resolve()
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted((root / family).glob(f"*/{MAPPING_FILE}")))
    return _discover(root, family, stamp)
