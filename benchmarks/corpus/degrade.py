"""Make rendered report pages look scanned or photographed, and record exactly what was done.

    pages = rasterize_pdf(pdf, style.dpi)                     # BGR uint8, one array per page
    img, truth = degrade_page(pages[1], style, rng, seal_box=box)

Per page, in the order things happen to paper: photocopy thinning/thickening of the ink, a red official
seal stamped over ``seal_box`` (multiply blend, so black digits under it stay black), the page laid on
the glass with a small skew (and, for phone photos, a keystone and a background around it), a
whole-page quarter turn (fed upside down / sideways), then the capture: uneven light, paper tint, lens
blur, sensor noise and JPEG loss.  ``PageTruth`` records the geometry (rotation, skew, seal box, the
source -> output matrix) so tests can check orientation, deskew and seal handling.

Conventions (the same as ``govreport.layout.raster``):

* ``rotation``: the page image was turned *clockwise* by 0/90/180/270 degrees; turn it
  counter-clockwise by as much to get the page upright.
* ``skew_deg``: the content was rotated *counter-clockwise* by this many degrees (image y axis down, as
  ``cv2.getRotationMatrix2D``); ``raster.rotate(img, -skew_deg)`` straightens it.  Skew is applied
  before the quarter turn, so it is measured on the upright page.
* boxes are ``(x0, y0, x1, y1)`` pixels, x1/y1 exclusive.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pymupdf as fitz
from PIL import Image, ImageDraw, ImageFont

Box = tuple[int, int, int, int]
BGR = tuple[int, int, int]

INK_OPS = ("none", "thin", "thick")
MODES = ("colour", "grey", "bw")
ROTATIONS = (0, 90, 180, 270)
INK_REFERENCE_DPI = 300  # photocopy thinning/thickening: one pixel at this resolution, a fixed distance on paper
SEAL_TEXTS = (
    "示例市人民政府办公室",
    "示例县政务服务管理办公室",
    "示例区司法局",
    "示例市自然资源和规划局",
)
# fonts tried for the seal's arc text, best first (seals are cut in a bold Song/Hei face)
SEAL_FONT_PATTERNS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/**/NotoSerifCJK*Bold*",
    "/usr/share/fonts/**/NotoSansCJK*Bold*",
    "/usr/share/fonts/**/*CJK*",
    "/usr/share/fonts/**/wqy-zenhei.ttc",
    "/usr/share/fonts/**/uming.ttc",
)


@dataclass(frozen=True)
class ScanStyle:
    """How a document is scanned or photographed.  Per-page choices (skew angle, which pages turn, the
    seal's exact place) are drawn from the ``rng`` passed to ``degrade_page``."""

    name: str = "custom"  # preset that drew it: clean / heavy / photo / custom
    dpi: int = 200  # the caller rasterises the page at this resolution
    max_skew_deg: float = 0.0  # |skew| drawn uniformly in [0, max], random sign
    fill: BGR = (255, 255, 255)  # what shows where the page does not cover the frame (lid, desk)
    zoom: float = 1.0  # < 1: the page shrinks in the frame and ``fill`` shows around it (photos)
    perspective: float = 0.0  # keystone: each corner moves up to this fraction of the page width
    rotation_weights: tuple[float, float, float] = (0.0, 0.0, 0.0)  # per page chance of 90/180/270 cw
    ink: str = "none"  # photocopy: "thin" (strokes lose a pixel) / "thick" (strokes gain one)
    ink_strength: float = 1.0  # 0..1 blend towards the eroded/dilated page
    seal: bool = False  # stamp a seal where the caller suggests a box
    seal_text: str = SEAL_TEXTS[0]  # agency name around the seal's rim
    seal_diameter_mm: float = 42.0  # 42 mm: the usual 机关 seal
    seal_opacity: float = 0.85
    seal_color: BGR = (40, 30, 215)
    light_min: float = 1.0  # darkest corner of the uneven-light field, as a brightness factor
    paper_tint: tuple[float, float, float] = (1.0, 1.0, 1.0)  # BGR factors (greyish/yellowish paper)
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0  # grey levels, Gaussian
    jpeg_quality: int = 0  # 0: no JPEG round trip
    mode: str = "colour"  # scanner colour mode: "colour", "grey", "bw" (1-bit, local threshold, no JPEG)


@dataclass
class PageTruth:
    """What ``degrade_page`` did to one page (see the module docstring for the conventions)."""

    page: int
    dpi: int
    width: int  # of the degraded image
    height: int
    rotation: int  # clockwise quarter turn applied last: 0 / 90 / 180 / 270
    skew_deg: float  # counter-clockwise, before the quarter turn
    seal_box: Box | None  # seal's extent in the degraded image
    seal_box_source: Box | None  # seal's extent on the upright rendered page
    seal_text: str | None  # arc text actually drawn (None: no seal, or no CJK font found)
    matrix: list[list[float]]  # 3x3: rendered-page pixel (x, y, 1) -> degraded-image pixel
    ink: str = "none"
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0
    jpeg_quality: int = 0
    light_min: float = 1.0
    mode: str = "colour"
    style: str = "custom"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def map_points(self, points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        """Rendered-page pixel coordinates -> degraded-image coordinates."""
        return [(float(x), float(y)) for x, y in _apply(np.asarray(self.matrix), np.asarray(points, float))]


# ---------------------------------------------------------------------------------------------------------
# presets


def clean_style(rng: random.Random) -> ScanStyle:
    """An office flatbed/ADF scan: 200-300 DPI, skew <= 1 deg, scanner-level blur and noise, q >= 85."""
    return ScanStyle(
        name="clean",
        dpi=rng.choice((200, 240, 300)),
        max_skew_deg=rng.uniform(0.2, 1.0),
        fill=(255, 255, 255),
        ink="none",
        seal=rng.random() < 0.5,
        seal_text=rng.choice(SEAL_TEXTS),
        seal_opacity=rng.uniform(0.75, 0.95),
        seal_color=_seal_color(rng),
        light_min=rng.uniform(0.96, 1.0),
        blur_sigma=rng.uniform(0.3, 0.6),
        noise_sigma=rng.uniform(0.3, 1.0),
        jpeg_quality=rng.randint(85, 95),
    )


def heavy_style(rng: random.Random) -> ScanStyle:
    """A photocopy of a photocopy, scanned cheaply: 150-200 DPI, skew up to 3 deg, blur, noise,
    JPEG 40-70, thinned or thickened strokes, uneven light, a seal, some pages turned 90/180."""
    grey = rng.choice((255, 235, 200, 170))
    return ScanStyle(
        name="heavy",
        dpi=rng.choice((150, 150, 180, 200)),
        max_skew_deg=rng.uniform(1.5, 3.0),
        fill=(grey, grey, grey),
        rotation_weights=(0.07, 0.07, 0.02),
        ink=rng.choice(("thin", "thick")),
        ink_strength=rng.uniform(0.5, 1.0),
        seal=True,
        seal_text=rng.choice(SEAL_TEXTS),
        seal_opacity=rng.uniform(0.65, 0.9),
        seal_color=_seal_color(rng),
        light_min=rng.uniform(0.62, 0.85),
        paper_tint=rng.choice(((1.0, 1.0, 1.0), (0.93, 0.97, 0.99), (0.95, 0.95, 0.95))),
        blur_sigma=rng.uniform(0.6, 1.1),
        noise_sigma=rng.uniform(4.0, 9.0),
        jpeg_quality=rng.randint(40, 70),
        mode=rng.choices(MODES, weights=(0.75, 0.15, 0.10))[0],
    )


def photo_style(rng: random.Random) -> ScanStyle:
    """A phone photo of the printed page: keystone, desk around the page, a shadow, soft focus."""
    desk = rng.choice(((120, 135, 150), (90, 100, 110), (150, 160, 170), (60, 80, 110)))
    return ScanStyle(
        name="photo",
        dpi=rng.choice((150, 180, 200)),
        max_skew_deg=rng.uniform(1.0, 3.0),
        fill=desk,
        zoom=rng.uniform(0.93, 0.97),
        perspective=rng.uniform(0.005, 0.02),
        rotation_weights=(0.05, 0.0, 0.05),
        seal=rng.random() < 0.6,
        seal_text=rng.choice(SEAL_TEXTS),
        seal_opacity=rng.uniform(0.7, 0.9),
        seal_color=_seal_color(rng),
        light_min=rng.uniform(0.6, 0.8),
        paper_tint=rng.choice(((0.9, 0.96, 1.0), (0.95, 0.97, 0.98), (0.97, 0.97, 0.97))),
        blur_sigma=rng.uniform(0.7, 1.3),
        noise_sigma=rng.uniform(2.0, 5.0),
        jpeg_quality=rng.randint(70, 88),
    )


STYLES = {"clean": clean_style, "heavy": heavy_style, "photo": photo_style}


def _seal_color(rng: random.Random) -> BGR:
    return (rng.randint(25, 60), rng.randint(15, 45), rng.randint(195, 235))


# ---------------------------------------------------------------------------------------------------------
# the degradation


def degrade_page(
    img: np.ndarray,
    style: ScanStyle,
    rng: random.Random,
    *,
    seal_box: Box | None = None,
    rotation: int | None = None,
    skew_deg: float | None = None,
    page: int = 0,
) -> tuple[np.ndarray, PageTruth]:
    """Degrade one rendered page (BGR uint8, rasterised at ``style.dpi``).

    ``seal_box``: where a seal should go (e.g. a table's data columns); the seal is stamped when
    ``style.seal`` is set and a box is given, lying inside the box where it fits.  ``rotation`` /
    ``skew_deg`` override the drawn quarter turn / skew.  Returns the new image and its ``PageTruth``.
    """
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError(f"expected a BGR uint8 image, got shape {img.shape} dtype {img.dtype}")
    if style.ink not in INK_OPS:
        raise ValueError(f"unknown ink operation {style.ink!r}; expected one of {INK_OPS}")
    if style.mode not in MODES:
        raise ValueError(f"unknown colour mode {style.mode!r}; expected one of {MODES}")
    if rotation is None:
        w90, w180, w270 = style.rotation_weights
        rotation = rng.choices(ROTATIONS, weights=(max(0.0, 1.0 - w90 - w180 - w270), w90, w180, w270))[0]
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {ROTATIONS}, got {rotation}")
    if skew_deg is None:
        skew_deg = rng.uniform(0.2 * style.max_skew_deg, style.max_skew_deg) * rng.choice((-1.0, 1.0))
    np_rng = np.random.default_rng(rng.randrange(2**63))

    h, w = img.shape[:2]
    out = _ink(img, style.ink, style.ink_strength, style.dpi)

    seal_source: Box | None = None
    seal_drawn_text: str | None = None
    seal_circle: tuple[float, float, float] | None = None
    if style.seal and seal_box is not None:
        diameter = style.seal_diameter_mm / 25.4 * style.dpi
        cx, cy = _seal_centre(seal_box, diameter, (w, h), rng)
        mask, seal_drawn_text = seal_mask(round(diameter), style.seal_text, rng)
        out = _stamp(out, mask, (cx, cy), style.seal_color, style.seal_opacity)
        r = diameter / 2
        seal_circle = (cx, cy, r)
        seal_source = _clip_box((cx - r, cy - r, cx + r, cy + r), w, h)

    warp = _warp_matrix(w, h, skew_deg, style.zoom, style.perspective, rng)
    if not np.allclose(warp, np.eye(3)):
        if np.allclose(warp[2], (0.0, 0.0, 1.0)):
            out = cv2.warpAffine(
                out, warp[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=style.fill
            )
        else:
            out = cv2.warpPerspective(
                out, warp, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=style.fill
            )
    turn = _rot90_matrix(rotation, w, h)
    out = _rot90(out, rotation)
    matrix = turn @ warp

    out = _light(out, style.light_min, style.paper_tint, rng)
    if style.blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), style.blur_sigma)
    if style.noise_sigma > 0:
        out = _noise(out, style.noise_sigma, np_rng)
    if style.mode != "colour":
        grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
        if style.mode == "bw":
            grey = _bilevel(grey, style.dpi)
        out = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if style.jpeg_quality > 0 and style.mode != "bw":
        out = jpeg_roundtrip(out, style.jpeg_quality)

    seal_out: Box | None = None
    if seal_circle is not None:
        cx, cy, r = seal_circle
        angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
        rim = np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1)
        pts = _apply(matrix, rim)
        oh, ow = out.shape[:2]
        seal_out = _clip_box((pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()), ow, oh)

    truth = PageTruth(
        page=page,
        dpi=style.dpi,
        width=int(out.shape[1]),
        height=int(out.shape[0]),
        rotation=int(rotation),
        skew_deg=round(float(skew_deg), 4),
        seal_box=seal_out,
        seal_box_source=seal_source,
        seal_text=seal_drawn_text,
        matrix=[[round(float(v), 8) for v in row] for row in matrix],
        ink=style.ink,
        blur_sigma=round(style.blur_sigma, 3),
        noise_sigma=round(style.noise_sigma, 3),
        jpeg_quality=style.jpeg_quality if style.mode != "bw" else 0,
        light_min=round(style.light_min, 3),
        mode=style.mode,
        style=style.name,
    )
    return out, truth


