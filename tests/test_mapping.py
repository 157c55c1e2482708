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


def test_a_zero_beside_lines_of_lettering_is_taken_at_half_confidence():
    """Seed-14 doc0014 and doc0020: a seal (found or not: a grey copy turned 270°) leaves its lettering as lines
    beside a cell's 0 (`公民` over `0`, `A` over `0`), and the cell was unreadable. A lone 0 beside lines without
    digits is taken at half the confidence, noted; other digits there are not (in blank cells the lettering's
    strokes read as 1 or 8), nor a 0 beside a blank marker or a digit look-alike."""
    for text, seal in (("公民\n0", False), ("A\n0", True), ("二ー\n0", True)):
        fv = _sealed_value(text, seal=seal)
        assert (fv.value, fv.status.value, fv.raw_text) == (0, "read", "0")
        assert fv.confidence == 0.4 and repr(text) in (fv.note or "")
    for text in ("服\n8", "大\n1", "—\n0", "S\n0", "A\n0\n1"):
        assert _sealed_value(text).value is None, text


def test_a_scanned_count_with_its_thousands_comma_read_as_a_point_is_a_whole_number():
    from govreport.ir import Cell, TextSource
    from govreport.pipeline import _field_value
    from govreport.schema.mapper import MappedCell
    from govreport.schema.templates import load_template

    template = load_template("2021")

    def value(key: str, text: str, source: TextSource = TextSource.OCR):
        cell = Cell(row=1, col=1, text=text, page=2, confidence=0.9, source=source)
        return _field_value(MappedCell(key, cell, 0), template)

    fv = value("proactive.licensing.decisions", "1.846")  # doc0023: 1,846 read as 1.846
    assert (fv.value, fv.status.value) == (1846, "read") and "thousands" in (fv.note or "")
    assert value("proactive.fees.amount", "1.846").value == 1.846  # an amount keeps its decimals
    assert value("proactive.licensing.decisions", "12.5").value == 12.5  # not three digits: left as printed
    assert value("proactive.licensing.decisions", "1.846", TextSource.TEXT_LAYER).value == 1.846  # as printed


def test_garbled_labels_match_the_row_of_their_item_number():
    from govreport.schema.mapper import _request_row_options, item_number, split_item
    from govreport.schema.templates import load_template

    options = _request_row_options(load_template("2019"))
    wanted = [strip_numbering(norm_label(label)) for _, label in options]
    wanted_numbers = [item_number(label) for _, label in options]
    keys = [k for k, _ in options]
    # Row labels as PP-OCR read them on a thinned 1-bit copy (benchmark doc0038): one bigram left of each whole,
    # most characters still there; a stray mark before the number.
    read = ["1.属于国京秘密", "2.旦他法律行政法埋集止公井", "3.危技“安全模心", "4.保护单法代益", "-\n7.属行政热二",
            "1.信的军报投再类申站", "2.重申请"]
    numbers, observed = map(list, zip(*(split_item(t) for t in read), strict=True))
    assert numbers[4] == "7" and observed[4] == "属行政热二"
    got = [keys[i] if i is not None else None for i in _align(observed, wanted, numbers, wanted_numbers)]
    assert got == ["withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability",
                   "withheld_third_party", "withheld_enforcement_files", "unprocessed_petition", "unprocessed_repeated"]
    # without the item numbers the garbled ones are lost
    assert _align(observed, wanted)[2:5] == [None, None, None]
    # a garbled label under another number is not taken for the row whose characters it shares
    assert _align(["危技“安全模心"], wanted, ["5"], wanted_numbers) == [None]


def test_a_label_with_a_seals_lettering_read_as_a_line_above_it_matches_by_its_own_line():
    from govreport.schema.mapper import _request_row_options, item_number, split_item
    from govreport.schema.templates import load_template
    from govreport.textnorm import text_lines

    options = _request_row_options(load_template("2019"))
    wanted = [strip_numbering(norm_label(label)) for _, label in options]
    wanted_numbers = [item_number(label) for _, label in options]
    keys = [k for k, _ in options]
    # Under a black seal whose ring was painted over, its lettering reads as a line of its own (doc0038).
    read = ["4.保护单法代益", "-hな\n7.属于行政热点至卷二", "yté1éw\n8.属于行政查询事项"]
    numbers, observed = map(list, zip(*(split_item(t) for t in read), strict=True))
    by_line = [[split_item(line) for line in text_lines(t)] if "\n" in t else [] for t in read]
    got = [keys[i] if i is not None else None for i in _align(observed, wanted, numbers, wanted_numbers, by_line)]
    assert got == ["withheld_third_party", "withheld_enforcement_files", "withheld_query_matters"]
    assert _align(observed, wanted, numbers, wanted_numbers)[1] is None  # its whole text matches nothing


