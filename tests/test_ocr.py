"""OCR engines: model registry, device choice, CTC decoding, the rapid line recogniser and page reader.

Crops are rendered here (cv2.putText for digits; a CJK font from the machine for Chinese, skipped without one).
"""

from __future__ import annotations

import glob
import itertools
import shutil
import socket
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from govreport.errors import MissingDependencyError
from govreport.models import registry
from govreport.models.device import CPU, make_session, providers_for
from govreport.ocr.base import NUMERIC_ALPHABET, LineReading, PageLine
from govreport.ocr.ctc import NumericCharset, greedy, prefix_beam_search
from govreport.ocr.engines import OcrOptions, make_page_reader, make_recognizer
from govreport.ocr.order import reading_order

FONT_GLOBS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/**/*CJK*.tt[cf]",
              "/usr/share/fonts/**/wqy-zenhei.ttc", "/usr/share/fonts/**/uming.ttc")


def cjk_font() -> str | None:
    for pattern in FONT_GLOBS:
        found = sorted(glob.glob(pattern, recursive=True))
        if found:
            return found[0]
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False).stdout
        files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
        return files[0] if files else None
    return None


def digits(text: str, scale: float = 1.0, thickness: int = 2, pad: int = 6) -> np.ndarray:
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    img = np.full((h + base + 2 * pad, w + 2 * pad, 3), 255, np.uint8)
    cv2.putText(img, text, (pad, pad + h), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness, cv2.LINE_AA)
    return img


def cjk(text: str, font_path: str, size: int = 32, pad: int = 6) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path, size)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("RGB", (right - left + 2 * pad, bottom - top + 2 * pad), "white")
    ImageDraw.Draw(img).text((pad - left, pad - top), text, font=font, fill="black")
    return cv2.cvtColor(np.array(img), cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="module")
def rec():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("rapidocr")
    from govreport.ocr.rapid import RapidLineRecognizer

    return RapidLineRecognizer(device="cpu", cache_size=0)


# -- registry and device ---------------------------------------------------------------------------------------


def test_find_model_shipped_override_and_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(registry.MODEL_DIR_ENV, raising=False)
    if registry.shipped_model_dir() is not None:
        assert registry.find_model("rec").name == registry.MODEL_FILES["rec"]
    own = tmp_path / registry.MODEL_FILES["det"]
    own.write_bytes(b"onnx")
    monkeypatch.setenv(registry.MODEL_DIR_ENV, str(tmp_path))
    assert registry.find_model("det") == own
    assert registry.find_model("det", model_dir=tmp_path / "elsewhere") == own  # env dir still searched
    assert registry.find_model(str(own)) == own
    with pytest.raises(registry.ModelNotFoundError, match=r"no-such-model\.onnx"):
        registry.find_model("no-such-model.onnx")


def test_device_choice() -> None:
    pytest.importorskip("onnxruntime")
    assert providers_for("cpu") == [CPU]
    assert providers_for("auto")[-1] == CPU
    with pytest.raises(ValueError, match="device"):
        providers_for("tpu")
    with pytest.raises(ValueError, match="threads"):
        make_session("x.onnx", "cpu", threads=-1)


def test_options_and_optional_engines(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="engine"):
        OcrOptions(engine="abbyy")
    with pytest.raises(ValueError, match="device"):
        OcrOptions(device="gpu")
    with pytest.raises(MissingDependencyError, match="paddle"):
        make_recognizer(OcrOptions(engine="paddle"))  # no model_dir: never downloads
    with pytest.raises(MissingDependencyError):
        make_page_reader(OcrOptions(engine="paddle", model_dir=tmp_path))
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match="pytesseract"):
            make_recognizer(OcrOptions(engine="tesseract"))


# -- CTC decoding ----------------------------------------------------------------------------------------------


def ctc_prob(probs: np.ndarray, label: tuple[int, ...]) -> float:
    """P(label | probs) by the CTC forward algorithm (column 0 blank)."""
    ext = [0]
    for c in label:
        ext += [c, 0]
    alpha = np.zeros(len(ext))
    alpha[0] = probs[0, 0]
    if label:
        alpha[1] = probs[0, ext[1]]
    for t in range(1, len(probs)):
        prev = alpha.copy()
        for s in range(len(ext)):
            a = prev[s] + (prev[s - 1] if s >= 1 else 0.0)
            if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]:
                a += prev[s - 2]
            alpha[s] = a * probs[t, ext[s]]
    return float(alpha[-1] + (alpha[-2] if len(ext) > 1 else 0.0))


def test_prefix_beam_search_gives_exact_string_probabilities() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4) * 0.5, size=6)  # T=6, blank + 3 symbols
    chars = "abc"
    every = {(): ctc_prob(probs, ())}
    for n in range(1, 7):
        for label in itertools.product((1, 2, 3), repeat=n):
            every[label] = ctc_prob(probs, label)
    assert sum(every.values()) == pytest.approx(1.0)
    best = sorted(every.items(), key=lambda kv: kv[1], reverse=True)[:3]
    found = prefix_beam_search(probs, chars, beam_width=2000, top_k=3, prune=0.0)
    assert [a.text for a in found] == ["".join(chars[c - 1] for c in lab) for lab, _ in best]
    assert [a.prob for a in found] == pytest.approx([p for _, p in best])


def test_greedy_and_numeric_restriction() -> None:
    charset = ["", "1", "l", "一", "—", "人"]
    probs = np.array([[0.9, 0.05, 0.05, 0, 0, 0], [0.1, 0.2, 0.6, 0, 0, 0.1], [0.1, 0, 0, 0.8, 0.1, 0]])
    assert greedy(probs, charset)[0] == "l一"
    numeric = NumericCharset.build(charset, NUMERIC_ALPHABET)
    assert numeric.chars == "1—"
    restricted, kept = numeric.restrict(probs)
    assert restricted.sum(axis=1) == pytest.approx(np.ones(3))
    assert restricted[2, 2] == pytest.approx(0.9 / 1.0)  # 一 folded into —
    assert kept[1] == pytest.approx(0.3)  # "l" and "人" are outside the numeric alphabet


