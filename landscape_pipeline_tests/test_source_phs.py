"""Tests of the Public Health Scotland source: parsers, attribution, validation, samples and the CKAN loader."""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
import responses

from landscape_pipeline import geography, schema
from landscape_pipeline.cli.validate import run_validate
from landscape_pipeline.errors import FetchError, SourceDataError
from landscape_pipeline.http import HttpFetcher
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.phs import SOURCE, read_phs_incidence_hb_csv, read_phs_mortality_ca_csv, sample
from landscape_pipeline.sources.phs.common import QUALIFIERS, read_qualifier_lookup
from landscape_pipeline.sources.phs.loader import DATASTORE_SEARCH, RESOURCES, fetch_live, fetch_resource
from landscape_pipeline.stats import ESP2013, dsr, poisson_limits
from landscape_pipeline.validation.runner import validate_frame

BUNDLED = data_sources_dir() / "phs"
MORTALITY = BUNDLED / sample.MORTALITY_FILE
SAMPLES = Path(tempfile.mkdtemp(prefix="phs_incidence_samples_"))  # synthetic incidence in PHS's layout
INCIDENCE, SCOTLAND_INCIDENCE = sample.write_incidence_samples(SAMPLES)
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference_data" / "phs_cancer_incidence"
REAL_5_YEAR = REFERENCE / "opendata_inc1620comb_hb_5_year_summary.csv"
REAL_5_YEAR_2021 = REFERENCE / "incidence_5yr_comb_hb_2017-2021.csv"
REAL_SCOTLAND = REFERENCE / "opendata_inc9721_scotland.csv"
REAL_QUALIFIERS = REFERENCE / "statisticalqualifiers24052019.csv"
TAYSIDE, DUNDEE = "S08000030", "S12000042"


def _reference(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"real PHS file {path} is absent (../shared/reference_data not mounted)")
    return path


def _raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return SOURCE.parse(SOURCE.bundled_files(data_sources_dir()), None)


@pytest.fixture(scope="module")
def mortality() -> pd.DataFrame:
    return read_phs_mortality_ca_csv(MORTALITY)


@pytest.fixture(scope="module")
def real_incidence() -> pd.DataFrame:
    return read_phs_incidence_hb_csv(_reference(REAL_5_YEAR))


# --- mortality by council area -------------------------------------------------------------------------------

def test_mortality_covers_every_council_area_and_scotland(bundled):
    easr = bundled[bundled["indicator_id"] == "phs_cancer_mortality_easr"]
    council_areas = {la.area_code for la in geography.current_local_authorities() if la.area_code.startswith("S12")}
    assert set(easr["area_code"]) == council_areas | {geography.SCOTLAND}
    assert set(easr["period_label"]) == {"2019", "2020", "2021", "2022", "2023"}
    dundee = easr[(easr["area_code"] == DUNDEE) & (easr["category"] == "All cancer types")]
    assert set(dundee["sex"]) == {"Persons", "Male", "Female"} and dundee["value"].notna().all()
    assert (easr["geography_method"] == "direct").all()


def test_mortality_easr_limits_are_dobson_from_the_age_bands(mortality):
    rows = mortality
    raw = _raw(MORTALITY)
    line = raw.index[(raw["CA"] == DUNDEE) & (raw["CancerSite"] == "All cancer types") & (raw["Sex"] == "All")
                     & (raw["Year"] == "2023")][0]
    deaths = raw.filter(regex="^DeathsAge(?!AllAges)").iloc[line].astype(float).to_numpy()
    rates = raw.filter(regex="^MortalityRateAge").iloc[line].astype(float).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        populations = np.where(deaths > 0, deaths / rates * 1e5, 1.0)
    expected = dsr(deaths, populations)
    got = rows[(rows["indicator_id"] == "phs_cancer_mortality_easr") & (rows["source_row"] == line + 1)].iloc[0]
    assert got["value"] == pytest.approx(float(raw.loc[line, "EASR"]))
    assert got["value"] == pytest.approx(expected.value, rel=1e-6)  # the published EASR is the 2013 ESP DSR
    assert (got["lower_ci_95"], got["upper_ci_95"]) == pytest.approx((expected.lower, expected.upper), rel=1e-6)
    assert got["lower_ci_99_8"] < got["lower_ci_95"] < got["value"] < got["upper_ci_95"] < got["upper_ci_99_8"]
    assert got["area_name"] == "Dundee City" and got["sex"] == "Persons" and got["polarity"] == "Low is good"


