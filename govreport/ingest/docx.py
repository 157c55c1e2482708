"""DOCX: the body's paragraphs and tables in reading order, tables as true grids with spans.

The grid is built from the XML itself (``w:gridSpan``, ``w:vMerge``, ``w:hMerge``, ``w:gridBefore``,
``w:gridAfter``) because python-docx's own cell API repeats merged cells once per grid slot.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from govreport.errors import InputError
from govreport.ir import Cell, Document, Table, TextBlock, TextSource

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # refuse archives that would inflate past 1 GiB
MAX_SPAN = 1000  # a w:gridSpan over this is corrupt; clamp it
LAYOUT_NESTED_ROWS = 3  # a table holding a nested table of this many rows is a layout table

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


W_P, W_TBL, W_TR, W_TC = _w("p"), _w("tbl"), _w("tr"), _w("tc")
W_T, W_TAB, W_BR, W_CR = _w("t"), _w("tab"), _w("br"), _w("cr")
W_SDT, W_SDT_CONTENT, W_CUSTOM_XML = _w("sdt"), _w("sdtContent"), _w("customXml")
W_NO_BREAK_HYPHEN, W_TXBX = _w("noBreakHyphen"), _w("txbxContent")
W_VAL = _w("val")
# Wrappers whose children belong to the parent's flow (content controls, custom XML, smart tags).
_TRANSPARENT = {W_SDT, W_SDT_CONTENT, W_CUSTOM_XML, _w("smartTag"), _w("ins"), _w("moveTo")}
# Subtrees whose text is not part of the paragraph as printed (or is a duplicate of it).
_SKIP = {_w("pPr"), _w("rPr"), _w("sdtPr"), _w("sdtEndPr"), W_TXBX, _w("del"), _w("moveFrom"),
         f"{{{_MC}}}Fallback", _w("instrText"), _w("delText")}


def read_docx(path: Path, data: bytes) -> Document:
    """Read a DOCX's body: narrative paragraphs as text blocks, tables as grids, both in reading order."""
    body = _open_body(path, data)
    blocks: list[TextBlock] = []
    tables: list[Table] = []
    warnings: list[str] = []
    _walk_flow(body, blocks, tables, warnings)
    return Document(path=str(path), media_type=MEDIA_TYPE, pages=[], text_blocks=blocks, tables=tables,
                    warnings=warnings)


def _open_body(path: Path, data: bytes) -> etree._Element:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                raise InputError(path, "the DOCX archive inflates to over 1 GiB (refused)")
            if "word/document.xml" not in {i.filename for i in infos}:
                raise InputError(path, "a ZIP archive without word/document.xml (not a Word document)")
            bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(path, f"not a readable DOCX (corrupt or truncated ZIP archive: {exc})") from exc
    if bad is not None:
        raise InputError(path, f"not a readable DOCX (member {bad} of the ZIP archive is corrupt)")
    try:
        document = docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"not a readable DOCX (corrupt XML: {exc})") from exc
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise InputError(path, f"not a readable DOCX ({exc})") from exc
    body = document.element.body
    if body is None:
        raise InputError(path, "the DOCX has no document body")
    return body


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Child elements, looking through content controls and other transparent wrappers."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in _TRANSPARENT:
            yield from _children(child)
        else:
            yield child


def _walk_flow(container: etree._Element, blocks: list[TextBlock], tables: list[Table],
               warnings: list[str]) -> None:
    """Paragraphs and tables of a body (or of a layout table's cell) in reading order."""
    for child in _children(container):
        if child.tag == W_P:
            for line in _paragraph_text(child).split("\n"):
                if line.strip():
                    blocks.append(TextBlock(text=line.strip(), page=1))
        elif child.tag == W_TBL:
            if _is_layout_table(child):
                for row in _rows(child):
                    for tc in _row_cells(row):
                        _walk_flow(tc, blocks, tables, warnings)
            else:
                table = _table_grid(child, warnings)
                if table is not None:
                    tables.append(table)


def _paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    _collect_runs(p, parts)
    return "".join(parts)


