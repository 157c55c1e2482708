"""Column lines of a one-row table fragment: the last row of a table pushed onto the next page (or a short faint
table whose rows are each such a fragment to the column-line filter), alone or sitting on a grid's edge.

The column-line filter needs a vertical run longer than a stroke of table text (about 17 pt), so that text is not
taken for rulings. A single ruled row is often shorter than that (12-16 pt), and then its column lines are lost
and no grid is found: table 三's "四、结转下年度继续办理" row at the top of a page disappears.

    long row lines outside any grid (and grids' top and bottom edges) -> pairs a row's height apart, one of them
    outside every grid -> ink columns crossing the band whole -> segments

Inside such a band a column line runs from one row line to the other; a character's stroke stops short of both
(a cell's padding), so a column counts only where ink fills nearly the band's whole height.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from govreport.layout.grid import Grid, Segment
from govreport.layout.textlines import runs

ROW_PT = (8.0, 24.0)  # a lone row's height: more than a doubled line, less than the column-line filter's reach
LONG_SHARE = 0.4  # row lines at least this share of the longest row line on the page
OVERLAP = 0.9  # the two row lines of one row share this much of their length
FILL = 0.9  # a column line fills this share of the band's height
MIN_COLUMNS = 3  # a fragment worth a grid: at least this many column lines (both ends and one inside)


def row_fragment_columns(ink: np.ndarray, horizontals: list[Segment], grids: list[Grid], dpi: float,
                         v_thin: np.ndarray | None = None) -> list[Segment]:
    """Vertical segments for the columns of lone ruled rows outside ``grids`` (``horizontals``: the page's row
    line segments, ``ink`` the binarised page; ``v_thin``, where given, the vertical thin-line response of the grey
    page: a faint column line the binariser broke up still fills its band there)."""
    px = dpi / 72.0
    if not horizontals:
        return []
    longest = max(h.x1 - h.x0 for h in horizontals)
    loose = [h for h in horizontals if h.x1 - h.x0 >= LONG_SHARE * longest
             and not any(g.xs[0] - 2 * px <= (h.x0 + h.x1) / 2 <= g.xs[-1] + 2 * px
                         and g.ys[0] - 2 * px <= h.y0 <= g.ys[-1] + 2 * px for g in grids)]
    # A grid's top and bottom edges pair with a loose line too: a table continued on the next page whose first row
    # (its top ruling found, its column lines too short for the filter) sits on the rest of the table.
    edges = [Segment(g.xs[0], y, g.xs[-1], y) for g in grids for y in (g.ys[0], g.ys[-1])]
    lines = sorted([(h, True) for h in loose] + [(e, False) for e in edges], key=lambda t: t[0].y0)
    out: list[Segment] = []
    for (top, top_loose), (bottom, bottom_loose) in pairwise(lines):
        if not (top_loose or bottom_loose):
            continue
        height = bottom.y0 - top.y0
        if not ROW_PT[0] * px <= height <= ROW_PT[1] * px:
            continue
        x0, x1 = max(top.x0, bottom.x0), min(top.x1, bottom.x1)
        if x1 - x0 < OVERLAP * max(top.x1 - top.x0, bottom.x1 - bottom.x0):
            continue
        # the band between the two lines, a pixel or two off each (the lines' own thickness)
        y0, y1 = int(top.y0 + 2), int(bottom.y0 - 1)
        if y1 - y0 < 3:
            continue
        band = ink[y0:y1, int(x0) - 2: int(x1) + 3] > 0
        cols = _filled_columns(band, int(x0) - 2)
        if len(cols) < MIN_COLUMNS and v_thin is not None:
            # Too few in the binarised ink: a faint table's column lines, broken up there, fill the band in the
            # thin-line response (not tried first: its smoothing along the line stretches the strokes of a
            # lone row's characters over the band too).
            cols = _filled_columns(band | (v_thin[y0:y1, int(x0) - 2: int(x1) + 3] > 0), int(x0) - 2)
        if len(cols) < MIN_COLUMNS:
            continue
        out += [Segment(x, top.y0, x, bottom.y0) for x in cols]
        # (the grid's edge stays a row line: it may have been only where the grid's column lines ended)
        out += [e for e, is_loose in ((top, top_loose), (bottom, bottom_loose)) if not is_loose]
    return out


def spanned_row_columns(ink: np.ndarray, grids: list[Grid], dpi: float, min_gap: float) -> list[Segment]:
    """Column lines inside a grid's one-row cells that span several slots or the grid's width: a table continued on
    the next page whose first row (three values under one heading) sits on blocks of fewer columns, so its column
    lines, one row tall, are too short for the filter and no other row puts a boundary there ("0 8 142" read as one
    number). A line counts where ink fills nearly the cell's whole height between its row lines (text keeps a
    padding off both) and lies ``min_gap`` inside the cell's sides."""
    px = dpi / 72.0
    out: list[Segment] = []
    for g in grids:
        for c in g.cells:
            if c.row_span != 1 or not ROW_PT[0] * px <= c.y1 - c.y0 <= ROW_PT[1] * px or c.x1 - c.x0 < 2 * min_gap:
                continue
            y0, y1, left = int(c.y0 + 2), int(c.y1 - 1), int(c.x0)
            cols = _filled_columns(ink[y0:y1, left: int(c.x1)] > 0, left)
            out += [Segment(x, c.y0, x, c.y1) for x in cols if c.x0 + min_gap <= x <= c.x1 - min_gap]
    return out


def _filled_columns(band: np.ndarray, left: int) -> list[float]:
    """Page x of the pixel columns that ink fills over ``FILL`` of a band's height (``left``: the band's x)."""
    full = band.mean(axis=0) >= FILL
    return [left + (a + b - 1) / 2 for a, b in runs(full.astype(np.int32), 1)]
