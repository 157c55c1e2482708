"""OCR speed: numeric cell recognition (crops/s by batch size) and whole-page reading (s per A4 page, 200 dpi).

    python benchmarks/bench_ocr.py                          # CPU, and CUDA too when onnxruntime-gpu offers it
    python benchmarks/bench_ocr.py --device cuda --n 4096 --batch-sizes 1,8,32,64,128
    taskset -c 0 python benchmarks/bench_ocr.py --threads 1 --skip-pages

CPU time is printed beside wall time: on a shared machine, `--threads 1` CPU time is the steadier figure.
Crops and the page are synthetic (printed digits with scan noise; CJK text when a CJK font is installed), made
with a fixed seed, so figures compare from run to run. Recognition runs without the read cache.
"""

from __future__ import annotations

import argparse
import glob
import statistics
import time

import cv2
import numpy as np

from govreport.models.device import cuda_available
from govreport.ocr.rapid import RapidLineRecognizer, RapidPageReader

A4_200DPI = (2339, 1654)  # height, width in pixels
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def numeric_crops(n: int, seed: int = 7) -> tuple[list[np.ndarray], list[str]]:
    """Cell-like crops of random numbers: 18-30 px text, a few px of margin, grey noise and JPEG-like blur."""
    rng = np.random.default_rng(seed)
    crops, texts = [], []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.4:
            text = str(rng.integers(0, 10))
        elif kind < 0.8:
            text = str(rng.integers(10, 100000))
        else:
            text = f"{rng.integers(0, 10000)}.{rng.integers(0, 100):02d}"
        scale = float(rng.uniform(0.55, 0.9))
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        pad = int(rng.integers(3, 12))
        img = np.full((h + base + 2 * pad, w + 2 * pad + int(rng.integers(0, 60)), 3), 255, np.uint8)
        cv2.putText(img, text, (pad, pad + h), cv2.FONT_HERSHEY_SIMPLEX, scale, (30, 30, 30), 2, cv2.LINE_AA)
        noise = rng.normal(0, 8, img.shape)
        img = np.clip(cv2.GaussianBlur(img, (3, 3), 0.6) + noise, 0, 255).astype(np.uint8)
        crops.append(img)
        texts.append(text)
    return crops, texts


def a4_page() -> np.ndarray:
    """A 200-dpi A4 page: a title, a few paragraphs and a ruled table of numbers."""
    page = np.full((*A4_200DPI, 3), 255, np.uint8)
    fonts = [f for f in CJK_FONTS if glob.glob(f)]
    lines = ["某市人民政府2023年政府信息公开工作年度报告"] + [
        "本报告根据《中华人民共和国政府信息公开条例》的规定编制，内容包括总体情况、主动公开政府信息情况。"[: 20 + i]
        for i in range(14)]
    if fonts:
        from PIL import Image, ImageDraw, ImageFont

        pil = Image.fromarray(page)
        draw = ImageDraw.Draw(pil)
        for i, line in enumerate(lines):
            draw.text((160, 180 + i * 70), line, font=ImageFont.truetype(fonts[0], 44 if i == 0 else 34), fill=0)
        page = np.array(pil)
    else:
        for i in range(len(lines)):
            cv2.putText(page, f"Paragraph line {i} of the report text", (160, 220 + i * 70),
                        cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    top, rows, cols, rh, cw = 1300, 12, 6, 70, 220
    for r in range(rows + 1):
        cv2.line(page, (160, top + r * rh), (160 + cols * cw, top + r * rh), (0, 0, 0), 2)
    for c in range(cols + 1):
        cv2.line(page, (160 + c * cw, top), (160 + c * cw, top + rows * rh), (0, 0, 0), 2)
    rng = np.random.default_rng(3)
    for r in range(rows):
        for c in range(cols):
            cv2.putText(page, str(rng.integers(0, 5000)), (180 + c * cw, top + r * rh + 48),
                        cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2, cv2.LINE_AA)
    return page


def bench_cells(device: str, threads: int, crops: list[np.ndarray], texts: list[str], batch_sizes: list[int]) -> None:
    for bs in batch_sizes:
        rec = RapidLineRecognizer(device=device, threads=threads, batch_size=bs, cache_size=0)
        rec.recognize(crops[:64], [True] * 64)  # warm-up: session, shapes
        t0, c0 = time.perf_counter(), time.process_time()
        out = rec.recognize(crops, [True] * len(crops))
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        acc = sum(o.text == t for o, t in zip(out, texts, strict=True)) / len(texts)
        print(f"  cells  {rec.provider:<22} batch {bs:>4}: {len(crops) / dt:8.1f} crops/s   "
              f"({dt:.2f} s for {len(crops)}, {1000 * cpu / len(crops):.1f} ms CPU/crop, exact {acc:.1%})")


def bench_pages(device: str, threads: int, sides: list[int], repeat: int) -> None:
    page = a4_page()
    for side in sides:
        reader = RapidPageReader(device=device, threads=threads, det_side_len=side)
        lines = reader.read_page(page)  # warm-up
        times, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            reader.read_page(page)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"  page   det side {side:>5}: median {statistics.median(times):6.2f} s/page, "
              f"min {min(times):6.2f}, CPU {statistics.median(cpu):6.2f} s  ({len(lines)} lines)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", choices=["auto", "cpu", "cuda", "both"], default="both",
                    help="'both' = CPU, then CUDA when available")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = one per core)")
    ap.add_argument("--n", type=int, default=512, help="numeric crops per timing")
    ap.add_argument("--batch-sizes", default="1,8,32,64")
    ap.add_argument("--page-sides", default="960,1280,1600")
    ap.add_argument("--repeat", type=int, default=3, help="page timings per side length")
    ap.add_argument("--skip-pages", action="store_true")
    args = ap.parse_args()

    devices = ["cpu", "cuda"] if args.device == "both" else [args.device]
    if args.device == "both" and not cuda_available():
        devices = ["cpu"]
        print("(no CUDAExecutionProvider in this onnxruntime: CPU only; install onnxruntime-gpu for CUDA)")
    crops, texts = numeric_crops(args.n)
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    for device in devices:
        print(f"device {device}, threads {args.threads or 'auto'}")
        bench_cells(device, args.threads, crops, texts, batch_sizes)
        if not args.skip_pages:
            bench_pages(device, args.threads, [int(s) for s in args.page_sides.split(",")], args.repeat)


if __name__ == "__main__":
    main()
