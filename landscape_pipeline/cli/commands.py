"""The ``landscape`` subcommands (argument parsing lives in :mod:`landscape_pipeline.cli.main`)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from landscape_pipeline import paths, schema
from landscape_pipeline.cli.areas import AreaArgumentError, resolve_area, resolve_areas
from landscape_pipeline.cli.main import UsageError
from landscape_pipeline.settings import LandscapeSettings, UnknownSourceError, check_source_ids


def _settings(args: argparse.Namespace) -> LandscapeSettings:
    live = getattr(args, "live", None)
    shrink = getattr(args, "allow_shrink", None)
    kwargs: dict[str, object] = {"data_dir": str(Path(args.data_dir).resolve()) if getattr(args, "data_dir", None)
                                 else str(paths.data_root().resolve())}
    if live is not None:
        kwargs["live_sources"] = live
    if shrink is not None:
        kwargs["allow_shrink"] = shrink
    settings = LandscapeSettings(**kwargs)
    if not hasattr(args, "live"):  # commands that read outputs fetch nothing
        return settings
    try:  # a mistyped source id is a usage error, never a silent fallback to bundled data
        check_source_ids(settings.live_sources, "--live" if live is not None else "$LANDSCAPE_LIVE_SOURCES")
        check_source_ids(settings.allow_shrink, "--allow-shrink")
    except UnknownSourceError as exc:
        raise UsageError(str(exc)) from None
    return settings


def _areas(values: list[str] | None) -> list[str] | None:
    try:
        return resolve_areas(values)
    except AreaArgumentError as exc:
        raise UsageError(str(exc)) from None


def _require_frozen(root: Path, label: str) -> None:
    """Raise a usage error naming the frozen sets when ``label`` was never frozen under ``root``."""
    from landscape_pipeline import freeze

    if (freeze.frozen_dir(root, label) / freeze.MANIFEST).exists():
        return
    known = sorted(p.parent.name for p in (root / "frozen").glob(f"*/{freeze.MANIFEST}"))
    listed = f"frozen sets there: {', '.join(known)}" if known else "nothing has been frozen there yet"
    raise UsageError(f"no frozen baseline set called '{label}' under {root / 'frozen'}; {listed}.")


def _area(value: str) -> str:
    try:
        return resolve_area(value)
    except AreaArgumentError as exc:
        raise UsageError(str(exc)) from None


def ensure_dagster_home() -> Path:
    """Return ``$DAGSTER_HOME``, defaulting it to the project's ``.dagster_home`` so runs persist."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        home = str(paths.PROJECT_ROOT / ".dagster_home")
        os.environ["DAGSTER_HOME"] = home
    Path(home).mkdir(parents=True, exist_ok=True)
    return Path(home)


def cmd_build(args: argparse.Namespace) -> int:
    """Materialise sources, indicator table and baselines in-process on the persistent instance."""
    from landscape_pipeline.cli.run import run_build

    codes = _areas(args.area)
    settings = _settings(args)
    ensure_dagster_home()
    return run_build(settings, codes)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate bundled sources, or the given files, and report failures by file, row and column."""
    from landscape_pipeline.cli.validate import run_validate

    return run_validate([Path(p) for p in args.paths], args.source)


def cmd_baseline(args: argparse.Namespace) -> int:
    """Print or write one LA's baseline as CSV, JSON, Parquet or Excel (via the export writer)."""
    from landscape_pipeline.cli.evaluate import check_output, emit
    from landscape_pipeline.pulls import pull

    code = _area(args.area)
    root = _settings(args).root()
    check_output(args, root)
    got = pull(root, areas=[code], latest=args.latest, frozen=args.frozen)
    return emit(got.rows, args, root, metadata=got.metadata, dictionary=got.dictionary, notes=got.notes,
                what=f"rows for {code}")


def cmd_freeze(args: argparse.Namespace) -> int:
    """Freeze the current baselines under a label, or verify a frozen set."""
    from landscape_pipeline import freeze

    root = _settings(args).root()
    if args.list:
        return _list_frozen(root)
    site = _site(args.site) if args.site else None
    if site is not None and not args.label:
        args.label = site.freeze_label()
    if not args.label:
        raise UsageError("give --label NAME, or --site NAME to use the site's start-date label "
                         "(or --list to see the frozen labels).")
    if args.verify:
        _require_frozen(root, args.label)
        changed = freeze.verify(root, args.label)
        if changed:
            print(f"Frozen set '{args.label}' has changed for: {', '.join(changed)}", file=sys.stderr)
            return 1
        print(f"Frozen set '{args.label}' is intact.", file=sys.stderr)
        return 0
    codes = _areas(args.area)
    from landscape_pipeline.buildlock import build_lock

    with build_lock(root, command="landscape freeze"):  # never copy a baseline set a build is rewriting
        manifest = freeze.freeze(root, args.label, codes, note=args.note, site=site)
    print(f"Froze the baselines under '{args.label}': {manifest}", file=sys.stderr)
    if site is not None and site.start_date < date.today():
        print(f"Note: {site.name} started on {site.start_date:%d %B %Y}; the frozen baselines hold the data built "
              "today, including periods published since then.", file=sys.stderr)
    return 0


def _site(name: str):
    """Return a site of the register by id or name, or raise a usage error listing the sites."""
    from landscape_pipeline.sites import read_sites

    try:
        return read_sites().find(name)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None


def _list_frozen(root: Path) -> int:
    from landscape_pipeline import freeze

    sets = freeze.list_frozen(root)
    if not sets:
        print(f"No frozen baseline sets under {root / 'frozen'}.", file=sys.stderr)
        return 0
    for item in sets:
        synthetic = " (synthetic sample data)" if item["synthetic"] else ""
        note = f" — {item['note']}" if item["note"] else ""
        print(f"{item['label']:<32} frozen {item['frozen_at']}  {item['areas']} areas{synthetic}{note}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Write one LA's landscape summary page, or every page and the index."""
    area = _area(args.area) if args.area else None
    from landscape_pipeline.cli.summary import run_summary

    return run_summary(_settings(args).root(), area, args.all, args.format, args.out)


def cmd_map(args: argparse.Namespace) -> int:
    """Draft, check or describe a local extract's mapping file (see :mod:`landscape_pipeline.cli.mapping`)."""
    from landscape_pipeline.cli.mapping import run_map

    return run_map(args)


def cmd_sources(_args: argparse.Namespace) -> int:
    """List the registered sources."""
    from landscape_pipeline.sources.registry import all_sources

    for spec in all_sources().values():
        live = "live loader" if spec.fetch_live else "bundled only"
        print(f"{spec.source_id:<16} {spec.title} — {spec.publisher} ({live}; disclosure: {spec.disclosure_rule})")
    return 0


def cmd_schema(_args: argparse.Namespace) -> int:
    """Print the canonical schema."""
    print(schema.describe_markdown())
    return 0
