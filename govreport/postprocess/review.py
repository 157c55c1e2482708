"""What a person should look at after repair: conflicts, unreadable cells, broken relations, repairs and low
confidence readings, ordered by how much they matter (``review_items``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from govreport.postprocess.candidates import (
    IMPLIED,
    LOST_READING,
    MARKER_AS_ZERO,
    READ_FOR_ZERO,
    CellEvidence,
    Number,
    lookalike_digits,
    one_digit_apart,
)
from govreport.postprocess.repair import CALIBRATED_THRESHOLD, RepairResult
from govreport.report import ValueStatus


class ReviewKind(str, Enum):
    CONFLICT = "conflict"  # two readings about equally good: a person must choose
    UNREADABLE = "unreadable"  # no number could be read or implied
    BROKEN_RELATION = "broken-relation"  # the document breaks one of its sums (or it is left open by a conflict)
    PRINTED_ERROR = "printed-error"  # a confidently read cell that the sums point to as printed wrong (kept as read)
    REPAIRED = "repaired"  # a garbled reading replaced using the sums
    LOW_CONFIDENCE = "low-confidence"  # read as is, below the confidence threshold


_CLASS_RANK = {ReviewKind.CONFLICT: 4.0, ReviewKind.UNREADABLE: 4.0, ReviewKind.BROKEN_RELATION: 3.0,
               ReviewKind.PRINTED_ERROR: 3.0,
               ReviewKind.REPAIRED: 2.0, ReviewKind.LOW_CONFIDENCE: 1.0}


@dataclass(frozen=True)
class ReviewItem:
    """One thing a person should look at; ``review_items`` returns them most important first."""

    key: str  # field key, or relation id for a broken relation
    status: ReviewKind
    value: Number | None  # the value reported (for a relation: None)
    raw_text: str  # what was read ("" for a relation)
    reason: str
    priority: float  # higher first: class (conflict/unreadable > broken relation > repaired > low confidence),
    # then totals before parts, then larger values


# why a cell was repaired, by the origin of its new value (others: the origin and its probability)
_REPAIR_REASONS = {
    IMPLIED: "implied by the sums",
    LOST_READING: "the reading, unsure, broke its relations, which agree on this value instead",
    MARKER_AS_ZERO: "a lone blank marker where the report prints its zeros, p={p:.2f}",
    READ_FOR_ZERO: "an unsure reading its look-alikes do not explain, taken for the 0 its relations need, p={p:.2f}",
}


def _lookalike_digit(read: Number | None, meant: Number | None) -> tuple[str, str] | None:
    """(read digit, meant digit) where two whole numbers of as many digits differ in one place only, by a pair of
    ``DIGIT_CONFUSIONS`` (1622 for 1022: 6 and 0): a confident misreading looks so, as well as a misprint."""
    if read is None or meant is None or float(read) != int(read) or float(meant) != int(meant) or read < 0 \
            or meant < 0:
        return None
    pair = one_digit_apart(str(int(read)), str(int(meant)))
    return pair if pair is not None and lookalike_digits(pair) else None


def _importance(key: str, value: Number | None) -> float:
    total = key.endswith(".total") or ".results_total." in key
    size = min(1.0, math.log10(1.0 + abs(float(value or 0))) / 6.0)
    return (0.5 if total else 0.0) + 0.49 * size


def review_items(result: RepairResult, evidence: Mapping[str, CellEvidence] | None = None,
                 threshold: float = CALIBRATED_THRESHOLD) -> list[ReviewItem]:
    """What a person should look at, most important first.

    Conflicts and unreadable cells first, then broken relations (flagged or left unresolved) and the confident cells
    they point to as printed wrong (``RepairResult.printed_errors``, kept as read), then repaired cells,
    then cells read as is below ``threshold`` (text-layer cells never). Within a class totals come before parts
    and larger values before smaller ones.
    """
    ev = evidence or {}
    items: list[ReviewItem] = []
    for key, c in result.cells.items():
        e = ev.get(key)
        raw = e.raw_text if e is not None else ""
        conf = e.confidence if e is not None else 1.0
        digital = e.digital if e is not None else c.confident and len(c.candidates) <= 1
        shown = f"{c.reading:g}" if c.reading is not None else repr(raw)
        if c.status is ValueStatus.CONFLICT:
            alt = f" or {c.runner_up.value:g}" if c.runner_up is not None and c.runner_up.value is not None else ""
            kind, reason = ReviewKind.CONFLICT, f"read {shown}{alt}: the sums fit either about equally well"
        elif c.status is ValueStatus.UNREADABLE:
            implied = result.derived.get(key)
            kind, reason = ReviewKind.UNREADABLE, (
                f"read {shown}: no number; the sums imply {implied.value:g}, uncorroborated (kept apart as derived)"
                if implied is not None else f"read {shown}: no number, and the sums do not pin one down")
        elif c.status is ValueStatus.REPAIRED:
            how = _REPAIR_REASONS.get(c.origin, "{origin}, p={p:.2f}").format(origin=c.origin, p=c.prob)
            kind, reason = ReviewKind.REPAIRED, f"read {shown}, repaired to {c.value:g} ({how})"
        elif key in result.printed_errors:
            want = result.meant.get(key)
            rels = ", ".join(r for r in c.relations if r in result.flags)
            pair = _lookalike_digit(c.reading, want)
            kind, reason = ReviewKind.PRINTED_ERROR, (
                f"read {shown} and kept: the broken relations {rels or 'of it'} point to this cell as printed wrong"
                + (f" (they would hold with {want:g})" if want is not None else "")
                + (f"; the two differ in one look-alike digit ({pair[0]} read for {pair[1]}?): check the scan, it"
                   " may be a misreading" if pair is not None else ""))
        elif not digital and not c.blank and conf < threshold:
            kind, reason = ReviewKind.LOW_CONFIDENCE, f"read with confidence {conf:.2f}"
        else:
            continue
        items.append(ReviewItem(key=key, status=kind, value=c.value, raw_text=raw, reason=reason,
                                priority=round(_CLASS_RANK[kind] + _importance(key, c.value), 4)))
    checks = {chk.id: chk for chk in result.checks}
    for rel in result.relations:
        if not (rel.flagged or rel.unresolved):
            continue
        chk = checks.get(rel.id)
        sums = f" ({chk.lhs:g} vs {chk.rhs:g})" if chk is not None and chk.lhs is not None and chk.rhs is not None \
            else ""
        reason = ("the document breaks this relation as printed" if rel.flagged
                  else "broken or open with an unsure cell in it: the document or the reading is wrong") + sums
        top = max((chk.lhs or 0.0, chk.rhs or 0.0)) if chk is not None else 0.0
        items.append(ReviewItem(key=rel.id, status=ReviewKind.BROKEN_RELATION, value=None, raw_text="",
                                reason=reason, priority=round(_CLASS_RANK[ReviewKind.BROKEN_RELATION]
                                                              + 0.5 + 0.49 * min(1.0, math.log10(1 + top) / 6), 4)))
    items.sort(key=lambda it: (-it.priority, it.key))
    return items
