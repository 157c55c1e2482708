"""Bad input gets a clear outcome naming the file and the reason; the batch goes on."""

import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from govreport.errors import InputError
from govreport.pipeline import extract, extract_many
from tests.conftest import shared_file


def _memo_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Quarterly sales memo. Nothing in it is a disclosure report.")
    doc.save(path)
    return path


def _report_without_table_four(path: Path) -> Path:
    """The real hongze-2024 report with table 四 (its lines and text) blanked out."""
    doc = pymupdf.open(shared_file("samples", "real", "hongze-2024.pdf"))
    page = doc[3]
    heading = page.search_for("四、政府信息公开行政复议")[0]
    page.add_redact_annot(pymupdf.Rect(0, heading.y1 + 2, page.rect.width, heading.y1 + 200))
    page.apply_redactions(graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED)
    doc.save(path)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("这不是PDF，只是文本。\n", "utf-8"), "not a PDF"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj\n<<"), "PDF"),
        (lambda p: _memo_pdf(p), "does not look like"),
    ],
    ids=["empty", "text-named-pdf", "garbage-pdf", "not-a-report"],
)
def test_bad_file_is_named_with_its_reason(tmp_path, make, reason):
    p = tmp_path / "input.pdf"
    make(p)
    with pytest.raises(InputError) as err:
        extract(p)
    assert str(p) in str(err.value)
    assert reason in str(err.value)


def test_truncated_pdf(tmp_path):
    data = shared_file("samples", "real", "hongze-2024.pdf").read_bytes()
    p = tmp_path / "truncated.pdf"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged or truncated") as err:
        extract(p)
    assert str(p) in str(err.value)


def test_encrypted_pdf(tmp_path):
    doc = pymupdf.open(shared_file("samples", "real", "hongze-2024.pdf"))
    p = tmp_path / "locked.pdf"
    doc.save(p, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")
    with pytest.raises(InputError, match="encrypted") as err:
        extract(p)
    assert "locked.pdf" in str(err.value)


def test_missing_table_four_still_gives_the_rest(tmp_path):
    report = extract(_report_without_table_four(tmp_path / "no-four.pdf"))
    assert not any(k.startswith("appeals.") for k in report.fields)
    assert len(report.fields) == 171
    assert report.fields["requests.new.natural_person"].value == 95
    assert any("table 四" in w for w in report.warnings)
    assert all(k.startswith("appeals.") for k in report.missing_fields) and len(report.missing_fields) == 15
    assert report.flags == []


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("hello", "utf-8")
    good = shared_file("samples", "real", "hongze-2023.pdf")
    outcomes = extract_many([bad, good, tmp_path / "absent.pdf"])
    assert [o.ok for o in outcomes] == [False, True, False]
    assert "absent.pdf: no such file" in outcomes[2].error
    proc = subprocess.run([sys.executable, "-m", "govreport.cli", "extract", str(bad), str(good), "-o",
                           str(tmp_path / "out"), "--format", "labels"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "bad.pdf: named .pdf but is not a PDF" in proc.stderr
    assert (tmp_path / "out" / "hongze-2023.labels.json").is_file()


def test_internal_defect_is_reported_not_raised(tmp_path, monkeypatch):
    import govreport.pipeline as pipeline

    def broken(_doc, _repair=True):
        raise ZeroDivisionError("simulated defect")

    monkeypatch.setattr(pipeline, "build_report", broken)
    good = shared_file("samples", "real", "hongze-2023.pdf")
    [outcome] = extract_many([good])
    assert outcome.internal and "internal error" in outcome.error and "simulated defect" in outcome.error


def test_a_report_whose_tables_gave_no_cell_is_reported_with_every_field_missing():
    """A scan too coarse and faint for its tables (held-out seed-15 doc0012, a thinned 1-bit 150 DPI copy): its title
    names it a report, so the result is a report with every field missing and that shown first for review, not an
    error calling it no report. Without the title the same tables still make it 'no report'."""
    from govreport.errors import NotAReportError
    from govreport.ir import Cell, Document, Table, TextBlock
    from govreport.pipeline import build_report

    garbled = Table(n_rows=2, n_cols=2, cells=[Cell(row=0, col=0, text="亻三  !"), Cell(row=1, col=1, text="‡‡")])
    title = TextBlock(text="徐州市铜山区交通运输局2022年政府信息公开工作年度报告", page=1)
    doc = Document(path="scan.pdf", media_type="application/pdf", tables=[garbled], text_blocks=[title])
    report = build_report(doc)
    assert report.template == "2021" and report.year == 2022 and report.agency == "徐州市铜山区交通运输局"
    assert not report.fields and len(report.missing_fields) == 200
    assert report.review[0].kind == "tables-unreadable"
    with pytest.raises(NotAReportError, match="does not look like"):
        build_report(doc.model_copy(update={"text_blocks": []}))
