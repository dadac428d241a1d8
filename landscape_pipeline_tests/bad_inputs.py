"""Bad inputs generated from the real bundled files: a base per source and mutations of one target file.

A :class:`Mutation` rewrites the target file in place (through its container: ``.csv``, ``.csv.gz``, a
``.zip`` holding one CSV, keeping its encoding and line endings, or one sheet of an ``.xlsx`` workbook)
and returns the :class:`Fault` it made: the file, and for a cell fault the 1-based data row and the
publisher's column that a refusal must name. The corpus table of (source, mutation, expect) is in
``test_bad_input_corpus.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from landscape_pipeline import paths
from landscape_pipeline_tests.workbooks import write_xlsx


@dataclass(frozen=True)
class Fault:
    """What a mutation broke: the file, and (for a cell fault) the data row and column to be named."""

    file: str
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Mutation:
    """A named rewrite of one file."""

    name: str
    apply: Callable[[Path], Fault]


# --------------------------------------------------------------------------- bases: real files, made small
def _bundled(source: str, *names: str) -> Callable[[Path], list[Path]]:
    def build(folder: Path) -> list[Path]:
        source_dir = paths.data_sources_dir() / source
        chosen = [source_dir / n for n in names] if names else sorted(
            p for p in source_dir.glob("*") if p.is_file() and p.name != "provenance.json")
        return [Path(shutil.copy2(p, folder / p.name)) for p in chosen]
    return build


def _ons_small(folder: Path) -> list[Path]:
    """The bundled ONS MYEB1 time-series zip cut to a few areas (all ages and sexes), still one CSV in a zip."""
    source = paths.data_sources_dir() / "ons_population" / "ukdetailedtimeseries_synthetic.zip"
    with zipfile.ZipFile(source) as archive:
        member = archive.namelist()[0]
        lines = archive.read(member).decode("utf-8-sig").splitlines(keepends=True)
    keep = {"E06000001", "E08000026", "E07000026", "E10000006", "S12000036", "W06000015"}
    text = lines[0] + "".join(line for line in lines[1:] if line.split(",", 1)[0] in keep)
    target = folder / source.name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return [target]


def _hes_small(folder: Path) -> list[Path]:
    """The 2023/24 episodes among the first 6,000 of the artificial HES sample, still a .csv.gz."""
    source = paths.data_sources_dir() / "hes" / "artificial_hes_apc_sample.csv.gz"
    lines = gzip.decompress(source.read_bytes()).decode("utf-8").splitlines(keepends=True)
    target = folder / source.name
    target.write_bytes(gzip.compress((lines[0] + "".join(x for x in lines[1:6001] if x.startswith("2324,")))
                                     .encode("utf-8")))
    return [target]


def _with_site_register(build: Callable[[Path], list[Path]]) -> Callable[[Path], list[Path]]:
    """A mapped extract at site level also needs the site register, found in a folder above its mapping."""
    def with_register(folder: Path) -> list[Path]:
        shutil.copy2(paths.data_sources_dir() / "sites.yaml", folder / "sites.yaml")
        return build(folder)
    return with_register


def _cqc_csv(folder: Path) -> list[Path]:
    """The newest bundled CQC snapshot's data sheet saved as CSV (a layout the reader accepts), placed by postcode."""
    from landscape_pipeline.tabular import read_table

    source = paths.data_sources_dir() / "cqc" / "01_November_2026_HSCA_Active_Locations.ods"
    frame = read_table(source, sheet="HSCA_Active_Locations").frame
    target = folder / "01_November_2026_HSCA_Active_Locations.csv"
    frame.to_csv(target, index=False, lineterminator="\n")
    return [target]


IMD_FILE = "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
#: The sheet a mutation rewrites in a workbook (default: its first sheet with rows).
WORKBOOK_SHEETS = {IMD_FILE: "IMD"}


@dataclass(frozen=True)
class Base:
    """The files a source's variants start from, and which of them is mutated."""

    build: Callable[[Path], list[Path]]
    target: str