def test_under_75_rate_uses_the_bands_below_75(mortality):
    rows = mortality
    raw = _raw(MORTALITY)
    rates = raw.filter(regex="^MortalityRateAge").iloc[0].astype(float).to_numpy()[:15]
    weights = np.array(ESP2013[:15], dtype=float)
    got = rows[(rows["indicator_id"] == "phs_cancer_mortality_under75_easr") & (rows["source_row"] == 1)].iloc[0]
    assert got["age"] == "<75 yrs"
    assert got["value"] == pytest.approx(rates @ weights / weights.sum(), rel=1e-6)
    few = rows[(rows["indicator_id"] == "phs_cancer_mortality_under75_easr") & (rows["count"] < 10)]
    assert len(few) and few["value"].isna().all() and few["value_note"].str.contains("count < 10").all()


def test_mortality_without_age_bands_scales_byar_limits_to_the_easr(tmp_path):
    raw = _raw(MORTALITY)
    path = tmp_path / "opendata_mort_ca.csv"
    raw.drop(columns=raw.filter(regex="^(DeathsAge(?!AllAges)|MortalityRateAge)").columns).to_csv(path, index=False)
    rows = read_phs_mortality_ca_csv(path)
    assert "phs_cancer_mortality_under75_easr" not in set(rows["indicator_id"])
    easr = rows[(rows["indicator_id"] == "phs_cancer_mortality_easr") & (rows["count"] >= 10)]
    low, up = poisson_limits(easr["count"].to_numpy(), 0.95)
    assert easr["lower_ci_95"].to_numpy() == pytest.approx(easr["value"].to_numpy() * low / easr["count"].to_numpy())
    assert easr["upper_ci_95"].to_numpy() == pytest.approx(easr["value"].to_numpy() * up / easr["count"].to_numpy())
    small = rows[(rows["indicator_id"] == "phs_cancer_mortality_easr") & (rows["count"] < 10)]
    assert small["lower_ci_95"].isna().all() and small["value"].notna().all()


def test_scotland_mortality_file_is_read_and_not_doubled(tmp_path, bundled):
    raw = _raw(MORTALITY)
    scotland = raw[raw["CA"] == geography.SCOTLAND].drop(columns="CAQF").rename(columns={"CA": "Country"})
    path = tmp_path / "opendata_mort_scotland.csv"
    scotland.to_csv(path, index=False)
    alone = read_phs_mortality_ca_csv(path)
    assert set(alone["area_type"]) == {"Country"} and alone["comparator_code"].isna().all()
    combined = SOURCE.parse([MORTALITY, path], None)
    assert not combined.duplicated(list(schema.KEY_COLUMNS)).any()
    national = combined[combined["area_code"] == geography.SCOTLAND]
    assert set(national["source_file"]) == {path.name}
    assert len(combined) == len(bundled[bundled["indicator_id"].str.startswith("phs_cancer_mortality")])


# --- incidence by health board ------------------------------------------------------------------------------

def test_annual_incidence_has_every_board_archived_codes_mapped_and_scotland():
    raw = _raw(INCIDENCE)
    assert {"S08000021", "S08000023"} <= set(raw["HB"])  # 2018 rows use the codes then in use
    frame = SOURCE.parse([INCIDENCE, SCOTLAND_INCIDENCE], None)
    easr = frame[(frame["indicator_id"] == "phs_cancer_incidence_easr") & (frame["geography_method"] == "direct")]
    boards = set(geography.areas().query("area_type == 'health_board'")["area_code"])
    assert set(easr["area_code"]) == boards | {geography.SCOTLAND}
    glasgow_2018 = easr[(easr["area_code"] == "S08000031") & (easr["period_label"] == "2018")]
    assert len(glasgow_2018) == 13 and set(glasgow_2018["area_name"]) == {"NHS Greater Glasgow and Clyde"}
    assert set(easr["period_label"]) == {"2018", "2019", "2020", "2021", "2022"}


