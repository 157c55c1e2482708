"""Which values the relations vouch for: the support that lets repair keep a value it did not read.

A relation *settles* a cell where it holds with the values as they stand and its other cells pass a test (read as
is, certain, or themselves supported); support grows from a base of such cells until nothing more is added
(``_grown``). Repair uses it twice: a value implied for an unreadable cell is kept only where the relations
corroborate it (``settle_implied``), and an unsure cell another relation vouches for counts as settled when a
broken relation is judged (``vouched_for``; ``flags.judge``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from govreport.postprocess.candidates import IMPLIED, Candidate, Number
from govreport.postprocess.checks import holds
from govreport.report import DerivedValue, ValueStatus
from govreport.schema.templates import Invariant

if TYPE_CHECKING:  # (repair imports this module)
    from govreport.postprocess.repair import CellRepair, RepairOptions


def settle_implied(out: Mapping[str, CellRepair], cells: Mapping[str, Sequence[Candidate]], fixed: AbstractSet[str],
                   enforced_of: Mapping[str, list[Invariant]], seen: Mapping[str, AbstractSet[Number]],
                   opts: RepairOptions) -> tuple[dict[str, CellRepair], dict[str, Number | None],
                                                 dict[str, DerivedValue]]:
    """The cells ``out`` with every implied value the relations do not corroborate withdrawn; the values they then
    give (unreadable cells left out); the withdrawn values, as derived.

    An implied value is a repair only where it is corroborated (``_corroborated``): two or more relations agree on
    it, each of whose other cells is read as is, a repair that settles a relation of its own (``_anchored``), or
    another implied cell of the same corroborated group, the group having more relations than unknowns; or one
    relation whose other cells are all firm (confident, certain, or such repairs); or where it is 0 (by far the most
    common value in these tables); or one such relation where the cell's own decodings name the value (``seen``). A
    value that leans on unsure readings in one relation, or on repairs made to fit it: the cell stays unreadable and
    the value is kept apart as derived. ``cells``: every cell's candidates; ``fixed``: the cells fixed to their
    reading."""
    out = dict(out)
    values = {k: c.value for k, c in out.items() if c.status is not ValueStatus.UNREADABLE}
    implied = {k for k, c in out.items() if c.origin == IMPLIED and c.value not in (None, 0)}
    anchored = _anchored(out, enforced_of, values, opts.tolerance)
    firm = {k for k in anchored if k in fixed or len(cells.get(k, ())) <= 1
            or out[k].status is ValueStatus.REPAIRED}
    named = {k for k in implied if out[k].value in seen.get(k, ())}
    support = _corroborated(implied, anchored, firm, enforced_of, values, opts, named)
    implied_alone = {key: DerivedValue(key=key, value=out[key].value, from_relations=support.get(key, []))
                     for key in sorted(implied - set(support))}
    for key in implied_alone:
        out[key] = replace(out[key], reading=None, value=None, status=ValueStatus.UNREADABLE, prob=0.0,
                           origin="unreadable", runner_up=None, blank=False)
        values.pop(key, None)
    # Every repair must settle a relation with the values as they now stand; one that leaned on an implied value
    # just withdrawn goes back to its reading (repeated: one withdrawal can undo the support of another).
    withdrawn = True
    while implied_alone and withdrawn:
        withdrawn = False
        for key, c in list(out.items()):
            if c.status is not ValueStatus.REPAIRED or any(
                    _settles(inv, key, values, lambda _: True, opts.tolerance) for inv in enforced_of.get(key, [])):
                continue
            top = c.candidates[0] if c.candidates else None
            if top is None:  # an implied value without support left
                out[key] = replace(c, value=None, status=ValueStatus.UNREADABLE, prob=0.0, origin="unreadable")
                values.pop(key, None)
            else:
                out[key] = replace(c, value=top.value, status=ValueStatus.READ, prob=top.prob, origin=top.origin)
                values[key] = top.value
            withdrawn = True
    return out, values, implied_alone


def _settles(inv: Invariant, key: str, values: Mapping[str, Number | None], ok: Callable[[str], bool],
             tol: float) -> bool:
    """``inv`` holds with ``values``, and each of its cells other than ``key`` passes ``ok``."""
    return all(values.get(k) is not None for k in inv.fields) and holds(inv, values, tol) \
        and all(ok(k) for k in inv.fields if k != key)


def vouched_for(eligible: set[str], certain: set[str], enforced_of: Mapping[str, list[Invariant]],
                values: Mapping[str, Number | None], tol: float) -> set[str]:
    """Cells of ``eligible`` whose value another relation vouches for: it holds, and its other cells are certain or
    vouched for (repeated until nothing is added)."""
    return _grown(certain, eligible, enforced_of, values, tol) - certain


def _anchored(out: Mapping[str, CellRepair], enforced_of: Mapping[str, list[Invariant]],
              values: Mapping[str, Number | None], tol: float) -> set[str]:
    """Cells whose value stands without an implied value: read as is, or repaired to a candidate that settles a
    relation whose other cells are anchored (repeated until nothing is added)."""
    anchored = {k for k, c in out.items() if c.status is ValueStatus.READ}
    repaired = {k for k, c in out.items() if c.status is ValueStatus.REPAIRED and c.origin != IMPLIED}
    return _grown(anchored, repaired, enforced_of, values, tol)


def _grown(base: set[str], joiners: set[str], enforced_of: Mapping[str, list[Invariant]],
           values: Mapping[str, Number | None], tol: float) -> set[str]:
    """``base`` with every cell of ``joiners`` that settles a relation whose other cells are in it, added until
    nothing more is (the order does not matter: a cell once in stays in)."""
    grown = set(base)
    added = True
    while added:
        added = False
        for key in sorted(joiners - grown):
            if any(_settles(inv, key, values, grown.__contains__, tol) for inv in enforced_of.get(key, [])):
                grown.add(key)
                added = True
    return grown


def _corroborated(implied: set[str], anchored: set[str], firm: set[str], enforced_of: Mapping[str, list[Invariant]],
                  values: Mapping[str, Number | None], opts: RepairOptions,
                  named: AbstractSet[str] = frozenset()) -> dict[str, list[str]]:
    """The implied cells whose values the relations corroborate, with the relations that do.

    A relation supports an implied cell where it holds and its other cells are anchored or implied cells still in
    the running. A cell needs ``implied_support`` of them, and a group of implied cells linked through supporting
    relations needs ``implied_support - 1`` relations more than it has cells (one unknown, two relations; two
    unknowns, three): the values are determined and checked at least once more. With ``one_firm_relation``, a
    relation whose other cells are ``firm`` (or implied cells in the running) is enough for a cell, and as many such
    relations as cells for a group: nothing unsure takes part, so only the document's own error could make the
    value wrong. A cell of ``named`` (its own decodings name the value) counts any one supporting relation as
    such. Cells and groups that fall short drop out, which can take support from others: repeated until it
    settles."""
    running = set(implied)
    while True:
        ok = (anchored | running).__contains__
        support = {key: [inv.id for inv in enforced_of.get(key, [])
                         if _settles(inv, key, values, ok, opts.tolerance)] for key in sorted(running)}
        solid = (firm | running).__contains__
        firm_support = {key: [inv.id for inv in enforced_of.get(key, [])
                              if opts.one_firm_relation and _settles(inv, key, values, solid, opts.tolerance)]
                        for key in sorted(running)}
        for key in running & named:  # the cell's own decodings name the value: one relation of anchored cells
            firm_support[key] = firm_support[key] or support[key]
        keep = {key for key in running if len(support[key]) >= opts.implied_support or firm_support[key]}
        for group in _groups(keep, support):
            rels = {r for key in group for r in support[key]}
            firm_rels = {r for key in group for r in firm_support[key]}
            if len(rels) < len(group) + opts.implied_support - 1 and len(firm_rels) < len(group):
                keep -= group
        if keep == running:
            return {key: support[key] for key in keep}
        running = keep


def _groups(keys: set[str], rels_of: Mapping[str, list[str]]) -> list[set[str]]:
    """``keys`` split into groups linked through shared relations."""
    groups: list[set[str]] = []
    for key in sorted(keys):
        linked = [g for g in groups if any(set(rels_of[key]) & set(rels_of[k]) for k in g)]
        merged = {key}.union(*linked)
        groups = [g for g in groups if g not in linked] + [merged]
    return groups