def jpeg_roundtrip(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG")
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if decoded is None:
        raise RuntimeError("OpenCV could not decode its own JPEG")
    return decoded


def _bilevel(grey: np.ndarray, dpi: int, ratio: float = 0.72) -> np.ndarray:
    """A scanner's black/white mode: black where darker than ``ratio`` of the local paper level (a max
    filter wider than a character, smoothed), so light shading and uneven light drop out."""
    k = max(9, int(dpi / 6))
    paper = cv2.GaussianBlur(cv2.dilate(grey, np.ones((k, k), np.uint8)), (0, 0), k / 2)
    black = grey.astype(np.float32) < paper.astype(np.float32) * np.float32(ratio)
    return np.where(black, 0, 255).astype(np.uint8)


def _ink(img: np.ndarray, op: str, strength: float, dpi: int = INK_REFERENCE_DPI) -> np.ndarray:
    """Thicken (min filter: dark ink spreads) or thin (max filter: paper eats the strokes).

    A copier's toner gain or loss happens on paper, before the copy is scanned, so strokes gain or lose a
    fixed distance (one pixel at ``INK_REFERENCE_DPI``: 0.085 mm) whatever ``dpi`` the page is rasterised at.
    A page below that resolution is morphed on a copy scaled up to it and scaled back by area; before,
    the pixel was the scan's own, so a 150 DPI copy lost twice the ink of a 300 DPI one (a 9 pt Ming face's
    strokes, under 0.2 mm, vanished to a few grey levels: print nobody could read)."""
    if op == "none" or strength <= 0:
        return img
    kernel = np.ones((2, 2), np.uint8)
    scale = INK_REFERENCE_DPI / dpi if dpi < INK_REFERENCE_DPI else 1.0
    h, w = img.shape[:2]
    src = img if scale == 1.0 else cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
    morphed = cv2.erode(src, kernel) if op == "thick" else cv2.dilate(src, kernel)
    if scale != 1.0:
        morphed = cv2.resize(morphed, (w, h), interpolation=cv2.INTER_AREA)
    if strength >= 1:
        return morphed
    return cv2.addWeighted(img, 1.0 - strength, morphed, strength, 0.0)


def _apply(matrix: np.ndarray, pts: np.ndarray) -> np.ndarray:
    homo = np.hstack([pts, np.ones((len(pts), 1))]) @ np.asarray(matrix, float).T
    return homo[:, :2] / homo[:, 2:3]


def _clip_box(box: tuple[float, float, float, float], w: int, h: int) -> Box:
    x0, y0, x1, y1 = box
    return (
        max(0, math.floor(x0)),
        max(0, math.floor(y0)),
        min(w, math.ceil(x1) + 1),
        min(h, math.ceil(y1) + 1),
    )


def _warp_matrix(w: int, h: int, skew_deg: float, zoom: float, perspective: float, rng: random.Random) -> np.ndarray:
    """Skew about the page centre, then (photos) shrink and keystone; 3x3, source -> frame."""
    rot = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0), (0.0, 0.0, 1.0)])
    if zoom == 1.0 and perspective == 0.0:
        return rot
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    cx, cy = w / 2, h / 2
    jitter = perspective * w
    dst = np.array(
        [
            [cx + (x - cx) * zoom + rng.uniform(-jitter, jitter), cy + (y - cy) * zoom + rng.uniform(-jitter, jitter)]
            for x, y in src
        ],
        dtype=np.float32,
    )
    keystone = cv2.getPerspectiveTransform(src, dst).astype(float)
    return keystone @ rot


