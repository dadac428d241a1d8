"""Asset factory: one ``<source>_indicators`` asset per registered source, with blocking checks.

The asset reads the source's files (bundled, or fetched live), parses them to the canonical
schema, applies the source's disclosure rule and validates with GX. Its checks are emitted
from inside the asset (``check_specs``), so no check ever loads other data. The staged Parquet
file is replaced only when every check passes: a bad file, or one that shrinks sharply against
the last good staging (:mod:`landscape_pipeline.shrink`), leaves the last good table in place.

Only a transient network fault of a live fetch is retried (``RetryRequested``, with backoff);
a bundled file, a wrong answer from a publisher, or a bad file fails at once with its sentence.
"""


import json
import random

import dagster as dg

from landscape_pipeline import ingest_ahead, paths
from landscape_pipeline.defs import metadata as ui
from landscape_pipeline.defs.file_assets import files_asset_key
from landscape_pipeline.errors import FetchError, LandscapeError
from landscape_pipeline.ingest import IngestResult, ingest, resolve_files
from landscape_pipeline.settings import LandscapeSettings
from landscape_pipeline.shrink import ShrinkCheck, compare_with_staging
from landscape_pipeline.sources.base import SourceSpec
from landscape_pipeline.staleness import INPUTS_KEY, inputs_fingerprint
from landscape_pipeline.storage import read_indicators, write_indicators