def _mapped(tables: list, template: str = "2021"):
    """``tables`` as one PDF's tables, mapped onto ``template``."""
    from govreport.ir import Document
    from govreport.schema.mapper import map_document
    from govreport.schema.templates import load_template

    return map_document(Document(path="x.pdf", media_type="application/pdf", tables=tables), load_template(template))


def _grid(rows: list[list[str]]):
    from govreport.ir import Cell, Table

    cells = [Cell(row=r, col=c, text=t) for r, texts in enumerate(rows) for c, t in enumerate(texts) if t]
    return Table(n_rows=len(rows), n_cols=max(len(r) for r in rows), cells=cells)


def test_table_two_as_a_thin_copy_reads_it():
    """Table 二 of a thinned 1-bit copy as PP-OCR read it (benchmark doc0038): headings without 二十, 內 for 内,
    row labels garbled beyond their bigrams, a lost ruling that merged the next heading into a row's values."""

    table = _grid([
        ["Φ条第（）项"],
        ["信息內容", "本年新制作数量", "本年新公开數量", "对外公开总数量"],
        ["地車", "0", "0", "0"],
        ["现范件之件", "20", "20", "334"],
        ["第：十条第11)"],
        ["信息內容", "上一年项日数量", "本年增/减", "处理决定数量"],
        ["行政许可", "485", "0", "24"],
        ["建他对外管理服务事项", "21\n第：十条第（六））", "0\nlüj", "152"],
        ["信息內容", "上年项目数量", "本作增/减", "处理决定数量"],
        ["行收生罚", "75", "-16", "17"],
        ["行改强制", "11", "0", "52"],
        ["第十条第（八）项"],
        ["信息内容", "上年项目数量", "本年增/減"],
        ["行政事业性收费", "0", "1"],
    ])
    mapping = _mapped([table], "2019")
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["proactive.regulations.made_this_year"] == "0"  # before the first row that matched: by position
    assert got["proactive.normative_documents.total_published"] == "334"
    assert got["proactive.licensing.decisions"] == "24"  # 信息內容 read as the header
    assert got["proactive.other_services.decisions"] == "152"  # its label found left of the merged heading
    assert got["proactive.penalty.items_last_year"] == "75"  # between two rows that matched: by position
    assert got["proactive.coercion.decisions"] == "52"
    assert got["proactive.penalty.change_this_year"] == "-16"  # its header 本作增/减 placed by its place
    assert got["proactive.fees.change_this_year"] == "1"
    assert mapping.cells["proactive.penalty.decisions"].by_position
    assert not mapping.cells["proactive.licensing.decisions"].by_position


def test_a_row_label_merged_into_the_header_above_is_its_last_line():
    """A lost ruling under table 三's header merged 一、本年新收… into the header's note cell (benchmark doc0019)."""
    from govreport.ir import Cell, Table

    heads = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    cells = [Cell(row=0, col=0, row_span=3, text=f"{note}\n一、本年新收政府信息公开申请数量"),
             Cell(row=0, col=1, col_span=7, text="申请人情况")]
    cells += [Cell(row=1, col=1 + i, text=t) for i, t in enumerate(heads)]
    cells += [Cell(row=2, col=1 + i, text=t) for i, t in enumerate(["5", "0", "0", "0", "0", "0", "5"])]
    cells += [Cell(row=3, col=0, text="二、上年结转政府信息公开申请数量")]
    cells += [Cell(row=3, col=1 + i, text=t) for i, t in enumerate(["1", "0", "0", "0", "0", "0", "1"])]
    table = Table(n_rows=4, n_cols=8, cells=cells)
    mapping = _mapped([table])
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.new.natural_person"] == "5" and got["requests.new.total"] == "5"
    assert got["requests.carried_over.total"] == "1"


def _requests_table(body: list, n_rows: int, template: str = "2021"):
    """Table 三 with its applicant header over columns 3-9 (labels in columns 0-2) above ``body`` (cells of rows
    1..), mapped onto ``template``."""
    from govreport.ir import Cell, Table

    heads = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    cells = [Cell(row=0, col=0, col_span=3, text="申请人情况")]
    cells += [Cell(row=0, col=3 + i, text=t) for i, t in enumerate(heads)]
    table = Table(n_rows=n_rows, n_cols=10, cells=cells + body)
    return _mapped([table], template)


