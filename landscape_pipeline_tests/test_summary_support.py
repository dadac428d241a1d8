"""Synthetic canonical indicator tables and a small source registry for the summary tests and benchmark.

Not a test module (it defines no tests): ``from test_summary_support import ...``. Values are
made up but plausible (rates, proportions, counts; a little noise and drift over time); the
table is run through the real :func:`landscape_pipeline.harmonise.harmonise` so comparisons,
trends and latest flags are the pipeline's own. :func:`bundled_table` is the other way round: the
real bundled sources, parsed as ``landscape build`` parses them, for tests that need the real pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd

from landscape_pipeline import catalogue, geography, ingest, schema
from landscape_pipeline.harmonise import harmonise
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.sources.registry import all_sources

COVENTRY, DUNDEE = "E08000026", "S12000042"
BUILT_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
RETRIEVED = pd.Timestamp("2026-11-20", tz="UTC")


@dataclass(frozen=True)
class Template:
    """One kind of synthetic indicator."""

    name: str
    value_type: str
    unit: str
    polarity: str
    theme: str
    base: float
    multiplier: float
    denominator: float
    sex: str = "Persons"
    age: str = "All ages"


TEMPLATES = (
    Template("Under 75 mortality rate from cancer", "DSR", "per 100,000", "Low is good", "Mortality and survival",
             121.5, 100_000, 180_000, age="<75 yrs"),
    Template("Cancer screening coverage: breast cancer", "proportion", "%", "High is good",
             "Screening and early diagnosis", 70.0, 100, 25_000, sex="Female", age="53-70 yrs"),
    Template("Cancer: QOF prevalence (all ages)", "proportion", "%", "No judgement", "Prevalence and incidence",
             3.4, 100, 300_000),
    Template("Emergency admissions with cancer", "crude rate", "per 100,000", "Low is good", "Hospital activity",
             480.0, 100_000, 300_000),
    Template("Patients rating their overall care highly", "proportion", "%", "High is good", "Patient experience",
             89.0, 100, 900),
    Template("Carers of people with cancer receiving support", "proportion", "%", "High is good",
             "Social care and support", 35.0, 100, 400),
    Template("Cancers diagnosed at stage 1 and 2", "proportion", "%", "High is good",
             "Screening and early diagnosis", 55.0, 100, 1_500),
    Template("Local cancer navigator contacts", "crude rate", "per 100,000", "No judgement", "Local data",
             60.0, 100_000, 300_000),
)
SOURCE_OF_THEME = {"Mortality and survival": "fingertips", "Screening and early diagnosis": "fingertips",
                   "Prevalence and incidence": "fingertips", "Hospital activity": "hes",
                   "Patient experience": "cpes", "Social care and support": "fingertips", "Local data": "local"}


def _parse_nothing(_files, _inputs) -> pd.DataFrame:
    return schema.empty_frame()


def small_sources() -> dict[str, SourceSpec]:
    """Return a small registry of SourceSpecs like the real ones (titles, publishers, caveats, themes)."""
    def spec(source_id: str, title: str, publisher: str, homepage: str, theme: str, caveat: str = "") -> SourceSpec:
        return SourceSpec(source_id, title, publisher, homepage, _parse_nothing, default_theme=theme, caveat=caveat)

    return {
        "fingertips": SourceSpec("fingertips", "Fingertips public health profiles",
                                 "Office for Health Improvement and Disparities",
                                 "https://fingertips.phe.org.uk/", _parse_nothing,
                                 themes={}, default_theme="Mortality and survival"),
        "hes": spec("hes", "Hospital Episode Statistics", "NHS England", "https://digital.nhs.uk/data-and-information/"
                    "data-tools-and-services/data-services/hospital-episode-statistics", "Hospital activity",
                    caveat="attributed from ICB"),
        "cpes": spec("cpes", "National Cancer Patient Experience Survey", "NHS England",
                     "https://www.ncpes.co.uk/", "Patient experience"),
        "imd": spec("imd", "English indices of deprivation 2019", "Ministry of Housing, Communities and Local "
                    "Government", "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
                    "Population and deprivation"),
        "ons_population": spec("ons_population", "Mid-year population estimates", "Office for National Statistics",
                               "https://www.ons.gov.uk/", "Population and deprivation"),
        "phs": spec("phs", "Public Health Scotland open data", "Public Health Scotland",
                    "https://www.opendata.nhs.scot/", "Mortality and survival"),
        "local": spec("local", "Local partnership data", "Local cancer partnership", "", "Local data"),
    }


def _theme_sources(n_indicators: int) -> dict[str, SourceSpec]:
    """Return :func:`small_sources` with every synthetic indicator's theme set on Fingertips and PHS."""
    sources = small_sources()
    themes = {_indicator_id(i): TEMPLATES[i % len(TEMPLATES)].theme for i in range(n_indicators)}
    for source_id in ("fingertips", "phs"):
        old = sources[source_id]
        sources[source_id] = SourceSpec(old.source_id, old.title, old.publisher, old.homepage, _parse_nothing,
                                        themes=themes, default_theme=old.default_theme, caveat=old.caveat)
    return sources


