"""``landscape pull``, ``landscape compare`` and ``landscape catalogue``: what an evaluator takes away.

Each writes one file (``--out``, outside the data root, atomically) in csv, parquet, json (with a
metadata envelope) or xlsx (data, indicators and notes sheets), or CSV/JSON to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from landscape_pipeline.cli.main import UsageError

FORMAT_HELP = "csv, parquet, json (with a metadata envelope) or xlsx (data, indicators and notes sheets)"


def _selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--area", nargs="+", metavar="CODE", help="LA codes (default: every LA).")
    parser.add_argument("--site", help="A site of the site register (its LAs are added to --area).")
    parser.add_argument("--areas-file", metavar="FILE",
                        help="Text file with one LA code per line, or a CSV/Excel file with an area-code column.")
    parser.add_argument("--indicator", nargs="+", metavar="ID",
                        help="Indicator ids; shell wildcards allowed, e.g. 'hes_admissions_lung_*'.")
    parser.add_argument("--sex", nargs="+", metavar="SEX", help="Persons, Male and/or Female.")


def _output_arguments(parser: argparse.ArgumentParser, default: str = "csv") -> None:
    parser.add_argument("--format", choices=("csv", "parquet", "json", "xlsx"), default=default, help=FORMAT_HELP)
    parser.add_argument("--out", metavar="FILE", help="File to write, outside the data root (default: stdout; "
                                                      "required for parquet and xlsx).")
    parser.add_argument("--data-dir", help="Output root the baselines were built in.")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``pull``, ``compare`` and ``catalogue`` subcommands."""
    pull = sub.add_parser("pull", help="Tidy rows of several LAs, filtered by indicator and sex, in one file.")
    _selection_arguments(pull)
    pull.add_argument("--latest", action="store_true", help="Only each series' latest period (default: all).")
    pull.add_argument("--frozen", metavar="LABEL", help="Read the baselines frozen under LABEL instead.")
    _output_arguments(pull)
    pull.set_defaults(handler=cmd_pull)

    compare = sub.add_parser("compare", help="Change since a frozen baseline, with CIs and a significance test.")
    compare.add_argument("--frozen", metavar="LABEL", required=True, help="The frozen baseline set to compare with.")
    _selection_arguments(compare)
    _output_arguments(compare)
    compare.set_defaults(handler=cmd_compare)

    catalogue = sub.add_parser("catalogue", help="The indicator catalogue: definitions, methods, sources.")
    catalogue.add_argument("--frozen", metavar="LABEL", help="The catalogue frozen under LABEL instead.")
    _output_arguments(catalogue)
    catalogue.set_defaults(handler=cmd_catalogue)


def _root(args: argparse.Namespace) -> Path:
    from landscape_pipeline.cli.commands import _settings

    return _settings(args).root()


def _areas(args: argparse.Namespace) -> list[str] | None:
    from landscape_pipeline.selection import SelectionError, resolve_areas

    try:
        return resolve_areas(args.area, args.site, Path(args.areas_file) if args.areas_file else None)
    except SelectionError as exc:
        raise UsageError(str(exc)) from None


def check_output(args: argparse.Namespace, root: Path) -> Path | None:
    """Return the checked ``--out`` path (None for stdout); refuse a bad one before any work is done."""
    from landscape_pipeline import exports

    if args.format in ("parquet", "xlsx") and not args.out:
        raise UsageError(f"--format {args.format} needs --out FILE ({args.format} is binary).")
    if not args.out:
        return None
    try:
        return exports.check_out_path(args.out, root)
    except exports.ExportPathError as exc:
        raise UsageError(str(exc)) from None


def emit(frame, args: argparse.Namespace, root: Path, *, metadata: dict, dictionary=None,
         notes: Sequence[str] = (), what: str = "rows") -> int:
    """Write ``frame`` as asked (``--format``, ``--out``) or print CSV/JSON to stdout; return 0."""
    from landscape_pipeline import exports

    out = check_output(args, root)
    if out is not None:
        exports.write_export(frame, out, args.format, metadata=metadata, dictionary=dictionary, notes=notes)
        print(f"Wrote {len(frame)} {what} to {out}", file=sys.stderr)
    elif args.format == "json":
        sys.stdout.write(exports.json_text(frame, {**metadata, "notes": list(notes)}, dictionary))
    else:
        sys.stdout.write(exports.csv_text(frame))
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    """Pull the rows of several LAs (current or frozen), filtered, in one file."""
    from landscape_pipeline.pulls import pull
    from landscape_pipeline.selection import SelectionError

    root = _root(args)
    check_output(args, root)
    try:
        got = pull(root, areas=_areas(args), indicators=args.indicator, sexes=args.sex, latest=args.latest,
                   frozen=args.frozen)
    except SelectionError as exc:
        raise UsageError(str(exc)) from None
    return emit(got.rows, args, root, metadata=got.metadata, dictionary=got.dictionary, notes=got.notes)


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare the current baselines with a frozen set: change, CI, test and flags per series."""
    from landscape_pipeline.change import compare_with_frozen
    from landscape_pipeline.selection import SelectionError

    root = _root(args)
    check_output(args, root)
    try:
        got = compare_with_frozen(root, args.frozen, areas=_areas(args), indicators=args.indicator, sexes=args.sex)
    except SelectionError as exc:
        raise UsageError(str(exc)) from None
    significant = got.metadata["significant"]
    print(f"{len(got.rows)} series compared with '{args.frozen}'; {significant} changed significantly.",
          file=sys.stderr)
    return emit(got.rows, args, root, metadata=got.metadata, dictionary=got.dictionary, notes=got.notes,
                what="comparisons")


def cmd_catalogue(args: argparse.Namespace) -> int:
    """Write the indicator catalogue of the current build (or of a frozen set)."""
    from landscape_pipeline import freeze, paths
    from landscape_pipeline.catalogue import read_catalogue
    from landscape_pipeline.errors import LandscapeError

    root = _root(args)
    check_output(args, root)
    path = freeze.frozen_catalogue_path(root, args.frozen) if args.frozen else paths.catalogue_path(root)
    if path is None or not path.exists():
        where = f"in frozen set '{args.frozen}'" if args.frozen else f"under {root}"
        raise LandscapeError(f"No indicator catalogue {where}; run `landscape build` first.")
    frame = read_catalogue(path)
    from landscape_pipeline.storage import read_metadata

    meta = read_metadata(path)
    metadata = {"built_at": meta.get("built_at"), "run": meta.get("run_id"), "frozen_label": args.frozen,
                "synthetic": bool(frame["synthetic"].any())}
    return emit(frame, args, root, metadata=metadata, what="indicators")
