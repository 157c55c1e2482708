"""Scanned pages -> the intermediate representation.

    page image -> orientation -> seal suppression -> deskew -> ruled grids
               -> text lines inside each cell -> one batched recognition over all pages
               -> (numeric cells) numeric decoding with alternatives -> Tables
               -> page text outside the tables (narrative) -> TextBlocks

Boxes are converted to PDF points (1/72 inch) so that every input path speaks the same units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from govreport.ingest.images import PageImage
from govreport.ir import BBox, Cell, Page, Table, TextAlternative, TextBlock, TextSource, Word
from govreport.layout.crosspage import is_page_furniture
from govreport.layout.faint import faint_ink_box
from govreport.layout.grid import Grid, GridCell
from govreport.layout.orientation import page_rotation, upright
from govreport.layout.raster import (
    binarize,
    find_raster_grids,
    line_masks,
    rotate,
    seal_text_view,
    skew_angle,
    suppress_seal,
    thin_line_response,
    without_rulings,
)
from govreport.layout.seals import (
    Ring,
    black_seal_view,
    clear_crossing_strokes,
    darker_than_seals,
    find_seal_rings,
    grey_seal_view,
    has_colour,
)
from govreport.layout.textlines import find_text_lines, runs, split_band
from govreport.ocr.base import Alternative, LineReading, LineRecognizer, PageLine, PageReader
from govreport.ocr.order import reading_order

_NUMBER_CHARS = frozenset("0123456789０１２３４５６７８９+-—–/.,，。%元万()（）")
_DIGIT_LOOKALIKES = frozenset("OoQD〇lI|iSsBZzGgbq")


NARRATIVE_MODES = ("full", "metadata", "none")
LINE_FINDERS = ("ink", "model")
MIN_NARRATIVE_SCORE = 0.5  # running-text lines read with less confidence are dropped (seal remnants, dust)


@dataclass(frozen=True)
class ScanOptions:
    render_dpi: int = 200
    orientation: bool = True
    deskew: bool = True
    suppress_seals: bool = True
    # Text outside the tables: "full" (title, agency, year and every section's text), "metadata" (the
    # first page only: title, agency, year), "none".
    narrative: str = "full"
    # How running-text lines are found: "ink" (projection of the page's ink: milliseconds, fine for
    # single-column reports) or "model" (the OCR engine's own text detector: about a second a page on a CPU).
    line_finder: str = "ink"
    min_skew_deg: float = 0.15  # smaller skews are left alone

    def __post_init__(self) -> None:
        if self.line_finder not in LINE_FINDERS:
            raise ValueError(f"line_finder must be one of {', '.join(LINE_FINDERS)}, not {self.line_finder!r}")
        if self.narrative not in NARRATIVE_MODES:
            raise ValueError(f"narrative must be one of {', '.join(NARRATIVE_MODES)}, not {self.narrative!r}")
        if not 72 <= self.render_dpi <= 600:
            raise ValueError("render_dpi must be between 72 and 600")


@dataclass
class PreparedPage:
    number: int
    image: np.ndarray  # upright, deskewed, seals suppressed (BGR)
    grey: np.ndarray
    text_ink: np.ndarray  # ink without the ruling lines (255 = ink)
    dpi: float
    rotation: int
    skew: float
    seals: list[tuple[int, int, int, int]]
    grids: list[Grid] = field(default_factory=list)
    # Where there are seals: a second view (image, text ink) for reading the cells under them, with the seal's
    # remnants lifted away (``raster.seal_text_view``).
    seal_view: tuple[np.ndarray, np.ndarray] | None = None
    # Seals found by their ring on a page without colour (a grey or black-and-white copy): lifted off the text
    # in ``seal_view`` where printed in grey, not removable where black; either way their
    # strokes are kept out of the grid and the cells under them are marked.
    dark_seals: list[Ring] = field(default_factory=list)
    # Whether those seals are too dark to lift (black, or a grey close to the text's: ``seal_view`` then only has
    # their rings painted over, ``seals.black_seal_view``), so that short readings under them need confidence.
    black_seals: bool = False

    @property
    def seal_boxes(self) -> list[tuple[int, int, int, int]]:
        """Boxes of every seal on the page: red ones and those found by their ring."""
        return self.seals + [r.box() for r in self.dark_seals]

    @property
    def px(self) -> float:
        """Pixels per PDF point."""
        return self.dpi / 72.0


def prepare_page(page: PageImage, opts: ScanOptions) -> PreparedPage:
    img = page.image
    rotation = page_rotation(img) if opts.orientation else 0
    img = upright(img, rotation)
    seals: list[tuple[int, int, int, int]] = []
    seal_img: np.ndarray | None = None
    if opts.suppress_seals:
        res = suppress_seal(img)
        if res.boxes:
            seal_img = seal_text_view(img, res.boxes, res.cleaned)
        img, seals = res.cleaned, res.boxes
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    ink = binarize(grey)
    skew = 0.0
    if opts.deskew:
        skew = skew_angle(ink)
        if abs(skew) >= opts.min_skew_deg:
            img = rotate(img, -skew)
            grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
            ink = binarize(grey)
            seals = _rotate_boxes(seals, -skew, img.shape)
            seal_img = rotate(seal_img, -skew) if seal_img is not None else None
    # The grey page lets faint rulings the binariser breaks up be found (and grid gaps be looked at again).
    thin = thin_line_response(grey, page.dpi)
    horiz, vert = line_masks(ink, page.dpi, grey=grey, thin=thin)
    text_ink = without_rulings(ink, horiz, vert)
    # A seal with its colour lost (a black-and-white copy) is as black as the text: found by its ring instead.
    rings = find_seal_rings(ink, page.dpi) if opts.suppress_seals and not seals and not has_colour(img) else []
    grids = find_raster_grids(ink, page.dpi, (horiz, vert), grey, text_ink, rings, thin[1])
    seal_view = None
    black = False
    keep: np.ndarray | None = None
    if rings:
        seal_img = grey_seal_view(img, grey, ink, rings, page.dpi)
        if seal_img is None:
            keep = darker_than_seals(grey, ink, rings, page.dpi)
            seal_img, black = black_seal_view(img, ink, rings, page.dpi, keep), True
    if seal_img is not None:
        seal_view = (seal_img, without_rulings(binarize(cv2.cvtColor(seal_img, cv2.COLOR_BGR2GRAY)), horiz, vert))
        if rings:
            ring_boxes = [r.box() for r in rings]
            boxes = [_cell_inside(page.dpi / 72.0, c.x0, c.y0, c.x1, c.y1)
                     for g in grids for c in g.cells if _overlaps((c.x0, c.y0, c.x1, c.y1), ring_boxes)]
            clear_crossing_strokes(seal_view[0], seal_view[1], boxes, rings, keep)
    return PreparedPage(page.number, img, grey, text_ink, page.dpi, rotation, skew, seals, grids, seal_view, rings,
                        black)


def _rotate_boxes(boxes: list[tuple[int, int, int, int]], angle: float, shape: tuple[int, ...]
                  ) -> list[tuple[int, int, int, int]]:
    if not boxes:
        return boxes
    h, w = shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = []
    for x0, y0, x1, y1 in boxes:
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64) @ m.T
        out.append((int(pts[:, 0].min()), int(pts[:, 1].min()), int(pts[:, 0].max()), int(pts[:, 1].max())))
    return out


# --- text lines inside a cell -----------------------------------------------------------------


def _cell_inside(px: float, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """A cell's inside (pixels): its box inset from its borders, clear of the rulings and their blur, at ``px``
    pixels a point."""
    inset = max(2, round(1.5 * px))
    return int(x0) + inset, int(y0) + inset, int(x1) - inset, int(y1) - inset


def cell_line_boxes(page: PreparedPage, x0: float, y0: float, x1: float, y1: float,
                    text_ink: np.ndarray | None = None) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the text lines inside one cell (inset from its borders), top to bottom."""
    X0, Y0, X1, Y1 = _cell_inside(page.px, x0, y0, x1, y1)
    if X1 - X0 < 3 or Y1 - Y0 < 3:
        return []
    page_ink = page.text_ink if text_ink is None else text_ink
    ink = page_ink[Y0:Y1, X0:X1]
    min_char = max(3, int(3.0 * page.px))  # ink blobs smaller than ~3 pt tall are specks
    rows = (ink > 0).sum(axis=1)
    rows[rows < 2] = 0
    boxes = []
    for a, b in runs(rows, min_gap=max(1, int(1.2 * page.px))):
        raw = ink[a:b]
        band = _without_specks(raw, page.px)
        if band is not raw:
            # (where specks were left out, the line's height too is taken without them: paper noise above a number
            # had made its band two lines tall, and it was split and read twice, 195 as 105 over 195)
            inked = np.flatnonzero((band > 0).any(axis=1))
            a, b, band = a + int(inked[0]), a + int(inked[-1]) + 1, band[inked[0]:inked[-1] + 1]
        cols = (band > 0).sum(axis=0)
        cruns = runs(cols, min_gap=max(4, int(8 * page.px)))
        if not cruns:
            continue
        c0, c1 = cruns[0][0], cruns[-1][1]
        if (b - a) < min_char and int((band > 0).sum()) < min_char * min_char:
            continue
        boxes.append((X0 + c0, Y0 + a, X0 + c1, Y0 + b))
    if len(boxes) > 1 and _overlaps((x0, y0, x1, y1), page.seal_boxes):
        # Under a seal, the stamp's remnants (stroke edges whose colour JPEG smeared away) make faint
        # extra "lines": keep the lines with a fair share of the cell's ink.
        weights = [int((page_ink[b1:b3, b0:b2] > 0).sum()) for b0, b1, b2, b3 in boxes]
        boxes = [b for b, wt in zip(boxes, weights, strict=True) if wt >= SEAL_REMNANT_SHARE * max(weights)]
    return boxes


