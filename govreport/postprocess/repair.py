"""Joint repair of garbled OCR readings with the tables' sum relations, and the review list.

Every numeric cell has candidate readings with probabilities (``candidates.cell_candidates``). Repair chooses,
for all cells at once, the most probable assignment that satisfies the relations:

    maximise  sum over cells of log P(chosen candidate)  -  release_penalty * (number of relations released)

* A cell read with confidence at or above ``confident_threshold`` (and every text-layer cell) is fixed to its
  reading: repair never changes a confident value to make a sum hold.
* Each relation is an equality over the chosen values, enforced unless released by a binary slack (big-M) that
  costs ``release_penalty`` (log-probability units: the prior odds against a document breaking one of its own
  relations). A relation that stays broken is reported: where its cells are all confident, or each unsure one is
  vouched for by another relation that holds with it among confident cells (``flag_vouched``), it is flagged as
  the document's own inconsistency (the values stay as printed). It is flagged too where no choice among its unsure
  cells' candidates would make it hold (``flag_unfixable``), unless one of those cells breaks another relation as
  well, its reading with digits lost (or one digit taken for a look-alike) would mend it, or its reading is below
  ``flag_unfixable_min_prob``: then the reader is as likely to blame. It is flagged whatever its unsure (or
  unreadable) cells read where its confident cells alone, with those kept at a reading of at least
  ``flag_beyond_reading_min_prob``, break it past mending: the others are counts on one side that would have to sum
  below 0 (``flag_beyond_reading``). Otherwise it is left ``unresolved`` for a person (a misreading repair could not
  explain, or the document's error).
* A document errs in a cell (a mistyped total), which breaks all its relations at once; the release penalty prices
  relations one by one. So the optimum is compared with explanations in which a settled cell is printed wrong
  (``_printed_errors``, at ``printed_error_penalty`` for all its relations): where one is more probable by the
  conflict margin and the cell's relations then break as one misprint would (``_misprints``), its relations are let go
  and the rest solved again (a misreading that cancelled the misprint in one relation is repaired), and its broken
  relations are flagged; the cell is listed in ``printed_errors`` (and for review, with the value its broken
  relations agree on: ``meant``).
* A relation with a blank cell (or a cell the document lacks) is incomplete and not enforced; a printed blank
  stays blank (its only candidate is the blank). Values implied for blanks are returned apart, as derived.
  ``repair_cells`` makes one exception, by the report's style: a cell read as a blank marker where the report prints
  its zeros and marks next to nothing (``candidates.lone_markers``) is offered as an unsure 0, and reported
  ``repaired`` (origin ``marker-as-0``) with no reading.
* ``repair_cells`` last doubts the unsure readings (below ``lost_reading_below``) that relations left unresolved:
  digits lost beyond any candidate (990 read 99). At most ``lost_reading_max`` of them are solved again as lost
  numbers; where two or more of a cell's relations then hold with a value other than its reading, it is repaired
  (origin ``lost-reading``, its reading and candidates kept as evidence), else the first outcome stands. Where
  together they settle none, each is tried alone (``lost_reading_singly``).
* A cell whose text is not a number at all (a seal smear, a faint 0 read as nothing) gets a free integer with a
  constant prior (``unreadable_log_prior``). Where two or more relations agree on its value (or a relation holds
  with it at 0) it is repaired (origin ``implied``); a relation counts where its other cells are read as is,
  repaired to a candidate that settles a relation of its own, or implied cells of a group with more relations than
  unknowns (``_corroborated``). One relation is enough where its other cells are firm (confident, certain, or such
  repairs; ``one_firm_relation``): it cannot tell a lost number from the document's own error, but documents break
  a given relation far less often (about 0.3% of relations on the benchmark corpus) than the precision repair is
  held to. So is one whose other cells are read as is or so repaired where the recogniser's own decodings of the
  cell name the value (``seen_numbers``: an empty reading decoded ``2`` at 0.08). A value with less support goes to
  ``derived`` and the cell stays unreadable.
* Only cells in a relation that does not hold as read may change, and of those not the ones no optimum can change
  (``_never_changed``: exact dominance). The rest splits into components (cells linked through shared enforced
  relations); components whose relations all hold as read are not solved. A component is solved exactly: by
  enumeration where the product of its candidate counts is at most ``max_enumeration``, else by a branch and bound
  over the broken relations (``_Search``; with two or more unreadable cells ``_FreeSearch``, which eliminates them
  through the relations it holds), and where that outgrows ``node_limit`` nodes as an integer programme with HiGHS
  (``scipy.optimize.milp``: binary choice per candidate, big-M release per relation). They agree (randomised tests
  against the integer programme). Where HiGHS runs out of ``time_limit_s``, the component is solved again over each
  cell's ``fallback_candidates`` likeliest candidates (a warning says so), and past that too its readings are kept.
* Conflict: for every cell the optimum changes (and every unreadable cell it fills), the problem is solved again
  with that choice forbidden. If the best such alternative is within ``conflict_margin`` of the optimum, the cell
  and every cell the alternative sets differently are marked ``conflict`` and keep their readings: repair does not
  guess between near-equal explanations.

The confidence threshold is calibrated on the benchmark corpus with ``calibrate_threshold`` (see its docstring and
``benchmarks/bench_repair.py --calibrate``).
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from govreport.postprocess.candidates import (
    DIGIT_CONFUSIONS,
    MARKER_AS_ZERO,
    READ_FOR_ZERO,
    ZERO_ODDS,
    Candidate,
    CellEvidence,
    Number,
    cell_candidates,
    decoded_value,
    lone_markers,
    value_kind,
)
from govreport.postprocess.checks import TOLERANCE, check_all, implied_value
from govreport.report import DerivedValue, RelationCheck, RelationStatus, ValueStatus
from govreport.schema.templates import Invariant

# Calibrated on the benchmark corpus (benchmarks/bench_repair.py --n 20 --ocr --ocr-n 250 --calibrate, seed 11: real
# recogniser readings of 250 documents x k=1,2, read as the scan path reads them), 2026-11-22: 0.95 has the fewest
# errors (3 false changes + 2 x 4 false flags + 39 missed flags = 50; 0.85: 52; 0.93: 54; 0.999: 58, with 51 of
# the documents' own breaks left unflagged) and recall is flat at 89.7% from 0.85 up. Was 0.93 (on the readings of
# before 2026-11-22). Re-run 2026-12-05 with flag_unfixable and the 0/1 look-alike: 0.95 again (3 false changes +
# 2 x 4 false flags + 29 missed flags = 40; 0.85: 3 + 12 + 27 = 42; 0.999: 3 + 4 + 42 = 49). 2026-12-06: 0.99, on
# seeds 11, 12 and 13 together (`--n 20 --ocr --ocr-n 250 --calibrate --seed S`, errors summed), once the benchmark
# gave a text heavy renderings in proportion to its cells (0 had six, 480 now): its wrong readings of 0 include a
# few read at 0.95-0.99 (an `8` at 0.958, a `2` at 0.961), each a false flag wherever it is drawn. Errors: 0.95 686,
# 0.97 453, 0.98 444, 0.99 232 (54 + 94 + 84), 0.995 261, 0.999 254 (seed 11 alone: 0.999, 48 against 54; seed 12:
# 0.99; seed 13: 0.97, 80 against 84). Scans end to end are the same at 0.95 and 0.99 but for two cells of seed 14
# (one more right, one more unreadable). Swept again with flag_unfixable_min_prob 0.7 and the 0 candidate: 0.99 192
# (51 + 71 + 70), 0.999 215, 0.995 228, 0.97 427.
CALIBRATED_THRESHOLD = 0.99

LOST_READING = "lost-reading"  # origin of an unsure reading solved again as a lost number (``_lost_readings``)
IMPLIED = "implied"  # origin of a value the relations gave a cell with no reading (an unreadable cell)


@dataclass(frozen=True)
class RepairOptions:
    confident_threshold: float = CALIBRATED_THRESHOLD  # cells read at or above this confidence are fixed
    conflict_margin: float = 2.0  # log-prob units: alternatives closer than this to the optimum make a conflict
    release_penalty: float = 6.0  # log-prob cost of leaving one relation broken (prior odds against a document
    # breaking one given relation; with the margin: a change that settles one relation must cost under 4, i.e. the
    # candidate be at least 1/55 as likely as the reading; one that settles two, under 10)
    unreadable_log_prior: float = math.log(1e-4)  # log-prob of the value the relations imply for an unreadable cell
    max_enumeration: int = 2000  # components with at most this many joint assignments are enumerated
    # branch-and-bound nodes before a component goes to the integer programme: a few milliseconds of search, where
    # HiGHS takes 40-150 ms on the small components with unreadable cells that reach it (big-M bounds on the free
    # values). 2000 -> 5000 (2026-12-07, real OCR k = 2): the same repairs on every benchmark row, the slowest
    # report 0.79 -> 0.47 s (seed 12), 0.51 -> 0.36 s (seed 13).
    node_limit: int = 5000
    max_candidates: int = 16  # per cell, when candidates are built here (repair_cells)
    confident_candidates: int = 4  # …for a confident cell (fixed anyway: the list is for the record)
    # a candidate 0 built here is weighted by these prior odds (``candidates.ZERO_ODDS``: 0 is most of a report's
    # cells; 1 for the recogniser's probabilities alone)
    zero_odds: float = ZERO_ODDS
    tolerance: float = TOLERANCE
    implied_support: int = 2  # relations that must agree on a non-zero value implied for an unreadable cell
    # One relation suffices where its other cells are firm: fixed (confident or certain) or repaired to a candidate
    # that settles a relation of its own. On real OCR (k = 1, 2026-11-22) this restored 22 more of 1007 garbled
    # cells with no wrong change; unsure readings do not count (a second garbled cell read wrong would pass its
    # error on to the implied value).
    one_firm_relation: bool = True
    time_limit_s: float = 2.0  # per integer programme; beyond it the component is solved again over
    # each cell's ``fallback_candidates`` likeliest candidates, and past that too its readings are kept (a warning
    # either way). Seed-15 doc0012 (81 cells, 13 unreadable, 659 candidates): 26 wrong with readings kept, 19 so.
    fallback_candidates: int = 4
    # A relation the optimum leaves broken although unsure cells take part: flagged as the document's own error
    # when each of its unsure cells kept a reading at least this probable (no conflict, nothing unreadable or
    # changed), else left unresolved for a person. Off by default (1.0): on the repair benchmark (k = 1, 150
    # documents) 0.5 raised the self-inconsistent documents flagged exactly from 40% to 60% but flagged 10 of 135
    # consistent ones (misreadings no candidate explains), and a false accusation costs the user more.
    flag_min_reading_prob: float = 1.0
    # ...or where each of its unsure cells is vouched for: it kept its reading, or was repaired to a candidate, and
    # another relation holds with it whose other cells are confident (or vouched for). On real OCR (2026-11-22)
    # this raised the self-inconsistent documents flagged exactly from 41.9% to 54.8% (k = 1) and 32.3% to 51.6%
    # (k = 2), flag recall from 60% to 72% and 48% to 68%, and flagged no consistent document; but 2 of 49 and 2 of
    # 46 flags were false, in documents that break another relation: a misreading that cancels the document's own
    # break makes that broken relation hold and vouch for it.
    flag_vouched: bool = True
    # ...or where no choice among its unsure cells' candidates makes it hold (``_unfixable``): whichever reading is
    # right, the printed values break it; the unsure cells stay listed for review. Products of more than
    # ``flag_unfixable_limit`` candidate choices are not enumerated (the relation stays unresolved).
    flag_unfixable: bool = True
    flag_unfixable_limit: int = 4096
    # ...but not where an unsure cell of it kept (or was given) a reading below this probability: the recogniser's
    # own doubt makes a truth it missed likelier than a misprint. Real OCR (bench_repair, 2026-12-05), 0 -> 0.3:
    # consistent documents flagged 5 -> 2 of 207 (seed 12, k = 1), 10 -> 4 (k = 2), 3 -> 2 of 204 (seed 13, k = 1);
    # seed 11 k = 1 gives up 2 of 59 right flags; documents flagged exactly as before but seed 11 k = 1 (-1) and
    # seed 13 k = 2 (+2). 0.3 -> 0.7 (2026-12-06, heavy renderings in proportion, threshold 0.99; real OCR k = 1, 2):
    # false + missed flags 9 + 30 -> 5 + 34 (seed 11), 18 + 52 -> 9 + 57 (seed 12), 12 + 54 -> 2 + 60 (seed 13);
    # consistent documents flagged (k = 1 and 2 together) 3 -> 1, 13 -> 6, 8 -> 1 (`A` read at 0.695 for a 0, a `4`
    # whose candidates hold no 0, was blamed on the document in four of them). 0.9 ties on errors, with fewer
    # documents flagged exactly; the simulated rows miss one flag more per k.
    flag_unfixable_min_prob: float = 0.7
    # ...and, whatever its unsure cells read, where its confident cells alone break it past mending: the unsure cells
    # (unreadable ones too) are counts on one side and would have to sum to less than 0 (``_beyond_any_reading``).
    # Real OCR (bench_repair --ocr, 2026-12-07): documents flagged exactly 58.06 -> 64.52% (seed 11 k = 1), 74.19 ->
    # 77.42% (k = 2), 69.77 -> 72.09% and 60.47 -> 62.79% (seed 12); with unreadable cells, 67.39 -> 71.74% and
    # 63.04 -> 65.22% (seed 13); no false flag more, repairs unchanged.
    flag_beyond_reading: bool = True
    # ...where cells kept at a reading this probable count with the confident ones. Real OCR (bench_repair --ocr,
    # seeds 11/12/13, k = 1 and 2, 2026-12-07), 1.0 -> 0.97: right flags +2, +1, +1 (seed 12 k = 1, k = 2, seed 13
    # k = 1), seed 12 k = 1 documents flagged exactly 74.42% -> 79.07%, no false flag more; simulated +1 to +4 right
    # flags per row. 0.9 flagged three consistent documents more.
    flag_beyond_reading_min_prob: float = 0.97
    # A settled cell printed wrong breaks all its relations at once (``_printed_errors``): log-prob cost of that
    # explanation, against ``release_penalty`` for each relation it lets go; 0 turns it off. 7 and 8 flag exactly as
    # many self-inconsistent documents on seed 12 (bench_repair --seed 12 --n 300 --ocr --ocr-n 250) as 9 and 10, and
    # one to three more on seed 11 (2026-12-05); no consistent document is flagged by it at any of them.
    printed_error_penalty: float = 7.0
    printed_error_max: int = 2  # printed errors assumed per report at most
    printed_error_suspects: int = 12  # cells tried as printed errors per step, those in the most broken relations
    # A cell read as a blank marker where the report prints its zeros (``candidates.lone_markers``: at least
    # ``lone_marker_zeros`` confident zeros, and at most ``lone_marker_max`` marker readings or ``lone_marker_share``
    # of the zeros' number) is taken for a 0 read at ``lone_marker_confidence`` (its garblings the alternatives),
    # status repaired; ``lone_marker_max`` 0 turns it off. Real OCR (bench_repair --seed 12, k = 1): a faint 0 read
    # 一 was 278 of 982 garbled cells, none restored; a report printing dashes for its blanks has tens of them. One
    # read below ``lone_marker_floor`` is ink without a number: unreadable, for the relations to imply.
    lone_marker_max: int = 2
    lone_marker_share: float = 0.05
    lone_marker_zeros: int = 5
    lone_marker_confidence: float = 0.5
    lone_marker_floor: float = 0.5  # such a marker read below this confidence is a lost number (unreadable) instead
    # An unsure reading (below ``lost_reading_below``) kept in a relation left unresolved may have lost digits no
    # candidate gives back (real OCR: 990 read 99, 140 read 120, 10 read .0, 45 read 1). Where at most
    # ``lost_reading_max`` such readings are doubted (0 turns it off), they are solved again as lost numbers
    # (``_lost_readings``); one is repaired (origin ``lost-reading``) where it comes out other than its reading, at
    # least ``lost_reading_support`` of its relations then hold, and the doubted cells so repaired have more holding
    # relations between them than their number. Real OCR (bench_repair --ocr --ocr-n 250, 2026-12-06), recall of
    # the garbled cells at k = 1: seed 12 94.9% -> 97.7%, seed 11 95.7% -> 97.4%, seed 13 94.0% -> 96.4%; 3 of 97
    # such repairs were wrong, each a total the document misprinted (a 0 where its parts add to 28) read unsure:
    # its relations agree on the meant value, and nothing tells that apart from a misreading. 0.93: in the 0.93-0.95
    # confidence band (seed 12) 1022 readings were right and none wrong; below 0.93, 2 of 17 were wrong, and at 0.947
    # a misprinted total read right was taken for a lost number.
    lost_reading_max: int = 4
    lost_reading_below: float = 0.93
    lost_reading_support: int = 2
    # Where the doubted readings solved again all at once settle none (more unknowns, more near-equal explanations),
    # each is solved again on its own, then those that came out so together. Real OCR (2026-12-06, k = 1): recall
    # seed 11 95.35% -> 95.64%, seed 12 95.86% -> 96.34% (two more self-inconsistent documents flagged exactly),
    # seed 13 94.18% -> 94.29%; no wrong change added; k = 2 the same or +0.08.
    lost_reading_singly: bool = True
    # ...and then, once, the unsure cells repaired to a candidate whose relations stay unresolved (all at once only):
    # a faint reading whose candidates hold no truth is bent to the one that fits best (`F` at 0.26 and `te` at 0.2,
    # both 4, taken for 0 and 0 by the prior odds of 0, left their column's sum broken; `科9` at 0.07 for a 2, taken
    # for 8, bent two 7s read at 0.967 to 1). Real OCR (2026-12-07), k = 2: wrong changes 7 -> 4 (seed 11), 7 -> 5
    # (seed 12), 8 -> 7 (seed 13), restored +2 / +3 / +2; k = 1 unchanged; the simulated rows lose one restored cell
    # each at seed 13. Solving them each alone as well took 1.8 s on one simulated report and gave nothing more.
    lost_reading_repaired: bool = True
    # ...and last, the same for cells left a conflict in a relation left unresolved: where their relations then agree
    # on one value, it is no guess between near-equal candidates. Real OCR (2026-12-07): restored +19 over the six
    # rows (seed 12 k = 2 1025 -> 1033), right flags +2 (seed 12 k = 1, flagged exactly 67.44% -> 69.77%), one wrong
    # change more (seed 13 k = 2); the simulated rows unchanged.
    lost_reading_conflicts: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.confident_threshold <= 1.0:
            raise ValueError(f"confident_threshold must be in [0, 1], not {self.confident_threshold}")
        if self.conflict_margin < 0 or self.release_penalty <= 0 or self.unreadable_log_prior >= 0:
            raise ValueError("conflict_margin must be >= 0, release_penalty > 0 and unreadable_log_prior < 0")
        if self.implied_support < 1:
            raise ValueError("implied_support must be at least 1")
        if not self.zero_odds > 0:
            raise ValueError(f"zero_odds must be positive, not {self.zero_odds}")
        if min(self.max_enumeration, self.max_candidates, self.confident_candidates, self.node_limit,
               self.fallback_candidates) < 1 \
                or self.time_limit_s <= 0:
            raise ValueError("max_enumeration, max_candidates, confident_candidates, node_limit, "
                             "fallback_candidates and time_limit_s must be positive")
        if self.lost_reading_max < 0 or self.lost_reading_support < 1 or not 0.0 <= self.lost_reading_below <= 1.0:
            raise ValueError("lost_reading_max must be >= 0, lost_reading_support >= 1 and lost_reading_below in "
                             "[0, 1]")


@dataclass(frozen=True)
class CellRepair:
    """What repair decided for one cell."""

    key: str
    reading: Number | None  # the recognised reading (first candidate); None for a blank or unreadable cell
    value: Number | None  # the value to report: the reading, a repaired value, or None (blank / unreadable)
    status: ValueStatus  # read / repaired / conflict / unreadable
    prob: float  # probability of the chosen candidate (the prior of an implied value for an unreadable cell)
    origin: str  # origin of the chosen candidate ("implied" where the relations gave it)
    confident: bool  # fixed to its reading
    candidates: tuple[Candidate, ...]
    relations: tuple[str, ...]  # ids of the relations it takes part in
    runner_up: Candidate | None = None  # the most probable other candidate (or the alternative solution's value)
    margin: float | None = None  # log-prob gap between the optimum and the best solution giving it another value
    # (computed for changed cells; None where the search only proved it larger than the conflict margin)
    blank: bool = False  # printed blank


@dataclass(frozen=True)
class RelationOutcome:
    id: str
    status: RelationStatus  # with the repaired values
    as_read: RelationStatus  # with the readings
    confident: bool  # every cell of it is fixed (confident or certain)
    changed: tuple[str, ...]  # cells of it that repair changed
    flagged: bool  # broken with every cell confident or vouched for by another relation (or, an option, keeping a
    # likely reading): the document's own inconsistency
    unresolved: bool  # broken with an unsure cell in it (or open because of an unreadable cell): the document or
    # the reading is wrong, and only a person can tell which


@dataclass
class RepairResult:
    cells: dict[str, CellRepair]
    relations: list[RelationOutcome]
    checks: list[RelationCheck]  # check_all on the repaired values
    flags: list[str]  # relations broken by confident values: the document's own inconsistencies
    unresolved: list[str]  # relations broken (or left open) where an unsure cell takes part: for review
    derived: dict[str, DerivedValue]  # values the relations imply for blank cells, and for unreadable cells whose
    # implied value is not corroborated (never printed values)
    warnings: list[str] = field(default_factory=list)
    solves: int = 0  # enumerations and integer programmes run (conflict checks included)
    printed_errors: list[str] = field(default_factory=list)  # settled cells taken for printed wrong: their
    # relations were let go in the solve (``_printed_errors``)
    meant: dict[str, Number] = field(default_factory=dict)  # per cell of ``printed_errors``: the value its broken
    # relations all point to (the printed value less the one amount they break by), where they agree on one

    def values(self) -> dict[str, Number | None]:
        """Repaired values of the cells that have one (blank cells as None; unreadable cells left out)."""
        return {k: c.value for k, c in self.cells.items() if c.status is not ValueStatus.UNREADABLE}

    @property
    def changed(self) -> list[str]:
        return [k for k, c in self.cells.items() if c.status is ValueStatus.REPAIRED]


# ----------------------------------------------------------------------------------------------------------
# the optimisation problem of one component


@dataclass
class _Problem:
    keys: list[str]  # variable cells
    values: list[np.ndarray]  # candidate values per cell (empty for a free cell)
    logp: list[np.ndarray]
    free: list[bool]  # unreadable cells: a free non-negative integer
    rel_ids: list[str]
    coef: np.ndarray  # (relations, cells): +1 left-hand side, -1 right-hand side
    const: np.ndarray  # (relations,): fixed cells' left minus right
    penalty: float
    tol: float
    free_logp: float

    @property
    def size(self) -> int:
        return math.prod(len(v) for v in self.values)


@dataclass(frozen=True)
class _Solution:
    objective: float
    choice: tuple[int, ...]  # candidate index per cell (-1 for a free cell)
    free_value: tuple[int, ...]  # value per cell (0 where not free)

    def value(self, p: _Problem, i: int) -> Number:
        return self.free_value[i] if p.free[i] else _num(p.values[i][self.choice[i]])

    def same(self, p: _Problem, i: int, other: _Solution) -> bool:
        return self.value(p, i) == other.value(p, i)


@dataclass(frozen=True)
class _Forbid:
    cell: int
    index: int  # candidate index, or the value for a free cell


def _num(v: float) -> Number:
    f = float(v)
    return int(f) if f.is_integer() else f


class _Enumerator:
    """Every joint assignment of a component, scored at once (exact)."""

    def __init__(self, p: _Problem) -> None:
        shape = [len(v) for v in p.values]
        grid = np.indices(shape).reshape(len(shape), -1)  # (cells, assignments)
        vals = np.stack([p.values[i][grid[i]] for i in range(len(shape))])
        logp = np.sum([p.logp[i][grid[i]] for i in range(len(shape))], axis=0)
        residual = p.const[:, None] + p.coef @ vals
        broken = (np.abs(residual) > p.tol).sum(axis=0)
        self.grid = grid
        self.scores = logp - p.penalty * broken

    def best(self, forbid: _Forbid | None = None) -> _Solution | None:
        scores = self.scores
        if forbid is not None:
            scores = np.where(self.grid[forbid.cell] == forbid.index, -np.inf, scores)
        j = int(np.argmax(scores))
        if not np.isfinite(scores[j]):
            return None
        choice = tuple(int(c) for c in self.grid[:, j])
        return _Solution(float(scores[j]), choice, (0,) * len(choice))


_STDOUT_LOCK = threading.Lock()


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 while HiGHS runs: scipy's HiGHS (1.12) prints a debugging line from its MIP heuristics
    to stdout whatever its options say, which would corrupt a report written to stdout. Other threads' writes to
    stdout in that window are lost too; govreport's pipeline does not print from threads."""
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


