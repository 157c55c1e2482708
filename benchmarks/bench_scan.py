"""Per-stage timing of one scanned report: render, orientation, clean-up (seal, deskew) + grid,
cell OCR, narrative OCR, mapping and checks; and the process's peak memory.

    python benchmarks/bench_scan.py SCAN.pdf [--narrative full|metadata|none] [--line-finder ink|model]

Without an argument it scans ../shared/samples/real/huaian-2024.pdf (6 pages) on the fly at 200 DPI into an
image-only PDF, or the bundled sample (4 pages) where ../shared is not there.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govreport.ingest.images import ImageLimits, render_pdf_page
from govreport.ingest.scanned import (
    LINE_FINDERS,
    ScanOptions,
    build_tables,
    prepare_page,
    read_cells,
    read_narrative,
    read_narrative_ink,
)
from govreport.ir import Document
from govreport.layout.crosspage import join_across_pages
from govreport.layout.orientation import page_rotation, upright
from govreport.ocr.engines import OcrOptions, make_page_reader, make_recognizer
from govreport.pipeline import build_report

ROOT = Path(__file__).resolve().parents[1]


def default_source() -> Path:
    real = ROOT.parent / "shared" / "samples" / "real" / "huaian-2024.pdf"
    return real if real.exists() else ROOT / "examples" / "sample-report-2021.pdf"


def scan_of(source: Path, out: Path, dpi: int = 200) -> Path:
    src = pymupdf.open(source)
    doc = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi)
        new = doc.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=pix.tobytes("jpeg", jpg_quality=85))
    doc.save(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf", nargs="?", type=Path)
    ap.add_argument("--narrative", choices=["full", "metadata", "none"], default="full")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--det-side-len", type=int, default=960)
    ap.add_argument("--line-finder", choices=LINE_FINDERS, default="ink")
    args = ap.parse_args()
    pdf = args.pdf or scan_of(default_source(), Path(tempfile.mkdtemp()) / "scan.pdf")
    opts = ScanOptions(narrative=args.narrative, line_finder=args.line_finder, orientation=False)
    ocr = OcrOptions(threads=args.threads, det_side_len=args.det_side_len)
    recognizer = make_recognizer(ocr)
    reader = make_page_reader(ocr) if args.line_finder == "model" else None
    timings: dict[str, float] = {}

    def timed(name: str, fn):
        t = time.perf_counter()
        result = fn()
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t
        return result

    t_all = time.perf_counter()
    doc = pymupdf.open(pdf)
    images = timed("render", lambda: [render_pdf_page(p, opts.render_dpi, ImageLimits()) for p in doc])
    images = timed("orientation", lambda: [replace(p, image=upright(p.image, page_rotation(p.image))) for p in images])
    prepared = timed("clean-up + grid", lambda: [prepare_page(p, opts) for p in images])
    readings = timed("cell OCR", lambda: read_cells(prepared, recognizer))
    tables = timed("tables", lambda: build_tables(prepared, readings))
    blocks = []
    if opts.narrative != "none":
        wanted = prepared if opts.narrative == "full" else prepared[:1]
        if reader is not None:
            for p in wanted:
                blocks.extend(timed("narrative OCR", lambda p=p: read_narrative(p, reader)[0]))
        else:
            for b, _ in timed("narrative OCR", lambda: read_narrative_ink(wanted, recognizer)):
                blocks.extend(b)
    report = timed("mapping + checks", lambda: build_report(Document(
        path=str(pdf), media_type="application/pdf", text_blocks=blocks,
        tables=join_across_pages([t for ts in tables for t in ts], blocks))))
    total = time.perf_counter() - t_all
    print(f"{pdf.name}: {len(images)} pages, {len(readings)} cell text lines, {len(report.fields)} fields")
    for name, secs in timings.items():
        print(f"  {name:<18} {secs:7.2f} s")
    print(f"  {'total':<18} {total:7.2f} s   ({total / len(images):.2f} s/page)")
    print(f"  peak memory (max RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
