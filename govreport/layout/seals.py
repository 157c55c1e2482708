"""Round seals found by their shape, where colour cannot find them.

In a black-and-white (1-bit) copy or a grey scan the red seal is as black as the text, so the colour test of
:func:`govreport.layout.raster.suppress_seal` misses it. Its ring still gives it away: an official seal is a
circle 38 to 45 mm across with a ring about a millimetre thick. Inside a table the ring's flanks and the
strokes of its text pass for short column rulings; knowing where the seal is lets the grid finder leave them
out, and cut the small merges it made (:func:`govreport.layout.textsplit.cut_under_seals`).

    ink -> (downscaled, blurred) Hough circles of a seal's size -> ring drawn round most of its circumference

A seal scanned in grey is lighter than the text: :func:`grey_seal_view` lifts it off the digits for reading.
A black one (a 1-bit copy) cannot be lifted.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SEAL_DIAMETER_MM = (34.0, 50.0)  # round seals of offices: 38-45 mm, with room for a scan's scale
RING_COVER = 0.8  # share of the circumference along which the ring must show (a table's text: up to 0.65)
MAX_CANDIDATES = 8  # Hough circles looked at, most votes first
RING_BAND_MM = 0.3  # the ring shows within this distance of the fitted circle
WORK_DPI = 50.0  # circles are looked for at this resolution
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Ring:
    """A seal's circle in page pixels."""

    cx: float
    cy: float
    r: float

    def box(self) -> tuple[int, int, int, int]:
        return int(self.cx - self.r), int(self.cy - self.r), int(self.cx + self.r) + 1, int(self.cy + self.r) + 1

    def window(self, shape: tuple[int, ...], margin: int = 0) -> tuple[int, int, int, int]:
        """:meth:`box` grown by ``margin`` pixels and kept inside a page of ``shape``."""
        x0, y0, x1, y1 = self.box()
        h, w = shape[:2]
        return max(0, x0 - margin), max(0, y0 - margin), min(w, x1 + margin), min(h, y1 + margin)

    def holds(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (x - self.cx) ** 2 + (y - self.cy) ** 2 <= (self.r + margin) ** 2


COLOUR_SATURATION = 60  # HSV saturation of a coloured pixel
COLOUR_SHARE = 0.0005  # share of coloured pixels above which a page is in colour


def has_colour(img: np.ndarray) -> bool:
    """Whether a BGR page has coloured ink (a seal on it would be found by colour), not grey or black-and-white."""
    if img.ndim != 3:
        return False
    small = cv2.resize(img, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    sat = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1]
    return float(np.mean(sat >= COLOUR_SATURATION)) >= COLOUR_SHARE


def _covers(ink: np.ndarray, circles: np.ndarray, band: float, step_deg: int = 2) -> np.ndarray:
    """For each row (cx, cy, r) of ``circles``: the share of its circumference (sampled every ``step_deg``
    degrees) with ink within ``band`` of it."""
    h, w = ink.shape
    angles = np.radians(np.arange(0, 360, step_deg))
    offsets = np.arange(-band, band + 0.5, 1.0)
    cx, cy, r = (circles[:, i, None, None] for i in range(3))
    rad = r + offsets[None, None, :]
    xs = np.clip(np.round(cx + rad * np.cos(angles)[None, :, None]).astype(int), 0, w - 1)
    ys = np.clip(np.round(cy + rad * np.sin(angles)[None, :, None]).astype(int), 0, h - 1)
    return (ink[ys, xs] > 0).any(axis=2).mean(axis=1)


def refine(ink: np.ndarray, ring: Ring, reach: float, step: float, band: float) -> tuple[Ring, float]:
    """The circle within ``reach`` of ``ring`` (centre and radius, on a ``step`` lattice) whose narrow band
    ``band`` holds ink along most of its circumference, with that share."""
    d = np.arange(-reach, reach + step / 2, step)
    grid = np.array([[ring.cx + a, ring.cy + b, ring.r + c] for a in d for b in d for c in d])
    cover = _covers(ink, grid, band)
    best = int(np.argmax(cover))
    return Ring(*map(float, grid[best])), float(cover[best])


def find_seal_rings(ink: np.ndarray, dpi: float) -> list[Ring]:
    """Seal rings on a binarised page (255 = ink), in page pixels."""
    scale = min(1.0, WORK_DPI / dpi)
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    mm = dpi * scale / MM_PER_INCH  # work pixels per millimetre
    r_min, r_max = int(SEAL_DIAMETER_MM[0] / 2 * mm), int(SEAL_DIAMETER_MM[1] / 2 * mm) + 1
    blurred = cv2.GaussianBlur(small, (5, 5), 1.5)
    found = cv2.HoughCircles(blurred, cv2.HOUGH_GRADIENT, dp=1, minDist=2 * r_min, param1=100, param2=20,
                             minRadius=r_min, maxRadius=r_max)
    if found is None:
        return []
    band = RING_BAND_MM * dpi / MM_PER_INCH
    rings: list[Ring] = []
    for x, y, r in found[0][:MAX_CANDIDATES]:
        ring = Ring(float(x) / scale, float(y) / scale, float(r) / scale)
        if any(o.holds(ring.cx, ring.cy) for o in rings):
            continue
        # The Hough circle is good to a work pixel or two: look round it coarsely, then finely.
        ring, _ = refine(ink, ring, reach=1.0 / scale, step=0.5 / scale, band=band)
        ring, cover = refine(ink, ring, reach=0.25 / scale, step=max(1.0, 0.25 / scale), band=band)
        if cover >= RING_COVER:
            rings.append(ring)
    return rings


GREY_SEAL_CONTRAST = 60  # a grey seal's ring is at least this much lighter than the page's text (a 1-bit copy's is not)
GREY_SEAL_CUT = 0.75  # in the lifted view, grey lighter than this share of the ring's grey turns to paper
GREY_SEAL_MARGIN_MM = 1.5  # the lifted square reaches this far past the fitted circle (the ring's own width)


def _ring_grey(grey: np.ndarray, ink: np.ndarray, ring: Ring, band: float) -> float | None:
    """Median grey of the ink lying on the ring (within ``band`` of its circle)."""
    x0, y0, x1, y1 = ring.window(grey.shape)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    on = (np.abs(np.hypot(xx - ring.cx, yy - ring.cy) - ring.r) <= band) & (ink[y0:y1, x0:x1] > 0)
    return float(np.median(grey[y0:y1, x0:x1][on])) if on.any() else None


def grey_seal_view(image: np.ndarray, grey: np.ndarray, ink: np.ndarray, rings: list[Ring], dpi: float
                   ) -> np.ndarray | None:
    """A second view of a page for reading text under seals printed in grey (a colour seal scanned in grey):
    in each ring's box, grey clearly lighter than the text's ink is lifted to paper, so the seal's ring, star
    and lettering vanish and the digits under them stay. ``None`` where no ring is lighter than the text (a
    1-bit copy: the seal is as black as the digits and cannot be lifted)."""
    on = ink > 0
    if not on.any():
        return None
    text = float(np.median(grey[on]))
    band = RING_BAND_MM * dpi / MM_PER_INCH
    view: np.ndarray | None = None
    for ring in rings:
        seal = _ring_grey(grey, ink, ring, band)
        if seal is None or seal - text < GREY_SEAL_CONTRAST:
            continue
        if view is None:
            view = image.copy()
        x0, y0, x1, y1 = ring.window(grey.shape, int(GREY_SEAL_MARGIN_MM * dpi / MM_PER_INCH))
        levels = np.clip(255.0 * (np.arange(256) / (GREY_SEAL_CUT * seal)) ** 1.6, 0, 255).astype(np.uint8)
        lifted = cv2.LUT(grey[y0:y1, x0:x1], levels)
        view[y0:y1, x0:x1] = cv2.merge([lifted, lifted, lifted]) if view.ndim == 3 else lifted
    return view


RING_SHARE = 0.4  # a radius is on the ring where ink shows along this share of the circle
RING_REACH_MM = 2.0  # the ring's stroke is looked for this far either side of the found circle


def _fit_circle(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float] | None:
    """Least-squares circle (cx, cy, r) through points (an algebraic fit: x² + y² + Dx + Ey + F = 0)."""
    a = np.column_stack([xs, ys, np.ones_like(xs)])
    b = -(xs ** 2 + ys ** 2)
    (d, e, f), *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = -d / 2, -e / 2
    r2 = cx * cx + cy * cy - f
    return (float(cx), float(cy), float(np.sqrt(r2))) if r2 > 0 else None


def ring_band(ink: np.ndarray, ring: Ring, dpi: float) -> tuple[Ring, float, float]:
    """The ring's stroke: its centre line's circle, fitted to the ink near the found circle (which is good to
    a stroke's width only), and the radii (inner, outer) between which the stroke lies, where ink shows along
    most of that circle."""
    px_mm = dpi / MM_PER_INCH
    for reach_mm in (RING_REACH_MM, RING_REACH_MM / 2):
        reach = reach_mm * px_mm
        x0, y0, x1, y1 = ring.window(ink.shape, int(np.ceil(reach)) + 1)  # holds every pixel within reach
        ys, xs = np.nonzero(ink[y0:y1, x0:x1])
        xs, ys = xs.astype(np.float64) + x0, ys.astype(np.float64) + y0
        near = np.abs(np.hypot(xs - ring.cx, ys - ring.cy) - ring.r) <= reach
        fit = _fit_circle(xs[near], ys[near]) if near.sum() >= 20 else None
        if fit is None:
            break
        ring = Ring(*fit)
    reach_px = int(np.ceil(RING_REACH_MM * px_mm))
    radii = np.array([[ring.cx, ring.cy, ring.r + d] for d in range(-reach_px, reach_px + 1)])
    share = [float(v) for v in _covers(ink, radii, 0.0, step_deg=1)]
    peak = int(np.argmax(share))
    lo = hi = peak
    while lo > 0 and share[lo - 1] >= RING_SHARE:
        lo -= 1
    while hi < len(share) - 1 and share[hi + 1] >= RING_SHARE:
        hi += 1
    return ring, ring.r + (lo - reach_px) - 2.0, ring.r + (hi - reach_px) + 2.0


SEAL_DARKER = 30  # grey levels below a seal's own ink: text printed over the seal, kept when the seal is painted over


def darker_than_seals(grey: np.ndarray, ink: np.ndarray, rings: list[Ring], dpi: float) -> np.ndarray:
    """Where the page is clearly darker than the seals' own ink (255 = text over a seal): the digits of a grey
    copy are blacker than its seal, which is printed in the lighter grey its red became; in a 1-bit copy nothing is
    (the seal is as black as the text)."""
    band = RING_BAND_MM * dpi / MM_PER_INCH
    out = np.zeros(grey.shape, np.uint8)
    for ring in rings:
        level = _ring_grey(grey, ink, ring, band)
        if level is None:
            continue
        # the ring's stroke, re-fitted, may lie this far out
        x0, y0, x1, y1 = ring.window(grey.shape, int(np.ceil(RING_REACH_MM * dpi / MM_PER_INCH)))
        out[y0:y1, x0:x1] |= ((grey[y0:y1, x0:x1] < level - SEAL_DARKER) * 255).astype(np.uint8)
    return out


def black_seal_view(image: np.ndarray, ink: np.ndarray, rings: list[Ring], dpi: float,
                    keep: np.ndarray | None = None) -> np.ndarray:
    """A second view of a page for reading text under seals as dark as the text (a 1-bit or dark grey copy): the
    ring's stroke, whose circle is known, is painted over with paper, but for the pixels in ``keep`` (text darker
    than the seal, :func:`darker_than_seals`). Digits it crossed lose a sliver and mostly stay legible; the seal's
    lettering and star stay (see :func:`clear_crossing_strokes`)."""
    view = image.copy()
    for found in rings:
        ring, inner, outer = ring_band(ink, found, dpi)
        x0, y0, x1, y1 = ring.window(ink.shape, int(outer - ring.r) + 2)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        d = np.hypot(xx - ring.cx, yy - ring.cy)
        band = (d >= inner) & (d <= outer)
        if keep is not None:
            band &= keep[y0:y1, x0:x1] == 0
        view[y0:y1, x0:x1][band] = 255
    return view


def clear_crossing_strokes(view: np.ndarray, view_ink: np.ndarray, boxes: list[tuple[int, int, int, int]],
                           rings: list[Ring], keep: np.ndarray | None = None) -> None:
    """In each box (a table cell's inside, pixels), paint over the ink pieces inside a seal's ring that reach
    the box's edge, in place: a cell's own text keeps clear of its rulings, a seal's star and lettering run
    across them. Pieces outside every ring are left (a digit printed close to a ruling), and so are pieces mostly
    in ``keep`` (darker than the seal: text over it)."""
    for x0, y0, x1, y1 in boxes:
        sub = view_ink[y0:y1, x0:x1]
        if sub.size == 0 or not sub.any():
            continue
        n, labels, stats, _ = cv2.connectedComponentsWithStats((sub > 0).astype(np.uint8), connectivity=8)
        hh, ww = sub.shape
        for i in range(1, n):
            x, y, bw, bh = stats[i, :4]
            if not (x == 0 or y == 0 or x + bw >= ww or y + bh >= hh):
                continue
            piece = labels == i
            if keep is not None and (keep[y0:y1, x0:x1][piece] > 0).mean() > 0.5:
                continue
            ys, xs = np.nonzero(piece)
            if not any(np.any(r.holds(xs + x0, ys + y0)) for r in rings):
                continue
            sub[piece] = 0
            view[y0:y1, x0:x1][piece] = 255
