"""Readers for DOCX, HTML, plain text and legacy Word files: exact grids and text blocks."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from govreport.errors import InputError, MissingDependencyError
from govreport.ingest import office
from govreport.ingest.docx import read_docx
from govreport.ingest.html import read_html
from govreport.ingest.office import read_legacy_doc
from govreport.ingest.plaintext import read_text
from govreport.ir import Document, Table, TextSource

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

Grid = list[tuple[int, int, int, int, str]]


def grid(table: Table) -> Grid:
    return [(c.row, c.col, c.row_span, c.col_span, c.text) for c in sorted(table.cells, key=lambda c: (c.row, c.col))]


def texts(doc: Document) -> list[str]:
    return [b.text for b in doc.text_blocks]


def row_texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows()]


# ---------------------------------------------------------------- DOCX


def _docx_bytes(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _split_runs(paragraph_owner: docx.table._Cell, pieces: list[str]) -> None:
    """Put a label in a cell as several runs (as Word does after edits)."""
    p = paragraph_owner.paragraphs[0]
    for piece in pieces:
        p.add_run(piece)


def _applicants_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=4, cols=5)
    t.cell(0, 0).merge(t.cell(1, 1))  # 2x2 corner: both spans at once
    t.cell(0, 2).merge(t.cell(1, 2)).text = "自然人"  # vertical merge
    _split_runs(t.cell(0, 3).merge(t.cell(0, 4)), ["法人或", "其他", "组织"])  # horizontal merge, 3 runs
    t.cell(1, 3).text = "商业企业"
    t.cell(1, 4).text = "其他"
    label = t.cell(2, 0).merge(t.cell(2, 1))
    label.text = "一、本年新收政府信息"
    label.add_paragraph("公开申请数量")  # a label over two paragraphs
    for col, value in ((2, "3"), (3, "1"), (4, "")):
        t.cell(2, col).text = value
    t.cell(3, 0).merge(t.cell(3, 4)).text = "注：本表数据截至12月31日"
    d.add_paragraph("")  # empty paragraphs are not text blocks
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t2 = d.add_table(rows=1, cols=2)
    t2.cell(0, 0).text = "行政复议"
    t2.cell(0, 1).text = "行政诉讼"
    return _docx_bytes(d)


def test_docx_grid_with_horizontal_and_vertical_merges(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    doc = read_docx(path, _applicants_docx())
    assert doc.path == str(path)
    assert doc.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert texts(doc) == ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    assert len(doc.tables) == 2
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols) == (4, 5)
    assert grid(table) == [
        (0, 0, 2, 2, ""),
        (0, 2, 2, 1, "自然人"),
        (0, 3, 1, 2, "法人或其他组织"),
        (1, 3, 1, 1, "商业企业"),
        (1, 4, 1, 1, "其他"),
        (2, 0, 1, 2, "一、本年新收政府信息\n公开申请数量"),
        (2, 2, 1, 1, "3"),
        (2, 3, 1, 1, "1"),
        (2, 4, 1, 1, ""),
        (3, 0, 1, 5, "注：本表数据截至12月31日"),
    ]
    assert all(c.source == TextSource.DOCX and c.page is None and c.bbox is None for c in table.cells)
    assert grid(doc.tables[1]) == [(0, 0, 1, 1, "行政复议"), (0, 1, 1, 1, "行政诉讼")]


def test_docx_grid_before_and_after_leave_empty_slots(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    for c, text in enumerate(("a", "b", "c")):
        t.cell(0, c).text = text
    t.cell(1, 1).text = "x"
    tr = t.rows[1]._tr
    tcs = tr.findall(qn("w:tc"))
    tr.remove(tcs[0])  # row 2 starts one grid column in ...
    tr.remove(tcs[2])  # ... and ends one early
    tr_pr = tr.get_or_add_trPr()
    for name in ("w:gridBefore", "w:gridAfter"):
        el = OxmlElement(name)
        el.set(qn("w:val"), "1")
        tr_pr.append(el)
    doc = read_docx(tmp_path / "g.docx", _docx_bytes(d))
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert grid(table) == [(0, 0, 1, 1, "a"), (0, 1, 1, 1, "b"), (0, 2, 1, 1, "c"), (1, 1, 1, 1, "x")]


def test_docx_nested_table_is_flattened_into_its_cell(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "收费"
    nested = t.cell(0, 0).add_table(1, 2)
    nested.cell(0, 0).text = "金额"
    nested.cell(0, 1).text = "万元"
    t.cell(0, 1).text = "12"
    doc = read_docx(tmp_path / "n.docx", _docx_bytes(d))
    assert len(doc.tables) == 1
    assert grid(doc.tables[0]) == [(0, 0, 1, 1, "收费\n金额 万元"), (0, 1, 1, 1, "12")]


def test_docx_layout_table_is_read_as_flow(tmp_path: Path) -> None:
    d = docx.Document()
    outer = d.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.text = "二、主动公开政府信息情况"
    inner = cell.add_table(3, 2)
    for r in range(3):
        inner.cell(r, 0).text = f"行{r}"
        inner.cell(r, 1).text = str(r)
    doc = read_docx(tmp_path / "layout.docx", _docx_bytes(d))
    assert texts(doc) == ["二、主动公开政府信息情况"]
    assert len(doc.tables) == 1
    assert row_texts(doc.tables[0]) == [["行0", "0"], ["行1", "1"], ["行2", "2"]]


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name not in replace:
                out.writestr(name, src.read(name))
            elif replace[name] is not None:
                out.writestr(name, replace[name])
    return buf.getvalue()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("text", "ZIP"),
        ("truncated", "ZIP"),
        ("no-document", "word/document.xml"),
        ("bad-xml", "XML"),
    ],
)
def test_docx_bad_input_raises_input_error_naming_the_file(tmp_path: Path, kind: str, reason: str) -> None:
    good = _applicants_docx()
    data = {
        "text": "这不是一个Word文件\n".encode(),
        "truncated": good[: len(good) // 2],
        "no-document": _rezip(good, {"word/document.xml": None}),
        "bad-xml": _rezip(good, {"word/document.xml": b"<w:document xmlns:w='x'><w:body><w:p>"}),
    }[kind]
    path = tmp_path / f"broken-{kind}.docx"
    with pytest.raises(InputError) as info:
        read_docx(path, data)
    assert path.name in str(info.value)
    assert reason in info.value.reason


# ---------------------------------------------------------------- HTML

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某局2020年政府信息公开工作年度报告</title>
<style>td { color: red }</style><script>var hidden = "不要读我";</script></head>
<body>
<div class="nav">首页 &gt; 政务公开</div>
<h1>某局2020年政府信息<span>公开工作</span>年度报告</h1>
<p>一、总体情况<br>全年主动公开<b>432</b>条。</p>
<table border="1">
  <tr><td rowspan="2" colspan="2"><span>申请人</span><span>情况</span></td>
      <td rowspan="2"><p>自然</p><p>人</p></td>
      <td colspan="2">法人或<br/>其他组织</td></tr>
  <tr><td><span>商业</span>
      <span>企业</span></td><td>其他</td></tr>
  <tr><th colspan="2"><b>一、</b><span>本年新收政府信息公开申请数量</span></th>
      <td>3</td><td>&nbsp;</td><td> 1 </td></tr>
</table>
<ul><li>五、存在的主要问题</li><li>六、其他需要报告的事项</li></ul>
</body></html>
"""


