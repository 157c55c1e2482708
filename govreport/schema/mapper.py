"""Map grid cells onto field keys by their row and column labels.

Labels are matched after normalisation (full/half width, spaces, numbering styles) with a
similarity that survives garbled characters; request rows are aligned to the template's row
order so that an unreadable label between two known rows is still placed. Position is used only
where labels give nothing (a table flattened to text, a missing header), and is recorded so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

from govreport.ir import Cell, Document, Table
from govreport.postprocess.numbers import looks_numeric
from govreport.schema.rows import (
    SECTION_NAMES,
    RowView,
    Section,
    all_rows,
    contains_nearly,
    is_block_heading,
    split_sections,
)
from govreport.schema.templates import ProactiveBlock, Template
from govreport.textnorm import char_similarity, norm_label, numbering, similarity, strip_numbering, text_lines

ROW_MATCH_MIN = 0.45
COLUMN_MATCH_MIN = 0.6


@dataclass(frozen=True)
class MappedCell:
    key: str
    cell: Cell
    table_index: int
    by_position: bool = False  # placed by position because labels did not decide it


@dataclass
class Mapping:
    cells: dict[str, MappedCell] = field(default_factory=dict)
    single_other_handling: bool = False
    warnings: list[str] = field(default_factory=list)
    sections_found: list[Section] = field(default_factory=list)

    def put(self, mc: MappedCell) -> None:
        if mc.key in self.cells:
            self.warnings.append(f"{mc.key}: found twice; kept the first reading")
            return
        self.cells[mc.key] = mc


def _best(text: str, options: dict[str, str], minimum: float) -> str | None:
    """The key whose label is most similar to ``text``, if similar enough."""
    t = strip_numbering(norm_label(text))
    best_key, best = None, minimum
    for key, label in options.items():
        s = similarity(t, strip_numbering(norm_label(label)))
        if s > best or (s == best and best_key is None and s >= minimum):
            best_key, best = key, s
    return best_key


# --- column maps -------------------------------------------------------------------------------


@dataclass
class ColumnMap:
    """Column key by grid column, per table; x-ranges to place cells of tables without a header."""

    by_col: dict[int, dict[int, str]] = field(default_factory=dict)  # table -> col -> key
    by_x: list[tuple[float, float, str]] = field(default_factory=list)

    def key_for(self, row: RowView, cell: Cell) -> str | None:
        cols = self.by_col.get(row.table_index)
        if cols and row.table.aligned_columns:
            keys = {cols[c] for c in range(cell.col, cell.col + cell.col_span) if c in cols}
            return next(iter(keys)) if len(keys) == 1 else None
        if self.by_x and cell.bbox is not None and row.table.aligned_columns:
            for x0, x1, key in self.by_x:
                if x0 <= cell.bbox.cx <= x1:
                    return key
        return None

    def labels_cell(self, row: RowView, cell: Cell) -> bool:
        """Whether a text cell may be its row's label: not under one value column, and starting left of the value
        columns where they are known by grid column (a garbled cell merged over two of them is no label)."""
        if self.key_for(row, cell) is not None:
            return False
        cols = self.by_col.get(row.table_index)
        return not (cols and row.table.aligned_columns and cell.col >= min(cols))

    def keys_under(self, row: RowView, cell: Cell) -> list[str]:
        """The value columns a cell spans, left to right."""
        cols = self.by_col.get(row.table_index)
        if not row.table.aligned_columns:
            return []
        if cols:
            return list(dict.fromkeys(cols[c] for c in range(cell.col, cell.col + cell.col_span) if c in cols))
        if cell.bbox is None:
            return []
        box = cell.bbox
        return list(dict.fromkeys(k for x0, x1, k in sorted(self.by_x) if box.x0 <= (x0 + x1) / 2 <= box.x1))

    def add(self, row: RowView, cell: Cell, key: str) -> None:
        cols = self.by_col.setdefault(row.table_index, {})
        for c in range(cell.col, cell.col + cell.col_span):
            cols.setdefault(c, key)
        if cell.bbox is not None:
            self.by_x.append((cell.bbox.x0, cell.bbox.x1, key))


def complete_columns(cmap: ColumnMap, rows: list[RowView], keys: list[str]) -> list[str]:
    """Fill header columns OCR could not read: the standard tables keep their value columns rightmost,
    so where the header cells that were read sit in template order over the last ``len(keys)`` grid
    columns, the others follow by position. Returns notes for the report."""
    notes = []
    tables = {r.table_index: r.table for r in rows}
    for ti, cols in cmap.by_col.items():
        table = tables[ti]
        groups = column_groups(table)
        if not table.aligned_columns or len(groups) < len(keys) or len(set(cols.values())) == len(keys):
            continue
        vgroups = groups[len(groups) - len(keys):]
        place = {c: i for i, group in enumerate(vgroups) for c in group}
        if not all(c in place and place[c] == keys.index(k) for c, k in cols.items() if k in keys):
            continue
        for group, k in zip(vgroups, keys, strict=True):
            if any(c in cols for c in group):
                continue
            cols.update(dict.fromkeys(group, k))
            notes.append(f"column {k} placed by position (its header was not read)")
            boxes = [cell.bbox for cell in table.cells
                     if cell.col == group[0] and cell.col + cell.col_span == group[-1] + 1 and cell.bbox]
            if boxes:
                cmap.by_x.append((min(b.x0 for b in boxes), max(b.x1 for b in boxes), k))
    return notes


STRAY_SLOT_SHARE = 0.25  # a grid column starting a cell in fewer than this share of the rows it runs through ...


def column_groups(table: Table) -> list[list[int]]:
    """The table's grid columns grouped into the columns it prints: a grid column that starts a cell in few of the rows
    it runs through (a seal's stroke or a stray line cut one cell of a value column in two, so every other cell of
    that column spans both slots) belongs with the column on its left."""
    starting = [set() for _ in range(table.n_cols)]
    covering = [set() for _ in range(table.n_cols)]
    for cell in table.cells:
        starting[cell.col].add(cell.row)
        for c in range(cell.col, min(cell.col + cell.col_span, table.n_cols)):
            covering[c].update(range(cell.row, cell.row + cell.row_span))
    groups: list[list[int]] = []
    for c in range(table.n_cols):
        if groups and len(starting[c]) < STRAY_SLOT_SHARE * len(covering[c]):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _value_cells(row: RowView, cmap: ColumnMap, expected: list[str], label: Cell | None = None
                 ) -> list[tuple[str, Cell, bool]]:
    """(key, cell, by_position) for the value cells of a data row (``label``: its row label cell)."""
    out: list[tuple[str, Cell, bool]] = []
    if row.table.aligned_columns and (cmap.by_col.get(row.table_index) or cmap.by_x):
        for c in row.covering:
            if c is label:
                continue
            # A value cell spanning as many rows as the row's label (a row of two-line labels, a stray line cutting
            # only some of its cells in two) is the row's own.
            same_rows = label is not None and c.row == label.row and c.row_span == label.row_span
            single = c in row.starting and (c.row_span == 1 or same_rows)
            key = cmap.key_for(row, c) if single else None
            if key is not None:
                # Under a value column every cell is a value, even one OCR could not read as a number
                # (reported as unreadable rather than lost).
                out.append((key, c, False))
            elif not looks_numeric(c.text):
                # A cell over several value columns or rows (their rulings lost) that holds no number: blank
                # or unreadable in each of them (a merged cell with a number is left out: whose is it?).
                out += [(key, c, False) for key in cmap.keys_under(row, c)]
        if out:
            return out
    # By position: the cells after the last label cell, right-aligned to the expected columns.
    cells = list(row.starting)
    last_label = max((i for i, c in enumerate(cells) if c.text.strip() and not looks_numeric(c.text)), default=-1)
    values = [c for c in cells[last_label + 1 :] if c.row_span == 1]
    if len(values) > len(expected):
        values = values[-len(expected) :]
    if len(values) < len(expected) and not row.table.aligned_columns:
        # Text exports drop trailing blank cells: the values that remain start at the first column.
        return [(k, c, True) for k, c in zip(expected, values, strict=False)]
    offset = len(expected) - len(values)
    return [(expected[offset + i], c, True) for i, c in enumerate(values)]


# --- table 二 ---------------------------------------------------------------------------------


def _proactive_row(label: str, blocks: list[ProactiveBlock], current: ProactiveBlock | None
                   ) -> tuple[ProactiveBlock, str] | None:
    """The block and row a table-二 row label belongs to. Row labels are unique across blocks, so a
    block heading lost at a page break does not lose its rows; the current heading breaks ties."""
    best: tuple[float, ProactiveBlock, str] | None = None
    for b in blocks:
        key = _best(label, b.rows, ROW_MATCH_MIN)
        if key is None:
            continue
        score = similarity(strip_numbering(norm_label(label)), strip_numbering(norm_label(b.rows[key])))
        score += 0.05 if b is current else 0.0
        if best is None or score > best[0]:
            best = (score, b, key)
    return (best[1], best[2]) if best else None


def _proactive_label(own: list[Cell], blocks: list[ProactiveBlock], current: ProactiveBlock | None
                     ) -> tuple[Cell, tuple[ProactiveBlock, str] | None]:
    """The row's label cell and the block and row it names: the innermost label cell that names one (a lost
    ruling can merge a heading's text into the row's value cells, which then read as labels too)."""
    for cell in reversed(own):
        found = _proactive_row(cell.text, blocks, current)
        if found is not None:
            return cell, found
    return own[-1], None


def _proactive_columns(head: list[tuple[RowView, Cell]], block: ProactiveBlock) -> ColumnMap:
    """The block's columns from its header cells; where there are as many header cells as columns and those that
    match sit in order, the others (本作增/减 for 本年增/减) take the column of their place."""
    keys = [_best(c.text, block.columns, COLUMN_MATCH_MIN) for _, c in head]
    found = [(i, k) for i, k in enumerate(keys) if k is not None]
    order = list(block.columns)
    if len(head) == len(order) and found and all(order.index(k) == i for i, k in found):
        keys = order
    cmap = ColumnMap()
    for (hrow, c), key in zip(head, keys, strict=True):
        if key is not None:
            cmap.add(hrow, c, key)
    return cmap


def _header_over_data(row: RowView) -> tuple[RowView, RowView] | None:
    """A block's header row that a lost ruling merged with the data row under it, every cell two lines: the label
    cell's second line a row label, the others' numbers (信息内容 over 行政许可, 本年处理决定数量 over 1523). The
    header's row and the data's, as two views of the grid row; None for any other row."""
    cells = [c for c in row.starting if c.text.strip()]
    lines = [text_lines(c.text) for c in cells]
    if len(cells) < 2 or any(len(ls) != 2 for ls in lines):
        return None
    if looks_numeric(lines[0][1]) or not all(looks_numeric(ls[1]) for ls in lines[1:]):
        return None
    return _line_view(row, cells, [ls[0] for ls in lines]), _line_view(row, cells, [ls[1] for ls in lines])


def _line_view(row: RowView, cells: list[Cell], texts: list[str]) -> RowView:
    """A view of ``row`` whose cells hold only ``texts`` (one per cell: some of its lines), cells left empty dropped:
    one of the rows a lost ruling merged into the grid row."""
    kept = tuple(c.model_copy(update={"text": t}) for c, t in zip(cells, texts, strict=True) if t)
    return replace(row, starting=kept, covering=kept)


def _data_over_block_start(row: RowView) -> list[RowView]:
    """A block's last data row that a lost ruling (under a shaded heading) merged with the next block's heading and
    header (seed-14 doc0008: 规范性文件 over 信息内容, 9 over 第二十条第（五 over 上一年项目数量): the data row (each
    cell's first line), the heading (the lines between) and the header (each cell's last line), as three views of
    the grid row; ``[row]`` for any other row."""
    cells = [c for c in row.starting if c.text.strip()]
    lines = [text_lines(c.text) for c in cells]
    if len(cells) < 2 or len(lines[0]) < 2 or looks_numeric(lines[0][0]) or not _names_contents(lines[0][-1]):
        return [row]
    values = lines[1:]
    if not all(len(ls) >= 2 and looks_numeric(ls[0]) and not looks_numeric(ls[-1]) for ls in values):
        return [row]
    if not any("第二十条" in norm_label("".join(ls[1:-1])) for ls in values):
        return [row]
    parts = ([ls[0] for ls in lines], ["\n".join(ls[1:-1]) for ls in lines], [ls[-1] for ls in lines])
    return [_line_view(row, cells, texts) for texts in parts]


def _names_contents(cell: Cell | str) -> bool:
    """The block header's label cell (or a line of it), 信息内容, also with one character misread (伯息内容)."""
    return contains_nearly(norm_label(cell if isinstance(cell, str) else cell.text), "信息内容")


