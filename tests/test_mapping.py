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
