"""Page-image clean-up and ruling lines from pixels, for scans and photos.

    BGR page -> seal mask/suppression -> grey -> binarised ink -> deskew
             -> horizontal/vertical line masks (morphology) -> segments -> grid.find_grids

Each step is a small function on numpy arrays, so the chain can be inspected step by step
(``debug_lines`` draws what was found).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from govreport.layout.fragments import row_fragment_columns, spanned_row_columns
from govreport.layout.grid import Grid, GridOptions, LineProbe, Segment, find_grids
from govreport.layout.seals import Ring
from govreport.layout.textcolumns import columns_from_text
from govreport.layout.textrows import rows_from_text
from govreport.layout.textsplit import cut_under_seals, split_merged


@dataclass(frozen=True)
class SealResult:
    cleaned: np.ndarray  # BGR page with the seal's ink taken out (the page under the stamp, in grey)
    boxes: list[tuple[int, int, int, int]]  # x0, y0, x1, y1 of each seal found


def red_mask(img: np.ndarray) -> np.ndarray:
    """Pixels of red/pink stamp ink (both ends of the hue circle), as a 0/255 mask."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    lo = cv2.inRange(hsv, (0, 60, 70), (12, 255, 255))
    hi = cv2.inRange(hsv, (156, 60, 70), (180, 255, 255))
    return cv2.bitwise_or(lo, hi)


def suppress_seal(img: np.ndarray, min_area_frac: float = 0.002) -> SealResult:
    """Take red seal ink out so that black digits and faint grey rulings under it survive; record where
    seals were.

    A stamp darkens what lies under it by a per-channel factor (multiply blend: red barely, green and
    blue a lot), so a pixel's green/red ratio says how much seal covers it whatever lies below, and
    dividing the red channel by the seal's red factor gives back the page underneath. Stroke edges
    whose colour JPEG smeared away stay as faint remnants; the cell reader drops those
    (``ingest.scanned.cell_line_boxes``)."""
    mask = red_mask(img)
    if not mask.any():
        return SealResult(img, [])
    n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(mask, np.ones((9, 9), np.uint8)), 8)
    page_area = img.shape[0] * img.shape[1]
    boxes = [
        (int(x), int(y), int(x + w), int(y + h))
        for x, y, w, h, area in stats[1:n]
        if area >= min_area_frac * page_area and 0.5 < w / max(h, 1) < 2.0
    ]
    # A seal's star or centre text inside its ring is the same seal.
    boxes = [b for b in boxes if not any(o != b and o[0] <= b[0] and o[1] <= b[1] and b[2] <= o[2] and b[3] <= o[3]
                                         for o in boxes)]
    red = img[:, :, 2]
    sel = mask > 0
    cleaned = img.copy()
    # Every red pixel, seal or not (a red signature, a coloured heading): its red channel as grey.
    cleaned[sel] = cv2.merge([red, red, red])[sel]
    for ys, xs in _seal_regions(boxes, red.shape):
        cleaned[ys, xs] = _unstamp(img[ys, xs], mask[ys, xs])
    return SealResult(cleaned, boxes)


def _seal_regions(boxes: list[tuple[int, int, int, int]], shape: tuple[int, ...]) -> list[tuple[slice, slice]]:
    """(rows, columns) of each seal's box with a tenth of its size around it (its faint rim), inside the page."""
    h, w = shape[:2]
    out = []
    for x0, y0, x1, y1 in boxes:
        mx, my = (x1 - x0) // 10, (y1 - y0) // 10
        out.append((slice(max(0, y0 - my), min(h, y1 + my)), slice(max(0, x0 - mx), min(w, x1 + mx))))
    return out


SEAL_WHITE = 0.8  # text view under a seal: red-channel values above this share of the region's paper become paper


