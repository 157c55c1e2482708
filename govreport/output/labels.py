"""A report in the benchmark label format (``disclosure-report-labels/1``) plus its flags."""

from __future__ import annotations

from typing import Any

from govreport.report import LABEL_FORMAT, Report, ValueStatus


def to_labels(report: Report) -> dict[str, Any]:
    cells: dict[str, int | float | None] = {}
    for key, fv in report.fields.items():
        cells[key] = None if fv.status is ValueStatus.UNREADABLE else fv.value
    return {
        "format": LABEL_FORMAT,
        "template": report.template,
        "agency": report.agency,
        "year": report.year,
        "cells": cells,
        "flags": list(report.flags),
    }
