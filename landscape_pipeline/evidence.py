"""The local evidence register (``data_sources/evidence.yaml``): documents and lived-experience evidence per site.

Each entry is a document a local landscape draws on but that is not a table: a JSNA chapter, a
research report, a lived-experience survey (whose aggregated numbers may also enter as a mapped
extract, named in ``extract``), an engagement report. Checked when read, with errors naming the
register's line: unique ids, dates not after today, current LA codes, a well-formed http(s) link or
a file present beside the register, themes from :data:`landscape_pipeline.sources.base.THEMES`, a
one-paragraph summary, and an ``extract`` that is a mapped local extract.

:func:`evidence_for` is what pages, baselines and frozen sets call: the entries covering an LA that
were dated on or before a date, so an evaluator sees what evidence stood at the baseline date.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from landscape_pipeline import geography, paths
from landscape_pipeline.provenance import sha256_of
from landscape_pipeline.sources.base import THEMES
from landscape_pipeline.yamlfile import Loaded, load_model

EVIDENCE_FILE = "evidence.yaml"
TYPES = ("JSNA chapter", "research report", "lived-experience survey", "engagement report")
Theme = Literal[THEMES]  # type: ignore[valid-type]
EvidenceType = Literal[TYPES]  # type: ignore[valid-type]


class Entry(BaseModel):
    """One document of the register."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,79}$", description="Short id: lower-case letters, digits, '_'.")
    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    date: dt.date = Field(description="Publication date (ISO, e.g. 2025-03-31); not after today.")
    type: EvidenceType
    link: str | None = Field(None, description="Web address (http or https) of the document.")
    file: str | None = Field(None, description="The document's file, relative to the register's folder.")
    la_codes: list[str] = Field(min_length=1, description="Current codes of the LAs the document covers.")
    themes: list[Theme] = Field(min_length=1)
    summary: str = Field(min_length=40, description="One paragraph: what it found and why it matters here.")
    extract: str | None = Field(None, description="Source id of the mapped extract holding its numbers, if any "
                                                  "(e.g. jsna_lived_experience_survey_2025).")
    example: bool = Field(False, description="True for an invented example entry (not a real document).")

    def record(self) -> dict[str, object]:
        """Return the entry as JSON-ready data (for baseline metadata and frozen manifests)."""
        return self.model_dump(mode="json", exclude_none=True)


class EvidenceRegister(BaseModel):
    """The whole register."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: list[Entry] = Field(default_factory=list)

    def covering(self, area_codes: str | list[str] | tuple[str, ...], as_at: date | None = None) -> list[Entry]:
        """Return the entries covering any of ``area_codes`` dated on or before ``as_at`` (today), newest first."""
        codes = {area_codes} if isinstance(area_codes, str) else set(area_codes)
        limit = as_at or date.today()
        found = [e for e in self.entries if codes & set(e.la_codes) and e.date <= limit]
        return sorted(found, key=lambda e: (e.date, e.id), reverse=True)


def register_path(data_sources: Path | None = None) -> Path:
    """Return the register's path (``evidence.yaml`` in ``data_sources/``, beside the site register)."""
    return Path(data_sources or paths.data_sources_dir()) / EVIDENCE_FILE


def _link_problem(link: str) -> str | None:
    parsed = urlparse(link.strip())
    if parsed.scheme not in ("http", "https") or "." not in parsed.netloc or " " in link.strip():
        return f"{link!r} is not a web address; write it in full, e.g. https://www.example.gov.uk/report.pdf."
    return None


def _check_entry(loaded: Loaded[EvidenceRegister], i: int, entry: Entry, today: date,
                 extracts: set[str] | None) -> None:
    where = ("entries", i)
    if entry.date > today:
        raise loaded.error((*where, "date"), f"{entry.date.isoformat()} is after today ({today.isoformat()}); "
                                             "give the date the document was published.")
    if (entry.link is None) == (entry.file is None):
        raise loaded.error(where, "give exactly one of 'link' (a web address) or 'file' (beside the register).")
    if entry.link is not None and (problem := _link_problem(entry.link)):
        raise loaded.error((*where, "link"), problem)
    if entry.file is not None:
        target = (loaded.path.parent / entry.file).resolve()
        if Path(entry.file).is_absolute() or not target.is_file():
            raise loaded.error((*where, "file"), f"'{entry.file}' is not a file in the register's folder "
                                                 f"({loaded.path.parent.name}/); put the document there or give "
                                                 "its link instead.")
    for j, code in enumerate(entry.la_codes):
        try:
            geography.validate_partition_key(code)
        except geography.AreaCodeError as exc:
            raise loaded.error((*where, "la_codes", j), str(exc)) from None
    if "\n\n" in entry.summary.strip():
        raise loaded.error((*where, "summary"), "keep the summary to one paragraph (no blank lines).")
    if entry.extract is not None and extracts is not None and entry.extract not in extracts:
        raise loaded.error((*where, "extract"), f"'{entry.extract}' is not a mapped local extract (known: "
                                                f"{', '.join(sorted(extracts)) or 'none'}).")


def _mapped_extracts(data_sources: Path) -> set[str]:
    from landscape_pipeline.mapping.source import discover
    from landscape_pipeline.sources.registry import MAPPED_FAMILIES

    return {source_id for family in MAPPED_FAMILIES for source_id in discover(data_sources, family)}


def read_register(path: Path | str | None = None, *, today: date | None = None) -> EvidenceRegister:
    """Return the checked register (empty when there is no register file); errors name the register's line."""
    path = Path(path) if path else register_path()
    if not path.exists():
        return EvidenceRegister()
    loaded: Loaded[EvidenceRegister] = load_model(path, EvidenceRegister, what="evidence register")
    today = today or date.today()
    extracts = _mapped_extracts(path.parent) if any(e.extract for e in loaded.model.entries) else None
    seen: dict[str, int] = {}
    for i, entry in enumerate(loaded.model.entries):
        if entry.id in seen:
            raise loaded.error(("entries", i, "id"), f"'{entry.id}' is also the id of entry {seen[entry.id] + 1}; "
                                                     "each entry has its own id.")
        seen[entry.id] = i
        _check_entry(loaded, i, entry, today, extracts)
    return loaded.model


def evidence_for(area_code: str, as_at: date | None = None, *, register: EvidenceRegister | Path | str | None = None
                 ) -> list[Entry]:
    """Return the register's entries covering one LA, dated on or before ``as_at`` (default today), newest first.

    ``register`` is a register already read, or its path (default ``data_sources/evidence.yaml``). A
    retired or unknown LA code raises with its successor named, as everywhere in the pipeline.
    """
    code = geography.validate_partition_key(area_code)
    found = register if isinstance(register, EvidenceRegister) else read_register(register)
    return found.covering(code, as_at)


def snapshot(area_codes: list[str], as_at: date, path: Path | str | None = None) -> dict[str, object]:
    """Return what a frozen set records: the register file, its sha256 and the entries covering the LAs then."""
    path = Path(path) if path else register_path()
    if not path.exists():
        return {"register": None, "as_at": as_at.isoformat(), "entries": []}
    entries = read_register(path).covering(list(area_codes), as_at)
    return {"register": path.name, "sha256": sha256_of(path), "as_at": as_at.isoformat(),
            "entries": [e.record() for e in entries]}