def map_proactive(rows: list[RowView], template: Template, out: Mapping) -> None:
    blocks = template.proactive_blocks
    headings = {norm_label(b.heading): b for b in blocks}
    flat = [(b, k) for b in blocks for k in b.rows]  # the template's rows in order
    current: ProactiveBlock | None = None
    header: list[tuple[RowView, Cell]] = []  # the latest 信息内容 row's column label cells
    data: list[tuple[RowView, Cell, tuple[ProactiveBlock, str] | None, list[tuple[RowView, Cell]]]] = []
    for row in (view for r in rows for view in _data_over_block_start(r)):
        j = row.joined
        if "第二十条" in j or is_block_heading(row):
            heading = next((h for h in headings if h in j), None) or _best(j, {h: h for h in headings}, 0.7)
            current = headings.get(heading) if heading else None
            header = []
            if current is None:
                out.warnings.append(f"table 二: unknown block heading {j!r}")
            continue
        labels = row.label_cells()
        if not row.has_numbers() and any(_names_contents(c) for c in labels):
            split = _header_over_data(row)
            head = split[0] if split else row
            # skip the label column (or a whole header merged into one cell by a lost line)
            header = [(head, c) for c in head.starting if c.text.strip() and not _names_contents(c)]
            if split is None:
                continue
            row = split[1]
            labels = row.label_cells()
        own = [c for c in labels if c in row.starting]
        if not own:
            continue
        label, found = _proactive_label(own, blocks, current)
        data.append((row, label, found, header))
    # Rows whose label a scan garbled (行收生罚 for 行政处罚) between two rows that matched, with as many template
    # rows between those two, are placed in order, as in table 三; so are those before the first (after the last)
    # row that matched, where as many template rows come before (after) it.
    assign = [flat.index(f) if f is not None and f in flat else None for _, _, f, _ in data]
    placed = _fill_gaps([-1, *assign, len(flat)])[1:-1]
    for (row, label, _, head), (fi, by_pos) in zip(data, placed, strict=True):
        if fi is None:
            continue
        block, row_key = flat[fi]
        if by_pos:
            out.warnings.append(f"table 二: row {label.text!r} placed as {row_key} by its position")
        cmap = _proactive_columns(head, block)
        if not cmap.by_col:
            out.warnings.append(f"table 二 {block.heading}: no column header; columns placed by position")
        for col_key, cell, pos in _value_cells(row, cmap, list(block.columns), label):
            out.put(MappedCell(f"proactive.{row_key}.{col_key}", cell, row.table_index, pos or by_pos))


