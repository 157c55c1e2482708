"""Faint print the binariser misses: a cell's digit paler than the page's local threshold.

A thinned, light copy (a photocopy of a photocopy, toner running low) leaves digits only a few grey levels
darker than the paper around them. The page's adaptive threshold, tuned to keep paper noise out, drops
them, and the cell would read as a confident blank. Looked at cell by cell, smoothed so that paper noise
averages out, such a digit is still a compact patch clearly darker than the cell's own paper.
"""

from __future__ import annotations

import cv2
import numpy as np

FAINT_MIN_DROP = 8.0  # grey levels a faint stroke (smoothed) must lie below the cell's paper ...
FAINT_NOISE_SIGMAS = 4.0  # ... and at least this many times the paper's own (smoothed) spread
FAINT_SIGMA_PT = 0.5  # smoothing (points): wider than JPEG and paper noise, narrower than a stroke's blur
FAINT_MIN_HEIGHT_PT = 3.0  # a character's patch is at least this tall ...
FAINT_MIN_WIDTH_PT = 1.5  # ... and this wide
FAINT_MAX_FILL = 0.85  # a patch filling more of its box than this is a smudge or shading edge, not a glyph


def faint_ink_box(grey: np.ndarray, px: float) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1, pixels within ``grey``) around the faint glyphs of one cell's inside, or None
    where nothing glyph-like is darker than its paper (a blank cell, however noisy)."""
    h, w = grey.shape
    if h < FAINT_MIN_HEIGHT_PT * px or w < FAINT_MIN_WIDTH_PT * px:
        return None
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), max(0.8, FAINT_SIGMA_PT * px))
    paper = float(np.median(smooth))
    spread = 1.4826 * float(np.median(np.abs(smooth - paper)))
    dark = (smooth < paper - max(FAINT_MIN_DROP, FAINT_NOISE_SIGMAS * spread)).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if bh < FAINT_MIN_HEIGHT_PT * px or bw < FAINT_MIN_WIDTH_PT * px or area > FAINT_MAX_FILL * bw * bh:
            continue
        if x == 0 or y == 0 or x + bw == w or y + bh == h:
            continue  # touches the cell's edge: a ruling's shadow or a neighbour's ink, not this cell's glyph
        boxes.append((x, y, x + bw, y + bh))
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
