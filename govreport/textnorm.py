"""Text normalisation for matching printed labels and parsing printed numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b]+")
# Punctuation variants that mean the same in a label.
_PUNCT_MAP = str.maketrans(
    {
        "、": ".",
        "．": ".",
        "，": ",",
        "（": "(",
        "）": ")",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "：": ":",
        "／": "/",
    }
)
# Traditional forms of the characters of the standard labels, which the recogniser (trained on both scripts)
# sometimes reads for the simplified ones of a degraded print: 信息內容, 本年新公开數量, 本年增/減.
_TRADITIONAL = str.maketrans(dict(zip(
    "業舉於會關內決減辦務區單發隻號後國處復複審對屬廢開強當總執護報無機權條構沒現確穩類糾納組織經結繼續維繳罰範獲補"
    "規計認議許訟訪訴詢請購費轉過這採項額數",
    "业举于会关内决减办务区单发只号后国处复复审对属废开强当总执护报无机权条构没现确稳类纠纳组织经结继续维缴罚范获补"
    "规计认议许讼访诉询请购费转过这采项额数", strict=True)))
# A bracketed marker of up to two characters is taken whatever they are: a scan's recogniser garbles or loses
# the numeral inside (（七） read as "(L)", （三） as "()").
_NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[.、]|\([一二三四五六七八九十]+\)|\d+[.、]|\(\d+\)|\([^()]{0,2}\))"
)


def nfkc(text: str) -> str:
    """Full-width digits and letters to half-width (NFKC), keeping CJK as is."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Remove every kind of whitespace (labels are often split over lines or padded)."""
    return _SPACE_RE.sub("", text)


def norm_label(text: str) -> str:
    """The form labels are compared in: no spaces, half-width, one punctuation style, simplified characters."""
    return squash(nfkc(text)).translate(_PUNCT_MAP).translate(_TRADITIONAL)


def text_lines(text: str) -> list[str]:
    """The non-blank lines of a recognised text, stripped (a cell read as several text lines)."""
    return [t.strip() for t in text.splitlines() if t.strip()]


def strip_numbering(label: str) -> str:
    """Drop a leading list marker (一、 （一） 1. 1、 (1)) from a normalised label."""
    prev = None
    out = label
    while prev != out:
        prev = out
        out = _NUMBERING_RE.sub("", out, count=1)
    return out


def numbering(label: str) -> str:
    """The leading list marker of a normalised label, or ''."""
    m = _NUMBERING_RE.match(label)
    return m.group(0) if m else ""


def bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _dice(a: str, b: str, parts: Callable[[str], set[str]]) -> float:
    """Dice coefficient of the sets ``parts`` makes of two strings (1 for equal non-empty strings)."""
    if a == b:
        return 1.0 if a else 0.0
    pa, pb = parts(a), parts(b)
    if not pa or not pb:
        return 0.0
    return 2 * len(pa & pb) / (len(pa) + len(pb))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: tolerant of dropped, extra or garbled characters."""
    return _dice(a, b, bigrams)


def char_similarity(a: str, b: str) -> float:
    """Dice coefficient of the characters (as sets): what two labels share when garbling left few bigrams whole."""
    return _dice(a, b, set)
