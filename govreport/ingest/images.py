"""Page images: JPG/PNG/TIFF files (multi-page TIFF), folders of page images, and PDF pages
rendered to pixels, always under a pixel cap so that a huge or hostile image cannot exhaust memory."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from govreport.errors import InputError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")
A4_WIDTH_IN = 8.27
A4_HEIGHT_IN = 11.69


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int = 60_000_000  # per page, after decoding (a 600 DPI A4 scan is ~35 Mpx)
    max_pages: int = 300
    min_side: int = 200  # smaller than this cannot hold a legible report page


@dataclass(frozen=True)
class PageImage:
    """One page as pixels (BGR uint8) with the resolution used to convert boxes to points."""

    number: int  # 1-based
    image: np.ndarray
    dpi: float
    origin: str  # "pdf-render", "image-file"


def estimate_dpi(width_px: int, height_px: int) -> float:
    """A photo or scan without a usable DPI tag: assume the page is A4 in its longer/shorter sides."""
    short, long = sorted((width_px, height_px))
    return max(short / A4_WIDTH_IN, long / A4_HEIGHT_IN)


def _check_size(path: Path, w: int, h: int, limits: ImageLimits, what: str) -> None:
    if w * h > limits.max_pixels:
        raise InputError(path, f"{what} is {w}×{h} pixels, over the limit of {limits.max_pixels:,} pixels "
                         "(a decompression bomb or an oversized scan)")
    if min(w, h) < limits.min_side:
        raise InputError(path, f"{what} is only {w}×{h} pixels: too small to hold a report page")


def decode_image(path: Path, data: bytes, limits: ImageLimits, first_number: int = 1) -> list[PageImage]:
    """All frames of an image file (a multi-page TIFF has several), checked before decoding."""
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            _check_size(path, w, h, limits, "the image")
            pages: list[PageImage] = []
            for i, frame in enumerate(ImageSequence.Iterator(im)):
                if i >= limits.max_pages:
                    raise InputError(path, f"the image has more than {limits.max_pages} pages")
                fw, fh = frame.size
                _check_size(path, fw, fh, limits, f"page {i + 1} of the image")
                rgb = np.asarray(frame.convert("RGB"))
                dpi_tag = frame.info.get("dpi")
                dpi = float(dpi_tag[0]) if dpi_tag and dpi_tag[0] and 70 <= float(dpi_tag[0]) <= 1200 else 0.0
                dpi = dpi or estimate_dpi(fw, fh)
                pages.append(PageImage(first_number + i, np.ascontiguousarray(rgb[:, :, ::-1]), dpi, "image-file"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(path, f"the image is too large to decode safely ({exc})") from exc
    except (Image.UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InputError(path, f"not a readable image ({exc})") from exc
    if not pages:
        raise InputError(path, "the image has no pages")
    return pages


def _natural_key(p: Path) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name.lower())]


def image_folder_pages(folder: Path, limits: ImageLimits) -> list[tuple[Path, bytes]]:
    """The page images of a folder, in natural order (page2 before page10)."""
    files = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                   key=_natural_key)
    if not files:
        raise InputError(folder, "the folder holds no page images (jpg, png, tif)")
    if len(files) > limits.max_pages:
        raise InputError(folder, f"the folder holds {len(files)} images, over the limit of {limits.max_pages} pages")
    return [(p, p.read_bytes()) for p in files]


def render_pdf_page(page: object, dpi: float, limits: ImageLimits) -> PageImage:
    """Render a PDF page at ``dpi``, lowered where needed to stay under the pixel cap."""
    import pymupdf

    if not isinstance(page, pymupdf.Page):
        raise TypeError("render_pdf_page needs a pymupdf.Page")
    w_in, h_in = page.rect.width / 72, page.rect.height / 72
    cap_dpi = (limits.max_pixels / max(w_in * h_in, 1e-6)) ** 0.5
    use = min(dpi, cap_dpi)
    pix = page.get_pixmap(dpi=int(use), colorspace=pymupdf.csRGB, alpha=False)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3)[:, :, ::-1]
    return PageImage(page.number + 1, np.ascontiguousarray(img), pix.w / w_in, "pdf-render")