def _without_specks(ink: np.ndarray, px: float) -> np.ndarray:
    """A text line's ink without its specks (little ink, lower than any character or dash is long, apart from the
    rest), where it has other ink: a faint copy's paper noise beside a digit widens the line's box, and the
    recogniser reads the speck as a digit of its own (a lone 0 read as 20). ``ink`` itself where nothing is left out."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), connectivity=8)
    if n <= 2:
        return ink
    small = {k for k in range(1, n)
             if stats[k][4] < SPECK_MAX_INK_PT2 * px * px and stats[k][3] < SPECK_MAX_HEIGHT_PT * px}
    if not small or len(small) == n - 1:
        return ink
    # (a small blob close beside the text is a piece of a faint character: kept)
    text = [(int(stats[k][0]), int(stats[k][0] + stats[k][2])) for k in range(1, n) if k not in small]
    specks = [k for k in small if all(stats[k][0] - x1 >= SPECK_APART_PT * px or x0 - (stats[k][0] + stats[k][2])
                                      >= SPECK_APART_PT * px for x0, x1 in text)]
    if not specks:
        return ink
    return np.where(np.isin(labels, specks), 0, ink).astype(ink.dtype)


def faint_cell_boxes(page: PreparedPage, cell: GridCell) -> list[tuple[int, int, int, int]]:
    """The box of a cell's faint print (too pale for the page's binariser), as its one text line; [] for a
    blank cell."""
    x0, y0, x1, y1 = _cell_inside(page.px, cell.x0, cell.y0, cell.x1, cell.y1)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    box = faint_ink_box(page.grey[y0:y1, x0:x1], page.px)
    return [] if box is None else [(x0 + box[0], y0 + box[1], x0 + box[2], y0 + box[3])]


MIN_TEXT_PT = 5.0  # text lines are at least this tall (a dash, a dot or a speck is lower)
SPECK_MAX_INK_PT2 = 1.5  # a blob of a line's ink with less ink than this (square points) ...
SPECK_MAX_HEIGHT_PT = 2.0  # ... and lower than this is a speck ...
SPECK_APART_PT = 3.0  # ... where it lies at least this far left or right of the line's other ink
FAINT_MAX_CONFIDENCE = 0.5  # the most confidence a reading of faint print (found by the faint look) is given
FRAGMENT_GROWTH = 1.3  # a faint glyph's box this much taller than the binarised fragment it holds replaces it
PALE_LINE_PIXELS_PT2 = 3.0  # a line's darkness: the mean of its darkest pixels, this many square points of them
PALE_LINE_SHARE = 0.65  # a cell's line paler than this share of its print's darkness is dropped (_without_pale_lines)
PALE_LINE_MIN_DEPTH = 120.0  # ... where the cell's darkest line lies at least this many grey levels below the paper
SEAL_REMNANT_SHARE = 0.3  # under a seal, a text line with less ink than this share of the cell's inkiest is dropped


def _whole_faint_glyph(page: PreparedPage, cell: GridCell, boxes: list[tuple[int, int, int, int]]
                       ) -> list[tuple[int, int, int, int]]:
    """A cell's line boxes, or its faint print's box where the binariser kept none of it or only a fragment: one
    box lower than a line of text that the faint glyph's box holds and is clearly taller than (a thinned 0 whose
    one side survived reads as a blank or a comma). ``boxes`` itself where they are kept."""
    if len(boxes) > 1 or (boxes and boxes[0][3] - boxes[0][1] >= MIN_TEXT_PT * page.px):
        return boxes
    faint = faint_cell_boxes(page, cell)
    if not boxes or not faint:
        return boxes or faint
    (x0, y0, x1, y1), (f0, g0, f1, g1) = boxes[0], faint[0]
    inside = f0 <= x0 + 1 and g0 <= y0 + 1 and x1 <= f1 + 1 and y1 <= g1 + 1
    return faint if inside and g1 - g0 >= FRAGMENT_GROWTH * (y1 - y0) else boxes


def _grey_of(image: np.ndarray, cache: dict[int, np.ndarray]) -> np.ndarray:
    """``image`` in grey, converted once per image (``cache`` keyed by its identity)."""
    if id(image) not in cache:
        cache[id(image)] = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return cache[id(image)]


def _line_depths(grey: np.ndarray, boxes: list[tuple[int, int, int, int]], inside: tuple[int, int, int, int],
                 px: float) -> list[float]:
    """How far below the cell's paper (the median grey of its inside) each text line's darkest ink lies: the mean of
    its darkest PALE_LINE_PIXELS_PT2 square points of pixels, so that a single dark speck does not count."""
    X0, Y0, X1, Y1 = inside
    if X1 <= X0 or Y1 <= Y0:
        return [0.0] * len(boxes)
    paper = float(np.median(grey[Y0:Y1, X0:X1]))
    k = max(4, int(PALE_LINE_PIXELS_PT2 * px * px))
    depths = []
    for x0, y0, x1, y1 in boxes:
        pixels = grey[y0:y1, x0:x1].ravel()
        depths.append(paper - float(np.partition(pixels, k - 1)[:k].mean()) if pixels.size >= k else 0.0)
    return depths


def _without_pale_lines(boxes: list[tuple[int, int, int, int]], depths: list[float],
                        page_depth: float) -> list[tuple[int, int, int, int]]:
    """A cell's text lines without those clearly paler than the page's print: print is black, while a seal's
    strokes that stay on the page (a grey copy's seal, found or not; a red one's remnants) are a mid grey, and
    their star or ring beside a number reads as digits of its own (``6`` over ``0``). ``depths`` are the lines'
    (_line_depths), ``page_depth`` the median of all the page's lines. A line is dropped where its depth is under
    PALE_LINE_SHARE of the lesser of the cell's deepest line and the page's median: a bold header merged with a
    faint value by a lost ruling is deeper than the page's print, and the value is not paler than that print.
    Nothing is dropped where the cell's deepest line is no clear print (under PALE_LINE_MIN_DEPTH: a faint copy).
    ``boxes`` itself where none is left out."""
    deepest = max(depths)
    if deepest < PALE_LINE_MIN_DEPTH:
        return boxes
    bar = PALE_LINE_SHARE * min(deepest, page_depth)
    kept = [b for b, d in zip(boxes, depths, strict=True) if d >= bar]
    return boxes if len(kept) == len(boxes) else kept


def split_tall_line(page: PreparedPage, box: tuple[int, int, int, int], line_h: float,
                    text_ink: np.ndarray | None = None) -> list[tuple[int, int, int, int]]:
    """Split a band holding several tightly spaced lines (its height a multiple of the page's usual
    line height) at the emptiest rows near where the line breaks should be."""
    x0, y0, x1, y1 = box
    ink = page.text_ink if text_ink is None else text_ink
    parts = split_band(ink[y0:y1, x0:x1], 0, y1 - y0, line_h)
    return [(x0, y0 + a, x1, y0 + b) for a, b in parts]


def _crop(page: PreparedPage, box: tuple[int, int, int, int], min_h: float = 0.0,
          image: np.ndarray | None = None) -> np.ndarray:
    """The line's pixels with a margin. A flat mark (a dash, a lone ``_``) is given the page's usual line
    height around it: scaled to the recogniser's input height on its own, a dash becomes a fat bar that
    reads as ``1``."""
    x0, y0, x1, y1 = box
    pad = max(2, int(0.25 * (y1 - y0)))
    h, w = page.grey.shape
    extra = max(0, int((min_h - (y1 - y0)) / 2)) if (y1 - y0) < 0.6 * min_h else 0
    src = page.image if image is None else image
    sub = src[max(0, y0 - pad - extra): min(h, y1 + pad + extra), max(0, x0 - pad): min(w, x1 + pad)]
    return np.ascontiguousarray(sub)


FAINT_LINE_CONTRAST = 120.0  # a line crop whose darkest ink lies less than this under its paper is read stretched too
FAINT_LINE_MIN_CONTRAST = 10.0  # ... unless it is no darker than the paper's noise
FAINT_LINE_DARK_PERCENTILE = 1.0  # a crop's darkest ink: this percentile of its grey


def _stretched(crop: np.ndarray) -> np.ndarray | None:
    """A faint line crop with its grey stretched to the full range (its darkest ink black, its paper white), or None
    where the crop is not faint (its ink FAINT_LINE_CONTRAST or more below the paper) or holds no ink."""
    if crop.size == 0:
        return None
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    paper = float(np.median(grey))
    dark = float(np.percentile(grey, FAINT_LINE_DARK_PERCENTILE))
    if not FAINT_LINE_MIN_CONTRAST <= paper - dark < FAINT_LINE_CONTRAST:
        return None
    out = np.clip((grey.astype(np.float32) - dark) * (255.0 / (paper - dark)), 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)


def _read_lines(recognizer: LineRecognizer, crops: list[np.ndarray]) -> list[LineReading]:
    """Text-mode readings of line crops; a faint crop (a thinned copy's grey print) is read as it is and stretched
    to full contrast, and the more confident reading kept. Neither way wins everywhere: stretching lifts a thinned
    label out of the paper (seed-14 doc0002, whose tables were not found for want of a readable label), but it
    lifts the paper's noise too, which can make a clear-enough line worse."""
    readings = recognizer.recognize(crops, [False] * len(crops)) if crops else []
    faint = {i: s for i, s in ((i, _stretched(c)) for i, c in enumerate(crops)) if s is not None}
    if not faint:
        return readings
    again = recognizer.recognize(list(faint.values()), [False] * len(faint))
    for i, r in zip(faint, again, strict=True):
        if r.confidence > readings[i].confidence:
            readings[i] = r
    return readings


def _line_crops(page: PreparedPage, boxes: list[tuple[int, int, int, int]], line_h: float, image: np.ndarray,
                ink: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(crop of ``image``, own ink) of each text line of a cell, tall bands split at the page's line height."""
    if line_h > 0:
        boxes = [part for b in boxes for part in split_tall_line(page, b, line_h, ink)]
    return [(_crop(page, box, line_h, image), ink[box[1]:box[3], box[0]:box[2]]) for box in boxes]


@dataclass(frozen=True)
class _Slot:
    page: int  # index into the prepared pages
    grid: int
    cell: int
    line: int


def _looks_numeric(text: str) -> bool:
    """A text-mode reading that may be a number: digits, number punctuation, and the letters OCR
    confuses with digits (a zero read as ``O``, a one as ``l``)."""
    t = "".join(text.split())
    if not t or len(t) > 16:
        return False
    return all(ch in _NUMBER_CHARS or ch in _DIGIT_LOOKALIKES for ch in t) and (
        any(ch.isdigit() for ch in t) or len(t) <= 3)


def read_cells(pages: Sequence[PreparedPage], recognizer: LineRecognizer) -> dict[_Slot, LineReading]:
    """Recognise every text line of every cell of every page in one batched pass (text mode), then
    re-read the single-line cells that read as numbers under the numeric alphabet for alternatives."""
    slots: list[_Slot] = []
    crops: list[np.ndarray] = []
    inks: list[np.ndarray] = []  # the line's own ink, rulings removed (for the slash test)
    unsure: set[tuple[int, int, int]] = set()  # cells under a seal read from the page, not the seal view
    under_black: set[tuple[int, int, int]] = set()  # cells under a black seal, read from its view
    faint: set[tuple[int, int, int]] = set()  # cells whose print only the faint look found
    for pi, page in enumerate(pages):
        per_cell: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
        views: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        view_grey: dict[int, np.ndarray] = {}  # the seal view's grey, made once
        both: set[tuple[int, int]] = set()  # cells under a seal also read from the page, the better reading kept
        for gi, grid in enumerate(page.grids):
            for ci, c in enumerate(grid.cells):
                boxes = []
                if page.seal_view is not None and _overlaps((c.x0, c.y0, c.x1, c.y1), page.seal_boxes):
                    # Under a seal, read from the view with the seal's remnants lifted away. Where that view
                    # lost the cell's ink altogether (a faint digit lifted with them, or a blank cell) the page is
                    # read, and kept only where it reads confidently: the seal's outline there reads as digits
                    # (a doubtful cell is unreadable).
                    boxes = cell_line_boxes(page, c.x0, c.y0, c.x1, c.y1, page.seal_view[1])
                    if boxes:
                        views[(gi, ci)] = page.seal_view
                        if not page.black_seals:
                            both.add((gi, ci))
                    if not boxes:
                        unsure.add((pi, gi, ci))
                    elif page.black_seals:
                        under_black.add((pi, gi, ci))
                # (a sealed cell the seal view lost is unsure: its faint remnants are the seal's, not print)
                if not boxes:
                    inked = cell_line_boxes(page, c.x0, c.y0, c.x1, c.y1)
                    boxes = inked if (pi, gi, ci) in unsure else _whole_faint_glyph(page, c, inked)
                    if boxes and boxes is not inked:
                        faint.add((pi, gi, ci))
                per_cell[(gi, ci)] = boxes
        # The page's text-line height, from boxes of real text: a table of dashes (blank cells printed "—")
        # must not make a sliver the norm, or every line of text would be cut into slivers.
        heights = [b[3] - b[1] for boxes in per_cell.values() for b in boxes if b[3] - b[1] >= MIN_TEXT_PT * page.px]
        line_h = float(np.median(heights)) if heights else 0.0
        # (after the line height is taken: the seal's strokes left out below are of a character's size too)
        depths = {}
        for (gi, ci), boxes in per_cell.items():
            if boxes:
                c, view = page.grids[gi].cells[ci], views.get((gi, ci))
                depths[(gi, ci)] = _line_depths(page.grey if view is None else _grey_of(view[0], view_grey), boxes,
                                                _cell_inside(page.px, c.x0, c.y0, c.x1, c.y1), page.px)
        page_depth = float(np.median([d for ds in depths.values() for d in ds])) if depths else 0.0
        for cell, boxes in per_cell.items():
            if len(boxes) > 1:
                per_cell[cell] = _without_pale_lines(boxes, depths[cell], page_depth)
        for (gi, ci), boxes in per_cell.items():
            jobs = [(0, boxes, *views.get((gi, ci), (page.image, page.text_ink)))]
            if (gi, ci) in both:
                c = page.grids[gi].cells[ci]
                jobs.append((PAGE_LINE, cell_line_boxes(page, c.x0, c.y0, c.x1, c.y1), page.image, page.text_ink))
            for first, cell_boxes, image, ink in jobs:
                for li, (crop, line_ink) in enumerate(_line_crops(page, cell_boxes, line_h, image, ink), start=first):
                    slots.append(_Slot(pi, gi, ci, li))
                    crops.append(crop)
                    inks.append(line_ink)
    readings = dict(zip(slots, _read_lines(recognizer, crops), strict=True))
    lines_per_cell: dict[tuple[int, int, int, bool], int] = {}
    for s in slots:
        key = (s.page, s.grid, s.cell, s.line >= PAGE_LINE)
        lines_per_cell[key] = lines_per_cell.get(key, 0) + 1
    # Short single-line cells are also decoded under the numeric alphabet (the recogniser keeps the
    # model's output, so this is decoding only). A reading that looks like a number takes the numeric
    # decoding; any other keeps its text and carries the numeric alternatives, for the mapper to use
    # should the cell sit under a value column (a zero smudged into "_", say).
    numeric = [i for i, s in enumerate(slots)
               if lines_per_cell[(s.page, s.grid, s.cell, s.line >= PAGE_LINE)] == 1
               and len("".join(readings[s].text.split())) <= 6]
    if numeric:
        again = recognizer.recognize([crops[i] for i in numeric], [True] * len(numeric))
        for i, r in zip(numeric, again, strict=True):
            text_mode = readings[slots[i]]
            if _looks_numeric(text_mode.text) or not text_mode.text.strip():
                readings[slots[i]] = r
            else:
                readings[slots[i]] = LineReading(text_mode.text, text_mode.confidence, r.alternatives)
    _mark_blanks(slots, readings, inks, pages)
    _open_zeros(slots, readings, inks, pages)
    # Print only the faint look found is near the paper's noise: the recogniser reads a thinned 0 there as 6 or 9
    # as confidently as a clear digit. Such a reading is never confident (shown for review; the relations may
    # overrule it).
    for s in slots:
        if (s.page, s.grid, s.cell) in faint and readings[s].confidence > FAINT_MAX_CONFIDENCE:
            r = readings[s]
            readings[s] = LineReading(r.text, FAINT_MAX_CONFIDENCE, r.alternatives)
    readings = _better_of_views(readings)
    best: dict[tuple[int, int, int], float] = {}
    short: dict[tuple[int, int, int], int] = {}  # characters read in the cell
    for s, r in readings.items():
        key = (s.page, s.grid, s.cell)
        best[key] = max(best.get(key, 0.0), r.confidence)
        short[key] = short.get(key, 0) + len("".join(r.text.split()))
    doubtful = {k for k in unsure if best.get(k, 0.0) < SEAL_FALLBACK_CONFIDENCE}
    # Under a black seal the lettering and star stay in the view: a short reading (a value's, not a row label's)
    # needs the same confidence.
    doubtful |= {k for k in under_black
                 if best.get(k, 0.0) < SEAL_FALLBACK_CONFIDENCE and short.get(k, 0) <= SHORT_READING_CHARS}
    # A doubtful cell becomes one empty reading without confidence: unreadable (shown for review, left for
    # the relations to fill), never a silent blank nor the outline's digits.
    kept = {s: r for s, r in readings.items() if (s.page, s.grid, s.cell) not in doubtful}
    kept |= {_Slot(p, g, c, 0): LineReading("", 0.0) for p, g, c in doubtful}
    return kept


PAGE_LINE = 1000  # line numbers from here on: a cell under a seal read from the page as well as the seal view


def _better_of_views(readings: dict[_Slot, LineReading]) -> dict[_Slot, LineReading]:
    """For cells under a seal read both from the seal view and from the page: the lines of the view whose least
    confident line is the more confident, renumbered from 0. Lifting a seal away can pale thin digits to nothing
    on a light copy, and the page can keep the seal's rims over them: which is worse differs cell by cell."""
    by_cell: dict[tuple[int, int, int], dict[bool, list[_Slot]]] = {}
    for s in readings:
        by_cell.setdefault((s.page, s.grid, s.cell), {}).setdefault(s.line >= PAGE_LINE, []).append(s)
    out: dict[_Slot, LineReading] = {}
    for groups in by_cell.values():
        view, page = groups.get(False, []), groups.get(True, [])
        keep = view
        if page:
            view_conf = min((readings[s].confidence for s in view), default=0.0)
            page_conf = min(readings[s].confidence for s in page)
            keep = page if page_conf > view_conf + VIEW_MARGIN else view
        for li, s in enumerate(sorted(keep, key=lambda t: t.line)):
            out[_Slot(s.page, s.grid, s.cell, li)] = readings[s]
    return out


VIEW_MARGIN = 0.0  # the page's reading of a sealed cell is taken over the seal view's when this much more confident
SHORT_READING_CHARS = 4  # a reading this short under a black seal may be the seal's strokes read as a value
SEAL_FALLBACK_CONFIDENCE = 0.6  # a cell under a seal read from the page (not the seal view) needs this confidence
SLASH_SLANT_DEG = 12.0  # a lone stroke leaning more than this is "/", not "1"
SLASH_MAX_SLANT_DEG = 45.0  # ... but no more than this (a slash stands more than it lies) ...
SLASH_TOP_SHARE = 0.7  # ... and the top fifth of its ink spans less than this share of its width (a 7's bar more)
SLASH_PAGE_MIN = 3  # clean slashes on a page that make its other leaning marks slashes too
DASH_MAX_HEIGHT_SHARE = 0.5  # a "1" whose ink is less tall than this share of its width ...
DASH_MAX_HEIGHT_PT = 4.5  # ... and than this (a digit is twice as tall) is a dash
# What the recogniser makes of a 0 with its top and bottom lost: 6, 9, 8, and on a 1-bit copy of a thin serif face 1 or
# 61 (its sides' arcs). Not 11: two 1s side by side are two upright strokes of one height a character apart too.
OPEN_ZERO_READINGS = ("6", "9", "8", "1", "61")
OPEN_ZERO_MIN_INK_PT2 = 1.0  # pieces of ink smaller than this (square points) are specks
OPEN_ZERO_MIN_HEIGHT_PT = 2.5  # the sides of a 0 are most of a digit's height (its middle survives thinning)
OPEN_ZERO_SAME_HEIGHT = 0.7  # ... of one height, overlapping over at least this share of the shorter
OPEN_ZERO_MAX_WIDTH = 0.6  # ... each an upright stroke: no wider than this share of its height
OPEN_ZERO_GAP = (0.15, 0.9)  # ... this many heights apart (a 0 is about half as wide as tall)


def _slant_deg(ink: np.ndarray) -> float:
    """How far the main axis of binary ``ink`` (255 = ink) leans from vertical, in degrees."""
    m = cv2.moments(ink, binaryImage=True)
    if m["m00"] < 5 or m["mu02"] <= 0:
        return 0.0
    # angle of the principal axis measured from the vertical
    return abs(float(np.degrees(0.5 * np.arctan2(2 * m["mu11"], m["mu02"] - m["mu20"]))))


def _top_width_share(ink: np.ndarray) -> float:
    """Width of the ink in the top fifth of its height, as a share of its whole width: a 7's bar spans it, a
    slash's top is one stroke."""
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return 1.0
    top = xs[ys < ys.min() + max(1, (ys.max() - ys.min() + 1) // 5)]
    return float((top.max() - top.min() + 1) / (xs.max() - xs.min() + 1))


def _mark_blanks(slots: list[_Slot], readings: dict[_Slot, LineReading], inks: list[np.ndarray],
                 pages: Sequence[PreparedPage]) -> None:
    """Readings of ``1`` or ``7`` that are blank markers, in place (see :func:`_blank_mark`). A leaning mark whose
    box also holds other ink (a ruling's remnant, a seal's stroke) is a slash only on a page that prints clean
    slashes too: an agency keeps to one blank marker, and a 1 beside a seal's stroke leans just so."""
    marks: dict[int, str | None] = {}
    for i, s in enumerate(slots):
        if readings[s].text in ("1", "7"):
            marks[i] = _blank_mark(inks[i], readings[s].text, pages[s.page].px)
    clean = Counter(slots[i].page for i, m in marks.items() if m == "/")
    for i, m in marks.items():
        s = slots[i]
        if m is None and clean[s.page] >= SLASH_PAGE_MIN and _slant_deg(inks[i]) > SLASH_SLANT_DEG:
            m = "/"
        if m is not None:
            readings[s] = _as_blank_mark(readings[s], m)


def _blank_mark(ink: np.ndarray, text: str, px: float) -> str | None:
    """The blank marker a ``1`` or ``7`` reading really is, or None. A lone stroke leaning like a slash without a
    bar along its top (a 7's; blur thickens a slash's top end into what the recogniser takes for one) is ``/``; a
    flat, low mark read as ``1`` is a dash ``—``. A 1 whose box also holds a seal's stroke or a neighbour's ink leans as
    a whole too, but keeps a wide top or lies flatter than a slash."""
    slant = _slant_deg(ink)
    if slant <= SLASH_SLANT_DEG:
        return None
    ys, xs = np.nonzero(ink)
    height = ys.max() - ys.min() + 1
    if text == "1" and height < DASH_MAX_HEIGHT_PT * px and height < DASH_MAX_HEIGHT_SHARE * (xs.max() - xs.min() + 1):
        return "—"
    if slant <= SLASH_MAX_SLANT_DEG and _top_width_share(ink) < SLASH_TOP_SHARE:
        return "/"
    return None


def _open_zeros(slots: list[_Slot], readings: dict[_Slot, LineReading], inks: list[np.ndarray],
                pages: Sequence[PreparedPage]) -> None:
    """Readings in ``OPEN_ZERO_READINGS`` that are a thinned copy's ``0``, in place (see :func:`_sides_of_a_zero`)."""
    for i, s in enumerate(slots):
        if readings[s].text in OPEN_ZERO_READINGS and _sides_of_a_zero(inks[i], pages[s.page].px):
            readings[s] = _as_zero(readings[s])


def _sides_of_a_zero(ink: np.ndarray, px: float) -> bool:
    """Whether a line's ink is two upright strokes of one height side by side, a character's width apart: the two
    sides of a ``0`` whose thin top and bottom a thinned copy lost. The recogniser takes such a pair for ``6`` or
    ``9`` (on a 1-bit copy also ``1`` or ``61``); a true 6 or 9 that lost its thin strokes keeps one tall stroke and
    half a bowl (not of one height), an 8 keeps its waist, and a 1 is one stroke."""
    n, _, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), connectivity=8)
    parts = [tuple(int(v) for v in stats[k][:4]) for k in range(1, n) if stats[k][4] >= OPEN_ZERO_MIN_INK_PT2 * px * px]
    if len(parts) != 2:
        return False
    (xa, ya, wa, ha), (xb, yb, wb, hb) = sorted(parts)
    tall, short = max(ha, hb), min(ha, hb)
    if tall < OPEN_ZERO_MIN_HEIGHT_PT * px or short < OPEN_ZERO_SAME_HEIGHT * tall:
        return False
    if max(wa, wb) > OPEN_ZERO_MAX_WIDTH * short:
        return False
    overlap = min(ya + ha, yb + hb) - max(ya, yb)
    gap = xb - (xa + wa)
    return overlap >= OPEN_ZERO_SAME_HEIGHT * short and OPEN_ZERO_GAP[0] * tall <= gap <= OPEN_ZERO_GAP[1] * tall


def _as_zero(r: LineReading) -> LineReading:
    """A ``6``/``9``/``8`` taken for the open ``0`` it is, the reading kept as the next alternative."""
    p1 = r.alternatives[0].prob if r.alternatives else r.confidence
    alts = (Alternative("0", p1), *(Alternative(a.text, a.prob * (1 - p1)) for a in r.alternatives if a.text != "0"))
    return LineReading("0", r.confidence, alts)


def _as_blank_mark(r: LineReading, mark: str) -> LineReading:
    """A "1" or "7" taken for the blank marker ``mark``, with the reading kept as the alternative."""
    p1 = r.alternatives[0].prob if r.alternatives else r.confidence
    alts = (Alternative(mark, p1), *(Alternative(a.text, a.prob * (1 - p1)) for a in r.alternatives if a.text != mark))
    return LineReading(mark, r.confidence, alts)


def _overlaps(box: tuple[float, float, float, float], seals: list[tuple[int, int, int, int]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < s[2] and s[0] < x1 and y0 < s[3] and s[1] < y1 for s in seals)


def _is_table(page: PreparedPage, gi: int) -> bool:
    """A single framed box is a table only when it ends a page (a table's first row cut off by the page
    break); elsewhere it is a framed title or note, left to the narrative."""
    grid = page.grids[gi]
    return len(grid.cells) >= 2 or (gi == len(page.grids) - 1 and grid.bbox[3] > 0.7 * page.image.shape[0])


def build_tables(pages: Sequence[PreparedPage], readings: dict[_Slot, LineReading]) -> list[list[Table]]:
    """Tables per page, boxes in points."""
    by_cell: dict[tuple[int, int, int], list[tuple[int, LineReading]]] = {}
    for s, r in readings.items():
        by_cell.setdefault((s.page, s.grid, s.cell), []).append((s.line, r))
    out: list[list[Table]] = []
    for pi, page in enumerate(pages):
        k = page.px
        seal_boxes = page.seal_boxes
        tables = []
        for gi, grid in enumerate(page.grids):
            if not _is_table(page, gi):
                continue
            cells = []
            for ci, c in enumerate(grid.cells):
                lines = sorted(by_cell.get((pi, gi, ci), []), key=lambda t: t[0])
                text = "\n".join(r.text for _, r in lines if r.text)
                conf = min((r.confidence for _, r in lines), default=1.0)
                alts = lines[0][1].alternatives if len(lines) == 1 else ()
                cells.append(Cell(
                    row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span, text=text, page=page.number,
                    bbox=BBox(x0=c.x0 / k, y0=c.y0 / k, x1=c.x1 / k, y1=c.y1 / k), confidence=round(conf, 4),
                    source=TextSource.OCR,
                    alternatives=[TextAlternative(text=a.text, prob=a.prob) for a in alts],
                    seal=_overlaps((c.x0, c.y0, c.x1, c.y1), seal_boxes),
                ))
            gx0, gy0, gx1, gy1 = grid.bbox
            tables.append(Table(n_rows=len(grid.ys) - 1, n_cols=len(grid.xs) - 1, cells=cells, pages=[page.number],
                                bbox=BBox(x0=gx0 / k, y0=gy0 / k, x1=gx1 / k, y1=gy1 / k)))
        out.append(tables)
    return out


def _table_boxes(page: PreparedPage, margin: int = 2) -> list[tuple[int, int, int, int]]:
    return [(int(g.bbox[0]) - margin, int(g.bbox[1]) - margin, int(g.bbox[2]) + margin + 1, int(g.bbox[3]) + margin + 1)
            for gi, g in enumerate(page.grids) if _is_table(page, gi)]


def _narrative_blocks(page: PreparedPage, lines: list[PageLine]) -> tuple[list[TextBlock], list[Word]]:
    """Read lines (pixel boxes) -> text blocks and words in points, page furniture left out of the blocks."""
    k = page.px
    blocks: list[TextBlock] = []
    words: list[Word] = []
    for line in reading_order(lines):
        if not line.text.strip():
            continue
        x0, y0, x1, y1 = line.box
        bbox = BBox(x0=x0 / k, y0=y0 / k, x1=x1 / k, y1=y1 / k)
        words.append(Word(text=line.text, bbox=bbox, confidence=line.confidence, source=TextSource.OCR))
        if not is_page_furniture(line.text):
            blocks.append(TextBlock(text=line.text, page=page.number, bbox=bbox))
    return blocks, words


def read_narrative(page: PreparedPage, reader: PageReader) -> tuple[list[TextBlock], list[Word]]:
    """Text lines outside the tables found by the engine's own detector, in reading order, boxes in points."""
    img = page.image.copy()
    for x0, y0, x1, y1 in _table_boxes(page):
        img[max(0, y0): y1, max(0, x0): x1] = 255
    return _narrative_blocks(page, reader.read_page(img))


def read_narrative_ink(pages: Sequence[PreparedPage], recognizer: LineRecognizer
                       ) -> list[tuple[list[TextBlock], list[Word]]]:
    """Text lines outside the tables of every page, found from the ink and read in one batch."""
    boxes = [find_text_lines(p.text_ink, p.dpi, _table_boxes(p)) for p in pages]
    crops = [_crop(p, b) for p, bs in zip(pages, boxes, strict=True) for b in bs]
    readings = iter(_read_lines(recognizer, crops))
    out = []
    for page, bs in zip(pages, boxes, strict=True):
        lines = []
        for b in bs:
            r = next(readings)
            if r.text.strip() and r.confidence >= MIN_NARRATIVE_SCORE:
                lines.append(PageLine(r.text, tuple(float(v) for v in b), r.confidence))
        out.append(_narrative_blocks(page, lines))
    return out


@dataclass
class ScannedPages:
    pages: list[Page]
    tables: list[Table]  # in page order, not yet joined across pages
    blocks: list[TextBlock]
    warnings: list[str]


class Scanner(Protocol):
    """Reads rendered page images (OCR). Injected into the readers so they need no OCR engine themselves."""

    @property
    def render_dpi(self) -> int: ...

    def __call__(self, pages: Sequence[PageImage]) -> ScannedPages: ...


def read_scanned_pages(images: Sequence[PageImage], recognizer: LineRecognizer, reader: PageReader | None,
                       opts: ScanOptions) -> ScannedPages:
    prepared = [prepare_page(p, opts) for p in images]
    readings = read_cells(prepared, recognizer)
    tables_per_page = build_tables(prepared, readings)
    wanted = [i for i in range(len(prepared)) if opts.narrative == "full" or (opts.narrative == "metadata" and i == 0)]
    narrative: dict[int, tuple[list[TextBlock], list[Word]]] = {}
    if opts.line_finder == "model" and reader is not None:
        narrative = {i: read_narrative(prepared[i], reader) for i in wanted}
    elif wanted:
        narrative = dict(zip(wanted, read_narrative_ink([prepared[i] for i in wanted], recognizer), strict=True))
    out = ScannedPages([], [], [], [])
    for i, (page, tables) in enumerate(zip(prepared, tables_per_page, strict=True)):
        h, w = page.image.shape[:2]
        blocks, words = narrative.get(i, ([], []))
        out.pages.append(Page(number=page.number, width=w / page.px, height=h / page.px, source=TextSource.OCR,
                              words=words))
        out.tables.extend(tables)
        out.blocks.extend(blocks)
        notes = []
        if page.rotation:
            notes.append(f"turned {page.rotation}° back upright")
        if abs(page.skew) >= opts.min_skew_deg:
            notes.append(f"deskewed by {page.skew:.1f}°")
        if page.seals:
            notes.append(f"{len(page.seals)} red seal(s) suppressed")
        if page.dark_seals:
            how = "rings painted over (black)" if page.black_seals else "lifted off the text (grey)"
            notes.append(f"{len(page.dark_seals)} seal(s) without colour found by their ring, {how}")
        if notes:
            out.warnings.append(f"page {page.number} (scan): " + ", ".join(notes))
        if not tables and not blocks and not page.text_ink.any():
            out.warnings.append(f"page {page.number} (scan) is blank")
    return out
