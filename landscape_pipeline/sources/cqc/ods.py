"""A minimal OpenDocument spreadsheet (.ods) writer for the synthetic CQC snapshots and tests.

CQC publishes the care directory with ratings as .ods; python-calamine reads it. Writing needs no
dependency: an .ods is a zip holding ``mimetype`` (stored first, uncompressed), a manifest and
``content.xml`` with one ``table:table`` per sheet. Runs of empty cells are written once with
``table:number-columns-repeated``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '</manifest:manifest>')

Cell = str | int | float | None


def _cell(value: Cell) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def _row(values: Sequence[Cell]) -> str:
    parts, empty = [], 0
    for value in values:
        if value is None or value == "":
            empty += 1
            continue
        if empty:
            parts.append(f'<table:table-cell table:number-columns-repeated="{empty}"/>')
            empty = 0
        parts.append(_cell(value))
    return "<table:table-row>" + "".join(parts) + "</table:table-row>"


def write_ods(path: Path, sheets: dict[str, Iterable[Sequence[Cell]]]) -> Path:
    """Write ``{sheet name: rows}`` to ``path`` as an .ods workbook; return the path."""
    body = "".join(f'<table:table table:name="{escape(name)}">' + "".join(_row(r) for r in rows) + "</table:table>"
                   for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path
