"""Undo merges that only a lost ruling made, from where the text sits.

A grid slot joins its neighbour when no line is found between them. In a 1-bit or thinned copy a ruling can
be lost over a stretch (only dots, or nothing, are left), and then whole rows of value cells merge: one "cell"
holds four zeros side by side, or two rows of numbers one above the other. Where a ruling of the grid runs on
elsewhere (the boundary exists), a merged cell is cut along it when the text says it is two cells: each side
holds text of its own, and no text comes near the boundary.

    grid + text ink -> per merged cell, per inner boundary: text on both sides, none across -> cut cells

A true merged cell fails the test: its title is centred over the boundary (text across it), or it sits in one
slot and leaves the other empty (a title over a column pair, a label beside empty slots of a tall cell).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np

from govreport.layout.grid import Grid, GridCell
from govreport.layout.textlines import ink_runs

MIN_LINE_PT = 3.0  # a text line at least this tall; dots of a lost ruling are less
MIN_PIECE_PT = 2.0  # a piece of text at least this wide (a thin "1")
JOIN_LINE_PT = 1.0  # gaps up to this high inside one text line
JOIN_PIECE_PT = 3.0  # gaps up to this wide inside one piece of text (the halves of a broken "0")
MIN_INK_PT2 = 4.0  # ... holding at least this much ink (square points: a thin "1" has 6-8; specks of noise 1)
CLEAR_PT = 2.0  # no text within this distance of a boundary that is cut (stacked characters sit closer)


def _text_runs(ink: np.ndarray, axis: int, px: float) -> list[tuple[int, int]]:
    """Runs of text across ``axis`` (0: along y, rows of ink; 1: along x), specks left out."""
    join, least = (JOIN_LINE_PT, MIN_LINE_PT) if axis == 0 else (JOIN_PIECE_PT, MIN_PIECE_PT)
    return ink_runs(ink, axis, max(1, round(join * px)), least * px, MIN_INK_PT2 * px * px)


def _cuts(bounds: list[float], lo: float, ink: np.ndarray, axis: int, px: float) -> list[int]:
    """Indices (into ``bounds``, the slot edges of one merged cell, ``lo`` its page offset along ``axis``) of
    the inner boundaries to cut: text on both sides, none within ``CLEAR_PT`` of it."""
    text = _text_runs(ink, axis, px)
    clear = CLEAR_PT * px
    out = []
    for i in range(1, len(bounds) - 1):
        at = bounds[i] - lo
        before = [r for r in text if r[1] <= at - clear and r[0] >= bounds[i - 1] - lo]
        after = [r for r in text if r[0] >= at + clear and r[1] <= bounds[i + 1] - lo]
        across = any(r[0] < at + clear and r[1] > at - clear for r in text)
        if before and after and not across:
            out.append(i)
    return out


def _pieces(first: int, span: int, cuts: list[int]) -> list[tuple[int, int]]:
    """(start, span) of the parts of ``first .. first + span`` after cutting at the (relative) ``cuts``."""
    edges = [0, *cuts, span]
    return [(first + a, b - a) for a, b in pairwise(edges)]


def _split(grid: Grid, c: GridCell, text_ink: np.ndarray, px: float, inset: int) -> list[GridCell]:
    """``c`` cut where its text says; each part is looked at again on its own (a row of four values merged with
    the row below is cut into rows, then each row into its values)."""
    if c.row_span == 1 and c.col_span == 1:
        return [c]
    X0, X1 = int(c.x0) + inset, int(c.x1) - inset
    Y0, Y1 = int(c.y0) + inset, int(c.y1) - inset
    ink = text_ink[max(Y0, 0):max(Y1, 0), max(X0, 0):max(X1, 0)]
    if ink.size == 0:
        return [c]
    row_cuts = _cuts(grid.ys[c.row: c.row + c.row_span + 1], Y0, ink, 0, px) if c.row_span > 1 else []
    col_cuts = [] if row_cuts or c.col_span == 1 else _cuts(grid.xs[c.col: c.col + c.col_span + 1], X0, ink, 1, px)
    if not row_cuts and not col_cuts:
        return [c]
    out: list[GridCell] = []
    for r, rs in _pieces(c.row, c.row_span, row_cuts) if row_cuts else [(c.row, c.row_span)]:
        for k, ks in _pieces(c.col, c.col_span, col_cuts) if col_cuts else [(c.col, c.col_span)]:
            part = GridCell(r, k, rs, ks, grid.xs[k], grid.ys[r], grid.xs[k + ks], grid.ys[r + rs])
            out += _split(grid, part, text_ink, px, inset)
    return out


def split_merged(grid: Grid, text_ink: np.ndarray, dpi: float) -> Grid:
    """``grid`` with each merged cell cut along the inner boundaries its text shows it does not span."""
    px = dpi / 72.0
    inset = max(2, round(1.5 * px))
    cells = [part for c in grid.cells for part in _split(grid, c, text_ink, px, inset)]
    if len(cells) == len(grid.cells):
        return grid
    cells.sort(key=lambda g: (g.row, g.col))
    return replace(grid, cells=cells)
