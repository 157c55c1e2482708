"""Column context for scanned readings under seals: a seal's strokes in a column printed blank, a blank mark in a
column of numbers.

Reports often print a whole applicant column of table 三 blank (the 法人或其他组织 block, or every column but 总计:
see the spec). Where a seal lies over such a column, its ring and lettering leave strokes in the blank cells under
it, and the recogniser reads them as short numbers (``1`` for a piece of the ring, ``7`` for an arc) at a middling
confidence. Such a reading is unlikely to be a number the document printed: every cell of the column clear of the
seal is blank. It is made unreadable (shown for review, its text kept), never a silent blank nor a number.

The other way round, a blank mark read under a seal (``/`` for a 1 whose stroke the ring cut, a dash for a 0's
remnant) in a column whose cells clear of the seal all hold numbers is as unlikely to be printed: a report prints its
blanks by whole columns, not one cell under its seal. It is unreadable too, for the relations to imply.
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


def _printed_columns(fields: Mapping[str, FieldValue], min_cells: int) -> dict[tuple[str, str], bool]:
    """The columns with at least ``min_cells`` cells clear of every seal, all read alike: True where all are printed
    blank, False where all hold numbers (a column of both, or with an unreadable cell, is left out)."""
    clear: dict[tuple[str, str], list[FieldValue]] = {}
    for key, f in fields.items():
        col = _column(key)
        if col is not None and not f.seal:
            clear.setdefault(col, []).append(f)
    out = {}
    for col, fs in clear.items():
        if len(fs) < min_cells or any(f.status is not ValueStatus.READ for f in fs):
            continue
        blanks = {f.value is None for f in fs}
        if len(blanks) == 1:
            out[col] = blanks.pop()
    return out


def doubtful_under_seals(fields: Mapping[str, FieldValue], opts: ColumnOptions | None = None) -> list[str]:
    """Keys of the readings under a seal that their column contradicts: a number read below ``opts.confident`` in
    a column whose cells clear of every seal are all printed blank, and a blank mark (``/``, a dash) in a column whose
    cells clear of every seal all hold numbers (at least ``opts.min_blank`` of them either way)."""
    opts = opts or ColumnOptions()
    printed_blank = _printed_columns(fields, opts.min_blank)

    def contradicted(f: FieldValue, col: tuple[str, str] | None) -> bool:
        if col not in printed_blank:
            return False
        if f.value is not None:
            return f.confidence < opts.confident and printed_blank[col]
        return bool(f.raw_text.strip()) and not printed_blank[col]

    return [key for key, f in fields.items()
            if f.seal and f.status is ValueStatus.READ and contradicted(f, _column(key))]
