"""``landscape summary``: write one LA's page (HTML or Markdown) or every page and the index."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from landscape_pipeline import geography, paths
from landscape_pipeline.sources.registry import all_sources
from landscape_pipeline.storage import read_indicators, write_bytes_atomic


def run_summary(root: Path, area: str | None, every: bool, fmt: str, out: str | None) -> int:
    """Render from the built indicator table; return an exit code."""
    from landscape_pipeline.summary import build_pages, render_html, render_markdown, write_summaries

    table_path = paths.indicators_path(root)
    if not table_path.exists():
        raise FileNotFoundError(f"No indicator table at {table_path}; run `landscape build` first.")
    table = read_indicators(table_path)
    built_at = datetime.fromtimestamp(table_path.stat().st_mtime, UTC)
    if every:
        out_dir = Path(out) if out else root / "summaries"
        written = write_summaries(table, geography.partition_keys(), out_dir, built_at=built_at,
                                  sources=all_sources())
        print(f"Wrote {len(written)} files to {out_dir} (open {out_dir / 'index.html'})", file=sys.stderr)
        return 0
    code = geography.validate_partition_key(area or "")
    page = next(iter(build_pages(table, [code], built_at=built_at, sources=all_sources())))
    text = render_html(page) if fmt == "html" else render_markdown(page)
    if out:
        write_bytes_atomic(text.encode("utf-8"), Path(out))
        print(f"Wrote the {fmt} summary for {code} to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