def _milp(p: _Problem, forbid: _Forbid | None, time_limit: float) -> _Solution | None:
    """The optimum as an integer programme (HiGHS). None where infeasible; raises RuntimeError on a solver failure."""
    n_cells, n_rel = len(p.keys), len(p.rel_ids)
    offsets: list[int] = []
    n = 0
    for i in range(n_cells):
        offsets.append(n)
        n += 1 if p.free[i] else len(p.values[i])
    z0 = n
    n += n_rel
    w = n if forbid is not None and p.free[forbid.cell] else -1
    n += 1 if w >= 0 else 0

    maxabs = [0.0 if p.free[i] else float(np.max(np.abs(p.values[i]))) for i in range(n_cells)]
    # bound on a free cell: the relations' right-hand sides are at most ``base`` in sum, and a vertex of k of them
    # solved for k free cells (coefficients +-1) is at most that times Hadamard's bound sqrt(k)^(k-1) (Cramer's rule)
    k = max(1, sum(p.free))
    upper = (float(np.sum(np.abs(p.const))) + sum(maxabs) + 1.0) * math.ceil(math.sqrt(k) ** (k - 1))
    c = np.zeros(n)
    lb, ub = np.zeros(n), np.ones(n)
    for i in range(n_cells):
        o = offsets[i]
        if p.free[i]:
            c[o] = 1e-7  # the prior of an implied value is a constant (added below); prefer small values on ties
            ub[o] = upper
        else:
            c[o:o + len(p.values[i])] = -p.logp[i]
    c[z0:z0 + n_rel] = p.penalty
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    for i in range(n_cells):
        if not p.free[i]:
            row = np.zeros(n)
            row[offsets[i]:offsets[i] + len(p.values[i])] = 1.0
            rows.append(row)
            lo.append(1.0)
            hi.append(1.0)
    for r in range(n_rel):
        expr = np.zeros(n)
        big = abs(float(p.const[r])) + 1.0
        for i in np.nonzero(p.coef[r])[0]:
            o = offsets[i]
            if p.free[i]:
                expr[o] = p.coef[r, i]
                big += upper
            else:
                expr[o:o + len(p.values[i])] = p.coef[r, i] * p.values[i]
                big += maxabs[i]
        plus, minus = expr.copy(), expr.copy()
        plus[z0 + r] = -big
        minus[z0 + r] = big
        rows += [plus, minus]
        lo += [-np.inf, -p.tol - float(p.const[r])]
        hi += [p.tol - float(p.const[r]), np.inf]
    # Valid cuts that tighten the big-M relaxation (candidate values differ from the reading, so a change moves
    # every relation of the cell): a relation broken as read is released or some cell of it changes; a cell that
    # changes to a value that does not by itself settle a relation needs the relation released or another change.
    for r in range(n_rel):
        members = [int(i) for i in np.nonzero(p.coef[r])[0]]
        if any(p.free[i] for i in members):
            continue
        residual = float(p.const[r]) + sum(float(p.coef[r, i] * p.values[i][0]) for i in members)
        if abs(residual) > p.tol:
            row = np.zeros(n)
            row[z0 + r] = 1.0
            for i in members:
                row[offsets[i] + 1:offsets[i] + len(p.values[i])] = 1.0
            rows.append(row)
            lo.append(1.0)
            hi.append(np.inf)
        for i in members:
            deltas = p.coef[r, i] * (p.values[i][1:] - p.values[i][0])
            unsettled = np.abs(residual + deltas) > p.tol
            if not unsettled.any():
                continue
            row = np.zeros(n)
            row[offsets[i] + 1:offsets[i] + len(p.values[i])] = unsettled.astype(float)
            for j in members:
                if j != i:
                    row[offsets[j] + 1:offsets[j] + len(p.values[j])] = -1.0
            row[z0 + r] = -1.0
            rows.append(row)
            lo.append(-np.inf)
            hi.append(0.0)
    if forbid is not None:
        o = offsets[forbid.cell]
        if w >= 0:  # y <= a - 1 + (U - a + 1) w  and  y >= (a + 1) w
            a = float(forbid.index)
            first, second = np.zeros(n), np.zeros(n)
            first[o], first[w] = 1.0, -(upper - a + 1.0)
            second[o], second[w] = 1.0, -(a + 1.0)
            rows += [first, second]
            lo += [-np.inf, 0.0]
            hi += [a - 1.0, np.inf]
        else:
            ub[o + forbid.index] = 0.0
    with _quiet_stdout():
        res = milp(c, constraints=LinearConstraint(np.array(rows), np.array(lo), np.array(hi)),
                   integrality=np.ones(n), bounds=Bounds(lb, ub),
                   options={"mip_rel_gap": 1e-9, "time_limit": time_limit})
    if res.status == 2:  # infeasible
        return None
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"HiGHS did not reach an optimum: {res.message}")
    x = res.x
    choice: list[int] = []
    free_value: list[int] = []
    for i in range(n_cells):
        o = offsets[i]
        if p.free[i]:
            choice.append(-1)
            free_value.append(round(float(x[o])))
        else:
            choice.append(int(np.argmax(x[o:o + len(p.values[i])])))
            free_value.append(0)
    objective = -float(res.fun) + p.free_logp * sum(p.free) + 1e-7 * sum(free_value)
    return _Solution(objective, tuple(choice), tuple(free_value))


