"""Choosing an OCR engine: options, and factories for the line recogniser and the page reader.

Engines are imported only when chosen; models load on first use and are shared within the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govreport.ocr.base import LineRecognizer, PageReader

ENGINES = ("rapid", "tesseract", "paddle")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class OcrOptions:
    engine: str = "rapid"  # "rapid" | "tesseract" | "paddle"
    device: str = "auto"  # "auto" (CUDA when onnxruntime-gpu offers it) | "cpu" | "cuda"
    threads: int = 0  # intra-op threads per model; 0 = one per core
    batch_size: int = 32  # crops per recognition batch
    det_side_len: int = 960  # page reader: longest side the text detector sees (speed vs small print)
    model_dir: str | Path | None = None  # user-supplied model files (else $GOVREPORT_MODEL_DIR, then rapidocr's)
    lang: str = "chi_sim"  # tesseract languages

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"OCR engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.device not in DEVICES:
            raise ValueError(f"OCR device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        if self.threads < 0 or self.batch_size < 1:
            raise ValueError("OCR threads must be >= 0 and batch_size >= 1")


def make_recognizer(options: OcrOptions | None = None) -> LineRecognizer:
    """The line recogniser for table cells (MissingDependencyError when the engine is not installed)."""
    opts = options or OcrOptions()
    if opts.engine == "tesseract":
        from govreport.ocr.tesseract import TesseractLineRecognizer

        return TesseractLineRecognizer(lang=opts.lang)
    if opts.engine == "paddle":
        from govreport.ocr.paddle import PaddleLineRecognizer

        return PaddleLineRecognizer(model_dir=opts.model_dir, device=opts.device, batch_size=opts.batch_size)
    from govreport.ocr.rapid import RapidLineRecognizer

    return RapidLineRecognizer(device=opts.device, threads=opts.threads, batch_size=opts.batch_size,
                               model_dir=opts.model_dir)


def make_page_reader(options: OcrOptions | None = None) -> PageReader:
    """The whole-page reader for narrative text (MissingDependencyError when the engine is not installed)."""
    opts = options or OcrOptions()
    if opts.engine == "tesseract":
        from govreport.ocr.tesseract import TesseractPageReader

        return TesseractPageReader(lang=opts.lang)
    if opts.engine == "paddle":
        from govreport.ocr.paddle import PaddlePageReader

        return PaddlePageReader(model_dir=opts.model_dir, device=opts.device)
    from govreport.ocr.rapid import RapidPageReader

    return RapidPageReader(device=opts.device, threads=opts.threads, det_side_len=opts.det_side_len,
                           model_dir=opts.model_dir)
