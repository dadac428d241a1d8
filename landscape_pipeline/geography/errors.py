"""Errors raised when an area code cannot be used where it was given."""

from __future__ import annotations


class AreaCodeError(ValueError):
    """An area code cannot be used where it was given."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class UnknownAreaCodeError(AreaCodeError):
    """The code is blank, unknown, or the wrong kind of area for the call."""


class RetiredAreaCodeError(AreaCodeError):
    """The code belonged to an LA that no longer exists; names its successor(s)."""

    def __init__(self, code: str, message: str, *, name: str, successors: tuple[str, ...], effective_date: str):
        self.name = name
        self.successors = successors
        self.effective_date = effective_date
        super().__init__(code, message)


class SplitAreaCodeError(RetiredAreaCodeError):
    """A retired code whose area is now divided between several current authorities."""
