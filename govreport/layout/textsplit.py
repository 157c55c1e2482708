"""Undo merges that only a lost ruling made, from where the text sits.

A grid slot joins its neighbour when no line is found between them. In a 1-bit or thinned copy a ruling can
be lost over a stretch (only dots, or nothing, are left), and then whole rows of value cells merge: one "cell"
holds four zeros side by side, or two rows of numbers one above the other. Where a ruling of the grid runs on
elsewhere (the boundary exists), a merged cell is cut along it when the text says it is two cells: each side
holds text of its own, and no text comes near the boundary.

    grid + text ink -> per merged cell, per inner boundary: text on both sides, none across -> cut cells

A true merged cell fails the test: its title is centred over the boundary (text across it), or it sits in one
slot and leaves the other empty (a title over a column pair, a label beside empty slots of a tall cell).

Under a seal the text test cannot see the cell's text apart (the ring, star and lettering run across the
boundary), so there a small merge below the header is cut where the grid's line runs on at its sides
(:func:`cut_under_seals`). So is a small merge below the header that holds no text at all: blank value cells
(their dashes lost with the faint ruling between them) give the text test nothing to go by either.
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


def _parts(grid: Grid, c: GridCell, row_cuts: list[int], col_cuts: list[int]) -> list[GridCell]:
    """``c`` cut at the (relative) row and column boundaries given: the parts, rows first."""
    return [GridCell(r, k, rs, ks, grid.xs[k], grid.ys[r], grid.xs[k + ks], grid.ys[r + rs])
            for r, rs in _pieces(c.row, c.row_span, row_cuts) for k, ks in _pieces(c.col, c.col_span, col_cuts)]


def _with_cells(grid: Grid, cells: list[GridCell]) -> Grid:
    """``grid`` itself where no cell was cut, else a copy with ``cells`` in reading order."""
    if len(cells) == len(grid.cells):
        return grid
    return replace(grid, cells=sorted(cells, key=lambda g: (g.row, g.col)))


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
    return [piece for part in _parts(grid, c, row_cuts, col_cuts) for piece in _split(grid, part, text_ink, px, inset)]


def split_merged(grid: Grid, text_ink: np.ndarray, dpi: float) -> Grid:
    """``grid`` with each merged cell cut along the inner boundaries its text shows it does not span."""
    px = dpi / 72.0
    inset = max(2, round(1.5 * px))
    return _with_cells(grid, [part for c in grid.cells for part in _split(grid, c, text_ink, px, inset)])


SEAL_CUT_MAX_SPAN = 4  # a merge a seal made spans at most this many rows and columns (a title spans more; four
# value columns merged under a ring on a 1-bit copy, doc0038)
SEAL_CUT_ROUNDS = 4  # cutting is repeated (a cut cell can be the side another merged cell needed) this often at most


def _owners(cells: list[GridCell], n_rows: int, n_cols: int) -> list[list[int]]:
    """For each slot (row, column) the index of the cell covering it (-1: none)."""
    owner = [[-1] * n_cols for _ in range(n_rows)]
    for i, c in enumerate(cells):
        for r in range(c.row, c.row + c.row_span):
            for k in range(c.col, c.col + c.col_span):
                owner[r][k] = i
    return owner


def _transposed(c: GridCell) -> GridCell:
    return GridCell(c.col, c.row, c.col_span, c.row_span, c.y0, c.x0, c.y1, c.x1)


def _row_cuts(owner: list[list[int]], cells: list[GridCell], c: GridCell, peers: set[int]) -> list[int]:
    """Inner row boundaries of ``c`` (relative to its first row) that the grid has at both of its sides. A side
    is *open* where the table ends or where one taller cell covers it (a label beside two value rows: it neither
    shows nor denies the line); a neighbour merged the same way under the seal (``peers``) is looked past. A
    boundary is cut when neither side hides it and at least one shows it."""
    n_cols = len(owner[0])

    def side(r: int, k: int, step: int) -> str:
        while 0 <= k < n_cols:
            above, here = owner[r - 1][k], owner[r][k]
            if above < 0 or here < 0:  # a slot no cell covers: nothing to go by
                return "hidden"
            if above != here:
                return "shown"
            o = cells[here]
            if o.row <= c.row and c.row + c.row_span <= o.row + o.row_span and o.row_span > c.row_span:
                return "open"
            if here not in peers or (o.row, o.row_span) != (c.row, c.row_span):
                return "hidden"
            k = o.col - 1 if step < 0 else o.col + o.col_span
        return "open"

    out = []
    for r in range(c.row + 1, c.row + c.row_span):
        sides = (side(r, c.col - 1, -1), side(r, c.col + c.col_span, 1))
        if "hidden" not in sides and "shown" in sides:
            out.append(r - c.row)
    return out


def _body_start(owner: list[list[int]], cells: list[GridCell]) -> int:
    """The first row whose right half is single cells (a row of values): the header above it has titles of
    one height side by side (table 四's, table 三's "自然人") that a line beside them would seem to cut."""
    n_cols = len(owner[0])
    for r, slots in enumerate(owner):
        if all(i >= 0 and (cells[i].row, cells[i].row_span, cells[i].col_span) == (r, 1, 1)
               for i in slots[n_cols // 2:]):
            return r
    return len(owner)


def cut_under_seals(grid: Grid, seals: list[tuple[float, float, float, float]],
                    text_ink: np.ndarray | None = None, dpi: float = 72.0) -> Grid:
    """``grid`` with small merged cells under a seal cut along the boundaries that run on at their sides: the
    seal's ring, star and lettering hid a stretch of ruling there (and their strokes keep the text test of
    :func:`split_merged` from seeing the cell's text apart). Only below the header: a title spans more slots
    or sits in the header, and is left. Given the page's ``text_ink`` (at ``dpi``), a small merge below the
    header with no text in it is cut the same way, wherever it is: a faint ruling lost between blank cells."""
    for _ in range(SEAL_CUT_ROUNDS):
        cut = _cut_once(grid, seals, text_ink, dpi / 72.0)
        if cut is grid:
            break
        grid = cut
    return grid


def _holds_text(c: GridCell, text_ink: np.ndarray, px: float) -> bool:
    """Whether the inside of ``c`` holds a line of text (a dash, dots of a ruling and specks are not one)."""
    inset = max(2, round(1.5 * px))
    ink = text_ink[max(int(c.y0) + inset, 0):max(int(c.y1) - inset, 0),
                   max(int(c.x0) + inset, 0):max(int(c.x1) - inset, 0)]
    return ink.size > 0 and bool(_text_runs(ink, 0, px))


def _cut_once(grid: Grid, seals: list[tuple[float, float, float, float]], text_ink: np.ndarray | None,
              px: float) -> Grid:
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    owner = _owners(grid.cells, n_rows, n_cols)
    flipped = [_transposed(c) for c in grid.cells]
    owner_t = _owners(flipped, n_cols, n_rows)
    body = _body_start(owner, grid.cells)
    peers = {i for i, c in enumerate(grid.cells)
             if c.row >= body and c.row_span * c.col_span > 1 and max(c.row_span, c.col_span) <= SEAL_CUT_MAX_SPAN
             and (any(c.x0 < x1 and x0 < c.x1 and c.y0 < y1 and y0 < c.y1 for x0, y0, x1, y1 in seals)
                  or (text_ink is not None and not _holds_text(c, text_ink, px)))}
    if not peers:
        return grid
    cells: list[GridCell] = []
    for i, c in enumerate(grid.cells):
        rows = _row_cuts(owner, grid.cells, c, peers) if i in peers else []
        cols = _row_cuts(owner_t, flipped, flipped[i], peers) if i in peers else []
        cells += _parts(grid, c, rows, cols)
    return _with_cells(grid, cells)
