"""Reading order of the text lines found on a page."""

from __future__ import annotations

from govreport.ocr.base import PageLine


def reading_order(lines: list[PageLine]) -> list[PageLine]:
    """Top to bottom by visual line (boxes overlapping vertically by half the smaller height share a line),
    left to right within a line."""
    rows: list[list[PageLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        if rows and _same_row(rows[-1], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.box[0])]


def _same_row(row: list[PageLine], line: PageLine) -> bool:
    top = min(ln.box[1] for ln in row)
    bottom = max(ln.box[3] for ln in row)
    overlap = min(bottom, line.box[3]) - max(top, line.box[1])
    return overlap > 0.5 * min(bottom - top, line.box[3] - line.box[1])