def test_two_row_labels_merged_into_one_cell_each_take_their_line():
    """A ruling lost in the label column only: 3.危及… and 4.保护… in one cell spanning both rows, beside the group
    labels, with a value cell read as text (doc0028)."""
    from govreport.ir import Cell

    cells = [Cell(row=1, col=0, row_span=4, text="三\n、\n本\n年"),
              Cell(row=1, col=1, row_span=4, text="(三)不予\n公开")]
    rows = {1: ("2.其他法律行政法规禁止公开", ["0"] * 7), 2: ("3.危及“三安全一稳定”\n4.保护第三方合法权益",
            ["1", "0", "0", "0", "0", "0", "1"]), 3: (None, ["2", "A0", "0", "0", "0", "0", "2"]),
            4: ("5.属于三类内部事务信息", ["0"] * 7)}
    for r, (label, values) in rows.items():
        if label:
            cells.append(Cell(row=r, col=2, row_span=2 if r == 2 else 1, text=label))
        cells += [Cell(row=r, col=3 + i, text=t) for i, t in enumerate(values)]
    mapping = _requests_table(cells, 5)
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.withheld_security_stability.total"] == "1"
    assert got["requests.withheld_third_party.total"] == "2"
    assert got["requests.withheld_internal_affairs.total"] == "0"


def test_a_garbled_cell_merged_over_two_value_columns_is_unreadable_in_both_and_no_row_label():
    """Under a seal (doc0019) the blank markers 无 of two columns merge into one cell the recogniser reads as
    strokes ("心\n区筑"): that cell is not the row's label, and both its columns are unreadable, not lost."""
    from govreport.ir import Cell

    cells = [Cell(row=1, col=0, row_span=3, text="三\n、\n本\n年"),
              Cell(row=1, col=1, row_span=3, text="(三)不予\n公开")]
    labels = ["5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷"]
    for r, label in enumerate(labels, start=1):
        cells.append(Cell(row=r, col=2, text=label))
        cells += [Cell(row=r, col=3, text="无"), Cell(row=r, col=4, text="无")]
        if r == 2:
            cells.append(Cell(row=r, col=5, col_span=2, text="心\n区筑"))
        else:
            cells += [Cell(row=r, col=5, text="无"), Cell(row=r, col=6, text="无")]
        cells += [Cell(row=r, col=7 + i, text=t) for i, t in enumerate(["无", "无", str(r)])]
    mapping = _requests_table(cells, 4)
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.withheld_process_info.total"] == "2"
    merged = "心\n区筑"
    assert got["requests.withheld_process_info.research"] == got["requests.withheld_process_info.nonprofit"] == merged
    assert not mapping.cells["requests.withheld_process_info.total"].by_position  # its own label, not the merged cell
    assert got["requests.withheld_enforcement_files.total"] == "3"


def test_a_row_of_values_whose_label_merged_into_the_cell_above_is_placed_between_its_neighbours():
    """A lost ruling merged （六）其他处理 into the two-line label above it, read as strokes (doc0038: 也生P): three
    lines over two rows, so no line is the row's own; its values are placed between the rows matched above and
    below."""
    from govreport.ir import Cell

    cells = [Cell(row=1, col=0, row_span=2, col_span=2, text="(五)不予\n处理"),
              Cell(row=1, col=2, row_span=2, text="5.要求行政机关确认或重\n新出具已获取信息\n也生P")]
    cells += [Cell(row=3, col=0, col_span=3, text="(七)总计"),
              Cell(row=4, col=0, col_span=3, text="四、结转下年度继续办理")]
    for r, values in {1: ["0"] * 7, 2: ["4", "0", "0", "0", "0", "0", "4"], 3: ["26"] + ["0"] * 5 + ["26"],
                      4: ["1"] + ["0"] * 5 + ["1"]}.items():
        cells += [Cell(row=r, col=3 + i, text=t) for i, t in enumerate(values)]
    mapping = _requests_table(cells, 5, "2019")
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.unprocessed_confirmation.total"] == "0"
    assert got["requests.other_handling.natural_person"] == "4" and got["requests.other_handling.total"] == "4"
    assert mapping.cells["requests.other_handling.total"].by_position
    assert got["requests.results_total.total"] == "26" and got["requests.carried_forward.total"] == "1"


