"""The indicator table and the per-LA baselines (one run writes any set of LA partitions)."""


from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from landscape_pipeline import baselines, catalogue, disclosure, evidence, harmonise, ingest_ahead, paths
from landscape_pipeline.defs import metadata as ui
from landscape_pipeline.defs.partitions import LA_PARTITIONS
from landscape_pipeline.defs.source_assets import DISCLOSURE_CHECK, GX_CHECK, source_asset_key
from landscape_pipeline.errors import LandscapeError
from landscape_pipeline.memory import release_memory
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import (
    columns_frame,
    read_indicators,
    read_indicators_arrow,
    read_metadata,
    write_indicators,
)
from landscape_pipeline.validation import validate_frame

#: What the baselines' checks read of the rows about to be written: the disclosure checks' columns and, for the
#: decimals values were rounded to, the catalogue's (the rest of the 41 columns would only cost memory).
CHECK_COLUMNS = tuple(dict.fromkeys((*disclosure.COLUMNS_READ, *catalogue.OBSERVED_COLUMNS)))
INDICATOR_TABLE = dg.AssetKey("indicator_table")
BASELINES = dg.AssetKey("baselines")
ATTACK_CHECK = "disclosure_attacks"
_ATTACK_DESCRIPTION = ("No suppressed or unrounded count can be recovered from what is published: value x "
                       "denominator, confidence-limit inversion, sex, hierarchy, period and breakdown differencing.")


def leaks_by_source(table: pd.DataFrame, specs: dict[str, SourceSpec]) -> pd.DataFrame:
    """Return rows whose published count falls inside their source's suppressed range."""
    found = [disclosure.find_leaks(table.loc[table["source_id"].eq(sid)], disclosure.RULES[spec.disclosure_rule])
             for sid, spec in specs.items() if spec.disclosure_rule != "none"]
    found = [f for f in found if len(f)]
    return pd.concat(found) if found else table.iloc[0:0]


def _disclosure_result(table: pd.DataFrame, specs: dict[str, SourceSpec]) -> dg.AssetCheckResult:
    leaks = leaks_by_source(table, specs)
    sample = leaks.head(5)[["source_id", "indicator_id", "area_code", "count"]].to_dict("records")
    return dg.AssetCheckResult(check_name=DISCLOSURE_CHECK, passed=leaks.empty,
                               metadata={"leaking_rows": len(leaks), "sample": sample,
                                         "leaks": ui.records_markdown(sample, total=len(leaks))})


def attack_result(table: pd.DataFrame, specs: dict[str, SourceSpec], lost: dict[str, object],
                  decimals: dict[str, int] | None = None) -> dg.AssetCheckResult:
    """Return the ``disclosure_attacks`` check result for ``table`` about to be published (values rounded).

    ``decimals`` (indicator id -> decimals the values were rounded to) defaults to the catalogue's.
    """
    if decimals is None:
        decimals = catalogue.decimals_by_id(catalogue.build_catalogue(table, specs))
    report = disclosure.disclosure_attacks(table, specs, lost=lost, decimals=decimals)
    meta = report.metadata()
    meta["recovered"] = ui.records_markdown(meta["sample"], total=meta["counts_recovered"])
    return dg.AssetCheckResult(check_name=ATTACK_CHECK, passed=report.passed, metadata=meta,
                               description=None if report.passed else report.text())


def _staged_disclosure(root, specs: dict[str, SourceSpec]) -> dict[str, object]:
    """Return each staged source's disclosure summary (what secondary suppression cost), where recorded."""
    out = {}
    for sid, spec in specs.items():
        path = paths.staging_path(root, sid)
        if spec.disclosure_rule != "none" and path.exists():
            out[sid] = read_metadata(path).get("disclosure") or {}
    return out


