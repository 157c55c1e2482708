"""Row views over the document's tables, split into the three standard tables.

A standard table may be one grid, several grids (split over pages, or one grid per block), or
share a grid with another; so the mapper works on the sequence of rows, cut where each
standard table's own marker appears.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from govreport.ir import Cell, Document, Table
from govreport.postprocess.numbers import looks_numeric
from govreport.textnorm import norm_label


class Section(str, Enum):
    PROACTIVE = "proactive"  # table 二
    REQUESTS = "requests"  # table 三
    APPEALS = "appeals"  # table 四


SECTION_NAMES = {
    Section.PROACTIVE: "二 (主动公开)",
    Section.REQUESTS: "三 (依申请公开)",
    Section.APPEALS: "四 (复议诉讼)",
}


@dataclass(frozen=True)
class RowView:
    table_index: int
    table: Table
    row: int
    starting: tuple[Cell, ...]  # cells whose top-left slot is in this row, by column
    covering: tuple[Cell, ...]  # every cell covering this row, by column

    @property
    def texts(self) -> list[str]:
        return [norm_label(c.text) for c in self.covering if c.text.strip()]

    @property
    def joined(self) -> str:
        return "".join(self.texts)

    def label_cells(self) -> list[Cell]:
        """Non-empty cells that are not numbers, covering this row."""
        return [c for c in self.covering if c.text.strip() and not looks_numeric(c.text)]

    def has_numbers(self) -> bool:
        return any(c.text.strip() and looks_numeric(c.text) for c in self.starting)

    def mostly_numbers(self) -> bool:
        """Most of the row's filled cells are numbers: a data row, not a header with a stray digit (a scan's
        stroke read as ``1`` in a header cell cut off by a stray line)."""
        filled = [c for c in self.starting if c.text.strip()]
        return bool(filled) and 2 * sum(looks_numeric(c.text) for c in filled) > len(filled)


def all_rows(doc: Document) -> list[RowView]:
    out: list[RowView] = []
    for ti, table in enumerate(doc.tables):
        starting = table.rows()
        for r in range(table.n_rows):
            out.append(RowView(ti, table, r, tuple(starting[r]), tuple(table.covering(r))))
    return out


# Rows only table 三 has: they start its section where a continuation page lacks the header.
_REQUEST_ROW_RE = re.compile(r"本年度办理结果|结转下年度继续办理|不予公开|无法提供|不予处理|\(七\)总计")


_APPEAL_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结")

# Table 三's applicant columns (no other table has them) and its header's longer phrases, which a scan's
# recogniser may garble one character of (申请人情况 read 申清人情况).
_REQUEST_COLUMNS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构")
_REQUEST_HEADER_PHRASES = ("申请人情况", "法人或其他组织", "本年新收政府信息")
# Table 四's (未经复议直接超诉, 复议量起诉 on a faint copy).
_APPEAL_HEADER_PHRASES = ("未经复议直接起诉", "复议后起诉")
# Table 四's values: three groups (复议, 未经复议直接起诉, 复议后起诉) of five (维持, 纠正, 其他, 未审结, 总计), in one
# row; no other standard table has a row of so many cells.
APPEAL_VALUE_CELLS = 15


def contains_nearly(text: str, phrase: str, wrong: int = 1) -> bool:
    """``phrase`` occurs in ``text`` with at most ``wrong`` of its characters read as others (same length)."""
    n = len(phrase)
    return any(sum(a != b for a, b in zip(text[i:i + n], phrase, strict=True)) <= wrong
               for i in range(len(text) - n + 1))


# A table-二 block heading (第二十条第（一）项) whose 二十 a scan garbled or lost: Φ条第()项, 第:十条第11).
_GARBLED_BLOCK_HEADING_RE = re.compile(r"十条第|条第[^条]{0,4}项")


def is_block_heading(row: RowView) -> bool:
    """A table-二 block heading row (第二十条第（一）项), also one a scan garbled (then without numbers in it)."""
    j = row.joined
    if "第二十条" in j and ("项" in j or "(" in j):
        return True
    return bool(_GARBLED_BLOCK_HEADING_RE.search(j)) and not row.has_numbers()


def _marker(row: RowView) -> Section | None:
    j = row.joined
    if is_block_heading(row) or contains_nearly(j[:4], "信息内容"):
        return Section.PROACTIVE
    # (a lost ruling merged the block's heading, garbled, over the header: 信息内容 is the first cell's last line)
    if row.starting and contains_nearly(row.starting[0].text.split("\n")[-1][:4], "信息内容"):
        return Section.PROACTIVE
    if "申请人情况" in j or "本年新收" in j or "勾稽关系" in j or _REQUEST_ROW_RE.search(j):
        return Section.REQUESTS
    if (sum(t in j for t in _REQUEST_COLUMNS) >= 2
            or any(contains_nearly(j, t) for t in _REQUEST_HEADER_PHRASES)):
        return Section.REQUESTS
    if "行政复议" in j and ("行政诉讼" in j or "结果维持" in j):
        return Section.APPEALS
    # A scan's header with "行政复议" misread: what else only table 四's header holds.
    if "行政诉讼" in j or "直接起诉" in j or "复议后起诉" in j or sum(t in j for t in _APPEAL_COLUMNS) >= 3:
        return Section.APPEALS
    if any(contains_nearly(j, t) for t in _APPEAL_HEADER_PHRASES):
        return Section.APPEALS
    return None


def _appeal_values(row: RowView) -> bool:
    """The row is table 四's values by its shape: APPEAL_VALUE_CELLS single cells, mostly numbers."""
    singles = [c for c in row.starting if c.row_span == 1 and c.col_span == 1]
    return len(row.starting) == APPEAL_VALUE_CELLS == len(singles) and row.mostly_numbers()


def split_sections(rows: list[RowView]) -> dict[Section, list[RowView]]:
    """Rows of each standard table, in document order. A section runs until another's marker. A table's rows above
    its first marker (a header a scan garbled past knowing, over 一、本年新收…) that fell to the section before go
    with that marker: one table is one section (but for rows of values, kept where they are)."""
    out: dict[Section, list[RowView]] = {}
    current: Section | None = None
    marked: set[int] = set()  # tables with a marker of their own so far
    for row in rows:
        m = _marker(row)
        if m is None and current is Section.REQUESTS and row.table_index not in marked and _appeal_values(row):
            # A table after table 三 whose header a faint copy garbled past knowing, but with table 四's row of values.
            m = Section.APPEALS
        if m is not None:
            if row.table_index not in marked and current is not None and current != m:
                # (its header rows only: rows of values above are the section before's, in a grid holding both)
                moved = [r for r in out.get(current, []) if r.table_index == row.table_index and not r.mostly_numbers()]
                out[current] = [r for r in out[current] if not any(r is x for x in moved)]
                out.setdefault(m, []).extend(moved)
            marked.add(row.table_index)
            current = m
        if current is not None:
            out.setdefault(current, []).append(row)
    return {k: v for k, v in out.items() if v}
