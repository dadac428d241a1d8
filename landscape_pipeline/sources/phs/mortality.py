"""Parse PHS cancer mortality by council area (and the Scotland file) to canonical rows.

Format (CKAN dataset ``cancer-mortality``, resource eebc8f38-... by council area, column ``CA``;
resource ba8d7049-... for Scotland, column ``Country``): ``CA, CAQF, CancerSiteICD10Code,
CancerSite, Sex, SexQF, Year``, deaths by age ``DeathsAgeUnder5`` ... ``DeathsAge90AndOver``,
``DeathsAllAges``, age-specific rates ``MortalityRateAgeUnder5`` ... ``MortalityRateAge90AndOver``
(per 100,000), ``CrudeRate, EASR, WASR, StandardisedMortalityRatio``. Only the geography, site,
sex, year, ``DeathsAllAges``, ``CrudeRate`` and ``EASR`` columns are required; Scotland rows
(S92000003, ``CAQF`` = d) may sit in the council-area file.

The exact published header of this resource could not be verified: the geography and measure
column names are PHS's (public code reading the resource), and the per-age columns are assumed to
follow the Scotland mortality file (``MortalityRateAge...`` up to ``90AndOver``, the 2013 ESP bands).

Confidence limits (assumed not published for these rates; if a file carries
``EASRLower95pcConfidenceInterval``/``...Upper...`` they are used for the 95% level):

* EASR, age bands present: Dobson limits (``stats.dsr``, 2013 ESP) around the published EASR.
  Each band's population is deaths / rate x 100,000; bands with no deaths add nothing to the
  rate or its variance, so their unknown populations do not matter.
* EASR, no age bands (or a band with deaths but no rate): Byar's (exact below 10) limits on
  ``DeathsAllAges`` scaled to the EASR, EASR x O_limit / O.
* Under 10 deaths: no limits (the DSR rule of methods.md); the published EASR is kept.
* Crude rate: exact/Byar limits (``stats.rate``) on the deaths over the population implied by
  the crude rate. Under-75 EASR (age "<75 yrs") is computed from the bands 0-4 ... 70-74 with
  Dobson limits, and left empty (with a note) under 10 deaths.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline.stats import DSR_NOTE, ESP2013, band_weights, dsr, poisson_limits, rate
from landscape_pipeline.tabular import RawTable

from . import layouts
from .canonical import Indicator, finish, indicator_rows
from .common import (
    CANCER_SITE,
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

THEME = "Mortality and survival"
EASR = Indicator("phs_cancer_mortality_easr",
                 "Cancer mortality: European age-standardised rate per 100,000 (2013 ESP)",
                 "DSR", "per 100,000", "Low is good", THEME)
UNDER75 = Indicator("phs_cancer_mortality_under75_easr",
                    "Cancer mortality under 75: European age-standardised rate per 100,000 (2013 ESP)",
                    "DSR", "per 100,000", "Low is good", THEME, age="<75 yrs")
CRUDE = Indicator("phs_cancer_mortality_crude_rate", "Cancer mortality: crude rate per 100,000",
                  "crude rate", "per 100,000", "Low is good", THEME)
DEATHS = Indicator("phs_cancer_mortality_deaths", "Deaths from cancer (all ages)",
                   "count", "deaths", "Not applicable", THEME)
INDICATORS = (EASR, UNDER75, CRUDE, DEATHS)

LEVELS = ((0.95, "95"), (0.998, "99_8"))
FEW_DEATHS = "Confidence limits not calculated: fewer than 10 deaths"
UNDER75_BEFORE = 75


def read_mortality_rows(path: Path, geo_column: str) -> pd.DataFrame:
    """Return the unfinished canonical rows of one PHS mortality file (``geo_column`` "CA" or "Country")."""
    table = read_phs_table(path)
    use_columns(table, {geo_column: layouts.GEOGRAPHY[geo_column], **layouts.IDENTITY, **layouts.MORTALITY,
                        **layouts.MORTALITY_OPTIONAL}, "cancer mortality (CA or Country)",
                optional=layouts.MORTALITY_OPTIONAL)
    raw = table.frame
    base = _base(table, geo_column)
    num = numbers(table, list(layouts.MORTALITY))
    deaths, easr = num["DeathsAllAges"], num["EASR"]
    check_all_ages(table, "DeathsAllAges", age_band_columns(raw.columns, "DeathsAge"), "deaths")
    flags = qualifiers(table)
    hidden = flagged(flags, raw.index, "c", "DeathsAllAges", "EASR")
    notes = {c: qualifier_note(flags.get(c), c) for c in ("DeathsAllAges", "EASR", "CrudeRate")}
    population = (deaths / num["CrudeRate"] * 100_000).where(num["CrudeRate"] > 0)
    bands = _age_bands(table)
    limits = _easr_limits(table, easr, deaths, bands)
    few = deaths < 10
    frames = [indicator_rows(
        base, EASR, value=easr, count=deaths, denominator=population, suppressed=hidden, **limits,
        value_note=join_notes([notes["EASR"], notes["DeathsAllAges"], pd.Series(FEW_DEATHS, raw.index).where(few)],
                              raw.index))]
    usable = population.notna() & deaths.notna()
    crude_limits = {}
    for level, tag in LEVELS:
        interval = rate(deaths.fillna(0).to_numpy(), population.fillna(1).to_numpy(), confidence=level)
        crude_limits[f"lower_ci_{tag}"] = pd.Series(interval.lower, raw.index).where(usable)
        crude_limits[f"upper_ci_{tag}"] = pd.Series(interval.upper, raw.index).where(usable)
    frames.append(indicator_rows(
        base, CRUDE, value=num["CrudeRate"], count=deaths, denominator=population, **crude_limits,
        suppressed=flagged(flags, raw.index, "c", "DeathsAllAges", "CrudeRate"),
        value_note=join_notes([notes["CrudeRate"], notes["DeathsAllAges"]], raw.index)))
    frames.append(indicator_rows(
        base, DEATHS, value=deaths, count=deaths, suppressed=flagged(flags, raw.index, "c", "DeathsAllAges"),
        value_note=notes["DeathsAllAges"]))
    if bands is not None:
        frames.append(_under75(base, bands, hidden))
    return pd.concat(frames)


def read_phs_mortality_ca_csv(path: Path | str) -> pd.DataFrame:
    """Return canonical rows from a PHS cancer-mortality-by-council-area file (or the Scotland file)."""
    _, geo_column = kind_of(Path(path))
    return finish(read_mortality_rows(Path(path), geo_column))


def _base(table: RawTable, geo_column: str) -> pd.DataFrame:
    raw = table.frame
    codes = resolve_codes(table, geo_column, ("S12", "S92"))
    base = pd.DataFrame({
        "area_code": codes,
        "area_name": area_names(codes),
        "area_type": np.where(codes.eq(SCOTLAND), "Country", "Council area"),
        "sex": sexes(table),
        "category_type": CANCER_SITE,
        "category": raw["CancerSite"].astype("str").str.strip(),
        "geography_method": "direct",
    }, index=raw.index)
    return with_provenance(pd.concat([base, periods(table)], axis=1), table)


def _age_bands(table: RawTable) -> dict[str, object] | None:
    """Return deaths, implied populations, weights and labels by age band, or None if the file has no bands."""
    raw = table.frame
    count_cols = age_band_columns(raw.columns, "DeathsAge")
    if not count_cols:
        return None
    rate_cols = [next((p + c[len("DeathsAge"):] for p in ("MortalityRateAge", "DeathRateAge")
                       if p + c[len("DeathsAge"):] in raw.columns), None) for c, _ in count_cols]
    if None in rate_cols:
        return None
    x = numbers(table, [c for c, _ in count_cols]).to_numpy()
    r = numbers(table, rate_cols).to_numpy()
    labels = [band for _, band in count_cols]
    usable = ~np.isnan(x).any(axis=1) & ~((x > 0) & ~(r > 0)).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # A band without deaths contributes 0 to the DSR and its variance: any positive population will do.
        pops = np.where(x > 0, x / r * 100_000, 1.0)
    x = np.where(usable[:, None], x, 0.0)
    pops = np.where(usable[:, None] & (pops > 0), pops, 1.0)
    return {"x": x, "pops": pops, "usable": usable, "labels": labels, "weights": band_weights(labels, ESP2013)}


def _easr_limits(table: RawTable, easr: pd.Series, deaths: pd.Series,
                 bands: dict[str, object] | None) -> dict[str, pd.Series]:
    """Return 95% and 99.8% limits for the published EASR (Dobson from bands, else scaled Byar's)."""
    raw = table.frame
    index = raw.index
    enough = (deaths >= 10) & easr.notna()
    usable = bands["usable"] if bands is not None else np.zeros(len(index), dtype=bool)
    out = {}
    for level, tag in LEVELS:
        o_low, o_up = poisson_limits(deaths.fillna(0).to_numpy(), level)
        with np.errstate(invalid="ignore", divide="ignore"):
            lower = easr.to_numpy() * o_low / deaths.to_numpy()
            upper = easr.to_numpy() * o_up / deaths.to_numpy()
        if bands is not None:
            fit = dsr(bands["x"], bands["pops"], confidence=level, standard=tuple(bands["weights"]))
            lower = np.where(usable, easr.to_numpy() + (fit.lower - fit.value), lower)
            upper = np.where(usable, easr.to_numpy() + (fit.upper - fit.value), upper)
        out[f"lower_ci_{tag}"] = pd.Series(lower, index).where(enough)
        out[f"upper_ci_{tag}"] = pd.Series(upper, index).where(enough)
    published = ("EASRLower95pcConfidenceInterval", "EASRUpper95pcConfidenceInterval")
    if all(c in raw.columns for c in published):
        given = numbers(table, list(published))
        out["lower_ci_95"], out["upper_ci_95"] = given[published[0]], given[published[1]]
    return out


def _under75(base: pd.DataFrame, bands: dict[str, object], hidden: pd.Series) -> pd.DataFrame:
    """Return under-75 EASR rows computed from the age bands below 75 (Dobson limits; none under 10 deaths)."""
    keep = np.array([int(label.split("-")[0].rstrip("+")) < UNDER75_BEFORE for label in bands["labels"]])
    x, pops, weights = bands["x"][:, keep], bands["pops"][:, keep], tuple(bands["weights"][keep])
    usable = pd.Series(bands["usable"], base.index)
    columns: dict[str, object] = {"count": pd.Series(x.sum(axis=1), base.index).where(usable)}
    for level, tag in LEVELS:
        fit = dsr(x, pops, confidence=level, standard=weights)
        columns["value"] = pd.Series(fit.value, base.index).where(usable)
        columns[f"lower_ci_{tag}"] = pd.Series(fit.lower, base.index).where(usable)
        columns[f"upper_ci_{tag}"] = pd.Series(fit.upper, base.index).where(usable)
    few = usable & columns["count"].lt(10)
    note = pd.Series(DSR_NOTE, base.index).where(few)
    note = note.where(usable, "Under-75 rate not calculated: an age band has deaths but no published rate")
    return indicator_rows(base, UNDER75, suppressed=hidden, value_note=note, **columns)
