"""Write the bundled sample report (deterministic): examples/sample-report-2021.{pdf,docx,html,labels.json}.

    python benchmarks/make_sample.py [--out examples]

The PDF is made from the DOCX with LibreOffice headless.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus.labels import random_label  # noqa: E402
from benchmarks.corpus.render import RenderStyle, docx_to_pdf, render_docx, render_html  # noqa: E402

SEED = 20250120
STEM = "sample-report-2021"
AGENCY = "示例市示例区人民政府"
YEAR = 2024
STYLE = RenderStyle(
    seed=SEED,
    font_family="Noto Serif CJK SC",
    heading_font_family="Noto Sans CJK SC",
    body_font_size_pt=14.0,
    table_font_size_pt=10.0,
    shaded_headers=True,
    repeat_header=True,
)


def make_sample(out_dir: Path) -> list[Path]:
    label = random_label("2021", random.Random(SEED), agency=AGENCY, year=YEAR)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = out_dir / f"{STEM}.labels.json"
    labels.write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    html_path = out_dir / f"{STEM}.html"
    html_path.write_text(render_html(label, STYLE), encoding="utf-8")
    docx = out_dir / f"{STEM}.docx"
    render_docx(label, STYLE, docx)
    pdf = docx_to_pdf(docx, out_dir)
    return [pdf, docx, html_path, labels]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "examples")
    args = parser.parse_args(argv)
    for path in make_sample(args.out):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
