"""National Cancer Patient Experience Survey: national and ICB results, attributed to local authorities.

Each survey year is one data table (see :mod:`.reader`); its question numbers are mapped onto stable
indicator ids by the year's entry in :mod:`.questions` (unmapped or mismatched questions are errors).
Cancer Alliance and trust rows are read and checked but not kept.

Output rows:

* England (the ``National`` row), ``area_type`` "England", ``geography_method`` "direct";
* every ICB (and sub-ICB location, when the table has them) under its ONS code, "direct";
* every current English local authority (counties through their districts), **attributed**: CPES
  has no LA results, so an LA shows the result of the sub-ICB location (where the table has one) or
  ICB covering most of its residents, taken from the dated NHS lookup valid on 1 July of the year
  after the survey year (when the results are published): survey 2023 uses the April 2024 ICBs. The
  ``attribution_note`` names the NHS area, its share of the LA's residents and any other areas.

Comparisons with England follow CPES: a case-mix adjusted result above its expected range is
"Better", below it "Worse", otherwise "Similar"; without an expected range the 95% interval is
compared with the England value. Suppressed results (fewer than 21 respondents) are not compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.geography.nhs import main_nhs_area_of_las, read_sub_icb_lookup, short_icb_name
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.cpes.questions import INDICATORS
from landscape_pipeline.sources.cpes.reader import DataTable, read_data_table
from landscape_pipeline.stats import compare_frame

SOURCE_ID = "cpes"
POLARITY = "High is good"
SUPPRESSED_NOTE = "Suppressed: fewer than 21 respondents"
NHS_LEVELS = {"Sub-ICB": "sub_icb", "ICB": "icb"}
COLUMN_LABELS = {
    "indicator_id": "Question Number", "indicator_name": "Question Text", "area_code": "ONS Code",
    "area_name": "Organisation Name", "period_label": "Survey Year", "value": "scored percentage",
    "lower_ci_95": "Lower 95% confidence interval", "upper_ci_95": "Upper 95% confidence interval",
    "denominator": "Number of responses",
}


def lookup_date(survey_year: int) -> date:
    """Return the date whose NHS geography a survey year's results are attributed with (1 July next year)."""
    return date(survey_year + 1, 7, 1)


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return the canonical CPES table for every file (one survey year each)."""
    tables = [read_data_table(p) for p in paths]
    seen: dict[int, Path] = {}
    for table in tables:
        if table.year in seen:
            raise SourceDataError(table.path, f"is a second data table for survey year {table.year} (first: "
                                  f"{seen[table.year].name}); keep one file per year.", column="Survey Year")
        seen[table.year] = table.path
    frames = [_year_rows(table) for table in tables]
    if not frames:
        return schema.empty_frame()
    out = pd.concat(frames, ignore_index=True)
    series = ["indicator_id", "area_code"]
    out["is_latest"] = out["period_end"].eq(out.groupby(series)["period_end"].transform("max"))
    return schema.conform(out)


def _year_rows(table: DataTable) -> pd.DataFrame:
    rows = _without_duplicates(table, table.rows[table.rows["indicator_id"].notna()].copy())
    nhs = rows[rows["level"].isin(["National", *NHS_LEVELS])].copy()
    nhs["area_name"] = np.where(nhs["level"].eq("National"), "England", nhs["org_name"])
    nhs["area_type"] = nhs["level"].replace({"National": "England"})
    national = nhs[nhs["level"].eq("National")].set_index("indicator_id")["value"]
    missing = sorted(set(rows["indicator_id"]) - set(national.index))
    if missing:
        raise SourceDataError(table.path, f"has no National row for {', '.join(missing)}; England is the "
                              "comparator of every CPES result.", column="Level")
    nhs["comparator_value"] = nhs["indicator_id"].map(national)
    nhs["comparison"] = _comparisons(nhs)
    nhs.loc[nhs["level"].eq("National"), ["comparator_value", "comparison"]] = np.nan
    nhs["geography_method"] = "direct"
    nhs["attribution_note"] = None
    las = _attribute(table, nhs)
    out = pd.concat([nhs, las], ignore_index=True)
    out["comparator_code"] = np.where(out["area_code"].eq(geography.ENGLAND), None, geography.ENGLAND)
    out["indicator_name"] = out["indicator_id"].map(lambda i: INDICATORS[i].name)
    out["value_type"] = out["indicator_id"].map(lambda i: INDICATORS[i].value_type)
    out["unit"] = out["indicator_id"].map(lambda i: INDICATORS[i].unit)
    out["polarity"] = POLARITY
    out["value_note"] = np.where(out["suppressed"], SUPPRESSED_NOTE, None)
    out["denominator"] = out["responses"]
    out["period_label"] = str(table.year)
    out["period_start"], out["period_end"] = pd.Timestamp(table.year, 1, 1), pd.Timestamp(table.year, 12, 31)
    out["sex"], out["age"] = "Persons", "All ages"
    out["source_id"] = SOURCE_ID
    keep = [c for c in out.columns if c in schema.COLUMN_NAMES]
    return add_provenance(out[keep], describe_file(table.path))


#: Published figures of a row; two rows for one area and question must agree on all of them.
FIGURES = ("responses", "value", "lower_ci_95", "upper_ci_95", "expected_lower", "expected_upper", "suppressed")


def _without_duplicates(table: DataTable, rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``rows`` with exact repeats dropped; refuse two rows for one area and question that disagree.

    Areas are compared after recoding: an NHS area given by its ONS code in one row and by its ODS code in
    another is one area, so their rows must agree.
    """
    nhs = rows["level"].isin(["National", *NHS_LEVELS])
    identity = rows["org_code"].where(rows["org_code"].ne(""), rows["org_name"].str.upper())
    rows["area_code"] = None
    rows.loc[nhs, "area_code"] = _area_codes(table, rows[nhs])
    identity = identity.where(~nhs, rows["area_code"])
    keyed = rows.assign(_identity=identity)
    key = ["level", "_identity", "question"]
    repeats = keyed.duplicated([*key, *FIGURES])
    conflicting = keyed[~repeats].duplicated(key, keep=False)
    if conflicting.any():
        clash = keyed[~repeats][conflicting]
        second = clash[clash.duplicated(key)].iloc[0]
        first = clash[(clash[key] == second[key]).all(axis=1)].iloc[0]
        shown = {k: v for k, v in second[list(FIGURES)].items() if first[k] != second[k] and not (
            pd.isna(first[k]) and pd.isna(second[k]))}
        name = second["org_name"] or second["area_code"] or second["level"]
        raise table.error(f"{name} ({second['level']}) has question {second['question']} twice with different "
                          f"results (row {int(first['source_row'])} and this row differ in "
                          f"{', '.join(shown) or 'their figures'}); keep the publisher's one row.",
                          row=int(second["source_row"]),
                          column=next((k for k in shown if k != "suppressed"), "value"))
    return rows[~repeats.to_numpy()]


