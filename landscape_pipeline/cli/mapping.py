"""``landscape map``: draft, check and describe the mapping files of local extracts.

Self-contained: :func:`add_map_parser` adds the subcommand to the main parser and :func:`run_map`
runs it, so the main CLI only wires them in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from landscape_pipeline.errors import LandscapeError


def add_map_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``landscape map {init,check,schema,template}`` to the main parser's subcommands."""
    parser = sub.add_parser("map", help="Describe a local CSV or Excel extract with a mapping file.")
    actions = parser.add_subparsers(dest="map_command", required=True, parser_class=type(parser))
    init = actions.add_parser("init", help="Draft mapping.yaml beside FILE from its header and rows (with TODOs).")
    init.add_argument("file", help="The CSV or Excel file to describe.")
    init.add_argument("--sheet", help="Excel sheet name (default: the first).")
    init.add_argument("--out", help="Where to write the draft (default: mapping.yaml beside FILE).")
    init.add_argument("--force", action="store_true", help="Overwrite an existing mapping.")
    check = actions.add_parser("check", help="Validate DIR's mapping against its file without building anything.")
    check.add_argument("dir", help="Folder holding mapping.yaml and the data file (or the mapping file itself).")
    actions.add_parser("schema", help="Print the mapping file's JSON Schema (for editors).")
    template = actions.add_parser("template", help="Copy the local monitoring return template and its mapping.")
    template.add_argument("dir", help="New folder, e.g. data_sources/jsna/monitoring_2026.")


def run_map(args: argparse.Namespace) -> int:
    """Run one ``landscape map`` action; return its exit code."""
    return {"init": _init, "check": _check, "schema": _schema, "template": _template}[args.map_command](args)


def _init(args: argparse.Namespace) -> int:
    from landscape_pipeline.mapping.draft import draft_text
    from landscape_pipeline.mapping.model import MAPPING_FILE

    source = Path(args.file)
    target = Path(args.out) if args.out else source.parent / MAPPING_FILE
    if target.exists() and not args.force:
        raise LandscapeError(f"{target} already exists; pass --force to replace it, or --out another file.")
    text = draft_text(source, sheet=args.sheet)
    target.write_text(text, encoding="utf-8")
    print(f"Wrote a draft mapping to {target} with {text.count('TODO: ')} TODO(s) to replace; then run "
          f"`landscape map check {target.parent}`.", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    from landscape_pipeline.ingest import ingest
    from landscape_pipeline.mapping.build import load_mapping, mapping_path
    from landscape_pipeline.mapping.reader import data_path
    from landscape_pipeline.mapping.source import source_id_for, spec_for_folder
    from landscape_pipeline.sources.registry import MAPPED_FAMILIES

    path = mapping_path(args.dir)
    loaded = load_mapping(path)  # a bad mapping raises here, naming its line, before any data is read
    folder = path.parent
    family = folder.parent.name if folder.parent.name in MAPPED_FAMILIES else MAPPED_FAMILIES[0]
    source_id = source_id_for(family, folder.name)
    result = ingest(spec_for_folder(folder, source_id, f"{family}/{folder.name}"), [data_path(loaded)])
    if result.error is not None:
        raise result.error
    frame = result.frame
    print(f"[{'ok' if result.passed else 'FAILED'}] {result.text()}")
    print(f"{source_id}: {len(frame)} rows, {frame['indicator_id'].nunique()} indicator(s), "
          f"{frame['area_code'].nunique()} area(s), {frame['period_label'].nunique()} period(s), "
          f"{int(frame['suppressed'].sum())} suppressed; nothing was written.")
    return 0 if result.passed else 1


def _schema(_args: argparse.Namespace) -> int:
    from landscape_pipeline.mapping.model import schema_text

    sys.stdout.write(schema_text())
    return 0


def _template(args: argparse.Namespace) -> int:
    from landscape_pipeline.monitoring import copy_template

    written = copy_template(Path(args.dir))
    print(f"Copied the monitoring return template to {', '.join(map(str, written))}; fill one row per site, "
          "service, tumour group and month (counts only), then run `landscape map check` on the folder.",
          file=sys.stderr)
    return 0
