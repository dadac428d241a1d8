"""Parse ONS mid-year population estimates into canonical rows: totals and ESP2013 age bands.

Files are read by :mod:`.readers` (MYEB1 long CSV/zip, MYE2 sheets saved as CSV, or the ONS
workbook). Every level is built from the district single-year figures: district codes of older
geographies are placed on today's districts by :mod:`.districts` (merged districts summed into their
successor); counties (E10, via ``geography.lower_tier_codes``), English regions, nations and the UK
are sums of their current districts and are produced for a year only when every one of those
districts has figures for it. A real file wins over a synthetic one for the same district and year,
and each row's ``synthetic`` says which kind of file its figures came from. Each estimate refers to
30 June of its year, so ``period_start == period_end`` = 30 June and ``period_label`` is the year.

Outputs: ``ons_population_total`` (age "All ages") and ``ons_population_by_age`` (category_type
"Age band (ESP2013)", category and age "0-4" ... "90+"), per area x year x sex (Persons, Male,
Female). :func:`population_by_esp_band` turns them back into a denominator table for other sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import combined_columns, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.ons_population.districts import check_unique, current_districts
from landscape_pipeline.sources.ons_population.readers import read_population_file
from landscape_pipeline.stats import ESP2013

SOURCE_ID = "ons_population"
TOTAL_ID = "ons_population_total"
BY_AGE_ID = "ons_population_by_age"
TOTAL_NAME = "Resident population"
BY_AGE_NAME = "Resident population by age band"
AGE_CATEGORY_TYPE = "Age band (ESP2013)"
BANDS: tuple[str, ...] = ESP2013.labels
SEX_LABELS = ("Persons", "Male", "Female")
AGGREGATE_NOTE = "Sum of the estimates for the local authority districts in this area"
_AREA_TYPES = {
    "unitary": "Unitary authority", "non_metropolitan_district": "Non-metropolitan district",
    "metropolitan_district": "Metropolitan district", "london_borough": "London borough", "county": "County",
    "council_area": "Council area", "principal_area": "Principal area", "ni_district": "Local government district",
}


def _cube(long: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str], list[int]]:
    """Return (district x sex x band x year populations, [synthetic, male present, female present] x district x
    year flags, districts, years)."""
    las = sorted(long["current"].unique())
    years = sorted(int(y) for y in long["year"].unique())
    la = np.searchsorted(las, long["current"].to_numpy())
    band = np.minimum(long["age"].to_numpy(int) // 5, len(BANDS) - 1)
    year = np.searchsorted(years, long["year"].to_numpy(int))
    key = ((la * 2 + long["sex"].to_numpy(int) - 1) * len(BANDS) + band) * len(years) + year
    size = len(las) * 2 * len(BANDS) * len(years)
    cube = np.bincount(key, weights=long["population"].to_numpy(float), minlength=size)
    flags = np.zeros((3, len(las), len(years)), dtype=bool)  # [synthetic, male present, female present]
    flags[long["sex"].to_numpy(int), la, year] = True
    is_synthetic = long["synthetic"].to_numpy(bool)
    flags[0, la[is_synthetic], year[is_synthetic]] = True
    return cube.reshape(len(las), 2, len(BANDS), len(years)), flags, las, years


def _areas(las: Sequence[str]) -> pd.DataFrame:
    """Return one row per output area (districts, complete counties/regions/nations, UK) with its districts."""
    frame = geography.as_frame()
    base = frame[frame["tier"] != "upper"]
    present = set(las)
    rows = [dict(area_code=c, area_name=geography.area_name(c), area_type=_AREA_TYPES[t], members=(c,),
                 region_code=geography.region_of(c), comparator_code=geography.national_comparator(c), note=None)
            for c, t in base.set_index("area_code")["la_type"].items() if c in present]

    def add(code: str, area_type: str, members: tuple[str, ...], region: str | None, comparator: str | None):
        if members and set(members) <= present:
            rows.append(dict(area_code=code, area_name=geography.area_name(code), area_type=area_type,
                             members=members, region_code=region, comparator_code=comparator, note=AGGREGATE_NOTE))

    for county in frame.loc[frame["tier"] == "upper", "area_code"]:
        add(county, "County", geography.lower_tier_codes(county), geography.region_of(county),
            geography.national_comparator(county))
    for region, group in base.dropna(subset=["region_code"]).groupby("region_code"):
        add(region, "Region", tuple(group["area_code"]), None, geography.ENGLAND)
    for nation, group in base.groupby("nation_code"):
        add(nation, "Country", tuple(group["area_code"]), None, None)
    add(geography.UNITED_KINGDOM, "United Kingdom", tuple(base["area_code"]), None, None)
    return pd.DataFrame(rows)


def read_long(paths: Sequence[Path]) -> pd.DataFrame:
    """Return the single-year district rows of all files, each with its current district (``current``).

    Where a real file and a synthetic one both give a district's figures for a year, the real one
    wins; two files of the same kind giving one estimate twice are refused.
    """
    parts = []
    for path in map(Path, paths):
        prov = describe_file(path)
        for table in read_population_file(path):
            if table.rows.empty:
                raise table.error("has no district or unitary authority rows for males or females (only areas "
                                  "that are sums of districts, or Persons); supply the district-level estimates.")
            check_unique(table)
            rows = table.rows.assign(current=current_districts(table), file=path.name, synthetic=prov.synthetic)
            parts.append(rows.assign(sheet=table.sheet, code_column=table.code_column, path=str(path)))
    if not parts:
        names = ", ".join(Path(p).name for p in paths) or "(no file)"
        raise SourceDataError(paths[0] if paths else "ons_population", f"no male or female estimates were found in "
                              f"{names}: a MYE2 Persons sheet alone cannot be split by sex. Supply the MYEB1 file, the "
                              "ONS workbook, or its 'MYE2 - Males' and 'MYE2 - Females' sheets.")
    combined = pd.concat(parts, ignore_index=True)
    real = combined.loc[~combined["synthetic"], ["current", "year"]].drop_duplicates()
    covered = combined[["current", "year"]].merge(real.assign(real_cover=True), how="left")["real_cover"]
    combined = combined.loc[~(combined["synthetic"] & covered.fillna(False).astype(bool).to_numpy())]
    repeated = combined.duplicated(["code", "sex", "age", "year"]).to_numpy()
    if repeated.any():
        first = combined.iloc[int(repeated.argmax())]
        raise SourceDataError(first["path"], f"{first['code']} sex {first['sex']} age {first['age']} in "
                              f"{first['year']} appears twice: an earlier file of the same kind (real or synthetic) "
                              "gives it too; supply each estimate once.",
                              row=int(first["row"]), line=int(first["line"]), column=first["code_column"],
                              sheet=first["sheet"])
    return combined.reset_index(drop=True)


def _provenance_by_year(long: pd.DataFrame, paths: Sequence[Path], years: Sequence[int]) -> pd.DataFrame:
    """Return per year the provenance columns of the files that gave that year's figures."""
    by_name = {Path(p).name: Path(p) for p in paths}
    rows = []
    for year in years:
        names = sorted(long.loc[long["year"] == year, "file"].unique())
        rows.append({"year": year, **combined_columns([by_name[n] for n in names])})
    return pd.DataFrame(rows).drop(columns="synthetic")


