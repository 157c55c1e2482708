"""Row boundaries from text positions, where a grid's row rulings are missing.

A 1-bit or badly thinned copy can lose its row lines altogether while the column lines survive in
pieces: the grid then has tall "rows" holding several table rows each. Inside such a band the value
columns show it plainly: each holds a stack of single-line entries at the same heights. Where most
inked columns of a band agree on the gaps between their text lines, the band is cut there.

    grid + text ink -> per band, per column: text-line runs -> gaps shared by most columns -> segments

Label cells alone never decide a cut (a label wraps over two lines inside one row); the cut needs the
agreement of most inked columns of the band, and where the table's right half (its values) has text in the band,
of one of its columns there: a row of blank values printed as dashes has no text lines, and leaves a wrapped label
the majority. (A table whose value columns all merged into one slot, their rulings lost, has only its labels to go
by.)

A well-ruled grid can lose one row ruling in every column (a faint 150 DPI copy): two data rows then make one
band twice a row's height. Only such tall bands of it are looked at, with a wider gap required (a row's padding
above and below), so a header's titles stacked a character a line stay whole.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from govreport.layout.grid import Grid, Segment
from govreport.layout.textlines import ink_runs

AGREE_SHARE = 0.6  # share of a band's inked columns whose text must break at a height for a cut there
MIN_COLUMNS = 3  # at least this many columns must agree
MIN_GAP = 0.4  # a gap between rows is at least this share of a text line's height
UNDER_RULED = 2.5  # a grid whose median row is this many text lines tall has lost row rulings
TALL_BAND = 1.7  # in a well-ruled grid, only a band this many times its median row's height is looked at
MIN_GAP_RULED = 0.6  # ... and its rows' gap is wider: a row's padding above and below (titles stack closer)


def line_runs(ink: np.ndarray, px: float) -> list[tuple[int, int]]:
    """[start, end) rows of the text lines in a cell's ink (specks and strokes shorter than 3 pt left out)."""
    return ink_runs(ink, 0, max(1, int(1.0 * px)), 3.0 * px)


def rows_from_text(grid: Grid, text_ink: np.ndarray, dpi: float) -> list[Segment]:
    """Horizontal segments where the text of most columns of a tall band says a row ends.

    In an under-ruled grid (its typical row is several text lines tall) every band is looked at; in a
    well-ruled one only bands ``TALL_BAND`` times its median row, whose entries must lie ``MIN_GAP_RULED``
    text lines apart (stacked column titles of a header sit closer and stay whole)."""
    px = dpi / 72.0
    inset = max(2, round(1.5 * px))
    bands: list[tuple[int, int, list[tuple[float, float, list[tuple[int, int]]]]]] = []
    line_heights: list[int] = []
    for y0, y1 in pairwise(grid.ys):
        Y0, Y1 = int(y0) + inset, int(y1) - inset
        cols = []
        for x0, x1 in pairwise(grid.xs):
            X0, X1 = int(x0) + inset, int(x1) - inset
            if X1 - X0 < 3 or Y1 - Y0 < 3:
                continue
            lines = line_runs(text_ink[Y0:Y1, X0:X1], px)
            if lines:
                cols.append((x0, x1, [(Y0 + a, Y0 + b) for a, b in lines]))
                line_heights += [b - a for a, b in lines]
        bands.append((Y0, Y1, cols))
    if not line_heights:
        return []
    text_h = float(np.median(line_heights))
    mid = (grid.xs[0] + grid.xs[-1]) / 2
    row_h = float(np.median([y1 - y0 for y0, y1 in pairwise(grid.ys)]))
    # A well-ruled grid: only its tall bands (two rows whose ruling is lost in every column) are looked at.
    under_ruled = row_h >= UNDER_RULED * text_h
    least, min_gap = (0.0, MIN_GAP) if under_ruled else (TALL_BAND * row_h, MIN_GAP_RULED)
    out: list[Segment] = []
    for y0, y1, cols in bands:
        if y1 - y0 < least or len(cols) < MIN_COLUMNS or not any(len(lines) > 1 for _, _, lines in cols):
            continue
        # Between entries of successive rows the gap is a row's padding and ruling (half a line or more);
        # between the characters of a title stacked in a column it is a small fraction of a line.
        gaps_per_col = [(x0, x1, [(a[1], b[0]) for a, b in pairwise(lines) if b[0] - a[1] >= min_gap * text_h])
                        for x0, x1, lines in cols]
        # Candidate cut heights: every gap's middle; a cut holds where it falls inside most columns' gaps.
        candidates = sorted((g0 + g1) / 2 for _, _, gaps in gaps_per_col for g0, g1 in gaps)
        values = [x0 for x0, _, _ in cols if x0 >= mid]  # inked columns of the table's right half
        taken: list[float] = []
        for y in candidates:
            if any(abs(y - t) < text_h for t in taken):
                continue
            agree = [(x0, x1) for x0, x1, gaps in gaps_per_col if any(g0 <= y <= g1 for g0, g1 in gaps)]
            if (len(agree) >= MIN_COLUMNS and len(agree) >= AGREE_SHARE * len(cols)
                    and (not values or any(x0 >= mid for x0, _ in agree))):
                taken.append(y)
                out += [Segment(x0, y, x1, y) for x0, x1 in agree]
    return out