def test_html_grid_and_text_blocks(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    doc = read_html(path, HTML_PAGE.encode("utf-8"))
    assert doc.media_type == "text/html"
    assert texts(doc) == [
        "某局2020年政府信息公开工作年度报告",  # <title>
        "首页 > 政务公开",
        "某局2020年政府信息公开工作年度报告",
        "一、总体情况",
        "全年主动公开432条。",
        "五、存在的主要问题",
        "六、其他需要报告的事项",
    ]
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols) == (3, 5)
    assert grid(table) == [
        (0, 0, 2, 2, "申请人情况"),
        (0, 2, 2, 1, "自然\n人"),
        (0, 3, 1, 2, "法人或\n其他组织"),
        (1, 3, 1, 1, "商业 企业"),
        (1, 4, 1, 1, "其他"),
        (2, 0, 1, 2, "一、本年新收政府信息公开申请数量"),
        (2, 2, 1, 1, "3"),
        (2, 3, 1, 1, ""),
        (2, 4, 1, 1, "1"),
    ]
    assert all(c.source == TextSource.HTML and c.page is None for c in table.cells)


def test_html_clamps_absurd_spans(tmp_path: Path) -> None:
    page = """<table>
      <tr><td>a</td><td>b</td><td rowspan="0">c</td></tr>
      <tr><td colspan="5000">wide</td></tr>
      <tr><td rowspan="99999">tall</td><td>x</td></tr>
    </table>"""
    table = read_html(tmp_path / "spans.html", page.encode()).tables[0]
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert grid(table) == [
        (0, 0, 1, 1, "a"),
        (0, 1, 1, 1, "b"),
        (0, 2, 3, 1, "c"),
        (1, 0, 1, 2, "wide"),
        (2, 0, 1, 1, "tall"),
        (2, 1, 1, 1, "x"),
    ]


