"""Dagster definitions: source assets from the registry, the indicator table, baselines, automation."""
