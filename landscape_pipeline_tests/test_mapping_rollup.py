"""Roll-up to local authorities (each method), site returns through the site register, disclosure control."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from landscape_pipeline import disclosure
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.ingest import IngestResult, ingest
from landscape_pipeline.mapping import build_frame
from landscape_pipeline.mapping.source import spec_for_folder
from landscape_pipeline_tests.factories import mapped_folder

TRAFFORD = "E08000009"
WARDS = """\
title: Ward test
publisher: Test council
reader: {file: wards.csv}
columns:
  area_code: ward
  indicator: {constant: Screened}
  period: {constant: "2019/20"}
  value: value
  count: screened
  denominator: eligible
  population: population
period: {format: financial_year}
geography: {level: ward, vintage: 2018, roll_up: ROLL_UP}
indicators:
  - match: Screened
    id: local_screened
    definition: People screened, of those eligible.
    unit: "%"
    value_type: VALUE_TYPE
    multiplier: 100
    polarity: High is good
disclosure: none
"""
WARD_ROWS = pd.DataFrame({"ward": ["E05000819", "E05000820", "E05000821", "E92000001"],
                          "value": [60.0, 75.0, 50.0, 70.0], "screened": [600, 1500, 250, 700_000],
                          "eligible": [1000, 2000, 500, 1_000_000], "population": [11_000, 13_000, 9_000, 56_000_000]})


def _wards(tmp_path: Path, roll_up: str, value_type: str = "proportion",
           rows: pd.DataFrame = WARD_ROWS) -> pd.DataFrame:
    mapping = WARDS.replace("ROLL_UP", roll_up).replace("VALUE_TYPE", value_type)
    folder = mapped_folder(tmp_path / roll_up, mapping, {"wards.csv": rows.to_csv(index=False)})
    return build_frame(folder, "jsna_wards").set_index("area_code")


def _wilson(o: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = o / n
    centre, spread = 2 * n * p + z * z, z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return (centre - spread) / (2 * (n + z * z)), (centre + spread) / (2 * (n + z * z))


def test_not_allowed_keeps_wards_at_ward_level(tmp_path: Path) -> None:
    frame = _wards(tmp_path, "not_allowed")
    assert TRAFFORD not in frame.index and len(frame) == 4
    assert frame.loc["E05000819", "area_type"] == "Ward" and frame.loc["E05000819", "area_name"] == "Altrincham"


def test_recompute_from_counts_sums_count_and_denominator_with_wilson_limits(tmp_path: Path) -> None:
    frame = _wards(tmp_path, "recompute_from_counts")
    assert set(frame.index) == {TRAFFORD, "E92000001"}
    la = frame.loc[TRAFFORD]
    assert (la["count"], la["denominator"]) == (2350, 3500)
    assert la["value"] == pytest.approx(2350 / 3500 * 100)
    lower, upper = _wilson(2350, 3500)
    assert (la["lower_ci_95"], la["upper_ci_95"]) == (pytest.approx(lower * 100), pytest.approx(upper * 100))
    assert la["area_name"] == "Trafford" and la["attribution_note"].startswith("Recompute from counts over 3 ward")
    assert frame.loc["E92000001", "value"] == 70.0  # a coarser row of the file passes through as published


def test_sum_counts_adds_the_wards_counts(tmp_path: Path) -> None:
    counts = WARD_ROWS.assign(value=WARD_ROWS["screened"])
    frame = _wards(tmp_path, "sum_counts", "count", counts)
    assert frame.loc[TRAFFORD, "value"] == frame.loc[TRAFFORD, "count"] == 600 + 1500 + 250


def test_population_weighted_mean_of_ward_values(tmp_path: Path) -> None:
    frame = _wards(tmp_path, "population_weighted", "score")
    expected = (60 * 11_000 + 75 * 13_000 + 50 * 9_000) / (11_000 + 13_000 + 9_000)
    assert frame.loc[TRAFFORD, "value"] == pytest.approx(expected)
    assert np.isnan(frame.loc[TRAFFORD, "lower_ci_95"])


def test_a_sum_over_a_suppressed_ward_is_not_computed_and_says_why(tmp_path: Path) -> None:
    rows = WARD_ROWS.astype(object)
    rows.loc[1, "screened"] = "*"
    la = _wards(tmp_path, "recompute_from_counts", rows=rows).loc[TRAFFORD]
    assert np.isnan(la["value"]) and np.isnan(la["count"]) and la["suppressed"]
    assert la["value_note"] == ("Not computed: 1 of the 3 contributing rows were suppressed or empty in the "
                                "source file.")


def test_a_ward_outside_the_declared_vintage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceDataError, match=r"row 1 \(line 2\), column 'ward': 'E05000819' is not an electoral "
                                              r"ward code known in the 2023 vintage"):
        mapping = WARDS.replace("vintage: 2018", "vintage: 2023").replace("ROLL_UP", "not_allowed")
        build_frame(mapped_folder(tmp_path, mapping.replace("VALUE_TYPE", "proportion"),
                                  {"wards.csv": WARD_ROWS.to_csv(index=False)}), "jsna_wards")


SITES = """\
sites:
  - {id: north, name: North Site, la_codes: [E08000026], start_date: 2025-04-01}
  - {id: south, name: South Site, la_codes: [E08000026], start_date: 2025-04-01}
  - {id: shared, name: Shared Site, la_codes: [E06000047, E08000003], start_date: 2025-06-01}