def _indicator_id(i: int) -> str:
    source = SOURCE_OF_THEME[TEMPLATES[i % len(TEMPLATES)].theme]
    return f"{source}_{i}"


def synthetic_raw(area_codes: Sequence[str], *, n_indicators: int = 8, n_periods: int = 6,
                  seed: int = 20261125) -> pd.DataFrame:
    """Return an unharmonised canonical frame: indicators x areas (plus England, Scotland) x annual periods."""
    rng = np.random.default_rng(seed)
    regions = _regions_of(area_codes)
    areas = list(dict.fromkeys([*area_codes, *regions, geography.ENGLAND, geography.SCOTLAND]))
    years = np.arange(2024 - n_periods, 2024)
    frames = []
    for i in range(n_indicators):
        t = TEMPLATES[i % len(TEMPLATES)]
        source = SOURCE_OF_THEME[t.theme]
        ind_id = _indicator_id(i)
        nations = np.isin(areas, [geography.ENGLAND, geography.SCOTLAND])
        scale = np.where(nations, 60.0, np.where(np.isin(areas, regions), 8.0, 1.0))
        area_factor = np.exp(rng.normal(0, 0.12, len(areas)))
        area_factor[nations] = 1.0
        area_factor[np.isin(areas, regions)] = np.exp(rng.normal(0, 0.04, int(np.isin(areas, regions).sum())))
        drift = rng.normal(0, 0.01)
        grid_area = np.repeat(np.arange(len(areas)), len(years))
        grid_year = np.tile(years, len(areas))
        step = grid_year - years[0]
        value = t.base * area_factor[grid_area] * (1 + drift * step) * np.exp(rng.normal(0, 0.02, len(grid_area)))
        if t.unit == "%":
            value = np.clip(value, 0.5, 99.0)
        denominator = np.round(t.denominator * scale[grid_area] * np.exp(rng.normal(0, 0.3, len(areas)))[grid_area])
        count = np.round(value / t.multiplier * denominator)
        se = value / np.sqrt(np.maximum(count, 1))
        frames.append(pd.DataFrame({
            "indicator_id": ind_id, "indicator_name": t.name if i < len(TEMPLATES) else f"{t.name} ({i})",
            "source_id": source,
            "area_code": np.asarray(areas)[grid_area], "period_label": grid_year.astype(str),
            "period_start": pd.to_datetime([f"{y}-01-01" for y in grid_year]),
            "period_end": pd.to_datetime([f"{y}-12-31" for y in grid_year]),
            "sex": t.sex, "age": t.age, "value": value, "value_type": t.value_type, "unit": t.unit,
            "lower_ci_95": value - 1.96 * se, "upper_ci_95": value + 1.96 * se,
            "lower_ci_99_8": value - 3.09 * se, "upper_ci_99_8": value + 3.09 * se,
            "count": count, "denominator": denominator, "polarity": t.polarity,
            "source_url": f"https://example.org/{source}/data.csv", "retrieved_at": RETRIEVED, "synthetic": True,
            "geography_method": "attributed" if source == "hes" else "direct",
        }))
    frames.append(_population_rows([a for a in areas if a not in regions], years, rng))
    raw = pd.concat(frames, ignore_index=True)
    scottish = raw["area_code"].str.startswith("S") & ~raw["source_id"].isin(["ons_population", "imd", "simd"])
    raw.loc[scottish, "source_id"] = "phs"
    raw.loc[scottish, "source_url"] = "https://example.org/phs/data.csv"
    raw.loc[raw["source_id"].eq("hes"), "attribution_note"] = "Attributed from the ICB containing the area"
    return schema.conform(raw)


def published(raw: pd.DataFrame) -> pd.DataFrame:
    """Return ``raw`` as ingestion publishes it: each controlled source through its disclosure rule."""
    rules = {"hes": "hes"}
    parts = [ingest.publishable(rows, rules[str(sid)]) if str(sid) in rules else rows
             for sid, rows in raw.groupby("source_id", sort=False)]
    return schema.conform(pd.concat(parts, ignore_index=True))


