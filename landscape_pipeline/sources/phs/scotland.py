"""Scotland's rows of a PHS incidence file by board that has none, derived from the boards' own figures.

The 5-year summary by board (``Year`` "2016-2020") holds no Scotland row and the Scotland file is
annual, so without this no board or council area of a 5-year period has a national comparator. The
boards (with the island group ``GR0800001``) cover Scotland once, so for each period, cancer site and
sex:

* Scotland's registrations per age band are the sum of the boards';
* each board's population per age band is its registrations / its published age-specific rate x
  100,000. It is the same for every cancer site of a board, sex and period, so a band without
  registrations for one site takes it from another; a band still unknown follows from Persons =
  Male + Female, or, when it is the only band unknown, from the board's all-ages population
  (registrations / crude rate x 100,000) less its other bands. Scotland's population per band is
  the sum of the boards';
* the EASR (2013 ESP, Dobson 95% limits) and crude rate (exact/Byar 95% limits) follow from
  :mod:`landscape_pipeline.stats`; the count is the summed registrations. As PHS does, the Persons
  EASR is standardised for age and sex (each sex weighted by half the ESP): in PHS's board files it
  equals the mean of the male and female EASRs, so Persons needs both sexes.

A period that already has a Scotland row is left alone; a site whose counts or band populations
cannot all be recovered gets no derived row (its comparator stays empty). Derived rows name no
source row and say how they were made in ``value_note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline.stats import ESP2013, band_weights, dsr, rate

from .common import SCOTLAND, area_names

NOTE = ("Scotland derived by this pipeline from the boards in this file (PHS publishes no Scotland row for "
        "this period here): registrations summed over the boards, populations recovered from each board's "
        "age-specific rates; EASR with Dobson limits, crude rate with exact/Byar limits.")
_KEY = ["period_label", "category", "sex"]


def band_populations(base: pd.DataFrame, counts: pd.DataFrame, rates: pd.DataFrame,
                     total: pd.Series) -> pd.DataFrame:
    """Return each board's population per age band, indexed by (area_code, period_label, sex) (NaN if unknown).

    ``total`` is each row's all-ages population (NaN where it has no registrations).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        pops = counts.to_numpy(float) / rates.to_numpy(float) * 100_000
    pops[~((counts.to_numpy(float) > 0) & (rates.to_numpy(float) > 0))] = np.nan
    frame = pd.DataFrame(pops, index=base.index, columns=counts.columns)
    frame[["area_code", "period_label", "sex"]] = base[["area_code", "period_label", "sex"]]
    frame["_total"] = total.to_numpy(float)
    found = frame.groupby(["area_code", "period_label", "sex"]).first()  # first known value per band
    everyone = found.pop("_total")
    wide = found.unstack("sex")
    for band in counts.columns:
        parts = {s: wide[(band, s)] if (band, s) in wide else pd.Series(np.nan, index=wide.index)
                 for s in ("Persons", "Male", "Female")}
        filled = {"Persons": parts["Persons"].fillna(parts["Male"] + parts["Female"]),
                  "Male": parts["Male"].fillna(parts["Persons"] - parts["Female"]),
                  "Female": parts["Female"].fillna(parts["Persons"] - parts["Male"])}
        for sex, series in filled.items():
            wide[(band, sex)] = series
    out = wide.stack("sex", future_stack=True)[list(counts.columns)]
    unknown = out.isna()
    only = unknown.sum(axis=1).eq(1) & everyone.reindex(out.index).notna()
    rest = everyone.reindex(out.index) - out.sum(axis=1)
    for band in counts.columns:
        hit = only & unknown[band]
        out.loc[hit, band] = rest[hit]
    return out


