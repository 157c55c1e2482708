"""Write a scanned benchmark corpus: image-only NAME.pdf (+ jpg/png/tiff) and the label NAME.json per document.

    python benchmarks/make_scans.py --out DIR --n 40 --seed 1 --quality clean|heavy|photo|mixed [--formats pdf,jpg,tiff]
    python benchmarks/make_scans.py --out DIR --quality heavy --from-pdf ../shared/samples/real/*.pdf \\
        --labels tests/data/labels

Synthetic mode draws the same documents as ``make_corpus.py`` with the same ``--n/--seed/--share-broken``
(so ``make_corpus.py`` can write their digital renditions), renders each DOCX -> PDF with LibreOffice,
rasterises it at the scan style's DPI and degrades every page (``benchmarks/corpus/degrade.py``).
``--from-pdf`` scans existing PDFs instead (at 200 DPI unless ``--dpi``), copying ``LABELS/STEM.json``
beside them where it exists.  A seal, where the style has one, goes over the left data columns (自然人
and its neighbours) of the largest piece of table 三 (the largest table when no section 三 is found).

``DIR/manifest.jsonl``: one line per document with the scan style and each page's ``PageTruth``
(rotation, skew, seal box, matrix; on a sealed page also ``seal_words``, the digital PDF's words under the
seal, boxes in upright-page pixels); synthetic documents also carry ``make_corpus``'s fields.
Images are written as ``NAME-p1.jpg``, ``NAME-p2.jpg`` ...; TIFF as one multi-page ``NAME.tiff``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus.degrade import (
    STYLES,
    Box,
    PageTruth,
    ScanStyle,
    TableBox,
    data_area,
    degrade_page,
    locate_tables,
    rasterize_pdf,
    words_under,
    write_image_pdf,
    write_images,
    write_tiff,
)
from benchmarks.corpus.render import render_pdf
from benchmarks.make_corpus import DocPlan, manifest_entry, plan_documents

FORMATS = ("pdf", "jpg", "png", "tiff")
QUALITIES = ("clean", "heavy", "photo", "mixed")
MIXED_WEIGHTS = {"clean": 0.45, "heavy": 0.4, "photo": 0.15}


def draw_scan_style(quality: str, rng: random.Random, agency: str | None = None) -> ScanStyle:
    """A scan style of ``quality`` (mixed: clean/heavy/photo at 45/40/15%), its seal naming ``agency``."""
    if quality == "mixed":
        quality = rng.choices(list(MIXED_WEIGHTS), weights=list(MIXED_WEIGHTS.values()))[0]
    if quality not in STYLES:
        raise ValueError(f"unknown quality {quality!r}; expected one of {QUALITIES}")
    style = STYLES[quality](rng)
    return dataclasses.replace(style, seal_text=agency) if agency else style


def seal_target(tables: Sequence[TableBox]) -> tuple[int, Box] | None:
    """(page, box) for a seal: the largest piece of table 三 (else the largest table), below its header,
    from the end of the row labels to three quarters of its width: over the 自然人 column and its
    neighbours, where the non-zero values of a real report mostly are."""
    if not tables:
        return None
    pool = [t for t in tables if t.section == "三"] or list(tables)
    best = max(pool, key=lambda t: (t.box[2] - t.box[0]) * (t.box[3] - t.box[1]))
    x0, y0, _, y1 = data_area(best.box, label_share=0.3)
    return best.page, (x0, y0, best.box[0] + int(0.75 * (best.box[2] - best.box[0])), y1)


def scan_pdf(
    pdf: Path,
    out: Path,
    name: str,
    style: ScanStyle,
    rng: random.Random,
    formats: Sequence[str],
    *,
    rotations: dict[int, int] | None = None,
) -> dict[str, Any]:
    """Rasterise ``pdf`` at ``style.dpi``, degrade every page and write ``out/NAME.*``.

    ``rotations`` (page -> quarter turn) overrides the drawn turns.  Returns the manifest fields:
    the style, the files written and each page's truth.
    """
    pages = rasterize_pdf(pdf, style.dpi)
    target = seal_target(locate_tables(pdf, style.dpi)) if style.seal else None
    degraded = []
    truths: list[PageTruth] = []
    for i, page in enumerate(pages):
        seal_box = target[1] if target is not None and target[0] == i else None
        rotation = (rotations or {}).get(i)
        img, truth = degrade_page(page, style, rng, seal_box=seal_box, rotation=rotation, page=i)
        degraded.append(img)
        truths.append(truth)
    files = write_outputs(degraded, out, name, style, formats)
    page_entries = []
    for t in truths:
        entry = t.to_dict()
        if t.seal_box_source is not None:
            entry["seal_words"] = words_under(pdf, t.page, t.seal_box_source, style.dpi)
        page_entries.append(entry)
    return {"scan_style": dataclasses.asdict(style), "files": [p.name for p in files], "pages": page_entries}


def write_outputs(pages: Sequence[Any], out: Path, name: str, style: ScanStyle, formats: Sequence[str]) -> list[Path]:
    """The degraded pages in each asked format; JPEGs keep the style's quality (90 when it has none)."""
    quality = style.jpeg_quality or 90
    files: list[Path] = []
    if "pdf" in formats:
        files.append(write_image_pdf(pages, out / f"{name}.pdf", style.dpi, quality=quality))
    if "jpg" in formats:
        files += write_images(pages, out / name, "jpg", dpi=style.dpi, quality=quality)
    if "png" in formats:
        files += write_images(pages, out / name, "png", dpi=style.dpi)
    if "tiff" in formats:
        files.append(write_tiff(pages, out / f"{name}.tiff", dpi=style.dpi, quality=quality))
    return files


