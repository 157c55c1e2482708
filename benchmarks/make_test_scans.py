"""Write the small fixed set of scanned reports in tests/data/scans (deterministic but for LibreOffice).

    python benchmarks/make_test_scans.py [--out tests/data/scans]

One 2021 report with consistent values (seed ``SEED``) is rendered DOCX -> PDF with LibreOffice and
scanned three ways:

* ``report-2021-scan.pdf`` + ``report-2021-scan.json`` (label): every page, image-only at 200 DPI, clean
  scan, a seal over the 自然人 column of table 三's first part and the page holding table 四 (and the
  rest of table 三) turned 180 degrees;
* ``table4-photo.jpg``: the page holding table 四, phone-photo style, skew exactly +3 degrees;
* ``table3-split-p1.png``, ``table3-split-p2.png``: the two pages table 三 is split over, 1-bit
  black/white scan at 200 DPI.

``truth.json`` holds each file's ``PageTruth`` list; README.md describes the set.  The styles are
spelled out here (not drawn from the presets) so that changing the presets leaves this set alone.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus.degrade import (  # noqa: E402
    PageTruth,
    ScanStyle,
    degrade_page,
    locate_tables,
    rasterize_pdf,
    words_under,
    write_image_pdf,
    write_images,
)
from benchmarks.corpus.labels import random_label  # noqa: E402
from benchmarks.corpus.render import RenderStyle, docx_to_pdf, render_docx  # noqa: E402

SEED = 20251132  # picked: table 三 splits over two pages, table 四 has non-zero values
STEM = "report-2021-scan"
AGENCY = "示例市示例区司法局"
YEAR = 2023
RENDER = RenderStyle(
    seed=SEED,
    font_family="Noto Serif CJK SC",
    heading_font_family="Noto Sans CJK SC",
    body_font_size_pt=14.0,
    table_font_size_pt=10.5,
    shaded_headers=True,
    shade_color="D9D9D9",
    repeat_header=False,
)
CLEAN = ScanStyle(
    name="clean",
    dpi=200,
    max_skew_deg=0.8,
    seal=True,
    seal_text=AGENCY,
    seal_opacity=0.85,
    seal_color=(40, 30, 215),
    light_min=0.97,
    blur_sigma=0.6,
    noise_sigma=0.6,
    jpeg_quality=85,
)
PHOTO = ScanStyle(
    name="photo",
    dpi=150,
    fill=(110, 125, 140),
    zoom=0.95,
    perspective=0.008,
    light_min=0.7,
    paper_tint=(0.92, 0.97, 1.0),
    blur_sigma=0.8,
    noise_sigma=2.5,
    jpeg_quality=75,
)
BW = ScanStyle(name="bw", dpi=200, max_skew_deg=0.6, light_min=0.92, blur_sigma=0.5, noise_sigma=2.0, mode="bw")


def make_test_scans(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    label = random_label("2021", random.Random(SEED), agency=AGENCY, year=YEAR)
    if label.get("flags"):
        raise RuntimeError("the test report must keep its sums")
    truth: dict[str, Any] = {}
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="govreport-testscan-") as tmp:
        docx = Path(tmp) / f"{STEM}.docx"
        render_docx(label, RENDER, docx)
        pdf = docx_to_pdf(docx, Path(tmp))

        tables = locate_tables(pdf, CLEAN.dpi)
        t3 = [t for t in tables if t.section == "三"]
        t4 = [t for t in tables if t.section == "四"]
        if len({t.page for t in t3}) != 2 or len(t4) != 1:
            raise RuntimeError(f"expected table 三 over two pages and one table 四, found {tables}")
        t4_page = t4[0].page
        # the seal goes on the part of table 三 that does not share a page with table 四
        seal_part = next(t for t in t3 if t.page != t4_page)
        seal_px = CLEAN.seal_diameter_mm / 25.4 * CLEAN.dpi
        if seal_part.box[3] - seal_part.box[1] < seal_px:
            raise RuntimeError(f"table 三's part on page {seal_part.page + 1} is too short for the seal")

        # (a) every page, clean, seal on table 三's first part over the 自然人 column (which holds the
        # non-zero values), table 四's page upside down
        x0, y0, x1, y1 = seal_part.box
        seal_box = (x0 + int(0.30 * (x1 - x0)), y0 + int(0.3 * (y1 - y0)), x0 + int(0.62 * (x1 - x0)), y1)
        rng = random.Random(SEED)
        pages = rasterize_pdf(pdf, CLEAN.dpi)
        scanned = []
        truths: list[PageTruth] = []
        for i, page in enumerate(pages):
            box = seal_box if i == seal_part.page else None
            img, t = degrade_page(page, CLEAN, rng, seal_box=box, rotation=180 if i == t4_page else 0, page=i)
            scanned.append(img)
            truths.append(t)
        written.append(
            write_image_pdf(scanned, out / f"{STEM}.pdf", CLEAN.dpi, quality=CLEAN.jpeg_quality, auto_grey=True)
        )
        label_path = out / f"{STEM}.json"
        label_path.write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(label_path)
        truth[f"{STEM}.pdf"] = _entry(CLEAN, truths, "all pages; seal on table 三, table 四's page turned 180")
        sealed = truths[seal_part.page]
        assert sealed.seal_box_source is not None
        truth[f"{STEM}.pdf"]["pages"][seal_part.page]["seal_words"] = words_under(
            pdf, seal_part.page, sealed.seal_box_source, CLEAN.dpi
        )

        # (b) table 四's page photographed, skew +3 degrees
        rng = random.Random(SEED + 1)
        page = rasterize_pdf(pdf, PHOTO.dpi)[t4_page]
        img, t = degrade_page(page, PHOTO, rng, rotation=0, skew_deg=3.0, page=t4_page)
        photo = out / "table4-photo.jpg"
        written += write_images([img], out / "table4-photo", "jpg", dpi=PHOTO.dpi, quality=PHOTO.jpeg_quality)
        (out / "table4-photo-p1.jpg").replace(photo)
        written[-1] = photo
        truth[photo.name] = _entry(PHOTO, [t], "table 四's page, phone photo, skew +3 deg")

        # (c) the two pages table 三 is split over, black/white (1-bit) scan
        rng = random.Random(SEED + 2)
        pages = rasterize_pdf(pdf, BW.dpi)
        bw = []
        truths = []
        for i in sorted({t.page for t in t3}):
            img, t = degrade_page(pages[i], BW, rng, rotation=0, page=i)
            bw.append(img)
            truths.append(t)
        written += write_images(bw, out / "table3-split", "png", dpi=BW.dpi)
        truth["table3-split-p*.png"] = _entry(BW, truths, "table 三's two pages, 1-bit black/white scan")

    truth_path = out / "truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written.append(truth_path)
    return written


def _entry(style: ScanStyle, truths: list[PageTruth], what: str) -> dict[str, Any]:
    return {
        "what": what,
        "label": f"{STEM}.json",
        "style": style.name,
        "dpi": style.dpi,
        "pages": [t.to_dict() for t in truths],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "data" / "scans")
    args = parser.parse_args(argv)
    total = 0
    for path in make_test_scans(args.out):
        size = path.stat().st_size
        total += size
        print(f"{path} ({size} bytes)")
    print(f"total {total} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