def build_indicator_table(specs: dict[str, SourceSpec]) -> dg.AssetsDefinition:
    """Return the asset that harmonises every staged source into one indicator table."""

    @dg.asset(
        key=INDICATOR_TABLE, group_name="landscape", deps=[source_asset_key(s) for s in specs], kinds={"parquet"},
        description="All sources in one tidy table with England/Scotland and regional comparisons and trends.",
        check_specs=[dg.AssetCheckSpec(GX_CHECK, asset=INDICATOR_TABLE, blocking=True,
                                       description="Canonical GX suite on the harmonised table."),
                     dg.AssetCheckSpec(DISCLOSURE_CHECK, asset=INDICATOR_TABLE, blocking=True,
                                       description="No published count inside its source's suppressed range."),
                     dg.AssetCheckSpec(ATTACK_CHECK, asset=INDICATOR_TABLE, blocking=True,
                                       description=_ATTACK_DESCRIPTION)],
    )
    def indicator_table(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> dg.MaterializeResult:
        ingest_ahead.stop()  # normally gone already: the table's step is the build's largest
        release_memory()  # what the source steps left for the collector
        root = settings.root()
        table = harmonise.harmonise(read_indicators(paths.staging_path(root, sid), dictionary=True)
                                    for sid in specs)
        decimals = catalogue.decimals_by_id(catalogue.build_catalogue(table, specs))
        table = catalogue.round_published(table, decimals)  # published figures rounded once, here
        report = validate_frame(table, "indicator_table")
        disclosure_result = _disclosure_result(table, specs)
        lost = _staged_disclosure(root, specs)
        attacks = attack_result(table, specs, lost, decimals)
        target = paths.indicators_path(root)
        ok = report.passed and disclosure_result.passed and attacks.passed
        if ok:
            write_indicators(table, target, metadata={"built_at": datetime.now(UTC).isoformat(),
                                                      "run_id": context.run.run_id, "disclosure": lost})
        else:
            context.log.error(f"Indicator table failed its checks; {target} left unchanged.\n{report.text()}")
        return dg.MaterializeResult(
            metadata={**ui.table_metadata(table), "rows": len(table),
                      "indicators": int(table["indicator_id"].nunique()),
                      "areas": int(table["area_code"].nunique()), "synthetic": bool(table["synthetic"].any()),
                      "path": dg.MetadataValue.path(str(target)), "written": ok},
            check_results=[dg.AssetCheckResult(check_name=GX_CHECK, passed=report.passed,
                                               metadata=ui.gx_metadata(report.metadata())), disclosure_result, attacks],
        )

    return indicator_table


def _evidence_register(settings: LandscapeSettings, context: dg.AssetExecutionContext
                       ) -> tuple[evidence.EvidenceRegister | None, str | None]:
    """Return (the local evidence register, None), or (None, why) when it is not valid: baselines are still written."""
    try:
        return evidence.read_register(evidence.register_path(settings.sources_dir())), None
    except LandscapeError as exc:
        context.log.error(f"The evidence register is not valid, so baselines list no local evidence: {exc}")
        return None, str(exc)


def partition_metadata(written: list[baselines.BaselineWritten]) -> dict[str, dict]:
    """Return each written LA's own metadata: name, rows, indicators, latest period, file and a preview."""
    out = {}
    for item in written:
        out[item.area_code] = {
            **ui.la_metadata(item.area_code), "dagster/row_count": item.rows, "indicators": item.indicators,
            "periods": item.periods, "latest_period": item.latest_period, "synthetic": item.synthetic,
            "sources": ", ".join(item.sources), "path": dg.MetadataValue.path(str(item.path)),
            "preview": (ui.preview_arrow(item.latest_head, total=item.latest_rows) if item.latest_head is not None
                        else ui.preview(pd.DataFrame())),
        }
    return out


def build_baselines(specs: dict[str, SourceSpec]) -> dg.AssetsDefinition:
    """Return the LA-partitioned baseline asset; a backfill of any set of LAs is one run."""

    @dg.asset(
        key=BASELINES, group_name="landscape", deps=[INDICATOR_TABLE], partitions_def=LA_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(), kinds={"parquet"},
        description="Per-LA baseline: every indicator's history and latest period with comparators, "
                    "as <data root>/baselines/<CODE>/baseline.parquet. Partition keys are LA codes; the "
                    "la_names table maps each code to its name (e.g. E08000026 = Coventry).",
        metadata={"la_names": ui.la_names(), "dagster/column_schema": ui.canonical_column_schema()},
        check_specs=[dg.AssetCheckSpec(DISCLOSURE_CHECK, asset=BASELINES, blocking=True,
                                       description="No published count inside its source's suppressed range."),
                     dg.AssetCheckSpec(ATTACK_CHECK, asset=BASELINES, blocking=True, description=_ATTACK_DESCRIPTION)],
    )
    def baselines_asset(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> dg.MaterializeResult:
        release_memory()
        root = settings.root()
        codes = list(context.partition_keys)
        rows = read_indicators_arrow(paths.indicators_path(root), area_codes=codes)  # only these LAs' rows
        selected = columns_frame(rows.select(list(CHECK_COLUMNS)))
        check = _disclosure_result(selected, specs)
        attacks = attack_result(selected, specs, read_metadata(paths.indicators_path(root)).get("disclosure") or {})
        if not (check.passed and attacks.passed):
            context.log.error("Baselines not written: a published count is inside a suppressed range or can be "
                              f"recovered from what would be published.\n{attacks.description or ''}")
            return dg.MaterializeResult(metadata={"written": False}, check_results=[check, attacks])
        register, register_error = _evidence_register(settings, context)
        del selected
        written = baselines.write_baselines(rows, codes, root, run_id=context.run.run_id, evidence=register,
                                            evidence_error=register_error)
        context.log.info(f"Wrote {len(written)} baseline partition(s) under {root / 'baselines'}: "
                         f"{baselines.summarise(written)}")
        for code, meta in partition_metadata(written).items():  # each LA's own figures
            context.add_asset_metadata(meta, partition_key=code)
        return dg.MaterializeResult(metadata={"written": True, "dagster/column_schema": ui.canonical_column_schema(),
                                              "partitions_in_run": len(written)},
                                    check_results=[check, attacks])

    return baselines_asset