def _write_label(label: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def scan_rng(seed: int, name: str) -> random.Random:
    """The scan's own random stream: depends on the seed and the document name only."""
    return random.Random(f"scan:{seed}:{name}")


def synthetic_job(
    plan: DocPlan,
    out: Path,
    formats: tuple[str, ...],
    quality: str,
    seed: int,
    dpi: int | None,
    templates_dir: Path | None,
) -> dict[str, Any]:
    """Render one planned document, scan it, write its label; its manifest line."""
    rng = scan_rng(seed, plan.name)
    style = draw_scan_style(quality, rng, agency=str(plan.label["agency"]))
    if dpi:
        style = dataclasses.replace(style, dpi=dpi)
    _write_label(plan.label, out / f"{plan.name}.json")
    with tempfile.TemporaryDirectory(prefix="govreport-scan-") as tmp:
        docx = Path(tmp) / f"{plan.name}.docx"
        pdf = render_pdf(plan.label, plan.style, docx, Path(tmp), templates_dir)
        scanned = scan_pdf(pdf, out, plan.name, style, rng, formats)
    return {**manifest_entry(plan), **scanned}


def pdf_job(
    pdf: Path, labels: Path | None, out: Path, formats: tuple[str, ...], quality: str, seed: int, dpi: int
) -> dict[str, Any]:
    """Scan one existing PDF; copy its label ``LABELS/STEM.json`` when there is one."""
    name = pdf.stem
    label_path = labels / f"{name}.json" if labels else None
    agency: str | None = None
    if label_path is not None and label_path.is_file():
        label = json.loads(label_path.read_text("utf-8"))
        agency = str(label.get("agency") or "") or None
        shutil.copyfile(label_path, out / f"{name}.json")
    else:
        label_path = None
    rng = scan_rng(seed, name)
    style = dataclasses.replace(draw_scan_style(quality, rng, agency=agency), dpi=dpi)
    scanned = scan_pdf(pdf, out, name, style, rng, formats)
    return {"name": name, "source": str(pdf), "label": label_path.name if label_path else None, **scanned}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--n", type=int, default=20, help="number of synthetic documents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quality", choices=QUALITIES, default="mixed")
    parser.add_argument("--formats", default="pdf", help=f"comma-separated subset of {','.join(FORMATS)}")
    parser.add_argument("--dpi", type=int, default=None, help="override the style's DPI (--from-pdf: 200)")
    parser.add_argument("--share-broken", type=float, default=0.15, help="share of documents breaking sums")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--templates-dir", type=Path, default=None)
    parser.add_argument(
        "--from-pdf",
        type=Path,
        nargs="+",
        default=None,
        metavar="FILE",
        help="scan these PDFs instead of synthetic documents",
    )
    parser.add_argument("--labels", type=Path, default=None, help="--from-pdf: directory of STEM.json labels")
    args = parser.parse_args(argv)

    formats = tuple(f.strip().lower() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        parser.error(f"unknown format(s) {unknown}; choose from {FORMATS}")
    if args.labels is not None and not args.labels.is_dir():
        parser.error(f"--labels {args.labels} is not a directory")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    jobs = max(1, args.jobs)

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        if args.from_pdf:
            missing = [p for p in args.from_pdf if not p.is_file()]
            if missing:
                parser.error(f"not found: {', '.join(map(str, missing))}")
            futures = [
                pool.submit(pdf_job, p, args.labels, out, formats, args.quality, args.seed, args.dpi or 200)
                for p in args.from_pdf
            ]
        else:
            plans = plan_documents(args.n, args.seed, share_broken=args.share_broken, templates_dir=args.templates_dir)
            futures = [
                pool.submit(synthetic_job, p, out, formats, args.quality, args.seed, args.dpi, args.templates_dir)
                for p in plans
            ]
        entries = [f.result() for f in futures]

    with (out / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for entry in entries:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    unlabelled = [e["name"] for e in entries if args.from_pdf and not e.get("label")]
    if unlabelled:
        print(f"note: no label found for {', '.join(unlabelled)}", file=sys.stderr)
    n_pages = sum(len(e["pages"]) for e in entries)
    styles: dict[str, int] = {}
    for e in entries:
        styles[e["scan_style"]["name"]] = styles.get(e["scan_style"]["name"], 0) + 1
    mix = ", ".join(f"{k} {v}" for k, v in sorted(styles.items()))
    print(
        f"wrote {len(entries)} scanned documents ({n_pages} pages; {mix}; {', '.join(formats)}) to {out} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
