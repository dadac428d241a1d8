"""HES admissions cube -> canonical indicator rows: counts, crude rates, DSRs and the emergency share.

Areas: England's 296 districts/unitaries, the 21 counties (sums of their districts, via
``geography.lower_tier_codes``), the 9 regions and England; numerators and populations are summed
the same way *before* any rate is formed. Financial year YYYY/YY uses the mid-YYYY population.

Rows carry UNROUNDED counts and the statistics computed from them (``stats.rate_frame``,
``stats.dsr_frame`` with ESP2013, ``stats.proportion_frame``).
Admissions of unknown age are shared among the age bands pro rata to the known ages, so a DSR's
count is the same admissions count as its count and crude-rate rows. The disclosure layer
(:func:`landscape_pipeline.disclosure.protect` with :func:`indicators.count_families`, applied at
ingest and by :func:`publishable`) then suppresses, rounds and re-derives every figure from the
published counts, and publishes a DSR only where the published count is 10 or more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landscape_pipeline import disclosure, geography, stats
from landscape_pipeline.sources.hes import indicators as ind
from landscape_pipeline.sources.hes.aggregate import Aggregation

SOURCE_ID = "hes"
RULE = disclosure.RULES["hes"]
METHODS = ("emergency", "elective", "all")
SEXES = ("Persons", "Male", "Female")
BANDS = stats.ESP2013.labels
COUNTY_NOTE = "Sum of the figures for the districts in this area"
NO_ADMISSIONS_NOTE = "No admissions for this cancer site, so no percentage"
NO_AGES_NOTE = "No admission has a known age, so no DSR"
_AREA_TYPES = {"unitary": "Unitary authority", "non_metropolitan_district": "Non-metropolitan district",
               "metropolitan_district": "Metropolitan district", "london_borough": "London borough"}
_UNITS = {"count": ("count", "admissions"), "crude": ("crude rate", "per 100,000"), "dsr": ("DSR", "per 100,000"),
          "share": ("proportion", "%")}


def area_table(districts: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """Return (areas: code, name, type, region, note) and the (areas x districts) membership matrix."""
    frame = geography.as_frame().set_index("area_code")
    index = {c: i for i, c in enumerate(districts)}
    rows, members = [], []
    for code in districts:
        rows.append((code, frame.at[code, "area_name"], _AREA_TYPES.get(frame.at[code, "la_type"], "District"),
                     frame.at[code, "region_code"], None))
        members.append([code])
    counties = frame[(frame["tier"] == "upper") & frame.index.str.startswith("E")]
    for code, county in counties.iterrows():
        rows.append((code, county["area_name"], "County", county["region_code"], COUNTY_NOTE))
        members.append(list(geography.lower_tier_codes(code)))
    for region, group in frame.loc[list(districts)].groupby("region_code"):
        rows.append((region, geography.area_name(region), "Region", None, COUNTY_NOTE))
        members.append(list(group.index))
    rows.append((geography.ENGLAND, "England", "Country", None, COUNTY_NOTE))
    members.append(list(districts))
    matrix = np.zeros((len(rows), len(districts)))
    for i, group in enumerate(members):
        matrix[i, [index[c] for c in group]] = 1.0
    areas = pd.DataFrame(rows, columns=["area_code", "area_name", "area_type", "region_code", "note"])
    return areas, matrix


def _site_matrix() -> np.ndarray:
    out = np.zeros((len(ind.PUBLISHED_SITES), len(ind.SITE_GROUPS)))
    for p, site in enumerate(ind.PUBLISHED_SITES):
        out[p, [ind.SITE_GROUPS.index(g) for g in site.groups]] = 1.0
    return out


def count_array(agg: Aggregation, matrix: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Return (years, counts[year, area, site, method(emergency, elective, all), sex(P, M, F), band(19 + unknown)])."""
    years, cube = agg.cube()  # year, district, group, method(el, em, other), sex(M, F, U), band
    y, n_dist = cube.shape[0], cube.shape[1]
    by_area = (matrix @ cube.reshape(y, n_dist, -1).astype(float)).reshape(y, -1, *cube.shape[2:])
    moved = np.moveaxis(by_area, 2, -1)  # year, area, method, sex, band, group
    by_site = np.moveaxis(moved @ _site_matrix().T, -1, 2)
    methods = np.stack([by_site[:, :, :, 1], by_site[:, :, :, 0], by_site.sum(axis=3)], axis=3)
    sexes = np.stack([methods.sum(axis=4), methods[:, :, :, :, 0], methods[:, :, :, :, 1]], axis=4)
    return years, sexes


