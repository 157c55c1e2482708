"""Column boundaries from text positions, where a grid's column ruling is missing wholly.

A faint column line that a 1-bit copy keeps only as a few dots, or a very light print, can be lost over the
whole height of a table: the grid then has a slot two columns wide, and in row after row that slot holds two
separate pieces of text (a label on the left, a number on the right; two numbers). Where most inked rows of
the slot agree on a wide empty stretch between their text, with text on both sides of it, the slot is cut
there; a slot that lost several column lines (a run of value columns) is cut at each such stretch.

    grid + text ink -> per column slot, per row band: text runs along x -> gaps shared by most rows -> segments

A title centred over the slot puts ink in the gap and so votes against the cut (a title running on into the next
slot, a merged header, does not vote). A cell the grid has spanning several slots votes for a cut where its text
leaves the gap and never against one (table 二's blocks, one grid, have a row of three value columns over rows of
one value spanning them; where a line is partly lost, the cells it would have parted span both slots). The cut
needs the agreement of most of the slot's voting rows and of at least ``MIN_ROWS`` rows with text on both sides.

A short table (table 四: a header and one row of values; table 二's first block) has fewer rows than that to go by.
There a slot at least ``WIDE_SLOT`` times the usual width of the table's other value columns, each of whose one or
two inked rows holds two pieces of text apart across its middle, is cut there: its column line was lost over the
table's height.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from govreport.layout.grid import Grid, Segment
from govreport.layout.textlines import runs
from govreport.layout.textrows import line_runs

AGREE_SHARE = 0.6  # share of a slot's inked rows that must have an empty stretch at a place for a cut there
MIN_ROWS = 3  # at least this many rows, each with text on both sides of it
MIN_GAP_LINES = 1.5  # the empty stretch is at least this many text-line heights wide
WORD_GAP_LINES = 0.8  # gaps narrower than this (in text-line heights) join the characters of one piece of text
MIN_PIECE_LINES = 0.3  # a piece of text at least this wide (else a speck of noise)
MIN_PIECE_INK = 0.08  # ... and this inked
WIDE_SLOT = 1.6  # a slot this many times the median column width may be cut on the word of fewer rows ...
MIDDLE = (0.3, 0.7)  # ... at a gap around its middle (this share of its width from its left edge)


def _line_height(grid: Grid, text_ink: np.ndarray, px: float, inset: int) -> float:
    heights: list[int] = []
    for y0, y1 in pairwise(grid.ys):
        for x0, x1 in pairwise(grid.xs):
            ink = text_ink[int(y0) + inset: int(y1) - inset, int(x0) + inset: int(x1) - inset]
            if ink.size:
                heights += [b - a for a, b in line_runs(ink, px)]
    return float(np.median(heights)) if heights else 0.0


def _pieces(ink: np.ndarray, text_h: float) -> list[tuple[int, int]]:
    """Runs of text along x (characters a word gap apart joined), without specks of noise: wide enough and with
    the ink of characters (at least ``MIN_PIECE_INK`` of a text line's box over the piece)."""
    prof = (ink > 0).sum(axis=0)
    prof[prof < 2] = 0
    return [(a, b) for a, b in runs(prof, max(1, round(WORD_GAP_LINES * text_h)))
            if b - a >= MIN_PIECE_LINES * text_h and prof[a:b].sum() >= MIN_PIECE_INK * text_h * (b - a)]


def columns_from_text(grid: Grid, text_ink: np.ndarray, dpi: float, min_cell: float) -> list[Segment]:
    """Vertical segments where the text of most rows of a column slot says a column ends (at least ``min_cell``
    from the slot's boundaries)."""
    px = dpi / 72.0
    inset = max(2, round(1.5 * px))
    text_h = _line_height(grid, text_ink, px, inset)
    if text_h <= 0:
        return []
    widths = np.diff(grid.xs)
    median_w = float(np.median(widths))
    # Slots of cells spanning several columns (a block's title, a value across a block of other columns, two values
    # a partly lost line left in one cell): their text is evidence for a line inside the span where it leaves a gap
    # there, and no evidence against one where it does not, wherever it happens to lie.
    spanned = {(r, c) for cell in grid.cells if cell.col_span > 1
               for r in range(cell.row, cell.row + cell.row_span) for c in range(cell.col, cell.col + cell.col_span)}
    out: list[Segment] = []
    for ci, (x0, x1) in enumerate(pairwise(grid.xs)):
        left, right = int(x0) + inset, int(x1) - inset
        if right - left < 2 * min_cell:
            continue
        rows = []  # (y0, y1, pieces in page x, whether a cell spanning several slots holds them)
        for ri, (y0, y1) in enumerate(pairwise(grid.ys)):
            ink = text_ink[int(y0) + inset: int(y1) - inset, left:right]
            if ink.size == 0:
                continue
            pieces = [(left + a, left + b) for a, b in _pieces(ink, text_h)]
            # Text running into the slot's edge belongs to a cell spanning more slots (a title over the
            # table): no evidence either way.
            if pieces and pieces[0][0] > left + 1 and pieces[-1][1] < right - 1:
                rows.append((y0, y1, pieces, (ri, ci) in spanned))
        # Each row's wide gaps between pieces; a cut holds where it falls in most rows' gaps.
        gaps = [(y0, y1, [(a[1], b[0]) for a, b in pairwise(pieces) if b[0] - a[1] >= MIN_GAP_LINES * text_h], sp)
                for y0, y1, pieces, sp in rows]
        few = sum(not sp or bool(gs) for _, _, gs, sp in gaps) < MIN_ROWS  # (a spanning cell without a gap: no row)
        # (the usual width is the other value slots': a wide label column beside them is no measure)
        others = [float(w) for j, w in enumerate(widths) if j not in (0, ci)]
        if few and not (rows and x1 - x0 >= WIDE_SLOT * (float(np.median(others)) if others else median_w)):
            continue
        # Each cut in the middle of the stretch all its agreeing rows leave empty; a slot may have lost more
        # than one column line (a run of value columns), so cuts are taken best first until none is left.
        cuts: list[tuple[int, float, float, list[tuple[float, float]]]] = []
        for x in sorted({(g0 + g1) / 2 for _, _, gs, _ in gaps for g0, g1 in gs}):
            if x - x0 < min_cell or x1 - x < min_cell:
                continue
            # each row's gap around x, if any (a row's gaps do not overlap); the agreeing rows, and those voting
            around = [(y0, y1, next((g for g in gs if g[0] <= x <= g[1]), None), sp) for y0, y1, gs, sp in gaps]
            hits = [(y0, y1, g) for y0, y1, g, _ in around if g is not None]
            voters = sum(g is not None or not sp for _, _, g, sp in around)
            if few:
                if len(hits) < voters or not MIDDLE[0] <= (x - x0) / (x1 - x0) <= MIDDLE[1]:
                    continue
            elif len(hits) < MIN_ROWS or len(hits) < AGREE_SHARE * voters:
                continue
            lo, hi = max(g[0] for _, _, g in hits), min(g[1] for _, _, g in hits)
            if hi > lo:
                cuts.append((len(hits), lo, hi, [(y0, y1) for y0, y1, _ in hits]))
        taken: list[tuple[float, float]] = []
        for _, lo, hi, split in sorted(cuts, key=lambda c: -c[0]):
            at = (lo + hi) / 2
            if any(a - min_cell < at < b + min_cell for a, b in taken):
                continue
            taken.append((lo, hi))
            out += [Segment(at, y0, at, y1) for y0, y1 in split]
    return out
