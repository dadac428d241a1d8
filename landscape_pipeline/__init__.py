"""landscape_pipeline: per-local-authority baselines of the local cancer landscape."""

__version__ = "0.1.0"
