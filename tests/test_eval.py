"""The scorer itself: known predictions against labels give known scores."""

import json
import subprocess
import sys

from govreport.evaluate import evaluate, label_flags, same_value
from tests.conftest import DATA, load_json


def _write(d, name, obj):
    (d / f"{name}.json").write_text(json.dumps(obj, ensure_ascii=False), "utf-8")


def test_same_value_rules():
    assert same_value(3, 3) and not same_value(3, 4)
    assert same_value(7730.28, 7730.28) and same_value(7730.281, 7730.28) and not same_value(7730.3, 7730.28)
    assert same_value(None, None) and not same_value(0, None) and not same_value(None, 0)


def test_scores_with_a_deliberately_wrong_prediction(tmp_path):
    labels, preds = tmp_path / "labels", tmp_path / "preds"
    labels.mkdir()
    preds.mkdir()
    a = load_json(DATA / "labels" / "hongze-2023.json")
    b = load_json(DATA / "labels" / "huaian-2024.json")
    _write(labels, "a", a)
    _write(labels, "b", b)
    n_a, n_b = len(a["cells"]), len(b["cells"])
    # a: perfect, with its two flags.  b: two cells wrong, one blank predicted for a 0, a spurious flag,
    # and the wrong template.
    _write(preds, "a", {**a, "flags": ["appeals.sum.review", "appeals.sum.suit_after_review"]})
    wrong = dict(b["cells"])
    wrong["requests.new.natural_person"] += 1
    wrong["proactive.fees.amount"] += 0.5
    wrong["requests.new.research"] = None
    _write(preds, "b", {**b, "template": "2019", "cells": wrong, "flags": ["requests.row_sum.new"]})
    s = evaluate(preds, labels)
    assert s.cell_accuracy == (n_a + n_b - 3) / (n_a + n_b)
    assert s.document_exact_match == 0.5
    assert s.template_accuracy == 0.5
    assert s.flag_counts == (2, 3, 2)
    assert s.flag_precision == 2 / 3 and s.flag_recall == 1.0
    per = {d["name"]: d for d in s.as_dict()["per_document"]}
    assert sorted(per["b"]["wrong_cells"]) == sorted(
        ["requests.new.natural_person", "proactive.fees.amount", "requests.new.research"])


def test_missing_prediction_counts_as_all_wrong(tmp_path):
    labels, preds = tmp_path / "labels", tmp_path / "preds"
    labels.mkdir()
    preds.mkdir()
    _write(labels, "a", load_json(DATA / "labels" / "hongze-2023.json"))
    s = evaluate(preds, labels)
    assert s.cell_accuracy == 0.0 and s.flag_recall == 0.0


def test_label_flags_from_printed_values():
    assert label_flags(load_json(DATA / "labels" / "hongze-2023.json")) == [
        "appeals.sum.review", "appeals.sum.suit_after_review"]
    assert label_flags(load_json(DATA / "labels" / "huaian-2024.json")) == []


def test_eval_cli_prints_table_and_json(tmp_path):
    labels, preds = tmp_path / "labels", tmp_path / "preds"
    labels.mkdir()
    preds.mkdir()
    a = load_json(DATA / "labels" / "huaian-2024.json")
    _write(labels, "a", a)
    _write(preds, "a", a)
    out = subprocess.run([sys.executable, "-m", "govreport.cli", "eval", str(preds), str(labels)],
                         capture_output=True, text=True, check=True).stdout
    assert "cell accuracy         100.00%" in out
    payload = json.loads(out[out.index("{"):])
    assert payload["cell_accuracy"] == 1.0 and payload["documents"] == 1