BASES: dict[str, Base] = {
    "fingertips": Base(_bundled("fingertips", "fingertips_40501_counties_uas_502.csv"),
                       "fingertips_40501_counties_uas_502.csv"),
    "phs": Base(_bundled("phs", "opendata_mort1923_ca.csv"), "opendata_mort1923_ca.csv"),
    "ons_population": Base(_ons_small, "ukdetailedtimeseries_synthetic.zip"),
    "imd": Base(_bundled("imd", IMD_FILE), IMD_FILE),
    "qof_prevalence": Base(_bundled("qof_prevalence"), "fingertips_276_cancer_qof_prevalence_gp.csv"),
    "cpes": Base(_bundled("cpes", "cpes_2023_data_tables.csv"), "cpes_2023_data_tables.csv"),
    "hes": Base(_hes_small, "artificial_hes_apc_sample.csv.gz"),
    "scotpho": Base(_bundled("scotpho"), "scotpho_data_council_areas_excerpt.csv"),
    "simd": Base(_bundled("simd"), "simd2020v2_22062020_reconstructed.csv"),
    "phs_end_of_life": Base(_bundled("phs_end_of_life"), "2024-10-08_last-six-months-of-life_council-area.csv"),
    "ascof": Base(_bundled("ascof", "ascof-2024-25.csv"), "ascof-2024-25.csv"),
    "cqc": Base(_cqc_csv, "01_November_2026_HSCA_Active_Locations.csv"),
    "cqc_la_assessment": Base(_bundled("cqc_la_assessment", "cqc_la_assessments_compiled_2025-10-03.csv"),
                              "cqc_la_assessments_compiled_2025-10-03.csv"),
    "gpps": Base(_bundled("gpps", "GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv"),
                 "GPPS_2025_Practice_data_(weighted)_(csv)_PUBLIC.csv"),
    # mapped local extracts: the data file beside its mapping.yaml
    "jsna_west_sussex_screening": Base(_bundled("jsna/west_sussex_screening"), "jsna_cancer_screening_extract.csv"),
    "jsna_monitoring_returns": Base(_with_site_register(_bundled("jsna/monitoring_returns")), "monitoring_return.csv"),
    "jsna_trafford_breast_cancer_wards": Base(_bundled("jsna/trafford_breast_cancer_wards"),
                                              "trafford_ward_breast_cancer.csv"),
    "jsna_greater_manchester_registrations": Base(_bundled("jsna/greater_manchester_registrations"),
                                                  "cancer_registrations_gm.xlsx"),
    "jsna_lived_experience_survey_2025": Base(_bundled("jsna/lived_experience_survey_2025"),
                                              "lived_experience_survey_2025.csv"),
    # HACE enters through a mapping too: its workbook beside mapping.yaml
    "hace_2023_24": Base(_bundled("hace/2023_24"), "hace_2023_24_results_for_sg.xlsx"),
}


# --------------------------------------------------------------------------- reading and writing through containers
@dataclass
class Text:
    """A file's CSV text and how to write text back the same way (container, encoding, BOM, newline)."""

    path: Path
    text: str
    encoding: str
    bom: bool
    member: str | None
    sheets: dict[str, list[list[object]]] | None = None  # a workbook's sheets; the target's text is ``text``
    sheet: str | None = None

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text[:10_000] else "\n"

    def rows(self) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.text)))

    def write_rows(self, rows: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=self.newline).writerows(rows)
        self.write(buffer.getvalue())

    def write(self, text: str, encoding: str | None = None) -> None:
        body = (("\ufeff" if self.bom else "") + text).encode(encoding or self.encoding)
        self.write_bytes(body)

    def write_bytes(self, body: bytes) -> None:
        if self.sheets is not None:
            rows = list(csv.reader(io.StringIO(body.decode(self.encoding).lstrip("\ufeff"))))
            write_xlsx(self.path, {**self.sheets, self.sheet: [[_cell_value(c) for c in r] for r in rows]})
        elif self.path.suffix == ".gz":
            self.path.write_bytes(gzip.compress(body))
        elif self.member is not None:
            with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(self.member, body)
        else:
            self.path.write_bytes(body)


_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _cell_value(text: str) -> object:
    """A workbook cell from CSV text: numbers as numbers (as Excel stores them), anything else as text."""
    if not _NUMBER.fullmatch(text):
        return text
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return "" if value is None else str(value)


def _read_workbook(path: Path) -> Text:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    sheet = WORKBOOK_SHEETS.get(path.name) or next(n for n, rows in sheets.items() if rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[_cell_text(c) for c in r] for r in sheets[sheet]])
    return Text(path, buffer.getvalue(), "utf-8", False, None, sheets, sheet)


def read_text(path: Path) -> Text:
    member = None
    if path.suffix == ".xlsx":
        return _read_workbook(path)
    if path.suffix == ".gz":
        raw = gzip.decompress(path.read_bytes())
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            member = archive.namelist()[0]
            raw = archive.read(member)
    else:
        raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        return Text(path, raw.decode("utf-8-sig"), "utf-8", bom, member)
    except UnicodeDecodeError:
        return Text(path, raw.decode("cp1252"), "cp1252", False, member)


def _column(rows: list[list[str]], name: str) -> int:
    return [h.strip() for h in rows[0]].index(name)


def _pick(rows: list[list[str]], where: Callable[[list[str]], bool] | None) -> int:
    """Return the index (= 1-based data row) of the first data row matching ``where`` (default: row 3)."""
    if where is None:
        return 3
    return next(i for i, row in enumerate(rows) if i > 0 and where(row))


# --------------------------------------------------------------------------- whole-file faults
def header_only() -> Mutation:
    def apply(path: Path) -> Fault:
        text = read_text(path)
        text.write(text.text.splitlines(keepends=True)[0])
        return Fault(path.name)
    return Mutation("header_only", apply)


