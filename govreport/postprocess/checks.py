"""Evaluate the sum relations on the printed values.

A relation broken as printed is flagged and nothing is changed. A relation with a blank cell is
incomplete; where exactly one cell is blank, the value the relation implies for it is returned
as a derived value, kept apart from what is printed.
"""

from __future__ import annotations

from collections.abc import Mapping

from govreport.report import DerivedValue, RelationCheck, RelationStatus
from govreport.schema.templates import Invariant

TOLERANCE = 0.005


def check_relation(inv: Invariant, values: Mapping[str, int | float | None]) -> RelationCheck:
    missing = [k for k in inv.fields if k not in values]
    blank = [k for k in inv.fields if k in values and values[k] is None]
    if missing or blank:
        return RelationCheck(id=inv.id, status=RelationStatus.INCOMPLETE, blank=blank, missing=missing)
    lhs = float(sum(values[k] or 0 for k in inv.lhs))
    rhs = float(sum(values[k] or 0 for k in inv.rhs))
    status = RelationStatus.HOLDS if abs(lhs - rhs) <= TOLERANCE else RelationStatus.BROKEN
    return RelationCheck(id=inv.id, status=status, lhs=lhs, rhs=rhs)


def sign(inv: Invariant, key: str) -> int:
    """How ``key`` counts in ``inv``'s lhs - rhs: +1 on the left, -1 on the right, 0 on both sides or none."""
    return inv.lhs.count(key) - inv.rhs.count(key)


def residual(inv: Invariant, values: Mapping[str, int | float | None]) -> float:
    """lhs - rhs of ``inv`` with ``values`` (a missing or blank cell counts 0)."""
    return sum(float(values.get(k) or 0) for k in inv.lhs) - sum(float(values.get(k) or 0) for k in inv.rhs)


def holds(inv: Invariant, values: Mapping[str, int | float | None], tol: float = TOLERANCE) -> bool:
    """``inv`` holds with ``values`` to within ``tol`` (a missing or blank cell counts 0)."""
    return abs(residual(inv, values)) <= tol


def implied_value(inv: Invariant, values: Mapping[str, int | float | None], key: str) -> float:
    """The value of ``key`` that makes ``inv`` hold, the other cells as ``values`` stand (blank or absent counts 0)."""
    lhs = sum(values.get(k) or 0 for k in inv.lhs if k != key)
    rhs = sum(values.get(k) or 0 for k in inv.rhs if k != key)
    return rhs - lhs if key in inv.lhs else lhs - rhs


def check_all(invariants: list[Invariant], values: Mapping[str, int | float | None]
              ) -> tuple[list[RelationCheck], list[str], dict[str, DerivedValue], list[str]]:
    """(checks, flags, derived values, warnings about blanks that relations disagree on)."""
    checks = [check_relation(inv, values) for inv in invariants]
    flags = [c.id for c in checks if c.status is RelationStatus.BROKEN]
    proposals: dict[str, list[tuple[str, float]]] = {}
    for inv, chk in zip(invariants, checks, strict=True):
        if chk.status is RelationStatus.INCOMPLETE and len(chk.blank) == 1 and not chk.missing:
            key = chk.blank[0]
            proposals.setdefault(key, []).append((inv.id, implied_value(inv, values, key)))
    derived: dict[str, DerivedValue] = {}
    warnings: list[str] = []
    for key, props in proposals.items():
        implied = {round(v, 2) for _, v in props}
        if len(implied) > 1:
            warnings.append(f"{key}: printed blank; relations imply different values "
                            + ", ".join(f"{rid}={v:g}" for rid, v in props))
            continue
        value = implied.pop()
        if value < 0:
            warnings.append(f"{key}: printed blank; relations imply a negative value {value:g}")
            continue
        as_number: int | float = int(value) if float(value).is_integer() else value
        derived[key] = DerivedValue(key=key, value=as_number, from_relations=[rid for rid, _ in props])
    return checks, flags, derived, warnings
