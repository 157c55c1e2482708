"""OCR with the PP-OCR models that rapidocr ships, run directly on ONNX Runtime.

``RapidLineRecognizer`` reads table-cell crops: it does its own batching and CTC decoding so that numeric cells
get top-k alternatives with probabilities. Crops are padded to a few fixed widths (buckets) and only crops of
one bucket share a batch, so a crop reads the same whatever else is in the call. ``RapidPageReader`` reads the
narrative text of whole pages: rapidocr's text detector finds the lines, ``RapidLineRecognizer`` reads them.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from govreport.models.device import CUDA, check_device, make_session, providers_for
from govreport.models.registry import find_model
from govreport.ocr.base import Alternative, LineReading, PageLine
from govreport.ocr.ctc import NumericCharset, greedy, prefix_beam_search, sharpen
from govreport.ocr.order import reading_order

REC_HEIGHT = 48
MIN_SIDE = 4  # a crop smaller than this (pixels) cannot show a character: empty reading, confidence 0
MAX_WIDTH = 3072  # resized widths beyond this (aspect > 64) are squeezed: no table line is that long
BLANK_RANGE = 12  # a crop whose grey levels span fewer steps than this holds no ink: empty, confidence 1

UNREAD = LineReading("", 0.0)


def padded_width(width: int, min_width: int = 0) -> int:
    """Bucketed input width: a multiple of 16 px, rounded up to within 25% of ``width`` (fewer distinct shapes,
    little padding)."""
    w = max(width, min_width, 16)
    step = max(16, (1 << (w.bit_length() - 1)) // 4)
    return -(-w // step) * step


def resized_width(crop: np.ndarray) -> int:
    """Width of the crop scaled to the model's height, keeping its aspect ratio (as rapidocr computes it)."""
    h, w = crop.shape[:2]
    return min(MAX_WIDTH, max(1, math.ceil(REC_HEIGHT * w / h)))


def as_bgr(crop: np.ndarray) -> np.ndarray:
    """A crop as a contiguous 3-channel uint8 image: grey and BGRA inputs are converted, anything else refused."""
    if not isinstance(crop, np.ndarray) or crop.dtype != np.uint8:
        raise ValueError(f"a crop must be a uint8 numpy image, not {getattr(crop, 'dtype', type(crop))}")
    if crop.ndim == 3 and crop.shape[2] in (3, 4):
        return np.ascontiguousarray(crop[:, :, :3])
    if crop.ndim == 2 or (crop.ndim == 3 and crop.shape[2] == 1):
        grey = np.ascontiguousarray(crop.reshape(crop.shape[:2]))
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR) if grey.size else np.zeros((*grey.shape, 3), np.uint8)
    raise ValueError(f"a crop must be HxW, HxWx3 (BGR) or HxWx4, not shape {crop.shape}")


def normalise(crop: np.ndarray, width: int) -> np.ndarray:
    """(3, 48, width) float32 input: resize to height 48 keeping aspect, (x/255 - 0.5)/0.5, zero padding on
    the right (rapidocr's ``resize_norm_img``)."""
    rw = min(width, resized_width(crop))
    resized = cv2.resize(crop, (rw, REC_HEIGHT)).astype(np.float32)
    out = np.zeros((3, REC_HEIGHT, width), dtype=np.float32)
    out[:, :, :rw] = resized.transpose(2, 0, 1) / 255.0 * 2.0 - 1.0
    return out


def is_blank(crop: np.ndarray) -> bool:
    grey = crop.min(axis=2)
    return int(grey.max()) - int(grey.min()) < BLANK_RANGE


@dataclass(frozen=True)
class _Read:
    """What one model pass over a crop leaves to decode: the greedy text reading, and the per-step
    probabilities over the numeric alphabet with the share of probability that alphabet kept."""

    text: str
    confidence: float
    numeric: np.ndarray
    kept: np.ndarray


