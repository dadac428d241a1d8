"""Asset factory: one ``<source>_indicators`` asset per registered source, with blocking checks.

The asset reads the source's files (bundled, or fetched live), parses them to the canonical
schema, applies the source's disclosure rule and validates with GX. Its two checks are emitted
from inside the asset (``check_specs``), so no check ever loads other data. The staged Parquet
file is replaced only when both checks pass: a bad file leaves the last good table in place.
"""


import json

import dagster as dg

from landscape_pipeline import paths
from landscape_pipeline.ingest import IngestResult, ingest, resolve_files
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.storage import read_indicators, write_indicators

GX_CHECK = "gx_suite"
DISCLOSURE_CHECK = "disclosure_control"

#: Live loaders talk to the network: retry the whole asset with backoff and jitter.
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def source_asset_key(source_id: str) -> dg.AssetKey:
    """Return the asset key of a source's staged indicator table."""
    return dg.AssetKey(f"{source_id}_indicators")


def build_source_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    """Return the Dagster asset that ingests, validates and stages one source."""
    key = source_asset_key(spec.source_id)

    @dg.asset(
        key=key,
        group_name="sources",
        description=f"{spec.title} ({spec.publisher}) in the canonical indicator schema, validated and staged.",
        deps=[source_asset_key(dep) for dep in spec.depends_on],
        check_specs=[
            dg.AssetCheckSpec(GX_CHECK, asset=key, blocking=True,
                              description="Great Expectations suite: canonical schema and the source's own rules."),
            dg.AssetCheckSpec(DISCLOSURE_CHECK, asset=key, blocking=True,
                              description=f"No published count inside the '{spec.disclosure_rule}' suppressed range."),
        ],
        kinds={"pandas", "parquet"},
        retry_policy=NETWORK_RETRY if spec.fetch_live else None,
        metadata={"source_id": spec.source_id, "publisher": spec.publisher, "homepage": spec.homepage,
                  "disclosure_rule": spec.disclosure_rule},
    )
    def _source_asset(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> dg.MaterializeResult:
        root = settings.root()
        upstream = {dep: read_indicators(paths.staging_path(root, dep)) for dep in spec.depends_on}
        files = resolve_files(spec, settings)
        context.log.info(f"{spec.source_id}: reading {len(files)} file(s)")
        result = ingest(spec, files, upstream)
        staged = paths.staging_path(root, spec.source_id)
        if result.passed:
            write_indicators(result.frame, staged, metadata={"source_id": spec.source_id,
                                                             "files": [f.name for f in files],
                                                             "disclosure": result.disclosure})
        else:
            context.log.error(f"{spec.source_id} failed validation; {staged} was left unchanged.\n{result.text()}")
        return dg.MaterializeResult(
            metadata=_metadata(result, staged),
            check_results=_check_results(result),
        )

    return _source_asset


def _metadata(result: IngestResult, staged) -> dict[str, object]:
    frame = result.frame
    return {
        "rows": len(frame),
        "indicators": int(frame["indicator_id"].nunique()),
        "areas": int(frame["area_code"].nunique()),
        "periods": int(frame["period_label"].nunique()),
        "synthetic": bool(frame["synthetic"].any()) if len(frame) else False,
        "files": [f.name for f in result.files],
        "staged_path": dg.MetadataValue.path(str(staged)),
        "written": result.passed,
        **{f"parser_{name}": json.loads(json.dumps(value, default=str)) for name, value in result.notes.items()},
    }


def _check_results(result: IngestResult) -> list[dg.AssetCheckResult]:
    if result.error is not None:
        message = str(result.error)
        meta = {"error": message}
        return [dg.AssetCheckResult(check_name=GX_CHECK, passed=False, metadata=meta, description=message),
                dg.AssetCheckResult(check_name=DISCLOSURE_CHECK, passed=False, metadata=meta,
                                    description="Not evaluated: the source could not be read.")]
    gx_meta = result.report.metadata() if result.report else {}
    leaks = result.leaks
    columns = ["indicator_id", "area_code", "period_label", "count"]
    sample = leaks.head(5)[columns].to_dict("records") if len(leaks) else []
    return [
        dg.AssetCheckResult(check_name=GX_CHECK, passed=result.valid, metadata=gx_meta),
        dg.AssetCheckResult(check_name=DISCLOSURE_CHECK, passed=result.disclosure_ok,
                            metadata={"leaking_rows": len(leaks), "sample": sample, **result.disclosure}),
    ]


def source_assets(specs: dict[str, SourceSpec]) -> list[dg.AssetsDefinition]:
    """Return one asset per registered source."""
    return [build_source_asset(spec) for spec in specs.values()]

