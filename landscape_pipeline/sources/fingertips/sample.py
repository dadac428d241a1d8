"""Deterministic generator of the bundled Fingertips sample (synthetic values, the API's exact CSV format).

Run ``python -m landscape_pipeline.sources.fingertips.sample`` to rewrite ``data_sources/fingertips/``.

For each catalogued indicator, at the LA tiers it lists, it simulates counts and denominators for
England's 296 lower/single-tier LAs (seeded), sums them to the 153 upper-tier LAs, the 9 regions and
England, and computes values and 95%/99.8% limits with :mod:`landscape_pipeline.stats`: Wilson for
proportions, exact/Byar's for rates, and for the DSR Dobson-style limits scaled from the count's
Poisson limits. Comparisons with England and the region use ``stats.compare_frame`` with the
indicator's polarity; the recent trend uses ``stats.trend_labels`` on the 5 latest annual points.

Each file is what ``GET /api/all_data/csv/by_indicator_id?indicator_ids=<id>&child_area_type_id=<502|501>
&parent_area_type_id=6`` returns: per period, England (twice: blank parent and parent England), the 9
regions, then every child area.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import geography, paths, stats
from landscape_pipeline.sources.fingertips import indicators as cat
from landscape_pipeline.sources.fingertips.parser import HEADER, RANGE_COLUMN

SEED = 20261125
BUNDLED_ON = "2026-11-25"
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"
REGION_HEADER = "Compared to Region value or percentiles"
URL = ("https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids={id}"
       "&child_area_type_id={area_type}&parent_area_type_id=6")
#: Area-level "deprivation" offset by region (synthetic, loosely like the real north-south gradient).
REGION_OFFSET = {"E12000001": 0.8, "E12000002": 0.5, "E12000003": 0.4, "E12000004": 0.1, "E12000005": 0.3,
                 "E12000006": -0.4, "E12000007": 0.2, "E12000008": -0.6, "E12000009": -0.3}
MEDIAN_POPULATION = {"non_metropolitan_district": 110_000, "unitary": 250_000, "metropolitan_district": 320_000,
                     "london_borough": 270_000}
FIXED_POPULATION = {"E06000053": 2_300, "E09000001": 8_600}  # Isles of Scilly, City of London


@dataclass(frozen=True)
class Profile:
    """How one indicator is simulated: England level per period and how areas differ."""

    periods: tuple[str, ...]
    levels: tuple[float, ...]  # England-ish level per period (% or per 100,000)
    denominator_share: float  # denominator per person per year
    beta: float  # effect of the deprivation score (logit scale for %, log scale for rates)
    spread: float  # sd of the area effect
    london: float = 0.0
    suppress_below: int = 0  # counts below this are suppressed (value and count blank)
    blank_998_oldest: bool = False
    decimals: int = 2


def _years(first: int, fmt: str = "{y}") -> tuple[str, ...]:
    return tuple(fmt.format(y=y, z=(y + 1) % 100, e=(y + 2) % 100) for y in range(first, first + 6))


PROFILES: dict[int, Profile] = {
    40501: Profile(_years(2016, "{y} - {e:02d}"), (132.3, 129.2, 125.1, 123.2, 121.8, 120.6), 3 * 0.91, 0.12,
                   0.06, suppress_below=10),
    22001: Profile(_years(2018), (74.9, 74.6, 70.1, 64.1, 65.9, 69.9), 0.125, -0.10, 0.12, london=-0.45),
    93560: Profile(_years(2018), (69.6, 69.8, 68.0, 68.0, 67.6, 65.8), 0.165, -0.08, 0.10, london=-0.35),
    93561: Profile(_years(2018), (76.2, 76.4, 75.0, 74.7, 74.6, 74.4), 0.10, -0.08, 0.08, london=-0.30),
    91720: Profile(_years(2018), (59.0, 60.1, 63.8, 65.2, 70.3, 71.8), 0.155, -0.12, 0.10, london=-0.40,
                   blank_998_oldest=True),
    276: Profile(_years(2017, "{y}/{z:02d}"), (2.9, 3.0, 3.1, 3.2, 3.3, 3.5), 1.04, -0.10, 0.12, london=-0.35,
                 blank_998_oldest=True, decimals=3),
    91355: Profile(_years(2017, "{y}/{z:02d}"), (590.0, 600.0, 560.0, 575.0, 585.0, 590.0), 1.0, 0.10, 0.08,
                   london=-0.05, suppress_below=8),
    900001: Profile(_years(2016), (72.8, 73.4, 73.8, 74.0, 74.6, 75.1), 550e-5, -0.05, 0.05, suppress_below=8),
    900002: Profile(_years(2016), (52.6, 53.4, 54.0, 51.7, 54.6, 55.5), 480e-5, -0.04, 0.06, suppress_below=8),
    # End of life care (deaths registered in the year; denominators are deaths, all causes or cancer)
    900101: Profile(_years(2018), (46.6, 47.1, 51.6, 52.4, 50.8, 51.4), 0.0092, -0.05, 0.08, london=-0.25,
                    decimals=1),
    900102: Profile(_years(2018), (46.0, 45.5, 42.5, 43.0, 44.1, 43.6), 0.0092, 0.05, 0.07, london=0.2,
                    decimals=1),
    900103: Profile(_years(2018), (30.8, 30.3, 26.9, 27.6, 28.7, 28.2), 0.0027, 0.06, 0.10, london=0.25,
                    decimals=1),
    900104: Profile(_years(2018), (29.9, 30.4, 36.6, 35.9, 34.1, 34.5), 0.0027, -0.05, 0.10, london=-0.1,
                    decimals=1),
    900105: Profile(_years(2018), (16.8, 16.9, 14.6, 15.3, 16.0, 16.1), 0.0027, -0.02, 0.25, london=-0.2,
                    decimals=1, suppress_below=5),
}


def lower_tier_areas(rng: np.random.Generator) -> pd.DataFrame:
    """Return England's lower/single-tier LAs with a synthetic population and deprivation score."""
    las = geography.as_frame()
    las = las[(las["nation_code"] == geography.ENGLAND) & las["tier"].isin(["lower", "single"])]
    las = las.sort_values("area_code").reset_index(drop=True)
    median = las["la_type"].map(MEDIAN_POPULATION).to_numpy(float)
    population = np.round(median * np.exp(rng.normal(0, 0.35, len(las))), -2)
    las["population"] = las["area_code"].map(FIXED_POPULATION).fillna(pd.Series(population)).to_numpy()
    shift = las["la_type"].map({"metropolitan_district": 0.4, "non_metropolitan_district": -0.3}).fillna(0)
    las["score"] = las["region_code"].map(REGION_OFFSET) + shift + rng.normal(0, 0.7, len(las))
    return las


