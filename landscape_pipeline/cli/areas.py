"""Areas on the command line: an LA code or name, with "did you mean" when it is neither.

``--area`` accepts a current LA code (any case), or a name ("Coventry", "county durham"). A code
one character off, or a misspelt name, is refused as a usage error that suggests the closest
current LAs; a retired code names its successor (from the geography module).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from landscape_pipeline import geography

_CODE_SHAPE = re.compile(r"^[A-Za-z]\d[0-9A-Za-z]{5,9}$")


class AreaArgumentError(ValueError):
    """An ``--area`` value names no current local authority."""


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


def _las() -> list[tuple[str, str]]:
    return [(la.area_code, la.area_name) for la in geography.current_local_authorities()]


def _one_edit_apart(a: str, b: str) -> bool:
    """Return True when ``a`` becomes ``b`` by one inserted, deleted or replaced character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _describe(pairs: Iterable[tuple[str, str]]) -> str:
    return " or ".join(f"{code} ({name})" for code, name in pairs)


def resolve_area(text: str) -> str:
    """Return the current LA code that ``text`` (a code or a name) means, or raise :class:`AreaArgumentError`."""
    value = text.strip()
    las = _las()
    if _CODE_SHAPE.match(value):
        try:
            return geography.validate_partition_key(value)
        except geography.AreaCodeError as exc:
            if isinstance(exc, geography.RetiredAreaCodeError):
                raise AreaArgumentError(str(exc)) from None
            near = [(code, name) for code, name in las if _one_edit_apart(value.upper(), code)]
            hint = ""
            if near:
                more = f" ({len(near)} current codes are one character away)" if len(near) > 5 else ""
                hint = f" Did you mean {_describe(near[:5])}?{more}"
            raise AreaArgumentError(f"{exc}{hint}") from None
    folded = _fold(value)
    exact = [(code, name) for code, name in las if _fold(name) == folded]
    if len(exact) == 1:
        return exact[0][0]
    starts = [(code, name) for code, name in las if _fold(name).startswith(folded)] if folded else []
    if len(starts) == 1:
        return starts[0][0]
    if len(starts) > 1:
        raise AreaArgumentError(f"'{value}' matches several local authorities: {_describe(starts[:6])}; "
                                "give the code or the full name.")
    by_name = {_fold(name): (code, name) for code, name in las}
    close = difflib.get_close_matches(folded, list(by_name), n=3, cutoff=0.6)
    hint = f" Did you mean {_describe(by_name[c] for c in close)}?" if close else ""
    raise AreaArgumentError(f"'{value}' is not the code or name of a current UK local authority.{hint}")


def resolve_areas(values: Iterable[str] | None) -> list[str] | None:
    """Return the codes of several ``--area`` values (None stays None), in order, without repeats."""
    if values is None:
        return None
    return list(dict.fromkeys(resolve_area(v) for v in values))
