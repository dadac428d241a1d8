"""The analyst-maintained template of CQC's local authority assessments (Care Act 2014, Part 1).

CQC assesses how each English council meets its adult social care duties: nine quality statements
in four themes, each scored 1-4 (1 = evidence shows significant shortfalls, 2 = some shortfalls,
3 = a good standard, 4 = an exceptional standard), and an overall rating from the total as a
percentage of the maximum (36): 25-38% Inadequate, 39-62% Requires improvement, 63-87% Good, 88% and
over Outstanding. CQC publishes reports, not a bulk file, so an analyst keeps a CSV with one row per
published assessment:

| column | required | content |
|---|---|---|
| ``area_code`` | yes | ONS code of the council (E06/E08/E09/E10: a council with adult social services duties) |
| ``council_name`` | no | for the reader; not used to place the row |
| ``assessment_date`` | yes | date CQC published the assessment, ``YYYY-MM-DD`` (``YYYY-MM`` if only the month) |
| ``overall_rating`` | no | one of CQC's four words: Outstanding, Good, Requires improvement, Inadequate |
| ``qs1_assessing_needs`` ... ``qs9_learning_improvement_innovation`` | no | the nine scores, 1-4 |
| ``report_url`` | no | link to the report on cqc.org.uk |
| ``note`` | no | anything the reader of the page should know |

Headers may also be written as the quality statements' names ("Assessing needs", "QS7 Safeguarding").
"""

from __future__ import annotations

from dataclasses import dataclass

THEMES = ("Working with people", "Providing support", "How the local authority ensures safety within the system",
          "Leadership")


@dataclass(frozen=True)
class QualityStatement:
    """One of the nine quality statements: number, template column, name and theme."""

    number: int
    column: str
    name: str
    theme: str

    @property
    def indicator_id(self) -> str:
        """Return the stable indicator id of this statement's score."""
        return f"cqc_la_assessment_{self.column}"


QUALITY_STATEMENTS: tuple[QualityStatement, ...] = (
    QualityStatement(1, "qs1_assessing_needs", "Assessing needs", THEMES[0]),
    QualityStatement(2, "qs2_supporting_healthier_lives", "Supporting people to live healthier lives", THEMES[0]),
    QualityStatement(3, "qs3_equity_in_experiences_and_outcomes", "Equity in experiences and outcomes", THEMES[0]),
    QualityStatement(4, "qs4_care_provision_integration_continuity", "Care provision, integration and continuity",
                     THEMES[1]),
    QualityStatement(5, "qs5_partnerships_and_communities", "Partnerships and communities", THEMES[1]),
    QualityStatement(6, "qs6_safe_pathways_systems_transitions", "Safe pathways, systems and transitions", THEMES[2]),
    QualityStatement(7, "qs7_safeguarding", "Safeguarding", THEMES[2]),
    QualityStatement(8, "qs8_governance_management_sustainability", "Governance, management and sustainability",
                     THEMES[3]),
    QualityStatement(9, "qs9_learning_improvement_innovation", "Learning, improvement and innovation", THEMES[3]),
)

#: CQC's four rating words, worst first; the value stored is the position (1 = Inadequate ... 4 = Outstanding).
RATINGS = ("Inadequate", "Requires improvement", "Good", "Outstanding")
MAX_SCORE = 4 * len(QUALITY_STATEMENTS)

RATING_ID = "cqc_la_assessment_overall_rating"
PERCENT_ID = "cqc_la_assessment_overall_score"

COLUMNS: dict[str, tuple[str, ...]] = {
    "area_code": ("area_code", "ONS code", "Local authority code", "LA code"),
    "council_name": ("council_name", "Council", "Local authority", "Authority name"),
    "assessment_date": ("assessment_date", "Assessment date", "Publication date", "Date published"),
    "overall_rating": ("overall_rating", "Overall rating", "Rating"),
    "report_url": ("report_url", "Report URL", "URL", "Link"),
    "note": ("note", "Notes", "Comment"),
    **{qs.column: (qs.column, qs.name, f"QS{qs.number} {qs.name}", f"QS{qs.number}")
       for qs in QUALITY_STATEMENTS},
}
REQUIRED = ("area_code", "assessment_date")
HEADER = ["area_code", "council_name", "assessment_date", "overall_rating",
          *(qs.column for qs in QUALITY_STATEMENTS), "report_url", "note"]


def rating_for_percent(percent: float) -> str:
    """Return CQC's rating for an overall score percentage (rounded to a whole percent first)."""
    whole = round(percent)
    if whole >= 88:
        return "Outstanding"
    if whole >= 63:
        return "Good"
    if whole >= 39:
        return "Requires improvement"
    return "Inadequate"
