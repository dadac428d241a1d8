"""Write a small one-sheet .xlsx workbook with the standard library (for synthetic examples and tests).

The project reads Excel with python-calamine, which cannot write; this writes the minimal
SpreadsheetML that Excel, LibreOffice and calamine open: numbers as numbers, text as inline strings,
``None`` as an empty cell. No styles, formulas or dates - those are not needed to imitate a table.
"""

from __future__ import annotations

import numbers
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/></Types>')


def _relationships(kind: str, target: str) -> str:
    return (f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/{kind}" Target="{target}"/></Relationships>')


_ROOT_RELS = _relationships("officeDocument", "xl/workbook.xml")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
    number = int(value) if isinstance(value, numbers.Integral) else float(value)  # numpy scalars too
    return f'<c r="{ref}"><v>{number!r}</v></c>'


def _sheet_xml(rows: Sequence[Sequence[object]]) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column_letter(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
            f'<sheetData>{"".join(body)}</sheetData></worksheet>')


def write_workbook(path: Path | str, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    """Write one sheet per entry of ``sheets`` (name -> rows, first row = row 1), in order; return the path."""
    path = Path(path)
    names = list(sheets)
    entries = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(names, start=1))
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_REL_NS}><sheets>'
                f'{entries}</sheets></workbook>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(names) + 1))
    workbook_rels = (f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     f'{rels}</Relationships>')
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_OFFICE}.worksheet+xml"/>'
                        for i in range(1, len(names) + 1))
    content_types = _CONTENT_TYPES.replace(
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/>', overrides)
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", _ROOT_RELS), ("xl/workbook.xml", workbook),
             ("xl/_rels/workbook.xml.rels", workbook_rels)]
    parts += [(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheets[name])) for i, name in enumerate(names, start=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # fixed stamp: same bytes every run
            archive.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_xlsx(path: Path | str, rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1") -> Path:
    """Write ``rows`` (first row = spreadsheet row 1) to a one-sheet workbook at ``path``; return the path."""
    return write_workbook(path, {sheet: rows})