def _row_bound(residual: float, cells: Sequence[tuple[int, float]],
               changes: Sequence[Sequence[tuple[float, float, int]]], degree: Sequence[int] | Mapping[int, int],
               tol: float, penalty: float) -> float:
    """What a relation that does not hold (``residual``) must still cost, given its undecided candidate ``cells``
    (cell, coefficient) and their changes (cost, delta, candidate) by cost: each cell's cost is shared among its
    ``degree`` relations, so that the shares add up to a bound (an LP dual of covering every broken relation by a
    change); the relation takes the cheapest share of a change that settles it alone, or of two changes, or the
    penalty. The bound of both searches (their hot spot)."""
    one = penalty
    s1 = s2 = math.inf
    for i, c in cells:
        ch = changes[i]
        if not ch:
            continue
        deg = degree[i]
        sh = ch[0][0] / deg
        if sh < s1:
            s1, s2 = sh, s1
        elif sh < s2:
            s2 = sh
        for cc, d, _ in ch:
            if cc / deg >= one:
                break
            if abs(residual + c * d) <= tol:
                one = cc / deg
                break
    return min(one, s1 + s2, penalty)


class _NodeLimit(Exception):
    """The search outgrew its node budget: the caller falls back to the integer programme."""


class _Search:
    """Exact branch and bound over the relations that do not hold.

    A node is a set of decisions: cells changed to a candidate, cells kept at their reading, relations released.
    Undecided cells sit at their readings. At a node, take a broken relation that is not released (the one with the
    fewest ways out) and branch: release it (the penalty), or change one of its undecided cells to one of its
    candidates, the cells before it in the relation being kept as read. These branches partition the solutions, so
    the search is exact; its depth is the number of changes and releases, which is small. Bound: the cost so far
    plus, per broken relation not released, the least share (cost / number of relations of the cell) an undecided
    cell of it would pay to change, or the penalty. Unreadable (free) cells sit at 0 until a relation sets them to
    the value it implies; they come last in every relation and cost nothing beyond their constant prior. Exact with
    at most one unreadable cell per component (``_Solver`` sends components with more to ``_FreeSearch``).
    """

    def __init__(self, p: _Problem, forbid: _Forbid | None, node_limit: int, cutoff: float = -math.inf) -> None:
        self.p = p
        self.cutoff = cutoff  # objective below which solutions are of no interest
        m, q = len(p.keys), len(p.rel_ids)
        self.rels: list[list[tuple[int, float]]] = [[] for _ in range(m)]  # cell -> (relation, coefficient)
        members: list[list[tuple[int, float]]] = [[] for _ in range(q)]
        for r in range(q):
            for i in np.nonzero(p.coef[r])[0]:
                self.rels[int(i)].append((r, float(p.coef[r, i])))
                members[r].append((int(i), float(p.coef[r, i])))
        self.members = [sorted(mem, key=lambda ic: (p.free[ic[0]], ic[0])) for mem in members]  # free cells last
        self.forbid = forbid
        self.base = [0.0] * m
        for i in range(m):
            if not p.free[i]:
                self.base[i] = float(p.values[i][0])
            elif forbid is not None and forbid.cell == i and forbid.index == 0:
                self.base[i] = 1.0  # an unreadable cell may not stay at the forbidden 0
        # per cell: (cost, delta, candidate index) of its changes, by cost
        self.changes: list[list[tuple[float, float, int]]] = []
        for i in range(m):
            if p.free[i]:
                self.changes.append([])
                continue
            lp, vals = p.logp[i], p.values[i]
            opts = [(float(lp[0] - lp[k]), float(vals[k] - vals[0]), k) for k in range(1, len(lp))
                    if not (forbid is not None and forbid.cell == i and forbid.index == k)]
            self.changes.append(sorted(opts))
        self.keep_forbidden = forbid is not None and not p.free[forbid.cell] and forbid.index == 0
        self.share = [0.0 if p.free[i] else (self.changes[i][0][0] if self.changes[i] else math.inf)
                      / max(1, len(self.rels[i])) for i in range(m)]
        self.node_limit = node_limit
        self.nodes = 0
        self.tol = p.tol
        self.penalty = p.penalty

    def run(self) -> _Solution | None:
        p = self.p
        m, q = len(p.keys), len(p.rel_ids)
        res = [float(p.const[r]) + sum(c * self.base[i] for i, c in self.members[r]) for r in range(q)]
        state = [0] * m  # 0 undecided, 1 kept, 2 changed
        choice = [0] * m
        value = list(self.base)
        released = [False] * q
        if self.keep_forbidden:  # the reading itself is forbidden: the cell must change
            return self._forced_change(res, state, choice, value, released)
        # cost = objective at the readings (all relations held) - objective; the cutoff and the readings as they
        # stand (every broken relation released) bound it from the start
        top = _as_read(p)
        best_cost = min(top - self.cutoff, self.penalty * sum(1 for r in range(q) if abs(res[r]) > self.tol) + 1e-6)
        best: tuple[list[int], list[float]] | None = None
        if not math.isfinite(self.cutoff) and not any(p.free):
            best = (list(choice), list(value))

        tol, free, changes, members = self.tol, p.free, self.changes, self.members
        relations_of = [len(rs) for rs in self.rels]

        def lb(r: int, degree: Sequence[int] | Mapping[int, int]) -> float:
            """What relation ``r`` must still cost (``_row_bound``), each undecided cell's cost shared among its
            relations (all of them, or only those broken now: ``degree``); 0 while an unreadable cell of it is
            undecided (it may take any value)."""
            rr = res[r]
            if released[r] or abs(rr) <= tol:
                return 0.0
            cells: list[tuple[int, float]] = []
            for i, c in members[r]:
                if state[i] != 0:
                    continue
                if free[i]:
                    return 0.0
                cells.append((i, c))
            return _row_bound(rr, cells, changes, degree, tol, self.penalty)

        def static_lb(r: int) -> float:
            return lb(r, relations_of)

        lbs = [static_lb(r) for r in range(q)]

        def visit(cost: float, static: float) -> None:
            nonlocal best_cost, best
            self.nodes += 1
            if self.nodes > self.node_limit:
                raise _NodeLimit
            target, ways = -1, math.inf
            broken = [r for r in range(q) if not released[r] and abs(res[r]) > tol]
            for r in broken:
                n = sum(len(changes[i]) if not free[i] else 1 for i, _ in members[r] if state[i] == 0)
                if n < ways:
                    target, ways = r, n
            if target < 0:
                if cost < best_cost - 1e-9:
                    best_cost, best = cost, (list(choice), list(value))
                return
            degree: dict[int, int] = {}  # per cell, the relations broken now
            for r in broken:
                for i, _ in members[r]:
                    degree[i] = degree.get(i, 0) + 1
            if cost + sum(lb(r, degree) for r in broken) >= best_cost - 1e-9:
                return
            branches: list[tuple[float, int, int, float]] = []  # (cost of the step, position, change index, delta)
            undecided = [(i, c) for i, c in self.members[target] if state[i] == 0]
            for pos, (i, c) in enumerate(undecided):
                if p.free[i]:
                    v = value[i] - res[target] / c  # the value that settles the relation
                    bad = self.forbid is not None and self.forbid.cell == i and v == float(self.forbid.index)
                    if v >= 0 and float(v).is_integer() and not bad:
                        branches.append((0.0, pos, -1, v - value[i]))
                    continue
                for j, (cc, d, _) in enumerate(self.changes[i]):
                    branches.append((cc, pos, j, d))
            branches.sort(key=lambda b: b[0])
            children: list[tuple[float, float, float, int, int, float]] = []  # (bound, step, static, pos, j, d)
            for step, pos, j, d in branches:
                if cost + step >= best_cost - 1e-9:
                    break
                new_static = self._try(undecided, pos, d, static, lbs, static_lb, state, res, None)
                if cost + step + new_static < best_cost - 1e-9:
                    children.append((cost + step + new_static, step, new_static, pos, j, d))
            children.sort(key=lambda ch: ch[0])
            for lower_bound, step, new_static, pos, j, d in children:
                if lower_bound >= best_cost - 1e-9:
                    break
                i = undecided[pos][0]
                if j >= 0:
                    choice[i] = self.changes[i][j][2]
                value[i] += d
                self._try(undecided, pos, d, static, lbs, static_lb, state, res, lambda s=step, ns=new_static:
                          visit(cost + s, ns))
                value[i] -= d
                choice[i] = 0
            released[target] = True
            old = lbs[target]
            lbs[target] = 0.0
            if cost + self.penalty + static - old < best_cost - 1e-9:
                visit(cost + self.penalty, static - old)
            lbs[target] = old
            released[target] = False

        visit(0.0, sum(lbs))
        if best is None:
            return None
        return self._solution(*best)

    def _try(self, undecided: list[tuple[int, float]], pos: int, d: float, static: float, lbs: list[float],
             lb: Callable[[int], float], state: list[int], res: list[float],
             then: Callable[[], None] | None) -> float:
        """Change the ``pos``-th undecided cell by ``d`` (the ones before it kept), update the static bounds, run
        ``then`` if given, undo; return the static bound with the change made."""
        i = undecided[pos][0]
        kept = [i0 for i0, _ in undecided[:pos]]
        affected = {r for r, _ in self.rels[i]}
        for i0 in kept:
            state[i0] = 1
            affected.update(r for r, _ in self.rels[i0])
        state[i] = 2
        for r, c in self.rels[i]:
            res[r] += c * d
        saved = [(r, lbs[r]) for r in affected]
        new_static = static
        for r, old in saved:
            lbs[r] = lb(r)
            new_static += lbs[r] - old
        if then is not None:
            then()
        for r, old in saved:
            lbs[r] = old
        for r, c in self.rels[i]:
            res[r] -= c * d
        state[i] = 0
        for i0 in kept:
            state[i0] = 0
        return new_static

    def _forced_change(self, res: list[float], state: list[int], choice: list[int], value: list[float],
                       released: list[bool]) -> _Solution | None:
        """The optimum when a cell's reading is forbidden: the best over its changes of the search that follows."""
        i = self.forbid.cell if self.forbid is not None else -1
        best: _Solution | None = None
        for _cost, d, k in self.changes[i]:
            sub = _Search(self.p, None, self.node_limit, self.cutoff)
            sub.base = list(self.base)
            sub.base[i] += d
            sub.changes[i] = []
            sub.share[i] = math.inf
            sub.nodes = self.nodes
            sol = sub.run()
            self.nodes = sub.nodes
            if sol is None:
                continue
            sol = _Solution(sol.objective, tuple(k if j == i else c for j, c in enumerate(sol.choice)),
                            sol.free_value)
            sol = self._rescore(sol)
            if best is None or sol.objective > best.objective:
                best = sol
        return best

    def _rescore(self, sol: _Solution) -> _Solution:
        p = self.p
        values = [float(sol.free_value[i]) if p.free[i] else float(p.values[i][sol.choice[i]])
                  for i in range(len(p.keys))]
        logp = sum(float(p.logp[i][sol.choice[i]]) for i in range(len(p.keys)) if not p.free[i])
        return _Solution(logp - self.penalty * self._broken(values) + p.free_logp * sum(p.free), sol.choice,
                         sol.free_value)

    def _solution(self, choice: list[int], value: list[float]) -> _Solution:
        p = self.p
        m = len(p.keys)
        sol = _Solution(0.0, tuple(-1 if p.free[i] else int(choice[i]) for i in range(m)),
                        tuple(round(value[i]) if p.free[i] else 0 for i in range(m)))
        return self._rescore(sol)

    def _broken(self, values: list[float]) -> int:
        return sum(1 for mem, const in zip(self.members, self.p.const, strict=True)
                   if abs(float(const) + sum(c * values[i] for i, c in mem)) > self.tol)


