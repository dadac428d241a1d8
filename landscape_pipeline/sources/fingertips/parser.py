"""Read a Fingertips ``all_data`` CSV export into the canonical indicator schema.

The export has 26 or 27 columns (``Time period range`` is the optional 27th); further named
columns that a later release appends are ignored. Column 23 is named after the parent area type
("Compared to Region value or percentiles", "Compared to percentiles", "Column not used", ...), so
it is read by position; every other header is checked by name. Every row is kept, including
England's two copies (blank parent and parent England).

Read through :mod:`landscape_pipeline.tabular` (UTF-8 or Windows-1252; blank and whitespace-only cells
are missing). Plausibility: a period that ends after today (the build date) cannot have been
measured and is refused, naming the row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from landscape_pipeline import schema
from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.provenance import add_provenance, describe_file
from landscape_pipeline.sources.base import SourceInputs
from landscape_pipeline.sources.fingertips import indicators
from landscape_pipeline.sources.fingertips.periods import parse_periods
from landscape_pipeline.tabular import RawTable, parse_floats, read_table

ENGLAND = "E92000001"
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"
#: Internal name of column 23, whose published header varies.
PARENT_COMPARISON = "Compared to parent value or percentiles"
RANGE_COLUMN = "Time period range"
HEADER: tuple[str, ...] = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
    "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
    "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note",
    "Recent Trend", "Compared to England value or percentiles", PARENT_COMPARISON, "Time period Sortable",
    "New data", "Compared to goal",
)
PARENT_COMPARISON_POSITION = 22  # 0-based: column 23
NUMERIC = {
    "Value": "value", "Lower CI 95.0 limit": "lower_ci_95", "Upper CI 95.0 limit": "upper_ci_95",
    "Lower CI 99.8 limit": "lower_ci_99_8", "Upper CI 99.8 limit": "upper_ci_99_8", "Count": "count",
    "Denominator": "denominator",
}
TEXT = {
    "Indicator Name": "indicator_name", "Area Code": "area_code", "Area Name": "area_name",
    "Area Type": "area_type", "Sex": "sex", "Age": "age", "Category Type": "category_type",
    "Category": "category", "Time period": "period_label", "Value note": "value_note",
    "Recent Trend": "recent_trend", "Compared to England value or percentiles": "comparison",
}
REQUIRED = ("Indicator ID", "Area Code", "Sex", "Age", "Time period")
#: Canonical column -> Fingertips header, for validation messages.
COLUMN_LABELS: dict[str, str] = {
    **{v: k for k, v in NUMERIC.items()}, **{v: k for k, v in TEXT.items()},
    "indicator_id": "Indicator ID", "region_code": "Parent Code", "period_start": "Time period",
    "period_end": "Time period", "region_comparison": "Compared to <parent> value or percentiles (column 23)",
}
_REGION = re.compile(r"^E12\d{6}$")


_FILE = "_file"  # position of a row's file among those parsed together (a key of every per-file step)
_PARENT = ("Parent Code", PARENT_COMPARISON)


def read_fingertips_csv(path: Path | str, *, today: date | None = None) -> pd.DataFrame:
    """Return the canonical frame of one Fingertips export, one row per data row of the file."""
    return _finish([Path(path)], [_file_rows(Path(path), today)])[0]


def parse_files(paths: Sequence[Path], inputs: SourceInputs | None = None) -> pd.DataFrame:
    """Return the canonical frame of several Fingertips exports, concatenated in the given order.

    A file that yields no rows (header only, or cut short) is refused in a sentence naming it.
    """
    frames = _finish(paths, [_file_rows(Path(p)) for p in paths]) if paths else []
    for path, frame in zip(paths, frames, strict=True):
        if frame.empty:
            raise SourceDataError(path, "has a header but no data rows; it is empty or was cut short. Download it "
                                        "again from Fingertips.")
    return schema.conform(pd.concat(frames, ignore_index=True)) if frames else schema.empty_frame()


def _file_rows(path: Path, today: date | None = None) -> pd.DataFrame:
    """Return one export's checked rows before the steps that compare rows (with its parent columns)."""
    table = _read_raw(path)
    raw = table.frame
    for name in REQUIRED:
        table.fail_first(raw[name].isna().to_numpy(), name, "is blank; every Fingertips row names its indicator, "
                         "area, sex, age and period. Re-download the file.")
    ids = raw["Indicator ID"]
    table.fail_first((~ids.str.fullmatch(r"\d+")).to_numpy(), "Indicator ID",
                     "{value!r} is not a Fingertips indicator id (a whole number).")
    out = pd.DataFrame({canonical: raw[name] for name, canonical in TEXT.items()})
    pairs = pd.DataFrame({"id": ids, "name": raw["Indicator Name"].fillna("")})
    stable = {(i, n): indicators.canonical_id_for(i, n) for i, n in pairs.drop_duplicates().itertuples(index=False)}
    canonical = [stable[key] for key in pairs.itertuples(index=False, name=None)]
    out.insert(0, "indicator_id", pd.Series(canonical, index=out.index, dtype="str"))
    for name, canonical in NUMERIC.items():
        out[canonical] = _numbers(table, name)
    out["period_start"], out["period_end"] = _periods(table)
    build_day = pd.Timestamp(today or date.today())
    table.fail_first((pd.to_datetime(out["period_end"]) > build_day).to_numpy(), "Time period",
                     f"the period {{value!r}} ends after today ({build_day.date().isoformat()}); a published value "
                     "cannot describe the future. Check the file against Fingertips.")
    out = out.reset_index(drop=True)
    for name in _PARENT:  # by position: a blank line in the file leaves a gap in raw's labels, not in out's
        out[name] = raw[name].to_numpy()
    out["source_row"] = raw.index.to_numpy() + 1
    return out


