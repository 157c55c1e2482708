import pytest

from govreport.postprocess.numbers import ParseOutcome, parse_number


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [
        ("00", 0, None),
        ("+10", 10, None),
        ("-3", -3, None),
        ("81284.86元", 81284.86, "元"),
        ("22（其中修订 16 件）", 22, None),
        ("1,234", 1234, None),
        ("１２３４", 1234, None),
        (" 7 ", 7, None),
        ("7730.28", 7730.28, None),
        ("12万元", 12, "万元"),
    ],
)
def test_printed_numbers(raw, value, unit):
    p = parse_number(raw)
    assert p.outcome is ParseOutcome.NUMBER
    assert p.value == value
    assert type(p.value) is type(value)
    assert p.unit == unit
    assert p.raw == raw


@pytest.mark.parametrize("raw", ["", " ", "—", "——", "/", "无", "-", "\u3000", "无无", "无\n无"])
def test_blank_styles(raw):
    p = parse_number(raw)
    assert p.outcome is ParseOutcome.BLANK
    assert p.value is None


@pytest.mark.parametrize("raw", ["见附件", "1.属于国家秘密", "12a", "3 4", "七无", "无1"])
def test_not_numbers(raw):
    assert parse_number(raw).outcome is ParseOutcome.UNREADABLE


def test_parenthetical_is_kept_as_note():
    assert parse_number("22（其中修订 16 件）").note == "其中修订16件"
