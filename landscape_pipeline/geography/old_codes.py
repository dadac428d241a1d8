"""Old-style ONS local authority district codes (``00CN``, ``15UB``) and the GSS codes they became.

Before 2011 ONS coded districts with four characters: a two-digit county (``00`` for
unitaries, metropolitan and London boroughs) and two letters. Older HES vintages hold residence
only in this form (``RESLADST``). ``data_sources/geography/ons_old_district_codes.csv`` maps each
old code to the GSS code of the same area as it was coded in 2011 or later; a retired GSS code is
then followed to today's authority through the ordinary code tables. Districts abolished in 2009
map to the unitary authority that absorbed them. See the folder's README for how the table was
derived and from what.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from landscape_pipeline.geography.errors import UnknownAreaCodeError
from landscape_pipeline.geography.tables import read_table

OLD_CODES_FILE = "ons_old_district_codes.csv"
OLD_CODE_COLUMNS = ("old_code", "old_name", "gss_code", "basis", "note")
OLD_STYLE = re.compile(r"^\d{2}[A-Z]{2}$")


def is_old_style(code: object) -> bool:
    """Return True for a four-character old-style ONS district code such as ``00CN`` or ``15UB``."""
    return bool(OLD_STYLE.fullmatch(str(code or "").strip().upper()))


@lru_cache(maxsize=1)
def old_code_table() -> Mapping[str, str]:
    """Return {old-style code: GSS code of the same area} from the bundled lookup."""
    frame = read_table(OLD_CODES_FILE, OLD_CODE_COLUMNS)
    return MappingProxyType(dict(zip(frame["old_code"].str.strip().str.upper(), frame["gss_code"].str.strip(),
                                     strict=True)))


def gss_of_old_code(code: str) -> str:
    """Return the GSS code an old-style district code became (possibly itself retired since); raise if unknown."""
    text = str(code or "").strip().upper()
    found = old_code_table().get(text)
    if found is None:
        raise UnknownAreaCodeError(text, f"{text!r} is not an old-style ONS district code in {OLD_CODES_FILE}.")
    return found