def test_a_row_a_stray_line_cut_in_part_keeps_its_values_spanning_both_parts():
    """A stray line cut a two-line row in two in its last columns only (doc0038, 2.没有现成信息需要另行制作): the
    label and most values span both grid rows and are the row's; the lower part is no row of its own."""
    from govreport.ir import Cell

    cells = [Cell(row=1, col=0, row_span=4, col_span=2, text="(四)无法\n提供")]
    cells += [Cell(row=1, col=2, text="1.本机关不掌握相关政府信息")]
    cells += [Cell(row=1, col=3 + i, text=t) for i, t in enumerate(["5", "0", "0", "0", "0", "1", "6"])]
    cells += [Cell(row=2, col=2, row_span=2, text="2.没有现成信息需要另行\n制作")]
    cells += [Cell(row=2, col=3 + i, row_span=2, text=t) for i, t in enumerate(["2", "0", "0", "0", "0"])]
    cells += [Cell(row=2, col=8, text=""), Cell(row=2, col=9, text=""), Cell(row=3, col=8, text="0"),
              Cell(row=3, col=9, text="2")]
    cells += [Cell(row=4, col=2, text="3.补正后申请内容仍不明确")]
    cells += [Cell(row=4, col=3 + i, text=t) for i, t in enumerate(["1", "0", "0", "0", "0", "0", "1"])]
    mapping = _requests_table(cells, 5, "2019")
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.unavailable_needs_creation.natural_person"] == "2"
    assert got["requests.unavailable_needs_creation.legal_services"] == "0"
    assert got["requests.unavailable_unclear.total"] == "1" and got["requests.unavailable_not_held.total"] == "6"
    assert not any(mc.cell.row == 3 and k.startswith("requests.unavailable_unclear") for k, mc in mapping.cells.items())


def test_table_four_with_its_header_read_in_part_takes_a_full_value_row_by_position():
    """Table 四 of a faint copy (doc0019): its stacked titles read a character at a time, so few columns are known,
    but the value row holds one cell per standard column."""
    from govreport.ir import Cell, Table

    cells = [Cell(row=0, col=0, col_span=5, text="行政复议"), Cell(row=0, col=5, col_span=10, text="行政诉讼")]
    # the only title read whole sits over the wrong column (a stroke of the next title joined it)
    cells += [Cell(row=1, col=k, text=t) for k, t in enumerate(
        ["结\n里\n30\n持", "结\n里\n河\n正", "其\n他\n結\n果", "结果维持", "总\n计"] + ["结"] * 10)]
    values = ["0", "0", "0", "0", "4", "1", "0", "0", "3", "4", "0", "0", "0", "0", "0"]
    cells += [Cell(row=2, col=k, text=t) for k, t in enumerate(values)]
    table = Table(n_rows=3, n_cols=15, cells=cells)
    mapping = _mapped([table])
    got = {k: mc.cell.text for k, mc in mapping.cells.items() if k.startswith("appeals.")}
    assert len(got) == 15
    assert got["appeals.review.total"] == "4" and got["appeals.suit_direct.pending"] == "3"
    assert got["appeals.suit_direct.total"] == "4"
    assert mapping.cells["appeals.suit_after_review.total"].by_position


def test_a_block_header_merged_with_its_data_row_is_read_as_both():
    """A lost ruling under table 二's block header (doc0019): 信息内容 over 行政许可, 本年处理决定数量 over 1523."""

    table = _grid([
        ["第二十条第（五）项"],
        ["信息内容\n行政许可", "本年处理决定数量\n1523"],
        ["第二十条第（六）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚", "33"],
    ])
    mapping = _mapped([table])
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["proactive.licensing.decisions"] == "1523"
    assert got["proactive.penalty.decisions"] == "33"


