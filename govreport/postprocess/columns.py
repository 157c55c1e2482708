"""Column context for scanned readings: a seal's strokes in a column printed blank.

Reports often print a whole applicant column of table 三 blank (the 法人或其他组织 block, or every column but 总计:
see the spec). Where a seal lies over such a column, its ring and lettering leave strokes in the blank cells under
it, and the recogniser reads them as short numbers (``1`` for a piece of the ring, ``7`` for an arc) at a middling
confidence. Such a reading is unlikely to be a number the document printed: every cell of the column clear of the
seal is blank. It is made unreadable (shown for review, its text kept), never a silent blank nor a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from govreport.postprocess.repair import CALIBRATED_THRESHOLD
from govreport.report import FieldValue, ValueStatus

COLUMN_SECTIONS = ("requests",)  # tables whose value columns run down many rows (table 三's applicant columns)
MIN_BLANK_CELLS = 8  # a column counts as printed blank where at least this many of its cells clear of seals ...
# (... are blank and none of them holds a number)


@dataclass(frozen=True)
class ColumnOptions:
    min_blank: int = MIN_BLANK_CELLS
    # readings at or above this confidence are kept whatever their column (the repair's confidence threshold)
    confident: float = CALIBRATED_THRESHOLD


def _column(key: str) -> tuple[str, str] | None:
    parts = key.split(".")
    return (parts[0], parts[-1]) if len(parts) == 3 and parts[0] in COLUMN_SECTIONS else None


def seal_strokes_in_blank_columns(fields: Mapping[str, FieldValue], opts: ColumnOptions | None = None) -> list[str]:
    """Keys of the numbers read under a seal, below ``opts.confident``, in a column whose cells clear of every seal
    are all printed blank (at least ``opts.min_blank`` of them)."""
    opts = opts or ColumnOptions()
    clear: dict[tuple[str, str], list[FieldValue]] = {}
    for key, f in fields.items():
        col = _column(key)
        if col is not None and not f.seal:
            clear.setdefault(col, []).append(f)
    blank_columns = {col for col, fs in clear.items()
                     if len(fs) >= opts.min_blank
                     and all(f.status is ValueStatus.READ and f.value is None for f in fs)}
    return [key for key, f in fields.items()
            if f.seal and _column(key) in blank_columns and f.status is ValueStatus.READ and f.value is not None
            and f.confidence < opts.confident]