def test_every_council_area_in_tayside_gets_the_board_value(bundled):
    rates = bundled[bundled["indicator_id"].isin(["phs_cancer_incidence_easr", "phs_cancer_incidence_crude_rate"])]
    assert set(rates.loc[rates["area_code"] == TAYSIDE, "period_label"]) == {"2016-2020", "2017-2021"}
    key = ["indicator_id", "period_label", "sex", "category"]
    board = rates[rates["area_code"] == TAYSIDE].set_index(key)
    for council_area in geography.council_areas_in_board(TAYSIDE):
        attributed = rates[rates["area_code"] == council_area].set_index(key).loc[board.index]
        assert (attributed["geography_method"] == "attributed").all()
        np.testing.assert_allclose(attributed["value"], board["value"])
        np.testing.assert_allclose(attributed["upper_ci_95"], board["upper_ci_95"])
        assert attributed["count"].isna().all()  # a board's count is not a council area's count
    note = rates.loc[rates["area_code"] == DUNDEE, "attribution_note"].iloc[0]
    assert note == ("Attributed from NHS Tayside (S08000030): cancer incidence is published by health board, "
                    "not council area")
    counts = bundled[bundled["indicator_id"] == "phs_cancer_incidence_count"]
    assert (counts["geography_method"] == "direct").all() and DUNDEE not in set(counts["area_code"])


def test_real_five_year_summary_keeps_every_row(real_incidence):
    board_rows = real_incidence[real_incidence["geography_method"] == "direct"]
    assert len(board_rows) >= 1632
    for indicator in ("phs_cancer_incidence_easr", "phs_cancer_incidence_crude_rate", "phs_cancer_incidence_count"):
        rows = board_rows[board_rows["indicator_id"] == indicator]
        assert sorted(rows["source_row"]) == list(range(1, 1633))
    assert set(board_rows["period_label"]) == {"2016-2020"}
    assert board_rows["period_start"].min() == pd.Timestamp("2016-01-01")
    assert board_rows["period_end"].max() == pd.Timestamp("2020-12-31")


def test_real_file_qualifiers_and_na_strings(real_incidence):
    raw = _raw(_reference(REAL_5_YEAR))
    easr = real_incidence[(real_incidence["indicator_id"] == "phs_cancer_incidence_easr")
                          & (real_incidence["geography_method"] == "direct")].set_index("source_row")
    z_rows = raw.index[raw["EASRLower95pcConfidenceIntervalQF"] == "z"] + 1
    assert len(z_rows) == 252
    assert easr.loc[z_rows, "lower_ci_95"].isna().all() and easr.loc[z_rows, "value"].notna().all()
    assert easr.loc[z_rows, "value_note"].str.contains("not applicable (PHS qualifier z)", regex=False).all()
    derived = raw.index[raw["SexQF"] == "d"] + 1
    assert (easr.loc[derived, "sex"] == "Persons").all() and (raw.loc[derived - 1, "Sex"] == "All").all()
    assert set(easr["sex"]) == {"Persons", "Male", "Female"} and not easr["suppressed"].any()
    first = easr.loc[1]
    assert (first["value"], first["lower_ci_95"]) == pytest.approx((605.9591233, 595.1663654))


def test_real_island_group_is_kept_and_attributed(real_incidence):
    group = real_incidence[real_incidence["area_code"] == "GR0800001"]
    assert len(group) == 3 * 136 and set(group["area_type"]) == {"Health board group"}
    islands = {"S12000023", "S12000027", "S12000013"}
    attributed = real_incidence[real_incidence["area_code"].isin(islands)]
    assert len(attributed) == 3 * 2 * 136
    assert attributed["attribution_note"].str.contains("GR0800001").all()
    assert set(real_incidence.loc[real_incidence["geography_method"] == "attributed", "area_code"]) == {
        la.area_code for la in geography.current_local_authorities() if la.area_code.startswith("S12")}