def test_garbled_headers_still_open_their_tables():
    """A dark, blotted copy as PP-OCR read it (held-out doc0028): 信息内容 read 伯息內容, 规章 read 斌章; table 三's
    header with every marker garbled by one character (申清人情况, 勾糟关系, 本年新敬). Table 三 starts at its header,
    not at the first 不予公开 further down, and table 二's first row is placed by position under its header."""
    from govreport.ir import Cell, Table

    proactive = _grid([
        ["第二十条第（一）", "", "項"],
        ["伯息內容", "本年制发件數", "本年康止件数", "焉行有效件做"],
        ["斌章", "3", "0", "7"],
        ["行政鵝范性文件", "10", "1", "16"],
    ])
    heads = ["自然\n人", "海业\n企业", "科研\n机构", "社会\n公益\n組织", "法律\n服务\n机构", "其他", "总计"]
    note = "(本列数擔的勾糟关系为：第一項加第二\n壤之和，等于第三項加第四項之和)"
    cells = [Cell(row=0, col=0, row_span=2, col_span=3, text=note), Cell(row=0, col=3, col_span=7, text="申清人情况")]
    cells += [Cell(row=1, col=3 + i, text=t) for i, t in enumerate(heads)]
    rows = ["一、本年新敬政府德息公开中瑜政點", "二、上年結转政府信息公开中建数量", "(一) 予以公开"]
    values = [["99", "4", "0", "1", "2", "1", "107"], ["6", "0", "0", "0", "0", "1", "7"],
              ["34", "4", "0", "1", "0", "2", "41"]]
    for r, (label, vals) in enumerate(zip(rows, values, strict=True), start=2):
        cells.append(Cell(row=r, col=0, col_span=3, text=label))
        cells += [Cell(row=r, col=3 + i, text=t) for i, t in enumerate(vals)]
    requests = Table(n_rows=5, n_cols=10, cells=cells)
    mapping = _mapped([proactive, requests])
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.new.total"] == "107" and got["requests.new.natural_person"] == "99"
    assert got["requests.carried_over.other_org"] == "1"
    assert got["requests.disclosed.total"] == "41"
    assert got["proactive.regulations.in_force"] == "7" and mapping.cells["proactive.regulations.in_force"].by_position
    assert got["proactive.normative_documents.repealed_this_year"] == "1"


def test_a_garbled_total_row_after_a_single_other_handling_row_is_placed_by_position():
    """The 2021 form prints （六） as one row or as its three sub-rows. A document with the one row, its (七)总计 read
    as (七) eil (held-out doc0001): the total row is placed between （六） and 四、, the sub-rows it did not print
    standing in no one's way."""
    from govreport.ir import Cell

    cells = [Cell(row=1, col=0, col_span=3, text="5.要求行政机关确认或重新出具已获取信息"),
             Cell(row=2, col=0, col_span=3, text="(六)其他处理"),
             Cell(row=3, col=0, col_span=3, text="(七) eil"),
             Cell(row=4, col=0, col_span=3, text="四、结转下年度继续办理")]
    for r, values in {1: ["0"] * 7, 2: ["2", "0", "0", "0", "0", "0", "2"], 3: ["5", "0", "0", "0", "0", "0", "5"],
                      4: ["1"] + ["0"] * 5 + ["1"]}.items():
        cells += [Cell(row=r, col=3 + i, text=t) for i, t in enumerate(values)]
    mapping = _requests_table(cells, 5, "2021")
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.other_handling.total"] == "2"
    assert got["requests.results_total.total"] == "5" and mapping.cells["requests.results_total.total"].by_position
    assert got["requests.carried_forward.total"] == "1"
    assert not any(k.startswith(("requests.other_no_", "requests.other_unpaid", "requests.other_other")) for k in got)


def test_table_four_whose_every_title_a_faint_copy_garbled_follows_table_three():
    """Table 四 of a faint copy (held-out doc0037), under the end of table 三: 行政复议 read 行改量议, 行政诉讼 read
    行政治, 直接起诉 read 直接超诉, 复议后起诉 read 复议量起诉. Its header still opens table 四, so its values are not
    taken for table 三's."""
    from govreport.ir import Cell, Table

    end_of_three = _grid([["(七)总计", "1", "0", "0", "0", "0", "0", "1"],
                          ["四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0"]])
    cells = [Cell(row=0, col=0, col_span=5, text="行改量议"), Cell(row=0, col=5, col_span=10, text="行政治")]
    cells += [Cell(row=1, col=k, row_span=2, text=t) for k, t in enumerate(
        ["lm\n果\n维\n持", "结果\n闰正", "其他\n结果", "山\n木\n用\n活", "Gr"])]
    cells += [Cell(row=1, col=5, col_span=5, text="未经复议直接超诉"),
              Cell(row=1, col=10, col_span=5, text="复议量起诉")]
    cells += [Cell(row=2, col=5 + k, text="结") for k in range(10)]
    values = ["0"] * 14 + ["6"]
    cells += [Cell(row=3, col=k, text=t) for k, t in enumerate(values)]
    four = Table(n_rows=4, n_cols=15, cells=cells)
    mapping = _mapped([end_of_three, four], "2019")
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.results_total.total"] == "1" and got["requests.carried_forward.total"] == "0"
    assert sum(k.startswith("appeals.") for k in got) == 15
    assert got["appeals.suit_after_review.total"] == "6"


