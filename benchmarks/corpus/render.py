"""Render a label as a report page: HTML, DOCX (python-docx) and PDF (LibreOffice headless).

The three standard tables are built once as a grid of spanning cells (``TableSpec``) and then written
out as HTML (rowspan/colspan) or DOCX (merged cells), so both formats share one layout.  What a value
looks like in print is decided by ``printed_text``; the label always holds the value itself.
"""

from __future__ import annotations

import datetime
import html
import io
import random
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .labels import OTHER_HANDLING_SUBROWS, is_single_row_other_handling, load_template

CJK_FONTS: tuple[str, ...] = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
)
BLANK_TEXTS: tuple[str, ...] = ("", "—", "/", "无")
NUMBER_SEPS: tuple[str, ...] = (".", "、", "．", ". ")

# (correct text, garbled text) pairs seen in (or modelled on) published reports
GARBLES: tuple[tuple[str, str], ...] = (
    ("法规禁止公开", "止公开"),
    ("无正当理由大量反复申请", "无正当理由大量反复 申请"),
    ("确认或重新出具已获取信息", "确认或重 新出具已获取信息"),
    ("只计这一情形", "只计这一情 形"),
    ("本机关不掌握相关政府信息", "本机关不掌握相关政府信 息"),
    ("“三安全一稳定”", '"三安全一稳定"'),
    ("保护第三方合法权益", "保护第三方合法 权益"),
)

REQUESTS_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_PARENT = "三、本年度办理结果"


@dataclass(frozen=True)
class RenderStyle:
    """How a report is printed.  ``seed`` drives every random choice made while rendering."""

    seed: int = 0
    font_family: str = "Noto Serif CJK SC"
    heading_font_family: str = "Noto Sans CJK SC"
    body_font_size_pt: float = 14.0
    table_font_size_pt: float = 10.0
    col_width_jitter: float = 0.0  # relative jitter of column widths, e.g. 0.15
    shaded_headers: bool = False
    shade_color: str = "C6D9F1"
    blank_text: str = ""  # how a null cell prints: "", "—", "/", "无"
    zero_typo_rate: float = 0.0  # share of zeros printed "00"
    repeat_header: bool = True  # table 三 repeats its header rows after a page break
    number_sep: str = "."  # "1." / "1、" / "1．" / "1. "
    garble_rate: float = 0.0  # chance each known garble is applied to a row label
    thousands_sep: bool = False  # 9,487
    amount_suffix: str = ""  # e.g. "元" as in '81284.86元'
    plus_sign: bool = False  # "+10" for a positive 本年增/减 (2019 format)
    split_labels: bool = False  # HTML: split labels over inline tags
    vertical_results_label: bool = True  # 三、本年度办理结果 printed one character per line
    article_space: bool = False  # "第二十条 第（一）项"
    page_numbers: bool = True  # DOCX footer "- 1 -"
    section_headings: tuple[str, ...] = field(
        default=(
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        )
    )


def random_style(rng: random.Random) -> RenderStyle:
    """A random but plausible ``RenderStyle``."""
    font = rng.choice(CJK_FONTS)
    return RenderStyle(
        seed=rng.randrange(2**31),
        font_family=font,
        heading_font_family=rng.choice((font, "Noto Sans CJK SC", "WenQuanYi Zen Hei")),
        body_font_size_pt=rng.choice((12.0, 14.0, 15.0, 16.0)),
        table_font_size_pt=rng.choice((9.0, 10.0, 10.5, 11.0)),
        col_width_jitter=rng.choice((0.0, 0.0, 0.1, 0.2)),
        shaded_headers=rng.random() < 0.35,
        shade_color=rng.choice(("C6D9F1", "D9D9D9", "DEEAF6", "F2F2F2")),
        blank_text=rng.choice(BLANK_TEXTS),
        zero_typo_rate=0.02 if rng.random() < 0.15 else 0.0,
        repeat_header=rng.random() < 0.5,
        number_sep=rng.choices(NUMBER_SEPS, weights=(6, 2, 1, 1))[0],
        garble_rate=rng.choice((0.0, 0.0, 0.0, 0.15, 0.4)),
        thousands_sep=rng.random() < 0.2,
        amount_suffix=rng.choice(("", "", "", "元", "万元")),
        plus_sign=rng.random() < 0.4,
        split_labels=rng.random() < 0.5,
        vertical_results_label=rng.random() < 0.7,
        article_space=rng.random() < 0.15,
        page_numbers=rng.random() < 0.8,
    )


