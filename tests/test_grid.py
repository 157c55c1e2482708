"""Grid finding from ruling segments: spans, page-break open edges, separate tables."""

from govreport.layout.grid import Segment, find_grids


def _h(y, x0, x1):
    return Segment(x0, y, x1, y)


def _v(x, y0, y1):
    return Segment(x, y0, x, y1)


def test_merged_cells_from_missing_lines():
    # 3 columns x 3 rows; the left column's cell spans rows 1-2 (no rule at y=20 for x in [0, 10]),
    # and the top row spans all columns (no verticals at x=10, 20 above y=10).
    segs = [_h(0, 0, 30), _h(10, 0, 30), _h(20, 10, 30), _h(30, 0, 30),
            _v(0, 0, 30), _v(30, 0, 30), _v(10, 10, 30), _v(20, 10, 30)]
    [g] = find_grids(segs)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in g.cells}
    assert spans == {(0, 0): (1, 3), (1, 0): (2, 1), (1, 1): (1, 1), (1, 2): (1, 1), (2, 1): (1, 1), (2, 2): (1, 1)}


def test_broken_line_pieces_are_joined():
    segs = [_h(0, 0, 14), _h(0, 15.5, 30), _h(10, 0, 30), _v(0, 0, 10), _v(30, 0, 10), _v(15, 0, 4.5), _v(15, 6, 10)]
    [g] = find_grids(segs)
    assert [(c.row, c.col, c.col_span) for c in g.cells] == [(0, 0, 1), (0, 1, 1)]


def test_table_open_at_page_bottom_keeps_its_last_row():
    # verticals run to y=40 but the last horizontal rule (the page break) is missing
    segs = [_h(0, 0, 20), _h(20, 0, 20), _v(0, 0, 40), _v(10, 0, 40), _v(20, 0, 40)]
    [g] = find_grids(segs)
    assert g.ys == [0, 20, 40]
    assert len(g.cells) == 4


def test_two_tables_on_a_page_are_separate():
    box = [_h(0, 0, 20), _h(10, 0, 20), _h(20, 0, 20), _v(0, 0, 20), _v(20, 0, 20), _v(10, 0, 20)]
    lower = [Segment(s.x0, s.y0 + 100, s.x1, s.y1 + 100) for s in box]
    grids = find_grids(box + lower)
    assert len(grids) == 2 and grids[0].ys[0] == 0 and grids[1].ys[0] == 100


def test_slots_joined_in_an_l_become_rectangles_that_do_not_overlap():
    # 2 x 2; the rule between the bottom row's cells and the one between the left column's cells are lost at
    # the corner: three slots join in an L. Their bounding box would cover the top-right cell as well.
    segs = [_h(0, 0, 20), _h(10, 10, 20), _h(20, 0, 20), _v(0, 0, 20), _v(20, 0, 20), _v(10, 0, 10)]
    [g] = find_grids(segs)
    covered = [(r, c) for cell in g.cells for r in range(cell.row, cell.row + cell.row_span)
               for c in range(cell.col, cell.col + cell.col_span)]
    assert sorted(covered) == [(0, 0), (0, 1), (1, 0), (1, 1)]  # every slot in exactly one cell
    assert len(g.cells) == 3