def _rot90_matrix(rotation: int, w: int, h: int) -> np.ndarray:
    """Pixel (x, y) of a w x h image -> its place after a clockwise turn by ``rotation``."""
    if rotation == 90:
        return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if rotation == 180:
        return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])
    if rotation == 270:
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w - 1.0], [0.0, 0.0, 1.0]])
    return np.eye(3)


def _rot90(img: np.ndarray, rotation: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(img, codes[rotation]) if rotation in codes else img


def _light(img: np.ndarray, light_min: float, tint: tuple[float, float, float], rng: random.Random) -> np.ndarray:
    """Multiply by a smooth field: a linear fall-off in a random direction mixed with a vignette."""
    if light_min >= 1.0 and tint == (1.0, 1.0, 1.0):
        return img
    h, w = img.shape[:2]
    n = 48
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float32) / (n - 1)
    theta = rng.uniform(0, 2 * math.pi)
    ramp = (xs - 0.5) * math.cos(theta) + (ys - 0.5) * math.sin(theta)
    cx, cy = rng.uniform(0.25, 0.75), rng.uniform(0.25, 0.75)
    vignette = np.hypot(xs - cx, (ys - cy) * h / max(w, 1))
    mix = rng.uniform(0.3, 0.8)
    f = mix * _unit(ramp) + (1 - mix) * _unit(vignette)
    small = (1.0 - (1.0 - light_min) * _unit(f)).astype(np.float32)
    field = np.clip(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), 0.0, 1.0)
    scale = cv2.merge([field * np.float32(t) for t in tint])
    return cv2.multiply(img, scale, dtype=cv2.CV_8U)


