"""The three published PDFs in ../shared/samples/real against hand-made labels."""

import pytest

from govreport.evaluate import label_flags, same_value
from govreport.pipeline import extract
from govreport.report import ValueStatus
from tests.conftest import DATA, load_json, shared_file

CASES = {
    "hongze-2024": ("spec", "example-labels", "hongze-2024.json"),
    "hongze-2023": None,
    "huaian-2024": None,
}


def _label(name):
    where = CASES[name]
    return load_json(shared_file(*where) if where else DATA / "labels" / f"{name}.json")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_cell_right(name):
    report = extract(shared_file("samples", "real", f"{name}.pdf"))
    label = _label(name)
    assert report.template == label["template"]
    assert report.agency == label["agency"]
    assert report.year == label["year"]
    wrong = {k: (v, report.fields[k].value if k in report.fields else "missing")
             for k, v in label["cells"].items()
             if k not in report.fields or not same_value(report.fields[k].value, v)}
    assert wrong == {}
    assert set(report.fields) == set(label["cells"])
    assert report.flags == label_flags(label)


def test_hongze_2023_flags_exactly_its_two_broken_sums():
    report = extract(shared_file("samples", "real", "hongze-2023.pdf"))
    assert report.flags == ["appeals.sum.review", "appeals.sum.suit_after_review"]
    # printed as is, never changed to make the sum hold
    assert report.fields["appeals.review.total"].value == 0
    assert report.fields["appeals.review.upheld"].value == 10
    assert report.fields["appeals.suit_after_review.upheld"].value == 5


def test_provenance_points_at_the_printed_cell():
    report = extract(shared_file("samples", "real", "hongze-2024.pdf"))
    fv = report.fields["requests.new.natural_person"]
    assert fv.value == 95 and fv.raw_text == "95" and fv.status is ValueStatus.READ
    assert fv.provenance.page == 3
    x0, y0, x1, y1 = fv.provenance.bbox
    assert x0 < x1 and y0 < y1
    assert "requests.row_sum.new" in fv.relations and "requests.balance.natural_person" in fv.relations
    amount = report.fields["proactive.fees.amount"]
    assert amount.unit == "万元"


def test_table_three_is_joined_across_pages():
    from govreport.ingest.loader import load_document

    doc = load_document(shared_file("samples", "real", "huaian-2024.pdf"))
    requests = [t for t in doc.tables if any("申请人情况" in c.text for c in t.cells)]
    assert len(requests) == 1
    assert requests[0].pages == [4, 5]


def test_sections_text_is_read():
    report = extract(shared_file("samples", "real", "huaian-2024.pdf"))
    assert [s.number for s in report.sections] == ["一", "二", "三", "四", "五", "六"]
    six = report.sections[-1]
    assert "信息处理费3940" in six.text.replace(" ", "")