def scotland_rows(base: pd.DataFrame, counts: pd.DataFrame, rates: pd.DataFrame, total: pd.Series,
                  bands: list[str]) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Return (Scotland base rows, their measures) for the periods of ``base`` that have no Scotland row.

    ``counts`` and ``rates`` hold the boards' registrations and age-specific rates per band (columns
    in ``bands`` order) and ``total`` their all-ages populations on ``base``'s index. Measures: easr,
    easr_lower, easr_upper, crude, crude_lower, crude_upper, count, population (Series on the returned
    base's index).
    """
    has_scotland = set(base.loc[base["area_code"].eq(SCOTLAND), "period_label"])
    boards = base["area_code"].ne(SCOTLAND) & ~base["period_label"].isin(has_scotland)
    if not boards.any():
        return base.iloc[0:0], {}
    base, counts, rates = base[boards], counts[boards], rates[boards]
    pops = band_populations(base, counts, rates, total[boards])
    board_pops = pops.reindex(pd.MultiIndex.from_frame(base[["area_code", "period_label", "sex"]])).to_numpy(float)
    board_counts = counts.to_numpy(float)
    keys = base[_KEY].reset_index(drop=True)
    summed = pd.DataFrame(np.hstack([board_counts, board_pops]), index=keys.index).groupby(
        [keys[k] for k in _KEY]).sum(min_count=1)
    complete = pd.DataFrame(np.isfinite(np.hstack([board_counts, board_pops])), index=keys.index).groupby(
        [keys[k] for k in _KEY]).all().all(axis=1)
    summed = summed[complete.reindex(summed.index).to_numpy()]
    width = len(bands)
    band_counts, band_pops = summed.iloc[:, :width].to_numpy(), summed.iloc[:, width:].to_numpy()
    usable = (band_pops > 0).all(axis=1)
    summed, band_counts, band_pops = summed[usable], band_counts[usable], band_pops[usable]
    if summed.empty:
        return base.iloc[0:0], {}
    template = base.drop_duplicates(_KEY).set_index(_KEY)
    out = template.reindex(summed.index).reset_index()
    out["area_code"], out["area_type"] = SCOTLAND, "Country"
    out["area_name"] = area_names(out["area_code"])
    out["source_row"] = np.nan
    easr = _easr(summed.index, band_counts, band_pops, bands)
    keep = np.isfinite(easr[0]) | summed.index.get_level_values("sex").isin(["Male", "Female"])
    summed, band_counts, band_pops, easr = summed[keep], band_counts[keep], band_pops[keep], easr[:, keep]
    out = out[keep].reset_index(drop=True)
    total, population = band_counts.sum(axis=1), band_pops.sum(axis=1)
    crude = rate(total, population)
    measures = {"easr": easr[0], "easr_lower": easr[1], "easr_upper": easr[2],
                "crude": crude.value, "crude_lower": crude.lower, "crude_upper": crude.upper,
                "count": total, "population": population}
    return out, {name: pd.Series(np.asarray(v, dtype=float), index=out.index) for name, v in measures.items()}


def _easr(index: pd.MultiIndex, counts: np.ndarray, pops: np.ndarray, bands: list[str]) -> np.ndarray:
    """Return [value, lower, upper] per row: by age within a sex; by age and sex (half the ESP each) for Persons."""
    out = np.full((3, len(index)), np.nan)
    sex = index.get_level_values("sex")
    single = np.flatnonzero(sex.isin(["Male", "Female"]))
    if single.size:
        value, lower, upper = dsr(counts[single], pops[single], age_bands=bands)
        out[:, single] = np.vstack([value, lower, upper])
    position = {key: i for i, key in enumerate(index)}
    pairs = [(i, position.get((*key[:2], "Male")), position.get((*key[:2], "Female")))
             for i, key in enumerate(index) if key[2] == "Persons"]
    pairs = [(i, m, f) for i, m, f in pairs if m is not None and f is not None]
    if pairs:
        rows, males, females = (np.array(x) for x in zip(*pairs, strict=True))
        weights = band_weights(bands, ESP2013) / 2
        value, lower, upper = dsr(np.hstack([counts[males], counts[females]]),
                                  np.hstack([pops[males], pops[females]]), standard=np.concatenate([weights, weights]))
        out[:, rows] = np.vstack([value, lower, upper])
    return out