class _FreeSearch:
    """Exact branch and bound for components with unreadable (free) cells, any number of them.

    The free cells are unknowns, eliminated through the relations that hold (Gauss-Jordan on the relations' rows,
    candidate cells included). A relation with free cells in it (``open``) is branched on by holding it, which
    solves it for one of its free cells and substitutes that into every other row, or releasing it. A row with no
    free cell left (``determined``: a relation, or a combination of held relations, over candidate cells only) that
    does not hold is branched on as in ``_Search``: release it (its relation), or change one of its undecided cells
    to one of its candidates, the cells before it being kept. Where every row holds or is released, the free cells
    take the smallest values that make each a non-negative integer (``_integer_point``); where there are none, some
    undecided cell of the rows that decide them must change, and the search branches on those. Each branching
    partitions the solutions, so the search is exact (candidate changes cost >= 0). Bound: the cost so far plus, per
    determined row that does not hold, the least share of a change that settles it, or the penalty (as ``_Search``);
    children are visited best bound first.
    """

    BOX = 4096  # integer points a leaf may try before the search gives up (the caller falls back)

    def __init__(self, p: _Problem, forbid: _Forbid | None, node_limit: int, cutoff: float = -math.inf) -> None:
        self.p = p
        self.forbid = forbid
        self.node_limit = node_limit
        self.nodes = 0
        self.tol = p.tol
        self.penalty = p.penalty
        m, q = len(p.keys), len(p.rel_ids)
        self.m, self.q = m, q
        self.changes: list[list[tuple[float, float, int]]] = []  # per cell: (cost, delta, candidate index), by cost
        for i in range(m):
            if p.free[i]:
                self.changes.append([])
                continue
            lp, vals = p.logp[i], p.values[i]
            self.changes.append(sorted(
                (float(lp[0] - lp[k]), float(vals[k] - vals[0]), k) for k in range(1, len(lp))
                if not (forbid is not None and forbid.cell == i and forbid.index == k)))
        self.top = _as_read(p)
        self.best_cost = math.inf if not math.isfinite(cutoff) else self.top - cutoff + 1e-7
        self.best: tuple[list[int], list[float]] | None = None  # (choice, values) of the best solution so far

    def _forbidden_free(self, j: int, v: float) -> bool:
        f = self.forbid
        return f is not None and f.cell == j and self.p.free[j] and abs(v - f.index) < 1e-6

    def run(self) -> _Solution | None:
        p = self.p
        m, q = self.m, self.q
        value = [0.0 if p.free[i] else float(p.values[i][0]) for i in range(m)]
        rows = [{int(i): float(p.coef[r, i]) for i in np.nonzero(p.coef[r])[0]} for r in range(q)]
        res = [float(p.const[r]) + sum(c * value[i] for i, c in rows[r].items()) for r in range(q)]
        forced = self.forbid is not None and not p.free[self.forbid.cell] and self.forbid.index == 0
        if not forced:  # the readings as they stand, free cells at 0 (1 where 0 is forbidden): a first solution
            start = [1.0 if self._forbidden_free(j, 0.0) else 0.0 for j in range(m)]
            broken = sum(1 for r in range(q)
                         if abs(res[r] + sum(c * start[j] for j, c in rows[r].items() if p.free[j])) > self.tol)
            if self.penalty * broken < self.best_cost:
                self.best_cost = self.penalty * broken
                self.best = ([0] * m, [start[i] if p.free[i] else value[i] for i in range(m)])
        node = _Node(value, [0] * m, [0] * m, ["active"] * q, rows, res, {})
        if forced:  # the reading itself is forbidden: the cell must change (best bound first)
            self._branch(node, 0.0, [(self.forbid.cell if self.forbid is not None else -1, 1.0)])
        else:
            self._visit(node, 0.0)
        if self.best is None:
            return None
        choice, values = self.best
        return _rescore(p, _Solution(0.0, tuple(-1 if p.free[i] else int(choice[i]) for i in range(m)),
                                     tuple(round(values[i]) if p.free[i] else 0 for i in range(m))))

    def _cells(self, node: _Node, r: int) -> list[tuple[int, float]]:
        """The undecided candidate cells of row ``r`` with their coefficients."""
        return [(i, c) for i, c in node.rows[r].items() if not self.p.free[i] and node.state[i] == 0]

    def _bound(self, node: _Node) -> float:
        """What the determined rows that do not hold must still cost (``_row_bound``, as ``_Search``'s bound)."""
        tol, res = self.tol, node.res
        nfree = node.free_counts(self.p.free)
        broken = [(res[r], self._cells(node, r)) for r, status in enumerate(node.status)
                  if status == "active" and not nfree[r] and abs(res[r]) > tol]
        deg: dict[int, int] = {}
        for _, cells in broken:
            for i, _ in cells:
                deg[i] = deg.get(i, 0) + 1
        total = 0.0
        for rr, cells in broken:
            total += _row_bound(rr, cells, self.changes, deg, tol, self.penalty)
        return total

    def _visit(self, node: _Node, cost: float, bound: float | None = None) -> None:
        """``bound``: the node's, where the caller has it (``_branch`` computes it to order the children)."""
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise _NodeLimit
        if (cost + self._bound(node) if bound is None else bound) >= self.best_cost - 1e-9:
            return
        p, tol = self.p, self.tol
        nfree = node.free_counts(p.free)
        target, ways, kind = -1, math.inf, ""
        for r in range(self.q):
            if node.status[r] != "active":
                continue
            if nfree[r] == 0 and abs(node.res[r]) > tol:
                n = sum(len(self.changes[i]) for i, _ in self._cells(node, r))
                if n < ways:
                    target, ways, kind = r, n, "broken"
        if target < 0:
            best_key: tuple[int, int] | None = None
            for r in range(self.q):
                if node.status[r] != "active":
                    continue
                if nfree[r] and (best_key is None or (nfree[r], len(node.rows[r])) < best_key):
                    target, kind, best_key = r, "open", (nfree[r], len(node.rows[r]))
        if target < 0:
            cells = self._leaf(node, cost)
            if cells:
                self._branch(node, cost, cells)
            return
        if kind == "open":
            held = node.hold(target, p.free)
            if held is not None and not self._infeasible_constant(held):
                self._visit(held, cost)
        else:
            self._branch(node, cost, self._cells(node, target))
        if cost + self.penalty < self.best_cost - 1e-9:
            node.status[target] = "released"
            self._visit(node, cost + self.penalty)
            node.status[target] = "active"

    def _branch(self, node: _Node, cost: float, undecided: list[tuple[int, float]]) -> None:
        """Children: one of ``undecided`` changes to one of its candidates, the cells before it kept; best bound
        first."""
        children: list[tuple[float, float, int, float, int]] = []  # (bound, step, position, delta, candidate)
        for pos, (i, _) in enumerate(undecided):
            for step, d, k in self.changes[i]:
                if cost + step >= self.best_cost - 1e-9:
                    break
                self._enter(node, undecided, pos, d, k)
                bound = cost + step + self._bound(node)
                self._leave(node, undecided, pos, d)
                if bound < self.best_cost - 1e-9:
                    children.append((bound, step, pos, d, k))
        children.sort(key=lambda ch: ch[:3])
        for bound, step, pos, d, k in children:
            if bound >= self.best_cost - 1e-9:
                break
            self._enter(node, undecided, pos, d, k)
            self._visit(node, cost + step, bound)
            self._leave(node, undecided, pos, d)

    @staticmethod
    def _enter(node: _Node, undecided: list[tuple[int, float]], pos: int, d: float, k: int) -> None:
        for i0, _ in undecided[:pos]:
            node.state[i0] = 1
        i = undecided[pos][0]
        node.state[i], node.choice[i] = 2, k
        node.move(i, d)

    @staticmethod
    def _leave(node: _Node, undecided: list[tuple[int, float]], pos: int, d: float) -> None:
        i = undecided[pos][0]
        node.move(i, -d)
        node.state[i], node.choice[i] = 0, 0
        for i0, _ in undecided[:pos]:
            node.state[i0] = 0

    def _pivot_row(self, node: _Node, j: int) -> tuple[float, dict[int, float], list[int]]:
        """Free cell ``j`` (solved by a held relation) as constant + coefficients over the free cells still open,
        and the candidate cells it depends on."""
        r = node.pivots[j]
        row = node.rows[r]
        a = row[j]
        lin = {f: -g / a for f, g in row.items() if f != j and self.p.free[f]}
        return -node.res[r] / a, lin, [i for i in row if not self.p.free[i]]

    def _infeasible_constant(self, node: _Node) -> bool:
        """A free cell solved to a negative, fractional or forbidden value by rows whose candidate cells are all
        decided: no completion of this node fixes it."""
        for j in node.pivots:
            const, lin, cells = self._pivot_row(node, j)
            if not lin and all(node.state[i] != 0 for i in cells) and not self._valid(j, const):
                return True
        return False

    def _valid(self, j: int, v: float) -> bool:
        return v >= -1e-6 and abs(v - round(v)) <= 1e-6 and not self._forbidden_free(j, round(v))

    def _leaf(self, node: _Node, cost: float) -> list[tuple[int, float]]:
        """Every row holds or is released: give the free cells values, record the solution, and return nothing;
        where no values will do, return the undecided cells one of which must change."""
        p = self.p
        rows = {j: self._pivot_row(node, j) for j in sorted(node.pivots)}
        for j, (const, lin, cells) in rows.items():
            if not lin and not self._valid(j, const):  # this free cell's row: one of its cells must change
                return [(i, 1.0) for i in cells if node.state[i] == 0]
        opened = sorted({f for _, lin, _ in rows.values() for f in lin})
        point = _integer_point([(j, const, lin) for j, (const, lin, _) in rows.items() if lin], opened,
                               self._forbidden_free, self.BOX)
        if point is None:  # the rows with open free cells in them: one of their cells must change
            return sorted({(i, 1.0) for j, (_, lin, cells) in rows.items() if lin for i in cells
                           if node.state[i] == 0})
        values = list(node.value)
        for j in range(self.m):
            if p.free[j] and j not in node.pivots:
                values[j] = point.get(j, 1.0 if self._forbidden_free(j, 0.0) else 0.0)
        for j, (const, lin, _) in rows.items():
            values[j] = float(round(const + sum(g * point[f] for f, g in lin.items())))
        self.best_cost = cost
        self.best = (list(node.choice), values)
        return []


