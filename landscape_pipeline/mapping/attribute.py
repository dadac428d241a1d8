"""Areas that contain council areas (HSCPs, NHS boards): check their codes and attribute their values.

A file at ``hscp`` level carries Scottish health and social care partnership codes (S37; the 2016
codes of Fife, Perth and Kinross, Glasgow City and North Lanarkshire are recoded to their 2019
successors, with a note), and may also carry board, council area and Scotland rows. With
``roll_up: attribute`` every partnership (or, at ``health_board`` level, every Scottish board) row is
copied to each council area it contains: ``geography_method`` is "direct" when the area is that
council area's alone (coterminous), "attributed" when it is shared (Clackmannanshire and Stirling
share one partnership, so both inherit its value), with an ``attribution_note`` saying so. A council
area row published in the file wins over the one attributed to it.
"""

from __future__ import annotations

import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.geography import scotland
from landscape_pipeline.mapping.model import MappingFile
from landscape_pipeline.mapping.reader import Extract

#: Statuses (``geography.classify_area_codes``) a partnership file may carry besides S37 codes.
_ALSO_ACCEPTED = ("nation", "health_board", "current_la")
KEY = ["rule_id", "area_code", "period_label", "sex", "age", "category_type", "category"]


def _partnership_code(code: str) -> str | None:
    try:
        return scotland.resolve_hscp_code(code)
    except geography.AreaCodeError:
        return None


def place_partnerships(extract: Extract) -> None:
    """Check the codes of an ``hscp``-level file; recode archived partnership codes (noted)."""
    rows = extract.rows
    codes = rows["area_code"].astype("str").str.strip().str.upper()
    current = codes.map({c: _partnership_code(c) for c in codes.unique()})
    other = geography.classify_area_codes(codes).isin(_ALSO_ACCEPTED)
    extract.fail(current.isna() & ~other, "{value!r} is not a Scottish health and social care partnership code "
                 "(S37, listed in data_sources/geography/scottish_hscps.csv), nor a council area, NHS board or "
                 "Scotland code; check the code.", column=extract.sources.get("area_code"), field="area_code")
    recoded = current.notna() & current.ne(codes)
    rows["area_code"] = current.fillna(codes)
    rows["attribution_note"] = ("Reported under archived partnership code " + codes).where(recoded)
    rows["_la"] = None


def _covered(code: str, level: str) -> tuple[str, ...]:
    """Return the council areas an HSCP (or a Scottish board) contains; () for anything else."""
    if level == "hscp" and code in scotland.hscp_codes():
        return scotland.partnership(code).council_areas
    if level == "health_board" and code.startswith("S08"):
        try:
            return tuple(geography.council_areas_in_board(code))
        except geography.AreaCodeError:
            return ()
    return ()


def _container_name(code: str, level: str) -> str:
    if level == "hscp":
        return f"{scotland.partnership(code).area_name} HSCP ({code})"
    return f"{geography.area_name(code)} ({code})"


def _note(code: str, level: str, councils: tuple[str, ...]) -> str:
    name = _container_name(code, level)
    if len(councils) == 1:
        return f"From {name}, which covers this council area only."
    names = " and ".join(geography.area_name(c) for c in councils)
    return (f"Attributed from {name}, which covers {names}: each of them carries the "
            f"{'partnership' if level == 'hscp' else 'board'}'s value.")


def attribute(rows: pd.DataFrame, mapping: MappingFile) -> pd.DataFrame:
    """Return ``rows`` plus one row per council area each partnership (or board) row contains."""
    level = mapping.geography.level
    codes = rows["area_code"].astype(str)
    covers = codes.map({c: _covered(c, level) for c in codes.unique()})
    source = rows.loc[covers.map(len).gt(0)].assign(_covers=covers)
    if source.empty:
        return rows
    shared = source["_covers"].map(len).gt(1)
    notes = [_note(c, level, k) for c, k in zip(source["area_code"], source["_covers"], strict=True)]
    source = source.assign(attribution_note=notes, geography_method=shared.map({True: "attributed", False: "direct"}))
    made = source.explode("_covers")
    made["area_code"] = made.pop("_covers")
    made["area_name"] = None
    made["area_type"] = None
    published = pd.MultiIndex.from_frame(rows[KEY].astype(object).fillna("").astype(str))
    mine = pd.MultiIndex.from_frame(made[KEY].astype(object).fillna("").astype(str))
    return pd.concat([rows, made.loc[~mine.isin(published)]], ignore_index=True)
