"""PDFs with a text layer: words from PyMuPDF, table grids from the vector ruling lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf

from govreport.errors import InputError
from govreport.ingest.images import ImageLimits, PageImage, render_pdf_page
from govreport.ingest.scanned import Scanner
from govreport.ir import BBox, Document, Page, Table, TextBlock, TextSource, Word
from govreport.layout.cells import Glyph, fill_grid
from govreport.layout.crosspage import is_page_furniture, join_across_pages
from govreport.layout.grid import find_grids
from govreport.layout.vector import segments_from_drawings

MIN_TEXT_CHARS = 20  # a page with fewer text-layer characters is treated as image-only


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = 300
    image: ImageLimits = field(default_factory=ImageLimits)


def open_pdf(path: Path, data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        raise InputError(path, f"not a readable PDF ({exc})") from exc
    if doc.needs_pass or doc.is_encrypted:
        raise InputError(path, "the PDF is encrypted (password protected); give an unprotected copy")
    if doc.page_count == 0:
        raise InputError(path, "the PDF has no pages")
    return doc


def _page_chars(page: pymupdf.Page) -> tuple[list[Glyph], list[Word], list[TextBlock]]:
    """Characters (for table cells), words, and the page's text lines, from one rawdict pass."""
    raw: dict[str, Any] = page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_IMAGES)
    glyphs: list[Glyph] = []
    words: list[Word] = []
    lines: list[tuple[str, BBox, list[int]]] = []
    for block in raw.get("blocks", ()):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", ()):
            first = len(glyphs)
            text_parts: list[str] = []
            for span in line.get("spans", ()):
                run: list[Glyph] = []
                for ch in span.get("chars", ()):
                    c = ch["c"]
                    x0, y0, x1, y1 = ch["bbox"]
                    if c.isspace():
                        _flush(run, words)
                        run = []
                        text_parts.append(c)
                        continue
                    g = Glyph(c, x0, y0, x1, y1)
                    glyphs.append(g)
                    run.append(g)
                    text_parts.append(c)
                _flush(run, words)
            if len(glyphs) > first:
                x0, y0, x1, y1 = line["bbox"]
                lines.append(("".join(text_parts), BBox(x0=x0, y0=y0, x1=x1, y1=y1), list(range(first, len(glyphs)))))
    blocks = [TextBlock(text=t, page=page.number + 1, bbox=b) for t, b, _ in lines]
    return glyphs, words, blocks


def _flush(run: list[Glyph], words: list[Word]) -> None:
    if not run:
        return
    # model_construct: these values come straight from PyMuPDF's floats, validation would only cost time
    bbox = BBox.model_construct(x0=min(g.x0 for g in run), y0=min(g.y0 for g in run), x1=max(g.x1 for g in run),
                                y1=max(g.y1 for g in run))
    words.append(Word.model_construct(text="".join(g.text for g in run), bbox=bbox, confidence=1.0,
                                      source=TextSource.TEXT_LAYER))


def _last_on_page(bbox: tuple[float, float, float, float], lines: list[TextBlock]) -> bool:
    bottom = bbox[3]
    return not any(b.bbox is not None and b.bbox.y0 >= bottom - 1 and not is_page_furniture(b.text) for b in lines)


def _inside_any(b: BBox, tables: list[Table]) -> bool:
    return any(t.bbox and t.bbox.x0 - 1 <= b.cx <= t.bbox.x1 + 1 and t.bbox.y0 - 1 <= b.cy <= t.bbox.y1 + 1
               for t in tables)


def read_pdf(path: Path, data: bytes, limits: PdfLimits | None = None, scanner: Scanner | None = None) -> Document:
    """Read a PDF's text layer and ruled tables; pages without a text layer go to ``scanner`` (OCR).

    Each page takes its own path, and the page list says which (``Page.source``)."""
    limits = limits or PdfLimits()
    doc = open_pdf(path, data)
    if doc.page_count > limits.max_pages:
        raise InputError(path, f"the PDF has {doc.page_count} pages, over the limit of {limits.max_pages}")
    damaged = None
    if doc.is_repaired or not data.rstrip().endswith(b"%%EOF"):
        damaged = "the PDF is damaged or truncated (its structure had to be repaired)"
        warnings_init = [damaged + "; pages may be missing"]
    else:
        warnings_init = []
    pages: list[Page] = []
    tables: list[Table] = []
    blocks: list[TextBlock] = []
    warnings: list[str] = warnings_init
    scan_pages: list[PageImage] = []
    try:
        for page in doc:
            number = page.number + 1
            try:
                glyphs, words, lines = _page_chars(page)
                drawings = page.get_drawings()
            except (RuntimeError, ValueError) as exc:
                raise InputError(path, f"page {number} cannot be read ({exc})") from exc
            pages.append(Page(number=number, width=page.rect.width, height=page.rect.height,
                              source=TextSource.TEXT_LAYER, words=words))
            if len(glyphs) < MIN_TEXT_CHARS:
                if page.get_images():
                    if scanner is None:
                        warnings.append(f"page {number} has no text layer (a scanned page); it was not read")
                    else:
                        scan_pages.append(render_pdf_page(page, scanner.render_dpi, limits.image))
                elif glyphs or drawings:
                    warnings.append(f"page {number} has almost no text ({len(glyphs)} characters)")
                continue
            page_tables: list[Table] = []
            grids = find_grids(segments_from_drawings(drawings))
            for gi, grid in enumerate(grids):
                # A single framed box is a table only as the last thing on a page: the first row of a
                # table that a page break cuts off (a framed title elsewhere stays running text).
                if len(grid.cells) < 2 and not (gi == len(grids) - 1 and _last_on_page(grid.bbox, lines)):
                    continue
                table, _ = fill_grid(grid, glyphs, number, TextSource.TEXT_LAYER)
                page_tables.append(table)
            tables.extend(page_tables)
            blocks.extend(b for b in lines if b.bbox is None or not _inside_any(b.bbox, page_tables))
    finally:
        doc.close()
    if scan_pages and scanner is not None:
        scanned = scanner(scan_pages)
        by_number = {p.number: p for p in scanned.pages}
        pages = [by_number.get(p.number, p) for p in pages]
        tables = sorted([*tables, *scanned.tables], key=lambda t: (t.pages[0], t.bbox.y0 if t.bbox else 0.0))
        blocks = sorted([*blocks, *scanned.blocks], key=lambda b: b.page)
        warnings.extend(scanned.warnings)
    return Document(
        path=str(path),
        media_type="application/pdf",
        pages=pages,
        text_blocks=blocks,
        tables=join_across_pages(tables, blocks),
        warnings=warnings,
        damaged=damaged,
    )
