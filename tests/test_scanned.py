"""Scanned reports through OCR (tests/data/scans, made by benchmarks/make_test_scans.py)."""

from __future__ import annotations

import io
import json
import shutil
import struct
import zlib

import cv2
import numpy as np
import pytest

from govreport.errors import InputError
from govreport.evaluate import same_value
from govreport.ir import TextSource
from govreport.pipeline import extract, extract_many
from tests.conftest import DATA

SCANS = DATA / "scans"
LABEL = json.loads((SCANS / "report-2021-scan.json").read_text("utf-8"))


def _wrong(report, keys=None) -> dict:
    keys = keys if keys is not None else LABEL["cells"].keys()
    return {k: (LABEL["cells"][k], report.fields[k].raw_text if k in report.fields else "missing")
            for k in keys if k not in report.fields or not same_value(report.fields[k].value, LABEL["cells"][k])}


@pytest.fixture(scope="module")
def scanned_report():
    return extract(SCANS / "report-2021-scan.pdf")


def test_image_only_pdf_reads_every_cell(scanned_report):
    r = scanned_report
    assert r.template == "2021"
    assert (r.agency, r.year) == (LABEL["agency"], LABEL["year"])
    assert _wrong(r) == {}
    assert r.flags == []
    assert all(p.source is TextSource.OCR for p in r.pages)


def test_page_turned_180_is_read_upright(scanned_report):
    assert any("page 3 (scan): turned 180°" in w for w in scanned_report.warnings)
    # table 四 sits on the turned page
    assert all(scanned_report.fields[k].provenance.page == 3 for k in scanned_report.fields if k.startswith("appeals."))


def test_seal_over_numbers_is_suppressed_and_recorded(scanned_report):
    under_seal = scanned_report.fields["requests.disclosed.natural_person"]
    assert under_seal.value == LABEL["cells"]["requests.disclosed.natural_person"] == 5
    assert any("red seal" in w for w in scanned_report.warnings if w.startswith("page 2"))


def test_a_cell_under_a_seal_says_so_with_repair_off_too():
    from govreport.pipeline import ExtractOptions

    report = extract(SCANS / "report-2021-scan.pdf", ExtractOptions(repair=False))
    assert report.fields["requests.disclosed.natural_person"].seal
    assert not report.fields["requests.disclosed.total"].seal


def test_numeric_cells_carry_alternatives():
    from govreport.ingest.loader import load_document
    from govreport.pipeline import ExtractOptions, scanner_for

    doc = load_document(SCANS / "report-2021-scan.pdf", scanner=scanner_for(ExtractOptions()))
    cells = [c for t in doc.tables for c in t.cells if c.text.strip().isdigit()]
    assert cells and all(c.alternatives and c.alternatives[0].text == c.text for c in cells)
    assert all(0 <= a.prob <= 1 for c in cells for a in c.alternatives)
    assert all(c.alternatives[0].prob > 0.5 for c in cells)
    assert all([a.prob for a in c.alternatives] == sorted((a.prob for a in c.alternatives), reverse=True)
               for c in cells)
    assert any(c.seal for c in cells)


def test_photo_with_3_degree_skew():
    r = extract(SCANS / "table4-photo.jpg")
    appeals = [k for k in LABEL["cells"] if k.startswith("appeals.")]
    assert _wrong(r, appeals) == {}
    assert any("deskewed by" in w for w in r.warnings)


def test_table_split_over_two_page_images(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("table3-split-p1.png", "table3-split-p2.png"):
        shutil.copy(SCANS / name, folder / name)
    r = extract(folder)
    requests = [k for k in LABEL["cells"] if k.startswith("requests.")]
    assert _wrong(r, requests) == {}
    pages = {r.fields[k].provenance.page for k in requests}
    assert pages == {1, 2}


def _png_bytes(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img)
    assert ok
    return buf.tobytes()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge page (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_bad_images_get_clear_per_file_outcomes(tmp_path):
    blank = tmp_path / "blank.png"
    blank.write_bytes(_png_bytes(np.full((2339, 1654, 3), 255, np.uint8)))
    text_only = tmp_path / "text-only.png"
    page = np.full((2339, 1654, 3), 255, np.uint8)
    for i in range(12):
        cv2.putText(page, f"Minutes of the meeting, item {i}", (150, 200 + 120 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    1.6, (0, 0, 0), 3)
    text_only.write_bytes(_png_bytes(page))
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(_png_bytes(np.zeros((1, 1, 3), np.uint8)))
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_bomb_png(100_000, 100_000))
    outcomes = extract_many([blank, text_only, tiny, bomb, SCANS / "table4-photo.jpg"])
    errors = {o.path.name: o.error for o in outcomes}
    assert [o.ok for o in outcomes] == [False, False, False, False, True]
    assert "blank.png" in errors["blank.png"] and "standard tables" in errors["blank.png"]
    assert "standard tables" in errors["text-only.png"]
    assert "too small" in errors["tiny.png"]
    assert "over the limit" in errors["bomb.png"] or "too large" in errors["bomb.png"]
    assert not any(o.internal for o in outcomes)


def test_image_named_pdf_and_corrupt_image(tmp_path):
    p = tmp_path / "photo.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    with pytest.raises(InputError, match="not a readable image"):
        extract(p)
    q = tmp_path / "x.png"
    q.write_bytes(io.BytesIO(b"not an image at all").getvalue())
    with pytest.raises(InputError, match=r"x\.png"):
        extract(q)


def test_mixed_pdf_each_page_takes_its_own_path(tmp_path):
    import pymupdf

    from tests.conftest import ROOT

    sample = ROOT / "examples" / "sample-report-2021.pdf"
    label = json.loads((ROOT / "examples" / "sample-report-2021.labels.json").read_text("utf-8"))
    src = pymupdf.open(sample)
    out = pymupdf.open()
    for page in src:
        if page.number == 2:  # the third page (table 三's end and table 四) as a scanned image
            pix = page.get_pixmap(dpi=200)
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, stream=pix.tobytes("jpeg", jpg_quality=85))
        else:
            out.insert_pdf(src, from_page=page.number, to_page=page.number)
    mixed = tmp_path / "mixed.pdf"
    out.save(mixed)
    r = extract(mixed)
    assert [p.source for p in r.pages] == [TextSource.TEXT_LAYER, TextSource.TEXT_LAYER, TextSource.OCR,
                                           TextSource.TEXT_LAYER]
    wrong = {k: v for k, v in label["cells"].items() if k not in r.fields or not same_value(r.fields[k].value, v)}
    assert wrong == {}
    assert r.fields["appeals.review.total"].provenance.source is TextSource.OCR
    assert r.fields["requests.new.total"].provenance.source is TextSource.TEXT_LAYER


def test_page_turned_90_degrees(tmp_path):
    import pymupdf

    page = pymupdf.open(SCANS / "report-2021-scan.pdf")[2]  # stored upside down (180°)
    pix = page.get_pixmap(dpi=200)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3][:, :, ::-1]
    turned = cv2.rotate(np.ascontiguousarray(img), cv2.ROTATE_90_COUNTERCLOCKWISE)  # now 90° clockwise off
    p = tmp_path / "turned.png"
    p.write_bytes(_png_bytes(turned))
    r = extract(p)
    appeals = [k for k in LABEL["cells"] if k.startswith("appeals.")]
    assert _wrong(r, appeals) == {}
    assert any("turned 90°" in w for w in r.warnings)