def _unit(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def _noise(img: np.ndarray, sigma: float, np_rng: np.random.Generator) -> np.ndarray:
    """Sensor noise: full-resolution luminance grain plus weaker, coarser colour noise."""
    h, w = img.shape[:2]
    luma = np_rng.standard_normal((h, w), dtype=np.float32) * np.float32(sigma)
    small = np_rng.standard_normal(((h + 1) // 2, (w + 1) // 2, 3), dtype=np.float32) * np.float32(sigma * 0.35)
    chroma = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    noise = np.rint(chroma + luma[:, :, None]).astype(np.int16)
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------------------
# the seal


def _seal_centre(box: Box, diameter: float, size: tuple[int, int], rng: random.Random) -> tuple[float, float]:
    """A centre such that the seal lies inside ``box`` where it fits (else centred on it), on the page."""
    w, h = size
    r = diameter / 2
    centre: list[float] = []
    for start, end, limit in ((box[0], box[2], w), (box[1], box[3], h)):
        lo, hi = max(0.0, float(start)), min(float(limit), float(end))
        c = rng.uniform(lo + r, hi - r) if hi - lo >= diameter else (lo + hi) / 2
        centre.append(min(max(c, r), limit - r) if limit >= diameter else limit / 2)
    return centre[0], centre[1]


@functools.lru_cache(maxsize=1)
def _seal_font_file() -> tuple[str, int] | None:
    """(path, face index) of a CJK font for the seal text, preferring a Simplified Chinese face."""
    candidates: list[str] = []
    for pattern in SEAL_FONT_PATTERNS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if path not in candidates:
                candidates.append(path)
    for path in candidates:
        faces = _font_faces(path)
        if not faces:
            continue
        sc = [i for i, name in faces if name.endswith(" SC")]
        index = sc[0] if sc else faces[0][0]
        font = ImageFont.truetype(path, 40, index=index)
        if font.getbbox("政")[2] > 0:
            return path, index
    return None


def _font_faces(path: str) -> list[tuple[int, str]]:
    faces: list[tuple[int, str]] = []
    for index in range(16):
        try:
            font = ImageFont.truetype(path, 20, index=index)
        except OSError:  # past the last face of the collection (or not a font at all)
            break
        faces.append((index, font.getname()[0] or ""))
    return faces


def seal_font() -> tuple[str, int] | None:
    """The font file and face the seal text is drawn with, or None where no CJK font is installed."""
    return _seal_font_file()


def seal_mask(diameter_px: int, text: str, rng: random.Random) -> tuple[np.ndarray, str | None]:
    """Ink coverage (float32 0..1, square, side ~ ``diameter_px``) of a round official seal: a rim, a
    five-pointed star and ``text`` along the upper arc, unevenly inked and slightly turned.  Returns the
    mask and the text actually drawn (None where no CJK font is available)."""
    ss = 3  # supersampling
    side = math.ceil(diameter_px * 1.06) | 1
    big = side * ss
    canvas = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(canvas)
    c = big / 2
    r = diameter_px * ss / 2
    rim = max(2, round(r * rng.uniform(0.05, 0.065)))
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=rim)
    star_r = r * 0.31
    points = []
    for k in range(10):
        a = k * math.pi / 5
        rr = star_r if k % 2 == 0 else star_r * 0.382
        points.append((c + rr * math.sin(a), c - rr * math.cos(a)))
    draw.polygon(points, fill=255)

    drawn: str | None = None
    font_file = _seal_font_file()
    if font_file is not None and text:
        chars = list(text)
        char_h = int(r * (0.28 if len(chars) <= 10 else 0.24))
        font = ImageFont.truetype(font_file[0], char_h, index=font_file[1])
        span = min(280.0, max(160.0, 24.0 * len(chars)))
        radius = r - rim - char_h * 0.62
        arc_per_char = math.radians(span / len(chars)) * radius
        squeeze = min(0.9, max(0.55, arc_per_char * 0.92 / char_h))
        for i, ch in enumerate(chars):
            ang = -span / 2 + span * (i + 0.5) / len(chars)
            glyph = Image.new("L", (int(char_h * 1.5), int(char_h * 1.5)), 0)
            ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=255, anchor="mm")
            glyph = glyph.resize((max(1, int(glyph.width * squeeze)), glyph.height), Image.Resampling.LANCZOS)
            glyph = glyph.rotate(-ang, resample=Image.Resampling.BICUBIC, expand=True)
            gx = c + radius * math.sin(math.radians(ang)) - glyph.width / 2
            gy = c - radius * math.cos(math.radians(ang)) - glyph.height / 2
            region = (int(gx), int(gy), int(gx) + glyph.width, int(gy) + glyph.height)
            canvas.paste(Image.fromarray(np.maximum(np.asarray(canvas.crop(region)), np.asarray(glyph))), region[:2])
        drawn = text

    coverage = np.asarray(canvas.resize((side, side), Image.Resampling.LANCZOS), dtype=np.float32) / 255.0
    coverage = _uneven_ink(coverage, rng)
    m = cv2.getRotationMatrix2D((side / 2, side / 2), rng.uniform(-20.0, 20.0), 1.0)
    turned = cv2.warpAffine(coverage, m, (side, side), flags=cv2.INTER_LINEAR, borderValue=0.0)
    return np.clip(turned, 0.0, 1.0).astype(np.float32), drawn


def _uneven_ink(mask: np.ndarray, rng: random.Random) -> np.ndarray:
    """A stamp never inks evenly: a slow density change across it and small bare specks."""
    side = mask.shape[0]
    np_rng = np.random.default_rng(rng.randrange(2**63))
    slow = cv2.resize(np_rng.uniform(0.55, 1.0, (5, 5)).astype(np.float32), (side, side), interpolation=cv2.INTER_CUBIC)
    speck = cv2.GaussianBlur(np_rng.normal(0, 1, (side, side)).astype(np.float32), (0, 0), max(1.0, side / 250))
    speck = np.clip((speck - speck.std() * 1.3) / (speck.std() + 1e-6), 0, 1)  # ~10% of pixels lose ink
    return mask * np.clip(slow, 0, 1) * (1.0 - 0.8 * speck)


def _stamp(img: np.ndarray, mask: np.ndarray, centre: tuple[float, float], color: BGR, opacity: float) -> np.ndarray:
    """Multiply-blend the seal ink onto the page: black under it stays black, white turns red."""
    h, w = img.shape[:2]
    side = mask.shape[0]
    x0 = round(centre[0] - side / 2)
    y0 = round(centre[1] - side / 2)
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0 = max(0, x0), max(0, y0)
    dx1, dy1 = min(w, x0 + side), min(h, y0 + side)
    if dx1 <= dx0 or dy1 <= dy0:
        return img
    m = mask[sy0 : sy0 + dy1 - dy0, sx0 : sx0 + dx1 - dx0, None] * np.float32(opacity)
    ink = np.array(color, dtype=np.float32) / 255.0
    out = img.copy()
    region = out[dy0:dy1, dx0:dx1].astype(np.float32)
    out[dy0:dy1, dx0:dx1] = np.clip(region * (1.0 - m * (1.0 - ink)), 0, 255).astype(np.uint8)
    return out


# ---------------------------------------------------------------------------------------------------------
# PDF in


def rasterize_pdf(pdf: Path, dpi: int) -> list[np.ndarray]:
    """Every page of ``pdf`` as a BGR uint8 image at ``dpi`` (PyMuPDF)."""
    pages: list[np.ndarray] = []
    with fitz.open(pdf) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, alpha=False, colorspace=fitz.csRGB)
            rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width * 3]
            pages.append(np.ascontiguousarray(rgb.reshape(pix.height, pix.width, 3)[:, :, ::-1]))
    return pages


