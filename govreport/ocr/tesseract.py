"""Optional OCR through Tesseract (``pytesseract`` and the ``chi_sim`` traineddata). Slower and weaker than the
rapid engine on Chinese; offered for machines where ONNX Runtime is not wanted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from govreport.errors import MissingDependencyError
from govreport.ocr.base import NUMERIC_ALPHABET, Alternative, LineReading, PageLine

INSTALL_HINT = "pip install pytesseract; apt-get install tesseract-ocr tesseract-ocr-chi-sim"
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def load_pytesseract(lang: str) -> Any:
    """The pytesseract module, once the tesseract binary and every language in ``lang`` ("chi_sim+eng") are
    found; MissingDependencyError otherwise."""
    try:
        import pytesseract
    except ImportError as exc:
        raise MissingDependencyError("OCR engine 'tesseract'", "pytesseract", INSTALL_HINT) from exc
    try:
        available = set(pytesseract.get_languages(config=""))
    except (OSError, RuntimeError, pytesseract.TesseractNotFoundError) as exc:
        raise MissingDependencyError("OCR engine 'tesseract'", "the tesseract program", INSTALL_HINT) from exc
    missing = [code for code in lang.split("+") if code not in available]
    if missing:
        raise MissingDependencyError("OCR engine 'tesseract'", f"tesseract language data {'+'.join(missing)}",
                                     INSTALL_HINT)
    return pytesseract


def _rgb(image: np.ndarray) -> np.ndarray:
    return image[:, :, ::-1] if image.ndim == 3 and image.shape[2] >= 3 else image


def _words(data: dict[str, list[Any]]) -> list[tuple[str, float, tuple[int, int, int, int], tuple[int, ...]]]:
    """(text, confidence 0..1, (x, y, w, h), line key) of each recognised word of an ``image_to_data`` dict."""
    out = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not str(text).strip():
            continue
        box = (int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]))
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        out.append((str(text).strip(), conf / 100.0, box, key))
    return out


def _join(words: Sequence[str], numeric: bool) -> str:
    return "".join(words) if numeric else _CJK_GAP.sub("", " ".join(words))


class TesseractLineRecognizer:
    """Reads one crop at a time (page segmentation mode 7, a single line). Numeric mode whitelists the numeric
    alphabet; its only alternative is the reading itself, with the mean word confidence as probability."""

    name = "tesseract"

    def __init__(self, lang: str = "chi_sim") -> None:
        self.lang = lang
        self._tess = load_pytesseract(lang)

    def recognize(self, crops: Sequence[np.ndarray], numeric: Sequence[bool], top_k: int = 3) -> list[LineReading]:
        if len(crops) != len(numeric):
            raise ValueError(f"{len(crops)} crops but {len(numeric)} numeric flags")
        return [self._read(crop, num) for crop, num in zip(crops, numeric, strict=True)]

    def _read(self, crop: np.ndarray, numeric: bool) -> LineReading:
        if crop.size == 0 or min(crop.shape[:2]) < 4:
            return LineReading("", 0.0)
        config = "--psm 7"
        if numeric:
            config += f" -c tessedit_char_whitelist={NUMERIC_ALPHABET}"
        data = self._tess.image_to_data(_rgb(crop), lang=self.lang, config=config,
                                        output_type=self._tess.Output.DICT)
        words = _words(data)
        text = _join([w[0] for w in words], numeric)
        confidence = float(np.mean([w[1] for w in words])) if words else 1.0
        alternatives = (Alternative(text, max(confidence, 1e-6)),) if numeric else ()
        return LineReading(text, confidence, alternatives)


class TesseractPageReader:
    """Whole-page text lines from Tesseract's automatic page segmentation (mode 3), in its reading order."""

    name = "tesseract"

    def __init__(self, lang: str = "chi_sim") -> None:
        self.lang = lang
        self._tess = load_pytesseract(lang)

    def read_page(self, image: np.ndarray) -> list[PageLine]:
        data = self._tess.image_to_data(_rgb(image), lang=self.lang, config="--psm 3",
                                        output_type=self._tess.Output.DICT)
        lines: dict[tuple[int, ...], list[tuple[str, float, tuple[int, int, int, int]]]] = {}
        for text, conf, box, key in _words(data):
            lines.setdefault(key, []).append((text, conf, box))
        return [_page_line(words) for words in lines.values()]


def _page_line(words: list[tuple[str, float, tuple[int, int, int, int]]]) -> PageLine:
    x0 = min(b[0] for _, _, b in words)
    y0 = min(b[1] for _, _, b in words)
    x1 = max(b[0] + b[2] for _, _, b in words)
    y1 = max(b[1] + b[3] for _, _, b in words)
    text = _join([w for w, _, _ in words], numeric=False)
    return PageLine(text, (float(x0), float(y0), float(x1), float(y1)), float(np.mean([c for _, c, _ in words])))
