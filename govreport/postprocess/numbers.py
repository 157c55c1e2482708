"""Printed cell text -> value, keeping what was printed.

Handles what real reports print: ``00``, ``+10``, ``-3``, ``81284.86元``, ``22（其中修订 16 件）``,
``1,234``, full-width digits, and the many ways of printing nothing (``—``, ``/``, ``无``, empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from govreport.textnorm import nfkc, squash


class ParseOutcome(str, Enum):
    NUMBER = "number"
    BLANK = "blank"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ParsedNumber:
    outcome: ParseOutcome
    value: int | float | None
    raw: str
    unit: str | None = None  # 元 / 万元 where printed
    note: str | None = None  # e.g. the parenthetical of 22（其中修订 16 件）


BLANK_TOKENS = frozenset({"", "—", "——", "-", "--", "/", "\\", "无", "空", "─", "–", "一", "—/—", "∕"})
_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<unit>万元|元|件|个|项|条|宗|次|万)?(?P<rest>.*)$"
)
_SPLIT_DIGITS_RE = re.compile(r"\d[ \t\u3000]+\d")
# 无 (or 空) over and over: a scan's cell that took in its blank neighbours (a ruling between them lost)
_REPEATED_NONE_RE = re.compile(r"^(?:无\s*){2,}$|^(?:空\s*){2,}$")
_DASHES = str.maketrans({"−": "-", "－": "-", "﹣": "-", "＋": "+", "，": ",", "。": "."})


@lru_cache(maxsize=8192)
def parse_number(raw: str) -> ParsedNumber:
    """Parse one cell's printed text. Never raises; unreadable text is reported as such."""
    wide = nfkc(raw)
    if _SPLIT_DIGITS_RE.search(wide):
        return ParsedNumber(ParseOutcome.UNREADABLE, None, raw)  # two numbers in one cell, or a stray gap
    text = squash(wide).translate(_DASHES)
    if text in BLANK_TOKENS or _REPEATED_NONE_RE.match(text):
        return ParsedNumber(ParseOutcome.BLANK, None, raw)
    m = _NUMBER_RE.match(text)
    if not m:
        return ParsedNumber(ParseOutcome.UNREADABLE, None, raw)
    rest = m.group("rest")
    note = None
    if rest:
        inner = rest.strip("()[]")
        if rest.startswith("(") or rest.startswith("["):
            note = inner
        else:
            return ParsedNumber(ParseOutcome.UNREADABLE, None, raw)
    digits = m.group("int").replace(",", "")
    sign = -1 if m.group("sign") == "-" else 1
    unit = m.group("unit")
    unit = unit if unit in ("元", "万元") else None
    frac = m.group("frac")
    value: int | float
    value = sign * float(f"{digits}.{frac}") if frac is not None else sign * int(digits)
    return ParsedNumber(ParseOutcome.NUMBER, value, raw, unit=unit, note=note)


def looks_numeric(raw: str) -> bool:
    """True for text that is a value cell (a number or a blank marker), not a label."""
    return parse_number(raw).outcome is not ParseOutcome.UNREADABLE