def simulate(indicator: cat.FingertipsIndicator, las: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return counts per lower-tier LA and period (long): count, denominator and the DSR's adjusted count."""
    profile = PROFILES[indicator.indicator_id]
    n = len(las)
    london = np.where(las["region_code"].eq("E12000007"), profile.london, 0.0)
    effect = profile.beta * las["score"].to_numpy() + london + rng.normal(0, profile.spread, n)
    age_factor = np.exp(rng.normal(0, 0.08, n))  # crude / standardised rate (older areas > 1)
    rows = []
    for t, (label, level) in enumerate(zip(profile.periods, profile.levels, strict=True)):
        denominator = np.round(las["population"].to_numpy() * profile.denominator_share * (1.005 ** t))
        wobble = rng.normal(0, 0.02, n)
        if indicator.value_type == "proportion":
            logit = np.log(level / (100 - level)) + effect + wobble
            count = rng.binomial(denominator.astype(np.int64), 1 / (1 + np.exp(-logit))).astype(float)
            adjusted = count
        else:
            scale = age_factor if indicator.value_type == "DSR" else 1.0
            expected = denominator * level / 1e5 * np.exp(effect + wobble) * scale
            count = rng.poisson(expected).astype(float)
            adjusted = count / scale
        rows.append(pd.DataFrame({"area_code": las["area_code"], "upper_tier_code": las["upper_tier_code"],
                                  "region_code": las["region_code"], "period": label, "t": t, "count": count,
                                  "denominator": denominator, "adjusted": adjusted}))
    return pd.concat(rows, ignore_index=True)


def measures(indicator: cat.FingertipsIndicator, counts: pd.DataFrame) -> pd.DataFrame:
    """Return ``counts`` with value and 95%/99.8% limits computed from count and denominator."""
    out = counts.copy()
    o, n = out["count"].to_numpy(), out["denominator"].to_numpy()
    for confidence, suffix in ((0.95, "95"), (0.998, "99_8")):
        if indicator.value_type == "proportion":
            value, lower, upper = stats.proportion(o, n, confidence, multiplier=100)
        elif indicator.value_type == "crude rate":
            value, lower, upper = stats.rate(o, n, 100_000, confidence)
        else:  # DSR: value from the age-adjusted count, limits scaled from the count's Poisson limits
            value = out["adjusted"].to_numpy() / n * 1e5
            low, up = stats.poisson_limits(o, confidence)
            with np.errstate(invalid="ignore", divide="ignore"):
                lower, upper = value * low / o, value * up / o
        out["value"], out[f"lower_{suffix}"], out[f"upper_{suffix}"] = value, lower, upper
    return out


def aggregate(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return counts summed to the areas named in column ``by`` (upper tier, region or England)."""
    summed = counts.groupby([by, "period", "t"], as_index=False)[["count", "denominator", "adjusted"]].sum()
    return summed.rename(columns={by: "area_code"})


def build_file(indicator: cat.FingertipsIndicator, area_type: int, tiers: dict[str, pd.DataFrame],
               names: dict[str, str]) -> pd.DataFrame:
    """Return the rows of one export (Fingertips column names, strings) for ``area_type``."""
    profile = PROFILES[indicator.indicator_id]
    england, regions = tiers["england"], tiers["regions"]
    children = tiers["upper"] if area_type == cat.COUNTIES_UAS else tiers["lower"]
    parts = [
        england.assign(parent="", kind="England", order=0),
        england.assign(parent=geography.ENGLAND, kind="England", order=1),
        regions.assign(parent=geography.ENGLAND, kind=cat.AREA_TYPE_NAMES[cat.REGION], order=2),
        children.assign(parent=children["area_code"].map(geography.region_of),
                        kind=cat.AREA_TYPE_NAMES[area_type], order=3),
    ]
    rows = pd.concat(parts, ignore_index=True).sort_values(["t", "order", "area_code"], kind="stable")
    rows = rows.reset_index(drop=True)
    suppressed = rows["count"].lt(profile.suppress_below) & rows["kind"].ne("England")
    value_cols = ["value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
    rows.loc[suppressed, [*value_cols, "count"]] = np.nan
    if profile.blank_998_oldest:
        rows.loc[rows["t"].eq(0), ["lower_99_8", "upper_99_8"]] = np.nan
    ref = england.set_index("t")["value"].reindex(rows["t"]).to_numpy()
    args = (rows["value"], rows["lower_95"], rows["upper_95"])
    england_label = stats.compare_frame(*args, ref, indicator.polarity)
    england_label[(rows["order"] == 0).to_numpy()] = stats.NOT_COMPARED
    region_values = regions.set_index(["area_code", "t"])["value"]
    region_ref = region_values.reindex(pd.MultiIndex.from_arrays([rows["parent"], rows["t"]])).to_numpy()
    region_label = stats.compare_frame(*args, region_ref, indicator.polarity)
    region_label[(rows["order"] < 3).to_numpy()] = stats.NOT_COMPARED
    trend = _recent_trends(indicator, rows)
    latest = rows["t"].eq(rows["t"].max())
    return pd.DataFrame({
        "Indicator ID": str(indicator.indicator_id), "Indicator Name": indicator.name,
        "Parent Code": rows["parent"], "Parent Name": rows["parent"].map(names).fillna(""),
        "Area Code": rows["area_code"], "Area Name": rows["area_code"].map(names), "Area Type": rows["kind"],
        "Sex": indicator.sex, "Age": indicator.age, "Category Type": "", "Category": "",
        "Time period": rows["period"],
        **{header: _fmt(rows[col], profile.decimals) for header, col in zip(HEADER[12:17], value_cols, strict=True)},
        "Count": _fmt(rows["count"], 0), "Denominator": _fmt(rows["denominator"], 0),
        "Value note": np.where(suppressed, SUPPRESSED_NOTE, ""),
        "Recent Trend": np.where(latest, rows["area_code"].map(trend).astype(object).fillna(""), ""),
        HEADER[21]: england_label, REGION_HEADER: region_label,
        "Time period Sortable": rows["period"].str[:4] + "0000", "New data": "", "Compared to goal": "",
        RANGE_COLUMN: "3y" if indicator.period_kind == cat.THREE_YEAR_POOLED else "1y",
    })


def _recent_trends(indicator: cat.FingertipsIndicator, rows: pd.DataFrame) -> dict[str, str]:
    """Return area code -> recent-trend label over the 5 latest periods (none for pooled periods)."""
    if indicator.period_kind == cat.THREE_YEAR_POOLED:
        return {}
    latest5 = rows[rows["t"] > rows["t"].max() - 5].drop_duplicates(["area_code", "t"])
    mats = [latest5.pivot(index="area_code", columns="t", values=c) for c in ("value", "lower_95", "upper_95")]
    labels = stats.trend_labels(*(m.to_numpy() for m in mats), indicator.polarity)
    return dict(zip(mats[0].index, labels, strict=True))


def _fmt(values: pd.Series, decimals: int) -> pd.Series:
    """Return numbers as Fingertips writes them: no trailing zeros, blank when missing."""
    text = values.round(decimals).map(lambda v: "" if pd.isna(v) else f"{v:.{decimals}f}")
    return text.str.replace(r"\.?0+$", "", regex=True) if decimals else text


def area_names() -> dict[str, str]:
    """Return code -> name as Fingertips writes it (regions carry a ' region' suffix)."""
    names = {la.area_code: la.area_name for la in geography.current_local_authorities()}
    for code in REGION_OFFSET:
        names[code] = f"{geography.area_name(code)} region"
    names[geography.ENGLAND] = "England"
    return names


def to_csv_text(frame: pd.DataFrame) -> str:
    """Return the export as CSV text: minimal quoting, LF line ends, no newline after the last row."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().rstrip("\n")


def generate(dest: Path | None = None) -> list[Path]:
    """Write every sample file and ``provenance.json`` into ``dest``; return the CSV paths."""
    dest = dest or paths.data_sources_dir() / "fingertips"
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("fingertips_*.csv"):
        old.unlink()
    rng = np.random.default_rng(SEED)
    las, names = lower_tier_areas(rng), area_names()
    written, manifest = [], {}
    for indicator in cat.INDICATORS:
        counts = simulate(indicator, las, rng)
        tiers = {"lower": measures(indicator, aggregate(counts, "area_code")),
                 "upper": measures(indicator, aggregate(counts, "upper_tier_code")),
                 "regions": measures(indicator, aggregate(counts, "region_code")),
                 "england": measures(indicator, aggregate(counts.assign(england=geography.ENGLAND), "england"))}
        for area_type in indicator.area_type_ids:
            frame = build_file(indicator, area_type, tiers, names)
            name = f"fingertips_{indicator.indicator_id}_{cat.AREA_TYPE_SLUGS[area_type]}_{area_type}.csv"
            (dest / name).write_text(to_csv_text(frame), encoding="utf-8", newline="")
            written.append(dest / name)
            manifest[name] = {
                "imitates_url": URL.format(id=indicator.indicator_id, area_type=area_type),
                "description": f"{indicator.name} ({indicator.unit}), {cat.AREA_TYPE_NAMES[area_type]}, "
                               f"{len(frame)} rows: England, regions and every LA, 6 periods. Synthetic."
                               + (" Placeholder indicator id." if indicator.placeholder else ""),
            }
    (dest / "provenance.json").write_text(json.dumps({
        "source_id": "fingertips", "synthetic": True, "bundled_on": BUNDLED_ON,
        "publisher_url": "https://fingertips.phe.org.uk",
        "note": "Synthetic values in the publisher's exact format; not official statistics.",
        "generator": "python -m landscape_pipeline.sources.fingertips.sample", "files": manifest,
    }, indent=2) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in generate():
        print(f"{path.name}: {path.stat().st_size:,} bytes")