def printed_text(value: int | float | None, key: str, style: RenderStyle, rng: random.Random) -> str:
    """How the cell ``key`` holding ``value`` prints under ``style`` (null -> the blank style)."""
    if value is None:
        return style.blank_text
    if key.endswith(".amount"):
        text = f"{float(value):,.2f}" if style.thousands_sep else f"{float(value):.2f}"
        return text + style.amount_suffix
    number = int(value)
    if number == 0 and style.zero_typo_rate > 0 and rng.random() < style.zero_typo_rate:
        return "00"
    text = f"{number:,}" if style.thousands_sep and abs(number) >= 1000 else str(number)
    if style.plus_sign and key.endswith(".change_this_year") and number > 0:
        text = "+" + text
    return text


# ---------------------------------------------------------------------------------------------------------
# table layout shared by HTML and DOCX


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # field key of a data cell
    shade: bool = False  # shaded when the style shades header cells
    bold: bool = False
    vertical: bool = False  # one character per line
    align: str = "center"


@dataclass
class TableSpec:
    rows: list[list[Cell]]
    widths: list[float]  # relative column widths
    header_rows: int = 0
    repeat_header: bool = False
    keep_together: bool = False  # DOCX: keep all rows on one page

    @property
    def n_cols(self) -> int:
        return len(self.widths)


@dataclass
class Placed:
    cell: Cell
    row: int
    col: int