def seal_text_view(img: np.ndarray, boxes: list[tuple[int, int, int, int]], cleaned: np.ndarray | None = None
                   ) -> np.ndarray:
    """A second view of the page for reading text under seals: in each seal's region the red channel (red
    ink is bright there) with levels lifted relative to the region's own paper, so the seal's remnants (stroke
    edges whose colour JPEG smeared away look grey in :func:`suppress_seal`'s view) vanish and only dark ink
    (the digits) stays. Faint rulings vanish with them, so this view is for text only.

    Where ``cleaned`` (:func:`suppress_seal`'s page) is given, a region keeps it instead when the seal is fainter
    there against the text than in the lifted red channel: on a light, washed-out copy the seal's red channel is
    as dark as the text, and lifting takes the digits with it."""
    out = img.copy()
    red = img[:, :, 2]
    regions = _seal_regions(boxes, red.shape)
    text_ink = _text_ink(red, regions) if cleaned is not None else None
    mask = red_mask(img) > 0 if cleaned is not None else None
    grey = cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY) if cleaned is not None else None
    # the text's ink level in the red channel and in the cleaned page
    text_red = int(np.median(red[text_ink])) if text_ink is not None else 0
    text_grey = float(np.median(grey[text_ink])) if text_ink is not None and grey is not None else 0.0
    for ys, xs in regions:
        paper = float(np.percentile(red[ys, xs], 60))
        levels = np.clip(255.0 * (np.arange(256) / max(paper * SEAL_WHITE, 1.0)) ** 1.6, 0, 255).astype(np.uint8)
        lifted = cv2.LUT(red[ys, xs], levels)
        stretch = stretch_levels(lifted)
        lifted = cv2.LUT(lifted, stretch)
        if grey is not None and mask is not None and text_ink is not None and mask[ys, xs].any():
            seal = mask[ys, xs]
            in_lifted = _seal_strength(lifted, seal, float(stretch[levels[text_red]]))
            in_cleaned = _seal_strength(grey[ys, xs], seal, text_grey)
            if in_cleaned < in_lifted:
                out[ys, xs] = cleaned[ys, xs]
                continue
        out[ys, xs] = cv2.merge([lifted, lifted, lifted])
    return out


def _seal_strength(region: np.ndarray, seal: np.ndarray, text: float) -> float:
    """How dark the seal's pixels are in a grey ``region``, as a share of the way from its paper to the text's
    ink (0: the seal is gone; 1: as dark as the text)."""
    paper = float(np.percentile(region, 60))
    if paper - text < 1.0:
        return 1.0
    return float(np.clip((paper - region[seal].astype(np.float32)) / (paper - text), 0.0, 1.0).mean())


def _text_ink(red: np.ndarray, regions: list[tuple[slice, slice]]) -> np.ndarray | None:
    """The page's ink outside the seals (the text), or None where there is none."""
    ink = binarize(red) > 0
    for ys, xs in regions:
        ink[ys, xs] = False
    return ink if ink.any() else None


INK_PERCENTILE = 1.0  # the darkest share (percent) of a lifted seal region taken as the ink's level ...
INK_TARGET = 40  # ... and brought down to this grey, paper staying white,
PALE_INK = 100  # ... where it is paler than this (a region whose ink is darker is left as it is)


def stretch_levels(region: np.ndarray) -> np.ndarray:
    """Grey levels (a look-up table) stretched so that the region's darkest ink is dark again: lifting a seal
    away also pales the thin digits under it (a 150 DPI copy of thin print), which the recogniser then reads as
    other digits."""
    identity = np.arange(256, dtype=np.uint8)
    ink = float(np.percentile(region, INK_PERCENTILE))
    if ink <= PALE_INK or ink >= 250:
        return identity
    scale = (255.0 - INK_TARGET) / (255.0 - ink)
    return np.clip(255.0 - (255.0 - np.arange(256)) * scale, 0, 255).astype(np.uint8)