def population_array(population: pd.DataFrame, districts: tuple[str, ...], years: list[int],
                     matrix: np.ndarray) -> np.ndarray:
    """Return populations[year, area, sex(P, M, F), band(19)] summed from districts; NaN where any is missing."""
    pop = population[population["area_code"].isin(districts) & population["year"].isin(years)
                     & population["sex"].isin(SEXES) & population["age_band"].isin(BANDS)]
    out = np.full((len(years), len(districts), len(SEXES), len(BANDS)), np.nan)
    out[np.searchsorted(years, pop["year"].to_numpy()), np.searchsorted(districts, pop["area_code"].to_numpy()),
        pd.Index(SEXES).get_indexer(pop["sex"]), pd.Index(BANDS).get_indexer(pop["age_band"])] = pop["population"]
    flat = out.reshape(len(years), len(districts), -1)
    summed = matrix @ np.nan_to_num(flat)
    missing = (matrix @ np.isnan(flat).astype(float)) > 0
    return np.where(missing, np.nan, summed).reshape(len(years), matrix.shape[0], len(SEXES), len(BANDS))


def _cells(years: list[int], n_areas: int) -> pd.DataFrame:
    """Return one row per (year, area, published site, meaningful sex) as integer indices."""
    combos = [(p, SEXES.index(s)) for p, site in enumerate(ind.PUBLISHED_SITES) for s in site.sexes]
    y, a, c = np.meshgrid(np.arange(len(years)), np.arange(n_areas), np.arange(len(combos)), indexing="ij")
    combo = np.asarray(combos)[c.ravel()]
    return pd.DataFrame({"y": y.ravel(), "a": a.ravel(), "p": combo[:, 0], "x": combo[:, 1]})


def _describe(cells: pd.DataFrame, areas: pd.DataFrame, years: list[int], method: str, statistic: str) -> pd.DataFrame:
    """Return the descriptive canonical columns for ``cells`` of one method x statistic."""
    y, a, p = (cells[c].to_numpy() for c in ("y", "a", "p"))
    year = np.asarray(years)
    ids = np.array([ind.indicator_id(s.site_id, method, statistic) for s in ind.PUBLISHED_SITES], dtype=object)
    names = np.array([ind.indicator_name(s, method, statistic) for s in ind.PUBLISHED_SITES], dtype=object)
    labels = np.array([ind.fy_label(int(v)) for v in year], dtype=object)
    starts = np.array([f"{v}-04-01" for v in year], dtype="datetime64[s]")
    ends = np.array([f"{v + 1}-03-31" for v in year], dtype="datetime64[s]")
    value_type, unit = _UNITS[statistic]
    return pd.DataFrame({
        "indicator_id": ids[p], "indicator_name": names[p], "source_id": SOURCE_ID,
        "area_code": areas["area_code"].to_numpy()[a], "area_name": areas["area_name"].to_numpy()[a],
        "area_type": areas["area_type"].to_numpy()[a], "period_label": labels[y], "period_start": starts[y],
        "period_end": ends[y], "sex": np.asarray(SEXES)[cells["x"].to_numpy()], "age": "All ages",
        "value_type": value_type, "unit": unit, "polarity": ind.polarity(method, statistic),
        "comparator_code": np.where(areas["area_code"].to_numpy()[a] == geography.ENGLAND, None, geography.ENGLAND),
        "region_code": areas["region_code"].to_numpy()[a],
        "is_latest": year[y] == year.max(), "geography_method": "direct", "area_note": areas["note"].to_numpy()[a],
        "year": year[y],
    })


