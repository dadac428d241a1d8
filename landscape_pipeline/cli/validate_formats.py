"""``landscape validate`` reports for machines: JSON, JUnit XML (one suite per source, one case per file)
and GitHub Actions annotations (``::error file=...,line=...::message``).

Every bad cell is a :class:`Problem` naming its file, data row, line (when the reader knows it), column
and what is wrong; problems not tied to one file (a disclosure leak, a derived row) belong to the source.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from landscape_pipeline.errors import SourceDataError
from landscape_pipeline.ingest import IngestResult

FORMATS = ("text", "json", "junit", "github")
#: Bad cells reported per file (the count beyond it is reported too).
CELL_LIMIT = 50


@dataclass
class Problem:
    """One bad cell (or a whole-table problem): where it is and what is wrong."""

    message: str
    kind: str
    file: str | None = None
    row: int | None = None
    line: int | None = None
    column: str | None = None


@dataclass
class FileCase:
    """One file of a source and its problems; ``skipped`` says why it was not checked."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None
    more: int = 0


@dataclass
class SourceOutcome:
    """One source's validation, split by file."""

    source_id: str
    passed: bool
    summary: str
    files: list[FileCase] = field(default_factory=list)
    table: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def outcome_of(result: IngestResult, seconds: float = 0.0) -> SourceOutcome:
    """Return ``result`` split into per-file problems."""
    cases = {Path(f).name: FileCase(Path(f)) for f in result.files}
    outcome = SourceOutcome(result.source_id, result.passed, result.text().splitlines()[0], list(cases.values()),
                            seconds=seconds)
    error = result.error
    if error is not None:
        name = Path(error.path).name if isinstance(error, SourceDataError) else ""
        target = cases.get(name)
        cells = getattr(error, "cells", None) or [{"row": None, "line": None, "column": None, "message": str(error)}]
        problems = [Problem(str(c["message"]), "parse", str(error.path) if target else None, c.get("row"),
                            c.get("line"), c.get("column")) for c in cells]
        if target is None:
            outcome.table += problems
        else:
            target.problems += problems
            target.more = getattr(error, "more_cells", 0)
        for case in cases.values():
            if case is not target:
                case.skipped = f"not checked: the source stopped at {error}"
        return outcome
    for failure in result.report.failures if result.report else []:
        for cell in failure.sample:
            case = cases.get(Path(str(cell["file"])).name)
            row = cell["row"] if isinstance(cell["row"], int) else None
            problem = Problem(f"{failure.description}: {cell['value']}", failure.expectation,
                              str(case.path) if case else None, row, None, str(cell["column"]))
            (case.problems if case else outcome.table).append(problem)
        if not failure.sample:
            outcome.table.append(Problem(failure.description, failure.expectation))
        elif failure.unexpected_count > len(failure.sample):
            outcome.table.append(Problem(f"{failure.description}: {failure.unexpected_count - len(failure.sample)} "
                                         "more row(s) not listed", failure.expectation))
    if not result.leaks.empty:
        outcome.table.append(Problem(f"{len(result.leaks)} published count(s) fall inside the suppressed range of "
                                     f"the '{result.source_id}' disclosure rule.", "disclosure"))
    for case in cases.values():
        case.more += max(0, len(case.problems) - CELL_LIMIT)
        del case.problems[CELL_LIMIT:]
    return outcome


def _where(problem: Problem) -> str:
    parts = [Path(problem.file).name if problem.file else "(table)"]
    if problem.row is not None:
        parts.append(f"row {problem.row}" + (f" (line {problem.line})" if problem.line else ""))
    if problem.column:
        parts.append(f"column '{problem.column}'")
    return ", ".join(parts)


def render_json(outcomes: list[SourceOutcome]) -> str:
    """Return the report as JSON: sources, their files and every problem."""
    data = {"passed": all(o.passed for o in outcomes), "sources": [
        {"source": o.source_id, "passed": o.passed, "summary": o.summary, "seconds": round(o.seconds, 3),
         "files": [{"file": str(c.path), "passed": not c.problems and c.skipped is None, "skipped": c.skipped,
                    "problems": [asdict(p) for p in c.problems], "more_problems": c.more} for c in o.files],
         "table_problems": [asdict(p) for p in o.table]} for o in outcomes]}
    return json.dumps(data, indent=2, default=str)


def render_junit(outcomes: list[SourceOutcome]) -> str:
    """Return JUnit XML: one testsuite per source, one testcase per file (plus one for the whole table)."""
    suites = ET.Element("testsuites", name="landscape validate")
    for o in outcomes:
        cases = [(str(c.path), c.problems, c.skipped, c.more) for c in o.files]
        cases.append((f"{o.source_id} (table)", o.table, None, 0))
        failures = sum(1 for _n, problems, _s, _m in cases if problems)
        skipped = sum(1 for _n, _p, s, _m in cases if s)
        suite = ET.SubElement(suites, "testsuite", name=o.source_id, tests=str(len(cases)), failures=str(failures),
                              errors="0", skipped=str(skipped), time=f"{o.seconds:.3f}")
        for name, problems, skip, more in cases:
            case = ET.SubElement(suite, "testcase", classname=f"validate.{o.source_id}", name=name)
            if skip:
                ET.SubElement(case, "skipped", message=skip)
            elif problems:
                lines = [f"{_where(p)}: {p.message}" for p in problems]
                if more:
                    lines.append(f"... and {more} more")
                failure = ET.SubElement(case, "failure", message=f"{len(problems) + more} bad cell(s); "
                                                                 f"first: {lines[0]}", type="validation")
                failure.text = "\n".join(lines)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def github_annotations(outcomes: list[SourceOutcome]) -> list[str]:
    """Return one ``::error`` workflow command per problem (file and line where known)."""
    out = []
    for o in outcomes:
        for problem in [p for c in o.files for p in c.problems] + o.table:
            props = []
            if problem.file:
                props.append(f"file={_escape(_relative(problem.file), prop=True)}")
                if problem.line:
                    props.append(f"line={problem.line}")
            props.append(f"title={_escape(f'{o.source_id}: {problem.kind}', prop=True)}")
            out.append(f"::error {','.join(props)}::{_escape(_where(problem) + ': ' + problem.message)}")
    return out


def annotations_wanted(fmt: str) -> bool:
    """True when GitHub annotations are asked for (``--format github``) or the run is on GitHub Actions."""
    return fmt == "github" or os.environ.get("GITHUB_ACTIONS") == "true"