def _unstamp(region: np.ndarray, red: np.ndarray) -> np.ndarray:
    """Grey page under a multiply-blended red stamp (``red``: the region's clearly red pixels)."""
    f = region.astype(np.float32)
    b, g, r = f[:, :, 0], f[:, :, 1], f[:, :, 2]
    gb = np.maximum(g, b)
    ratio = (gb + 8.0) / (r + 8.0)  # 1 on neutral ink and paper, low under seal ink
    plain = red == 0
    paper_ratio = float(np.median(ratio[plain])) if plain.any() else 1.0
    inked = red > 0
    seal_ratio = float(np.percentile(ratio[inked], 5)) if inked.any() else 0.3
    span = max(paper_ratio - seal_ratio, 0.05)
    cover = np.clip((paper_ratio - ratio) / span, 0.0, 1.0)  # 0 = no seal, 1 = full seal ink
    # Scanners and JPEG keep colour at a coarser resolution than brightness, so the ratio under-reads a
    # stroke's edges: widen and strengthen the cover a little.
    cover = np.clip(1.4 * cv2.dilate(cover, np.ones((5, 5), np.uint8)), 0.0, 1.0)
    # The seal's own red factor: full-cover pixels against the paper around them.
    full = cover > 0.85
    paper_r = float(np.percentile(r[plain], 60)) if plain.any() else 255.0
    seal_r = float(np.median(r[full])) if full.any() else paper_r
    factor_full = float(np.clip(seal_r / max(paper_r, 1.0), 0.5, 1.0))
    factor = 1.0 - cover * (1.0 - factor_full)
    grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY).astype(np.float32)
    under = np.clip(r / factor, 0, 255)
    # Blend by cover so the seal's soft rim does not leave a seam.
    out = (grey * (1.0 - cover) + under * cover).astype(np.uint8)
    return cv2.merge([out, out, out])


