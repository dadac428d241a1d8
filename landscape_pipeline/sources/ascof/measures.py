"""The ASCOF measures this source keeps, and the crosswalk of measure codes across the 2023-24 change.

ASCOF was restructured for 2023-24: the four domains of the 2014-15 framework became six objectives
and several survey measures were renumbered (the old domain 3 "3D" information measures became the
"empowerment: information and advice" objective's 3A/3B, while old 3A/3B meant overall satisfaction).
The same code therefore means different things before and after the change, so a code is read
through the framework of the data year: :data:`FRAMEWORK_2014` up to 2022-23, :data:`FRAMEWORK_2023`
from 2023-24. Where a file also gives the measure's description (the layout used up to 2023-24), the
description must agree with the crosswalk (:func:`description_agrees`), so a wrong code assumption
fails loudly instead of mislabelling values.

Basis of the codes: the 2014-15 framework codes (1A, 1B, 1D, 3D(1), 3D(2)) are those of the ASCOF
handbooks of definitions 2014-15 to 2022-23. The 2023-24 objective codes (1A, 1B, 1D, 3A, 3B) follow
the 2023-24 handbook of definitions; they are to be checked against each new release's CSV guidance
(https://www.gov.uk/government/statistics/measures-from-the-adult-social-care-outcomes-framework-england-2024-to-2025/how-to-use-the-csv-file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from landscape_pipeline.tabular import normalise

FRAMEWORK_2014 = "2014-15 framework (domains)"
FRAMEWORK_2023 = "2023-24 framework (objectives)"
#: First data year (start year of the financial year) read through the objective-based framework.
FIRST_YEAR_2023 = 2023


@dataclass(frozen=True)
class Measure:
    """One kept ASCOF measure: stable id, name, statistic and the words its description must contain."""

    indicator_id: str
    name: str
    value_type: str
    unit: str
    minimum: float
    maximum: float
    #: Range published council values fall in (the plausibility rule allows 1% outside it).
    plausible: tuple[float, float]
    #: Each inner tuple is a set of alternatives; the description must contain one word of each.
    keywords: tuple[tuple[str, ...], ...]
    #: Phrase used by Oflog's reshaped ASCOF table ("Outcome, <phrase>"), where seen in a real Oflog file.
    oflog_phrase: str | None = None


MEASURES: dict[str, Measure] = {m.indicator_id: m for m in (
    Measure("ascof_scrqol", "Social care-related quality of life score (people who use services)", "score",
            "score 0-24", 0, 24, (15, 23), (("quality of life",), ("social care",))),
    Measure("ascof_control_daily_life", "People who use services who have control over their daily life",
            "proportion", "%", 0, 100, (40, 100), (("control",), ("daily life",))),
    Measure("ascof_carer_qol", "Carer-reported quality of life score", "score", "score 0-12", 0, 12, (5, 10),
            (("quality of life",), ("carer",)), "ASC Carer Quality of Life"),
    Measure("ascof_info_easy_users", "People who use services who find it easy to find information about support",
            "proportion", "%", 0, 100, (30, 95), (("information",), ("use services", "service users"))),
    Measure("ascof_info_easy_carers", "Carers who find it easy to find information about support",
            "proportion", "%", 0, 100, (20, 95), (("information",), ("carer",))),
)}

#: (framework, measure code as published) -> indicator id. Codes are compared after :func:`code_key`.
CROSSWALK: dict[tuple[str, str], str] = {
    (FRAMEWORK_2014, "1A"): "ascof_scrqol",
    (FRAMEWORK_2014, "1B"): "ascof_control_daily_life",
    (FRAMEWORK_2014, "1D"): "ascof_carer_qol",
    (FRAMEWORK_2014, "3D(1)"): "ascof_info_easy_users",
    (FRAMEWORK_2014, "3D(2)"): "ascof_info_easy_carers",
    (FRAMEWORK_2023, "1A"): "ascof_scrqol",
    (FRAMEWORK_2023, "1B"): "ascof_control_daily_life",
    (FRAMEWORK_2023, "1D"): "ascof_carer_qol",
    (FRAMEWORK_2023, "3A"): "ascof_info_easy_users",
    (FRAMEWORK_2023, "3B"): "ascof_info_easy_carers",
}


def code_key(code: object) -> str:
    """Return a measure code folded for matching: ``'ASCOF 3D(1)'``, ``'3d1'`` and ``'3D1'`` -> ``'3d1'``."""
    folded = normalise(code)
    return folded[len("ascof"):] if folded.startswith("ascof") else folded


_BY_KEY: dict[tuple[str, str], str] = {(fw, code_key(code)): mid for (fw, code), mid in CROSSWALK.items()}


def framework_of(start_year: int) -> str:
    """Return the framework whose codes a data year uses (start year of the financial year)."""
    return FRAMEWORK_2023 if start_year >= FIRST_YEAR_2023 else FRAMEWORK_2014


def indicator_for(framework: str, code: object) -> str | None:
    """Return the kept indicator id for a published code in a framework, or None for measures not kept."""
    return _BY_KEY.get((framework, code_key(code)))


def codes_for(indicator_id: str) -> dict[str, str]:
    """Return {framework: published code} for one indicator (the crosswalk read the other way)."""
    return {fw: code for (fw, code), mid in CROSSWALK.items() if mid == indicator_id}


def description_agrees(indicator_id: str, description: str) -> bool:
    """Return True when a published description contains the measure's keywords (case and spacing ignored)."""
    text = re.sub(r"\s+", " ", description.replace("-", " ").casefold())
    return all(any(word.replace("-", " ") in text for word in group) for group in MEASURES[indicator_id].keywords)


def oflog_indicator(measure: object) -> str | None:
    """Return the indicator id for an Oflog measure label such as ``'Outcome, ASC Carer Quality of Life'``."""
    text = str(measure)
    if "," not in text or normalise(text.split(",", 1)[0]) != "outcome":
        return None
    phrase = normalise(text.split(",", 1)[1])
    return next((m.indicator_id for m in MEASURES.values() if m.oflog_phrase and normalise(m.oflog_phrase) == phrase),
                None)
