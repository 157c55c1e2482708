"""One row per report, one column per field key: CSV and XLSX for researchers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from govreport.pipeline import Outcome
from govreport.report import ValueStatus
from govreport.schema.templates import TEMPLATE_IDS, load_template

META_COLUMNS = ["file", "status", "error", "template", "agency", "year", "publication_date", "flags", "warnings"]


def field_columns() -> list[str]:
    """Every field key of both editions, in template order, each once."""
    seen: dict[str, None] = {}
    for tid in TEMPLATE_IDS:
        for key in load_template(tid).fields:
            seen.setdefault(key, None)
    return list(seen)


def rows(outcomes: list[Outcome]) -> tuple[list[str], list[list[object]]]:
    keys = field_columns()
    derived_keys = sorted({k for o in outcomes if o.report for k in o.report.derived})
    header = META_COLUMNS + keys + [f"{k} (derived)" for k in derived_keys]
    out: list[list[object]] = []
    for o in outcomes:
        r = o.report
        if r is None:
            out.append([str(o.path), "error", o.error or "", *[""] * (len(header) - 3)])
            continue
        meta: list[object] = [r.file, "ok", "", r.template or "", r.agency or "", r.year or "",
                              r.publication_date or "", ";".join(r.flags), len(r.warnings)]
        values: list[object] = []
        for k in keys:
            fv = r.fields.get(k)
            values.append("" if fv is None or fv.value is None or fv.status is ValueStatus.UNREADABLE else fv.value)
        derived: list[object] = [r.derived[k].value if k in r.derived else "" for k in derived_keys]
        out.append(meta + values + derived)
    return header, out


def to_csv(outcomes: list[Outcome]) -> str:
    header, body = rows(outcomes)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def write_xlsx(outcomes: list[Outcome], path: Path) -> None:
    from openpyxl import Workbook

    header, body = rows(outcomes)
    wb = Workbook()
    ws = wb.active
    ws.title = "reports"
    ws.append(header)
    for row in body:
        ws.append(row)
    ws.freeze_panes = "B2"
    wb.save(path)