GX_CHECK = "gx_suite"
DISCLOSURE_CHECK = "disclosure_control"
SHRINK_CHECK = "no_sharp_shrink"


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
        deps=[files_asset_key(spec.source_id), *[source_asset_key(dep) for dep in spec.depends_on]],
        check_specs=[
            dg.AssetCheckSpec(GX_CHECK, asset=key, blocking=True,
                              description="Great Expectations suite: canonical schema and the source's own rules."),
            dg.AssetCheckSpec(DISCLOSURE_CHECK, asset=key, blocking=True,
                              description=f"No published count inside the '{spec.disclosure_rule}' suppressed range."),
            dg.AssetCheckSpec(SHRINK_CHECK, asset=key, blocking=True,
                              description="Not far fewer rows than the last good staging (total or per indicator), "
                                          "unless the run allows it (--allow-shrink)."),
        ],
        kinds={"pandas", "parquet"},
        metadata={"source_id": spec.source_id, "publisher": spec.publisher, "homepage": spec.homepage,
                  "disclosure_rule": spec.disclosure_rule},
    )
    def _source_asset(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> dg.MaterializeResult:
        root = settings.root()
        files = _files(context, spec, settings)  # first: a wrong setting fails here, in its own words
        ingest_ahead.start(context.run_id, lambda: ahead_jobs(context, settings))
        result = ingest_ahead.take(context.run_id, spec.source_id, files)
        ingested_in = "this step" if result is None else ingest_ahead.WORKER
        if result is None:
            context.log.info(f"{spec.source_id}: reading {len(files)} file(s)")
            upstream = {dep: read_indicators(paths.staging_path(root, dep)) for dep in spec.depends_on}
            result = ingest(spec, files, upstream)
        else:
            context.log.info(f"{spec.source_id}: read {len(files)} file(s) in the {ingest_ahead.WORKER}")
        staged = paths.staging_path(root, spec.source_id)
        shrink = None
        if result.passed:
            shrink = compare_with_staging(staged, result.frame, max_fraction=settings.max_shrink_fraction,
                                          allowed=settings.shrink_allowed(spec.source_id))
            (context.log.error if shrink.refused else context.log.info)(shrink.text(spec.source_id))
        if result.passed and not shrink.refused:
            write_indicators(result.frame, staged, metadata={"source_id": spec.source_id,
                                                             "files": [f.name for f in files],
                                                             "disclosure": result.disclosure,
                                                             INPUTS_KEY: inputs_fingerprint(spec, files, settings)})
        elif not result.passed:
            context.log.error(f"{spec.source_id} failed validation; {staged} was left unchanged.\n{result.text()}")
        return dg.MaterializeResult(
            metadata={**_metadata(result, staged), "written": result.passed and not shrink.refused,
                      "ingested_in": ingested_in},
            check_results=[*_check_results(result), _shrink_result(spec.source_id, shrink)],
        )

    return _source_asset


def ahead_jobs(context: dg.AssetExecutionContext, settings: LandscapeSettings) -> list[ingest_ahead.Job]:
    """Return the run's sources the ingest-ahead worker may take, in the order the run's steps take them,
    except that a source others are built on comes last, so the worker (which starts at the back) takes it
    first and its dependents' upstream is ready early. Left to their steps: a live fetch (it retries there)
    and a source built on another's table (it reads the staged upstream)."""
    from landscape_pipeline.sources.registry import all_sources

    specs = all_sources(settings.sources_dir())
    selected = context.run.asset_selection or set(context.job_def.asset_layer.executable_asset_keys)
    upstream = {dep for spec in specs.values() for dep in spec.depends_on}
    jobs = []
    for source_id, spec in sorted(specs.items(), key=lambda item: source_asset_key(item[0]).to_user_string()):
        if spec.depends_on or settings.is_live(source_id) or source_asset_key(source_id) not in selected:
            continue
        files = spec.bundled_files(settings.sources_dir())
        if files:
            jobs.append(ingest_ahead.Job(source_id, settings.sources_dir(), tuple(files)))
    return sorted(jobs, key=lambda job: job.source_id in upstream)


def _files(context: dg.AssetExecutionContext, spec: SourceSpec, settings: LandscapeSettings) -> list:
    """Return the source's files; retry only a transient network fault of a live fetch."""
    try:
        return resolve_files(spec, settings)
    except FetchError as exc:
        if exc.transient and context.retry_number < settings.live_retries:
            wait = settings.live_retry_seconds * 2 ** context.retry_number * random.uniform(0.75, 1.25)
            context.log.warning(f"{spec.source_id}: {exc} Retrying in {wait:.0f} s.")
            raise dg.RetryRequested(max_retries=settings.live_retries, seconds_to_wait=wait) from exc
        raise dg.Failure(description=f"{spec.source_id}: {exc}", allow_retries=False) from None
    except LandscapeError as exc:
        raise dg.Failure(description=f"{spec.source_id}: {exc}", allow_retries=False) from None


def _shrink_result(source_id: str, shrink: ShrinkCheck | None) -> dg.AssetCheckResult:
    if shrink is None:
        return dg.AssetCheckResult(check_name=SHRINK_CHECK, passed=False,
                                   description="Not evaluated: the source failed validation.")
    return dg.AssetCheckResult(check_name=SHRINK_CHECK, passed=not shrink.refused, metadata=shrink.metadata(),
                               description=shrink.text(source_id))


def _metadata(result: IngestResult, staged) -> dict[str, object]:
    frame = result.frame
    return {
        **ui.table_metadata(frame),
        "rows": len(frame),
        "indicators": int(frame["indicator_id"].nunique()),
        "areas": int(frame["area_code"].nunique()),
        "periods": int(frame["period_label"].nunique()),
        "synthetic": bool(frame["synthetic"].any()) if len(frame) else False,
        "files": [f.name for f in result.files],
        "staged_path": dg.MetadataValue.path(str(staged)),
        **{f"parser_{name}": json.loads(json.dumps(value, default=str)) for name, value in result.notes.items()},
    }


def _check_results(result: IngestResult) -> list[dg.AssetCheckResult]:
    if result.error is not None:
        message = str(result.error)
        meta = {"error": message}
        return [dg.AssetCheckResult(check_name=GX_CHECK, passed=False, metadata=meta, description=message),
                dg.AssetCheckResult(check_name=DISCLOSURE_CHECK, passed=False, metadata=meta,
                                    description="Not evaluated: the source could not be read.")]
    gx_meta = ui.gx_metadata(result.report.metadata()) if result.report else {}
    leaks = result.leaks
    columns = ["indicator_id", "area_code", "period_label", "count"]
    sample = leaks.head(5)[columns].to_dict("records") if len(leaks) else []
    return [
        dg.AssetCheckResult(check_name=GX_CHECK, passed=result.valid, metadata=gx_meta),
        dg.AssetCheckResult(check_name=DISCLOSURE_CHECK, passed=result.disclosure_ok,
                            metadata={"leaking_rows": len(leaks), "sample": sample, **result.disclosure,
                                      "leaks": ui.records_markdown(sample, total=len(leaks))}),
    ]


def source_assets(specs: dict[str, SourceSpec]) -> list[dg.AssetsDefinition]:
    """Return one asset per registered source."""
    return [build_source_asset(spec) for spec in specs.values()]

