"""``landscape evidence``: list and check the local evidence register (``data_sources/evidence.yaml``).

Self-contained: :func:`add_parsers` adds the subcommand to the main parser; its actions print
sentences and tables, and a register that is not valid is reported with its line (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from landscape_pipeline.cli.main import UsageError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``landscape evidence {list,check}`` to the main parser's subcommands."""
    parser = sub.add_parser("evidence", help="The local evidence register: documents and lived-experience evidence.")
    actions = parser.add_subparsers(dest="evidence_command", required=True, parser_class=type(parser))
    listing = actions.add_parser("list", help="List the register's entries (newest first), with their dates.")
    target = listing.add_mutually_exclusive_group()
    target.add_argument("--site", metavar="NAME", help="Entries covering this site's LAs (data_sources/sites.yaml).")
    target.add_argument("--area", metavar="CODE", help="Entries covering this LA.")
    listing.add_argument("--as-at", type=_date, metavar="DATE",
                         help="Only entries dated on or before DATE (YYYY-MM-DD; default today).")
    check = actions.add_parser("check", help="Validate the register (dates, LA codes, links or files, themes).")
    for action in (listing, check):
        action.add_argument("--register", help="The register file (default: data_sources/evidence.yaml).")
    parser.set_defaults(handler=run_evidence)


def run_evidence(args: argparse.Namespace) -> int:
    """Run one ``landscape evidence`` action; return its exit code."""
    return {"list": _list, "check": _check}[args.evidence_command](args)


def _register_path(args: argparse.Namespace) -> Path:
    from landscape_pipeline.evidence import register_path

    path = Path(args.register) if args.register else register_path()
    if not path.exists():
        raise UsageError(f"there is no evidence register at {path}; create it (see README, 'Local evidence').")
    return path


def _list(args: argparse.Namespace) -> int:
    from landscape_pipeline import geography
    from landscape_pipeline.evidence import read_register
    from landscape_pipeline.sites import read_sites

    register = read_register(_register_path(args))
    as_at = args.as_at or date.today()
    if args.site:
        site = read_sites().find(args.site)
        codes, scope = list(site.la_codes), f"site {site.name}"
    elif args.area:
        try:
            codes = [geography.validate_partition_key(args.area)]
        except geography.AreaCodeError as exc:
            raise UsageError(str(exc)) from None
        scope = f"{geography.area_name(codes[0])} ({codes[0]})"
    else:
        codes, scope = sorted({c for e in register.entries for c in e.la_codes}), "every area"
    entries = register.covering(codes, as_at)
    print(f"Local evidence for {scope}, dated on or before {as_at.isoformat()}: {len(entries)} entr"
          f"{'y' if len(entries) == 1 else 'ies'}.")
    for entry in entries:
        where = entry.link or entry.file
        flag = "  [EXAMPLE: invented]" if entry.example else ""
        print(f"{entry.date.isoformat()}  {entry.type:<23}  {entry.title}{flag}")
        print(f"            {entry.publisher}; {where}; LAs {', '.join(entry.la_codes)}; "
              f"themes: {', '.join(entry.themes)}" + (f"; numbers: {entry.extract}" if entry.extract else ""))
    return 0


def _check(args: argparse.Namespace) -> int:
    from landscape_pipeline.evidence import read_register

    path = _register_path(args)
    register = read_register(path)  # a problem raises naming the register's line (exit 1)
    entries = register.entries
    examples = sum(e.example for e in entries)
    areas = len({c for e in entries for c in e.la_codes})
    print(f"{path.name}: {len(entries)} entries valid ({examples} marked as invented examples), covering "
          f"{areas} local authorities.", file=sys.stderr)
    return 0
