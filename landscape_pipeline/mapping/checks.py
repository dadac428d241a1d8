"""The blocking checks every mapped extract passes before anything is staged.

Each check raises at the first offending row, naming the file, row (and line) and column: every
row maps to an indicator rule; periods parse in the declared format; area codes are known for the
declared level and vintage (or, for site returns, are sites of the register); limits bracket the
value; no two rows share a key; derived proportions have numerators within their denominators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.geography.vintage import LEVEL_NAMES, is_coarse, known_at_vintage, parent_la_codes
from landscape_pipeline.mapping import periods
from landscape_pipeline.mapping.attribute import place_partnerships
from landscape_pipeline.mapping.plausible import check_future_periods, check_ranges, check_shares
from landscape_pipeline.mapping.reader import Extract
from landscape_pipeline.sites import SiteRegister
from landscape_pipeline.tabular import normalise

CI_PAIRS = (("lower_ci_95", "upper_ci_95", "95%"), ("lower_ci_99_8", "upper_ci_99_8", "99.8%"))


def _where(extract: Extract, field: str) -> str | None:
    """Return the file column a field came from; None when it came from a wide header or a constant."""
    return extract.sources.get(field)


def _from_header(extract: Extract, field: str) -> bool:
    mapping = extract.mapping
    return mapping.shape.kind == "wide" and mapping.shape.headers_are == field


def require_text(extract: Extract) -> None:
    """Area code, period and indicator text are filled on every row."""
    for field in ("area_code", "period", "indicator"):
        if _from_header(extract, field):
            continue
        extract.fail(extract.rows[field].isna(), f"the cell is empty; every row needs its {field.replace('_', ' ')}.",
                     column=_where(extract, field))


def match_rules(extract: Extract) -> None:
    """Add ``rule_id``: the indicator rule each row's text selects; a row that selects none refuses the file."""
    mapping, rows = extract.mapping, extract.rows
    lookup = {normalise(text): rule.id for rule in mapping.indicators for text in rule.texts}
    rows["rule_id"] = rows["indicator"].map(lambda t: lookup.get(normalise(t)))
    unmatched = rows["rule_id"].isna()
    if not unmatched.any():
        return
    if mapping.select.unmatched_indicators == "skip":  # the mapping wants only some of the file's indicators
        extract.rows = rows.loc[~unmatched].reset_index(drop=True)
        found = set(extract.rows["rule_id"])
        for i, rule in enumerate(mapping.indicators):  # skipping must not hide a rule the file words otherwise
            if rule.id not in found:
                raise extract.loaded.error(("indicators", i, "match"), f"selects no row of {extract.table.where}; "
                                           "this edition may word the question differently: copy its text from "
                                           "the file into match.")
        return
    text = rows.loc[unmatched, "indicator"].iloc[0]
    hint = (f"{text!r} matches no indicator rule in {extract.loaded.path.name}; add a rule with match: {text!r} "
            "(or fix the text).")
    if _from_header(extract, "indicator"):
        raise extract.fail_header(rows.loc[unmatched, "_column"].iloc[0], hint)
    if _where(extract, "indicator") is None:
        raise extract.loaded.error(("columns", "indicator", "constant"), hint)
    extract.fail(unmatched, hint, column=_where(extract, "indicator"))


def parse_periods(extract: Extract) -> None:
    """Add period_label, period_start and period_end; a period that does not parse refuses the file."""
    rows, fmt = extract.rows, extract.mapping.period.format
    parsed = periods.parse_series(rows["period"], fmt)
    rows[["period_label", "period_start", "period_end"]] = parsed
    bad = parsed["period_label"].isna()
    if not bad.any():
        return
    text = rows.loc[bad, "period"].iloc[0]
    hint = (f"{text!r} is not a {fmt.replace('_', ' ')} period (written like {periods.FORMATS[fmt]}); fix the "
            "cell, or the mapping's period.format.")
    if _from_header(extract, "period"):
        raise extract.fail_header(rows.loc[bad, "_column"].iloc[0], hint)
    if _where(extract, "period") is None:
        raise extract.loaded.error(("columns", "period", "constant"), hint)
    extract.fail(bad, hint, column=_where(extract, "period"))