class _ReadCache:
    """Bounded LRU of model passes by crop content, so that re-reading a crop in numeric mode after a text-mode
    pass (or again in a later call) costs no second model run."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[bytes, tuple[int, ...]], _Read] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(crop: np.ndarray) -> tuple[bytes, tuple[int, ...]]:
        return hashlib.blake2b(np.ascontiguousarray(crop).data, digest_size=16).digest(), crop.shape

    def get(self, key: tuple[bytes, tuple[int, ...]]) -> _Read | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[bytes, tuple[int, ...]], value: _Read) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


BATCH_PIXEL_WIDTH = 32 * 320  # a batch holds at most this many padded pixel columns (32 crops of 320)


class RapidLineRecognizer:
    """Line recognition with the PP-OCR recognition model on ONNX Runtime.

    Text mode: greedy CTC over the model's full charset; confidence = mean probability of the emitted characters.
    Numeric mode: the model's probabilities restricted to blank + ``NUMERIC_ALPHABET`` (look-alike glyphs such as
    full-width digits folded in), renormalised per step and sharpened (``sharpness``, see ``ctc.sharpen``); a CTC
    prefix beam search gives the ``top_k`` most probable distinct strings with their probabilities (comparable
    across cells, summing to at most 1); the reading is the best one. Its confidence is that probability times
    the smallest share of probability the unrestricted model put on the alphabet at any step, which is low when
    the crop shows other characters.

    Crops are padded to bucketed widths (``padded_width``) and batched by bucket; ``min_width=320`` pads as
    rapidocr does (a little more accurate on one- or two-digit cells, about 3-4x slower).
    """

    name = "rapid"

    def __init__(self, device: str = "auto", threads: int = 0, batch_size: int = 32, beam_width: int = 12,
                 sharpness: float = 1.5, min_width: int = 0, cache_size: int = 20000,
                 model_dir: str | Path | None = None) -> None:
        if batch_size < 1 or beam_width < 1 or min_width < 0 or threads < 0 or sharpness <= 0:
            raise ValueError("batch_size and beam_width must be >= 1; min_width and threads >= 0; sharpness > 0")
        self.device = check_device(device)
        self.threads = threads
        self.batch_size = batch_size
        self.beam_width = beam_width
        self.sharpness = sharpness  # exponent on the numeric per-step probabilities before the beam search; 1 = off
        self.min_width = min_width
        self.model_path = find_model("rec", model_dir)
        self._cache = _ReadCache(cache_size)
        self._session: Any = None
        self._charset: list[str] = []
        self._numeric: NumericCharset | None = None

    def _load(self) -> tuple[Any, list[str], NumericCharset]:
        if self._session is None or self._numeric is None:
            session = make_session(self.model_path, self.device, self.threads)
            meta = session.get_modelmeta().custom_metadata_map
            if "character" not in meta:
                raise ValueError(f"{self.model_path} has no 'character' list in its metadata: not a PP-OCR rec model")
            self._charset = ["", *meta["character"].splitlines(), " "]  # CTC blank first, space last
            self._numeric = NumericCharset.build(self._charset)
            self._session = session
        return self._session, self._charset, self._numeric

    @property
    def provider(self) -> str:
        """The execution provider the model runs on (loads the model)."""
        session, _, _ = self._load()
        return str(session.get_providers()[0])

    def recognize(self, crops: Sequence[np.ndarray], numeric: Sequence[bool], top_k: int = 3) -> list[LineReading]:
        if len(crops) != len(numeric):
            raise ValueError(f"{len(crops)} crops but {len(numeric)} numeric flags")
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, not {top_k}")
        images = [as_bgr(c) for c in crops]
        reads: list[_Read | LineReading | None] = [self._trivial(img, num)
                                                   for img, num in zip(images, numeric, strict=True)]
        todo = [i for i, r in enumerate(reads) if r is None]
        keys = {i: self._cache.key(images[i]) for i in todo}
        found: dict[tuple[bytes, tuple[int, ...]], _Read] = {}
        missing: dict[tuple[bytes, tuple[int, ...]], int] = {}  # identical crops run once
        for i in todo:
            hit = self._cache.get(keys[i])
            if hit is not None:
                found[keys[i]] = hit
            else:
                missing.setdefault(keys[i], i)
        for key, read in zip(missing, self._run([images[i] for i in missing.values()]), strict=True):
            self._cache.put(key, read)
            found[key] = read
        for i in todo:
            reads[i] = found[keys[i]]
        return [self._reading(r, num, top_k) for r, num in zip(reads, numeric, strict=True)]

    @staticmethod
    def _trivial(crop: np.ndarray, numeric: bool) -> LineReading | None:
        """The reading of a crop that needs no model: too small to hold a character, or without any ink."""
        h, w = crop.shape[:2]
        if h < MIN_SIDE or w < MIN_SIDE:
            return UNREAD
        if is_blank(crop):
            return LineReading("", 1.0, (Alternative("", 1.0),) if numeric else ())
        return None

    def _reading(self, read: _Read | LineReading | None, numeric: bool, top_k: int) -> LineReading:
        if read is None:
            raise RuntimeError("a crop was left unread")  # a defect of ours, never the input's
        if isinstance(read, LineReading):
            return read
        if not numeric:
            return LineReading(read.text, read.confidence)
        _, _, numeric_set = self._load()
        probs = sharpen(read.numeric.astype(np.float64), self.sharpness)
        alternatives = prefix_beam_search(probs, numeric_set.chars, self.beam_width, top_k)
        if not alternatives:
            return UNREAD
        share = float(read.kept.min()) if read.kept.size else 0.0
        return LineReading(alternatives[0].text, alternatives[0].prob * share, tuple(alternatives))

    def _run(self, crops: list[np.ndarray]) -> list[_Read]:
        """One model pass per crop, batched by width bucket, results in input order."""
        out: list[_Read | None] = [None] * len(crops)
        for width, indices in self._batches(crops):
            batch = np.stack([normalise(crops[i], width) for i in indices])
            for i, read in zip(indices, self._infer(batch), strict=True):
                out[i] = read
        return [r for r in out if r is not None]

    def _batches(self, crops: list[np.ndarray]) -> list[tuple[int, list[int]]]:
        buckets: dict[int, list[int]] = {}
        for i, crop in enumerate(crops):
            buckets.setdefault(padded_width(resized_width(crop), self.min_width), []).append(i)
        out = []
        for width, members in sorted(buckets.items()):
            # Long lines (running text) in smaller batches: the model's activations grow with the batch's
            # width, and one batch of 32 page-wide lines takes most of a gigabyte.
            size = max(1, min(self.batch_size, BATCH_PIXEL_WIDTH // max(width, 1)))
            out += [(width, members[j:j + size]) for j in range(0, len(members), size)]
        return out

    def _infer(self, batch: np.ndarray) -> list[_Read]:
        session, charset, numeric = self._load()
        probs = session.run(None, {session.get_inputs()[0].name: batch})[0]
        restricted, kept = numeric.restrict(probs)
        reads = []
        for b in range(probs.shape[0]):
            text, confidence = greedy(probs[b], charset)
            reads.append(_Read(text.strip(), confidence, restricted[b].astype(np.float32), kept[b].astype(np.float32)))
        return reads


@functools.lru_cache(maxsize=4)
def _detector(det_side_len: int, device: str, threads: int, model_dir: str | None) -> Any:
    """rapidocr's engine, used for text detection (and the optional 180-degree line classifier) only."""
    from rapidocr import RapidOCR

    use_cuda = CUDA in [p[0] if isinstance(p, tuple) else p for p in providers_for(device)]
    params = {
        "Global.max_side_len": 1 << 20,  # no global downscale: Det.limit_side_len alone sizes the detector input
        "Global.log_level": "error",  # an empty page (all tables masked) is normal here, not a warning
        "Det.model_path": str(find_model("det", model_dir)),
        "Det.limit_type": "max",
        "Det.limit_side_len": det_side_len,
        "Cls.model_path": str(find_model("cls", model_dir)),
        "Rec.model_path": str(find_model("rec", model_dir)),  # never loaded; set so that nothing would download
        "EngineConfig.onnxruntime.intra_op_num_threads": threads if threads > 0 else -1,
        "EngineConfig.onnxruntime.use_cuda": use_cuda,
        "EngineConfig.onnxruntime.cuda_ep_cfg.cudnn_conv_algo_search": "HEURISTIC",
    }
    return RapidOCR(params=params)


