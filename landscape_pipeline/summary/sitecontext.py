"""What a programme site's pages add: the site's name, change since its frozen baseline, and local evidence.

A site's baseline is the frozen set labelled with :meth:`landscape_pipeline.sites.Site.freeze_label`
(or one whose manifest names the site); the change is computed once per site by
:func:`landscape_pipeline.change.compare_with_frozen` — the same figures ``landscape compare`` gives.
Local evidence comes from :func:`landscape_pipeline.evidence.evidence_for`, the register read once per build.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from landscape_pipeline import freeze
from landscape_pipeline.sites import SiteRegister
from landscape_pipeline.summary.formatting import format_number, format_period, is_number
from landscape_pipeline.summary.model import Since

_CSS = {"Improved": "better", "Worsened": "worse", "Increased": "higher", "Decreased": "lower",
        "No significant change": "similar"}


def site_of(register: SiteRegister | None) -> dict[str, str]:
    """Return {LA code: site name} from the site register."""
    if register is None:
        return {}
    return {code: site.name for site in register.sites for code in site.la_codes}


def site_areas(register: SiteRegister | None) -> dict[str, tuple[str, ...]]:
    """Return {site name: its LA codes}."""
    return {site.name: tuple(site.la_codes) for site in register.sites} if register else {}


def frozen_label_for(root: Path, site) -> str | None:
    """Return the label of the site's frozen baseline: its freeze label, else a set whose manifest names it."""
    labels = freeze.labels(root)
    if site.freeze_label() in labels:
        return site.freeze_label()
    for label in reversed(labels):
        if freeze.read_manifest(root, label).get("site", {}).get("id") == site.id:
            return label
    return None


def since_baseline(root: Path | None, register: SiteRegister | None
                   ) -> tuple[dict[str, dict[tuple, Since]], dict[str, str]]:
    """Return per LA the change of each series since its site's frozen baseline, and the sentence naming it."""
    since: dict[str, dict[tuple, Since]] = {}
    labels: dict[str, str] = {}
    if root is None or register is None:
        return since, labels
    for site in register.sites:
        label = frozen_label_for(Path(root), site)
        if label is None:
            continue
        from landscape_pipeline.change import compare_with_frozen  # imported only when a site has a baseline

        pull = compare_with_frozen(Path(root), label, areas=site.la_codes)
        frozen_at = str(pull.metadata.get("frozen_at") or "")[:10]
        text = (f"Change since the baseline frozen as '{label}'{' on ' + frozen_at if frozen_at else ''} for the "
                f"{site.name} programme (start {site.start_date.isoformat()}): each indicator's baseline period "
                "against its latest period, tested at the 95% level (the same figures as `landscape compare`).")
        for code in site.la_codes:
            labels[code] = text
        for row in pull.rows.itertuples(index=False):
            if pd.isna(row.baseline_period) or pd.isna(row.current_period):
                continue
            key = (row.indicator_id, row.sex, row.age, row.category_type if isinstance(row.category_type, str)
                   else "", row.category if isinstance(row.category, str) else "")
            since.setdefault(row.area_code, {})[key] = _since(row)
    return since, labels


def _since(row) -> Since:
    unit, vtype = row.unit if isinstance(row.unit, str) else "", row.value_type
    change = row.abs_change
    if is_number(change):
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        text = f"{sign}{format_number(abs(change), unit, vtype)}" + (" pts" if unit == "%" else "")
    else:
        text = "–"
    significant = None if pd.isna(row.significant) else bool(row.significant)
    assessment = str(row.assessment)
    if assessment == "Not tested":
        short = "no newer data" if bool(row.no_newer_period) else "not tested"
    else:
        short = {"No significant change": "no sig. change"}.get(assessment, assessment.lower())
    return Since(format_period(row.baseline_period), format_number(row.baseline_value, unit, vtype), text,
                 assessment, significant, _CSS.get(assessment, "none"), row.note if isinstance(row.note, str) else "",
                 short)


def evidence_lookup(as_at: date) -> Callable[[str], tuple[tuple[str, str, str], ...]]:
    """Return a function giving an LA's local evidence entries (date, title, link); the register is read once."""
    from landscape_pipeline import evidence

    register = evidence.read_register()

    def lookup(area_code: str) -> tuple[tuple[str, str, str], ...]:
        items = evidence.evidence_for(area_code, as_at, register=register)
        return tuple(sorted((_field(i, "date", "published", "as_at", "period"), _field(i, "title", "name", "summary"),
                             _field(i, "url", "link", "href")) for i in items or ()))

    return lookup


def _field(item: object, *names: str) -> str:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value is not None and not (isinstance(value, float) and value != value):
            return str(value)[:10] if name in ("date", "published", "as_at") else str(value)
    return ""
