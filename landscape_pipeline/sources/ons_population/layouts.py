"""What ONS population files look like: header variants per vintage and label synonyms (one table each).

Two ONS layouts carry district estimates by sex and single year of age:

* **MYEB1** (the "detailed time series", long): ``ladcodeNN, lanameNN, country, sex, age,
  population_YYYY...``; ``NN`` is the year of the geography (``ladcode21`` = 2021 codes). Sex is
  1 (male) or 2 (female); age 0..90, 90 meaning 90 and over.
* **MYE2** (sheets "MYE2 - Males" / "MYE2 - Females" of the mid-year estimates workbook, or one
  sheet saved as CSV, wide): title rows naming the sex and "mid-YYYY", then ``Code, Name,
  Geography, All ages, 0, 1, ..., 89, 90+``. The rows mix the UK, nations, regions, counties and
  metropolitan counties with the districts; ``Geography`` says which is which.
"""

from __future__ import annotations

import re
from datetime import date

from landscape_pipeline.tabular import normalise, synonym_table

#: Geography years whose code columns a MYEB1 file may carry (``ladcode21``, ``lad21cd``, ``lad2021_code``...).
_GEOGRAPHY_YEARS = range(2009, 2041)

#: MYEB1 header variants (our name -> spellings across vintages).
MYEB1_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": tuple(s for y in _GEOGRAPHY_YEARS for s in (f"ladcode{y % 100:02d}", f"lad{y % 100:02d}cd",
                                                         f"lad{y}_code", f"lad{y}cd")),
    "sex": ("sex", "gender"),
    "age": ("age", "single year of age"),
}
#: A MYEB1 year column, as folded by :func:`~landscape_pipeline.tabular.normalise` ("population_2020").
MYEB1_YEAR = re.compile(r"^population(\d{4})$")
#: MYE2 header variants: the first three columns; ages follow as 0 ... 90+.
MYE2_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("Code", "Area code", "ladcode", "geography code"),
    "name": ("Name", "Area name", "laname", "geography name"),
    "geography": ("Geography", "Geography type", "Area type"),
}
MYE2_AGE = re.compile(r"^(\d{1,3})(\+| and over|andover)?$", re.I)
#: Sheet names of the MYE2 tables in the ONS workbook (matched ignoring case and spacing).
MYE2_SHEETS = {"Male": ("MYE2 - Males", "MYE2 Males", "MYE2 - Male"),
               "Female": ("MYE2 - Females", "MYE2 Females", "MYE2 - Female")}
MYE2_PERSONS_SHEET = "MYE2 - Persons"

#: Sex labels in every ONS layout (codes 1/2 in MYEB1; sheet and title words in MYE2).
SEX = synonym_table({
    "Male": ("1", "M", "Males", "Men"),
    "Female": ("2", "F", "Females", "Women"),
    "Persons": ("0", "All", "All persons", "People", "Total"),
})
#: MYE2 ``Geography`` labels: which rows are districts (kept) and which are sums of them (skipped).
AREA_TYPE = synonym_table({
    "district": ("Non-metropolitan District", "Unitary Authority", "Metropolitan District", "London Borough",
                 "Council Area", "Local Government District", "Welsh Unitary Authority", "Unitary",
                 "Local Authority District", "District"),
    "aggregate": ("Country", "Nation", "Region", "County", "Metropolitan County", "Upper tier local authority",
                  "Combined Authority", "United Kingdom", "Great Britain", "England and Wales"),
})

#: ONS entity codes of areas that are sums of districts (metropolitan counties, regions, countries, UK, GB, E&W).
AGGREGATE_ENTITIES = ("E10", "E11", "E12", "E13", "E92", "W92", "S92", "N92", "K02", "K03", "K04")

_MID_YEAR = re.compile(r"mid[-_ ]?(\d{4})(?!\d)", re.I)
_MID_YEAR_SHORT = re.compile(r"mye(\d{2})(?!\d)", re.I)
_GEOGRAPHY_YEAR = re.compile(r"(?:geog(?:raphy)?[-_ ]?(?:20)?(\d{2})(?!\d)|on[-_ ]?(20\d{2})[-_ ]?geography"
                             r"|(20\d{2})[-_ ]+(?:local authority )?(?:geography|boundaries))", re.I)


def mid_year_of(text: str) -> int | None:
    """Return the estimate year named in a title or file name ("mid-2020", "mid2020", "mye20"), else None."""
    found = _MID_YEAR.search(text)
    if found:
        return int(found[1])
    short = _MID_YEAR_SHORT.search(text)
    return 2000 + int(short[1]) if short else None


def geography_date_of(text: str) -> date | None:
    """Return 1 April of the geography year a title or file name states ("geog2021", "on 2021 geography")."""
    found = _GEOGRAPHY_YEAR.search(text)
    if not found:
        return None
    digits = next(g for g in found.groups() if g)
    return date(int(digits) if len(digits) == 4 else 2000 + int(digits), 4, 1)


def geography_date_of_column(column: str) -> date | None:
    """Return 1 April of the geography year a MYEB1 code column names (``ladcode21`` -> 2021-04-01)."""
    digits = re.search(r"(\d{4}|\d{2})", normalise(column))
    if not digits:
        return None
    year = int(digits[1]) if len(digits[1]) == 4 else 2000 + int(digits[1])
    return date(year, 4, 1)


def sex_in(text: str) -> str | None:
    """Return "Male", "Female" or "Persons" when a title or sheet name names exactly one of them (whole words)."""
    female = re.search(r"(?<![a-z])(females?|women)(?![a-z])", text, re.I)
    male = re.search(r"(?<![a-z])(males?|men)(?![a-z])", text, re.I)
    if bool(female) != bool(male):
        return "Female" if female else "Male"
    if not female and re.search(r"(?<![a-z])persons(?![a-z])", text, re.I):
        return "Persons"
    return None