def place_cells(spec: TableSpec) -> list[Placed]:
    """Grid positions of the cells (the HTML table layout algorithm)."""
    taken: set[tuple[int, int]] = set()
    placed: list[Placed] = []
    for r, row in enumerate(spec.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            if c + cell.colspan > spec.n_cols:
                raise ValueError(f"row {r} overflows {spec.n_cols} columns")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            placed.append(Placed(cell, r, c))
            c += cell.colspan
    return placed


def _label(text: str, style: RenderStyle, rng: random.Random) -> str:
    text = re.sub(r"^(\d)\.", lambda m: m.group(1) + style.number_sep, text)
    for good, bad in GARBLES:
        if good in text and style.garble_rate > 0 and rng.random() < style.garble_rate:
            text = text.replace(good, bad)
    return text


def _heading(text: str, style: RenderStyle) -> str:
    return text.replace("条第", "条 第") if style.article_space else text


def _jitter(widths: Sequence[float], style: RenderStyle, rng: random.Random) -> list[float]:
    if style.col_width_jitter <= 0:
        return list(widths)
    return [w * (1 + rng.uniform(-style.col_width_jitter, style.col_width_jitter)) for w in widths]


def _spread(n: int, total: int) -> list[int]:
    """Column spans for ``n`` header columns in ``total`` grid columns (the last one takes the rest)."""
    return [1] * (n - 1) + [total - n + 1]


def proactive_table(
    template_json: Mapping[str, Any], cells: Mapping[str, Any], style: RenderStyle, rng: random.Random
) -> TableSpec:
    rows: list[list[Cell]] = []
    for block in template_json["proactive_blocks"]:
        rows.append([Cell(_heading(block["heading"], style), colspan=4, shade=True)])
        cols = list(block["columns"].items())
        spans = _spread(len(cols), 3)
        header = [Cell("信息内容", bold=True)]
        header += [Cell(text, colspan=span, bold=True) for (_, text), span in zip(cols, spans, strict=True)]
        rows.append(header)
        for row_key, row_text in block["rows"].items():
            row = [Cell(row_text, align="left")]
            for (col_key, _), span in zip(cols, spans, strict=True):
                key = f"proactive.{row_key}.{col_key}"
                row.append(Cell(printed_text(cells.get(key), key, style, rng), colspan=span, key=key))
            rows.append(row)
    return TableSpec(rows, _jitter([1.7, 1.0, 1.0, 1.0], style, rng))


def _request_rows(template_json: Mapping[str, Any], single_row: bool) -> list[tuple[str, str, str | None]]:
    """(row key, label, parent) of table 三, with the single （六）其他处理 row where needed."""
    out: list[tuple[str, str, str | None]] = []
    for row in template_json["request_rows"]:
        if single_row and row["key"] in OTHER_HANDLING_SUBROWS:
            if row["key"] == OTHER_HANDLING_SUBROWS[0]:
                out.append(
                    (
                        "other_handling",
                        template_json["fields"]["requests.other_handling.total"][1],
                        RESULTS_PARENT,
                    )
                )
            continue
        out.append((row["key"], row["label"], row["parent"]))
    return out


def requests_table(
    template_json: Mapping[str, Any], cells: Mapping[str, Any], style: RenderStyle, rng: random.Random
) -> TableSpec:
    columns: dict[str, str] = dict(template_json["request_columns"])
    org_cols = [c for c in columns if c not in ("natural_person", "total")]
    rows: list[list[Cell]] = [
        [Cell(REQUESTS_CORNER, rowspan=3, colspan=3, shade=True), Cell("申请人情况", colspan=7, shade=True)],
        [
            Cell(columns["natural_person"], rowspan=2, shade=True),
            Cell("法人或其他组织", colspan=5, shade=True),
            Cell(columns["total"], rowspan=2, shade=True),
        ],
        [Cell(columns[c], shade=True) for c in org_cols],
    ]
    request_rows = _request_rows(template_json, is_single_row_other_handling(template_json, cells))
    n_results = sum(1 for _, _, parent in request_rows if parent is not None)
    group_sizes: dict[str, int] = {}
    for _, _, parent in request_rows:
        if parent is not None and parent != RESULTS_PARENT:
            group_sizes[parent] = group_sizes.get(parent, 0) + 1
    results_started = False
    seen_groups: set[str] = set()
    for key, text, parent in request_rows:
        row: list[Cell] = []
        if parent is None:
            row.append(Cell(_label(text, style, rng), colspan=3, align="left", bold=True))
        else:
            if not results_started:
                results_started = True
                row.append(
                    Cell(RESULTS_PARENT, rowspan=n_results, vertical=style.vertical_results_label, bold=True)
                )
            if parent == RESULTS_PARENT:
                row.append(Cell(_label(text, style, rng), colspan=2, align="left"))
            else:
                if parent not in seen_groups:
                    seen_groups.add(parent)
                    row.append(Cell(parent, rowspan=group_sizes[parent]))
                row.append(Cell(_label(text, style, rng), align="left"))
        for col in columns:
            field_key = f"requests.{key}.{col}"
            row.append(Cell(printed_text(cells.get(field_key), field_key, style, rng), key=field_key))
        rows.append(row)
    widths = _jitter([0.55, 1.25, 2.6] + [0.75] * 7, style, rng)
    return TableSpec(rows, widths, header_rows=3, repeat_header=style.repeat_header)


def appeals_table(
    template_json: Mapping[str, Any], cells: Mapping[str, Any], style: RenderStyle, rng: random.Random
) -> TableSpec:
    groups: dict[str, str] = dict(template_json["appeal_groups"])
    columns: dict[str, str] = dict(template_json["appeal_columns"])
    review, *suits = groups
    suit_top = groups[suits[0]].split("/")[0]
    rows: list[list[Cell]] = [
        [Cell(groups[review], colspan=5, shade=True), Cell(suit_top, colspan=10, shade=True)],
        [Cell(text, rowspan=2, shade=True) for text in columns.values()]
        + [Cell(groups[g].split("/")[-1], colspan=5, shade=True) for g in suits],
        [Cell(text, shade=True) for _ in suits for text in columns.values()],
    ]
    data: list[Cell] = []
    for group in groups:
        for col in columns:
            key = f"appeals.{group}.{col}"
            data.append(Cell(printed_text(cells.get(key), key, style, rng), key=key))
    rows.append(data)
    return TableSpec(rows, _jitter([1.0] * 15, style, rng), header_rows=3, keep_together=True)


# ---------------------------------------------------------------------------------------------------------
# prose


def _sections_text(label: Mapping[str, Any], rng: random.Random) -> dict[str, list[str]]:
    agency: str = label["agency"]
    year: int = label["year"]
    short = re.sub(r"^.*?[市省](?=.)", "", agency) or agency
    n_pub = rng.randint(80, 3000)
    n_wechat = rng.randint(10, 600)
    n_inter = rng.randint(1, 40)
    overview = [
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国"
        f"政府信息公开条例》，坚持“以公开为常态、不公开为例外”，持续推进政务公开标准化规范化建设。",
        rng.choice(
            (
                f"（一）主动公开情况。全年通过政府门户网站主动公开政府信息{n_pub}条，通过政务新媒体发布信息"
                f"{n_wechat}条，及时公开财政预决算、重大建设项目、社会救助等重点领域信息。",
                f"（一）主动公开情况。全年累计发布各类政府信息{n_pub}条，其中政策文件{rng.randint(5, 80)}条、"
                f"政策解读{rng.randint(3, 60)}条，政务新媒体推送信息{n_wechat}条。",
            )
        ),
        "（二）依申请公开情况。进一步规范依申请公开办理流程，严格落实登记、审核、答复、归档等环节，"
        "做到依法依规、按时答复。",
        f"（三）政府信息管理情况。严格执行“先审后发”和“三审三校”制度，开展政策文件清理，全年组织"
        f"专题培训{n_inter}次，信息发布质量稳步提升。",
        "（四）政府信息公开平台建设情况。加强政府网站和政务新媒体日常监管，及时更新栏目内容，确保平台安全平稳运行。",
        "（五）监督保障情况。将政务公开工作纳入年度目标考核，明确专人负责，定期督促检查，推动各项任务落实到位。",
    ]
    problems = [
        f"{year}年，{short}政府信息公开工作虽取得一定成效，但仍存在一些不足：一是公开内容的全面性和"
        "及时性有待提升；二是政策解读形式还不够丰富；三是依申请公开答复规范性需进一步加强。",
        f"{year + 1}年，我们将进一步加强业务培训，完善工作机制，提升依申请公开办理质量，"
        "丰富政策解读形式，持续推进政务公开工作提质增效。",
    ]
    other = [
        rng.choice(
            (
                "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。",
                "本年度未收取政府信息公开信息处理费。",
                f"本年度共收取信息处理费0元，{short}无其他需要报告的事项。",
            )
        ),
        rng.choice(("无其他需要报告的事项。", "本机关无其他需要报告的事项。", "")),
    ]
    return {
        "overview": overview,
        "problems": problems,
        "other": [p for p in other if p],
    }


def _intro(label: Mapping[str, Any]) -> str:
    agency = label["agency"]
    year = label["year"]
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{agency}编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和"
        "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自"
        f"{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{agency}办公室联系。"
    )


