"""The command line on the bundled sample: every output format, and the published JSON Schema."""

import csv
import io
import json
import subprocess
import sys

import jsonschema
import openpyxl
import pytest

from govreport.cli import main
from tests.conftest import ROOT

SAMPLE = ROOT / "examples" / "sample-report-2021.pdf"
SAMPLE_LABEL = ROOT / "examples" / "sample-report-2021.labels.json"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport.cli", *args], capture_output=True, text=True)


def test_json_report_validates_against_published_schema():
    schema = json.loads(_run("schema").stdout)
    proc = _run("extract", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, schema)
    assert report["format"] == "govreport-report/1"
    fv = report["fields"]["requests.new.total"]
    assert set(fv["provenance"]) >= {"page", "bbox", "source", "table", "row", "col"}
    assert fv["status"] == "read" and fv["confidence"] == 1.0


def test_labels_output_matches_the_sample_label(tmp_path):
    assert main(["extract", str(SAMPLE), "-o", str(tmp_path), "--format", "labels"]) == 0
    pred = json.loads((tmp_path / "sample-report-2021.labels.json").read_text("utf-8"))
    label = json.loads(SAMPLE_LABEL.read_text("utf-8"))
    assert pred["format"] == "disclosure-report-labels/1"
    assert pred["cells"] == label["cells"]
    assert pred["flags"] == []
    assert (pred["template"], pred["agency"], pred["year"]) == (label["template"], label["agency"], label["year"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table_outputs_one_row_per_report(tmp_path, fmt):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing")
    code = main(["extract", str(SAMPLE), str(bad), "-o", str(tmp_path), "--format", fmt])
    assert code == 1  # one file failed
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO((tmp_path / "reports.csv").read_text("utf-8"))))
    else:
        ws = openpyxl.load_workbook(tmp_path / "reports.xlsx").active
        rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    header, ok, err = rows
    assert header[:4] == ["file", "status", "error", "template"]
    label = json.loads(SAMPLE_LABEL.read_text("utf-8"))
    col = header.index("requests.new.total")
    assert ok[1] == "ok" and str(ok[col]) == str(label["cells"]["requests.new.total"])
    assert err[1] == "error" and "broken.pdf" in err[2]
    assert "proactive.procurement.amount" in header  # 2019 columns too: one sheet for both editions


def test_usage_errors():
    assert _run("extract").returncode == 2
    proc = _run("extract", str(SAMPLE), "--format", "xlsx")
    assert proc.returncode == 2 and "needs -o" in proc.stderr