def _area_codes(table: DataTable, nhs: pd.DataFrame) -> pd.Series:
    """Return GSS codes: England for the national row, the ONS code (or the ODS code looked up) otherwise."""
    lookup = read_sub_icb_lookup()
    by_ods = {**dict(zip(lookup["ICBCDH"], lookup["ICBCD"], strict=True)),
              **dict(zip(lookup["SICBLCDH"], lookup["SICBLCD"], strict=True))}
    codes = nhs["ons_code"].where(nhs["ons_code"].ne(""), nhs["org_code"].map(by_ods))
    codes = codes.where(~nhs["level"].eq("National"), geography.ENGLAND)
    ok = pd.Series(False, index=nhs.index)
    for level, pattern in {"ICB": r"^E54\d{6}$", "Sub-ICB": r"^E38\d{6}$", "National": r"^E92000001$"}.items():
        mine = nhs["level"].eq(level)
        ok[mine] = codes[mine].fillna("").str.match(pattern)
    bad = ~ok
    if bad.any():
        first = nhs[bad].iloc[0]
        raise table.error(f"{first['org_name']} ({first['level']}) has no usable GSS code ('{first['ons_code']}', "
                          f"ODS '{first['org_code']}'). Give its E54/E38 code in 'ONS Code'.",
                          row=int(first["source_row"]), column="ons_code")
    return codes


