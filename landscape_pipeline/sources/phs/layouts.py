"""What PHS open-data files look like: header variants per release and label synonyms (one table each).

Known releases (CKAN datasets ``annual-cancer-incidence`` and ``cancer-mortality``):

* incidence by NHS board, 5-year summaries 2016-2020 and 2017-2021 (59 columns; age bands to
  ``85AndOver``; the 2017-2021 release quotes every header and writes sex as ``Females``);
* incidence for Scotland, annual 1997-2021 (60 columns; bands to ``85To89`` and ``90AndOver``;
  ``StandardisedIncidenceRatioQF`` added, SIR limits dropped);
* mortality by council area (``CA, CAQF``...; bands to ``90AndOver``); a release writes every missing
  cell as a single space, which the shared reader treats as missing.

Only spellings seen in PHS releases are listed. Headers are matched ignoring case, spacing and
punctuation (:func:`landscape_pipeline.tabular.find_columns`); every column is renamed to the first
spelling listed, which is the one the parsers use.
"""

from __future__ import annotations

from landscape_pipeline.tabular import COMMON_MISSING, synonym_table

#: Missing-value tokens PHS writes ("NA"; blanks and single spaces are missing anyway).
MISSING = (*COMMON_MISSING, "NA")

#: Geography columns: the first one present says what a file covers.
GEOGRAPHY = {"CA": ("CA",), "HB": ("HB", "HBR"), "Country": ("Country",)}
#: Identity columns every data file has.
IDENTITY = {
    "CancerSite": ("CancerSite",),
    "Sex": ("Sex",),
    "Year": ("Year",),
}
#: Incidence measures (required ones first; SIR limits appear only in the board releases).
INCIDENCE = {
    "IncidencesAllAges": ("IncidencesAllAges",),
    "CrudeRate": ("CrudeRate",),
    "CrudeRateLower95pcConfidenceInterval": ("CrudeRateLower95pcConfidenceInterval",),
    "CrudeRateUpper95pcConfidenceInterval": ("CrudeRateUpper95pcConfidenceInterval",),
    "EASR": ("EASR",),
    "EASRLower95pcConfidenceInterval": ("EASRLower95pcConfidenceInterval",),
    "EASRUpper95pcConfidenceInterval": ("EASRUpper95pcConfidenceInterval",),
}
#: Mortality measures (required).
MORTALITY = {
    "DeathsAllAges": ("DeathsAllAges", "NumberOfDeaths"),  # NumberOfDeaths: PHS deaths-by-diagnosis releases
    "CrudeRate": ("CrudeRate",),
    "EASR": ("EASR",),
}
#: Optional published EASR limits in a mortality file.
MORTALITY_OPTIONAL = {"EASRLower95pcConfidenceInterval": INCIDENCE["EASRLower95pcConfidenceInterval"],
                      "EASRUpper95pcConfidenceInterval": INCIDENCE["EASRUpper95pcConfidenceInterval"]}

#: Sex labels across releases ("All" is derived, qualifier d).
SEX = synonym_table({
    "Persons": ("All", "All persons", "Both", "Both sexes", "Total"),
    "Male": ("Males", "M", "Men"),
    "Female": ("Females", "F", "Women"),
})

#: Lookups PHS publishes beside the data: recognised by a header row (any of the first lines) and skipped.
LOOKUP_HEADERS = {
    "statistical-qualifier lookup": ("Qualifier", "QualifierName"),
    "health-board lookup": ("HB", "HBName"),
    "council-area lookup": ("CA", "CAName"),
    "data dictionary": ("Column", "Type", "Label", "Description"),
}