def test_html_nested_small_table_flattens_and_layout_table_unwraps(tmp_path: Path) -> None:
    page = """<html><body><table><tr><td>
        <p>二、主动公开政府信息情况</p>
        <table>
          <tr><td>收费<table><tr><td>金额</td><td>万元</td></tr></table></td><td>5</td></tr>
          <tr><td>规章</td><td>0</td></tr>
          <tr><td>规范性文件</td><td>2</td></tr>
        </table>
    </td></tr></table></body></html>"""
    doc = read_html(tmp_path / "layout.html", page.encode())
    assert texts(doc) == ["二、主动公开政府信息情况"]
    assert len(doc.tables) == 1
    assert row_texts(doc.tables[0]) == [["收费\n金额 万元", "5"], ["规章", "0"], ["规范性文件", "2"]]


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>规范性文件</p>'.encode("gbk"),
         "meta gb2312"),
        ("\ufeff<p>规范性文件</p>".encode(), "utf-8 BOM"),
        ("<p>规范性文件</p>".encode("gb18030"), "no declaration, gb18030"),
        ('<meta charset="utf-8"><p>规范性文件</p>'.encode("gb18030"), "wrong declaration"),
    ],
)
def test_html_decoding(tmp_path: Path, raw: bytes, label: str) -> None:
    doc = read_html(tmp_path / "enc.html", raw)
    assert texts(doc) == ["规范性文件"], label


def test_html_empty_page_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    with pytest.raises(InputError) as info:
        read_html(path, b"   \n")
    assert path.name in str(info.value)


# ---------------------------------------------------------------- plain text

PLAIN = (
    "某局2020年政府信息公开工作年度报告\n"
    "\n"
    "二、主动公开政府信息情况\n"
    "\t第二十条第（一）项\n"
    "\n"
    "\t信息内容\n"
    "\t本年新\n"
    "制作数量\n"
    "\t对外公开总数量\n"
    "\n"
    "\t规章\n"
    "\t0 \n"
    "\t\u00a0\n"
    "\n"
    "\n"
    "三、收到和处理政府信息公开申请情况\n"
    "\t一、本年新收政府信息公开申请数量\n"
    "\t1\n"
    "\t\n"
    "\t1\n"
    "\n"
    "五、存在的主要问题及改进情况\n"
    "规章\t0\t2\t25\n"
    "\t2.其他法律行政法规禁止公开\t0\n"
    "六、其他需要报告的事项\n"
)


