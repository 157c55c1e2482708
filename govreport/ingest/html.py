"""HTML pages: narrative text blocks and tables (rowspan/colspan resolved to a grid), in order."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from govreport.errors import InputError
from govreport.ir import Cell, Document, Table, TextBlock, TextSource

MEDIA_TYPE = "text/html"
MAX_SPAN = 1000  # spans over this are nonsense: clamp them to the table's size
LAYOUT_NESTED_ROWS = 3  # a table holding a nested table of this many rows is page layout

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WS = re.compile(r"[ \t\r\n\f\v]+")
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")

_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "select", "option", "object", "iframe"}
_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
    "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "address", "center",
    "figure", "figcaption", "form", "fieldset", "hr", "body", "html", "caption", "table", "tr", "thead",
    "tbody", "tfoot",
}
_CELL_TAGS = {"td", "th"}
_ROW_GROUPS = {"thead", "tbody", "tfoot"}
# A character that stands for a line boundary while text is collected; never occurs in real text.
_NL = "\x00"


def read_html(path: Path, data: bytes) -> Document:
    """Read an HTML page: text of block elements outside tables, and tables as grids, in document order."""
    text, warnings = decode_html(data)
    text = _XML_DECL.sub("", text, count=1).replace(_NL, "")
    if not text.strip():
        raise InputError(path, "the HTML page is empty")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(path, f"not a readable HTML page ({exc})") from exc
    blocks: list[TextBlock] = []
    tables: list[Table] = []
    title = root.findtext(".//title")
    if title and title.strip():
        blocks.append(TextBlock(text=_WS.sub(" ", title).strip(), page=1))
    body = root.find("body")
    flow = _Flow(blocks, tables)
    flow.walk(body if body is not None else root)
    flow.flush()
    return Document(path=str(path), media_type=MEDIA_TYPE, pages=[], text_blocks=blocks, tables=tables,
                    warnings=warnings)


def decode_html(data: bytes) -> tuple[str, list[str]]:
    """Text of an HTML file: a BOM wins, then a ``<meta charset>``, then UTF-8, then GB18030."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), []
    tried: list[str] = []
    m = _META_CHARSET.search(data[:8192])
    if m:
        declared = _codec(m.group(1).decode("ascii", errors="replace"))
        if declared:
            tried.append(declared)
    for enc in (*tried, "utf-8", "gb18030"):
        try:
            return data.decode(enc), []
        except UnicodeDecodeError:
            continue
    fallback = tried[0] if tried else "utf-8"
    warning = f"the page is not valid {fallback}; bad bytes were replaced"
    return data.decode(fallback, errors="replace"), [warning]


def _codec(name: str) -> str | None:
    """A Python codec for a declared charset; GB2312/GBK are read as their superset GB18030."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    if canonical in {"gb2312", "gbk", "gb18030", "hz"}:
        return "gb18030"
    if canonical.startswith("utf-16"):
        return None  # a meta tag in a file we just read as bytes cannot be UTF-16 without a BOM
    return canonical


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _lines(raw: str) -> list[str]:
    """Collected text split at block boundaries, whitespace runs collapsed, empty lines dropped."""
    out: list[str] = []
    for piece in raw.split(_NL):
        s = _WS.sub(" ", piece).strip()
        if s:
            out.append(s)
    return out


def _inline_text(el: etree._Element, parts: list[str]) -> None:
    """Text of ``el``'s content (not its tail) with block and <br> boundaries as _NL."""
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = _tag(child)
        if tag is not None and tag not in _SKIP_TAGS:
            if tag == "br":
                parts.append(_NL)
            elif tag in _CELL_TAGS:
                parts.append(" ")
                _inline_text(child, parts)
                parts.append(" ")
            elif tag in _BLOCK_TAGS:
                parts.append(_NL)
                _inline_text(child, parts)
                parts.append(_NL)
            else:
                _inline_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def cell_text(el: etree._Element) -> str:
    """A td/th's text: lines at <br>/<p> boundaries, whitespace collapsed, nested tables flattened."""
    parts: list[str] = []
    _inline_text(el, parts)
    return "\n".join(_lines("".join(parts)))