def truncated_mid_row() -> Mutation:
    """Cut the file part-way through a row about half-way down (a download that stopped)."""
    def apply(path: Path) -> Fault:
        text = read_text(path)
        lines = text.text.splitlines(keepends=True)
        middle = len(lines) // 2
        line = lines[middle]
        cut = line.index(",", len(line) // 3) + 1
        text.write("".join(lines[:middle]) + line[:cut])
        return Fault(path.name)
    return Mutation("truncated_mid_row", apply)


def ragged_row() -> Mutation:
    """Give one row about half-way down one field too many (an unquoted comma inside a cell)."""
    def apply(path: Path) -> Fault:
        text = read_text(path)
        lines = text.text.splitlines(keepends=True)
        middle = len(lines) // 2
        body = lines[middle].rstrip("\r\n")
        lines[middle] = body + ",stray" + lines[middle][len(body):]
        text.write("".join(lines))
        return Fault(path.name)
    return Mutation("ragged_row", apply)


def replaced_by(name: str, body: bytes) -> Mutation:
    """Replace the file (container and all) by ``body``: an error page, nothing at all, ..."""
    def apply(path: Path) -> Fault:
        path.write_bytes(body)
        return Fault(path.name)
    return Mutation(name, apply)


HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n"


def reencoded(name: str, encoding: str) -> Mutation:
    def apply(path: Path) -> Fault:
        text = read_text(path)
        text.bom = False
        text.write(text.text, encoding=encoding)
        return Fault(path.name)
    return Mutation(name, apply)


def container_cut() -> Mutation:
    """Keep the first half of a zip's or gzip's bytes (a corrupt archive)."""
    def apply(path: Path) -> Fault:
        body = path.read_bytes()
        path.write_bytes(body[: len(body) // 2])
        return Fault(path.name)
    return Mutation("corrupt_archive", apply)


def not_an_archive() -> Mutation:
    """Put the plain CSV text where a zip or gzip belongs (a file saved under the wrong name)."""
    def apply(path: Path) -> Fault:
        path.write_bytes(read_text(path).text.encode("utf-8"))
        return Fault(path.name)
    return Mutation("plain_text_as_archive", apply)


# --------------------------------------------------------------------------- layout changes
def with_newlines(name: str, newline: str, *, bom: bool | None = None, blank_tail: bool = False) -> Mutation:
    def apply(path: Path) -> Fault:
        text = read_text(path)
        lines = text.text.splitlines()
        if bom is not None:
            text.bom = bom
        text.write(newline.join(lines) + newline + (newline * 3 if blank_tail else ""))
        return Fault(path.name)
    return Mutation(name, apply)


def extra_column(header: str = "Notes", value: str = "revised") -> Mutation:
    def apply(path: Path) -> Fault:
        text = read_text(path)
        rows = text.rows()
        text.write_rows([[*rows[0], header]] + [[*r, value] for r in rows[1:]])
        return Fault(path.name)
    return Mutation("extra_column", apply)


def drop_column(column: str) -> Mutation:
    def apply(path: Path) -> Fault:
        text = read_text(path)
        rows = text.rows()
        index = _column(rows, column)
        text.write_rows([r[:index] + r[index + 1:] for r in rows])
        return Fault(path.name, column=column)
    return Mutation(f"missing_column_{column}", apply)


def add_column_copy(source_column: str, new_column: str) -> Mutation:
    """Add ``new_column`` holding ``source_column``'s values (e.g. a population column for a future year)."""
    def apply(path: Path) -> Fault:
        text = read_text(path)
        rows = text.rows()
        index = _column(rows, source_column)
        text.write_rows([[*rows[0], new_column]] + [[*r, r[index]] for r in rows[1:]])
        return Fault(path.name, column=new_column)
    return Mutation(f"column_{new_column}", apply)


# --------------------------------------------------------------------------- cell faults
def set_cell(name: str, column: str, value: str, where: Callable[[list[str]], bool] | None = None) -> Mutation:
    """Write ``value`` into ``column`` of one data row (the first matching ``where``)."""
    def apply(path: Path) -> Fault:
        text = read_text(path)
        rows = text.rows()
        index, row = _column(rows, column), _pick(rows, where)
        rows[row][index] = value
        text.write_rows(rows)
        return Fault(path.name, row=row, column=column)
    return Mutation(name, apply)


def duplicate_row(name: str, column: str | None = None, value: str | None = None,
                  where: Callable[[list[str]], bool] | None = None) -> Mutation:
    """Repeat one data row right after itself; with ``column``, the copy says ``value`` there (a conflict)."""
    def apply(path: Path) -> Fault:
        text = read_text(path)
        rows = text.rows()
        row = _pick(rows, where)
        copy = list(rows[row])
        if column is not None:
            copy[_column(rows, column)] = value
        text.write_rows([*rows[: row + 1], copy, *rows[row + 1:]])
        return Fault(path.name, row=row + 1)  # the key columns, not the changed one, are what clash
    return Mutation(name, apply)