def _table_rects(page: Any) -> list[fitz.Rect]:
    """Clusters of touching vector drawings (rulings, cell borders, shading) big enough to be tables."""
    rects = [fitz.Rect(d["rect"]) for d in page.get_drawings()]
    rects = [r for r in rects if r.width < page.rect.width * 0.98 or r.height < page.rect.height * 0.98]
    pad = 2.0
    parent = list(range(len(rects)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grown = [fitz.Rect(r.x0 - pad, r.y0 - pad, r.x1 + pad, r.y1 + pad) for r in rects]
    for i in range(len(grown)):
        for j in range(i + 1, len(grown)):
            if grown[i].intersects(grown[j]):
                parent[find(i)] = find(j)
    clusters: dict[int, list[fitz.Rect]] = {}
    for i, r in enumerate(rects):
        clusters.setdefault(find(i), []).append(r)
    boxes: list[fitz.Rect] = []
    for members in clusters.values():
        # by hand: Rect union skips empty rects, and a ruling line is one
        box = fitz.Rect(
            min(r.x0 for r in members),
            min(r.y0 for r in members),
            max(r.x1 for r in members),
            max(r.y1 for r in members),
        )
        if len(members) >= 4 and box.width >= 72 and box.height >= 30:
            boxes.append(box)
    return sorted(boxes, key=lambda b: (b.y0, b.x0))


def _overlap(a: fitz.Rect, b: fitz.Rect) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, w) * max(0.0, h)


def _to_px(rect: fitz.Rect, dpi: int) -> Box:
    s = dpi / 72.0
    return (math.floor(rect.x0 * s), math.floor(rect.y0 * s), math.ceil(rect.x1 * s), math.ceil(rect.y1 * s))


def table_boxes(pdf: Path, page_index: int, dpi: int) -> list[Box]:
    """Pixel boxes (at ``dpi``) of the ruled tables on one page, from the PDF's vector drawings."""
    with fitz.open(pdf) as doc:
        return [_to_px(r, dpi) for r in _table_rects(doc[page_index])]


@dataclass(frozen=True)
class TableBox:
    page: int
    box: Box  # pixels at the dpi asked for
    section: str | None  # "二" / "三" / "四" ...: the report section heading above it (None: none found)


_NUMERALS = "一二三四五六七八九十"


def locate_tables(pdf: Path, dpi: int) -> list[TableBox]:
    """All ruled tables of ``pdf`` with the section they belong to: the last heading line starting
    with a Chinese numeral and 、 outside any table, before the table in reading order.  A table split
    over pages gives one box per page, all in the same section (table 三 is section 三)."""
    found: list[TableBox] = []
    with fitz.open(pdf) as doc:
        events: list[tuple[int, float, int, str | None, fitz.Rect | None]] = []
        for pno, page in enumerate(doc):
            rects = _table_rects(page)
            for r in rects:
                events.append((pno, r.y0, 1, None, r))
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    text = "".join(span["text"] for span in line["spans"]).strip()
                    bbox = fitz.Rect(line["bbox"])
                    if len(text) < 2 or text[0] not in _NUMERALS or text[1] not in "、.．":
                        continue
                    if any(_overlap(r, bbox) > 0.5 * bbox.get_area() for r in rects):
                        continue
                    events.append((pno, bbox.y0, 0, text[0], None))
        section: str | None = None
        for pno, _, kind, numeral, rect in sorted(events, key=lambda e: (e[0], e[1], e[2])):
            if kind == 0:
                section = numeral
            elif rect is not None:
                found.append(TableBox(pno, _to_px(rect, dpi), section))
    return found


def data_area(box: Box, label_share: float = 0.35, header_share: float = 0.2) -> Box:
    """The part of a table box right of its row labels and below its header rows, where the digits are."""
    x0, y0, x1, y1 = box
    return (x0 + int((x1 - x0) * label_share), y0 + int((y1 - y0) * header_share), x1, y1)


def words_under(pdf: Path, page_index: int, box: Box, dpi: int) -> list[dict[str, Any]]:
    """The words of a digital ``pdf`` page whose centre lies in the circle inscribed in ``box`` (pixels at
    ``dpi``, e.g. ``PageTruth.seal_box_source``): what a seal there covers.  Boxes in pixels at ``dpi``."""
    s = dpi / 72.0
    cx, cy = (box[0] + box[2]) / 2 / s, (box[1] + box[3]) / 2 / s
    r = max(box[2] - box[0], box[3] - box[1]) / 2 / s
    found: list[dict[str, Any]] = []
    with fitz.open(pdf) as doc:
        for x0, y0, x1, y1, text, *_ in doc[page_index].get_text("words"):
            if math.hypot((x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy) <= r:
                found.append({"text": text, "box": list(_to_px(fitz.Rect(x0, y0, x1, y1), dpi))})
    return found


# ---------------------------------------------------------------------------------------------------------
# writers


def page_kind(img: np.ndarray, auto_grey: bool = False) -> str:
    """What a page image holds: "bw" (only 0/255, channels equal), "grey" (channels equal) or "colour".
    ``auto_grey``: as a scanner's automatic colour detection, call a page grey when hardly any pixel is
    saturated."""
    if img.ndim == 3:
        b, g, r = cv2.split(img)
        equal = np.array_equal(b, g) and np.array_equal(g, r)
        if not equal and not (auto_grey and not _has_colour(img)):
            return "colour"
        grey = g if equal else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    else:
        grey = img
    return "bw" if not np.any((grey != 0) & (grey != 255)) else "grey"


def _has_colour(img: np.ndarray, min_share: float = 1e-4) -> bool:
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    coloured = np.count_nonzero((hsv[:, :, 1] > 60) & (hsv[:, :, 2] > 60))
    return coloured > min_share * img.shape[0] * img.shape[1]


def _as_kind(img: np.ndarray, kind: str) -> np.ndarray:
    """The page as a grey array (grey/bw) or BGR (colour)."""
    if kind == "colour" or img.ndim == 2:
        return img
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _encode_jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality), cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG")
    return buf.tobytes()


def _encode_bilevel_png(grey: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(grey).convert("1").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_image_pdf(
    pages: Sequence[np.ndarray], path: Path, dpi: int | Sequence[int], quality: int = 85, auto_grey: bool = False
) -> Path:
    """An image-only PDF (no text layer), each page one image at its physical size (pixels / dpi):
    a JPEG (grey when the page is grey, or nearly so with ``auto_grey``), or 1-bit for a black/white page."""
    dpis = [int(dpi)] * len(pages) if isinstance(dpi, int) else [int(d) for d in dpi]
    if len(dpis) != len(pages):
        raise ValueError(f"{len(pages)} pages but {len(dpis)} dpi values")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = fitz.open()
    try:
        for img, d in zip(pages, dpis, strict=True):
            h, w = img.shape[:2]
            page = doc.new_page(width=w * 72.0 / d, height=h * 72.0 / d)
            kind = page_kind(img, auto_grey)
            pixels = _as_kind(img, kind)
            stream = _encode_bilevel_png(pixels) if kind == "bw" else _encode_jpeg(pixels, quality)
            page.insert_image(page.rect, stream=stream)
        doc.set_metadata({"producer": "govreport benchmarks (synthetic scan)", "creator": "", "title": path.stem})
        doc.save(path, garbage=3, deflate=True, no_new_id=True)
    finally:
        doc.close()
    return path


def _pil(img: np.ndarray, kind: str | None = None) -> Image.Image:
    """BGR or grey array -> Pillow image (mode 1 / L / RGB by ``page_kind``)."""
    kind = kind or page_kind(img)
    pixels = _as_kind(img, kind)
    if kind == "colour":
        return Image.fromarray(np.ascontiguousarray(pixels[:, :, ::-1]))
    pil = Image.fromarray(np.ascontiguousarray(pixels))
    return pil.convert("1") if kind == "bw" else pil


def write_images(
    pages: Sequence[np.ndarray], stem: Path, fmt: str, dpi: int | None = None, quality: int = 90
) -> list[Path]:
    """One file per page: ``STEM-p1.jpg``, ``STEM-p2.jpg`` ... (``fmt``: jpg / png), DPI in the header.
    Grey pages are written grey; black/white pages as 1-bit PNG (JPEG: grey)."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in ("jpg", "jpeg", "png"):
        raise ValueError(f"unsupported image format {fmt!r}; expected jpg or png")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i, img in enumerate(pages, start=1):
        p = stem.parent / f"{stem.name}-p{i}.{fmt}"
        kwargs: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
        if fmt == "png":
            _pil(img).save(p, format="PNG", optimize=True, **kwargs)
        else:
            kind = page_kind(img)
            _pil(img, "grey" if kind == "bw" else kind).save(
                p, format="JPEG", quality=int(quality), optimize=True, **kwargs
            )
        paths.append(p)
    return paths


def write_tiff(
    pages: Sequence[np.ndarray], path: Path, dpi: int | None = None, compression: str | None = None, quality: int = 90
) -> Path:
    """A multi-page TIFF, one frame per page (Pillow).  ``compression``: default group4 when every page
    is black/white, else jpeg (``quality``); or tiff_deflate, tiff_lzw ..."""
    if not pages:
        raise ValueError("no pages to write")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kinds = [page_kind(img) for img in pages]
    if compression is None:
        compression = "group4" if all(k == "bw" for k in kinds) else "jpeg"
    if compression != "group4":  # a 1-bit frame cannot be JPEG-compressed
        kinds = ["grey" if k == "bw" else k for k in kinds]
    frames = [_pil(img, k) for img, k in zip(pages, kinds, strict=True)]
    kwargs: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
    if compression == "jpeg":
        kwargs["quality"] = int(quality)
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:], compression=compression, **kwargs)
    path.write_bytes(buffer.getvalue())
    return path


__all__ = [
    "STYLES",
    "PageTruth",
    "ScanStyle",
    "TableBox",
    "clean_style",
    "data_area",
    "degrade_page",
    "heavy_style",
    "jpeg_roundtrip",
    "locate_tables",
    "page_kind",
    "photo_style",
    "rasterize_pdf",
    "seal_font",
    "seal_mask",
    "table_boxes",
    "words_under",
    "write_image_pdf",
    "write_images",
    "write_tiff",
]