def test_confidential_qualifier_suppresses_the_value(tmp_path):
    raw = _raw(INCIDENCE)
    raw.insert(raw.columns.get_loc("EASR") + 1, "EASRQF", "NA")
    raw.loc[0, ["EASR", "EASRQF"]] = ["NA", "c"]
    raw.loc[1, "EASRLower95pcConfidenceIntervalQF"] = "c"
    path = tmp_path / "opendata_inc_hb.csv"
    raw.to_csv(path, index=False)
    easr = read_phs_incidence_hb_csv(path)
    easr = easr[(easr["indicator_id"] == "phs_cancer_incidence_easr") & (easr["geography_method"] == "direct")]
    first, second = easr.set_index("source_row").loc[1], easr.set_index("source_row").loc[2]
    assert first["suppressed"] and np.isnan(first["value"]) and "confidential (PHS qualifier c)" in first["value_note"]
    assert not second["suppressed"] and np.isnan(second["lower_ci_95"]) and second["value"] > 0


def test_qualifier_lookup_is_windows_1252_and_read_with_a_fallback():
    path = _reference(REAL_QUALIFIERS)
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    lookup = read_qualifier_lookup(path)
    assert {code: lookup[code] for code in ("d", "z", "c", "p")} == {code: QUALIFIERS[code] for code in "dzcp"}
    assert lookup["\u2020"] == "earliest revision"  # the cp1252 dagger survives


@pytest.mark.parametrize(("column", "bad", "message"), [
    ("EASR", "six hundred", "is not a number"),
    ("SexQF", "q", "is not a PHS statistical qualifier"),
    ("HB", "S12000042", "is not a S08/S92/GR08 code"),
    ("Year", "2019/20", "neither 'YYYY'"),
])
def test_unreadable_cells_name_file_row_and_column(tmp_path, column, bad, message):
    raw = _raw(INCIDENCE)
    raw.loc[4, column] = bad
    path = tmp_path / "broken_inc_hb.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(SourceDataError) as caught:
        read_phs_incidence_hb_csv(path)
    assert str(caught.value).startswith(f"broken_inc_hb.csv, row 5 (line 6), column '{column}'")
    assert message in str(caught.value)


def test_unknown_council_area_code_is_refused(tmp_path):
    raw = _raw(MORTALITY)
    raw.loc[9, "CA"] = "S12999999"
    path = tmp_path / "mort_ca.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(SourceDataError, match=r"mort_ca.csv, row 10 \(line 11\), column 'CA'"):
        read_phs_mortality_ca_csv(path)


def test_parse_dispatches_on_the_header(tmp_path):
    lookup = tmp_path / "statisticalqualifiers.csv"
    lookup.write_bytes("Qualifier,QualifierName,QualifierDefinition\n\u2020,earliest revision,x\n".encode("cp1252"))
    frame = SOURCE.parse([lookup, SCOTLAND_INCIDENCE], None)
    assert set(frame["area_code"]) == {geography.SCOTLAND}
    other = tmp_path / "other.csv"
    other.write_text("HB,CancerSite,DeathsAllAges\nS08000030,Lung,5\n", encoding="utf-8")
    with pytest.raises(SourceDataError, match="mortality by health board"):
        SOURCE.parse([other], None)


# --- validation ----------------------------------------------------------------------------------------------