def _pub_date(label: Mapping[str, Any], rng: random.Random) -> str:
    return f"{label['year'] + 1}年1月{rng.randint(10, 31)}日"


@dataclass
class Document:
    """A report as an ordered list of blocks: ("title"|"heading"|"para"|"sign", text) or ("table", spec)."""

    blocks: list[tuple[str, str | TableSpec]]


def build_document(
    label: Mapping[str, Any], style: RenderStyle, templates_dir: Path | None = None
) -> Document:
    """The report's content as blocks; both renderers consume this."""
    rng = random.Random(style.seed)
    template_json = load_template(str(label["template"]), templates_dir)
    cells: Mapping[str, Any] = label["cells"]
    text = _sections_text(label, rng)
    h = style.section_headings
    blocks: list[tuple[str, str | TableSpec]] = [
        ("title", f"{label['agency']}{label['year']}年政府信息公开工作年度报告"),
        ("para", _intro(label)),
        ("heading", h[0]),
        *[("para", p) for p in text["overview"]],
        ("heading", h[1]),
        ("table", proactive_table(template_json, cells, style, rng)),
        ("heading", h[2]),
        ("table", requests_table(template_json, cells, style, rng)),
        ("heading", h[3]),
        ("table", appeals_table(template_json, cells, style, rng)),
        ("heading", h[4]),
        *[("para", p) for p in text["problems"]],
        ("heading", h[5]),
        *[("para", p) for p in text["other"]],
        ("sign", str(label["agency"])),
        ("sign", _pub_date(label, rng)),
    ]
    return Document(blocks)