def build_rows(agg: Aggregation, population: pd.DataFrame) -> pd.DataFrame:
    """Return canonical rows (before provenance) for every area, financial year, site, sex and statistic."""
    areas, matrix = area_table(agg.districts)
    years, counts = count_array(agg, matrix)
    if not years:
        raise ValueError("the HES input holds no countable admissions (finished first episodes with a financial year).")
    pops = population_array(population, agg.districts, years, matrix)
    cells = _cells(years, len(areas))
    y, a, p, x = (cells[c].to_numpy() for c in ("y", "a", "p", "x"))
    totals = counts.sum(axis=-1)  # includes unknown age
    pop_total = pops.sum(axis=-1)[y, a, x]
    no_pop = np.isnan(pop_total)
    blocks = []
    for m, method in enumerate(METHODS[:2]):
        count = totals[y, a, p, m, x]
        block = _describe(cells, areas, years, method, "count")
        block["count"], block["value"] = count, count
        blocks.append(block)
        crude = stats.rate_frame(pd.DataFrame({"count": count, "denominator": pop_total}), errors="coerce")
        block = _describe(cells, areas, years, method, "crude").join(crude)
        blocks.append(block)
        by_band = _with_unknown_ages_shared(counts[y, a, p, m, x])
        long = pd.DataFrame({"group": np.repeat(np.arange(len(cells)), len(BANDS)),
                             "age_band": np.tile(np.asarray(BANDS, dtype=object), len(cells)),
                             "count": by_band.ravel(), "population": pops[y, a, x].ravel()})
        # Computed for any count: the disclosure layer publishes a DSR only where the *published* count is
        # 10 or more, so whether a DSR appears says nothing about the unrounded count.
        dsr = stats.dsr_frame(long, ["group"], min_count=1).drop(columns="group").rename(columns={"note": "stat_note"})
        dsr["count"] = count
        dsr["stat_note"] = np.where((count > 0) & (by_band.sum(axis=1) == 0), NO_AGES_NOTE, dsr["stat_note"])
        blocks.append(_describe(cells, areas, years, method, "dsr").join(dsr))
    emergency, everything = totals[y, a, p, 0, x], totals[y, a, p, 2, x]
    share = stats.proportion_frame(pd.DataFrame({"count": emergency, "denominator": everything}), errors="coerce")
    block = _describe(cells, areas, years, "emergency", "share").join(share)
    block["stat_note"] = np.where(everything == 0, NO_ADMISSIONS_NOTE, None)
    blocks.append(block)
    return _finish(pd.concat(blocks, ignore_index=True), np.tile(no_pop, 2 * 3 + 1))


def _with_unknown_ages_shared(counts: np.ndarray) -> np.ndarray:
    """Return counts[..., 19 bands] with the last (unknown-age) column shared pro rata to the known bands."""
    known = counts[..., : len(BANDS)]
    total = known.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, known / total, 0.0)
    return known + share * counts[..., len(BANDS):].sum(axis=-1, keepdims=True)


def _finish(frame: pd.DataFrame, no_pop: np.ndarray) -> pd.DataFrame:
    """Fill value notes (statistic, missing population, county sums) and drop helper columns."""
    rate_rows = frame["value_type"].isin(["crude rate", "DSR"]).to_numpy() & no_pop
    note = frame["stat_note"].to_numpy(object) if "stat_note" in frame else np.full(len(frame), None, object)
    years = frame["year"].to_numpy()
    missing_note = np.char.add(np.char.add("No mid-", years.astype(str)), " population estimate, so no rate")
    note = np.where(rate_rows, missing_note, note)
    for col in ("value", *stats.CI_COLUMNS):
        frame[col] = np.where(rate_rows, np.nan, frame[col].to_numpy(float))
    frame["value_note"] = np.where(pd.isna(note), frame["area_note"].to_numpy(object), note)
    frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool) if "suppressed" in frame else False
    frame["source_row"] = pd.array([None] * len(frame), dtype="Int64")  # aggregated: no single source row
    return frame.drop(columns=["area_note", "year", "stat_note"], errors="ignore")


def publishable(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` (parsed, unrounded) as it may be published under the HES rule.

    Counts 1-7 suppressed, others rounded to 5, secondary suppression across sex and geography,
    and every rate, share, DSR and limit re-derived from the rounded counts: the same layer the
    pipeline applies at ingest.
    """
    return disclosure.protect(frame, RULE, ind.count_families).frame