def _collect_runs(el: etree._Element, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W_T:
            parts.append(child.text or "")
        elif tag == W_TAB:
            parts.append("\t")
        elif tag == W_BR:
            if child.get(_w("type")) != "page":
                parts.append("\n")
        elif tag == W_CR:
            parts.append("\n")
        elif tag == W_NO_BREAK_HYPHEN:
            parts.append("-")
        else:
            _collect_runs(child, parts)


def _rows(tbl: etree._Element) -> list[etree._Element]:
    return [c for c in _children(tbl) if c.tag == W_TR]


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    return [c for c in _children(tr) if c.tag == W_TC]


def _is_layout_table(tbl: etree._Element) -> bool:
    """A table wrapping a sizeable table is page layout: its content is read as flow, not as a grid."""
    return any(len(_rows(nested)) >= LAYOUT_NESTED_ROWS for nested in tbl.iter(W_TBL) if nested is not tbl)


def _cell_text(tc: etree._Element) -> str:
    """The cell's paragraphs joined with newlines; a nested table's rows become lines."""
    lines: list[str] = []
    for child in _children(tc):
        if child.tag == W_P:
            lines.extend(_paragraph_text(child).split("\n"))
        elif child.tag == W_TBL:
            for tr in _rows(child):
                texts = (_cell_text(c).replace("\n", " ") for c in _row_cells(tr))
                lines.append(" ".join(t for t in texts if t))
    return "\n".join(s.strip() for s in lines if s.strip())


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    raw = el.get(W_VAL)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        return default


def _prop(el: etree._Element, props: str, name: str) -> etree._Element | None:
    pr = el.find(_w(props))
    return None if pr is None else pr.find(_w(name))


@dataclass
class _Grid:
    cells: list[Cell] = field(default_factory=list)
    n_cols: int = 0
    # column -> the cell that a w:vMerge="continue" below would extend
    open_at: dict[int, Cell] = field(default_factory=dict)


def _table_grid(tbl: etree._Element, warnings: list[str]) -> Table | None:
    rows = _rows(tbl)
    if not rows:
        return None
    grid = _Grid()
    for r, tr in enumerate(rows):
        _add_row(grid, r, tr, warnings)
    if not grid.cells:
        return None
    return Table(n_rows=len(rows), n_cols=max(grid.n_cols, 1), cells=grid.cells, pages=[], bbox=None)


def _add_row(grid: _Grid, r: int, tr: etree._Element, warnings: list[str]) -> None:
    col = max(0, _int_attr(_prop(tr, "trPr", "gridBefore"), 0))
    touched: set[int] = set()
    prev: Cell | None = None
    for tc in _row_cells(tr):
        span = min(max(1, _int_attr(_prop(tc, "tcPr", "gridSpan"), 1)), MAX_SPAN)
        vmerge = _prop(tc, "tcPr", "vMerge")
        hmerge = _prop(tc, "tcPr", "hMerge")
        if hmerge is not None and hmerge.get(W_VAL) != "restart" and prev is not None and prev.row == r:
            prev.col_span += span  # legacy horizontal merge: this tc continues the previous cell
            col += span
            continue
        if vmerge is not None and vmerge.get(W_VAL) != "restart":
            above = grid.open_at.get(col)
            if above is not None and above.row + above.row_span == r:
                above.row_span += 1
                touched.add(col)
                prev = above
                col += span
                continue
            warnings.append(f"table row {r + 1}: a vertical merge continues no cell above; kept as a cell")
        cell = Cell(row=r, col=col, col_span=span, text=_cell_text(tc), source=TextSource.DOCX)
        grid.cells.append(cell)
        grid.open_at[col] = cell
        touched.add(col)
        prev = cell
        col += span
    col += max(0, _int_attr(_prop(tr, "trPr", "gridAfter"), 0))
    for c in [c for c in grid.open_at if c not in touched]:
        del grid.open_at[c]  # a merge cannot continue across a row that has no cell in that column
    grid.n_cols = max(grid.n_cols, col)
