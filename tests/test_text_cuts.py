"""Row and column boundaries recovered from where the text sits (``layout.textrows``, ``layout.textcolumns``):
the cases where the text must not be taken for a lost ruling, and a short table that has few rows to go by."""

from __future__ import annotations

import numpy as np

from govreport.layout.grid import Grid
from govreport.layout.textcolumns import columns_from_text
from govreport.layout.textrows import rows_from_text

DPI = 144.0  # 2 pixels a point


def _text(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    ink[y0:y1, x0:x1] = 255


def test_a_wrapped_label_beside_blank_values_is_not_cut_into_rows():
    # One tall row of table 三 (under-ruled by its height alone): a label wrapped over three lines across the
    # three label slots, a single "0" in the first value column and dashes (flat: no text line) in the others.
    # The label's line gaps are the only gaps; without a value column's word they cut nothing.
    xs = [0.0, 40.0, 100.0, 200.0, 240.0, 280.0, 320.0, 360.0]
    ys = [0.0, 84.0]
    ink = np.zeros((84, 360), np.uint8)
    for top in (10, 34, 58):  # three 16-pixel lines, 8 pixels apart
        _text(ink, 8, top, 32, top + 16)
        _text(ink, 45, top, 95, top + 16)
        _text(ink, 105, top, 190, top + 16)
    _text(ink, 214, 34, 226, 50)  # the "0"
    for x in (250, 290, 330):
        _text(ink, x, 41, x + 16, 43)  # dashes
    assert rows_from_text(Grid(xs, ys, []), ink, DPI) == []


def test_stacked_values_still_cut_the_row():
    # The same row holding two rows' entries in its value columns (the ruling between them lost): cut.
    xs = [0.0, 40.0, 100.0, 200.0, 240.0, 280.0, 320.0, 360.0]
    ys = [0.0, 84.0]
    ink = np.zeros((84, 360), np.uint8)
    for top in (10, 58):
        _text(ink, 105, top, 190, top + 16)
        for x in (214, 254, 294, 334):
            _text(ink, x, top, x + 12, top + 16)
    segs = rows_from_text(Grid(xs, ys, []), ink, DPI)
    assert segs and all(26 <= s.y0 <= 58 for s in segs)
    assert {s.x0 for s in segs} >= {200.0, 240.0, 280.0, 320.0}


def _short_table(second_header_piece: bool) -> tuple[Grid, np.ndarray]:
    """Table 四's shape: a header row and one row of values, 30-point columns, one slot (x 120-240) that lost its
    column line: its header holds two titles side by side (or one centred title), its value row "6" and "0"."""
    xs = [0.0, 60.0, 120.0, 240.0, 300.0, 360.0]
    ys = [0.0, 40.0, 64.0]
    ink = np.zeros((64, 360), np.uint8)
    for x in (0, 60, 240, 300):
        _text(ink, x + 16, 12, x + 44, 28)
        _text(ink, x + 25, 44, x + 35, 60)
    if second_header_piece:
        _text(ink, 136, 12, 164, 28)
        _text(ink, 196, 12, 224, 28)
    else:
        _text(ink, 150, 12, 210, 28)  # a title centred over the slot
    _text(ink, 145, 44, 155, 60)
    _text(ink, 205, 44, 215, 60)
    return Grid(xs, ys, []), ink


def test_a_short_table_wide_slot_with_two_pieces_in_each_row_is_cut():
    grid, ink = _short_table(second_header_piece=True)
    segs = columns_from_text(grid, ink, DPI, 4.0)
    assert segs and all(164 < s.x0 < 196 for s in segs)
    assert {(s.y0, s.y1) for s in segs} == {(0.0, 40.0), (40.0, 64.0)}


def test_a_title_centred_over_a_wide_slot_keeps_it_whole():
    grid, ink = _short_table(second_header_piece=False)
    assert columns_from_text(grid, ink, DPI, 4.0) == []


def test_a_lost_column_line_in_one_block_of_a_grid_of_blocks_is_cut():
    """Seed-14 doc0019's table 二, one grid: the first block (信息内容 | 本年制发件数 | 本年废止件数 |
    现行有效件数) lost the line between its first two value columns over its three rows (`00`, `3011` read as one
    number), and the blocks below have one value spanning those columns, printed left of the lost line's place.
    Those spanning cells are no evidence against the cut: their text says nothing about a line inside their span."""
    from govreport.layout.grid import GridCell

    xs = [0.0, 120.0, 320.0, 420.0]
    ys = [0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 210.0]
    ink = np.zeros((210, 420), np.uint8)
    cells = [GridCell(0, 0, 1, 4, 0, 0, 420, 30)]  # the block's title across the table
    for r in (1, 2, 3):  # header and two rows: two pieces in the wide slot, apart across its middle
        cells += [GridCell(r, c, 1, 1, xs[c], ys[r], xs[c + 1], ys[r + 1]) for c in range(3)]
        _text(ink, 150, int(ys[r]) + 8, 190, int(ys[r]) + 22)
        _text(ink, 250, int(ys[r]) + 8, 290, int(ys[r]) + 22)
        _text(ink, 20, int(ys[r]) + 8, 90, int(ys[r]) + 22)
        _text(ink, 350, int(ys[r]) + 8, 390, int(ys[r]) + 22)
    for r in range(4, 7):  # rows of one value spanning the three value columns, set inside the wide slot
        cells += [GridCell(r, 0, 1, 1, 0, ys[r], 120, ys[r + 1]), GridCell(r, 1, 1, 2, 120, ys[r], 420, ys[r + 1])]
        _text(ink, 20, int(ys[r]) + 8, 90, int(ys[r]) + 22)
        _text(ink, 190, int(ys[r]) + 8, 280, int(ys[r]) + 22)
    segs = columns_from_text(Grid(xs, ys, cells), ink, DPI, 8.0)
    assert {round(s.x0) for s in segs} == {220} and sorted(s.y0 for s in segs) == [30.0, 60.0, 90.0]
    # The same rows as cells of the slot alone (a grid without the spans) still vote against it.
    plain = [c for c in cells if c.col_span == 1]
    plain += [GridCell(r, 1, 1, 1, 120, ys[r], 320, ys[r + 1]) for r in range(4, 7)]
    assert columns_from_text(Grid(xs, ys, plain), ink, DPI, 8.0) == []


def test_a_short_block_beside_a_wide_label_column_is_cut():
    """Seed-14 doc0017's table 二, its first block alone on a page (title, header, one row): 信息内容 wide, then a slot
    that lost its column line (本年制发件数 本年废止件数 side by side; 0 and 0), then 现行有效件数. Against the table's
    median width (the label column's) the slot is not wide; against the other value column it is twice as wide."""
    from govreport.layout.grid import GridCell

    xs = [0.0, 230.0, 500.0, 635.0]
    ys = [0.0, 20.0, 40.0, 60.0]
    ink = np.zeros((60, 635), np.uint8)
    cells = [GridCell(0, 0, 1, 3, 0, 0, 635, 20)]
    cells += [GridCell(r, c, 1, 1, xs[c], ys[r], xs[c + 1], ys[r + 1]) for r in (1, 2) for c in range(3)]
    _text(ink, 180, 4, 260, 16)  # the block's title (spanning)
    _text(ink, 90, 24, 140, 36)
    _text(ink, 30, 44, 50, 56)
    _text(ink, 265, 24, 335, 36)
    _text(ink, 390, 24, 465, 36)
    _text(ink, 298, 44, 304, 56)
    _text(ink, 430, 44, 436, 56)
    _text(ink, 530, 24, 605, 36)
    _text(ink, 565, 44, 571, 56)
    segs = columns_from_text(Grid(xs, ys, cells), ink, DPI, 8.0)
    assert segs and all(335 < s.x0 < 390 for s in segs) and sorted(s.y0 for s in segs) == [20.0, 40.0]


def test_cells_spanning_slots_whose_text_leaves_the_gap_vote_for_the_cut():
    """Seed-12 doc0038 (a 1-bit copy): where a column line is lost, the grid's cells span the slots it would have
    parted, and their two values apart across its place are the evidence for it (left out as spanning cells, table
    三 lost two value columns and table 四 one)."""
    from govreport.layout.grid import GridCell

    xs = [0.0, 120.0, 320.0, 420.0]
    ys = [0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0]
    ink = np.zeros((180, 420), np.uint8)
    cells = []
    for r in range(6):
        if r < 2:
            cells += [GridCell(r, c, 1, 1, xs[c], ys[r], xs[c + 1], ys[r + 1]) for c in range(3)]
        else:
            cells += [GridCell(r, 0, 1, 1, 0, ys[r], 120, ys[r + 1]), GridCell(r, 1, 1, 2, 120, ys[r], 420, ys[r + 1])]
        for x0, x1 in ((20, 90), (150, 190), (250, 290), (350, 390)):
            _text(ink, x0, int(ys[r]) + 8, x1, int(ys[r]) + 22)
    segs = columns_from_text(Grid(xs, ys, cells), ink, DPI, 8.0)
    assert {round(s.x0) for s in segs} == {220} and len(segs) == 6