def test_table_three_whose_header_a_faint_copy_garbled_past_knowing_opens_at_its_first_row():
    """The held-out seed-14 doc0036: table 三's header holds no marker a scan kept (勾惯关系, 后映 for 自然人) and its
    总计 read as a number (811); only 其他 reads right. The table opens at 一、本年新收…, its header goes with it (not
    with table 二 before), and the header's one readable title places the value columns: a value read as a letter is
    not taken for its row's label."""
    from govreport.ir import Cell, Table

    proactive = _grid([
        ["第二十条第（一）项", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "3", "0", "7"],
    ])
    heads = ["后映", "商业\n中业", "法A\n机构", "固其地", "HAST\n医律\n服务\n机向", "其他", "811"]
    cells = [Cell(row=0, col=0, col_span=3, text="个列数据的勾惯关系第一看加第二项\n之可1第一浦加第R5之和")]
    cells += [Cell(row=0, col=3 + i, text=t) for i, t in enumerate(heads)]
    rows = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]
    values = [["20", "2", "0", "1", "0", "1", "24"], ["1", "à", "0", "0", "0", "0", "1"]]  # a faint 0 read as à
    for r, (label, vals) in enumerate(zip(rows, values, strict=True), start=1):
        cells.append(Cell(row=r, col=0, col_span=3, text=label))
        cells += [Cell(row=r, col=3 + i, text=t) for i, t in enumerate(vals)]
    requests = Table(n_rows=3, n_cols=10, cells=cells)
    mapping = _mapped([proactive, requests])
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.new.natural_person"] == "20" and got["requests.new.business"] == "2"
    assert got["requests.new.total"] == "24" and got["requests.carried_over.total"] == "1"
    assert got["proactive.regulations.in_force"] == "7"
    assert not any(k.startswith("requests.") and v == "811" for k, v in got.items())


def test_a_total_row_beside_garbled_values_is_no_column_title():
    """Seed-14 doc0012: on table 三's second page the （七）总计 row, whose blank values a faint copy read as letters
    (not a row of numbers, then), sits in column 1 beside an empty cell of column 0. Only a table's first row with
    numbers may be a header with a stray digit: this row's 总计 is no title of the 总计 column."""
    from govreport.ir import Cell

    cells = []
    for r, label, vals in [(1, "一、本年新收政府信息公开申请数量", ["10", "0", "0", "0", "0", "0", "10"]),
                           (2, "二、上年结转政府信息公开申请数量", ["0", "0", "0", "0", "0", "0", "0"])]:
        cells.append(Cell(row=r, col=0, col_span=3, text=label))
        cells += [Cell(row=r, col=3 + i, text=t) for i, t in enumerate(vals)]
    cells += [Cell(row=3, col=0, text=""), Cell(row=3, col=1, col_span=2, text="(七) 总计")]
    cells += [Cell(row=3, col=3 + i, text=t) for i, t in enumerate(["10", "à", "è", "e", "0", "0", "10"])]
    mapping = _requests_table(cells, 4)
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.new.total"] == "10" and got["requests.new.natural_person"] == "10"
    assert got["requests.carried_over.total"] == "0"
    assert got["requests.results_total.total"] == "10"


