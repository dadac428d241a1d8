"""The indicator catalogue asset: every indicator's dictionary entry, rebuilt with every run."""

from datetime import UTC, datetime

import dagster as dg

from landscape_pipeline import catalogue, paths
from landscape_pipeline.defs import metadata as ui
from landscape_pipeline.defs.landscape_assets import INDICATOR_TABLE
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import read_indicator_columns

CATALOGUE = dg.AssetKey("indicator_catalogue")
DICTIONARY_CHECK = "every_indicator_declared"


def build_catalogue_asset(specs: dict[str, SourceSpec]) -> dg.AssetsDefinition:
    """Return the asset writing ``indicators/catalogue.parquet``, ``.csv`` and ``.html``."""

    @dg.asset(
        key=CATALOGUE, group_name="landscape", deps=[INDICATOR_TABLE], kinds={"parquet", "csv", "html"},
        description="Indicator catalogue: stable id, definition, numerator, denominator, unit, value type, "
                    "multiplier, CI method, polarity, source, publisher, cadence, disclosure rule and precision, "
                    "as <data root>/indicators/catalogue.parquet, .csv and .html.",
        check_specs=[dg.AssetCheckSpec(DICTIONARY_CHECK, asset=CATALOGUE,
                                       description="Every indicator in the table has an entry in its source's "
                                                   "dictionary.")],
    )
    def indicator_catalogue(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> dg.MaterializeResult:
        root = settings.root()
        table = read_indicator_columns(paths.indicators_path(root), catalogue.OBSERVED_COLUMNS)
        frame = catalogue.build_catalogue(table, specs)
        written = catalogue.write_catalogue(frame, root, built_at=datetime.now(UTC), run_id=context.run.run_id)
        undeclared = frame.loc[~frame["declared"], "indicator_id"].tolist()
        preview = frame.loc[frame["in_data"], ["indicator_id", "name", "value_type", "unit", "source_id"]]
        return dg.MaterializeResult(
            metadata={"dagster/row_count": len(frame), "dagster/column_schema": ui.frame_schema(frame),
                      "indicators_in_data": int(frame["in_data"].sum()),
                      "undeclared": undeclared[:20], "path": dg.MetadataValue.path(str(written[0])),
                      "page": dg.MetadataValue.path(str(written[2])),
                      "preview": ui.preview(preview, list(preview.columns), rows=15)},
            check_results=[dg.AssetCheckResult(check_name=DICTIONARY_CHECK, passed=not undeclared,
                                               metadata={"undeclared": undeclared[:20]})],
        )

    return indicator_catalogue

