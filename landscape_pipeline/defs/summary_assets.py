"""The landscape summary pages: one self-contained HTML page (and Markdown twin) per LA, plus an index."""

from datetime import UTC, datetime

import dagster as dg

from landscape_pipeline import paths
from landscape_pipeline.defs import metadata as ui
from landscape_pipeline.defs.landscape_assets import BASELINES, INDICATOR_TABLE
from landscape_pipeline.defs.partitions import LA_PARTITIONS
from landscape_pipeline.memory import release_memory
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sites import read_sites, register_path
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import read_indicator_columns

SUMMARY = dg.AssetKey("landscape_summary")
#: Indicator-table columns the asset's metadata uses besides those the pages read (``summary.READ_COLUMNS``).
METADATA_COLUMNS = ("area_code", "indicator_id", "period_end", "period_label")


def summaries_dir(root) -> object:
    """Return the folder holding the summary pages."""
    return root / "summaries"


def build_summary_asset(specs: dict[str, SourceSpec]) -> dg.AssetsDefinition:
    """Return the LA-partitioned summary asset (any set of LAs in one run)."""

    @dg.asset(
        key=SUMMARY, group_name="landscape", deps=[BASELINES, INDICATOR_TABLE], partitions_def=LA_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(), kinds={"html", "markdown"},
        description="Plain-English landscape summary per LA for programme managers: comparison with the nation, "
                    "region and similar areas, findings, one table per theme, change since a site's frozen "
                    "baseline; <data root>/summaries/<CODE>.html, -board.html, .md, .csv, .xlsx, overviews "
                    "per region and for the programme sites, and index.html. Partition keys are LA codes; the "
                    "la_names table maps each code to its name.",
        metadata={"la_names": ui.la_names()},
    )
    def landscape_summary(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> dg.MaterializeResult:
        from landscape_pipeline.summary.prepare import CATEGORICAL_COLUMNS, READ_COLUMNS
        from landscape_pipeline.summary.write import plan_summaries, write_planned

        release_memory()
        root = settings.root()
        # only the columns used: pages are byte-identical to those built from the whole table, and the other
        # columns (file provenance mostly) cost ~100 MB to hold
        table = read_indicator_columns(paths.indicators_path(root), tuple(dict.fromkeys((*READ_COLUMNS,
                                                                                           *METADATA_COLUMNS))),
                                       categorical=CATEGORICAL_COLUMNS)
        codes = list(context.partition_keys)
        facts = table.loc[table["area_code"].isin(codes), ["area_code", "indicator_id", "period_end", "period_label"]]
        register = read_sites() if register_path().exists() else None
        plan = plan_summaries(table, codes, built_at=datetime.now(UTC), sources=specs, root=root, sites=register)
        del table  # digested: the pages are written without it
        written = write_planned(plan, summaries_dir(root))
        context.log.info(f"Wrote {len(codes)} summary page(s) ({len(written)} files) under {summaries_dir(root)}")
        by_code = dict(tuple(facts.groupby("area_code", sort=False)))
        for code in codes:  # each LA's own page and figures
            rows = by_code.get(code, facts.iloc[0:0])
            context.add_asset_metadata({
                **ui.la_metadata(code), "page": dg.MetadataValue.path(str(summaries_dir(root) / f"{code}.html")),
                "board": dg.MetadataValue.path(str(summaries_dir(root) / f"{code}-board.html")),
                "markdown": dg.MetadataValue.path(str(summaries_dir(root) / f"{code}.md")),
                "indicators": int(rows["indicator_id"].nunique()), "latest_period": ui.latest_period(rows),
            }, partition_key=code)
        return dg.MaterializeResult(metadata={
            "partitions_in_run": len(codes),
            "index": dg.MetadataValue.path(str(summaries_dir(root) / "index.html")),
        })

    return landscape_summary
