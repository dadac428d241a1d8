"""Indicator labels written once: the publisher's name plus only the parts of the breakdown it does not already say.

"Cancer screening coverage: cervical cancer (aged 25 to 49 years old)" with the breakdown
"Female, 25-49 yrs" reads as the name alone (the ages are in the name and cervical screening is
for women); "Cancer screening coverage: breast cancer" with "Female, 53-70 yrs" becomes
"Cancer screening coverage: breast cancer (women aged 53–70)".
"""

from __future__ import annotations

import re
from functools import lru_cache

_NUMBERS = re.compile(r"\d+")
_UNDER = re.compile(r"^\s*<\s*(\d+)")
_OVER = re.compile(r"^\s*(\d+)\s*\+")
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)")
_SEX_WORDS = re.compile(r"\b(female|females|women|woman|male|males|men|man|boys|girls)\b", re.IGNORECASE)
#: Cancer sites screened or found in one sex only: the sex adds nothing to the label.
_ONE_SEX_SITES = re.compile(r"\b(cervical|cervix|ovar\w*|uter\w*|endometri\w*|prostate|testic\w*)\b", re.IGNORECASE)
_DEFAULT_AGES = {"all ages", "", "persons"}
_SEX_NOUNS = {"Female": "women", "Male": "men"}
_WORDY_AGES = re.compile(r"\(aged (\d+) to (\d+)(?: years(?: old)?)?\)", re.IGNORECASE)


def age_phrase(age: str | None) -> str:
    """Return an age band in words: '53-70 yrs' -> 'aged 53–70', '<75 yrs' -> 'aged under 75', '65+' -> 'aged 65+'."""
    text = (age or "").strip()
    if text.lower() in _DEFAULT_AGES:
        return ""
    if match := _UNDER.match(text):
        return f"aged under {match.group(1)}"
    if match := _RANGE.match(text):
        return f"aged {match.group(1)}–{match.group(2)}"
    if match := _OVER.match(text):
        return f"aged {match.group(1)}+"
    return text


def _age_in_name(name: str, age: str) -> bool:
    """Return True when every number of the age band already appears in the name as a whole number."""
    wanted = _NUMBERS.findall(age)
    have = set(_NUMBERS.findall(name))
    return bool(wanted) and all(n in have for n in wanted)


@lru_cache(maxsize=8192)
def clean_label(name: str, sex: str | None = None, age: str | None = None, category: str | None = None) -> str:
    """Return the indicator's label with the breakdown parts the name does not already say, said once."""
    name = _WORDY_AGES.sub(lambda m: f"(aged {m.group(1)}–{m.group(2)})", " ".join((name or "").split()))
    parts: list[str] = []
    who = ""
    if sex in _SEX_NOUNS and not _SEX_WORDS.search(name) and not _ONE_SEX_SITES.search(name):
        who = _SEX_NOUNS[sex]
    ages = ""
    if age and age.strip().lower() not in _DEFAULT_AGES and not _age_in_name(name, age):
        ages = age_phrase(age)
    if who and ages:
        parts.append(f"{who} {ages}")
    elif who or ages:
        parts.append(who or ages)
    if category and category.strip() and category.strip().lower() not in name.lower():
        parts.append(category.strip())
    return f"{name} ({', '.join(parts)})" if parts else name


def family_name(names: list[str]) -> str:
    """Return the part of related names before their measure ('X: crude rate', 'X: number' -> 'X')."""
    heads = {n.rsplit(":", 1)[0].strip() for n in names if ":" in n}
    if len(heads) == 1:
        return heads.pop()
    return names[0]
