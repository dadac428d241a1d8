"""``landscape``: build, validate, read baselines and summaries from the command line.

Exit codes: 0 success, 1 the data failed (validation, a failed run), 2 a usage error.
Errors are printed as sentences, never as tracebacks (set ``LANDSCAPE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from landscape_pipeline.errors import ConfigurationError, FrozenLabelError, LandscapeError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
EPILOG = """\
exit codes:
  0  success
  1  the data failed: validation, a refused or failed build, a missing output
  2  usage error: unknown option or source, an area that is not a current LA, a missing input,
     a frozen baseline label that is not valid or names no frozen set

--area takes a current LA code or name ("E08000026", "Coventry"); a retired code names its successor.
"""


class UsageError(Exception):
    """The command line asks for something that cannot be done as written."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that, print a sentence
        self.print_usage(sys.stderr)
        print(f"landscape: {message}", file=sys.stderr)
        raise SystemExit(2)


def package_version() -> str:
    """Return the installed version of landscape_pipeline."""
    try:
        return version("landscape_pipeline")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = _Parser(prog="landscape", description="Local cancer landscape baselines for UK local authorities.",
                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = sub.add_parser("build", help="Ingest, validate and write baselines (one Dagster run).",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--area", nargs="+", metavar="AREA", help="Only these LAs, by code or name (default: all 382).")
    build.add_argument("--source", nargs="+", metavar="SOURCE", default=None,
                       help="Rebuild only these sources and what depends on them (other sources keep their "
                            "last good staging).")
    build.add_argument("--data-dir", help="Output root (default: $LANDSCAPE_DATA_DIR or ./data).")
    build.add_argument("--live", nargs="+", metavar="SOURCE", default=None,
                       help="Fetch these sources from their publishers ('all' for every source).")
    build.add_argument("--allow-shrink", nargs="+", metavar="SOURCE", default=None,
                       help="Accept these sources shrinking sharply against their last good staging "
                            "(refused otherwise; 'all' for every source).")

    validate = sub.add_parser("validate", help="Run the GX suites on source files (default: all bundled).")
    validate.add_argument("paths", nargs="*", help="Files or source folders to validate.")
    validate.add_argument("--source", help="Source id of the files (default: from the folder or file name).")
    validate.add_argument("--format", choices=("text", "json", "junit", "github"), default="text",
                          help="text (default), json, junit (XML: a suite per source, a case per file) or github "
                               "(workflow annotations; also added to any format when GITHUB_ACTIONS=true).")
    validate.add_argument("--output", metavar="FILE", help="Write the json or junit report here (default stdout).")
    validate.add_argument("--changed", metavar="REF", help="Only the sources whose bundled files changed since "
                                                           "this git ref (e.g. origin/main).")

    baseline = sub.add_parser("baseline", help="Print or save one LA's baseline (several LAs: `landscape pull`).")
    baseline.add_argument("--area", required=True, metavar="AREA", help="LA code or name.")
    baseline.add_argument("--format", choices=("csv", "parquet", "json", "xlsx"), default="csv")
    baseline.add_argument("--out", help="File to write, outside the data root (required for parquet and xlsx; "
                                        "default stdout).")
    baseline.add_argument("--data-dir", help="Output root the baselines were built in.")
    baseline.add_argument("--latest", action="store_true", help="Only each indicator's latest period.")
    baseline.add_argument("--frozen", metavar="LABEL", help="Read the baseline frozen under LABEL instead.")

    freeze = sub.add_parser("freeze", help="Freeze the current baselines under a label (never overwritten).")
    freeze.add_argument("--label", help="e.g. programme-start-2026 (default with --site: <site>-start-<date>; "
                                        "required unless --list)")
    freeze.add_argument("--site", metavar="NAME", help="Freeze this site's LAs (data_sources/sites.yaml), "
                                                       "labelled with its programme start date.")
    freeze.add_argument("--list", action="store_true", help="List the frozen labels with when they were frozen.")
    freeze.add_argument("--area", nargs="+", metavar="AREA", help="Only these LAs, by code or name (default: all).")
    freeze.add_argument("--note", default="", help="Free text stored in the manifest.")
    freeze.add_argument("--verify", action="store_true", help="Check an existing frozen set against its sha256s.")
    freeze.add_argument("--data-dir", help="Output root the baselines were built in.")

    summary = sub.add_parser("summary", help="Write the plain-English landscape summary page(s).")
    target = summary.add_mutually_exclusive_group(required=True)
    target.add_argument("--area", metavar="AREA", help="LA code or name.")
    target.add_argument("--all", action="store_true", help="Every LA's page and the index.")
    summary.add_argument("--format", choices=("html", "board", "md"), default="html",
                         help="html: the full page; board: the one-page board summary; md: Markdown.")
    summary.add_argument("--out", help="Output file (one area) or folder (--all).")
    summary.add_argument("--data-dir", help="Output root the indicator table was built in.")

    from landscape_pipeline.cli.mapping import add_map_parser

    add_map_parser(sub)

    from landscape_pipeline.cli import evaluate, evidence

    evaluate.add_parsers(sub)
    evidence.add_parsers(sub)
    sub.add_parser("sources", help="List the registered sources.")
    sub.add_parser("schema", help="Print the canonical indicator schema as Markdown.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview).*")
    from landscape_pipeline.cli import commands

    handler = getattr(args, "handler", None) or getattr(commands, f"cmd_{args.command}")
    try:
        return handler(args)
    except (UsageError, FrozenLabelError, ConfigurationError) as exc:  # a missing frozen set, a wrong setting
        print(f"landscape {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (LandscapeError, FileNotFoundError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"landscape {args.command}: {message}", file=sys.stderr)
        return EXIT_DATA
    except Exception as exc:  # a bug: say so in a sentence; LANDSCAPE_DEBUG=1 shows the traceback
        if os.environ.get("LANDSCAPE_DEBUG"):
            raise
        print(f"landscape {args.command}: internal error ({type(exc).__name__}: {exc}). This is a bug; "
              "run again with LANDSCAPE_DEBUG=1 for the traceback and report it.", file=sys.stderr)
        return EXIT_DATA


def entry_point() -> None:
    """Console-script entry point."""
    code = main()
    from landscape_pipeline.memory import skip_exit_collections

    skip_exit_collections()  # the interpreter's shutdown need not walk every object a run left behind
    raise SystemExit(code)
