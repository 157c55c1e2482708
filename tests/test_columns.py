"""A seal's strokes read as a number in a column printed blank (seed-12 doc0023: the ring through the blank
自然人 column of a 总计-only table 三 read as 1 at 0.92, 7 and 2)."""

import pytest

from govreport.ingest.loader import load_document
from govreport.ir import TextSource
from govreport.pipeline import build_report
from govreport.postprocess.repair import CALIBRATED_THRESHOLD
from govreport.report import ValueStatus
from govreport.schema.mapper import map_document
from govreport.schema.templates import load_template

SAMPLE = "examples/sample-report-2021.pdf"
UNDER_SEAL = "requests.unavailable_not_held.natural_person"


def _scanned_sample(column_blank: bool, reading: str, confidence: float):
    """The bundled sample as a scan of it would read: every cell from OCR, table 三 printed with only its 总计 column
    filled (or as printed), and one 自然人 cell under a seal read as ``reading``."""
    doc = load_document(SAMPLE)
    mapping = map_document(doc, load_template("2021"))
    for t in doc.tables:
        for c in t.cells:
            c.source, c.confidence = TextSource.OCR, 0.99
    for key, mc in mapping.cells.items():
        if column_blank and key.startswith("requests.") and not key.endswith(".total"):
            mc.cell.text = ""
    cell = mapping.cells[UNDER_SEAL].cell
    cell.text, cell.confidence, cell.seal = reading, confidence, True
    return doc


@pytest.mark.parametrize("repair", [False, True])
def test_an_unsure_number_under_a_seal_in_a_blank_column_is_unreadable_with_its_text_kept(repair):
    report = build_report(_scanned_sample(True, "1", 0.92), repair=repair)
    f = report.fields[UNDER_SEAL]
    assert f.status is ValueStatus.UNREADABLE and f.value is None and f.raw_text == "1"
    assert "column printed blank" in f.note
    assert report.fields["requests.new.natural_person"].value is None  # the column stays blank
    assert UNDER_SEAL in {r.key for r in report.review}


def test_a_confident_reading_or_a_column_with_numbers_keeps_its_number():
    # at the repair's confidence threshold a reading is confident, its column notwithstanding
    confident = build_report(_scanned_sample(True, "1", CALIBRATED_THRESHOLD), repair=False)
    assert confident.fields[UNDER_SEAL].value == 1 and confident.fields[UNDER_SEAL].status is ValueStatus.READ
    printed = build_report(_scanned_sample(False, "4", 0.6), repair=False)
    assert printed.fields[UNDER_SEAL].value == 4 and printed.fields[UNDER_SEAL].status is ValueStatus.READ


def test_a_blank_mark_under_a_seal_in_a_column_of_numbers_is_unreadable_and_the_sums_imply_it():
    """Seed-14 doc0007: a 1 under a seal read as ``/`` at 0.999, in a column where every other cell holds a number."""
    printed = build_report(load_document(SAMPLE)).fields[UNDER_SEAL].value
    read = build_report(_scanned_sample(False, "/", 0.999), repair=False).fields[UNDER_SEAL]
    assert read.status is ValueStatus.UNREADABLE and read.raw_text == "/" and "column of numbers" in read.note
    repaired = build_report(_scanned_sample(False, "/", 0.999)).fields[UNDER_SEAL]
    assert repaired.value == printed and repaired.status is ValueStatus.REPAIRED
    # the same mark in a column printed blank is a blank
    blank = build_report(_scanned_sample(True, "/", 0.999), repair=False).fields[UNDER_SEAL]
    assert blank.status is ValueStatus.READ and blank.value is None


def test_a_cell_with_ink_but_no_reading_is_unreadable_even_without_repair():
    """A sealed cell the seal view lost, read from the page without confidence (an empty reading at 0): a lost
    number, never a silent blank, whether or not repair runs."""
    for repair in (False, True):
        f = build_report(_scanned_sample(False, "", 0.0), repair=repair).fields[UNDER_SEAL]
        assert f.status is not ValueStatus.READ or f.value is not None
        assert f.status is ValueStatus.UNREADABLE or (repair and f.status is ValueStatus.REPAIRED)
    assert build_report(_scanned_sample(False, "", 1.0), repair=False).fields[UNDER_SEAL].value is None  # no ink
