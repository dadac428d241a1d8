"""Place each file's district codes on today's districts, by the file's geography date, never by guessing.

A file is on one geography: its codes must all have been in use at the same time (the vintage, from
:func:`landscape_pipeline.geography.common_vintage`; a date the file states must fall inside it). Each
district code then goes to the current district or unitary that now covers it: unchanged codes to
themselves, merged districts (Allerdale, Carlisle, Copeland) to their successor (Cumberland), where
they are summed. A successor is only built from the complete set of districts it replaced: a file
that has some of them but not all would understate it, and is refused.
"""

from __future__ import annotations

import pandas as pd

from landscape_pipeline import geography

from .readers import PopulationTable


def _first(table: PopulationTable, code: str) -> int:
    return int((table.rows["code"] == code).to_numpy().argmax())


def current_districts(table: PopulationTable) -> pd.Series:
    """Return, for every row of ``table``, the current district its code lies in (raising SourceDataError)."""
    codes = list(pd.unique(table.rows["code"]))
    try:
        vintage = geography.common_vintage(codes, declared=table.declared)
    except geography.VintageError as exc:
        raise table.error(str(exc), _first(table, exc.code)) from None
    lookup: dict[str, str] = {}
    for code in codes:
        try:
            lookup[code] = geography.current_district(code)
        except geography.AreaCodeError as exc:
            raise table.error(f"{exc} District-level estimates are required.", _first(table, code)) from None
    present = set(codes)
    for current in sorted({c for code, c in lookup.items() if code != c}):
        members = set(geography.members_on(current, vintage))
        missing = sorted(members - present)
        if missing:
            here = sorted(members & present)
            raise table.error(
                f"{_names(here)} {'is' if len(here) == 1 else 'are'} here but {_names(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not; together they became {_names([current])}, whose "
                "estimate would be short. Supply the file with every district.", _first(table, here[0]))
    return table.rows["code"].map(lookup)


def _names(codes: list[str]) -> str:
    labels = [f"{c} ({geography.area_name(c)})" for c in codes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def check_unique(table: PopulationTable) -> None:
    """Raise naming the second row when one code, sex, age and year appears twice in a table."""
    repeated = table.rows.duplicated(["code", "sex", "age", "year"]).to_numpy()
    if repeated.any():
        position = int(repeated.argmax())
        row = table.rows.iloc[position]
        raise table.error(f"{row['code']} ({'male' if row['sex'] == 1 else 'female'}, age {row['age']}, {row['year']}) "
                          "appears twice in this file; supply each estimate once.", position)