# --- table 三 ---------------------------------------------------------------------------------


def _request_row_options(template: Template) -> list[tuple[str, str]]:
    rows = [(r.key, r.label) for r in template.request_rows]
    if template.variants and all(k != "other_handling" for k, _ in rows):
        at = next(i for i, (k, _) in enumerate(rows) if k.startswith("other_"))
        rows.insert(at, ("other_handling", "（六）其他处理"))
    return rows


def _header_columns(rows: list[RowView], options: dict[str, str], cmap: ColumnMap) -> None:
    numbered: set[int] = set()  # tables with a row holding numbers so far
    for row in rows:
        if row.mostly_numbers():
            numbered.add(row.table_index)
            continue
        # A header row may hold a stray number (a scan read 总计 as 811): a table's first row with numbers is looked
        # at past its first cell (in a data row, the label: 3. 其他 is a row, not the 其他 column); a later one is a
        # row of values (（七）总计 beside its values).
        if row.has_numbers():
            if row.table_index in numbered:
                continue
            numbered.add(row.table_index)
        starting = row.starting[1:] if row.has_numbers() else row.starting
        for c in starting:
            if row.has_numbers() and item_number(c.text):
                continue  # a numbered row label (（七）总计) beside the values, not a column's title
            t = norm_label(c.text)
            if not t:
                continue
            key = next((k for k, lab in options.items() if norm_label(lab) == t), None)
            if key is None and len(t) <= 8:
                key = _best(t, options, 0.75)
            if key is not None:
                cmap.add(row, c, key)