def place_areas(extract: Extract, sites: SiteRegister | None) -> None:
    """Check area codes for the level and vintage; add ``_la`` (the LA a row rolls up to, NA when it stays)."""
    rows, geo = extract.rows, extract.mapping.geography
    column = _where(extract, "area_code")
    if geo.level == "site":
        _place_sites(extract, sites)
        return
    if geo.level == "hscp":
        place_partnerships(extract)
        return
    rows["area_code"] = rows["area_code"].astype("str").str.strip().str.upper()
    known = known_at_vintage(rows["area_code"], geo.level, int(geo.vintage or 0))
    hint = ("data_sources/geography/wards.csv lists wards with the years they exist in: add the ward from the ONS "
            "ward lookup, or fix" if geo.level == "ward" else "check the code, or")
    extract.fail(~known, f"{{value!r}} is not {LEVEL_NAMES[geo.level]} code known in the {geo.vintage} vintage; "
                         f"{hint} the mapping's geography.vintage.", column=column, field="area_code")
    rows["_la"] = None
    if geo.roll_up in ("not_allowed", "attribute"):  # attributed after the checks (mapping.attribute)
        return
    fine = ~is_coarse(rows["area_code"]).to_numpy()
    if extract.mapping.dimensions:  # LA rows with dimensions are summed into breakdowns too
        fine |= geography.classify_area_codes(rows["area_code"]).isin(("current_la", "retired_la")).to_numpy()
    rows.loc[fine, "_la"] = parent_la_codes(rows.loc[fine, "area_code"], geo.level)
    extract.fail(fine & rows["_la"].isna().to_numpy(), "{value!r} has no current local authority in the lookup, so "
                 "it cannot be rolled up; fix the code or set geography.roll_up: not_allowed.",
                 column=column, field="area_code")


def _place_sites(extract: Extract, sites: SiteRegister | None) -> None:
    rows, geo = extract.rows, extract.mapping.geography
    column = _where(extract, "area_code")
    if sites is None:
        raise extract.loaded.error(("geography", "level"), "site returns need the site register "
                                                           "(data_sources/sites.yaml), which was not found.")
    lookup = sites.la_lookup()
    las = rows["area_code"].map(lambda name: lookup.get(normalise(name)))
    names = ", ".join(s.name for s in sites.sites)
    extract.fail(las.isna(), f"site {{value!r}} is not in the site register (data_sources/sites.yaml); known sites: "
                             f"{names}.", column=column, field="area_code")
    given = rows["_la_given"].astype("str").str.strip().str.upper() if "_la_given" in rows else None
    several = las.map(len).gt(1).to_numpy()
    if given is None:
        extract.fail(several, "site {value!r} serves several local authorities; add an LA code column to the return "
                              "and name it in geography.la_column.", column=column, field="area_code")
        rows["_la"] = las.map(lambda codes: codes[0])
    else:
        extract.fail(given.isna().to_numpy() & several, "the cell is empty, but site {value!r} serves several local "
                     "authorities; give the row's LA code.", column=geo.la_column, field="area_code")
        chosen = given.where(given.notna(), las.map(lambda codes: codes[0]))
        wrong = [c not in codes for c, codes in zip(chosen, las, strict=True)]
        extract.fail(wrong, "{value!r} is not one of the local authorities this row's site serves (see "
                            "data_sources/sites.yaml).", column=geo.la_column, field="_la_given")
        rows["_la"] = chosen
    rows["site"] = rows["area_code"]
    rows["area_code"] = rows["_la"]


