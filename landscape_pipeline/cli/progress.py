"""A compact progress display for in-process Dagster runs started by ``landscape build``."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_SHOWN_EVENTS = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED", "ASSET_CHECK_EVALUATION"}


class ProgressHandler(logging.Handler):
    """Print one line per step start/finish, check result and asset log message."""

    def __init__(self, stream=None) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        elapsed = f"{time.perf_counter() - self.started:6.1f}s"
        if event is None:
            if record.levelno >= logging.INFO and meta.get("orig_message"):
                self._print(f"{elapsed}  {step:<28} {meta['orig_message']}")
            return
        kind = event.event_type_value
        if kind not in _SHOWN_EVENTS:
            return
        if kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            state = "passed" if data.passed else "FAILED"
            self._print(f"{elapsed}  {step:<28} check {data.check_name}: {state}")
            return
        word = {"STEP_START": "started", "STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED",
                "STEP_SKIPPED": "skipped (an upstream check failed)"}[kind]
        self._print(f"{elapsed}  {step:<28} {word}")
        if kind == "STEP_FAILURE":
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                self._print(f"{'':8}  {error.cls_name}: {error.message.strip()}")

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


@dg.logger(description="Compact progress lines for the landscape CLI.")
def progress_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
    """Return a logger that prints :class:`ProgressHandler` lines."""
    logger = logging.getLogger("landscape.progress")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    if not any(isinstance(h, ProgressHandler) for h in logger.handlers):
        logger.addHandler(ProgressHandler())
    return logger
