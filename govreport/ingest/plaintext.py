"""Plain-text exports of reports, with the tables flattened to tab-marked lines.

Two shapes occur, sometimes in one file:

- one cell per line: each cell line starts with a TAB, rows are separated by blank lines, and a line
  without a TAB right after a cell line continues that cell (a label split over lines);
- one row per line: the cells of a row separated by TABs.

A table region is a run of such rows; a narrative line (no TAB, not a continuation) ends it. Column
indices carry no meaning in either shape (merged cells are simply missing), so tables come out with
``aligned_columns=False`` and each cell's ``col`` is its position in the row.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from govreport.errors import InputError
from govreport.ir import Cell, Document, Table, TextBlock, TextSource
from govreport.layout.crosspage import is_page_furniture

MEDIA_TYPE = "text/plain"
MAX_CONTINUATION_CHARS = 60  # a longer line after a cell line is narrative, not the rest of a label
_SECTION_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\s*\S{2,}")
_LINE_BREAKS = re.compile(r"\r\n|[\r\f\v\x1c\x1d\x1e\x85\u2028\u2029]")


class _Kind(Enum):
    BLANK = "blank"
    TEXT = "text"
    CELL = "cell"  # one cell on a line, after a leading TAB
    ROW = "row"  # a row on a line, cells separated by TABs


def read_text(path: Path, data: bytes) -> Document:
    """Read a plain-text report: narrative lines as text blocks, TAB-marked regions as tables."""
    text, warnings = decode_text(data)
    if not text.strip():
        raise InputError(path, "the text file is empty")
    parser = _Parser()
    for line in _LINE_BREAKS.sub("\n", text).split("\n"):
        parser.feed(line)
    parser.close_region()
    return Document(path=str(path), media_type=MEDIA_TYPE, pages=[], text_blocks=parser.blocks,
                    tables=parser.tables, warnings=warnings)


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 (a BOM is dropped), else GB18030; undecodable bytes are replaced with a warning."""
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), []
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), []
        except UnicodeDecodeError:
            continue
    warning = "the file is neither UTF-8 nor GB18030; bad bytes were replaced"
    return data.decode("utf-8", errors="replace"), [warning]


def _kind(line: str) -> _Kind:
    if "\t" in line:
        return _Kind.CELL if line.startswith("\t") and line.count("\t") == 1 else _Kind.ROW
    return _Kind.TEXT if line.strip() else _Kind.BLANK


def _clean(cell: str) -> str:
    return cell.strip()


def _is_continuation(line: str) -> bool:
    s = line.strip()
    return len(s) <= MAX_CONTINUATION_CHARS and not _SECTION_HEADING.match(s) and not is_page_furniture(s)


@dataclass
class _Parser:
    blocks: list[TextBlock] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    _rows: list[list[str]] = field(default_factory=list)  # rows of the open table region
    _cells: list[str] | None = None  # the one-cell-per-line row being built
    _last: _Kind = _Kind.BLANK  # the kind of the previous line

    def feed(self, line: str) -> None:
        kind = _kind(line)
        if kind is _Kind.CELL and self._last is _Kind.ROW:
            kind = _Kind.ROW  # "\tlabel" inside row-per-line data: a row whose first cell is empty
        if kind is _Kind.CELL:
            if self._cells is None:
                self._cells = []
                self._rows.append(self._cells)
            self._cells.append(_clean(line[1:]))
        elif kind is _Kind.ROW:
            self._cells = None
            self._rows.append([_clean(c) for c in line.split("\t")])
        elif kind is _Kind.BLANK:
            self._cells = None
        elif self._last is _Kind.CELL and self._cells and _is_continuation(line):
            head = self._cells[-1]
            self._cells[-1] = f"{head}\n{line.strip()}" if head else line.strip()
            kind = _Kind.CELL
        elif self._rows and is_page_furniture(line):
            self.blocks.append(TextBlock(text=line.strip(), page=1))
            kind = _Kind.BLANK  # a page number between rows does not end the table
        else:
            self.close_region()
            self.blocks.append(TextBlock(text=line.strip(), page=1))
        self._last = kind

    def close_region(self) -> None:
        self._cells = None
        rows = [r for r in self._rows if r]
        self._rows = []
        if not rows:
            return
        cells = [Cell(row=r, col=c, text=text, source=TextSource.PLAIN_TEXT)
                 for r, row in enumerate(rows) for c, text in enumerate(row)]
        self.tables.append(Table(n_rows=len(rows), n_cols=max(len(r) for r in rows), cells=cells, pages=[],
                                 aligned_columns=False))
