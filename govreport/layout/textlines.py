"""Text lines of a page's running text, found from its ink (no detection model).

    ink (255 = ink, rulings removed) -> blank out table regions -> row bands by horizontal projection
    -> bands split into pieces at wide gaps -> specks and rules dropped -> tall bands split -> boxes

Report pages are deskewed, single-column and set in evenly spaced horizontal lines, so a projection finds
their lines in milliseconds; a detection network costs about a second a page on a CPU. Every box is a
single line ready for a line recogniser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True)
class LineFinderOptions:
    min_height_pt: float = 4.0  # bands lower than this are specks, dashes of a rule, dust
    max_height_pt: float = 60.0  # taller bands are figures or seals, not text
    row_gap_pt: float = 1.0  # ink rows closer than this belong to one band
    piece_gap_em: float = 2.5  # inside a band, a gap wider than this many line heights starts a new line
    min_ink_rows: int = 2  # a pixel row needs this much ink to count


def runs(profile: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """[start, end) runs where ``profile`` > 0, merging gaps of at most ``min_gap``."""
    idx = np.flatnonzero(profile > 0)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap + 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def ink_runs(ink: np.ndarray, axis: int, min_gap: int, min_len: float, min_ink: float = 0.0) -> list[tuple[int, int]]:
    """[start, end) runs of ink across ``axis`` (0: text lines, a profile over y; 1: pieces of text, over x).
    Pixel lines with a single ink pixel are left out, gaps of at most ``min_gap`` joined, and runs shorter than
    ``min_len`` or holding fewer than ``min_ink`` ink pixels dropped (specks, dots of a lost ruling)."""
    prof = (ink > 0).sum(axis=1 - axis)
    prof[prof < 2] = 0
    return [(a, b) for a, b in runs(prof, min_gap) if b - a >= min_len and prof[a:b].sum() >= min_ink]


def split_band(ink: np.ndarray, a: int, b: int, line_h: float) -> list[tuple[int, int]]:
    """A band holding several lines set tight: cut at the emptiest rows near the expected breaks."""
    h = b - a
    n = round(h / line_h) if line_h > 0 else 1
    if n < 2 or h < 1.6 * line_h:
        return [(a, b)]
    rows = (ink[a:b] > 0).sum(axis=1)
    cuts = [0]
    reach = max(1, int(line_h / 3))
    for k in range(1, n):
        target = int(k * h / n)
        lo, hi = max(cuts[-1] + 1, target - reach), min(h - 1, target + reach)
        if lo < hi:
            cuts.append(lo + int(np.argmin(rows[lo:hi])))
    cuts.append(h)
    return [(a + s, a + e) for s, e in pairwise(cuts) if e - s >= 3]


def find_text_lines(ink: np.ndarray, dpi: float, exclude: Sequence[Box] = (),
                    opts: LineFinderOptions | None = None) -> list[Box]:
    """Boxes of the single text lines on a page, top to bottom and left to right, outside ``exclude``."""
    opts = opts or LineFinderOptions()
    px = dpi / 72.0
    work = ink.copy() if exclude else ink
    h, w = ink.shape
    for x0, y0, x1, y1 in exclude:
        work[max(0, y0): min(h, y1), max(0, x0): min(w, x1)] = 0
    rows = (work > 0).sum(axis=1)
    rows[rows < opts.min_ink_rows] = 0
    bands = runs(rows, max(1, int(opts.row_gap_pt * px)))
    min_h, max_h = opts.min_height_pt * px, opts.max_height_pt * px
    heights = [b - a for a, b in bands if min_h <= b - a <= max_h]
    line_h = float(np.median(heights)) if heights else 0.0
    out: list[Box] = []
    for a, b in bands:
        if b - a < min_h:
            continue
        parts = split_band(work, a, b, line_h) if b - a > max_h or b - a >= 1.6 * line_h > 0 else [(a, b)]
        for pa, pb in parts:
            if not min_h <= pb - pa <= max_h:
                continue
            cols = (work[pa:pb] > 0).sum(axis=0)
            gap = max(4, int(opts.piece_gap_em * (pb - pa)))
            for ca, cb in runs(cols, gap):
                if cb - ca < 0.5 * (pb - pa):  # a speck beside the text, a ruling's stub
                    continue
                sub = work[pa:pb, ca:cb] > 0
                ys = np.flatnonzero(sub.any(axis=1))
                if ys.size == 0:
                    continue
                out.append((ca, pa + int(ys[0]), cb, pa + int(ys[-1]) + 1))
    return out
