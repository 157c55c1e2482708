"""Plain-text exports of real reports (../shared/seeds): tables flattened one cell per line."""

import pytest

from govreport.pipeline import extract
from tests.conftest import shared_file

SEEDS = {
    "000_23b73cc6dfe3721c.txt": {"proactive.licensing.change_this_year": 10,
                                 "proactive.regulations.total_published": 25,
                                 "proactive.normative_documents.total_published": 213},
    "001_6c2b816ae976f4e8.txt": {"proactive.procurement.amount": 81284.86, "proactive.procurement.items": 15,
                                 "requests.new.natural_person": 1, "requests.new.business": None,
                                 "requests.disclosed.total": 1, "proactive.licensing.decisions": 60},
    "004_5283bd9740856307.txt": {"requests.new.total": 2, "requests.new.natural_person": None,
                                 "requests.carried_over.total": 1, "requests.results_total.total": 0,
                                 "proactive.procurement.amount": 542700},
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_complete_tables_map(name):
    report = extract(shared_file("seeds", name))
    assert report.template == "2019"
    assert report.missing_fields == []
    assert len(report.fields) == 198
    for key, value in SEEDS[name].items():
        assert report.fields[key].value == value, key


def test_seed_that_breaks_its_own_sums_is_flagged_as_printed():
    report = extract(shared_file("seeds", "004_5283bd9740856307.txt"))
    # （七）总计 printed 0 under results that add to 2: reported as printed, flagged
    assert report.flags == ["requests.balance.total", "requests.results_sum.total"]
    assert report.fields["requests.results_total.total"].value == 0


def test_seed_agency_full_name_from_the_text():
    assert extract(shared_file("seeds", "000_23b73cc6dfe3721c.txt")).agency == "赣州市南康区民政局"


def test_truncated_seed_keeps_what_it_has():
    report = extract(shared_file("seeds", "002_c91177d96d0353ab.txt"))
    assert any("table 三" in w for w in report.warnings)
    assert report.fields["proactive.regulations.made_this_year"].value == 0


def test_rows_with_garbled_or_cut_labels_are_placed_by_their_neighbours(tmp_path):
    # A seal over table 三 leaves labels the recogniser cuts short or garbles; the values are still read. A label
    # that is the start of a standard one matches it; unmatched rows between two matched ones take the standard
    # rows between them in order when the counts agree.
    lines = shared_file("seeds", "000_23b73cc6dfe3721c.txt").read_text(encoding="utf-8").split("\n")
    new_labels = {"4.保护第三方合法权益": "4.保护第", "5.属于三类内部事务信息": "5属三条", "6.属于四类过程性信息": "▲▲"}
    values = {"4.保护第三方合法权益": "4", "5.属于三类内部事务信息": "5", "6.属于四类过程性信息": "6"}
    for i, line in enumerate(lines):
        label = line.strip()
        if label in new_labels:
            lines[i] = "\t" + new_labels[label]
            lines[i + 1] = "\t" + values[label]  # the natural-person cell, so that a row placed wrong shows
    path = tmp_path / "garbled.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = extract(path)
    assert report.fields["requests.withheld_third_party.natural_person"].value == 4
    assert report.fields["requests.withheld_internal_affairs.natural_person"].value == 5
    assert report.fields["requests.withheld_process_info.natural_person"].value == 6
    assert report.fields["requests.withheld_enforcement_files.natural_person"].value == 0
    assert any("withheld_process_info by its position" in w for w in report.warnings)


def test_appeals_table_found_when_its_first_header_is_misread(tmp_path):
    # "行政复议" misread on a scan: the rest of table 四's header still names it.
    text = shared_file("seeds", "000_23b73cc6dfe3721c.txt").read_text(encoding="utf-8")
    original = extract(shared_file("seeds", "000_23b73cc6dfe3721c.txt"))
    path = tmp_path / "misread.txt"
    path.write_text(text.replace("\t行政复议\n", "\t行政议发\n"), encoding="utf-8")
    report = extract(path)
    appeals = [k for k in original.fields if k.startswith("appeals.")]
    assert len(appeals) == 15
    assert all(report.fields[k].value == original.fields[k].value for k in appeals)
    assert not any("table 四" in w and "not found" in w for w in report.warnings)
