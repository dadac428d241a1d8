"""Indicator dictionary of CQC's assessments of councils under the Care Act (see :mod:`.template`)."""

from __future__ import annotations

from landscape_pipeline.sources.base import IndicatorInfo
from landscape_pipeline.sources.cqc_la_assessment.template import MAX_SCORE, PERCENT_ID, QUALITY_STATEMENTS, RATING_ID

NO_CI = "None: an inspectorate's judgement, not a sample estimate"
CADENCE = "Irregular (each council assessed in turn from 2023; dated by the report's publication)"
PUBLISHER = "CQC local authority assessment report"
NOTES = "Transcribed by the analyst from CQC's published report into the documented template."


def dictionary() -> list[IndicatorInfo]:
    """Return the overall rating, the total score and the nine quality-statement scores."""
    out = [
        IndicatorInfo(RATING_ID, "CQC assessment of adult social care: overall rating",
                      "CQC's overall rating of how the council meets its Care Act duties, as a position: 1 "
                      "Inadequate, 2 Requires improvement, 3 Good, 4 Outstanding.", "Not applicable (a rating)",
                      "Not applicable", "score", "rating (1 Inadequate, 2 Requires improvement, 3 Good, 4 Outstanding)",
                      None, NO_CI, "High is good", CADENCE, 0, publisher_id=f"{PUBLISHER}: overall rating",
                      change_test="none", notes=NOTES),
        IndicatorInfo(PERCENT_ID, "CQC assessment of adult social care: total score (% of the maximum)",
                      f"Sum of the nine quality-statement scores as a percentage of the maximum ({MAX_SCORE}); CQC "
                      "bands it into the overall rating.", "Sum of the nine quality-statement scores",
                      f"Maximum score ({MAX_SCORE})", "score", f"% of maximum score ({MAX_SCORE})", 100, NO_CI,
                      "High is good", CADENCE, 1, publisher_id=f"{PUBLISHER}: score per quality statement",
                      change_test="none", notes=NOTES),
    ]
    for qs in QUALITY_STATEMENTS:
        out.append(IndicatorInfo(
            qs.indicator_id, f"CQC assessment: {qs.name} ({qs.theme})",
            f"CQC's score for quality statement {qs.number}, '{qs.name}' (theme: {qs.theme}), from 1 (evidence shows "
            "significant shortfalls) to 4 (evidence shows an exceptional standard).", "Not applicable (a score)",
            "Not applicable", "score", "score 1-4", None, NO_CI, "High is good", CADENCE, 0,
            publisher_id=f"{PUBLISHER}: quality statement {qs.number}", change_test="none", notes=NOTES))
    return out