"""
RETURN = """\
title: Monitoring test
publisher: Sites
reader: {file: return.csv}
shape: {kind: wide, headers_are: indicator, columns: [offered, completed]}
columns: {area_code: site, period: month}
period: {format: month}
geography: {level: site, roll_up: sum_counts, la_column: la_code}
dimensions: [{name: Service, column: service}]
breakdowns: [total, Service]
indicators:
  - {match: offered, id: test_offered, definition: HNAs offered., unit: assessments, value_type: count,
     polarity: No judgement}
  - {match: completed, id: test_completed, definition: HNAs completed., unit: assessments, value_type: count,
     polarity: No judgement}
derived:
  - {id: test_completion, name: HNA completion, definition: Completed over offered., numerator: test_completed,
     denominator: test_offered, polarity: High is good}
disclosure: fewer_than_5
"""
RETURN_ROWS = """site,la_code,service,month,offered,completed
North Site,,Nurse,2025-04,20,15
North Site,,Centre,2025-04,3,3
South Site,,Nurse,2025-04,30,20
South Site,,Centre,2025-04,10,9
Shared Site,E06000047,Nurse,2025-04,12,10
Shared Site,E08000003,Nurse,2025-04,8,6
"""


def _return_folder(tmp_path: Path, rows: str = RETURN_ROWS, mapping: str = RETURN) -> Path:
    sources = tmp_path / "data_sources"
    sources.mkdir(parents=True, exist_ok=True)
    (sources / "sites.yaml").write_text(SITES, encoding="utf-8")
    return mapped_folder(sources / "jsna" / "returns", mapping, {"return.csv": rows})


def _return(tmp_path: Path, rows: str = RETURN_ROWS, mapping: str = RETURN) -> pd.DataFrame:
    """Return the extract as read: rolled up and derived, before disclosure control."""
    return build_frame(_return_folder(tmp_path, rows, mapping), "jsna_returns")


def _published(tmp_path: Path, rows: str = RETURN_ROWS) -> IngestResult:
    """Return the extract as its asset publishes it: through the one disclosure layer, at ingest."""
    folder = _return_folder(tmp_path, rows)
    result = ingest(spec_for_folder(folder, "jsna_returns", "jsna/returns"), [folder / "return.csv"], validate=False)
    assert result.error is None, result.error
    return result


def _cell(frame: pd.DataFrame, indicator: str, area: str, category: str | None = None) -> pd.Series:
    hit = frame["indicator_id"].eq(indicator) & frame["area_code"].eq(area)
    hit &= frame["category"].isna() if category is None else frame["category"].eq(category)
    assert hit.sum() == 1
    return frame.loc[hit].iloc[0]


def test_site_rows_become_their_local_authorities_summed_by_breakdown(tmp_path: Path) -> None:
    frame = _return(tmp_path)
    assert set(frame["area_code"]) == {"E08000026", "E06000047", "E08000003"}
    assert _cell(frame, "test_offered", "E08000026")["count"] == 20 + 3 + 30 + 10
    assert _cell(frame, "test_offered", "E08000026", "Nurse")["count"] == 50
    assert _cell(frame, "test_offered", "E06000047")["count"] == 12
    completion = _cell(frame, "test_completion", "E08000026")
    assert completion["value"] == pytest.approx(47 / 63 * 100)
    lower, upper = _wilson(47, 63)
    assert completion["lower_ci_95"] == pytest.approx(lower * 100) and completion["upper_ci_95"] == pytest.approx(
        upper * 100)
    assert (frame["period_label"] == "2025-04").all() and frame["source_row"].isna().all()


def test_small_counts_are_hidden_with_secondary_suppression_and_derived_rows_follow(tmp_path: Path) -> None:
    frame = _published(tmp_path).frame
    centre = _cell(frame, "test_offered", "E08000026", "Centre")  # 3 + 10 = 13 offered: published
    assert centre["count"] == 13 and not centre["suppressed"]
    rows = RETURN_ROWS.replace("South Site,,Centre,2025-04,10,9", "South Site,,Centre,2025-04,1,1")
    assert _cell(_return(tmp_path / "raw", rows), "test_offered", "E08000026", "Centre")["count"] == 4  # as read
    result = _published(tmp_path / "small", rows)
    frame = result.frame
    for indicator in ("test_offered", "test_completed"):
        hidden = _cell(frame, indicator, "E08000026", "Centre")  # 3 + 1 = 4: primary suppression
        assert hidden["suppressed"] and np.isnan(hidden["count"])
        assert hidden["value_note"] == disclosure.SUPPRESSED_NOTE
        partner = _cell(frame, indicator, "E08000026", "Nurse")  # else found as total - Centre
        assert partner["suppressed"] and np.isnan(partner["count"]) and np.isnan(partner["value"])
        total = _cell(frame, indicator, "E08000026")
        assert not total["suppressed"] and total["count"] == {"test_offered": 54, "test_completed": 39}[indicator]
    for category in ("Nurse", "Centre"):  # derived from hidden counts: hidden too
        rate = _cell(frame, "test_completion", "E08000026", category)
        assert rate["suppressed"] and np.isnan(rate["value"]) and np.isnan(rate["count"])
        assert np.isnan(rate["denominator"]) and np.isnan(rate["lower_ci_95"])
    overall = _cell(frame, "test_completion", "E08000026")
    assert not overall["suppressed"] and overall["value"] == pytest.approx(39 / 54 * 100)
    # The partners (Nurse offered, Nurse completed) are the only counts lost; the other LAs keep theirs.
    assert result.disclosure["cells_suppressed_primary"] == 2 and result.disclosure["cells_lost_to_secondary"] == 2
    assert not frame.loc[frame["area_code"].ne("E08000026"), "suppressed"].any()
    assert disclosure.find_leaks(frame, "fewer_than_5").empty
    for _, group in frame.groupby(["indicator_id", "area_code"]):
        assert group["suppressed"].sum() != 1 or group.loc[group["category"].isna(), "suppressed"].all()
    spec = spec_for_folder(tmp_path / "small" / "data_sources" / "jsna" / "returns", "jsna_returns", "jsna/returns")
    report = disclosure.attack_source(frame, "fewer_than_5", spec.count_families)
    assert report.passed, report.text()
    assert report.tried["breakdown differencing"] > 0 and report.hidden_cells == 4
    leaky = _return(tmp_path / "leaky", rows)  # the extract as read, with only the primary rule applied
    leaky = disclosure.apply_rule(leaky, "fewer_than_5", count_cols=("count", "denominator"))
    found = disclosure.attack_source(leaky, "fewer_than_5", spec.count_families).findings
    assert set(found["attack"]) == {"breakdown differencing"}
    assert set(found["indicator_id"]) <= {"test_offered", "test_completed", "test_completion"} and len(found) == 2


@pytest.mark.parametrize(("change", "column", "expected"), [
    (("North Site,,Nurse", "West Site,,Nurse"), "site", "site 'West Site' is not in the site register"),
    (("Shared Site,E06000047", "Shared Site,"), "la_code",
     "the cell is empty, but site 'Shared Site' serves several local authorities; give the row's LA code"),
    (("Shared Site,E06000047", "Shared Site,E08000026"), "la_code", "'E08000026' is not one of the local"),
    (("North Site,,Nurse,2025-04,20,15", "North Site,,Nurse,2025-04,20,25"), "completed",
     "25 (test_completed) is more than its denominator 20 (test_offered)"),
])
def test_a_bad_return_row_is_named(tmp_path: Path, change: tuple[str, str], column: str, expected: str) -> None:
    rows = RETURN_ROWS.replace(*change)
    row = next(i for i, line in enumerate(rows.splitlines()) if change[1] in line)
    with pytest.raises(SourceDataError) as caught:
        _return(tmp_path, rows)
    assert str(caught.value).startswith(f"return.csv, row {row} (line {row + 1}), column '{column}': "), str(
        caught.value)
    assert expected in str(caught.value)


def test_a_site_serving_several_las_needs_the_la_column(tmp_path: Path) -> None:
    mapping = RETURN.replace(", la_column: la_code", "")
    with pytest.raises(SourceDataError, match="serves several local authorities; add an LA code column"):
        _return(tmp_path, mapping=mapping)


def test_a_blank_measure_makes_its_totals_not_computed(tmp_path: Path) -> None:
    frame = _return(tmp_path, RETURN_ROWS.replace("South Site,,Nurse,2025-04,30,20", "South Site,,Nurse,2025-04,30,"))
    total = _cell(frame, "test_completed", "E08000026")
    assert np.isnan(total["count"]) and "1 of the 4 contributing rows" in total["value_note"]
    assert _cell(frame, "test_completed", "E08000026", "Centre")["count"] == 12