class RapidPageReader:
    """Detects and reads the text lines of a page, fully offline with the models rapidocr ships: rapidocr's
    PP-OCR detector finds the lines, ``RapidLineRecognizer`` reads them (bucketed batches: about 4x faster than
    rapidocr's own recogniser, which pads every line to 320 px). The 180-degree line classifier is off by default.

    ``det_side_len`` caps the longer side of the image the detector sees (speed versus small print); lines are
    always cut from the full-resolution image. Lines read with confidence below ``min_score`` are dropped.
    """

    name = "rapid"

    def __init__(self, device: str = "auto", threads: int = 0, det_side_len: int = 1280, use_cls: bool = False,
                 min_score: float = 0.5, batch_size: int = 32, model_dir: str | Path | None = None) -> None:
        if det_side_len < 32:
            raise ValueError("det_side_len must be at least 32 pixels")
        self.device = check_device(device)
        self.threads = threads
        self.det_side_len = det_side_len
        self.use_cls = use_cls
        self.min_score = min_score
        self.model_dir = str(model_dir) if model_dir is not None else None
        for name in ("det", "cls"):
            find_model(name, model_dir)  # fail now, not on the first page
        self.recognizer = RapidLineRecognizer(device=device, threads=threads, batch_size=batch_size, cache_size=0,
                                              model_dir=model_dir)

    def _engine(self) -> Any:
        return _detector(self.det_side_len, self.device, self.threads, self.model_dir)

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Quadrilaterals (4 x 2, clockwise from top-left, pixels) of the text lines on a BGR page."""
        result = self._engine()(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(result, "boxes", None)
        return [] if boxes is None else [np.asarray(b, dtype=np.float32) for b in boxes]

    def read_page(self, image: np.ndarray) -> list[PageLine]:
        img = as_bgr(image)
        if img.shape[0] < MIN_SIDE or img.shape[1] < MIN_SIDE:
            return []
        quads = self.detect(img)
        crops = [crop_quad(img, q) for q in quads]
        if self.use_cls:
            crops = [self._upright(c) for c in crops]
        readings = self.recognizer.recognize(crops, [False] * len(crops))
        lines = [PageLine(r.text, _bbox(q), r.confidence)
                 for q, r in zip(quads, readings, strict=True) if r.text and r.confidence >= self.min_score]
        return reading_order(lines)

    def _upright(self, crop: np.ndarray) -> np.ndarray:
        result = self._engine()(crop, use_det=False, use_cls=True, use_rec=False)
        imgs = getattr(result, "img_list", None)
        return imgs[0] if imgs else crop


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The line inside a quadrilateral, warped to a rectangle; tall results (vertical text) turned to lie flat
    (as rapidocr crops)."""
    pts = quad.astype(np.float32)
    width = max(1, int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3]))))
    height = max(1, int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    warp = cv2.getPerspectiveTransform(pts, target)
    crop = cv2.warpPerspective(image, warp, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    return np.ascontiguousarray(np.rot90(crop)) if height >= 1.5 * width else crop


def _bbox(quad: np.ndarray) -> tuple[float, float, float, float]:
    pts = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())
