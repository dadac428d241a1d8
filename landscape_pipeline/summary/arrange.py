"""Each indicator once: measure families merged, breakdowns folded into details, low-information rows set aside.

Runs on one area's rows after :mod:`.rows` built them, before they are split into theme sections.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from landscape_pipeline.summary.formatting import format_period, format_value, is_number
from landscape_pipeline.summary.labels import clean_label, family_name
from landscape_pipeline.summary.model import DetailValue, IndicatorRow, evolve
from landscape_pipeline.summary.related import PREFERRED, RELATED, equivalent_of, family_of

_AGE = re.compile(r"^\s*(?:(<)\s*(\d+)|(\d+)\s*\+|(\d+)\s*-\s*(\d+))")
#: Rows kept in a section's details rather than its table (detail behind a headline measure).
_DETAIL_ONLY = re.compile(r"^simd_(?!overall_)|^imd_rank_of_average_score")
DETAIL_REASON = "more detail on deprivation"
PREFERRED_REASON = "NHS board figures attributed to this council (its own figures are shown)"


def merge_families(rows: Sequence[IndicatorRow], raw_names: Mapping[str, str]) -> list[IndicatorRow]:
    """Return rows with each measure family (rate, crude rate, number) merged into its headline row."""
    groups: dict[tuple, dict[str, IndicatorRow]] = {}
    for row in rows:
        fam = family_of(row.indicator_id)
        if fam:
            groups.setdefault((fam[0], row.breakdown), {})[fam[1]] = row
    merged: dict[str, IndicatorRow] = {}
    dropped: set[str] = set()
    for (_stem, _breakdown), members in groups.items():
        head = members.get("headline")
        if head is None:
            continue
        names = [raw_names.get(m.anchor, m.name) for m in members.values()]
        label = clean_label(family_name(names), *_parts(head.breakdown))
        count, crude = members.get("count"), members.get("crude")
        notes = [head.note] if head.note else []
        if crude is not None and not crude.suppressed and is_number(crude.value):
            notes.append(f"Crude rate {format_value(crude.value, crude.unit, crude.value_type)}")
        merged[head.anchor] = evolve(head, name=label, count_text=count.value_text if count else head.count_text,
                                      note="; ".join(notes))
        dropped.update(m.anchor for m in members.values() if m is not head)
    return [merged.get(r.anchor, r) for r in rows if r.anchor not in dropped]


def _parts(breakdown: str) -> tuple[str | None, str | None, str | None]:
    """Return (sex, age, category) back from a breakdown label like 'Female, 53-70 yrs, Breast'."""
    sex = age = None
    rest = []
    for part in (p.strip() for p in breakdown.split(",") if p.strip()):
        if part in ("Male", "Female") and sex is None:
            sex = part
        elif _AGE.match(part) and age is None:
            age = part
        else:
            rest.append(part)
    return sex, age, ", ".join(rest) or None


def _age_range(breakdown: str) -> tuple[float, float]:
    """Return the (low, high) ages a row covers (all ages when it names none)."""
    _sex, age, _cat = _parts(breakdown)
    match = _AGE.match(age or "")
    if not match:
        return 0.0, float("inf")
    under, below, over, low, high = match.groups()
    if under:
        return 0.0, float(below)
    if over:
        return float(over), float("inf")
    return float(low), float(high)


def fold_details(rows: Sequence[IndicatorRow]) -> list[IndicatorRow]:
    """Return rows with an indicator's narrower breakdowns (ages, sexes) folded into its broadest row's details."""
    by_id: dict[str, list[IndicatorRow]] = {}
    for row in rows:
        by_id.setdefault(row.indicator_id, []).append(row)
    folded: dict[str, IndicatorRow] = {}
    dropped: set[str] = set()
    for members in by_id.values():
        if len(members) < 2 or len({_parts(m.breakdown)[2] for m in members}) > 1:
            continue  # one row, or rows that differ by group (e.g. cancer site): each stays a row
        spans = [(_age_range(m.breakdown), _parts(m.breakdown)[0]) for m in members]
        broadest = min(range(len(members)), key=lambda i: (spans[i][0][0], -spans[i][0][1], spans[i][1] is not None))
        (low, high), sex = spans[broadest]
        if not all(lo >= low and hi <= high and (sex is None or s == sex) for (lo, hi), s in spans):
            continue
        head = members[broadest]
        details = tuple(DetailValue(m.breakdown or "All", m.period, m.value_text, m.comparator_text, m.comparison,
                                    m.comparison_class) for i, m in enumerate(members) if i != broadest)
        folded[head.anchor] = evolve(head, details=head.details + details)
        dropped.update(m.anchor for i, m in enumerate(members) if i != broadest)
    return [folded.get(r.anchor, r) for r in rows if r.anchor not in dropped]


def set_aside(rows: Sequence[IndicatorRow]) -> list[IndicatorRow]:
    """Return rows with hidden_reason set on detail-only and superseded rows (suppressed ones already have it)."""
    present = {r.indicator_id for r in rows if r.value is not None and not r.attributed}
    out = []
    for row in rows:
        if not row.hidden_reason and _DETAIL_ONLY.search(row.indicator_id):
            row = evolve(row, hidden_reason=DETAIL_REASON)
        elif not row.hidden_reason and row.attributed and PREFERRED.get(row.indicator_id) in present:
            row = evolve(row, hidden_reason=PREFERRED_REASON)
        out.append(row)
    return out


def with_equivalents(rows: Sequence[IndicatorRow], national: Mapping[str, tuple[float, str, str, str]]
                     ) -> list[IndicatorRow]:
    """Return rows with the other nation's equivalent in their note; Scottish rows that only look like an
    English one say they are not the same measure (English rows stay quiet about Scottish look-alikes)."""
    out = []
    for row in rows:
        found = equivalent_of(row.indicator_id)
        if found is None or (not found[0].same and row.indicator_id == found[0].english):
            out.append(row)
            continue
        equivalent, other = found
        text = equivalent.note
        if equivalent.same and other in national:
            value, period, unit, vtype = national[other]
            where = "Scotland" if other == equivalent.scottish else "England"
            text += f" {where}: {format_value(value, unit, vtype)} ({format_period(period)})."
        out.append(evolve(row, equivalent_note=text))
    return out


def related_notes(rows: Sequence[IndicatorRow], area_name: str, comparator_name: str) -> dict[str, list[str]]:
    """Return per theme the notes reconciling related indicators that are both on the page."""
    first = {}
    for row in rows:
        if not row.breakdown or row.indicator_id not in first:
            first.setdefault(row.indicator_id, row)
    notes: dict[str, list[str]] = {}
    for pair in RELATED:
        a, b = first.get(pair.first), first.get(pair.second)
        if a is None or b is None or a.value is None or b.value is None:
            continue
        said = [f"{r.sentence_value} ({r.period}, {r.comparison.lower()})" for r in (a, b)]
        text = f"The two {pair.topic} rows below — " + " and ".join(said) + f" — {pair.why}"
        if {a.comparison, b.comparison} in ({"Higher", "Lower"}, {"Better", "Worse"}):
            text += (f" They disagree against {comparator_name} because the gap between them is larger than "
                     f"{area_name}'s difference from {comparator_name}: read {area_name} as close to "
                     f"{comparator_name}.")
        notes.setdefault(a.theme, []).append(text)
    return notes


def theme_notes(rows: Sequence[IndicatorRow], min_repeats: int = 3) -> tuple[list[IndicatorRow], list[str]]:
    """Return rows without notes repeated on ``min_repeats`` or more of them, and those notes said once.

    Also says once why rows are not compared with the region or similar areas (each cell keeps the
    reason in its text alternative).
    """
    counts: dict[str, int] = {}
    for row in rows:
        for part in filter(None, row.note.split("; ")):
            counts[part] = counts.get(part, 0) + 1
    common = [note for note, n in counts.items() if n >= min_repeats]
    out = []
    for row in rows:
        note = "; ".join(p for p in row.note.split("; ") if p and p not in common)
        out.append(row if note == row.note else evolve(row, note=note))
    notes = [f"Every row marked so: {note}." if not note.endswith(".") else f"Every row marked so: {note}"
             for note in common]
    reasons: dict[tuple[str, str], int] = {}
    for row in rows:
        for bench in (row.region, row.similar):
            if bench is not None and bench.comparison == "Not compared" and bench.reason:
                reasons[(bench.name, bench.reason)] = reasons.get((bench.name, bench.reason), 0) + 1
    notes += [f"Not compared with {name if name != 'Similar areas' else 'similar areas'} on {n} "
              f"row{'s' if n != 1 else ''}: {reason}."
              for (name, reason), n in reasons.items()]
    return out, notes
