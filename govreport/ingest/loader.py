"""Open any supported input after checking what it really is, within limits."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from govreport.errors import InputError, MissingDependencyError
from govreport.ingest.images import IMAGE_SUFFIXES, ImageLimits, PageImage, decode_image, image_folder_pages
from govreport.ingest.scanned import Scanner
from govreport.ir import Document


@dataclass(frozen=True)
class InputLimits:
    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 300
    image: ImageLimits = field(default_factory=ImageLimits)


Reader = Callable[[Path, bytes], Document]



def sniff(path: Path, data: bytes) -> str:
    """The real kind of ``data``: pdf, docx, doc, html, text. Raises InputError otherwise."""
    head = data[:2048]
    suffix = path.suffix.lower()
    if head.lstrip()[:5] == b"%PDF-" or (b"%PDF-" in data[:1024]):
        return "pdf"
    if head[:3] == b"\xff\xd8\xff" or head[:8] == b"\x89PNG\r\n\x1a\n" or head[:4] in (b"II*\x00", b"MM\x00*") \
            or head[:2] == b"BM" or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head[:4] == b"PK\x03\x04":
        if b"word/" in data[:65536] or suffix == ".docx":
            return "docx"
        raise InputError(path, "a ZIP archive that is not a Word document (archives are not read yet)")
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "doc"
    if head[:5] == b"{\\rtf":
        return "doc"
    lowered = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in data[:200000].lower():
        return "html"
    if suffix == ".pdf":
        raise InputError(path, "named .pdf but is not a PDF (no %PDF- header)")
    if suffix in IMAGE_SUFFIXES:
        raise InputError(path, f"named {suffix} but is not an image this reader knows")
    if suffix in (".docx", ".doc", ".wps"):
        raise InputError(path, f"named {suffix} but is not a Word document")
    if _is_text(head):
        return "text"
    raise InputError(path, "unsupported file type (expected PDF, DOCX, DOC, HTML or text)")


def _is_text(head: bytes) -> bool:
    for enc in ("utf-8", "gb18030"):
        try:
            # incremental: the sample may end in the middle of a multi-byte character
            s = codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in s)
        return printable >= 0.95 * max(1, len(s))
    return False


def _reader(kind: str) -> Reader:
    if kind == "pdf":
        from govreport.ingest.pdf import read_pdf

        return read_pdf
    if kind == "docx":
        from govreport.ingest.docx import read_docx

        return read_docx
    if kind == "doc":
        from govreport.ingest.office import read_legacy_doc

        return read_legacy_doc
    if kind == "html":
        from govreport.ingest.html import read_html

        return read_html
    from govreport.ingest.plaintext import read_text

    return read_text


def load_document(path: Path | str, limits: InputLimits | None = None, scanner: Scanner | None = None) -> Document:
    """Read ``path`` (a file, or a folder of page images) into the intermediate representation,
    or raise InputError saying why not. ``scanner`` reads page images (OCR); without it scanned
    pages are listed in the warnings and image inputs are refused."""
    limits = limits or InputLimits()
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        files = image_folder_pages(path, limits.image)
        pages = []
        for f, data in files:
            pages.extend(decode_image(f, data, limits.image, first_number=len(pages) + 1))
        return _scanned_document(path, "inode/directory", pages, scanner)
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "the file is empty")
    if size > limits.max_bytes:
        limit_mib = limits.max_bytes / 2**20
        raise InputError(path, f"the file is {size / 2**20:.0f} MiB, over the limit of {limit_mib:.0f} MiB")
    data = path.read_bytes()
    kind = sniff(path, data)
    if kind == "pdf":
        from govreport.ingest.pdf import PdfLimits, read_pdf

        return read_pdf(path, data, PdfLimits(max_pages=limits.max_pages, image=limits.image), scanner)
    if kind == "image":
        return _scanned_document(path, _image_media_type(data), decode_image(path, data, limits.image), scanner)
    return _reader(kind)(path, data)


def _image_media_type(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"\x89PNG":
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return "image/other"


def _scanned_document(path: Path, media_type: str, pages: list[PageImage], scanner: Scanner | None) -> Document:
    if scanner is None:
        raise MissingDependencyError(path, "an OCR engine", "pip install govreport with rapidocr")
    from govreport.layout.crosspage import join_across_pages

    scanned = scanner(pages)
    return Document(path=str(path), media_type=media_type, pages=scanned.pages, text_blocks=scanned.blocks,
                    tables=join_across_pages(scanned.tables, scanned.blocks), warnings=scanned.warnings)
