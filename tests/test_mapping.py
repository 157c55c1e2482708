"""Row labels of scanned tables onto the standard rows."""

from govreport.schema.mapper import _align
from govreport.textnorm import norm_label, strip_numbering


def test_a_row_whose_numeral_the_recogniser_garbled_still_matches_its_label():
    labels = ("（五）不予处理", "（六）其他处理", "（七）总计", "四、结转下年度继续办理")
    wanted = [strip_numbering(norm_label(t)) for t in labels]
    observed = [strip_numbering(norm_label(t)) for t in ("(L) 总计", "四、结转下年度继续办理")]
    assert _align(observed, wanted) == [2, 3]
    # a long bracketed note is not a list marker
    assert strip_numbering(norm_label("（本列数据的勾稽关系为：第一项加第二项之和）")).startswith("(本列")


def _sealed_value(text: str, seal: bool = True):
    from govreport.ir import Cell, TextSource
    from govreport.pipeline import _field_value
    from govreport.schema.mapper import MappedCell
    from govreport.schema.templates import load_template

    cell = Cell(row=4, col=3, text=text, page=3, confidence=0.8, source=TextSource.OCR, seal=seal)
    return _field_value(MappedCell("requests.partially_disclosed.natural_person", cell, 1), load_template("2021"))


def test_a_number_a_seal_cut_into_lines_read_alike_is_taken():
    fv = _sealed_value("0\nO")  # a zero the ring cut in two, its lower half read as a letter
    assert (fv.value, fv.status.value, fv.raw_text) == (0, "read", "0")
    assert fv.confidence < 0.8 and "O" in (fv.note or "")
    assert _sealed_value("o\n0\n0").value == 0
    assert _sealed_value("2\n2\n公").value is None  # a line of the seal's lettering: nothing is taken
    assert _sealed_value("9\n服").value is None  # (in a blank cell, its strokes read as digits too)
    assert _sealed_value("1\nO").value is None  # two numbers
    assert _sealed_value("0\nO", seal=False).value is None  # without a seal the cell stays unreadable
