"""``landscape summary``: write one LA's page (HTML, board summary or Markdown) or every page and the overviews.

Both read the site register (when present) and the data root's frozen sets, so a programme site's
page shows its change since baseline exactly as the build's pages do.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline import geography, paths
from landscape_pipeline.sources.registry import all_sources
from landscape_pipeline.storage import read_indicators, write_bytes_atomic


def run_summary(root: Path, area: str | None, every: bool, fmt: str, out: str | None) -> int:
    """Render from the built indicator table; return an exit code."""
    from landscape_pipeline.sites import read_sites, register_path
    from landscape_pipeline.summary import build_pages, render_board, render_html, render_markdown, write_summaries
    from landscape_pipeline.summary.write import build_context

    table_path = paths.indicators_path(root)
    if not table_path.exists():
        raise FileNotFoundError(f"No indicator table at {table_path}; run `landscape build` first.")
    table = read_indicators(table_path)
    built_at = datetime.fromtimestamp(table_path.stat().st_mtime, UTC)
    sites = read_sites() if register_path().exists() else None
    if every:
        out_dir = Path(out) if out else root / "summaries"
        written = write_summaries(table, geography.partition_keys(), out_dir, built_at=built_at,
                                  sources=all_sources(), root=root, sites=sites)
        print(f"Wrote {len(written)} files to {out_dir} (open {out_dir / 'index.html'})", file=sys.stderr)
        return 0
    code = geography.validate_partition_key(area or "")
    context = build_context(table, built_at=built_at, root=root, sites=sites)
    page = next(iter(build_pages(table, [code], built_at=built_at, sources=all_sources(), context=context)))
    text = {"html": render_html, "board": render_board, "md": render_markdown}[fmt](page)
    if out:
        write_bytes_atomic(text.encode("utf-8"), Path(out))
        print(f"Wrote the {fmt} summary for {code} to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