def test_a_table_after_table_three_with_a_row_of_fifteen_values_is_table_four():
    """Seed-14 doc0000, a faint thinned copy: table 四's header read past knowing (复议 alone, 提复议直展越诉), so no
    marker opened its section and its values were lost to table 三's. A table after table 三 whose row holds fifteen
    single cells, mostly numbers, is table 四; a table of shorter rows there is not."""
    from govreport.ir import Cell, Table

    cells = [Cell(row=0, col=3, col_span=7, text="申请人情况")]
    cells += [Cell(row=1, col=3 + i, text=t) for i, t in enumerate(["自然人", "商业企业", "科研机构", "社会公益组织",
                                                                     "法律服务机构", "其他", "总计"])]
    cells += [Cell(row=2, col=0, col_span=3, text="一、本年新收政府信息公开申请数量")]
    cells += [Cell(row=2, col=3 + i, text=t) for i, t in enumerate(["9", "1", "0", "0", "0", "0", "10"])]
    requests = Table(n_rows=3, n_cols=10, cells=cells)
    head = [Cell(row=0, col=0, col_span=5, text="复议"), Cell(row=0, col=5, col_span=10, text="11276")]
    head += [Cell(row=1, col=k, text=t) for k, t in enumerate(["防里\n维持", "结号\n同正", "批他\n结果", "向土\n市建"])]
    values = ["0", "1", "0", "3", "4", "0", "0", "0", "1", "1", "0", "9", "0", "0", "9"]
    appeals = Table(n_rows=3, n_cols=15, cells=head + [Cell(row=2, col=k, text=t) for k, t in enumerate(values)])
    mapping = _mapped([requests, appeals])
    got = {k: mc.cell.text for k, mc in mapping.cells.items() if k.startswith("appeals.")}
    assert len(got) == 15 and got["appeals.review.total"] == "4" and got["appeals.suit_after_review.total"] == "9"
    assert mapping.cells["requests.new.total"].cell.text == "10"
    short = Table(n_rows=3, n_cols=11, cells=head + [Cell(row=2, col=k, text=t) for k, t in enumerate(values[:11])])
    mapping = _mapped([requests, short])
    assert not any(k.startswith("appeals.") for k in mapping.cells)