def apply_rule_units(extract: Extract) -> None:
    """Scale published values and limits by each rule's ``scale``; a count's value is its count."""
    rows, rules = extract.rows, {r.id: r for r in extract.mapping.indicators}
    scale = rows["rule_id"].map({k: r.scale for k, r in rules.items()}).astype(float)
    for column in ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"):
        rows[column] = rows[column] * scale
    is_count = rows["rule_id"].map({k: r.value_type == "count" for k, r in rules.items()}).astype(bool)
    rows.loc[is_count, "count"] = rows.loc[is_count, "count"].fillna(rows.loc[is_count, "value"])
    rows.loc[is_count, "value"] = rows.loc[is_count, "value"].fillna(rows.loc[is_count, "count"])


def check_limits(extract: Extract) -> None:
    """Each pair of confidence limits brackets the value."""
    rows = extract.rows
    for lower, upper, level in CI_PAIRS:
        extract.fail(rows[lower] > rows["value"], f"the lower {level} limit {{value}} is above the value; limits "
                     "must bracket it.", column=_where(extract, lower), field=lower)
        extract.fail(rows[upper] < rows["value"], f"the upper {level} limit {{value}} is below the value; limits "
                     "must bracket it.", column=_where(extract, upper), field=upper)
        extract.fail(rows[lower] > rows[upper], f"the lower {level} limit {{value}} is above the upper limit.",
                     column=_where(extract, lower), field=lower)


def key_columns(extract: Extract) -> list[str]:
    """Return what identifies a detail row: indicator, area, period, sex, age, category and dimensions."""
    dims = [c for c in extract.rows.columns if c.startswith("dim:")]
    area = ["site"] if "site" in extract.rows else []
    return ["rule_id", "area_code", *area, "period_label", "sex", "age", "category_type", "category", *dims]


def check_duplicates(extract: Extract) -> None:
    """No two rows share a key."""
    keys = extract.rows[key_columns(extract)].astype(object).fillna("").astype(str)
    repeated = keys.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    position = int(np.flatnonzero(repeated)[0])
    first = int(np.flatnonzero((keys == keys.iloc[position]).all(axis=1).to_numpy())[0])
    earlier = extract.rows.iloc[first]
    where = f"row {int(earlier['_label']) + 1} (line {extract.table.line_of(int(earlier['_label']))})"
    extract.fail(np.arange(len(keys)) == position, f"repeats {where}: same indicator, area, period, sex, age, "
                 "category and dimensions; each must appear once.", column=extract.sources.get("area_code"))


def _text_keys(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return rows.assign(**{k: rows[k].astype(object).fillna("").astype(str) for k in keys})


def check_derived_inputs(extract: Extract) -> None:
    """For derived proportions, no numerator count exceeds its denominator count on the same key."""
    rows = extract.rows
    keys = [c for c in key_columns(extract) if c != "rule_id"]
    for rule in extract.mapping.derived:
        if rule.method != "proportion":
            continue
        num = _text_keys(rows[rows["rule_id"].eq(rule.numerator)], keys)
        den = _text_keys(rows[rows["rule_id"].eq(rule.denominator)], keys)
        pairs = num.merge(den[[*keys, "count"]], on=keys, suffixes=("", "_den"))
        over = (pairs["count"] > pairs["count_den"]).to_numpy()
        if over.any():
            bad = pairs.iloc[int(np.flatnonzero(over)[0])]
            raise extract.table.error(f"{bad['count']:g} ({rule.numerator}) is more than its denominator "
                                      f"{bad['count_den']:g} ({rule.denominator}) for the same area, period and "
                                      "breakdown.", label=int(bad["_label"]), column=bad["_column"])


def run_checks(extract: Extract, sites: SiteRegister | None) -> pd.DataFrame:
    """Return the detail rows after every blocking check (adds rule_id, periods, ``_la``)."""
    require_text(extract)
    match_rules(extract)
    parse_periods(extract)
    check_future_periods(extract)
    place_areas(extract, sites)
    apply_rule_units(extract)
    check_ranges(extract)
    check_shares(extract)
    check_limits(extract)
    check_duplicates(extract)
    check_derived_inputs(extract)
    return extract.rows
