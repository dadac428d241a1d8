"""The HACE questions the pipeline reads, as each edition words them, for the synthetic workbooks.

Question wording follows the published questionnaires and national reports (2021/22 says "GP
practice", 2023/24 "General Practice"); the questions on care and support and on caring are the
ones behind the Core Suite of Integration Indicators 2 to 9. The national shares (``positive``,
``neutral``) only seed the invented values of the synthetic workbooks; they are not published figures.
"""

from __future__ import annotations

from dataclasses import dataclass

CARE = "Care, support and help with everyday living"
CARING = "Caring responsibilities"


@dataclass(frozen=True)
class Question:
    """One percent-positive question: its indicator id, section, wording per edition and invented seed shares."""

    indicator_id: str
    section: str
    text: str  # with "{practice}" where the edition names the practice
    positive: float
    neutral: float
    wanted: bool = True

    def wording(self, edition: str) -> str:
        """Return the question as the edition words it."""
        practice = "General Practice" if edition >= "2023_24" else "GP practice"
        return self.text.format(practice=practice)

    def section_name(self, edition: str) -> str:
        """Return the survey section as the edition names it."""
        if self.section != "gp":
            return self.section
        return "General Practice" if edition >= "2023_24" else "GP Practice"


QUESTIONS: tuple[Question, ...] = (
    Question("hace_gp_contact_ease", "gp", "How easy is it for you to contact your {practice} in the way that you "
             "want?", 0.72, 0.0),
    Question("hace_gp_urgent_wait", "gp", "The last time you needed to see or speak to a doctor or nurse from your "
             "{practice} quite urgently, how long did you wait?", 0.84, 0.0),
    Question("hace_gp_overall_care", "gp", "Overall, how would you rate the care provided by your {practice}?",
             0.68, 0.17),
    Question("hace_gp_receptionist", "gp", "The quality of information provided by the receptionist?", 0.80, 0.12,
             wanted=False),
    Question("hace_care_independence", CARE, "I was supported to live as independently as possible", 0.76, 0.15),
    Question("hace_care_say", CARE, "I had a say in how my help, care or support was provided", 0.70, 0.18),
    Question("hace_care_coordinated", CARE, "My health care and social care services seemed to be well "
             "co-ordinated", 0.66, 0.19),
    Question("hace_care_overall", CARE, "Overall, how would you rate your help, care or support services?", 0.70,
             0.16),
    Question("hace_care_quality_of_life", CARE, "The help, care or support improved or maintained my quality of "
             "life", 0.78, 0.14),
    Question("hace_care_safe", CARE, "I felt safe", 0.80, 0.12),
    Question("hace_care_treated_compassion", CARE, "I was treated with compassion and understanding", 0.78, 0.13,
             wanted=False),
    Question("hace_carer_supported", CARING, "I feel supported to continue caring", 0.31, 0.38),
    Question("hace_carer_balance", CARING, "I have a good balance between caring and other things in my life",
             0.60, 0.20),
)