def _population_rows(areas: list[str], years: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Return resident population (every year) and an IMD-style deprivation score (one year) per area."""
    base = np.where(np.isin(areas, [geography.ENGLAND]), 57_000_000, 200_000 * np.exp(rng.normal(0, 0.5, len(areas))))
    grid_area = np.repeat(np.arange(len(areas)), len(years))
    grid_year = np.tile(years, len(areas))
    population = pd.DataFrame({
        "indicator_id": "ons_population_total", "indicator_name": "Resident population", "source_id": "ons_population",
        "area_code": np.asarray(areas)[grid_area], "period_label": [f"mid-{y}" for y in grid_year],
        "period_start": pd.to_datetime([f"{y}-06-30" for y in grid_year]),
        "period_end": pd.to_datetime([f"{y}-06-30" for y in grid_year]),
        "sex": "Persons", "age": "All ages", "value": np.round(base[grid_area] * (1 + 0.005 * (grid_year - 2018))),
        "value_type": "count", "unit": "persons", "polarity": "Not applicable",
        "source_url": "https://example.org/ons/population.csv", "retrieved_at": RETRIEVED, "synthetic": True,
        "geography_method": "direct",
    })
    latest = population[population["period_label"].eq(population["period_label"].iloc[-1])]
    old_share = np.clip(rng.normal(0.18, 0.035, len(latest)), 0.08, 0.32)
    bands = []
    for band, share in (("0-64", 1 - old_share), ("65-74", old_share * 0.55), ("75+", old_share * 0.45)):
        bands.append(latest.assign(indicator_id="ons_population_by_age", indicator_name="Resident population by age",
                                   category_type="Age band", category=band, age=band,
                                   value=np.round(latest["value"].to_numpy() * share)))
    english = [a for a in areas if not a.startswith("S")]
    scottish = [a for a in areas if a.startswith("S")]
    imd = pd.DataFrame({
        "indicator_id": "imd_average_score", "indicator_name": "IMD 2019 average score", "source_id": "imd",
        "area_code": english, "period_label": "2019", "period_start": pd.Timestamp("2019-01-01"),
        "period_end": pd.Timestamp("2019-12-31"), "sex": "Persons", "age": "All ages",
        "value": np.round(21.7 * np.exp(rng.normal(0, 0.35, len(english))), 1), "value_type": "score",
        "unit": "score", "polarity": "No judgement", "geography_method": "direct",
        "source_url": "https://example.org/imd/scores.csv", "retrieved_at": RETRIEVED, "synthetic": True,
    })
    imd.loc[imd["area_code"].eq(geography.ENGLAND), "value"] = 21.7
    simd = imd.iloc[:0].reindex(range(len(scottish))).assign(
        indicator_id="simd_overall_pop_weighted_rank", indicator_name="SIMD 2020v2: population-weighted average rank",
        source_id="simd", area_code=scottish, period_label="2020", period_start=pd.Timestamp("2020-01-01"),
        period_end=pd.Timestamp("2020-12-31"), sex="Persons", age="All ages",
        value=np.round(rng.uniform(2000, 5000, len(scottish))), value_type="mean", unit="rank",
        polarity="Not applicable", geography_method="direct", source_url="https://example.org/simd/ranks.csv",
        retrieved_at=RETRIEVED, synthetic=True)
    return pd.concat([population, *bands, imd, simd], ignore_index=True)


def _regions_of(area_codes: Sequence[str]) -> list[str]:
    """Return the English regions and Scottish NHS boards of ``area_codes`` (they publish values too)."""
    out = []
    for code in area_codes:
        try:
            la = geography.local_authority(code)
        except (KeyError, ValueError):
            continue
        if la.region_code or la.health_board_code:
            out.append(la.region_code or la.health_board_code)
    return list(dict.fromkeys(out))


def synthetic_table(area_codes: Sequence[str] | None = None, *, n_indicators: int = 8, n_periods: int = 6,
                    edit: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                    seed: int = 20261125) -> tuple[pd.DataFrame, dict[str, SourceSpec]]:
    """Return (harmonised indicator table, sources) for ``area_codes`` (default: every current LA).

    ``edit`` may change the raw rows before harmonising, e.g. to pin a published comparison label
    (harmonising keeps publishers' labels) or to suppress a value.
    """
    codes = list(area_codes) if area_codes is not None else [la.area_code for la in
                                                             geography.current_local_authorities()]
    raw = synthetic_raw(codes, n_indicators=n_indicators, n_periods=n_periods, seed=seed)
    if edit is not None:
        raw = schema.conform(edit(raw))
    return harmonise([published(raw)]), _theme_sources(n_indicators)


def bundled_table() -> tuple[pd.DataFrame, dict[str, SourceSpec]]:
    """Return (indicator table, sources) of every bundled source, as ``landscape build`` makes the table.

    Each source's bundled files go through the real :func:`landscape_pipeline.ingest.ingest` (upstream
    sources first), then the table is harmonised and its published figures rounded once, as the
    ``indicator_table`` asset does; without Dagster, and without the validation the build tests cover
    (about half a minute).
    """
    specs = all_sources()
    settings = LandscapeSettings(live_sources=[])
    frames: dict[str, pd.DataFrame] = {}
    for sid in TopologicalSorter({sid: set(spec.depends_on) for sid, spec in specs.items()}).static_order():
        spec = specs[sid]
        result = ingest.ingest(spec, ingest.resolve_files(spec, settings),
                               {dep: frames[dep] for dep in spec.depends_on}, validate=False)
        assert result.error is None, f"{sid}: {result.error}"
        frames[sid] = result.frame
    table = harmonise([frames[sid] for sid in specs])
    decimals = catalogue.decimals_by_id(catalogue.build_catalogue(table, specs))
    return catalogue.round_published(table, decimals), specs
