"""Table grids from ruling lines, as a chain of small geometry steps.

    segments -> merge collinear -> connected tables -> row/column boundaries -> merged cells

Input is plain horizontal/vertical segments, wherever they came from (PDF vector drawings now,
line detection on scans later). Output is :class:`GridCell` rectangles with row/column spans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Asked where no found line separates two grid slots: is there a faint ruling at ``at`` from ``lo`` to
# ``hi`` (horizontal or not) all the same? Scans pass one that looks at the page's pixels.
LineProbe = Callable[[float, float, float, bool], bool]


@dataclass(frozen=True)
class Segment:
    """A horizontal (``y0 == y1``) or vertical (``x0 == x1``) ruling line."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Grid:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[GridCell] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


@dataclass(frozen=True)
class GridOptions:
    snap: float = 2.5  # segments this close are one line
    join: float = 3.0  # gaps this small inside a line are closed
    min_length: float = 4.0  # shorter segments are noise (text underlines are kept out by the caller)
    min_cell: float = 4.0  # boundaries closer than this are one boundary
    min_crossings: int = 0  # keep only lines touching this many perpendicular lines (scans: text strokes)
    # Slots shorter than this must be crossed almost whole (scans: a line running on past a crossing, plus a
    # character's stroke in line with it, covers much of a low header cell without separating anything).
    short_slot: float = 0.0
    # Boundaries closer than min_cell: keep the longest line's position (scans), not the first one met.
    weigh_lines: bool = False


def normalise(segments: list[Segment]) -> tuple[list[Segment], list[Segment]]:
    """Split into horizontals and verticals, each with start <= end."""
    hs: list[Segment] = []
    vs: list[Segment] = []
    for s in segments:
        if s.horizontal:
            y = (s.y0 + s.y1) / 2
            hs.append(Segment(min(s.x0, s.x1), y, max(s.x0, s.x1), y))
        else:
            x = (s.x0 + s.x1) / 2
            vs.append(Segment(x, min(s.y0, s.y1), x, max(s.y0, s.y1)))
    return hs, vs


def merge_collinear(segs: list[Segment], horizontal: bool, opts: GridOptions) -> list[Segment]:
    """Snap segments on (nearly) the same line together and join overlapping or touching pieces."""

    def pos(s: Segment) -> float:
        return s.y0 if horizontal else s.x0

    def span(s: Segment) -> tuple[float, float]:
        return (s.x0, s.x1) if horizontal else (s.y0, s.y1)

    out: list[Segment] = []
    ordered = sorted(segs, key=pos)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and pos(ordered[j + 1]) - pos(ordered[i]) <= opts.snap:
            j += 1
        group = ordered[i : j + 1]
        p = sum(pos(s) for s in group) / len(group)
        spans = sorted(span(s) for s in group)
        cur0, cur1 = spans[0]
        for a, b in spans[1:]:
            if a <= cur1 + opts.join:
                cur1 = max(cur1, b)
            else:
                out.append(_make(p, cur0, cur1, horizontal))
                cur0, cur1 = a, b
        out.append(_make(p, cur0, cur1, horizontal))
        i = j + 1
    return [s for s in out if (s.x1 - s.x0 if horizontal else s.y1 - s.y0) >= opts.min_length]


def _make(p: float, a: float, b: float, horizontal: bool) -> Segment:
    return Segment(a, p, b, p) if horizontal else Segment(p, a, p, b)


def _touch(h: Segment, v: Segment, tol: float) -> bool:
    return h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol


def connected_tables(hs: list[Segment], vs: list[Segment], tol: float) -> list[tuple[list[Segment], list[Segment]]]:
    """Group lines that cross or touch into separate tables (union-find over intersections)."""
    parent = list(range(len(hs) + len(vs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _touch(h, v, tol):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    tables = [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]
    tables.sort(key=lambda g: min(h.y0 for h in g[0]))
    return tables


def drop_loose_lines(hs: list[Segment], vs: list[Segment], need: int, tol: float,
                     fixed_h: Sequence[Segment] = (), fixed_v: Sequence[Segment] = ()
                     ) -> tuple[list[Segment], list[Segment]]:
    """Remove lines that touch fewer than ``need`` perpendicular lines; repeat until stable. ``fixed_h`` and
    ``fixed_v`` count as perpendiculars but are never removed (nor returned).

    A table ruling crosses or meets others; a stroke of a heading character found by the line
    filter usually touches none or one.
    """
    fixed_h, fixed_v = list(fixed_h), list(fixed_v)
    while True:
        keep_h = [h for h in hs if sum(_touch(h, v, tol) for v in vs + fixed_v) >= need]
        keep_v = [v for v in vs if sum(_touch(h, v, tol) for h in keep_h + fixed_h) >= need]
        if len(keep_h) == len(hs) and len(keep_v) == len(vs):
            return hs, vs
        hs, vs = keep_h, keep_v


def _boundaries(values: list[float], min_gap: float, weights: list[float] | None = None) -> list[float]:
    """One boundary per cluster of positions closer than ``min_gap``: the first of each cluster, or with
    ``weights`` (line lengths) the heaviest, so that a short piece beside a long ruling does not move it."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out: list[float] = []
    best_w = 0.0
    last = None
    for i in order:
        v = values[i]
        w = weights[i] if weights is not None else 0.0
        if last is None or v - last > min_gap:
            out.append(v)
            best_w = w
        elif weights is not None and w > best_w:
            out[-1] = v
            best_w = w
        last = v if weights is not None else out[-1]
    return out


def _open_edges(bounds: list[float], crossing: list[tuple[float, float]], opts: GridOptions) -> list[float]:
    """Close a table left open at a page break: crossing lines running past the last boundary
    (verticals below the last horizontal rule, say) end where the missing rule would be."""
    if not bounds or not crossing:
        return bounds
    lo = min(a for a, _ in crossing)
    hi = max(b for _, b in crossing)
    if lo < bounds[0] - opts.min_cell:
        bounds = [lo, *bounds]
    if hi > bounds[-1] + opts.min_cell:
        bounds = [*bounds, hi]
    return bounds


def _covered(segs: list[Segment], at: float, lo: float, hi: float, horizontal: bool, tol: float,
             short: float = 0.0) -> bool:
    """Is there a line at ``at`` covering most of [lo, hi] (nearly all of it when shorter than ``short``)?"""
    need = (hi - lo) * (0.85 if hi - lo < short else 0.6)
    got = 0.0
    for s in segs:
        p = s.y0 if horizontal else s.x0
        if abs(p - at) > tol:
            continue
        a, b = (s.x0, s.x1) if horizontal else (s.y0, s.y1)
        got += max(0.0, min(b, hi) - max(a, lo))
    return got >= need


def build_grid(hs: list[Segment], vs: list[Segment], opts: GridOptions, probe: LineProbe | None = None
               ) -> Grid | None:
    """Boundaries from the lines, then merge grid slots that no line separates (nor ``probe`` finds)."""
    ys = _open_edges(_boundaries([h.y0 for h in hs], opts.min_cell, [h.x1 - h.x0 for h in hs] if opts.weigh_lines
                                 else None), [(v.y0, v.y1) for v in vs], opts)
    xs = _open_edges(_boundaries([v.x0 for v in vs], opts.min_cell, [v.y1 - v.y0 for v in vs] if opts.weigh_lines
                                 else None), [(h.x0, h.x1) for h in hs], opts)
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    tol = opts.snap + 0.5

    def separated(segs: list[Segment], at: float, lo: float, hi: float, horizontal: bool) -> bool:
        return _covered(segs, at, lo, hi, horizontal, tol, opts.short_slot) or (
            probe is not None and probe(at, lo, hi, horizontal))

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not separated(vs, xs[c + 1], ys[r], ys[r + 1], False):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not separated(hs, ys[r + 1], xs[c], xs[c + 1], True):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    slots: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            slots.setdefault(find(r * n_cols + c), []).append((r, c))
    cells: list[GridCell] = []
    for members in slots.values():
        for r0, c0, r1, c1 in _rectangles(set(members)):
            cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
    cells.sort(key=lambda g: (g.row, g.col))
    return Grid(xs=xs, ys=ys, cells=cells)


def _rectangles(members: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Slots joined into one cell, as (row0, col0, row1, col1) rectangles: one when they fill a rectangle.
    A piece of ruling lost at a corner can join slots in an L; its bounding box would overlap the cells
    beside it, so it is cut into rectangles instead, the largest first (a tall label keeps its height)."""
    out: list[tuple[int, int, int, int]] = []
    left = set(members)
    while left:
        best: tuple[int, int, int, int, int] | None = None
        for r0, c0 in left:
            width = None
            r = r0
            while (r, c0) in left:
                w = 0
                while (r, c0 + w) in left:
                    w += 1
                width = w if width is None else min(width, w)
                area = width * (r - r0 + 1)
                if best is None or (area, -r0, -c0) > (best[0], -best[1], -best[2]):
                    best = (area, r0, c0, r, c0 + width - 1)
                r += 1
        _, r0, c0, r1, c1 = best
        out.append((r0, c0, r1, c1))
        left -= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    return out


def find_grids(segments: list[Segment], opts: GridOptions | None = None, probe: LineProbe | None = None,
               inferred: Sequence[Segment] = ()) -> list[Grid]:
    """All ruled tables among ``segments``, top to bottom. ``inferred`` boundaries (drawn inside a grid found
    before, from where its text breaks) are kept whatever they cross: a lost bottom ruling leaves a new row no
    column line to meet."""
    opts = opts or GridOptions()
    hs, vs = normalise(segments)
    hs = merge_collinear(hs, True, opts)
    vs = merge_collinear(vs, False, opts)
    ih, iv = normalise(list(inferred))
    if opts.min_crossings:
        hs, vs = drop_loose_lines(hs, vs, opts.min_crossings, opts.snap + 1, ih, iv)
    if ih or iv:
        hs = merge_collinear(hs + ih, True, opts)
        vs = merge_collinear(vs + iv, False, opts)
    grids: list[Grid] = []
    for th, tv in connected_tables(hs, vs, opts.snap + 1):
        g = build_grid(th, tv, opts, probe)
        if g is not None and g.cells:
            grids.append(g)
    return grids