def binarize(grey: np.ndarray) -> np.ndarray:
    """Ink = 255 on a 0 background; adaptive so uneven light does not swallow a region."""
    block = max(15, (min(grey.shape) // 40) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def line_masks(ink: np.ndarray, dpi: float = 200.0, scale: int = 25, grey: np.ndarray | None = None,
               thin: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rulings by opening with long thin kernels; small gaps closed.

    Vertical kernels are ~17 pt: longer than the strokes of table text, so a ruled row shorter than
    that (a one-row fragment of a table cut by a page end) loses its verticals (:mod:`.fragments` finds them).
    With ``grey``, faint rulings the binariser breaks up are added (:func:`thin_line_response`, or ``thin``
    when the caller has it already)."""
    w = ink.shape[1]
    hk = max(20, w // scale)
    vk = max(15, int(17 * dpi / 72))
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    if grey is not None:
        # Faint rulings from the grey page must run longer: strokes of characters in neighbouring rows,
        # lined up, can pass the thin-line test over a row or two, never over a table's height.
        h_thin, v_thin = thin if thin is not None else thin_line_response(grey, dpi)
        # Noise drops pixels out of a faint line, and a line a little off level wanders a row: close
        # short gaps along a row line and let it wander one pixel before the long opening (not a column
        # line: strokes of characters stacked in a column would pass too).
        h_thin = cv2.morphologyEx(h_thin, cv2.MORPH_CLOSE, np.ones((1, 7), np.uint8))
        h_thin = cv2.dilate(h_thin, np.ones((3, 1), np.uint8))
        h_thin = cv2.morphologyEx(h_thin, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * hk, 1)))
        horiz = cv2.bitwise_or(horiz, h_thin)
        v_thin = cv2.morphologyEx(v_thin, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
        v_thin = cv2.morphologyEx(v_thin, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * vk)))
        vert = cv2.bitwise_or(vert, v_thin)
    # Faint or broken lines: bridge small gaps along the line direction.
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))
    return horiz, vert


def long_faint_columns(v_thin: np.ndarray, dpi: float) -> np.ndarray:
    """Very faint column lines that noise breaks up over a table's height (a thinned copy), as a mask.

    The thin-line response is let wander a pixel and closed over a few points, and kept only where it then
    runs far longer than a stack of characters (stacked column titles, a vertical row label) could. A column
    of zeros can still pass, so this mask is for finding grid boundaries only, never for taking rulings out
    of the text ink (that would erase the zeros). ``v_thin``: the vertical mask of :func:`thin_line_response`."""
    px = dpi / 72.0
    gap = max(3, round(THIN_COLUMN_GAP_PT * px))
    long_ = cv2.morphologyEx(cv2.dilate(v_thin, np.ones((1, 3), np.uint8)), cv2.MORPH_CLOSE,
                             np.ones((gap, 1), np.uint8))
    long_ = cv2.morphologyEx(long_, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, (1, round(THIN_COLUMN_LONG_PT * px))))
    return cv2.dilate(long_, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))


PROBE_PAPER_DROP = 25  # grey levels the sides of a probed line may fall below the paper
PROBE_STRAIGHT = 0.7  # share of a probed line's dark pixels that must sit within a pixel of one offset
PROBE_MIN_PT = 6.0  # the probe says nothing about stretches shorter than this
PROBE_SHADE_STEP = 15  # grey levels between a shaded cell and an unshaded one across a probed boundary
PROBE_CONTRAST = 8  # grey levels a grid gap's faint ruling must stand below the paper (averaged along it)
THIN_LINE_RUN_PT = 4.0  # smoothing along a line, in points
THIN_COLUMN_GAP_PT = 7.5  # gaps closed along a very faint column line
THIN_COLUMN_LONG_PT = 150.0  # ... kept where it then runs this long
THIN_LINE_CONTRAST = 7  # grey levels a smoothed thin line must stand below the paper on both sides


def thin_line_response(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixels of thin, faint rulings (horizontal, vertical masks, 255 = line).

    Darkness is averaged along the line direction (which keeps a line's contrast and smooths noise and
    breaks), then a pixel counts when it is darker than the pixels a little way off on *both* sides
    across the line: true of a thin ruling, not of text, which is dark over a whole row's height."""
    px = dpi / 72.0
    run = _along_run(px)
    dark = 255.0 - grey.astype(np.float32)
    horiz = _thin_line(dark, True, run, _across_reach(px)).astype(np.uint8) * 255
    vert = _thin_line(dark, False, run, _across_reach(px)).astype(np.uint8) * 255
    return horiz, vert


def _along_run(px: float) -> int:
    """Over how many pixels along a line its darkness is averaged (odd)."""
    return max(7, round(THIN_LINE_RUN_PT * px) | 1)


def _across_reach(px: float) -> int:
    """How far across a line the paper is looked for (pixels)."""
    return max(3, round(1.6 * px))


def _thin_line(dark: np.ndarray, horizontal: bool, run: int, k: int) -> np.ndarray:
    """Where darkness averaged over ``run`` pixels along the line stands ``THIN_LINE_CONTRAST`` above the
    darkness ``k`` pixels off on both sides across it (boolean)."""
    axis = 0 if horizontal else 1
    s = cv2.blur(dark, (run, 1) if horizontal else (1, run))
    return np.minimum(s - np.roll(s, k, axis=axis), s - np.roll(s, -k, axis=axis)) >= THIN_LINE_CONTRAST


def skew_angle(ink: np.ndarray, max_deg: float = 5.0) -> float:
    """Page skew in degrees (positive = counter-clockwise).

    From the long near-horizontal rulings when there are some: each long line blob gets a least-squares
    line, and their slopes are averaged weighted by length. Pages without rulings fall back to the
    sharpest text-row profile."""
    small = cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    small = (small > 60).astype(np.uint8) * 255
    w = small.shape[1]
    opened = cv2.morphologyEx(small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, w // 60), 1)))
    joined = cv2.dilate(opened, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, 8)
    max_rise = np.tan(np.radians(max_deg))
    angles: list[float] = []
    weights: list[float] = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if bw < w / 5 or bh > bw * max_rise + 8:
            continue
        ys, xs = np.nonzero((labels[y:y + bh, x:x + bw] == i) & (opened[y:y + bh, x:x + bw] > 0))
        if xs.size < 10:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append(float(-np.degrees(np.arctan(slope))))
        weights.append(float(bw))
    if angles:
        return float(np.average(angles, weights=weights))
    return _projection_skew(small, max_deg)


def _projection_skew(ink: np.ndarray, max_deg: float) -> float:
    """Skew of text lines by the sharpest row profile (pages without ruled tables): coarse, then fine."""
    small = cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    h, w = small.shape

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), a, 1.0)
        rot = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        return float(np.var(rot.sum(axis=1, dtype=np.float64)))

    coarse = max(np.arange(-max_deg, max_deg + 0.01, 0.5), key=lambda a: score(float(a)))
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=lambda a: score(float(a)))
    return -float(fine)


