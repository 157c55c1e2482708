"""Scores of predictions against benchmark labels, as the spec defines them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreport.errors import InputError
from govreport.postprocess.checks import check_all
from govreport.report import LABEL_FORMAT, REPORT_FORMAT
from govreport.schema.templates import TEMPLATE_IDS, load_template

DECIMAL_TOLERANCE = 0.01 + 1e-9


def same_value(pred: Any, label: Any) -> bool:
    """Integers exactly, decimals to 0.01, blank only matches blank."""
    if label is None or pred is None:
        return label is None and pred is None
    if isinstance(pred, bool) or isinstance(label, bool):
        return False
    if isinstance(label, int) and isinstance(pred, int):
        return pred == label
    return abs(float(pred) - float(label)) <= DECIMAL_TOLERANCE


def label_flags(label: dict[str, Any]) -> list[str]:
    """Relations the labelled (printed) values break."""
    tid = label.get("template")
    if tid not in TEMPLATE_IDS:
        return []
    template = load_template(tid)
    cells = label.get("cells", {})
    single = any(k.startswith("requests.other_handling.") for k in cells)
    _, flags, _, _ = check_all(template.invariants_for(single), cells)
    return flags


def load_prediction(path: Path) -> dict[str, Any]:
    """A prediction in the label format, or a full govreport report (converted)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not a JSON prediction ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(path, "a prediction must be a JSON object")
    if data.get("format") == REPORT_FORMAT:
        cells = {k: (None if v.get("status") == "unreadable" else v.get("value"))
                 for k, v in data.get("fields", {}).items()}
        return {"format": LABEL_FORMAT, "template": data.get("template"), "cells": cells,
                "flags": data.get("flags", [])}
    return data


@dataclass
class DocScore:
    name: str
    cells: int
    correct: int
    template_ok: bool
    true_flags: list[str]
    pred_flags: list[str]
    wrong: list[str] = field(default_factory=list)
    has_prediction: bool = True


@dataclass
class Scores:
    documents: list[DocScore]

    @property
    def cell_accuracy(self) -> float:
        total = sum(d.cells for d in self.documents)
        return sum(d.correct for d in self.documents) / total if total else 0.0

    @property
    def document_exact_match(self) -> float:
        n = len(self.documents)
        return sum(d.correct == d.cells for d in self.documents) / n if n else 0.0

    @property
    def template_accuracy(self) -> float:
        n = len(self.documents)
        return sum(d.template_ok for d in self.documents) / n if n else 0.0

    @property
    def flag_counts(self) -> tuple[int, int, int]:
        tp = sum(len(set(d.true_flags) & set(d.pred_flags)) for d in self.documents)
        n_pred = sum(len(set(d.pred_flags)) for d in self.documents)
        n_true = sum(len(set(d.true_flags)) for d in self.documents)
        return tp, n_pred, n_true

    @property
    def flag_precision(self) -> float:
        tp, n_pred, _ = self.flag_counts
        return tp / n_pred if n_pred else 1.0

    @property
    def flag_recall(self) -> float:
        tp, _, n_true = self.flag_counts
        return tp / n_true if n_true else 1.0

    def as_dict(self) -> dict[str, Any]:
        tp, n_pred, n_true = self.flag_counts
        return {
            "documents": len(self.documents),
            "labelled_cells": sum(d.cells for d in self.documents),
            "cell_accuracy": round(self.cell_accuracy, 6),
            "document_exact_match": round(self.document_exact_match, 6),
            "template_accuracy": round(self.template_accuracy, 6),
            "flag_precision": round(self.flag_precision, 6),
            "flag_recall": round(self.flag_recall, 6),
            "flags": {"true_positive": tp, "predicted": n_pred, "expected": n_true},
            "per_document": [
                {"name": d.name, "cells": d.cells, "correct": d.correct, "template_ok": d.template_ok,
                 "has_prediction": d.has_prediction, "expected_flags": d.true_flags,
                 "predicted_flags": d.pred_flags, "wrong_cells": d.wrong}
                for d in self.documents
            ],
        }

    def table(self) -> str:
        tp, n_pred, n_true = self.flag_counts
        rows = [
            ("documents", f"{len(self.documents)}"),
            ("labelled cells", f"{sum(d.cells for d in self.documents)}"),
            ("cell accuracy", f"{self.cell_accuracy:.2%}"),
            ("document exact match", f"{self.document_exact_match:.2%}"),
            ("template accuracy", f"{self.template_accuracy:.2%}"),
            ("flag precision", f"{self.flag_precision:.2%} ({tp}/{n_pred})"),
            ("flag recall", f"{self.flag_recall:.2%} ({tp}/{n_true})"),
        ]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _prediction_for(pred_dir: Path, stem: str) -> Path | None:
    for name in (f"{stem}.labels.json", f"{stem}.json"):
        p = pred_dir / name
        if p.is_file():
            return p
    return None


def score_document(name: str, label: dict[str, Any], pred: dict[str, Any] | None) -> DocScore:
    cells = label.get("cells", {})
    true_flags = label_flags(label)
    if pred is None:
        return DocScore(name, len(cells), 0, False, true_flags, [], wrong=sorted(cells), has_prediction=False)
    pcells = pred.get("cells", {})
    wrong = [k for k, v in cells.items() if k not in pcells or not same_value(pcells[k], v)]
    return DocScore(name, len(cells), len(cells) - len(wrong), pred.get("template") == label.get("template"),
                    true_flags, list(pred.get("flags", [])), wrong=wrong)


def evaluate(pred_dir: Path, label_dir: Path) -> Scores:
    """Score every label file in ``label_dir`` against the prediction of the same name."""
    if not label_dir.is_dir():
        raise InputError(label_dir, "label folder not found")
    if not pred_dir.is_dir():
        raise InputError(pred_dir, "prediction folder not found")
    docs: list[DocScore] = []
    for lp in sorted(label_dir.glob("*.json")):
        label = json.loads(lp.read_text("utf-8"))
        if not isinstance(label, dict) or label.get("format") != LABEL_FORMAT:
            continue
        stem = lp.name.removesuffix(".json").removesuffix(".labels")
        pp = _prediction_for(pred_dir, stem)
        docs.append(score_document(stem, label, load_prediction(pp) if pp else None))
    if not docs:
        raise InputError(label_dir, f"no label files ({LABEL_FORMAT}) found")
    return Scores(docs)
