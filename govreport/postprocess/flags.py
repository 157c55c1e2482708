"""Which relations the repaired values break are the document's own inconsistencies, and which are for a person.

Repair (``repair.repair``) leaves some relations broken. One is **flagged** (the document breaks it as printed;
the values stay as printed) where nothing unsure can be blamed: every cell of it is certain (confident, or a
text-layer cell), vouched for by another relation that holds with it, taken for printed wrong (a misprinted
total's relations), or kept at a likely reading (an option); or where no choice among its unsure cells' candidates
would mend it (``_unfixable``); or where its firm cells alone break it past any reading of the others
(``_beyond_any_reading``). A broken relation that is not flagged, and one left open by an unreadable cell, is
**unresolved**: the reading or the document is wrong, and only a person can tell which. The options
(``RepairOptions.flag_*``) say how each rule was calibrated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from govreport.postprocess.candidates import IMPLIED, Number, lookalike_digits, one_digit_apart, value_kind
from govreport.postprocess.checks import residual, sign
from govreport.report import RelationCheck, ValueStatus
from govreport.schema.templates import Invariant

if TYPE_CHECKING:  # (repair imports this module)
    from govreport.postprocess.repair import CellRepair, RepairOptions


class Verdict(NamedTuple):
    """What one relation comes to after repair."""

    flagged: bool  # broken as printed: the document's own inconsistency
    unresolved: bool  # broken (or left open by an unreadable cell) with an unsure cell taking part: for review


def judge(inv: Invariant, chk: RelationCheck, out: Mapping[str, CellRepair], values: Mapping[str, Number | None],
          certain: set[str], vouched: set[str], enforced_of: Mapping[str, list[Invariant]], broken: set[str],
          printed: set[str], opts: RepairOptions) -> Verdict:
    """The verdict on ``inv`` (``chk``: its check on the repaired ``values``; ``out``: every cell's outcome).

    ``certain``: cells fixed to their reading (confident, or one candidate); ``vouched``: unsure cells another
    relation vouches for; ``broken``: ids of the relations the repaired values break; ``printed``: cells taken for
    printed wrong."""
    is_broken = inv.id in broken
    settled = all(  # confident, vouched for by another relation of confident cells, or (an option) an unsure
        # cell that kept a likely reading
        k in certain or k in vouched
        or (k in out and out[k].status is ValueStatus.READ and out[k].prob >= opts.flag_min_reading_prob)
        for k in inv.fields)
    open_cell = _has_unreadable(inv, out) and not chk.blank
    if is_broken and not settled and not open_cell and any(k in printed for k in inv.fields):
        # a relation of a cell taken for printed wrong: broken whatever its unsure cells read, unless one of
        # them is in conflict (the other explanation may be the right one)
        settled = not any(out[k].status is ValueStatus.CONFLICT for k in inv.fields if k in out)
    if is_broken and not settled and not open_cell and opts.flag_unfixable:
        settled = _unfixable(inv, out, values, certain | vouched, enforced_of, broken, opts)
    flagged = is_broken and settled and not open_cell
    if (is_broken or open_cell) and not flagged and opts.flag_beyond_reading:
        # (an unreadable cell is a count too: no value of it mends such a break either)
        firm = certain | {k for k in inv.fields if k in out and out[k].status is ValueStatus.READ
                          and out[k].prob >= opts.flag_beyond_reading_min_prob}
        flagged = _beyond_any_reading(inv, values, firm, opts.tolerance)
    return Verdict(flagged, (is_broken or open_cell) and not flagged)


def _unfixable(inv: Invariant, out: Mapping[str, CellRepair], values: Mapping[str, Number | None],
               settled: set[str], enforced_of: Mapping[str, list[Invariant]], broken: set[str],
               opts: RepairOptions) -> bool:
    """No choice among the candidates of ``inv``'s unsettled cells (the others as they stand) makes it hold, and
    none of those cells breaks another relation: an unsure cell that every relation of its own finds wrong is far
    more often misread (its truth among no candidate: a digit lost) than the document wrong twice over."""
    unsure = [k for k in inv.fields if k not in settled]
    if any(other.id != inv.id and (other.id in broken or _has_unreadable(other, out))
           for k in unsure for other in enforced_of.get(k, ())):
        return False  # a relation of its own that breaks, or that a lost number leaves open, cannot clear it
    if any(k not in out or out[k].status is ValueStatus.CONFLICT or out[k].origin == IMPLIED for k in unsure):
        return False  # repair could not choose, or the value is the relations' own: nothing printed to stand on
    if any(out[k].prob < opts.flag_unfixable_min_prob for k in unsure):
        return False  # a reading the recogniser itself doubts: the truth it missed is more likely than a misprint
    choices: list[list[float]] = []
    for k in unsure:
        vals = {float(x.value) for x in out[k].candidates if x.value is not None}
        if out[k].value is not None:
            vals.add(float(out[k].value))
        if not vals:
            return False
        choices.append(sorted(vals))
    if math.prod(len(v) for v in choices) > opts.flag_unfixable_limit:
        return False
    side = {k: sign(inv, k) for k in unsure}
    gap = residual(inv, values)  # lhs - rhs as the values stand
    for k in unsure:  # digits lost from the printed number, or one digit taken for its look-alike (a pair too
        # unlikely at the cell's confidence to be among its candidates), also explain the break: no flag
        v = values.get(k)
        if v is not None and side[k] != 0 and _misread_digits(v, float(v) - gap / side[k]):
            return False
    rest = gap - sum(side[k] * float(values.get(k) or 0) for k in unsure)
    # the sums the unsure cells can make, as a set (a small subset-sum over their candidate lists)
    reach = {rest}
    for k, vals in zip(unsure, choices, strict=True):
        reach = {round(r + side[k] * v, 6) for r in reach for v in vals}
    return all(abs(r) > opts.tolerance for r in reach)


def _beyond_any_reading(inv: Invariant, values: Mapping[str, Number | None], firm: set[str],
                        tolerance: float) -> bool:
    """``inv``'s ``firm`` cells alone break it past mending: its other cells are all counts on one side, and it
    would hold only were their sum negative. No reading of them, printed or lost, can make it hold."""
    unsure = [k for k in inv.fields if k not in firm]
    if not unsure or any(value_kind(k) != "count" for k in unsure):
        return False
    signs = {sign(inv, k) for k in unsure}
    if len(signs) != 1 or 0 in signs:
        return False
    (side,) = signs
    rest = residual(inv, {k: v for k, v in values.items() if k in firm})  # the unsure cells at 0
    return -rest * side < -tolerance  # their sum would have to be -rest / side


def _misread_digits(read: Number, needed: float) -> bool:
    """``needed`` is a whole number whose digits hold those of ``read`` in order, and more (737 read 3, 135 read
    15: digits lost), or differs from it in one digit (13 read 11), of a lone digit a look-alike pair of
    ``DIGIT_CONFUSIONS`` (2 read 3; any lone digit differs from any other in one)."""
    if needed < 0 or abs(needed - round(needed)) > 1e-9 or float(read) != int(read) or read < 0:
        return False
    short, long_ = str(int(read)), str(round(needed))
    if len(long_) == len(short):
        pair = one_digit_apart(short, long_)
        return pair is not None and (len(short) > 1 or lookalike_digits(pair))
    if len(long_) <= len(short):
        return False
    it = iter(long_)
    return all(ch in it for ch in short)


def _has_unreadable(inv: Invariant, out: Mapping[str, CellRepair]) -> bool:
    return any(k in out and out[k].status is ValueStatus.UNREADABLE for k in inv.fields)