def test_plaintext_tables_and_narrative(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    doc = read_text(path, PLAIN.encode("utf-8"))
    assert doc.media_type == "text/plain"
    assert texts(doc) == [
        "某局2020年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(3, 3), (1, 4), (2, 4)]
    assert all(not t.aligned_columns for t in doc.tables)
    assert grid(doc.tables[0]) == [
        (0, 0, 1, 1, "第二十条第（一）项"),
        (1, 0, 1, 1, "信息内容"),
        (1, 1, 1, 1, "本年新\n制作数量"),
        (1, 2, 1, 1, "对外公开总数量"),
        (2, 0, 1, 1, "规章"),
        (2, 1, 1, 1, "0"),
        (2, 2, 1, 1, ""),
    ]
    assert row_texts(doc.tables[1]) == [["一、本年新收政府信息公开申请数量", "1", "", "1"]]
    # one row per line; a tab-led line among such rows is a row whose first cell is empty
    assert row_texts(doc.tables[2]) == [["规章", "0", "2", "25"], ["", "2.其他法律行政法规禁止公开", "0"]]
    assert all(c.source == TextSource.PLAIN_TEXT for t in doc.tables for c in t.cells)


def test_plaintext_heading_after_a_cell_is_not_a_continuation(tmp_path: Path) -> None:
    doc = read_text(tmp_path / "t.txt", "\t行政许可\n\t60\n四、政府信息公开行政复议、行政诉讼情况\n".encode())
    assert row_texts(doc.tables[0]) == [["行政许可", "60"]]
    assert texts(doc) == ["四、政府信息公开行政复议、行政诉讼情况"]


def test_plaintext_decodes_gb18030_and_bom(tmp_path: Path) -> None:
    for data in ("规章\t0\n".encode("gb18030"), "\ufeff规章\t0\n".encode()):
        doc = read_text(tmp_path / "t.txt", data)
        assert row_texts(doc.tables[0]) == [["规章", "0"]]


def test_plaintext_empty_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    with pytest.raises(InputError) as info:
        read_text(path, b"\n \n")
    assert path.name in str(info.value)


def test_plaintext_seed_report() -> None:
    seed = SEEDS / "001_6c2b816ae976f4e8.txt"
    if not seed.is_file():
        pytest.skip(f"seed report not present at {seed}")
    doc = read_text(seed, seed.read_bytes())
    rows = [row for t in doc.tables for row in row_texts(t)]
    hits = [row for row in rows if row and row[0] == "一、本年新收政府信息公开申请数量"]
    assert len(hits) == 1
    assert len(hits[0]) == 8  # the label and 7 value cells
    assert hits[0][1] == "1" and hits[0][-1] == "1"
    assert "三、收到和处理政府信息公开申请情况" in texts(doc)


# ---------------------------------------------------------------- legacy Word (LibreOffice)

MERGED_RTF = r"""{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}
Title para\par
\trowd\clvmgf\cellx2000\cellx4000\cellx6000
\intbl Applicant\cell Natural\cell Total\cell\row
\trowd\clvmrg\cellx2000\cellx4000\cellx6000
\intbl \cell 3\cell 7\cell\row
\pard After\par
}
"""


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_legacy_doc_via_libreoffice(tmp_path: Path) -> None:
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    rtf = tmp_path / "report.rtf"
    rtf.write_text(MERGED_RTF, encoding="ascii")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "doc", "--outdir",
         str(tmp_path), str(rtf)],
        check=True, capture_output=True, timeout=120,
    )
    path = tmp_path / "report.doc"
    doc = read_legacy_doc(path, path.read_bytes())
    assert doc.path == str(path)
    assert doc.media_type == "application/msword"
    assert texts(doc) == ["Title para", "After"]
    assert grid(doc.tables[0]) == [
        (0, 0, 2, 1, "Applicant"),
        (0, 1, 1, 1, "Natural"),
        (0, 2, 1, 1, "Total"),
        (1, 1, 1, 1, "3"),
        (1, 2, 1, 1, "7"),
    ]


def test_legacy_doc_corrupt_is_input_error(tmp_path: Path) -> None:
    if _soffice() is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "corrupt.doc"
    with pytest.raises(InputError) as info:
        read_legacy_doc(path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"garbage" * 20)
    assert path.name in str(info.value)


def test_legacy_doc_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    path = tmp_path / "old.doc"
    with pytest.raises(MissingDependencyError) as info:
        read_legacy_doc(path, MERGED_RTF.encode("ascii"))
    assert path.name in str(info.value)
    assert "LibreOffice" in str(info.value)


def test_legacy_doc_rejects_other_bytes(tmp_path: Path) -> None:
    path = tmp_path / "fake.doc"
    with pytest.raises(InputError) as info:
        read_legacy_doc(path, b"plain text, not a Word file")
    assert path.name in str(info.value)

