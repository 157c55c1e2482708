"""Repair of one report's cells from the recogniser's evidence, in passes (``repair_cells``).

Each pass builds the cells' candidates (``candidates.cell_candidates``) and repairs them jointly (``repair.repair``;
the module docstring there describes the method). The first takes a lone blank marker in a report that prints its
zeros for an unsure 0 (``candidates.lone_markers``), and one seen too faintly for ink without a number. The later
passes doubt what the relations leave unresolved and solve it again as lost numbers (digits lost beyond any
candidate): such markers, unsure readings kept, cells repaired to a candidate, conflicts, and last the markers those
lost numbers leave unresolved. The passes of one report share their solved components (``repair.SolveCache``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from govreport.postprocess.candidates import (
    IMPLIED,
    LOST_READING,
    MARKER_AS_ZERO,
    CellEvidence,
    Number,
    decoded_value,
    lone_markers,
)
from govreport.postprocess.repair import RepairOptions, RepairResult, SolveCache, repair
from govreport.report import RelationStatus, ValueStatus
from govreport.schema.templates import Invariant


def repair_cells(evidence: Mapping[str, CellEvidence], invariants: Sequence[Invariant],
                 options: RepairOptions | None = None) -> RepairResult:
    """Candidates from the evidence, confident cells by the threshold (text-layer cells always), then ``repair``."""
    opts = options or RepairOptions()
    markers = lone_markers(evidence, [inv.fields for inv in invariants], opts.confident_threshold,
                           opts.lone_marker_max, opts.lone_marker_zeros, opts.lone_marker_share) \
        if opts.lone_marker_max > 0 else set()
    # a mark barely seen is ink without a number (a 30 read 一 at 0.07, taken for 0, went on to 8 and took a
    # misreading beside it along)
    faint = {k for k in markers if evidence[k].confidence < opts.lone_marker_floor}
    shared = SolveCache()  # the repairs below share the components they have in common
    result = _repair_markers(evidence, invariants, opts, markers, faint, shared)
    rels = {r.id: r for r in result.relations}
    # a marker taken for 0 whose relations then stay broken was no 0 (a 54 read as a dash): a lost number as well
    lost = {k for k in markers - faint if result.cells[k].status is not ValueStatus.CONFLICT
            and any(rels[r].unresolved for r in result.cells[k].relations)}
    if lost:
        result = _repair_markers(evidence, invariants, opts, markers, faint | lost, shared)
    if opts.lost_reading_max > 0:
        result = _lost_readings(evidence, invariants, opts, markers, faint | lost, result, shared)
        together = replace(opts, lost_reading_singly=False)
        for status, on in ((ValueStatus.REPAIRED, opts.lost_reading_repaired),
                           (ValueStatus.CONFLICT, opts.lost_reading_conflicts)):
            if on:
                result = _lost_readings(evidence, invariants, together, markers, faint | lost, result, shared, status)
        if opts.lost_reading_markers:
            result = _late_lost_markers(evidence, invariants, opts, markers, faint | lost, result, shared)
    return result


def _late_lost_markers(evidence: Mapping[str, CellEvidence], invariants: Sequence[Invariant], opts: RepairOptions,
                       markers: set[str], lost: set[str], result: RepairResult, shared: SolveCache) -> RepairResult:
    """A marker taken for 0 whose relations the lost numbers solved for since leave unresolved was no 0 either (seed
    13 real OCR k = 2 doc 208: a 4 read `一` at 0.71 kept 0 while a lost number beside it was found, its three
    relations left broken by 4 each): solved again as a lost number, those lost numbers staying so."""
    rels = {r.id: r for r in result.relations}
    late = {k for k in markers - lost if result.cells[k].status is ValueStatus.REPAIRED
            and result.cells[k].origin == MARKER_AS_ZERO and any(rels[r].unresolved for r in result.cells[k].relations)}
    if not late:
        return result
    earlier = {k for k, c in result.cells.items() if c.origin == LOST_READING}
    trial = _repair_markers(evidence, invariants, opts, markers, lost | late | earlier, shared)
    # the late markers take the origin the trial gives them (``implied``, or unreadable), as the markers solved as lost
    # numbers in the first pass do: a marker has no reading to keep as evidence
    return _as_lost(result, trial, set(), earlier)


def _as_lost(result: RepairResult, trial: RepairResult, solved: set[str], earlier: set[str]) -> RepairResult:
    """``trial`` with the numbers it ``solved`` for and those solved for ``earlier`` marked as lost readings (their
    readings and candidates as ``result`` has them); ``result`` where it leaves one of the earlier ones open."""
    if any(trial.cells[k].status is not ValueStatus.REPAIRED for k in earlier):
        return result  # a number solved for before is left open by the new ones: keep what was found
    for k in solved | earlier:
        first = result.cells[k]
        trial.cells[k] = replace(trial.cells[k], reading=first.reading, candidates=first.candidates,
                                 origin=LOST_READING)
    return trial


def _lost_readings(evidence: Mapping[str, CellEvidence], invariants: Sequence[Invariant], opts: RepairOptions,
                   markers: set[str], lost: set[str], result: RepairResult, shared: SolveCache,
                   status: ValueStatus = ValueStatus.READ) -> RepairResult:
    """Unsure cells of ``status`` (readings kept, cells repaired to a candidate, conflicts) in relations left
    unresolved, solved again as lost numbers; kept where the relations then imply (with corroboration) another
    value."""
    rels = {r.id: r for r in result.relations}
    earlier = {k for k, c in result.cells.items() if c.origin == LOST_READING}  # solved so before: they stay so
    doubted = {k for k, c in result.cells.items()
               if c.status is status and c.origin not in (IMPLIED, LOST_READING) and not c.confident
               and c.value is not None and k not in markers
               and evidence[k].confidence < opts.lost_reading_below
               and any(rels[r].unresolved for r in c.relations)}
    if len(doubted) > opts.lost_reading_max:
        return result
    fields = {inv.id: inv.fields for inv in invariants}
    # only a relation with no printed blank and no cell the table lacks can hold again: too few such, nothing to try
    doubted = {k for k in doubted if sum(all(f in result.cells and not result.cells[f].blank for f in fields[r])
                                         for r in result.cells[k].relations) >= opts.lost_reading_support}
    if not doubted:
        return result

    def solved(doubted: set[str]) -> tuple[RepairResult, set[str]] | None:
        """The repair with ``doubted`` (narrowed to those the relations then settle) taken for lost numbers."""
        for _ in range(3):
            trial = _repair_markers(evidence, invariants, opts, markers, lost | earlier | doubted, shared)
            holding = {r.id for r in trial.relations if r.status is RelationStatus.HOLDS}
            kept = {k for k in doubted if trial.cells[k].status is ValueStatus.REPAIRED
                    and trial.cells[k].value != result.cells[k].value
                    and sum(r in holding for r in trial.cells[k].relations) >= opts.lost_reading_support}
            if kept and len({r for k in kept for r in trial.cells[k].relations if r in holding}) < len(kept) + 1:
                kept = set()
            if kept == doubted:
                return trial, doubted
            doubted = kept
            if not doubted:
                return None
        return None

    found = solved(doubted)
    if found is None and opts.lost_reading_singly and len(doubted) > 1:
        # several lost numbers at once can leave each undetermined where one alone is not: each on its own, then
        # those that came out together
        alone = {k for k in sorted(doubted) if solved({k}) is not None}
        found = solved(alone) if alone else None
    if found is None:
        return result
    trial, doubted = found
    return _as_lost(result, trial, doubted, earlier)


SEEN_MIN_PROB = 0.05  # a decoding of an unreadable cell at least this probable names a number it may hold


def seen_numbers(ev: CellEvidence) -> frozenset[Number]:
    """The numbers an unreadable cell's decodings name at ``SEEN_MIN_PROB`` or more together (an empty reading at
    0.06 whose decodings are blank 0.31, ``0`` 0.21, ``2`` 0.08: {0, 2}), each decoding read as ``cell_candidates``
    reads it (``2.``: a 2 with a speck). Real OCR (bench_repair seed 13, k = 1): a 2 read so, in a relation with
    unsure cells, was left unreadable with its implied 2 derived only."""
    mass: dict[Number, float] = {}
    for alt in ev.alternatives:
        value = decoded_value(alt.text, ev.kind)
        if value is not None:
            mass[value] = mass.get(value, 0.0) + alt.prob
    return frozenset(v for v, p in mass.items() if p >= SEEN_MIN_PROB)


def _repair_markers(evidence: Mapping[str, CellEvidence], invariants: Sequence[Invariant], opts: RepairOptions,
                    markers: set[str], lost: set[str], shared: SolveCache) -> RepairResult:
    """``repair`` with the ``markers`` offered as unsure zeros, those of them in ``lost`` as ink without a number."""
    evidence = {k: (replace(ev, raw_text="", confidence=0.0, alternatives=()) if k in lost
                    else replace(ev, raw_text="0", confidence=opts.lone_marker_confidence, alternatives=())
                    if k in markers else ev) for k, ev in evidence.items()}
    confident = {k for k, ev in evidence.items() if ev.digital or ev.confidence >= opts.confident_threshold}
    cands = {k: shared.candidates(k, ev, opts.confident_candidates if k in confident else opts.max_candidates,
                                  opts.zero_odds, opts.candidate_factors)
             for k, ev in evidence.items()}
    for key in markers - lost:
        first, *rest = cands[key]
        cands[key] = [replace(first, origin=MARKER_AS_ZERO), *rest]
    seen = {k: seen_numbers(ev) for k, ev in evidence.items() if not cands[k]}
    result = repair(cands, confident, invariants, opts, seen=seen, shared=shared)
    for key in markers:  # what was read is a blank marker: any number reported is repair's, not the reading
        c = result.cells[key]
        read = c.status in (ValueStatus.READ, ValueStatus.REPAIRED)
        result.cells[key] = replace(c, reading=None, status=ValueStatus.REPAIRED if read else c.status)
    return result