@dataclass
class _Node:
    """The state of ``_FreeSearch``: cell values and decisions (0 undecided, 1 kept, 2 changed), row status
    (active, released, pivot), the rows (cell -> coefficient; free cells eliminated where solved), their residuals
    over the candidate cells (free cells not counted), and the row that solves each solved free cell."""

    value: list[float]
    state: list[int]
    choice: list[int]
    status: list[str]
    rows: list[dict[int, float]]
    res: list[float]
    pivots: dict[int, int]
    cols: dict[int, list[tuple[int, float]]] | None = None  # cell -> (row, coefficient), made at the first move
    nfree: list[int] | None = None  # free cells per row, made when first asked (rows change only in ``hold``)

    def free_counts(self, free: Sequence[bool]) -> list[int]:
        if self.nfree is None:
            self.nfree = [sum(1 for i in row if free[i]) for row in self.rows]
        return self.nfree

    def move(self, i: int, d: float) -> None:
        self.value[i] += d
        if self.cols is None:
            self.cols = {}
            for r, row in enumerate(self.rows):
                for j, c in row.items():
                    self.cols.setdefault(j, []).append((r, c))
        res = self.res
        for r, c in self.cols.get(i, ()):
            res[r] += c * d

    def hold(self, r: int, free: Sequence[bool]) -> _Node | None:
        """A copy in which row ``r`` holds: solved for one of its free cells, which is eliminated from every other
        row that is not released."""
        row = self.rows[r]
        cands = [f for f in row if free[f]]
        j = max(cands, key=lambda f: (abs(abs(row[f]) - 1.0) < 1e-12, -f))  # a unit coefficient keeps integers
        a = row[j]
        rows = list(self.rows)
        res = list(self.res)
        for r2, row2 in enumerate(self.rows):
            g = row2.get(j)
            if r2 == r or g is None or self.status[r2] == "released":
                continue
            k = g / a
            new = dict(row2)
            for i, c in row.items():
                v = new.get(i, 0.0) - k * c
                if abs(v) < 1e-12:
                    new.pop(i, None)
                else:
                    new[i] = v
            new.pop(j, None)
            rows[r2] = new
            res[r2] -= k * self.res[r]
        status = list(self.status)
        status[r] = "pivot"
        return _Node(list(self.value), list(self.state), list(self.choice), status, rows, res,
                     {**self.pivots, j: r})


def _integer_point(rows: list[tuple[int, float, dict[int, float]]], opened: list[int],
                   forbidden: Callable[[int, float], bool], limit: int) -> dict[int, float] | None:
    """Non-negative integers for the free cells ``opened`` such that every expressed cell (``rows``: cell, constant,
    coefficients over ``opened``) is a non-negative integer and no cell takes its forbidden value, with the smallest
    sum: points are tried by increasing sum within the bounds the rows give. None where there is none (the bounds
    are finite and every point in them fails, or a row with integer coefficients has a fractional constant);
    ``_NodeLimit`` where ``limit`` points were tried without an answer."""
    if not opened:
        return {}
    lo = {f: 0 for f in opened}
    hi: dict[int, float] = {f: math.inf for f in opened}
    for _, const, lin in rows:
        if all(abs(g - round(g)) < 1e-9 for g in lin.values()) and abs(const - round(const)) > 1e-6:
            return None  # never an integer
        for f, g in lin.items():
            if all(h <= 0 for o, h in lin.items() if o != f):  # const + g t + (something <= 0) >= 0
                if g < 0:
                    hi[f] = min(hi[f], math.floor(const / -g + 1e-9))
                else:
                    lo[f] = max(lo[f], math.ceil(-const / g - 1e-9))
    if any(hi[f] < lo[f] for f in opened):
        return None
    top = sum(hi[f] - lo[f] for f in opened)  # the largest sum of the shifted point (inf where unbounded)
    n = len(opened)
    tried = 0

    def points(k: int, total: int) -> Iterator[list[int]]:
        """Shifts of cells k.. summing to ``total``, within their bounds."""
        f = opened[k]
        if k == n - 1:
            if total <= hi[f] - lo[f]:
                yield [total]
            return
        for u in range(min(total, hi[f] - lo[f]) + 1 if math.isfinite(hi[f]) else total + 1):
            for rest in points(k + 1, total - u):
                yield [u, *rest]

    level = 0
    while level <= top:
        for shift in points(0, level):
            tried += 1
            if tried > limit:
                if _relaxation_infeasible(rows, opened, lo, hi):
                    return None
                raise _NodeLimit
            point = {f: float(lo[f] + u) for f, u in zip(opened, shift, strict=True)}
            if any(forbidden(f, v) for f, v in point.items()):
                continue
            good = True
            for e, const, lin in rows:
                v = const + sum(g * point[f] for f, g in lin.items())
                if v < -1e-6 or abs(v - round(v)) > 1e-6 or forbidden(e, round(v)):
                    good = False
                    break
            if good:
                return point
        level += 1
    return None


def _relaxation_infeasible(rows: list[tuple[int, float, dict[int, float]]], opened: list[int],
                           lo: Mapping[int, int], hi: Mapping[int, float]) -> bool:
    """No real point within the bounds makes every row non-negative (a linear programme)."""
    a = np.array([[-lin.get(f, 0.0) for f in opened] for _, _, lin in rows])
    b = np.array([const for _, const, _ in rows])
    res = linprog(np.zeros(len(opened)), A_ub=a, b_ub=b,
                  bounds=[(lo[f], hi[f] if math.isfinite(hi[f]) else None) for f in opened], method="highs")
    return res.status == 2


def _rescore(p: _Problem, sol: _Solution) -> _Solution:
    """``sol`` with its objective computed from its values (every broken relation released)."""
    m = len(p.keys)
    values = np.array([float(sol.free_value[i]) if p.free[i] else float(p.values[i][sol.choice[i]]) for i in range(m)])
    logp = sum(float(p.logp[i][sol.choice[i]]) for i in range(m) if not p.free[i])
    broken = int(np.sum(np.abs(p.const + p.coef @ values) > p.tol))
    return _Solution(logp - p.penalty * broken + p.free_logp * sum(p.free), sol.choice, sol.free_value)


class _Solver:
    def __init__(self, p: _Problem, options: RepairOptions) -> None:
        self.p = p
        self.options = options
        small = not any(p.free) and p.size <= options.max_enumeration
        self.enum = _Enumerator(p) if small else None
        self.solves = 0
        self._answers: dict[tuple[_Forbid | None, float], _Solution | None] = {}
        # _Search sets an unreadable cell from one relation at a time: exact for one such cell per component, not
        # where two of them must be solved for together (_FreeSearch: slower per node, exact for any number)
        self.method = "enumeration" if small else "search" if sum(p.free) <= 1 else "free-search"
        # both searches take the reading for the most probable candidate (a change never costs less than nothing),
        # as cell_candidates makes it; candidates given otherwise go to the integer programme
        if not small and any(len(lp) and float(np.max(lp)) > float(lp[0]) + 1e-12 for lp in p.logp):
            self.method = "milp"

    def best(self, forbid: _Forbid | None = None, cutoff: float = -math.inf) -> _Solution | None:
        """The optimum (with ``forbid`` excluded); None where there is none. The search may also answer None where
        nothing reaches ``cutoff`` (it prunes below it); enumeration and the integer programme answer exactly. An
        answer is kept: a component is asked again by the repairs of one report that share it (``_SolveCache``)."""
        asked = (forbid, cutoff)
        if asked not in self._answers:
            self._answers[asked] = self._best(forbid, cutoff)
        return self._answers[asked]

    def settle(self, optimum: _Solution) -> None:
        """Keep ``optimum``, found with a cutoff, as the answer without one (a search that finds anything above its
        cutoff finds the optimum)."""
        self._answers[(None, -math.inf)] = optimum

    def _best(self, forbid: _Forbid | None, cutoff: float) -> _Solution | None:
        self.solves += 1
        if self.enum is not None:
            return self.enum.best(forbid)
        if self.method in ("search", "free-search"):
            kind = _Search if self.method == "search" else _FreeSearch
            try:
                return kind(self.p, forbid, self.options.node_limit, cutoff).run()
            except _NodeLimit:
                self.method = "milp"
        return _milp(self.p, forbid, self.options.time_limit_s)


# ----------------------------------------------------------------------------------------------------------
# repair


_Solved = tuple[_Problem, _Solver, _Solution]
_Group = tuple[list[str], list[Invariant]]


class _SolveCache:
    """Work shared by the repairs of one report: ``repair_cells`` repairs it again with markers or doubted readings
    taken for lost numbers, and most cells and components come back unchanged. Component optima are keyed by the
    problem's content (cells, candidates and their probabilities, relations, fixed cells' sum), so a component whose
    inputs changed is solved afresh; a cell's candidates by its evidence (the same object). One ``RepairOptions``
    per cache."""

    def __init__(self) -> None:
        self._entries: dict[bytes, tuple[_Solved | None, list[str], int]] = {}
        self.ceiling: dict[bytes, float] = {}  # per problem not solved: a bound its optimum was shown not to exceed
        self._candidates: dict[str, tuple[CellEvidence, int, list[Candidate]]] = {}

    def candidates(self, key: str, ev: CellEvidence, limit: int, zero_odds: float) -> list[Candidate]:
        """``cell_candidates(ev, limit, zero_odds)``, made once per evidence (``zero_odds`` is the options')."""
        kept = self._candidates.get(key)
        if kept is None or kept[0] is not ev or kept[1] != limit:
            kept = (ev, limit, cell_candidates(ev, limit, zero_odds))
            self._candidates[key] = kept
        return list(kept[2])

    @staticmethod
    def key(p: _Problem) -> bytes:
        h = hashlib.blake2b(digest_size=20)
        h.update("\x1f".join(p.keys).encode())
        h.update(b"\x1e" + "\x1f".join(p.rel_ids).encode() + b"\x1e")
        h.update(bytes(p.free))
        for v, lp in zip(p.values, p.logp, strict=True):
            h.update(len(v).to_bytes(4, "little"))
            h.update(v.tobytes())
            h.update(lp.tobytes())
        h.update(p.coef.tobytes())
        h.update(p.const.tobytes())
        return h.digest()

    def get(self, key: bytes) -> tuple[_Solved | None, list[str], int] | None:
        return self._entries.get(key)

    def put(self, key: bytes, entry: tuple[_Solved | None, list[str], int]) -> None:
        self._entries[key] = entry


