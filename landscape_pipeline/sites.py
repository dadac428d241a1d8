"""The site register (``data_sources/sites.yaml``): each programme site's local authorities and start date.

Checked when read, with errors naming the register's line: ids are unique, every LA code is a
current local authority (a retired code is refused with its successor named), dates are ISO
dates. Local monitoring returns name sites, which become their LAs; ``landscape freeze --site``
freezes a site's LAs labelled with its start date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from landscape_pipeline import geography, paths
from landscape_pipeline.tabular import normalise
from landscape_pipeline.yamlfile import Loaded, YamlFileError, load_model

SITES_FILE = "sites.yaml"


class Site(BaseModel):
    """One programme site."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Short id: lower-case letters, digits, '_'.")
    name: str = Field(min_length=2)
    la_codes: list[str] = Field(min_length=1, description="Current LA codes the site serves.")
    start_date: date = Field(description="Programme start (ISO date, e.g. 2025-04-01).")
    note: str = ""

    def freeze_label(self) -> str:
        """Return the label a baseline frozen at this site's start gets (e.g. ``coventry-start-2025-04-01``)."""
        return f"{self.id}-start-{self.start_date.isoformat()}"


class SiteRegister(BaseModel):
    """The whole register."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sites: list[Site] = Field(min_length=1)

    def find(self, name: str) -> Site:
        """Return the site whose id or name matches ``name`` (case and punctuation ignored)."""
        wanted = normalise(name)
        for site in self.sites:
            if wanted in (normalise(site.id), normalise(site.name)):
                return site
        raise KeyError(f"No site called '{name}' in the site register; known sites: "
                       f"{', '.join(s.name for s in self.sites)}.")

    def la_lookup(self) -> dict[str, tuple[str, ...]]:
        """Return {normalised id or name: LA codes} for matching the site column of a return."""
        out: dict[str, tuple[str, ...]] = {}
        for site in self.sites:
            out[normalise(site.id)] = out[normalise(site.name)] = tuple(site.la_codes)
        return out


def register_path(data_sources: Path | None = None) -> Path:
    """Return the site register's path (in ``data_sources/``)."""
    return Path(data_sources or paths.data_sources_dir()) / SITES_FILE


def read_sites(path: Path | str | None = None) -> SiteRegister:
    """Return the checked site register; errors name the register's line and what to fix."""
    loaded: Loaded[SiteRegister] = load_model(Path(path) if path else register_path(), SiteRegister,
                                              what="site register")
    register = loaded.model
    seen: dict[str, int] = {}
    for i, site in enumerate(register.sites):
        for key in (normalise(site.id), normalise(site.name)):
            if seen.get(key, i) != i:
                raise loaded.error(("sites", i, "name"), f"'{site.name}' repeats site {seen[key] + 1}; "
                                                         "each site has its own id and name.")
            seen[key] = i
        for j, code in enumerate(site.la_codes):
            try:
                geography.validate_partition_key(code)
            except geography.AreaCodeError as exc:
                raise loaded.error(("sites", i, "la_codes", j), f"{exc}") from None
    return register


__all__ = ["Site", "SiteRegister", "YamlFileError", "read_sites", "register_path"]


def site_codes(name: str, path: Path | str | None = None) -> tuple[str, ...]:
    """Return the LA codes of the site called ``name`` (id or name); a KeyError lists the known sites."""
    return tuple(read_sites(path).find(name).la_codes)
