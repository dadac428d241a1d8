"""Validation of canonical indicator tables with Great Expectations 1.x (GX Core, ephemeral)."""

from landscape_pipeline.validation.runner import Failure, ValidationReport, validate_frame

__all__ = ["Failure", "ValidationReport", "validate_frame"]