# ---------------------------------------------------------------------------------------------------------
# HTML


_SPLIT_TAGS = ("span", "b", "span", "font", "p")


def _html_label(text: str, style: RenderStyle, rng: random.Random) -> str:
    if not style.split_labels or len(text) < 6 or rng.random() < 0.4:
        return html.escape(text)
    cut = rng.randint(2, len(text) - 2)
    tag = rng.choice(_SPLIT_TAGS)
    a, b = html.escape(text[:cut]), html.escape(text[cut:])
    if tag == "p":
        return f'<p style="margin:0">{a}</p><p style="margin:0">{b}</p>'
    return f"<{tag}>{a}</{tag}><{tag}>{b}</{tag}>"


def _html_table(spec: TableSpec, style: RenderStyle, rng: random.Random) -> str:
    total = sum(spec.widths)
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse;width:100%">']
    out.append(
        "<colgroup>"
        + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in spec.widths)
        + "</colgroup>"
    )
    out.append("<thead>" if spec.header_rows else "<tbody>")
    for r, row in enumerate(spec.rows):
        if spec.header_rows and r == spec.header_rows:
            out.append("</thead><tbody>")
        cells_html = []
        for cell in row:
            attrs = []
            if cell.rowspan > 1:
                attrs.append(f'rowspan="{cell.rowspan}"')
            if cell.colspan > 1:
                attrs.append(f'colspan="{cell.colspan}"')
            css = [f"text-align:{cell.align}"]
            if cell.shade and style.shaded_headers:
                css.append(f"background:#{style.shade_color}")
            if cell.bold:
                css.append("font-weight:bold")
            attrs.append(f'style="{";".join(css)}"')
            if cell.key is not None:
                content = html.escape(cell.text)
            elif cell.vertical:
                content = "<br>".join(html.escape(ch) for ch in cell.text)
            else:
                content = _html_label(cell.text, style, rng)
            cells_html.append(f"<td {' '.join(attrs)}>{content}</td>")
        out.append("<tr>" + "".join(cells_html) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(label: Mapping[str, Any], style: RenderStyle, templates_dir: Path | None = None) -> str:
    """A full HTML page of the report described by ``label``."""
    doc = build_document(label, style, templates_dir)
    rng = random.Random(style.seed ^ 0x5F3759DF)
    title = next(str(v) for k, v in doc.blocks if k == "title")
    body: list[str] = []
    for kind, value in doc.blocks:
        if isinstance(value, TableSpec):
            body.append(_html_table(value, style, rng))
        elif kind == "title":
            body.append(f'<h1 style="text-align:center">{html.escape(value)}</h1>')
        elif kind == "heading":
            body.append(f"<h3>{html.escape(value)}</h3>")
        elif kind == "sign":
            body.append(f'<p style="text-align:right">{html.escape(value)}</p>')
        else:
            body.append(f'<p style="text-indent:2em">{html.escape(value)}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>body{{font-family:'{style.font_family}',serif;font-size:{style.body_font_size_pt}pt;"
        f"max-width:48em;margin:2em auto}} table{{font-size:{style.table_font_size_pt}pt}} "
        f"h1,h3{{font-family:'{style.heading_font_family}',sans-serif}}</style>\n"
        "</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------------------
# DOCX


def _docx_fonts(document: Any, style: RenderStyle) -> None:

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), style.font_family)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.name = style.font_family
    normal.font.size = Pt(style.body_font_size_pt)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), style.font_family)


