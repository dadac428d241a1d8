"""Dagster definitions: source assets from the registry, the indicator table, baselines, automation."""

import warnings

# Single-run backfills are the point of the design; the parameter is labelled beta in Dagster 1.13.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` .* is currently in beta")
