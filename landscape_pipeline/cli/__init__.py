"""The ``landscape`` command-line interface."""

from landscape_pipeline.cli.main import entry_point, main

__all__ = ["entry_point", "main"]
