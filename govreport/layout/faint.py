"""Faint print the binariser misses: a cell's digit paler than the page's local threshold.

A thinned, light copy (a photocopy of a photocopy, toner running low) leaves digits only a few grey levels
darker than the paper around them. The page's adaptive threshold, tuned to keep paper noise out, drops
them, and the cell would read as a confident blank. Looked at cell by cell, smoothed so that paper noise
averages out, such a digit is still a compact patch clearly darker than the cell's own paper. It is looked for at
two scales, the patches of both taken together: a light smoothing (a thin stroke keeps its contrast) and a wider
one with a lower bar (a thinned 150 DPI copy's strokes only stand out of its noise when averaged over more of them).
"""

from __future__ import annotations

import cv2
import numpy as np

# (smoothing in points, noise spreads, least drop in grey levels) of each look: a faint stroke (smoothed)
# must lie below the cell's paper by the larger of the drop and that many of the paper's own (smoothed) spreads;
# the smoothing is wider than JPEG and paper noise, narrower than a stroke's blur
FAINT_LOOKS = ((0.5, 4.0, 8.0), (0.8, 3.5, 6.0))
FAINT_MIN_HEIGHT_PT = 2.5  # a character's patch is at least this tall ...
FAINT_MIN_WIDTH_PT = 1.5  # ... and this wide
FAINT_DASH_HEIGHT_PT = 4.0  # a patch lower than this ...
FAINT_DASH_SHARE = 0.45  # ... and than this share of its width is a dash, not a glyph
FAINT_MAX_FILL = 0.85  # a patch filling more of its box than this is a smudge or shading edge, not a glyph


def faint_ink_box(grey: np.ndarray, px: float) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1, pixels within ``grey``) around the faint glyphs of one cell's inside, or None
    where nothing glyph-like is darker than its paper (a blank cell, however noisy, or a faint dash)."""
    h, w = grey.shape
    if h < FAINT_MIN_HEIGHT_PT * px or w < FAINT_MIN_WIDTH_PT * px:
        return None
    boxes = [b for look in FAINT_LOOKS for b in _glyph_boxes(grey, px, *look)]
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if y1 - y0 < FAINT_DASH_HEIGHT_PT * px and y1 - y0 < FAINT_DASH_SHARE * (x1 - x0):
        return None  # a faint dash (a printed blank), which the smoothing made look tall enough: the cell is blank
    return x0, y0, x1, y1


def _glyph_boxes(grey: np.ndarray, px: float, sigma_pt: float, sigmas: float, drop: float
                 ) -> list[tuple[int, int, int, int]]:
    """Boxes of the glyph-like patches darker than the cell's paper, smoothed at ``sigma_pt`` points, by the
    larger of ``drop`` grey levels and ``sigmas`` of the paper's spread."""
    h, w = grey.shape
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), max(0.8, sigma_pt * px))
    paper = float(np.median(smooth))
    spread = 1.4826 * float(np.median(np.abs(smooth - paper)))
    dark = (smooth < paper - max(drop, sigmas * spread)).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if bh < FAINT_MIN_HEIGHT_PT * px or bw < FAINT_MIN_WIDTH_PT * px or area > FAINT_MAX_FILL * bw * bh:
            continue
        if x == 0 or y == 0 or x + bw == w or y + bh == h:
            continue  # touches the cell's edge: a ruling's shadow or a neighbour's ink, not this cell's glyph
        boxes.append((x, y, x + bw, y + bh))
    return boxes