def test_bundled_data_pass_the_canonical_and_phs_suites(bundled):
    report = validate_frame(bundled, "phs", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    assert report.passed, report.text()
    assert bundled["source_url"].str.startswith("https://www.opendata.nhs.scot").all()
    mortality = bundled["indicator_id"].str.startswith("phs_cancer_mortality")
    assert bundled.loc[mortality, "synthetic"].all() and not bundled.loc[~mortality, "synthetic"].any()
    assert set(bundled.loc[~mortality, "source_file"]) == set(sample.REAL_FILES)


def test_validation_names_file_row_and_column_on_corrupted_data(tmp_path):
    raw = _raw(SCOTLAND_INCIDENCE)
    raw.loc[6, "EASRLower95pcConfidenceInterval"] = str(float(raw.loc[6, "EASR"]) + 50)
    path = tmp_path / "corrupt_inc_scotland.csv"
    raw.to_csv(path, index=False)
    frame = read_phs_incidence_hb_csv(path)
    frame.loc[frame.index[-1], "area_code"] = "S12999999"
    report = validate_frame(frame, "phs", column_labels=SOURCE.column_labels,
                            extra_expectations=SOURCE.extra_expectations())
    text = report.text()
    assert not report.passed
    lines = text.splitlines()
    assert any(line.strip().startswith("corrupt_inc_scotland.csv, row 7, column '")
               and "EASRLower95pcConfidenceInterval" in line for line in lines), text
    assert any(line.strip().startswith("corrupt_inc_scotland.csv, row 65, column 'CA/HB/Country'")
               and "S12999999" in line for line in lines), text


# --- bundled samples -----------------------------------------------------------------------------------------

def test_sample_generator_rewrites_the_bundled_files(tmp_path):
    for written in sample.main(tmp_path):
        assert written.read_bytes() == (BUNDLED / written.name).read_bytes(), written.name
    assert (tmp_path / "provenance.json").read_bytes() == (BUNDLED / "provenance.json").read_bytes()
    manifest = json.loads((BUNDLED / "provenance.json").read_text(encoding="utf-8"))
    bundled_names = {p.name for p in SOURCE.bundled_files(data_sources_dir())}
    assert set(manifest["files"]) == bundled_names
    for name, entry in manifest["files"].items():
        assert entry["synthetic"] is (name == sample.MORTALITY_FILE)
        url = entry.get("url") or entry["imitates_url"]
        assert url.startswith("https://www.opendata.nhs.scot/dataset/") and entry["licence"]
        if not entry["synthetic"]:  # a real file is bundled unchanged: its sha256 is the one recorded
            assert hashlib.sha256((BUNDLED / name).read_bytes()).hexdigest() == entry["sha256"]


def test_incidence_sample_uses_the_published_59_column_layout():
    header = list(_raw(INCIDENCE).columns)
    assert len(header) == 59
    if REAL_5_YEAR.is_file():
        assert header == list(_raw(REAL_5_YEAR).columns)
    assert sum(p.stat().st_size for p in BUNDLED.iterdir()) < 5_000_000


# --- live loader ---------------------------------------------------------------------------------------------

def _payload(records: list[dict], total: int, fields: list[str]) -> dict:
    return {"success": True, "result": {
        "fields": [{"id": "_id", "type": "int"}] + [{"id": f, "type": "text"} for f in fields],
        "records": records, "total": total, "_links": {"start": "/api/3/action/datastore_search"}}}


@pytest.fixture
def fetcher() -> HttpFetcher:
    return HttpFetcher(timeout_seconds=5, retries=2, backoff_seconds=0)


@responses.activate
def test_loader_pages_through_all_records(tmp_path, fetcher):
    raw = _raw(MORTALITY)
    raw = raw[raw["CA"].isin([DUNDEE, geography.SCOTLAND])].reset_index(drop=True)
    records = [{"_id": i + 1, **row} for i, row in enumerate(raw.to_dict("records"))]
    records = [{k: (None if v == "NA" else v) for k, v in r.items()} for r in records]
    size = 40
    for start in range(0, len(records), size):
        responses.add(responses.GET, DATASTORE_SEARCH, json=_payload(records[start:start + size], len(records),
                                                                      list(raw.columns)))
    saved = fetch_resource(fetcher, RESOURCES[0], tmp_path, page_size=size)
    offsets = [int(c.request.params["offset"]) for c in responses.calls]
    assert offsets == list(range(0, len(records), size)) and len(offsets) > 2
    assert all(c.request.params["resource_id"] == "eebc8f38-7297-4bdc-a417-69ce3e2e6d44" for c in responses.calls)
    assert list(_raw(saved.path).columns) == list(raw.columns) and len(_raw(saved.path)) == len(raw)
    sidecar = json.loads(saved.path.with_name(saved.path.name + ".meta.json").read_text(encoding="utf-8"))
    assert sidecar["sha256"] == saved.sha256 and sidecar["synthetic"] is False
    live = read_phs_mortality_ca_csv(saved.path)
    assert not live["synthetic"].any() and set(live["area_code"]) == {DUNDEE, geography.SCOTLAND}
    assert len(live) == 4 * len(raw)


@responses.activate
def test_loader_reports_an_error_payload_naming_the_resource(tmp_path, fetcher):
    responses.add(responses.GET, DATASTORE_SEARCH, status=404, json={
        "success": False, "error": {"message": "Not found: Resource was not found.", "__type": "Not Found Error"}})
    with pytest.raises(FetchError, match=r"3aef16b7-8af6-4ce0-a90b-8a29d6870014.*Resource was not found"):
        fetch_resource(fetcher, RESOURCES[2], tmp_path)


@responses.activate
def test_loader_retries_server_errors_and_reports_timeouts(tmp_path, fetcher):
    responses.add(responses.GET, DATASTORE_SEARCH, status=503, body="busy")
    responses.add(responses.GET, DATASTORE_SEARCH, json=_payload([{"_id": 1, "Country": "S92000003"}], 1,
                                                                   ["Country"]))
    saved = fetch_resource(fetcher, RESOURCES[1], tmp_path)
    assert saved.path.read_text(encoding="utf-8") == "Country\nS92000003\n" and len(responses.calls) == 2
    responses.replace(responses.GET, DATASTORE_SEARCH, body=requests.exceptions.ReadTimeout("timed out"))
    with pytest.raises(FetchError, match="ba8d7049-ec05-4291-9333-57ca49ce7697"):
        fetch_resource(fetcher, RESOURCES[1], tmp_path)


@responses.activate
def test_fetch_live_reads_every_resource_and_stops_on_a_short_page(tmp_path, fetcher):
    responses.add(responses.GET, DATASTORE_SEARCH, json=_payload([{"_id": 1, "HB": "S08000030"}], 1, ["HB"]))
    paths = fetch_live(fetcher, tmp_path)
    assert len(paths) == len(RESOURCES) == 5 and all(p.is_file() for p in paths)
    called = {c.request.params["resource_id"] for c in responses.calls}
    assert called == {r.resource_id for r in RESOURCES}
    responses.replace(responses.GET, DATASTORE_SEARCH, json=_payload([], 3, ["HB"]))
    with pytest.raises(FetchError, match="stopped after 0 of 3 records"):
        fetch_resource(fetcher, RESOURCES[0], tmp_path)


# --- every real PHS release, through the asset's own path (SOURCE.parse) ---------------------------------------

def _publisher_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", ["opendata_inc1620comb_hb_5_year_summary.csv", "incidence_5yr_comb_hb_2017-2021.csv",
                                  "opendata_inc9721_scotland.csv"])