ROW_PREFIX_MIN = 3  # characters of a label cut short (the recogniser stopped at a seal's stroke) that must agree
ROW_PREFIX_SIMILARITY = 0.6  # ... scored as this similarity


ROW_NUMBERED_CHARS = 0.4  # a label with the same item number sharing this share of its characters (Dice) ...
ROW_NUMBERED_SIMILARITY = 0.5  # ... is scored as this similarity
_ITEM_MARK_RE = re.compile(r"^[^\w(]*(\d+|[一二三四五六七八九十]+)[.、]|^[^\w(]*\((\d+|[一二三四五六七八九十]+)\)")


def split_item(label: str) -> tuple[str, str]:
    """(number, rest) of a label's list marker (``3.`` ``3、`` ``(3)`` ``（三）`` -> ``3`` / ``三``), after any
    stray marks a scan put before it (``-`` ``：``), the rest normalised without further markers; ('', the label
    without its markers) where it has no numbered marker."""
    t = norm_label(label)
    m = _ITEM_MARK_RE.match(t)
    if m is None:
        return "", strip_numbering(t)
    return m.group(1) or m.group(2), strip_numbering(t[m.end():])


def item_number(label: str) -> str:
    return split_item(label)[0]


def _row_similarity(observed: str, label: str, same_number: bool = False) -> float:
    """Bigram similarity, or ``ROW_PREFIX_SIMILARITY`` where the observed label is the start of ``label`` (at
    least ``ROW_PREFIX_MIN`` characters): a label read only in part; or ``ROW_NUMBERED_SIMILARITY`` where both
    carry the same item number and share enough characters: a label garbled character by character (a thin
    1-bit copy reads 3.危及“三安全一稳定” as 3.危技“安全模心, sharing one bigram but four characters)."""
    s = similarity(observed, label)
    if len(observed) >= ROW_PREFIX_MIN and label.startswith(observed):
        s = max(s, ROW_PREFIX_SIMILARITY)
    if same_number and len(observed) >= 2 and char_similarity(observed, label) >= ROW_NUMBERED_CHARS:
        s = max(s, ROW_NUMBERED_SIMILARITY)
    return s


