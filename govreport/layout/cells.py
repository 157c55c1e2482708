"""Fill a grid's cells with the text whose centre falls inside them."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from govreport.ir import BBox, Cell, Table, TextSource
from govreport.layout.grid import Grid


@dataclass(frozen=True)
class Glyph:
    """A character (text layer) or a word (OCR) with its box."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float = 1.0


def _cell_text(glyphs: list[Glyph]) -> str:
    """Glyphs in reading order: lines top to bottom (by centre), left to right within a line."""
    if not glyphs:
        return ""
    ordered = sorted(glyphs, key=lambda g: (g.y0 + g.y1) / 2)
    lines: list[list[Glyph]] = []
    for g in ordered:
        cy = (g.y0 + g.y1) / 2
        if lines:
            last = lines[-1]
            ly = sum((x.y0 + x.y1) / 2 for x in last) / len(last)
            height = max(x.y1 - x.y0 for x in last)
            if abs(cy - ly) < height * 0.5:
                last.append(g)
                continue
        lines.append([g])
    return "\n".join("".join(g.text for g in sorted(line, key=lambda g: g.x0)).strip() for line in lines).strip()


def fill_grid(grid: Grid, glyphs: list[Glyph], page: int, source: TextSource) -> tuple[Table, set[int]]:
    """The table for ``grid``, and the indices of the glyphs it consumed."""
    buckets: dict[int, list[Glyph]] = {}
    used: set[int] = set()
    gx0, gy0, gx1, gy1 = grid.bbox
    n_cols = len(grid.xs) - 1
    slot_cell: dict[int, int] = {}
    for k, c in enumerate(grid.cells):
        for r in range(c.row, c.row + c.row_span):
            for col in range(c.col, c.col + c.col_span):
                slot_cell[r * n_cols + col] = k
    for i, g in enumerate(glyphs):
        cx, cy = (g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2
        if not (gx0 <= cx <= gx1 and gy0 <= cy <= gy1):
            continue
        r = min(max(bisect_right(grid.ys, cy) - 1, 0), len(grid.ys) - 2)
        col = min(max(bisect_right(grid.xs, cx) - 1, 0), n_cols - 1)
        k = slot_cell.get(r * n_cols + col)
        if k is not None:
            buckets.setdefault(k, []).append(g)
            used.add(i)
    cells = []
    for k, c in enumerate(grid.cells):
        gs = buckets.get(k, [])
        conf = min((g.confidence for g in gs), default=1.0)
        cells.append(
            Cell(
                row=c.row,
                col=c.col,
                row_span=c.row_span,
                col_span=c.col_span,
                text=_cell_text(gs),
                page=page,
                bbox=BBox(x0=c.x0, y0=c.y0, x1=c.x1, y1=c.y1),
                confidence=conf,
                source=source,
            )
        )
    table = Table(
        n_rows=len(grid.ys) - 1,
        n_cols=len(grid.xs) - 1,
        cells=cells,
        pages=[page],
        bbox=BBox(x0=gx0, y0=gy0, x1=gx1, y1=gy1),
    )
    return table, used