def _set_run_font(run: Any, family: str, size_pt: float, bold: bool = False) -> None:

    run.font.name = family
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)


def _docx_shade(cell: Any, color: str) -> None:

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    cell._tc.get_or_add_tcPr().append(shd)


def _fit_widths(spec: TableSpec, style: RenderStyle, text_width_cm: float) -> list[float]:
    """Column widths in cm: the spec's proportions, widened so no printed value has to wrap."""
    total = sum(spec.widths)
    widths = [text_width_cm * w / total for w in spec.widths]
    need = [0.0] * spec.n_cols
    char_cm = style.table_font_size_pt * 0.6 / 72 * 2.54
    for placed in place_cells(spec):
        if placed.cell.key is not None and placed.cell.colspan == 1:
            text_cm = sum(char_cm * (2 if ord(ch) > 0x2E80 else 1) for ch in placed.cell.text) + 0.45
            need[placed.col] = max(need[placed.col], text_cm)
    grown = [max(w, n) for w, n in zip(widths, need, strict=True)]
    extra = sum(grown) - text_width_cm
    free = [i for i in range(spec.n_cols) if need[i] == 0.0]
    free_total = sum(grown[i] for i in free)
    if extra > 0 and free_total > extra:
        for i in free:
            grown[i] -= extra * grown[i] / free_total
    return grown


