"""Command line: ``govreport extract``, ``govreport eval``, ``govreport schema``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govreport.errors import GovreportError
from govreport.evaluate import evaluate
from govreport.ingest.loader import InputLimits
from govreport.ingest.scanned import LINE_FINDERS, NARRATIVE_MODES, ScanOptions
from govreport.ocr.engines import DEVICES, ENGINES, OcrOptions
from govreport.output.labels import to_labels
from govreport.output.tabular import to_csv, write_xlsx
from govreport.pipeline import ExtractOptions, Outcome, iter_extract
from govreport.report import Report

FORMATS = ("json", "labels", "csv", "xlsx")


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


def _document(report: Report, fmt: str) -> object:
    return to_labels(report) if fmt == "labels" else report.model_dump(mode="json")


def _summary(o: Outcome) -> str:
    if o.report is None:
        return f"error  {o.error}"
    r = o.report
    flags = f", flags: {' '.join(r.flags)}" if r.flags else ""
    missing = f", {len(r.missing_fields)} missing" if r.missing_fields else ""
    line = (f"ok     {o.path}: {r.agency or '?'} {r.year or '?'}, template {r.template or '?'}, "
            f"{len(r.fields)} fields{missing}{flags}")
    return line + "".join(f"\n       warning: {w}" for w in r.warnings)


def _unique_stems(paths: list[Path]) -> dict[Path, str]:
    seen: dict[str, int] = {}
    out: dict[Path, str] = {}
    for p in paths:
        stem = p.stem
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        out[p] = stem if n == 0 else f"{stem}-{n + 1}"
    return out


def cmd_extract(args: argparse.Namespace) -> int:
    fmt: str = args.format
    out_dir: Path | None = args.output
    if fmt == "xlsx" and out_dir is None:
        print("error: --format xlsx needs -o DIR", file=sys.stderr)
        return 2
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in args.files]
    stems = _unique_stems(paths)
    suffix = ".labels.json" if fmt == "labels" else ".json"
    outcomes: list[Outcome] = []
    to_stdout: list[object] = []
    options = ExtractOptions(
        limits=InputLimits(),
        scan=ScanOptions(render_dpi=args.dpi, narrative=args.narrative, line_finder=args.line_finder),
        ocr=OcrOptions(engine=args.ocr_engine, device=args.device),
        repair=not args.no_repair,
    )
    for o in iter_extract(paths, options):
        outcomes.append(o)
        print(_summary(o), file=sys.stderr, flush=True)
        if o.report is None or fmt not in ("json", "labels"):
            continue
        doc = _document(o.report, fmt)
        if out_dir is None:
            to_stdout.append(doc)
        else:  # written as soon as each file is done: an interrupted batch keeps what it finished
            (out_dir / f"{stems[o.path]}{suffix}").write_text(_dump(doc) + "\n", "utf-8")
    if fmt in ("json", "labels") and out_dir is None and to_stdout:
        print(_dump(to_stdout[0] if len(paths) == 1 else to_stdout))
    elif fmt == "csv":
        text = to_csv(outcomes)
        if out_dir is None:
            sys.stdout.write(text)
        else:
            (out_dir / "reports.csv").write_text(text, "utf-8")
    elif fmt == "xlsx" and out_dir is not None:
        write_xlsx(outcomes, out_dir / "reports.xlsx")
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_eval(args: argparse.Namespace) -> int:
    scores = evaluate(Path(args.pred_dir), Path(args.label_dir))
    print(scores.table())
    result = scores.as_dict()
    if args.json is not None:
        Path(args.json).write_text(_dump(result) + "\n", "utf-8")
    else:
        print(_dump({k: v for k, v in result.items() if k != "per_document"}))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(_dump(Report.model_json_schema()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="govreport", description="Extract the standard tables of "
                                "政府信息公开工作年度报告 onto the national schema.")
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract one or more reports")
    ex.add_argument("files", nargs="+", help="PDF, DOCX, DOC, HTML or text files")
    ex.add_argument("-o", "--output", type=Path, help="folder for the results (default: standard output)")
    ex.add_argument("--format", choices=FORMATS, default="json",
                    help="json: full report with provenance; labels: benchmark label format with flags; "
                    "csv/xlsx: one row per report")
    ex.add_argument("--ocr-engine", choices=ENGINES, default="rapid", help="OCR engine for scanned pages")
    ex.add_argument("--device", choices=DEVICES, default="auto", help="where OCR models run")
    ex.add_argument("--dpi", type=int, default=200, help="resolution scanned PDF pages are rendered at")
    ex.add_argument("--narrative", choices=NARRATIVE_MODES, default="full",
                    help="OCR of text outside the tables on scans: full (sections too), metadata (title, agency, "
                    "year from page 1), none")
    ex.add_argument("--line-finder", choices=LINE_FINDERS, default="ink",
                    help="scans: find running-text lines from the ink (fast) or with the OCR engine's text detector")
    ex.add_argument("--no-repair", action="store_true",
                    help="scans: report every value as read (the sum relations are only checked, nothing repaired)")
    ex.set_defaults(func=cmd_extract)
    ev = sub.add_parser("eval", help="score predictions against benchmark labels")
    ev.add_argument("pred_dir")
    ev.add_argument("label_dir")
    ev.add_argument("--json", help="write the full scores (with per-document detail) to this file")
    ev.set_defaults(func=cmd_eval)
    sc = sub.add_parser("schema", help="print the JSON Schema of the report format")
    sc.set_defaults(func=cmd_schema)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except GovreportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # an option out of range (checked by the options' own types)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