class _Plans:
    """The components of a set of enforced relations, and their optima; each component is solved once (cached by
    its cells and relations), so that explanations differing in a few relations share the rest of the work."""

    def __init__(self, cells: Mapping[str, Sequence[Candidate]], free: set[str], variable: set[str],
                 reading: Mapping[str, Number | None], opts: RepairOptions, shared: _SolveCache | None = None
                 ) -> None:
        self.cells, self.free, self.variable, self.reading, self.opts = cells, free, variable, reading, opts
        self._cache: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[_Solved | None, list[str], int]] = {}
        self._shared = shared if shared is not None else _SolveCache()
        self._solves_before: dict[int, int] = {}  # per solver taken from the shared cache: its solves until then
        self._cutoff_solves = 0  # searches with a cutoff (``_may_give``); a solver they leave in the shared cache
        # counts on from there, as one an earlier repair left
        self._settled: dict[str, bool] = {}  # per relation: no unreadable cell, and holds as read
        self.slow = False  # a component went to the integer programme (or could not be solved)
        self._components: dict[tuple[str, ...], tuple[list[_Group], set[str]]] = {}

    def components(self, rels: Sequence[Invariant]) -> tuple[list[_Group], set[str]]:
        """Components (cells and relations) that do not all hold as read, and the cells that may move (found once
        per set of relations: the explanation taken is solved again for the report)."""
        sig = tuple(inv.id for inv in rels)
        if sig not in self._components:
            self._components[sig] = self._find_components(rels)
        return self._components[sig]

    def settled(self, inv: Invariant) -> bool:
        """No unreadable cell in ``inv``, and it holds as read (the same for every explanation: kept)."""
        known = self._settled.get(inv.id)
        if known is None:
            known = self._settled[inv.id] = not any(k in self.free for k in inv.fields) \
                and _holds(inv, self.reading, self.opts.tolerance)
        return known

    def _find_components(self, rels: Sequence[Invariant]) -> tuple[list[_Group], set[str]]:
        # Only cells in a relation that does not hold as read may change: a change elsewhere would have to be paid
        # for by compensating changes along a chain of relations that hold, never the most probable explanation.
        open_keys: set[str] = set()
        for inv in rels:
            if not self.settled(inv):
                open_keys.update(inv.fields)
        movable = (self.variable & open_keys) | self.free
        movable -= _never_changed(movable, self.free, rels, self.settled)
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for inv in rels:
            ks = [k for k in inv.fields if k in movable]
            for k in ks:
                parent.setdefault(k, k)
            for k in ks[1:]:
                parent[find(k)] = find(ks[0])
        keys_of: dict[str, list[str]] = {}
        for k in parent:
            keys_of.setdefault(find(k), []).append(k)
        rels_of: dict[str, list[Invariant]] = {}
        for inv in rels:
            ks = [k for k in inv.fields if k in movable]
            if ks:
                rels_of.setdefault(find(ks[0]), []).append(inv)
        groups: list[_Group] = []
        for root, keys in keys_of.items():
            grels = rels_of.get(root, [])
            if any(k in self.free for k in keys) or not all(self.settled(inv) for inv in grels):
                groups.append((sorted(keys), grels))  # else everything holds as read: nothing to repair
        return groups, movable

    def solve(self, keys: list[str], rels: list[Invariant], problem: _Problem | None = None
              ) -> tuple[_Solved | None, list[str]]:
        """The component's optimum (None where readings are kept), and the warnings solving it gave; ``problem``:
        the component's, where the caller built it."""
        sig = (tuple(keys), tuple(inv.id for inv in rels))
        if sig not in self._cache:
            self._cache[sig] = self._solve(keys, rels, problem)
            solved = self._cache[sig][0]
            self.slow |= solved is None or solved[1].method == "milp"
        solved, warnings, _ = self._cache[sig]
        return solved, warnings

    def _may_give(self, keys: list[str], rels: list[Invariant], problem: _Problem, floor: float) -> bool:
        """Whether the component's optimum may exceed ``floor`` (log-probability against its cells as read): a search
        with that cutoff, which proves it cannot (kept: ``_SolveCache.ceiling``) or finds the optimum (kept in the
        shared cache, where ``solve`` takes it). Where the solver fails, True: ``solve`` then runs with its fallbacks
        and warnings."""
        key = _SolveCache.key(problem)
        if self._shared.get(key) is not None:
            return True
        if floor >= self._shared.ceiling.get(key, math.inf):
            return False
        solver = _Solver(problem, self.opts)
        try:
            found = solver.best(cutoff=floor + _as_read(problem))
        except RuntimeError:
            return True
        finally:
            self._cutoff_solves += solver.solves
        if found is None:
            self._shared.ceiling[key] = min(floor, self._shared.ceiling.get(key, math.inf))
            return False
        solver.settle(found)
        self._shared.put(key, ((problem, solver, found), [], 0))
        return True

    def _solve(self, keys: list[str], rels: list[Invariant], problem: _Problem | None
               ) -> tuple[_Solved | None, list[str], int]:
        if problem is None:
            problem = _build(keys, rels, self.cells, self.free, self.reading, self.opts)
        key = _SolveCache.key(problem)
        entry = self._shared.get(key)
        if entry is None:
            entry = self._solve_problem(problem, keys, rels)
            self._shared.put(key, entry)
            return entry
        solved, warnings, _ = entry
        if solved is not None:
            self._solves_before.setdefault(id(solved[1]), solved[1].solves)
        return solved, list(warnings), 0

    def _solve_problem(self, problem: _Problem, keys: list[str], rels: list[Invariant]
                       ) -> tuple[_Solved | None, list[str], int]:
        opts, cells = self.opts, self.cells
        solver = _Solver(problem, opts)
        where = f"repair of {', '.join(keys[:3])}…"
        fewer_note = f"each cell's {opts.fallback_candidates} likeliest candidates"
        warnings: list[str] = []
        spent = 0
        try:
            best = solver.best()
        except RuntimeError as exc:
            spent += solver.solves
            fewer = {k: cells[k][:opts.fallback_candidates] for k in keys
                     if k not in self.free and len(cells[k]) > opts.fallback_candidates}
            if not fewer:
                return None, [f"{where}: {exc}; readings kept"], spent
            # the same problem over each cell's likeliest candidates (a prefix of its list: the indices stand)
            problem = _build(keys, rels, {**cells, **fewer}, self.free, self.reading, opts)
            solver = _Solver(problem, opts)
            try:
                best = solver.best()
            except RuntimeError as again:
                return None, [f"{where}: {again} (also over {fewer_note}); readings kept"], spent + solver.solves
            warnings.append(f"{where}: {exc}; solved over {fewer_note} instead")
        if best is None:
            return None, [*warnings, f"{where}: no assignment; readings kept"], spent + solver.solves
        return (problem, solver, best), warnings, spent

    def solves(self) -> int:
        """Enumerations, searches and integer programmes run for this repair (not those of an earlier repair
        whose answers it shared)."""
        return self._cutoff_solves + sum(
            spent + (solved[1].solves - self._solves_before.get(id(solved[1]), 0) if solved else 0)
            for solved, _, spent in self._cache.values())

    def score(self, rels: Sequence[Invariant], need: float = -math.inf
              ) -> tuple[float, dict[str, Number | None]] | None:
        """The log-probability, against every cell kept as read, of the optimum with ``rels`` enforced (a relation
        no cell of which may move counts its penalty where it breaks as read), and its values; None where a
        component could not be solved, or where the total cannot exceed ``need``: components not solved before
        are searched only above what they would have to give (``_may_give``), each at most its ``_ceiling``."""
        groups, movable = self.components(rels)
        stuck = sum(1 for inv in rels if not any(k in movable for k in inv.fields)
                    and not _holds(inv, self.reading, self.opts.tolerance))
        total = -self.opts.release_penalty * stuck
        values = dict(self.reading)
        pending: list[_Group] = []
        for keys, grels in groups:
            if math.isfinite(need) and (tuple(keys), tuple(inv.id for inv in grels)) not in self._cache:
                pending.append((keys, grels))
                continue
            solved, _ = self.solve(keys, grels)
            if solved is None:
                return None
            total += _taken(solved, keys, values)
        problems = [_build(keys, grels, self.cells, self.free, self.reading, self.opts) for keys, grels in pending]
        ceilings = [_ceiling(problem) for problem in problems]
        for n, ((keys, grels), problem) in enumerate(zip(pending, problems, strict=True)):
            if not self._may_give(keys, grels, problem, need - total - sum(ceilings[n + 1:])):
                return None
            solved, _ = self.solve(keys, grels, problem)
            if solved is None:
                return None
            total += _taken(solved, keys, values)
        return total, values


def _as_read(p: _Problem) -> float:
    """The objective with every cell at its reading and no relation released (unreadable cells at their prior)."""
    return sum(float(lp[0]) for lp, f in zip(p.logp, p.free, strict=True) if not f) + p.free_logp * sum(p.free)


def _ceiling(p: _Problem) -> float:
    """The most a component's optimum can exceed ``_as_read``: each cell at its most probable candidate, nothing
    released (0 where every reading is its cell's most probable candidate, as ``cell_candidates`` makes them)."""
    return sum(float(np.max(lp) - lp[0]) for lp, f in zip(p.logp, p.free, strict=True) if not f and len(lp))


def _taken(solved: _Solved, keys: list[str], values: dict[str, Number | None]) -> float:
    """Write a component's optimum into ``values``; its log-probability against ``_as_read``."""
    problem, _, best = solved
    for i, k in enumerate(keys):
        values[k] = best.value(problem, i)
    return best.objective - _as_read(problem)


def _misprints(errors: Sequence[str], enforced: Sequence[Invariant], values: Mapping[str, Number | None], tol: float,
               defer: AbstractSet[str] = frozenset()) -> bool:
    """The cells ``errors``, each printed wrong by some d, explain every relation they are in as ``values`` stand: a
    relation of one of them alone breaks, and by its d (one that held would be a coincidence, and so would two
    misreadings elsewhere breaking them by different amounts); a relation of two breaks by the sum of theirs; and
    each keeps a value of at least 0 (the printed one less d). A relation of one of them that has a cell of ``defer``
    (another cell that may be printed wrong, not yet taken) is left to be checked with it."""
    shift: dict[str, float] = {}
    shared: list[tuple[Invariant, list[str]]] = []
    later: dict[str, list[float]] = {}  # shifts of relations left to be checked with another cell
    for inv in enforced:
        inside = [e for e in errors if e in inv.fields]
        if not inside:
            continue
        signs = [_sign(inv, e) for e in inside]
        if 0 in signs:
            return False
        if len(inside) > 1:
            shared.append((inv, inside))
            continue
        d = _residual(inv, values) / signs[0]
        if defer & set(inv.fields):
            later.setdefault(inside[0], []).append(d)
        elif abs(d) <= tol or abs(shift.setdefault(inside[0], d) - d) > tol:
            return False
    for e, ds in later.items():  # a cell all of whose relations wait: the shift most of them agree on
        if e not in shift:
            d = max(ds, key=lambda x: sum(abs(y - x) <= tol for y in ds))
            if abs(d) <= tol:
                return False
            shift[e] = d
    if any(e not in shift for e in errors):
        return False
    for inv, inside in shared:
        expected = sum(_sign(inv, e) * shift[e] for e in inside)
        if abs(_residual(inv, values) - expected) > tol:
            return False
    return all(float(values.get(e) or 0) - shift[e] >= -tol for e in errors)


def _printed_errors(plans: _Plans, enforced: list[Invariant], settled: set[str],
                    opts: RepairOptions) -> tuple[list[Invariant], list[str]]:
    """Cells printed wrong: the relations to enforce, and the cells whose relations are let go as printed errors.

    The release penalty prices each broken relation alone, but a document errs in a cell (a total mistyped), which
    breaks every relation the cell is in at once. Where a misreading happens to cancel the printed error in one of
    them (a part read 4 for 1 makes the mistyped total's column hold), the relation-by-relation optimum keeps the
    misreading: it leaves as many relations broken as the truth does. Explaining the broken relations instead by one
    settled cell (confident or certain) printed wrong, at ``printed_error_penalty``, lets all of that cell's relations
    go; the others are solved again, and the cell's relations must then break as one misprint would break them
    (``_misprints``). Where that explanation is more probable by more than the conflict margin, it is taken:
    greedily, up to ``printed_error_max`` cells, each in two or more relations, one of them broken, every one that
    holds with a cell that may move (the ``printed_error_suspects`` in the most broken relations are tried). A
    relation two misprints share is checked once both are taken; where the last one taken leaves such a relation
    unexplained, explanations are dropped from the last until none does. An explanation that changes the value
    implied for an unreadable cell is not taken. Each trial's components not solved before are searched only above
    what the trial needs to beat the explanation standing (``_Plans.score`` with ``need``): a trial that cannot win
    is refused without its optimum. Where a component needs the integer programme (the baseline's, or a trial's that
    the cutoff did not refuse), no explanation is taken: each would cost seconds (seed-15 doc0012: 6 s became 64 s).
    A trial the cutoff refuses no longer counts; seed 12 real OCR k = 2 document 242 so takes an explanation that the
    old rule dropped (``benchmarks/README.md``, twenty-first session)."""
    scored = plans.score(enforced)
    if scored is None or plans.slow:
        return enforced, []  # each explanation tried would run the integer programme again: not worth its time
    base, values = scored
    rels = list(enforced)
    errors: list[str] = []
    taken: list[tuple[list[Invariant], list[str], dict[str, Number | None]]] = [(rels, errors, values)]
    moving = plans.variable | plans.free
    tol = opts.tolerance
    for _ in range(opts.printed_error_max):
        broken = {inv.id for inv in rels if not _holds(inv, values, tol)}
        rels_of: dict[str, list[Invariant]] = {}
        for inv in rels:
            for k in inv.fields:
                rels_of.setdefault(k, []).append(inv)
        suspects = []
        for c in sorted(settled & set(rels_of)):
            own = rels_of[c]
            hits = sum(inv.id in broken for inv in own)
            # each relation of it that holds must have a cell that may move (and break it)
            if len(own) >= 2 and hits and all(inv.id in broken or any(k in moving for k in inv.fields)
                                              for inv in own):
                suspects.append((-hits, c))
        tried = [c for _, c in sorted(suspects)[:opts.printed_error_suspects]]
        best: tuple[float, str, list[Invariant], dict[str, Number | None]] | None = None
        for c in tried:
            trial = [inv for inv in rels if c not in inv.fields]
            # what would beat the explanation standing (a hair below: the search's own tolerance)
            need = (best[0] if best else base + opts.conflict_margin) + opts.printed_error_penalty - 1e-6
            got = plans.score(trial, need)
            if plans.slow:
                return enforced, []
            if got is None or not _misprints([*errors, c], enforced, got[1], tol, set(tried) - {c}):
                continue
            if any(got[1].get(k) != values.get(k) for k in plans.free):
                continue  # a lost number solved for through the relations bends with whichever are let go
            score = got[0] - opts.printed_error_penalty
            if score > base + opts.conflict_margin and (best is None or score > best[0]):
                best = (score, c, trial, got[1])
        if best is None:
            break
        base, c, rels, values = best
        errors = [*errors, c]
        taken.append((rels, errors, values))
    while not _misprints(taken[-1][1], enforced, taken[-1][2], tol) and len(taken) > 1:
        taken.pop()
    return taken[-1][0], taken[-1][1]


