from govreport.postprocess.checks import check_all, implied_value
from govreport.report import RelationStatus
from govreport.schema.templates import load_template


def _appeals(review, direct, after):
    cols = ["upheld", "corrected", "other", "pending", "total"]
    out = {}
    for group, vals in (("review", review), ("suit_direct", direct), ("suit_after_review", after)):
        out.update({f"appeals.{group}.{c}": v for c, v in zip(cols, vals, strict=True)})
    return out


def _appeal_invariants():
    return [i for i in load_template("2021").invariants if i.id.startswith("appeals.")]


def test_broken_relation_is_flagged_and_values_untouched():
    values = _appeals([10, 1, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 5, 0, 0])
    before = dict(values)
    checks, flags, derived, _ = check_all(_appeal_invariants(), values)
    assert flags == ["appeals.sum.review", "appeals.sum.suit_after_review"]
    assert values == before
    assert derived == {}
    review = next(c for c in checks if c.id == "appeals.sum.review")
    assert (review.lhs, review.rhs) == (11, 0)


def test_blank_total_is_incomplete_and_derived_separately():
    values = _appeals([2, 1, 0, 0, None], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0])
    checks, flags, derived, _ = check_all(_appeal_invariants(), values)
    assert flags == []
    review = next(c for c in checks if c.id == "appeals.sum.review")
    assert review.status is RelationStatus.INCOMPLETE
    assert review.blank == ["appeals.review.total"]
    assert derived["appeals.review.total"].value == 3
    assert values["appeals.review.total"] is None


def test_two_blanks_derive_nothing():
    values = _appeals([2, None, 0, 0, None], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0])
    _, flags, derived, _ = check_all(_appeal_invariants(), values)
    assert flags == [] and derived == {}


def test_single_other_handling_row_relations():
    t = load_template("2021")
    invs = t.invariants_for(single_other_handling=True)
    ids = [i.id for i in invs]
    assert "requests.row_sum.other_handling" in ids
    assert not any(i.id.startswith("requests.row_sum.other_no_supplement") for i in invs)
    results = next(i for i in invs if i.id == "requests.results_sum.total")
    assert "requests.other_handling.total" in results.lhs
    assert "requests.other_other.total" not in results.lhs
    assert len(t.field_keys(True)) == 186 and len(t.field_keys(False)) == 200


def test_implied_value_counts_an_absent_cell_as_blank():
    # repair drops a withdrawn cell from its values; the value a relation implies must still come out
    inv = next(i for i in _appeal_invariants() if i.id == "appeals.sum.review")
    values = _appeals([10, 1, 0, 0, 12], [0] * 5, [0] * 5)
    total = next(k for k in inv.fields if k.endswith(".total"))
    part = next(k for k in inv.fields if k.endswith(".upheld"))
    assert implied_value(inv, values, total) == 11
    del values["appeals.review.corrected"]
    assert implied_value(inv, values, total) == 10
    assert implied_value(inv, values, part) == 12