def _finish(paths: Sequence[Path], files: Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    """Return each file's canonical frame: the steps that compare rows run once over all files, file by file."""
    out = pd.concat([f.assign(**{_FILE: i}) for i, f in enumerate(files)], ignore_index=True)
    out["source_id"] = "fingertips"
    _comparators(out)
    _catalogue(out)
    note = out["value_note"].fillna("")
    out["suppressed"] = out["value"].isna() & note.str.contains("suppressed for disclosure control", case=False)
    out["is_latest"] = _latest(out)
    out["geography_method"] = "direct"
    position = out.pop(_FILE).to_numpy()
    out = out.drop(columns=list(_PARENT))
    return [schema.conform(add_provenance(out[position == i].reset_index(drop=True), describe_file(path)))
            for i, path in enumerate(paths)]


def _read_raw(path: Path) -> RawTable:
    """Return the data rows (blank -> NA) under :data:`HEADER` names (+ range), as a :class:`RawTable`."""
    table = read_table(path, missing=())
    table.frame.columns = check_header(path, list(table.frame.columns))
    return table


def check_header(path: Path | str, header: Sequence[str]) -> list[str]:
    """Return the internal column names for a Fingertips header, or raise :class:`SourceDataError`."""
    header = [h.strip() for h in header]
    for position, expected in enumerate(HEADER):
        if position == PARENT_COMPARISON_POSITION:
            continue
        got = header[position] if position < len(header) else None
        if got == expected:
            continue
        if expected not in header and (got is None or got in HEADER or got == RANGE_COLUMN):
            raise SourceDataError(path, f"the Fingertips column '{expected}' (column {position + 1}) is missing. "
                                  "Use the unedited CSV from the Fingertips API or website.", column=expected)
        raise SourceDataError(path, f"column {position + 1} is '{got}' where Fingertips writes '{expected}'. "
                              "Use the unedited CSV from the Fingertips API or website.", column=got)
    known = list(HEADER) + ([RANGE_COLUMN] if len(header) > len(HEADER) and header[len(HEADER)] == RANGE_COLUMN
                            else [])
    extra = header[len(known):]
    for name in extra:
        repeated = re.sub(r"\.\d+$", "", name)  # the reader names a repeated header 'Value.1'
        if not name or name in known or name == RANGE_COLUMN or repeated in known or repeated == RANGE_COLUMN:
            where = f"'{name}'" if name else "a column without a header"
            raise SourceDataError(path, f"after the Fingertips columns comes {where}; only '{RANGE_COLUMN}' (once) "
                                  "and further named columns may follow 'Compared to goal'.", column=name or None)
    return known + extra


def _numbers(table: RawTable, name: str) -> pd.Series:
    """Return a numeric column; blanks become NaN and anything else non-numeric raises naming the cell."""
    text = table.frame[name]
    numbers = parse_floats(text)
    table.fail_first((text.notna() & ~np.isfinite(numbers)).to_numpy(), name,
                     "{value!r} is not a number. Fingertips leaves missing values blank; correct or blank the cell, "
                     "or re-download the file.")
    return numbers


def _periods(table: RawTable) -> tuple[pd.Series, pd.Series]:
    """Return period start and end dates from the labels, falling back on the sortable anchor and range."""
    raw = table.frame
    span = raw[RANGE_COLUMN] if RANGE_COLUMN in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
    start, end = parse_periods(raw["Time period"], raw["Time period Sortable"], span)
    label_year = raw["Time period"].str.extract(r"^(\d{4})", expand=False)
    sortable_year = raw["Time period Sortable"].str.extract(r"^(\d{4})\d{4}$", expand=False)
    clash = label_year.notna() & sortable_year.notna() & label_year.ne(sortable_year)
    table.fail_first(clash.to_numpy(), "Time period Sortable",
                     "'Time period Sortable' {value} does not start with the year of the time period. "
                     "Re-download the file.")
    table.fail_first((start.isna() | end.isna()).to_numpy(), "Time period",
                     "the time period {value!r} is not a Fingertips period (e.g. '2022', '2022/23', '2021 - 23') and "
                     "'Time period Sortable' is blank.")
    return start, end


def _comparators(out: pd.DataFrame) -> None:
    """Fill comparator, region and region-comparison columns from the parent columns (in place)."""
    out["comparator_code"] = np.where(out["comparison"].notna(), ENGLAND, None)
    parent = out["Parent Code"].fillna("")
    in_region = parent.str.match(_REGION)
    out["region_code"] = parent.where(in_region)
    out["region_comparison"] = out[PARENT_COMPARISON].where(in_region)
    keys = [_FILE, "indicator_id", "period_label", "sex", "age"]
    overall = out["category_type"].isna()
    england = out.loc[out["area_code"].eq(ENGLAND) & overall, [*keys, "value"]].drop_duplicates(keys)
    out["comparator_value"] = out[keys].merge(england, on=keys, how="left")["value"].to_numpy()
    out.loc[out["comparator_code"].isna() | out["area_code"].eq(ENGLAND), "comparator_value"] = np.nan
    regions = out.loc[out["area_code"].str.match(_REGION) & overall, [*keys, "area_code", "value"]]
    regions = regions.rename(columns={"area_code": "region_code"}).drop_duplicates([*keys, "region_code"])
    probe = out[[*keys, "region_code", "category_type"]]
    found = probe.merge(regions, on=[*keys, "region_code"], how="left")["value"].to_numpy()
    out["region_value"] = np.where(probe["category_type"].isna(), found, np.nan)


def _catalogue(out: pd.DataFrame) -> None:
    """Fill value_type, unit and polarity from the catalogue (by id, else by name); infer the rest (in place)."""
    key = out["indicator_id"] + "|" + out["indicator_name"].fillna("")
    entries = {k: indicators.BY_CANONICAL_ID.get(k.split("|", 1)[0]) or indicators.match_name(k.split("|", 1)[1])
               for k in key.unique()}
    for column, default in (("value_type", "other"), ("unit", None), ("polarity", None)):
        out[column] = key.map({k: getattr(e, column) if e else default for k, e in entries.items()})
    unknown = out["polarity"].isna()
    for file in out.loc[unknown, _FILE].unique():  # inferred from each file's own rows
        rows = unknown & out[_FILE].eq(file)
        out.loc[rows, "polarity"] = out.loc[rows, "indicator_id"].map(_infer_polarity(out.loc[rows]))


def _infer_polarity(frame: pd.DataFrame) -> pd.Series:
    """Return a polarity per uncatalogued indicator, read from the publisher's comparison labels.

    Higher/Lower labels mean no judgement; Better/Worse labels with the value above or below England
    tell high-is-good from low-is-good; anything else is "Not applicable".
    """
    labels = frame["comparison"].fillna("")
    side = np.sign(frame["value"] - frame["comparator_value"]).fillna(0)
    vote = np.where(labels.eq("Better"), side, np.where(labels.eq("Worse"), -side, 0))
    work = pd.DataFrame({"id": frame["indicator_id"], "bob": labels.isin(["Higher", "Lower"]), "vote": vote})
    grouped = work.groupby("id")
    bob, vote = grouped["bob"].any(), grouped["vote"].sum()
    rag = np.where(vote > 0, "High is good", np.where(vote < 0, "Low is good", "Not applicable"))
    return pd.Series(np.where(bob, "No judgement", rag), index=bob.index)


def _latest(out: pd.DataFrame) -> pd.Series:
    """Return True on rows holding the most recent period of their indicator x area x breakdown series."""
    series = [_FILE, "indicator_id", "area_code", "sex", "age", "category_type", "category"]
    keys = out[series].fillna("")
    latest = out[["period_end"]].join(keys).groupby(series)["period_end"].transform("max")
    return out["period_end"].eq(latest)
