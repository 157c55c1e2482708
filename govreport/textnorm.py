"""Text normalisation for matching printed labels and parsing printed numbers."""

from __future__ import annotations

import re
import unicodedata

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
    """The form labels are compared in: no spaces, half-width, one punctuation style."""
    return squash(nfkc(text)).translate(_PUNCT_MAP)


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


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: tolerant of dropped, extra or garbled characters."""
    if a == b:
        return 1.0 if a else 0.0
    ba, bb = bigrams(a), bigrams(b)
    if not ba or not bb:
        return 0.0
    return 2 * len(ba & bb) / (len(ba) + len(bb))


def char_similarity(a: str, b: str) -> float:
    """Dice coefficient of the characters (as sets): what two labels share when garbling left few bigrams whole."""
    if a == b:
        return 1.0 if a else 0.0
    ca, cb = set(a), set(b)
    if not ca or not cb:
        return 0.0
    return 2 * len(ca & cb) / (len(ca) + len(cb))