def _comparisons(rows: pd.DataFrame) -> np.ndarray:
    """Return Better/Similar/Worse against the expected range, else the 95% CI against England."""
    by_ci = compare_frame(rows["value"], rows["lower_ci_95"], rows["upper_ci_95"], rows["comparator_value"],
                          POLARITY)
    has_range = rows["expected_lower"].notna() & rows["expected_upper"].notna()
    by_range = np.where(rows["value"] > rows["expected_upper"], "Better",
                        np.where(rows["value"] < rows["expected_lower"], "Worse", "Similar"))
    out = np.where(has_range, by_range, by_ci).astype(object)
    out[rows["value"].isna().to_numpy()] = "Not compared"
    return out


def _attribute(table: DataTable, nhs: pd.DataFrame) -> pd.DataFrame:
    """Return one attributed row per current English LA x indicator, from its sub-ICB or ICB."""
    when = lookup_date(table.year)
    assigned: list[pd.DataFrame] = []
    done: set[str] = set()
    for label in [lv for lv in NHS_LEVELS if nhs["level"].eq(lv).any()]:
        main = main_nhs_area_of_las(when, NHS_LEVELS[label])
        main = main[~main["la_code"].isin(done) & main["nhs_code"].isin(nhs.loc[nhs["level"].eq(label),
                                                                                "area_code"])]
        main = main.assign(label=label)
        done |= set(main["la_code"])
        assigned.append(main)
    links = pd.concat(assigned, ignore_index=True) if assigned else pd.DataFrame(columns=["la_code"])
    everyone = [la for la in geography.current_local_authorities() if la.nation_code == geography.ENGLAND]
    linked = set(links["la_code"])
    orphans = [la.area_code for la in everyone if la.area_code not in linked]
    if orphans:
        icbs = main_nhs_area_of_las(when, "icb").set_index("la_code")
        code = orphans[0]
        raise SourceDataError(table.path, f"has no ICB result for {short_icb_name(icbs.loc[code, 'nhs_name'])} "
                              f"({icbs.loc[code, 'nhs_code']}), which covers {geography.area_name(code)} ({code})"
                              f"{f' and {len(orphans) - 1} other LA(s)' if len(orphans) > 1 else ''}; every ICB "
                              "must be in the table for the LA attribution.", column="ONS Code")
    links["attribution_note"] = _notes(links)
    source = nhs[nhs["level"].isin(NHS_LEVELS)].drop(columns=["area_name", "area_type", "attribution_note"])
    out = links[["la_code", "nhs_code", "attribution_note"]].merge(
        source, left_on="nhs_code", right_on="area_code", how="inner", validate="many_to_many")
    out["area_code"] = out.pop("la_code")
    out["area_name"] = out["area_code"].map(geography.area_name)
    out["area_type"] = "Local authority"
    out["geography_method"] = "attributed"
    out["region_code"] = out["area_code"].map(geography.region_of)
    return out.drop(columns=["nhs_code"])


def _notes(links: pd.DataFrame) -> pd.Series:
    """Return the attribution note of each LA -> NHS area link."""
    names = links["la_code"].map(geography.area_name)
    area = links["nhs_name"].map(short_icb_name)
    share = (links["la_share"] * 100).round(0).astype(int).astype(str)
    others = links["others"].map(lambda o: f"; the rest live in {o}" if o else "")
    until = links["valid_to"].map(lambda d: "onwards" if pd.isna(d) else f"to {d.date()}")
    return ("Attributed from " + area + " (" + links["nhs_code"] + "): CPES publishes no local-authority results, "
            "so the " + links["label"] + " result is shown for each LA it covers. It covers " + share + "% of "
            + names + "'s residents" + others + " (NHS lookup valid from "
            + links["valid_from"].map(lambda d: str(d.date())) + " " + until + ").")