def repair(cells: Mapping[str, Sequence[Candidate]], confident: Iterable[str], invariants: Sequence[Invariant],
           options: RepairOptions | None = None, *, seen: Mapping[str, AbstractSet[Number]] | None = None,
           _shared: _SolveCache | None = None) -> RepairResult:
    """Choose every cell's value jointly under the relations (see the module docstring).

    ``cells``: candidates per field key, the reading first (``cell_candidates``); an empty list is an unreadable
    cell; a single blank candidate a printed blank. ``confident``: keys fixed to their reading. ``seen``: for an
    unreadable cell, the numbers the recogniser's decodings name (``seen_numbers``): one of them implied by a
    relation is corroborated by the reading itself.
    """
    opts = options or RepairOptions()
    fixed_keys = set(confident)
    reading: dict[str, Number | None] = {}
    blank: set[str] = set()
    absent: set[str] = set()  # unreadable and fixed: no value at all
    free: set[str] = set()
    variable: set[str] = set()
    for key, cands in cells.items():
        if not cands:
            reading[key] = None
            (absent if key in fixed_keys else free).add(key)
            continue
        reading[key] = cands[0].value
        if cands[0].value is None:
            blank.add(key)
        elif key not in fixed_keys and len(cands) > 1:
            variable.add(key)

    rel_of: dict[str, list[str]] = {}
    for inv in invariants:
        for k in inv.fields:
            rel_of.setdefault(k, []).append(inv.id)
    enforced = [inv for inv in invariants
                if all(k in cells and k not in blank and k not in absent for k in inv.fields)]

    warnings: list[str] = []
    plans = _Plans(cells, free, variable, reading, opts, _shared)
    solve_rels, printed_errors = enforced, []
    if opts.printed_error_penalty > 0:
        settled_keys = {k for k in cells if k in fixed_keys or len(cells[k]) == 1} - blank - absent
        solve_rels, printed_errors = _printed_errors(plans, enforced, settled_keys, opts)
    groups, _ = plans.components(solve_rels)

    chosen: dict[str, tuple[Number | None, int]] = {}  # key -> (value, candidate index or -1 implied)
    conflict: set[str] = set()
    unresolved_free: set[str] = set()
    margins: dict[str, float] = {}
    alt_values: dict[str, Number] = {}  # the forbidden-choice optimum's value of a changed cell
    conflict_alt: dict[str, Number] = {}  # the value a conflict cell would take in the other explanation
    for keys, rels in groups:
        solved, solve_warnings = plans.solve(keys, rels)
        warnings.extend(solve_warnings)
        if solved is None:
            continue
        problem, solver, best = solved
        for i, k in enumerate(keys):
            chosen[k] = (best.value(problem, i), best.choice[i])
        # conflicts: is every change clearly better than the best alternative to it?
        for i, k in enumerate(keys):
            if not problem.free[i] and best.choice[i] == 0:
                continue
            index = best.free_value[i] if problem.free[i] else best.choice[i]
            try:
                alt = solver.best(_Forbid(i, index), cutoff=best.objective - opts.conflict_margin)
            except RuntimeError as exc:
                warnings.append(f"{k}: conflict check failed ({exc}); treated as a conflict")
                conflict.add(k)
                continue
            if alt is None:
                continue
            gap = best.objective - alt.objective
            margins[k] = gap
            alt_values[k] = alt.value(problem, i)
            if gap <= opts.conflict_margin:
                for j, kj in enumerate(keys):
                    if j == i or not best.same(problem, j, alt):
                        (unresolved_free if problem.free[j] else conflict).add(kj)
                        bj, aj = best.value(problem, j), alt.value(problem, j)
                        conflict_alt.setdefault(kj, bj if bj != reading[kj] else aj)
    solves = plans.solves()

    out: dict[str, CellRepair] = {}
    for key, cands in cells.items():

        def make(value: Number | None, status: ValueStatus, prob: float, origin: str,
                 runner_up: Candidate | None, key: str = key, cands: Sequence[Candidate] = cands) -> CellRepair:
            return CellRepair(key=key, reading=reading[key], value=value, status=status, prob=prob, origin=origin,
                              confident=key in fixed_keys, candidates=tuple(cands),
                              relations=tuple(rel_of.get(key, ())), runner_up=runner_up, margin=margins.get(key),
                              blank=key in blank)

        if key in free or key in absent:
            if key in chosen and key not in unresolved_free:
                out[key] = make(chosen[key][0], ValueStatus.REPAIRED, math.exp(opts.unreadable_log_prior),
                                IMPLIED, _alt(alt_values.get(key)))
            else:
                out[key] = make(None, ValueStatus.UNREADABLE, 0.0, "unreadable", _alt(alt_values.get(key)))
            continue
        top = cands[0]
        pick = chosen.get(key)
        if key in conflict:
            out[key] = make(top.value, ValueStatus.CONFLICT, top.prob, top.origin,
                            _alt(conflict_alt.get(key), cands) or _runner_up(cands))
        elif pick is None or pick[1] == 0:
            out[key] = make(top.value, ValueStatus.READ, top.prob, top.origin, _runner_up(cands))
        else:
            cand = cands[pick[1]]
            out[key] = make(cand.value, ValueStatus.REPAIRED, cand.prob, cand.origin,
                            _alt(alt_values.get(key), cands) or top)

    # An implied value is a repair only where it is corroborated (``_corroborated``): two or more relations agree on
    # it, each of whose other cells is read as is, a repair that settles a relation of its own (``_anchored``), or
    # another implied cell of the same corroborated group, the group having more relations than unknowns; or one
    # relation whose other cells are all firm (confident, certain, or such repairs); or where it is 0 (by far the
    # most common value in these tables); or one such relation where the cell's own decodings name the value. A value
    # that leans on unsure readings in one relation, or on repairs made to fit it: the cell stays unreadable and the
    # value is kept apart as derived.
    values = {k: c.value for k, c in out.items() if c.status is not ValueStatus.UNREADABLE}
    enforced_of: dict[str, list[Invariant]] = {}
    for inv in enforced:
        for k in inv.fields:
            enforced_of.setdefault(k, []).append(inv)
    implied = {k for k, c in out.items() if c.origin == IMPLIED and c.value not in (None, 0)}
    anchored = _anchored(out, enforced_of, values, opts.tolerance)
    firm = {k for k in anchored if k in fixed_keys or len(cells.get(k, ())) <= 1
            or out[k].status is ValueStatus.REPAIRED}
    named = {k for k in implied if out[k].value in (seen or {}).get(k, ())}
    support = _corroborated(implied, anchored, firm, enforced_of, values, opts, named)
    implied_alone = {key: DerivedValue(key=key, value=out[key].value, from_relations=support.get(key, []))
                     for key in sorted(implied - set(support))}
    for key in implied_alone:
        c = out[key]
        out[key] = CellRepair(key=key, reading=None, value=None, status=ValueStatus.UNREADABLE, prob=0.0,
                              origin="unreadable", confident=c.confident, candidates=c.candidates,
                              relations=c.relations, runner_up=None, margin=c.margin, blank=False)
        values.pop(key, None)
    # Every repair must settle a relation with the values as they now stand; one that leaned on an implied value
    # just withdrawn goes back to its reading (repeated: one withdrawal can undo the support of another).
    withdrawn = True
    while implied_alone and withdrawn:
        withdrawn = False
        for key, c in list(out.items()):
            if c.status is not ValueStatus.REPAIRED or any(
                    all(values.get(k) is not None for k in inv.fields) and _holds(inv, values, opts.tolerance)
                    for inv in enforced_of.get(key, [])):
                continue
            top = c.candidates[0] if c.candidates else None
            if top is None:  # an implied value without support left
                out[key] = replace(c, value=None, status=ValueStatus.UNREADABLE, prob=0.0, origin="unreadable")
                values.pop(key, None)
            else:
                out[key] = replace(c, value=top.value, status=ValueStatus.READ, prob=top.prob, origin=top.origin)
                values[key] = top.value
            withdrawn = True
    checks, broken, derived, check_warnings = check_all(list(invariants), values)
    derived.update(implied_alone)
    warnings.extend(check_warnings)
    relations: list[RelationOutcome] = []
    flags: list[str] = []
    unresolved: list[str] = []
    broken_set = set(broken)
    certain = {k for k in cells if k in fixed_keys or len(cells[k]) == 1}
    vouched: set[str] = set()
    if opts.flag_vouched:  # unsure cells, read or repaired to a candidate, that another relation vouches for
        eligible = {k for k, c in out.items() if c.status is ValueStatus.READ
                    or (c.status is ValueStatus.REPAIRED and c.origin != IMPLIED)}
        vouched = _vouched(eligible, certain, enforced_of, values, opts.tolerance)
    printed = set(printed_errors)
    for inv, chk in zip(invariants, checks, strict=True):
        is_broken = inv.id in broken_set
        confident_rel = all(k in certain for k in inv.fields)
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
            settled = _unfixable(inv, out, values, certain | vouched, enforced_of, broken_set, opts)
        flagged = is_broken and settled and not open_cell
        if (is_broken or open_cell) and not flagged and opts.flag_beyond_reading:
            # (an unreadable cell is a count too: no value of it mends such a break either)
            firm = certain | {k for k in inv.fields if k in out and out[k].status is ValueStatus.READ
                              and out[k].prob >= opts.flag_beyond_reading_min_prob}
            flagged = _beyond_any_reading(inv, values, firm, opts.tolerance)
        relations.append(RelationOutcome(
            id=inv.id, status=chk.status, as_read=_status(inv, reading, cells, opts.tolerance),
            confident=confident_rel,
            changed=tuple(k for k in inv.fields if k in out and out[k].status is ValueStatus.REPAIRED),
            flagged=flagged,
            unresolved=(is_broken or open_cell) and not flagged,
        ))
        if relations[-1].flagged:
            flags.append(inv.id)
        elif relations[-1].unresolved:
            unresolved.append(inv.id)
    return RepairResult(cells=out, relations=relations, checks=checks, flags=flags, unresolved=unresolved,
                        derived=derived, warnings=warnings, solves=solves, printed_errors=printed_errors,
                        meant=_meant(printed_errors, enforced_of, values, opts.tolerance))


def _meant(errors: Sequence[str], enforced_of: Mapping[str, Sequence[Invariant]],
           values: Mapping[str, Number | None], tol: float) -> dict[str, Number]:
    """Per cell taken for printed wrong, the value that would make its broken relations hold, where those that
    have no other such cell all break by one amount d (the printed value less d, at least 0)."""
    meant: dict[str, Number] = {}
    for key in errors:
        if values.get(key) is None:
            continue
        wants = [implied_value(inv, values, key) for inv in enforced_of.get(key, [])
                 if _sign(inv, key) and not _holds(inv, values, tol)
                 and not any(k in errors and k != key for k in inv.fields)]
        if not wants or max(wants) - min(wants) > tol or wants[0] < -tol:
            continue
        meant[key] = round(wants[0]) if abs(wants[0] - round(wants[0])) <= tol else round(wants[0], 2)
    return meant


def _settles(inv: Invariant, key: str, values: Mapping[str, Number | None], ok: Callable[[str], bool],
             tol: float) -> bool:
    """``inv`` holds with ``values``, and each of its cells other than ``key`` passes ``ok``."""
    return all(values.get(k) is not None for k in inv.fields) and _holds(inv, values, tol) \
        and all(ok(k) for k in inv.fields if k != key)


