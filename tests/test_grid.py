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


def _grid_of(spans: dict[tuple[int, int], tuple[int, int]], n_rows: int, n_cols: int):
    from govreport.layout.grid import Grid, GridCell

    xs, ys = [10.0 * k for k in range(n_cols + 1)], [10.0 * r for r in range(n_rows + 1)]
    cells = [GridCell(r, k, rs, ks, xs[k], ys[r], xs[k + ks], ys[r + rs]) for (r, k), (rs, ks) in spans.items()]
    return Grid(xs, ys, cells)


def test_small_merges_under_a_seal_are_cut_where_the_lines_run_on():
    from govreport.layout.textsplit import cut_under_seals

    # 7 rows x 5 columns: a title row over the four value columns, a tall label (rows 1-6) on the left; under the
    # seal a 2x2 merge (rows 2-3, columns 2-3) and a row of three 2-row merges (rows 4-5, columns 1-3) whose
    # row line shows only at column 4.
    spans = {(0, 0): (1, 1), (0, 1): (1, 4), (1, 0): (6, 1)}
    spans |= {(r, k): (1, 1) for r in (1, 6) for k in range(1, 5)}
    spans |= {(2, 1): (1, 1), (3, 1): (1, 1), (2, 2): (2, 2), (2, 4): (1, 1), (3, 4): (1, 1)}
    spans |= {(4, 1): (2, 1), (4, 2): (2, 1), (4, 3): (2, 1), (4, 4): (1, 1), (5, 4): (1, 1)}
    grid = _grid_of(spans, 7, 5)
    assert cut_under_seals(grid, []) is grid
    cut = cut_under_seals(grid, [(12.0, 12.0, 45.0, 58.0)])
    got = {(c.row, c.col): (c.row_span, c.col_span) for c in cut.cells}
    assert got[(0, 1)] == (1, 4) and got[(1, 0)] == (6, 1)  # the title and the tall label stay
    assert all(got[(r, k)] == (1, 1) for r in range(1, 7) for k in range(1, 5))
    assert len(got) == 2 + 1 + 6 * 4


def test_header_cells_of_one_height_under_a_seal_stay_merged():
    from govreport.layout.textsplit import cut_under_seals

    # Table 四's header: "行政复议" over five 2-row titles, "行政诉讼" over two groups whose row line shows.
    spans = {(0, 0): (1, 5), (0, 5): (1, 2)} | {(1, k): (2, 1) for k in range(5)}
    spans |= {(1, 5): (1, 2), (2, 5): (1, 1), (2, 6): (1, 1), (3, 0): (1, 1)}
    spans |= {(3, k): (1, 1) for k in range(7)}
    grid = _grid_of(spans, 4, 7)
    cut = cut_under_seals(grid, [(0.0, 0.0, 70.0, 35.0)])  # a seal over the whole header
    got = {(c.row, c.col): (c.row_span, c.col_span) for c in cut.cells}
    assert all(got[(1, k)] == (2, 1) for k in range(5))


def test_four_value_columns_merged_under_a_seal_are_cut():
    from govreport.layout.textsplit import cut_under_seals

    # 4 rows x 6 columns: a label column, then five value columns; under a ring on a 1-bit copy the column lines
    # between four of them are lost in row 2 (one cell over columns 1-4), while they run on above and below.
    spans = {(r, k): (1, 1) for r in range(4) for k in range(6) if not (r == 2 and 1 <= k <= 4)}
    spans |= {(2, 1): (1, 4)}
    grid = _grid_of(spans, 4, 6)
    cut = cut_under_seals(grid, [(12.0, 15.0, 48.0, 28.0)])
    got = {(c.row, c.col): (c.row_span, c.col_span) for c in cut.cells}
    assert all(got[(2, k)] == (1, 1) for k in range(1, 5))
    assert len(got) == 24


def test_blank_merges_below_the_header_are_cut_where_the_lines_run_on():
    import numpy as np

    from govreport.layout.textsplit import cut_under_seals

    # 5 rows x 5 columns: a title row, then labels in column 0 and four value columns. A faint ruling between two
    # blank value cells was lost (rows 2-3 of column 2, no text: nothing for the text test to go by); the last
    # column also spans rows 2-3 but holds a value printed across the boundary, and stays.
    spans = {(0, 0): (1, 1), (0, 1): (1, 4)} | {(r, k): (1, 1) for r in range(1, 5) for k in (0, 1, 3)}
    spans |= {(r, k): (1, 1) for r in (1, 4) for k in (2, 4)} | {(2, 2): (2, 1), (2, 4): (2, 1)}
    grid = _grid_of(spans, 5, 5)
    ink = np.zeros((50, 50), np.uint8)
    ink[26:34, 43:47] = 255  # the value across y = 30 in column 4
    assert cut_under_seals(grid, []) is grid  # without the page's ink nothing says a cell is blank
    cut = cut_under_seals(grid, [], ink, 72.0)
    got = {(c.row, c.col): (c.row_span, c.col_span) for c in cut.cells}
    assert got[(2, 2)] == (1, 1) and got[(3, 2)] == (1, 1)
    assert got[(2, 4)] == (2, 1) and (3, 4) not in got
    assert got[(0, 1)] == (1, 4)  # the title is in the header: left


def test_inferred_boundaries_are_kept_whatever_they_meet():
    from govreport.layout.grid import GridOptions

    # A 2-column table whose right column lost its line below the first row (a 1-bit copy): the row boundary that
    # the right column's text shows (y = 40, over that column only) meets one vertical, so as a ruling it would be
    # dropped as a stroke; as a boundary inferred inside the grid it is kept.
    opts = GridOptions(min_crossings=2, snap=1.0)
    segs = [_h(0, 0, 20), _h(20, 0, 20), _v(0, 0, 60), _v(10, 0, 60), _v(20, 0, 20), _h(60, 0, 20)]
    by_text = [_h(40, 10, 20)]
    [plain] = find_grids(segs + by_text, opts)
    assert 40 not in plain.ys
    [kept] = find_grids(segs, opts, inferred=by_text)
    assert 40 in kept.ys and kept.ys[-1] == 60
