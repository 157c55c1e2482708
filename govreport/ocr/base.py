"""One interface for every OCR engine: line recognition over batches of crops, and page text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

NUMERIC_ALPHABET = "0123456789.,-+%元万—/"  # what a numeric table cell may print


@dataclass(frozen=True)
class Alternative:
    text: str
    prob: float


@dataclass(frozen=True)
class LineReading:
    """What a recogniser read in one crop of a single text line."""

    text: str
    confidence: float  # 0..1
    alternatives: tuple[Alternative, ...] = field(default_factory=tuple)  # best first, numeric mode only


@dataclass(frozen=True)
class PageLine:
    """A text line found and read on a page image (pixel box, origin top-left)."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float


class LineRecognizer(Protocol):
    """Reads batches of single-line crops (BGR uint8), possibly drawn from many pages and documents."""

    name: str

    def recognize(self, crops: Sequence[np.ndarray], numeric: Sequence[bool], top_k: int = 3) -> list[LineReading]:
        ...


class PageReader(Protocol):
    """Detects and reads the text lines of a whole page image (narrative text: title, sections)."""

    name: str

    def read_page(self, image: np.ndarray) -> list[PageLine]:
        ...
