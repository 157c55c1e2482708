"""Write a synthetic benchmark corpus: NAME.{html,docx,pdf} plus the label NAME.json per document.

    python benchmarks/make_corpus.py --out DIR --n 20 --seed 1 --formats html,docx,pdf

Documents mix both templates, blank styles, single-row （六）其他处理 2021 reports and a share of
reports that break their own sums (their labels carry ``flags``).  ``DIR/manifest.jsonl`` records how
each document was drawn (template, blank style, render style).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus.labels import random_label
from benchmarks.corpus.render import RenderStyle, random_style, render_docx, render_html, render_pdf

FORMATS = ("html", "docx", "pdf")


@dataclass(frozen=True)
class DocPlan:
    name: str
    template: str
    blank_style: str
    single_row: bool
    break_sums: bool
    label: dict[str, Any]
    style: RenderStyle


def plan_documents(
    n: int,
    seed: int,
    *,
    share_2019: float = 0.3,
    share_single_row: float = 0.3,
    share_broken: float = 0.15,
    templates_dir: Path | None = None,
) -> list[DocPlan]:
    """Draw ``n`` documents deterministically from ``seed``."""
    master = random.Random(seed)
    plans: list[DocPlan] = []
    for i in range(n):
        rng = random.Random(master.randrange(2**63))
        template = "2019" if rng.random() < share_2019 else "2021"
        blank_style = rng.choices(("zero", "blank_org", "blank_total_only"), weights=(6, 2.5, 1.5))[0]
        single_row = template == "2021" and rng.random() < share_single_row
        broken = rng.random() < share_broken
        label = random_label(
            template,
            rng,
            other_handling_single_row=single_row,
            blank_style=blank_style,
            break_sums=broken,
            templates_dir=templates_dir,
        )
        name = f"doc{i:04d}-{template}"
        plans.append(DocPlan(name, template, blank_style, single_row, broken, label, random_style(rng)))
    return plans


def write_document(
    plan: DocPlan, out: Path, formats: tuple[str, ...], templates_dir: Path | None = None
) -> None:
    (out / f"{plan.name}.json").write_text(
        json.dumps(plan.label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    if "html" in formats:
        (out / f"{plan.name}.html").write_text(
            render_html(plan.label, plan.style, templates_dir), encoding="utf-8"
        )
    if "docx" in formats:
        render_docx(plan.label, plan.style, out / f"{plan.name}.docx", templates_dir)
    if "pdf" in formats:
        if "docx" in formats:
            render_pdf(plan.label, plan.style, out / f"{plan.name}.docx", out, templates_dir)
        else:
            with tempfile.TemporaryDirectory(prefix="govreport-docx-") as tmp:
                render_pdf(plan.label, plan.style, Path(tmp) / f"{plan.name}.docx", out, templates_dir)


def manifest_entry(plan: DocPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "template": plan.template,
        "blank_style": plan.blank_style,
        "other_handling_single_row": plan.single_row,
        "break_sums": plan.break_sums,
        "flags": plan.label.get("flags", []),
        "style": dataclasses.asdict(plan.style),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--n", type=int, default=20, help="number of documents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="html,docx,pdf", help="comma-separated subset of html,docx,pdf")
    parser.add_argument("--share-broken", type=float, default=0.15, help="share of documents breaking sums")
    parser.add_argument("--jobs", type=int, default=4, help="parallel documents (LibreOffice processes)")
    parser.add_argument("--templates-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format(s) {unknown}; choose from {FORMATS}")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    plans = plan_documents(
        args.n, args.seed, share_broken=args.share_broken, templates_dir=args.templates_dir
    )
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(lambda p: write_document(p, out, formats, args.templates_dir), plans))
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for plan in plans:
            fh.write(json.dumps(manifest_entry(plan), ensure_ascii=False) + "\n")
    n_broken = sum(p.break_sums for p in plans)
    print(f"wrote {len(plans)} documents ({', '.join(formats)}) to {out}; {n_broken} break their sums")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
