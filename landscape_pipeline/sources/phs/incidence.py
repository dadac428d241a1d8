"""Parse PHS annual cancer incidence by NHS board (and the Scotland file) to canonical rows.

Formats (CKAN dataset ``annual-cancer-incidence``): the 5-year summary by board (resource
e8d33b2b-..., e.g. ``opendata_inc1620comb_hb_5_year_summary.csv``, ``Year`` = "2016-2020", island
boards grouped as ``GR0800001``) and the annual file by board (resource 3aef16b7-..., one row per
``Year``) share one 59-column layout: ``HB, CancerSiteICD10Code, CancerSite, Sex, SexQF, Year``,
18 ``IncidencesAge...`` counts, ``IncidencesAllAges``, 18 ``IncidenceRateAge...`` rates, crude rate,
EASR and WASR with 95% limits (limit qualifiers ``z`` = not applicable, under 20 cases) and the
standardised incidence ratio. The Scotland file (resource 72c852b8-...) has ``Country`` instead of
``HB``.

Output: EASR (DSR per 100,000, 2013 ESP, published 95% limits), crude rate (published 95%
limits) and the count of registrations, per board ("Health board"; archived codes mapped to
2019 codes; ``GR0800001`` kept as a "Health board group") and Scotland; the two rates are also
attributed to every council area of each board (``geography_method="attributed"``). Counts are
not attributed: a board's count is not a council area's count. 99.8% limits are not published
by PHS and are left empty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.tabular import RawTable

from . import layouts
from .canonical import Indicator, attribute_to_council_areas, finish, indicator_rows
from .common import (
    CANCER_SITE,
    ISLAND_GROUP,
    SCOTLAND,
    age_band_columns,
    area_names,
    check_all_ages,
    flagged,
    join_notes,
    kind_of,
    numbers,
    periods,
    qualifier_note,
    qualifiers,
    read_phs_table,
    resolve_codes,
    sexes,
    use_columns,
    with_provenance,
)

THEME = "Prevalence and incidence"
EASR = Indicator("phs_cancer_incidence_easr",
                 "Cancer incidence: European age-standardised rate per 100,000 (2013 ESP)",
                 "DSR", "per 100,000", "No judgement", THEME)
CRUDE = Indicator("phs_cancer_incidence_crude_rate", "Cancer incidence: crude rate per 100,000",
                  "crude rate", "per 100,000", "No judgement", THEME)
COUNT = Indicator("phs_cancer_incidence_count", "New cancer registrations (all ages)",
                  "count", "registrations", "Not applicable", THEME)
INDICATORS = (EASR, CRUDE, COUNT)

_MEASURES = tuple(layouts.INCIDENCE)


def read_incidence_rows(path: Path, geo_column: str) -> pd.DataFrame:
    """Return the unfinished canonical rows of one PHS incidence file (``geo_column`` "HB" or "Country")."""
    table = read_phs_table(path)
    use_columns(table, {geo_column: layouts.GEOGRAPHY[geo_column], **layouts.IDENTITY, **layouts.INCIDENCE},
                "cancer incidence (HB or Country)")
    raw = table.frame
    allowed = ("S08", "S92", "GR08") if geo_column == "HB" else ("S92",)
    base = _base(table, geo_column, allowed)
    num = numbers(table, list(_MEASURES))
    check_all_ages(table, "IncidencesAllAges", age_band_columns(raw.columns, "IncidencesAge"), "registrations")
    flags = qualifiers(table)
    population = (num["IncidencesAllAges"] / num["CrudeRate"] * 100_000).where(num["CrudeRate"] > 0)
    frames = []
    for indicator, value_col in ((EASR, "EASR"), (CRUDE, "CrudeRate")):
        lower_col, upper_col = f"{value_col}Lower95pcConfidenceInterval", f"{value_col}Upper95pcConfidenceInterval"
        confidential = flagged(flags, raw.index, "c", value_col, "IncidencesAllAges")
        ci_hidden = flagged(flags, raw.index, "c", lower_col, upper_col)
        ci_codes = _either(flags.get(lower_col), flags.get(upper_col))
        note = join_notes([qualifier_note(flags.get(value_col), value_col),
                           qualifier_note(ci_codes, f"{value_col} 95% confidence interval"),
                           qualifier_note(flags.get("IncidencesAllAges"), "IncidencesAllAges")], raw.index)
        frames.append(indicator_rows(
            base, indicator, value=num[value_col],
            lower_ci_95=num[lower_col].where(~ci_hidden), upper_ci_95=num[upper_col].where(~ci_hidden),
            count=num["IncidencesAllAges"], denominator=population, value_note=note, suppressed=confidential))
    confidential = flagged(flags, raw.index, "c", "IncidencesAllAges")
    frames.append(indicator_rows(
        base, COUNT, value=num["IncidencesAllAges"], count=num["IncidencesAllAges"], suppressed=confidential,
        value_note=join_notes([qualifier_note(flags.get("IncidencesAllAges"), "IncidencesAllAges")], raw.index)))
    direct = pd.concat(frames)
    rates = direct.loc[direct["indicator_id"].isin([EASR.indicator_id, CRUDE.indicator_id])]
    return pd.concat([direct, attribute_to_council_areas(rates, "cancer incidence")])


def read_phs_incidence_hb_csv(path: Path | str) -> pd.DataFrame:
    """Return canonical rows from a PHS incidence-by-board file (5-year summary or annual) or the Scotland file."""
    _, geo_column = kind_of(Path(path))
    return finish(read_incidence_rows(Path(path), geo_column))


def _base(table: RawTable, geo_column: str, allowed: tuple[str, ...]) -> pd.DataFrame:
    raw = table.frame
    codes = resolve_codes(table, geo_column, allowed)
    base = pd.DataFrame({
        "area_code": codes,
        "area_name": area_names(codes),
        "area_type": np.select([codes.eq(SCOTLAND), codes.eq(ISLAND_GROUP)], ["Country", "Health board group"],
                               "Health board"),
        "sex": sexes(table),
        "category_type": CANCER_SITE,
        "category": raw["CancerSite"].astype("str").str.strip(),
        "geography_method": "direct",
    }, index=raw.index)
    base = pd.concat([base, periods(table)], axis=1)
    return with_provenance(base, table)


def _either(first: pd.Series | None, second: pd.Series | None) -> pd.Series | None:
    """Return the qualifier of a confidence interval from its two limits' qualifiers."""
    if first is None or second is None:
        return first if second is None else second
    return first.fillna(second)