def rotate(img: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate about the centre by ``angle_deg`` (counter-clockwise positive), filling with white."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    border = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def segments_from_mask(mask: np.ndarray, horizontal: bool, min_len: int) -> list[Segment]:
    """One segment per connected line blob, along its long axis through its middle."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    out: list[Segment] = []
    for x, y, w, h, _ in stats[1:n]:
        if horizontal and w >= min_len and h <= max(12, w // 10):
            out.append(Segment(float(x), y + h / 2, float(x + w), y + h / 2))
        elif not horizontal and h >= min_len and w <= max(12, h // 10):
            out.append(Segment(x + w / 2, float(y), x + w / 2, float(y + h)))
    return out


def faint_line_probe(grey: np.ndarray, dpi: float) -> LineProbe:
    """A :data:`LineProbe` on the grey page: a stretch is a ruling when, along most of it, a thin band
    around the expected line is darker than the paper just above and below (left and right) it.

    The binariser and the line filter miss thin, faded or broken rulings; this looks again, with a
    weaker but line-shaped test, only where a grid boundary is already known to run."""
    px = dpi / 72.0
    reach = max(2, round(1.2 * px))  # the line may sit this far off the boundary (residual skew)
    side = max(4, round(2.5 * px))  # paper is looked for this far from the line
    smooth = max(7, round(4 * px))  # contrast averaged over this run along the line
    h, w = grey.shape

    def probe(at: float, lo: float, hi: float, horizontal: bool) -> bool:
        a, b = int(lo + 2 * px), int(hi - 2 * px)  # keep off the crossing lines at the ends
        if b - a < PROBE_MIN_PT * px:  # over a few points a character's stroke looks like a ruling
            return False
        p = round(at)
        if horizontal:
            if p - reach - side - 1 < 0 or p + reach + side + 2 > h:
                return False
            band = grey[p - reach - side - 1: p + reach + side + 2, max(a, 0): min(b, w)].astype(np.int16)
        else:
            if p - reach - side - 1 < 0 or p + reach + side + 2 > w:
                return False
            band = grey[max(a, 0): min(b, h), p - reach - side - 1: p + reach + side + 2].T.astype(np.int16)
        mid = reach + side + 1
        window = band[mid - reach: mid + reach + 1]
        above, below = band[: mid - reach - side // 2], band[mid + reach + side // 2 + 1:]
        before, after = np.median(above, axis=0), np.median(below, axis=0)
        if _shading_edge(above, below, before, after):
            return True
        contrast = np.minimum(before, after) - window.min(axis=0)
        # A ruling runs between paper (a cell's padding): with text close on either side, what looks like a
        # line is a character's stroke.
        paper = float(np.percentile(band, 95))
        if min(float(np.median(before)), float(np.median(after))) < paper - PROBE_PAPER_DROP:
            return False
        # A ruling is straight: where it shows, its darkest pixel keeps one offset across the line. The
        # strokes of a character met on the way sit at any offset.
        dark = contrast >= PROBE_CONTRAST
        if dark.sum() < 3:
            return False
        offsets = window.argmin(axis=0)[dark]
        if float(np.mean(np.abs(offsets - np.median(offsets)) <= 1)) < PROBE_STRAIGHT:
            return False
        # Averaged along the line, so that a dotted line (a 1-bit or thinned copy) counts as a line.
        run = min(contrast.size, smooth)
        smoothed = np.convolve(contrast, np.ones(run) / run, mode="same")
        return float(np.mean(smoothed >= PROBE_CONTRAST)) >= 0.8

    return probe


def _shading_edge(above: np.ndarray, below: np.ndarray, before: np.ndarray, after: np.ndarray) -> bool:
    """A shaded cell against an unshaded one: a step in brightness along the whole stretch (``before``, ``after``:
    the medians of the bands ``above`` and ``below`` the line), each side flat (no text close by). The ruling
    between them may be lost in the shade; the shading's edge is the cell's."""
    step = after - before
    if float(np.mean(np.abs(step) >= PROBE_SHADE_STEP)) < 0.8 or abs(float(np.mean(np.sign(step)))) < 0.9:
        return False
    return all(float(np.percentile(part, 5)) >= float(np.median(part)) - PROBE_PAPER_DROP for part in (above, below))


# Boundaries closer than this are one: no row or column of the standard tables is narrower (about 12 pt),
# while a blurred line's flank or a JPEG block edge beside a border can pass for a second line a few points off.
RASTER_MIN_CELL_PT = 8.0
SEAL_MARGIN_PT = 3.0  # a line piece ending this close outside a seal's box is still the seal's


def _grow(box: tuple[int, int, int, int], by: float) -> tuple[float, float, float, float]:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _inside(s: Segment, box: tuple[float, float, float, float]) -> bool:
    """Whether the whole segment lies in the box (a ring's flank runs on past the circle as a tangent)."""
    x0, y0, x1, y1 = box
    return x0 <= min(s.x0, s.x1) and max(s.x0, s.x1) <= x1 and y0 <= min(s.y0, s.y1) and max(s.y0, s.y1) <= y1


def without_rulings(ink: np.ndarray, horiz: np.ndarray, vert: np.ndarray) -> np.ndarray:
    """The page's ink with the ruling masks (a pixel wider) taken out: the text."""
    lines = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    return cv2.bitwise_and(ink, cv2.bitwise_not(lines))


def find_raster_grids(ink: np.ndarray, dpi: float, masks: tuple[np.ndarray, np.ndarray] | None = None,
                      grey: np.ndarray | None = None, text_ink: np.ndarray | None = None,
                      seals: Sequence[Ring] = (), v_thin: np.ndarray | None = None) -> list[Grid]:
    """Ruled tables on a binarised page: line masks -> segments -> grids (in pixels). With ``grey``,
    rulings the masks missed inside each grid are looked for again (:func:`missing_rulings`, and very faint
    column lines, :func:`long_faint_columns`), and grid slots that no found line separates are looked at
    again for faint rulings. ``text_ink`` (the ink without the rulings, :func:`without_rulings`) is derived
    when not given, and so is ``v_thin`` (the vertical mask of :func:`thin_line_response`). Line pieces
    wholly inside a seal's ring (``seals``: its flanks, its text's strokes) are left out."""
    horiz, vert = masks if masks is not None else line_masks(ink, dpi)
    px = dpi / 72.0
    min_len = int(12 * px)
    segs = segments_from_mask(horiz, True, min_len) + segments_from_mask(vert, False, min_len)
    seal_boxes = [_grow(r.box(), SEAL_MARGIN_PT * px) for r in seals]
    segs = [s for s in segs if not any(_inside(s, b) for b in seal_boxes)]
    opts = GridOptions(snap=3.0 * px, join=6.0 * px, min_length=6.0 * px, min_cell=RASTER_MIN_CELL_PT * px,
                       min_crossings=2, short_slot=12.0 * px, weigh_lines=True)
    if grey is None:
        return find_grids(segs, opts)
    probe = faint_line_probe(grey, dpi)
    grids = find_grids(segs, opts, probe)
    text_ink = without_rulings(ink, horiz, vert) if text_ink is None else text_ink
    extra = [seg for g in grids for seg in missing_rulings(g, grey, dpi, probe)]
    v_thin = thin_line_response(grey, dpi)[1] if v_thin is None else v_thin
    extra += new_columns(grids, segments_from_mask(long_faint_columns(v_thin, dpi), False, min_len), opts.min_cell,
                         text_ink, dpi)
    if extra:
        segs = segs + extra
        grids = find_grids(segs, opts, probe)
    # Rows and columns no ruling shows at all: from where the text breaks.
    by_text = [seg for g in grids for seg in rows_from_text(g, text_ink, dpi)]
    by_text += [seg for g in grids for seg in columns_from_text(g, text_ink, dpi, opts.min_cell)]
    # A lone ruled row (a table's last row on the next page) too short for the column-line filter.
    fragment = row_fragment_columns(ink, [s for s in segs if s.horizontal], grids, dpi, v_thin)
    # A column line one row tall inside a grid: paper on both sides, where a character's stroke has its others.
    fragment += [s for s in spanned_row_columns(ink, grids, dpi, opts.min_cell)
                 if not any(_inside(s, b) for b in seal_boxes)
                 and _text_beside(text_ink, s, dpi) <= NEW_COLUMN_TEXT_SHARE]
    # The first boundaries from the text meet the lines as any ruling must; those found again in a grid they
    # helped build (a lost bottom ruling leaves its new last row no column line to meet) are kept as they are.
    inferred: list[Segment] = []
    segs, found = segs + by_text + fragment, by_text + fragment
    for round_ in range(TEXT_CUT_ROUNDS):
        if not found:
            break
        if round_:
            inferred += found
        grids = find_grids(segs, opts, probe, inferred)
        # Rows the text gave can show columns it did not before (a header band cut into its rows of stacked
        # titles), a column rows, and a new row a table's last row that its lost bottom ruling had left outside:
        # looked at again (each cut is new: it lies inside a slot, clear of its edges).
        found = [] if round_ + 1 == TEXT_CUT_ROUNDS else (
            [seg for g in grids for seg in rows_from_text(g, text_ink, dpi)]
            + [seg for g in grids for seg in columns_from_text(g, text_ink, dpi, opts.min_cell)])
    return [cut_under_seals(split_merged(g, text_ink, dpi), seal_boxes, text_ink, dpi) for g in grids]


TEXT_CUT_ROUNDS = 3  # rows and columns from the text are looked for this many times at most

NEW_COLUMN_TEXT_SHARE = 0.15  # share of a candidate column line's length that may have text right beside it
NEW_COLUMN_PADDING_PT = 3.0  # ... within this distance


def new_columns(grids: list[Grid], candidates: list[Segment], min_gap: float, text_ink: np.ndarray, dpi: float
                ) -> list[Segment]:
    """Of candidate column lines, those inside a grid, at least ``min_gap`` from all its boundaries and with
    paper on both sides (a cell's padding): they may add a column a faint line separates, never move a boundary
    a found line put, nor run through a column of digits (the strokes of stacked zeros)."""
    out = []
    for seg in candidates:
        if _text_beside(text_ink, seg, dpi) > NEW_COLUMN_TEXT_SHARE:
            continue
        for g in grids:
            x0, y0, x1, y1 = g.bbox
            overlap = min(seg.y1, y1) - max(seg.y0, y0)
            inside = x0 + min_gap < seg.x0 < x1 - min_gap and overlap > 0.5 * (seg.y1 - seg.y0)
            if inside and all(abs(seg.x0 - x) >= min_gap for x in g.xs):
                out.append(seg)
                break
    return out


def _text_beside(text_ink: np.ndarray, seg: Segment, dpi: float) -> float:
    """Share of a vertical segment's rows with text ink within a few points of it (the line's own pixels
    and a pixel either side left out)."""
    px = dpi / 72.0
    x = round(seg.x0)
    pad = max(3, round(NEW_COLUMN_PADDING_PT * px))
    h, w = text_ink.shape
    y0, y1 = max(0, int(seg.y0)), min(h, int(seg.y1))
    if y1 <= y0:
        return 0.0
    left = text_ink[y0:y1, max(0, x - pad): max(0, x - 2)]
    right = text_ink[y0:y1, min(w, x + 3): min(w, x + pad + 1)]
    rows = np.zeros(y1 - y0, bool)
    for side in (left, right):
        if side.size:
            rows |= side.max(axis=1) > 0
    return float(rows.mean())


RULING_ROW_SHARE = 0.35  # share of a grid's width a dotted or faint row ruling must show along
RULING_CONFIRMED_SHARE = 0.5  # share of the grid's width over which the probe must confirm it


def missing_rulings(grid: Grid, grey: np.ndarray, dpi: float, probe: LineProbe) -> list[Segment]:
    """Row rulings inside a grid that the line masks missed (dotted lines of a 1-bit or thinned copy, very
    faint ones): rows of the grid where a thin dark line shows along a fair share of its width, at least a
    cell away from the known boundaries, kept for every grid slot where the probe confirms it; the column
    lines are then bridged over the rows where the probe sees them."""
    px = dpi / 72.0
    k = _across_reach(px)
    run = max(7, round(10 * px) | 1)
    x0, y0, x1, y1 = (int(v) for v in grid.bbox)
    h, w = grey.shape
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 4 * k or y1 - y0 < 4 * k:
        return []
    dark = 255.0 - grey[max(0, y0 - k): min(h, y1 + k), max(0, x0 - k): min(w, x1 + k)].astype(np.float32)
    oy, ox = y0 - max(0, y0 - k), x0 - max(0, x0 - k)
    min_gap = 5.0 * px
    # Rows only: column lines run the whole table, so some piece of them is found, and the numbering of
    # row labels ("1." "2." ... lined up row after row) or vertical text would pass this test as columns.
    resp = _thin_line(dark, True, run, k)[oy: oy + (y1 - y0), ox: ox + (x1 - x0)]
    share = resp.mean(axis=1)  # per pixel row of the grid
    share = np.maximum(share, np.maximum(np.roll(share, 1), np.roll(share, -1)))
    taken: list[float] = list(grid.ys)
    out: list[Segment] = []
    for i in np.argsort(-share):
        if share[i] < RULING_ROW_SHARE:
            break
        at = float(y0 + i)
        if any(abs(at - t) < min_gap for t in taken):
            continue
        confirmed = [(a, b) for a, b in pairwise(grid.xs) if probe(at, a, b, True)]
        # Most of the width: the strokes along a label's baseline can pass in one cell, never across the
        # value columns too.
        if sum(b - a for a, b in confirmed) < RULING_CONFIRMED_SHARE * (grid.xs[-1] - grid.xs[0]):
            continue
        taken.append(at)
        out += [Segment(a, at, b, at) for a, b in confirmed]
    if out:
        # The column lines of such a copy are dotted too and come in pieces: bridge them over the rows,
        # old and new, where the probe sees them (else the new rows touch too few columns to be kept).
        ys = sorted({*grid.ys, *(seg.y0 for seg in out)})
        out += [Segment(x, a, x, b) for x in grid.xs for a, b in pairwise(ys) if probe(x, a, b, False)]
    return out


def debug_lines(img: np.ndarray, grids: list[Grid]) -> np.ndarray:
    """The page with found cells drawn over it: green boxes, blue row/column boundaries."""
    out = img.copy() if img.ndim == 3 else cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    for g in grids:
        for c in g.cells:
            cv2.rectangle(out, (int(c.x0), int(c.y0)), (int(c.x1), int(c.y1)), (0, 160, 0), 2)
    return out
