"""Join a table that continues on the next page into one grid."""

from __future__ import annotations

from govreport.ir import Table, TextBlock


def _is_running_text(block: TextBlock) -> bool:
    return bool(block.text.strip()) and not is_page_furniture(block.text)


def is_page_furniture(text: str) -> bool:
    """Page numbers and similar running headers/footers (``- 3 -``, ``第3页``, ``3``)."""
    t = "".join(text.split())
    core = t.strip("-—–第页共/ ")
    return len(t) <= 12 and (core.isdigit() or t.isdigit())


def _nothing_between(prev: Table, nxt: Table, blocks: list[TextBlock]) -> bool:
    p, n = prev.pages[-1], nxt.pages[0]
    if n != p + 1 or prev.bbox is None or nxt.bbox is None:
        return False
    for b in blocks:
        if b.bbox is None or not _is_running_text(b):
            continue
        if b.page == p and b.bbox.y0 >= prev.bbox.y1 - 1:
            return False
        if b.page == n and b.bbox.y1 <= nxt.bbox.y0 + 1:
            return False
    return True


def _columns_match(a: Table, b: Table, tol: float = 6.0) -> bool:
    if a.n_cols != b.n_cols or a.bbox is None or b.bbox is None:
        return False
    return abs(a.bbox.x0 - b.bbox.x0) <= tol and abs(a.bbox.x1 - b.bbox.x1) <= tol


def append_rows(a: Table, b: Table) -> Table:
    """``b``'s rows below ``a``'s, one grid."""
    shifted = [c.model_copy(update={"row": c.row + a.n_rows}) for c in b.cells]
    bbox = a.bbox.union(b.bbox) if a.bbox and b.bbox else a.bbox
    return Table(
        n_rows=a.n_rows + b.n_rows,
        n_cols=a.n_cols,
        cells=[*a.cells, *shifted],
        pages=sorted({*a.pages, *b.pages}),
        bbox=bbox,
    )


def join_across_pages(tables: list[Table], blocks: list[TextBlock]) -> list[Table]:
    """Tables in document order, with continuations appended to the table they continue."""
    out: list[Table] = []
    for t in tables:
        if out and _columns_match(out[-1], t) and _nothing_between(out[-1], t, blocks):
            out[-1] = append_rows(out[-1], t)
        else:
            out.append(t)
    return out