def test_reading_order() -> None:
    lines = [PageLine("b", (300, 102, 400, 130), 1), PageLine("c", (10, 200, 100, 230), 1),
             PageLine("a", (10, 100, 200, 128), 1)]
    assert [ln.text for ln in reading_order(lines)] == ["a", "b", "c"]


# -- line recognition ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0", "7", "95", "2776", "9487", "7730.28", "+10"])
def test_numeric_cells(rec, text: str) -> None:
    reading = rec.recognize([digits(text)], [True])[0]
    assert reading.text == text
    assert reading.alternatives[0].text == text
    probs = [a.prob for a in reading.alternatives]
    assert all(0.0 < p <= 1.0 for p in probs)
    assert probs == sorted(probs, reverse=True)
    assert len({a.text for a in reading.alternatives}) == len(reading.alternatives) <= 3
    assert 0.5 < reading.confidence <= 1.0


def test_blank_tiny_and_empty_crops(rec) -> None:
    white = np.full((30, 80, 3), 255, np.uint8)
    out = rec.recognize([white, white, np.zeros((2, 40, 3), np.uint8), np.zeros((0, 0, 3), np.uint8),
                         np.full((30, 3), 255, np.uint8)], [True, False, True, False, True])
    assert [r.text for r in out] == [""] * 5
    assert out[0].alternatives[0].text == "" and out[0].confidence == 1.0
    assert out[1] == LineReading("", 1.0)
    assert [r.confidence for r in out[2:]] == [0.0, 0.0, 0.0]
    assert rec.recognize([], []) == []
    with pytest.raises(ValueError, match="numeric"):
        rec.recognize([white], [])


def test_batch_equals_one_by_one(rec) -> None:
    font = cjk_font()
    crops = [digits("3"), digits("12345.67"), digits("total", 0.8), digits("48"), digits("2,001", 1.3),
             digits("Open government information annual report", 0.7)]
    if font:
        crops += [cjk("行政许可", font), cjk("本年新收政府信息公开申请数量", font, 26)]
    numeric = [i % 2 == 0 for i in range(len(crops))]
    together = rec.recognize(crops, numeric)
    alone = [rec.recognize([c], [n])[0] for c, n in zip(crops, numeric, strict=True)]
    for a, b in zip(together, alone, strict=True):
        assert a.text == b.text
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)
        assert [x.text for x in a.alternatives] == [x.text for x in b.alternatives]
        assert [x.prob for x in a.alternatives] == pytest.approx([x.prob for x in b.alternatives], abs=1e-4)


def test_chinese_label_in_text_mode(rec) -> None:
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine")
    out = rec.recognize([cjk("行政许可", font), cjk("其他处理", font, 24)], [False, False])
    assert [r.text for r in out] == ["行政许可", "其他处理"]
    assert all(r.alternatives == () and r.confidence > 0.8 for r in out)


def test_blurred_eight_among_alternatives(rec) -> None:
    blurred = [cv2.GaussianBlur(digits("8"), (15, 15), 6.0), cv2.GaussianBlur(digits("8", 0.4, 1), (7, 7), 2.5)]
    for reading in rec.recognize(blurred, [True, True]):
        assert "8" in [a.text for a in reading.alternatives[:3]]


def test_numeric_confidence_is_low_for_chinese(rec) -> None:
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine")
    reading = rec.recognize([cjk("不予公开", font)], [True])[0]
    assert reading.confidence < 0.2


def test_cache_serves_the_numeric_reread_and_duplicates_run_once() -> None:
    pytest.importorskip("rapidocr")
    from govreport.ocr.rapid import RapidLineRecognizer

    cached = RapidLineRecognizer(device="cpu", cache_size=8)
    runs: list[int] = []
    original = cached._run
    cached._run = lambda images: runs.append(len(images)) or original(images)  # type: ignore[method-assign]
    crops = [digits("406"), digits("17"), digits("406")]
    first = cached.recognize(crops, [False, False, False])
    second = cached.recognize(crops, [True, True, True])
    assert runs == [2, 0]
    assert [r.text for r in first] == [r.text for r in second] == ["406", "17", "406"]
    assert second[0].alternatives and first[0].alternatives == ()


# -- page reader -----------------------------------------------------------------------------------------------


def test_page_reader_reads_lines_in_order_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rapidocr")
    from govreport.ocr.rapid import RapidPageReader

    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    font = cjk_font()
    page = np.full((700, 900, 3), 255, np.uint8)
    if font:
        texts = ["政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况"]
        for i, t in enumerate(texts):
            line = cjk(t, font, 34)
            page[120 + i * 150: 120 + i * 150 + line.shape[0], 80: 80 + line.shape[1]] = line
    else:
        texts = ["ANNUAL REPORT 2023", "1 GENERAL", "2 PROACTIVE DISCLOSURE"]
        for i, t in enumerate(texts):
            cv2.putText(page, t, (80, 160 + i * 150), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2, cv2.LINE_AA)
    lines = RapidPageReader(device="cpu", det_side_len=960).read_page(page)
    assert [ln.text for ln in lines] == texts
    assert all(0 < ln.confidence <= 1 and ln.box[0] < ln.box[2] and ln.box[1] < ln.box[3] for ln in lines)
    assert [ln.box[1] for ln in lines] == sorted(ln.box[1] for ln in lines)
