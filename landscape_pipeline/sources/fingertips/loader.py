"""Live loader: the catalogue's indicators for English LAs from the Fingertips API, as raw CSV snapshots.

One request per area type and batch of at most 100 indicator ids:
``GET https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=..&child_area_type_id=502
&parent_area_type_id=6``. Each body is saved by :meth:`HttpFetcher.download` (sha256 sidecar) and
checked to be a Fingertips export before its path is returned. Placeholder ids in the catalogue are
never sent: they are resolved by name from the profiles' indicator metadata first, or skipped.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from landscape_pipeline import content
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.sources.fingertips import indicators
from landscape_pipeline.sources.fingertips.parser import check_header

API_BASE = "https://fingertips.phe.org.uk/api"
DATA_URL = f"{API_BASE}/all_data/csv/by_indicator_id"
METADATA_URL = f"{API_BASE}/indicator_metadata/csv/by_profile_id"
PROFILES_URL = f"{API_BASE}/profiles"
MAX_IDS_PER_REQUEST = 100  # the API's limit for indicator_ids
#: Cancer Services, Public Health Outcomes Framework and Health Profiles.
METADATA_PROFILES = (92, 19, 26)
LA_AREA_TYPES = (indicators.COUNTIES_UAS, indicators.DISTRICTS_UAS)

log = logging.getLogger(__name__)


def batches(ids: Sequence[int], size: int = MAX_IDS_PER_REQUEST) -> list[list[int]]:
    """Return ``ids`` (duplicates dropped, order kept) in consecutive batches of at most ``size``."""
    unique = list(dict.fromkeys(ids))
    return [unique[i:i + size] for i in range(0, len(unique), size)]


def fetch_live(fetcher: HttpFetcher, dest_dir: Path, *, indicator_ids: Sequence[int] | None = None,
               area_type_ids: Iterable[int] = LA_AREA_TYPES, resolve_placeholders: bool = True) -> list[Path]:
    """Download the catalogue's indicators for each LA area type into ``dest_dir``; return the saved CSVs.

    Each indicator is requested for the area types its catalogue entry lists (ids outside the
    catalogue for every type), in batches of at most 100 ids per request.

    Raises :class:`FetchError` when a response is not a Fingertips CSV export.
    """
    ids = list(indicator_ids) if indicator_ids is not None else [i.indicator_id for i in indicators.INDICATORS]
    placeholders = [i for i in ids if i in indicators.PLACEHOLDER_IDS]
    ids = [i for i in ids if i not in indicators.PLACEHOLDER_IDS]
    resolved: dict[int, int] = {}
    if placeholders and resolve_placeholders:
        resolved = resolve_indicator_ids(fetcher, dest_dir, [indicators.BY_ID[i] for i in placeholders])
        ids += [resolved[i] for i in placeholders if i in resolved]
    for missing in (i for i in placeholders if i not in resolved):
        log.warning("Fingertips placeholder indicator %s (%s) was not resolved to a real id; not fetched.",
                    missing, indicators.BY_ID[missing].name)
    saved: list[Path] = []
    for area_type in area_type_ids:
        slug = indicators.AREA_TYPE_SLUGS.get(area_type, "areas")
        wanted = [i for i in ids if _fetched_at(i, area_type, resolved)]
        for number, batch in enumerate(batches(wanted), start=1):
            params = {"indicator_ids": ",".join(map(str, batch)), "child_area_type_id": area_type,
                      "parent_area_type_id": indicators.REGION}
            name = f"fingertips_all_data_{slug}_{area_type}_batch{number}.csv"
            fetched = fetcher.download(DATA_URL, dest_dir, name, params=params, min_bytes=20,
                                       check=export_check(batch))
            saved.append(fetched.path)
    return saved


def _fetched_at(indicator_id: int, area_type: int, resolved: dict[int, int]) -> bool:
    """Return True when the catalogue lists ``area_type`` for this (possibly resolved) id; unknown ids: always."""
    catalogue_id = next((k for k, v in resolved.items() if v == indicator_id), indicator_id)
    entry = indicators.BY_ID.get(catalogue_id)
    return entry is None or area_type in entry.area_type_ids


def export_check(requested_ids: Sequence[int] | None = None) -> content.ContentCheck:
    """Return the content check run on a download before it is kept (see :func:`check_export`)."""
    def check(body: bytes, url: str) -> None:
        content.not_a_page(body, url)
        check_export_text(_decode(body), url, requested_ids)
    return check


def check_export(path: Path, url: str, requested_ids: Sequence[int] | None = None) -> None:
    """Raise :class:`FetchError` unless ``path`` is a Fingertips all_data CSV (header, 26/27 columns, ids)."""
    check_export_text(_decode(path.read_bytes()), url, requested_ids, saved_as=path)


def check_export_text(text: str, url: str, requested_ids: Sequence[int] | None = None, *,
                      saved_as: Path | None = None) -> None:
    """Raise :class:`FetchError` unless ``text`` is a Fingertips all_data CSV (header, 26/27 columns, ids)."""
    path = saved_as or Path(url.split("?", 1)[0].rsplit("/", 1)[-1] or "download.csv")
    if text.lstrip().startswith("<") or text.lstrip().startswith("{"):
        raise FetchError(f"{url} returned HTML or JSON, not a Fingertips CSV export (saved as {path.name}).")
    try:
        header = pd.read_csv(io.StringIO(text), dtype=str, nrows=0, header=0).columns
        names = check_header(path, [str(h) for h in header])
        ids = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=0, names=names,
                          index_col=False, usecols=["Indicator ID"])["Indicator ID"].str.strip()
    except SourceDataError as exc:
        raise FetchError(f"{url} did not return a Fingertips CSV export: {exc}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise FetchError(f"{url} returned a malformed CSV ({exc}); saved as {path.name}.") from None
    if requested_ids is not None:
        unexpected = sorted(set(ids) - {str(i) for i in requested_ids})
        if unexpected:
            raise FetchError(f"{url} returned indicator id(s) {', '.join(unexpected[:5])} that were not requested.")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252")


def indicator_metadata(fetcher: HttpFetcher, dest_dir: Path, profile_ids: Iterable[int] = METADATA_PROFILES
                       ) -> pd.DataFrame:
    """Return the indicator metadata CSVs of the given profiles (``Indicator ID``, ``Indicator``, ...) combined."""
    frames = []
    for profile_id in profile_ids:
        fetched = fetcher.download(METADATA_URL, dest_dir, f"fingertips_metadata_profile_{profile_id}.csv",
                                   params={"profile_id": profile_id}, min_bytes=20,
                                   check=content.csv_with_columns("Indicator ID", "Indicator"))
        try:
            meta = pd.read_csv(io.StringIO(_decode(fetched.path.read_bytes())), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise FetchError(f"{fetched.url} did not return a metadata CSV ({exc}).") from None
        if not {"Indicator ID", "Indicator"} <= set(meta.columns):
            raise FetchError(f"{fetched.url} has no 'Indicator ID'/'Indicator' columns; not Fingertips metadata.")
        frames.append(meta.assign(profile_id=profile_id))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["Indicator ID", "Indicator"])


def resolve_profile_id(fetcher: HttpFetcher, key: str) -> int:
    """Return the id of the profile whose URL key is ``key`` (e.g. "end-of-life"), from ``GET /api/profiles``."""
    profiles = fetcher.get_json(PROFILES_URL)
    if not isinstance(profiles, list):
        raise FetchError(f"{PROFILES_URL} did not return the list of Fingertips profiles.")
    for profile in profiles:
        if isinstance(profile, dict) and str(profile.get("Key", "")).strip().lower() == key.lower():
            try:
                return int(profile["Id"])
            except (KeyError, TypeError, ValueError):
                break
    raise FetchError(f"No Fingertips profile has the URL key '{key}' (see {PROFILES_URL}); its indicators "
                     "cannot be resolved.")


def resolve_indicator_ids(fetcher: HttpFetcher, dest_dir: Path,
                          wanted: Sequence[indicators.FingertipsIndicator]) -> dict[int, int]:
    """Return catalogue id -> real Fingertips id for indicators whose name matches their profile's metadata.

    Indicators without a ``profile_key`` are looked up in :data:`METADATA_PROFILES`; the others in the
    profile with that URL key, whose id is read from ``/api/profiles`` at run time. The lowest matching
    id wins (the longest-standing indicator); unmatched indicators are left out.
    """
    found: dict[int, int] = {}
    for key in dict.fromkeys(item.profile_key for item in wanted):
        try:
            profile_ids = (resolve_profile_id(fetcher, key),) if key else METADATA_PROFILES
        except FetchError as exc:  # the other profiles' indicators can still be fetched
            log.warning("%s", exc)
            continue
        meta = indicator_metadata(fetcher, dest_dir, profile_ids)
        meta = meta[meta["Indicator ID"].str.strip().str.fullmatch(r"\d+")]
        for item in (i for i in wanted if i.profile_key == key):
            hits = meta.loc[meta["Indicator"].str.contains(item.name_pattern, flags=re.IGNORECASE, regex=True),
                            "Indicator ID"]
            if len(hits):
                found[item.indicator_id] = int(hits.astype(int).min())
    return found
