"""Report metadata (agency, year, publication date) and the text of sections 一 to 六."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from govreport.ir import Document
from govreport.layout.crosspage import is_page_furniture
from govreport.report import SectionText
from govreport.textnorm import nfkc, squash

SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("一", "总体情况", ("总体情况",)),
    ("二", "主动公开政府信息情况", ("主动公开政府信息情况",)),
    ("三", "收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请",)),
    ("四", "政府信息公开行政复议、行政诉讼情况", ("行政复议、行政诉讼", "行政复议,行政诉讼", "行政复议和行政诉讼")),
    ("五", "存在的主要问题及改进情况", ("存在的主要问题",)),
    ("六", "其他需要报告的事项", ("其他需要报告",)),
]
_NUMERALS = "一二三四五六"
_HEADING_NUM = re.compile(r"^[(（]?([一二三四五六]|[1-6])[)）]?\s*[、.．,，]?\s*")
_TITLE_RE = re.compile(r"(?P<pre>.*?)(?P<year>20\d\d)年(?:度)?(?P<post>.*?)政府信息公开(?:工作)?年度报告")
_DATE_RE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_AGENCY_TAIL = re.compile(r"(人民政府|政府办公室|办公厅|委员会|[局厅委办署院所处室站队中心馆会行社])$")
_PREFIX_RE = r"((?:[\u4e00-\u9fff]{1,6}?[省市州盟区县旗]){1,3})"


@dataclass
class Narrative:
    agency: str | None = None
    year: int | None = None
    publication_date: str | None = None
    sections: list[SectionText] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    titled: bool = False  # the document's title names it a 政府信息公开工作年度报告


def _lines(doc: Document) -> list[str]:
    """Text lines with wrapped paragraph lines joined back (a line that runs to the right margin
    continues on the next line, also across a page break)."""
    blocks = [b for b in doc.text_blocks if b.text.strip() and not is_page_furniture(b.text)]
    right: dict[int, float] = {}
    for b in blocks:
        if b.bbox is not None:
            right[b.page] = max(right.get(b.page, 0.0), b.bbox.x1)
    out: list[str] = []
    joins_next = False
    for b in blocks:
        text = b.text.strip()
        if joins_next and out and _heading(text) is None:
            out[-1] += text
        else:
            out.append(text)
        joins_next = b.bbox is not None and b.bbox.x1 >= right[b.page] - 1.5 * (b.bbox.y1 - b.bbox.y0)
    return out


def _title(lines: list[str]) -> tuple[str | None, int | None]:
    head = ""
    for line in lines[:6]:
        head += squash(nfkc(line))
        m = _TITLE_RE.search(head)
        if m:
            agency = m.group("pre") or m.group("post")
            agency = agency.strip("《》<>\"“”")
            return (agency or None), int(m.group("year"))
    return None, None


def _full_agency(short: str, text: str) -> str:
    """The fullest form of the agency printed in the text, e.g. 洪泽区人民政府 -> 淮安市洪泽区人民政府."""
    # A match may start inside the sentence (本报告由淮安市…): keep what follows the last particle.
    found = [re.split(r"[由于在的是为和与对向经按据将从自把被及请]", m.group(1))[-1]
             for m in re.finditer(_PREFIX_RE + re.escape(short), text)]
    found = [p for p in found if len(p) >= 2 and not re.search(r"[路街道号巷楼弄村组]", p)]
    if not found:
        return short
    return max(found, key=len) + short


def _year_from_text(text: str) -> int | None:
    m = re.search(r"统计期限自\s*(20\d\d)\s*年", text)
    m = m or re.search(r"(20\d\d)\s*年[,，]?\s*[^年]{0,20}政府信息公开", text)
    return int(m.group(1)) if m else None


def _publication_date(lines: list[str], year: int | None) -> str | None:
    """A date printed on a line of its own (the signature date), latest in the document."""
    for line in reversed(lines):
        t = squash(nfkc(line))
        m = _DATE_RE.fullmatch(t) or (len(t) <= 40 and _DATE_RE.search(t) and not re.search(r"[自至起止]", t)
                                      and _DATE_RE.search(t))
        if not m:
            continue
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if year is None or d.year >= year:
            return d.isoformat()
    return None


def _heading(line: str) -> int | None:
    t = squash(nfkc(line))
    if len(t) > 40:
        return None
    m = _HEADING_NUM.match(t)
    if not m:
        return None
    num = m.group(1)
    index = _NUMERALS.index(num) if num in _NUMERALS else int(num) - 1
    rest = t[m.end():]
    for i, (_, _, keys) in enumerate(SECTIONS):
        if any(k in rest for k in keys):
            return i if i == index else None
    return None


def _sections(lines: list[str]) -> list[SectionText]:
    found: list[tuple[int, int]] = []  # (section index, line index)
    for li, line in enumerate(lines):
        si = _heading(line)
        if si is not None and (not found or si > found[-1][0]):
            found.append((si, li))
    out = []
    for k, (si, li) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(lines)
        number, title, _ = SECTIONS[si]
        out.append(SectionText(number=number, title=title, text="\n".join(lines[li + 1 : end]).strip()))
    return out


def read_narrative(doc: Document) -> Narrative:
    lines = _lines(doc)
    out = Narrative()
    text = squash(nfkc("\n".join(lines[:60])))
    short, year = _title(lines)
    out.titled = year is not None
    if short and _AGENCY_TAIL.search(short):
        out.agency = _full_agency(short, text)
    elif short:
        out.agency = short
        out.warnings.append(f"agency {short!r} does not end like an agency name")
    else:
        out.warnings.append("report title (agency and year) not found")
    out.year = year or _year_from_text(text)
    out.publication_date = _publication_date(lines, out.year)
    out.sections = _sections(lines)
    missing = [n for n, _, _ in SECTIONS if n not in {s.number for s in out.sections}]
    if missing:
        out.warnings.append("section heading(s) not found: " + " ".join(missing))
    return out
