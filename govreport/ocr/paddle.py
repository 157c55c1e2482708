"""Optional OCR through PaddleOCR 3.x, for users who have it and its models on disk. govreport never lets it
download: a local model folder is required (``<model_dir>/det`` and ``<model_dir>/rec``, PaddleOCR inference
model folders). Not exercised by the test suite (paddleocr is not a dependency)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from govreport.errors import MissingDependencyError
from govreport.ocr.base import Alternative, LineReading, PageLine
from govreport.ocr.order import reading_order

INSTALL_HINT = "pip install paddlepaddle paddleocr, and give model_dir with det/ and rec/ inference models"


def _paddleocr() -> Any:
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")  # no connectivity check on import
    try:
        import paddleocr
    except ImportError as exc:
        raise MissingDependencyError("OCR engine 'paddle'", "paddleocr", INSTALL_HINT) from exc
    return paddleocr


def _model_folder(model_dir: str | Path | None, part: str) -> Path:
    if model_dir is None:
        raise MissingDependencyError("OCR engine 'paddle'", "a local PaddleOCR model folder (model_dir)", INSTALL_HINT)
    folder = Path(model_dir).expanduser() / part
    if not folder.is_dir():
        raise MissingDependencyError("OCR engine 'paddle'", f"PaddleOCR {part} model in {folder}", INSTALL_HINT)
    return folder


def _paddle_device(device: str) -> str:
    return "gpu:0" if device == "cuda" else "cpu"


class PaddleLineRecognizer:
    """PaddleOCR text-line recognition; numeric mode keeps the reading as its only alternative."""

    name = "paddle"

    def __init__(self, model_dir: str | Path | None = None, device: str = "cpu", batch_size: int = 32) -> None:
        rec = _model_folder(model_dir, "rec")
        self._model = _paddleocr().TextRecognition(model_dir=str(rec), device=_paddle_device(device))
        self.batch_size = batch_size

    def recognize(self, crops: Sequence[np.ndarray], numeric: Sequence[bool], top_k: int = 3) -> list[LineReading]:
        if len(crops) != len(numeric):
            raise ValueError(f"{len(crops)} crops but {len(numeric)} numeric flags")
        if not crops:
            return []
        results = list(self._model.predict(input=list(crops), batch_size=self.batch_size))
        out = []
        for res, num in zip(results, numeric, strict=True):
            text, score = str(res["rec_text"]).strip(), float(res["rec_score"])
            out.append(LineReading(text, score, (Alternative(text, max(score, 1e-6)),) if num else ()))
        return out


class PaddlePageReader:
    """PaddleOCR's detection + recognition pipeline, document orientation and unwarping off."""

    name = "paddle"

    def __init__(self, model_dir: str | Path | None = None, device: str = "cpu") -> None:
        det, rec = _model_folder(model_dir, "det"), _model_folder(model_dir, "rec")
        self._pipeline = _paddleocr().PaddleOCR(
            text_detection_model_dir=str(det), text_recognition_model_dir=str(rec),
            use_doc_orientation_classify=False, use_doc_unwarping=False, use_textline_orientation=False,
            device=_paddle_device(device))

    def read_page(self, image: np.ndarray) -> list[PageLine]:
        lines: list[PageLine] = []
        for res in self._pipeline.predict(image):
            for text, score, box in zip(res["rec_texts"], res["rec_scores"], res["rec_boxes"], strict=True):
                x0, y0, x1, y1 = (float(v) for v in box)
                if str(text).strip():
                    lines.append(PageLine(str(text).strip(), (x0, y0, x1, y1), float(score)))
        return reading_order(lines)