def _vouched(eligible: set[str], certain: set[str], enforced_of: Mapping[str, list[Invariant]],
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


def _never_changed(movable: set[str], free: set[str], enforced: Sequence[Invariant],
                   settled: Callable[[Invariant], bool]) -> set[str]:
    """Cells that no optimum changes (exact dominance): reverting a change of cell v to its reading saves its cost
    (> 0), and the release penalty of every relation that holds as read in which v is the only cell that may move;
    it can cost at most one penalty per other relation of v. Where the first kind are at least as many, reverting is
    strictly better, so v stays as read. Fixing one cell can settle another: repeated until nothing changes.
    ``settled``: whether a relation has no unreadable cell and holds as read."""
    rels_of: dict[str, list[Invariant]] = {}
    holds = {inv.id: settled(inv) for inv in enforced}
    for inv in enforced:
        for k in dict.fromkeys(inv.fields):
            rels_of.setdefault(k, []).append(inv)
    still = set(movable)
    in_still = {inv.id: len(still.intersection(inv.fields)) for inv in enforced}  # cells of it that may move
    fixed: set[str] = set()
    changed = True
    while changed:
        changed = False
        for v in sorted(still - free):
            alone = other = 0
            for inv in rels_of.get(v, []):
                if holds[inv.id] and in_still[inv.id] == 1:  # v the only one
                    alone += 1
                else:
                    other += 1
            if alone >= other:
                still.discard(v)
                for inv in rels_of.get(v, []):
                    in_still[inv.id] -= 1
                fixed.add(v)
                changed = True
    return fixed


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
    sign = {k: _sign(inv, k) for k in unsure}
    residual = _residual(inv, values)  # lhs - rhs as the values stand
    for k in unsure:  # digits lost from the printed number, or one digit taken for its look-alike (a pair too
        # unlikely at the cell's confidence to be among its candidates), also explain the break: no flag
        v = values.get(k)
        if v is not None and sign[k] != 0 and _misread_digits(v, float(v) - residual / sign[k]):
            return False
    rest = residual - sum(sign[k] * float(values.get(k) or 0) for k in unsure)
    # the sums the unsure cells can make, as a set (a small subset-sum over their candidate lists)
    reach = {rest}
    for k, vals in zip(unsure, choices, strict=True):
        reach = {round(r + sign[k] * v, 6) for r in reach for v in vals}
    return all(abs(r) > opts.tolerance for r in reach)


def _beyond_any_reading(inv: Invariant, values: Mapping[str, Number | None], firm: set[str],
                        tolerance: float) -> bool:
    """``inv``'s ``firm`` cells alone break it past mending: its other cells are all counts on one side, and it
    would hold only were their sum negative. No reading of them, printed or lost, can make it hold."""
    unsure = [k for k in inv.fields if k not in firm]
    if not unsure or any(value_kind(k) != "count" for k in unsure):
        return False
    signs = {_sign(inv, k) for k in unsure}
    if len(signs) != 1 or 0 in signs:
        return False
    (sign,) = signs
    rest = _residual(inv, {k: v for k, v in values.items() if k in firm})  # the unsure cells at 0
    return -rest * sign < -tolerance  # their sum would have to be -rest / sign


def _misread_digits(read: Number, needed: float) -> bool:
    """``needed`` is a whole number whose digits hold those of ``read`` in order, and more (737 read 3, 135 read
    15: digits lost), or differs from it in one digit (13 read 11), of a lone digit a look-alike pair of
    ``DIGIT_CONFUSIONS`` (2 read 3; any lone digit differs from any other in one)."""
    if needed < 0 or abs(needed - round(needed)) > 1e-9 or float(read) != int(read) or read < 0:
        return False
    short, long_ = str(int(read)), str(round(needed))
    if len(long_) == len(short):
        pair = _one_digit_apart(short, long_)
        return pair is not None and (len(short) > 1 or _lookalike(pair))
    if len(long_) <= len(short):
        return False
    it = iter(long_)
    return all(ch in it for ch in short)


def _one_digit_apart(a: str, b: str) -> tuple[str, str] | None:
    """The digits (of ``a``, of ``b``) where two digit strings of one length differ, if in one place only."""
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y] if len(a) == len(b) else []
    return diff[0] if len(diff) == 1 else None


def _lookalike(pair: tuple[str, str]) -> bool:
    return pair[1] in DIGIT_CONFUSIONS.get(pair[0], {})


def _has_unreadable(inv: Invariant, out: Mapping[str, CellRepair]) -> bool:
    return any(k in out and out[k].status is ValueStatus.UNREADABLE for k in inv.fields)


def _alt(value: Number | None, cands: Sequence[Candidate] = ()) -> Candidate | None:
    if value is None:
        return None
    for c in cands:
        if c.value == value:
            return c
    return Candidate(value, 0.0, IMPLIED)


def _runner_up(cands: Sequence[Candidate]) -> Candidate | None:
    return cands[1] if len(cands) > 1 else None


def _sign(inv: Invariant, key: str) -> int:
    """How ``key`` counts in ``inv``'s lhs - rhs: +1 on the left, -1 on the right, 0 on both sides or none."""
    return inv.lhs.count(key) - inv.rhs.count(key)


def _residual(inv: Invariant, values: Mapping[str, Number | None]) -> float:
    """lhs - rhs of ``inv`` with ``values`` (a missing or blank cell counts 0)."""
    return sum(float(values.get(k) or 0) for k in inv.lhs) - sum(float(values.get(k) or 0) for k in inv.rhs)


def _holds(inv: Invariant, values: Mapping[str, Number | None], tol: float) -> bool:
    return abs(_residual(inv, values)) <= tol


def _status(inv: Invariant, reading: Mapping[str, Number | None], cells: Mapping[str, Sequence[Candidate]],
            tol: float) -> RelationStatus:
    if any(k not in cells or reading[k] is None for k in inv.fields):
        return RelationStatus.INCOMPLETE
    return RelationStatus.HOLDS if _holds(inv, reading, tol) else RelationStatus.BROKEN


def _build(keys: list[str], rels: list[Invariant], cells: Mapping[str, Sequence[Candidate]], free: set[str],
           reading: Mapping[str, Number | None], opts: RepairOptions) -> _Problem:
    index = {k: i for i, k in enumerate(keys)}
    coef = np.zeros((len(rels), len(keys)))
    const = np.zeros(len(rels))
    for r, inv in enumerate(rels):
        for side, sign in ((inv.lhs, 1.0), (inv.rhs, -1.0)):
            for k in side:
                if k in index:
                    coef[r, index[k]] += sign
                else:
                    const[r] += sign * float(reading[k] or 0)
    values, logp = [], []
    for k in keys:
        cands = [] if k in free else cells[k]
        values.append(np.array([float(c.value or 0) for c in cands]))
        logp.append(np.log(np.maximum(np.array([c.prob for c in cands]), 1e-300)))
    return _Problem(keys=keys, values=values, logp=logp, free=[k in free for k in keys],
                    rel_ids=[inv.id for inv in rels], coef=coef, const=const, penalty=opts.release_penalty,
                    tol=opts.tolerance, free_logp=opts.unreadable_log_prior)


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
    shared = _SolveCache()  # the repairs below share the components they have in common
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
    return result


def _lost_readings(evidence: Mapping[str, CellEvidence], invariants: Sequence[Invariant], opts: RepairOptions,
                   markers: set[str], lost: set[str], result: RepairResult, shared: _SolveCache,
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
    if any(trial.cells[k].status is not ValueStatus.REPAIRED for k in earlier):
        return result  # a number solved for before is left open by the new ones: keep what was found
    for k in doubted | earlier:
        first = result.cells[k]
        trial.cells[k] = replace(trial.cells[k], reading=first.reading, candidates=first.candidates,
                                 origin=LOST_READING)
    return trial


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
                    markers: set[str], lost: set[str], shared: _SolveCache) -> RepairResult:
    """``repair`` with the ``markers`` offered as unsure zeros, those of them in ``lost`` as ink without a number."""
    evidence = {k: (replace(ev, raw_text="", confidence=0.0, alternatives=()) if k in lost
                    else replace(ev, raw_text="0", confidence=opts.lone_marker_confidence, alternatives=())
                    if k in markers else ev) for k, ev in evidence.items()}
    confident = {k for k, ev in evidence.items() if ev.digital or ev.confidence >= opts.confident_threshold}
    cands = {k: shared.candidates(k, ev, opts.confident_candidates if k in confident else opts.max_candidates,
                                  opts.zero_odds)
             for k, ev in evidence.items()}
    for key in markers - lost:
        first, *rest = cands[key]
        cands[key] = [replace(first, origin=MARKER_AS_ZERO), *rest]
    seen = {k: seen_numbers(ev) for k, ev in evidence.items() if not cands[k]}
    result = repair(cands, confident, invariants, opts, seen=seen, _shared=shared)
    for key in markers:  # what was read is a blank marker: any number reported is repair's, not the reading
        c = result.cells[key]
        read = c.status in (ValueStatus.READ, ValueStatus.REPAIRED)
        result.cells[key] = replace(c, reading=None, status=ValueStatus.REPAIRED if read else c.status)
    return result


# ----------------------------------------------------------------------------------------------------------
# review


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
    pair = _one_digit_apart(str(int(read)), str(int(meant)))
    return pair if pair is not None and _lookalike(pair) else None


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


# ----------------------------------------------------------------------------------------------------------
# calibration of the confidence threshold


@dataclass(frozen=True)
class CalibrationCase:
    """One document of the calibration corpus: the evidence as read and the true printed values."""

    evidence: Mapping[str, CellEvidence]
    truth: Mapping[str, Number | None]
    invariants: Sequence[Invariant]


@dataclass(frozen=True)
class ThresholdScore:
    threshold: float
    garbled: int  # cells whose reading differs from the truth
    restored: int  # garbled cells repaired to the truth
    changes: int  # cells repair changed
    right_changes: int  # changes to the truth
    false_changes: int  # cells read right and changed
    conflicts: int
    false_flags: int  # relations flagged as the document's error that the true values satisfy
    missed_flags: int = 0  # relations the true values break that are not flagged

    @property
    def recall(self) -> float:
        return self.restored / self.garbled if self.garbled else 1.0

    @property
    def precision(self) -> float:
        return self.right_changes / self.changes if self.changes else 1.0

    @property
    def errors(self) -> int:
        """What ``calibrate_threshold`` minimises."""
        return self.false_changes + FALSE_FLAG_WEIGHT * self.false_flags + self.missed_flags


@dataclass(frozen=True)
class Calibration:
    threshold: float
    scores: list[ThresholdScore]
    procedure: str


FALSE_FLAG_WEIGHT = 2  # a relation flagged that the document keeps counts as two errors in the calibration
DEFAULT_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1.0)


def score_threshold(cases: Sequence[CalibrationCase], threshold: float, options: RepairOptions | None = None
                    ) -> ThresholdScore:
    """Repair every case with ``threshold`` and count what it restored and what it broke."""
    base = options or RepairOptions()
    opts = RepairOptions(**{**base.__dict__, "confident_threshold": threshold})
    garbled = restored = changes = right = false = conflicts = false_flags = missed_flags = 0
    for case in cases:
        result = repair_cells(case.evidence, case.invariants, opts)
        _, truly_broken, _, _ = check_all(list(case.invariants), case.truth)
        false_flags += len(set(result.flags) - set(truly_broken))
        missed_flags += len(set(truly_broken) - set(result.flags))
        for key, c in result.cells.items():
            if key not in case.truth:
                continue
            truth = case.truth[key]
            read_right = c.reading == truth and not (c.reading is None and not c.blank)
            garbled += not read_right
            conflicts += c.status is ValueStatus.CONFLICT
            if c.status is ValueStatus.REPAIRED:
                changes += 1
                right += c.value == truth
                false += read_right
            restored += (not read_right) and c.status is ValueStatus.REPAIRED and c.value == truth
    return ThresholdScore(threshold, garbled, restored, changes, right, false, conflicts, false_flags, missed_flags)


def calibrate_threshold(cases: Sequence[CalibrationCase], thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
                        options: RepairOptions | None = None) -> Calibration:
    """Pick the confidence threshold on a corpus of read documents with known true values.

    Procedure: for every threshold t of the grid, repair every document with the cells read at confidence >= t
    fixed, and count the garbled cells restored (recall), the cells read right but changed (false changes), the
    relations flagged as the document's own error that the true values satisfy (false flags: a garbled cell read at
    or above t is taken as printed), and the relations the true values break that are not flagged (missed flags: a
    cell of them below t leaves them unresolved). The threshold is the one with the fewest errors, false changes +
    2 x false flags + missed flags (a false accusation costs the user more than a break left for review), then the
    highest recall; ties go to the lowest threshold (fewest cells open to change). (Until 2026-11-22 missed flags
    did not count, and a threshold at which nothing is confident, so nothing is flagged, could win.) The corpus:
    ``benchmarks/bench_repair.py --calibrate`` (correct tables from the corpus generator, k cells per relation
    garbled, read by the project's recogniser from rendered, degraded crops: real confidences).
    """
    if not thresholds:
        raise ValueError("no thresholds to try")
    scores = [score_threshold(cases, t, options) for t in thresholds]
    best = min(scores, key=lambda s: (s.errors, -s.recall, s.threshold))
    return Calibration(best.threshold, scores, calibrate_threshold.__doc__ or "")
