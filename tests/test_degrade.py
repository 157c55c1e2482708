"""The scan degradation used to build scanned benchmarks (benchmarks/corpus/degrade.py) and the fixed set
of scans in tests/data/scans."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageSequence

from benchmarks.corpus.degrade import (
    PageTruth,
    ScanStyle,
    clean_style,
    degrade_page,
    heavy_style,
    locate_tables,
    page_kind,
    photo_style,
    rasterize_pdf,
    seal_font,
    table_boxes,
    write_image_pdf,
    write_images,
    write_tiff,
)
from benchmarks.corpus.labels import check_label

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PDF = ROOT / "examples" / "sample-report-2021.pdf"
SCANS = Path(__file__).resolve().parent / "data" / "scans"
PLAIN = ScanStyle(dpi=100)  # geometry only: no blur, noise, light, JPEG


def page(h: int = 300, w: int = 200) -> np.ndarray:
    img = np.full((h, w, 3), 255, np.uint8)
    cv2.rectangle(img, (10, 10), (40, 30), (0, 0, 0), -1)  # a mark near the top-left corner
    cv2.line(img, (20, h // 2), (w - 20, h // 2), (0, 0, 0), 2)
    return img


def dark_centre(img: np.ndarray, region: tuple[int, int, int, int] | None = None) -> tuple[float, float]:
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    ys, xs = np.nonzero(grey < 100)
    if region is not None:
        x0, y0, x1, y1 = region
        keep = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)
        xs, ys = xs[keep], ys[keep]
    return float(xs.mean()), float(ys.mean())


def red_pixels(img: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    red_hue = (hsv[:, :, 0] <= 12) | (hsv[:, :, 0] >= 156)
    return red_hue & (hsv[:, :, 1] >= 60) & (hsv[:, :, 2] >= 70)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotation_truth_matches_image(rotation: int) -> None:
    img = page()
    out, truth = degrade_page(img, PLAIN, random.Random(1), rotation=rotation, skew_deg=0.0)
    assert truth.rotation == rotation
    h, w = img.shape[:2]
    assert out.shape[:2] == ((w, h) if rotation in (90, 270) else (h, w))
    assert (truth.height, truth.width) == out.shape[:2]
    # the mark is where the truth's matrix sends it
    ((mx, my),) = truth.map_points([(25.0, 20.0)])
    region = (int(mx) - 25, int(my) - 25, int(mx) + 25, int(my) + 25)
    cx, cy = dark_centre(out, region)
    assert abs(cx - mx) < 1.5 and abs(cy - my) < 1.5
    # turning back counter-clockwise restores the page exactly
    back = np.rot90(out, k=rotation // 90)
    assert np.array_equal(back, img)


def test_clockwise_quarter_turn_puts_top_on_the_right() -> None:
    out, _ = degrade_page(page(), PLAIN, random.Random(1), rotation=90, skew_deg=0.0)
    cx, _ = dark_centre(out, (0, 0, out.shape[1], 60))
    assert cx > out.shape[1] * 0.8  # the top-left mark is now top-right


@pytest.mark.parametrize("angle", [-3.0, -1.0, 2.5])
def test_skew_is_counter_clockwise_positive(angle: float) -> None:
    img = np.full((400, 600, 3), 255, np.uint8)
    cv2.line(img, (100, 200), (500, 200), (0, 0, 0), 3)
    out, truth = degrade_page(img, PLAIN, random.Random(1), rotation=0, skew_deg=angle)
    assert truth.skew_deg == pytest.approx(angle)
    ys, xs = np.nonzero(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY) < 128)
    slope = np.polyfit(xs, ys, 1)[0]
    measured = float(np.degrees(np.arctan(-slope)))  # image y grows downwards
    assert measured == pytest.approx(angle, abs=0.15)


def test_skew_fill_colour() -> None:
    style = dataclasses.replace(PLAIN, fill=(180, 180, 180))
    out, _ = degrade_page(page(), style, random.Random(1), rotation=0, skew_deg=3.0)
    assert tuple(out[0, -1]) == (180, 180, 180)  # a corner the turned page no longer covers


def test_seal_is_red_and_lies_in_the_box() -> None:
    img = np.full((700, 600, 3), 255, np.uint8)
    for row in range(6):
        cv2.putText(img, "1234", (150, 150 + 70 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    box = (100, 100, 500, 600)
    style = dataclasses.replace(PLAIN, seal=True, seal_text="示例市人民政府")
    out, truth = degrade_page(img, style, random.Random(3), seal_box=box, rotation=0, skew_deg=0.0)
    assert truth.seal_box is not None and truth.seal_box_source is not None
    x0, y0, x1, y1 = truth.seal_box
    assert box[0] <= x0 and box[1] <= y0 and x1 <= box[2] + 1 and y1 <= box[3] + 1
    assert x1 - x0 == pytest.approx(42 / 25.4 * 100, abs=3)  # 42 mm at 100 DPI
    red = red_pixels(out)
    assert red.sum() > 0.05 * (x1 - x0) * (y1 - y0)
    ys, xs = np.nonzero(red)
    assert xs.min() >= x0 and xs.max() < x1 and ys.min() >= y0 and ys.max() < y1
    assert not red_pixels(img).any()
    # multiply blend: black digits under the seal stay black
    under = (cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) < 50)[y0:y1, x0:x1]
    assert under.any()
    assert out[y0:y1, x0:x1].max(axis=2)[under].mean() < 80
    if seal_font() is not None:
        assert truth.seal_text == "示例市人民政府"


def test_seal_box_follows_skew_and_rotation() -> None:
    img = np.full((700, 600, 3), 255, np.uint8)
    style = dataclasses.replace(PLAIN, seal=True)
    out, truth = degrade_page(img, style, random.Random(5), seal_box=(150, 150, 450, 550), rotation=270, skew_deg=2.0)
    assert out.shape[:2] == (600, 700)
    assert truth.seal_box is not None
    x0, y0, x1, y1 = truth.seal_box
    ys, xs = np.nonzero(red_pixels(out))
    assert xs.min() >= x0 - 1 and xs.max() <= x1 and ys.min() >= y0 - 1 and ys.max() <= y1


def test_no_seal_without_a_box_or_when_the_style_has_none() -> None:
    _, truth = degrade_page(page(), dataclasses.replace(PLAIN, seal=True), random.Random(1))
    assert truth.seal_box is None
    out, truth = degrade_page(page(), PLAIN, random.Random(1), seal_box=(0, 0, 200, 300))
    assert truth.seal_box is None and not red_pixels(out).any()


def test_same_rng_same_page() -> None:
    style = heavy_style(random.Random(2))
    a, ta = degrade_page(page(), style, random.Random(9), seal_box=(0, 0, 200, 300))
    b, tb = degrade_page(page(), style, random.Random(9), seal_box=(0, 0, 200, 300))
    assert np.array_equal(a, b) and ta == tb


@pytest.mark.parametrize("seed", range(8))
def test_presets(seed: int) -> None:
    clean = clean_style(random.Random(seed))
    assert 200 <= clean.dpi <= 300 and clean.max_skew_deg <= 1.0 and clean.jpeg_quality >= 85
    assert clean.ink == "none" and clean.rotation_weights == (0.0, 0.0, 0.0)
    heavy = heavy_style(random.Random(seed))
    assert 150 <= heavy.dpi <= 200 and heavy.max_skew_deg <= 3.0 and 40 <= heavy.jpeg_quality <= 70
    assert heavy.seal and heavy.ink in ("thin", "thick") and heavy.light_min < 0.9 and heavy.blur_sigma > 0
    photo = photo_style(random.Random(seed))
    assert photo.zoom < 1 and photo.perspective > 0
    for style in (clean, heavy, photo):
        out, truth = degrade_page(page(), style, random.Random(seed), seal_box=(0, 0, 200, 300))
        assert out.dtype == np.uint8 and out.ndim == 3
        assert abs(truth.skew_deg) <= style.max_skew_deg + 1e-6
        assert truth.dpi == style.dpi and truth.style == style.name


def test_heavy_pages_sometimes_turn() -> None:
    style = dataclasses.replace(heavy_style(random.Random(1)), rotation_weights=(0.3, 0.3, 0.0))
    rng = random.Random(4)
    turns = {degrade_page(page(60, 40), style, rng)[1].rotation for _ in range(40)}
    assert turns == {0, 90, 180}


def test_grey_and_bw_modes() -> None:
    grey, _ = degrade_page(page(), dataclasses.replace(PLAIN, mode="grey", noise_sigma=3), random.Random(1))
    assert page_kind(grey) == "grey"
    bw, truth = degrade_page(page(), dataclasses.replace(PLAIN, mode="bw", noise_sigma=3), random.Random(1))
    assert page_kind(bw) == "bw" and truth.mode == "bw"


def test_image_only_pdf(tmp_path: Path) -> None:
    colour, _ = degrade_page(page(), dataclasses.replace(PLAIN, seal=True), random.Random(1), seal_box=(0, 0, 200, 300))
    grey = cv2.cvtColor(cv2.cvtColor(page(), cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    bw = np.where(page() > 128, 255, 0).astype(np.uint8)
    turned = np.ascontiguousarray(np.rot90(page()))
    path = write_image_pdf([colour, grey, bw, turned], tmp_path / "scan.pdf", dpi=100)
    with pymupdf.open(path) as doc:
        assert doc.page_count == 4
        assert all(p.get_text().strip() == "" for p in doc)
        assert doc[0].rect.width == pytest.approx(200 * 72 / 100)
        assert doc[0].rect.height == pytest.approx(300 * 72 / 100)
        assert doc[3].rect.width == pytest.approx(300 * 72 / 100)  # landscape page for a turned image
        for p in doc:
            assert len(p.get_images()) == 1
        components = [doc.extract_image(p.get_images()[0][0]) for p in doc]
        assert [c["colorspace"] for c in components[:3]] == [3, 1, 1]
        assert components[0]["ext"] == "jpeg"
    # the scan reads back as the same page
    back = rasterize_pdf(path, 100)
    assert back[1].shape == grey.shape
    assert np.abs(back[1].astype(int) - grey.astype(int)).mean() < 8


def test_tiff_has_one_frame_per_page(tmp_path: Path) -> None:
    pages = [page(), page(), np.ascontiguousarray(np.rot90(page()))]
    path = write_tiff(pages, tmp_path / "scan.tiff", dpi=150)
    with Image.open(path) as tiff:
        assert len(list(ImageSequence.Iterator(tiff))) == 3
        tiff.seek(2)
        assert tiff.size == (300, 200)
        assert round(float(tiff.info["dpi"][0])) == 150
    bw = [np.where(page() > 128, 255, 0).astype(np.uint8)] * 2
    with Image.open(write_tiff(bw, tmp_path / "bw.tiff")) as tiff:
        assert len(list(ImageSequence.Iterator(tiff))) == 2 and tiff.mode == "1"


def test_write_images(tmp_path: Path) -> None:
    jpgs = write_images([page(), page()], tmp_path / "doc", "jpg", dpi=150)
    assert [p.name for p in jpgs] == ["doc-p1.jpg", "doc-p2.jpg"]
    pngs = write_images([page()], tmp_path / "doc", "png")
    with Image.open(pngs[0]) as im:
        assert im.size == (200, 300)
    with pytest.raises(ValueError):
        write_images([page()], tmp_path / "doc", "gif")


def test_table_boxes_of_the_sample_report() -> None:
    tables = locate_tables(SAMPLE_PDF, 72)
    assert [(t.page, t.section) for t in tables] == [(1, "二"), (1, "三"), (2, "三"), (2, "四")]
    boxes = table_boxes(SAMPLE_PDF, 1, 144)
    assert len(boxes) == 2
    x0, y0, x1, y1 = boxes[1]
    assert x0 == pytest.approx(2 * 73.7, abs=3) and x1 == pytest.approx(2 * 521.8, abs=3)
    assert y1 - y0 > 2 * 250


def test_rasterize_pdf_size() -> None:
    pages = rasterize_pdf(SAMPLE_PDF, 50)
    assert len(pages) == 4
    h, w, c = pages[0].shape
    assert abs(h - 841.89 * 50 / 72) <= 1 and abs(w - 595.3 * 50 / 72) <= 1 and c == 3
    assert pages[0].dtype == np.uint8


# ---------------------------------------------------------------------------------------------------------
# the committed set (benchmarks/make_test_scans.py)


def scans_truth() -> dict:
    return json.loads((SCANS / "truth.json").read_text("utf-8"))


def test_committed_scans_are_small_and_complete() -> None:
    files = sorted(p.name for p in SCANS.iterdir())
    assert files == [
        "README.md",
        "report-2021-scan.json",
        "report-2021-scan.pdf",
        "table3-split-p1.png",
        "table3-split-p2.png",
        "table4-photo.jpg",
        "truth.json",
    ]
    assert sum(p.stat().st_size for p in SCANS.iterdir()) < 1.5 * 1024 * 1024


def test_committed_report_scan() -> None:
    label = json.loads((SCANS / "report-2021-scan.json").read_text("utf-8"))
    assert label["template"] == "2021" and not label.get("flags") and check_label(label) == []
    truth = [
        PageTruth(**p)
        for p in (
            {k: v for k, v in page.items() if k != "seal_words"}
            for page in scans_truth()["report-2021-scan.pdf"]["pages"]
        )
    ]
    with pymupdf.open(SCANS / "report-2021-scan.pdf") as doc:
        assert doc.page_count == len(truth) == 4
        assert all(p.get_text().strip() == "" for p in doc)
        for p, t in zip(doc, truth, strict=True):
            info = doc.extract_image(p.get_images()[0][0])
            assert (info["width"], info["height"]) == (t.width, t.height)
            assert p.rect.width == pytest.approx(t.width * 72 / 200, abs=0.1)
    assert [t.rotation for t in truth] == [0, 0, 180, 0]
    assert [t.seal_box is not None for t in truth] == [False, True, False, False]
    words = scans_truth()["report-2021-scan.pdf"]["pages"][1]["seal_words"]
    assert any(w["text"] not in ("0", "") for w in words)  # the seal covers non-zero digits


def test_committed_photo_and_split_pages() -> None:
    truth = scans_truth()
    (photo,) = truth["table4-photo.jpg"]["pages"]
    assert photo["skew_deg"] == 3.0 and photo["rotation"] == 0
    with Image.open(SCANS / "table4-photo.jpg") as im:
        assert im.size == (photo["width"], photo["height"])
    split = truth["table3-split-p*.png"]["pages"]
    assert [p["page"] for p in split] == [1, 2]
    for i, p in enumerate(split, start=1):
        with Image.open(SCANS / f"table3-split-p{i}.png") as im:
            assert im.mode == "1" and im.size == (p["width"], p["height"])


def _ink_left(dpi: int) -> float:
    """Share of the sample's table page's ink that a full-strength photocopy thinning leaves at ``dpi``."""
    page = rasterize_pdf(SAMPLE_PDF, dpi)[1]
    style = dataclasses.replace(PLAIN, dpi=dpi, ink="thin", ink_strength=1.0)
    thinned, _ = degrade_page(page, style, random.Random(0), rotation=0, skew_deg=0.0)
    ink = lambda img: float((255.0 - cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float64)).sum())  # noqa: E731
    return ink(thinned) / ink(page)


def test_photocopy_thinning_is_a_distance_on_paper_not_a_scan_pixel():
    # the copier eats the same width of stroke whatever resolution the copy is scanned at: a 150 DPI scan of
    # a thinned copy keeps about the share of its ink a 300 DPI scan keeps (a scan pixel of 150 DPI, twice
    # the distance, had erased a thin Ming face's strokes)
    low, high = _ink_left(150), _ink_left(300)
    assert 0.35 < high < 0.95
    assert abs(low - high) < 0.1, (low, high)