def test_table_two_whose_block_heading_a_lost_ruling_merged_over_its_header_is_read():
    """Seed-14 doc0026: the ruling under 第二十条第（一）项 was lost, so the heading (read as noise) and the header
    share cells: `M872252822228` over 信息内容. The header still opens table 二, and its first block is read."""

    table = _grid([
        ["M872252822228\n信息内容", "AX3\n本年制发件数", "24N1S032922NG\n本年度止件数", "A.X2828\n现行有效件数"],
        ["规章", "0", "0", "0"],
        ["行政概范性文件", "21", "12", "167"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", "1365"],
    ])
    mapping = _mapped([table])
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["proactive.normative_documents.issued_this_year"] == "21"
    assert got["proactive.normative_documents.in_force"] == "167"
    assert got["proactive.regulations.repealed_this_year"] == "0"
    assert got["proactive.licensing.decisions"] == "1365"


def test_a_data_row_merged_with_the_next_blocks_heading_and_header_is_read_as_all_three():
    """Seed-14 doc0008, shaded headings whose rulings a copy lost: 规范性文件's row took in the next block's heading and
    header (9 over 第二十条第（五 over 上一年项目数量); its values and the next block's columns are both read."""
    table = _grid([
        ["第二十条第(一)项\n信息内容本年新制作数量本年新公开数量对外公开总数量"],
        ["规章", "0", "0", "0"],
        ["规范性文件\n信息内容", "9\n第二十条第（五\n上一年项目数量", "9\n）项\n本年增/减", "23\n处理决定数量"],
        ["行政许可", "458", "-2", "7"],
        ["其他对外管理服务事项\n信息内容", "4\n第二十条第（六\n上一年项目数量", "1\n）\n项\n本年增/减",
         "3\n处理决定数量"],
        ["行政处罚", "186", "0", "5"],
    ])
    mapping = _mapped([table], "2019")
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert [got[f"proactive.normative_documents.{c}"] for c in ("made_this_year", "published_this_year",
                                                                "total_published")] == ["9", "9", "23"]
    assert got["proactive.licensing.decisions"] == "7"
    assert not mapping.cells["proactive.licensing.decisions"].by_position
    assert [got[f"proactive.other_services.{c}"] for c in ("items_last_year", "change_this_year", "decisions")] == [
        "4", "1", "3"]
    assert got["proactive.penalty.items_last_year"] == "186"


def test_a_value_column_a_stray_line_cut_in_one_row_stays_one_column_when_placed_by_position():
    """Held-out seed-15 doc0021 (a thick 1-bit copy): only 其他 and 总计 of table 三's header were read, and a seal's
    stroke in one row cut the 科研机构 column into two grid slots, every other cell spanning both. Placed by position
    over the last seven grid slots, the columns had shifted by one (自然人 took 商业企业's zeros, 108 lost)."""
    from govreport.ir import Cell, Table

    heads = ["自然\n日\n人", "建业\n日X\n企业", "科研\n封技\n机构", "社会\n共容", "法律\n密力", "其他", "总计"]
    starts = [3, 4, 5, 7, 8, 9, 10]  # 科研机构 spans grid columns 5 and 6
    cells = [Cell(row=0, col=0, col_span=3, text="申请人情况")]
    cells += [Cell(row=1, col=c, col_span=2 if c == 5 else 1, text=t) for c, t in zip(starts, heads, strict=True)]
    rows = [("一、本年新收政府信息公开申请数量", ["108", "0", "0", "0", "0", "0", "108"]),
            ("二、上年结转政府信息公开申请数量", ["0", "0", "0", "0", "0", "0", "0"]),
            ("(一) 予以公开", ["14", "0", "0", "0", "0", "0", "14"]),
            ("(二) 部分公开", ["7", "0", "0", "0", "0", "0", "7"])]
    for r, (label, vals) in enumerate(rows, start=2):
        cells.append(Cell(row=r, col=0, col_span=3, text=label))
        if r == 4:  # the stray line: 科研机构's cell in two
            cells += [Cell(row=r, col=5, text=vals[2]), Cell(row=r, col=6, text="")]
            vals = [*vals[:2], None, *vals[3:]]
        cells += [Cell(row=r, col=c, col_span=2 if c == 5 else 1, text=t)
                  for c, t in zip(starts, vals, strict=True) if t is not None]
    mapping = _mapped([Table(n_rows=6, n_cols=11, cells=cells)])
    got = {k: mc.cell.text for k, mc in mapping.cells.items()}
    assert got["requests.new.natural_person"] == "108" and got["requests.new.total"] == "108"
    assert got["requests.disclosed.natural_person"] == "14" and got["requests.disclosed.research"] == "0"
    assert got["requests.partially_disclosed.natural_person"] == "7"
    assert got["requests.partially_disclosed.business"] == "0"
    assert "table 三: column business placed by position (its header was not read)" in mapping.warnings


def test_an_unreadable_cells_decoding_reaches_repair_at_no_more_than_its_own_probability():
    """Real OCR of a heavy 0 (bench_repair seed 13, k = 1, documents 105 and 127): text mode read `à.` at 0.58, the
    numeric decoding `5.` (0.34) or `3.` (0.33), no number either. Repair was handed `5.` at 0.58, the confidence of
    another reading, and the appeals row that needs the 0 was a conflict; at the decoding's 0.34 the 0 comes back."""
    from govreport.ir import Cell, TextAlternative, TextSource
    from govreport.pipeline import _cell_evidence, _field_value
    from govreport.postprocess.candidates import CellEvidence
    from govreport.postprocess.passes import repair_cells
    from govreport.report import ValueStatus
    from govreport.schema.mapper import MappedCell
    from govreport.schema.templates import load_template

    template = load_template("2021")
    key = "appeals.suit_direct.upheld"

    def evidence(text: str, conf: float, alts: tuple[tuple[str, float], ...], doubted: bool = False):
        cell = Cell(row=1, col=1, text=text, page=3, confidence=conf, source=TextSource.OCR,
                    alternatives=[TextAlternative(text=t, prob=p) for t, p in alts])
        mc = MappedCell(key, cell, 0)
        fv = _field_value(mc, template)
        return fv, _cell_evidence(fv, mc, doubted)

    fv, ev = evidence("à.", 0.58, (("5.", 0.34), ("3.", 0.33), ("8.", 0.09)))
    assert fv.status is ValueStatus.UNREADABLE and (ev.raw_text, ev.confidence) == ("5.", 0.34)
    # a decoding that is a number was capped so already; a lost number's empty reading keeps its confidence
    fv, ev = evidence("à", 0.58, (("5", 0.34),))
    assert (fv.status, ev.raw_text, ev.confidence) == (ValueStatus.READ, "5", 0.34)
    fv, ev = evidence("", 0.5, (("", 0.97), ("1", 0.02)))
    assert (fv.status, ev.raw_text, ev.confidence) == (ValueStatus.UNREADABLE, "", 0.5)
    assert evidence("à.", 0.58, (("5.", 0.34),), doubted=True)[1].confidence == 0.0

    invariants = [inv for inv in template.invariants_for(False) if inv.id.startswith("appeals.")]
    cells = {k: CellEvidence(k, "0", 0.999) for inv in invariants for k in inv.fields}
    alts = tuple(TextAlternative(text=t, prob=p) for t, p in (("5.", 0.34), ("3.", 0.33), ("8.", 0.09)))
    for conf, status in ((0.58, ValueStatus.CONFLICT), (0.34, ValueStatus.REPAIRED)):
        result = repair_cells({**cells, key: CellEvidence(key, "5.", conf, alts)}, invariants)
        assert result.cells[key].status is status and (result.cells[key].value == 0) is (status is ValueStatus.REPAIRED)