def _align(observed: list[str], template: list[str], observed_numbers: list[str] | None = None,
           template_numbers: list[str] | None = None, line_items: list[list[tuple[str, str]]] | None = None
           ) -> list[int | None]:
    """Monotonic alignment of observed row labels to template rows maximising total similarity (item numbers,
    where given, let garbled labels match the row of their number). ``line_items``: per observed label, the
    (number, text) of each of its lines where it has several; a label matches as well as its best line does
    (a seal's lettering read as a line of its own above the label's)."""
    m, n = len(observed), len(template)
    on = observed_numbers or [""] * m
    tn = template_numbers or [""] * n
    per_row = [[(a, o), *(line_items[i] if line_items else [])]
               for i, (o, a) in enumerate(zip(observed, on, strict=True))]
    sims = [[max(_row_similarity(o, t, bool(a) and a == b) for a, o in readings)
             for t, b in zip(template, tn, strict=True)] for readings in per_row]
    score = [[0.0] * (n + 1) for _ in range(m + 1)]
    move = [[0] * (n + 1) for _ in range(m + 1)]  # 0 skip observed, 1 skip template, 2 match
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            best, mv = score[i - 1][j], 0
            if score[i][j - 1] > best:
                best, mv = score[i][j - 1], 1
            s = sims[i - 1][j - 1]
            if s >= ROW_MATCH_MIN and score[i - 1][j - 1] + s > best:
                best, mv = score[i - 1][j - 1] + s, 2
            score[i][j], move[i][j] = best, mv
    out: list[int | None] = [None] * m
    i, j = m, n
    while i > 0 and j > 0:
        mv = move[i][j]
        if mv == 2:
            out[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif mv == 1:
            j -= 1
        else:
            i -= 1
    return out


def _fill_gaps(assign: list[int | None]) -> list[tuple[int | None, bool]]:
    """Place the unmatched rows between two matched ones in order when exactly as many template rows lie between
    those two (labels garbled by a seal or cut short by the recogniser; the values are still read)."""
    out: list[tuple[int | None, bool]] = [(a, False) for a in assign]
    matched = [i for i, a in enumerate(assign) if a is not None]
    for a, b in pairwise(matched):
        ta, tb = assign[a], assign[b]
        if ta is not None and tb is not None and b - a > 1 and tb - ta == b - a:
            for k in range(1, b - a):
                out[a + k] = (ta + k, True)
    return out


def map_requests(rows: list[RowView], template: Template, out: Mapping) -> None:
    columns = dict(template.request_columns)
    cmap = ColumnMap()
    _header_columns(rows, columns, cmap)
    out.warnings.extend(f"table 三: {n}" for n in complete_columns(cmap, rows, list(columns)))
    if not cmap.by_col:
        out.warnings.append("table 三: applicant column header not found; columns placed by position")
    data: list[tuple[RowView, Cell]] = []
    for row in rows:
        if not row.has_numbers() and not _looks_like_data_row(row, cmap):
            continue
        own = [c for c in row.label_cells() if c in row.starting and cmap.labels_cell(row, c)]
        if not own:
            own = _label_merged_from_above(row, cmap)
        if not own and row.has_numbers() and row.mostly_numbers() and not _under_label_above(row, cmap):
            # A row of values whose label a lost ruling merged away (into a label cell above that holds more lines
            # than rows): no label to match, but a place, which gap filling can give it between two matched rows.
            first = row.starting[0]
            own = [Cell(row=row.row, col=first.col, text="", page=first.page, source=first.source)]
        if not own or _is_header_row(row, columns):
            continue
        label = own[-1]
        whole = label.row_span > 1 and any(c.row_span == label.row_span and looks_numeric(c.text) and c.text.strip()
                                           for c in row.starting if c is not label)
        data.append((row, label if whole else _line_of_row(label, row.row) or label))
    options = _request_row_options(template)
    labels = [_split_label(row, cell) for row, cell in data]
    items = [split_item(label) for label in labels]
    numbers, observed = [n for n, _ in items], [t for _, t in items]
    by_line = [[split_item(line) for line in lines] if len(lines := text_lines(label)) > 1 else [] for label in labels]

    def place(options: list[tuple[str, str]]) -> list[int | None]:
        wanted = [strip_numbering(norm_label(label)) for _, label in options]
        _prefer_numbering(observed, data, options, wanted)
        return _align(observed, wanted, numbers, [item_number(label) for _, label in options], by_line)

    assign = place(options)
    # (六) is printed as one row or as its three sub-rows: the rows of the form the document did not use would
    # stand between its neighbours and keep a garbled row beside them from being placed.
    used = {options[a][0] for a in assign if a is not None}
    if any(k.startswith("other_") for k in used):
        one = "other_handling" in used and not any(k.startswith("other_") and k != "other_handling" for k in used)
        options = [(k, lab) for k, lab in options
                   if not k.startswith("other_") or (k == "other_handling") == one]
        assign = place(options)
    placed = _fill_gaps(assign)
    for (row, label_cell), (ti, by_pos) in zip(data, placed, strict=True):
        if ti is None:
            out.warnings.append(f"table 三: row label {label_cell.text!r} matches no standard row; skipped")
            continue
        row_key = options[ti][0]
        if by_pos:
            out.warnings.append(f"table 三: row {label_cell.text!r} placed as {row_key} by its position")
        for col_key, cell, pos in _value_cells(row, cmap, list(columns), label_cell):
            out.put(MappedCell(f"requests.{row_key}.{col_key}", cell, row.table_index, pos or by_pos))
    out.single_other_handling = any(k.startswith("requests.other_handling.") for k in out.cells)


def _label_merged_from_above(row: RowView, cmap: ColumnMap) -> list[Cell]:
    """A row whose label a lost ruling merged into the label cell above it: the line of that cell that is this
    row's, as the row's label. The innermost label cell covering the row is looked at: where it holds one line per
    row it spans (3.危及… over 4.保护…), the row takes its own line; where it ends at this row (the header's note
    over 一、本年新收…), its last line."""
    labels = [c for c in row.label_cells() if cmap.labels_cell(row, c)]
    if not labels or labels[-1] in row.starting:
        return []
    c = labels[-1]
    own = _line_of_row(c, row.row)
    if own is None and c.col == 0 and row.row == c.row + c.row_span - 1 and len(text_lines(c.text)) > 1:
        own = c.model_copy(update={"text": text_lines(c.text)[-1], "row": row.row, "row_span": 1})
    return [own] if own is not None else []


def _under_label_above(row: RowView, cmap: ColumnMap) -> bool:
    """Whether the row is the lower part of the row above, cut off by a stray line through some of its cells:
    value cells starting above cover it."""
    return any(c not in row.starting and cmap.keys_under(row, c) for c in row.covering
               if not cmap.labels_cell(row, c) or looks_numeric(c.text))


def _line_of_row(cell: Cell, row: int) -> Cell | None:
    """Of a label cell spanning rows with one line per row (a lost ruling merged their labels), the line of
    ``row``, as a one-row cell there; None for any other cell."""
    lines = text_lines(cell.text)
    if cell.row_span < 2 or len(lines) != cell.row_span:
        return None
    return cell.model_copy(update={"text": lines[row - cell.row], "row": row, "row_span": 1})


def _split_label(row: RowView, last: Cell) -> str:
    """The row's own label, also when a stray line (a scan) cut it into neighbouring one-row cells: the
    run of one-row label cells that ends with ``last``, read left to right."""
    own = [c for c in row.label_cells() if c in row.starting]
    i = next((k for k, c in enumerate(own) if c is last), None)
    if i is None or last.row_span != 1:
        return last.text
    start = i
    while start > 0 and own[start - 1].row_span == 1 and own[start - 1].col + own[start - 1].col_span == own[start].col:
        start -= 1
    return "".join(c.text for c in own[start: i + 1])


def _prefer_numbering(observed: list[str], data: list[tuple[RowView, Cell]], options: list[tuple[str, str]],
                      wanted: list[str]) -> None:
    """An empty core (a label that is only a number) keeps its numbering to give alignment a hint."""
    for i, (_, cell) in enumerate(data):
        if not observed[i]:
            observed[i] = numbering(norm_label(cell.text))
    for i, (_, label) in enumerate(options):
        if not wanted[i]:
            wanted[i] = numbering(norm_label(label))


def _is_header_row(row: RowView, columns: dict[str, str]) -> bool:
    labels = {norm_label(v) for v in columns.values()}
    return sum(norm_label(c.text) in labels for c in row.starting) >= 2


def _looks_like_data_row(row: RowView, cmap: ColumnMap) -> bool:
    """A row whose value cells are all blank is still a data row when it sits under the header."""
    if not row.table.aligned_columns or not cmap.by_col.get(row.table_index):
        return bool(row.label_cells()) and not row.table.aligned_columns and len(row.starting) >= 7
    return any(cmap.key_for(row, c) is not None for c in row.starting if c.row_span == 1)


# --- table 四 ---------------------------------------------------------------------------------


def map_appeals(rows: list[RowView], template: Template, out: Mapping) -> None:
    groups = {"review": "行政复议", "suit_direct": "未经复议直接起诉", "suit_after_review": "复议后起诉"}
    columns = dict(template.appeal_columns)
    order = [f"{g}.{c}" for g in template.appeal_groups for c in columns]
    cmap = ColumnMap()
    for row in rows:
        if row.mostly_numbers():
            break
        for c in row.starting:
            t = norm_label(c.text)
            if not t:
                continue
            col_key = _best(t, columns, 0.75) if len(t) <= 6 else None
            if col_key is None:
                continue
            group = None
            for g in _groups_above(rows, row, c):
                gk = _best(g, groups, 0.6) if g else None
                if gk == "review" and "复议后" in g:
                    gk = "suit_after_review"
                group = gk or group
            if group is None:
                group = "review" if c.col < 5 else None
            if group is not None:
                cmap.add(row, c, f"{group}.{col_key}")
    out.warnings.extend(f"table 四: {n}" for n in complete_columns(cmap, rows, order))
    for row in rows:
        if not row.mostly_numbers():
            continue
        found = _value_cells(row, cmap, order)
        singles = sorted((c for c in row.starting if c.row_span == 1 and c.col_span == 1), key=lambda c: c.col)
        if cmap.by_col and len(found) < len(order) and len(singles) == len(order) and row.table.aligned_columns:
            # The header read only in part (a scan's stacked titles), but the row holds one cell per standard
            # column: the table's fixed column order places them.
            out.warnings.append("table 四: header read only in part; the row's values placed by position")
            found = [(k, c, True) for k, c in zip(order, singles, strict=True)]
        if not cmap.by_col:
            out.warnings.append("table 四: header not understood; columns placed by position")
        for key, cell, by_pos in found:
            out.put(MappedCell(f"appeals.{key}", cell, row.table_index, by_pos))
        break


def _groups_above(rows: list[RowView], row: RowView, cell: Cell) -> list[str]:
    """Texts of header cells above ``cell`` (same table) that span its column, top first."""
    out = []
    for r in rows:
        if r.table_index != row.table_index or r.row >= cell.row:
            continue
        for c in r.starting:
            if c.col <= cell.col < c.col + c.col_span and c.text.strip():
                out.append(norm_label(c.text))
    return out


# --- entry point -------------------------------------------------------------------------------


def map_document(doc: Document, template: Template) -> Mapping:
    out = Mapping()
    sections = split_sections(all_rows(doc))
    mappers = {Section.PROACTIVE: map_proactive, Section.REQUESTS: map_requests, Section.APPEALS: map_appeals}
    for section, fn in mappers.items():
        rows = sections.get(section)
        if not rows:
            out.warnings.append(f"table {SECTION_NAMES[section]} not found")
            continue
        out.sections_found.append(section)
        fn(rows, template, out)
    return out
