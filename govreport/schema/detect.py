"""Which edition of the national format (2019 or 2021) a report follows, from its labels."""

from __future__ import annotations

from dataclasses import dataclass

from govreport.ir import Document
from govreport.schema.templates import TemplateId
from govreport.textnorm import norm_label

MARKERS: dict[TemplateId, tuple[str, ...]] = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
             "申请人逾期未按收费通知要求缴纳费用", "逾期不补正"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
             "采购项目数量", "采购总金额", "其他对外管理服务事项", "政府集中采购"),
}


@dataclass(frozen=True)
class TemplateGuess:
    template: TemplateId | None
    evidence: list[str]


def detect_template(doc: Document, year: int | None) -> TemplateGuess:
    """Count each edition's distinctive labels in the tables; the report year breaks a tie."""
    cells = [norm_label(c.text) for t in doc.tables for c in t.cells if c.text.strip()]
    text = "\n".join(cells)
    hits: dict[TemplateId, list[str]] = {tid: [m for m in marks if norm_label(m) in text]
                                         for tid, marks in MARKERS.items()}
    n19, n21 = len(hits["2019"]), len(hits["2021"])
    if n21 > n19:
        return TemplateGuess("2021", hits["2021"])
    if n19 > n21:
        return TemplateGuess("2019", hits["2019"])
    if year is not None and (n19 or n21 or doc.tables):
        tid: TemplateId = "2021" if year >= 2021 else "2019"
        return TemplateGuess(tid, [f"report year {year}"])
    return TemplateGuess(None, [])
