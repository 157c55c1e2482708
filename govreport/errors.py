"""Errors: bad input (the user's file is at fault) versus internal defects (ours)."""

from __future__ import annotations

from pathlib import Path


class GovreportError(Exception):
    """Base of every error govreport raises on purpose."""


class InputError(GovreportError):
    """The input cannot be processed: corrupt, encrypted, empty, wrong type, too large.

    The message always names the file and the reason, so a batch run can report it and go on.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NotAReportError(InputError):
    """The file is readable but is not a disclosure annual report (no standard table found)."""


class MissingDependencyError(GovreportError):
    """An optional tool (LibreOffice, an OCR engine) needed for this input is not installed."""

    def __init__(self, path: str | Path, what: str, hint: str) -> None:
        self.path = str(path)
        self.reason = f"{what} is needed for this file but is not installed ({hint})"
        super().__init__(f"{self.path}: {self.reason}")