def test_every_real_release_is_read_whole_and_matches_its_total_rows(reference_data, name):
    path = reference_data / "phs_cancer_incidence" / name
    rows = _publisher_rows(path)
    frame = SOURCE.parse([path], None)
    counts = frame[(frame["indicator_id"] == "phs_cancer_incidence_count")].set_index("source_row")
    assert sorted(counts.index) == list(range(1, len(rows) + 1))  # every published row, none dropped
    sexes = {"All": "Persons", "Male": "Male", "Female": "Female", "Females": "Female"}
    published = pd.DataFrame({"count": [float(r["IncidencesAllAges"]) for r in rows],
                              "sex": [sexes[r["Sex"]] for r in rows], "period_label": [r["Year"] for r in rows]},
                             index=range(1, len(rows) + 1))
    parsed = counts.loc[published.index, ["count", "sex", "period_label"]].astype(object)
    assert (parsed.to_numpy() == published.astype(object).to_numpy()).all()  # each count as published
    # the publisher's "All" rows are totals: the parsed Persons count is Male + Female wherever both exist
    key = ["area_code", "category", "period_label"]
    wide = counts.pivot_table(index=key, columns="sex", values="count")
    both = wide.dropna(subset=["Male", "Female"])
    assert len(both) > 0 and (both["Persons"] == both["Male"] + both["Female"]).all()
    assert not frame["synthetic"].any()


def test_later_releases_bands_to_90_and_females_label(reference_data):
    path = reference_data / "phs_cancer_incidence" / "opendata_inc9721_scotland.csv"
    header = _publisher_rows(path)[0].keys()
    assert {"IncidencesAge85To89", "IncidencesAge90AndOver", "StandardisedIncidenceRatioQF"} <= set(header)
    frame = SOURCE.parse([path], None)
    easr = frame[frame["indicator_id"] == "phs_cancer_incidence_easr"]
    assert set(easr["sex"]) == {"Persons", "Male", "Female"}
    years = sorted(easr["period_label"].unique())
    assert (years[0], years[-1], len(years)) == ("1997", "2021", 25)
    latest = easr[(easr["category"] == "All cancer types") & (easr["sex"] == "Persons") & easr["is_latest"]]
    assert latest["period_label"].tolist() == ["2021"] and latest["recent_trend"].notna().all()