def _table_rows(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in _ROW_GROUPS:
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    return [c for c in tr if _tag(c) in _CELL_TAGS]


def _is_layout_table(table: etree._Element) -> bool:
    """A table wrapping a sizeable table is page layout: read its content as flow, not as a grid."""
    return any(len(_table_rows(t)) >= LAYOUT_NESTED_ROWS for t in table.iter("table") if t is not table)


def _span(raw: str | None) -> int | None:
    """An HTML span attribute as the browser parses it (leading digits); None where absent or invalid."""
    if raw is None:
        return None
    m = _LEADING_INT.match(raw)
    return int(m.group(1)) if m else None


def _sane(colspan: int | None) -> int:
    return colspan if colspan is not None and 1 <= colspan <= MAX_SPAN else 1


def table_grid(table: etree._Element) -> Table | None:
    """The HTML table algorithm: each td/th at the first free slot of its row, spans occupying slots."""
    rows = _table_rows(table)
    if not rows:
        return None
    n_rows = len(rows)
    parsed = [[(td, _span(td.get("colspan")), _span(td.get("rowspan"))) for td in _row_cells(tr)]
              for tr in rows]
    sane_width = max((sum(_sane(c) for _, c, _ in row) for row in parsed), default=1)
    # column -> the first row no longer covered by a rowspan from above (O(colspan) per cell, not O(area))
    busy_until: dict[int, int] = {}
    cells: list[Cell] = []
    n_cols = 0
    for r, row in enumerate(parsed):
        x = 0
        for td, colspan, rowspan in row:
            while busy_until.get(x, 0) > r:
                x += 1
            cs = 1 if colspan is None or colspan < 1 else colspan
            if cs > MAX_SPAN:
                cs = 1  # as wide as the table allows, up to the first slot a span from above holds
                while x + cs < sane_width and busy_until.get(x + cs, 0) <= r:
                    cs += 1
            rs = 1 if rowspan is None or rowspan < 0 else rowspan
            if rs == 0 or rs > n_rows - r:
                rs = n_rows - r  # rowspan=0 and overlong spans run to the end of the table
            for dc in range(cs):
                busy_until[x + dc] = max(busy_until.get(x + dc, 0), r + rs)
            cells.append(Cell(row=r, col=x, row_span=rs, col_span=cs, text=cell_text(td),
                              source=TextSource.HTML))
            x += cs
            n_cols = max(n_cols, x)
    if not cells:
        return None
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells, pages=[], bbox=None)


@dataclass
class _Flow:
    """Walks the page in document order, cutting text at block boundaries and collecting tables."""

    blocks: list[TextBlock]
    tables: list[Table]

    def __post_init__(self) -> None:
        self._buf: list[str] = []

    def flush(self) -> None:
        for line in _lines("".join(self._buf)):
            self.blocks.append(TextBlock(text=line, page=1))
        self._buf = []

    def walk(self, el: etree._Element) -> None:
        if el.text:
            self._buf.append(el.text)
        for child in el:
            tag = _tag(child)
            if tag is not None and tag not in _SKIP_TAGS:
                self._element(child, tag)
            if child.tail:
                self._buf.append(child.tail)

    def _element(self, el: etree._Element, tag: str) -> None:
        if tag == "br":
            self._buf.append(_NL)
        elif tag == "table":
            self.flush()
            if _is_layout_table(el):
                self.walk_layout(el)
            else:
                grid = table_grid(el)
                if grid is not None:
                    self.tables.append(grid)
        elif tag in _BLOCK_TAGS or tag in _CELL_TAGS:
            self._buf.append(_NL)
            self.walk(el)
            self._buf.append(_NL)
        else:
            self.walk(el)

    def walk_layout(self, table: etree._Element) -> None:
        for tr in _table_rows(table):
            for td in _row_cells(tr):
                self.walk(td)
                self.flush()