def parse(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return canonical population rows (totals and ESP2013 bands) for every area the files cover.

    ``synthetic`` is derived per row: true when any district-year summed into it came from a
    synthetic file.
    """
    long = read_long(paths)
    cube, flags, las, years = _cube(long)
    areas = _areas(las)
    index = {c: i for i, c in enumerate(las)}
    members = np.zeros((len(areas), len(las)))
    for i, group in enumerate(areas["members"]):
        members[i, [index[c] for c in group]] = 1.0
    by_sex = (members @ cube.reshape(len(las), -1)).reshape(len(areas), 2, len(BANDS), len(years))
    bands = np.concatenate([by_sex.sum(axis=1, keepdims=True), by_sex], axis=1)  # Persons, Male, Female
    totals = bands.sum(axis=2)
    area_synthetic = (members @ flags[0].astype(float)) > 0  # area x year
    # an area has a figure for a sex and year only when every member district has one (Persons: both sexes)
    male, female = ((members @ (~flags[i]).astype(float)) == 0 for i in (1, 2))
    per_area = (area_synthetic, np.stack([male & female, male, female], axis=1))  # area x sex x year
    frame = pd.concat([_rows(areas, totals, years, None, per_area),
                       _rows(areas, bands, years, BANDS, per_area)], ignore_index=True)
    frame = frame.loc[frame.pop("complete").to_numpy(bool)].reset_index(drop=True)
    frame["is_latest"] = frame["period_label"].eq(frame.groupby("area_code")["period_label"].transform("max"))
    provenance = _provenance_by_year(long, paths, years)
    return frame.merge(provenance.astype({"year": str}).rename(columns={"year": "period_label"}), on="period_label",
                       how="left", validate="many_to_one")


def _rows(areas: pd.DataFrame, values: np.ndarray, years: Sequence[int], bands: Sequence[str] | None,
          synthetic: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """Return canonical rows for an (area x sex [x band] x year) array of populations.

    ``synthetic`` holds the area x year synthetic flags and the area x sex x year "complete" flags.
    """
    idx = np.indices(values.shape).reshape(values.ndim, -1)
    area, sex, year = idx[0], idx[1], idx[-1]
    year_values = np.asarray(years)[year]
    reference = pd.to_datetime(pd.Series(year_values.astype(str)) + "-06-30")
    if bands is None:
        band_label, category_type, category = np.full(area.size, "All ages"), None, None
        indicator, name = TOTAL_ID, TOTAL_NAME
    else:
        band_label = np.asarray(bands, dtype=object)[idx[2]]
        category_type, category = AGE_CATEGORY_TYPE, band_label
        indicator, name = BY_AGE_ID, BY_AGE_NAME
    out = pd.DataFrame({
        "indicator_id": indicator, "indicator_name": name, "source_id": SOURCE_ID,
        "area_code": areas["area_code"].to_numpy()[area], "area_name": areas["area_name"].to_numpy()[area],
        "area_type": areas["area_type"].to_numpy()[area], "period_label": year_values.astype(str),
        "period_start": reference, "period_end": reference, "sex": np.asarray(SEX_LABELS)[sex],
        "age": band_label, "category_type": category_type, "category": category,
        "value": values.ravel(), "value_type": "count", "unit": "persons",
        "value_note": areas["note"].to_numpy()[area], "polarity": "Not applicable",
        "comparator_code": areas["comparator_code"].to_numpy()[area],
        "region_code": areas["region_code"].to_numpy()[area], "is_latest": year_values == max(years),
        "suppressed": False, "geography_method": "direct", "synthetic": synthetic[0][area, year],
        "complete": synthetic[1][area, sex, year],
    })
    out["source_row"] = pd.array([None] * len(out), dtype="Int64")  # every row sums several file rows
    return out


def population_by_esp_band(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``area_code, year (int), sex, age_band, population`` from a parsed or staged population table."""
    rows = frame[frame["indicator_id"] == BY_AGE_ID]
    return pd.DataFrame({
        "area_code": rows["area_code"].astype(str).to_numpy(),
        "year": pd.to_datetime(rows["period_start"]).dt.year.astype(int).to_numpy(),
        "sex": rows["sex"].astype(str).to_numpy(),
        "age_band": rows["category"].astype(str).to_numpy(),
        "population": rows["value"].astype(float).to_numpy(),
    })