def _docx_table(document: Any, spec: TableSpec, style: RenderStyle, text_width_cm: float,
                split_rows: bool = False) -> None:

    table = document.add_table(rows=len(spec.rows), cols=spec.n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(w) for w in _fit_widths(spec, style, text_width_cm)]
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        if not split_rows:
            tr_pr.append(OxmlElement("w:cantSplit"))
        if spec.repeat_header and r < spec.header_rows:
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
    aligns = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}
    for placed in place_cells(spec):
        cell = placed.cell
        target = table.cell(placed.row, placed.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(placed.row + cell.rowspan - 1, placed.col + cell.colspan - 1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        paragraph.alignment = aligns.get(cell.align, WD_ALIGN_PARAGRAPH.CENTER)
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(1)
        fmt.space_after = Pt(1)
        fmt.line_spacing = 1.0
        fmt.keep_with_next = spec.keep_together and placed.row + cell.rowspan < len(spec.rows)
        text = "\n".join(cell.text) if cell.vertical else cell.text
        if text:
            _set_run_font(paragraph.add_run(text), style.font_family, style.table_font_size_pt, cell.bold)
        if cell.shade and style.shaded_headers:
            _docx_shade(target, style.shade_color)


def _docx_page_number(section: Any, style: RenderStyle) -> None:

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_run_font(paragraph.add_run("- "), style.font_family, 10.5)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)
    _set_run_font(paragraph.add_run(" -"), style.font_family, 10.5)


def render_docx(
    label: Mapping[str, Any], style: RenderStyle, path: Path, templates_dir: Path | None = None,
    split_rows: bool = False,
) -> None:
    """Write the report described by ``label`` as a DOCX file at ``path``. Table rows may not break across pages
    unless ``split_rows`` (see :func:`render_pdf`)."""

    doc_model = build_document(label, style, templates_dir)
    document = docx.Document()
    _docx_fonts(document, style)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    text_width_cm = 21.0 - 2 * 2.6
    if style.page_numbers:
        _docx_page_number(section, style)

    size = style.body_font_size_pt
    for kind, value in doc_model.blocks:
        if isinstance(value, TableSpec):
            _docx_table(document, value, style, text_width_cm, split_rows)
            continue
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_after = Pt(0)
        fmt.line_spacing = 1.4
        if kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_after = Pt(12)
            _set_run_font(paragraph.add_run(value), style.heading_font_family, size + 4, bold=True)
        elif kind == "heading":
            fmt.first_line_indent = Pt(2 * size)
            fmt.space_before = Pt(6)
            fmt.keep_with_next = True
            _set_run_font(paragraph.add_run(value), style.heading_font_family, size, bold=True)
        elif kind == "sign":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_run_font(paragraph.add_run(value), style.font_family, size)
        else:
            fmt.first_line_indent = Pt(2 * size)
            _set_run_font(paragraph.add_run(value), style.font_family, size)
    props = document.core_properties
    props.title = f"{label['agency']}{label['year']}年政府信息公开工作年度报告"
    props.author = props.last_modified_by = str(label["agency"])
    props.created = props.modified = datetime.datetime(int(label["year"]) + 1, 1, 15, 9, 0, 0)
    props.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducible(document, path)


def _save_reproducible(document: Any, path: Path) -> None:
    """Save with fixed zip timestamps so equal content gives equal bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


# ---------------------------------------------------------------------------------------------------------
# PDF


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def docx_digits(path: Path) -> int:
    """Digits in a DOCX's paragraphs and table cells (a merged cell counted once): its printed values."""
    document = docx.Document(str(path))
    n = sum(_digits(p.text) for p in document.paragraphs)
    seen: set[Any] = set()
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    n += _digits(cell.text)
    return n


def pdf_digits(path: Path) -> int:
    import pymupdf

    with pymupdf.open(str(path)) as pdf:
        return sum(_digits(page.get_text()) for page in pdf)


def render_pdf(label: Mapping[str, Any], style: RenderStyle, docx_path: Path, out_dir: Path,
               templates_dir: Path | None = None) -> Path:
    """DOCX at ``docx_path``, then PDF through LibreOffice in ``out_dir``; its path. Where LibreOffice could not
    lay out a table whose rows may not break (a block of merged rows taller than the space left on a page: it
    leaves the whole table out), the DOCX is written again with rows allowed to break. Raises ``RuntimeError``
    where content is still missing: a benchmark document must print every value its label holds."""
    for split_rows in (False, True):
        render_docx(label, style, docx_path, templates_dir, split_rows=split_rows)
        pdf = docx_to_pdf(docx_path, out_dir)
        want, got = docx_digits(docx_path), pdf_digits(pdf)
        if got >= want:  # (the PDF adds page numbers)
            return pdf
    raise RuntimeError(f"{pdf}: LibreOffice printed {got} of the document's {want} digits")


def docx_to_pdf(docx: Path, out_dir: Path, timeout_s: float = 120) -> Path:
    """Convert ``docx`` to ``out_dir/<stem>.pdf`` with LibreOffice headless; return the PDF path.

    Each call uses a private LibreOffice profile so parallel conversions do not clash.
    Raises ``RuntimeError`` naming the file if soffice is missing, fails or times out.
    """
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError(f"cannot convert {docx} to PDF: LibreOffice (soffice) is not on PATH")
    docx = Path(docx).resolve()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{docx.stem}.pdf"
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="govreport-lo-") as profile:
        args = [
            exe,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"LibreOffice timed out after {timeout_s}s converting {docx}") from exc
        except OSError as exc:
            raise RuntimeError(f"cannot run LibreOffice ({exe}) to convert {docx}: {exc}") from exc
    if proc.returncode != 0 or not pdf.is_file():
        detail = (proc.stderr or proc.stdout or "").strip()[-500:]
        raise RuntimeError(f"LibreOffice failed to convert {docx} (exit {proc.returncode}): {detail}")
    return pdf
