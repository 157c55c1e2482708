"""Seconds per digital (text-layer) report, end to end: read, map, check.

    python benchmarks/bench_digital.py [PDF ...] [--repeat N]

Without arguments it times the bundled sample and the real PDFs in ../shared/samples/real when
present. Run it pinned to one core (``taskset -c 0``) to compare with the target of 0.2 s per
6-page report on one core.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pymupdf

from govreport.pipeline import extract

ROOT = Path(__file__).resolve().parents[1]


def default_inputs() -> list[Path]:
    found = sorted((ROOT / "examples").glob("*.pdf"))
    found += sorted((ROOT.parent / "shared" / "samples" / "real").glob("*.pdf"))
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    files = args.files or default_inputs()
    print(f"{'file':<32} {'pages':>5} {'median s':>9} {'min s':>7} {'s/page':>7}")
    for f in files:
        pages = pymupdf.open(f).page_count
        extract(f)  # warm-up: imports, template loading
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            extract(f)
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        print(f"{f.name:<32} {pages:>5} {med:>9.3f} {min(times):>7.3f} {med / pages:>7.3f}")


if __name__ == "__main__":
    main()