def test_lookups_are_recognised_and_skipped_with_a_message(reference_data, capsys):
    folder = reference_data / "phs_cancer_incidence"
    assert run_validate([folder], "phs") == 0
    out = capsys.readouterr().out
    assert out.startswith("[ok] phs: ")
    for name, what in (("data_dictionary_incidence_hb.csv", "data dictionary"),
                       ("geography_codes_and_labels_hb2014_01042019.csv", "health-board lookup"),
                       ("statisticalqualifiers24052019.csv", "statistical-qualifier lookup")):
        assert f"- {name}: a PHS {what}, not data; skipped." in out
    alone = SOURCE.parse([folder / "data_dictionary_incidence_hb.csv"], None)  # a lookup alone is not an error
    assert alone.empty and alone.attrs["skipped"] == [
        "data_dictionary_incidence_hb.csv: a PHS data dictionary, not data; skipped."]


def _mortality_variant(tmp_path: Path, name: str, edit) -> Path:
    raw = _raw(MORTALITY)
    edit(raw)
    path = tmp_path / name
    raw.to_csv(path, index=False)
    return path


def test_single_space_cells_are_missing_like_na(tmp_path):
    with_na = _mortality_variant(tmp_path, "mort_na.csv", lambda raw: raw.__setitem__("CAQF", raw["CAQF"]))
    text = with_na.read_text(encoding="utf-8")
    spaced = tmp_path / "mort_spaces.csv"
    spaced.write_text(text.replace(",NA,", ", ,").replace(",NA\n", ", \n"), encoding="utf-8")
    assert ", ," in spaced.read_text(encoding="utf-8")
    a, b = read_phs_mortality_ca_csv(with_na), read_phs_mortality_ca_csv(spaced)
    columns = ["indicator_id", "area_code", "sex", "period_label", "category", "value", "lower_ci_95", "count"]
    pd.testing.assert_frame_equal(a[columns].reset_index(drop=True), b[columns].reset_index(drop=True))


def test_all_ages_deaths_must_equal_the_sum_of_the_bands(tmp_path):
    def bump(raw):
        raw.loc[6, "DeathsAllAges"] = str(int(raw.loc[6, "DeathsAllAges"]) + 3)
    path = _mortality_variant(tmp_path, "mort_total.csv", bump)
    with pytest.raises(SourceDataError) as caught:
        read_phs_mortality_ca_csv(path)
    message = str(caught.value)
    assert message.startswith("mort_total.csv, row 7 (line 8), column 'DeathsAllAges': deaths for all ages (")
    assert "is not the sum of the age bands" in message


def test_a_future_year_is_refused(tmp_path):
    path = _mortality_variant(tmp_path, "mort_future.csv", lambda raw: raw.__setitem__(
        "Year", raw["Year"].where(raw.index != 11, "2031")))
    with pytest.raises(SourceDataError, match=r"mort_future.csv, row 12 \(line 13\), column 'Year': the period "
                                              r"'2031' starts after the build date"):
        read_phs_mortality_ca_csv(path)


def test_a_real_file_wins_over_a_synthetic_one_for_the_same_rows(reference_data, tmp_path):
    synthetic = tmp_path / "synthetic"
    synthetic.mkdir()
    _, scotland = sample.write_incidence_samples(synthetic)  # 2018-2022, marked synthetic by its manifest
    (synthetic / "provenance.json").write_text(json.dumps({"synthetic": True, "files": {}}), encoding="utf-8")
    real = reference_data / "phs_cancer_incidence" / "opendata_inc9721_scotland.csv"
    frame = SOURCE.parse([scotland, real], None)
    assert not frame.duplicated(list(schema.KEY_COLUMNS)).any()
    by_year = frame.groupby("period_label")["synthetic"].agg(["all", "any"])
    assert not by_year.loc[[str(y) for y in range(1997, 2022)], "any"].any()  # real years come from the real file
    assert by_year.loc["2022", "all"]  # only the synthetic file has 2022
    assert set(frame.loc[frame["period_label"] == "2019", "source_file"]) == {real.name}
